"""The Kanban board of a pipeline: a column per stage with its count, totals and first cards, in a fixed number of queries.

Sums come from one aggregate query grouped by stage, currency and rate span; each column's cards
from one query limited to a page (the board index `opportunity_ws_board` serves it), so a board
with 100,000 open deals reads a few dozen rows, not all of them. A column's total is in the
corporate currency: each currency's group converted at its span's rate (open deals at their
expected close date, closed ones at the day they closed; amity.sales.conversion), with the
per-currency sums beside it and the currencies that have no rate named.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, Count, DecimalField, Expression, ExpressionWrapper, F, Q, Sum, When

from amity.core.models import User, Workspace
from amity.sales.conversion import Rates, Spans
from amity.sales.models import Opportunity, Pipeline, Stage
from amity.sales.selectors import OpportunityFilter, opportunities_filtered
from amity.sales.selectors.currencies import rates as workspace_rates

CARDS_PER_COLUMN = 20
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Total:
    """A sum of deals in one currency: their amounts, and their amounts weighted by probability."""

    currency: str
    amount: Decimal
    weighted: Decimal


@dataclass(frozen=True)
class Column:
    stage: Stage
    count: int
    total: Total | None  # everything converted into the corporate currency (None: no deals)
    totals: list[Total]  # one per currency, unconverted, the largest first
    unconverted: list[str]  # currencies with no exchange rate: left out of `total`
    cards: list[Opportunity]
    next_cursor: str  # "" when the column shows all its deals


@dataclass
class _Sums:
    count: int = 0
    amount: Decimal = Decimal(0)
    weighted: Decimal = Decimal(0)
    converted_amount: Decimal = Decimal(0)
    converted_weighted: Decimal = Decimal(0)
    by_currency: dict[str, tuple[Decimal, Decimal]] = field(default_factory=dict)
    unconverted: set[str] = field(default_factory=set)


def _decode(cursor: str) -> tuple[dt.date, int]:
    try:
        day, _, pk = cursor.partition("_")
        return dt.date.fromisoformat(day), int(pk)
    except ValueError:
        raise ValidationError({"after": "This is not a position in a column."}) from None


def _cards(deals: models.QuerySet[Opportunity], stage: Stage, *, after: str, limit: int) -> tuple[list[Opportunity], str]:
    """A page of a column's deals, soonest close first, and the cursor of the next page."""
    cards = deals.filter(stage=stage).select_related("account", "owner").order_by("expected_close_date", "id")
    if after:
        day, pk = _decode(after)
        cards = cards.filter(Q(expected_close_date__gt=day) | Q(expected_close_date=day, id__gt=pk))
    page = list(cards[: limit + 1])
    if len(page) <= limit:
        return page, ""
    last = page[limit - 1]
    return page[:limit], f"{last.expected_close_date.isoformat()}_{last.pk}"


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _span(spans: Spans) -> Expression:
    """A deal's rate span: open deals by their expected close date, closed ones by the day they closed."""
    if not spans.starts:
        return spans.expression("expected_close_date")  # no rate changes: a constant, the grouping costs nothing
    return Case(
        When(status=Opportunity.Status.OPEN, then=spans.expression("expected_close_date")),
        default=spans.expression("closed_at", moment=True),
    )


def _totals(deals: models.QuerySet[Opportunity], rates: Rates) -> dict[int, _Sums]:
    """Per stage: how many deals, their sums per currency and in the corporate currency (one aggregate query)."""
    # Amount × percent, summed; divided by 100 here rather than per row in SQL (cheaper on 100,000 rows).
    weighted = ExpressionWrapper(F("amount") * F("probability"), output_field=DecimalField(max_digits=24, decimal_places=2))
    spans = rates.spans()
    rows = (
        deals.order_by()
        .values("stage_id", "currency", span=_span(spans))
        .annotate(deals=Count("id"), sum_amount=Sum("amount"), sum_weighted=Sum(weighted))
    )
    by_stage: dict[int, _Sums] = {}
    for row in rows:
        sums = by_stage.setdefault(row["stage_id"], _Sums())
        amount, weighted_amount = Decimal(row["sum_amount"] or 0), Decimal(row["sum_weighted"] or 0) / 100
        sums.count += row["deals"]
        before = sums.by_currency.get(row["currency"], (Decimal(0), Decimal(0)))
        sums.by_currency[row["currency"]] = (before[0] + amount, before[1] + weighted_amount)
        day = spans.day(row["span"])
        converted = rates.convert(amount, row["currency"], rates.corporate, day)
        if converted is None:
            sums.unconverted.add(row["currency"])
            continue
        sums.converted_amount += converted
        sums.converted_weighted += rates.convert(weighted_amount, row["currency"], rates.corporate, day) or Decimal(0)
    return by_stage


def _per_currency(sums: _Sums) -> list[Total]:
    totals = [
        Total(currency=code, amount=_cents(amount), weighted=_cents(weighted)) for code, (amount, weighted) in sums.by_currency.items()
    ]
    return sorted(totals, key=lambda total: (-total.amount, total.currency))


def board_deals(*, actor: User, workspace: Workspace, pipeline: Pipeline, filters: OpportunityFilter) -> models.QuerySet[Opportunity]:
    """The deals of the pipeline the board may show: visible to the actor, filtered, not in the bin."""
    return opportunities_filtered(actor=actor, workspace=workspace, filters=replace(filters, pipeline_id=pipeline.pk, deleted=False))


def board_columns(
    *, actor: User, workspace: Workspace, pipeline: Pipeline, filters: OpportunityFilter, limit: int = CARDS_PER_COLUMN
) -> list[Column]:
    """Every stage of the pipeline in order, with its count, its total in the corporate currency (and per currency) and first `limit` cards."""
    deals = board_deals(actor=actor, workspace=workspace, pipeline=pipeline, filters=filters)
    rates = workspace_rates(workspace=workspace)
    totals = _totals(deals, rates)
    columns = []
    for stage in pipeline.stages.all():
        sums = totals.get(stage.pk, _Sums())
        converted = (
            Total(currency=rates.corporate, amount=_cents(sums.converted_amount), weighted=_cents(sums.converted_weighted))
            if sums.count
            else None
        )
        cards, cursor = _cards(deals, stage, after="", limit=limit)
        columns.append(
            Column(
                stage=stage, count=sums.count, total=converted, totals=_per_currency(sums), unconverted=sorted(sums.unconverted),
                cards=cards, next_cursor=cursor,
            )
        )  # fmt: skip
    return columns


def column_page(
    *, actor: User, workspace: Workspace, stage: Stage, filters: OpportunityFilter, after: str, limit: int = CARDS_PER_COLUMN
) -> tuple[list[Opportunity], str]:
    """The next page of one column ("show more"), after the cursor the previous page gave."""
    deals = board_deals(actor=actor, workspace=workspace, pipeline=stage.pipeline, filters=filters)
    return _cards(deals, stage, after=after, limit=limit)
