"""Quotes to cash in a real browser: build a quote from a deal, the customer accepts it through their link,
the order is delivered and invoiced, and a payment is recorded. Screenshots of each step at both sizes."""

from __future__ import annotations

import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from amity.catalog import services as catalog
from amity.core.permissions import Role
from amity.customers import services as customers
from amity.orders.models import Invoice, SalesOrder
from amity.sales import services
from amity.sales.models import Quote
from tests.e2e.conftest import DESKTOP, PHONE, SCREENSHOTS, screenshot, sign_in
from tests.factories import PASSWORD, WorkspaceFactory, contact_at, member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def deal(transactional_db):
    """Acme (the seller) and its deal with Initech for ten desks, priced from the catalog."""
    workspace = WorkspaceFactory(name="Acme Office Furniture", slug="acme")
    manager = member(workspace, Role.MANAGER, email="mona@acme.test", full_name="Mona Manager")
    account = customers.account_create(actor=manager, workspace=workspace, data={"name": "Initech"})
    peter = contact_at(account, first_name="Peter", last_name="Gibbons")
    desk = catalog.product_create(actor=manager, workspace=workspace,
                                  data={"sku": "DSK-1", "name": "Standing desk", "currency": "EUR", "list_price": "649.00", "tax_rate": "19"})  # fmt: skip
    catalog.product_create(actor=manager, workspace=workspace,
                           data={"sku": "CHR-1", "name": "Ergonomic chair", "currency": "EUR", "list_price": "429.00", "tax_rate": "19"})  # fmt: skip
    return services.opportunity_create(
        actor=manager, workspace=workspace,
        data={"name": "Initech office", "account_id": account.pk, "currency": "EUR",
              "contacts": [{"contact_id": peter.pk, "role": "decision_maker", "is_primary": True}],
              "line_items": [{"product_id": desk.pk, "quantity": "10", "discount_percent": "10"}]},
    )  # fmt: skip


def test_build_a_quote_accept_it_as_the_customer_invoice_and_get_paid(open_page, deal, browser):
    page = open_page(DESKTOP)
    sign_in(page, "mona@acme.test", PASSWORD)
    page.goto(f"/w/acme/deals/{deal.pk}/")
    page.get_by_role("button", name="Create quote").click()

    # The builder: the deal's desks are there; add chairs from the catalog and watch the totals follow.
    expect(page.get_by_role("heading", name="Lines")).to_be_visible()
    expect(page.locator("#quote-total")).to_have_text("€6,950.79")
    # "Add a product" with the keyboard: type, arrow down, Enter; the box empties for the next product.
    adder = page.get_by_role("combobox", name="Add a product")
    adder.fill("chair")
    suggestions = page.locator(".amity-product-picker").get_by_role("option")
    expect(suggestions).to_have_text(["Ergonomic chair CHR-1 · €429.00"])
    screenshot(page, "quote-builder-picker")
    adder.press("ArrowDown")
    adder.press("Enter")
    chair_row = page.locator("[data-line]").nth(1)
    expect(chair_row.get_by_label("Item")).to_have_value("Ergonomic chair")
    expect(chair_row.get_by_label("Unit price")).to_have_value("429.00")
    expect(chair_row.get_by_label("Tax percent")).to_have_value("19")
    expect(adder).to_have_value("")
    adder.press("Enter")  # with the suggestions closed, Enter in the box does not save the quote
    expect(page.locator("[data-line]")).to_have_count(2)
    assert page.url.endswith("/edit/")
    chair_row.get_by_label("Quantity").fill("10")
    chair_row.get_by_label("Discount percent").fill("5")
    expect(page.locator("#quote-total")).to_have_text("€11,800.64")
    page.get_by_label("Note to the customer").fill("Delivery and installation in week 12.")
    screenshot(page, "quote-builder")
    phone = open_page(PHONE, has_touch=True, is_mobile=True)
    sign_in(phone, "mona@acme.test", PASSWORD)
    phone.goto(page.url)
    expect(phone.get_by_role("heading", name="Lines")).to_be_visible()
    screenshot(phone, "quote-builder")
    # On a phone: tap the box, type, tap a suggestion (this page is not saved; the laptop's is).
    assert phone.evaluate("document.documentElement.scrollWidth") == PHONE["width"]  # only the lines scroll sideways, not the page
    phone_adder = phone.get_by_role("combobox", name="Add a product")
    phone_adder.tap()
    expect(phone.locator(".amity-product-picker").get_by_role("option")).to_have_count(2)  # nothing typed: the catalog by name
    phone_adder.fill("desk")
    expect(phone.locator(".amity-product-picker").get_by_role("option")).to_have_text(["Standing desk DSK-1 · €649.00"])
    screenshot(phone, "quote-builder-picker")
    phone.locator(".amity-product-picker").get_by_role("option", name="Standing desk").tap()
    expect(phone.locator("[data-line]")).to_have_count(2)
    expect(phone.locator("#quote-total")).to_have_text("€7,723.10")

    page.get_by_role("button", name="Save and send…").click()
    expect(page.get_by_text("€11,800.64").first).to_be_visible()
    page.get_by_label("Email").fill("peter@initech.test")
    # The test's tasks run inside the request (in production the worker renders the PDF and sends it): allow for that.
    page.get_by_role("button", name="Send quote").click(timeout=60_000)
    expect(page.locator(".page-title .badge")).to_have_text("Sent", timeout=30_000)
    quote = Quote.objects.get()
    assert quote.total_amount == Decimal("11800.64")

    # The customer, without an account, on a phone and on a laptop.
    customer = open_page(PHONE)
    customer.goto(f"/q/{quote.public_token}/")
    expect(customer.get_by_role("heading", name="Initech office")).to_be_visible()
    expect(customer.get_by_text("Acme Office Furniture").first).to_be_visible()
    screenshot(customer, "quote-public")
    laptop = open_page(DESKTOP)
    laptop.goto(f"/q/{quote.public_token}/")
    screenshot(laptop, "quote-public")
    customer.get_by_label("Your full name").fill("Peter Gibbons")
    customer.get_by_role("button", name="Accept quote").click()
    expect(customer.get_by_text("Thank you, Peter Gibbons.")).to_be_visible()
    order = SalesOrder.objects.get()

    # Back office: deliver the desks now and the chairs later, invoice, record a payment.
    page.goto(f"/w/acme/quotes/{quote.pk}/")
    page.get_by_role("link", name=order.number).click()
    page.get_by_label("Deliver now: Ergonomic chair").fill("4")
    page.get_by_role("button", name="Record delivery").click()
    expect(page.locator(".page-title .badge")).to_have_text("Partially fulfilled")
    screenshot(page, "order")
    phone.goto(page.url)
    screenshot(phone, "order")

    page.get_by_role("button", name="Create invoice").click()
    expect(page.locator(".page-title")).to_contain_text("Invoice INV-")
    invoice = Invoice.objects.get()
    page.get_by_label("Amount (EUR)").fill("5000.00")
    page.get_by_label("Reference").fill("TRX-4711")
    page.get_by_role("button", name="Record payment").click()
    expect(page.locator(".page-title .badge")).to_have_text("Partially paid")
    expect(page.locator("#invoice-due")).to_have_text("€6,800.64")
    screenshot(page, "invoice")
    phone.goto(page.url)
    screenshot(phone, "invoice")
    invoice.refresh_from_db()
    assert (invoice.status, invoice.amount_paid) == ("partially_paid", Decimal("5000.00"))

    # The invoice's first PDF page as an image, to look at.
    pdf = page.request.get(f"/w/acme/invoices/{invoice.pk}/pdf/")
    assert pdf.headers["content-type"] == "application/pdf"
    target = SCREENSHOTS / "invoice-pdf.pdf"
    target.write_bytes(pdf.body())
    if shutil.which("pdftoppm"):
        subprocess.run(
            ["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", str(target), str(SCREENSHOTS / "invoice-pdf")], check=True, timeout=60
        )
        assert any(Path(SCREENSHOTS).glob("invoice-pdf*.png"))
