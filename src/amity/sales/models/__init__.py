"""Pipelines and their stages, opportunities (deals) with their contacts, line items and stage history."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils import timezone

from amity.catalog.models import Product
from amity.core.models import Team, User
from amity.core.tenancy import WorkspaceScopedModel
from amity.customers.models import Account, Contact, Tag
from amity.sales.models.currencies import CurrencySettings, ExchangeRate
from amity.sales.models.forecasts import OPEN_CATEGORIES, ForecastCategory, ForecastSubmission, Quota, default_stage_category

__all__ = [
    "OPEN_CATEGORIES",
    "CurrencySettings",
    "ExchangeRate",
    "ForecastCategory",
    "ForecastSubmission",
    "LineItem",
    "LostReason",
    "Opportunity",
    "OpportunityContact",
    "Pipeline",
    "Quota",
    "Stage",
    "StageChange",
    "default_stage_category",
]


class Pipeline(WorkspaceScopedModel):
    """A sales process: the ordered stages a deal goes through, from first talk to won or lost."""

    name = models.CharField(max_length=120)
    is_default = models.BooleanField(default=False, help_text="Where new deals go when no pipeline is named.")
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="pipeline_unique_name"),
            models.UniqueConstraint(fields=["workspace"], condition=Q(is_default=True), name="pipeline_one_default"),
        ]

    def __str__(self) -> str:
        return self.name


class Stage(WorkspaceScopedModel):
    """One step of a pipeline, with the chance that a deal in it is won; won and lost stages close a deal."""

    class Kind(models.TextChoices):
        OPEN = "open", "Open"
        WON = "won", "Won"
        LOST = "lost", "Lost"

    pipeline = models.ForeignKey(Pipeline, on_delete=models.CASCADE, related_name="stages")
    name = models.CharField(max_length=80)
    position = models.PositiveSmallIntegerField(default=0)
    probability = models.PositiveSmallIntegerField(help_text="Default win probability of a deal in this stage, in percent.")
    kind = models.CharField(max_length=4, choices=Kind.choices, default=Kind.OPEN)
    forecast_category = models.CharField(
        max_length=9,
        choices=ForecastCategory.choices,
        default=ForecastCategory.PIPELINE,
        help_text="The forecast category a deal entering this stage gets (won stages: closed, lost ones: omitted).",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["pipeline", "name"], name="stage_unique_name"),
            models.CheckConstraint(condition=Q(probability__lte=100), name="stage_probability_percent"),
        ]
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_closed(self) -> bool:
        return self.kind != self.Kind.OPEN


class LostReason(WorkspaceScopedModel):
    """Why deals are lost (price, a competitor, no budget…): a list the workspace keeps, so reasons can be counted."""

    name = models.CharField(max_length=120)
    position = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True, help_text="Inactive reasons stay on past deals but are not offered any more.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="lostreason_unique_name")]
        ordering = ["position", "name", "id"]

    def __str__(self) -> str:
        return self.name


class Opportunity(WorkspaceScopedModel):
    """A deal: something an account may buy, how much it is worth, how likely and when it closes, and who works on it."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        WON = "won", "Won"
        LOST = "lost", "Lost"

    name = models.CharField(max_length=200)
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="opportunities")
    pipeline = models.ForeignKey(Pipeline, on_delete=models.PROTECT, related_name="opportunities")
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="opportunities")
    status = models.CharField(
        max_length=4, choices=Status.choices, default=Status.OPEN, help_text="The kind of its stage, kept here for lists."
    )
    amount = models.DecimalField(
        max_digits=18,
        decimal_places=2,
        default=Decimal(0),
        help_text="Net of discounts and before tax; the line items' sum when it has any.",
    )
    currency = models.CharField(max_length=3)
    expected_close_date = models.DateField()
    probability = models.PositiveSmallIntegerField(help_text="Chance of winning in percent; the stage's default unless set.")
    forecast_category = models.CharField(
        max_length=9, choices=ForecastCategory.choices, default=ForecastCategory.PIPELINE, help_text="What forecasts count the deal as."
    )
    forecast_category_chosen = models.BooleanField(
        default=False, help_text="The rep chose the category; moving the deal to another open stage keeps it."
    )
    owner = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    contacts: models.ManyToManyField[Contact, OpportunityContact] = models.ManyToManyField(
        Contact, through="OpportunityContact", related_name="opportunities"
    )
    next_step = models.CharField(max_length=300, blank=True)
    description = models.TextField(blank=True)
    competitors = models.JSONField(default=list, blank=True, help_text="Names of the competitors in the deal.")
    source = models.CharField(max_length=100, blank=True)
    lost_reason = models.ForeignKey(LostReason, null=True, blank=True, on_delete=models.PROTECT, related_name="opportunities")
    lost_note = models.CharField(max_length=1000, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    stage_changed_at = models.DateTimeField(default=timezone.now, help_text="When it entered its current stage.")
    # NULL, not "", when absent: the unique constraint must let many deals have no external key.
    external_id = models.CharField(max_length=100, null=True, blank=True, help_text="The deal's key in the system it came from.")  # noqa: DJ001
    custom = models.JSONField(default=dict, blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="opportunities")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True, help_text="Set when soft-deleted; it can be restored.")

    class Meta:
        verbose_name_plural = "opportunities"
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "external_id"], condition=Q(external_id__isnull=False), name="opportunity_unique_external_id"
            ),
            models.CheckConstraint(condition=Q(probability__lte=100), name="opportunity_probability_percent"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="opportunity_amount_not_negative"),
        ]
        indexes = [
            models.Index(fields=["workspace", "-created_at", "-id"], name="opportunity_ws_recent"),
            models.Index(fields=["workspace", "expected_close_date", "id"], name="opportunity_ws_close"),
            models.Index(fields=["workspace", "pipeline", "stage", "id"], name="opportunity_ws_board"),
            # A board column: its deals closing soonest first, read a page at a time.
            models.Index(fields=["workspace", "pipeline", "stage", "expected_close_date", "id"], name="opportunity_ws_board_close"),
            # A rep's own board ("owner" filter): without it a column walks the stage's deals until it finds a page of theirs.
            models.Index(
                fields=["workspace", "pipeline", "stage", "owner", "expected_close_date", "id"], name="opportunity_ws_board_owner"
            ),
            models.Index(fields=["workspace", "owner", "status", "expected_close_date"], name="opportunity_ws_owner"),
            models.Index(fields=["workspace", "account", "-created_at", "-id"], name="opportunity_ws_account"),
            # The board's counts and sums per stage and currency read this index alone, not the table (deleted_at is in
            # it although always null: SQLite counts a column of the WHERE as needed even when the index's condition settles it).
            # The dates (and status) date each sum for its exchange rate: a deal is converted at its close date.
            models.Index(
                fields=[
                    "workspace",
                    "pipeline",
                    "stage",
                    "currency",
                    "amount",
                    "probability",
                    "owner",
                    "deleted_at",
                    "status",
                    "expected_close_date",
                    "closed_at",
                ],
                condition=Q(deleted_at__isnull=True),
                name="opportunity_ws_board_sums",
            ),
            # Forecasts: open deals by close date and won deals by close time, with what is summed (read from the index alone).
            # It also serves any live deals by status and close date: a plain (workspace, status, close date) index beside
            # it made SQLite's planner pick the smaller index and read the table for 100,000 deals (416 ms against 120).
            models.Index(
                fields=[
                    "workspace",
                    "status",
                    "expected_close_date",
                    "currency",
                    "owner",
                    "pipeline",
                    "forecast_category",
                    "amount",
                    "probability",
                    "deleted_at",
                ],
                condition=Q(deleted_at__isnull=True),
                name="opportunity_ws_forecast",
            ),
            models.Index(
                fields=["workspace", "status", "closed_at", "currency", "owner", "pipeline", "amount", "deleted_at"],
                condition=Q(deleted_at__isnull=True),
                name="opportunity_ws_closed",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def weighted_amount(self) -> Decimal:
        return (self.amount * self.probability / 100).quantize(Decimal("0.01"))

    @property
    def close_date_passed(self) -> bool:
        """Whether the deal is still open after the day it was expected to close (in the reader's zone)."""
        return self.status == self.Status.OPEN and self.expected_close_date < timezone.localdate()


class OpportunityContact(WorkspaceScopedModel):
    """A person's part in a deal: decision maker, influencer, champion, user."""

    class Role(models.TextChoices):
        DECISION_MAKER = "decision_maker", "Decision maker"
        INFLUENCER = "influencer", "Influencer"
        CHAMPION = "champion", "Champion"
        USER = "user", "User"
        OTHER = "other", "Other"

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="contact_roles")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="opportunity_roles")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.OTHER)
    is_primary = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["opportunity", "contact"], name="opportunitycontact_unique")]
        indexes = [models.Index(fields=["workspace", "contact"], name="opportunitycontact_ws_contact")]

    def __str__(self) -> str:
        return f"{self.contact_id} as {self.role} on {self.opportunity_id}"


class LineItem(WorkspaceScopedModel):
    """One line of a deal: a product (or a free-text item), how many, at what price, discount and tax.

    The name and SKU are copied from the product, so the line says what was offered even after the catalog changes.
    """

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="line_items")
    product = models.ForeignKey(Product, null=True, blank=True, on_delete=models.PROTECT, related_name="line_items")
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(max_length=200)
    sku = models.CharField(max_length=64, blank=True)
    quantity = models.DecimalField(max_digits=12, decimal_places=3)
    unit_price = models.DecimalField(max_digits=18, decimal_places=2)
    discount_percent = models.DecimalField(max_digits=5, decimal_places=2, default=0)
    tax_rate = models.DecimalField(max_digits=5, decimal_places=2, default=0)
    net_amount = models.DecimalField(max_digits=18, decimal_places=2, help_text="Quantity × unit price, less the discount.")
    tax_amount = models.DecimalField(max_digits=18, decimal_places=2)
    total_amount = models.DecimalField(max_digits=18, decimal_places=2, help_text="Net plus tax.")

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="lineitem_quantity_positive"),
            models.CheckConstraint(condition=Q(discount_percent__gte=0) & Q(discount_percent__lte=100), name="lineitem_discount_percent"),
            models.CheckConstraint(condition=Q(tax_rate__gte=0) & Q(tax_rate__lte=100), name="lineitem_tax_rate_percent"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.name}"


class StageChange(WorkspaceScopedModel):
    """A deal entering a stage: from where, when, by whom, and its amount and probability then.

    A deal's first entry (from nothing) is written when it is created, so the time spent in each
    stage is the gap to the next entry. Stage names are copied so that history survives a stage's removal.
    """

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.ForeignKey(Stage, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    to_stage = models.ForeignKey(Stage, null=True, on_delete=models.SET_NULL, related_name="+")
    from_stage_name = models.CharField(max_length=80, blank=True)
    to_stage_name = models.CharField(max_length=80)
    to_kind = models.CharField(max_length=4, choices=Stage.Kind.choices)
    changed_at = models.DateTimeField(default=timezone.now)
    changed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    amount = models.DecimalField(max_digits=18, decimal_places=2)
    currency = models.CharField(max_length=3)
    probability = models.PositiveSmallIntegerField()

    class Meta:
        indexes = [
            models.Index(fields=["workspace", "opportunity", "changed_at", "id"], name="stagechange_ws_opportunity"),
            models.Index(fields=["workspace", "-changed_at", "-id"], name="stagechange_ws_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.opportunity_id}: {self.from_stage_name or '—'} → {self.to_stage_name}"


from amity.sales.models.leads import (  # noqa: E402  (leads link to deals: Opportunity is defined first)
    Lead,
    LeadAssignmentRule,
    LeadRescore,
    LeadScoringRule,
    RuleOperator,
    WebForm,
    WebFormSubmission,
)
from amity.sales.models.quotes import DocumentSequence, Quote, QuoteEvent, QuoteLine  # noqa: E402

__all__ = [
    "DocumentSequence",
    "Lead",
    "LeadAssignmentRule",
    "LeadRescore",
    "LeadScoringRule",
    "LineItem",
    "LostReason",
    "Opportunity",
    "OpportunityContact",
    "Pipeline",
    "Quote",
    "QuoteEvent",
    "QuoteLine",
    "RuleOperator",
    "Stage",
    "StageChange",
    "WebForm",
    "WebFormSubmission",
]
