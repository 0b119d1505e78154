"""The deal pickers in a real browser: type part of a name, choose with the keyboard or a tap, and the line or person is added,
or the new deal gets its account."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from amity.catalog import services as catalog_services
from amity.core.permissions import Role
from amity.customers import services as customers
from amity.sales import services
from amity.sales.models import Opportunity
from amity.search import services as search_services
from tests.e2e.conftest import DESKTOP, PHONE, screenshot, sign_in
from tests.factories import PASSWORD, AccountFactory, WorkspaceFactory, contact_at, member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def deal(transactional_db) -> Opportunity:
    """Mona at Acme, Initech's office deal, 30 products (more than a page of suggestions) and people at Initech and elsewhere."""
    workspace = WorkspaceFactory(name="Acme", slug="acme")
    manager = member(workspace, Role.MANAGER, email="mona@acme.test", full_name="Mona Manager")
    services.sales_setup(workspace=workspace)
    initech = customers.account_create(actor=manager, workspace=workspace, data={"name": "Initech"})
    contact_at(initech, first_name="Bill", last_name="Lumbergh", title="Vice president")
    contact_at(initech, first_name="Peter", last_name="Gibbons")
    contact_at(AccountFactory(workspace=workspace, name="Penetrode"), first_name="Peter", last_name="Anders")
    for number, name in enumerate(["Standing desk", "Corner desk", "Desk lamp", *(f"Office chair {n}" for n in range(27))]):
        catalog_services.product_create(
            actor=manager,
            workspace=workspace,
            data={"sku": f"SKU-{number:02}", "name": name, "currency": "EUR", "list_price": "600", "tax_rate": "19"},
        )
    search_services.reindex_workspace(workspace=workspace)  # the factories' people, as the services would have indexed them
    return services.opportunity_create(
        actor=manager,
        workspace=workspace,
        data={"name": "Initech office", "account_id": initech.pk, "amount": "1000", "currency": "EUR", "expected_close_date": "2030-06-30"},
    )


def test_add_a_line_and_a_person_with_the_keyboard(open_page, deal):
    page = open_page(DESKTOP)
    sign_in(page, "mona@acme.test", PASSWORD)
    page.goto(f"/w/acme/deals/{deal.pk}/")

    lines = page.locator("#deal-lines")
    product = lines.get_by_role("combobox", name="Product")
    product.fill("desk")
    suggestions = lines.get_by_role("option")
    expect(suggestions).to_have_count(3)
    expect(product).to_have_attribute("aria-expanded", "true")
    product.press("ArrowDown")
    product.press("ArrowDown")
    expect(suggestions.nth(1)).to_have_attribute("aria-selected", "true")
    expect(product).to_have_attribute("aria-activedescendant", "id_line-product_id-options-1")
    screenshot(page, "deal-product-picker")
    product.press("Escape")
    expect(lines.get_by_role("listbox")).to_be_hidden()
    product.press("ArrowDown")  # opens the list again on its first suggestion
    product.press("Enter")
    expect(product).to_have_value("Corner desk")
    lines.get_by_label("Quantity").fill("2")
    lines.get_by_role("button", name="Add line").click()
    expect(page.locator("#line-items")).to_contain_text("Corner desk")
    line = deal.line_items.get()
    assert (line.name, line.quantity, line.unit_price) == ("Corner desk", Decimal("2.000"), Decimal("600.00"))

    people = page.locator("#deal-people")
    person = people.get_by_role("combobox", name="Person")
    person.fill("peter")
    expect(people.get_by_role("listbox").get_by_role("option")).to_have_text(
        ["Peter Gibbons Initech", "Peter Anders"]
    )  # Initech's people first
    screenshot(page, "deal-person-picker")
    person.press("ArrowUp")  # wraps round to the last
    person.press("Enter")
    expect(person).to_have_value("Peter Anders")
    people.get_by_role("button", name="Add person").click()
    expect(people.locator("li[data-contact]")).to_contain_text("Peter Anders")
    assert list(deal.contact_roles.values_list("contact__last_name", flat=True)) == ["Anders"]


def test_add_a_line_and_a_person_on_a_phone(open_page, deal):
    page = open_page(PHONE, has_touch=True, is_mobile=True)
    sign_in(page, "mona@acme.test", PASSWORD)
    page.goto(f"/w/acme/deals/{deal.pk}/")

    lines = page.locator("#deal-lines")
    product = lines.get_by_role("combobox", name="Product")
    product.tap()
    expect(lines.get_by_role("option")).to_have_count(20)  # nothing typed yet: the first page by name
    product.fill("sku-00")
    expect(lines.get_by_role("option")).to_have_text(["Standing desk SKU-00 · €600.00"])
    screenshot(page, "deal-product-picker")
    lines.get_by_role("option", name="Standing desk").tap()
    expect(product).to_have_value("Standing desk")
    lines.get_by_role("button", name="Add line").tap()
    expect(page.locator("#line-items")).to_contain_text("Standing desk")
    assert list(deal.line_items.values_list("name", flat=True)) == ["Standing desk"]

    people = page.locator("#deal-people")
    person = people.get_by_role("combobox", name="Person")
    person.scroll_into_view_if_needed()
    person.fill("lumb")
    expect(people.get_by_role("listbox").get_by_role("option")).to_have_text(["Bill Lumbergh Initech Vice president"])
    screenshot(page, "deal-person-picker")
    people.get_by_role("option", name="Bill Lumbergh").tap()
    people.get_by_role("button", name="Add person").tap()
    expect(people.locator("li[data-contact]")).to_contain_text("Bill Lumbergh")
    assert list(deal.contact_roles.values_list("contact__last_name", flat=True)) == ["Lumbergh"]


def test_open_a_new_deal_choosing_its_account_with_the_keyboard_and_on_a_phone(open_page, deal):
    page = open_page(DESKTOP)
    sign_in(page, "mona@acme.test", PASSWORD)
    page.goto("/w/acme/deals/new/")
    account = page.get_by_role("combobox", name="Account")
    account.fill("ini")
    expect(page.get_by_role("listbox").get_by_role("option")).to_have_text(["Initech"])
    account.press("ArrowDown")
    account.press("Enter")
    expect(account).to_have_value("Initech")
    page.get_by_label("Deal name").fill("Initech chairs")
    page.get_by_label("Expected close date").fill("2031-03-31")
    screenshot(page, "new-deal")
    page.get_by_role("button", name="Create deal").click()
    expect(page).to_have_url(re.compile(r"/w/acme/deals/\d+/$"))
    assert Opportunity.objects.get(name="Initech chairs").account.name == "Initech"

    phone = open_page(PHONE, has_touch=True, is_mobile=True)
    sign_in(phone, "mona@acme.test", PASSWORD)
    phone.goto("/w/acme/deals/new/")
    account = phone.get_by_role("combobox", name="Account")
    account.tap()
    expect(phone.get_by_role("listbox").get_by_role("option")).to_have_text(["Initech", "Penetrode"])  # nothing typed: by name
    account.fill("pene")
    expect(phone.get_by_role("listbox").get_by_role("option")).to_have_count(1)
    screenshot(phone, "new-deal")
    phone.get_by_role("option", name="Penetrode").tap()
    expect(account).to_have_value("Penetrode")
    phone.get_by_label("Deal name").fill("Penetrode desks")
    phone.get_by_label("Expected close date").fill("2031-06-30")
    phone.get_by_role("button", name="Create deal").tap()
    expect(phone).to_have_url(re.compile(r"/w/acme/deals/\d+/$"))
    assert Opportunity.objects.get(name="Penetrode desks").account.name == "Penetrode"
