"""Background work of customer service: sending agents' replies and acknowledgements, and reading the IMAP mailboxes."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from amity.core.taskrunner import retrying_task
from amity.service import mail
from amity.service.models import Case, CaseMessage, SlaPolicy

# At most this many acknowledgements to one address an hour: a robot writing to us is not answered forever.
ACKNOWLEDGEMENTS_PER_HOUR = 3


@retrying_task(queue_name="email")
def send_case_reply(*, message_id: int) -> None:
    """Email an agent's reply to the customer, once (a retry after a sent message does nothing)."""
    message = CaseMessage.objects.select_related("case__workspace", "case__queue", "author").get(pk=message_id)
    if message.sent_at is not None:
        return
    mail.reply_email(message).send()
    CaseMessage.objects.filter(pk=message.pk).update(sent_at=timezone.now())


@retrying_task(queue_name="email")
def send_case_acknowledgement(*, case_id: int) -> None:
    """Tell a customer who emailed us that their case is open and how to add to it (not more than a few an hour each)."""
    case = Case.objects.select_related("workspace", "queue", "contact", "kind").get(pk=case_id)
    email = mail.acknowledgement_email(case)
    if email is None:
        return
    since = timezone.now() - dt.timedelta(hours=1)
    recent = Case.objects.filter(
        workspace=case.workspace, channel=Case.Channel.EMAIL, created_at__gte=since, messages__from_address=email.to[0]
    )
    if recent.exclude(pk=case.pk).distinct().count() >= ACKNOWLEDGEMENTS_PER_HOUR:
        return
    email.send()


@retrying_task(max_attempts=1)
def fetch_mailboxes() -> int:
    """Read new mail from every active IMAP mailbox (the worker's scheduler enqueues this every AMITY_MAIL_FETCH_SECONDS)."""
    from amity.service.imap import fetch_all

    return fetch_all()


@retrying_task(max_attempts=1)
def escalate_sla_breaches() -> int:
    """Escalate cases that missed a target whose policy changes them, in every workspace (every minute)."""
    from amity.core.models import Workspace
    from amity.service.alerts import escalate_breaches

    now = timezone.now()
    workspace_ids = Case.objects.filter(SlaPolicy.acts_on_breach("sla_policy__"), escalated_at__isnull=True).values("workspace_id")
    return sum(escalate_breaches(workspace=workspace, now=now) for workspace in Workspace.objects.filter(pk__in=workspace_ids))


@retrying_task(max_attempts=1)
def send_due_surveys() -> int:
    """Ask the customers of recently resolved cases how it went (every minute; each case once)."""
    from amity.service.surveys import send_due_surveys as create_due

    return create_due()


@retrying_task(queue_name="email")
def send_survey(*, survey_id: int) -> None:
    """Email a satisfaction survey, once (a retry after it went out does nothing)."""
    from amity.service.models import Survey
    from amity.service.surveys import survey_email

    survey = Survey.objects.select_related("case__workspace", "case__queue", "workspace").get(pk=survey_id)
    if survey.sent_at is not None:
        return
    survey_email(survey).send()
    Survey.objects.filter(pk=survey.pk).update(sent_at=timezone.now())
