"""Every write of the portal: invitations, sign-in links and sessions, and what a signed-in contact does.

A contact is not a user of ours: their writes carry no actor, and their audit entries are labelled
"portal: <address>" so the log says who it was.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import secrets
from collections.abc import Iterator, Mapping, Sequence
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from amity.core import audit
from amity.core.access import require
from amity.core.emails import send_email
from amity.core.errors import FieldErrors
from amity.core.models import AuditEntry, Door, User, Workspace, hash_secret
from amity.core.permissions import Action, ObjectType
from amity.core.phones import to_e164
from amity.customers.models import Channel, ConsentEvent, Contact, ContactPhone
from amity.orders.models import SalesOrder, SalesOrderLine
from amity.service.intake import store_attachments
from amity.service.models import Case, CaseKind, CaseMessage
from amity.service.portal import selectors
from amity.service.portal.models import PortalAccess, PortalBranding, PortalLink, PortalSession, PortalSignInRequest, ReturnRequest
from amity.service.services import case_customer_message, case_open, service_setup

LINK_LIFETIME = timedelta(minutes=20)
INVITATION_LIFETIME = timedelta(days=7)
SESSION_LIFETIME = timedelta(days=14)
REQUESTS_PER_HOUR = 5  # sign-in links one address may ask for in an hour, known or not
PROFILE_FIELDS = ("first_name", "last_name", "title", "phone")
COLOUR = re.compile(r"#[0-9a-f]{6}")
MAX_ATTACHMENTS = 5  # files on one message written in the portal
MAX_ATTACHMENT_MB = 10
MAX_ATTACHMENT_BYTES = MAX_ATTACHMENT_MB * 1024 * 1024


def _email_hash(workspace: Workspace, email: str) -> str:
    return hashlib.sha256(f"{workspace.pk}:{email.strip().lower()}".encode()).hexdigest()


def portal_url(workspace: Workspace, name: str = "portal_home", **kwargs: Any) -> str:
    """An absolute address in the workspace's portal."""
    from django.conf import settings

    return settings.BASE_URL + reverse(name, kwargs={"slug": workspace.slug, **kwargs})


@contextlib.contextmanager
def as_contact(access: PortalAccess, door: str = Door.WEB) -> Iterator[None]:
    """Label every audit entry written inside the block with the contact who did it through the portal."""
    with audit.acting_through(door, label=f"portal: {access.contact.primary_email}"):
        yield


def _new_link(access: PortalAccess, lifetime: timedelta) -> str:
    token = secrets.token_urlsafe(32)
    PortalLink.objects.create(
        workspace=access.workspace, access=access, token_hash=hash_secret(token), expires_at=timezone.now() + lifetime
    )
    return token


def _send_link(access: PortalAccess, token: str, *, invitation: bool) -> None:
    workspace = access.workspace
    link = portal_url(workspace, "portal_sign_in_link", token=token)
    name = access.contact.first_name or "there"
    if invitation:
        subject = f"Your customer portal at {workspace.name}"
        text = (
            f"Hello {name},\n\n{workspace.name} invites you to their customer portal, where you can see your orders and "
            f"invoices, follow your cases and request returns.\n\nSign in with this link (valid for 7 days, once):\n{link}\n\n"
            f"Later, ask for a new link at {portal_url(workspace, 'portal_sign_in')}\n"
        )
    else:
        subject = f"Sign in to {workspace.name}"
        text = f"Hello {name},\n\nSign in to {workspace.name}'s customer portal with this link (valid for 20 minutes, once):\n{link}\n\nIf you did not ask for it, ignore this email.\n"
    to = [access.contact.primary_email]
    transaction.on_commit(lambda: send_email.enqueue(to=to, subject=subject, text=text, workspace_id=workspace.pk))


@transaction.atomic
def portal_invite(*, actor: User, contact: Contact) -> PortalAccess:
    """Invite a contact to the portal (again): they get an email with a sign-in link; a disabled access is enabled."""
    require(actor, contact.workspace, Action.CHANGE, ObjectType.CONTACT)
    if not contact.primary_email:
        raise ValidationError({"contact": "Add an email address to this person first: the invitation is emailed."})
    access, created = PortalAccess.objects.get_or_create(workspace=contact.workspace, contact=contact, defaults={"invited_by": actor})
    before = None if created else access.status
    if not created:
        access.status = PortalAccess.Status.ACTIVE if access.last_signed_in_at else PortalAccess.Status.INVITED
        access.invited_by, access.invited_at = actor, timezone.now()
        access.save(update_fields=["status", "invited_by", "invited_at"])
    audit.record(
        actor=actor,
        workspace=contact.workspace,
        action=AuditEntry.Action.CREATE if created else AuditEntry.Action.UPDATE,
        obj=access,
        changes={"contact": [None, contact.pk], "status": [before, access.status]},
    )
    _send_link(access, _new_link(access, INVITATION_LIFETIME), invitation=True)
    return access


@transaction.atomic
def portal_disable(*, actor: User, access: PortalAccess) -> PortalAccess:
    """Take a contact's portal access away: open links and API sessions stop working at once."""
    require(actor, access.workspace, Action.CHANGE, ObjectType.CONTACT)
    before = access.status
    access.status = PortalAccess.Status.DISABLED
    access.save(update_fields=["status"])
    access.sessions.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
    audit.record(
        actor=actor, workspace=access.workspace, action=AuditEntry.Action.UPDATE, obj=access, changes={"status": [before, access.status]}
    )
    return access


@transaction.atomic
def portal_account_admin_set(*, actor: User, access: PortalAccess, account_id: int | None) -> PortalAccess:
    """Make a portal user the admin of one of their contact's accounts (they then see all its cases, orders and invoices),
    or (no account) a plain user again who sees only their own."""
    require(actor, access.workspace, Action.CHANGE, ObjectType.CONTACT)
    membership = None if account_id is None else selectors.staff_membership(access=access, account_id=account_id)
    before = access.admin_account_id
    access.admin_membership = membership
    access.save(update_fields=["admin_membership"])
    after = access.admin_account_id
    if before != after:
        audit.record(
            actor=actor, workspace=access.workspace, action=AuditEntry.Action.UPDATE, obj=access, changes={"admin_account": [before, after]}
        )
    return access


@transaction.atomic
def portal_branding_save(*, actor: User, workspace: Workspace, colour: str) -> PortalBranding:
    """Set the portal's colour (its header and buttons); whoever sets up the service desk may."""
    require(actor, workspace, Action.CHANGE, ObjectType.QUEUE)
    colour = str(colour or "").strip().lower()
    if not COLOUR.fullmatch(colour):
        raise ValidationError({"colour": "Give the colour as # and six hex digits, such as #206bc4."})
    brand, created = PortalBranding.objects.select_for_update().get_or_create(workspace=workspace, defaults={"colour": colour})
    before = None if created else brand.colour
    if before != colour:
        brand.colour = colour
        brand.save(update_fields=["colour"])
        action = AuditEntry.Action.CREATE if created else AuditEntry.Action.UPDATE
        audit.record(actor=actor, workspace=workspace, action=action, obj=brand, changes={"colour": [before, colour]})
    return brand


@transaction.atomic
def portal_request_link(*, workspace: Workspace, email: str) -> None:
    """Email a sign-in link to a contact with portal access; answers the same whether or not the address is known.

    Every request counts against the address (known or not), so nobody can flood a mailbox or probe addresses by timing.
    """
    address = " ".join(str(email or "").split()).lower()
    if "@" not in address or len(address) > 254:
        raise ValidationError({"email": "Enter your email address."})
    key = _email_hash(workspace, address)
    since = timezone.now() - timedelta(hours=1)
    requests = PortalSignInRequest.objects.filter(workspace=workspace, email_hash=key)
    requests.filter(requested_at__lt=since).delete()  # only the last hour counts; older rows only fill the table
    recent = requests.count()
    PortalSignInRequest.objects.create(workspace=workspace, email_hash=key)
    if recent >= REQUESTS_PER_HOUR:
        return
    access = (
        PortalAccess.objects.select_related("contact", "workspace")
        .filter(workspace=workspace, contact__primary_email__iexact=address, contact__deleted_at__isnull=True)
        .exclude(status=PortalAccess.Status.DISABLED)
        .first()
    )
    if access is not None:
        _send_link(access, _new_link(access, LINK_LIFETIME), invitation=False)


@transaction.atomic
def portal_link_use(*, workspace: Workspace, token: str) -> PortalAccess:
    """Spend a sign-in link: it works once, before it expires, for an access that is not disabled."""
    link = (
        PortalLink.objects.select_for_update()
        .select_related("access__contact", "access__workspace")
        .filter(workspace=workspace, token_hash=hash_secret(token or ""))
        .first()
    )
    now = timezone.now()
    if (
        link is None
        or link.used_at is not None
        or link.expires_at <= now
        or link.access.status == PortalAccess.Status.DISABLED
        or link.access.contact.deleted_at is not None
    ):
        raise ValidationError({"token": "This sign-in link has expired or was used already. Ask for a new one."})
    link.used_at = now
    link.save(update_fields=["used_at"])
    access = link.access
    before = access.status
    access.status, access.last_signed_in_at = PortalAccess.Status.ACTIVE, now
    access.save(update_fields=["status", "last_signed_in_at"])
    with as_contact(access):
        audit.record(
            actor=None,
            workspace=workspace,
            action=AuditEntry.Action.UPDATE,
            obj=access,
            changes={"signed_in": [None, now.isoformat()], "status": [before, access.status]},
        )
    return access


@transaction.atomic
def portal_session_start(*, workspace: Workspace, token: str) -> tuple[PortalSession, str]:
    """Exchange a sign-in link's token for a bearer token of the portal API (kept as a hash, valid 14 days)."""
    access = portal_link_use(workspace=workspace, token=token)
    raw = "amp_" + secrets.token_urlsafe(32)
    session = PortalSession.objects.create(
        workspace=workspace, access=access, token_hash=hash_secret(raw), expires_at=timezone.now() + SESSION_LIFETIME
    )
    return session, raw


def portal_session_end(*, session: PortalSession) -> None:
    """Sign out of the portal API: the token stops working."""
    PortalSession.objects.filter(pk=session.pk).update(revoked_at=timezone.now())


# --- What a signed-in contact does ---------------------------------------------------------------------------------------


def _file_name(upload: UploadedFile) -> str:
    name = str(upload.name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()  # a browser may send a whole path
    return name[:255] or "attachment"


def clean_attachments(files: Sequence[UploadedFile]) -> list[tuple[str, str, bytes]]:
    """Files a contact attaches to a message, read and checked: at most 5, each of at most 10 MB and not empty."""
    files = [upload for upload in files if upload is not None]
    if len(files) > MAX_ATTACHMENTS:
        raise ValidationError({"attachments": f"Attach at most {MAX_ATTACHMENTS} files to one message ({len(files)} were given)."})
    problems = []
    for upload in files:
        size = upload.size or 0
        if size > MAX_ATTACHMENT_BYTES:
            problems.append(f"{_file_name(upload)} is {size / 1024 / 1024:.1f} MB; a file may be at most {MAX_ATTACHMENT_MB} MB.")
        elif not size:
            problems.append(f"{_file_name(upload)} is empty.")
    if problems:
        raise ValidationError({"attachments": " ".join(problems)})
    return [(_file_name(upload), upload.content_type or "application/octet-stream", upload.read()) for upload in files]


def _own_order(access: PortalAccess, order_id: Any) -> SalesOrder | None:
    if order_id in (None, ""):
        return None
    order = selectors.orders(access).filter(pk=order_id).first() if str(order_id).isdigit() else None
    if order is None:
        raise ValidationError({"order_id": "Choose one of your orders."})
    return order


@transaction.atomic
def portal_case_open(*, access: PortalAccess, data: Mapping[str, Any], attachments: Sequence[UploadedFile] = ()) -> Case:
    """A contact opens a case in the portal: it is theirs, came through the portal, may be about an order they may see,
    and its first message keeps the files they attached."""
    service_setup(workspace=access.workspace)
    errors = FieldErrors()
    kind_key = str(data.get("kind") or "")
    kinds = CaseKind.objects.filter(workspace=access.workspace, active=True, is_return=False)
    if not kinds.filter(key=kind_key).exists():
        errors["kind"] = f"Choose one of: {', '.join(kinds.values_list('key', flat=True))}."
    if not str(data.get("description") or "").strip():
        errors["description"] = "Tell us what happened."
    try:
        order = _own_order(access, data.get("order_id"))
    except ValidationError as error:
        errors["order_id"] = error.message_dict["order_id"][0]
        order = None
    files = errors.check(clean_attachments, attachments) or []
    errors.raise_if_any()
    with as_contact(access):
        case = case_open(
            actor=None,
            workspace=access.workspace,
            data={
                "kind": kind_key,
                "subject": data.get("subject"),
                "description": data.get("description"),
                "contact_id": access.contact_id,
                "order_id": order.pk if order else None,
                "channel": Case.Channel.PORTAL,
            },
            first_message={"from_address": access.contact.primary_email, "from_name": access.contact.full_name},
        )
    store_attachments(case.messages.get(), files)
    return case


@transaction.atomic
def portal_case_reply(*, access: PortalAccess, case: Case, body: str, attachments: Sequence[UploadedFile] = ()) -> CaseMessage:
    """A contact answers on a case they may see: a customer message with its files (a waiting or resolved case opens again)."""
    files = clean_attachments(attachments)
    with as_contact(access):
        message = case_customer_message(
            case=case,
            body=body,
            channel=Case.Channel.PORTAL,
            contact=access.contact,
            from_address=access.contact.primary_email,
            from_name=access.contact.full_name,
        )
    store_attachments(message, files)
    return message


def _clean_profile(data: Mapping[str, Any]) -> dict[str, str]:
    errors, clean = FieldErrors(), {}
    for field in sorted(set(data) - set(PROFILE_FIELDS)):
        errors[field] = "This field cannot be changed in the portal."
    for field, limit in (("first_name", 100), ("last_name", 100), ("title", 150)):
        if field in data:
            clean[field] = " ".join(str(data[field] or "").split())
            if len(clean[field]) > limit:
                errors[field] = f"Use at most {limit} characters."
    if "first_name" in clean and "last_name" in clean and not (clean["first_name"] or clean["last_name"]):
        errors["last_name"] = "Give your name."
    if data.get("phone"):
        try:
            clean["phone"] = to_e164(str(data["phone"]))
        except ValueError as error:
            errors["phone"] = str(error)
    elif "phone" in data:
        clean["phone"] = ""
    errors.raise_if_any()
    return clean


@transaction.atomic
def portal_profile_update(*, access: PortalAccess, data: Mapping[str, Any]) -> Contact:
    """A contact corrects their name, job title or phone number; the contact's record and audit log show the change."""
    clean = _clean_profile(data)
    contact = Contact.objects.select_for_update().get(pk=access.contact_id)
    before = {"first_name": contact.first_name, "last_name": contact.last_name, "title": contact.title, "phone": contact.primary_phone}
    for field in ("first_name", "last_name", "title"):
        if field in clean:
            setattr(contact, field, clean[field])
    if "phone" in clean and clean["phone"] != contact.primary_phone:
        ContactPhone.objects.filter(contact=contact, is_primary=True).update(is_primary=False)
        if clean["phone"]:
            phone = ContactPhone.objects.filter(contact=contact, number=clean["phone"]).first()
            if phone is None:
                ContactPhone.objects.create(workspace=contact.workspace, contact=contact, number=clean["phone"], is_primary=True)
            else:
                ContactPhone.objects.filter(pk=phone.pk).update(is_primary=True)
        contact.primary_phone = clean["phone"]
    contact.save()
    after = {"first_name": contact.first_name, "last_name": contact.last_name, "title": contact.title, "phone": contact.primary_phone}
    changes = audit.diff(before, after)
    if changes:
        with as_contact(access):
            audit.record(actor=None, workspace=contact.workspace, action=AuditEntry.Action.UPDATE, obj=contact, changes=changes)
    access.contact = contact
    return contact


@transaction.atomic
def portal_consent_set(*, access: PortalAccess, channel: str, status: str, purpose: str = "marketing") -> ConsentEvent:
    """A contact grants or withdraws consent on a channel; the event is kept with the method "portal"."""
    errors = FieldErrors()
    if channel not in Channel.values:
        errors["channel"] = f"Choose one of: {', '.join(Channel.values)}."
    if status not in ConsentEvent.Status.values:
        errors["status"] = f"Choose one of: {', '.join(ConsentEvent.Status.values)}."
    errors.raise_if_any()
    event = ConsentEvent.objects.create(
        workspace=access.workspace, contact=access.contact, channel=channel, status=status, purpose=purpose, method="portal"
    )
    with as_contact(access):
        audit.record(
            actor=None,
            workspace=access.workspace,
            action=AuditEntry.Action.CREATE,
            obj=event,
            changes={
                "contact": [None, access.contact_id],
                "channel": [None, channel],
                "status": [None, status],
                "method": [None, "portal"],
            },
        )
    return event


# --- Returns ------------------------------------------------------------------------------------------------------------


def quantity_returnable(line: SalesOrderLine) -> Decimal:
    """How much of an order line may still be sent back: what was ordered, less what earlier returns asked for."""
    asked = ReturnRequest.objects.filter(order_line=line).aggregate(total=Sum("quantity"))["total"] or Decimal(0)
    return line.quantity - line.quantity_cancelled - asked


def _return_kind(workspace: Workspace) -> CaseKind:
    service_setup(workspace=workspace)
    kind = CaseKind.objects.filter(workspace=workspace, active=True, is_return=True).first()
    if kind is None:
        raise ValidationError({"order_line_id": "Returns are not taken at the moment: no active kind of case is a return."})
    return kind


def _clean_return(line: SalesOrderLine, quantity: Any, reason: str) -> tuple[Decimal, str]:
    errors = FieldErrors()
    try:
        amount = Decimal(str(quantity))
    except (InvalidOperation, ValueError):
        amount = Decimal(0)
        errors["quantity"] = "Enter how many to send back."
    left = quantity_returnable(line)
    if "quantity" not in errors and (not amount.is_finite() or amount <= 0):
        errors["quantity"] = "Send back at least one."
    elif "quantity" not in errors and amount > left:
        errors["quantity"] = f"At most {left.normalize():f} of {line.name} can still be returned."
    reason = str(reason or "").strip()
    if not reason:
        errors["reason"] = "Say why you send it back."
    elif len(reason) > 5000:
        errors["reason"] = "Use at most 5000 characters."
    errors.raise_if_any()
    return amount, reason


def return_instructions(case: Case) -> str:
    """What the customer is told to do with a return: the kind's instructions with its RMA number filled in."""
    if not case.kind.is_return:
        return ""
    return case.kind.instructions.replace("{rma}", case.rma_number or "")


def _mail_return_instructions(case: Case, request: ReturnRequest) -> None:
    contact = case.contact
    if contact is None or not contact.primary_email:
        return
    to = contact.primary_email
    workspace = case.workspace
    subject = f"Your return {case.rma_number} {case.subject_tag}"
    text = (
        f"Hello {contact.first_name or 'there'},\n\nWe have your request to return {request.quantity.normalize():f} × "
        f"{request.order_line.name} from order {request.order_line.order.number}.\n\nYour return number (RMA): {case.rma_number}\n\n"
        f"{return_instructions(case) or 'We will tell you how to send it back.'}\n\nCase {case.number} follows your return.\n"
    )
    transaction.on_commit(lambda: send_email.enqueue(to=[to], subject=subject, text=text, workspace_id=workspace.pk))


@transaction.atomic
def return_request_create(
    *,
    workspace: Workspace,
    order_line: SalesOrderLine,
    quantity: Any,
    reason: str,
    actor: User | None = None,
    access: PortalAccess | None = None,
) -> ReturnRequest:
    """Request the return of some of an order line: a return case with an RMA number; its instructions are emailed.

    An agent (`actor`) files it for any order of the workspace; a contact (`access`) for the orders they may see.
    """
    if actor is not None:
        require(actor, workspace, Action.ADD, ObjectType.CASE)
    line = SalesOrderLine.objects.select_for_update().select_related("order").get(pk=order_line.pk, workspace=workspace)
    if access is not None and not selectors.orders(access).filter(pk=line.order_id).exists():
        raise ValidationError({"order_line_id": "Choose a line of one of your orders."})
    amount, reason = _clean_return(line, quantity, reason)
    kind = _return_kind(workspace)
    contact_id = access.contact_id if access else line.order.contact_id
    data = {
        "kind": kind.key,
        "subject": f"Return of {amount.normalize():f} × {line.name} ({line.order.number})"[:250],
        "description": reason,
        "contact_id": contact_id,
        "order_line_id": line.pk,
        "channel": Case.Channel.PORTAL if access else Case.Channel.AGENT,
    }
    context = as_contact(access) if access else contextlib.nullcontext()
    with context:
        case = case_open(actor=actor, workspace=workspace, data=data)
        request = ReturnRequest.objects.create(workspace=workspace, case=case, order_line=line, quantity=amount, reason=reason)
        audit.record(
            actor=actor,
            workspace=workspace,
            action=AuditEntry.Action.CREATE,
            obj=request,
            changes={
                "case": [None, case.pk],
                "order_line": [None, line.pk],
                "quantity": [None, str(amount)],
                "rma_number": [None, case.rma_number],
            },
        )
    _mail_return_instructions(case, request)
    return request
