"""Email in: a raw RFC 822 message (from the webhook or an IMAP mailbox) becomes a new case or joins the case it answers.

A reply finds its case by the tag in the subject ("[CS-2026-0042 #k3x9q2mz]") or by its In-Reply-To and
References headers. Auto-replies (out of office, delivery reports) are kept on their case but never
reopen it or get an answer; mail loops (our own mail coming back, a sender flooding us) are recorded
and dropped. Attachments are stored with the message. Delivering the same message twice does nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import getaddresses, parseaddr
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from amity.core.access import require
from amity.core.models import User, Workspace
from amity.core.permissions import Action, ObjectType
from amity.service import selectors
from amity.service.models import Case, CaseAttachment, CaseMessage, IgnoredEmail, Queue
from amity.service.services import case_customer_message, case_open

TAG = re.compile(r"\[(CS-\d{4}-\d{4,})\s+#([a-z0-9]{8})\]", re.IGNORECASE)
AUTOMATED_PRECEDENCE = {"bulk", "junk", "list", "auto_reply"}
AUTOMATED_SENDERS = ("mailer-daemon@", "postmaster@", "noreply@", "no-reply@")
# More than this many messages from one address within the window is a loop (two robots answering each other).
FLOOD_LIMIT, FLOOD_WINDOW = 20, dt.timedelta(minutes=10)
MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024
MAX_ATTACHMENTS = 30
MAX_EMAIL_BYTES = 60 * 1024 * 1024


@dataclass
class Inbound:
    """What an email says, read once from its headers and parts."""

    message_id: str
    subject: str
    from_address: str
    from_name: str
    to: list[str]
    in_reply_to: str
    references: list[str]
    body: str
    automated: str = ""  # why it looks machine-sent ("" for a person's mail)
    attachments: list[tuple[str, str, bytes]] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class IntakeResult:
    status: str  # created, added, duplicate or ignored
    case: Case | None = None
    message: CaseMessage | None = None
    reason: str = ""


def _ids(value: str) -> list[str]:
    return re.findall(r"<[^<>\s]+>", value or "")


def _automated(message: EmailMessage, from_address: str) -> str:
    auto_submitted = str(message.get("Auto-Submitted", "")).strip().lower()
    if auto_submitted and auto_submitted != "no":
        return f"Auto-Submitted: {auto_submitted}"
    precedence = str(message.get("Precedence", "")).strip().lower()
    if precedence in AUTOMATED_PRECEDENCE:
        return f"Precedence: {precedence}"
    for header in ("X-Autoreply", "X-Autorespond"):
        if message.get(header):
            return header
    if str(message.get("X-Auto-Response-Suppress", "")).lower() in {"all", "oof", "autoreply"}:
        return "X-Auto-Response-Suppress"
    if message.get_content_type() == "multipart/report":
        return "a delivery report"
    if str(message.get("Return-Path", "")).strip() == "<>":
        return "an empty Return-Path"
    if from_address.startswith(AUTOMATED_SENDERS):
        return f"sent by {from_address}"
    return ""


def _body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    content = part.get_content()
    return str(content) if part.get_content_type() == "text/html" else str(content).replace("\r\n", "\n")


def _attachments(message: EmailMessage) -> list[tuple[str, str, bytes]]:
    files = []
    for part in message.iter_attachments():
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes) or len(payload) > MAX_ATTACHMENT_BYTES:
            continue
        files.append(((part.get_filename() or "attachment")[:255], part.get_content_type(), payload))
    return files[:MAX_ATTACHMENTS]


def parse(raw: bytes) -> Inbound:
    """Read an RFC 822 message; a message without a body or sender still parses (the caller decides)."""
    message = message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    from_name, from_address = parseaddr(str(message.get("From", "")))
    to = [address.lower() for _, address in getaddresses([str(message.get("To", "")), str(message.get("Cc", ""))]) if address]
    from_address = from_address.strip().lower()
    return Inbound(
        message_id=(_ids(str(message.get("Message-ID", ""))) or [""])[0][:250],
        subject=" ".join(str(message.get("Subject", "")).split())[:250],
        from_address=from_address,
        from_name=from_name.strip()[:200],
        to=to,
        in_reply_to=(_ids(str(message.get("In-Reply-To", ""))) or [""])[0][:250],
        references=_ids(str(message.get("References", ""))),
        body=_body(message),
        automated=_automated(message, from_address),
        attachments=_attachments(message),
        headers={"x-amity-case": str(message.get("X-Amity-Case", ""))},
    )


def _our_addresses(workspace: Workspace) -> set[str]:
    ours = {parseaddr(str(settings.DEFAULT_FROM_EMAIL))[1].lower()}
    ours |= {
        address.lower()
        for address in Queue.objects.filter(workspace=workspace).exclude(email_address="").values_list("email_address", flat=True)
    }
    return ours


def _loop_reason(workspace: Workspace, inbound: Inbound) -> str:
    if not inbound.from_address:
        return "no sender"
    if inbound.from_address in _our_addresses(workspace):
        return "sent from our own support address"
    if inbound.headers.get("x-amity-case") and inbound.automated:
        return "an automatic answer to our own automatic mail"
    since = timezone.now() - FLOOD_WINDOW
    recent = CaseMessage.objects.filter(workspace=workspace, from_address=inbound.from_address, occurred_at__gte=since).count()
    if recent >= FLOOD_LIMIT:
        return f"more than {FLOOD_LIMIT} messages from {inbound.from_address} in {int(FLOOD_WINDOW.total_seconds() // 60)} minutes"
    return ""


def find_case(workspace: Workspace, inbound: Inbound) -> Case | None:
    """The case an email answers: by the subject's tag (number and token must both match), else by its threading headers."""
    case = None
    tag = TAG.search(inbound.subject)
    if tag:
        case = Case.objects.filter(workspace=workspace, number=tag.group(1).upper(), reply_token=tag.group(2).lower()).first()
    if case is None:
        threaded = [ref for ref in [inbound.in_reply_to, *reversed(inbound.references)] if ref]
        if threaded:
            found = (
                CaseMessage.objects.filter(workspace=workspace, message_id__in=threaded)
                .order_by("-occurred_at")
                .values_list("case_id", flat=True)
                .first()
            )
            case = Case.objects.filter(workspace=workspace, pk=found).first() if found else None
    while case is not None and case.merged_into_id:  # a merged case's mail goes to the case it lives on in
        case = Case.objects.filter(workspace=workspace, pk=case.merged_into_id).first()
    return case


def _ignore(workspace: Workspace, inbound: Inbound, reason: str) -> IntakeResult:
    IgnoredEmail.objects.create(
        workspace=workspace,
        message_id=inbound.message_id,
        from_address=inbound.from_address[:320],
        subject=inbound.subject,
        reason=reason[:200],
    )
    return IntakeResult(status="ignored", reason=reason)


def store_attachments(message: CaseMessage, files: list[tuple[str, str, bytes]]) -> None:
    """Keep files (name, content type, bytes) with the message they came with: an email's, or one written in the portal."""
    for filename, content_type, payload in files:
        attachment = CaseAttachment(
            workspace_id=message.workspace_id, message=message, filename=filename, content_type=content_type, size=len(payload)
        )
        attachment.file.save(filename, ContentFile(payload), save=False)
        attachment.save()


def _queue_for(workspace: Workspace, inbound: Inbound, default: Queue | None) -> Queue | None:
    by_address = Queue.objects.filter(workspace=workspace, email_address__in=inbound.to).order_by("position", "id").first()
    return by_address or default


@transaction.atomic
def email_intake(*, workspace: Workspace, raw: bytes, queue: Queue | None = None) -> IntakeResult:
    """Take one email into the workspace's service: a new case, a message on its case, or a recorded refusal."""
    inbound = parse(raw)
    if inbound.message_id:
        known = CaseMessage.objects.filter(workspace=workspace, message_id=inbound.message_id).select_related("case").first()
        if known is not None:
            return IntakeResult(status="duplicate", case=known.case, message=known)
        if IgnoredEmail.objects.filter(workspace=workspace, message_id=inbound.message_id).exists():
            return IntakeResult(status="duplicate", reason="already ignored")
    reason = _loop_reason(workspace, inbound)
    if reason:
        return _ignore(workspace, inbound, reason)
    body = inbound.body.strip() or "(This email had no text.)"
    contact = selectors.contact_by_email(workspace=workspace, email=inbound.from_address)
    case = find_case(workspace, inbound)
    if case is not None:
        message = case_customer_message(
            case=case,
            body=body,
            channel=Case.Channel.EMAIL,
            contact=contact,
            from_address=inbound.from_address,
            from_name=inbound.from_name,
            subject=inbound.subject,
            message_id=inbound.message_id or None,
            in_reply_to=inbound.in_reply_to,
            automated=bool(inbound.automated),
        )
        store_attachments(message, inbound.attachments)
        return IntakeResult(status="added", case=case, message=message)
    if inbound.automated:
        return _ignore(workspace, inbound, f"an automatic message ({inbound.automated}) that answers no case")
    chosen = _queue_for(workspace, inbound, queue)
    case = case_open(
        actor=None,
        workspace=workspace,
        data={
            "subject": inbound.subject or "(no subject)",
            "description": body,
            "channel": Case.Channel.EMAIL,
            "contact_id": contact.pk if contact else None,
            "requester_email": "" if contact else inbound.from_address,
            "queue_id": chosen.pk if chosen else None,
        },
        first_message={
            "from_address": inbound.from_address,
            "from_name": inbound.from_name,
            "message_id": inbound.message_id or None,
            "in_reply_to": inbound.in_reply_to,
            "to_addresses": inbound.to,
        },
    )
    message = case.messages.get()
    store_attachments(message, inbound.attachments)
    from amity.service.tasks import send_case_acknowledgement

    transaction.on_commit(partial(send_case_acknowledgement.enqueue, case_id=case.pk))
    return IntakeResult(status="created", case=case, message=message)


def inbound_email_post(*, actor: User, workspace: Workspace, raw: bytes) -> IntakeResult:
    """An email posted to the webhook by a mail provider or relay, with a token of someone who may open cases."""
    require(actor, workspace, Action.ADD, ObjectType.CASE)
    if not raw.strip():
        raise ValidationError({"body": "Post the whole email (RFC 822) as the request body."})
    if len(raw) > MAX_EMAIL_BYTES:
        raise ValidationError({"body": f"An email may be at most {MAX_EMAIL_BYTES // (1024 * 1024)} MB."})
    return email_intake(workspace=workspace, raw=raw)
