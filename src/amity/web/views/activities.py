"""My tasks and my notifications: the web door to the same selectors and services as the API."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from django.conf import settings as django_settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from amity.activities import selectors as activities
from amity.activities import services as activity_services
from amity.activities.models import Task
from amity.api.pagination import Page, paginate
from amity.core import selectors, services
from amity.core.permissions import Action, ObjectType
from amity.web.views.base import WorkspaceRequest, ensure, render_page, workspace_view

PAGE_SIZE = 25
M = TypeVar("M", bound=Model)
TASK_VIEWS = {"open": Task.Status.OPEN, "done": Task.Status.DONE}


def _page(queryset: QuerySet[M], ordering: Sequence[str], request: HttpRequest) -> Page[M]:
    try:
        return paginate(queryset, ordering=ordering, cursor=request.GET.get("cursor") or None, limit=PAGE_SIZE)
    except ValidationError:
        return paginate(queryset, ordering=ordering, cursor=None, limit=PAGE_SIZE)


@workspace_view
@require_GET
def my_tasks(request: WorkspaceRequest) -> HttpResponse:
    ensure(request, Action.VIEW, ObjectType.TASK)
    show = request.GET.get("show", "open")
    if show not in TASK_VIEWS:
        show = "open"
    tasks = activities.task_list(
        actor=request.user,
        workspace=request.workspace,
        filters=activities.TaskFilter(assignee_id=request.user.pk, status=TASK_VIEWS[show]),
    ).select_related("contact", "account")
    ordering = ("due_at", "id") if show == "open" else ("-due_at", "-id")
    context = {"page": _page(tasks, ordering, request), "show": show, "now": timezone.now()}
    return render_page(request, "web/activities/my_tasks.html", context, partial="rows" if request.GET.get("cursor") else None)


@workspace_view
@require_POST
def my_task_toggle(request: WorkspaceRequest, pk: int) -> HttpResponse:
    task = activities.task_get(actor=request.user, workspace=request.workspace, pk=pk)
    if task.status == Task.Status.OPEN:
        activity_services.task_complete(actor=request.user, workspace=request.workspace, task=task)
        messages.success(request, f"Done: {task.title}.")
    else:
        activity_services.task_reopen(actor=request.user, workspace=request.workspace, task=task)
        messages.success(request, f"Reopened: {task.title}.")
    back = "done" if task.status == Task.Status.OPEN else "open"  # back to the list the task was on
    return redirect(f"{reverse('my_tasks', kwargs={'slug': request.workspace.slug})}?show={back}")


NOTIFICATION_VIEWS = {"all": None, "unread": True}


@workspace_view
@require_GET
def notifications(request: WorkspaceRequest) -> HttpResponse:
    """My notifications, newest first; the list redraws itself when the bell sees something new."""
    show = request.GET.get("show", "all")
    if show not in NOTIFICATION_VIEWS:
        show = "all"
    items = selectors.notification_list(actor=request.user, workspace=request.workspace, unread=NOTIFICATION_VIEWS[show])
    page = _page(items, ("-id",), request)
    icons = notification_icons()
    for notification in page.items:
        notification.icon = icons.get(notification.kind, "bell")  # type: ignore[attr-defined]
    context = {"page": page, "show": show}
    partial = "rows" if request.GET.get("cursor") else "list" if request.GET.get("fragment") == "list" else None
    return render_page(request, "web/activities/notifications.html", context, partial=partial)


def notification_icons() -> dict[str, str]:
    """Kind → Tabler icon, for the list's icons."""
    from amity.core.notifications import KINDS

    return {kind.kind: kind.icon for kind in KINDS.values()}


@workspace_view
@require_POST
def notifications_read(request: WorkspaceRequest) -> HttpResponse:
    count = services.notification_mark_all_read(actor=request.user, workspace=request.workspace)
    messages.success(request, f"{count} notification{'s' if count != 1 else ''} marked read.")
    return redirect("notifications", slug=request.workspace.slug)


@workspace_view
@require_POST
def notification_read(request: WorkspaceRequest, pk: int) -> HttpResponse:
    notification = selectors.notification_get(actor=request.user, workspace=request.workspace, pk=pk)
    services.notification_mark_read(actor=request.user, workspace=request.workspace, notification=notification)
    return redirect("notifications", slug=request.workspace.slug)


@workspace_view
@require_GET
def notification_open(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """Open a notification's record, marking it read on the way (as a mail client does)."""
    notification = selectors.notification_get(actor=request.user, workspace=request.workspace, pk=pk)
    services.notification_mark_read(actor=request.user, workspace=request.workspace, notification=notification)
    target = notification.url if notification.url.startswith(f"/w/{request.workspace.slug}/") else ""
    return redirect(target or reverse("notifications", kwargs={"slug": request.workspace.slug}))


@workspace_view
@require_GET
def notifications_bell(request: WorkspaceRequest) -> HttpResponse:
    """The top bar's bell, polled: one query; 204 when nothing changed since the page's last look.

    Polling rather than server-sent events: gunicorn's threaded sync workers would give each open
    tab a thread for as long as it stays open, so a handful of tabs would starve the server, while
    a poll holds a thread for a millisecond. When something changed, the bell is redrawn and an
    `amity:notifications` event tells the notification list (when it is on the page) to redraw.
    """
    unread, latest = selectors.notification_bell_state(actor=request.user, workspace=request.workspace)
    state = f"{unread}-{latest}"
    if request.GET.get("known") == state:
        return HttpResponse(status=204)
    response = render_page(
        request, "web/activities/bell.html", {"unread": unread, "state": state, "poll": django_settings.NOTIFICATION_POLL_SECONDS}
    )
    if request.GET.get("known") is not None:
        response["HX-Trigger"] = "amity:notifications"
    return response
