"""The back office: sales orders with their lines, fulfilments and cancellations, invoices and the payments against them."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils import timezone

from amity.catalog.models import Product
from amity.core.models import User
from amity.core.tenancy import WorkspaceScopedModel
from amity.customers.models import Account, Contact


class SalesOrder(WorkspaceScopedModel):
    """What a customer has ordered: usually an accepted quote, then fulfilled, invoiced and paid."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        PARTIALLY_FULFILLED = "partially_fulfilled", "Partially fulfilled"
        FULFILLED = "fulfilled", "Fulfilled"
        CANCELLED = "cancelled", "Cancelled"

    number = models.CharField(max_length=32)
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="sales_orders")
    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="sales_orders")
    opportunity = models.ForeignKey("sales.Opportunity", null=True, blank=True, on_delete=models.SET_NULL, related_name="sales_orders")
    quote = models.OneToOneField("sales.Quote", null=True, blank=True, on_delete=models.SET_NULL, related_name="sales_order")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    currency = models.CharField(max_length=3)
    ordered_on = models.DateField(default=timezone.localdate)
    payment_terms_days = models.PositiveSmallIntegerField(default=30)
    notes = models.TextField(blank=True)
    net_amount = models.DecimalField(max_digits=18, decimal_places=2, default=Decimal(0))
    tax_amount = models.DecimalField(max_digits=18, decimal_places=2, default=Decimal(0))
    total_amount = models.DecimalField(max_digits=18, decimal_places=2, default=Decimal(0))
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "number"], name="salesorder_unique_number")]
        indexes = [
            models.Index(fields=["workspace", "-created_at", "-id"], name="salesorder_ws_recent"),
            models.Index(fields=["workspace", "status", "-created_at", "-id"], name="salesorder_ws_status"),
            models.Index(fields=["workspace", "account", "-created_at"], name="salesorder_ws_account"),
            models.Index(fields=["workspace", "contact", "-created_at"], name="salesorder_ws_contact"),
            models.Index(fields=["workspace", "opportunity", "-created_at"], name="salesorder_ws_opportunity"),
        ]

    def __str__(self) -> str:
        return self.number


class SalesOrderLine(WorkspaceScopedModel):
    """One line of an order: how many were ordered, and how many of those are fulfilled, invoiced and cancelled."""

    order = models.ForeignKey(SalesOrder, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, null=True, blank=True, on_delete=models.PROTECT, related_name="order_lines")
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(max_length=200)
    sku = models.CharField(max_length=64, blank=True)
    description = models.CharField(max_length=1000, blank=True)
    quantity = models.DecimalField(max_digits=12, decimal_places=3, help_text="Ordered.")
    quantity_fulfilled = models.DecimalField(max_digits=12, decimal_places=3, default=Decimal(0))
    quantity_invoiced = models.DecimalField(max_digits=12, decimal_places=3, default=Decimal(0))
    quantity_cancelled = models.DecimalField(max_digits=12, decimal_places=3, default=Decimal(0))
    unit_price = models.DecimalField(max_digits=18, decimal_places=2)
    discount_percent = models.DecimalField(max_digits=5, decimal_places=2, default=0)
    tax_rate = models.DecimalField(max_digits=5, decimal_places=2, default=0)
    net_amount = models.DecimalField(max_digits=18, decimal_places=2)
    tax_amount = models.DecimalField(max_digits=18, decimal_places=2)
    total_amount = models.DecimalField(max_digits=18, decimal_places=2)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="salesorderline_quantity_positive"),
            models.CheckConstraint(
                condition=Q(quantity_fulfilled__gte=0) & Q(quantity_invoiced__gte=0) & Q(quantity_cancelled__gte=0),
                name="salesorderline_quantities_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.name}"

    @property
    def quantity_open(self) -> Decimal:
        """Still to fulfil: ordered, less fulfilled and cancelled."""
        return self.quantity - self.quantity_fulfilled - self.quantity_cancelled

    @property
    def quantity_uninvoiced(self) -> Decimal:
        """Still to invoice: ordered, less invoiced and cancelled."""
        return self.quantity - self.quantity_invoiced - self.quantity_cancelled


class Fulfilment(WorkspaceScopedModel):
    """A delivery (of goods) or completion (of services) of some of an order's lines on a date."""

    order = models.ForeignKey(SalesOrder, on_delete=models.CASCADE, related_name="fulfilments")
    fulfilled_on = models.DateField(default=timezone.localdate)
    note = models.CharField(max_length=1000, blank=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["workspace", "order", "-created_at"], name="fulfilment_ws_order")]

    def __str__(self) -> str:
        return f"Fulfilment {self.pk} of {self.order_id}"


class FulfilmentLine(WorkspaceScopedModel):
    """How many of one order line a fulfilment delivered."""

    fulfilment = models.ForeignKey(Fulfilment, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(SalesOrderLine, on_delete=models.CASCADE, related_name="fulfilment_lines")
    quantity = models.DecimalField(max_digits=12, decimal_places=3)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="fulfilmentline_quantity_positive")]

    def __str__(self) -> str:
        return f"{self.quantity} of line {self.order_line_id}"


class Cancellation(WorkspaceScopedModel):
    """An order cancelled, whole or its unfulfilled remainder, with the reason and the quantities it took off."""

    class Scope(models.TextChoices):
        WHOLE = "whole", "Whole order"
        REMAINDER = "remainder", "Unfulfilled remainder"

    order = models.ForeignKey(SalesOrder, on_delete=models.CASCADE, related_name="cancellations")
    scope = models.CharField(max_length=10, choices=Scope.choices)
    reason = models.CharField(max_length=1000)
    quantities = models.JSONField(default=dict, help_text="Order line id → quantity cancelled.")
    amount = models.DecimalField(max_digits=18, decimal_places=2, default=Decimal(0), help_text="The net value cancelled.")
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["workspace", "order", "-created_at"], name="cancellation_ws_order")]

    def __str__(self) -> str:
        return f"Cancellation of {self.order_id}"


class Invoice(WorkspaceScopedModel):
    """A bill for some of an order's lines: issued, sent, paid in one or more payments, or voided."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SENT = "sent", "Sent"
        PARTIALLY_PAID = "partially_paid", "Partially paid"
        PAID = "paid", "Paid"
        OVERDUE = "overdue", "Overdue"
        VOID = "void", "Void"

    number = models.CharField(max_length=32)
    order = models.ForeignKey(SalesOrder, on_delete=models.PROTECT, related_name="invoices")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="invoices")
    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="invoices")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    currency = models.CharField(max_length=3)
    issue_date = models.DateField(default=timezone.localdate)
    due_date = models.DateField()
    notes = models.TextField(blank=True)
    net_amount = models.DecimalField(max_digits=18, decimal_places=2, default=Decimal(0))
    tax_amount = models.DecimalField(max_digits=18, decimal_places=2, default=Decimal(0))
    total_amount = models.DecimalField(max_digits=18, decimal_places=2, default=Decimal(0))
    amount_paid = models.DecimalField(max_digits=18, decimal_places=2, default=Decimal(0))
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_to = models.CharField(max_length=254, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    void_reason = models.CharField(max_length=1000, blank=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "number"], name="invoice_unique_number"),
            models.CheckConstraint(
                condition=Q(amount_paid__gte=0) & Q(amount_paid__lte=models.F("total_amount")), name="invoice_not_overpaid"
            ),
        ]
        indexes = [
            models.Index(fields=["workspace", "-created_at", "-id"], name="invoice_ws_recent"),
            models.Index(fields=["workspace", "status", "due_date"], name="invoice_ws_status_due"),
            models.Index(fields=["workspace", "account", "-created_at"], name="invoice_ws_account"),
            models.Index(fields=["workspace", "contact", "-created_at"], name="invoice_ws_contact"),
            models.Index(fields=["workspace", "due_date", "id"], name="invoice_ws_due"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def amount_due(self) -> Decimal:
        return self.total_amount - self.amount_paid


class InvoiceLine(WorkspaceScopedModel):
    """One line of an invoice: a quantity of an order line at the order's price."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(SalesOrderLine, on_delete=models.PROTECT, related_name="invoice_lines")
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(max_length=200)
    sku = models.CharField(max_length=64, blank=True)
    quantity = models.DecimalField(max_digits=12, decimal_places=3)
    unit_price = models.DecimalField(max_digits=18, decimal_places=2)
    discount_percent = models.DecimalField(max_digits=5, decimal_places=2, default=0)
    tax_rate = models.DecimalField(max_digits=5, decimal_places=2, default=0)
    net_amount = models.DecimalField(max_digits=18, decimal_places=2)
    tax_amount = models.DecimalField(max_digits=18, decimal_places=2)
    total_amount = models.DecimalField(max_digits=18, decimal_places=2)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="invoiceline_quantity_positive")]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.name}"


class Payment(WorkspaceScopedModel):
    """Money received against an invoice: how much, when, how, and the bank's or card's reference."""

    class Method(models.TextChoices):
        BANK_TRANSFER = "bank_transfer", "Bank transfer"
        CARD = "card", "Card"
        DIRECT_DEBIT = "direct_debit", "Direct debit"
        CHEQUE = "cheque", "Cheque"
        CASH = "cash", "Cash"
        OTHER = "other", "Other"

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField(max_digits=18, decimal_places=2)
    currency = models.CharField(max_length=3)
    paid_on = models.DateField(default=timezone.localdate)
    method = models.CharField(max_length=16, choices=Method.choices, default=Method.BANK_TRANSFER)
    reference = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive")]
        indexes = [
            models.Index(fields=["workspace", "-created_at", "-id"], name="payment_ws_recent"),
            models.Index(fields=["workspace", "invoice", "-created_at"], name="payment_ws_invoice"),
        ]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency} on {self.invoice_id}"
