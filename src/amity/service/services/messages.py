"""A case's conversation: the customer's messages, agents' public replies (emailed, threaded) and internal notes."""

from __future__ import annotations

from functools import partial

import nh3
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from amity.activities.services import mentioned_members
from amity.core import audit
from amity.core.access import require
from amity.core.models import AuditEntry, User
from amity.core.notifications import notify
from amity.core.permissions import Action, ObjectType
from amity.customers.models import Contact
from amity.service import mail
from amity.service.kb.services import case_articles_sent
from amity.service.models import Case, CaseMessage
from amity.service.services.cases import STATUS_FIELDS, _locked, body_html, case_url, set_status

BODY_LIMIT = 100_000


def _clean_body(body: str) -> str:
    clean = body_html(body or "")
    if not nh3.clean(clean, tags=set()).strip():
        raise ValidationError({"body": "Write something first."})
    if len(clean) > BODY_LIMIT:
        raise ValidationError({"body": f"Use at most {BODY_LIMIT} characters."})
    return clean


def reply_recipient(case: Case) -> str:
    """Where a public reply goes: the case's contact's primary email, else the address the case came from."""
    if case.contact_id and case.contact and case.contact.primary_email:
        return case.contact.primary_email
    return case.requester_email


@transaction.atomic
def case_reply(*, actor: User, case: Case, body: str, status: str | None = None) -> CaseMessage:
    """Answer the customer: the reply is kept on the case and emailed from the workspace, threaded with what came before.

    The first reply stamps the first response; the case moves to `status` (by default: waiting on the customer).
    """
    require(actor, case.workspace, Action.CHANGE, ObjectType.CASE)
    clean = _clean_body(body)
    case = _locked(case)
    to = reply_recipient(case)
    if not to:
        raise ValidationError({"body": "This case has no customer email to reply to; link a contact with an email first."})
    status = status or Case.Status.WAITING_CUSTOMER
    if status not in Case.Status.values:
        raise ValidationError({"status": f"Choose one of: {', '.join(Case.Status.values)}."})
    now = timezone.now()
    message = CaseMessage.objects.create(
        workspace=case.workspace,
        case=case,
        kind=CaseMessage.Kind.REPLY,
        channel=Case.Channel.EMAIL,
        author=actor,
        contact=case.contact,
        to_addresses=[to],
        subject=mail.reply_subject(case),
        body=clean,
        message_id=mail.new_message_id(case),
        in_reply_to=mail.last_customer_message_id(case),
        occurred_at=now,
    )
    before = case.status
    taken = case.assignee_id is None  # whoever answers an unassigned case takes it
    if taken:
        case.assignee = actor
    case.first_response_at = case.first_response_at or now
    case.last_message_at = now
    set_status(case, status, at=now)
    case.save(update_fields=["assignee", "first_response_at", "last_message_at", *STATUS_FIELDS])
    audit.record(
        actor=actor,
        workspace=case.workspace,
        action=AuditEntry.Action.CREATE,
        obj=message,
        changes={
            "case": [None, case.pk],
            "kind": [None, "reply"],
            "to": [None, to],
            **({"status": [before, status]} if before != status else {}),
        },
    )
    case_articles_sent(actor=actor, case=case, message=message)  # the help articles the reply links to join the case
    from amity.service.tasks import send_case_reply

    transaction.on_commit(partial(send_case_reply.enqueue, message_id=message.pk))
    return message


@transaction.atomic
def case_note(*, actor: User, case: Case, body: str) -> CaseMessage:
    """Write an internal note on a case (never shown to the customer); everyone @mentioned is told once."""
    require(actor, case.workspace, Action.CHANGE, ObjectType.CASE)
    clean = _clean_body(body)
    case = _locked(case)
    message = CaseMessage.objects.create(
        workspace=case.workspace, case=case, kind=CaseMessage.Kind.NOTE, author=actor, body=clean, occurred_at=timezone.now()
    )
    people = mentioned_members(case.workspace, body)
    message.mentions.set(people)
    case.updated_at = message.occurred_at
    case.save(update_fields=["updated_at"])
    audit.record(
        actor=actor,
        workspace=case.workspace,
        action=AuditEntry.Action.CREATE,
        obj=message,
        changes={"case": [None, case.pk], "kind": [None, "note"]},
    )
    for person in people:
        if person.pk != actor.pk:
            notify(
                workspace=case.workspace,
                recipient=person,
                kind="mention",
                title=f"{actor.display_name} mentioned you on {case.number}",
                body=nh3.clean(clean, tags=set())[:500],
                url=case_url(case),
            )
    return message


@transaction.atomic
def case_customer_message(
    *,
    case: Case,
    body: str,
    channel: str,
    contact: Contact | None = None,
    from_address: str = "",
    from_name: str = "",
    subject: str = "",
    message_id: str | None = None,
    in_reply_to: str = "",
    actor: User | None = None,
    automated: bool = False,
) -> CaseMessage:
    """Add what the customer wrote (by email, the portal, chat or as logged by an agent); a resolved case opens again.

    `actor` is the agent or integration that posted it, None when it came in by itself (email, the portal).
    An `automated` message (an out-of-office reply) is kept but changes nothing about the case.
    """
    if actor is not None:
        require(actor, case.workspace, Action.CHANGE, ObjectType.CASE)
    if channel not in Case.Channel.values:
        raise ValidationError({"channel": f"Choose one of: {', '.join(Case.Channel.values)}."})
    clean = _clean_body(body)
    case = _locked(case)
    now = timezone.now()
    message = CaseMessage.objects.create(
        workspace=case.workspace,
        case=case,
        kind=CaseMessage.Kind.CUSTOMER,
        channel=channel,
        author=actor,
        contact=contact or case.contact,
        from_address=from_address[:320],
        from_name=from_name[:200],
        subject=subject[:250],
        body=clean,
        message_id=message_id or None,
        in_reply_to=in_reply_to[:250],
        automated=automated,
        occurred_at=now,
    )
    before = case.status
    reopened = not automated and before in (Case.Status.WAITING_CUSTOMER, Case.Status.RESOLVED, Case.Status.CLOSED)
    if reopened:
        set_status(case, Case.Status.OPEN, at=now)
    case.last_message_at = now
    case.updated_at = now
    case.save(update_fields=["last_message_at", *STATUS_FIELDS])
    changes = {"case": [None, case.pk], "kind": [None, "customer"], "channel": [None, channel]}
    if reopened:
        changes["status"] = [before, case.status]
    audit.record(actor=actor, workspace=case.workspace, action=AuditEntry.Action.CREATE, obj=message, changes=changes)
    return message
