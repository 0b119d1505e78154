"""The back office on the timelines: orders, fulfilments, cancellations, invoices and payments, on the account's,
the contact's and the deal's timeline."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import models

from amity.activities import timeline
from amity.activities.timeline import TimelineItem, TimelineQuery, TimelineSource
from amity.orders import selectors
from amity.orders.models import Cancellation, Fulfilment, Invoice, Payment, SalesOrder
from amity.sales.quote_timeline import linked


def order_rows(query: TimelineQuery) -> models.QuerySet[SalesOrder]:
    return SalesOrder.objects.filter(
        linked(query), workspace=query.workspace, pk__in=selectors.visible_order_ids(actor=query.actor, workspace=query.workspace)
    )


def order_items(rows: models.QuerySet[SalesOrder]) -> list[TimelineItem]:
    return [
        _item(
            "order",
            row,
            row.created_at,
            f"Order {row.number}",
            f"{row.total_amount} {row.currency} · {row.get_status_display()}",
            row.pk,
            "orders.salesorder",
            row.created_by,
        )
        for row in rows.select_related("created_by")
    ]


def fulfilment_rows(query: TimelineQuery) -> models.QuerySet[Fulfilment]:
    return Fulfilment.objects.filter(
        linked(query, "order__"),
        workspace=query.workspace,
        order_id__in=selectors.visible_order_ids(actor=query.actor, workspace=query.workspace),
    )


def fulfilment_items(rows: models.QuerySet[Fulfilment]) -> list[TimelineItem]:
    items = []
    for row in rows.select_related("order", "created_by").prefetch_related("lines__order_line"):
        delivered = ", ".join(f"{line.quantity.normalize()} × {line.order_line.name}" for line in row.lines.all())
        summary = delivered + (f" · {row.note}" if row.note else "")
        items.append(
            _item(
                "fulfilment",
                row,
                row.created_at,
                f"Order {row.order.number} fulfilled ({row.fulfilled_on:%d %b %Y})",
                summary,
                row.order_id,
                "orders.salesorder",
                row.created_by,
            )
        )
    return items


def cancellation_rows(query: TimelineQuery) -> models.QuerySet[Cancellation]:
    return Cancellation.objects.filter(
        linked(query, "order__"),
        workspace=query.workspace,
        order_id__in=selectors.visible_order_ids(actor=query.actor, workspace=query.workspace),
    )


def cancellation_items(rows: models.QuerySet[Cancellation]) -> list[TimelineItem]:
    return [
        _item(
            "cancellation",
            row,
            row.created_at,
            f"Order {row.order.number} cancelled" + (" (the remainder)" if row.scope == Cancellation.Scope.REMAINDER else ""),
            f"{row.reason} · {row.amount} {row.order.currency} net",
            row.order_id,
            "orders.salesorder",
            row.created_by,
        )
        for row in rows.select_related("order", "created_by")
    ]


def invoice_rows(query: TimelineQuery) -> models.QuerySet[Invoice]:
    return Invoice.objects.filter(
        linked(query, deal="order__opportunity_id"),
        workspace=query.workspace,
        pk__in=selectors.visible_invoice_ids(actor=query.actor, workspace=query.workspace),
    )


def invoice_items(rows: models.QuerySet[Invoice]) -> list[TimelineItem]:
    return [
        _item(
            "invoice",
            row,
            row.created_at,
            f"Invoice {row.number}",
            f"{row.total_amount} {row.currency} · due {row.due_date:%d %b %Y} · {row.get_status_display()}",
            row.pk,
            "orders.invoice",
            row.created_by,
        )
        for row in rows.select_related("created_by")
    ]


def payment_rows(query: TimelineQuery) -> models.QuerySet[Payment]:
    return Payment.objects.filter(
        linked(query, "invoice__", deal="order__opportunity_id"),
        workspace=query.workspace,
        pk__in=selectors.visible_payment_ids(actor=query.actor, workspace=query.workspace),
    )


def payment_items(rows: models.QuerySet[Payment]) -> list[TimelineItem]:
    return [
        _item(
            "payment",
            row,
            row.created_at,
            f"Payment of {row.amount} {row.currency} for {row.invoice.number}",
            f"{row.get_method_display()} · {row.paid_on:%d %b %Y}" + (f" · {row.reference}" if row.reference else ""),
            row.invoice_id,
            "orders.invoice",
            row.created_by,
        )
        for row in rows.select_related("invoice", "created_by")
    ]


def _item(kind: str, row: Any, at: Any, title: str, summary: str, object_id: int, object_type: str, actor: Any) -> TimelineItem:
    api = "orders" if object_type == "orders.salesorder" else "invoices"
    return TimelineItem(
        kind=kind,
        id=row.pk,
        occurred_at=at,
        title=title,
        summary=summary,
        object_type=object_type,
        object_id=object_id,
        url=f"/api/v1/{api}/{object_id}",
        actor_name=actor.display_name if actor else "",
    )


SOURCES: list[tuple[str, str, Callable[..., Any], Callable[..., Any], str, str, str]] = [
    ("order", "Orders", order_rows, order_items, "shopping-cart", "teal", "Order"),
    ("fulfilment", "Fulfilments", fulfilment_rows, fulfilment_items, "truck-delivery", "teal", "Fulfilment"),
    ("cancellation", "Cancellations", cancellation_rows, cancellation_items, "shopping-cart-x", "red", "Cancellation"),
    ("invoice", "Invoices", invoice_rows, invoice_items, "file-invoice", "orange", "Invoice"),
    ("payment", "Payments", payment_rows, payment_items, "cash", "green", "Payment"),
]


def register_sources() -> None:
    for kind, label, rows, render, icon, tone, entry_label in SOURCES:
        timeline.register(
            TimelineSource(
                kind=kind, label=label, rows=rows, render=render, time_field="created_at", icon=icon, tone=tone, entry_label=entry_label
            )
        )
