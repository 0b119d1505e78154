"""Quotes: a priced offer to a customer, built from a deal's lines, numbered, versioned, sent and accepted or declined."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils import timezone

from amity.catalog.models import Product
from amity.core.models import User
from amity.core.tenancy import WorkspaceScopedModel
from amity.customers.models import Account, Contact


class DocumentSequence(WorkspaceScopedModel):
    """The last number given to a kind of document (quotes, orders, invoices) in a workspace and year.

    Numbers are taken inside the transaction that writes the document, so a rolled-back write gives its
    number back: the series has no gaps.
    """

    prefix = models.CharField(max_length=8)
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "prefix", "year"], name="documentsequence_unique")]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}: {self.last_number}"


class Quote(WorkspaceScopedModel):
    """One version of a quote: what is offered to whom, at what price, until when; later versions supersede it."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SENT = "sent", "Sent"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        EXPIRED = "expired", "Expired"
        SUPERSEDED = "superseded", "Superseded"

    number = models.CharField(max_length=32, help_text="Shared by every version, e.g. Q-2026-0042.")
    version = models.PositiveSmallIntegerField(default=1)
    title = models.CharField(max_length=200)
    opportunity = models.ForeignKey("sales.Opportunity", null=True, blank=True, on_delete=models.SET_NULL, related_name="quotes")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="quotes", help_text="Bill to.")
    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="quotes", help_text="Addressed to.")
    owner = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    currency = models.CharField(max_length=3)
    valid_until = models.DateField()
    payment_terms_days = models.PositiveSmallIntegerField(default=30, help_text="Days the customer has to pay an invoice.")
    terms = models.TextField(blank=True)
    notes = models.TextField(blank=True, help_text="Shown to the customer above the terms.")
    subtotal = models.DecimalField(max_digits=18, decimal_places=2, default=Decimal(0), help_text="Before discounts.")
    discount_amount = models.DecimalField(max_digits=18, decimal_places=2, default=Decimal(0))
    net_amount = models.DecimalField(max_digits=18, decimal_places=2, default=Decimal(0))
    tax_amount = models.DecimalField(max_digits=18, decimal_places=2, default=Decimal(0))
    total_amount = models.DecimalField(max_digits=18, decimal_places=2, default=Decimal(0))
    # NULL until sent: the customer's link. Unguessable (32 random bytes), unique.
    public_token = models.CharField(max_length=64, null=True, blank=True, unique=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_to = models.CharField(max_length=254, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    accepted_by_name = models.CharField(max_length=200, blank=True)
    decline_reason = models.CharField(max_length=1000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "number", "version"], name="quote_unique_number_version"),
            models.CheckConstraint(condition=Q(version__gte=1), name="quote_version_positive"),
        ]
        indexes = [
            models.Index(fields=["workspace", "-created_at", "-id"], name="quote_ws_recent"),
            models.Index(fields=["workspace", "status", "-created_at", "-id"], name="quote_ws_status"),
            models.Index(fields=["workspace", "account", "-created_at"], name="quote_ws_account"),
            models.Index(fields=["workspace", "opportunity", "-created_at"], name="quote_ws_opportunity"),
            models.Index(fields=["workspace", "status", "valid_until"], name="quote_ws_validity"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return self.number if self.version == 1 else f"{self.number} v{self.version}"

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT

    def is_past_validity(self, today: object = None) -> bool:
        return self.valid_until < (today or timezone.localdate())  # type: ignore[operator]


class QuoteLine(WorkspaceScopedModel):
    """One line of a quote, copied from the deal and editable on the quote; name and SKU are kept as offered."""

    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, null=True, blank=True, on_delete=models.PROTECT, related_name="quote_lines")
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(max_length=200)
    sku = models.CharField(max_length=64, blank=True)
    description = models.CharField(max_length=1000, blank=True)
    quantity = models.DecimalField(max_digits=12, decimal_places=3)
    unit_price = models.DecimalField(max_digits=18, decimal_places=2)
    discount_percent = models.DecimalField(max_digits=5, decimal_places=2, default=0)
    tax_rate = models.DecimalField(max_digits=5, decimal_places=2, default=0)
    net_amount = models.DecimalField(max_digits=18, decimal_places=2)
    tax_amount = models.DecimalField(max_digits=18, decimal_places=2)
    total_amount = models.DecimalField(max_digits=18, decimal_places=2)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="quoteline_quantity_positive")]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.name}"


class QuoteEvent(WorkspaceScopedModel):
    """Something that happened to a quote (created, revised, sent, accepted, declined, expired): its history and timeline."""

    class Kind(models.TextChoices):
        CREATED = "created", "Created"
        REVISED = "revised", "Revised"
        SENT = "sent", "Sent"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        EXPIRED = "expired", "Expired"

    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    occurred_at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(max_length=1000, blank=True)

    class Meta:
        indexes = [models.Index(fields=["workspace", "quote", "occurred_at"], name="quoteevent_ws_quote")]

    def __str__(self) -> str:
        return f"{self.quote_id} {self.kind}"
