"""The quotes, orders, invoices and payments API: the whole flow, errors as problems, filters, pages, query counts."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from amity.core.models import User, Workspace
from amity.orders import services as orders
from amity.orders.models import Invoice, Payment, SalesOrder
from amity.sales import services
from amity.sales.models import Opportunity, Quote
from tests.orders.test_services import pdf_text


@pytest.fixture
def manager_api(api_as: Any, manager: User, workspace: Workspace) -> Any:
    return api_as(manager, workspace)


@pytest.fixture
def rep_api(api_as: Any, rep: User, workspace: Workspace) -> Any:
    return api_as(rep, workspace)


def test_a_quote_from_a_deal_edited_revised_and_sent(
    rep_api: Any, deal: Opportunity, desk: Any, django_capture_on_commit_callbacks: Any
) -> None:
    created = rep_api.post("/api/v1/quotes/from-opportunity", {"opportunity_id": deal.pk, "terms": "Net 30"})
    assert created.status_code == 201, created.content
    quote = created.json()
    assert (quote["status"], quote["version"], quote["total_amount"], len(quote["lines"])) == ("draft", 1, "12055.89", 2)

    edited = rep_api.patch(f"/api/v1/quotes/{quote['id']}", {"lines": [{"product_id": desk.pk, "quantity": "3", "discount_percent": "15"}]})
    assert edited.status_code == 200 and edited.json()["net_amount"] == "1654.95"

    bad = rep_api.patch(f"/api/v1/quotes/{quote['id']}", {"lines": [{"name": "Install", "quantity": "1"}]})
    assert bad.status_code == 422 and bad["Content-Type"] == "application/problem+json"
    assert {error["field"] for error in bad.json()["errors"]} == {"lines.0.unit_price"}

    with django_capture_on_commit_callbacks(execute=True):
        sent = rep_api.post(f"/api/v1/quotes/{quote['id']}/send", {"to": "peter@initech.test", "message": "As discussed."})
    assert sent.status_code == 200 and sent.json()["status"] == "sent"
    assert sent.json()["public_url"].startswith("http://testserver/q/")

    revised = rep_api.post(f"/api/v1/quotes/{quote['id']}/revise", {})
    assert revised.status_code == 201 and revised.json()["version"] == 2 and revised.json()["number"] == quote["number"]
    versions = rep_api.get("/api/v1/quotes", {"number": quote["number"], "sort": "number"}).json()["items"]
    assert [(item["version"], item["status"]) for item in versions] == [(1, "superseded"), (2, "draft")]
    assert [item["version"] for item in rep_api.get("/api/v1/quotes", {"number": quote["number"], "latest": "true"}).json()["items"]] == [2]

    pdf = rep_api.get(f"/api/v1/quotes/{quote['id']}/pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert quote["number"] in pdf_text(pdf.content)


def test_orders_are_fulfilled_cancelled_and_invoiced_and_payments_recorded(
    api_as: Any, supply: User, manager_api: Any, order: SalesOrder, workspace: Workspace, django_capture_on_commit_callbacks: Any
) -> None:
    supply_api = api_as(supply, workspace)
    desk_line, _chair_line = order.lines.all()

    fulfilled = supply_api.post(
        f"/api/v1/orders/{order.pk}/fulfil", {"lines": [{"line_id": desk_line.pk, "quantity": "10"}], "note": "Van 1"}
    )
    assert fulfilled.status_code == 201 and fulfilled.json()["lines"] == [{"order_line_id": desk_line.pk, "quantity": "10.000"}]
    assert supply_api.get(f"/api/v1/orders/{order.pk}").json()["status"] == "partially_fulfilled"
    assert supply_api.post(f"/api/v1/orders/{order.pk}/invoice", {}).status_code == 403

    cancelled = supply_api.post(f"/api/v1/orders/{order.pk}/cancel", {"reason": "Chairs not needed", "scope": "remainder"})
    assert cancelled.status_code == 201 and cancelled.json()["amount"] == "4290.00"
    assert supply_api.get(f"/api/v1/orders/{order.pk}").json()["status"] == "fulfilled"

    invoiced = manager_api.post(f"/api/v1/orders/{order.pk}/invoice", {"notes": "Thank you"})
    assert invoiced.status_code == 201, invoiced.content
    invoice = invoiced.json()
    assert (invoice["status"], invoice["total_amount"], invoice["amount_due"]) == ("draft", "6950.79", "6950.79")

    with django_capture_on_commit_callbacks(execute=True):
        sent = manager_api.post(f"/api/v1/invoices/{invoice['id']}/send", {"to": "ap@initech.test"})
    assert sent.json()["status"] == "sent"

    too_much = manager_api.post("/api/v1/payments", {"invoice_id": invoice["id"], "amount": "7000.00"})
    assert too_much.status_code == 422
    assert too_much.json()["errors"] == [
        {"field": "amount", "message": f"7000.00 EUR is more than the 6950.79 EUR still due on {invoice['number']}."}
    ]
    assert not Payment.objects.exists()

    paid = manager_api.post(
        "/api/v1/payments", {"invoice_id": invoice["id"], "amount": "6950.79", "method": "card", "reference": "AUTH-77"}
    )
    assert paid.status_code == 201 and paid.json()["invoice_number"] == invoice["number"]
    assert manager_api.get(f"/api/v1/invoices/{invoice['id']}").json()["status"] == "paid"
    assert manager_api.post(f"/api/v1/invoices/{invoice['id']}/void", {"reason": "Oops"}).status_code == 422

    pdf = manager_api.get(f"/api/v1/invoices/{invoice['id']}/pdf")
    assert pdf["Content-Type"] == "application/pdf" and invoice["number"] in pdf_text(pdf.content)


def test_filters_and_bad_filters(manager_api: Any, manager: User, order: SalesOrder) -> None:
    invoice = orders.invoice_create(actor=manager, order=order)
    assert [row["id"] for row in manager_api.get("/api/v1/invoices", {"status": "draft"}).json()["items"]] == [invoice.pk]
    assert manager_api.get("/api/v1/invoices", {"unpaid": "true"}).json()["items"] == []
    assert manager_api.get("/api/v1/orders", {"account_id": order.account_id}).json()["items"][0]["number"] == order.number
    bad = manager_api.get("/api/v1/orders", {"status": "shipped"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "status"
    assert manager_api.get("/api/v1/quotes", {"sort": "colour"}).status_code == 422


def _many(count: int, *, rep: User, manager: User, deal: Opportunity) -> None:
    """`count` accepted quotes, each with its order, invoice and a payment."""
    for _ in range(count):
        quote = services.quote_send(actor=rep, quote=services.quote_create_from_opportunity(actor=rep, opportunity=deal), to="p@x.test")
        services.quote_accept(token=quote.public_token or "", name="Peter Gibbons")
        invoice = orders.invoice_create(actor=manager, order=SalesOrder.objects.get(quote=quote))
        orders.payment_record(actor=manager, invoice=invoice, amount="10")


@pytest.mark.parametrize("path", ["/api/v1/quotes", "/api/v1/orders", "/api/v1/invoices", "/api/v1/payments"])
def test_lists_take_the_same_number_of_queries_at_two_sizes(
    path: str, manager_api: Any, rep: User, manager: User, deal: Opportunity
) -> None:
    def count() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            response = manager_api.get(path, {"limit": "50"})
        assert response.status_code == 200
        return len(queries), len(response.json()["items"])

    _many(2, rep=rep, manager=manager, deal=deal)
    manager_api.get(path)  # the token's first use is written once; measure the requests after it
    small, small_rows = count()
    _many(8, rep=rep, manager=manager, deal=deal)
    large, large_rows = count()

    assert small_rows < large_rows
    assert small == large


def test_lists_page_by_cursor(manager_api: Any, rep: User, manager: User, deal: Opportunity) -> None:
    _many(3, rep=rep, manager=manager, deal=deal)
    first = manager_api.get("/api/v1/invoices", {"limit": "2"}).json()
    second = manager_api.get("/api/v1/invoices", {"limit": "2", "cursor": first["next_cursor"]}).json()

    numbers = [row["number"] for row in first["items"] + second["items"]]
    assert len(numbers) == 3 == len(set(numbers)) and second["next_cursor"] is None
    assert Invoice.objects.count() == 3 and Quote.objects.count() == 3 and Decimal(first["items"][0]["amount_paid"]) == Decimal("10.00")
