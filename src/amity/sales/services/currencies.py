"""The corporate currency and the exchange rates: set by owners and admins, audited, every bad field named.

A rate is what one unit of a currency is worth in the corporate currency from its day on
(amity.sales.conversion says how sums use them).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from amity.core import audit, money
from amity.core.access import require
from amity.core.errors import FieldErrors
from amity.core.models import AuditEntry, User, Workspace
from amity.core.permissions import Action, ObjectType
from amity.sales.models import CurrencySettings, ExchangeRate
from amity.sales.selectors.currencies import corporate_currency

RATE_FIELDS = ["currency", "rate", "valid_from"]
RATE_PLACES = Decimal("0.00000001")
MAX_RATE = Decimal("999999999999")  # what a DecimalField(max_digits=20, decimal_places=8) holds


@transaction.atomic
def corporate_currency_set(*, actor: User, workspace: Workspace, currency: Any) -> CurrencySettings:
    """Choose the currency the workspace adds its money up in; refused while rates into the old one exist."""
    require(actor, workspace, Action.CHANGE, ObjectType.EXCHANGE_RATE)
    code = money.currency_code(currency, field="corporate_currency")
    current, created = CurrencySettings.objects.select_for_update().get_or_create(
        workspace=workspace, defaults={"corporate_currency": corporate_currency(workspace=workspace)}
    )
    before = current.corporate_currency
    if code != before and (count := ExchangeRate.objects.filter(workspace=workspace).count()):
        raise ValidationError(
            {
                "corporate_currency": f"{count} exchange rate{'s are' if count > 1 else ' is'} in {before}: delete "
                f"{'them' if count > 1 else 'it'} before changing the corporate currency, then enter rates into {code}."
            }
        )
    current.corporate_currency, current.updated_by = code, actor
    current.save()
    if code != before or created:
        audit.record(
            actor=actor, workspace=workspace, action=AuditEntry.Action.UPDATE, obj=current, changes={"corporate_currency": [before, code]}
        )
    return current


def _rate(value: Any) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({"rate": "Enter a number such as 1.0825."}) from None
    if not number.is_finite() or number <= 0:
        raise ValidationError({"rate": "A rate is more than 0: what one unit of the currency is worth in the corporate currency."})
    number = number.quantize(RATE_PLACES, rounding=ROUND_HALF_UP)
    if number == 0:
        raise ValidationError({"rate": "This rate is too small: use at most 8 decimal places."})
    if number > MAX_RATE:
        raise ValidationError({"rate": "This rate is too large."})
    return number


def _day(value: Any) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValidationError({"valid_from": f"{value!r} is not a day: write it as 2026-12-01."}) from None


def _clean_rate(rate: ExchangeRate, data: Mapping[str, Any], errors: FieldErrors) -> None:
    corporate = corporate_currency(workspace=rate.workspace)
    if "currency" in data:
        code = errors.check(money.currency_code, data["currency"])
        if code == corporate:
            errors["currency"] = f"{code} is the corporate currency: it needs no rate (1 {code} is 1 {code})."
        elif code:
            rate.currency = code
    if "rate" in data:
        rate.rate = errors.check(_rate, data["rate"]) or rate.rate
    if "valid_from" in data:
        rate.valid_from = errors.check(_day, data["valid_from"]) or rate.valid_from
    if not errors:
        taken = ExchangeRate.objects.filter(workspace=rate.workspace, currency=rate.currency, valid_from=rate.valid_from).exclude(
            pk=rate.pk or 0
        )
        if taken.exists():
            errors["valid_from"] = f"{rate.currency} has a rate from {rate.valid_from:%-d %B %Y} already; change that one."


@transaction.atomic
def exchange_rate_create(*, actor: User, workspace: Workspace, data: Mapping[str, Any]) -> ExchangeRate:
    """Add what one unit of a currency is worth in the corporate currency from a day on."""
    require(actor, workspace, Action.ADD, ObjectType.EXCHANGE_RATE)
    rate, errors = ExchangeRate(workspace=workspace, updated_by=actor), FieldErrors()
    _clean_rate(rate, {"currency": "", "rate": "", "valid_from": "", **data}, errors)
    errors.raise_if_any()
    rate.save()
    audit.record(
        actor=actor,
        workspace=workspace,
        action=AuditEntry.Action.CREATE,
        obj=rate,
        changes=audit.diff({}, audit.snapshot(rate, RATE_FIELDS)),
    )
    return rate


@transaction.atomic
def exchange_rate_update(*, actor: User, rate: ExchangeRate, data: Mapping[str, Any]) -> ExchangeRate:
    """Correct a rate, its currency or the day it is valid from."""
    require(actor, rate.workspace, Action.CHANGE, ObjectType.EXCHANGE_RATE)
    before, errors = audit.snapshot(rate, RATE_FIELDS), FieldErrors()
    _clean_rate(rate, data, errors)
    if errors:
        rate.refresh_from_db()
        errors.raise_if_any()
    changes = audit.diff(before, audit.snapshot(rate, RATE_FIELDS))
    if changes:
        rate.updated_by = actor
        rate.save()
        audit.record(actor=actor, workspace=rate.workspace, action=AuditEntry.Action.UPDATE, obj=rate, changes=changes)
    return rate


@transaction.atomic
def exchange_rate_delete(*, actor: User, rate: ExchangeRate) -> None:
    """Remove a rate: sums use the currency's other rates (none left: its amounts are not converted)."""
    require(actor, rate.workspace, Action.DELETE, ObjectType.EXCHANGE_RATE)
    changes = {name: [value, None] for name, value in audit.snapshot(rate, RATE_FIELDS).items()}
    audit.record(actor=actor, workspace=rate.workspace, action=AuditEntry.Action.DELETE, obj=rate, changes=changes)
    rate.delete()
