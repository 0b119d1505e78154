"""Forecast categories, quotas, calls and overrides, the forecast's figures, and who sees what."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from amity.core.models import AuditEntry, Workspace
from amity.core.permissions import Role
from amity.sales import services
from amity.sales.models import ForecastSubmission, Opportunity, Quota
from amity.sales.periods import Period, parse_period
from amity.sales.selectors.forecasts import forecast
from tests.factories import AccountFactory, TeamFactory, member
from tests.sales.conftest import stage

Q4 = Period("quarter", dt.date(2026, 10, 1))


def _deal(
    actor: Any,
    workspace: Workspace,
    pipeline: Any,
    *,
    amount: str,
    close: dt.date,
    stage_name: str = "New",
    currency: str = "EUR",
    **data: Any,
) -> Opportunity:
    account = AccountFactory(workspace=workspace)
    return services.opportunity_create(
        actor=actor,
        workspace=workspace,
        data={"name": f"Deal {amount}", "account_id": account.pk, "currency": currency, "amount": amount, "expected_close_date": close,
              "stage_id": stage(pipeline, stage_name).pk, **data},
    )  # fmt: skip


def _won_on(deal: Opportunity, actor: Any, day: dt.date) -> Opportunity:
    services.opportunity_win(actor=actor, opportunity=deal)
    closed = dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)
    Opportunity.objects.filter(pk=deal.pk).update(closed_at=closed)
    deal.refresh_from_db()
    return deal


def _quota(user: Any, workspace: Workspace, month: dt.date, amount: str, currency: str = "EUR") -> Quota:
    return Quota.objects.create(workspace=workspace, user=user, month=month, amount=Decimal(amount), currency=currency)


# --- Categories -----------------------------------------------------------------------------------------------------


def test_a_deal_takes_its_stages_category_until_its_rep_chooses_one(rep, workspace, pipeline, lost_reason):
    deal = _deal(rep, workspace, pipeline, amount="100", close=dt.date(2026, 11, 5))
    assert (deal.forecast_category, deal.forecast_category_chosen) == ("pipeline", False)

    services.opportunity_move_stage(actor=rep, opportunity=deal, stage=stage(pipeline, "Proposal"))
    assert deal.forecast_category == "best_case"
    services.opportunity_move_stage(actor=rep, opportunity=deal, stage=stage(pipeline, "Negotiation"))
    assert deal.forecast_category == "commit"

    services.opportunity_set_forecast_category(actor=rep, opportunity=deal, category="best_case")
    services.opportunity_move_stage(actor=rep, opportunity=deal, stage=stage(pipeline, "Qualified"))
    assert (deal.forecast_category, deal.forecast_category_chosen) == ("best_case", True)

    services.opportunity_lose(actor=rep, opportunity=deal, lost_reason=lost_reason)
    assert (deal.forecast_category, deal.forecast_category_chosen) == ("omitted", False)
    services.opportunity_reopen(actor=rep, opportunity=deal)
    assert deal.forecast_category == "pipeline"  # Qualified's, the stage it is reopened in
    services.opportunity_win(actor=rep, opportunity=deal)
    assert deal.forecast_category == "closed"
    changes = [entry.changes.get("forecast_category") for entry in AuditEntry.objects.filter(object_id=str(deal.pk)).order_by("id")]
    assert ["pipeline", "best_case"] in changes


def test_a_closed_deals_category_cannot_be_chosen_and_bad_ones_are_named(rep_api, rep, workspace, pipeline):
    deal = _deal(rep, workspace, pipeline, amount="100", close=dt.date(2026, 11, 5))
    path = f"/api/v1/opportunities/{deal.pk}"

    assert rep_api.patch(path, {"forecast_category": "commit"}).json()["forecast_category"] == "commit"
    bad = rep_api.patch(path, {"forecast_category": "closed"})
    assert bad.status_code == 422
    assert [error["field"] for error in bad.json()["errors"]] == ["forecast_category"]
    reset = rep_api.patch(path, {"forecast_category": None}).json()
    assert (reset["forecast_category"], reset["forecast_category_chosen"]) == ("pipeline", False)
    rep_api.post(f"{path}/win")
    refused = rep_api.patch(path, {"forecast_category": "commit"})
    assert refused.status_code == 422
    assert Opportunity.objects.get(pk=deal.pk).forecast_category == "closed"


def test_stages_get_a_category_from_their_kind_and_probability(api, pipeline):
    body = api.get(f"/api/v1/pipelines/{pipeline.pk}").json()
    assert [(s["name"], s["forecast_category"]) for s in body["stages"]] == [
        ("New", "pipeline"), ("Qualified", "pipeline"), ("Proposal", "best_case"), ("Negotiation", "commit"), ("Won", "closed"), ("Lost", "omitted"),
    ]  # fmt: skip
    stages = [{"id": s["id"], "name": s["name"], "kind": s["kind"], "probability": s["probability"]} for s in body["stages"]]
    stages[0]["forecast_category"] = "omitted"
    stages[4]["forecast_category"] = "commit"
    refused = api.patch(f"/api/v1/pipelines/{pipeline.pk}", {"stages": stages})
    assert [error["field"] for error in refused.json()["errors"]] == ["stages.4.forecast_category"]
    del stages[4]["forecast_category"]
    changed = api.patch(f"/api/v1/pipelines/{pipeline.pk}", {"stages": stages}).json()
    assert changed["stages"][0]["forecast_category"] == "omitted"


# --- The forecast's figures ---------------------------------------------------------------------------------------------


@pytest.fixture
def quarter(rep, colleague, manager, workspace, pipeline):
    """Rita (rep) and Carl (colleague) in the manager's team, with deals and quotas in Q4 2026."""
    team = TeamFactory(workspace=workspace, name="Field sales", manager=manager)
    team.members.set([rep, colleague])
    _won_on(_deal(rep, workspace, pipeline, amount="10000", close=dt.date(2026, 10, 20)), rep, dt.date(2026, 10, 20))
    _won_on(_deal(rep, workspace, pipeline, amount="999", close=dt.date(2026, 9, 1)), rep, dt.date(2026, 9, 30))  # won last quarter
    _deal(rep, workspace, pipeline, amount="8000", close=dt.date(2026, 11, 15), stage_name="Negotiation")  # commit, 75%
    _deal(rep, workspace, pipeline, amount="4000", close=dt.date(2026, 12, 1), stage_name="Proposal")  # best case, 50%
    _deal(rep, workspace, pipeline, amount="2000", close=dt.date(2026, 12, 31), stage_name="New")  # pipeline, 10%
    _deal(rep, workspace, pipeline, amount="5000", close=dt.date(2026, 12, 2), stage_name="New", forecast_category="omitted")
    _deal(rep, workspace, pipeline, amount="7000", close=dt.date(2027, 1, 2), stage_name="Negotiation")  # next quarter
    _deal(rep, workspace, pipeline, amount="3000", close=dt.date(2026, 11, 2), stage_name="Negotiation", currency="USD")
    _deal(colleague, workspace, pipeline, amount="6000", close=dt.date(2026, 10, 30), stage_name="Negotiation")
    for month in Q4.months:
        _quota(rep, workspace, month, "10000")
        _quota(colleague, workspace, month, "5000")
    _quota(rep, workspace, dt.date(2027, 1, 1), "99999")
    return team


def test_the_forecast_sums_each_category_against_the_quarters_quota(quarter, rep, colleague, manager, workspace):
    result = forecast(actor=manager, workspace=workspace, period=Q4, currency="EUR")

    rows = {row.label: row.figures for row in result.rows}
    rita = rows["Rita Rep"]
    assert (rita.closed_won, rita.commit, rita.best_case, rita.pipeline) == (
        Decimal("10000.00"),
        Decimal("8000.00"),
        Decimal("4000.00"),
        Decimal("2000.00"),
    )
    assert rita.open_pipeline == Decimal("14000.00")
    assert rita.weighted == Decimal("8200.00")  # 8,000 × 75% + 4,000 × 50% + 2,000 × 10%
    assert (rita.quota, rita.attainment, rita.gap) == (Decimal("30000.00"), Decimal("33.3"), Decimal("20000.00"))
    assert (rita.won_deals, rita.open_deals) == (1, 3)
    assert rows["Carl Colleague"].commit == Decimal("6000.00")
    assert rows["Mona Manager"] == type(rita)()  # a manager with nothing in the quarter still has a row
    assert result.total.quota == Decimal("45000.00")
    assert result.total.closed_won == Decimal("10000.00")
    assert [(missing.currency, missing.deals, missing.quotas) for missing in result.unconverted] == [("USD", 1, 0)]  # no rate for USD

    usd = forecast(actor=manager, workspace=workspace, period=Q4, currency="USD")
    assert usd.total.commit == Decimal("3000.00") and usd.total.quota == 0  # the euro deals and quotas have no rate into USD

    november = forecast(actor=manager, workspace=workspace, period=parse_period("2026-11"), currency="EUR")
    assert {row.label: row.figures.quota for row in november.rows}["Rita Rep"] == Decimal("10000.00")
    assert november.total.commit == Decimal("8000.00")


def test_calls_and_overrides_keep_their_history_and_the_latest_counts(quarter, rep, colleague, manager, workspace):
    services.forecast_submit(actor=rep, workspace=workspace, rep_id=rep.pk, period=Q4, kind="call", amount="20000", currency="EUR")
    services.forecast_submit(
        actor=rep, workspace=workspace, rep_id=rep.pk, period=Q4, kind="call", amount="21000", currency="EUR", note="Initech signs"
    )
    services.forecast_submit(actor=manager, workspace=workspace, rep_id=rep.pk, period=Q4, kind="override", amount="18000", currency="EUR")
    services.forecast_submit(
        actor=colleague, workspace=workspace, rep_id=colleague.pk, period=Q4, kind="call", amount="9000", currency="EUR"
    )

    result = forecast(actor=manager, workspace=workspace, period=Q4, currency="EUR")
    rita = next(row for row in result.rows if row.rep == rep)
    assert (rita.figures.call, rita.figures.override, rita.figures.forecast) == (
        Decimal("21000.00"),
        Decimal("18000.00"),
        Decimal("18000.00"),
    )
    assert rita.figures.forecast_attainment == Decimal("60.0")
    assert rita.call_entry.note == "Initech signs" and rita.override_entry.submitted_by == manager
    assert ForecastSubmission.objects.filter(rep=rep).count() == 3

    team = forecast(actor=manager, workspace=workspace, period=Q4, currency="EUR", group_by="team").rows
    assert [(row.label, row.figures.call, row.figures.override, row.figures.quota) for row in team] == [
        ("Field sales", Decimal("30000.00"), Decimal("27000.00"), Decimal("45000.00")),
    ]  # the manager, in no team as a member and with nothing in the quarter, has no "No team" row
    assert team[0].members == ["Carl Colleague", "Rita Rep"]


def test_only_reps_call_their_own_number_and_only_managers_override(quarter, rep, colleague, manager, workspace, rep_api):
    refused = rep_api.post(
        "/api/v1/forecasts", {"rep_id": colleague.pk, "period": "2026-Q4", "kind": "call", "amount": "1", "currency": "EUR"}
    )
    assert refused.status_code == 422
    assert [error["field"] for error in refused.json()["errors"]] == ["rep_id"]
    override = rep_api.post(
        "/api/v1/forecasts", {"rep_id": rep.pk, "period": "2026-Q4", "kind": "override", "amount": "1", "currency": "EUR"}
    )
    assert override.status_code == 403
    bad = rep_api.post("/api/v1/forecasts", {"rep_id": rep.pk, "period": "Q4", "kind": "call", "amount": "-1", "currency": "EUR"})
    assert bad.status_code == 422
    assert ForecastSubmission.objects.count() == 0

    ok = rep_api.post("/api/v1/forecasts", {"rep_id": rep.pk, "period": "2026-Q4", "kind": "call", "amount": "15000.5", "currency": "eur"})
    assert ok.status_code == 201
    assert (ok.json()["amount"], ok.json()["currency"], ok.json()["period"]) == ("15000.50", "EUR", "2026-Q4")
    outsider = member(workspace, Role.MANAGER, email="other-manager@acme.test")
    with pytest.raises(Exception, match="rep_id"):
        services.forecast_submit(actor=outsider, workspace=workspace, rep_id=rep.pk, period=Q4, kind="override", amount="1", currency="EUR")


def test_the_api_gives_the_forecast_by_rep_team_and_pipeline(quarter, rep, manager, api_as, workspace, pipeline):
    client = api_as(manager, workspace)
    body = client.get("/api/v1/forecasts?period=2026-Q4&currency=EUR").json()
    assert (body["period"], body["start"], body["end"]) == ("2026-Q4", "2026-10-01", "2027-01-01")
    rita = next(row for row in body["rows"] if row["rep_id"] == rep.pk)
    assert rita["figures"]["weighted"] == "8200.00" and rita["figures"]["attainment"] == "33.3"
    assert body["unconverted"] == [{"currency": "USD", "deals": 1, "quotas": 0}]
    assert (body["currency"], body["corporate_currency"], body["rates_used"]) == ("EUR", "EUR", [])
    by_pipeline = client.get("/api/v1/forecasts?period=2026-Q4&currency=EUR&group_by=pipeline").json()
    assert [(row["label"], row["figures"]["commit"]) for row in by_pipeline["rows"]] == [("Sales", "14000.00")]
    assert by_pipeline["total"]["quota"] == "45000.00"
    bad = client.get("/api/v1/forecasts?period=2026-13&group_by=account")
    assert bad.status_code == 422


def test_reps_see_their_team_and_managers_see_only_their_teams(quarter, rep, colleague, manager, workspace, pipeline, admin):
    outsider = member(workspace, Role.SALES, email="outsider@acme.test", full_name="Otto Outsider")
    _deal(outsider, workspace, pipeline, amount="50000", close=dt.date(2026, 11, 1), stage_name="Negotiation")

    as_rep = forecast(actor=rep, workspace=workspace, period=Q4, currency="EUR")
    assert {row.label for row in as_rep.rows} == {"Rita Rep", "Carl Colleague"}  # the team's manager is not one of its members
    assert as_rep.total.commit == Decimal("14000.00")
    assert [row.can_call for row in as_rep.rows if row.rep == rep] == [True]
    assert not any(row.can_override for row in as_rep.rows)
    as_outsider = forecast(actor=outsider, workspace=workspace, period=Q4, currency="EUR")
    assert [row.label for row in as_outsider.rows] == ["Otto Outsider"]
    as_admin = forecast(actor=admin, workspace=workspace, period=Q4, currency="EUR")
    assert as_admin.total.commit == Decimal("64000.00")


def _queries(actor: Any, workspace: Workspace, group_by: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        forecast(actor=actor, workspace=workspace, period=Q4, currency="EUR", group_by=group_by)
    return len(queries)


@pytest.mark.parametrize("group_by", ["rep", "team", "pipeline"])
def test_the_forecast_takes_the_same_queries_for_few_or_many_deals_and_reps(group_by, quarter, manager, workspace, pipeline, colleague):
    _queries(manager, workspace, group_by)  # the manager's membership is fetched once and kept
    small = _queries(manager, workspace, group_by)
    for index in range(6):
        extra = member(workspace, Role.SALES, email=f"extra{index}@acme.test")
        quarter.members.add(extra)
        _quota(extra, workspace, dt.date(2026, 11, 1), "100")
        services.forecast_submit(actor=extra, workspace=workspace, rep_id=extra.pk, period=Q4, kind="call", amount="5", currency="EUR")
        for amount in ("100", "200", "300"):
            _deal(extra, workspace, pipeline, amount=amount, close=dt.date(2026, 11, 3), stage_name="Proposal")
    assert _queries(manager, workspace, group_by) == small


# --- Quotas ----------------------------------------------------------------------------------------------------------


def test_quotas_crud_and_a_year_for_a_team_at_once(api_as, manager, rep, colleague, workspace, quarter):
    client = api_as(manager, workspace)
    created = client.post("/api/v1/quotas", {"user_id": rep.pk, "month": "2027-02", "amount": "12000", "currency": "EUR"})
    assert created.status_code == 201, created.content
    quota = created.json()
    assert (quota["month"], quota["amount"]) == ("2027-02-01", "12000.00")
    again = client.post("/api/v1/quotas", {"user_id": rep.pk, "month": "2027-02-14", "amount": "1", "currency": "EUR"})
    assert [error["field"] for error in again.json()["errors"]] == ["month"]
    assert client.patch(f"/api/v1/quotas/{quota['id']}", {"amount": "13000"}).json()["amount"] == "13000.00"

    bulk = client.post(
        "/api/v1/quotas/bulk", {"team_id": quarter.pk, "year": 2027, "currency": "EUR", "amounts": [None, "20000"] + ["15000"] * 10}
    )
    assert bulk.status_code == 200, bulk.content
    assert len(bulk.json()["items"]) == 22
    assert Quota.objects.get(user=rep, month=dt.date(2027, 2, 1)).amount == Decimal("20000.00")
    assert Quota.objects.get(user=rep, month=dt.date(2027, 1, 1)).amount == Decimal("99999.00")  # January left as it was
    listed = client.get("/api/v1/quotas?year=2027&user_id=" + str(colleague.pk)).json()["items"]
    assert len(listed) == 11
    assert client.delete(f"/api/v1/quotas/{quota['id']}").status_code == 204
    assert not Quota.objects.filter(pk=quota["id"]).exists()


def test_reps_read_quotas_and_managers_set_only_their_teams(api_as, rep, manager, workspace, quarter, rep_api):
    outsider = member(workspace, Role.SALES, email="outsider@acme.test")
    before = Quota.objects.count()
    assert rep_api.post("/api/v1/quotas", {"user_id": rep.pk, "month": "2027-03", "amount": "1", "currency": "EUR"}).status_code == 403
    assert rep_api.get("/api/v1/quotas").status_code == 200
    client = api_as(manager, workspace)
    refused = client.post("/api/v1/quotas/bulk", {"user_ids": [outsider.pk], "year": 2027, "currency": "EUR", "amount": "5"})
    assert [error["field"] for error in refused.json()["errors"]] == ["user_ids.0"]
    bad = client.post("/api/v1/quotas/bulk", {"team_id": quarter.pk, "year": 2027, "currency": "XXX", "amounts": ["1"] * 11})
    assert {error["field"] for error in bad.json()["errors"]} == {"currency", "amounts"}
    assert Quota.objects.count() == before


def test_period_parsing():
    assert parse_period("2026-Q1") == Period("quarter", dt.date(2026, 1, 1))
    assert parse_period("2026-02").end == dt.date(2026, 3, 1)
    assert Period("quarter", dt.date(2026, 10, 1)).shifted(1).key == "2027-Q1"
    assert parse_period(None, today=dt.date(2026, 8, 9)).key == "2026-Q3"
    with pytest.raises(Exception, match="period"):
        parse_period("2026-00")
    assert timezone.now()
