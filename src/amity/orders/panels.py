"""The "Billing history" panel of contact and account pages: latest invoices with what is still owed, registered in OrdersConfig.ready()."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, Sum

from amity.core.access import allowed
from amity.core.models import User, Workspace
from amity.core.permissions import Action, ObjectType
from amity.customers.models import Account
from amity.orders.models import Invoice
from amity.orders.selectors import InvoiceFilter, OrderFilter, invoice_list, order_list

SHOWN = 5
UNPAID = [Invoice.Status.SENT, Invoice.Status.PARTIALLY_PAID, Invoice.Status.OVERDUE]


def billing_history(actor: User, workspace: Workspace, record: Any) -> dict[str, Any]:
    """The record's latest invoices, how many there are, what is outstanding per currency, and the orders count (four queries)."""
    is_account = isinstance(record, Account)
    filters = InvoiceFilter(account_id=record.pk) if is_account else InvoiceFilter(contact_id=record.pk)
    invoices = invoice_list(actor=actor, workspace=workspace, filters=filters).prefetch_related(None)
    shown = list(invoices.order_by("-issue_date", "-id")[:SHOWN])
    count = invoices.count()  # always counted: the page's query count must not depend on how many there are
    outstanding = [
        {"currency": row["currency"], "amount": (row["total"] or Decimal(0)) - (row["paid"] or Decimal(0)), "overdue": row["overdue"]}
        for row in invoices.filter(status__in=UNPAID)
        .order_by()
        .values("currency")
        .annotate(total=Sum("total_amount"), paid=Sum("amount_paid"), overdue=Count("pk", filter=_overdue()))
        .order_by("currency")
    ]
    orders = 0
    if allowed(actor, workspace, Action.VIEW, ObjectType.ORDER):
        order_filters = OrderFilter(account_id=record.pk) if is_account else OrderFilter(contact_id=record.pk)
        orders = order_list(actor=actor, workspace=workspace, filters=order_filters).prefetch_related(None).count()
    return {
        "invoices": shown,
        "count": count,
        "more": count - len(shown),
        "outstanding": outstanding,
        "orders": orders,
        "empty": not shown and not orders,
        "filter": f"account={record.pk}" if is_account else f"contact={record.pk}",
    }


def _overdue() -> Any:
    from django.db.models import Q

    return Q(status=Invoice.Status.OVERDUE)


def register_panel() -> None:
    from amity.web import record_page

    record_page.register(
        record_page.Panel(
            key="billing",
            title="Billing history",
            icon="file-invoice",
            template="web/billing/panel.html",
            context=billing_history,
            order=18,
            permission=(Action.VIEW, ObjectType.INVOICE),
            empty_text="No orders or invoices yet.",
        )
    )
