"""Reads of the workspace's corporate currency and exchange rates."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db import models
from django.db.models import Count

from amity.core.access import require, visible
from amity.core.models import User, Workspace
from amity.core.permissions import Action, ObjectType
from amity.core.tenancy import get_scoped_or_404
from amity.sales.conversion import Rates
from amity.sales.models import CurrencySettings, ExchangeRate, Opportunity, Quota

FALLBACK_CURRENCY = "EUR"


def usual_currency(*, workspace: Workspace) -> str:
    """The currency quotas are set in (the most used), else the deals' most used, else euros: a workspace's corporate
    currency until someone chooses one."""
    for model in (Quota, Opportunity):
        row = model.objects.filter(workspace=workspace).order_by().values("currency").annotate(n=Count("id")).order_by("-n").first()
        if row:
            return str(row["currency"])
    return FALLBACK_CURRENCY


def currency_settings(*, workspace: Workspace) -> CurrencySettings:
    """The workspace's currency settings; unsaved, with the usual currency as the corporate one, until someone sets it."""
    saved = CurrencySettings.objects.filter(workspace=workspace).first()
    return saved or CurrencySettings(workspace=workspace, corporate_currency=usual_currency(workspace=workspace))


def currency_settings_get(*, actor: User, workspace: Workspace) -> CurrencySettings:
    require(actor, workspace, Action.VIEW, ObjectType.EXCHANGE_RATE)
    return currency_settings(workspace=workspace)


def corporate_currency(*, workspace: Workspace) -> str:
    return currency_settings(workspace=workspace).corporate_currency


def exchange_rate_list(*, actor: User, workspace: Workspace, currency: str | None = None) -> models.QuerySet[ExchangeRate]:
    """The workspace's exchange rates (every role reads them), optionally of one currency."""
    rates = visible(ExchangeRate.objects.all(), actor=actor, workspace=workspace, object_type=ObjectType.EXCHANGE_RATE)
    return rates.filter(currency=currency.strip().upper()) if currency else rates


def exchange_rate_get(*, actor: User, workspace: Workspace, pk: int) -> ExchangeRate:
    return get_scoped_or_404(exchange_rate_list(actor=actor, workspace=workspace), pk=pk)


def rates(*, workspace: Workspace) -> Rates:
    """The corporate currency and every rate of the workspace, for converting sums (two small queries, at most three)."""
    by_currency: dict[str, list[tuple[dt.date, Decimal]]] = defaultdict(list)
    for currency, valid_from, rate in (
        ExchangeRate.objects.filter(workspace=workspace).order_by("currency", "valid_from").values_list("currency", "valid_from", "rate")
    ):
        by_currency[currency].append((valid_from, Decimal(rate)))
    return Rates(corporate=corporate_currency(workspace=workspace), by_currency=dict(by_currency))
