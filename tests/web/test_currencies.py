"""Settings → Currencies, and the board's and the forecast page's totals converted into the corporate currency."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from amity.core.models import AuditEntry, User, Workspace
from amity.core.permissions import Role
from amity.sales import services
from amity.sales.models import ExchangeRate, Pipeline, Stage
from tests.factories import AccountFactory, member, new_deal

pytestmark = pytest.mark.django_db
PAGE = "/w/acme/settings/currencies/"


def stage(pipeline: Pipeline, name: str) -> Stage:
    return pipeline.stages.get(name=name)


@pytest.fixture
def euro(owner: User, workspace: Workspace) -> None:
    services.corporate_currency_set(actor=owner, workspace=workspace, currency="EUR")


def _rate(owner: User, workspace: Workspace, currency: str, rate: str, day: str) -> ExchangeRate:
    return services.exchange_rate_create(actor=owner, workspace=workspace, data={"currency": currency, "rate": rate, "valid_from": day})


# --- The settings page ------------------------------------------------------------------------------------------------


def test_an_owner_sets_the_corporate_currency_and_adds_edits_and_deletes_rates(client_as, owner, workspace):
    client = client_as(owner)
    page = client.get(PAGE)
    assert page.status_code == 200 and f'href="{PAGE}"' in page.content.decode()  # in the settings menu
    assert "Not chosen yet: EUR" in page.content.decode()

    assert client.post(PAGE, {"corporate_currency": "EUR"}).status_code == 302
    added = client.post(f"{PAGE}rates/", {"currency": "USD", "rate": "0.9215", "valid_from": "2026-11-01"})
    assert added.status_code == 302
    rate = ExchangeRate.objects.get(workspace=workspace)
    assert (rate.currency, rate.rate, rate.valid_from) == ("USD", Decimal("0.9215"), dt.date(2026, 11, 1))
    _rate(owner, workspace, "USD", "0.93", "2026-12-01")
    html = client.get(PAGE).content.decode()
    assert (
        "1 USD = 0.9215 EUR" in html
        and '1 Nov 2026 –</span> <span class="amity-nowrap">30 Nov 2026<' in html
        and "until the next rate" in html
    )

    assert client.post(f"{PAGE}rates/{rate.pk}/", {"currency": "USD", "rate": "0.92", "valid_from": "2026-11-01"}).status_code == 302
    rate.refresh_from_db()
    assert rate.rate == Decimal("0.92")
    assert client.post(f"{PAGE}rates/{rate.pk}/delete/").status_code == 302
    assert list(ExchangeRate.objects.values_list("rate", flat=True)) == [Decimal("0.93")]
    actions = list(AuditEntry.objects.filter(object_type="sales.exchangerate").order_by("id").values_list("action", flat=True))
    assert actions == ["create", "create", "update", "delete"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"currency": "EUR", "rate": "1", "valid_from": "2026-11-01"}, "Select a valid choice"),  # the corporate one is not offered
        ({"currency": "USD", "rate": "0", "valid_from": "2026-11-01"}, "A rate is more than 0"),
        ({"currency": "USD", "rate": "lots", "valid_from": "2026-11-01"}, "Enter a number such as 1.0825."),
        ({"currency": "USD", "rate": "0.9", "valid_from": "2026-12-01"}, "USD has a rate from 1 December 2026 already"),
    ],
)
def test_a_bad_rate_shows_its_error_by_its_field_and_saves_nothing(client_as, owner, workspace, euro, data, message):
    _rate(owner, workspace, "USD", "0.93", "2026-12-01")

    response = client_as(owner).post(f"{PAGE}rates/", data)

    assert response.status_code == 422
    assert message in response.content.decode()
    assert ExchangeRate.objects.count() == 1


def test_the_corporate_currency_is_kept_while_rates_into_it_exist(client_as, owner, workspace, euro):
    _rate(owner, workspace, "USD", "0.93", "2026-12-01")
    response = client_as(owner).post(PAGE, {"corporate_currency": "USD"})
    assert response.status_code == 422 and "1 exchange rate is in EUR" in response.content.decode()


@pytest.mark.parametrize("role", [Role.MANAGER, Role.SALES, Role.VIEWER])
def test_only_owners_and_admins_reach_the_page(client_as, owner, workspace, euro, role):
    rate = _rate(owner, workspace, "USD", "0.93", "2026-12-01")
    client = client_as(member(workspace, role, email=f"{role}@acme.test"))

    assert f'href="{PAGE}"' not in client.get("/w/acme/settings/members/").content.decode()
    assert client.get(PAGE).status_code == 403
    assert client.post(f"{PAGE}rates/", {"currency": "GBP", "rate": "1.2", "valid_from": "2026-12-01"}).status_code == 403
    assert client.post(f"{PAGE}rates/{rate.pk}/delete/").status_code == 403
    assert ExchangeRate.objects.count() == 1


def test_another_workspaces_rate_is_a_404_and_stays(client_as, admin, workspace, other_workspace):
    outsider = member(other_workspace, Role.OWNER, email="hank@globex.test")
    theirs = _rate(outsider, other_workspace, "USD", "0.93", "2026-12-01")
    client = client_as(admin)

    assert client.get(f"{PAGE}rates/{theirs.pk}/").status_code == 404
    assert client.post(f"{PAGE}rates/{theirs.pk}/", {"currency": "USD", "rate": "5", "valid_from": "2026-12-01"}).status_code == 404
    assert client.post(f"{PAGE}rates/{theirs.pk}/delete/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.rate == Decimal("0.93")
    assert "0.93" not in client.get(PAGE).content.decode()


# --- The board --------------------------------------------------------------------------------------------------------


def test_each_column_totals_in_the_corporate_currency_with_the_currencies_beside_it(client_as, owner, rep, workspace, euro, pipeline):
    _rate(owner, workspace, "USD", "0.90", "2030-01-01")
    _rate(owner, workspace, "USD", "0.80", "2030-06-01")
    account = AccountFactory(workspace=workspace, name="Initech")
    qualified = stage(pipeline, "Qualified").pk
    new_deal(rep, account, "Euros", amount="1000", stage_id=qualified)  # 25%: 250 weighted
    new_deal(rep, account, "Dollars in May", amount="1000", currency="USD", stage_id=qualified, expected_close_date="2030-05-31")  # 900
    new_deal(rep, account, "Dollars in June", amount="1000", currency="USD", stage_id=qualified, expected_close_date="2030-06-30")  # 800
    new_deal(rep, account, "Francs", amount="500", currency="CHF", stage_id=qualified)

    page = client_as(rep).get("/w/acme/deals/")

    column = page.context["columns"][1]
    assert column.count == 4
    assert (column.total.currency, column.total.amount, column.total.weighted) == ("EUR", Decimal("2700.00"), Decimal("675.00"))
    assert [(t.currency, t.amount) for t in column.totals] == [
        ("USD", Decimal("2000.00")),
        ("EUR", Decimal("1000.00")),
        ("CHF", Decimal("500.00")),
    ]
    assert column.unconverted == ["CHF"]
    html = page.content.decode()
    assert "€2,700.00" in html and "€675.00 weighted" in html and "No rate for CHF: not in the total" in html
    assert 'data-part="USD">$2,000.00<' in html


def test_the_board_reads_the_same_queries_with_few_and_many_deals_in_many_currencies(client_as, owner, rep, workspace, euro, pipeline):
    for month in range(1, 13):
        _rate(owner, workspace, "USD", f"0.9{month:02d}", f"2030-{month:02d}-01")
    _rate(owner, workspace, "GBP", "1.2", "2030-01-01")
    client = client_as(rep)
    stages = list(pipeline.stages.filter(kind="open"))

    def grow(count: int) -> None:
        for number in range(count):
            account = AccountFactory(workspace=workspace, name=f"Account {number}")
            new_deal(rep, account, f"Deal {number}", stage_id=stages[number % len(stages)].pk, currency=("EUR", "USD", "GBP", "CHF")[number % 4],
                     expected_close_date=f"2030-{number % 12 + 1:02d}-10")  # fmt: skip

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/w/acme/deals/").status_code == 200
        return len(captured.captured_queries)

    client.get("/w/acme/deals/")
    grow(4)
    few = count()
    grow(40)
    assert count() == few


# --- The forecast page ------------------------------------------------------------------------------------------------


def test_the_forecast_page_names_the_rates_it_used_and_the_currencies_without_one(client_as, owner, rep, workspace, euro, pipeline):
    _rate(owner, workspace, "USD", "0.90", "2026-10-01")
    account = AccountFactory(workspace=workspace)
    new_deal(
        rep, account, "Dollars", amount="1000", currency="USD", stage_id=stage(pipeline, "Negotiation").pk, expected_close_date="2026-11-10"
    )
    new_deal(
        rep, account, "Francs", amount="1000", currency="CHF", stage_id=stage(pipeline, "Negotiation").pk, expected_close_date="2026-11-10"
    )

    html = client_as(owner).get("/w/acme/forecast/?period=2026-Q4").content.decode()

    assert "in EUR (the corporate currency)" in html
    assert "1 USD = 0.9 EUR" in html and "from 1 Oct 2026" in html
    assert "No rate for CHF: 1 deal not counted." in html and f'href="{PAGE}?currency=CHF">Add a rate' in html
    assert "€900" in html
