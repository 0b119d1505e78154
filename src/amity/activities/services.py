"""Every change to interactions, notes and tasks: keyword-only, atomic, audited, permission-checked."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import nh3
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from amity.activities.models import Channel, Direction, Interaction, Note, Task
from amity.core import audit
from amity.core.access import require, role_of
from amity.core.models import AuditEntry, Membership, User, Workspace
from amity.core.notifications import notify
from amity.core.permissions import Action, ObjectType, can_change_entry
from amity.customers.models import Account, Contact
from amity.sales.models import Lead, Opportunity
from amity.sales.services.leads import lead_history_changed

ALLOWED_TAGS = {
    "a", "b", "blockquote", "br", "code", "div", "em", "h1", "h2", "h3", "h4", "hr", "i", "li", "ol", "p", "pre",
    "s", "span", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "u", "ul",
}  # fmt: skip
MAX_BODY = 100_000


def sanitize(html: str, *, field: str = "body") -> str:
    """Keep formatting, drop everything that runs (scripts, event handlers, javascript: links)."""
    if len(html) > MAX_BODY:
        raise ValidationError({field: f"Keep it under {MAX_BODY:,} characters."})
    return nh3.clean(
        html, tags=ALLOWED_TAGS, link_rel="noopener noreferrer nofollow", url_schemes={"http", "https", "mailto", "tel"}
    ).strip()


def _require_author_or_moderator(actor: User, workspace: Workspace, author_id: int | None, object_type: ObjectType, action: Action) -> None:
    if not can_change_entry(role_of(actor, workspace), action, object_type, is_author=author_id == actor.pk):
        raise PermissionDenied(f"Only the author or a manager can change someone else's {object_type}.")


def _check_links(
    workspace: Workspace,
    *,
    contacts: Sequence[Contact] = (),
    accounts: Sequence[Account] = (),
    users: Sequence[User] = (),
    opportunity: Opportunity | None = None,
    lead: Lead | None = None,
) -> None:
    """The last wall: everything linked belongs to this workspace (selectors already resolved the ids)."""
    if opportunity is not None and opportunity.workspace_id != workspace.pk:
        raise ValidationError({"opportunity_id": "Link only deals of this workspace."})
    if lead is not None and lead.workspace_id != workspace.pk:
        raise ValidationError({"lead_id": "Link only leads of this workspace."})
    for name, records in (("contact_ids", contacts), ("account_ids", accounts)):
        if any(record.workspace_id != workspace.pk for record in records):
            raise ValidationError({name: "Link only records of this workspace."})
    if users:
        members = set(Membership.objects.filter(workspace=workspace, user__in=users).values_list("user_id", flat=True))
        if any(user.pk not in members for user in users):
            raise ValidationError({"user_ids": "Only members of this workspace can take part."})


def _choice(value: str, choices: type[Any], field: str) -> str:
    if value not in choices.values:
        raise ValidationError({field: f"Choose one of: {', '.join(choices.values)}."})
    return value


# --- Interactions --------------------------------------------------------------------------------------

INTERACTION_FIELDS = ["channel", "direction", "occurred_at", "duration_seconds", "subject", "body", "outcome", "opportunity", "lead"]
NO_LINK = "Link the interaction to at least one contact, account or lead."


def _lead_touched(actor: User | None, lead_id: int | None, contacted_at: datetime | None = None) -> None:
    """The lead's score follows its interactions; its first one marks when it was first contacted."""
    if lead_id is not None:
        lead = Lead.objects.select_related("workspace").get(pk=lead_id)
        lead_history_changed(actor=actor, lead=lead, contacted_at=contacted_at)


@transaction.atomic
def interaction_log(
    *,
    actor: User,
    workspace: Workspace,
    channel: str,
    direction: str = Direction.OUTBOUND,
    occurred_at: datetime | None = None,
    duration_seconds: int | None = None,
    subject: str = "",
    body: str = "",
    outcome: str = "",
    contacts: Sequence[Contact] = (),
    accounts: Sequence[Account] = (),
    users: Sequence[User] = (),
    opportunity: Opportunity | None = None,
    lead: Lead | None = None,
) -> Interaction:
    """Log something that happened with customers: a call, an email, a meeting; about a deal, it shows on the deal's account too.

    With a lead it shows on the lead's page, counts towards its score, and the first one marks the lead contacted.
    """
    require(actor, workspace, Action.ADD, ObjectType.INTERACTION)
    _check_links(workspace, contacts=contacts, accounts=accounts, users=users, opportunity=opportunity, lead=lead)
    if not contacts and not accounts and opportunity is not None:
        accounts = [opportunity.account]
    if not contacts and not accounts and lead is None:
        raise ValidationError({"contact_ids": NO_LINK})
    interaction = Interaction(
        workspace=workspace,
        channel=_choice(channel, Channel, "channel"),
        direction=_choice(direction, Direction, "direction"),
        occurred_at=occurred_at or timezone.now(),
        duration_seconds=duration_seconds,
        subject=subject.strip(),
        body=sanitize(body),
        outcome=outcome.strip(),
        created_by=actor,
        opportunity=opportunity,
        lead=lead,
    )
    interaction.full_clean(exclude=["workspace", "created_by", "opportunity", "lead"])
    interaction.save()
    interaction.contacts.set(contacts)
    interaction.accounts.set(accounts)
    interaction.users.set(users)
    changes = {name: [None, value] for name, value in audit.snapshot(interaction, INTERACTION_FIELDS).items() if value not in (None, "")}
    changes["contacts"] = [None, sorted(contact.pk for contact in contacts)]
    changes["accounts"] = [None, sorted(account.pk for account in accounts)]
    audit.record(actor=actor, workspace=workspace, action=AuditEntry.Action.CREATE, obj=interaction, changes=changes)
    _lead_touched(actor, interaction.lead_id, interaction.occurred_at)
    return interaction


def _relink(relation: Any, records: Sequence[Any], name: str, changes: dict[str, Any]) -> None:
    old = sorted(relation.values_list("pk", flat=True))
    new = sorted(record.pk for record in records)
    if old != new:
        relation.set(records)
        changes[name] = [old, new]


@transaction.atomic
def interaction_update(
    *,
    actor: User,
    workspace: Workspace,
    interaction: Interaction,
    contacts: Sequence[Contact] | None = None,
    accounts: Sequence[Account] | None = None,
    users: Sequence[User] | None = None,
    **fields: Any,
) -> Interaction:
    """Correct a logged interaction: only the fields given change."""
    require(actor, workspace, Action.CHANGE, ObjectType.INTERACTION)
    _require_author_or_moderator(actor, workspace, interaction.created_by_id, ObjectType.INTERACTION, Action.CHANGE)
    unknown = set(fields) - set(INTERACTION_FIELDS)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: "This field cannot be changed."})
    _check_links(workspace, contacts=contacts or (), accounts=accounts or (), users=users or ())
    before = audit.snapshot(interaction, INTERACTION_FIELDS)
    lead_before = interaction.lead_id
    for name, value in fields.items():
        if name == "opportunity":
            _check_links(workspace, opportunity=value)
        elif name == "lead":
            _check_links(workspace, lead=value)
        elif name == "channel":
            value = _choice(value, Channel, "channel")
        elif name == "direction":
            value = _choice(value, Direction, "direction")
        elif name == "body":
            value = sanitize(value or "")
        elif isinstance(value, str):
            value = value.strip()
        if name == "occurred_at" and value is None:
            raise ValidationError({"occurred_at": "An interaction needs a time."})
        setattr(interaction, name, value)
    interaction.full_clean(exclude=["workspace", "created_by", "opportunity", "lead"])
    interaction.save()
    changes: dict[str, Any] = audit.diff(before, audit.snapshot(interaction, INTERACTION_FIELDS))
    if contacts is not None:
        _relink(interaction.contacts, contacts, "contacts", changes)
    if accounts is not None:
        _relink(interaction.accounts, accounts, "accounts", changes)
    if users is not None:
        _relink(interaction.users, users, "users", changes)
    if interaction.lead_id is None and not interaction.contacts.exists() and not interaction.accounts.exists():
        raise ValidationError({"contact_ids": NO_LINK})
    if changes:
        audit.record(actor=actor, workspace=workspace, action=AuditEntry.Action.UPDATE, obj=interaction, changes=changes)
    for lead_id in {lead_before, interaction.lead_id} - {None}:
        _lead_touched(actor, lead_id, interaction.occurred_at if lead_id == interaction.lead_id else None)
    return interaction


@transaction.atomic
def interaction_delete(*, actor: User, workspace: Workspace, interaction: Interaction) -> None:
    """Remove a logged interaction from every timeline."""
    require(actor, workspace, Action.DELETE, ObjectType.INTERACTION)
    _require_author_or_moderator(actor, workspace, interaction.created_by_id, ObjectType.INTERACTION, Action.DELETE)
    audit.record(
        actor=actor,
        workspace=workspace,
        action=AuditEntry.Action.DELETE,
        obj=interaction,
        changes={name: [value, None] for name, value in audit.snapshot(interaction, INTERACTION_FIELDS).items()},
    )
    lead_id = interaction.lead_id
    interaction.delete()
    _lead_touched(actor, lead_id)


# --- Notes -------------------------------------------------------------------------------------------------

# @[Full Name](user:12) as the editor inserts it, or a plain @email@example.com.
MENTION_BY_ID = re.compile(r"@\[[^\]]{0,200}\]\(user:(\d{1,18})\)")
MENTION_BY_EMAIL = re.compile(r"(?<![\w.@])@([\w.+-]+@[\w-]+(?:\.[\w-]+)+)")


def mentioned_members(workspace: Workspace, body: str) -> list[User]:
    """The workspace members a text mentions (anyone else's id or email is ignored, not revealed)."""
    ids = {int(match) for match in MENTION_BY_ID.findall(body)}
    emails = {match.lower().rstrip(".") for match in MENTION_BY_EMAIL.findall(body)}
    if not ids and not emails:
        return []
    members = User.objects.filter(memberships__workspace=workspace, is_active=True)
    return list(members.filter(Q(pk__in=ids) | Q(email__in=emails)).distinct().order_by("pk"))


def _note_url(note: Note) -> str:
    """The page of the contact, account or lead the note is on, where it shows on the timeline."""
    slug = note.workspace.slug
    if note.lead_id and not note.contact_id:
        return reverse("lead_detail", kwargs={"slug": slug, "pk": note.lead_id})
    if note.contact_id:
        return reverse("contact_detail", kwargs={"slug": slug, "pk": note.contact_id})
    if note.account_id:
        return reverse("account_detail", kwargs={"slug": slug, "pk": note.account_id})
    return reverse("notifications", kwargs={"slug": slug})


def _notify_mentions(*, actor: User, workspace: Workspace, note: Note, people: list[User]) -> None:
    for person in people:
        if person.pk == actor.pk:
            continue  # nobody needs telling that they mentioned themselves
        notify(
            workspace=workspace,
            recipient=person,
            kind="mention",
            title=f"{actor.display_name} mentioned you in a note",
            body=nh3.clean(note.body, tags=set())[:500],
            url=_note_url(note),
        )


def _check_note_links(
    contact: Contact | None, account: Account | None, opportunity: Opportunity | None, lead: Lead | None, workspace: Workspace
) -> None:
    if contact is None and account is None and lead is None:
        raise ValidationError({"contact_id": "Attach the note to a contact, an account, a deal or a lead."})
    contacts, accounts = [contact] if contact else [], [account] if account else []
    _check_links(workspace, contacts=contacts, accounts=accounts, opportunity=opportunity, lead=lead)


@transaction.atomic
def note_create(
    *,
    actor: User,
    workspace: Workspace,
    body: str,
    contact: Contact | None = None,
    account: Account | None = None,
    opportunity: Opportunity | None = None,
    lead: Lead | None = None,
) -> Note:
    """Write a note on a contact, an account, a deal (it shows on the deal's account too) or a lead; everyone @mentioned is notified once."""
    require(actor, workspace, Action.ADD, ObjectType.NOTE)
    if contact is None and account is None and opportunity is not None:
        account = opportunity.account
    _check_note_links(contact, account, opportunity, lead, workspace)
    clean = sanitize(body)
    if not nh3.clean(clean, tags=set()).strip():
        raise ValidationError({"body": "A note needs some text."})
    note = Note.objects.create(
        workspace=workspace, body=clean, author=actor, contact=contact, account=account, opportunity=opportunity, lead=lead
    )
    people = mentioned_members(workspace, body)
    note.mentions.set(people)
    audit.record(
        actor=actor,
        workspace=workspace,
        action=AuditEntry.Action.CREATE,
        obj=note,
        changes={
            "body": [None, clean],
            "contact": [None, note.contact_id],
            "account": [None, note.account_id],
            **({"opportunity": [None, note.opportunity_id]} if note.opportunity_id else {}),
            **({"lead": [None, note.lead_id]} if note.lead_id else {}),
        },
    )
    # Notifications are rows in this transaction: no note, no notification; and they are visible once it commits.
    _notify_mentions(actor=actor, workspace=workspace, note=note, people=people)
    return note


@transaction.atomic
def note_update(*, actor: User, workspace: Workspace, note: Note, body: str) -> Note:
    """Edit a note's text; only people newly @mentioned are notified."""
    require(actor, workspace, Action.CHANGE, ObjectType.NOTE)
    _require_author_or_moderator(actor, workspace, note.author_id, ObjectType.NOTE, Action.CHANGE)
    clean = sanitize(body)
    if not nh3.clean(clean, tags=set()).strip():
        raise ValidationError({"body": "A note needs some text."})
    before = note.body
    already = set(note.mentions.values_list("pk", flat=True))
    note.body = clean
    note.save(update_fields=["body", "updated_at"])
    people = mentioned_members(workspace, body)
    note.mentions.set(people)
    if before != clean:
        audit.record(actor=actor, workspace=workspace, action=AuditEntry.Action.UPDATE, obj=note, changes={"body": [before, clean]})
    _notify_mentions(actor=actor, workspace=workspace, note=note, people=[person for person in people if person.pk not in already])
    return note


@transaction.atomic
def note_delete(*, actor: User, workspace: Workspace, note: Note) -> None:
    """Delete a note."""
    require(actor, workspace, Action.DELETE, ObjectType.NOTE)
    _require_author_or_moderator(actor, workspace, note.author_id, ObjectType.NOTE, Action.DELETE)
    audit.record(actor=actor, workspace=workspace, action=AuditEntry.Action.DELETE, obj=note, changes={"body": [note.body, None]})
    note.delete()


# --- Tasks ------------------------------------------------------------------------------------------------

TASK_FIELDS = [
    "title", "description", "due_at", "priority", "status", "assignee", "contact", "account", "opportunity", "lead", "reminder_at",
    "completed_at",
]  # fmt: skip
DEFAULT_DUE = timedelta(days=1)


def _check_assignee(workspace: Workspace, assignee: User | None) -> None:
    if assignee is not None and not Membership.objects.filter(workspace=workspace, user=assignee).exists():
        raise ValidationError({"assignee_id": "Assign the task to a member of this workspace."})


def _check_reminder(task: Task) -> None:
    if task.reminder_at is not None and task.due_at is not None and task.reminder_at > task.due_at:
        raise ValidationError({"reminder_at": "Set the reminder before the due time."})


@transaction.atomic
def task_create(
    *,
    actor: User,
    workspace: Workspace,
    title: str,
    due_at: datetime | None = None,
    priority: str = Task.Priority.NORMAL,
    assignee: User | None = None,
    description: str = "",
    contact: Contact | None = None,
    account: Account | None = None,
    opportunity: Opportunity | None = None,
    lead: Lead | None = None,
    reminder_at: datetime | None = None,
) -> Task:
    """Give someone (by default oneself) something to do by a time, with an optional reminder; about a deal, it shows on its account."""
    require(actor, workspace, Action.ADD, ObjectType.TASK)
    assignee = assignee or actor
    _check_assignee(workspace, assignee)
    _check_links(
        workspace, contacts=[contact] if contact else [], accounts=[account] if account else [], opportunity=opportunity, lead=lead
    )
    if contact is None and account is None and opportunity is not None:
        account = opportunity.account
    task = Task(
        workspace=workspace,
        title=title.strip(),
        description=sanitize(description, field="description"),
        due_at=due_at or timezone.now() + DEFAULT_DUE,
        priority=_choice(priority, Task.Priority, "priority"),
        assignee=assignee,
        created_by=actor,
        contact=contact,
        account=account,
        opportunity=opportunity,
        lead=lead,
        reminder_at=reminder_at,
    )
    if not task.title:
        raise ValidationError({"title": "A task needs a title."})
    _check_reminder(task)
    task.full_clean(exclude=["workspace", "created_by", "assignee", "contact", "account", "opportunity", "lead"])
    task.save()
    changes = {name: [None, value] for name, value in audit.snapshot(task, TASK_FIELDS).items() if value not in (None, "")}
    audit.record(actor=actor, workspace=workspace, action=AuditEntry.Action.CREATE, obj=task, changes=changes)
    return task


UNSET: Any = object()


@transaction.atomic
def task_update(
    *,
    actor: User,
    workspace: Workspace,
    task: Task,
    title: str = UNSET,
    description: str = UNSET,
    due_at: datetime = UNSET,
    priority: str = UNSET,
    assignee: User | None = UNSET,
    contact: Contact | None = UNSET,
    account: Account | None = UNSET,
    opportunity: Opportunity | None = UNSET,
    lead: Lead | None = UNSET,
    reminder_at: datetime | None = UNSET,
) -> Task:
    """Change a task: only the arguments given change; a moved reminder goes out again at its new time."""
    require(actor, workspace, Action.CHANGE, ObjectType.TASK)
    before = audit.snapshot(task, TASK_FIELDS)
    if title is not UNSET:
        task.title = (title or "").strip()
        if not task.title:
            raise ValidationError({"title": "A task needs a title."})
    if description is not UNSET:
        task.description = sanitize(description or "", field="description")
    if due_at is not UNSET:
        if due_at is None:
            raise ValidationError({"due_at": "A task needs a due time."})
        task.due_at = due_at
    if priority is not UNSET:
        task.priority = _choice(priority, Task.Priority, "priority")
    if assignee is not UNSET:
        _check_assignee(workspace, assignee)
        task.assignee = assignee
    if contact is not UNSET:
        _check_links(workspace, contacts=[contact] if contact else [])
        task.contact = contact
    if account is not UNSET:
        _check_links(workspace, accounts=[account] if account else [])
        task.account = account
    if opportunity is not UNSET:
        _check_links(workspace, opportunity=opportunity)
        task.opportunity = opportunity
    if lead is not UNSET:
        _check_links(workspace, lead=lead)
        task.lead = lead
    if reminder_at is not UNSET and reminder_at != task.reminder_at:
        task.reminder_at = reminder_at
        task.reminded_at = None
    _check_reminder(task)
    task.full_clean(exclude=["workspace", "created_by", "assignee", "contact", "account", "opportunity", "lead"])
    task.save()
    changes = audit.diff(before, audit.snapshot(task, TASK_FIELDS))
    if changes:
        audit.record(actor=actor, workspace=workspace, action=AuditEntry.Action.UPDATE, obj=task, changes=changes)
    return task


def _set_status(actor: User, workspace: Workspace, task: Task, status: str) -> Task:
    require(actor, workspace, Action.CHANGE, ObjectType.TASK)
    if task.status == status:
        return task
    before = audit.snapshot(task, ["status", "completed_at"])
    task.status = status
    task.completed_at = timezone.now() if status == Task.Status.DONE else None
    task.save(update_fields=["status", "completed_at", "updated_at"])
    audit.record(
        actor=actor,
        workspace=workspace,
        action=AuditEntry.Action.UPDATE,
        obj=task,
        changes=audit.diff(before, audit.snapshot(task, ["status", "completed_at"])),
    )
    return task


@transaction.atomic
def task_complete(*, actor: User, workspace: Workspace, task: Task) -> Task:
    """Mark a task done (doing it twice changes nothing)."""
    return _set_status(actor, workspace, task, Task.Status.DONE)


@transaction.atomic
def task_cancel(*, actor: User, workspace: Workspace, task: Task) -> Task:
    """Mark a task no longer needed."""
    return _set_status(actor, workspace, task, Task.Status.CANCELLED)


@transaction.atomic
def task_reopen(*, actor: User, workspace: Workspace, task: Task) -> Task:
    """Open a done or cancelled task again."""
    return _set_status(actor, workspace, task, Task.Status.OPEN)


@transaction.atomic
def task_delete(*, actor: User, workspace: Workspace, task: Task) -> None:
    """Delete a task."""
    require(actor, workspace, Action.DELETE, ObjectType.TASK)
    audit.record(
        actor=actor,
        workspace=workspace,
        action=AuditEntry.Action.DELETE,
        obj=task,
        changes={name: [value, None] for name, value in audit.snapshot(task, TASK_FIELDS).items()},
    )
    task.delete()


# --- Reminders ------------------------------------------------------------------------------------------------


def due_reminder_ids(*, now: datetime | None = None, limit: int = 500) -> list[int]:
    """Open tasks whose reminder time has come and whose reminder has not gone out."""
    now = now or timezone.now()
    return list(
        Task.objects.filter(reminder_at__lte=now, reminded_at__isnull=True, status=Task.Status.OPEN, assignee__isnull=False)
        .order_by("reminder_at", "id")
        .values_list("pk", flat=True)[:limit]
    )


@transaction.atomic
def task_send_reminder(*, task_id: int, now: datetime | None = None) -> bool:
    """Remind a task's assignee, in the app and by email, exactly once.

    The claim (an UPDATE … WHERE reminded_at IS NULL) and the notification commit together:
    a worker killed before the commit leaves the reminder unclaimed for the next run, and
    two workers racing for the same task cannot both win the claim.
    """
    now = now or timezone.now()
    claimed = Task.objects.filter(pk=task_id, reminded_at__isnull=True, status=Task.Status.OPEN, reminder_at__lte=now).update(
        reminded_at=now
    )
    if not claimed:
        return False
    task = Task.objects.select_related("assignee", "workspace", "contact", "account").get(pk=task_id)
    if task.assignee is None:
        return False
    about = task.contact or task.account
    notify(
        workspace=task.workspace,
        recipient=task.assignee,
        kind="task_reminder",
        title=f"Reminder: {task.title}"[:200],
        body=f"Due {task.due_at:%Y-%m-%d %H:%M} UTC" + (f" — {about}" if about else "") + f" ({task.get_priority_display()} priority).",
        url=reverse("my_tasks", kwargs={"slug": task.workspace.slug}),
    )
    return True


def send_due_reminders(*, now: datetime | None = None) -> int:
    """Send every reminder that is due; returns how many went out."""
    return sum(task_send_reminder(task_id=task_id, now=now) for task_id in due_reminder_ids(now=now))
