"""Correcting or deleting a logged interaction, note or task where it shows: on any page's timeline.

An entry's Edit swaps it for a small form and Save swaps the entry back as it now reads; Delete
first asks, inside the entry, then leaves a line saying it is gone. The URLs are the workspace's
(`/w/<slug>/timeline/<kind>/<id>/…`), not a record page's: the same entry shows on a contact's,
an account's, a lead's and a deal's page. They write through amity.activities.services, as
PATCH and DELETE /api/v1/interactions|notes|tasks/{id} do, so they refuse what the API refuses.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from amity.activities import selectors as activities
from amity.activities import services
from amity.activities.models import Interaction, Note, Task
from amity.core import selectors as core_selectors
from amity.core.permissions import Action, can_change_entry
from amity.web.entry_forms import ENTRY_FORMS, EntryForm, TaskEditForm
from amity.web.timeline_entries import EDITABLE_KINDS, Presenter
from amity.web.views.base import WorkspaceRequest, workspace_view
from amity.web.views.record_activity import PAGE, entry_editing

ENTRY_FORM = "web/record/entry_form.html"
# What else on a page shows an entry of this kind: a task is in the upcoming-tasks panel, an interaction counts towards a lead's score.
ALSO_SHOWN = {"interaction": "amity:panel-score", "task": "amity:panel-tasks"}


def _page_contact(request: WorkspaceRequest) -> int | None:
    """On a contact's page its entries do not name that person; the entry drawn again must not either."""
    value = request.GET.get("contact", "")
    return int(value) if value.isdigit() else None


def _presenter(request: WorkspaceRequest) -> Presenter:
    contact_id = _page_contact(request)
    return Presenter(
        people={},  # names of members only show in changes, which are not edited here
        definitions=[],
        contact_url=reverse("contact_detail", args=[request.workspace.slug, 0]),
        page_contact_id=contact_id,
        editing=entry_editing(request, page_contact_id=contact_id),
    )


def _author_id(entry: Interaction | Note | Task) -> int | None:
    return entry.author_id if isinstance(entry, Note) else entry.created_by_id


def _entry_for(request: WorkspaceRequest, kind: str, pk: int, action: Action) -> Interaction | Note | Task:
    """The entry, if the actor may see it (404 otherwise, another workspace's too) and `action` it (403 otherwise)."""
    entry = activities.entry_get(actor=request.user, workspace=request.workspace, kind=kind, pk=pk)
    is_author = _author_id(entry) == request.user.pk
    if not can_change_entry(request.membership.role, action, EDITABLE_KINDS[kind], is_author=is_author):
        raise PermissionDenied("Only its author or a manager can change this entry.")
    return entry


def _draw(request: WorkspaceRequest, entry: Interaction | Note | Task, *, highlighted: bool = False, **context: Any) -> HttpResponse:
    drawn = _presenter(request).entry(activities.entry_item(entry))
    highlight = drawn.dom_id.removeprefix("entry-") if highlighted else ""
    return render(request, f"{PAGE}#entry", {"entry": drawn, "timeline": {"highlight": highlight}, **context})


@workspace_view
@require_GET
def timeline_entry(request: WorkspaceRequest, kind: str, pk: int) -> HttpResponse:
    """One entry as it reads (what Cancel brings back)."""
    entry = activities.entry_get(actor=request.user, workspace=request.workspace, kind=kind, pk=pk)
    return _draw(request, entry)


def _form(request: WorkspaceRequest, kind: str, entry: Interaction | Note | Task, data: Any) -> EntryForm:
    form_class = ENTRY_FORMS[kind]
    options: dict[str, Any] = {"initial": form_class.initial_for(entry), "entry_id": f"entry-{kind}-{entry.pk}"}  # type: ignore[attr-defined]
    if kind in {"note", "task"}:
        options["members"] = list(core_selectors.member_people(actor=request.user, workspace=request.workspace))
    if isinstance(entry, Task):
        options["task"] = entry
    return form_class(data, **options)


@transaction.atomic
def _save(request: WorkspaceRequest, entry: Interaction | Note | Task, form: EntryForm) -> None:
    """Hand the service what the form changed (nothing changed: nothing to write); a task's new status has a service of its own."""
    actor, workspace = request.user, request.workspace
    changes = form.service_kwargs()  # type: ignore[attr-defined]
    if isinstance(entry, Interaction):
        if changes:
            services.interaction_update(actor=actor, workspace=workspace, interaction=entry, **changes)
    elif isinstance(entry, Note):
        if changes:
            services.note_update(actor=actor, workspace=workspace, note=entry, **changes)
    else:
        if changes:
            services.task_update(actor=actor, workspace=workspace, task=entry, **changes)
        status = form.new_status() if isinstance(form, TaskEditForm) else None
        if status is not None:
            change_status: dict[str, Any] = {Task.Status.DONE: services.task_complete, Task.Status.CANCELLED: services.task_cancel}
            change_status.get(status, services.task_reopen)(actor=actor, workspace=workspace, task=entry)


@workspace_view
@require_http_methods(["GET", "POST"])
def timeline_entry_edit(request: WorkspaceRequest, kind: str, pk: int) -> HttpResponse:
    """The entry as a form: GET opens it in place, POST saves it and draws the entry again (or says what is wrong, 422)."""
    entry = _entry_for(request, kind, pk, Action.CHANGE)
    posted = request.POST if request.method == "POST" else None
    form = _form(request, kind, entry, posted)
    status = 200
    if posted is not None:
        if form.is_valid():
            moved = form.changed("occurred_at")
            try:
                _save(request, entry, form)
            except ValidationError as error:
                form.apply_service_errors(error)
            else:
                response = _draw(request, entry, highlighted=True)
                events = [ALSO_SHOWN[kind]] if kind in ALSO_SHOWN else []
                if moved:  # it may belong elsewhere in the timeline's order now
                    events.append("amity:timeline-refresh")
                if events:
                    response["HX-Trigger"] = ", ".join(events)
                return response
        status = 422
    url = reverse("timeline_entry", args=[request.workspace.slug, kind, pk])
    query = entry_editing(request, page_contact_id=_page_contact(request)).query
    context = {"form": form, "kind": kind, "entry_id": f"entry-{kind}-{pk}", "url": url, "query": query}
    return render(request, ENTRY_FORM, context, status=status)


@workspace_view
@require_http_methods(["GET", "POST"])
def timeline_entry_delete(request: WorkspaceRequest, kind: str, pk: int) -> HttpResponse:
    """GET: the entry asking whether to delete it. POST: delete it; a line says it is gone."""
    entry = _entry_for(request, kind, pk, Action.DELETE)
    if request.method == "GET":
        return _draw(request, entry, confirming=True)
    actor, workspace = request.user, request.workspace
    title = str(entry.title if isinstance(entry, Task) else entry if isinstance(entry, Interaction) else "Note")
    if isinstance(entry, Interaction):
        services.interaction_delete(actor=actor, workspace=workspace, interaction=entry)
    elif isinstance(entry, Note):
        services.note_delete(actor=actor, workspace=workspace, note=entry)
    else:
        services.task_delete(actor=actor, workspace=workspace, task=entry)
    response = render(request, f"{PAGE}#entry_deleted", {"entry_id": f"entry-{kind}-{pk}", "title": title})
    if kind in ALSO_SHOWN:
        response["HX-Trigger"] = ALSO_SHOWN[kind]
    return response
