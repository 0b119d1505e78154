"""The catalog: products, bundles and price books through their services and the API; the price rule for a customer."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from amity.catalog import selectors, services
from amity.catalog.models import PriceBook, PriceBookEntry, Product
from amity.core.models import AuditEntry
from amity.customers.models import Tag
from tests.factories import AccountFactory


def _book(owner, workspace, name, currency="EUR", **data):
    return services.price_book_create(actor=owner, workspace=workspace, data={"name": name, "currency": currency, **data})


@pytest.fixture
def books(owner, workspace, account, desk, chair):
    """The whole ladder for Initech in EUR: its own book (desks only), a tag book, the default book, and list prices."""
    vip = Tag.objects.create(workspace=workspace, name="VIP")
    partner = Tag.objects.create(workspace=workspace, name="Partner")
    account.tags.add(vip, partner)
    default = _book(owner, workspace, "Standard EUR", is_default=True, entries=[{"product_id": desk.pk, "unit_price": "600"}])
    _book(
        owner,
        workspace,
        "VIP",
        tag="vip",
        entries=[{"product_id": desk.pk, "unit_price": "580"}, {"product_id": chair.pk, "unit_price": "400"}],
    )
    _book(owner, workspace, "Partners", tag="Partner", entries=[{"product_id": chair.pk, "unit_price": "390"}])
    own = _book(owner, workspace, "Initech deal", account_id=account.pk, entries=[{"product_id": desk.pk, "unit_price": "550"}])
    return {"default": default, "own": own}


def _price(workspace, product, currency, account=None):
    resolved = selectors.price_for(workspace=workspace, product=product, currency=currency, account=account)
    return (resolved.unit_price, resolved.source) if resolved else None


def test_the_narrowest_book_wins(workspace, account, desk, chair, books):
    assert _price(workspace, desk, "EUR", account) == (Decimal("550.00"), "account")
    assert _price(workspace, chair, "EUR", account) == (Decimal("390.00"), "segment")  # the lower of two tag books
    stranger = AccountFactory(workspace=workspace, name="Stranger")
    assert _price(workspace, desk, "EUR", stranger) == (Decimal("600.00"), "default")
    assert _price(workspace, chair, "EUR", stranger) == (Decimal("429.00"), "list")
    assert _price(workspace, desk, "EUR") == (Decimal("600.00"), "default")
    assert _price(workspace, desk, "USD", account) is None


def test_inactive_books_and_other_currencies_do_not_price(owner, workspace, account, desk, books):
    services.price_book_update(actor=owner, book=books["own"], data={"active": False})
    assert _price(workspace, desk, "EUR", account) == (Decimal("580.00"), "segment")
    _book(owner, workspace, "Standard USD", "USD", is_default=True, entries=[{"product_id": desk.pk, "unit_price": "699"}])
    assert _price(workspace, desk, "USD", account) == (Decimal("699.00"), "default")


def test_resolving_many_products_costs_at_most_two_queries(owner, workspace, account, desk, chair, books, django_assert_max_num_queries):
    lamp = services.product_create(
        actor=owner, workspace=workspace, data={"sku": "L", "name": "Lamp", "currency": "EUR", "list_price": "99"}
    )
    with django_assert_max_num_queries(2):
        prices = selectors.resolve_prices(workspace=workspace, product_ids=[desk.pk, chair.pk, lamp.pk], currency="EUR", account=account)
    assert {pk: p.source for pk, p in prices.items()} == {desk.pk: "account", chair.pk: "segment", lamp.pk: "list"}


def test_one_default_book_per_currency(owner, workspace, books):
    second = _book(owner, workspace, "New list", is_default=True)
    books["default"].refresh_from_db()
    assert second.is_default and not books["default"].is_default
    assert PriceBook.objects.filter(workspace=workspace, currency="EUR", is_default=True).count() == 1


def test_price_book_rules_name_the_field(owner, workspace, account):
    with pytest.raises(ValidationError) as raised:
        _book(owner, workspace, "Both", account_id=account.pk, tag="nope", is_default=True)
    assert set(raised.value.message_dict) == {"tag", "is_default"}
    with pytest.raises(ValidationError) as raised:
        _book(owner, workspace, "Bad", currency="EU")
    assert list(raised.value.message_dict) == ["currency"]
    assert PriceBook.objects.count() == 0


def test_products_are_validated_as_a_whole(owner, workspace, desk):
    with pytest.raises(ValidationError) as raised:
        services.product_create(
            actor=owner,
            workspace=workspace,
            data={"sku": "dsk-1", "name": "", "currency": "ABC", "list_price": "-1", "tax_rate": "101", "kind": "gadget"},
        )
    assert set(raised.value.message_dict) == {"sku", "name", "currency", "list_price", "tax_rate", "kind"}
    assert Product.objects.count() == 1


def test_a_bundle_holds_products_not_bundles(owner, workspace, desk, chair):
    bundle = services.product_create(
        actor=owner,
        workspace=workspace,
        data={"sku": "BND", "name": "Desk set", "kind": "bundle", "currency": "EUR", "list_price": "999",
              "components": [{"product_id": desk.pk, "quantity": 1}, {"product_id": chair.pk, "quantity": 2}]},
    )  # fmt: skip
    assert [(c.product.sku, c.quantity) for c in bundle.components.all()] == [("DSK-1", Decimal("1.000")), ("CHR-1", Decimal("2.000"))]
    with pytest.raises(ValidationError) as raised:
        services.product_create(
            actor=owner,
            workspace=workspace,
            data={
                "sku": "BND2",
                "name": "Nested",
                "kind": "bundle",
                "currency": "EUR",
                "list_price": "1",
                "components": [{"product_id": bundle.pk}],
            },
        )
    assert list(raised.value.message_dict) == ["components.0.product_id"]
    with pytest.raises(ValidationError):
        services.product_delete(actor=owner, product=desk)  # it is in a bundle


def test_a_product_on_a_deal_is_deactivated_not_deleted(owner, rep, deal, desk):
    from amity.sales import services as sales_services

    sales_services.opportunity_set_line_items(actor=rep, opportunity=deal, items=[{"product_id": desk.pk}])
    with pytest.raises(ValidationError):
        services.product_delete(actor=owner, product=desk)
    services.product_update(actor=owner, product=desk, data={"active": False})
    # The deal keeps its line; re-saving the same lines is fine, adding the inactive product to another deal is not.
    sales_services.opportunity_set_line_items(actor=rep, opportunity=deal, items=[{"product_id": desk.pk, "quantity": 2}])
    assert AuditEntry.objects.filter(object_type="catalog.product", action="update").get().changes == {"active": [True, False]}


def test_the_api_lists_products_and_prices_them(api: Any, workspace, account, desk, chair, books):
    page = api.get("/api/v1/products", {"q": "desk"}).json()
    assert [item["sku"] for item in page["items"]] == ["DSK-1"]
    assert api.get("/api/v1/products", {"sort": "-list_price"}).json()["items"][0]["sku"] == "DSK-1"

    price = api.get(f"/api/v1/products/{desk.pk}/price", {"currency": "eur", "account_id": account.pk}).json()
    assert price == {
        "product_id": desk.pk, "unit_price": "550.00", "currency": "EUR", "source": "account",
        "price_book_id": books["own"].pk, "price_book_name": "Initech deal",
    }  # fmt: skip
    missing = api.get(f"/api/v1/products/{desk.pk}/price", {"currency": "JPY"})
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["field"] == "currency"


def test_the_api_manages_price_books_and_their_prices(api: Any, workspace, desk, chair):
    created = api.post("/api/v1/price-books", {"name": "Standard USD", "currency": "usd", "is_default": True})
    assert created.status_code == 201, created.content
    book = created.json()
    assert (book["currency"], book["scope"], book["entry_count"]) == ("USD", "default", 0)

    path = f"/api/v1/price-books/{book['id']}/entries"
    assert api.post(
        path, {"entries": [{"product_id": desk.pk, "unit_price": "699"}, {"product_id": chair.pk, "unit_price": "459"}]}
    ).json() == {"updated": 2}
    assert [(e["sku"], e["unit_price"]) for e in api.get(path).json()["items"]] == [("DSK-1", "699.00"), ("CHR-1", "459.00")]
    bad = api.post(path, {"entries": [{"product_id": desk.pk, "unit_price": "abc"}]})
    assert bad.status_code == 422
    assert api.delete(f"{path}/{chair.pk}").status_code == 204
    assert api.delete(f"{path}/{chair.pk}").status_code == 404
    assert PriceBookEntry.objects.filter(price_book_id=book["id"]).count() == 1
    assert api.get(f"/api/v1/price-books/{book['id']}").json()["entry_count"] == 1


def test_a_bundle_through_the_api(api: Any, desk, chair):
    response = api.post(
        "/api/v1/products",
        {"sku": "SET", "name": "Desk set", "kind": "bundle", "currency": "EUR", "list_price": "999",
         "components": [{"product_id": desk.pk}, {"product_id": chair.pk, "quantity": "2"}]},
    )  # fmt: skip
    assert response.status_code == 201, response.content
    assert [(c["sku"], c["quantity"]) for c in response.json()["components"]] == [("DSK-1", "1.000"), ("CHR-1", "2.000")]


@pytest.mark.parametrize("rows", [2, 25])
def test_the_product_list_costs_the_same_queries_at_any_size(rows, api: Any, owner, workspace, django_assert_max_num_queries):
    parts = [
        services.product_create(
            actor=owner, workspace=workspace, data={"sku": f"P{n}", "name": f"Part {n}", "currency": "EUR", "list_price": "1"}
        )
        for n in range(rows)
    ]
    for n in range(rows):
        services.product_create(
            actor=owner,
            workspace=workspace,
            data={
                "sku": f"B{n}",
                "name": f"Bundle {n}",
                "kind": "bundle",
                "currency": "EUR",
                "list_price": "1",
                "components": [{"product_id": parts[n].pk}],
            },
        )
    with django_assert_max_num_queries(6):
        assert len(api.get("/api/v1/products", {"limit": 100}).json()["items"]) == 2 * rows
    with django_assert_max_num_queries(6):
        assert api.get("/api/v1/price-books", {"limit": 100}).status_code == 200
