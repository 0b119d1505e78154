"""Background work of the back office: emailing invoices with their PDF, and marking unpaid invoices overdue."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string

from amity.core.taskrunner import retrying_task
from amity.orders import services
from amity.orders.documents import invoice_pdf
from amity.orders.models import Invoice


@retrying_task(queue_name="email")
def send_invoice_email(*, invoice_id: int, to: str, message: str = "") -> None:
    """Email an invoice to the customer with the invoice as a PDF attachment."""
    invoice = Invoice.objects.select_related("workspace", "account", "contact", "order").get(pk=invoice_id)
    context = {"invoice": invoice, "workspace": invoice.workspace, "message": message}
    subject = f"Invoice {invoice.number} from {invoice.workspace.name}"
    body = render_to_string("documents/invoice_email.txt", context)
    email = EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[to])
    email.attach(f"{invoice.number}.pdf", invoice_pdf(invoice), "application/pdf")
    email.send()


@retrying_task(max_attempts=1)
def mark_overdue_invoices() -> int:
    """Mark sent invoices past their due date as overdue (the worker's scheduler enqueues this every minute).

    No retry of its own: the next minute's run picks up whatever this one did not finish.
    """
    return services.mark_overdue_invoices()
