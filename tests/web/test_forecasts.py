"""The forecast, performance and quota pages, and a deal's forecast category on its page and its board card."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from amity.core.models import AuditEntry, Door, Workspace
from amity.core.permissions import Role
from amity.sales import services
from amity.sales.models import ForecastSubmission, Opportunity, Quota
from tests.factories import AccountFactory, TeamFactory, member

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


@pytest.fixture
def pipeline(workspace: Workspace) -> Any:
    return services.sales_setup(workspace=workspace)


@pytest.fixture
def team(workspace: Workspace, rep: Any) -> Any:
    boss = member(workspace, Role.MANAGER, email="boss@acme.test", full_name="Bea Boss")
    team = TeamFactory(workspace=workspace, name="Field sales", manager=boss)
    team.members.set([rep])
    return team


def _deal(rep: Any, workspace: Workspace, pipeline: Any, amount: str, close: dt.date, stage_name: str = "Negotiation") -> Opportunity:
    return services.opportunity_create(
        actor=rep, workspace=workspace,
        data={"name": f"Deal {amount}", "account_id": AccountFactory(workspace=workspace).pk, "currency": "EUR", "amount": amount,
              "expected_close_date": close, "stage_id": pipeline.stages.get(name=stage_name).pk},
    )  # fmt: skip


def test_a_rep_calls_and_a_manager_overrides_on_the_page(client_as, rep, team, workspace, pipeline):
    _deal(rep, workspace, pipeline, "8000", dt.date(2026, 11, 10))
    Quota.objects.create(workspace=workspace, user=rep, month=dt.date(2026, 11, 1), amount=Decimal("20000"), currency="EUR")
    url = "/w/acme/forecast/?period=2026-Q4&currency=EUR"
    page = client_as(rep).get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Rita Rep" in html and "€8,000" in html and "€20,000" in html
    assert 'data-edit="call"' in html and 'data-edit="override"' not in html

    saved = client_as(rep).post(
        "/w/acme/forecast/submit/",
        {"rep_id": rep.pk, "kind": "call", "period": "2026-Q4", "currency": "EUR", "amount": "12,000", "note": "Two signatures"},
        headers=HTMX,
    )
    assert saved.status_code == 200
    assert "60.0%" in saved.content.decode()  # forecast attainment: 12,000 of 20,000
    manager = team.manager
    overridden = client_as(manager).post(
        "/w/acme/forecast/submit/",
        {"rep_id": rep.pk, "kind": "override", "period": "2026-Q4", "currency": "EUR", "amount": "10000"},
        headers=HTMX,
    )
    assert "50.0%" in overridden.content.decode()
    assert AuditEntry.objects.filter(object_type="sales.forecastsubmission", door=Door.WEB).count() == 2
    history = client_as(manager).get(f"/w/acme/forecast/history/?rep={rep.pk}&period=2026-Q4&currency=EUR").content.decode()
    assert history.index("€10,000.00") < history.index("€12,000.00") and "Two signatures" in history


def test_a_refused_submission_changes_nothing_and_says_why(client_as, rep, team, workspace, pipeline):
    refused = client_as(rep).post(
        "/w/acme/forecast/submit/",
        {"rep_id": rep.pk, "kind": "override", "period": "2026-Q4", "currency": "EUR", "amount": "1"},
        headers=HTMX,
    )
    assert refused.status_code == 422
    assert "does not allow" in refused.content.decode()
    bad = client_as(rep).post(
        "/w/acme/forecast/submit/",
        {"rep_id": rep.pk, "kind": "call", "period": "2026-Q4", "currency": "EUR", "amount": "lots"},
        headers=HTMX,
    )
    assert bad.status_code == 422 and "Enter a number" in bad.content.decode()
    assert ForecastSubmission.objects.count() == 0


def test_the_forecast_page_takes_the_same_queries_with_more_deals_and_reps(client_as, owner, rep, team, workspace, pipeline):
    client = client_as(owner)
    _deal(rep, workspace, pipeline, "100", dt.date(2026, 11, 10))
    client.get("/w/acme/forecast/?period=2026-Q4&currency=EUR")
    with CaptureQueriesContext(connection) as small:
        client.get("/w/acme/forecast/?period=2026-Q4&currency=EUR&group_by=team")
    for index in range(5):
        extra = member(workspace, Role.SALES, email=f"extra{index}@acme.test")
        team.members.add(extra)
        for amount in ("100", "200"):
            _deal(extra, workspace, pipeline, amount, dt.date(2026, 12, 1))
    with CaptureQueriesContext(connection) as large:
        assert client.get("/w/acme/forecast/?period=2026-Q4&currency=EUR&group_by=team").status_code == 200
    assert len(large) == len(small)


def test_the_performance_page_has_its_charts_data(client_as, owner, rep, workspace, pipeline):
    deal = _deal(rep, workspace, pipeline, "5000", dt.date(2026, 11, 10))
    services.opportunity_win(actor=rep, opportunity=deal)
    html = client_as(owner).get("/w/acme/performance/?months=3").content.decode()
    assert 'data-chart="chart-won"' in html and 'id="chart-won" type="application/json"' in html
    assert "build/charts.js" in html and "100.0%" in html  # Rita won her only closed deal


def test_quotas_are_set_in_the_grid_and_for_a_team(client_as, owner, rep, team, workspace):
    client = client_as(owner)
    grid = {"year": "2027", "currency": "EUR", "action": "grid", **{f"rep-{rep.pk}-{month}": "" for month in range(12)}}
    grid[f"rep-{rep.pk}-0"] = "1,000"
    grid[f"rep-{rep.pk}-1"] = "2000"
    assert client.post("/w/acme/forecast/quotas/", grid).status_code == 302
    assert sorted(Quota.objects.filter(user=rep).values_list("month", "amount")) == [
        (dt.date(2027, 1, 1), Decimal("1000.00")),
        (dt.date(2027, 2, 1), Decimal("2000.00")),
    ]
    bad = client.post("/w/acme/forecast/quotas/", {**grid, f"rep-{rep.pk}-2": "abc"})
    assert bad.status_code == 422 and "Nothing was saved" in bad.content.decode()
    assert Quota.objects.filter(user=rep).count() == 2
    whole = client.post(
        "/w/acme/forecast/quotas/", {"year": "2027", "currency": "EUR", "action": "team", "bulk_team_id": team.pk, "team_amount": "500"}
    )
    assert whole.status_code == 302
    assert Quota.objects.filter(user=rep, month__year=2027).count() == 12
    page = client.get("/w/acme/forecast/quotas/?year=2027&currency=EUR").content.decode()
    assert "€6,000.00" in page  # 12 × 500
    assert client_as(rep).post("/w/acme/forecast/quotas/", grid).status_code == 403


def test_a_deals_category_is_changed_on_its_page_and_card(client_as, rep, workspace, pipeline, other_workspace):
    deal = _deal(rep, workspace, pipeline, "100", dt.date(2026, 11, 10), stage_name="New")
    board = client_as(rep).get("/w/acme/deals/").content.decode()
    assert "amity-cat-pipeline" in board and f'data-deal="{deal.pk}"' in board
    assert board.count('id="category-menu"') == 1 and 'data-action="/w/acme/deals/0/category/"' in board  # one menu for every card
    moved = client_as(rep).post(f"/w/acme/deals/{deal.pk}/category/", {"forecast_category": "commit", "next": "/w/acme/deals/?pipeline=1"})
    assert moved.status_code == 302 and moved["Location"] == "/w/acme/deals/?pipeline=1"
    assert Opportunity.objects.get(pk=deal.pk).forecast_category == "commit"
    away = client_as(rep).post(f"/w/acme/deals/{deal.pk}/category/", {"forecast_category": "", "next": "https://evil.example/"})
    assert away["Location"] == f"/w/acme/deals/{deal.pk}/"
    assert Opportunity.objects.get(pk=deal.pk).forecast_category == "pipeline"
    page = client_as(rep).get(f"/w/acme/deals/{deal.pk}/").content.decode()
    assert 'id="deal-category"' in page and "As its stage: Pipeline" in page

    intruder = member(other_workspace, Role.OWNER, email="intruder@globex.test")
    assert client_as(intruder).post(f"/w/acme/deals/{deal.pk}/category/", {"forecast_category": "commit"}).status_code == 404
    viewer = member(workspace, Role.VIEWER, email="viewer@acme.test")
    assert client_as(viewer).post(f"/w/acme/deals/{deal.pk}/category/", {"forecast_category": "commit"}).status_code == 403
    assert Opportunity.objects.get(pk=deal.pk).forecast_category == "pipeline"


def test_supply_sees_no_forecast_and_nav_links_follow_the_role(client_as, workspace):
    supplier = member(workspace, Role.SUPPLY, email="supply@acme.test")
    assert client_as(supplier).get("/w/acme/forecast/").status_code == 403
    assert client_as(supplier).get("/w/acme/performance/").status_code == 403
    assert "/w/acme/forecast/" not in client_as(supplier).get("/w/acme/").content.decode()
    viewer = member(workspace, Role.VIEWER, email="viewer@acme.test")
    home = client_as(viewer).get("/w/acme/").content.decode()
    assert "/w/acme/forecast/" in home and "/w/acme/performance/" in home
