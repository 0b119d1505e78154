"""The account and person pickers beyond the deal page, in a real browser: a contact's accounts, a price book's account and
the quote builder's "Addressed to", with the keyboard at 1280×800 and with taps at 390×844."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from amity.catalog.models import PriceBook
from amity.core.permissions import Role
from amity.customers import services as customers
from amity.customers.models import Contact
from amity.sales import services
from amity.sales.models import Quote
from amity.search import services as search_services
from tests.e2e.conftest import DESKTOP, PHONE, screenshot, sign_in
from tests.factories import PASSWORD, AccountFactory, WorkspaceFactory, contact_at, member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def acme(transactional_db) -> dict[str, object]:
    """Mona at Acme; Initech (Peter, Bill) and Société Générale (José), and a quote for Initech addressed to Peter."""
    workspace = WorkspaceFactory(name="Acme", slug="acme")
    manager = member(workspace, Role.MANAGER, email="mona@acme.test", full_name="Mona Manager")
    services.sales_setup(workspace=workspace)
    initech = customers.account_create(actor=manager, workspace=workspace, data={"name": "Initech"})
    societe = customers.account_create(actor=manager, workspace=workspace, data={"name": "Société Générale"})
    peter = contact_at(initech, first_name="Peter", last_name="Gibbons")
    contact_at(initech, first_name="Bill", last_name="Lumbergh", title="Vice president")
    contact_at(societe, first_name="José", last_name="Álvarez")
    for number in range(25):  # more accounts than a page of suggestions
        AccountFactory(workspace=workspace, name=f"Vendor {number:02}")
    search_services.reindex_workspace(workspace=workspace)
    deal = services.opportunity_create(
        actor=manager, workspace=workspace,
        data={"name": "Initech office", "account_id": initech.pk, "currency": "EUR", "amount": "1000",
              "contacts": [{"contact_id": peter.pk, "role": "decision_maker", "is_primary": True}]},
    )  # fmt: skip
    quote = services.quote_create_from_opportunity(actor=manager, opportunity=deal)
    return {"peter": peter, "initech": initech, "societe": societe, "quote": quote}


def test_a_contacts_accounts_and_a_price_books_account_with_the_keyboard(open_page, acme):
    page = open_page(DESKTOP)
    sign_in(page, "mona@acme.test", PASSWORD)
    peter = acme["peter"]
    page.goto(f"/w/acme/contacts/{peter.pk}/")
    card = page.locator("#profile-accounts")
    card.get_by_role("button", name="Edit accounts").click()
    first = card.get_by_role("combobox", name="Account 1")
    expect(first).to_have_value("Initech")
    second = card.get_by_role("combobox", name="Account 2")
    second.fill("societe")  # no accent typed: found all the same
    expect(card.get_by_role("option")).to_have_text(["Société Générale"])
    second.press("ArrowDown")
    second.press("Enter")
    expect(second).to_have_value("Société Générale")
    card.locator("input[name='accounts-role']").nth(1).fill("Adviser")
    screenshot(page, "contact-accounts-picker")
    card.get_by_role("button", name="Save").click()
    expect(page.locator("#profile-accounts")).to_contain_text("Société Générale")
    page.wait_for_load_state("networkidle")
    assert sorted(Contact.objects.get(pk=peter.pk).account_contacts.values_list("account__name", "role")) == [
        ("Initech", ""),
        ("Société Générale", "Adviser"),
    ]

    page.goto("/w/acme/price-books/new/")
    page.get_by_label("Name", exact=True).fill("Initech prices")
    page.get_by_label("Currency", exact=True).fill("EUR")
    page.get_by_label("One account").check()
    account = page.get_by_role("combobox", name="Account")
    account.fill("vendor")
    expect(page.get_by_role("listbox").get_by_role("option")).to_have_count(20)
    account.fill("ini")
    expect(page.get_by_role("listbox").get_by_role("option")).to_have_text(["Initech"])
    account.press("ArrowDown")
    account.press("Enter")
    screenshot(page, "price-book-account-picker")
    page.get_by_role("button", name="Create price book").click()
    expect(page.get_by_role("heading", name="Initech prices")).to_be_visible()
    assert PriceBook.objects.get(name="Initech prices").account_id == acme["initech"].pk


def test_a_contacts_account_chosen_with_taps_on_a_phone(open_page, acme):
    phone = open_page(PHONE, has_touch=True, is_mobile=True)
    sign_in(phone, "mona@acme.test", PASSWORD)
    peter = acme["peter"]
    phone.goto(f"/w/acme/contacts/{peter.pk}/")
    card = phone.locator("#profile-accounts")
    card.get_by_role("button", name="Edit accounts").tap()
    second = card.get_by_role("combobox", name="Account 2")
    second.tap()
    expect(card.get_by_role("option")).to_have_count(20)  # nothing typed: the first accounts by name
    second.fill("gener")
    expect(card.get_by_role("option")).to_have_text(["Société Générale"])
    screenshot(phone, "contact-accounts-picker")
    card.get_by_role("option", name="Société Générale").tap()
    expect(second).to_have_value("Société Générale")
    card.get_by_role("button", name="Save").tap()
    expect(phone.locator("#profile-accounts")).to_contain_text("Société Générale")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.wait_for_load_state("networkidle")  # the timeline redraws after a save: let the server finish before reading
    assert sorted(Contact.objects.get(pk=peter.pk).accounts.values_list("name", flat=True)) == ["Initech", "Société Générale"]


def test_the_quotes_addressed_to_with_the_keyboard_and_on_a_phone(open_page, acme):
    quote = acme["quote"]
    page = open_page(DESKTOP)
    sign_in(page, "mona@acme.test", PASSWORD)
    page.goto(f"/w/acme/quotes/{quote.pk}/edit/")
    person = page.get_by_role("combobox", name="Addressed to")
    expect(person).to_have_value("Peter Gibbons")
    person.fill("lumb")
    expect(page.locator("#quote-contact-options").get_by_role("option")).to_have_text(["Bill Lumbergh Initech Vice president"])
    person.press("ArrowDown")
    person.press("Enter")
    expect(person).to_have_value("Bill Lumbergh")
    screenshot(page, "quote-addressed-to")
    page.get_by_role("button", name="Save quote").click()
    expect(page).to_have_url(re.compile(rf"/w/acme/quotes/{quote.pk}/$"))
    assert Quote.objects.get(pk=quote.pk).contact.last_name == "Lumbergh"

    phone = open_page(PHONE, has_touch=True, is_mobile=True)
    sign_in(phone, "mona@acme.test", PASSWORD)
    phone.goto(f"/w/acme/quotes/{quote.pk}/edit/")
    person = phone.get_by_role("combobox", name="Addressed to")
    person.scroll_into_view_if_needed()
    person.tap()
    expect(phone.locator("#quote-contact-options").get_by_role("option")).to_have_text(["Bill Lumbergh Initech Vice president"])
    person.fill("")
    expect(phone.locator("#quote-contact-options").get_by_role("option")).to_have_count(2)  # nothing typed: Initech's people
    person.fill("jose")
    expect(phone.locator("#quote-contact-options").get_by_role("option")).to_have_text(["José Álvarez"])
    screenshot(phone, "quote-addressed-to")
    phone.locator("#quote-contact-options").get_by_role("option", name="José Álvarez").tap()
    expect(person).to_have_value("José Álvarez")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
