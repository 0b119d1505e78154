"""Reads of orders, invoices and payments: workspace-scoped, role-checked, with what an answer shows prefetched."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Prefetch

from amity.core.access import visible
from amity.core.models import User, Workspace
from amity.core.permissions import ObjectType
from amity.core.tenancy import get_scoped_or_404
from amity.orders.models import Cancellation, Fulfilment, FulfilmentLine, Invoice, InvoiceLine, Payment, SalesOrder, SalesOrderLine

ORDER_SORTS = {
    "created_at": ("created_at", "id"),
    "-created_at": ("-created_at", "-id"),
    "number": ("number", "id"),
    "-number": ("-number", "-id"),
    "total_amount": ("total_amount", "id"),
    "-total_amount": ("-total_amount", "-id"),
}
INVOICE_SORTS = {
    **ORDER_SORTS,
    "due_date": ("due_date", "id"),
    "-due_date": ("-due_date", "-id"),
}
PAYMENT_SORTS = {
    "created_at": ("created_at", "id"),
    "-created_at": ("-created_at", "-id"),
    "paid_on": ("paid_on", "id"),
    "-paid_on": ("-paid_on", "-id"),
}


@dataclass(frozen=True)
class OrderFilter:
    status: str | None = None
    account_id: int | None = None
    contact_id: int | None = None
    opportunity_id: int | None = None
    number: str | None = None
    created_after: dt.datetime | None = None
    created_before: dt.datetime | None = None


@dataclass(frozen=True)
class InvoiceFilter:
    status: str | None = None
    account_id: int | None = None
    contact_id: int | None = None
    order_id: int | None = None
    number: str | None = None
    due_before: dt.date | None = None
    due_after: dt.date | None = None
    unpaid: bool | None = None


@dataclass(frozen=True)
class PaymentFilter:
    invoice_id: int | None = None
    account_id: int | None = None
    method: str | None = None
    paid_after: dt.date | None = None
    paid_before: dt.date | None = None


def _present(lookups: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in lookups.items() if value not in (None, "")}


def _check_choice(field: str, value: str | None, choices: list[str]) -> None:
    if value and value not in choices:
        raise ValidationError({field: f"Choose one of: {', '.join(choices)}."})


# --- Orders -------------------------------------------------------------------------------------------------------------


def _orders(actor: User, workspace: Workspace) -> models.QuerySet[SalesOrder]:
    return visible(SalesOrder.objects.all(), actor=actor, workspace=workspace, object_type=ObjectType.ORDER)


def order_details(orders: models.QuerySet[SalesOrder]) -> models.QuerySet[SalesOrder]:
    return orders.select_related("account", "contact", "opportunity", "quote").prefetch_related(
        Prefetch("lines", queryset=SalesOrderLine._default_manager.order_by("position", "id"))
    )


def order_list(*, actor: User, workspace: Workspace, filters: OrderFilter | None = None) -> models.QuerySet[SalesOrder]:
    """Orders the actor may see, filtered, with their lines."""
    filters = filters or OrderFilter()
    _check_choice("status", filters.status, SalesOrder.Status.values)
    lookups = {
        "status": filters.status,
        "account_id": filters.account_id,
        "contact_id": filters.contact_id,
        "opportunity_id": filters.opportunity_id,
        "number": (filters.number or "").strip().upper(),
        "created_at__gte": filters.created_after,
        "created_at__lt": filters.created_before,
    }
    return order_details(_orders(actor, workspace).filter(**_present(lookups)))


def order_get(*, actor: User, workspace: Workspace, pk: int) -> SalesOrder:
    return get_scoped_or_404(order_details(_orders(actor, workspace)), pk=pk)


def order_fulfilments(*, order: SalesOrder) -> list[Fulfilment]:
    """An order's deliveries with their lines, newest first (two queries)."""
    lines = Prefetch("lines", queryset=FulfilmentLine._default_manager.select_related("order_line").order_by("id"))
    return list(order.fulfilments.select_related("created_by").prefetch_related(lines).order_by("-fulfilled_on", "-id"))


def order_cancellations(*, order: SalesOrder) -> list[Cancellation]:
    return list(order.cancellations.select_related("created_by").order_by("-created_at", "-id"))


def order_invoices(*, order: SalesOrder) -> list[Invoice]:
    return list(order.invoices.order_by("-created_at", "-id"))


# --- Invoices -----------------------------------------------------------------------------------------------------------


def _invoices(actor: User, workspace: Workspace) -> models.QuerySet[Invoice]:
    return visible(Invoice.objects.all(), actor=actor, workspace=workspace, object_type=ObjectType.INVOICE)


def invoice_details(invoices: models.QuerySet[Invoice]) -> models.QuerySet[Invoice]:
    return invoices.select_related("account", "contact", "order").prefetch_related(  # type: ignore[type-var]
        Prefetch("lines", queryset=InvoiceLine._default_manager.order_by("position", "id")),
        Prefetch("payments", queryset=Payment._default_manager.order_by("paid_on", "id")),
    )


def invoice_list(*, actor: User, workspace: Workspace, filters: InvoiceFilter | None = None) -> models.QuerySet[Invoice]:
    """Invoices the actor may see, filtered, with their lines and payments."""
    filters = filters or InvoiceFilter()
    _check_choice("status", filters.status, Invoice.Status.values)
    lookups = {
        "status": filters.status,
        "account_id": filters.account_id,
        "contact_id": filters.contact_id,
        "order_id": filters.order_id,
        "number": (filters.number or "").strip().upper(),
        "due_date__lt": filters.due_before,
        "due_date__gte": filters.due_after,
    }
    invoices = _invoices(actor, workspace).filter(**_present(lookups))
    if filters.unpaid:
        invoices = invoices.filter(status__in=[Invoice.Status.SENT, Invoice.Status.PARTIALLY_PAID, Invoice.Status.OVERDUE])
    return invoice_details(invoices)


def invoice_get(*, actor: User, workspace: Workspace, pk: int) -> Invoice:
    return get_scoped_or_404(invoice_details(_invoices(actor, workspace)), pk=pk)


# --- Payments -----------------------------------------------------------------------------------------------------------


def _payments(actor: User, workspace: Workspace) -> models.QuerySet[Payment]:
    return visible(Payment.objects.all(), actor=actor, workspace=workspace, object_type=ObjectType.PAYMENT)


def payment_list(*, actor: User, workspace: Workspace, filters: PaymentFilter | None = None) -> models.QuerySet[Payment]:
    filters = filters or PaymentFilter()
    _check_choice("method", filters.method, Payment.Method.values)
    lookups = {
        "invoice_id": filters.invoice_id,
        "invoice__account_id": filters.account_id,
        "method": filters.method,
        "paid_on__gte": filters.paid_after,
        "paid_on__lte": filters.paid_before,
    }
    payments: models.QuerySet[Payment] = _payments(actor, workspace).filter(**_present(lookups))
    return payments.select_related("invoice")


def payment_get(*, actor: User, workspace: Workspace, pk: int) -> Payment:
    return get_scoped_or_404(_payments(actor, workspace).select_related("invoice"), pk=pk)


# --- For timelines and panels -------------------------------------------------------------------------------------------


def visible_order_ids(*, actor: User, workspace: Workspace) -> models.QuerySet[Any]:
    return _orders(actor, workspace).values("pk")


def visible_invoice_ids(*, actor: User, workspace: Workspace) -> models.QuerySet[Any]:
    return _invoices(actor, workspace).values("pk")


def visible_payment_ids(*, actor: User, workspace: Workspace) -> models.QuerySet[Any]:
    return _payments(actor, workspace).values("pk")
