"""The API of interactions, notes, tasks and the 360° timelines: schemas in, one service or selector, schemas out."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Query, Router, Status

from amity.activities import selectors, services
from amity.activities.schemas import (
    InteractionFilterIn,
    InteractionIn,
    InteractionOut,
    InteractionPatch,
    NoteFilterIn,
    NoteIn,
    NoteOut,
    NotePatch,
    TaskFilterIn,
    TaskIn,
    TaskOut,
    TaskPatch,
    TimelineFilterIn,
    TimelineItemOut,
)
from amity.activities.timeline import TimelinePage
from amity.api.auth import actor_and_workspace
from amity.api.pagination import PageParams, page_of, paginate, sort_ordering
from amity.sales import selectors as sales_selectors

router = Router()

INTERACTION_SORTS: dict[str, Sequence[str]] = {"-occurred_at": ("-occurred_at", "-id"), "occurred_at": ("occurred_at", "id")}
NOTE_SORTS: dict[str, Sequence[str]] = {"-created_at": ("-created_at", "-id"), "created_at": ("created_at", "id")}
TASK_SORTS: dict[str, Sequence[str]] = {
    "due_at": ("due_at", "id"),
    "-due_at": ("-due_at", "-id"),
    "created_at": ("created_at", "id"),
    "-created_at": ("-created_at", "-id"),
}


def _deal(actor: Any, workspace: Any, pk: int | None) -> Any:
    """A linked deal by id (None stays None); one the actor cannot see is a field error."""
    return selectors.resolve_opportunity(actor=actor, workspace=workspace, pk=pk) if pk is not None else None


def _lead(actor: Any, workspace: Any, pk: int | None) -> Any:
    """A linked lead by id (None stays None); one the actor cannot see is a field error."""
    return sales_selectors.resolve_lead(actor=actor, workspace=workspace, pk=pk) if pk is not None else None


def _one(actor: Any, workspace: Any, kind: str, pk: int | None, field: str) -> Any:
    """A linked contact or account by id (None stays None); another workspace's is a field error."""
    if pk is None:
        return None
    resolve = selectors.resolve_contacts if kind == "contact" else selectors.resolve_accounts
    return resolve(actor=actor, workspace=workspace, pks=[pk], field=field)[0]


# --- Interactions -------------------------------------------------------------------------------------


@router.get("/interactions", response=page_of(InteractionOut), tags=["interactions"], summary="Interactions, newest first")
def list_interactions(request: HttpRequest, page: Query[PageParams], filters: Query[InteractionFilterIn]) -> Any:
    actor, workspace = actor_and_workspace(request)
    ordering = sort_ordering(filters.sort, allowed=INTERACTION_SORTS, default="-occurred_at")
    interactions = selectors.interaction_list(
        actor=actor, workspace=workspace, filters=selectors.InteractionFilter(**filters.dict(exclude={"sort"}))
    )
    return paginate(interactions, ordering=ordering, cursor=page.cursor, limit=page.limit)


@router.post("/interactions", response={201: InteractionOut}, tags=["interactions"], summary="Log an interaction")
def log_interaction(request: HttpRequest, payload: InteractionIn) -> Any:
    actor, workspace = actor_and_workspace(request)
    data = payload.dict()
    interaction = services.interaction_log(
        actor=actor,
        workspace=workspace,
        contacts=selectors.resolve_contacts(actor=actor, workspace=workspace, pks=data.pop("contact_ids")),
        accounts=selectors.resolve_accounts(actor=actor, workspace=workspace, pks=data.pop("account_ids")),
        users=selectors.resolve_members(workspace=workspace, pks=data.pop("user_ids")),
        opportunity=_deal(actor, workspace, data.pop("opportunity_id")),
        lead=_lead(actor, workspace, data.pop("lead_id")),
        **data,
    )
    return Status(201, interaction)


@router.get("/interactions/{interaction_id}", response=InteractionOut, tags=["interactions"])
def get_interaction(request: HttpRequest, interaction_id: int) -> Any:
    actor, workspace = actor_and_workspace(request)
    return selectors.interaction_get(actor=actor, workspace=workspace, pk=interaction_id)


@router.patch("/interactions/{interaction_id}", response=InteractionOut, tags=["interactions"], summary="Correct an interaction")
def update_interaction(request: HttpRequest, interaction_id: int, payload: InteractionPatch) -> Any:
    actor, workspace = actor_and_workspace(request)
    interaction = selectors.interaction_get(actor=actor, workspace=workspace, pk=interaction_id)
    data = payload.dict(exclude_unset=True)
    links: dict[str, Any] = {}
    if "contact_ids" in data:
        links["contacts"] = selectors.resolve_contacts(actor=actor, workspace=workspace, pks=data.pop("contact_ids") or [])
    if "account_ids" in data:
        links["accounts"] = selectors.resolve_accounts(actor=actor, workspace=workspace, pks=data.pop("account_ids") or [])
    if "user_ids" in data:
        links["users"] = selectors.resolve_members(workspace=workspace, pks=data.pop("user_ids") or [])
    if "opportunity_id" in data:
        data["opportunity"] = _deal(actor, workspace, data.pop("opportunity_id"))
    if "lead_id" in data:
        data["lead"] = _lead(actor, workspace, data.pop("lead_id"))
    services.interaction_update(actor=actor, workspace=workspace, interaction=interaction, **links, **data)
    return selectors.interaction_get(actor=actor, workspace=workspace, pk=interaction_id)


@router.delete("/interactions/{interaction_id}", response={204: None}, tags=["interactions"])
def delete_interaction(request: HttpRequest, interaction_id: int) -> Any:
    actor, workspace = actor_and_workspace(request)
    interaction = selectors.interaction_get(actor=actor, workspace=workspace, pk=interaction_id)
    services.interaction_delete(actor=actor, workspace=workspace, interaction=interaction)
    return Status(204, None)


# --- Notes --------------------------------------------------------------------------------------------------


@router.get("/notes", response=page_of(NoteOut), tags=["notes"], summary="Notes, newest first")
def list_notes(request: HttpRequest, page: Query[PageParams], filters: Query[NoteFilterIn]) -> Any:
    actor, workspace = actor_and_workspace(request)
    ordering = sort_ordering(filters.sort, allowed=NOTE_SORTS, default="-created_at")
    notes = selectors.note_list(
        actor=actor,
        workspace=workspace,
        contact_id=filters.contact_id,
        account_id=filters.account_id,
        opportunity_id=filters.opportunity_id,
        lead_id=filters.lead_id,
    )
    return paginate(notes, ordering=ordering, cursor=page.cursor, limit=page.limit)


@router.post("/notes", response={201: NoteOut}, tags=["notes"], summary="Write a note; @mentions notify the people named")
def create_note(request: HttpRequest, payload: NoteIn) -> Any:
    actor, workspace = actor_and_workspace(request)
    note = services.note_create(
        actor=actor,
        workspace=workspace,
        body=payload.body,
        contact=_one(actor, workspace, "contact", payload.contact_id, "contact_id"),
        account=_one(actor, workspace, "account", payload.account_id, "account_id"),
        opportunity=_deal(actor, workspace, payload.opportunity_id),
        lead=_lead(actor, workspace, payload.lead_id),
    )
    return Status(201, note)


@router.get("/notes/{note_id}", response=NoteOut, tags=["notes"])
def get_note(request: HttpRequest, note_id: int) -> Any:
    actor, workspace = actor_and_workspace(request)
    return selectors.note_get(actor=actor, workspace=workspace, pk=note_id)


@router.patch("/notes/{note_id}", response=NoteOut, tags=["notes"], summary="Edit a note")
def update_note(request: HttpRequest, note_id: int, payload: NotePatch) -> Any:
    actor, workspace = actor_and_workspace(request)
    note = selectors.note_get(actor=actor, workspace=workspace, pk=note_id)
    return services.note_update(actor=actor, workspace=workspace, note=note, body=payload.body)


@router.delete("/notes/{note_id}", response={204: None}, tags=["notes"])
def delete_note(request: HttpRequest, note_id: int) -> Any:
    actor, workspace = actor_and_workspace(request)
    note = selectors.note_get(actor=actor, workspace=workspace, pk=note_id)
    services.note_delete(actor=actor, workspace=workspace, note=note)
    return Status(204, None)


# --- Tasks ----------------------------------------------------------------------------------------------------


def _assignee_id(value: str | None, actor: Any) -> int | None:
    if value is None or value == "":
        return None
    if value == "me":
        return int(actor.pk)
    try:
        return int(value)
    except ValueError:
        raise ValidationError({"assignee": "Give `me` or a user id."}) from None


@router.get("/tasks", response=page_of(TaskOut), tags=["tasks"], summary="Tasks, soonest due first")
def list_tasks(request: HttpRequest, page: Query[PageParams], filters: Query[TaskFilterIn]) -> Any:
    actor, workspace = actor_and_workspace(request)
    ordering = sort_ordering(filters.sort, allowed=TASK_SORTS, default="due_at")
    criteria = filters.dict(exclude={"sort", "assignee"})
    tasks = selectors.task_list(
        actor=actor, workspace=workspace, filters=selectors.TaskFilter(assignee_id=_assignee_id(filters.assignee, actor), **criteria)
    )
    return paginate(tasks, ordering=ordering, cursor=page.cursor, limit=page.limit)


@router.post("/tasks", response={201: TaskOut}, tags=["tasks"], summary="Create a task")
def create_task(request: HttpRequest, payload: TaskIn) -> Any:
    actor, workspace = actor_and_workspace(request)
    assignee = (
        selectors.resolve_members(workspace=workspace, pks=[payload.assignee_id], field="assignee_id")[0] if payload.assignee_id else None
    )
    task = services.task_create(
        actor=actor,
        workspace=workspace,
        title=payload.title,
        description=payload.description,
        due_at=payload.due_at,
        priority=payload.priority,
        assignee=assignee,
        contact=_one(actor, workspace, "contact", payload.contact_id, "contact_id"),
        account=_one(actor, workspace, "account", payload.account_id, "account_id"),
        opportunity=_deal(actor, workspace, payload.opportunity_id),
        lead=_lead(actor, workspace, payload.lead_id),
        reminder_at=payload.reminder_at,
    )
    return Status(201, task)


@router.get("/tasks/{task_id}", response=TaskOut, tags=["tasks"])
def get_task(request: HttpRequest, task_id: int) -> Any:
    actor, workspace = actor_and_workspace(request)
    return selectors.task_get(actor=actor, workspace=workspace, pk=task_id)


@router.patch("/tasks/{task_id}", response=TaskOut, tags=["tasks"], summary="Change a task")
def update_task(request: HttpRequest, task_id: int, payload: TaskPatch) -> Any:
    actor, workspace = actor_and_workspace(request)
    task = selectors.task_get(actor=actor, workspace=workspace, pk=task_id)
    data = payload.dict(exclude_unset=True)
    if "assignee_id" in data:
        pk = data.pop("assignee_id")
        data["assignee"] = selectors.resolve_members(workspace=workspace, pks=[pk], field="assignee_id")[0] if pk else None
    if "contact_id" in data:
        data["contact"] = _one(actor, workspace, "contact", data.pop("contact_id"), "contact_id")
    if "account_id" in data:
        data["account"] = _one(actor, workspace, "account", data.pop("account_id"), "account_id")
    if "opportunity_id" in data:
        data["opportunity"] = _deal(actor, workspace, data.pop("opportunity_id"))
    if "lead_id" in data:
        data["lead"] = _lead(actor, workspace, data.pop("lead_id"))
    return services.task_update(actor=actor, workspace=workspace, task=task, **data)


@router.post("/tasks/{task_id}/complete", response=TaskOut, tags=["tasks"], summary="Mark a task done")
def complete_task(request: HttpRequest, task_id: int) -> Any:
    actor, workspace = actor_and_workspace(request)
    task = selectors.task_get(actor=actor, workspace=workspace, pk=task_id)
    return services.task_complete(actor=actor, workspace=workspace, task=task)


@router.post("/tasks/{task_id}/cancel", response=TaskOut, tags=["tasks"], summary="Mark a task no longer needed")
def cancel_task(request: HttpRequest, task_id: int) -> Any:
    actor, workspace = actor_and_workspace(request)
    task = selectors.task_get(actor=actor, workspace=workspace, pk=task_id)
    return services.task_cancel(actor=actor, workspace=workspace, task=task)


@router.post("/tasks/{task_id}/reopen", response=TaskOut, tags=["tasks"], summary="Open a done or cancelled task again")
def reopen_task(request: HttpRequest, task_id: int) -> Any:
    actor, workspace = actor_and_workspace(request)
    task = selectors.task_get(actor=actor, workspace=workspace, pk=task_id)
    return services.task_reopen(actor=actor, workspace=workspace, task=task)


@router.delete("/tasks/{task_id}", response={204: None}, tags=["tasks"])
def delete_task(request: HttpRequest, task_id: int) -> Any:
    actor, workspace = actor_and_workspace(request)
    task = selectors.task_get(actor=actor, workspace=workspace, pk=task_id)
    services.task_delete(actor=actor, workspace=workspace, task=task)
    return Status(204, None)


# --- Timelines ---------------------------------------------------------------------------------------------------


def timeline_body(page: TimelinePage) -> dict[str, Any]:
    """A timeline page as the API answers it (the deals' API uses it too); plain dicts: pydantic checks them several times faster than it reads attributes off objects."""
    return {"items": [{**vars(item), "object_id": str(item.object_id)} for item in page.items], "next_cursor": page.next_cursor}


def _kinds(filters: TimelineFilterIn) -> list[str]:
    return [kind.strip() for value in filters.kind for kind in value.split(",") if kind.strip()]


@router.get(
    "/contacts/{contact_id}/timeline",
    response=page_of(TimelineItemOut),
    tags=["timeline"],
    summary="Everything that happened with a contact, newest first",
)
def contact_timeline(request: HttpRequest, contact_id: int, page: Query[PageParams], filters: Query[TimelineFilterIn]) -> Any:
    actor, workspace = actor_and_workspace(request)
    contact = selectors.contact_get(actor=actor, workspace=workspace, pk=contact_id)
    page_ = selectors.contact_timeline(
        actor=actor,
        workspace=workspace,
        contact=contact,
        kinds=_kinds(filters),
        channels=[str(channel) for channel in filters.channel],
        cursor=page.cursor,
        limit=page.limit,
    )
    return timeline_body(page_)


@router.get(
    "/accounts/{account_id}/timeline",
    response=page_of(TimelineItemOut),
    tags=["timeline"],
    summary="Everything that happened with an account and its contacts, newest first",
)
def account_timeline(request: HttpRequest, account_id: int, page: Query[PageParams], filters: Query[TimelineFilterIn]) -> Any:
    actor, workspace = actor_and_workspace(request)
    account = selectors.account_get(actor=actor, workspace=workspace, pk=account_id)
    page_ = selectors.account_timeline(
        actor=actor,
        workspace=workspace,
        account=account,
        kinds=_kinds(filters),
        channels=[str(channel) for channel in filters.channel],
        cursor=page.cursor,
        limit=page.limit,
    )
    return timeline_body(page_)
