"""The order and invoice pages: lists, an order's page (fulfil lines, cancel with a reason, create an invoice) and an
invoice's page (send, record a payment, void, PDF). They read through amity.orders.selectors and write through
amity.orders.services, as the API does.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_POST

from amity.api.pagination import paginate
from amity.core.access import allowed
from amity.core.permissions import Action, ObjectType
from amity.orders import selectors, services
from amity.orders.documents import invoice_pdf
from amity.orders.models import Cancellation, Invoice, Payment, SalesOrder
from amity.web.forms import error_text, errors_as_messages
from amity.web.views.base import WorkspaceRequest, ensure, render_page, workspace_view

PAGE_SIZE = 50


def _int(value: str | None) -> int:
    return int(value) if value and value.isdigit() else 0


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value or "")
    except ValueError:
        return None


def _page(request: HttpRequest, rows: models.QuerySet[Any]) -> tuple[list[Any], str]:
    try:
        page = paginate(rows, ordering=("-created_at", "-id"), cursor=request.GET.get("cursor") or None, limit=PAGE_SIZE)
    except ValidationError:
        page = paginate(rows, ordering=("-created_at", "-id"), cursor=None, limit=PAGE_SIZE)
    query: dict[str, str] = {key: str(value) for key, value in request.GET.items() if key != "cursor"}
    return page.items, f"?{urlencode({**query, 'cursor': page.next_cursor})}" if page.next_cursor else ""


def _quantities(request: HttpRequest, prefix: str) -> list[dict[str, Any]]:
    """Rows {line_id, quantity} from inputs named `<prefix>-<line id>`; blank inputs are left out."""
    rows = []
    for key in request.POST:
        value = str(request.POST.get(key, "")).strip()
        if key.startswith(f"{prefix}-") and key.removeprefix(f"{prefix}-").isdigit() and value:
            rows.append({"line_id": int(key.removeprefix(f"{prefix}-")), "quantity": value})
    return rows


# --- Orders -------------------------------------------------------------------------------------------------------------


@workspace_view
@require_GET
def order_list(request: WorkspaceRequest) -> HttpResponse:
    """Sales orders, newest first, by status or account."""
    ensure(request, Action.VIEW, ObjectType.ORDER)
    status = request.GET.get("status", "")
    status = status if status in SalesOrder.Status.values else ""
    filters = selectors.OrderFilter(
        status=status or None, account_id=_int(request.GET.get("account")) or None, contact_id=_int(request.GET.get("contact")) or None
    )
    orders = selectors.order_list(actor=request.user, workspace=request.workspace, filters=filters).prefetch_related(None)
    items, next_url = _page(request, orders)
    context = {"orders": items, "next_url": next_url, "status": status, "statuses": SalesOrder.Status.choices}
    return render_page(request, "web/orders/list.html", context, partial="rows" if request.GET.get("cursor") else None)


@workspace_view
@require_GET
def order_detail(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """An order: its lines with what is fulfilled, invoiced and cancelled, and the forms to fulfil, invoice or cancel."""
    ensure(request, Action.VIEW, ObjectType.ORDER)
    order = selectors.order_get(actor=request.user, workspace=request.workspace, pk=pk)
    lines = list(order.lines.all())
    can_change = allowed(request.user, request.workspace, Action.CHANGE, ObjectType.ORDER)
    closed = order.status in (SalesOrder.Status.CANCELLED, SalesOrder.Status.FULFILLED)
    context = {
        "order": order,
        "lines": lines,
        "fulfilments": selectors.order_fulfilments(order=order),
        "cancellations": selectors.order_cancellations(order=order),
        "invoices": selectors.order_invoices(order=order)
        if allowed(request.user, request.workspace, Action.VIEW, ObjectType.INVOICE)
        else [],
        "can_fulfil": can_change and not closed and any(line.quantity_open > 0 for line in lines),
        "can_cancel": can_change and not closed,
        "can_invoice": allowed(request.user, request.workspace, Action.ADD, ObjectType.INVOICE)
        and order.status != SalesOrder.Status.CANCELLED
        and any(line.quantity_uninvoiced > 0 for line in lines),
        "today": timezone.localdate(),
        "scopes": Cancellation.Scope.choices,
    }
    return render_page(request, "web/orders/detail.html", context)


@workspace_view
@require_POST
def order_fulfil(request: WorkspaceRequest, pk: int) -> HttpResponse:
    ensure(request, Action.CHANGE, ObjectType.ORDER)
    order = selectors.order_get(actor=request.user, workspace=request.workspace, pk=pk)
    with errors_as_messages(request):
        services.order_fulfil(
            actor=request.user,
            order=order,
            lines=_quantities(request, "fulfil"),
            fulfilled_on=_date(request.POST.get("fulfilled_on")),
            note=request.POST.get("note", ""),
        )
        messages.success(request, f"Delivery recorded on {order.number}.")
    return redirect("order_detail", request.workspace.slug, order.pk)


@workspace_view
@require_POST
def order_cancel(request: WorkspaceRequest, pk: int) -> HttpResponse:
    ensure(request, Action.CHANGE, ObjectType.ORDER)
    order = selectors.order_get(actor=request.user, workspace=request.workspace, pk=pk)
    with errors_as_messages(request):
        services.order_cancel(
            actor=request.user, order=order, reason=request.POST.get("reason", ""), scope=request.POST.get("scope", "whole")
        )
        messages.success(request, f"{order.number} cancelled.")
    return redirect("order_detail", request.workspace.slug, order.pk)


@workspace_view
@require_POST
def order_invoice(request: WorkspaceRequest, pk: int) -> HttpResponse:
    ensure(request, Action.ADD, ObjectType.INVOICE)
    order = selectors.order_get(actor=request.user, workspace=request.workspace, pk=pk)
    try:
        invoice = services.invoice_create(
            actor=request.user, order=order, lines=_quantities(request, "invoice"), issue_date=_date(request.POST.get("issue_date"))
        )
    except ValidationError as error:
        messages.error(request, error_text(error))
        return redirect("order_detail", request.workspace.slug, order.pk)
    messages.success(request, f"Invoice {invoice.number} created as a draft: check it, then send it.")
    return redirect("invoice_detail", request.workspace.slug, invoice.pk)


# --- Invoices -----------------------------------------------------------------------------------------------------------


@workspace_view
@require_GET
def invoice_list(request: WorkspaceRequest) -> HttpResponse:
    """Invoices, newest first, by status or account; "unpaid" shows what customers still owe."""
    ensure(request, Action.VIEW, ObjectType.INVOICE)
    status = request.GET.get("status", "")
    unpaid = status == "unpaid"
    status = status if status in Invoice.Status.values else ""
    filters = selectors.InvoiceFilter(
        status=status or None,
        unpaid=unpaid or None,
        account_id=_int(request.GET.get("account")) or None,
        contact_id=_int(request.GET.get("contact")) or None,
    )
    invoices = selectors.invoice_list(actor=request.user, workspace=request.workspace, filters=filters).prefetch_related(None)
    items, next_url = _page(request, invoices)
    context = {
        "invoices": items,
        "next_url": next_url,
        "status": "unpaid" if unpaid else status,
        "statuses": [("unpaid", "Unpaid"), *Invoice.Status.choices],
        "today": timezone.localdate(),
    }
    return render_page(request, "web/invoices/list.html", context, partial="rows" if request.GET.get("cursor") else None)


@workspace_view
@require_GET
def invoice_detail(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """An invoice: lines, totals, payments, and the forms to send it, record a payment or void it."""
    ensure(request, Action.VIEW, ObjectType.INVOICE)
    invoice = selectors.invoice_get(actor=request.user, workspace=request.workspace, pk=pk)
    open_invoice = invoice.status != Invoice.Status.VOID
    context = {
        "invoice": invoice,
        "lines": list(invoice.lines.all()),
        "payments": list(invoice.payments.all()),
        "can_send": open_invoice and allowed(request.user, request.workspace, Action.CHANGE, ObjectType.INVOICE),
        "can_void": open_invoice
        and invoice.amount_paid == 0
        and allowed(request.user, request.workspace, Action.CHANGE, ObjectType.INVOICE),
        "can_pay": open_invoice and invoice.amount_due > 0 and allowed(request.user, request.workspace, Action.ADD, ObjectType.PAYMENT),
        "methods": Payment.Method.choices,
        "send_to": invoice.sent_to or (invoice.contact.primary_email if invoice.contact else ""),
        "today": timezone.localdate(),
    }
    return render_page(request, "web/invoices/detail.html", context)


@workspace_view
@require_GET
def invoice_pdf_view(request: WorkspaceRequest, pk: int) -> HttpResponse:
    ensure(request, Action.VIEW, ObjectType.INVOICE)
    invoice = selectors.invoice_get(actor=request.user, workspace=request.workspace, pk=pk)
    response = HttpResponse(invoice_pdf(invoice), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{invoice.number}.pdf"'
    return response


@workspace_view
@require_POST
def invoice_send(request: WorkspaceRequest, pk: int) -> HttpResponse:
    ensure(request, Action.CHANGE, ObjectType.INVOICE)
    invoice = selectors.invoice_get(actor=request.user, workspace=request.workspace, pk=pk)
    with errors_as_messages(request):
        services.invoice_send(actor=request.user, invoice=invoice, to=request.POST.get("to", ""), message=request.POST.get("message", ""))
        messages.success(request, f"Invoice {invoice.number} is on its way to {request.POST.get('to', '').strip()}.")
    return redirect("invoice_detail", request.workspace.slug, invoice.pk)


@workspace_view
@require_POST
def invoice_void(request: WorkspaceRequest, pk: int) -> HttpResponse:
    ensure(request, Action.CHANGE, ObjectType.INVOICE)
    invoice = selectors.invoice_get(actor=request.user, workspace=request.workspace, pk=pk)
    with errors_as_messages(request):
        services.invoice_void(actor=request.user, invoice=invoice, reason=request.POST.get("reason", ""))
        messages.success(request, f"Invoice {invoice.number} is void; its lines can be invoiced again.")
    return redirect("invoice_detail", request.workspace.slug, invoice.pk)


@workspace_view
@require_POST
def invoice_pay(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """Record a payment against the invoice."""
    ensure(request, Action.ADD, ObjectType.PAYMENT)
    invoice = selectors.invoice_get(actor=request.user, workspace=request.workspace, pk=pk)
    raw = request.POST.get("amount", "").strip()
    try:
        amount = Decimal(raw)
    except InvalidOperation:
        messages.error(request, "Enter the amount received, such as 1250.00.")
        return redirect("invoice_detail", request.workspace.slug, invoice.pk)
    with errors_as_messages(request):
        payment = services.payment_record(
            actor=request.user,
            invoice=invoice,
            amount=amount,
            paid_on=_date(request.POST.get("paid_on")),
            method=request.POST.get("method", Payment.Method.BANK_TRANSFER),
            reference=request.POST.get("reference", ""),
        )
        messages.success(request, f"Payment of {payment.amount} {payment.currency} recorded on {invoice.number}.")
    return redirect("invoice_detail", request.workspace.slug, invoice.pk)
