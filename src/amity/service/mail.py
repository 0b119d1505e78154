"""Email of a case: the subject tag and Message-IDs that thread a conversation, and the message an agent's reply becomes."""

from __future__ import annotations

import secrets

import nh3
from django.conf import settings
from django.core.mail import EmailMultiAlternatives

from amity.service.models import Case, CaseMessage


def mail_domain() -> str:
    return str(settings.DEFAULT_FROM_EMAIL).rpartition("@")[2].strip("> ") or "amity.local"


def new_message_id(case: Case) -> str:
    """A Message-ID of our own, unique and naming the case, e.g. <cs-2026-0042.5f2c9e0a1b3d4c6e@example.com>."""
    # Short enough that no mail system folds the header; 64 random bits keep it unique.
    return f"<{case.number.lower()}.{secrets.token_hex(8)}@{mail_domain()}>"


def reply_subject(case: Case) -> str:
    return f"Re: {case.subject} {case.subject_tag}"[:250]


def last_customer_message_id(case: Case) -> str:
    """The Message-ID of the newest message that came in from the customer, so that the reply threads under it."""
    message_id = (
        CaseMessage.objects.filter(case=case, kind=CaseMessage.Kind.CUSTOMER, message_id__isnull=False)
        .order_by("-occurred_at", "-id")
        .values_list("message_id", flat=True)
        .first()
    )
    return message_id or ""


def thread_references(case: Case) -> list[str]:
    """Every Message-ID of the conversation so far, oldest first (the References header)."""
    rows = CaseMessage.objects.filter(case=case, message_id__isnull=False).exclude(kind=CaseMessage.Kind.NOTE)
    return [message_id for message_id in rows.order_by("occurred_at", "id").values_list("message_id", flat=True) if message_id]


def sender(case: Case) -> str:
    """The workspace's support address: the case's queue's address when it has one."""
    address = case.queue.email_address if case.queue_id and case.queue and case.queue.email_address else settings.DEFAULT_FROM_EMAIL
    return f"{case.workspace.name} <{address}>" if "<" not in address else address


def reply_email(message: CaseMessage) -> EmailMultiAlternatives:
    """The email an agent's reply goes out as: from the support address, threaded by In-Reply-To and References."""
    case = message.case
    references = [ref for ref in thread_references(case) if ref != message.message_id]
    headers = {"Message-ID": message.message_id or new_message_id(case), "Auto-Submitted": "no", "X-Amity-Case": case.number}
    if message.in_reply_to:
        headers["In-Reply-To"] = message.in_reply_to
    if references:
        headers["References"] = " ".join(references[-20:])
    text = nh3.clean(message.body.replace("</p>", "</p>\n").replace("<br>", "\n"), tags=set()).strip()
    signature = f"\n\n--\n{message.author.display_name if message.author else case.workspace.name}, {case.workspace.name}\n"
    signature += f"Reply to this email to add to case {case.number}; keep {case.subject_tag} in the subject.\n"
    email = EmailMultiAlternatives(
        subject=message.subject or reply_subject(case),
        body=text + signature,
        from_email=sender(case),
        to=list(message.to_addresses),
        headers=headers,
    )
    email.attach_alternative(f'{message.body}<p style="color:#667">{signature.strip().replace(chr(10), "<br>")}</p>', "text/html")
    return email


def acknowledgement_email(case: Case) -> EmailMultiAlternatives | None:
    """The automatic "we have your request" answer to a case that came in by email, marked so that robots do not answer it."""
    first = case.messages.filter(kind=CaseMessage.Kind.CUSTOMER).order_by("occurred_at", "id").first()
    to = case.contact.primary_email if case.contact_id and case.contact and case.contact.primary_email else case.requester_email
    if first is None or not to:
        return None
    headers = {
        "Message-ID": new_message_id(case),
        "Auto-Submitted": "auto-replied",
        "X-Auto-Response-Suppress": "All",
        "X-Amity-Case": case.number,
    }
    if first.message_id:
        headers["In-Reply-To"] = headers["References"] = first.message_id
    instructions = case.kind.instructions.replace("{rma}", case.rma_number or "") if case.kind.is_return else ""
    text = (
        f"Hello,\n\nthank you for writing to {case.workspace.name}. We have your request and will answer soon.\n\n"
        f"Your case number is {case.number}. To add to it, reply to this email and keep {case.subject_tag} in the subject.\n"
        + (f"\n{instructions}\n" if instructions else "")
        + f"\n--\n{case.workspace.name}\n"
    )
    return EmailMultiAlternatives(
        subject=f"[{case.workspace.name}] We have your request: {case.subject} {case.subject_tag}"[:250],
        body=text,
        from_email=sender(case),
        to=[to],
        headers=headers,
    )
