"""Background work of sales: scoring every lead again after the scoring rules changed, the alert for a large deal
moved backward (sent after the move commits), emailing a quote with its PDF, and expiring quotes past their validity."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse

from amity.core.taskrunner import retrying_task
from amity.sales import alerts
from amity.sales.documents import quote_pdf
from amity.sales.models import Quote
from amity.sales.services import quotes
from amity.sales.services.lead_scoring import mark_rescore_failed, run_rescore


@retrying_task(max_attempts=3, on_give_up=mark_rescore_failed)
def rescore_leads(rescore_id: int) -> int:
    """Score every lead of a workspace by the current rules, batch by batch, with the run's progress kept current."""
    return run_rescore(rescore_id).changed


@retrying_task()
def alert_deal_moved_backward(*, stage_change_id: int) -> int:
    """Tell a large deal's owner and their managers that it moved back a stage (once, however often this runs)."""
    return alerts.alert_moved_backward(stage_change_id=stage_change_id)


def quote_link(quote: Quote) -> str:
    """The customer's page of a sent quote, where they accept or decline it without signing in."""
    return f"{settings.BASE_URL}{reverse('quote_public', args=[quote.public_token])}"


@retrying_task(queue_name="email")
def send_quote_email(*, quote_id: int, to: str, message: str = "") -> None:
    """Email a quote to the customer: a short note, the link to answer it, and the quote as a PDF attachment."""
    quote = Quote.objects.select_related("workspace", "account", "contact", "owner").get(pk=quote_id)
    context = {"quote": quote, "workspace": quote.workspace, "message": message, "link": quote_link(quote)}
    subject = f"Quote {quote.label} from {quote.workspace.name}: {quote.title}"
    body = render_to_string("documents/quote_email.txt", context)
    email = EmailMessage(subject=subject[:250], body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[to])
    if quote.owner and quote.owner.email:
        email.reply_to = [quote.owner.email]
    email.attach(f"{quote.label.replace(' ', '-')}.pdf", quote_pdf(quote), "application/pdf")
    email.send()


@retrying_task(max_attempts=1)
def expire_quotes() -> int:
    """Mark sent quotes past their validity date as expired (the worker's scheduler enqueues this every minute)."""
    return quotes.expire_quotes()
