"""Editing a deal on its page: its facts, its lines from the catalog (with their prices and totals) and its people."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from amity.catalog import services as catalog_services
from amity.catalog.models import Product
from amity.core.models import AuditEntry, FieldDefinition, User, Workspace
from amity.core.permissions import Role
from amity.customers.models import Account, Tag
from amity.sales import services
from amity.sales.models import LineItem, Opportunity, Pipeline
from tests.factories import AccountFactory, contact_at, member, new_deal

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


@pytest.fixture
def deal(rep: User, initech: Account, pipeline: Pipeline) -> Opportunity:
    return new_deal(rep, initech, "Initech office")


@pytest.fixture
def desk(owner: User, workspace: Workspace) -> Product:
    return catalog_services.product_create(
        actor=owner,
        workspace=workspace,
        data={"sku": "DESK-1", "name": "Standing desk", "currency": "EUR", "list_price": "640", "tax_rate": "19"},
    )


@pytest.fixture
def key_accounts(owner: User, workspace: Workspace, initech: Account, desk: Product) -> None:
    """Initech is tagged "key": its segment's book sells the desk for 560."""
    initech.tags.add(Tag.objects.create(workspace=workspace, name="key"))
    catalog_services.price_book_create(
        actor=owner,
        workspace=workspace,
        data={"name": "Key accounts", "currency": "EUR", "tag": "key", "entries": [{"product_id": desk.pk, "unit_price": "560"}]},
    )


@pytest.fixture
def globex(other_workspace: Workspace) -> dict[str, Any]:
    outsider = member(other_workspace, Role.OWNER, email="hank@globex.test", full_name="Hank Scorpio")
    services.sales_setup(workspace=other_workspace)
    account = AccountFactory(workspace=other_workspace, name="Globex")
    product = catalog_services.product_create(
        actor=outsider, workspace=other_workspace, data={"sku": "DOOM-1", "name": "Doomsday device", "currency": "EUR", "list_price": "9"}
    )
    person = contact_at(account, first_name="Frank", last_name="Grimes")
    deal = new_deal(outsider, account, "Globex doomsday device")
    services.opportunity_set_line_items(actor=outsider, opportunity=deal, items=[{"product_id": product.pk, "quantity": 1}])
    services.opportunity_set_contacts(actor=outsider, opportunity=deal, contacts=[{"contact_id": person.pk, "role": "user"}])
    return {"deal": deal, "product": product, "contact": person, "line": deal.line_items.get()}


def facts(**changes: Any) -> dict[str, Any]:
    values = {"name": "Initech office II", "amount": "15000", "currency": "usd", "expected_close_date": "2030-09-30", "probability": "40"}
    values |= {"owner_id": "", "next_step": "Send the floor plan", "competitors": "Globex, Hooli"}
    return {**values, **changes}


def state(deal: Opportunity) -> tuple[Any, ...]:
    deal.refresh_from_db()
    lines = list(deal.line_items.values_list("product_id", "quantity", "unit_price", "discount_percent"))
    people = list(deal.contact_roles.values_list("contact_id", "role", "is_primary"))
    return (deal.name, deal.amount, deal.currency, deal.probability, deal.owner_id, deal.competitors, deal.custom, lines, people)


# --- The facts ------------------------------------------------------------------------------------------------------


def test_the_deal_card_becomes_a_form_and_saves_every_fact(client_as, owner, rep, workspace, deal, queries_of):
    assert "Deals" in client_as(owner).get("/w/acme/settings/custom-fields/?object_type=opportunity").content.decode()
    FieldDefinition.objects.create(workspace=workspace, object_type="opportunity", key="region", label="Region", type="text")
    client = client_as(rep)

    form = client.get(f"/w/acme/deals/{deal.pk}/edit/", headers=HTMX)
    assert form.status_code == 200
    html = form.content.decode()
    assert 'id="deal-edit-form"' in html and "<html" not in html
    assert 'name="custom.region"' in html

    saved = client.post(f"/w/acme/deals/{deal.pk}/edit/", facts(owner_id=str(rep.pk), **{"custom.region": "EMEA"}), headers=HTMX)

    assert saved.status_code == 204
    assert saved["HX-Redirect"] == f"/w/acme/deals/{deal.pk}/"
    deal.refresh_from_db()
    assert (deal.name, deal.amount, deal.currency, deal.expected_close_date, deal.probability) == (
        "Initech office II", Decimal("15000.00"), "USD", dt.date(2030, 9, 30), 40,
    )  # fmt: skip
    assert (deal.owner, deal.next_step, deal.competitors, deal.custom) == (
        rep,
        "Send the floor plan",
        ["Globex", "Hooli"],
        {"region": "EMEA"},
    )
    entry = AuditEntry.objects.filter(object_type="sales.opportunity", object_id=str(deal.pk), action="update").latest("id")
    assert entry.changes["amount"] == ["1000.00", "15000.00"]
    page = client.get(f"/w/acme/deals/{deal.pk}/").content.decode()
    assert "Hooli" in page and "EMEA" in page and "Send the floor plan" in page


def test_bad_facts_get_422_with_each_field_named_and_change_nothing(client_as, rep, deal):
    before = state(deal)

    response = client_as(rep).post(f"/w/acme/deals/{deal.pk}/edit/", facts(name="", currency="XXQ", probability="140"), headers=HTMX)

    assert response.status_code == 422
    errors = response.context["form"].errors
    assert set(errors) >= {"name", "probability"}
    service = client_as(rep).post(f"/w/acme/deals/{deal.pk}/edit/", facts(currency="XXQ"))
    assert service.status_code == 422
    assert "currency" in service.context["form"].errors
    assert "<html" in service.content.decode()  # without htmx, the whole page with the form
    assert state(deal) == before


def test_a_deal_with_lines_keeps_its_amount_from_them(client_as, rep, deal, desk):
    services.opportunity_set_line_items(actor=rep, opportunity=deal, items=[{"product_id": desk.pk, "quantity": 2}])
    form = client_as(rep).get(f"/w/acme/deals/{deal.pk}/edit/")
    assert "amount" not in form.context["form"].fields and "currency" not in form.context["form"].fields

    client_as(rep).post(f"/w/acme/deals/{deal.pk}/edit/", facts())

    deal.refresh_from_db()
    assert (deal.name, deal.amount, deal.currency) == ("Initech office II", Decimal("1280.00"), "EUR")


def test_giving_a_deal_away_leads_back_to_the_list(client_as, rep, workspace, deal):
    stranger = member(workspace, Role.SALES, email="sam@acme.test", full_name="Sam Stranger")

    response = client_as(rep).post(f"/w/acme/deals/{deal.pk}/edit/", facts(owner_id=str(stranger.pk)), headers=HTMX)

    assert response["HX-Redirect"] == "/w/acme/deals/list/"
    deal.refresh_from_db()
    assert deal.owner == stranger


def test_a_closed_deal_has_no_probability_to_edit(client_as, rep, deal, pipeline):
    services.opportunity_win(actor=rep, opportunity=deal)
    form = client_as(rep).get(f"/w/acme/deals/{deal.pk}/edit/")
    assert "probability" not in form.context["form"].fields
    assert client_as(rep).post(f"/w/acme/deals/{deal.pk}/edit/", facts(currency="EUR")).status_code == 302


# --- Lines ----------------------------------------------------------------------------------------------------------


def test_a_product_is_offered_and_added_at_the_price_its_account_gets(client_as, rep, deal, desk, key_accounts):
    client = client_as(rep)
    offered = client.get(f"/w/acme/deals/{deal.pk}/pick/products/", {"q": "desk"}, headers=HTMX).context["options"]
    assert [(option.value, option.label, option.detail) for option in offered] == [
        (desk.pk, "Standing desk", "DESK-1 · €560.00 · Key accounts")
    ]

    added = client.post(
        f"/w/acme/deals/{deal.pk}/lines/", {"line-product_id": desk.pk, "line-quantity": "3", "line-discount_percent": "10"}, headers=HTMX
    )

    assert added.status_code == 200
    line = deal.line_items.get()
    assert (line.product, line.quantity, line.unit_price, line.discount_percent, line.tax_rate) == (
        desk, Decimal("3.000"), Decimal("560.00"), Decimal("10.00"), Decimal("19.00"),
    )  # fmt: skip
    assert (line.net_amount, line.tax_amount, line.total_amount) == (Decimal("1512.00"), Decimal("287.28"), Decimal("1799.28"))
    deal.refresh_from_db()
    assert deal.amount == Decimal("1512.00")
    html = added.content.decode()
    assert 'id="deal-lines"' in html and "<html" not in html
    assert "€1,799.28" in html  # the totals, redrawn
    assert 'id="deal-facts" hx-swap-oob="true"' in html  # the Deal card comes along with the new amount
    assert '<span id="deal-amount">€1,512.00</span>' in html
    assert AuditEntry.objects.filter(object_type="sales.opportunity", object_id=str(deal.pk)).latest("id").changes["line_items"][1] == [
        "3 × DESK-1 @ 560.00 -10% +19% tax"
    ]


def test_a_typed_unit_price_wins_over_the_catalog(client_as, rep, deal, desk):
    client_as(rep).post(f"/w/acme/deals/{deal.pk}/lines/", {"line-product_id": desk.pk, "line-quantity": "1", "line-unit_price": "500"})
    assert deal.line_items.get().unit_price == Decimal("500.00")


def test_a_line_that_cannot_be_added_names_why(client_as, owner, rep, deal, desk):
    client = client_as(rep)
    missing = client.post(f"/w/acme/deals/{deal.pk}/lines/", {"line-product_id": "", "line-quantity": "0"}, headers=HTMX)
    assert missing.status_code == 422
    assert set(missing.context["line_form"].errors) == {"product_id", "quantity"}
    usd = new_deal(rep, deal.account, "Initech US", currency="USD")
    unpriced = client.post(f"/w/acme/deals/{usd.pk}/lines/", {"line-product_id": desk.pk, "line-quantity": "1"}, headers=HTMX)
    assert unpriced.status_code == 422
    assert unpriced.context["line_form"].errors["unit_price"] == ["No price book prices DESK-1 in USD; give a unit price."]
    catalog_services.product_update(actor=owner, product=desk, data={"active": False})
    inactive = client.post(f"/w/acme/deals/{deal.pk}/lines/", {"line-product_id": desk.pk, "line-quantity": "1"})
    assert inactive.status_code == 422
    assert not LineItem.objects.exists()


def test_a_line_is_edited_in_its_row_and_the_totals_follow(client_as, rep, deal, desk):
    services.opportunity_set_line_items(
        actor=rep, opportunity=deal, items=[{"product_id": desk.pk, "quantity": 1}, {"name": "Delivery", "unit_price": "80"}]
    )
    delivery = deal.line_items.get(name="Delivery")
    client = client_as(rep)

    row = client.get(f"/w/acme/deals/{deal.pk}/lines/{delivery.pk}/", headers=HTMX)
    assert row.status_code == 200
    assert f'name="line-{delivery.pk}-quantity"' in row.content.decode()
    whole = client.get(f"/w/acme/deals/{deal.pk}/lines/{delivery.pk}/")  # without htmx: the page with the row as a form
    assert whole.status_code == 200
    assert "<html" in whole.content.decode() and f'name="line-{delivery.pk}-quantity"' in whole.content.decode()

    bad = client.post(
        f"/w/acme/deals/{deal.pk}/lines/{delivery.pk}/",
        {f"line-{delivery.pk}-quantity": "0", f"line-{delivery.pk}-unit_price": "80"},
        headers=HTMX,
    )
    assert bad.status_code == 422
    assert "quantity" in bad.context["editing_line"][1].errors

    saved = client.post(
        f"/w/acme/deals/{deal.pk}/lines/{delivery.pk}/",
        {f"line-{delivery.pk}-quantity": "2", f"line-{delivery.pk}-unit_price": "75", f"line-{delivery.pk}-discount_percent": "0"},
        headers=HTMX,
    )
    assert saved.status_code == 200
    delivery.refresh_from_db()
    assert (delivery.pk, delivery.quantity, delivery.unit_price, delivery.net_amount) == (
        delivery.pk,
        Decimal("2.000"),
        Decimal("75.00"),
        Decimal("150.00"),
    )
    deal.refresh_from_db()
    assert deal.amount == Decimal("790.00")


def test_removing_a_line_sums_the_others(client_as, rep, deal, desk):
    services.opportunity_set_line_items(
        actor=rep, opportunity=deal, items=[{"product_id": desk.pk, "quantity": 1}, {"name": "Delivery", "unit_price": "80"}]
    )
    desk_line = deal.line_items.get(product=desk)

    response = client_as(rep).post(f"/w/acme/deals/{deal.pk}/lines/{desk_line.pk}/remove/")

    assert response.status_code == 302
    deal.refresh_from_db()
    assert (list(deal.line_items.values_list("name", flat=True)), deal.amount) == (["Delivery"], Decimal("80.00"))


# --- People ---------------------------------------------------------------------------------------------------------


def test_people_are_added_given_roles_and_removed(client_as, rep, deal, initech):
    peter = contact_at(initech, first_name="Peter", last_name="Gibbons")
    bill = contact_at(initech, first_name="Bill", last_name="Lumbergh")
    client = client_as(rep)
    offered = client.get(f"/w/acme/deals/{deal.pk}/pick/contacts/", headers=HTMX).context["options"]
    assert [option.label for option in offered] == ["Peter Gibbons", "Bill Lumbergh"]

    added = client.post(
        f"/w/acme/deals/{deal.pk}/people/",
        {"person-contact_id": bill.pk, "person-role": "decision_maker", "person-is_primary": "on"},
        headers=HTMX,
    )
    assert added.status_code == 200 and 'id="deal-people"' in added.content.decode()
    client.post(f"/w/acme/deals/{deal.pk}/people/", {"person-contact_id": peter.pk, "person-role": "user"}, headers=HTMX)
    client.post(
        f"/w/acme/deals/{deal.pk}/people/{peter.pk}/",
        {f"person-{peter.pk}-role": "champion", f"person-{peter.pk}-is_primary": "on"},
        headers=HTMX,
    )

    assert sorted(deal.contact_roles.values_list("contact__first_name", "role", "is_primary")) == [
        ("Bill", "decision_maker", False), ("Peter", "champion", True),
    ]  # fmt: skip
    bad = client.post(f"/w/acme/deals/{deal.pk}/people/{peter.pk}/", {f"person-{peter.pk}-role": "boss"}, headers=HTMX)
    assert bad.status_code == 422
    assert bad.context["contact_errors"][0] == peter.pk

    removed = client.post(f"/w/acme/deals/{deal.pk}/people/{bill.pk}/remove/")
    assert removed.status_code == 302
    assert list(deal.contact_roles.values_list("contact_id", flat=True)) == [peter.pk]
    audited = AuditEntry.objects.filter(object_type="sales.opportunity", object_id=str(deal.pk)).latest("id")
    assert audited.changes["contacts"] == [sorted([f"{bill.pk}:decision_maker", f"{peter.pk}:champion"]), [f"{peter.pk}:champion"]]


def test_someone_already_on_the_deal_is_not_added_twice(client_as, rep, deal, initech):
    peter = contact_at(initech, first_name="Peter", last_name="Gibbons")
    services.opportunity_set_contacts(actor=rep, opportunity=deal, contacts=[{"contact_id": peter.pk, "role": "user"}])

    response = client_as(rep).post(f"/w/acme/deals/{deal.pk}/people/", {"person-contact_id": peter.pk, "person-role": "user"}, headers=HTMX)

    assert response.status_code == 422
    assert "contact_id" in response.context["contact_form"].errors
    assert deal.contact_roles.count() == 1


# --- Roles, tenancy and queries ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "edit"), [(Role.OWNER, True), (Role.MANAGER, True), (Role.SALES, True), (Role.MARKETING, False), (Role.VIEWER, False)]
)
def test_who_may_edit_a_deal(client_as, workspace, deal, desk, role, edit):
    user = member(workspace, role, email=f"{role}-editor@acme.test", full_name=f"{role.title()} Person")
    Opportunity.objects.filter(pk=deal.pk).update(owner=user)
    services.opportunity_set_line_items(
        actor=user if edit else member(workspace, Role.OWNER, email="o2@acme.test"),
        opportunity=deal,
        items=[{"name": "Delivery", "unit_price": "80"}],
    )
    line = deal.line_items.get()
    client = client_as(user)
    before = state(deal)

    page = client.get(f"/w/acme/deals/{deal.pk}/")
    assert page.status_code == 200
    assert page.context["can_edit"] is edit
    assert ('id="deal-line-form"' in page.content.decode()) is edit
    expected = 200 if edit else 403
    assert client.get(f"/w/acme/deals/{deal.pk}/edit/").status_code == expected
    if not edit:
        assert client.post(f"/w/acme/deals/{deal.pk}/edit/", facts()).status_code == 403
        assert client.post(f"/w/acme/deals/{deal.pk}/lines/", {"line-product_id": desk.pk, "line-quantity": "1"}).status_code == 403
        assert client.post(f"/w/acme/deals/{deal.pk}/lines/{line.pk}/remove/").status_code == 403
        assert state(deal) == before


def test_every_deal_editing_url_of_another_workspace_is_a_404_and_changes_nothing(client_as, rep, deal, desk, initech, globex):
    foreign, product, person, line = globex["deal"], globex["product"], globex["contact"], globex["line"]
    ours_line = services.opportunity_set_line_items(actor=rep, opportunity=deal, items=[{"product_id": desk.pk}]).line_items.get()
    peter = contact_at(initech, first_name="Peter", last_name="Gibbons")
    services.opportunity_set_contacts(actor=rep, opportunity=deal, contacts=[{"contact_id": peter.pk, "role": "user"}])
    theirs, ours = state(foreign), state(deal)
    client = client_as(rep)

    posts = {
        f"{foreign.pk}/edit/": facts(),
        f"{foreign.pk}/lines/": {"line-product_id": desk.pk, "line-quantity": "1"},
        f"{foreign.pk}/lines/{line.pk}/": {f"line-{line.pk}-quantity": "5", f"line-{line.pk}-unit_price": "1"},
        f"{foreign.pk}/lines/{line.pk}/remove/": {},
        f"{foreign.pk}/people/": {"person-contact_id": person.pk, "person-role": "user"},
        f"{foreign.pk}/people/{person.pk}/": {f"person-{person.pk}-role": "champion"},
        f"{foreign.pk}/people/{person.pk}/remove/": {},
        # Their line or person through our own deal.
        f"{deal.pk}/lines/{line.pk}/": {f"line-{line.pk}-quantity": "5", f"line-{line.pk}-unit_price": "1"},
        f"{deal.pk}/lines/{line.pk}/remove/": {},
        f"{deal.pk}/people/{person.pk}/": {f"person-{person.pk}-role": "champion"},
        f"{deal.pk}/people/{person.pk}/remove/": {},
    }
    for path, body in posts.items():
        assert client.post(f"/w/acme/deals/{path}", body).status_code == 404, path
        assert client.post(f"/w/globex/deals/{path}", body).status_code == 404, path
    for path in (f"{foreign.pk}/edit/", f"{foreign.pk}/lines/{line.pk}/", f"{deal.pk}/lines/{line.pk}/"):
        assert client.get(f"/w/acme/deals/{path}").status_code == 404, path
    # Their product or their contact on our deal: refused as unknown, nothing written.
    assert client.post(f"/w/acme/deals/{deal.pk}/lines/", {"line-product_id": product.pk, "line-quantity": "1"}).status_code == 422
    assert client.post(f"/w/acme/deals/{deal.pk}/people/", {"person-contact_id": person.pk, "person-role": "user"}).status_code == 422
    assert state(foreign) == theirs
    assert state(deal) == ours
    assert ours_line.pk in set(deal.line_items.values_list("pk", flat=True))


def test_the_deal_page_with_its_forms_reads_a_constant_number_of_queries(
    client_as, owner, rep, workspace, deal, initech, desk, key_accounts, queries_of
):
    client = client_as(rep)

    def count() -> int:
        return queries_of(client, f"/w/acme/deals/{deal.pk}/")

    # One product at its list price from the start: resolve_prices reads list prices in a query of their own.
    data = {"sku": "LIST-1", "name": "At list price", "currency": "EUR", "list_price": "7"}
    first = catalog_services.product_create(actor=owner, workspace=workspace, data=data)
    # A line and a person from the start too: their changes are on the deal's timeline, whose names cost a query per kind.
    services.opportunity_set_line_items(actor=rep, opportunity=deal, items=[{"product_id": first.pk}])
    someone = contact_at(initech, first_name="First", last_name="Person")
    services.opportunity_set_contacts(actor=rep, opportunity=deal, contacts=[{"contact_id": someone.pk, "role": "user"}])
    count()
    few = count()
    products = [
        catalog_services.product_create(
            actor=owner, workspace=workspace, data={"sku": f"P-{n}", "name": f"Part {n}", "currency": "EUR", "list_price": "5"}
        )
        for n in range(8)
    ]
    services.opportunity_set_line_items(actor=rep, opportunity=deal, items=[{"product_id": p.pk} for p in products])
    people = [contact_at(initech, first_name=f"Person{n}", last_name="Test") for n in range(6)]
    services.opportunity_set_contacts(actor=rep, opportunity=deal, contacts=[{"contact_id": p.pk, "role": "user"} for p in people[:3]])
    assert count() == few
