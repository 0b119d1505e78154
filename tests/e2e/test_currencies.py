"""Currencies in a real browser: an owner adds a dollar rate in Settings, and the forecast and the board add dollars into euros."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from amity.core.permissions import Role
from amity.customers import services as customers
from amity.sales import services
from amity.sales.models import ExchangeRate, Quota
from amity.sales.periods import current_period
from tests.e2e.conftest import PHONE, screenshot, sign_in
from tests.factories import PASSWORD, WorkspaceFactory, member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(transactional_db):
    """Olga owns Acme (euros): Rita's deals this quarter are in euros, dollars and francs; francs have no rate."""
    workspace = WorkspaceFactory(name="Acme", slug="acme")
    owner = member(workspace, Role.OWNER, email="olga@acme.test", full_name="Olga Owner")
    rep = member(workspace, Role.SALES, email="rita@acme.test", full_name="Rita Rep")
    services.corporate_currency_set(actor=owner, workspace=workspace, currency="EUR")
    pipeline = services.sales_setup(workspace=workspace)
    negotiation = pipeline.stages.get(name="Negotiation")
    period = current_period("quarter")
    account = customers.account_create(actor=rep, workspace=workspace, data={"name": "Initech"})
    for name, amount, currency in (("Initech office", "6000", "EUR"), ("Initech US", "10000", "USD"), ("Initech Zurich", "3000", "CHF")):
        services.opportunity_create(
            actor=rep, workspace=workspace,
            data={"name": name, "account_id": account.pk, "stage_id": negotiation.pk, "amount": amount, "currency": currency,
                  "expected_close_date": period.start + dt.timedelta(days=20)},
        )  # fmt: skip
    for month in period.months:
        Quota.objects.create(workspace=workspace, user=rep, month=month, amount=Decimal("10000"), currency="EUR")
    return {"period": period}


def test_a_rate_added_in_settings_converts_the_forecast_and_the_board(open_page, world):
    page = open_page()
    sign_in(page, "olga@acme.test", PASSWORD)
    page.goto("/w/acme/forecast/")
    expect(page.locator("[data-unconverted='USD']")).to_contain_text("No rate for USD: 1 deal not counted.")
    expect(page.locator("tr[data-row^='rep-']", has_text="Rita Rep").locator("td").nth(3)).to_have_text("€6,000")  # commit

    page.locator("nav[aria-label=Main]").get_by_role("link", name="Currencies").click()
    expect(page.get_by_role("heading", name="Currencies")).to_be_visible()
    page.get_by_label("Currency", exact=True).select_option("USD")
    page.get_by_label("Rate", exact=True).fill("0.9")
    page.get_by_label("Valid from").fill(world["period"].start.isoformat())
    page.get_by_role("button", name="Add rate").click()
    expect(page.locator("#rates-table [data-rate]")).to_have_text(["1 USD = 0.9 EUR"])
    expect(page.locator("[data-missing]")).to_contain_text("No rate for CHF")
    screenshot(page, "currencies-settings")
    assert ExchangeRate.objects.get().rate == Decimal("0.9")

    page.get_by_label("Rate", exact=True).fill("-1")
    page.get_by_label("Currency", exact=True).select_option("GBP")
    page.get_by_role("button", name="Add rate").click()
    expect(page.locator("#rate-form .invalid-feedback")).to_contain_text("A rate is more than 0")
    assert ExchangeRate.objects.count() == 1

    page.goto("/w/acme/forecast/")
    row = page.locator("tr[data-row^='rep-']", has_text="Rita Rep")
    expect(row.locator("td").nth(3)).to_have_text("€15,000")  # 6,000 EUR + 10,000 USD × 0.9
    page.locator(".amity-conversion-rates summary").click()
    expect(page.locator("[data-rates] li")).to_contain_text(["1 USD = 0.9 EUR"])
    expect(page.locator("[data-unconverted='CHF']")).to_contain_text("No rate for CHF: 1 deal not counted.")
    screenshot(page, "currencies-forecast")

    page.goto("/w/acme/deals/")
    column = page.locator("section.amity-board-column", has=page.locator("h2", has_text="Negotiation"))
    expect(column.locator("[data-total]")).to_have_text("€15,000.00")
    expect(column.locator("[data-breakdown]")).to_contain_text("$10,000.00")
    expect(column.locator("[data-unconverted]")).to_contain_text("No rate for CHF")
    screenshot(page, "currencies-board")

    phone = open_page(PHONE, has_touch=True, is_mobile=True)
    sign_in(phone, "olga@acme.test", PASSWORD)
    shown = {"currencies-settings": "#rates-table", "currencies-forecast": "[data-conversion]", "currencies-board": "[data-breakdown]"}
    for path, name in (("/w/acme/settings/currencies/", "currencies-settings"), ("/w/acme/forecast/", "currencies-forecast"),
                       ("/w/acme/deals/", "currencies-board")):  # fmt: skip
        phone.goto(path)
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        phone.locator(shown[name]).first.scroll_into_view_if_needed()
        screenshot(phone, name)
