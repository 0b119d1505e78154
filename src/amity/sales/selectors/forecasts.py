"""The forecast of a month or a quarter, by rep, team or pipeline, and the quotas behind it.

Everything is summed by the database: one aggregate query over the period's deals (grouped by
owner, or by pipeline), one over the quotas, one for the latest call and override of each rep,
and a few small ones (people, teams, currencies), whatever the number of deals and reps.
Visibility follows the deals': a rep sees their team, a manager their teams, owners and admins all.

A forecast is read in one currency (the corporate one unless asked otherwise): deals and quotas
in other currencies are converted into it with the workspace's dated exchange rates (open deals
at their expected close date, won deals at the day they were won, quotas at their month's first
day; see amity.sales.conversion). The sums are grouped by currency and rate span, so conversion
is a few steps in Python per group, never per deal. A currency without any rate is not counted,
and the forecast says so. Calls and overrides stay numbers in the currency they were entered in.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, DecimalField, ExpressionWrapper, F, Max, Q, Sum

from amity.core import money
from amity.core.access import allowed, visible
from amity.core.models import Membership, Team, User, Workspace
from amity.core.permissions import Action, ObjectType, Role
from amity.core.tenancy import get_scoped_or_404
from amity.sales.conversion import Rates, RateUsed, rates_behind, sorted_used
from amity.sales.models import ForecastCategory, ForecastSubmission, Opportunity, Pipeline, Quota
from amity.sales.periods import Period
from amity.sales.selectors import OpportunityFilter, opportunities_filtered
from amity.sales.selectors.currencies import corporate_currency
from amity.sales.selectors.currencies import rates as workspace_rates

GROUPINGS = ("rep", "team", "pipeline")
SELLING_ROLES = (Role.SALES, Role.MANAGER)
ZERO = Decimal("0.00")
CENT = Decimal("0.01")
TENTH = Decimal("0.1")


def _money(value: Any) -> Decimal:
    return Decimal(value or 0).quantize(CENT, rounding=ROUND_HALF_UP)


def _percent(part: Decimal, whole: Decimal) -> Decimal | None:
    return (part * 100 / whole).quantize(TENTH, rounding=ROUND_HALF_UP) if whole else None


@dataclass
class Figures:
    """A forecast's numbers for one rep, team, pipeline or the whole: what is won, what is expected, against what quota."""

    closed_won: Decimal = ZERO
    commit: Decimal = ZERO
    best_case: Decimal = ZERO
    pipeline: Decimal = ZERO
    weighted: Decimal = ZERO
    open_pipeline: Decimal = ZERO
    quota: Decimal = ZERO
    won_deals: int = 0
    open_deals: int = 0
    call: Decimal | None = None
    override: Decimal | None = None

    def __add__(self, other: Figures) -> Figures:
        """Two forecasts added up. Calls add up; overrides too, each side's call standing in where it has no override."""
        calls = [value for value in (self.call, other.call) if value is not None]
        overridden = self.override is not None or other.override is not None
        return Figures(
            closed_won=self.closed_won + other.closed_won,
            commit=self.commit + other.commit,
            best_case=self.best_case + other.best_case,
            pipeline=self.pipeline + other.pipeline,
            weighted=self.weighted + other.weighted,
            open_pipeline=self.open_pipeline + other.open_pipeline,
            quota=self.quota + other.quota,
            won_deals=self.won_deals + other.won_deals,
            open_deals=self.open_deals + other.open_deals,
            call=sum(calls, ZERO) if calls else None,
            override=(self.forecast or ZERO) + (other.forecast or ZERO) if overridden else None,
        )

    @property
    def forecast(self) -> Decimal | None:
        """The number the period is expected to end at: the manager's override, else the rep's call."""
        return self.override if self.override is not None else self.call

    @property
    def attainment(self) -> Decimal | None:
        """Closed won as a percentage of the quota."""
        return _percent(self.closed_won, self.quota)

    @property
    def forecast_attainment(self) -> Decimal | None:
        """The forecast (override, else call) as a percentage of the quota."""
        return _percent(self.forecast, self.quota) if self.forecast is not None else None

    @property
    def gap(self) -> Decimal:
        """What is still to win to reach the quota (negative when it is exceeded)."""
        return self.quota - self.closed_won


@dataclass
class ForecastRow:
    key: str  # "rep-12", "team-3", "pipeline-5", "rep-none", "team-none"
    label: str
    figures: Figures
    rep: User | None = None
    call_entry: ForecastSubmission | None = None
    override_entry: ForecastSubmission | None = None
    can_call: bool = False
    can_override: bool = False
    members: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Unconverted:
    """A currency the forecast could not convert (no exchange rate for it at all): how many deals and quotas it leaves out."""

    currency: str
    deals: int = 0
    quotas: int = 0


@dataclass
class Conversion:
    """What a sum in one currency took from other currencies: the rates it used and what it could not convert."""

    rates: Rates
    target: str
    used: set[RateUsed] = field(default_factory=set)
    missing_deals: Counter[str] = field(default_factory=Counter)
    missing_quotas: Counter[str] = field(default_factory=Counter)

    def factor(self, currency: str, day: dt.date) -> Decimal | None:
        """What one unit of `currency` dated `day` is in the target currency (None: no rate), noting the rates used."""
        if currency == self.target:
            return Decimal(1)
        value = self.rates.convert(Decimal(1), currency, self.target, day)
        if value is not None:
            self.used.update(rates_behind(self.rates, currency, self.target, day))
        return value

    def quotas(self, rows: Iterable[Mapping[str, Any]], people: set[int]) -> Iterator[tuple[int, dt.date, Decimal]]:
        """Quota sums grouped by (user_id, month, currency) with their count `n`: those of the people in reach, each in
        the target currency; a currency without a rate is counted in `missing_quotas` instead."""
        for row in rows:
            if row["user_id"] not in people:
                continue
            factor = self.factor(row["currency"], row["month"])
            if factor is None:
                self.missing_quotas[row["currency"]] += row["n"]
                continue
            yield row["user_id"], row["month"], Decimal(row["total"]) * factor

    @property
    def unconverted(self) -> list[Unconverted]:
        codes = sorted({*self.missing_deals, *self.missing_quotas})
        return [Unconverted(currency=code, deals=self.missing_deals[code], quotas=self.missing_quotas[code]) for code in codes]


@dataclass
class Forecast:
    period: Period
    currency: str
    corporate_currency: str
    group_by: str
    rows: list[ForecastRow]
    total: Figures
    rates_used: list[RateUsed]  # the exchange rates behind the converted sums
    unconverted: list[Unconverted]  # currencies with no rate: their deals and quotas are not counted


@dataclass(frozen=True)
class ForecastFilter:
    pipeline_id: int | None = None
    team_id: int | None = None
    owner_id: int | None = None


def _scoped_deals(*, actor: User, workspace: Workspace, filters: ForecastFilter) -> models.QuerySet[Opportunity]:
    deals = opportunities_filtered(
        actor=actor, workspace=workspace, filters=OpportunityFilter(pipeline_id=filters.pipeline_id, owner_id=filters.owner_id)
    )
    if filters.team_id:
        deals = deals.filter(owner__in=Team.members.through.objects.filter(team_id=filters.team_id).values("user_id"))
    return deals


def _converted(value: Any, factor: Decimal) -> Decimal:
    return Decimal(value or 0) * factor


def _deal_sums(scoped: models.QuerySet[Opportunity], period: Period, group: str, conversion: Conversion) -> dict[int | None, Figures]:
    """Two aggregate queries: open deals closing in the period, and deals won in it, each grouped by `group`, currency and rate span.

    Each reads one index alone (opportunity_ws_forecast, opportunity_ws_closed). A group in another
    currency is converted at its span's rate (open deals by expected close date, won ones by the
    day they were won); a currency without a rate is counted in `conversion.missing_deals` instead.
    """
    counted = ~Q(forecast_category=ForecastCategory.OMITTED)
    # Amount × percent summed, divided by 100 once here rather than per row.
    weighted = ExpressionWrapper(F("amount") * F("probability"), output_field=DecimalField(max_digits=24, decimal_places=2))
    spans = conversion.rates.spans(period.start, period.end)
    open_rows = (
        scoped.filter(status=Opportunity.Status.OPEN, expected_close_date__gte=period.start, expected_close_date__lt=period.end)
        .order_by()
        .values(group, "currency", span=spans.expression("expected_close_date"))
        .annotate(
            commit=Sum("amount", filter=Q(forecast_category=ForecastCategory.COMMIT)),
            best_case=Sum("amount", filter=Q(forecast_category=ForecastCategory.BEST_CASE)),
            pipeline=Sum("amount", filter=Q(forecast_category=ForecastCategory.PIPELINE)),
            open_pipeline=Sum("amount", filter=counted),
            weighted=Sum(weighted, filter=counted),
            open_deals=Count("id", filter=counted),
            deals=Count("id"),
        )
    )
    start, end = period.bounds()
    won_rows = (
        scoped.filter(status=Opportunity.Status.WON, closed_at__gte=start, closed_at__lt=end)
        .order_by()
        .values(group, "currency", span=spans.expression("closed_at", moment=True))
        .annotate(closed_won=Sum("amount"), deals=Count("id"))
    )
    by_key: dict[int | None, Figures] = {}
    for row in open_rows:
        factor = conversion.factor(row["currency"], spans.day(row["span"]))
        if factor is None:
            conversion.missing_deals[row["currency"]] += row["deals"]
            continue
        figures = by_key.setdefault(row[group], Figures())
        figures.commit += _converted(row["commit"], factor)
        figures.best_case += _converted(row["best_case"], factor)
        figures.pipeline += _converted(row["pipeline"], factor)
        figures.open_pipeline += _converted(row["open_pipeline"], factor)
        figures.weighted += _converted(row["weighted"], factor) / 100
        figures.open_deals += row["open_deals"]
    for row in won_rows:
        factor = conversion.factor(row["currency"], spans.day(row["span"]))
        if factor is None:
            conversion.missing_deals[row["currency"]] += row["deals"]
            continue
        figures = by_key.setdefault(row[group], Figures())
        figures.closed_won += _converted(row["closed_won"], factor)
        figures.won_deals += row["deals"]
    return {key: _rounded(figures) for key, figures in by_key.items()}


def _rounded(figures: Figures) -> Figures:
    """The sums to the cent, once every group is added (not per group: converted groups carry fractions of a cent)."""
    return replace(
        figures,
        closed_won=_money(figures.closed_won),
        commit=_money(figures.commit),
        best_case=_money(figures.best_case),
        pipeline=_money(figures.pipeline),
        weighted=_money(figures.weighted),
        open_pipeline=_money(figures.open_pipeline),
    )


def _quota_sums(*, actor: User, workspace: Workspace, period: Period, conversion: Conversion, people: set[int]) -> dict[int, Decimal]:
    """Each rep's quota for the period in the target currency: one query grouped by rep, month and currency."""
    quotas = visible(Quota.objects.all(), actor=actor, workspace=workspace, object_type=ObjectType.QUOTA, owner_field="user")
    rows = (
        quotas.filter(month__in=period.months)
        .order_by()
        .values("user_id", "month", "currency")
        .annotate(total=Sum("amount"), n=Count("id"))
    )
    totals: dict[int, Decimal] = {}
    for user_id, _, amount in conversion.quotas(rows, people):
        totals[user_id] = totals.get(user_id, ZERO) + amount
    return {user_id: _money(total) for user_id, total in totals.items()}


def latest_submissions(*, actor: User, workspace: Workspace, period: Period, currency: str) -> dict[tuple[int, str], ForecastSubmission]:
    """The current call and override of each rep the actor may see: the latest of each (one query)."""
    submissions = visible(
        ForecastSubmission.objects.all(), actor=actor, workspace=workspace, object_type=ObjectType.FORECAST, owner_field="rep"
    ).filter(period_kind=period.kind, period_start=period.start, currency=currency)
    latest = submissions.order_by().values("rep_id", "kind").annotate(last=Max("id")).values("last")
    entries = ForecastSubmission.objects.filter(pk__in=latest).select_related("submitted_by")
    return {(entry.rep_id, entry.kind): entry for entry in entries}


def forecast_history(*, actor: User, workspace: Workspace, rep_id: int, period: Period, currency: str) -> list[ForecastSubmission]:
    """Every call and override for a rep and period, newest first."""
    submissions = visible(
        ForecastSubmission.objects.all(), actor=actor, workspace=workspace, object_type=ObjectType.FORECAST, owner_field="rep"
    )
    return list(
        submissions.filter(rep_id=rep_id, period_kind=period.kind, period_start=period.start, currency=currency)
        .select_related("submitted_by")
        .order_by("-submitted_at", "-id")[:200]
    )


def submission_list(
    *, actor: User, workspace: Workspace, rep_id: int | None = None, period: Period | None = None, kind: str | None = None
) -> models.QuerySet[ForecastSubmission]:
    """Calls and overrides the actor may see, for the API's history list."""
    submissions = visible(
        ForecastSubmission.objects.all(), actor=actor, workspace=workspace, object_type=ObjectType.FORECAST, owner_field="rep"
    ).select_related("submitted_by")
    if rep_id is not None:
        submissions = submissions.filter(rep_id=rep_id)
    if period is not None:
        submissions = submissions.filter(period_kind=period.kind, period_start=period.start)
    if kind:
        submissions = submissions.filter(kind=kind)
    return submissions


def _reps(*, actor: User, workspace: Workspace, filters: ForecastFilter) -> list[Membership]:
    """The people the forecast may show (those the actor may see), with their role."""
    members = visible(Membership.objects.all(), actor=actor, workspace=workspace, object_type=ObjectType.FORECAST, owner_field="user")
    if filters.owner_id:
        members = members.filter(user_id=filters.owner_id)
    if filters.team_id:
        members = members.filter(user__in=Team.members.through.objects.filter(team_id=filters.team_id).values("user_id"))
    return list(members.select_related("user").order_by("user__full_name", "user__email"))


def default_currency(*, workspace: Workspace) -> str:
    """The currency a forecast is read in unless another is asked for: the workspace's corporate currency."""
    return corporate_currency(workspace=workspace)


def workspace_currencies(*, workspace: Workspace) -> set[str]:
    """Every currency the workspace's quotas or deals are in (two small queries), for currency pickers."""
    quotas = Quota.objects.filter(workspace=workspace).order_by().values_list("currency", flat=True).distinct()
    deals = Opportunity.objects.filter(workspace=workspace).order_by().values_list("currency", flat=True).distinct()
    return {*quotas, *deals}


def forecast(
    *,
    actor: User,
    workspace: Workspace,
    period: Period,
    group_by: str = "rep",
    currency: str | None = None,
    filters: ForecastFilter | None = None,
) -> Forecast:
    """The period's forecast grouped by rep, team or pipeline, with the total; in a fixed number of queries."""
    if group_by not in GROUPINGS:
        raise ValidationError({"group_by": f"Choose one of: {', '.join(GROUPINGS)}."})
    filters = filters or ForecastFilter()
    rates = workspace_rates(workspace=workspace)
    code = money.currency_code(currency) if currency else rates.corporate
    conversion = Conversion(rates=rates, target=code)
    scoped = _scoped_deals(actor=actor, workspace=workspace, filters=filters)
    members = _reps(actor=actor, workspace=workspace, filters=filters)
    people = {membership.user_id for membership in members}
    by_owner = _deal_sums(scoped, period, "owner_id", conversion)
    quotas = _quota_sums(actor=actor, workspace=workspace, period=period, conversion=conversion, people=people)
    latest = latest_submissions(actor=actor, workspace=workspace, period=period, currency=code)
    can_override = allowed(actor, workspace, Action.CHANGE, ObjectType.FORECAST)
    can_call = allowed(actor, workspace, Action.ADD, ObjectType.FORECAST)
    rep_rows: list[ForecastRow] = []
    for membership in members:
        user = membership.user
        figures = replace(by_owner.get(user.pk, Figures()), quota=quotas.get(user.pk, ZERO))
        call, override = latest.get((user.pk, "call")), latest.get((user.pk, "override"))
        figures.call = _money(call.amount) if call else None
        figures.override = _money(override.amount) if override else None
        if membership.role not in SELLING_ROLES and figures == Figures():
            continue  # an admin or a marketer with no deal, quota or call in the period is not a rep here
        rep_rows.append(
            ForecastRow(
                key=f"rep-{user.pk}", label=user.display_name, figures=figures, rep=user, call_entry=call, override_entry=override,
                can_call=can_call and user.pk == actor.pk, can_override=can_override,
            )
        )  # fmt: skip
    if None in by_owner and not filters.owner_id:
        rep_rows.append(ForecastRow(key="rep-none", label="Unassigned", figures=by_owner[None]))
    total = sum((row.figures for row in rep_rows), Figures())
    if group_by == "rep":
        rows = rep_rows
    elif group_by == "team":
        rows = _team_rows(workspace=workspace, rep_rows=rep_rows, filters=filters)
    else:
        # The pipelines' sums convert the same groups again: count what they leave out once, from the reps' sums.
        by_pipeline = _deal_sums(scoped, period, "pipeline_id", replace(conversion, missing_deals=Counter()))
        rows = _pipeline_rows(actor=actor, workspace=workspace, by_pipeline=by_pipeline)
    return Forecast(
        period=period,
        currency=code,
        corporate_currency=rates.corporate,
        group_by=group_by,
        rows=rows,
        total=total,
        rates_used=sorted_used(conversion.used),
        unconverted=conversion.unconverted,
    )


def _team_rows(*, workspace: Workspace, rep_rows: list[ForecastRow], filters: ForecastFilter) -> list[ForecastRow]:
    """The reps' figures added up per team (a team's quota is its members'); reps in no team under "No team"."""
    by_rep = {row.rep.pk: row for row in rep_rows if row.rep is not None}
    links = Team.members.through.objects.filter(team__workspace=workspace).values_list("team_id", "team__name", "user_id")
    if filters.team_id:
        links = links.filter(team_id=filters.team_id)
    teams: dict[int, tuple[str, list[ForecastRow]]] = {}
    placed: set[int] = set()
    for team_id, name, user_id in links.order_by("team__name", "team_id"):
        if user_id in by_rep:
            teams.setdefault(team_id, (name, []))[1].append(by_rep[user_id])
            placed.add(user_id)
    rows = [
        ForecastRow(
            key=f"team-{team_id}",
            label=name,
            figures=sum((member.figures for member in members), Figures()),
            members=sorted(member.label for member in members),
        )
        for team_id, (name, members) in teams.items()
    ]
    # People in no team show under "No team" when they have something in the period (a manager of a team is not its member).
    loose = [row for row in rep_rows if (row.rep is None or row.rep.pk not in placed) and row.figures != Figures()]
    if loose:
        rows.append(
            ForecastRow(
                key="team-none",
                label="No team",
                figures=sum((row.figures for row in loose), Figures()),
                members=[row.label for row in loose],
            )
        )
    return rows


def _pipeline_rows(*, actor: User, workspace: Workspace, by_pipeline: dict[int | None, Figures]) -> list[ForecastRow]:
    """The period's deals added up per pipeline; quotas and calls belong to reps, so they are in the total only."""
    pipelines = visible(Pipeline.objects.all(), actor=actor, workspace=workspace, object_type=ObjectType.PIPELINE)
    return [
        ForecastRow(key=f"pipeline-{pipeline.pk}", label=pipeline.name, figures=by_pipeline.get(pipeline.pk, Figures()))
        for pipeline in pipelines.order_by("position", "id")
    ]


def quota_list(*, actor: User, workspace: Workspace) -> models.QuerySet[Quota]:
    """The quotas the actor may see: their team's (reps and managers) or everyone's."""
    return visible(Quota.objects.all(), actor=actor, workspace=workspace, object_type=ObjectType.QUOTA, owner_field="user")


def quota_get(*, actor: User, workspace: Workspace, pk: int) -> Quota:
    return get_scoped_or_404(quota_list(actor=actor, workspace=workspace), pk=pk)


@dataclass
class QuotaGrid:
    """A year of monthly quotas per rep, for the quota settings page."""

    year: int
    currency: str
    months: list[dt.date]
    rows: list[tuple[User, list[tuple[dt.date, Decimal | None]], Decimal]]  # rep, (month, amount) per month, the year's total
    other_currencies: list[str]


def quota_grid(*, actor: User, workspace: Workspace, year: int, currency: str, team_id: int | None = None) -> QuotaGrid:
    """Every rep in reach with their twelve monthly quotas of a year in one currency (three queries)."""
    months = [dt.date(year, month, 1) for month in range(1, 13)]
    members = _reps(actor=actor, workspace=workspace, filters=ForecastFilter(team_id=team_id))
    quotas = quota_list(actor=actor, workspace=workspace).filter(month__year=year)
    amounts: dict[tuple[int, dt.date], Decimal] = {}
    others: Counter[str] = Counter()
    for user_id, month, amount, code in quotas.values_list("user_id", "month", "amount", "currency"):
        if code == currency:
            amounts[(user_id, month)] = _money(amount)
        else:
            others[code] += 1
    held = defaultdict(bool, {user_id: True for user_id, _ in amounts})
    rows = []
    for membership in members:
        if membership.role not in SELLING_ROLES and not held[membership.user_id]:
            continue
        values = [(month, amounts.get((membership.user_id, month))) for month in months]
        rows.append((membership.user, values, sum((value for _, value in values if value is not None), ZERO)))
    return QuotaGrid(year=year, currency=currency, months=months, rows=rows, other_currencies=sorted(others))
