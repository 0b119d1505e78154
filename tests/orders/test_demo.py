"""The demo's back office: quotes (some revised), orders, invoices and payments that add up."""

from __future__ import annotations

import time
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Sum

from amity.core.demo import load_demo
from amity.orders.models import Invoice, Payment, SalesOrder, SalesOrderLine
from amity.sales.models import DocumentSequence, Quote


def test_the_demo_tells_a_believable_billing_story(db: Any) -> None:
    started = time.monotonic()
    workspace = load_demo().workspace
    print(f"demo loaded in {time.monotonic() - started:.1f} s")

    quotes = Quote.objects.filter(workspace=workspace)
    assert quotes.filter(status="accepted").count() == SalesOrder.objects.filter(workspace=workspace).count() >= 100
    assert quotes.filter(version=2).count() >= 20 and quotes.filter(status="superseded").count() == quotes.filter(version=2).count()
    by_status = dict(Invoice.objects.filter(workspace=workspace).values_list("status").annotate(n=Count("id")))
    assert by_status["paid"] > by_status.get("partially_paid", 0) + by_status.get("overdue", 0) > 0, by_status
    assert by_status.get("overdue", 0) >= 2
    assert SalesOrder.objects.filter(workspace=workspace, status="cancelled").count() == 1
    assert SalesOrder.objects.filter(workspace=workspace, status="partially_fulfilled").exists()
    # Every invoice's payments add up to what it says is paid; nothing is overpaid; quantities stay within what was ordered.
    for invoice in Invoice.objects.filter(workspace=workspace).annotate(paid=Sum("payments__amount")):
        assert (invoice.paid or Decimal(0)) == invoice.amount_paid <= invoice.total_amount
    assert not Payment.objects.filter(workspace=workspace, amount__lte=0).exists()
    assert not SalesOrderLine.objects.filter(workspace=workspace, quantity_fulfilled__gt=F("quantity")).exists()
    # The series go on from the demo's last numbers.
    last = DocumentSequence.objects.filter(workspace=workspace, prefix="INV").order_by("-year").first()
    assert last is not None and Invoice.objects.filter(workspace=workspace, number=f"INV-{last.year}-{last.last_number:04d}").exists()
