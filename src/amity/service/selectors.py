"""Reads of customer service: cases the actor may see, their conversations, kinds, queues and a queue's counts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Q
from django.http import Http404

from amity.core.access import require, visible
from amity.core.models import User, Workspace
from amity.core.permissions import Action, ObjectType
from amity.core.tenancy import get_scoped_or_404
from amity.customers.models import Contact, ContactEmail
from amity.service.models import (
    OPEN_CASES,
    AgentProfile,
    BusinessCalendar,
    CannedResponse,
    Case,
    CaseAssignmentRule,
    CaseAttachment,
    CaseKind,
    CaseMessage,
    Macro,
    Mailbox,
    Queue,
    SlaPolicy,
)
from amity.service.services.setup import service_setup

CASE_SORTS = {
    "-updated_at": ("-updated_at", "-id"),
    "updated_at": ("updated_at", "id"),
    "-created_at": ("-created_at", "-id"),
    "created_at": ("created_at", "id"),
    "priority": ("priority_rank", "-updated_at", "-id"),
    "number": ("number", "id"),
    "-number": ("-number", "-id"),
}
OPEN_ANY = "open_any"  # a status filter meaning every status before resolved


@dataclass(frozen=True)
class CaseFilter:
    status: str | None = None
    kind: str | None = None
    priority: str | None = None
    queue_id: int | None = None
    assignee_id: int | None = None
    unassigned: bool | None = None
    contact_id: int | None = None
    account_id: int | None = None
    order_id: int | None = None
    channel: str | None = None
    tag: str | None = None
    number: str | None = None


def _cases(actor: User, workspace: Workspace) -> models.QuerySet[Case]:
    return visible(Case.objects.all(), actor=actor, workspace=workspace, object_type=ObjectType.CASE, owner_field="assignee")


def case_details(cases: models.QuerySet[Case]) -> models.QuerySet[Case]:
    return cases.select_related(
        "kind", "queue", "assignee", "contact", "account", "order", "order_line", "product", "merged_into", "sla_policy"
    )


def _check(field: str, value: str | None, choices: list[str]) -> None:
    if value and value not in choices:
        raise ValidationError({field: f"Choose one of: {', '.join(choices)}."})


def case_list(*, actor: User, workspace: Workspace, filters: CaseFilter | None = None) -> models.QuerySet[Case]:
    """The cases the actor may see, filtered (by status, or every open status with "open_any"), with what a row shows."""
    filters = filters or CaseFilter()
    _check("status", filters.status, [*Case.Status.values, OPEN_ANY])
    _check("priority", filters.priority, Case.Priority.values)
    _check("channel", filters.channel, Case.Channel.values)
    cases = _cases(actor, workspace)
    if filters.status == OPEN_ANY:
        cases = cases.filter(OPEN_CASES)
    elif filters.status:
        cases = cases.filter(status=filters.status)
    lookups: dict[str, Any] = {
        "kind__key": filters.kind,
        "priority": filters.priority,
        "queue_id": filters.queue_id,
        "assignee_id": filters.assignee_id,
        "contact_id": filters.contact_id,
        "account_id": filters.account_id,
        "order_id": filters.order_id,
        "channel": filters.channel,
        "number": (filters.number or "").strip().upper(),
    }
    cases = cases.filter(**{key: value for key, value in lookups.items() if value not in (None, "")})
    if filters.unassigned:
        cases = cases.filter(assignee__isnull=True)
    if filters.tag:
        # The JSON text of the list holds the tag in quotes: one portable test (SQLite has no JSON containment).
        cases = cases.filter(tags__icontains=f'"{filters.tag.strip().lower()}"')
    return case_details(cases)


def case_get(*, actor: User, workspace: Workspace, pk: int) -> Case:
    return get_scoped_or_404(case_details(_cases(actor, workspace)), pk=pk)


def case_messages(*, case: Case, include_notes: bool = True) -> list[CaseMessage]:
    """A case's conversation, oldest first, with authors and files (two queries; notes left out for the customer's eyes)."""
    messages = (
        CaseMessage.objects.filter(workspace_id=case.workspace_id, case=case)
        .select_related("author", "contact")
        .prefetch_related(models.Prefetch("attachments", queryset=CaseAttachment.objects.order_by("id")))
    )
    if not include_notes:
        messages = messages.exclude(kind=CaseMessage.Kind.NOTE)
    return list(messages.order_by("occurred_at", "id"))


def case_attachment_get(*, case: Case, pk: Any) -> CaseAttachment:
    """A file of one of the case's messages (the case already fetched for the actor); anything else is a 404."""
    return get_scoped_or_404(CaseAttachment.objects.filter(workspace_id=case.workspace_id, message__case=case), pk=pk)


def visible_cases(*, actor: User, workspace: Workspace) -> models.QuerySet[Case]:
    """Every case the actor may see (for reports that count them; lists use `case_list`)."""
    require(actor, workspace, Action.VIEW, ObjectType.CASE)
    return _cases(actor, workspace)


def visible_case_ids(*, actor: User, workspace: Workspace) -> models.QuerySet[Case, int]:
    return _cases(actor, workspace).values_list("pk", flat=True)


def case_kinds(*, actor: User, workspace: Workspace, active_only: bool = False) -> models.QuerySet[CaseKind]:
    """The workspace's kinds of case; a workspace that never had any gets the standard four first."""
    service_setup(workspace=workspace)
    kinds = _kinds(actor, workspace)
    return kinds.filter(active=True) if active_only else kinds


def _kinds(actor: User, workspace: Workspace) -> models.QuerySet[CaseKind]:
    return visible(CaseKind.objects.all(), actor=actor, workspace=workspace, object_type=ObjectType.CASE_KIND)


def case_kind_get(*, actor: User, workspace: Workspace, pk: int) -> CaseKind:
    return get_scoped_or_404(_kinds(actor, workspace), pk=pk)


def queues(*, actor: User, workspace: Workspace) -> models.QuerySet[Queue]:
    """The workspace's queues with their agents; a workspace that never had any gets the Support queue first."""
    service_setup(workspace=workspace)
    return _queues(actor, workspace)


def _queues(actor: User, workspace: Workspace) -> models.QuerySet[Queue]:
    return visible(Queue.objects.all(), actor=actor, workspace=workspace, object_type=ObjectType.QUEUE).prefetch_related("members")


def queue_get(*, actor: User, workspace: Workspace, pk: int) -> Queue:
    return get_scoped_or_404(_queues(actor, workspace), pk=pk)


def queue_counts(*, actor: User, workspace: Workspace) -> dict[str, Any]:
    """How many open cases wait in each queue, are unassigned, and are the actor's own (one query)."""
    # Grouped by queue and assignee (a few hundred rows at most) over the covering index case_open_counts: SQLite
    # counted 25,000 open cases of 500,000 in 120 ms through the list's index, 6 ms through this one.
    cases = _cases(actor, workspace).filter(OPEN_CASES).order_by()
    by_queue: dict[int, int] = {}
    mine = unassigned = everything = 0
    for queue_id, assignee_id, count in cases.values_list("queue_id", "assignee_id").annotate(count=Count("pk")):
        by_queue[queue_id] = by_queue.get(queue_id, 0) + count
        mine += count if assignee_id == actor.pk else 0
        unassigned += count if assignee_id is None else 0
        everything += count
    return {"by_queue": by_queue, "mine": mine, "unassigned": unassigned, "everything": everything}


def contact_by_email(*, workspace: Workspace, email: str) -> Contact | None:
    """The live contact who has this email address (primary or not), the oldest if several do."""
    address = email.strip().lower()
    if not address:
        return None
    row = (
        ContactEmail.objects.filter(workspace=workspace, address=address, contact__deleted_at__isnull=True)
        .order_by("contact_id")
        .values_list("contact_id", flat=True)
        .first()
    )
    return Contact.objects.filter(workspace=workspace, pk=row).first() if row else None


def customer_cases(*, actor: User, workspace: Workspace, case: Case, limit: int = 5) -> list[Case]:
    """The same customer's other cases, newest first: by contact, else by account."""
    if not case.contact_id and not case.account_id:
        return []
    mine = Q(contact_id=case.contact_id) if case.contact_id else Q(account_id=case.account_id)
    return list(_cases(actor, workspace).filter(mine).exclude(pk=case.pk).select_related("kind").order_by("-created_at", "-id")[:limit])


def mailboxes(*, actor: User, workspace: Workspace) -> models.QuerySet[Mailbox]:
    """The workspace's IMAP mailboxes: seen by those who may change queues (they hold passwords)."""
    require(actor, workspace, Action.CHANGE, ObjectType.QUEUE)
    return Mailbox.objects.filter(workspace=workspace).order_by("id")


def mailbox_get(*, actor: User, workspace: Workspace, pk: int) -> Mailbox:
    return get_scoped_or_404(mailboxes(actor=actor, workspace=workspace), pk=pk)


def sla_policies(*, actor: User, workspace: Workspace) -> models.QuerySet[SlaPolicy]:
    return visible(SlaPolicy.objects.all(), actor=actor, workspace=workspace, object_type=ObjectType.SLA_POLICY).order_by("position", "id")


def sla_policy_get(*, actor: User, workspace: Workspace, pk: int) -> SlaPolicy:
    return get_scoped_or_404(sla_policies(actor=actor, workspace=workspace), pk=pk)


def calendars(*, actor: User, workspace: Workspace) -> models.QuerySet[BusinessCalendar]:
    return visible(BusinessCalendar.objects.all(), actor=actor, workspace=workspace, object_type=ObjectType.SLA_POLICY).order_by(
        "name", "id"
    )


def calendar_get(*, actor: User, workspace: Workspace, pk: int) -> BusinessCalendar:
    return get_scoped_or_404(calendars(actor=actor, workspace=workspace), pk=pk)


def case_message_get(*, case: Case, pk: int) -> CaseMessage:
    return get_scoped_or_404(CaseMessage.objects.filter(workspace_id=case.workspace_id, case=case).select_related("case__kind"), pk=pk)


def canned_responses(*, actor: User, workspace: Workspace) -> models.QuerySet[CannedResponse]:
    return visible(CannedResponse.objects.all(), actor=actor, workspace=workspace, object_type=ObjectType.CASE_KIND).order_by("name", "id")


def canned_response_get(*, actor: User, workspace: Workspace, pk: int) -> CannedResponse:
    return get_scoped_or_404(canned_responses(actor=actor, workspace=workspace), pk=pk)


def macros(*, actor: User, workspace: Workspace) -> models.QuerySet[Macro]:
    return (
        visible(Macro.objects.all(), actor=actor, workspace=workspace, object_type=ObjectType.CASE_KIND)
        .select_related("reply")
        .order_by("name", "id")
    )


def macro_get(*, actor: User, workspace: Workspace, pk: int) -> Macro:
    return get_scoped_or_404(macros(actor=actor, workspace=workspace), pk=pk)


def case_assignment_rules(*, actor: User, workspace: Workspace) -> models.QuerySet[CaseAssignmentRule]:
    """The routing rules in the order they are tried, with their agents."""
    rules = visible(CaseAssignmentRule.objects.all(), actor=actor, workspace=workspace, object_type=ObjectType.QUEUE)
    return rules.select_related("queue", "route_to_queue", "agent").prefetch_related("agents").order_by("position", "id")


def case_assignment_rule_get(*, actor: User, workspace: Workspace, pk: int) -> CaseAssignmentRule:
    return get_scoped_or_404(case_assignment_rules(actor=actor, workspace=workspace), pk=pk)


@dataclass(frozen=True)
class Agent:
    """A member as the routing sees them: their profile (a default one if never set) and how many cases they have open."""

    user: User
    profile: AgentProfile
    open_cases: int


def agents(*, actor: User, workspace: Workspace, user_id: int | None = None) -> list[Agent]:
    """Every member of the workspace (or the one given) with their routing profile and open cases, by name (three queries)."""
    require(actor, workspace, Action.VIEW, ObjectType.QUEUE)
    from amity.service.services.assignment import open_case_counts

    members = User.objects.filter(memberships__workspace=workspace, is_active=True).order_by("full_name", "email")
    people = list(members if user_id is None else members.filter(pk=user_id))
    profiles = {profile.user_id: profile for profile in AgentProfile.objects.filter(workspace=workspace)}
    loads = open_case_counts(workspace.pk, [person.pk for person in people])
    return [
        Agent(
            user=person,
            profile=profiles.get(person.pk) or AgentProfile(workspace=workspace, user=person),
            open_cases=loads.get(person.pk, 0),
        )
        for person in people
    ]


def agent_get(*, actor: User, workspace: Workspace, user_id: int) -> Agent:
    """One member as the routing sees them; 404 for anyone who is not a member of this workspace."""
    found = agents(actor=actor, workspace=workspace, user_id=user_id)
    if not found:
        raise Http404("No such member.")
    return found[0]
