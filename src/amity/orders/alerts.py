"""Alerts about the back office: a customer's invoice left unpaid past its due date."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from django.urls import reverse

from amity.core.alerts import Alert, AlertRuleType, Param, RuleContext, register_rule
from amity.core.models import Workspace
from amity.orders.models import Invoice

INVOICE_OVERDUE = "invoice_overdue"
UNPAID = (Invoice.Status.SENT, Invoice.Status.PARTIALLY_PAID, Invoice.Status.OVERDUE)


def _invoice_list_url(workspace: Workspace) -> str:
    return reverse("invoice_list", kwargs={"slug": workspace.slug})


def overdue_invoices(context: RuleContext) -> Iterator[Alert]:
    """Unpaid invoices `days_after` days past their due date, told to the account's owner: one query."""
    late_before = context.now.date() - timedelta(days=int(context.params["days_after"]))
    overdue = Invoice.objects.filter(workspace=context.workspace, status__in=UNPAID, due_date__lt=late_before, account__owner__isnull=False)
    rows = context.new(overdue).values(
        "pk", "number", "total_amount", "amount_paid", "currency", "due_date", "account__name", "account__owner_id"
    )
    for invoice in rows.order_by("pk"):
        owed = invoice["total_amount"] - invoice["amount_paid"]
        yield Alert(
            recipient_id=invoice["account__owner_id"],
            record_id=invoice["pk"],
            title=f"Invoice {invoice['number']} is overdue",
            body=f"{invoice['account__name']} owes {owed:,.2f} {invoice['currency']}, due {invoice['due_date']:%Y-%m-%d}.",
            url=context.record_url("invoice_detail", invoice["pk"]),
        )


def register_rules() -> None:
    register_rule(
        AlertRuleType(
            kind=INVOICE_OVERDUE,
            label="A customer's invoice is overdue",
            description="An unpaid invoice past its due date, after a grace period, is told to the account's owner.",
            defaults={"days_after": 0},
            params=(Param("days_after", "Days of grace after the due date", minimum=0, maximum=365, unit="days"),),
            find=overdue_invoices,
            summary_url=_invoice_list_url,
            icon="file-invoice",
        )
    )
