"""The workspace's corporate currency and the exchange rates that turn other currencies into it."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from amity.core.models import User
from amity.core.tenancy import WorkspaceScopedModel


class CurrencySettings(WorkspaceScopedModel):
    """The currency the workspace adds its money up in (forecasts, board totals, performance): its corporate currency."""

    workspace = models.OneToOneField("core.Workspace", on_delete=models.CASCADE, related_name="+")
    corporate_currency = models.CharField(max_length=3, help_text="ISO 4217: what every other currency is converted into.")
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name_plural = "currency settings"

    def __str__(self) -> str:
        return f"Corporate currency {self.corporate_currency}"


class ExchangeRate(WorkspaceScopedModel):
    """What one unit of a currency is worth in the corporate currency from a day on, until the currency's next rate."""

    currency = models.CharField(max_length=3)
    rate = models.DecimalField(max_digits=20, decimal_places=8, help_text="Units of the corporate currency per 1 unit of this one.")
    valid_from = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "currency", "valid_from"], name="exchangerate_unique_day"),
            models.CheckConstraint(condition=Q(rate__gt=0), name="exchangerate_rate_positive"),
        ]
        ordering = ["currency", "-valid_from"]

    def __str__(self) -> str:
        return f"1 {self.currency} from {self.valid_from}: {self.rate}"
