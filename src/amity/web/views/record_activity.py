"""What happens on a record's page besides its profile: the timeline, quick logging, tasks and panels.

- The timeline is a page of `amity.activities.selectors.contact_timeline / account_timeline`,
  filtered by kind and channel, with "Load more" continuing from the cursor.
- Quick logging (call, meeting, note, task) opens a small form above the timeline; saving it
  draws the timeline again with the new entry on top, in the same response.
- The right-hand panels come from `amity.web.record_page`; each can be redrawn on its own.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from amity.activities import selectors as activities
from amity.activities import services as activity_services
from amity.activities import timeline
from amity.activities.models import Channel
from amity.activities.timeline import TimelinePage
from amity.core import selectors as core_selectors
from amity.core.access import allowed
from amity.core.models import FieldDefinition, User
from amity.core.permissions import Action, ObjectType
from amity.customers import selectors
from amity.customers.models import Account, Contact
from amity.web import record_page
from amity.web.record_forms import LOG_FORMS, LogForm, log_initial
from amity.web.timeline_entries import Editing, Presenter, editing_for, month_of
from amity.web.views.base import WorkspaceRequest, ensure, workspace_view
from amity.web.views.customers import Kind, kind_of

PAGE = "web/record/page.html"
LOG_FORM = "web/record/log_form.html"
TIMELINE_PAGE_SIZE = 25
PEOPLE_TO_LOG_WITH = 50  # on an account's page, whom a call or meeting was with
LOG_GRANTS = {"call": ObjectType.INTERACTION, "meeting": ObjectType.INTERACTION, "note": ObjectType.NOTE, "task": ObjectType.TASK}
KIND_ORDER = ["interaction", "note", "task", "change"]  # the filters' order; kinds other apps add follow
LOGGED = {"call": "Call logged.", "meeting": "Meeting logged.", "note": "Note added.", "task": "Task added."}


# --- What every part of the page needs ------------------------------------------------------------------


def record_of(request: WorkspaceRequest, spec: Kind, pk: int, *, include_deleted: bool = False) -> Any:
    """The record with everything its page shows; another workspace's, or one the role may not see, is a 404."""
    getter = selectors.contact_profile if spec.object_type == "contact" else selectors.account_profile
    return getter(actor=request.user, workspace=request.workspace, pk=pk, include_deleted=include_deleted)


def custom_definitions(request: WorkspaceRequest, object_type: str) -> list[FieldDefinition]:
    definitions = selectors.field_definition_list(actor=request.user, workspace=request.workspace, object_type=object_type)
    return list(definitions.order_by("position", "id"))


def workspace_members(request: WorkspaceRequest) -> list[User]:
    return list(core_selectors.member_people(actor=request.user, workspace=request.workspace))


def fragment(request: WorkspaceRequest, partial: str, context: dict[str, Any], *, status: int = 200) -> HttpResponse:
    """A part of the record's page (a django-template-partials name), for htmx to swap in."""
    return render(request, f"{PAGE}#{partial}", context, status=status)


def log_permissions(request: WorkspaceRequest, *, live: bool) -> dict[str, bool]:
    """Which quick-log buttons the actor gets (none on a record in the bin)."""
    return {what: live and allowed(request.user, request.workspace, Action.ADD, grant) for what, grant in LOG_GRANTS.items()}


def entry_editing(request: WorkspaceRequest, *, page_contact_id: int | None = None) -> Editing:
    """Edit and Delete on the entries this member may change, on any page's timeline."""
    return editing_for(
        actor_id=request.user.pk, role=request.membership.role, workspace_slug=request.workspace.slug, page_contact_id=page_contact_id
    )


# --- The timeline ----------------------------------------------------------------------------------------


def _filters(params: QueryDict) -> tuple[list[str], list[str]]:
    known = set(timeline.kinds())
    kinds = [kind for kind in params.getlist("kind") if kind in known]
    channels = [channel for channel in params.getlist("channel") if channel in Channel.values]
    return kinds, channels


def _ordered_sources() -> list[timeline.TimelineSource]:
    rank = {kind: index for index, kind in enumerate(KIND_ORDER)}
    return sorted(timeline.sources(), key=lambda source: (rank.get(source.kind, len(rank)), source.kind))


def _timeline_page(
    request: WorkspaceRequest, record: Account | Contact, kinds: list[str], channels: list[str], cursor: str | None
) -> TimelinePage:
    common: dict[str, Any] = {
        "actor": request.user,
        "workspace": request.workspace,
        "kinds": kinds,
        "channels": channels,
        "limit": TIMELINE_PAGE_SIZE,
    }
    if isinstance(record, Contact):
        return activities.contact_timeline(contact=record, cursor=cursor, **common)
    return activities.account_timeline(account=record, cursor=cursor, **common)


def timeline_context(
    request: WorkspaceRequest,
    spec: Kind,
    record: Account | Contact,
    params: QueryDict,
    *,
    people: dict[int, str],
    definitions: list[FieldDefinition],
    highlight: str = "",
) -> dict[str, Any]:
    """A page of the record's timeline as the template draws it, with its filters and the address of the next page."""
    kinds, channels = _filters(params)
    cursor = params.get("cursor") or None
    previous_month = ""
    try:
        if cursor:
            previous_month = month_of(timeline.decode_cursor(cursor).occurred_at)
        page = _timeline_page(request, record, kinds, channels, cursor)
    except ValidationError:  # a cursor we did not give out: start again from the top
        cursor, previous_month = None, ""
        page = _timeline_page(request, record, kinds, channels, None)
    page_contact_id = record.pk if isinstance(record, Contact) else None
    presenter = Presenter(
        people=people,
        definitions=definitions,
        contact_url=kind_of("contact").url("detail", request.workspace.slug, pk=0),
        page_contact_id=page_contact_id,
        editing=entry_editing(request, page_contact_id=page_contact_id) if record.deleted_at is None else None,
    )
    url = spec.url("timeline", request.workspace.slug, pk=record.pk)
    filters = [("kind", kind) for kind in kinds] + [("channel", channel) for channel in channels]
    return {
        "timeline": {
            "entries": presenter.entries(page.items, previous_month=previous_month),
            "url": url,
            "next_url": f"{url}?{urlencode([*filters, ('cursor', page.next_cursor)])}" if page.next_cursor else "",
            "kinds": [(source.kind, source.label or source.kind.capitalize(), source.kind in kinds) for source in _ordered_sources()],
            "channels": [(value, label, value in channels) for value, label in Channel.choices],
            "filtered": bool(filters),
            "continued": cursor is not None,
            "highlight": highlight,
        }
    }


@workspace_view
@require_GET
def record_timeline(request: WorkspaceRequest, kind: str, pk: int) -> HttpResponse:
    """The timeline alone: a new filter (the whole list) or the next page (only the entries after the cursor)."""
    spec = kind_of(kind)
    ensure(request, Action.VIEW, spec.permission)
    record = record_of(request, spec, pk, include_deleted=allowed(request.user, request.workspace, Action.DELETE, spec.permission))
    people = {member.pk: member.display_name for member in workspace_members(request)}
    context = {"kind": spec, "record": record, **timeline_context(
        request, spec, record, request.GET, people=people, definitions=custom_definitions(request, spec.object_type)
    )}  # fmt: skip
    return fragment(request, "timeline_more" if context["timeline"]["continued"] else "timeline_body", context)


# --- Quick logging -----------------------------------------------------------------------------------------


def _log_form(request: WorkspaceRequest, record: Account | Contact, form_class: type[LogForm], data: Any) -> LogForm:
    options: dict[str, Any] = {}
    if isinstance(record, Account) and form_class.what in {"call", "meeting"}:
        links, _ = selectors.account_people(actor=request.user, workspace=request.workspace, account=record, limit=PEOPLE_TO_LOG_WITH)
        options["people"] = [link.contact for link in links]
    if form_class.what in {"note", "task"}:
        options["members"] = workspace_members(request)
    return form_class(data, initial=log_initial(form_class.what, request.user), **options)


def _save_log(request: WorkspaceRequest, record: Account | Contact, form: LogForm) -> str:
    """Save what the form describes through its service; the timeline id (`note-12`) of what was saved."""
    actor, workspace = request.user, request.workspace
    contact = record if isinstance(record, Contact) else None
    account = record if isinstance(record, Account) else None
    if form.what in {"call", "meeting"}:
        with_contact = form.chosen_contact()
        interaction = activity_services.interaction_log(
            actor=actor,
            workspace=workspace,
            contacts=[contact] if contact else [with_contact] if with_contact else [],
            accounts=[account] if account else [],
            **form.service_kwargs(),  # type: ignore[attr-defined]
        )
        return f"interaction-{interaction.pk}"
    if form.what == "note":
        note = activity_services.note_create(actor=actor, workspace=workspace, contact=contact, account=account, **form.service_kwargs())  # type: ignore[attr-defined]
        return f"note-{note.pk}"
    task = activity_services.task_create(actor=actor, workspace=workspace, contact=contact, account=account, **form.service_kwargs())  # type: ignore[attr-defined]
    return f"task-{task.pk}"


@workspace_view
@require_http_methods(["GET", "POST"])
def record_log(request: WorkspaceRequest, kind: str, pk: int, what: str) -> HttpResponse:
    """A quick-log form above the timeline: GET opens it, POST saves it and redraws the timeline with the entry on top."""
    spec = kind_of(kind)
    if what not in LOG_FORMS:
        raise Http404("Log a call, a meeting, a note or a task.")
    ensure(request, Action.VIEW, spec.permission)
    record = record_of(request, spec, pk)
    ensure(request, Action.ADD, LOG_GRANTS[what])
    form = _log_form(request, record, LOG_FORMS[what], request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                saved = _save_log(request, record, form)
            except ValidationError as error:
                form.apply_service_errors(error)
            else:
                return _logged(request, spec, record, what, saved)
        status = 422
    context = {"kind": spec, "record": record, "form": form, "what": what, "url": spec.url("log", request.workspace.slug, pk=pk, what=what)}
    return render(request, LOG_FORM, context, status=status)


def _logged(request: WorkspaceRequest, spec: Kind, record: Account | Contact, what: str, saved: str) -> HttpResponse:
    """An empty composer, and the timeline again (with the filters the page shows) with the new entry marked."""
    messages.success(request, LOGGED[what])
    if not getattr(request, "htmx", False):
        return redirect(spec.url("detail", request.workspace.slug, pk=record.pk))
    people = {member.pk: member.display_name for member in workspace_members(request)}
    filters = QueryDict(mutable=True)
    for name in ("kind", "channel"):
        filters.setlist(name, request.POST.getlist(name))  # the timeline's filters, sent along with the form
    context = {
        "kind": spec,
        "record": record,
        **timeline_context(
            request, spec, record, filters, people=people, definitions=custom_definitions(request, spec.object_type), highlight=saved
        ),
    }
    response = fragment(request, "logged", context)
    if what == "task":
        response["HX-Trigger"] = "amity:panel-tasks"
    return response


# --- Tasks and panels ----------------------------------------------------------------------------------------


@workspace_view
@require_POST
def record_task_complete(request: WorkspaceRequest, kind: str, pk: int, task_pk: int) -> HttpResponse:
    """Tick a task of the upcoming-tasks panel: it is done, the panel and the timeline show it."""
    spec = kind_of(kind)
    ensure(request, Action.VIEW, spec.permission)
    record = record_of(request, spec, pk)
    task = activities.task_about_get(
        actor=request.user,
        workspace=request.workspace,
        pk=task_pk,
        contact=record if isinstance(record, Contact) else None,
        account=record if isinstance(record, Account) else None,
    )
    activity_services.task_complete(actor=request.user, workspace=request.workspace, task=task)
    messages.success(request, f"Done: {task.title}.")
    if not getattr(request, "htmx", False):
        return redirect(spec.url("detail", request.workspace.slug, pk=record.pk))
    response = _panel_response(request, spec, record, "tasks", with_messages=True)
    response["HX-Trigger"] = "amity:timeline-refresh"
    return response


def _panel_response(
    request: WorkspaceRequest, spec: Kind, record: Account | Contact, key: str, *, with_messages: bool = False
) -> HttpResponse:
    panel = record_page.panel(spec.object_type, key)
    if panel is None:
        raise Http404("No such panel.")
    shown = record_page.show(panel, actor=request.user, workspace=request.workspace, record=record)
    if shown is None:
        raise PermissionDenied("Your role does not allow you to see this panel.")
    context = {"kind": spec, "record": record, "shown": shown, "base_url": spec.url("detail", request.workspace.slug, pk=record.pk)}
    return fragment(request, "panel_swap" if with_messages else "panel", context)


@workspace_view
@require_GET
def record_panel(request: WorkspaceRequest, kind: str, pk: int, key: str) -> HttpResponse:
    """One panel of the right-hand column, drawn again (after a change elsewhere on the page)."""
    spec = kind_of(kind)
    ensure(request, Action.VIEW, spec.permission)
    record = record_of(request, spec, pk, include_deleted=allowed(request.user, request.workspace, Action.DELETE, spec.permission))
    return _panel_response(request, spec, record, key)
