"""The quote, order and invoice pages, the customer's page, the deal page's "Create quote" and the billing panel."""

from __future__ import annotations

from email import message_from_bytes
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from amity.core.models import User, Workspace
from amity.orders import services as orders
from amity.orders.models import Invoice, SalesOrder
from amity.sales import services
from amity.sales.models import Opportunity, Quote
from amity.web.views.quotes import LINE_FIELDS
from tests.mail import Inbox
from tests.orders.test_services import pdf_text


def test_create_quote_from_the_deal_page_and_build_it(
    client_as: Any, rep: User, deal: Opportunity, chair: Any, workspace: Workspace
) -> None:
    client = client_as(rep)
    page = client.get(f"/w/acme/deals/{deal.pk}/")
    assert "Create quote" in page.content.decode()

    created = client.post(f"/w/acme/quotes/from-deal/{deal.pk}/")
    quote = Quote.objects.get()
    assert created.status_code == 302 and created["Location"] == f"/w/acme/quotes/{quote.pk}/edit/"
    builder = client.get(created["Location"]).content.decode()
    assert "Standing desk" in builder and 'role="combobox"' in builder  # "Add a product" is a picker, not a 500-product menu
    picked = client.get(f"/w/acme/quotes/{quote.pk}/pick/products/", {"q": "chair"}).content.decode()
    assert f'data-value="{chair.pk}"' in picked and 'data-price="429.00"' in picked and 'data-tax="19"' in picked

    form = {
        "title": "Initech office, revised", "valid_until": quote.valid_until.isoformat(), "payment_terms_days": "14", "terms": "", "notes": "",
        "line_product_id": [str(chair.pk), ""], "line_name": ["Chair", "Installation"], "line_description": ["", "Two fitters, one day"],
        "line_quantity": ["4", "1"], "line_unit_price": ["400", "350"], "line_discount_percent": ["0", "0"], "line_tax_rate": ["19", "19"],
    }  # fmt: skip
    saved = client.post(f"/w/acme/quotes/{quote.pk}/edit/", form)
    assert saved.status_code == 302
    quote.refresh_from_db()
    assert (str(quote.net_amount), str(quote.total_amount), quote.payment_terms_days) == ("1950.00", "2320.50", 14)

    form["line_quantity"] = ["0", "1"]
    refused = client.post(f"/w/acme/quotes/{quote.pk}/edit/", form)
    assert refused.status_code == 422 and "Must be more than 0." in refused.content.decode()
    quote.refresh_from_db()
    assert str(quote.total_amount) == "2320.50"

    detail = client.get(f"/w/acme/quotes/{quote.pk}/").content.decode()
    assert "Installation" in detail and "€2,320.50" in detail and "Send quote" in detail
    pdf = client.get(f"/w/acme/quotes/{quote.pk}/pdf/")
    assert pdf["Content-Type"] == "application/pdf" and "Two fitters, one day" in pdf_text(pdf.content)


# --- The builder's product picker -------------------------------------------------------------------------------------


def picker_values(client: Client, quote: Quote, q: str = "") -> list[str]:
    response = client.get(f"/w/acme/quotes/{quote.pk}/pick/products/", {"q": q}, headers={"HX-Request": "true"})
    assert response.status_code == 200, response.content
    return [str(option.value) for option in response.context["options"]]


def test_the_builders_picker_finds_products_by_name_or_sku_at_the_quotes_account_price(
    client_as: Any, owner: User, rep: User, quote: Quote, desk: Any, chair: Any, workspace: Workspace
) -> None:
    from amity.catalog import services as catalog

    catalog.price_book_create(
        actor=owner,
        workspace=workspace,
        data={
            "name": "Initech prices",
            "currency": "EUR",
            "account_id": quote.account_id,
            "entries": [{"product_id": desk.pk, "unit_price": "580"}],
        },
    )
    dollar = catalog.product_create(
        actor=owner, workspace=workspace, data={"sku": "USD-1", "name": "Dollar desk", "currency": "USD", "list_price": "9"}
    )
    client = client_as(rep)

    assert picker_values(client, quote, "dsk-1") == [str(desk.pk)]
    assert picker_values(client, quote, "chair") == [str(chair.pk)]
    html = client.get(f"/w/acme/quotes/{quote.pk}/pick/products/", {"q": "desk"}).content.decode()
    assert "DSK-1 · €580.00 · Initech prices" in html and 'data-price="580.00"' in html  # the account's own book
    assert "USD-1 · no EUR price" in html and 'data-price=""' in html  # offered, its price to be typed
    assert picker_values(client, quote) == [str(chair.pk), str(dollar.pk), str(desk.pk)]  # nothing typed: the first by name


def test_the_builders_picker_answers_a_bounded_page_in_constant_queries(
    client_as: Any, owner: User, rep: User, quote: Quote, workspace: Workspace
) -> None:
    from amity.catalog import services as catalog
    from amity.sales.selectors.pickers import PICK_LIMIT

    client = client_as(rep)
    url = f"/w/acme/quotes/{quote.pk}/pick/products/?q=part"

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured.captured_queries)

    for n in range(3):
        catalog.product_create(
            actor=owner, workspace=workspace, data={"sku": f"P-{n}", "name": f"Part {n}", "currency": "EUR", "list_price": "5"}
        )
    count()
    few = count()
    for n in range(3, PICK_LIMIT + 10):
        catalog.product_create(
            actor=owner, workspace=workspace, data={"sku": f"P-{n}", "name": f"Part {n}", "currency": "EUR", "list_price": "5"}
        )
    assert count() == few
    assert len(picker_values(client, quote, "part")) == PICK_LIMIT


def test_the_builders_picker_is_for_those_who_may_change_quotes_of_their_workspace(
    client_as: Any, workspace: Workspace, other_workspace: Workspace, quote: Quote
) -> None:
    from amity.core.permissions import Role
    from tests.factories import member

    assert (
        client_as(member(workspace, Role.VIEWER, email="vic@acme.test")).get(f"/w/acme/quotes/{quote.pk}/pick/products/").status_code == 403
    )
    stranger = member(other_workspace, Role.OWNER, email="stranger@globex.test")
    for slug in ("globex", "acme"):
        assert client_as(stranger).get(f"/w/{slug}/quotes/{quote.pk}/pick/products/", {"q": "desk"}).status_code == 404


def test_the_customer_accepts_on_the_public_page_without_signing_in(sent_quote: Quote, workspace: Workspace) -> None:
    customer = Client()
    page = customer.get(f"/q/{sent_quote.public_token}/")
    body = page.content.decode()
    assert page.status_code == 200 and workspace.name in body and "Accept quote" in body and "Decline quote" in body
    assert page["X-Robots-Tag"] == "noindex, nofollow"

    unsigned = customer.post(f"/q/{sent_quote.public_token}/", {"answer": "accept", "name": " "})
    assert unsigned.status_code == 422 and "Type your full name" in unsigned.content.decode()
    assert not SalesOrder.objects.exists()

    accepted = customer.post(f"/q/{sent_quote.public_token}/", {"answer": "accept", "name": "Peter Gibbons"})
    assert accepted.status_code == 302
    assert "Thank you, Peter Gibbons." in customer.get(f"/q/{sent_quote.public_token}/").content.decode()
    assert SalesOrder.objects.get().quote_id == sent_quote.pk
    assert customer.get(f"/q/{sent_quote.public_token}/pdf/")["Content-Type"] == "application/pdf"
    assert customer.get("/q/not-a-real-token/").status_code == 404


def test_the_customer_declines_with_a_reason(sent_quote: Quote) -> None:
    customer = Client()
    customer.post(f"/q/{sent_quote.public_token}/", {"answer": "decline", "reason": "We found a cheaper offer"})
    sent_quote.refresh_from_db()
    assert (sent_quote.status, sent_quote.decline_reason) == ("declined", "We found a cheaper offer")


def test_order_page_fulfils_and_invoices_then_the_invoice_takes_a_payment(client_as: Any, manager: User, order: SalesOrder) -> None:
    client = client_as(manager)
    desk_line, chair_line = order.lines.all()
    page = client.get(f"/w/acme/orders/{order.pk}/").content.decode()
    assert "Record delivery" in page and "Create invoice" in page

    client.post(f"/w/acme/orders/{order.pk}/fulfil/", {f"fulfil-{desk_line.pk}": "10", f"fulfil-{chair_line.pk}": ""})
    order.refresh_from_db()
    assert order.status == "partially_fulfilled"

    made = client.post(f"/w/acme/orders/{order.pk}/invoice/", {f"invoice-{desk_line.pk}": "10", "issue_date": ""})
    invoice = Invoice.objects.get()
    assert made["Location"] == f"/w/acme/invoices/{invoice.pk}/" and invoice.total_amount == desk_line.total_amount

    over = client.post(f"/w/acme/invoices/{invoice.pk}/pay/", {"amount": "99999", "method": "bank_transfer"}, follow=True)
    assert "still due on" in over.content.decode()
    client.post(f"/w/acme/invoices/{invoice.pk}/pay/", {"amount": str(invoice.total_amount), "method": "card", "reference": "R-1"})
    invoice.refresh_from_db()
    assert invoice.status == "paid"
    assert "R-1" in client.get(f"/w/acme/invoices/{invoice.pk}/").content.decode()


def test_a_rep_sees_orders_but_not_the_forms_to_change_them(client_as: Any, rep: User, order: SalesOrder) -> None:
    page = client_as(rep).get(f"/w/acme/orders/{order.pk}/").content.decode()
    assert order.number in page and "Record delivery" not in page and "Create invoice" not in page
    assert client_as(rep).post(f"/w/acme/orders/{order.pk}/fulfil/", {}).status_code == 403


def test_another_workspaces_quote_is_a_404(client_as: Any, other_workspace: Workspace, quote: Quote) -> None:
    from amity.core.permissions import Role
    from tests.factories import member

    stranger = member(other_workspace, Role.OWNER, email="stranger@globex.test")
    assert client_as(stranger).get(f"/w/globex/quotes/{quote.pk}/").status_code == 404
    assert client_as(stranger).post(f"/w/globex/quotes/{quote.pk}/send/", {"to": "x@y.test"}).status_code == 404
    quote.refresh_from_db()
    assert quote.status == "draft"


def test_lists_and_navigation(client_as: Any, manager: User, order: SalesOrder) -> None:
    orders.invoice_create(actor=manager, order=order)
    client = client_as(manager)
    for path, expected in (("/w/acme/quotes/", order.quote.number), ("/w/acme/orders/", order.number), ("/w/acme/invoices/", "INV-")):
        body = client.get(path).content.decode()
        assert expected in body and "Billing" in body
    assert order.number in client.get("/w/acme/orders/?status=open").content.decode()
    assert order.number not in client.get("/w/acme/orders/?status=cancelled").content.decode()


def test_the_billing_panel_and_timeline_on_the_account_page(client_as: Any, manager: User, order: SalesOrder) -> None:
    invoice = orders.invoice_create(actor=manager, order=order)
    orders.payment_record(actor=manager, invoice=invoice, amount="55.00")
    page = client_as(manager).get(f"/w/acme/accounts/{order.account_id}/").content.decode()

    assert "Billing history" in page and invoice.number in page
    for title in ("Quote sent", "Quote accepted", f"Order {order.number}", f"Invoice {invoice.number}", "Payment of 55.00 EUR"):
        assert title in page


def test_the_account_page_runs_the_same_queries_with_more_billing(
    client_as: Any, manager: User, rep: User, order: SalesOrder, deal: Opportunity
) -> None:
    client = client_as(manager)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/w/acme/accounts/{order.account_id}/").status_code == 200
        return len(captured)

    first = orders.invoice_create(actor=manager, order=order)
    orders.payment_record(actor=manager, invoice=first, amount="1")
    client.get(f"/w/acme/accounts/{order.account_id}/")
    few = queries()
    for _ in range(6):
        quote = services.quote_send(actor=rep, quote=services.quote_create_from_opportunity(actor=rep, opportunity=deal), to="p@x.test")
        services.quote_accept(token=quote.public_token or "", name="Peter Gibbons")
        invoice = orders.invoice_create(actor=manager, order=SalesOrder.objects.get(quote=quote))
        orders.payment_record(actor=manager, invoice=invoice, amount="1")
    assert queries() == few


# --- Real SMTP ----------------------------------------------------------------------------------------------------------


def test_a_sent_quote_arrives_over_smtp_with_its_pdf_and_link(
    smtp_server: Inbox, rep: User, quote: Quote, manager: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        services.quote_send(actor=rep, quote=quote, to="peter@initech.test", message="Here it is, Peter.")
    quote.refresh_from_db()

    [envelope] = smtp_server.messages
    assert envelope.rcpt_tos == ["peter@initech.test"]
    message = message_from_bytes(envelope.content)
    assert message["Subject"] == f"Quote {quote.number} from Acme: Initech office"
    assert message["Reply-To"] == "rep@acme.test"
    parts = list(message.walk())
    body = next(part for part in parts if part.get_content_type() == "text/plain").get_payload(decode=True).decode()
    assert "Here it is, Peter." in body and f"http://testserver/q/{quote.public_token}/" in body
    pdf = next(part for part in parts if part.get_content_type() == "application/pdf")
    assert pdf.get_filename() == f"{quote.number}.pdf"
    assert "€12,055.89" in pdf_text(pdf.get_payload(decode=True))

    services.quote_accept(token=quote.public_token or "", name="Peter Gibbons")
    invoice = orders.invoice_create(actor=manager, order=SalesOrder.objects.get(quote=quote))
    with django_capture_on_commit_callbacks(execute=True):
        orders.invoice_send(actor=manager, invoice=invoice, to="ap@initech.test")
    invoice_message = message_from_bytes(smtp_server.messages[1].content)
    attachment = next(part for part in invoice_message.walk() if part.get_content_type() == "application/pdf")
    assert attachment.get_filename() == f"{invoice.number}.pdf" and invoice.number in pdf_text(attachment.get_payload(decode=True))


# --- The builder's "Addressed to" picker --------------------------------------------------------------------------------


def contact_values(client: Client, quote: Quote, q: str = "") -> list[str]:
    response = client.get(f"/w/acme/quotes/{quote.pk}/pick/contacts/", {"q": q}, headers={"HX-Request": "true"})
    assert response.status_code == 200, response.content
    return [str(option.value) for option in response.context["options"]]


def test_the_builders_addressed_to_is_a_person_picker_the_accounts_people_first(
    client_as: Any, rep: User, quote: Quote, contact: Any, account: Any, workspace: Workspace, other_workspace: Workspace
) -> None:
    from amity.search import services as search_services
    from tests.factories import AccountFactory, contact_at

    bill = contact_at(account, first_name="Bill", last_name="Lumbergh")
    elsewhere = contact_at(AccountFactory(workspace=workspace, name="Penetrode"), first_name="Peter", last_name="Anders")
    outsider = contact_at(AccountFactory(workspace=other_workspace, name="Globex"), first_name="Peter", last_name="Globex")
    search_services.index_records(object_type="contact", ids=[contact.pk, bill.pk, elsewhere.pk, outsider.pk])
    client = client_as(rep)

    builder = client.get(f"/w/acme/quotes/{quote.pk}/edit/").content.decode()
    assert 'id="quote-contact-search"' in builder and 'value="Peter Gibbons"' in builder  # the deal's primary person, chosen
    assert (
        f'name="contact_id" id="quote-contact" value="{contact.pk}"' in builder and "<select" not in builder.split("Addressed to")[1][:400]
    )
    assert contact_values(client, quote) == [str(contact.pk), str(bill.pk)]  # nothing typed: the account's people, by last name
    assert contact_values(client, quote, "peter") == [str(contact.pk), str(elsewhere.pk)]  # not another workspace's Peter
    html = client.get(f"/w/acme/quotes/{quote.pk}/pick/contacts/", {"q": "peter"}).content.decode()
    assert ">Initech</span>" in html

    lines = list(quote.lines.all())
    form: dict[str, Any] = {
        "title": quote.title, "valid_until": quote.valid_until.isoformat(), "payment_terms_days": "30", "terms": "", "notes": "",
        "contact_id": str(bill.pk), "q": "Bill Lumbergh",
        **{f"line_{field}": [str(getattr(line, field) or "") for line in lines] for field in LINE_FIELDS},
    }  # fmt: skip
    assert client.post(f"/w/acme/quotes/{quote.pk}/edit/", form).status_code == 302
    quote.refresh_from_db()
    assert quote.contact_id == bill.pk and quote.lines.count() == len(lines)
    refused = client.post(f"/w/acme/quotes/{quote.pk}/edit/", {**form, "contact_id": str(outsider.pk)})
    assert refused.status_code == 422 and f"No contact with id {outsider.pk} in this workspace." in refused.content.decode()
    quote.refresh_from_db()
    assert quote.contact_id == bill.pk
    assert client.post(f"/w/acme/quotes/{quote.pk}/edit/", {**form, "contact_id": ""}).status_code == 302
    quote.refresh_from_db()
    assert quote.contact_id is None  # an emptied box: addressed to nobody in particular


def test_the_addressed_to_picker_answers_in_bounded_queries_for_those_who_may_change_quotes(
    client_as: Any, rep: User, quote: Quote, account: Any, workspace: Workspace, other_workspace: Workspace
) -> None:
    from amity.core.permissions import Role
    from amity.search import services as search_services
    from tests.factories import contact_at, member

    client = client_as(rep)

    def count(q: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            contact_values(client, quote, q)
        return len(captured.captured_queries)

    people = [contact_at(account, first_name=f"Milton{n}", last_name="Waddams") for n in range(3)]
    search_services.index_records(object_type="contact", ids=[person.pk for person in people])
    count("milton")
    few = count("milton")
    people = [contact_at(account, first_name=f"Milton{n}", last_name="Waddams") for n in range(3, 15)]
    search_services.index_records(object_type="contact", ids=[person.pk for person in people])
    assert count("milton") == few
    assert (
        client_as(member(workspace, Role.VIEWER, email="vic@acme.test")).get(f"/w/acme/quotes/{quote.pk}/pick/contacts/").status_code == 403
    )
    stranger = member(other_workspace, Role.OWNER, email="stranger@globex.test")
    for slug in ("globex", "acme"):
        assert client_as(stranger).get(f"/w/{slug}/quotes/{quote.pk}/pick/contacts/", {"q": "milton"}).status_code == 404
