"""Rep performance over months: win rate, average deal size, sales-cycle length, activities per deal and quota attainment.

Computed by three aggregate queries (closed deals, the activities logged on them, quotas) grouped
by rep and month, and one for the people, whatever the number of deals. A deal counts in the
month it was closed (in the viewer's time zone). Amounts are in the chosen currency (the corporate
one by default): won deals in other currencies are converted at the rate of the day they were won,
quotas at their month's (amity.sales.conversion); a currency without any rate is left out and named.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils import timezone

from amity.activities.models import Interaction
from amity.core import money
from amity.core.models import User, Workspace
from amity.core.reporting import SecondsBetween, period_index
from amity.sales.conversion import RateUsed, sorted_used
from amity.sales.models import Opportunity
from amity.sales.periods import add_months
from amity.sales.selectors.currencies import rates as workspace_rates
from amity.sales.selectors.forecasts import Conversion, ForecastFilter, Unconverted, _reps, _scoped_deals, quota_list

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
MAX_MONTHS = 36


@dataclass
class Stats:
    """One rep's (or everyone's) results over some months."""

    won: int = 0
    lost: int = 0
    won_amount: Decimal = ZERO
    won_counted: int = 0  # the won deals in `won_amount` (those in a currency without a rate are not)
    cycle_days: float = 0.0  # summed over won deals
    activities: int = 0
    quota: Decimal = ZERO

    def __add__(self, other: Stats) -> Stats:
        return Stats(
            won=self.won + other.won,
            lost=self.lost + other.lost,
            won_amount=self.won_amount + other.won_amount,
            won_counted=self.won_counted + other.won_counted,
            cycle_days=self.cycle_days + other.cycle_days,
            activities=self.activities + other.activities,
            quota=self.quota + other.quota,
        )

    @property
    def closed(self) -> int:
        return self.won + self.lost

    @property
    def win_rate(self) -> Decimal | None:
        """Won deals as a percentage of the deals closed (won or lost)."""
        return (Decimal(self.won * 100) / self.closed).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP) if self.closed else None

    @property
    def average_deal(self) -> Decimal | None:
        """The average amount of a won deal (in the chosen currency)."""
        return (self.won_amount / self.won_counted).quantize(Decimal("0.01")) if self.won_counted else None

    @property
    def cycle(self) -> Decimal | None:
        """Average days from a won deal's creation to its close."""
        return Decimal(self.cycle_days / self.won).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP) if self.won else None

    @property
    def activities_per_deal(self) -> Decimal | None:
        """Calls, emails, meetings… logged on the closed deals, per closed deal."""
        return (Decimal(self.activities) / self.closed).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP) if self.closed else None

    @property
    def attainment(self) -> Decimal | None:
        """Won amount as a percentage of the quota."""
        return (self.won_amount * 100 / self.quota).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP) if self.quota else None


@dataclass
class RepPerformance:
    rep: User | None
    label: str
    total: Stats
    months: list[Stats] = field(default_factory=list)


@dataclass
class Performance:
    start: dt.date
    months: list[dt.date]
    currency: str
    reps: list[RepPerformance]
    total: Stats
    total_months: list[Stats]
    corporate_currency: str = ""
    rates_used: list[RateUsed] = field(default_factory=list)
    unconverted: list[Unconverted] = field(default_factory=list)


def rep_performance(
    *,
    actor: User,
    workspace: Workspace,
    start: dt.date,
    months: int = 12,
    currency: str | None = None,
    filters: ForecastFilter | None = None,
) -> Performance:
    """Each visible rep's results per month from `start` for `months` months, and in total."""
    filters = filters or ForecastFilter()
    months = max(1, min(months, MAX_MONTHS))
    rates = workspace_rates(workspace=workspace)
    code = money.currency_code(currency) if currency else rates.corporate
    conversion = Conversion(rates=rates, target=code)
    month_list = [add_months(start.replace(day=1), offset) for offset in range(months)]
    zone = timezone.get_current_timezone()
    since = dt.datetime.combine(month_list[0], dt.time.min, tzinfo=zone)
    until = dt.datetime.combine(add_months(month_list[-1], 1), dt.time.min, tzinfo=zone)
    closed = _scoped_deals(actor=actor, workspace=workspace, filters=filters).filter(
        status__in=[Opportunity.Status.WON, Opportunity.Status.LOST], closed_at__gte=since, closed_at__lt=until
    )
    stats: dict[tuple[int | None, dt.date], Stats] = defaultdict(Stats)
    _deal_stats(closed, month_list, conversion, stats)
    activities = (
        Interaction.objects.filter(workspace=workspace, opportunity__in=closed.values("pk"))
        .order_by()
        .values("opportunity__owner_id", month=period_index("opportunity__closed_at", month_list))
        .annotate(n=Count("id"))
    )
    for row in activities:
        stats[(row["opportunity__owner_id"], month_list[row["month"]])].activities = row["n"]
    members = _reps(actor=actor, workspace=workspace, filters=filters)
    people = {membership.user_id for membership in members}
    quotas = (
        quota_list(actor=actor, workspace=workspace)
        .filter(month__gte=month_list[0], month__lte=month_list[-1])
        .order_by()
        .values("user_id", "month", "currency")
        .annotate(total=Sum("amount"), n=Count("id"))
    )
    for user_id, month, amount in conversion.quotas(quotas, people):
        entry = stats[(user_id, month)]
        entry.quota = (entry.quota + amount).quantize(CENT, rounding=ROUND_HALF_UP)
    performance = _assemble(stats, members, month_list, code, filters)
    performance.corporate_currency = rates.corporate
    performance.rates_used, performance.unconverted = sorted_used(conversion.used), conversion.unconverted
    return performance


def _deal_stats(closed: Any, month_list: list[dt.date], conversion: Conversion, stats: dict[tuple[int | None, dt.date], Stats]) -> None:
    """Counts, converted won amounts and cycle time per rep and month: one query grouped by rep, month, currency and rate span."""
    spans = conversion.rates.spans(month_list[0], add_months(month_list[-1], 1))
    won = Q(status=Opportunity.Status.WON)
    won_amounts: dict[tuple[int | None, dt.date], Decimal] = defaultdict(Decimal)
    for row in (
        closed.order_by()
        .values("owner_id", "currency", month=period_index("closed_at", month_list), span=spans.expression("closed_at", moment=True))
        .annotate(
            won=Count("id", filter=won),
            lost=Count("id", filter=Q(status=Opportunity.Status.LOST)),
            won_amount=Sum("amount", filter=won),
            cycle=Sum(SecondsBetween("closed_at", "created_at"), filter=won),
        )
    ):
        key = (row["owner_id"], month_list[row["month"]])
        entry = stats[key]
        entry.won += row["won"]
        entry.lost += row["lost"]
        entry.cycle_days += float(row["cycle"]) / 86400 if row["cycle"] else 0.0
        if not row["won"]:
            continue
        factor = conversion.factor(row["currency"], spans.day(row["span"]))
        if factor is None:
            conversion.missing_deals[row["currency"]] += row["won"]
            continue
        won_amounts[key] += Decimal(row["won_amount"] or 0) * factor
        entry.won_counted += row["won"]
    for key, amount in won_amounts.items():
        stats[key].won_amount = amount.quantize(CENT, rounding=ROUND_HALF_UP)


def _assemble(
    stats: dict[tuple[int | None, dt.date], Stats], members: list[Any], month_list: list[dt.date], code: str, filters: ForecastFilter
) -> Performance:
    owners = {owner for owner, _ in stats}
    reps = []
    for membership in members:
        if membership.user_id not in owners and membership.role not in ("sales", "manager"):
            continue
        series = [stats.get((membership.user_id, month), Stats()) for month in month_list]
        reps.append(RepPerformance(rep=membership.user, label=membership.user.display_name, total=sum(series, Stats()), months=series))
    if None in owners and not filters.owner_id:
        series = [stats.get((None, month), Stats()) for month in month_list]
        reps.append(RepPerformance(rep=None, label="Unassigned", total=sum(series, Stats()), months=series))
    total_months = [sum((rep.months[index] for rep in reps), Stats()) for index in range(len(month_list))]
    return Performance(
        start=month_list[0], months=month_list, currency=code, reps=reps, total=sum(total_months, Stats()), total_months=total_months
    )
