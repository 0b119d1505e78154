"""What the API takes in and gives out for quotes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Field, Schema


class QuoteLineIn(Schema):
    product_id: int | None = Field(None, description="A catalog product; leave it out for a free-text line with a name and a unit price.")
    name: str | None = Field(None, max_length=200, description="The product's name if left out.")
    description: str | None = Field(None, max_length=1000)
    quantity: Decimal = Field(Decimal(1), gt=0)
    unit_price: Decimal | None = Field(None, description="The customer's price from the price books if left out.")
    discount_percent: Decimal = Field(Decimal(0), ge=0, le=100)
    tax_rate: Decimal | None = Field(None, ge=0, le=100, description="Percent; the product's tax rate if left out.")


class QuoteLineOut(Schema):
    id: int
    product_id: int | None
    name: str
    sku: str
    description: str
    quantity: Decimal
    unit_price: Decimal
    discount_percent: Decimal
    tax_rate: Decimal
    net_amount: Decimal
    tax_amount: Decimal
    total_amount: Decimal


class _QuoteFields(Schema):
    title: str | None = Field(None, max_length=200)
    contact_id: int | None = Field(None, description="The person the quote is addressed to.")
    valid_until: dt.date | None = Field(None, description="30 days from today if left out.")
    payment_terms_days: int | None = Field(None, ge=0, le=365)
    terms: str | None = Field(None, max_length=10_000)
    notes: str | None = Field(None, max_length=5_000)


class QuoteIn(_QuoteFields):
    account_id: int | None = Field(None, description="Bill to; the deal's account when `opportunity_id` is given.")
    opportunity_id: int | None = None
    currency: str | None = Field(None, description="The deal's currency when `opportunity_id` is given.")
    lines: list[QuoteLineIn] = Field(default_factory=list, max_length=200)


class QuoteFromOpportunityIn(_QuoteFields):
    opportunity_id: int
    lines: list[QuoteLineIn] | None = Field(None, max_length=200, description="The deal's line items if left out.")


class QuotePatch(_QuoteFields):
    account_id: int | None = None
    currency: str | None = None
    lines: list[QuoteLineIn] | None = Field(None, max_length=200, description="The whole new list of lines.")


class QuoteSendIn(Schema):
    to: str = Field(..., max_length=254, description="The customer's email address.")
    message: str = Field("", max_length=5000)


class QuoteOut(Schema):
    id: int
    number: str
    version: int
    label: str
    title: str
    status: str
    opportunity_id: int | None
    account_id: int
    account_name: str = Field(..., alias="account.name")
    contact_id: int | None
    currency: str
    valid_until: dt.date
    payment_terms_days: int
    terms: str
    notes: str
    subtotal: Decimal
    discount_amount: Decimal
    net_amount: Decimal
    tax_amount: Decimal
    total_amount: Decimal
    lines: list[QuoteLineOut]
    sent_at: dt.datetime | None
    sent_to: str
    responded_at: dt.datetime | None
    accepted_by_name: str
    decline_reason: str
    public_url: str | None = Field(None, description="The customer's page (once sent).")
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_lines(quote: Any) -> list[Any]:
        return list(quote.lines.all())

    @staticmethod
    def resolve_public_url(quote: Any) -> str | None:
        from amity.sales.tasks import quote_link

        return quote_link(quote) if quote.public_token else None


class QuoteFilterIn(Schema):
    sort: str | None = Field(None, description="-created_at (default), valid_until, total_amount, number, each also with -.")
    status: str | None = Field(None, description="draft, sent, accepted, declined, expired or superseded")
    account_id: int | None = None
    contact_id: int | None = None
    opportunity_id: int | None = None
    number: str | None = Field(None, description="Every version of this number.")
    currency: str | None = None
    latest: bool | None = Field(None, description="Leave out superseded versions.")
    created_after: dt.datetime | None = None
    created_before: dt.datetime | None = None
