"""The catalog pages: the product list and form (bundles included), price books and their prices, by role and workspace."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest

from amity.catalog import services
from amity.catalog.models import BundleComponent, PriceBook, PriceBookEntry, Product
from amity.core.models import AuditEntry, FieldDefinition, User, Workspace
from amity.core.permissions import Role
from tests.factories import AccountFactory, member

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


def new_product(actor: User, workspace: Workspace, sku: str, name: str, **data: Any) -> Product:
    values = {"sku": sku, "name": name, "currency": "EUR", "list_price": "100", **data}
    return services.product_create(actor=actor, workspace=workspace, data=values)


@pytest.fixture
def manager_user(workspace: Workspace) -> User:
    return member(workspace, Role.MANAGER, email="mona@acme.test", full_name="Mona Manager")


@pytest.fixture
def desk(owner: User, workspace: Workspace) -> Product:
    return new_product(owner, workspace, "DESK-1", "Standing desk", list_price="640", cost="410", tax_rate="19", tax_category="standard")


@pytest.fixture
def book(owner: User, workspace: Workspace) -> PriceBook:
    return services.price_book_create(actor=owner, workspace=workspace, data={"name": "EUR list", "currency": "EUR", "is_default": True})


@pytest.fixture
def globex(other_workspace: Workspace) -> dict[str, Any]:
    outsider = member(other_workspace, Role.OWNER, email="hank@globex.test", full_name="Hank Scorpio")
    product = new_product(outsider, other_workspace, "DOOM-1", "Doomsday device")
    book = services.price_book_create(
        actor=outsider,
        workspace=other_workspace,
        data={"name": "Globex", "currency": "EUR", "entries": [{"product_id": product.pk, "unit_price": "9"}]},
    )
    return {"product": product, "book": book}


def product_form(**changes: Any) -> dict[str, Any]:
    values = {"sku": "CHAIR-1", "name": "Office chair", "kind": "product", "unit": "unit", "list_price": "250", "cost": "120"}
    values.update({"currency": "eur", "tax_rate": "19", "tax_category": "standard", "active": "on", "description": ""})
    return {**values, **changes}


# --- Products -------------------------------------------------------------------------------------------------------


def test_the_product_list_searches_and_filters_by_kind_status_and_category(client_as, owner, workspace, desk, queries_of):
    new_product(owner, workspace, "SUP-1", "Support hours", kind="service", unit="hour", tax_category="reduced")
    new_product(owner, workspace, "LAMP-1", "Desk lamp", active=False)
    client = client_as(owner)

    def names(query: str) -> list[str]:
        page = client.get(f"/w/acme/products/{query}")
        assert page.status_code == 200
        return [product.name for product in page.context["products"]]

    assert names("") == ["Desk lamp", "Standing desk", "Support hours"]
    assert names("?q=desk") == ["Desk lamp", "Standing desk"]
    assert names("?q=sup-") == ["Support hours"]
    assert names("?kind=service") == ["Support hours"]
    assert names("?active=no") == ["Desk lamp"]
    assert names("?active=yes&tax_category=standard") == ["Standing desk"]
    assert names("?sort=-list_price&active=yes") == ["Standing desk", "Support hours"]
    html = client.get("/w/acme/products/").content.decode()
    assert 'href="/w/acme/products/"' in html  # the nav entry
    assert "€640.00" in html


def test_the_product_list_loads_more_by_keyset_in_a_constant_number_of_queries(client_as, owner, workspace, queries_of):
    for number in range(3):
        new_product(owner, workspace, f"P-{number}", f"Product {number:03}")
    parts = [new_product(owner, workspace, f"PART-{n}", f"Part {n}") for n in range(2)]
    services.product_create(
        actor=owner,
        workspace=workspace,
        data={
            "sku": "B-1",
            "name": "Bundle 1",
            "kind": "bundle",
            "currency": "EUR",
            "list_price": "5",
            "components": [{"product_id": p.pk} for p in parts],
        },
    )
    client = client_as(owner)

    def count() -> int:
        return queries_of(client, "/w/acme/products/")

    count()  # the first visit also remembers the workspace
    few = count()
    for number in range(3, 40):
        new_product(owner, workspace, f"P-{number}", f"Product {number:03}")
    assert count() == few

    for number in range(40, 60):
        new_product(owner, workspace, f"P-{number}", f"Product {number:03}")
    first = client.get("/w/acme/products/?sort=sku")
    assert len(first.context["products"]) == 50
    assert first.context["next_url"].startswith("?sort=sku&cursor=")
    rest = client.get(f"/w/acme/products/{first.context['next_url']}", headers=HTMX)
    seen = re.findall(r'data-product="(\d+)"', first.content.decode() + rest.content.decode())
    assert len(seen) == len(set(seen)) == Product.objects.filter(workspace=workspace).count()
    assert "<html" not in rest.content.decode()


def test_a_manager_adds_a_product_and_it_is_audited(client_as, manager_user, workspace, queries_of):
    response = client_as(manager_user).post("/w/acme/products/new/", product_form())

    assert response.status_code == 302
    product = Product.objects.get(workspace=workspace, sku="CHAIR-1")
    assert (product.name, product.list_price, product.cost, product.currency, product.tax_rate) == (
        "Office chair", Decimal("250.00"), Decimal("120.00"), "EUR", Decimal("19.00"),
    )  # fmt: skip
    assert AuditEntry.objects.filter(
        workspace=workspace, object_type="catalog.product", object_id=str(product.pk), action="create"
    ).exists()


def test_a_bad_product_gets_422_with_each_field_named_and_saves_nothing(client_as, owner, workspace, desk):
    response = client_as(owner).post("/w/acme/products/new/", product_form(sku="desk-1", currency="XXQ"))

    assert response.status_code == 422
    errors = response.context["form"].errors
    assert "Another product has the SKU" in errors["sku"][0]
    assert "currency" in errors
    assert Product.objects.filter(workspace=workspace).count() == 1


def test_a_bundle_is_made_of_products_chosen_on_its_form(client_as, owner, workspace, desk):
    chair = new_product(owner, workspace, "CHAIR-1", "Office chair")
    data = product_form(sku="SET-1", name="Office set", kind="bundle", list_price="800")
    data |= {"component_product": [str(desk.pk), str(chair.pk), ""], "component_quantity": ["1", "2", "1"]}

    response = client_as(owner).post("/w/acme/products/new/", data)

    assert response.status_code == 302
    bundle = Product.objects.get(workspace=workspace, sku="SET-1")
    assert [(c.product.sku, c.quantity) for c in bundle.components.all()] == [("DESK-1", Decimal("1.000")), ("CHAIR-1", Decimal("2.000"))]

    page = client_as(owner).get(f"/w/acme/products/{bundle.pk}/")
    assert page.status_code == 200
    assert [row.product_id for row in page.context["form"].component_rows][:2] == [str(desk.pk), str(chair.pk)]

    empty = client_as(owner).post(f"/w/acme/products/{bundle.pk}/", {**data, "component_product": [""], "component_quantity": ["1"]})
    assert empty.status_code == 422
    assert empty.context["form"].component_errors == ["A bundle needs at least one product."]
    assert bundle.components.count() == 2


def test_a_bundle_part_error_is_shown_on_its_row(client_as, owner, workspace, desk):
    data = product_form(sku="SET-1", kind="bundle") | {"component_product": [str(desk.pk)], "component_quantity": ["-1"]}

    response = client_as(owner).post("/w/acme/products/new/", data)

    assert response.status_code == 422
    assert response.context["form"].component_rows[0].errors == ["Must be at least 0."]
    assert not Product.objects.filter(sku="SET-1").exists()


def test_editing_a_product_changes_it_and_audits_the_change(client_as, owner, workspace, desk):
    response = client_as(owner).post(
        f"/w/acme/products/{desk.pk}/", product_form(sku="DESK-1", name="Standing desk XL", list_price="700", active="")
    )

    assert response.status_code == 302
    desk.refresh_from_db()
    assert (desk.name, desk.list_price, desk.active) == ("Standing desk XL", Decimal("700.00"), False)
    entry = AuditEntry.objects.filter(object_type="catalog.product", object_id=str(desk.pk), action="update").latest("id")
    assert entry.changes["list_price"] == ["640.00", "700.00"]


@pytest.mark.parametrize(
    ("role", "view", "change"),
    [
        (Role.OWNER, 200, 302),
        (Role.ADMIN, 200, 302),
        (Role.MANAGER, 200, 302),
        (Role.SALES, 200, 403),
        (Role.MARKETING, 200, 403),
        (Role.SUPPORT, 200, 403),
        (Role.SUPPLY, 200, 403),
        (Role.VIEWER, 200, 403),
    ],
)
def test_what_each_role_may_do_in_the_catalog(client_as, workspace, desk, book, role, view, change):
    person = member(workspace, role, email=f"{role}-person@acme.test")
    client = client_as(person)

    assert client.get("/w/acme/products/").status_code == view
    page = client.get(f"/w/acme/products/{desk.pk}/")
    assert page.status_code == view
    assert page.context["form"].fields["name"].disabled is (change == 403)
    assert client.get("/w/acme/price-books/").status_code == view
    assert client.get(f"/w/acme/price-books/{book.pk}/").status_code == view
    assert client.get("/w/acme/products/new/").status_code == (200 if change == 302 else 403)
    assert client.get("/w/acme/price-books/new/").status_code == (200 if change == 302 else 403)
    assert client.post(f"/w/acme/products/{desk.pk}/", product_form(sku="DESK-1", name=f"Desk {role}")).status_code == change
    posted = client.post(f"/w/acme/price-books/{book.pk}/entries/", {"entry-product_id": desk.pk, "entry-unit_price": "600"})
    assert posted.status_code == change
    desk.refresh_from_db()
    assert (desk.name == f"Desk {role}") is (change == 302)
    assert PriceBookEntry.objects.filter(price_book=book).exists() is (change == 302)


def test_the_shell_shows_products_to_every_role_that_reads_the_catalog(client_as, workspace):
    supply = member(workspace, Role.SUPPLY, email="sam@acme.test")
    html = client_as(supply).get("/w/acme/").content.decode()
    assert 'href="/w/acme/products/"' in html


# --- Price books ----------------------------------------------------------------------------------------------------


def test_price_books_list_with_scope_and_count(client_as, owner, workspace, book, desk):
    services.price_book_set_prices(actor=owner, book=book, entries=[{"product_id": desk.pk, "unit_price": "600"}])
    initech = AccountFactory(workspace=workspace, name="Initech")
    services.price_book_create(actor=owner, workspace=workspace, data={"name": "Initech deal", "currency": "EUR", "account_id": initech.pk})

    page = client_as(owner).get("/w/acme/price-books/")

    assert page.status_code == 200
    assert [(b.name, b.scope, b.entry_count) for b in page.context["books"]] == [("EUR list", "default", 1), ("Initech deal", "account", 0)]
    html = page.content.decode()
    assert "Default for EUR" in html and "Initech" in html


def test_the_price_book_list_reads_a_constant_number_of_queries(client_as, owner, workspace, book, queries_of):
    client = client_as(owner)

    def count() -> int:
        return queries_of(client, "/w/acme/price-books/")

    count()  # the first visit also remembers the workspace
    few = count()
    for number in range(12):
        account = AccountFactory(workspace=workspace, name=f"Account {number}")
        services.price_book_create(
            actor=owner, workspace=workspace, data={"name": f"Book {number}", "currency": "EUR", "account_id": account.pk}
        )
    assert count() == few


def test_a_price_book_for_an_account_chosen_on_the_form(client_as, owner, workspace, queries_of):
    initech = AccountFactory(workspace=workspace, name="Initech")
    form = {"name": "Initech prices", "currency": "usd", "scope": "account", "account_id": initech.pk, "active": "on"}

    response = client_as(owner).post("/w/acme/price-books/new/", form)

    book = PriceBook.objects.get(workspace=workspace, name="Initech prices")
    assert response.status_code == 302 and response["Location"] == f"/w/acme/price-books/{book.pk}/"
    assert (book.currency, book.account, book.is_default, book.tag) == ("USD", initech, False, None)


def test_a_price_book_form_names_what_is_wrong(client_as, owner, workspace, book):
    missing = client_as(owner).post(
        "/w/acme/price-books/new/", {"name": "Key", "currency": "EUR", "scope": "account", "account_id": "999999"}
    )
    assert missing.status_code == 422
    assert missing.context["form"].errors["account_id"] == ["No account with id 999999 in this workspace."]
    unchosen = client_as(owner).post("/w/acme/price-books/new/", {"name": "Key", "currency": "EUR", "scope": "account", "q": "Initech"})
    assert unchosen.context["form"].errors["account_id"] == ["Choose the account these prices are for."]
    no_tag = client_as(owner).post("/w/acme/price-books/new/", {"name": "Key", "currency": "EUR", "scope": "segment", "tag": "vip"})
    assert no_tag.status_code == 422
    assert "No tag named 'vip'" in no_tag.context["form"].errors["tag"][0]
    same = client_as(owner).post("/w/acme/price-books/new/", {"name": "eur list", "currency": "EUR", "scope": "general"})
    assert same.status_code == 422
    assert "Another price book is called" in same.context["form"].errors["name"][0]
    assert PriceBook.objects.filter(workspace=workspace).count() == 1


def test_a_new_default_book_takes_over_its_currency(client_as, owner, workspace, book):
    response = client_as(owner).post(
        f"/w/acme/price-books/{book.pk}/edit/", {"name": "Old list", "currency": "EUR", "scope": "general", "active": "on"}
    )
    assert response.status_code == 302
    client_as(owner).post("/w/acme/price-books/new/", {"name": "EUR 2027", "currency": "EUR", "scope": "default", "active": "on"})

    defaults = list(PriceBook.objects.filter(workspace=workspace, is_default=True).values_list("name", flat=True))
    assert defaults == ["EUR 2027"]


def test_prices_are_added_changed_and_removed_on_the_book_page(client_as, owner, workspace, book, desk):
    client = client_as(owner)
    path = f"/w/acme/price-books/{book.pk}/"

    added = client.post(f"{path}entries/", {"entry-product_id": desk.pk, "entry-unit_price": "600"})
    assert added.status_code == 302
    changed = client.post(f"{path}entries/", {"entry-product_id": desk.pk, "entry-unit_price": "590.50"})
    assert changed.status_code == 302
    assert PriceBookEntry.objects.get(price_book=book, product=desk).unit_price == Decimal("590.50")
    page = client.get(path)
    assert [(e.product.sku, e.unit_price) for e in page.context["entries"]] == [("DESK-1", Decimal("590.50"))]

    bad = client.post(f"{path}entries/", {"entry-product_id": desk.pk, "entry-unit_price": "-3"})
    assert bad.status_code == 422
    assert "unit_price" in bad.context["entry_form"].errors

    removed = client.post(f"{path}entries/{desk.pk}/remove/")
    assert removed.status_code == 302
    assert not PriceBookEntry.objects.filter(price_book=book).exists()
    changes = [
        entry.changes for entry in AuditEntry.objects.filter(object_type="catalog.pricebook", object_id=str(book.pk)).order_by("id")
    ][1:]
    assert changes == [{"price.DESK-1": [None, "600.00"]}, {"price.DESK-1": ["600.00", "590.50"]}, {"price.DESK-1": ["590.50", None]}]


def test_the_book_page_reads_a_constant_number_of_queries(client_as, owner, workspace, book, queries_of):
    client = client_as(owner)

    def count() -> int:
        return queries_of(client, f"/w/acme/price-books/{book.pk}/")

    count()
    products = [new_product(owner, workspace, f"P-{n}", f"Product {n}") for n in range(2)]
    services.price_book_set_prices(actor=owner, book=book, entries=[{"product_id": p.pk, "unit_price": "1"} for p in products])
    few = count()
    products = [new_product(owner, workspace, f"Q-{n}", f"Product Q{n}") for n in range(20)]
    services.price_book_set_prices(actor=owner, book=book, entries=[{"product_id": p.pk, "unit_price": "1"} for p in products])
    assert count() == few


# --- Tenancy ------------------------------------------------------------------------------------------------------


def test_every_catalog_url_of_another_workspace_is_a_404_and_changes_nothing(client_as, owner, workspace, desk, book, globex):
    foreign_product, foreign_book = globex["product"], globex["book"]
    client = client_as(owner)
    before = (
        list(Product.objects.filter(workspace=foreign_book.workspace).values_list("name", "list_price", "active")),
        list(PriceBookEntry.objects.filter(price_book=foreign_book).values_list("product_id", "unit_price")),
        list(PriceBook.objects.filter(pk=foreign_book.pk).values_list("name", "is_default")),
        BundleComponent.objects.count(),
        AuditEntry.objects.filter(workspace=foreign_book.workspace).count(),
    )

    assert client.get(f"/w/acme/products/{foreign_product.pk}/").status_code == 404
    assert client.post(f"/w/acme/products/{foreign_product.pk}/", product_form(sku="DOOM-1")).status_code == 404
    assert client.get(f"/w/acme/price-books/{foreign_book.pk}/").status_code == 404
    assert client.get(f"/w/acme/price-books/{foreign_book.pk}/edit/").status_code == 404
    assert (
        client.post(f"/w/acme/price-books/{foreign_book.pk}/edit/", {"name": "x", "currency": "EUR", "scope": "general"}).status_code == 404
    )
    assert (
        client.post(f"/w/acme/price-books/{foreign_book.pk}/entries/", {"entry-product_id": desk.pk, "entry-unit_price": "1"}).status_code
        == 404
    )
    assert client.post(f"/w/acme/price-books/{foreign_book.pk}/entries/{foreign_product.pk}/remove/").status_code == 404
    # Another workspace's product in one's own book, or as a bundle part, is not there either.
    own = client.post(f"/w/acme/price-books/{book.pk}/entries/", {"entry-product_id": foreign_product.pk, "entry-unit_price": "1"})
    assert own.status_code == 422
    assert client.post(f"/w/acme/price-books/{book.pk}/entries/{foreign_product.pk}/remove/").status_code == 404
    bundle = product_form(sku="B-9", kind="bundle") | {"component_product": [str(foreign_product.pk)], "component_quantity": ["1"]}
    assert client.post("/w/acme/products/new/", bundle).status_code == 422
    # The other workspace's own pages are a 404 for a non-member.
    for path in (
        "products/",
        "products/new/",
        f"products/{foreign_product.pk}/",
        "price-books/",
        "price-books/new/",
        f"price-books/{foreign_book.pk}/",
    ):
        assert client.get(f"/w/globex/{path}").status_code == 404, path
    assert client.post(f"/w/globex/price-books/{foreign_book.pk}/entries/{foreign_product.pk}/remove/").status_code == 404

    after = (
        list(Product.objects.filter(workspace=foreign_book.workspace).values_list("name", "list_price", "active")),
        list(PriceBookEntry.objects.filter(price_book=foreign_book).values_list("product_id", "unit_price")),
        list(PriceBook.objects.filter(pk=foreign_book.pk).values_list("name", "is_default")),
        BundleComponent.objects.count(),
        AuditEntry.objects.filter(workspace=foreign_book.workspace).count(),
    )
    assert after == before
    assert not PriceBookEntry.objects.filter(price_book=book).exists()


def test_a_products_custom_fields_are_on_its_form(client_as, owner, workspace, desk):
    FieldDefinition.objects.create(workspace=workspace, object_type="product", key="colour", label="Colour", type="text")
    assert client_as(owner).get("/w/acme/settings/custom-fields/?object_type=product").status_code == 200

    response = client_as(owner).post(f"/w/acme/products/{desk.pk}/", product_form(sku="DESK-1", **{"custom.colour": "Oak"}))

    assert response.status_code == 302
    desk.refresh_from_db()
    assert desk.custom == {"colour": "Oak"}
    assert client_as(owner).get(f"/w/acme/products/{desk.pk}/").context["form"]["custom.colour"].value() == "Oak"
