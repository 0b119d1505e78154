"""A workspace's service settings: the case kinds and queues, with the defaults every workspace starts from."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from amity.core import audit
from amity.core.access import require
from amity.core.models import AuditEntry, User, Workspace
from amity.core.permissions import Action, ObjectType
from amity.service.models import CaseKind, Mailbox, Queue

DEFAULT_KINDS = [
    ("service_request", "Service request", False, ""),
    ("complaint", "Complaint", False, ""),
    (
        "product_return",
        "Product return",
        True,
        "Pack the goods with everything that came with them, write the RMA number {rma} on the parcel, "
        "and send it to the address in your order confirmation. We refund or replace within 14 days of receiving it.",
    ),
    ("information_request", "Information request", False, ""),
]
DEFAULT_QUEUE = "Support"


def service_setup(*, workspace: Workspace) -> None:
    """Give a workspace the four standard case kinds and a Support queue, once (safe to call again)."""
    if CaseKind.objects.filter(workspace=workspace).exists():
        return
    CaseKind.objects.bulk_create(
        CaseKind(workspace=workspace, key=key, name=name, is_return=is_return, instructions=instructions, position=position)
        for position, (key, name, is_return, instructions) in enumerate(DEFAULT_KINDS)
    )
    if not Queue.objects.filter(workspace=workspace).exists():
        Queue.objects.create(workspace=workspace, name=DEFAULT_QUEUE, is_default=True)


def _text(value: object, *, field: str, limit: int, required: bool = False) -> str:
    text = " ".join(str(value or "").split())
    if required and not text:
        raise ValidationError({field: "This field is required."})
    if len(text) > limit:
        raise ValidationError({field: f"Use at most {limit} characters."})
    return text


@transaction.atomic
def case_kind_save(
    *,
    actor: User,
    workspace: Workspace,
    name: str,
    key: str = "",
    is_return: bool = False,
    instructions: str = "",
    active: bool = True,
    kind: CaseKind | None = None,
) -> CaseKind:
    """Add a kind of case, or change one (its key stays: API clients and rules refer to it)."""
    require(actor, workspace, Action.CHANGE if kind else Action.ADD, ObjectType.CASE_KIND)
    service_setup(workspace=workspace)
    name = _text(name, field="name", limit=80, required=True)
    if len(instructions) > 4000:
        raise ValidationError({"instructions": "Use at most 4000 characters."})
    before = None if kind is None else {"name": kind.name, "is_return": kind.is_return, "active": kind.active}
    if kind is None:
        key = slugify(key or name).replace("-", "_")[:40]
        if not key:
            raise ValidationError({"key": "Give the kind a key of letters and digits."})
        if CaseKind.objects.filter(workspace=workspace, key=key).exists():
            raise ValidationError({"key": f"There is already a kind “{key}”."})
        last = CaseKind.objects.filter(workspace=workspace).order_by("-position").values_list("position", flat=True).first()
        kind = CaseKind(workspace=workspace, key=key, position=(last or 0) + 1)
    kind.name, kind.is_return, kind.instructions, kind.active = name, is_return, instructions.strip(), active
    kind.save()
    after = {"name": kind.name, "is_return": kind.is_return, "active": kind.active}
    changes = {field: [None if before is None else before[field], value] for field, value in after.items()}
    action = AuditEntry.Action.CREATE if before is None else AuditEntry.Action.UPDATE
    audit.record(actor=actor, workspace=workspace, action=action, obj=kind, changes=changes)
    return kind


@transaction.atomic
def queue_save(
    *,
    actor: User,
    workspace: Workspace,
    name: str,
    email_address: str = "",
    member_ids: list[int] | None = None,
    is_default: bool = False,
    queue: Queue | None = None,
) -> Queue:
    """Add a queue or change one; its members must belong to the workspace; one queue is the default for new cases."""
    require(actor, workspace, Action.CHANGE if queue else Action.ADD, ObjectType.QUEUE)
    service_setup(workspace=workspace)
    name = _text(name, field="name", limit=80, required=True)
    email_address = email_address.strip().lower()
    if email_address:
        from django.core.validators import validate_email

        try:
            validate_email(email_address)
        except ValidationError:
            raise ValidationError({"email_address": "Enter a valid email address."}) from None
    clash = Queue.objects.filter(workspace=workspace, name__iexact=name)
    if (clash.exclude(pk=queue.pk) if queue else clash).exists():
        raise ValidationError({"name": f"There is already a queue “{name}”."})
    members: list[User] = []
    if member_ids is not None:
        members = list(User.objects.filter(pk__in=member_ids, memberships__workspace=workspace))
        missing = set(member_ids) - {member.pk for member in members}
        if missing:
            raise ValidationError({"member_ids": f"Not members of this workspace: {', '.join(map(str, sorted(missing)))}."})
    created = queue is None
    if queue is None:
        queue = Queue(workspace=workspace)
    before = {"name": queue.name, "email_address": queue.email_address, "is_default": queue.is_default}
    queue.name, queue.email_address, queue.is_default = name, email_address, is_default or queue.is_default
    queue.save()
    if is_default:
        Queue.objects.filter(workspace=workspace, is_default=True).exclude(pk=queue.pk).update(is_default=False)
    if member_ids is not None:
        queue.members.set(members)
    after = {"name": queue.name, "email_address": queue.email_address, "is_default": queue.is_default}
    changes = {field: [None if created else before[field], value] for field, value in after.items() if created or before[field] != value}
    if member_ids is not None:
        changes["members"] = [None, sorted(member.pk for member in members)]
    audit.record(
        actor=actor,
        workspace=workspace,
        action=AuditEntry.Action.CREATE if created else AuditEntry.Action.UPDATE,
        obj=queue,
        changes=changes,
    )
    return queue


MAILBOX_FIELDS = ("host", "port", "use_ssl", "username", "folder", "active")


@transaction.atomic
def mailbox_save(*, actor: User, workspace: Workspace, data: dict[str, object], mailbox: Mailbox | None = None) -> Mailbox:
    """Connect an IMAP mailbox (or change one); the worker reads it from the next round on. The password is never audited."""
    require(actor, workspace, Action.CHANGE if mailbox else Action.ADD, ObjectType.QUEUE)
    created = mailbox is None
    mailbox = mailbox or Mailbox(workspace=workspace)
    before = {field: getattr(mailbox, field) for field in MAILBOX_FIELDS}
    host = _text(data.get("host", mailbox.host), field="host", limit=200, required=True)
    username = _text(data.get("username", mailbox.username), field="username", limit=254, required=True)
    queue_id: Any = data.get("queue_id", mailbox.queue_id)
    queue = Queue.objects.filter(workspace=workspace, pk=queue_id).first() if queue_id else None
    if queue_id and queue is None:
        raise ValidationError({"queue_id": f"No queue {queue_id} in this workspace."})
    if host.lower() != mailbox.host.lower() or username != mailbox.username or data.get("folder", mailbox.folder) != mailbox.folder:
        mailbox.last_uid = mailbox.uid_validity = 0  # another mailbox: read it from its start (duplicates are recognised)
    mailbox.host, mailbox.username, mailbox.queue = host, username, queue
    mailbox.port = int(data.get("port", mailbox.port))  # type: ignore[call-overload]
    mailbox.use_ssl = bool(data.get("use_ssl", mailbox.use_ssl))
    mailbox.folder = _text(data.get("folder", mailbox.folder), field="folder", limit=200, required=True)
    mailbox.active = bool(data.get("active", mailbox.active))
    if data.get("password"):
        mailbox.password = str(data["password"])
    if not mailbox.password:
        raise ValidationError({"password": "Give the mailbox's password."})
    mailbox.save()
    changes = {field: [None if created else before[field], getattr(mailbox, field)] for field in MAILBOX_FIELDS}
    changes = {field: change for field, change in changes.items() if change[0] != change[1]}
    audit.record(
        actor=actor,
        workspace=workspace,
        action=AuditEntry.Action.CREATE if created else AuditEntry.Action.UPDATE,
        obj=mailbox,
        changes=changes,
    )
    return mailbox
