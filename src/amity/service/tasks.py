"""Background work of customer service: sending agents' replies by email."""

from __future__ import annotations

from django.utils import timezone

from amity.core.taskrunner import retrying_task
from amity.service import mail
from amity.service.models import CaseMessage


@retrying_task(queue_name="email")
def send_case_reply(*, message_id: int) -> None:
    """Email an agent's reply to the customer, once (a retry after a sent message does nothing)."""
    message = CaseMessage.objects.select_related("case__workspace", "case__queue", "author").get(pk=message_id)
    if message.sent_at is not None:
        return
    mail.reply_email(message).send()
    CaseMessage.objects.filter(pk=message.pk).update(sent_at=timezone.now())
