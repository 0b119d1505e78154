"""The Kanban board of a pipeline: a column per stage with its count, totals and first cards, in a fixed number of queries.

Sums come from one aggregate query grouped by stage and currency; each column's cards from one
query limited to a page (the board index `opportunity_ws_board` serves it), so a board with
100,000 open deals reads a few dozen rows, not all of them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, Sum

from amity.core.models import User, Workspace
from amity.sales.models import Opportunity, Pipeline, Stage
from amity.sales.selectors import OpportunityFilter, opportunities_filtered

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
    totals: list[Total]  # one per currency, the largest first
    cards: list[Opportunity]
    next_cursor: str  # "" when the column shows all its deals


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


def _totals(deals: models.QuerySet[Opportunity]) -> dict[int, tuple[int, list[Total]]]:
    """Per stage: how many deals, and their sums per currency (one aggregate query)."""
    # Amount × percent, summed; divided by 100 here rather than per row in SQL (cheaper on 100,000 rows).
    weighted = ExpressionWrapper(F("amount") * F("probability"), output_field=DecimalField(max_digits=24, decimal_places=2))
    rows = deals.order_by().values("stage_id", "currency").annotate(deals=Count("id"), sum_amount=Sum("amount"), sum_weighted=Sum(weighted))
    by_stage: dict[int, tuple[int, list[Total]]] = {}
    for row in rows:
        count, totals = by_stage.get(row["stage_id"], (0, []))
        total = Total(
            currency=row["currency"],
            amount=Decimal(row["sum_amount"] or 0).quantize(CENT, rounding=ROUND_HALF_UP),
            weighted=(Decimal(row["sum_weighted"] or 0) / 100).quantize(CENT, rounding=ROUND_HALF_UP),
        )
        by_stage[row["stage_id"]] = (count + row["deals"], [*totals, total])
    return {pk: (count, sorted(totals, key=lambda t: (-t.amount, t.currency))) for pk, (count, totals) in by_stage.items()}


def board_deals(*, actor: User, workspace: Workspace, pipeline: Pipeline, filters: OpportunityFilter) -> models.QuerySet[Opportunity]:
    """The deals of the pipeline the board may show: visible to the actor, filtered, not in the bin."""
    return opportunities_filtered(actor=actor, workspace=workspace, filters=replace(filters, pipeline_id=pipeline.pk, deleted=False))


def board_columns(
    *, actor: User, workspace: Workspace, pipeline: Pipeline, filters: OpportunityFilter, limit: int = CARDS_PER_COLUMN
) -> list[Column]:
    """Every stage of the pipeline in order, with its count, totals per currency and first `limit` cards."""
    deals = board_deals(actor=actor, workspace=workspace, pipeline=pipeline, filters=filters)
    totals = _totals(deals)
    columns = []
    for stage in pipeline.stages.all():
        count, sums = totals.get(stage.pk, (0, []))
        cards, cursor = _cards(deals, stage, after="", limit=limit)
        columns.append(Column(stage=stage, count=count, totals=sums, cards=cards, next_cursor=cursor))
    return columns


def column_page(
    *, actor: User, workspace: Workspace, stage: Stage, filters: OpportunityFilter, after: str, limit: int = CARDS_PER_COLUMN
) -> tuple[list[Opportunity], str]:
    """The next page of one column ("show more"), after the cursor the previous page gave."""
    deals = board_deals(actor=actor, workspace=workspace, pipeline=stage.pipeline, filters=filters)
    return _cards(deals, stage, after=after, limit=limit)
