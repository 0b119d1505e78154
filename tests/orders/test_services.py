"""Quotes, orders, invoices and payments through their services: numbers, versions, totals, quantities, statuses, audit."""

from __future__ import annotations

import datetime as dt
import io
import threading
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from pypdf import PdfReader

from amity.core.models import AuditEntry, User, Workspace
from amity.orders import services as orders
from amity.orders.documents import invoice_pdf
from amity.orders.models import Invoice, Payment, SalesOrder
from amity.orders.tasks import mark_overdue_invoices
from amity.sales import services
from amity.sales.documents import quote_pdf
from amity.sales.models import Opportunity, Quote, QuoteEvent
from amity.sales.numbering import next_number

TODAY = timezone.localdate()
YEAR = TODAY.year


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


# --- Quotes -------------------------------------------------------------------------------------------------------------


def test_a_quote_copies_the_deals_lines_and_totals(quote: Quote, deal: Opportunity) -> None:
    lines = list(quote.lines.all())

    assert [(line.sku, line.quantity, line.unit_price, line.discount_percent, line.tax_rate) for line in lines] == [
        ("DSK-1", Decimal("10.000"), Decimal("649.00"), Decimal("10.00"), Decimal("19.00")),
        ("CHR-1", Decimal("10.000"), Decimal("429.00"), Decimal("0.00"), Decimal("19.00")),
    ]
    # 10 × 649 less 10% = 5841.00, plus 10 × 429 = 4290.00; 19% tax per line: 1109.79 + 815.10
    assert (quote.subtotal, quote.discount_amount, quote.net_amount) == (Decimal("10780.00"), Decimal("649.00"), Decimal("10131.00"))
    assert (quote.tax_amount, quote.total_amount) == (Decimal("1924.89"), Decimal("12055.89"))
    assert quote.net_amount == deal.amount
    assert quote.account_id == deal.account_id and quote.contact is not None and quote.contact.last_name == "Gibbons"
    assert quote.number == f"Q-{YEAR}-0001" and quote.version == 1 and quote.status == Quote.Status.DRAFT


def test_quote_numbers_run_per_workspace_without_gaps(
    rep: User, deal: Opportunity, workspace: Workspace, other_workspace: Workspace
) -> None:
    first = services.quote_create_from_opportunity(actor=rep, opportunity=deal)
    with pytest.raises(RuntimeError), transaction.atomic():
        assert next_number(workspace=workspace, prefix="Q") == f"Q-{YEAR}-0002"
        raise RuntimeError("the write fails after taking a number")
    second = services.quote_create_from_opportunity(actor=rep, opportunity=deal)
    with transaction.atomic():
        elsewhere = next_number(workspace=other_workspace, prefix="Q")

    assert [first.number, second.number, elsewhere] == [f"Q-{YEAR}-0001", f"Q-{YEAR}-0002", f"Q-{YEAR}-0001"]


@pytest.mark.skipif(connection.vendor == "sqlite", reason="SQLite's in-memory test database locks whole tables across threads")
@pytest.mark.django_db(transaction=True)
def test_numbers_taken_at_once_are_all_different(workspace: Workspace) -> None:
    numbers: list[str] = []
    errors: list[BaseException] = []

    def take() -> None:
        try:
            for _ in range(5):
                with transaction.atomic():
                    numbers.append(next_number(workspace=workspace, prefix="SO"))
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=take) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not errors
    assert sorted(numbers) == [f"SO-{YEAR}-{n:04d}" for n in range(1, 21)]


def test_a_draft_is_edited_and_bad_lines_are_named_and_change_nothing(rep: User, quote: Quote, desk: Any) -> None:
    services.quote_update(
        actor=rep, quote=quote, data={"lines": [{"product_id": desk.pk, "quantity": "2", "unit_price": "600", "discount_percent": "5"}]}
    )
    quote.refresh_from_db()
    assert (quote.net_amount, quote.tax_amount, quote.total_amount) == (Decimal("1140.00"), Decimal("216.60"), Decimal("1356.60"))

    with pytest.raises(ValidationError) as refused:
        services.quote_update(
            actor=rep, quote=quote, data={"title": "", "lines": [{"name": "Delivery", "quantity": "0"}, {"product_id": 999999}]}
        )

    assert set(refused.value.message_dict) == {"title", "lines.0.quantity", "lines.0.unit_price", "lines.1.product_id"}
    quote.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        services.quote_update(actor=rep, quote=quote, data={"lines": [{"name": "Delivery", "quantity": "0"}, {"product_id": 999999}]})
    assert set(refused.value.message_dict) == {"lines.0.quantity", "lines.0.unit_price", "lines.1.product_id"}
    quote.refresh_from_db()
    assert quote.total_amount == Decimal("1356.60") and quote.lines.count() == 1


def test_revising_makes_version_two_and_supersedes_version_one(rep: User, sent_quote: Quote) -> None:
    revision = services.quote_revise(actor=rep, quote=sent_quote)
    sent_quote.refresh_from_db()

    assert (revision.number, revision.version, revision.status) == (sent_quote.number, 2, Quote.Status.DRAFT)
    assert sent_quote.status == Quote.Status.SUPERSEDED
    assert revision.total_amount == sent_quote.total_amount and revision.lines.count() == 2
    assert revision.public_token is None
    with pytest.raises(ValidationError, match="superseded"):
        services.quote_update(actor=rep, quote=sent_quote, data={"title": "Changed"})
    with pytest.raises(ValidationError, match="newer version"):
        services.quote_accept(token=sent_quote.public_token or "", name="Peter Gibbons")
    assert revision.events.filter(kind=QuoteEvent.Kind.REVISED).exists()


def test_sending_emails_the_pdf_with_the_customers_link(sent_quote: Quote, workspace: Workspace) -> None:
    assert sent_quote.status == Quote.Status.SENT and len(sent_quote.public_token or "") >= 40
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["peter@initech.test"]
    assert f"/q/{sent_quote.public_token}/" in message.body
    [(name, content, mimetype)] = message.attachments
    assert (name, mimetype) == (f"{sent_quote.number}.pdf", "application/pdf")
    text = pdf_text(content)
    assert workspace.name in text and sent_quote.number in text and "€12,055.89" in text and "Standing desk" in text


def test_a_quote_with_no_lines_or_a_bad_address_is_not_sent(rep: User, quote: Quote) -> None:
    with pytest.raises(ValidationError) as refused:
        services.quote_send(actor=rep, quote=quote, to="not an address")
    assert set(refused.value.message_dict) == {"to"}
    services.quote_update(actor=rep, quote=quote, data={"lines": []})
    with pytest.raises(ValidationError, match="at least one line"):
        services.quote_send(actor=rep, quote=quote, to="peter@initech.test")
    quote.refresh_from_db()
    assert quote.status == Quote.Status.DRAFT and not mail.outbox


def test_accepting_makes_an_order_in_the_same_transaction(order: SalesOrder, sent_quote: Quote) -> None:
    sent_quote.refresh_from_db()

    assert sent_quote.status == Quote.Status.ACCEPTED and sent_quote.accepted_by_name == "Peter Gibbons"
    assert order.number == f"SO-{YEAR}-0001" and order.status == SalesOrder.Status.OPEN
    assert order.total_amount == sent_quote.total_amount and order.opportunity_id == sent_quote.opportunity_id
    assert [(line.sku, line.quantity) for line in order.lines.all()] == [("DSK-1", Decimal("10.000")), ("CHR-1", Decimal("10.000"))]
    with pytest.raises(ValidationError, match="accepted already"):
        services.quote_accept(token=sent_quote.public_token or "", name="Someone Else")
    assert AuditEntry.objects.filter(object_type="orders.salesorder", object_id=str(order.pk), action="create").exists()


def test_an_expired_quote_cannot_be_accepted_and_the_task_marks_it(sent_quote: Quote) -> None:
    Quote.objects.filter(pk=sent_quote.pk).update(valid_until=TODAY - dt.timedelta(days=1))

    with pytest.raises(ValidationError, match="expired"):
        services.quote_accept(token=sent_quote.public_token or "", name="Peter Gibbons")
    assert services.expire_quotes() == 1
    sent_quote.refresh_from_db()
    assert sent_quote.status == Quote.Status.EXPIRED and not SalesOrder.objects.exists()
    assert services.expire_quotes() == 0


def test_declining_needs_a_reason(sent_quote: Quote) -> None:
    with pytest.raises(ValidationError) as refused:
        services.quote_decline(token=sent_quote.public_token or "", reason="  ")
    assert set(refused.value.message_dict) == {"reason"}

    services.quote_decline(token=sent_quote.public_token or "", reason="Too expensive")
    sent_quote.refresh_from_db()
    assert (sent_quote.status, sent_quote.decline_reason) == (Quote.Status.DECLINED, "Too expensive")
    with pytest.raises(Quote.DoesNotExist):
        services.quote_accept(token="not-a-token", name="Peter")


def test_the_quote_pdf_says_what_is_offered(quote: Quote, workspace: Workspace) -> None:
    text = pdf_text(quote_pdf(quote))

    for expected in (
        workspace.name,
        f"Quote {quote.number}",
        "Initech",
        "Standing desk",
        "DSK-1",
        "€5,841.00",
        "€12,055.89",
        "VALID UNTIL",
    ):
        assert expected in text


def test_a_viewer_cannot_make_a_quote(deal: Opportunity, workspace: Workspace) -> None:
    from amity.core.permissions import Role
    from tests.factories import member

    viewer = member(workspace, Role.VIEWER, email="viewer@acme.test")
    with pytest.raises(PermissionDenied):
        services.quote_create_from_opportunity(actor=viewer, opportunity=deal)
    assert not Quote.objects.exists()


# --- Orders -------------------------------------------------------------------------------------------------------------


def test_fulfilment_in_part_then_in_whole(supply: User, order: SalesOrder) -> None:
    desk_line, _chair_line = order.lines.all()
    orders.order_fulfil(actor=supply, order=order, lines=[{"line_id": desk_line.pk, "quantity": "4"}], note="First van")
    order.refresh_from_db()
    assert order.status == SalesOrder.Status.PARTIALLY_FULFILLED

    with pytest.raises(ValidationError) as refused:
        orders.order_fulfil(actor=supply, order=order, lines=[{"line_id": desk_line.pk, "quantity": "7"}])
    assert refused.value.message_dict == {"lines.0.quantity": ["Only 6 of Standing desk can be fulfilled."]}

    orders.order_fulfil(actor=supply, order=order)
    order.refresh_from_db()
    desk_line.refresh_from_db()
    assert order.status == SalesOrder.Status.FULFILLED and desk_line.quantity_fulfilled == Decimal("10.000")
    assert order.fulfilments.count() == 2
    with pytest.raises(ValidationError, match="nothing is left"):
        orders.order_fulfil(actor=supply, order=order)


def test_a_rep_reads_orders_but_does_not_fulfil_them(rep: User, order: SalesOrder) -> None:
    with pytest.raises(PermissionDenied):
        orders.order_fulfil(actor=rep, order=order)
    assert order.fulfilments.count() == 0


def test_cancelling_the_whole_order_or_its_remainder(supply: User, order: SalesOrder) -> None:
    desk_line, _ = order.lines.all()
    orders.order_fulfil(actor=supply, order=order, lines=[{"line_id": desk_line.pk, "quantity": "10"}])

    with pytest.raises(ValidationError, match="cancel the unfulfilled remainder"):
        orders.order_cancel(actor=supply, order=order, reason="Budget cut", scope="whole")
    with pytest.raises(ValidationError) as refused:
        orders.order_cancel(actor=supply, order=order, reason="", scope="remainder")
    assert set(refused.value.message_dict) == {"reason"}

    cancellation = orders.order_cancel(actor=supply, order=order, reason="The chairs are no longer needed", scope="remainder")
    order.refresh_from_db()
    assert order.status == SalesOrder.Status.FULFILLED  # all that is left of it was delivered
    assert cancellation.amount == Decimal("4290.00") and list(cancellation.quantities.values()) == ["10.000"]


def test_an_untouched_order_is_cancelled_whole(supply: User, manager: User, order: SalesOrder) -> None:
    orders.order_cancel(actor=supply, order=order, reason="Customer withdrew", scope="whole")
    order.refresh_from_db()

    assert order.status == SalesOrder.Status.CANCELLED
    with pytest.raises(ValidationError, match="cancelled"):
        orders.invoice_create(actor=manager, order=order)


# --- Invoices and payments ----------------------------------------------------------------------------------------------


def test_invoicing_in_parts_from_the_uninvoiced_quantities(manager: User, order: SalesOrder) -> None:
    desk_line, _chair_line = order.lines.all()
    first = orders.invoice_create(actor=manager, order=order, lines=[{"line_id": desk_line.pk, "quantity": "5"}])

    assert first.number == f"INV-{YEAR}-0001" and first.status == Invoice.Status.DRAFT
    assert first.due_date == first.issue_date + dt.timedelta(days=30)
    # 5 × 649 less 10% = 2920.50 net, 554.90 tax (19%, rounded half up)
    assert (first.net_amount, first.tax_amount, first.total_amount) == (Decimal("2920.50"), Decimal("554.90"), Decimal("3475.40"))

    second = orders.invoice_create(actor=manager, order=order)
    assert second.number == f"INV-{YEAR}-0002"
    assert first.total_amount + second.total_amount == order.total_amount
    with pytest.raises(ValidationError, match="invoiced already"):
        orders.invoice_create(actor=manager, order=order)
    desk_line.refresh_from_db()
    assert desk_line.quantity_invoiced == Decimal("10.000")


def test_payments_update_the_status_and_an_overpayment_is_refused(manager: User, order: SalesOrder) -> None:
    invoice = orders.invoice_create(actor=manager, order=order)
    orders.invoice_send(actor=manager, invoice=invoice, to="ap@initech.test")
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.SENT

    orders.payment_record(actor=manager, invoice=invoice, amount="5000.00", method="bank_transfer", reference="TRX-1")
    invoice.refresh_from_db()
    assert (invoice.status, invoice.amount_paid, invoice.amount_due) == (
        Invoice.Status.PARTIALLY_PAID,
        Decimal("5000.00"),
        Decimal("7055.89"),
    )

    with pytest.raises(ValidationError) as refused:
        orders.payment_record(actor=manager, invoice=invoice, amount="7055.90")
    assert refused.value.message_dict == {"amount": [f"7055.90 EUR is more than the 7055.89 EUR still due on {invoice.number}."]}
    invoice.refresh_from_db()
    assert invoice.amount_paid == Decimal("5000.00") and Payment.objects.count() == 1

    orders.payment_record(actor=manager, invoice=invoice, amount="7055.89")
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PAID and invoice.amount_due == 0
    with pytest.raises(ValidationError, match="void"):
        orders.invoice_void(actor=manager, invoice=invoice, reason="Wrong")
        orders.invoice_void(actor=manager, invoice=invoice, reason="Wrong")


def test_a_paid_invoice_cannot_be_voided_but_an_unpaid_one_gives_its_quantities_back(manager: User, order: SalesOrder) -> None:
    invoice = orders.invoice_create(actor=manager, order=order)
    orders.payment_record(actor=manager, invoice=invoice, amount="1.00")
    with pytest.raises(ValidationError, match="payments recorded"):
        orders.invoice_void(actor=manager, invoice=invoice, reason="Wrong address")
    Payment.objects.all().delete()
    Invoice.objects.filter(pk=invoice.pk).update(amount_paid=0, status=Invoice.Status.DRAFT)

    orders.invoice_void(actor=manager, invoice=invoice, reason="Wrong address")
    invoice.refresh_from_db()

    assert invoice.status == Invoice.Status.VOID
    assert {line.quantity_invoiced for line in order.lines.all()} == {Decimal("0.000")}
    again = orders.invoice_create(actor=manager, order=order)
    assert again.total_amount == order.total_amount
    with pytest.raises(ValidationError, match="void"):
        orders.payment_record(actor=manager, invoice=invoice, amount="1.00")


def test_the_worker_marks_sent_invoices_overdue_after_the_due_date(manager: User, order: SalesOrder) -> None:
    desk_line, chair_line = order.lines.all()
    late = orders.invoice_create(actor=manager, order=order, lines=[{"line_id": desk_line.pk, "quantity": "1"}])
    on_time = orders.invoice_create(actor=manager, order=order, lines=[{"line_id": desk_line.pk, "quantity": "1"}])
    draft_late = orders.invoice_create(actor=manager, order=order, lines=[{"line_id": chair_line.pk, "quantity": "1"}])
    for invoice in (late, on_time):
        orders.invoice_send(actor=manager, invoice=invoice, to="ap@initech.test")
    # Time passes: the first and the unsent one fall due yesterday.
    Invoice.objects.filter(pk__in=[late.pk, draft_late.pk]).update(due_date=TODAY - dt.timedelta(days=1))

    assert mark_overdue_invoices.call() == 1

    statuses = dict(Invoice.objects.values_list("pk", "status"))
    assert statuses == {late.pk: Invoice.Status.OVERDUE, on_time.pk: Invoice.Status.SENT, draft_late.pk: Invoice.Status.DRAFT}
    assert AuditEntry.objects.filter(object_type="orders.invoice", object_id=str(late.pk), door="task").exists()
    orders.payment_record(actor=manager, invoice=Invoice.objects.get(pk=late.pk), amount="100")
    assert Invoice.objects.get(pk=late.pk).status == Invoice.Status.OVERDUE  # still owed, still late
    assert mark_overdue_invoices.call() == 0


def test_the_invoice_pdf_shows_payments_and_what_is_due(manager: User, order: SalesOrder, workspace: Workspace) -> None:
    invoice = orders.invoice_create(actor=manager, order=order)
    orders.payment_record(actor=manager, invoice=invoice, amount="2055.89")
    invoice.refresh_from_db()

    text = pdf_text(invoice_pdf(invoice))

    for expected in (workspace.name, f"Invoice {invoice.number}", order.number, "€12,055.89", "Amount due", "€10,000.00"):
        assert expected in text


def test_every_write_is_audited(manager: User, supply: User, order: SalesOrder) -> None:
    orders.order_fulfil(actor=supply, order=order)
    invoice = orders.invoice_create(actor=manager, order=order)
    payment = orders.payment_record(actor=manager, invoice=invoice, amount="10")

    kinds = set(AuditEntry.objects.values_list("object_type", "action"))
    assert {
        ("sales.quote", "create"),
        ("sales.quote", "update"),
        ("orders.salesorder", "create"),
        ("orders.salesorder", "update"),
        ("orders.invoice", "create"),
        ("orders.payment", "create"),
    } <= kinds
    assert AuditEntry.objects.get(object_type="orders.payment", object_id=str(payment.pk)).actor == manager
