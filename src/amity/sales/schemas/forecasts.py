"""What the API takes in and gives out for forecasts, quotas and rep performance."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Field, Schema

from amity.sales.schemas.currencies import RateUsedOut, UnconvertedOut


class ForecastQuery(Schema):
    period: str | None = Field(None, description="A month (2026-11) or a quarter (2026-Q4); the current quarter if left out.")
    group_by: str = Field("rep", description="rep, team or pipeline")
    currency: str | None = Field(
        None,
        description="ISO 4217; the corporate currency if left out. Deals and quotas in other currencies are converted with the "
        "exchange rates; those in a currency without any rate are not counted (see unconverted).",
    )
    pipeline_id: int | None = None
    team_id: int | None = Field(None, description="Only the reps of this team.")
    owner_id: int | None = Field(None, description="Only this rep.")


class SubmissionOut(Schema):
    id: int
    rep_id: int
    kind: str = Field(..., description="call (the rep's own number) or override (a manager's)")
    period: str
    amount: Decimal
    currency: str
    note: str
    submitted_by_id: int | None
    submitted_by: str | None
    submitted_at: dt.datetime

    @staticmethod
    def resolve_period(submission: Any) -> str:
        from amity.sales.periods import Period

        return Period(submission.period_kind, submission.period_start).key

    @staticmethod
    def resolve_submitted_by(submission: Any) -> str | None:
        return submission.submitted_by.display_name if submission.submitted_by_id else None


class FiguresOut(Schema):
    closed_won: Decimal = Field(..., description="Deals won in the period.")
    commit: Decimal = Field(..., description="Open deals in the commit category expected to close in the period.")
    best_case: Decimal
    pipeline: Decimal
    weighted: Decimal = Field(..., description="Open deals' amount × probability (omitted ones left out).")
    open_pipeline: Decimal = Field(..., description="Open deals' amount (omitted ones left out).")
    quota: Decimal
    won_deals: int
    open_deals: int
    call: Decimal | None = Field(..., description="The rep's latest call (for a team: the sum of its reps').")
    override: Decimal | None = Field(..., description="The manager's latest override.")
    forecast: Decimal | None = Field(..., description="The override, else the call.")
    attainment: Decimal | None = Field(..., description="Closed won ÷ quota, in percent.")
    forecast_attainment: Decimal | None = Field(..., description="Forecast ÷ quota, in percent.")
    gap: Decimal = Field(..., description="Quota − closed won.")


class ForecastRowOut(Schema):
    key: str
    label: str
    rep_id: int | None
    figures: FiguresOut
    call: SubmissionOut | None = Field(..., alias="call_entry")
    override: SubmissionOut | None = Field(..., alias="override_entry")
    members: list[str]

    @staticmethod
    def resolve_rep_id(row: Any) -> int | None:
        return row.rep.pk if row.rep else None


class ForecastOut(Schema):
    period: str
    start: dt.date
    end: dt.date = Field(..., description="The day after the period.")
    currency: str = Field(..., description="What every amount here is in.")
    corporate_currency: str
    group_by: str
    rows: list[ForecastRowOut]
    total: FiguresOut
    rates_used: list[RateUsedOut] = Field(..., description="The exchange rates behind the converted amounts.")
    unconverted: list[UnconvertedOut] = Field(
        ..., description="Currencies without any exchange rate: their deals and quotas are not counted."
    )

    @staticmethod
    def resolve_period(forecast: Any) -> str:
        return forecast.period.key

    @staticmethod
    def resolve_start(forecast: Any) -> dt.date:
        return forecast.period.start

    @staticmethod
    def resolve_end(forecast: Any) -> dt.date:
        return forecast.period.end


class SubmissionIn(Schema):
    rep_id: int = Field(..., description="Whose forecast: yourself for a call; one of your reps for an override.")
    period: str = Field(..., description="2026-11 or 2026-Q4")
    kind: str = Field("call", description="call or override")
    amount: Decimal
    currency: str
    note: str = Field("", max_length=500)


class SubmissionFilter(Schema):
    rep_id: int | None = None
    period: str | None = None
    kind: str | None = Field(None, description="call or override")


class QuotaIn(Schema):
    user_id: int
    month: str = Field(..., description="2026-11 (a day of the month is accepted too)")
    amount: Decimal
    currency: str


class QuotaPatch(Schema):
    user_id: int | None = None
    month: str | None = None
    amount: Decimal | None = None
    currency: str | None = None


class QuotaOut(Schema):
    id: int
    user_id: int
    month: dt.date
    amount: Decimal
    currency: str
    set_by_id: int | None
    created_at: dt.datetime
    updated_at: dt.datetime


class QuotaFilter(Schema):
    user_id: int | None = None
    year: int | None = Field(None, ge=2000, le=2200)
    month_from: dt.date | None = None
    month_to: dt.date | None = None
    currency: str | None = None


class QuotaBulkIn(Schema):
    team_id: int | None = Field(None, description="Every member of this team…")
    user_ids: list[int] | None = Field(None, max_length=1000, description="…and/or these reps.")
    year: int
    currency: str
    amount: Decimal | None = Field(None, description="One amount for every month of the year…")
    amounts: list[Decimal | None] | None = Field(None, description="…or twelve, January first (null leaves a month as it is).")


class QuotaBulkOut(Schema):
    items: list[QuotaOut]


class PerformanceQuery(Schema):
    start: str | None = Field(None, description="The first month (2026-01); twelve months ago if left out.")
    months: int = Field(12, ge=1, le=36)
    currency: str | None = Field(None, description="ISO 4217; the corporate currency if left out (other currencies converted).")
    team_id: int | None = None
    owner_id: int | None = None


class StatsOut(Schema):
    won: int
    lost: int
    win_rate: Decimal | None = Field(..., description="Won ÷ (won + lost), in percent.")
    won_amount: Decimal
    average_deal: Decimal | None = Field(..., description="Won amount ÷ won deals counted in it (in the currency).")
    cycle: Decimal | None = Field(..., description="Average days from creation to close of the won deals.")
    activities_per_deal: Decimal | None = Field(..., description="Interactions logged on the closed deals ÷ closed deals.")
    quota: Decimal
    attainment: Decimal | None = Field(..., description="Won amount ÷ quota, in percent.")


class RepPerformanceOut(Schema):
    rep_id: int | None
    label: str
    total: StatsOut
    months: list[StatsOut]

    @staticmethod
    def resolve_rep_id(row: Any) -> int | None:
        return row.rep.pk if row.rep else None


class PerformanceOut(Schema):
    months: list[dt.date]
    currency: str
    corporate_currency: str
    reps: list[RepPerformanceOut]
    total: StatsOut
    total_months: list[StatsOut]
    rates_used: list[RateUsedOut]
    unconverted: list[UnconvertedOut] = Field(..., description="Won deals and quotas left out of the amounts: no rate for them.")
