"""Every change in the back office: orders from accepted quotes, fulfilments, cancellations, invoices and payments.

Quantities are kept on each order line (fulfilled, invoiced, cancelled) and changed only here, under a
row lock on the order, so two people fulfilling or invoicing the same order at once cannot both take
the same units. Every write is audited; emails go out through the worker once the transaction commits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone

from amity.core import audit, money
from amity.core.access import require
from amity.core.errors import FieldErrors
from amity.core.models import AuditEntry, User
from amity.core.permissions import Action, ObjectType
from amity.orders.models import Cancellation, Fulfilment, FulfilmentLine, Invoice, InvoiceLine, Payment, SalesOrder, SalesOrderLine
from amity.sales.models import Quote
from amity.sales.numbering import next_number
from amity.sales.totals import LineTotals, deal_totals, line_totals
from amity.search.services import index_records

ZERO = Decimal("0.000")
QUANTITY = Decimal("0.001")


def _reindex_after_commit(object_type: str, pk: int) -> None:
    """Global search shows an order's or an invoice's status and total: bring its entry up to date once this commits."""
    transaction.on_commit(partial(index_records, object_type=object_type, ids=[pk]))


def _locked(order: SalesOrder) -> tuple[SalesOrder, list[SalesOrderLine]]:
    """The order and its lines, locked for this transaction (other writers of the same order wait)."""
    locked = SalesOrder.objects.select_for_update().select_related("workspace").get(pk=order.pk)
    lines = list(SalesOrderLine.objects.select_for_update().filter(order=locked).order_by("position", "id"))
    return locked, lines


def _status_of(lines: Sequence[SalesOrderLine]) -> str:
    ordered = sum((line.quantity - line.quantity_cancelled for line in lines), ZERO)
    fulfilled = sum((line.quantity_fulfilled for line in lines), ZERO)
    if ordered <= 0:
        return SalesOrder.Status.CANCELLED
    if fulfilled >= ordered:
        return SalesOrder.Status.FULFILLED
    return SalesOrder.Status.PARTIALLY_FULFILLED if fulfilled > 0 else SalesOrder.Status.OPEN


def _quantities(raw: Sequence[Mapping[str, Any]] | None, lines: Sequence[SalesOrderLine], available: Any, what: str) -> dict[int, Decimal]:
    """Order line id → quantity from rows `{line_id, quantity}`; None takes everything available on every line.

    Each row is checked against what is `available(line)`; errors name the row.
    """
    by_id = {line.pk: line for line in lines}
    if raw is None:
        return {line.pk: available(line) for line in lines if available(line) > 0}
    errors, wanted = FieldErrors(), {}
    for index, row in enumerate(raw):
        line = by_id.get(row.get("line_id"))  # type: ignore[arg-type]
        if line is None:
            errors[f"lines.{index}.line_id"] = f"No line {row.get('line_id')} on this order."
            continue
        quantity = errors.check(money.amount, row.get("quantity"), field=f"lines.{index}.quantity", places=QUANTITY)
        if quantity is None or quantity == 0:
            continue
        if line.pk in wanted:
            errors[f"lines.{index}.line_id"] = "This line is listed twice."
        elif quantity > available(line):
            errors[f"lines.{index}.quantity"] = f"Only {available(line).normalize()} of {line.name} can be {what}."
        wanted[line.pk] = quantity
    errors.raise_if_any()
    return wanted


# --- Orders -------------------------------------------------------------------------------------------------------------


def order_create_from_quote(*, quote: Quote, actor: User | None) -> SalesOrder:
    """Turn an accepted quote into an open sales order with the same lines, prices and terms (inside the acceptance's transaction)."""
    if quote.status != Quote.Status.ACCEPTED:
        raise ValidationError({"status": "Only an accepted quote becomes an order."})
    order = SalesOrder.objects.create(
        workspace=quote.workspace,
        number=next_number(workspace=quote.workspace, prefix="SO"),
        account=quote.account,
        contact=quote.contact,
        opportunity=quote.opportunity,
        quote=quote,
        currency=quote.currency,
        payment_terms_days=quote.payment_terms_days,
        net_amount=quote.net_amount,
        tax_amount=quote.tax_amount,
        total_amount=quote.total_amount,
        created_by=actor,
    )
    SalesOrderLine.objects.bulk_create(
        SalesOrderLine(
            workspace=quote.workspace,
            order=order,
            product_id=line.product_id,
            position=line.position,
            name=line.name,
            sku=line.sku,
            description=line.description,
            quantity=line.quantity,
            unit_price=line.unit_price,
            discount_percent=line.discount_percent,
            tax_rate=line.tax_rate,
            net_amount=line.net_amount,
            tax_amount=line.tax_amount,
            total_amount=line.total_amount,
        )
        for line in quote.lines.order_by("position", "id")
    )
    audit.record(
        actor=actor,
        workspace=quote.workspace,
        action=AuditEntry.Action.CREATE,
        obj=order,
        changes={"quote": [None, quote.pk], "total_amount": [None, str(order.total_amount)]},
    )
    _reindex_after_commit("order", order.pk)
    return order


@transaction.atomic
def order_fulfil(
    *, actor: User, order: SalesOrder, lines: Sequence[Mapping[str, Any]] | None = None, fulfilled_on: dt.date | None = None, note: str = ""
) -> Fulfilment:
    """Record a delivery of some or all of what is still open on an order; the order becomes partially fulfilled or fulfilled."""
    require(actor, order.workspace, Action.CHANGE, ObjectType.ORDER)
    order, order_lines = _locked(order)
    if order.status in (SalesOrder.Status.CANCELLED, SalesOrder.Status.FULFILLED):
        raise ValidationError({"status": f"{order.number} is {order.get_status_display().lower()}; nothing is left to fulfil."})
    wanted = _quantities(lines, order_lines, lambda line: line.quantity_open, "fulfilled")
    if not wanted:
        raise ValidationError({"lines": "Say how many of which lines were delivered."})
    if len(note) > 1000:
        raise ValidationError({"note": "Use at most 1000 characters."})
    fulfilment = Fulfilment.objects.create(
        workspace=order.workspace, order=order, fulfilled_on=fulfilled_on or timezone.localdate(), note=note.strip(), created_by=actor
    )
    FulfilmentLine.objects.bulk_create(
        FulfilmentLine(workspace=order.workspace, fulfilment=fulfilment, order_line_id=line_id, quantity=quantity)
        for line_id, quantity in wanted.items()
    )
    for line in order_lines:
        if line.pk in wanted:
            line.quantity_fulfilled += wanted[line.pk]
            line.save(update_fields=["quantity_fulfilled"])
    before = order.status
    order.status = _status_of(order_lines)
    order.save(update_fields=["status", "updated_at"])
    audit.record(
        actor=actor,
        workspace=order.workspace,
        action=AuditEntry.Action.UPDATE,
        obj=order,
        changes={"status": [before, order.status], "fulfilled": {str(k): str(v) for k, v in wanted.items()}},
    )
    _reindex_after_commit("order", order.pk)
    return fulfilment


@transaction.atomic
def order_cancel(*, actor: User, order: SalesOrder, reason: str, scope: str = Cancellation.Scope.WHOLE) -> Cancellation:
    """Cancel a whole order (nothing of it fulfilled or invoiced) or its unfulfilled, uninvoiced remainder, saying why."""
    require(actor, order.workspace, Action.CHANGE, ObjectType.ORDER)
    reason = " ".join(str(reason or "").split())
    if not reason:
        raise ValidationError({"reason": "Say why the order is cancelled."})
    if len(reason) > 1000:
        raise ValidationError({"reason": "Use at most 1000 characters."})
    if scope not in Cancellation.Scope.values:
        raise ValidationError({"scope": "Cancel the whole order or the unfulfilled remainder."})
    order, order_lines = _locked(order)
    if order.status in (SalesOrder.Status.CANCELLED, SalesOrder.Status.FULFILLED):
        raise ValidationError({"status": f"{order.number} is {order.get_status_display().lower()}; there is nothing left to cancel."})
    taken = {line.pk: max(line.quantity_fulfilled, line.quantity_invoiced) for line in order_lines}
    if scope == Cancellation.Scope.WHOLE and any(taken.values()):
        raise ValidationError({"scope": "Part of this order was fulfilled or invoiced; cancel the unfulfilled remainder instead."})
    cancelled = {line.pk: line.quantity - line.quantity_cancelled - taken[line.pk] for line in order_lines}
    cancelled = {pk: quantity for pk, quantity in cancelled.items() if quantity > 0}
    if not cancelled:
        raise ValidationError({"scope": "Everything left on this order is fulfilled or invoiced; nothing can be cancelled."})
    amount = Decimal("0.00")
    for line in order_lines:
        if line.pk in cancelled:
            line.quantity_cancelled += cancelled[line.pk]
            line.save(update_fields=["quantity_cancelled"])
            amount += line_totals(
                quantity=cancelled[line.pk],
                unit_price=line.unit_price,
                discount_percent=line.discount_percent,
                tax_rate=line.tax_rate,
                currency=order.currency,
            ).net
    cancellation = Cancellation.objects.create(
        workspace=order.workspace,
        order=order,
        scope=scope,
        reason=reason,
        created_by=actor,
        quantities={str(pk): str(quantity) for pk, quantity in cancelled.items()},
        amount=amount,
    )
    before = order.status
    order.status = _status_of(order_lines)
    order.save(update_fields=["status", "updated_at"])
    audit.record(
        actor=actor,
        workspace=order.workspace,
        action=AuditEntry.Action.UPDATE,
        obj=order,
        changes={"status": [before, order.status], "cancelled": cancellation.quantities, "reason": [None, reason]},
    )
    _reindex_after_commit("order", order.pk)
    return cancellation


# --- Invoices -----------------------------------------------------------------------------------------------------------


@transaction.atomic
def invoice_create(
    *,
    actor: User,
    order: SalesOrder,
    lines: Sequence[Mapping[str, Any]] | None = None,
    issue_date: dt.date | None = None,
    notes: str = "",
) -> Invoice:
    """Invoice some or all of what an order has not been invoiced for yet; due after the order's payment terms."""
    require(actor, order.workspace, Action.ADD, ObjectType.INVOICE)
    order, order_lines = _locked(order)
    if order.status == SalesOrder.Status.CANCELLED:
        raise ValidationError({"status": f"{order.number} is cancelled; there is nothing to invoice."})
    wanted = _quantities(lines, order_lines, lambda line: line.quantity_uninvoiced, "invoiced")
    if not wanted:
        raise ValidationError({"lines": "Everything on this order has been invoiced already."})
    issued = issue_date or timezone.localdate()
    invoice = Invoice.objects.create(
        workspace=order.workspace,
        number=next_number(workspace=order.workspace, prefix="INV", on=issued),
        order=order,
        account_id=order.account_id,
        contact_id=order.contact_id,
        currency=order.currency,
        issue_date=issued,
        due_date=issued + dt.timedelta(days=order.payment_terms_days),
        notes=notes.strip()[:5000],
        created_by=actor,
    )
    invoice_lines, totals = [], []
    billed = _billed_so_far(order)
    for line in order_lines:
        if line.pk not in wanted:
            continue
        figures = _invoice_figures(line, wanted[line.pk], billed.get(line.pk), order.currency)
        totals.append(figures)
        invoice_lines.append(
            InvoiceLine(
                workspace=order.workspace,
                invoice=invoice,
                order_line=line,
                position=line.position,
                name=line.name,
                sku=line.sku,
                quantity=wanted[line.pk],
                unit_price=line.unit_price,
                discount_percent=line.discount_percent,
                tax_rate=line.tax_rate,
                net_amount=figures.net,
                tax_amount=figures.tax,
                total_amount=figures.total,
            )
        )
        line.quantity_invoiced += wanted[line.pk]
        line.save(update_fields=["quantity_invoiced"])
    InvoiceLine.objects.bulk_create(invoice_lines)
    sums = deal_totals(totals)
    invoice.net_amount, invoice.tax_amount, invoice.total_amount = sums.net, sums.tax, sums.total
    invoice.save(update_fields=["net_amount", "tax_amount", "total_amount"])
    audit.record(
        actor=actor,
        workspace=order.workspace,
        action=AuditEntry.Action.CREATE,
        obj=invoice,
        changes={"order": [None, order.pk], "total_amount": [None, str(invoice.total_amount)], "due_date": [None, invoice.due_date]},
    )
    _reindex_after_commit("invoice", invoice.pk)
    return invoice


def _billed_so_far(order: SalesOrder) -> dict[int, tuple[Decimal, Decimal]]:
    """Per order line, the net and tax already on its (not void) invoices (one query)."""
    rows = (
        InvoiceLine.objects.filter(invoice__order=order)
        .exclude(invoice__status=Invoice.Status.VOID)
        .values("order_line_id")
        .annotate(net=Sum("net_amount"), tax=Sum("tax_amount"))
    )
    return {row["order_line_id"]: (row["net"], row["tax"]) for row in rows}


def _invoice_figures(line: SalesOrderLine, quantity: Decimal, billed: tuple[Decimal, Decimal] | None, currency: str) -> LineTotals:
    """An invoice line's amounts; the last part of an order line takes what is left of it, so the invoices of an order
    add up to the order to the cent however it was split (each part is rounded on its own)."""
    figures = line_totals(
        quantity=quantity, unit_price=line.unit_price, discount_percent=line.discount_percent, tax_rate=line.tax_rate, currency=currency
    )
    if billed is None or line.quantity_cancelled or quantity != line.quantity_uninvoiced:
        return figures
    net, tax = line.net_amount - billed[0], line.tax_amount - billed[1]
    return LineTotals(
        gross_before_discount=figures.gross_before_discount, discount=figures.gross_before_discount - net, net=net, tax=tax, total=net + tax
    )


def _status_after_payment(invoice: Invoice, today: dt.date) -> str:
    if invoice.amount_paid >= invoice.total_amount:
        return Invoice.Status.PAID
    if invoice.status == Invoice.Status.DRAFT and invoice.amount_paid == 0:
        return Invoice.Status.DRAFT
    if invoice.due_date < today:
        return Invoice.Status.OVERDUE
    return Invoice.Status.PARTIALLY_PAID if invoice.amount_paid > 0 else Invoice.Status.SENT


def _locked_invoice(invoice: Invoice) -> Invoice:
    return Invoice.objects.select_for_update().select_related("workspace").get(pk=invoice.pk)


@transaction.atomic
def invoice_send(*, actor: User, invoice: Invoice, to: str, message: str = "") -> Invoice:
    """Email an invoice as a PDF; a draft becomes sent. Sending again (a reminder) keeps its status."""
    require(actor, invoice.workspace, Action.CHANGE, ObjectType.INVOICE)
    invoice = _locked_invoice(invoice)
    if invoice.status == Invoice.Status.VOID:
        raise ValidationError({"status": f"{invoice.number} is void; it cannot be sent."})
    address = str(to or "").strip()
    try:
        validate_email(address)
    except ValidationError:
        raise ValidationError({"to": "Give the email address to send the invoice to."}) from None
    if len(message) > 5000:
        raise ValidationError({"message": "Use at most 5000 characters."})
    before = invoice.status
    if invoice.status == Invoice.Status.DRAFT:
        invoice.status = Invoice.Status.SENT
        invoice.status = _status_after_payment(invoice, timezone.localdate())
    invoice.sent_at, invoice.sent_to = timezone.now(), address
    invoice.save(update_fields=["status", "sent_at", "sent_to", "updated_at"])
    audit.record(
        actor=actor,
        workspace=invoice.workspace,
        action=AuditEntry.Action.UPDATE,
        obj=invoice,
        changes={"status": [before, invoice.status], "sent_to": [None, address]},
    )
    _reindex_after_commit("invoice", invoice.pk)
    from amity.orders.tasks import send_invoice_email

    transaction.on_commit(partial(send_invoice_email.enqueue, invoice_id=invoice.pk, to=address, message=message))
    return invoice


@transaction.atomic
def invoice_void(*, actor: User, invoice: Invoice, reason: str) -> Invoice:
    """Void an invoice issued in error: its quantities can be invoiced again. An invoice with payments cannot be voided."""
    require(actor, invoice.workspace, Action.CHANGE, ObjectType.INVOICE)
    reason = " ".join(str(reason or "").split())
    if not reason:
        raise ValidationError({"reason": "Say why the invoice is voided."})
    if len(reason) > 1000:
        raise ValidationError({"reason": "Use at most 1000 characters."})
    _locked(invoice.order)
    invoice = _locked_invoice(invoice)
    if invoice.status == Invoice.Status.VOID:
        raise ValidationError({"status": f"{invoice.number} is void already."})
    if invoice.amount_paid > 0:
        raise ValidationError({"status": f"{invoice.number} has payments recorded; it cannot be voided."})
    for line in invoice.lines.all():
        SalesOrderLine.objects.filter(pk=line.order_line_id).update(quantity_invoiced=F("quantity_invoiced") - line.quantity)
    before = invoice.status
    invoice.status, invoice.voided_at, invoice.void_reason = Invoice.Status.VOID, timezone.now(), reason
    invoice.save(update_fields=["status", "voided_at", "void_reason", "updated_at"])
    audit.record(
        actor=actor,
        workspace=invoice.workspace,
        action=AuditEntry.Action.UPDATE,
        obj=invoice,
        changes={"status": [before, invoice.status], "void_reason": [None, reason]},
    )
    _reindex_after_commit("invoice", invoice.pk)
    return invoice


@transaction.atomic
def payment_record(
    *,
    actor: User,
    invoice: Invoice,
    amount: Any,
    paid_on: dt.date | None = None,
    method: str = Payment.Method.BANK_TRANSFER,
    reference: str = "",
) -> Payment:
    """Record money received against an invoice; the invoice becomes partially paid or paid. Paying more than is due is refused."""
    require(actor, invoice.workspace, Action.ADD, ObjectType.PAYMENT)
    invoice = _locked_invoice(invoice)
    errors = FieldErrors()
    value = errors.check(money.amount, amount, field="amount")
    if value is not None and value <= 0:
        errors["amount"] = "A payment is more than 0."
    if invoice.status == Invoice.Status.VOID:
        errors["invoice"] = f"{invoice.number} is void; it takes no payments."
    elif value is not None and value > invoice.amount_due:
        errors["amount"] = (
            f"{value} {invoice.currency} is more than the {invoice.amount_due} {invoice.currency} still due on {invoice.number}."
        )
    if method not in Payment.Method.values:
        errors["method"] = f"Choose one of: {', '.join(Payment.Method.values)}."
    paid_on = paid_on or timezone.localdate()
    if paid_on > timezone.localdate():
        errors["paid_on"] = "A payment cannot be dated in the future."
    if len(reference) > 200:
        errors["reference"] = "Use at most 200 characters."
    errors.raise_if_any()
    assert value is not None
    payment = Payment.objects.create(
        workspace=invoice.workspace,
        invoice=invoice,
        amount=value,
        currency=invoice.currency,
        paid_on=paid_on,
        method=method,
        reference=reference.strip(),
        created_by=actor,
    )
    before = invoice.status
    invoice.amount_paid += value
    invoice.status = _status_after_payment(invoice, timezone.localdate())
    invoice.save(update_fields=["amount_paid", "status", "updated_at"])
    audit.record(
        actor=actor,
        workspace=invoice.workspace,
        action=AuditEntry.Action.CREATE,
        obj=payment,
        changes={"amount": [None, str(value)], "invoice": [None, invoice.pk]},
    )
    audit.record(
        actor=actor,
        workspace=invoice.workspace,
        action=AuditEntry.Action.UPDATE,
        obj=invoice,
        changes={"status": [before, invoice.status], "amount_paid": [str(invoice.amount_paid - value), str(invoice.amount_paid)]},
    )
    _reindex_after_commit("invoice", invoice.pk)
    return payment


@transaction.atomic
def payment_delete(*, actor: User, payment: Payment) -> None:
    """Remove a payment recorded by mistake; the invoice owes that amount again."""
    require(actor, payment.workspace, Action.DELETE, ObjectType.PAYMENT)
    invoice = _locked_invoice(payment.invoice)
    before = invoice.status
    invoice.amount_paid -= payment.amount
    invoice.status = Invoice.Status.SENT if invoice.sent_at or invoice.amount_paid else Invoice.Status.DRAFT
    invoice.status = _status_after_payment(invoice, timezone.localdate())
    invoice.save(update_fields=["amount_paid", "status", "updated_at"])
    audit.record(
        actor=actor,
        workspace=invoice.workspace,
        action=AuditEntry.Action.DELETE,
        obj=payment,
        changes={"amount": [str(payment.amount), None]},
    )
    audit.record(
        actor=actor,
        workspace=invoice.workspace,
        action=AuditEntry.Action.UPDATE,
        obj=invoice,
        changes={"status": [before, invoice.status], "amount_paid": [str(invoice.amount_paid + payment.amount), str(invoice.amount_paid)]},
    )
    _reindex_after_commit("invoice", invoice.pk)
    payment.delete()


def mark_overdue_invoices(*, today: dt.date | None = None) -> int:
    """Mark sent and partly paid invoices past their due date as overdue (the worker runs this every minute); returns how many."""
    today = today or timezone.localdate()
    due = Invoice.objects.filter(status__in=[Invoice.Status.SENT, Invoice.Status.PARTIALLY_PAID], due_date__lt=today)
    marked = 0
    for invoice_id, status in due.values_list("pk", "status")[:1000]:
        with transaction.atomic():
            # The conditional UPDATE is the claim: two workers racing mark (and audit) an invoice once.
            if Invoice.objects.filter(pk=invoice_id, status=status).update(status=Invoice.Status.OVERDUE, updated_at=timezone.now()):
                invoice = Invoice.objects.select_related("workspace").get(pk=invoice_id)
                audit.record(
                    actor=None,
                    workspace=invoice.workspace,
                    action=AuditEntry.Action.UPDATE,
                    obj=invoice,
                    changes={"status": [status, Invoice.Status.OVERDUE]},
                )
                _reindex_after_commit("invoice", invoice.pk)
                marked += 1
    return marked
