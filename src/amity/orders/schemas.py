"""What the API takes in and gives out for orders, invoices and payments."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Field, Schema


class OrderLineOut(Schema):
    id: int
    product_id: int | None
    name: str
    sku: str
    quantity: Decimal
    quantity_fulfilled: Decimal
    quantity_invoiced: Decimal
    quantity_cancelled: Decimal
    unit_price: Decimal
    discount_percent: Decimal
    tax_rate: Decimal
    net_amount: Decimal
    tax_amount: Decimal
    total_amount: Decimal


class OrderOut(Schema):
    id: int
    number: str
    status: str
    account_id: int
    account_name: str = Field(..., alias="account.name")
    contact_id: int | None
    opportunity_id: int | None
    quote_id: int | None
    currency: str
    ordered_on: dt.date
    payment_terms_days: int
    net_amount: Decimal
    tax_amount: Decimal
    total_amount: Decimal
    lines: list[OrderLineOut]
    created_at: dt.datetime

    @staticmethod
    def resolve_lines(order: Any) -> list[Any]:
        return list(order.lines.all())


class OrderFilterIn(Schema):
    sort: str | None = Field(None, description="-created_at (default), number, total_amount, each also with -.")
    status: str | None = Field(None, description="open, partially_fulfilled, fulfilled or cancelled")
    account_id: int | None = None
    contact_id: int | None = None
    opportunity_id: int | None = None
    number: str | None = None
    created_after: dt.datetime | None = None
    created_before: dt.datetime | None = None


class LineQuantityIn(Schema):
    line_id: int = Field(..., description="An order line's id.")
    quantity: Decimal = Field(..., ge=0)


class FulfilIn(Schema):
    lines: list[LineQuantityIn] | None = Field(None, max_length=200, description="Everything still open if left out.")
    fulfilled_on: dt.date | None = Field(None, description="Today if left out.")
    note: str = Field("", max_length=1000)


class FulfilmentLineOut(Schema):
    order_line_id: int
    quantity: Decimal


class FulfilmentOut(Schema):
    id: int
    order_id: int
    fulfilled_on: dt.date
    note: str
    lines: list[FulfilmentLineOut]
    created_at: dt.datetime

    @staticmethod
    def resolve_lines(fulfilment: Any) -> list[Any]:
        return list(fulfilment.lines.all())


class CancelIn(Schema):
    reason: str = Field(..., min_length=1, max_length=1000)
    scope: str = Field("whole", description="whole (nothing fulfilled or invoiced yet) or remainder (what is not fulfilled)")


class CancellationOut(Schema):
    id: int
    order_id: int
    scope: str
    reason: str
    quantities: dict[str, str]
    amount: Decimal
    created_at: dt.datetime


class InvoiceCreateIn(Schema):
    lines: list[LineQuantityIn] | None = Field(None, max_length=200, description="Everything not invoiced yet if left out.")
    issue_date: dt.date | None = Field(None, description="Today if left out; due after the order's payment terms.")
    notes: str = Field("", max_length=5000)


class InvoiceLineOut(Schema):
    id: int
    order_line_id: int
    name: str
    sku: str
    quantity: Decimal
    unit_price: Decimal
    discount_percent: Decimal
    tax_rate: Decimal
    net_amount: Decimal
    tax_amount: Decimal
    total_amount: Decimal


class PaymentOut(Schema):
    id: int
    invoice_id: int
    invoice_number: str = Field(..., alias="invoice.number")
    amount: Decimal
    currency: str
    paid_on: dt.date
    method: str
    reference: str
    created_at: dt.datetime


class InvoiceOut(Schema):
    id: int
    number: str
    status: str
    order_id: int
    account_id: int
    account_name: str = Field(..., alias="account.name")
    contact_id: int | None
    currency: str
    issue_date: dt.date
    due_date: dt.date
    notes: str
    net_amount: Decimal
    tax_amount: Decimal
    total_amount: Decimal
    amount_paid: Decimal
    amount_due: Decimal
    lines: list[InvoiceLineOut]
    payments: list[PaymentOut]
    sent_at: dt.datetime | None
    sent_to: str
    voided_at: dt.datetime | None
    void_reason: str
    created_at: dt.datetime

    @staticmethod
    def resolve_lines(invoice: Any) -> list[Any]:
        return list(invoice.lines.all())

    @staticmethod
    def resolve_payments(invoice: Any) -> list[Any]:
        return list(invoice.payments.all())


class InvoiceFilterIn(Schema):
    sort: str | None = Field(None, description="-created_at (default), number, total_amount, due_date, each also with -.")
    status: str | None = Field(None, description="draft, sent, partially_paid, paid, overdue or void")
    account_id: int | None = None
    contact_id: int | None = None
    order_id: int | None = None
    number: str | None = None
    due_before: dt.date | None = None
    due_after: dt.date | None = None
    unpaid: bool | None = Field(None, description="Only sent, partially paid and overdue invoices.")


class InvoiceSendIn(Schema):
    to: str = Field(..., max_length=254)
    message: str = Field("", max_length=5000)


class VoidIn(Schema):
    reason: str = Field(..., min_length=1, max_length=1000)


class PaymentIn(Schema):
    invoice_id: int
    amount: Decimal = Field(..., gt=0)
    paid_on: dt.date | None = Field(None, description="Today if left out.")
    method: str = Field("bank_transfer", description="bank_transfer, card, direct_debit, cheque, cash or other")
    reference: str = Field("", max_length=200)


class PaymentFilterIn(Schema):
    sort: str | None = Field(None, description="-created_at (default), paid_on, each also with -.")
    invoice_id: int | None = None
    account_id: int | None = None
    method: str | None = None
    paid_after: dt.date | None = None
    paid_before: dt.date | None = None
