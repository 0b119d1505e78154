"""The forecast in a real browser: a rep enters a call, their manager overrides it, attainment follows; the performance charts draw."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from amity.core.permissions import Role
from amity.customers import services as customers
from amity.sales import services
from amity.sales.models import ForecastSubmission, Quota
from amity.sales.periods import current_period
from tests.e2e.conftest import PHONE, screenshot, sign_in
from tests.factories import PASSWORD, TeamFactory, WorkspaceFactory, member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def quarter(transactional_db):
    """Rita (rep) in Mona's team: a deal won and three open this quarter, and a quota of 10,000 a month."""
    workspace = WorkspaceFactory(name="Acme", slug="acme")
    rep = member(workspace, Role.SALES, email="rita@acme.test", full_name="Rita Rep")
    manager = member(workspace, Role.MANAGER, email="mona@acme.test", full_name="Mona Manager")
    team = TeamFactory(workspace=workspace, name="Field sales", manager=manager)
    team.members.set([rep])
    pipeline = services.sales_setup(workspace=workspace)
    stages = {stage.name: stage for stage in pipeline.stages.all()}
    period = current_period("quarter")
    close = period.end - dt.timedelta(days=1)
    account = customers.account_create(actor=rep, workspace=workspace, data={"name": "Initech"})
    for name, stage, amount in (("Initech office", "Negotiation", "6000"), ("Initech chairs", "Negotiation", "9000"),
                                ("Initech lobby", "Proposal", "12000"), ("Initech labs", "New", "20000")):  # fmt: skip
        deal = services.opportunity_create(
            actor=rep, workspace=workspace,
            data={"name": name, "account_id": account.pk, "stage_id": stages[stage].pk, "amount": amount, "currency": "EUR",
                  "expected_close_date": close},
        )  # fmt: skip
        if name == "Initech office":
            services.opportunity_win(actor=rep, opportunity=deal)
    for month in period.months:
        Quota.objects.create(workspace=workspace, user=rep, month=month, amount=Decimal("10000"), currency="EUR")
    return {"rep": rep, "manager": manager, "period": period}


def rita_row(page):
    return page.locator("tr[data-row^='rep-']", has_text="Rita Rep")


def test_a_call_and_an_override_move_attainment_and_the_charts_draw(open_page, quarter):
    page = open_page()
    sign_in(page, "rita@acme.test", PASSWORD)
    page.locator("nav[aria-label=Main]").get_by_role("link", name="Forecast").click()
    row = rita_row(page)
    expect(row.locator("[data-attainment]")).to_have_text("20.0%")  # 6,000 won of 30,000
    expect(row.locator("[data-cell='forecast-attainment']")).to_have_text("—")
    expect(row.locator("[data-cell='override'] details")).to_have_count(0)  # a rep does not override

    row.get_by_text("Enter call").click()
    row.get_by_label("Your call (EUR)").fill("24000")
    row.get_by_placeholder("Note (optional)").fill("Chairs and lobby sign in time")
    row.get_by_role("button", name="Save call").click()
    expect(rita_row(page).locator("[data-cell='forecast-attainment']")).to_have_text("80.0%")
    expect(page.locator("[data-total='forecast']")).to_have_text("€24,000")
    screenshot(page, "forecast-rep")
    assert ForecastSubmission.objects.get(kind="call").note == "Chairs and lobby sign in time"

    manager = open_page()
    sign_in(manager, "mona@acme.test", PASSWORD)
    manager.locator("nav[aria-label=Main]").get_by_role("link", name="Forecast").click()
    row = rita_row(manager)
    expect(row.locator("[data-cell='call']")).to_have_text("€24,000")
    row.locator("[data-cell=override] summary").click()
    row.get_by_label("Your override (EUR)").fill("21000")
    row.get_by_role("button", name="Save override").click()
    expect(rita_row(manager).locator("[data-cell='forecast-attainment']")).to_have_text("70.0%")
    expect(rita_row(manager).locator("[data-cell='override'] summary")).to_contain_text("€21,000")

    rita_row(manager).get_by_role("button", name="History of Rita Rep's forecast").click()
    dialog = manager.locator("#history-dialog")
    expect(dialog.locator("li")).to_have_count(2)
    expect(dialog.locator("li").first).to_contain_text("€21,000")
    expect(dialog).to_contain_text("Chairs and lobby sign in time")
    screenshot(manager, "forecast-history")
    dialog.get_by_role("button", name="Close").click()

    manager.get_by_role("link", name="By team").click()
    expect(manager.locator("tr[data-row^='team-']", has_text="Field sales").locator("[data-cell='forecast-attainment']")).to_have_text(
        "70.0%"
    )
    screenshot(manager, "forecast-team")

    manager.locator("nav[aria-label=Main]").get_by_role("link", name="Performance").click()
    expect(manager.locator("canvas[data-drawn='1']")).to_have_count(4)
    expect(manager.locator("[data-kpi='win-rate']")).to_have_text("100.0%")
    screenshot(manager, "performance")


def test_the_forecast_and_performance_pages_on_a_phone(open_page, quarter):
    page = open_page(PHONE)
    sign_in(page, "mona@acme.test", PASSWORD)
    page.goto("/w/acme/forecast/")
    expect(rita_row(page)).to_be_visible()
    screenshot(page, "forecast")
    page.goto("/w/acme/performance/")
    expect(page.locator("canvas[data-drawn='1']")).to_have_count(4)
    screenshot(page, "performance")
    page.goto("/w/acme/forecast/quotas/")
    expect(page.get_by_label(f"Rita Rep, {quarter['period'].start:%B %Y}")).to_have_value("10000.00")
    screenshot(page, "quotas")
    page.goto("/w/acme/deals/")
    expect(page.locator(".amity-cat").first).to_be_visible()
    screenshot(page, "deals-board-categories")
