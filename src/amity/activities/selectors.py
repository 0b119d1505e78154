"""Reads of interactions, notes, tasks and timelines, scoped to the workspace and the actor's role."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from html import unescape
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Prefetch, Q
from django.http import Http404

from amity.activities.models import Interaction, Note, Task
from amity.activities.timeline import TimelineItem, TimelinePage, TimelineQuery, timeline_page
from amity.core.access import hidden_fields, role_of, team_member_ids, visible
from amity.core.models import AuditEntry, User, Workspace
from amity.core.permissions import ObjectType, Scope, visibility
from amity.core.tenancy import get_scoped_or_404
from amity.customers.models import Account, AccountContact, Contact
from amity.sales.models import Opportunity

SUMMARY_LENGTH = 200


TAG = re.compile(r"<[^>]*>")


def _summary(html: str) -> str:
    """The text of already-sanitized HTML, shortened (a regex: the timeline builds hundreds per page)."""
    return _shorten(" ".join(unescape(TAG.sub(" ", html[: SUMMARY_LENGTH * 20])).split()))


def _shorten(text: str) -> str:
    return text if len(text) <= SUMMARY_LENGTH else text[: SUMMARY_LENGTH - 1].rstrip() + "…"


# --- Customers (the minimum the timeline needs; the customers app owns the rest) -------------------


def contact_list(*, actor: User, workspace: Workspace) -> models.QuerySet[Contact]:
    """Contacts the actor may see, without the soft-deleted."""
    return visible(Contact.objects.filter(deleted_at__isnull=True), actor=actor, workspace=workspace, object_type=ObjectType.CONTACT)


def contact_get(*, actor: User, workspace: Workspace, pk: int) -> Contact:
    return get_scoped_or_404(contact_list(actor=actor, workspace=workspace), pk=pk)


def account_list(*, actor: User, workspace: Workspace) -> models.QuerySet[Account]:
    return visible(Account.objects.filter(deleted_at__isnull=True), actor=actor, workspace=workspace, object_type=ObjectType.ACCOUNT)


def account_get(*, actor: User, workspace: Workspace, pk: int) -> Account:
    return get_scoped_or_404(account_list(actor=actor, workspace=workspace), pk=pk)


def contacts_by_ids(*, actor: User, workspace: Workspace, pks: Iterable[int]) -> list[Contact]:
    return list(contact_list(actor=actor, workspace=workspace).filter(pk__in=set(pks)))


def accounts_by_ids(*, actor: User, workspace: Workspace, pks: Iterable[int]) -> list[Account]:
    return list(account_list(actor=actor, workspace=workspace).filter(pk__in=set(pks)))


def member_users(*, workspace: Workspace, pks: Iterable[int]) -> list[User]:
    """Users by id, only those who are members of the workspace."""
    return list(User.objects.filter(pk__in=set(pks), memberships__workspace=workspace))


# --- Interactions ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InteractionFilter:
    channel: str | None = None
    direction: str | None = None
    contact_id: int | None = None
    account_id: int | None = None
    opportunity_id: int | None = None
    lead_id: int | None = None
    occurred_after: datetime | None = None
    occurred_before: datetime | None = None


def interaction_list(*, actor: User, workspace: Workspace, filters: InteractionFilter | None = None) -> models.QuerySet[Interaction]:
    interactions = visible(
        Interaction.objects.prefetch_related("contacts", "accounts", "users"),
        actor=actor,
        workspace=workspace,
        object_type=ObjectType.INTERACTION,
        owner_field="created_by",
    )
    filters = filters or InteractionFilter()
    if filters.contact_id is not None:
        interactions = interactions.filter(
            pk__in=Interaction.contacts.through.objects.filter(contact_id=filters.contact_id).values("interaction_id")
        )
    if filters.account_id is not None:
        interactions = interactions.filter(
            pk__in=Interaction.accounts.through.objects.filter(account_id=filters.account_id).values("interaction_id")
        )
    lookups = {
        "channel": filters.channel,
        "direction": filters.direction,
        "opportunity_id": filters.opportunity_id,
        "lead_id": filters.lead_id,
        "occurred_at__gte": filters.occurred_after,
        "occurred_at__lt": filters.occurred_before,
    }
    return interactions.filter(**{key: value for key, value in lookups.items() if value not in (None, "")})


def interaction_get(*, actor: User, workspace: Workspace, pk: int) -> Interaction:
    return get_scoped_or_404(interaction_list(actor=actor, workspace=workspace), pk=pk)


# --- Notes --------------------------------------------------------------------------------------------


def note_list(
    *,
    actor: User,
    workspace: Workspace,
    contact_id: int | None = None,
    account_id: int | None = None,
    opportunity_id: int | None = None,
    lead_id: int | None = None,
) -> models.QuerySet[Note]:
    notes = visible(
        Note.objects.select_related("author").prefetch_related("mentions"),
        actor=actor,
        workspace=workspace,
        object_type=ObjectType.NOTE,
        owner_field="author",
    )
    if contact_id is not None:
        notes = notes.filter(contact_id=contact_id)
    if account_id is not None:
        notes = notes.filter(account_id=account_id)
    if opportunity_id is not None:
        notes = notes.filter(opportunity_id=opportunity_id)
    if lead_id is not None:
        notes = notes.filter(lead_id=lead_id)
    return notes


def note_get(*, actor: User, workspace: Workspace, pk: int) -> Note:
    return get_scoped_or_404(note_list(actor=actor, workspace=workspace), pk=pk)


# --- Tasks --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TaskFilter:
    assignee_id: int | None = None
    status: str | None = None
    priority: str | None = None
    due_before: datetime | None = None
    due_after: datetime | None = None
    contact_id: int | None = None
    account_id: int | None = None
    opportunity_id: int | None = None
    lead_id: int | None = None


def visible_tasks(queryset: models.QuerySet[Task], *, actor: User, workspace: Workspace) -> models.QuerySet[Task]:
    """Tasks within the role's scope by assignee (own / team / all), plus those the actor gave anyone."""
    scoped = queryset.filter(workspace=workspace)
    scope = visibility(role_of(actor, workspace), ObjectType.TASK)
    if scope == Scope.NONE:
        raise PermissionDenied("Your role does not allow you to see tasks.")
    if scope == Scope.ALL:
        return scoped
    assignees = [actor.pk] if scope == Scope.OWN else team_member_ids(actor, workspace)
    return scoped.filter(Q(assignee__in=assignees) | Q(created_by=actor))


def task_list(*, actor: User, workspace: Workspace, filters: TaskFilter | None = None) -> models.QuerySet[Task]:
    """Tasks the actor may see: by assignee, within their role's own / team / all scope, and the ones they handed out."""
    tasks = visible_tasks(Task.objects.select_related("assignee"), actor=actor, workspace=workspace)
    filters = filters or TaskFilter()
    lookups = {
        "assignee_id": filters.assignee_id,
        "status": filters.status,
        "priority": filters.priority,
        "due_at__lt": filters.due_before,
        "due_at__gte": filters.due_after,
        "contact_id": filters.contact_id,
        "account_id": filters.account_id,
        "opportunity_id": filters.opportunity_id,
        "lead_id": filters.lead_id,
    }
    return tasks.filter(**{key: value for key, value in lookups.items() if value not in (None, "")})


def task_get(*, actor: User, workspace: Workspace, pk: int) -> Task:
    return get_scoped_or_404(task_list(actor=actor, workspace=workspace), pk=pk)


def _about(workspace: Workspace, contact: Contact | None, account: Account | None) -> Q:
    """Tasks about a contact, or about an account and the people who work there."""
    about = Q(pk__in=[])
    if contact is not None:
        about |= Q(contact=contact)
    if account is not None:
        people = AccountContact.objects.filter(workspace=workspace, account=account).values("contact_id")
        about |= Q(account=account) | Q(contact_id__in=people)
    return about


def open_tasks_about(
    *, actor: User, workspace: Workspace, contact: Contact | None = None, account: Account | None = None, limit: int
) -> tuple[list[Task], int]:
    """The open tasks about a contact, or about an account and its people: the first `limit`, soonest due first, and how many."""
    tasks = visible_tasks(
        Task.objects.filter(_about(workspace, contact, account), status=Task.Status.OPEN), actor=actor, workspace=workspace
    )
    soonest = tasks.select_related("assignee", "contact").order_by("due_at", "id")
    return list(soonest[:limit]), tasks.count()


def task_about_get(*, actor: User, workspace: Workspace, pk: int, contact: Contact | None = None, account: Account | None = None) -> Task:
    """A task the actor may see that is about this contact or account (or one of its people); any other is a 404."""
    tasks = visible_tasks(Task.objects.filter(_about(workspace, contact, account)), actor=actor, workspace=workspace)
    return get_scoped_or_404(tasks, pk=pk)


# --- Timeline -------------------------------------------------------------------------------------------


def contact_timeline(
    *, actor: User, workspace: Workspace, contact: Contact, kinds: list[str], channels: list[str], cursor: str | None, limit: int
) -> TimelinePage:
    """A contact's timeline: everything linked to them, and changes to their record."""
    return timeline_page(
        workspace=workspace, actor=actor, contact_ids=[contact.pk], kinds=kinds, channels=channels, cursor=cursor, limit=limit
    )


def account_timeline(
    *, actor: User, workspace: Workspace, account: Account, kinds: list[str], channels: list[str], cursor: str | None, limit: int
) -> TimelinePage:
    """An account's timeline: its own entries and those of every contact who works there."""
    contact_ids = list(
        AccountContact.objects.filter(workspace=workspace, account=account, contact__deleted_at__isnull=True).values_list(
            "contact_id", flat=True
        )
    )
    return timeline_page(
        workspace=workspace,
        actor=actor,
        contact_ids=contact_ids,
        account_ids=[account.pk],
        kinds=kinds,
        channels=channels,
        cursor=cursor,
        limit=limit,
    )


# The few columns a timeline entry needs of the contacts it concerns.
TIMELINE_CONTACTS = Prefetch("contacts", queryset=Contact.objects.only("id", "first_name", "last_name", "primary_email").order_by("id"))


def _people(contacts: Iterable[Contact]) -> list[dict[str, Any]]:
    return [{"id": contact.pk, "name": contact.full_name} for contact in contacts]


def _linked(query: TimelineQuery, *, contact_field: str, account_field: str) -> Q:
    condition = Q(pk__in=[])
    if query.contact_ids:
        condition |= Q(**{f"{contact_field}__in": sorted(query.contact_ids)})
    if query.account_ids:
        condition |= Q(**{f"{account_field}__in": sorted(query.account_ids)})
    if query.opportunity_ids:
        condition |= Q(opportunity_id__in=sorted(query.opportunity_ids))
    if query.lead_ids:
        condition |= Q(lead_id__in=sorted(query.lead_ids))
    return condition


def timeline_interaction_rows(query: TimelineQuery) -> models.QuerySet[Interaction]:
    """Interactions with any of the contacts or accounts, on the chosen channels."""
    links: list[models.QuerySet[Any, Any]] = []
    if query.contact_ids:
        links.append(Interaction.contacts.through.objects.filter(contact_id__in=sorted(query.contact_ids)).values("interaction_id"))
    if query.account_ids:
        links.append(Interaction.accounts.through.objects.filter(account_id__in=sorted(query.account_ids)).values("interaction_id"))
    if query.opportunity_ids:
        links.append(Interaction.objects.filter(opportunity_id__in=sorted(query.opportunity_ids)).values("id"))
    if query.lead_ids:
        links.append(Interaction.objects.filter(lead_id__in=sorted(query.lead_ids)).values("id"))
    # One IN over a UNION, not an OR of two INs: PostgreSQL then starts from the few links and sorts their
    # interactions, where with the OR it walks the workspace's interactions newest first until it meets
    # enough of them (a quarter of a million rows for an account at 5 million interactions: 55 ms, not 2).
    linked = links[0].union(*links[1:]) if links else Interaction.contacts.through.objects.none().values("interaction_id")
    interactions = visible(
        Interaction.objects.filter(pk__in=linked),
        actor=query.actor,
        workspace=query.workspace,
        object_type=ObjectType.INTERACTION,
        owner_field="created_by",
    )
    if query.channels:
        interactions = interactions.filter(channel__in=sorted(query.channels))
    return interactions


def timeline_interaction_items(rows: models.QuerySet[Interaction]) -> list[TimelineItem]:
    return [
        TimelineItem(
            kind="interaction",
            id=row.pk,
            occurred_at=row.occurred_at,
            title=str(row),
            summary=_summary(row.body) or row.outcome,
            channel=row.channel,
            direction=row.direction,
            object_type="activities.interaction",
            object_id=row.pk,
            url=f"/api/v1/interactions/{row.pk}",
            actor_name=row.created_by.display_name if row.created_by else "",
            extra={
                "outcome": row.outcome,
                "duration_seconds": row.duration_seconds,
                "contacts": _people(row.contacts.all()),
                "author_id": row.created_by_id,
            },
        )
        for row in rows.select_related("created_by").prefetch_related(TIMELINE_CONTACTS)
    ]


def timeline_note_rows(query: TimelineQuery) -> models.QuerySet[Note]:
    """Notes on any of the contacts or accounts."""
    return visible(
        Note.objects.filter(_linked(query, contact_field="contact_id", account_field="account_id")),
        actor=query.actor,
        workspace=query.workspace,
        object_type=ObjectType.NOTE,
        owner_field="author",
    )


def timeline_note_items(rows: models.QuerySet[Note]) -> list[TimelineItem]:
    return [
        TimelineItem(
            kind="note",
            id=row.pk,
            occurred_at=row.created_at,
            title=f"Note by {row.author.display_name}" if row.author else "Note",
            summary=_summary(row.body),
            object_type="activities.note",
            object_id=row.pk,
            url=f"/api/v1/notes/{row.pk}",
            actor_name=row.author.display_name if row.author else "",
            extra={"body": row.body, "contacts": _people([row.contact] if row.contact else []), "author_id": row.author_id},
        )
        for row in rows.select_related("author", "contact")
    ]


def timeline_task_rows(query: TimelineQuery) -> models.QuerySet[Task]:
    """Tasks about any of the contacts or accounts that the actor may see."""
    return visible_tasks(
        Task.objects.filter(_linked(query, contact_field="contact_id", account_field="account_id")),
        actor=query.actor,
        workspace=query.workspace,
    )


def timeline_task_items(rows: models.QuerySet[Task]) -> list[TimelineItem]:
    return [
        TimelineItem(
            kind="task",
            id=row.pk,
            occurred_at=row.created_at,
            title=row.title,
            summary=f"{row.get_status_display()}, due {row.due_at:%Y-%m-%d %H:%M} UTC"
            + (f", assigned to {row.assignee.display_name}" if row.assignee else ""),
            object_type="activities.task",
            object_id=row.pk,
            url=f"/api/v1/tasks/{row.pk}",
            actor_name=row.assignee.display_name if row.assignee else "",
            extra={
                "status": row.status,
                "priority": row.priority,
                "due_at": row.due_at.isoformat(),
                "contacts": _people([row.contact] if row.contact else []),
                "author_id": row.created_by_id,
            },
        )
        for row in rows.select_related("assignee", "contact")
    ]


Entry = Interaction | Note | Task
ENTRY_RENDERERS: dict[str, Any] = {
    "interaction": timeline_interaction_items,
    "note": timeline_note_items,
    "task": timeline_task_items,
}


def entry_get(*, actor: User, workspace: Workspace, kind: str, pk: int) -> Entry:
    """A logged interaction, note or task by its timeline kind and id, if the actor may see it; anything else is a 404."""
    getters: dict[str, Any] = {"interaction": interaction_get, "note": note_get, "task": task_get}
    if kind not in getters:
        raise Http404("Only interactions, notes and tasks are changed from the timeline.")
    entry: Entry = getters[kind](actor=actor, workspace=workspace, pk=pk)
    return entry


def entry_item(entry: Entry) -> TimelineItem:
    """One interaction, note or task as the timeline shows it (after an edit, to draw it again)."""
    kind = {Interaction: "interaction", Note: "note", Task: "task"}[type(entry)]
    rows = type(entry).objects.filter(pk=entry.pk)
    return next(iter(ENTRY_RENDERERS[kind](rows)))


CHANGE_TITLES: dict[str, str] = {
    AuditEntry.Action.CREATE: "Created",
    AuditEntry.Action.UPDATE: "Changed",
    AuditEntry.Action.DELETE: "Deleted",
    AuditEntry.Action.RESTORE: "Restored",
    AuditEntry.Action.MERGE: "Merged",
}


def _describe_changes(changes: dict[str, Any]) -> str:
    parts = []
    for name, values in changes.items():
        label = name.replace("_id", "").replace("_", " ")
        if isinstance(values, list) and len(values) == 2:
            before, after = values
            parts.append(f"{label}: {before if before not in (None, '') else '—'} → {after if after not in (None, '') else '—'}")
        else:
            parts.append(label)
    return _shorten("; ".join(parts))


def timeline_change_rows(query: TimelineQuery) -> models.QuerySet[AuditEntry]:
    """Changes to the contact, account and lead records themselves (owner, stage, tags, fields), from the audit log."""
    condition = Q(pk__in=[])
    if query.contact_ids:
        condition |= Q(object_type="customers.contact", object_id__in=[str(pk) for pk in sorted(query.contact_ids)])
    if query.account_ids:
        condition |= Q(object_type="customers.account", object_id__in=[str(pk) for pk in sorted(query.account_ids)])
    if query.lead_ids:
        condition |= Q(object_type="sales.lead", object_id__in=[str(pk) for pk in sorted(query.lead_ids)])
    # A merge has its own entry, in words (amity.customers.timeline); its audit entry would say it again in field values.
    return (
        AuditEntry.objects.filter(workspace=query.workspace)
        .filter(condition)
        .exclude(action__in=[AuditEntry.Action.ACCESS, AuditEntry.Action.MERGE])
    )


def timeline_change_items(rows: models.QuerySet[AuditEntry]) -> list[TimelineItem]:
    return [
        TimelineItem(
            kind="change",
            id=row.pk,
            occurred_at=row.created_at,
            title=f"{CHANGE_TITLES.get(row.action, row.action.capitalize())} {row.object_repr}",
            summary=_describe_changes(row.changes),
            object_type=row.object_type,
            object_id=row.object_id,
            actor_name=row.actor.display_name if row.actor else row.actor_label,
            extra={"action": row.action, "changes": row.changes},
        )
        for row in rows.select_related("actor")
    ]


def visible_changes(changes: dict[str, Any], hidden: frozenset[str]) -> dict[str, Any]:
    """A change's fields without the hidden ones; a custom change keeps only the keys the role sees (dropped when none changed)."""
    shown = {name: values for name, values in changes.items() if name not in hidden}
    custom = shown.get("custom")
    if isinstance(custom, list) and len(custom) == 2 and any(name.startswith("custom.") for name in hidden):
        before, after = ({k: v for k, v in (side or {}).items() if f"custom.{k}" not in hidden} for side in custom)
        if before == after:
            del shown["custom"]
        else:
            shown["custom"] = [before, after]
    return shown


def timeline_change_redact(items: list[TimelineItem], query: TimelineQuery) -> list[TimelineItem]:
    """Changes as the actor may read them: no value of a field hidden from their role (before or after)."""
    redacted = []
    for item in items:
        object_type = str(item.object_type).rpartition(".")[2]
        hidden = hidden_fields(query.actor, query.workspace, object_type)
        changes = item.extra.get("changes")
        if hidden and isinstance(changes, dict):
            shown = visible_changes(changes, hidden)
            item = replace(item, summary=_describe_changes(shown), extra={**item.extra, "changes": shown})
        redacted.append(item)
    return redacted


# --- Resolving ids the API was given ---------------------------------------------------------------------


def _missing(wanted: Iterable[int], found: Iterable[Any]) -> list[int]:
    return sorted(set(wanted) - {record.pk for record in found})


def resolve_contacts(*, actor: User, workspace: Workspace, pks: Iterable[int], field: str = "contact_ids") -> list[Contact]:
    """Contacts by id; an id that is not a visible contact of this workspace is a field error, never a silent skip."""
    pks = list(pks)
    contacts = contacts_by_ids(actor=actor, workspace=workspace, pks=pks)
    missing = _missing(pks, contacts)
    if missing:
        raise ValidationError({field: f"No contacts with ids {missing} in this workspace."})
    return contacts


def resolve_accounts(*, actor: User, workspace: Workspace, pks: Iterable[int], field: str = "account_ids") -> list[Account]:
    pks = list(pks)
    accounts = accounts_by_ids(actor=actor, workspace=workspace, pks=pks)
    missing = _missing(pks, accounts)
    if missing:
        raise ValidationError({field: f"No accounts with ids {missing} in this workspace."})
    return accounts


def resolve_opportunity(*, actor: User, workspace: Workspace, pk: int, field: str = "opportunity_id") -> Opportunity:
    """A deal by id that the actor may see; any other id is a field error."""
    deal = (
        visible(
            Opportunity.objects.filter(pk=pk, deleted_at__isnull=True), actor=actor, workspace=workspace, object_type=ObjectType.OPPORTUNITY
        )
        .select_related("account")
        .first()
    )
    if deal is None:
        raise ValidationError({field: f"No deal with id {pk} in this workspace."})
    return deal


def resolve_members(*, workspace: Workspace, pks: Iterable[int], field: str = "user_ids") -> list[User]:
    pks = list(pks)
    users = member_users(workspace=workspace, pks=pks)
    missing = _missing(pks, users)
    if missing:
        raise ValidationError({field: f"No members with ids {missing} in this workspace."})
    return users
