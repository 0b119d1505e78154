"""What the API takes in and gives out for the corporate currency, exchange rates and the conversions they make."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Field, Schema


class RateUsedOut(Schema):
    currency: str
    valid_from: dt.date
    rate: Decimal = Field(..., description="Units of the corporate currency per 1 unit of this currency.")


class UnconvertedOut(Schema):
    currency: str
    deals: int = Field(..., description="Deals in this currency left out: it has no exchange rate.")
    quotas: int = Field(0, description="Monthly quotas in this currency left out.")


class CurrencySettingsIn(Schema):
    corporate_currency: str = Field(..., description="ISO 4217: what the workspace adds its money up in.")


class CurrencySettingsOut(Schema):
    corporate_currency: str
    chosen: bool = Field(..., description="False while nobody has chosen it: then it is the quotas' (else the deals') usual currency.")
    updated_at: dt.datetime | None
    updated_by_id: int | None

    @staticmethod
    def resolve_chosen(settings: Any) -> bool:
        return settings.pk is not None

    @staticmethod
    def resolve_updated_at(settings: Any) -> dt.datetime | None:
        return settings.updated_at if settings.pk else None


class ExchangeRateIn(Schema):
    currency: str = Field(..., description="ISO 4217, not the corporate currency.")
    rate: Decimal = Field(..., description="Units of the corporate currency per 1 unit of this currency; more than 0.")
    valid_from: dt.date = Field(..., description="The first day the rate applies; it holds until the currency's next rate.")


class ExchangeRatePatch(Schema):
    currency: str | None = None
    rate: Decimal | None = None
    valid_from: dt.date | None = None


class ExchangeRateOut(Schema):
    id: int
    currency: str
    rate: Decimal
    valid_from: dt.date
    created_at: dt.datetime
    updated_at: dt.datetime
    updated_by_id: int | None


class ExchangeRateFilter(Schema):
    currency: str | None = Field(None, description="Only this currency's rates.")
