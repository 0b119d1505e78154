"""Invoices as PDF, laid out like quotes (the same base template), with what is paid and what is due."""

from __future__ import annotations

from amity.orders.models import Invoice
from amity.sales.documents import render_pdf


def invoice_pdf(invoice: Invoice) -> bytes:
    """An invoice as its customer receives it: the workspace's name, bill-to, lines, totals, due date, payments."""
    lines = list(invoice.lines.all())
    payments = list(invoice.payments.order_by("paid_on", "id"))
    context = {"invoice": invoice, "document": invoice, "lines": lines, "payments": payments, "workspace": invoice.workspace}
    return render_pdf("documents/invoice.html", context)
