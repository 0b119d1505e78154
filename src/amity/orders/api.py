"""The API of the back office: orders (fulfil, cancel, invoice), invoices (send, void, PDF) and payments."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status

from amity.api.auth import actor_and_workspace
from amity.api.pagination import PageParams, page_of, paginate, sort_ordering
from amity.orders import selectors, services
from amity.orders.documents import invoice_pdf
from amity.orders.schemas import (
    CancelIn,
    CancellationOut,
    FulfilIn,
    FulfilmentOut,
    InvoiceCreateIn,
    InvoiceFilterIn,
    InvoiceOut,
    InvoiceSendIn,
    OrderFilterIn,
    OrderOut,
    PaymentFilterIn,
    PaymentIn,
    PaymentOut,
    VoidIn,
)

router = Router()


def _rows(lines: list[Any] | None) -> list[dict[str, Any]] | None:
    return None if lines is None else [line.model_dump() for line in lines]


# --- Orders -------------------------------------------------------------------------------------------------------------


@router.get("/orders", response=page_of(OrderOut), tags=["orders"], summary="Sales orders, with filters")
def list_orders(request: HttpRequest, page: Query[PageParams], filters: Query[OrderFilterIn]) -> Any:
    actor, workspace = actor_and_workspace(request)
    ordering = sort_ordering(filters.sort, allowed=selectors.ORDER_SORTS, default="-created_at")
    criteria = selectors.OrderFilter(**filters.model_dump(exclude={"sort"}))
    return paginate(
        selectors.order_list(actor=actor, workspace=workspace, filters=criteria), ordering=ordering, cursor=page.cursor, limit=page.limit
    )


@router.get("/orders/{order_id}", response=OrderOut, tags=["orders"])
def get_order(request: HttpRequest, order_id: int) -> Any:
    actor, workspace = actor_and_workspace(request)
    return selectors.order_get(actor=actor, workspace=workspace, pk=order_id)


@router.post("/orders/{order_id}/fulfil", response={201: FulfilmentOut}, tags=["orders"], summary="Record a delivery, in part or in whole")
def fulfil_order(request: HttpRequest, order_id: int, payload: FulfilIn) -> Any:
    actor, workspace = actor_and_workspace(request)
    order = selectors.order_get(actor=actor, workspace=workspace, pk=order_id)
    fulfilment = services.order_fulfil(
        actor=actor, order=order, lines=_rows(payload.lines), fulfilled_on=payload.fulfilled_on, note=payload.note
    )
    return Status(201, fulfilment)


@router.post(
    "/orders/{order_id}/cancel", response={201: CancellationOut}, tags=["orders"], summary="Cancel the whole order or its remainder"
)
def cancel_order(request: HttpRequest, order_id: int, payload: CancelIn) -> Any:
    actor, workspace = actor_and_workspace(request)
    order = selectors.order_get(actor=actor, workspace=workspace, pk=order_id)
    return Status(201, services.order_cancel(actor=actor, order=order, reason=payload.reason, scope=payload.scope))


@router.post("/orders/{order_id}/invoice", response={201: InvoiceOut}, tags=["orders"], summary="Invoice what is not invoiced yet")
def invoice_order(request: HttpRequest, order_id: int, payload: InvoiceCreateIn) -> Any:
    actor, workspace = actor_and_workspace(request)
    order = selectors.order_get(actor=actor, workspace=workspace, pk=order_id)
    invoice = services.invoice_create(
        actor=actor, order=order, lines=_rows(payload.lines), issue_date=payload.issue_date, notes=payload.notes
    )
    return Status(201, selectors.invoice_get(actor=actor, workspace=workspace, pk=invoice.pk))


# --- Invoices -----------------------------------------------------------------------------------------------------------


@router.get("/invoices", response=page_of(InvoiceOut), tags=["invoices"], summary="Invoices, with filters")
def list_invoices(request: HttpRequest, page: Query[PageParams], filters: Query[InvoiceFilterIn]) -> Any:
    actor, workspace = actor_and_workspace(request)
    ordering = sort_ordering(filters.sort, allowed=selectors.INVOICE_SORTS, default="-created_at")
    criteria = selectors.InvoiceFilter(**filters.model_dump(exclude={"sort"}))
    return paginate(
        selectors.invoice_list(actor=actor, workspace=workspace, filters=criteria), ordering=ordering, cursor=page.cursor, limit=page.limit
    )


@router.get("/invoices/{invoice_id}", response=InvoiceOut, tags=["invoices"])
def get_invoice(request: HttpRequest, invoice_id: int) -> Any:
    actor, workspace = actor_and_workspace(request)
    return selectors.invoice_get(actor=actor, workspace=workspace, pk=invoice_id)


@router.post("/invoices/{invoice_id}/send", response=InvoiceOut, tags=["invoices"], summary="Email the invoice as a PDF")
def send_invoice(request: HttpRequest, invoice_id: int, payload: InvoiceSendIn) -> Any:
    actor, workspace = actor_and_workspace(request)
    invoice = selectors.invoice_get(actor=actor, workspace=workspace, pk=invoice_id)
    services.invoice_send(actor=actor, invoice=invoice, to=payload.to, message=payload.message)
    return selectors.invoice_get(actor=actor, workspace=workspace, pk=invoice_id)


@router.post("/invoices/{invoice_id}/void", response=InvoiceOut, tags=["invoices"], summary="Void an invoice issued in error")
def void_invoice(request: HttpRequest, invoice_id: int, payload: VoidIn) -> Any:
    actor, workspace = actor_and_workspace(request)
    invoice = selectors.invoice_get(actor=actor, workspace=workspace, pk=invoice_id)
    services.invoice_void(actor=actor, invoice=invoice, reason=payload.reason)
    return selectors.invoice_get(actor=actor, workspace=workspace, pk=invoice_id)


@router.get("/invoices/{invoice_id}/pdf", tags=["invoices"], summary="The invoice as a PDF", response={200: None})
def invoice_pdf_file(request: HttpRequest, invoice_id: int) -> HttpResponse:
    actor, workspace = actor_and_workspace(request)
    invoice = selectors.invoice_get(actor=actor, workspace=workspace, pk=invoice_id)
    response = HttpResponse(invoice_pdf(invoice), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{invoice.number}.pdf"'
    return response


# --- Payments -----------------------------------------------------------------------------------------------------------


@router.get("/payments", response=page_of(PaymentOut), tags=["payments"], summary="Payments received, with filters")
def list_payments(request: HttpRequest, page: Query[PageParams], filters: Query[PaymentFilterIn]) -> Any:
    actor, workspace = actor_and_workspace(request)
    ordering = sort_ordering(filters.sort, allowed=selectors.PAYMENT_SORTS, default="-created_at")
    criteria = selectors.PaymentFilter(**filters.model_dump(exclude={"sort"}))
    return paginate(
        selectors.payment_list(actor=actor, workspace=workspace, filters=criteria), ordering=ordering, cursor=page.cursor, limit=page.limit
    )


@router.post("/payments", response={201: PaymentOut}, tags=["payments"], summary="Record a payment against an invoice")
def create_payment(request: HttpRequest, payload: PaymentIn) -> Any:
    actor, workspace = actor_and_workspace(request)
    invoice = selectors.invoice_get(actor=actor, workspace=workspace, pk=payload.invoice_id)
    payment = services.payment_record(
        actor=actor, invoice=invoice, amount=payload.amount, paid_on=payload.paid_on, method=payload.method, reference=payload.reference
    )
    return Status(201, selectors.payment_get(actor=actor, workspace=workspace, pk=payment.pk))


@router.get("/payments/{payment_id}", response=PaymentOut, tags=["payments"])
def get_payment(request: HttpRequest, payment_id: int) -> Any:
    actor, workspace = actor_and_workspace(request)
    return selectors.payment_get(actor=actor, workspace=workspace, pk=payment_id)


@router.delete("/payments/{payment_id}", response={204: None}, tags=["payments"], summary="Remove a payment recorded by mistake")
def delete_payment(request: HttpRequest, payment_id: int) -> Any:
    actor, workspace = actor_and_workspace(request)
    services.payment_delete(actor=actor, payment=selectors.payment_get(actor=actor, workspace=workspace, pk=payment_id))
    return Status(204, None)
