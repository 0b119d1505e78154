"""What the API takes in and gives out for interactions, notes, tasks and timelines."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Field, Schema

from amity.activities.models import Channel, Direction, Task

MAX_LINKS = 200


class InteractionOut(Schema):
    id: int
    channel: Channel
    direction: Direction
    occurred_at: datetime
    duration_seconds: int | None
    subject: str
    body: str
    outcome: str
    created_by_id: int | None
    contact_ids: list[int]
    account_ids: list[int]
    user_ids: list[int]
    opportunity_id: int | None
    lead_id: int | None
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_contact_ids(interaction: Any) -> list[int]:
        return sorted(contact.pk for contact in interaction.contacts.all())

    @staticmethod
    def resolve_account_ids(interaction: Any) -> list[int]:
        return sorted(account.pk for account in interaction.accounts.all())

    @staticmethod
    def resolve_user_ids(interaction: Any) -> list[int]:
        return sorted(user.pk for user in interaction.users.all())


class InteractionIn(Schema):
    channel: Channel
    direction: Direction = Direction.OUTBOUND
    occurred_at: datetime | None = Field(None, description="When it happened; now if left out.")
    duration_seconds: int | None = Field(None, ge=0, le=7 * 24 * 3600)
    subject: str = Field("", max_length=300)
    body: str = Field("", max_length=100_000, description="HTML or text; scripts and event handlers are removed.")
    outcome: str = Field("", max_length=200)
    contact_ids: list[int] = Field(default_factory=list, max_length=MAX_LINKS)
    account_ids: list[int] = Field(default_factory=list, max_length=MAX_LINKS)
    user_ids: list[int] = Field(default_factory=list, max_length=MAX_LINKS, description="Colleagues who took part.")
    opportunity_id: int | None = Field(None, description="The deal it was about; with no contact or account, the deal's account is linked.")
    lead_id: int | None = Field(None, description="The lead it is about (on its own, or beside a contact or account).")


class InteractionPatch(Schema):
    channel: Channel | None = None
    direction: Direction | None = None
    occurred_at: datetime | None = None
    duration_seconds: int | None = Field(None, ge=0, le=7 * 24 * 3600)
    subject: str | None = Field(None, max_length=300)
    body: str | None = Field(None, max_length=100_000)
    outcome: str | None = Field(None, max_length=200)
    contact_ids: list[int] | None = Field(None, max_length=MAX_LINKS)
    account_ids: list[int] | None = Field(None, max_length=MAX_LINKS)
    user_ids: list[int] | None = Field(None, max_length=MAX_LINKS)
    opportunity_id: int | None = None
    lead_id: int | None = None


class InteractionFilterIn(Schema):
    channel: Channel | None = None
    direction: Direction | None = None
    contact_id: int | None = None
    account_id: int | None = None
    opportunity_id: int | None = None
    lead_id: int | None = None
    occurred_after: datetime | None = None
    occurred_before: datetime | None = None
    sort: str | None = Field(None, description="-occurred_at (default) or occurred_at.")


class NoteOut(Schema):
    id: int
    body: str
    author_id: int | None
    contact_id: int | None
    account_id: int | None
    opportunity_id: int | None
    lead_id: int | None
    mention_ids: list[int]
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_mention_ids(note: Any) -> list[int]:
        return sorted(user.pk for user in note.mentions.all())


class NoteIn(Schema):
    body: str = Field(..., min_length=1, max_length=100_000, description="Rich text; mention people as @[Name](user:ID) or @email.")
    contact_id: int | None = None
    account_id: int | None = None
    opportunity_id: int | None = Field(None, description="A deal; with no contact or account, the note goes on the deal's account too.")
    lead_id: int | None = Field(None, description="The lead it is about (on its own, or beside a contact or account).")


class NotePatch(Schema):
    body: str = Field(..., min_length=1, max_length=100_000)


class NoteFilterIn(Schema):
    contact_id: int | None = None
    account_id: int | None = None
    opportunity_id: int | None = None
    lead_id: int | None = None
    sort: str | None = Field(None, description="-created_at (default) or created_at.")


class TaskOut(Schema):
    id: int
    title: str
    description: str
    due_at: datetime
    priority: Task.Priority
    status: Task.Status
    assignee_id: int | None
    created_by_id: int | None
    contact_id: int | None
    account_id: int | None
    opportunity_id: int | None
    lead_id: int | None
    reminder_at: datetime | None
    reminded_at: datetime | None
    completed_at: datetime | None
    created_at: datetime
    updated_at: datetime


class TaskIn(Schema):
    title: str = Field(..., min_length=1, max_length=300)
    description: str = Field("", max_length=100_000)
    due_at: datetime | None = Field(None, description="When it must be done; a day from now if left out.")
    priority: Task.Priority = Task.Priority.NORMAL
    assignee_id: int | None = Field(None, description="A member of the workspace; yourself if left out.")
    contact_id: int | None = None
    account_id: int | None = None
    opportunity_id: int | None = Field(None, description="The deal it is for.")
    lead_id: int | None = Field(None, description="The lead it is about (on its own, or beside a contact or account).")
    reminder_at: datetime | None = Field(None, description="When to remind the assignee, in the app and by email.")


class TaskPatch(Schema):
    title: str | None = Field(None, min_length=1, max_length=300)
    description: str | None = Field(None, max_length=100_000)
    due_at: datetime | None = None
    priority: Task.Priority | None = None
    assignee_id: int | None = None
    contact_id: int | None = None
    account_id: int | None = None
    opportunity_id: int | None = None
    lead_id: int | None = None
    reminder_at: datetime | None = None


class TaskFilterIn(Schema):
    assignee: str | None = Field(None, description="`me`, or a user id.")
    status: Task.Status | None = None
    priority: Task.Priority | None = None
    due_before: datetime | None = None
    due_after: datetime | None = None
    contact_id: int | None = None
    account_id: int | None = None
    opportunity_id: int | None = None
    lead_id: int | None = None
    sort: str | None = Field(None, description="due_at (default), -due_at, created_at or -created_at.")


class TimelineItemOut(Schema):
    kind: str = Field(..., description="interaction, note, task, change, or a kind another app registers.")
    id: int
    occurred_at: datetime
    title: str
    summary: str
    channel: str
    direction: str
    object_type: str
    object_id: str
    url: str
    actor_name: str
    extra: dict[str, Any]


class TimelineFilterIn(Schema):
    kind: list[str] = Field(default_factory=list, description="Only these kinds (repeat the parameter, or separate by commas).")
    channel: list[Channel] = Field(default_factory=list, description="Only interactions on these channels.")
