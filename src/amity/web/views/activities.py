"""My tasks and my notifications: the web door to the same selectors and services as the API."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

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


@workspace_view
@require_GET
def notifications(request: WorkspaceRequest) -> HttpResponse:
    items = selectors.notification_list(actor=request.user, workspace=request.workspace)
    context = {"page": _page(items, ("-id",), request)}
    return render_page(request, "web/activities/notifications.html", context, partial="rows" if request.GET.get("cursor") else None)


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
def notifications_bell(request: WorkspaceRequest) -> HttpResponse:
    """The top bar's bell with the unread count; htmx loads it after the page, so pages pay no query for it."""
    unread = selectors.notification_unread_count(actor=request.user, workspace=request.workspace)
    return render_page(request, "web/activities/bell.html", {"unread": unread})
