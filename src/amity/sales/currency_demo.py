"""The demo workspace's corporate currency (euros) and a year of monthly exchange rates for its other currencies."""

from __future__ import annotations

import random
from decimal import Decimal

from django.utils import timezone

from amity.catalog.models import PriceBook
from amity.core.models import User, Workspace
from amity.core.permissions import Role
from amity.sales.models import ExchangeRate, Opportunity
from amity.sales.periods import add_months
from amity.sales.services import corporate_currency_set, exchange_rate_create

CORPORATE = "EUR"
# About what one unit was worth in euros in 2026: each month's rate wanders a little around it.
USUAL_RATES = {"USD": Decimal("0.92"), "GBP": Decimal("1.17"), "CHF": Decimal("1.05"), "SEK": Decimal("0.087")}


def load_currencies(workspace: Workspace, users: dict[Role, User]) -> None:
    """Make euros the corporate currency and give every other currency of the deals and price books a rate per month."""
    if ExchangeRate.objects.filter(workspace=workspace).exists():
        return
    owner = users[Role.OWNER]
    corporate_currency_set(actor=owner, workspace=workspace, currency=CORPORATE)
    deals = Opportunity.objects.filter(workspace=workspace).values_list("currency", flat=True).distinct()
    books = PriceBook.objects.filter(workspace=workspace).values_list("currency", flat=True).distinct()
    others = sorted({*deals, *books} - {CORPORATE})
    rng = random.Random(4217)
    this_month = timezone.localdate().replace(day=1)
    for currency in others:
        usual = USUAL_RATES.get(currency, Decimal(1))
        for offset in range(-11, 1):
            rate = usual * (1 + Decimal(rng.randint(-300, 300)) / 10000)
            exchange_rate_create(
                actor=owner,
                workspace=workspace,
                data={"currency": currency, "rate": rate.quantize(Decimal("0.0001")), "valid_from": add_months(this_month, offset)},
            )
