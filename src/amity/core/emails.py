"""Outgoing mail: rendered in the request, sent by the worker so a slow SMTP server never blocks a page."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string

from amity.core.taskrunner import retrying_task


@retrying_task(queue_name="email")
def send_email(*, to: list[str], subject: str, text: str, html: str = "", workspace_id: int | None = None) -> None:
    """Send one email message through the configured backend (SMTP, or files under var/mail/).

    `workspace_id` only says whose admins see the failure if sending fails.
    """
    message = EmailMultiAlternatives(subject=subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=to)
    if html:
        message.attach_alternative(html, "text/html")
    message.send()


def queue_templated_email(*, to: str, template: str, context: dict[str, Any], workspace_id: int | None = None) -> None:
    """Render `core/email/<template>_{subject,body}.txt` now; send once the transaction commits."""
    subject = render_to_string(f"core/email/{template}_subject.txt", context).strip()
    text = render_to_string(f"core/email/{template}_body.txt", context)
    transaction.on_commit(lambda: send_email.enqueue(to=[to], subject=subject, text=text, workspace_id=workspace_id))
