"""The deal page's search-as-you-type pickers: products by name or SKU, people by name or email (the account's first).

People come from the account's links and from the search index, as the services keep it on every write: the helper
`person` indexes each one it makes.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from amity.catalog import services as catalog_services
from amity.catalog.models import Product
from amity.core.models import User, Workspace
from amity.core.permissions import SENSITIVE_FIELDS, ObjectType, Role
from amity.customers.models import Account, Contact
from amity.sales import services
from amity.sales.models import Opportunity, Pipeline
from amity.sales.selectors.pickers import PICK_LIMIT, SEARCH_HITS
from amity.search import services as search_services
from tests.factories import AccountFactory, contact_at, member, new_deal

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


@pytest.fixture
def deal(rep: User, initech: Account, pipeline: Pipeline) -> Opportunity:
    return new_deal(rep, initech, "Initech office")


def product(owner: User, sku: str, name: str, **data: Any) -> Product:
    values = {"sku": sku, "name": name, "currency": "EUR", "list_price": "640", **data}
    return catalog_services.product_create(actor=owner, workspace=Workspace.objects.get(slug="acme"), data=values)


def person(account: Account, first: str, last: str, email: str = "") -> Contact:
    contact: Contact = contact_at(account, first_name=first, last_name=last)
    if email:
        Contact.objects.filter(pk=contact.pk).update(primary_email=email)
    search_services.index_records(object_type="contact", ids=[contact.pk])
    return contact


def options(client: Client, url: str, q: str = "") -> list[str]:
    """The values of the options a picker endpoint answers for `q`."""
    response = client.get(url, {"q": q}, headers=HTMX)
    assert response.status_code == 200, response.content
    return [str(option.value) for option in response.context["options"]]


def products_url(deal: Opportunity, slug: str = "acme") -> str:
    return f"/w/{slug}/deals/{deal.pk}/pick/products/"


def contacts_url(deal: Opportunity, slug: str = "acme") -> str:
    return f"/w/{slug}/deals/{deal.pk}/pick/contacts/"


# --- Products -------------------------------------------------------------------------------------------------------


def test_products_are_found_by_name_or_sku_with_the_deals_price(client_as, owner, rep, deal):
    desk = product(owner, "DESK-1", "Standing desk")
    chair = product(owner, "CHR-9", "Office chair", list_price="120")
    product(owner, "OLD-1", "Old standing desk", active=False)
    client = client_as(rep)

    assert options(client, products_url(deal), "stand") == [str(desk.pk)]
    assert options(client, products_url(deal), "chr-9") == [str(chair.pk)]
    assert options(client, products_url(deal), "office chair") == [str(chair.pk)]  # every word, in any field
    assert options(client, products_url(deal)) == [str(chair.pk), str(desk.pk)]  # nothing typed: the first by name
    html = client.get(products_url(deal), {"q": "desk"}, headers=HTMX).content.decode()
    assert 'role="option"' in html and f'data-value="{desk.pk}"' in html and "DESK-1 · €640.00" in html
    assert "Old standing desk" not in html
    assert "No active product matches." in client.get(products_url(deal), {"q": "sofa"}).content.decode()


def test_the_product_picker_answers_a_bounded_page_in_constant_queries(client_as, owner, rep, deal, queries_of):
    client = client_as(rep)
    for n in range(3):
        product(owner, f"P-{n}", f"Part {n}")
    queries_of(client, products_url(deal) + "?q=part")  # the first request of a session reads more
    few = queries_of(client, products_url(deal) + "?q=part")
    for n in range(3, PICK_LIMIT + 10):
        product(owner, f"P-{n}", f"Part {n}")
    assert queries_of(client, products_url(deal) + "?q=part") == few
    assert len(options(client, products_url(deal), "part")) == PICK_LIMIT


# --- People ---------------------------------------------------------------------------------------------------------


def test_people_are_found_by_name_or_email_the_accounts_first_and_not_those_on_the_deal(client_as, rep, workspace, deal, initech):
    elsewhere = AccountFactory(workspace=workspace, name="Penetrode")
    peter = person(initech, "Peter", "Gibbons", "peter@initech.test")
    bill = person(initech, "Bill", "Lumbergh", "bill@initech.test")
    other_peter = person(elsewhere, "Peter", "Anders", "peter@penetrode.test")
    gone = person(initech, "Peter", "Gone")
    Contact.objects.filter(pk=gone.pk).update(deleted_at="2030-01-01T00:00:00Z")
    client = client_as(rep)

    assert options(client, contacts_url(deal), "peter") == [str(peter.pk), str(other_peter.pk)]  # the account's people first
    assert options(client, contacts_url(deal), "bill@init") == [str(bill.pk)]
    assert options(client, contacts_url(deal), "peter gib") == [str(peter.pk)]
    html = client.get(contacts_url(deal), {"q": "peter"}, headers=HTMX).content.decode()
    assert "peter@initech.test" in html and ">Initech</span>" in html

    services.opportunity_set_contacts(actor=rep, opportunity=deal, contacts=[{"contact_id": peter.pk, "role": "user"}])
    assert options(client, contacts_url(deal), "peter") == [str(other_peter.pk)]


def test_people_beyond_the_account_come_from_the_search_index_and_must_match_every_word(client_as, rep, workspace, deal, initech):
    elsewhere = AccountFactory(workspace=workspace, name="Penetrode")
    samir = person(elsewhere, "Samir", "Nagheenanajar", "samir@penetrode.test")
    michael = person(elsewhere, "Michael", "Bolton", "michael@penetrode.test")
    client = client_as(rep)

    assert options(client, contacts_url(deal), "nagheen") == [str(samir.pk)]
    assert options(client, contacts_url(deal), "samir@pene") == [str(samir.pk)]
    assert options(client, contacts_url(deal), "penetrode") == [str(michael.pk), str(samir.pk)]  # by email, in the search's order
    assert options(client, contacts_url(deal), "Samir Bolton") == []  # every word, not any word
    assert options(client, contacts_url(deal), "Nagheenanajra") == []  # the search's typo step may propose him; the rule does not take him
    unindexed = contact_at(elsewhere, first_name="Lawrence", last_name="Unindexed")
    assert options(client, contacts_url(deal), "lawrence") == []  # nobody is found who is not in the index
    search_services.index_records(object_type="contact", ids=[unindexed.pk])
    assert options(client, contacts_url(deal), "lawrence") == [str(unindexed.pk)]


def test_nothing_typed_offers_the_accounts_people_only(client_as, rep, workspace, deal, initech):
    peter = person(initech, "Peter", "Gibbons")
    person(AccountFactory(workspace=workspace, name="Penetrode"), "Michael", "Bolton")
    client = client_as(rep)

    assert options(client, contacts_url(deal)) == [str(peter.pk)]
    Contact.objects.filter(pk=peter.pk).update(deleted_at="2030-01-01T00:00:00Z")
    assert "Type part of a name to find someone." in client.get(contacts_url(deal), headers=HTMX).content.decode()


def test_the_person_picker_answers_a_bounded_page_in_bounded_queries(client_as, rep, workspace, deal, initech, queries_of):
    """The account's people take one query; everyone else the search index's steps and one more. The count does not grow
    with the number of people: the search's typo step (one query) runs only while fewer than SEARCH_HITS match, so with
    many matches the count is one lower, and when the account's people fill the page the search does not run at all."""
    elsewhere = AccountFactory(workspace=workspace, name="Penetrode")
    client = client_as(rep)
    url = contacts_url(deal) + "?q=test"
    for n in range(3):
        person(initech, f"Person{n}", "Test", f"p{n}@initech.test")
        person(elsewhere, f"Other{n}", "Test", f"o{n}@penetrode.test")
    queries_of(client, url)  # the first request of a session reads more
    few = queries_of(client, url)
    for n in range(3, PICK_LIMIT):
        person(elsewhere, f"Other{n}", "Test", f"o{n}@penetrode.test")
    assert queries_of(client, url) == few
    for n in range(PICK_LIMIT, SEARCH_HITS + 5):
        person(elsewhere, f"Other{n}", "Test", f"o{n}@penetrode.test")
    assert queries_of(client, url) == few - 1  # enough matches: no typo step
    found = options(client, contacts_url(deal), "test")
    assert len(found) == PICK_LIMIT and found[:3] == [
        str(pk) for pk in initech.contacts.order_by("first_name").values_list("pk", flat=True)
    ]
    for n in range(3, PICK_LIMIT + 1):
        person(initech, f"Person{n}", "Test", f"p{n}@initech.test")
    assert queries_of(client, url) < few - 1  # the account's people fill the page: no search
    assert len(options(client, contacts_url(deal), "test")) == PICK_LIMIT


def test_a_role_kept_from_emails_neither_sees_nor_finds_people_by_them(client_as, rep, deal, initech, monkeypatch):
    monkeypatch.setitem(SENSITIVE_FIELDS, ObjectType.CONTACT, {**SENSITIVE_FIELDS[ObjectType.CONTACT], "emails": frozenset({Role.SALES})})
    peter = person(initech, "Peter", "Gibbons", "secret-peter@initech.test")
    client = client_as(rep)

    assert options(client, contacts_url(deal), "secret-peter") == []
    paula = person(AccountFactory(workspace=deal.workspace, name="Penetrode"), "Paula", "Hidden", "secret-paula@penetrode.test")
    assert options(client, contacts_url(deal), "secret-paula") == []  # the search index knows the address; the rule does not use it
    assert options(client, contacts_url(deal), "paula") == [str(paula.pk)]
    html = client.get(contacts_url(deal), {"q": "gibbons"}, headers=HTMX).content.decode()
    assert f'data-value="{peter.pk}"' in html
    assert "secret-peter" not in html


# --- Access and tenancy ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "status"), [(Role.OWNER, 200), (Role.SALES, 200), (Role.MARKETING, 403), (Role.VIEWER, 403)])
def test_only_those_who_may_edit_a_deal_use_its_pickers(client_as, workspace, deal, role, status):
    user = member(workspace, role, email=f"{role}-picker@acme.test")
    Opportunity.objects.filter(pk=deal.pk).update(owner=user)
    client = client_as(user)
    assert client.get(products_url(deal)).status_code == status
    assert client.get(contacts_url(deal)).status_code == status


def test_another_workspaces_products_and_people_never_appear_and_its_deals_pickers_are_404(
    client_as, owner, rep, deal, initech, other_workspace: Workspace
):
    outsider = member(other_workspace, Role.OWNER, email="hank@globex.test")
    services.sales_setup(workspace=other_workspace)
    globex = AccountFactory(workspace=other_workspace, name="Globex")
    catalog_services.product_create(
        actor=outsider, workspace=other_workspace, data={"sku": "DESK-9", "name": "Doomsday desk", "currency": "EUR", "list_price": "9"}
    )
    contact_at(globex, first_name="Frank", last_name="Grimes")
    theirs = new_deal(outsider, globex, "Globex doomsday")
    ours = product(owner, "DESK-1", "Standing desk")
    client = client_as(rep)

    assert options(client, products_url(deal), "desk") == [str(ours.pk)]
    assert options(client, contacts_url(deal), "frank") == []
    for url in (products_url(theirs), contacts_url(theirs), products_url(theirs, "globex"), contacts_url(theirs, "globex")):
        assert client.get(url, {"q": "desk"}).status_code == 404, url


def test_a_refused_line_shows_the_chosen_product_again(client_as, owner, rep, deal):
    desk = product(owner, "DESK-1", "Standing desk")
    response = client_as(rep).post(f"/w/acme/deals/{deal.pk}/lines/", {"line-product_id": desk.pk, "line-quantity": "0"}, headers=HTMX)
    assert response.status_code == 422
    html = response.content.decode()
    assert 'value="Standing desk"' in html and f'name="line-product_id" id="id_line-product_id" value="{desk.pk}"' in html


def test_a_picker_that_was_not_used_names_the_field(client_as, rep, deal):
    response = client_as(rep).post(f"/w/acme/deals/{deal.pk}/people/", {"person-contact_id": "", "person-role": "user"}, headers=HTMX)
    assert response.status_code == 422
    assert response.context["contact_form"].errors["contact_id"] == ["Choose a person."]


# --- Accents and case, on both sides --------------------------------------------------------------------------------


def test_the_pickers_ignore_accents_and_case_on_both_sides(client_as, owner, rep, workspace, deal, initech):
    jose = person(initech, "José", "Álvarez")
    elsewhere = AccountFactory(workspace=workspace, name="Penetrode")
    zoe = person(elsewhere, "Zoë", "Lefèvre", "zoe@penetrode.test")
    plain = person(elsewhere, "Jose", "Plain")
    client = client_as(rep)

    assert options(client, contacts_url(deal), "jose") == [str(jose.pk), str(plain.pk)]  # José is at the deal's account: first
    assert options(client, contacts_url(deal), "JOSÉ") == [str(jose.pk), str(plain.pk)]
    assert options(client, contacts_url(deal), "jose alvarez") == [str(jose.pk)]
    assert options(client, contacts_url(deal), "zoe lefevre") == [str(zoe.pk)]
    assert options(client, contacts_url(deal), "Lefèvre") == [str(zoe.pk)]
    html = client.get(contacts_url(deal), {"q": "alvarez"}, headers=HTMX).content.decode()
    assert "José Álvarez" in html and ">Initech</span>" in html

    cafe = product(owner, "CAF-É1", "Café crème")
    tea = product(owner, "TEA-1", "Thé vert")
    search_services.index_records(object_type="product", ids=[cafe.pk, tea.pk])
    assert options(client, products_url(deal), "cafe creme") == [str(cafe.pk)]
    assert options(client, products_url(deal), "CAFÉ") == [str(cafe.pk)]
    assert options(client, products_url(deal), "the") == [str(tea.pk)]
    assert options(client, products_url(deal), "caf-e1") == [str(cafe.pk)]  # the SKU, folded too
    fresh = product(owner, "NEW-1", "Crème brûlée")  # saved, not yet indexed: found as typed
    assert options(client, products_url(deal), "brûlée") == [str(fresh.pk)]


def test_the_account_picker_ignores_accents_and_case(client_as, rep, workspace):
    for name in ("Société Générale", "Societe Anonyme", "Zürich Re"):
        account = AccountFactory(workspace=workspace, name=name)
        search_services.index_records(object_type="account", ids=[account.pk])
    client = client_as(rep)

    def labels(q: str) -> list[str]:
        return [option.label for option in client.get("/w/acme/pick/accounts/", {"q": q}).context["options"]]

    assert labels("societe") == ["Societe Anonyme", "Société Générale"]
    assert labels("SOCIÉTÉ GÉN") == ["Société Générale"]
    assert labels("zurich") == ["Zürich Re"]


def test_the_folded_product_picker_keeps_its_constant_queries(client_as, owner, rep, deal, queries_of):
    client = client_as(rep)
    for number in range(3):
        search_services.index_records(object_type="product", ids=[product(owner, f"CAF-{number}", f"Café {number}").pk])
    queries_of(client, products_url(deal) + "?q=cafe")  # the first request of a session reads more
    few = queries_of(client, products_url(deal) + "?q=cafe")
    for number in range(3, PICK_LIMIT + 5):
        search_services.index_records(object_type="product", ids=[product(owner, f"CAF-{number}", f"Café {number}").pk])
    assert queries_of(client, products_url(deal) + "?q=cafe") == few
    assert len(options(client, products_url(deal), "cafe")) == PICK_LIMIT
