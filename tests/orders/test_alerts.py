"""A customer's invoice left unpaid past its due date alerts the account's owner, once, until it is paid."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from amity.core import alerts
from amity.core.models import AlertRule, AlertState, Notification, User, Workspace
from amity.customers.models import Account
from amity.orders import services as orders
from amity.orders.models import Invoice, SalesOrder

NOW = timezone.now()


def _overdue_alerts() -> list[tuple[str, str, str]]:
    rows = Notification.objects.filter(kind="invoice_overdue").select_related("recipient").order_by("id")
    return [(n.recipient.email, n.title, n.url) for n in rows]


def test_an_unpaid_invoice_past_its_due_date_alerts_the_accounts_owner_once(
    manager: User, rep: User, order: SalesOrder, workspace: Workspace
) -> None:
    Account.objects.filter(pk=order.account_id).update(owner=rep)
    late = orders.invoice_create(actor=manager, order=order)
    orders.invoice_send(actor=manager, invoice=late, to="ap@initech.test")
    Invoice.objects.filter(pk=late.pk).update(due_date=NOW.date() - dt.timedelta(days=3))

    assert alerts.evaluate_workspace(workspace=workspace, now=NOW) == 1
    assert alerts.evaluate_workspace(workspace=workspace, now=NOW + dt.timedelta(minutes=15)) == 0

    assert _overdue_alerts() == [(rep.email, f"Invoice {late.number} is overdue", f"/w/{workspace.slug}/invoices/{late.pk}/")]
    assert "Initech owes" in Notification.objects.get(kind="invoice_overdue").body


def test_a_paid_invoice_clears_and_a_grace_period_waits(manager: User, rep: User, order: SalesOrder, workspace: Workspace) -> None:
    Account.objects.filter(pk=order.account_id).update(owner=rep)
    late = orders.invoice_create(actor=manager, order=order)
    orders.invoice_send(actor=manager, invoice=late, to="ap@initech.test")
    Invoice.objects.filter(pk=late.pk).update(due_date=NOW.date() - dt.timedelta(days=3))
    AlertRule.objects.update_or_create(workspace=workspace, kind="invoice_overdue", defaults={"params": {"days_after": 5}})

    assert alerts.evaluate_workspace(workspace=workspace, now=NOW) == 0  # three days late, five days of grace

    AlertRule.objects.filter(workspace=workspace, kind="invoice_overdue").update(params={"days_after": 0})
    assert alerts.evaluate_workspace(workspace=workspace, now=NOW) == 1
    late.refresh_from_db()
    orders.payment_record(actor=manager, invoice=late, amount=str(late.total_amount))
    alerts.evaluate_workspace(workspace=workspace, now=NOW + dt.timedelta(minutes=15))
    assert not AlertState.objects.filter(kind="invoice_overdue").exists()  # paid: the condition cleared
