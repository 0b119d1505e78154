"""Reshaping cases: merging a duplicate into the case it repeats, splitting a message off into a case of its own,
canned responses with placeholders, and macros that apply several changes at once."""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from amity.core import audit
from amity.core.access import require
from amity.core.models import AuditEntry, User, Workspace
from amity.core.permissions import Action, ObjectType
from amity.search.services import index_records
from amity.service.models import CannedResponse, Case, CaseMessage, Macro, Queue
from amity.service.services.cases import STATUS_FIELDS, _locked, case_change_status, case_open, case_update, set_status
from amity.service.services.messages import case_note, case_reply

PLACEHOLDER = re.compile(r"\{(\w+)\}")
PLACEHOLDER_NAMES = ("customer_name", "customer_first_name", "case_number", "case_subject", "rma_number", "agent_name", "workspace_name")


@transaction.atomic
def case_merge(*, actor: User, duplicate: Case, into: Case) -> Case:
    """Merge a duplicate case into another: its messages move over, it is closed and points to the survivor; later mail follows."""
    require(actor, into.workspace, Action.CHANGE, ObjectType.CASE)
    if duplicate.pk == into.pk or duplicate.workspace_id != into.workspace_id:
        raise ValidationError({"into_id": "Merge a case into another case of this workspace."})
    if into.merged_into_id:
        raise ValidationError({"into_id": f"{into.number} was itself merged; merge into the case it lives on in."})
    duplicate, into = _locked(duplicate), _locked(into)
    if duplicate.merged_into_id:
        raise ValidationError({"case": f"{duplicate.number} is already merged."})
    moved = CaseMessage.objects.filter(case=duplicate).update(case=into)
    CaseMessage.objects.create(
        workspace=into.workspace,
        case=into,
        kind=CaseMessage.Kind.NOTE,
        author=actor,
        body=f"<p>{duplicate.number} “{duplicate.subject}” was merged into this case ({moved} message{'s' if moved != 1 else ''}).</p>",
    )
    before = duplicate.status
    duplicate.merged_into = into
    set_status(duplicate, Case.Status.CLOSED)
    duplicate.save(update_fields=["merged_into", *STATUS_FIELDS])
    into.tags = sorted({*into.tags, *duplicate.tags})
    into.last_message_at = max(moment for moment in (into.last_message_at, duplicate.last_message_at, timezone.now()) if moment)
    into.updated_at = timezone.now()
    into.save(update_fields=["tags", "last_message_at", "updated_at"])
    audit.record(
        actor=actor, workspace=into.workspace, action=AuditEntry.Action.UPDATE, obj=duplicate,
        changes={"merged_into": [None, into.pk], "status": [before, duplicate.status], "messages_moved": [None, moved]},
    )  # fmt: skip
    transaction.on_commit(partial(index_records, object_type="case", ids=[duplicate.pk, into.pk]))
    return into


@transaction.atomic
def case_split(*, actor: User, message: CaseMessage, subject: str = "") -> Case:
    """Take a customer's message off its case into a new case of its own (it was about something else)."""
    case = message.case
    require(actor, case.workspace, Action.CHANGE, ObjectType.CASE)
    if message.kind != CaseMessage.Kind.CUSTOMER:
        raise ValidationError({"message_id": "Split off what the customer wrote, not a reply or a note."})
    if CaseMessage.objects.filter(case=case).count() < 2:
        raise ValidationError({"message_id": "This is the case's only message; there is nothing to split it from."})
    data = {
        "subject": (subject or message.subject or f"Split from {case.number}").strip()[:250],
        "kind": case.kind.key,
        "priority": case.priority,
        "channel": message.channel,
        "queue_id": case.queue_id,
        "contact_id": case.contact_id,
        "account_id": case.account_id,
        "requester_email": "" if case.contact_id else case.requester_email,
    }
    new = case_open(actor=actor, workspace=case.workspace, data=data)
    CaseMessage.objects.filter(pk=message.pk).update(case=new)
    CaseMessage.objects.create(
        workspace=case.workspace,
        case=case,
        kind=CaseMessage.Kind.NOTE,
        author=actor,
        body=f"<p>A message was split off into {new.number}.</p>",
    )
    audit.record(actor=actor, workspace=case.workspace, action=AuditEntry.Action.UPDATE, obj=case, changes={"split_into": [None, new.pk]})
    return new


def placeholders(case: Case, agent: User) -> dict[str, str]:
    """The values of PLACEHOLDER_NAMES for a case answered by an agent."""
    contact = case.contact
    return {
        "customer_name": contact.full_name if contact else case.requester_email,
        "customer_first_name": (contact.first_name or contact.full_name) if contact else "",
        "case_number": case.number,
        "case_subject": case.subject,
        "rma_number": case.rma_number or "",
        "agent_name": agent.display_name,
        "workspace_name": case.workspace.name,
    }


def render_canned(response: CannedResponse, *, case: Case, agent: User) -> str:
    """The response's text with its placeholders filled in for this case; unknown placeholders stay as written."""
    values = placeholders(case, agent)
    return PLACEHOLDER.sub(lambda match: values.get(match.group(1), match.group(0)), response.body)


@transaction.atomic
def canned_response_save(
    *, actor: User, workspace: Workspace, name: str, body: str, response: CannedResponse | None = None
) -> CannedResponse:
    """Add or change a canned response; an unknown placeholder is refused so that no customer reads "{custmer_name}"."""
    require(actor, workspace, Action.CHANGE if response else Action.ADD, ObjectType.CASE_KIND)
    name, body = " ".join(name.split())[:120], body.strip()
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = "Name the response."
    if not body:
        errors["body"] = "Write the response."
    known = set(PLACEHOLDER_NAMES)
    unknown = sorted(set(PLACEHOLDER.findall(body)) - known)
    if unknown:
        errors["body"] = f"Unknown placeholder {{{unknown[0]}}}; use one of: {', '.join('{' + key + '}' for key in sorted(known))}."
    clash = CannedResponse.objects.filter(workspace=workspace, name__iexact=name)
    if (clash.exclude(pk=response.pk) if response else clash).exists():
        errors["name"] = f"There is already a response “{name}”."
    if errors:
        raise ValidationError(errors)
    created = response is None
    response = response or CannedResponse(workspace=workspace, created_by=actor)
    response.name, response.body = name, body
    response.save()
    audit.record(
        actor=actor,
        workspace=workspace,
        action=AuditEntry.Action.CREATE if created else AuditEntry.Action.UPDATE,
        obj=response,
        changes={"name": [None, name]},
    )
    return response


@transaction.atomic
def macro_save(*, actor: User, workspace: Workspace, data: Mapping[str, Any], macro: Macro | None = None) -> Macro:
    """Add or change a macro: the changes it makes to a case, checked against the workspace's queues, people and responses."""
    require(actor, workspace, Action.CHANGE if macro else Action.ADD, ObjectType.CASE_KIND)
    errors: dict[str, str] = {}
    name = " ".join(str(data.get("name", macro.name if macro else "")).split())[:120]
    if not name:
        errors["name"] = "Name the macro."
    if data.get("status") and data["status"] not in Case.Status.values:
        errors["status"] = f"Choose one of: {', '.join(Case.Status.values)}."
    if data.get("priority") and data["priority"] not in Case.Priority.values:
        errors["priority"] = f"Choose one of: {', '.join(Case.Priority.values)}."
    if data.get("queue_id") and not Queue.objects.filter(workspace=workspace, pk=data["queue_id"]).exists():
        errors["queue_id"] = f"No queue {data['queue_id']} in this workspace."
    if data.get("assignee_id") and not User.objects.filter(pk=data["assignee_id"], memberships__workspace=workspace).exists():
        errors["assignee_id"] = "Assign to a member of this workspace."
    if data.get("reply_id") and not CannedResponse.objects.filter(workspace=workspace, pk=data["reply_id"]).exists():
        errors["reply_id"] = f"No canned response {data['reply_id']} in this workspace."
    if errors:
        raise ValidationError(errors)
    created = macro is None
    macro = macro or Macro(workspace=workspace)
    macro.name = name
    for field in ("status", "priority", "queue_id", "assignee_id", "assign_to_me", "reply_id", "note"):
        if field in data:
            setattr(macro, field, data[field] if data[field] is not None else ("" if field in ("status", "priority", "note") else None))
    if "add_tags" in data:
        macro.add_tags = sorted({" ".join(str(tag).split()).lower() for tag in data["add_tags"] or [] if str(tag).strip()})
    macro.save()
    audit.record(
        actor=actor,
        workspace=workspace,
        action=AuditEntry.Action.CREATE if created else AuditEntry.Action.UPDATE,
        obj=macro,
        changes={"name": [None, name]},
    )
    return macro


@transaction.atomic
def macro_apply(*, actor: User, macro: Macro, case: Case) -> Case:
    """Apply a macro to a case: its field changes, its reply (emailed) or note, then its status, all or nothing."""
    changes: dict[str, Any] = {}
    if macro.priority:
        changes["priority"] = macro.priority
    if macro.queue_id:
        changes["queue_id"] = macro.queue_id
    if macro.assign_to_me:
        changes["assignee_id"] = actor.pk
    elif macro.assignee_id:
        changes["assignee_id"] = macro.assignee_id
    if macro.add_tags:
        changes["tags"] = sorted({*case.tags, *macro.add_tags})
    if changes:
        case = case_update(actor=actor, case=case, data=changes)
    if macro.reply_id and macro.reply:
        case_reply(actor=actor, case=case, body=render_canned(macro.reply, case=case, agent=actor), status=macro.status or None)
    elif macro.status:
        case = case_change_status(actor=actor, case=case, status=macro.status)
    if macro.note:
        case_note(actor=actor, case=case, body=macro.note)
    return Case.objects.get(pk=case.pk)
