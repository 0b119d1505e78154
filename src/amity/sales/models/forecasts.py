"""Forecasting: the category a deal is forecast in, quotas per rep and month, and the calls and overrides reps and managers submit."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils import timezone

from amity.core.models import User
from amity.core.tenancy import WorkspaceScopedModel


class ForecastCategory(models.TextChoices):
    """How sure the rep is about a deal: what a forecast counts it as."""

    PIPELINE = "pipeline", "Pipeline"
    BEST_CASE = "best_case", "Best case"
    COMMIT = "commit", "Commit"
    CLOSED = "closed", "Closed"
    OMITTED = "omitted", "Omitted"


# What an open deal may be put in by its rep; won deals are always closed and lost ones omitted.
OPEN_CATEGORIES = [ForecastCategory.PIPELINE, ForecastCategory.BEST_CASE, ForecastCategory.COMMIT, ForecastCategory.OMITTED]


class Quota(WorkspaceScopedModel):
    """What a rep is expected to win in one month; a quarter's quota is the sum of its months, a team's the sum of its members'."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    month = models.DateField(help_text="The first day of the month the quota is for.")
    amount = models.DecimalField(max_digits=18, decimal_places=2)
    currency = models.CharField(max_length=3)
    set_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "user", "month"], name="quota_unique_user_month"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="quota_amount_not_negative"),
        ]
        indexes = [models.Index(fields=["workspace", "month", "user"], name="quota_ws_month")]
        ordering = ["month", "user_id"]

    def __str__(self) -> str:
        return f"{self.user_id} {self.month:%Y-%m}: {self.amount} {self.currency}"


class ForecastSubmission(WorkspaceScopedModel):
    """A rep's own forecast number (call) for a month or quarter, or a manager's override beside it.

    Never changed once written: each new number is a new row, so the history of a forecast is
    its rows in time order and the current number is the latest.
    """

    class Kind(models.TextChoices):
        CALL = "call", "Rep's call"
        OVERRIDE = "override", "Manager's override"

    class PeriodKind(models.TextChoices):
        MONTH = "month", "Month"
        QUARTER = "quarter", "Quarter"

    rep = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+", help_text="Whose forecast this is.")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    period_kind = models.CharField(max_length=7, choices=PeriodKind.choices)
    period_start = models.DateField(help_text="The first day of the month or quarter.")
    amount = models.DecimalField(max_digits=18, decimal_places=2)
    currency = models.CharField(max_length=3)
    note = models.CharField(max_length=500, blank=True)
    submitted_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0), name="forecastsubmission_amount_not_negative")]
        indexes = [
            models.Index(
                fields=["workspace", "period_kind", "period_start", "currency", "rep", "kind", "-submitted_at"], name="forecast_ws_period"
            )
        ]
        ordering = ["-submitted_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} of {self.rep_id} for {self.period_kind} {self.period_start}: {self.amount} {self.currency}"

    @property
    def amount_decimal(self) -> Decimal:
        return Decimal(self.amount)


def default_stage_category(kind: str, probability: int) -> str:
    """The category a new stage suggests: won → closed, lost → omitted; open ones by their probability."""
    if kind == "won":
        return ForecastCategory.CLOSED
    if kind == "lost":
        return ForecastCategory.OMITTED
    if probability >= 75:
        return ForecastCategory.COMMIT
    if probability >= 50:
        return ForecastCategory.BEST_CASE
    return ForecastCategory.PIPELINE
