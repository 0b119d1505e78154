"""The corporate currency and exchange rates: dated look-ups, the services' checks, and forecasts and performance converted."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from amity.core.models import AuditEntry, Workspace
from amity.core.permissions import Role
from amity.sales import services
from amity.sales.conversion import Rates, RateUsed
from amity.sales.models import CurrencySettings, ExchangeRate, Opportunity, Quota
from amity.sales.periods import Period
from amity.sales.selectors.currencies import corporate_currency
from amity.sales.selectors.forecasts import forecast
from amity.sales.selectors.performance import rep_performance
from tests.factories import AccountFactory, member
from tests.sales.conftest import stage

Q4 = Period("quarter", dt.date(2026, 10, 1))
D = dt.date


def _rate(owner: Any, workspace: Workspace, currency: str, rate: str, valid_from: dt.date) -> ExchangeRate:
    return services.exchange_rate_create(
        actor=owner, workspace=workspace, data={"currency": currency, "rate": rate, "valid_from": valid_from}
    )


def _errors(call: Any) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value.message_dict


# --- The dated look-up ---------------------------------------------------------------------------------------------


def test_an_amount_takes_the_latest_rate_from_its_day_or_before_and_the_earliest_before_every_rate() -> None:
    table = Rates(corporate="EUR", by_currency={"USD": [(D(2026, 1, 1), Decimal("0.90")), (D(2026, 6, 15), Decimal("0.95"))]})

    assert table.rate_on("USD", D(2026, 6, 14)) == (D(2026, 1, 1), Decimal("0.90"))
    assert table.rate_on("USD", D(2026, 6, 15)) == (D(2026, 6, 15), Decimal("0.95"))
    assert table.rate_on("USD", D(2030, 1, 1)) == (D(2026, 6, 15), Decimal("0.95"))
    assert table.rate_on("USD", D(2020, 1, 1)) == (D(2026, 1, 1), Decimal("0.90"))  # before every rate: the earliest
    assert table.convert(Decimal("100"), "USD", "EUR", D(2026, 7, 1)) == Decimal("95.00")
    assert table.convert(Decimal("95"), "EUR", "USD", D(2026, 7, 1)) == Decimal("100")
    assert table.convert(Decimal("100"), "EUR", "EUR", D(2026, 7, 1)) == Decimal("100")
    assert table.convert(Decimal("100"), "CHF", "EUR", D(2026, 7, 1)) is None  # no rate at all: not converted, never 0


def test_two_other_currencies_convert_through_the_corporate_one() -> None:
    table = Rates(corporate="EUR", by_currency={"USD": [(D(2026, 1, 1), Decimal("0.8"))], "GBP": [(D(2026, 1, 1), Decimal("1.2"))]})

    assert table.convert(Decimal("100"), "GBP", "USD", D(2026, 3, 1)) == Decimal("150")  # 100 GBP = 120 EUR = 150 USD


def test_spans_cut_a_period_only_where_a_rate_changes_inside_it() -> None:
    table = Rates(
        corporate="EUR",
        by_currency={
            "USD": [(D(2026, 9, 1), Decimal("0.9")), (D(2026, 11, 1), Decimal("0.95")), (D(2027, 2, 1), Decimal("1"))],
            "GBP": [(D(2026, 1, 1), Decimal("1.2"))],
        },
    )
    spans = table.spans(Q4.start, Q4.end)
    assert spans.starts == [D(2026, 11, 1)]
    assert (spans.day(0), spans.day(1)) == (D(2026, 10, 1), D(2026, 11, 1))
    assert table.spans().starts == [D(2026, 11, 1), D(2027, 2, 1)]  # a currency's first rate is no cut: it holds before too


# --- The services ---------------------------------------------------------------------------------------------------


def test_the_corporate_currency_defaults_to_the_usual_one_and_is_set_audited(owner, rep, workspace):
    Quota.objects.create(workspace=workspace, user=rep, month=D(2026, 1, 1), amount=Decimal(1), currency="GBP")
    assert corporate_currency(workspace=workspace) == "GBP"  # nobody chose one: the quotas' usual currency

    services.corporate_currency_set(actor=owner, workspace=workspace, currency="usd")

    assert corporate_currency(workspace=workspace) == "USD"
    entry = AuditEntry.objects.get(object_type="sales.currencysettings")
    assert entry.changes == {"corporate_currency": ["GBP", "USD"]}
    assert _errors(lambda: services.corporate_currency_set(actor=owner, workspace=workspace, currency="XYZ")).keys() == {
        "corporate_currency"
    }
    with pytest.raises(PermissionDenied):
        services.corporate_currency_set(actor=rep, workspace=workspace, currency="EUR")
    assert CurrencySettings.objects.get(workspace=workspace).corporate_currency == "USD"


def test_the_corporate_currency_stays_while_rates_into_it_exist(owner, workspace):
    services.corporate_currency_set(actor=owner, workspace=workspace, currency="EUR")
    _rate(owner, workspace, "USD", "0.9", D(2026, 1, 1))

    errors = _errors(lambda: services.corporate_currency_set(actor=owner, workspace=workspace, currency="USD"))

    assert errors == {
        "corporate_currency": ["1 exchange rate is in EUR: delete it before changing the corporate currency, then enter rates into USD."]
    }
    assert corporate_currency(workspace=workspace) == "EUR"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"currency": "XYZ", "rate": "1", "valid_from": "2026-01-01"}, "currency"),
        ({"currency": "EUR", "rate": "1", "valid_from": "2026-01-01"}, "currency"),  # the corporate currency itself
        ({"currency": "USD", "rate": "0", "valid_from": "2026-01-01"}, "rate"),
        ({"currency": "USD", "rate": "-1.5", "valid_from": "2026-01-01"}, "rate"),
        ({"currency": "USD", "rate": "abc", "valid_from": "2026-01-01"}, "rate"),
        ({"currency": "USD", "rate": "0.000000001", "valid_from": "2026-01-01"}, "rate"),
        ({"currency": "USD", "rate": "1", "valid_from": "January"}, "valid_from"),
        ({"currency": "USD", "rate": "1"}, "valid_from"),
    ],
)
def test_a_bad_rate_is_refused_naming_its_field_and_nothing_is_saved(owner, workspace, data, field):
    services.corporate_currency_set(actor=owner, workspace=workspace, currency="EUR")

    errors = _errors(lambda: services.exchange_rate_create(actor=owner, workspace=workspace, data=data))

    assert list(errors) == [field]
    assert not ExchangeRate.objects.exists()


def test_one_rate_per_currency_and_day_and_every_change_is_audited(owner, workspace):
    services.corporate_currency_set(actor=owner, workspace=workspace, currency="EUR")
    rate = _rate(owner, workspace, "usd", "0.923456789", D(2026, 1, 1))
    assert (rate.currency, rate.rate) == ("USD", Decimal("0.92345679"))
    assert list(_errors(lambda: _rate(owner, workspace, "USD", "0.95", D(2026, 1, 1)))) == ["valid_from"]

    later = _rate(owner, workspace, "USD", "0.95", D(2026, 2, 1))
    assert list(_errors(lambda: services.exchange_rate_update(actor=owner, rate=later, data={"valid_from": "2026-01-01"}))) == [
        "valid_from"
    ]
    later.refresh_from_db()
    assert later.valid_from == D(2026, 2, 1)
    services.exchange_rate_update(actor=owner, rate=later, data={"rate": "0.96"})
    services.exchange_rate_delete(actor=owner, rate=rate)

    entries = AuditEntry.objects.filter(object_type="sales.exchangerate").order_by("id")
    assert [(entry.action, entry.changes.get("rate")) for entry in entries] == [
        ("create", [None, "0.92345679"]),
        ("create", [None, "0.95000000"]),
        ("update", ["0.95000000", "0.96000000"]),
        ("delete", ["0.92345679", None]),
    ]
    assert list(ExchangeRate.objects.values_list("rate", flat=True)) == [Decimal("0.96")]


def test_only_owners_and_admins_write_rates(owner, admin, rep, workspace):
    _rate(admin, workspace, "USD", "0.9", D(2026, 1, 1))
    manager = member(workspace, Role.MANAGER, email="boss@acme.test")
    for actor in (rep, manager):
        with pytest.raises(PermissionDenied):
            _rate(actor, workspace, "GBP", "1.2", D(2026, 1, 1))
    assert ExchangeRate.objects.count() == 1


# --- Forecasts converted ----------------------------------------------------------------------------------------------


def _deal(actor: Any, workspace: Workspace, pipeline: Any, amount: str, currency: str, close: dt.date, stage_name: str) -> Opportunity:
    return services.opportunity_create(
        actor=actor,
        workspace=workspace,
        data={"name": f"{amount} {currency}", "account_id": AccountFactory(workspace=workspace).pk, "currency": currency, "amount": amount,
              "expected_close_date": close, "stage_id": stage(pipeline, stage_name).pk},
    )  # fmt: skip


def _won(actor: Any, workspace: Workspace, pipeline: Any, amount: str, currency: str, day: dt.date) -> None:
    deal = _deal(actor, workspace, pipeline, amount, currency, day, "Negotiation")
    services.opportunity_win(actor=actor, opportunity=deal)
    Opportunity.objects.filter(pk=deal.pk).update(closed_at=dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC))


@pytest.fixture
def mixed(owner, rep, workspace, pipeline):
    """A quarter of deals and quotas in euros (corporate), dollars (three rates, two inside the quarter), pounds and francs (no rate)."""
    services.corporate_currency_set(actor=owner, workspace=workspace, currency="EUR")
    _rate(owner, workspace, "USD", "0.90", D(2026, 9, 1))
    _rate(owner, workspace, "USD", "0.95", D(2026, 11, 1))
    _rate(owner, workspace, "USD", "0.97", D(2026, 11, 15))
    _rate(owner, workspace, "GBP", "1.20", D(2026, 1, 1))
    _deal(rep, workspace, pipeline, "1000", "EUR", D(2026, 10, 15), "Negotiation")  # commit: 1,000
    _deal(rep, workspace, pipeline, "1000", "USD", D(2026, 10, 20), "Negotiation")  # commit: 900
    _deal(rep, workspace, pipeline, "2000", "USD", D(2026, 11, 10), "Negotiation")  # commit: 1,900
    _deal(rep, workspace, pipeline, "1000", "USD", D(2026, 11, 20), "Negotiation")  # commit: 970
    _deal(rep, workspace, pipeline, "500", "GBP", D(2026, 12, 1), "Proposal")  # best case: 600
    _deal(rep, workspace, pipeline, "700", "CHF", D(2026, 12, 5), "New")  # no rate: not counted
    _won(rep, workspace, pipeline, "1000", "USD", D(2026, 10, 31))  # 900
    _won(rep, workspace, pipeline, "100", "USD", D(2026, 11, 1))  # 95
    Quota.objects.create(workspace=workspace, user=rep, month=D(2026, 10, 1), amount=Decimal("2000"), currency="EUR")
    Quota.objects.create(workspace=workspace, user=rep, month=D(2026, 11, 1), amount=Decimal("1000"), currency="USD")  # 950
    Quota.objects.create(workspace=workspace, user=rep, month=D(2026, 12, 1), amount=Decimal("500"), currency="CHF")  # no rate


def test_the_forecast_adds_every_currency_up_at_each_deals_rate(mixed, owner, rep, workspace):
    result = forecast(actor=owner, workspace=workspace, period=Q4)

    assert (result.currency, result.corporate_currency) == ("EUR", "EUR")
    rita = next(row.figures for row in result.rows if row.rep == rep)
    assert (rita.commit, rita.best_case, rita.pipeline, rita.open_pipeline) == (
        Decimal("4770.00"), Decimal("600.00"), Decimal("0.00"), Decimal("5370.00"),
    )  # fmt: skip
    assert rita.weighted == Decimal("3877.50")  # 4,770 × 75% + 600 × 50%
    assert (rita.closed_won, rita.won_deals, rita.open_deals) == (Decimal("995.00"), 2, 5)
    assert (rita.quota, rita.attainment) == (Decimal("2950.00"), Decimal("33.7"))
    assert result.total.commit == Decimal("4770.00")
    assert [(missing.currency, missing.deals, missing.quotas) for missing in result.unconverted] == [("CHF", 1, 1)]
    assert result.rates_used == [
        RateUsed("GBP", D(2026, 1, 1), Decimal("1.20")),
        RateUsed("USD", D(2026, 9, 1), Decimal("0.90")),
        RateUsed("USD", D(2026, 11, 1), Decimal("0.95")),
        RateUsed("USD", D(2026, 11, 15), Decimal("0.97")),
    ]


def test_the_forecast_reads_in_another_currency_through_the_corporate_one(mixed, owner, workspace, pipeline):
    result = forecast(actor=owner, workspace=workspace, period=Q4, currency="USD")

    assert result.total.commit == Decimal("5111.11")  # 1,000 EUR ÷ 0.90 + 4,000 USD
    assert result.total.best_case == Decimal("618.56")  # 500 GBP × 1.20 ÷ 0.97 (the dollar's rate on 1 December)
    assert result.total.quota == Decimal("3222.22")  # 2,000 EUR ÷ 0.90 + 1,000 USD
    by_pipeline = forecast(actor=owner, workspace=workspace, period=Q4, group_by="pipeline")
    assert [(row.label, row.figures.commit) for row in by_pipeline.rows] == [("Sales", Decimal("4770.00"))]
    assert [(missing.currency, missing.deals) for missing in by_pipeline.unconverted] == [("CHF", 1)]  # counted once


def test_the_forecast_api_says_which_rates_it_used_in_a_constant_number_of_queries(mixed, owner, rep, workspace, pipeline, api_as):
    client = api_as(owner, workspace)
    client.get("/api/v1/forecasts?period=2026-Q4")  # the token's first use is noted once
    with CaptureQueriesContext(connection) as few:
        body = client.get("/api/v1/forecasts?period=2026-Q4").json()
    assert (body["currency"], body["total"]["commit"], body["total"]["quota"]) == ("EUR", "4770.00", "2950.00")
    assert body["unconverted"] == [{"currency": "CHF", "deals": 1, "quotas": 1}]
    assert body["rates_used"][0] == {"currency": "GBP", "valid_from": "2026-01-01", "rate": "1.20000000"}
    for number in range(12):
        currency = ("EUR", "USD", "GBP", "CHF")[number % 4]
        _deal(rep, workspace, pipeline, "10", currency, D(2026, 10, 1) + dt.timedelta(days=7 * number), "Proposal")
    with CaptureQueriesContext(connection) as many:
        assert client.get("/api/v1/forecasts?period=2026-Q4").status_code == 200
    assert len(many) == len(few)


def test_performance_converts_won_deals_at_the_day_they_were_won(mixed, owner, rep, workspace):
    result = rep_performance(actor=owner, workspace=workspace, start=D(2026, 10, 1), months=3)

    rita = next(row for row in result.reps if row.rep == rep)
    october, november, december = rita.months
    assert (october.won_amount, october.quota) == (Decimal("900.00"), Decimal("2000.00"))
    assert (november.won_amount, november.quota, november.attainment) == (Decimal("95.00"), Decimal("950.00"), Decimal("10.0"))
    assert december.quota == Decimal("0.00")
    assert (rita.total.won_amount, rita.total.average_deal) == (Decimal("995.00"), Decimal("497.50"))
    assert [(missing.currency, missing.deals, missing.quotas) for missing in result.unconverted] == [("CHF", 0, 1)]


# --- The API ----------------------------------------------------------------------------------------------------------


def test_the_rates_api_creates_lists_by_currency_corrects_and_deletes(api, admin, workspace):
    assert api.get("/api/v1/workspace-currency").json()["chosen"] is False
    chosen = api.put("/api/v1/workspace-currency", {"corporate_currency": "eur"}).json()
    assert (chosen["corporate_currency"], chosen["chosen"], chosen["updated_by_id"]) == ("EUR", True, admin.pk)

    created = api.post("/api/v1/exchange-rates", {"currency": "USD", "rate": "0.92", "valid_from": "2026-11-01"})
    assert created.status_code == 201
    assert {key: created.json()[key] for key in ("currency", "rate", "valid_from")} == {
        "currency": "USD", "rate": "0.92000000", "valid_from": "2026-11-01",
    }  # fmt: skip
    api.post("/api/v1/exchange-rates", {"currency": "USD", "rate": "0.93", "valid_from": "2026-12-01"})
    api.post("/api/v1/exchange-rates", {"currency": "GBP", "rate": "1.17", "valid_from": "2026-11-01"})
    dollars = api.get("/api/v1/exchange-rates?currency=usd").json()["items"]
    assert [(item["currency"], item["valid_from"]) for item in dollars] == [("USD", "2026-12-01"), ("USD", "2026-11-01")]

    rate_id = created.json()["id"]
    assert api.patch(f"/api/v1/exchange-rates/{rate_id}", {"rate": "0.9"}).json()["rate"] == "0.90000000"
    refused = api.post("/api/v1/exchange-rates", {"currency": "EUR", "rate": "-1", "valid_from": "2026-11-01"})
    assert refused.status_code == 422
    assert sorted(error["field"] for error in refused.json()["errors"]) == ["currency", "rate"]
    assert api.delete(f"/api/v1/exchange-rates/{rate_id}").status_code == 204
    assert api.get(f"/api/v1/exchange-rates/{rate_id}").status_code == 404
    assert ExchangeRate.objects.filter(workspace=workspace).count() == 2


def test_the_rates_list_reads_the_same_queries_at_two_sizes(api, owner, workspace):
    services.corporate_currency_set(actor=owner, workspace=workspace, currency="EUR")
    api.get("/api/v1/exchange-rates")  # the token's first use is noted once
    _rate(owner, workspace, "USD", "0.9", D(2026, 1, 1))
    with CaptureQueriesContext(connection) as few:
        assert len(api.get("/api/v1/exchange-rates").json()["items"]) == 1
    for month in range(2, 13):
        _rate(owner, workspace, "USD", "0.9", D(2026, month, 1))
    with CaptureQueriesContext(connection) as many:
        assert len(api.get("/api/v1/exchange-rates").json()["items"]) == 12
    assert len(many) == len(few)


def test_a_rep_reads_rates_but_cannot_write_them(rep_api, owner, workspace):
    rate = _rate(owner, workspace, "USD", "0.9", D(2026, 1, 1))
    assert rep_api.get("/api/v1/exchange-rates").status_code == 200
    assert rep_api.patch(f"/api/v1/exchange-rates/{rate.pk}", {"rate": "5"}).status_code == 403
    assert rep_api.delete(f"/api/v1/exchange-rates/{rate.pk}").status_code == 403
    assert rep_api.put("/api/v1/workspace-currency", {"corporate_currency": "USD"}).status_code == 403
    rate.refresh_from_db()
    assert rate.rate == Decimal("0.9")


def test_another_workspaces_rate_is_a_404_through_the_api(api, other_workspace):
    outsider = member(other_workspace, Role.OWNER, email="hank@globex.test")
    theirs = _rate(outsider, other_workspace, "USD", "0.93", D(2026, 12, 1))
    assert api.get(f"/api/v1/exchange-rates/{theirs.pk}").status_code == 404
    assert api.patch(f"/api/v1/exchange-rates/{theirs.pk}", {"rate": "5"}).status_code == 404
    assert api.delete(f"/api/v1/exchange-rates/{theirs.pk}").status_code == 404
    assert api.get("/api/v1/exchange-rates").json()["items"] == []
    theirs.refresh_from_db()
    assert theirs.rate == Decimal("0.93")
