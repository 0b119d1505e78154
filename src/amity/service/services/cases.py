"""Opening and changing cases: who it is for, what it is about, who works it, and where it stands."""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from amity.activities.services import sanitize
from amity.catalog.models import Product
from amity.core import audit
from amity.core.access import require
from amity.core.errors import FieldErrors
from amity.core.models import AuditEntry, User, Workspace
from amity.core.notifications import NotificationKind, notify, register_kind
from amity.core.permissions import Action, ObjectType
from amity.customers.models import Account, Contact
from amity.orders.models import SalesOrder, SalesOrderLine
from amity.sales.numbering import next_number
from amity.search.services import index_records
from amity.service import sla
from amity.service.models import BreachAssignee, Case, CaseKind, CaseMessage, Queue, SlaPolicy
from amity.service.services import assignment
from amity.service.services.setup import service_setup

CASE_ASSIGNED = register_kind(NotificationKind("case_assigned", "A case is assigned to me", icon="lifebuoy"))

# The fields an agent (or an integration) sets on a case, and what each refers to.
LINKS: dict[str, type[models.Model]] = {
    "contact_id": Contact,
    "account_id": Account,
    "order_id": SalesOrder,
    "order_line_id": SalesOrderLine,
    "product_id": Product,
    "queue_id": Queue,
}
EDITABLE = ["subject", "description", "kind", "priority", "channel", "assignee_id", "requester_email", "language", "tags", *LINKS]
FIRST_MESSAGE_FIELDS = {"from_address", "from_name", "message_id", "in_reply_to", "to_addresses"}
TOKEN_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o or 1/l/i: people copy it from a subject line


def body_html(text: str) -> str:
    """A message body as safe HTML: HTML is sanitized; plain text (a phone note, a text-only email) keeps its paragraphs."""
    if not re.search(r"<[a-zA-Z/][^>]*>", text):
        paragraphs = [escape(part).replace("\n", "<br>") for part in re.split(r"\n\s*\n", text.strip()) if part.strip()]
        text = "".join(f"<p>{paragraph}</p>" for paragraph in paragraphs)
    return sanitize(text)


def new_reply_token() -> str:
    return "".join(secrets.choice(TOKEN_ALPHABET) for _ in range(8))


def case_url(case: Case) -> str:
    return reverse("case_detail", kwargs={"slug": case.workspace.slug, "pk": case.pk})


def _clean_tags(value: Any, errors: FieldErrors) -> list[str]:
    if not isinstance(value, list | tuple) or not all(isinstance(tag, str) for tag in value):
        errors["tags"] = "Give the tags as a list of words."
        return []
    tags = sorted({" ".join(tag.split()).lower() for tag in value if tag.strip()})
    if len(tags) > 20 or any(len(tag) > 60 for tag in tags):
        errors["tags"] = "Use at most 20 tags of at most 60 characters."
    return tags


def _clean(workspace: Workspace, data: Mapping[str, Any], case: Case | None) -> dict[str, Any]:
    """The given fields checked and resolved within the workspace; one ValidationError names every bad field."""
    errors, clean = FieldErrors(), dict[str, Any]()
    unknown = set(data) - set(EDITABLE)
    for field in sorted(unknown):
        errors[field] = "This field cannot be set on a case."
    if "subject" in data:
        clean["subject"] = " ".join(str(data["subject"] or "").split())
        if not clean["subject"]:
            errors["subject"] = "Say in a few words what the case is about."
        elif len(clean["subject"]) > 250:
            errors["subject"] = "Use at most 250 characters."
    if "description" in data:
        clean["description"] = str(data["description"] or "").strip()
        if len(clean["description"]) > 20000:
            errors["description"] = "Use at most 20000 characters."
    if "kind" in data:
        kind = CaseKind.objects.filter(workspace=workspace, key=data["kind"], active=True).first()
        if kind is None:
            keys = ", ".join(CaseKind.objects.filter(workspace=workspace, active=True).values_list("key", flat=True))
            errors["kind"] = f"Choose one of: {keys}."
        clean["kind"] = kind
    for field, choices in (("priority", Case.Priority), ("channel", Case.Channel)):
        if field in data:
            if data[field] not in choices.values:
                errors[field] = f"Choose one of: {', '.join(choices.values)}."
            clean[field] = data[field]
    if "assignee_id" in data:
        clean["assignee"] = None
        if data["assignee_id"] is not None:
            clean["assignee"] = User.objects.filter(pk=data["assignee_id"], memberships__workspace=workspace, is_active=True).first()
            if clean["assignee"] is None:
                errors["assignee_id"] = "Assign the case to a member of this workspace."
    if data.get("requester_email"):
        clean["requester_email"] = str(data["requester_email"]).strip().lower()
        try:
            validate_email(clean["requester_email"])
        except ValidationError:
            errors["requester_email"] = "Enter a valid email address."
    elif "requester_email" in data:
        clean["requester_email"] = ""
    if "language" in data:
        clean["language"] = str(data["language"] or "").strip()[:10]
    if "tags" in data:
        clean["tags"] = _clean_tags(data["tags"], errors)
    for field, model in LINKS.items():
        if field in data:
            clean[field.removesuffix("_id")] = _linked(workspace, model, data[field], field, errors)
    _check_consistency(clean, case, errors)
    errors.raise_if_any()
    return clean


def _linked(workspace: Workspace, model: type[models.Model], pk: Any, field: str, errors: FieldErrors) -> Any:
    if pk is None:
        return None
    manager: Any = model._default_manager
    rows = manager.filter(workspace=workspace, pk=pk)
    if hasattr(model, "deleted_at"):
        rows = rows.filter(deleted_at__isnull=True)
    found = rows.first()
    if found is None:
        errors[field] = f"No {model._meta.verbose_name} {pk} in this workspace."
    return found


def _check_consistency(clean: dict[str, Any], case: Case | None, errors: FieldErrors) -> None:
    """An order line belongs to the case's order; an order to the case's account."""
    order = clean.get("order", case.order if case else None)
    line = clean.get("order_line", case.order_line if case else None)
    if line is not None and "order_line" in clean:
        if order is None:
            clean["order"] = order = line.order
        elif line.order_id != order.pk:
            errors["order_line_id"] = f"This line belongs to order {line.order.number}, not {order.number}."
        if clean.get("product") is None and line.product_id and not (case and case.product_id):
            clean["product"] = line.product
    if order is not None and "order" in clean:
        account = clean.get("account", case.account if case else None)
        if account is None:
            clean["account"] = order.account
        elif order.account_id != account.pk:
            errors["order_id"] = f"Order {order.number} is {order.account.name}'s, not {account.name}'s."
    contact = clean.get("contact")
    if contact is not None and "account" not in clean and not (case and case.account_id):
        clean["account"] = (
            Account.objects.filter(account_contacts__contact=contact, deleted_at__isnull=True).order_by("account_contacts__id").first()
        )


def _snapshot(case: Case) -> dict[str, Any]:
    return {
        "subject": case.subject,
        "kind": case.kind.key,
        "status": case.status,
        "priority": case.priority,
        "queue": case.queue_id,
        "assignee": case.assignee_id,
        "contact": case.contact_id,
        "account": case.account_id,
        "order": case.order_id,
        "order_line": case.order_line_id,
        "product": case.product_id,
        "tags": list(case.tags),
    }


def _notify_assignee(actor: User | None, case: Case) -> None:
    if case.assignee is None or (actor is not None and case.assignee_id == actor.pk):
        return
    by = f"{actor.display_name} assigned you" if actor else "You were assigned"
    notify(
        workspace=case.workspace,
        recipient=case.assignee,
        kind=CASE_ASSIGNED.kind,
        title=f"{by} {case.number}: {case.subject}"[:200],
        url=case_url(case),
    )


def _apply(case: Case, clean: dict[str, Any]) -> None:
    for field, value in clean.items():
        if field == "priority":
            case.set_priority(value)
        else:
            setattr(case, field, value)


@transaction.atomic
def case_open(*, actor: User | None, workspace: Workspace, data: Mapping[str, Any], first_message: Mapping[str, Any] | None = None) -> Case:
    """Open a case (by an agent, a form, the portal, email or an integration); a return gets its RMA number.

    The description becomes the customer's first message of the conversation; `first_message` adds
    what an email said of it (from_address, from_name, message_id, in_reply_to). `actor` is None when
    the case came in without a person of ours (an email, the portal).
    """
    if actor is not None:
        require(actor, workspace, Action.ADD, ObjectType.CASE)
    service_setup(workspace=workspace)
    # On opening, a link left empty is a link not given: the account then follows from the contact or order.
    data = {"kind": "service_request", **{field: value for field, value in data.items() if value is not None}}
    missing = FieldErrors()
    if not data.get("subject"):
        missing["subject"] = "Say in a few words what the case is about."
    missing.raise_if_any()
    clean = _clean(workspace, data, None)
    now = timezone.now()
    case = Case(
        workspace=workspace,
        number=next_number(workspace=workspace, prefix="CS", on=now.date()),
        reply_token=new_reply_token(),
        created_by=actor,
        created_at=now,
        updated_at=now,
        last_message_at=now,
    )
    _apply(case, clean)
    if case.queue is None:
        case.queue = Queue.objects.filter(workspace=workspace, is_default=True).first()
    case.language = case.language or assignment.case_language(case)
    routed_by = assignment.route(case) if case.assignee is None else None
    if case.kind.is_return:
        case.rma_number = next_number(workspace=workspace, prefix="RMA", on=now.date())
    sla.apply_policy(case)
    case.save()
    audit.record(
        actor=actor,
        workspace=workspace,
        action=AuditEntry.Action.CREATE,
        obj=case,
        changes={
            **{field: [None, value] for field, value in _snapshot(case).items() if value not in (None, [], "")},
            **({"assignment_rule": [None, routed_by.name]} if routed_by else {}),
        },
    )
    if case.description:
        CaseMessage.objects.create(
            workspace=workspace,
            case=case,
            kind=CaseMessage.Kind.CUSTOMER,
            channel=case.channel,
            author=actor,
            contact=case.contact,
            subject=case.subject,
            body=body_html(case.description),
            occurred_at=now,
            **{key: value for key, value in (first_message or {}).items() if key in FIRST_MESSAGE_FIELDS},
        )
    _notify_assignee(actor, case)
    transaction.on_commit(partial(index_records, object_type="case", ids=[case.pk]))
    return case


@transaction.atomic
def case_update(*, actor: User, case: Case, data: Mapping[str, Any]) -> Case:
    """Change what a case is about, who works it and what it is linked to (status has its own service)."""
    require(actor, case.workspace, Action.CHANGE, ObjectType.CASE)
    case = _locked(case)
    clean = _clean(case.workspace, data, case)
    before = _snapshot(case)
    previous_assignee = case.assignee_id
    _apply(case, clean)
    if any(before[field] != value for field, value in _snapshot(case).items() if field in ("kind", "priority", "account")):
        sla.apply_policy(case)  # another kind, priority or customer may have other targets
    case.updated_at = timezone.now()
    case.save()
    after = _snapshot(case)
    changes = {field: [before[field], value] for field, value in after.items() if before[field] != value}
    if changes:
        audit.record(actor=actor, workspace=case.workspace, action=AuditEntry.Action.UPDATE, obj=case, changes=changes)
    if case.assignee_id != previous_assignee:
        _notify_assignee(actor, case)
    transaction.on_commit(partial(index_records, object_type="case", ids=[case.pk]))
    return case


def _locked(case: Case) -> Case:
    """The case's row, locked for this transaction (only the case: its links are read, not written)."""
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("workspace", "kind", "queue", "assignee", "order", "account")
        .get(pk=case.pk)
    )


def set_status(case: Case, status: str, *, at: Any = None) -> None:
    """Move a case to a status, stamping when it was resolved and closed (and clearing them when it reopens)."""
    at = at or timezone.now()
    before = case.status
    case.status = status
    if status in (Case.Status.RESOLVED, Case.Status.CLOSED):
        case.resolved_at = case.resolved_at or at
    else:
        case.resolved_at = None
    case.closed_at = (case.closed_at or at) if status == Case.Status.CLOSED else None
    case.updated_at = at
    sla.on_status_change(case, before, at)


# What set_status may change, for the services' update_fields.
STATUS_FIELDS = ["status", "resolved_at", "closed_at", "updated_at", "resolution_due_at", "sla_paused_at"]


@transaction.atomic
def case_change_status(*, actor: User, case: Case, status: str) -> Case:
    """Move a case along: open, waiting on the customer or a third party, resolved, closed, or reopened."""
    require(actor, case.workspace, Action.CHANGE, ObjectType.CASE)
    if status not in Case.Status.values:
        raise ValidationError({"status": f"Choose one of: {', '.join(Case.Status.values)}."})
    case = _locked(case)
    if case.merged_into_id:
        raise ValidationError({"status": "This case was merged into another; work on that one."})
    before = case.status
    if before == status:
        return case
    set_status(case, status)
    case.save(update_fields=STATUS_FIELDS)
    audit.record(actor=actor, workspace=case.workspace, action=AuditEntry.Action.UPDATE, obj=case, changes={"status": [before, status]})
    transaction.on_commit(partial(index_records, object_type="case", ids=[case.pk]))
    return case


RAISED = {Case.Priority.LOW: Case.Priority.NORMAL, Case.Priority.NORMAL: Case.Priority.HIGH, Case.Priority.HIGH: Case.Priority.URGENT}


def _assignee_after_breach(case: Case, policy: SlaPolicy) -> User | None:
    """Who works the case once it missed a target: the same agent, the escalation person, or another free agent."""
    if policy.breach_assignee == BreachAssignee.ESCALATION_PERSON and policy.escalate_to_id:
        return policy.escalate_to
    if policy.breach_assignee == BreachAssignee.ROUTE:
        # Routing sets the queue and agent; with nobody else free the case waits unassigned, so its queue's agents
        # (whom the breach alert tells) can take it, rather than staying with the agent who missed the target.
        rule = assignment.route(case, skip=[case.assignee_id] if case.assignee_id else [])
        return case.assignee if rule else None
    return case.assignee


@transaction.atomic
def case_escalate(*, case: Case) -> Case:
    """What a breached case's policy asks for, once: a higher priority, another queue, another agent (audited as the system)."""
    case = _locked(case)
    policy = case.sla_policy
    if case.escalated_at is not None or policy is None:
        return case
    before = _snapshot(case)
    if policy.raise_priority_on_breach:
        case.set_priority(RAISED.get(case.priority, case.priority))  # type: ignore[call-overload]
    if policy.breach_queue_id:
        case.queue = policy.breach_queue
    case.assignee = _assignee_after_breach(case, policy)
    case.escalated_at = case.updated_at = timezone.now()
    case.save(update_fields=["priority", "priority_rank", "queue", "assignee", "escalated_at", "updated_at"])
    changes = {field: [before[field], value] for field, value in _snapshot(case).items() if before[field] != value}
    audit.record(
        actor=None, workspace=case.workspace, action=AuditEntry.Action.UPDATE, obj=case, changes={**changes, "escalated": [False, True]}
    )
    if case.assignee_id != before["assignee"]:
        _notify_assignee(None, case)
    transaction.on_commit(partial(index_records, object_type="case", ids=[case.pk]))
    return case


@transaction.atomic
def case_set_properties(*, actor: User, case: Case, data: Mapping[str, Any], status: str) -> Case:
    """Save a case page's properties (kind, priority, queue, assignee) and its status as one change: all or nothing."""
    case = case_update(actor=actor, case=case, data=data)
    return case_change_status(actor=actor, case=case, status=status)
