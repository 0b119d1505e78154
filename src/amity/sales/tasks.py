"""Background work of quotes: emailing a quote with its PDF, and expiring quotes past their validity."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse

from amity.core.taskrunner import retrying_task
from amity.sales.documents import quote_pdf
from amity.sales.models import Quote
from amity.sales.services import quotes


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
