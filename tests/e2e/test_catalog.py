"""The catalog and a deal's lines in a real browser: create a product, put it on a deal at its price, see the totals."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from amity.catalog.models import Product
from amity.core.permissions import Role
from amity.customers import services as customers
from amity.sales import services
from tests.e2e.conftest import PHONE, screenshot, sign_in
from tests.factories import PASSWORD, WorkspaceFactory, contact_at, member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def deal(transactional_db):
    """Mona, a sales manager at Acme, and Initech's office deal with no lines yet."""
    workspace = WorkspaceFactory(name="Acme", slug="acme")
    manager = member(workspace, Role.MANAGER, email="mona@acme.test", full_name="Mona Manager")
    services.sales_setup(workspace=workspace)
    initech = customers.account_create(actor=manager, workspace=workspace, data={"name": "Initech"})
    contact_at(initech, first_name="Bill", last_name="Lumbergh")
    return services.opportunity_create(
        actor=manager,
        workspace=workspace,
        data={"name": "Initech office", "account_id": initech.pk, "amount": "1000", "currency": "EUR", "expected_close_date": "2030-06-30"},
    )


def test_create_a_product_and_sell_it_on_a_deal(open_page, deal):
    page = open_page()
    sign_in(page, "mona@acme.test", PASSWORD)

    # The catalog, from the menu: a new product.
    page.get_by_role("link", name="Products").click()
    expect(page.get_by_role("heading", name="Products")).to_be_visible()
    page.get_by_role("link", name="New product").click()
    page.get_by_label("SKU").fill("DESK-1")
    page.get_by_label("Name", exact=True).fill("Standing desk")
    page.get_by_label("Unit", exact=True).fill("desk")
    page.get_by_label("List price").fill("640")
    page.get_by_label("Cost").fill("410")
    page.get_by_label("Tax rate (%)").fill("19")
    page.get_by_label("Category").fill("standard")
    expect(page.locator("#bundle-parts")).to_be_hidden()
    screenshot(page, "catalog-product-form")
    page.get_by_role("button", name="Add product").click()
    expect(page.locator("#product-table")).to_contain_text("Standing desk")
    expect(page.locator("#product-table")).to_contain_text("€640.00")
    screenshot(page, "catalog-products")
    desk = Product.objects.get(sku="DESK-1")
    assert (desk.list_price, desk.cost, desk.tax_rate) == (Decimal("640.00"), Decimal("410.00"), Decimal("19.00"))

    # A price book: the default prices in euros, where the desk sells for 600.
    page.get_by_role("link", name="Price books").click()
    page.get_by_role("link", name="New price book").click()
    page.get_by_label("Name", exact=True).fill("EUR 2027")
    page.get_by_label("Currency", exact=True).fill("EUR")
    page.get_by_label("Everyone: the default prices of its currency").check()
    page.get_by_role("button", name="Create price book").click()
    entry = page.locator("#price-entry-form")
    entry.get_by_label("Product").select_option(label="Standing desk (DESK-1)")
    entry.get_by_label("Unit price").fill("600")
    entry.get_by_role("button", name="Save price").click()
    expect(page.locator("#price-entries")).to_contain_text("Standing desk")
    expect(page.locator("#price-entries input[name='entry-unit_price']")).to_have_value("600.00")
    screenshot(page, "catalog-price-book")

    # On the deal's page: add it as a line at the price the book gives, 3 of them with 10% off.
    page.goto(f"/w/acme/deals/{deal.pk}/")
    lines = page.locator("#deal-lines")
    product = lines.get_by_role("combobox", name="Product")
    product.fill("desk")
    expect(lines.get_by_role("option")).to_have_text(["Standing desk DESK-1 · €600.00 · EUR 2027"])
    product.press("ArrowDown")
    product.press("Enter")
    expect(product).to_have_value("Standing desk")
    lines.get_by_label("Quantity").fill("3")
    lines.get_by_label("Discount (%)").fill("10")
    lines.get_by_role("button", name="Add line").click()
    totals = page.locator("#line-totals")
    expect(totals).to_contain_text("€1,620.00")  # net: 3 × 600 less 10%
    expect(totals).to_contain_text("€1,927.80")  # with 19% tax
    expect(page.locator("#deal-amount")).to_have_text("€1,620.00")
    expect(page.locator("#deal-facts")).to_contain_text("€162.00 weighted")  # the Deal card is redrawn with the lines
    screenshot(page, "deal-lines")
    line = deal.line_items.get()
    assert (line.product_id, line.quantity, line.unit_price, line.net_amount) == (
        desk.pk,
        Decimal("3.000"),
        Decimal("600.00"),
        Decimal("1620.00"),
    )

    # Edit the line in its row: the totals follow without a reload.
    page.get_by_role("link", name="Edit Standing desk").click()
    row = page.locator("tr.amity-line-editing")
    row.get_by_label("Quantity").fill("2")
    row.get_by_role("button", name="Save line").click()
    expect(totals).to_contain_text("€1,080.00")
    expect(page.locator("#deal-amount")).to_have_text("€1,080.00")

    # The facts card edits in place too.
    page.locator("#deal-edit-button").click()
    page.get_by_label("Next step").fill("Send the floor plan")
    page.get_by_label("Competitors").fill("Globex, Hooli")
    page.get_by_role("button", name="Save deal").click()
    expect(page.locator("#deal-facts")).to_contain_text("Send the floor plan")
    expect(page.locator("#deal-facts")).to_contain_text("Hooli")
    # A person from the account, as the deal's decision maker.
    people = page.locator("#deal-people")
    people.get_by_role("combobox", name="Person").fill("lumb")
    people.get_by_role("option", name="Bill Lumbergh").click()
    people.get_by_label("Role").select_option(label="Decision maker")
    people.get_by_role("button", name="Add person").click()
    expect(people.locator("li[data-contact]")).to_contain_text("Decision maker")
    screenshot(page, "deal-edited")
    assert list(deal.contact_roles.values_list("contact__last_name", "role")) == [("Lumbergh", "decision_maker")]

    deal.refresh_from_db()
    assert (deal.amount, deal.next_step, deal.competitors) == (Decimal("1080.00"), "Send the floor plan", ["Globex", "Hooli"])

    # The deal list saved as a view, for next time.
    page.goto("/w/acme/deals/list/?sort=-amount")
    page.get_by_role("button", name="Views").click()
    page.get_by_role("button", name="Save as new view…").click()
    page.get_by_label("View name").fill("Biggest first")
    page.get_by_role("button", name="Save view").click()
    expect(page.locator("h1")).to_contain_text("Biggest first")
    page.get_by_role("button", name="Export").click()
    screenshot(page, "deal-list-view")

    phone = open_page(PHONE)
    sign_in(phone, "mona@acme.test", PASSWORD)
    phone.goto(f"/w/acme/deals/{deal.pk}/")
    phone.locator("#deal-lines").scroll_into_view_if_needed()
    screenshot(phone, "deal-lines")
    phone.goto("/w/acme/products/")
    screenshot(phone, "catalog-products")
