"""Landing after sign-in, opening a workspace, its home page, and the global search."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from amity.core import search as global_search
from amity.core import selectors, services
from amity.core.access import allowed
from amity.core.models import User
from amity.core.permissions import Action, ObjectType
from amity.web.forms import WorkspaceForm, apply_errors
from amity.web.views.base import WorkspaceRequest, render_page, workspace_view

RECENT_ACTIVITY = 8


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Go back to the workspace the user last opened, or the first they belong to, or offer to create one."""
    user = request.user
    assert isinstance(user, User)
    workspaces = selectors.workspaces_of(user)
    last = workspaces.filter(pk=user.last_workspace_id).first() if user.last_workspace_id else None
    workspace = last or workspaces.first()
    if workspace is None:
        return redirect("workspace_create")
    return redirect("workspace_home", slug=workspace.slug)


@login_required
@require_http_methods(["GET", "POST"])
def workspace_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    form = WorkspaceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            workspace = services.workspace_create(owner=user, name=form.cleaned_data["name"])
        except ValidationError as error:
            apply_errors(form, error)
        else:
            return redirect("workspace_home", slug=workspace.slug)
    first = not selectors.workspaces_of(user).exists()
    return render(request, "web/workspaces/create.html", {"form": form, "first": first}, status=400 if form.errors else 200)


@workspace_view
@require_GET
def workspace_home(request: WorkspaceRequest) -> HttpResponse:
    actor, workspace = request.user, request.workspace
    context: dict[str, object] = {
        "member_count": selectors.membership_list(actor=actor, workspace=workspace).count(),
        "team_count": selectors.team_list(actor=actor, workspace=workspace).count(),
        "my_teams": list(selectors.team_list(actor=actor, workspace=workspace).filter(members=actor).order_by("name")[:5]),
        "token_count": selectors.token_list(actor=actor, workspace=workspace).filter(revoked_at__isnull=True, user=actor).count(),
    }
    if allowed(actor, workspace, Action.VIEW, ObjectType.INVITATION):
        context["pending_invitations"] = selectors.invitation_list(actor=actor, workspace=workspace, pending_only=True).count()
    if allowed(actor, workspace, Action.VIEW, ObjectType.AUDIT_ENTRY):
        context["recent_activity"] = list(selectors.audit_list(actor=actor, workspace=workspace).order_by("-id")[:RECENT_ACTIVITY])
    if allowed(actor, workspace, Action.VIEW, ObjectType.TASK_FAILURE):
        context["failed_tasks"] = selectors.task_failure_list(actor=actor, workspace=workspace).filter(retry_at__isnull=True).count()
    return render_page(request, "web/workspaces/home.html", context)


@workspace_view
@require_GET
def search(request: WorkspaceRequest) -> HttpResponse:
    query = request.GET.get("q", "")
    groups = global_search.search(actor=request.user, workspace=request.workspace, query=query)
    context = {"query": query.strip(), "groups": groups, "too_short": len(query.strip()) < global_search.MIN_QUERY_LENGTH}
    return render_page(request, "web/workspaces/search.html", context, partial="results")
