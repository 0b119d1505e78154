"""Rep performance: win rate, average deal size, sales cycle, activities per deal and attainment, per rep and month."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from amity.activities import services as activity_services
from amity.core.permissions import Role
from amity.sales import services
from amity.sales.models import Opportunity, Quota
from amity.sales.selectors.performance import rep_performance
from tests.factories import AccountFactory, member
from tests.sales.conftest import stage

START = dt.date(2026, 1, 1)


def _closed(
    actor: Any,
    workspace: Any,
    pipeline: Any,
    lost_reason: Any,
    *,
    amount: str,
    created: dt.date,
    closed: dt.date,
    won: bool,
    currency: str = "EUR",
    calls: int = 0,
) -> Opportunity:
    account = AccountFactory(workspace=workspace)
    deal = services.opportunity_create(
        actor=actor, workspace=workspace,
        data={"name": "Deal", "account_id": account.pk, "currency": currency, "amount": amount, "stage_id": stage(pipeline, "Proposal").pk},
    )  # fmt: skip
    if won:
        services.opportunity_win(actor=actor, opportunity=deal)
    else:
        services.opportunity_lose(actor=actor, opportunity=deal, lost_reason=lost_reason)
    Opportunity.objects.filter(pk=deal.pk).update(
        created_at=dt.datetime.combine(created, dt.time(9), tzinfo=dt.UTC), closed_at=dt.datetime.combine(closed, dt.time(9), tzinfo=dt.UTC)
    )
    for _ in range(calls):
        activity_services.interaction_log(actor=actor, workspace=workspace, channel="phone", opportunity=deal)
    return deal


def _world(rep: Any, colleague: Any, workspace: Any, pipeline: Any, lost_reason: Any) -> None:
    _closed(
        rep, workspace, pipeline, lost_reason, amount="1000", created=dt.date(2026, 1, 1), closed=dt.date(2026, 1, 11), won=True, calls=3
    )
    _closed(
        rep, workspace, pipeline, lost_reason, amount="3000", created=dt.date(2026, 1, 5), closed=dt.date(2026, 2, 4), won=True, calls=1
    )
    _closed(
        rep, workspace, pipeline, lost_reason, amount="500", created=dt.date(2026, 2, 1), closed=dt.date(2026, 2, 10), won=False, calls=2
    )
    _closed(
        rep,
        workspace,
        pipeline,
        lost_reason,
        amount="700",
        created=dt.date(2026, 2, 1),
        closed=dt.date(2026, 2, 20),
        won=True,
        currency="USD",
    )
    _closed(
        colleague, workspace, pipeline, lost_reason, amount="9000", created=dt.date(2025, 12, 1), closed=dt.date(2026, 1, 31), won=False
    )
    _closed(
        rep, workspace, pipeline, lost_reason, amount="8000", created=dt.date(2025, 1, 1), closed=dt.date(2025, 12, 31), won=True
    )  # before
    Quota.objects.create(workspace=workspace, user=rep, month=dt.date(2026, 1, 1), amount=Decimal("2000"), currency="EUR")
    Quota.objects.create(workspace=workspace, user=rep, month=dt.date(2026, 2, 1), amount=Decimal("6000"), currency="EUR")


def test_each_metric_per_rep_and_month(rep, colleague, owner, workspace, pipeline, lost_reason):
    _world(rep, colleague, workspace, pipeline, lost_reason)

    result = rep_performance(actor=owner, workspace=workspace, start=START, months=3, currency="EUR")

    rita = next(row for row in result.reps if row.rep == rep)
    total = rita.total
    assert (total.won, total.lost, total.win_rate) == (3, 1, Decimal("75.0"))
    assert (total.won_amount, total.average_deal) == (Decimal("4000.00"), Decimal("2000.00"))  # the USD deal has no rate
    assert [(missing.currency, missing.deals) for missing in result.unconverted] == [("USD", 1)]
    assert total.cycle == Decimal("19.7")  # (10 + 30 + 19 days) / 3 won deals
    assert total.activities_per_deal == Decimal("1.5")  # 6 calls on 4 closed deals
    assert (total.quota, total.attainment) == (Decimal("8000.00"), Decimal("50.0"))
    january, february, march = rita.months
    assert (january.won, january.won_amount, january.attainment, january.activities) == (1, Decimal("1000.00"), Decimal("50.0"), 3)
    assert (february.won, february.lost, february.win_rate, february.attainment) == (2, 1, Decimal("66.7"), Decimal("50.0"))
    assert march.win_rate is None and march.attainment is None
    carl = next(row for row in result.reps if row.rep == colleague)
    assert (carl.total.win_rate, carl.total.cycle) == (Decimal("0.0"), None)
    assert result.total.won == 3 and result.total.lost == 2


def test_the_api_and_its_query_count_at_two_sizes(rep, colleague, owner, workspace, pipeline, lost_reason, api_as):
    client = api_as(owner, workspace)
    client.get("/api/v1/rep-performance?start=2026-01&months=3&currency=EUR")
    _world(rep, colleague, workspace, pipeline, lost_reason)
    with CaptureQueriesContext(connection) as small:
        body = client.get("/api/v1/rep-performance?start=2026-01&months=3&currency=EUR").json()
    rita = next(row for row in body["reps"] if row["rep_id"] == rep.pk)
    assert (rita["total"]["win_rate"], rita["total"]["attainment"], len(rita["months"])) == ("75.0", "50.0", 3)
    for index in range(5):
        extra = member(workspace, Role.SALES, email=f"extra{index}@acme.test")
        _closed(
            extra,
            workspace,
            pipeline,
            lost_reason,
            amount="100",
            created=dt.date(2026, 1, 1),
            closed=dt.date(2026, 3, 1),
            won=True,
            calls=1,
        )
    with CaptureQueriesContext(connection) as large:
        assert client.get("/api/v1/rep-performance?start=2026-01&months=3&currency=EUR").status_code == 200
    assert len(large) == len(small)


def test_a_rep_sees_only_their_teams_results(rep, colleague, workspace, pipeline, lost_reason, api_as):
    _world(rep, colleague, workspace, pipeline, lost_reason)
    body = api_as(rep, workspace).get("/api/v1/rep-performance?start=2026-01&months=3&currency=EUR").json()
    assert [row["label"] for row in body["reps"]] == ["Rita Rep"]
