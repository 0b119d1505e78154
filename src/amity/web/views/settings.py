"""The settings area of a workspace: its name, members and invitations, teams, API tokens, audit log, failed tasks."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings as django_settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from amity.api.pagination import paginate
from amity.core import selectors, services
from amity.core.access import allowed
from amity.core.models import Membership
from amity.core.permissions import Action, ObjectType, Role, Scope, visibility
from amity.web.forms import (
    AuditFilterForm,
    InvitationForm,
    RoleForm,
    TeamForm,
    TokenForm,
    WorkspaceForm,
    apply_errors,
    assignable_role_choices,
    error_text,
)
from amity.web.views.base import WorkspaceRequest, ensure, render_page, workspace_view

AUDIT_PAGE_SIZE = 50
TASK_PAGE_SIZE = 25


def _can(request: WorkspaceRequest, action: Action, object_type: ObjectType) -> bool:
    return allowed(request.user, request.workspace, action, object_type)


@workspace_view
@require_GET
def settings_index(request: WorkspaceRequest) -> HttpResponse:
    """Settings opens on the first page the role may see."""
    first = "settings_workspace" if _can(request, Action.CHANGE, ObjectType.WORKSPACE) else "settings_members"
    return redirect(first, slug=request.workspace.slug)


# --- Workspace ---------------------------------------------------------------------------------


@workspace_view
@require_http_methods(["GET", "POST"])
def settings_workspace(request: WorkspaceRequest) -> HttpResponse:
    ensure(request, Action.CHANGE, ObjectType.WORKSPACE)
    workspace = request.workspace
    form = WorkspaceForm(request.POST or None, initial={"name": workspace.name})
    if request.method == "POST" and form.is_valid():
        try:
            services.workspace_rename(actor=request.user, workspace=workspace, name=form.cleaned_data["name"])
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"The workspace is now called {workspace.name}.")
            return redirect("settings_workspace", slug=workspace.slug)
    return render_page(request, "web/settings/workspace.html", {"form": form}, status=400 if form.errors else 200)


# --- Members and invitations ----------------------------------------------------------------------


def _members_page(
    request: WorkspaceRequest, *, invite_form: InvitationForm | None = None, row_errors: dict[int, str] | None = None, status: int = 200
) -> HttpResponse:
    actor, workspace = request.user, request.workspace
    my_role = request.membership.role
    can_change = _can(request, Action.CHANGE, ObjectType.MEMBER)
    can_remove = _can(request, Action.DELETE, ObjectType.MEMBER)
    role_choices = assignable_role_choices(my_role)
    rows = []
    for membership in selectors.membership_list(actor=actor, workspace=workspace).order_by("user__full_name", "user__email"):
        owner_protected = membership.role == Role.OWNER and my_role != Role.OWNER
        rows.append(
            {
                "membership": membership,
                "is_me": membership.user_id == actor.pk,
                "can_change": can_change and not owner_protected,
                "can_remove": can_remove and not owner_protected and membership.user_id != actor.pk,
                "error": (row_errors or {}).get(membership.pk),
            }
        )
    can_invite = _can(request, Action.ADD, ObjectType.INVITATION)
    invitations = []
    if _can(request, Action.VIEW, ObjectType.INVITATION):
        invitations = list(selectors.invitation_list(actor=actor, workspace=workspace, pending_only=True).order_by("-id"))
    context = {
        "rows": rows,
        "invitations": invitations,
        "can_invite": can_invite,
        "can_revoke": _can(request, Action.DELETE, ObjectType.INVITATION),
        "invite_form": invite_form or (InvitationForm(actor_role=my_role) if can_invite else None),
        "role_choices": role_choices,
    }
    return render_page(request, "web/settings/members.html", context, status=status)


@workspace_view
@require_http_methods(["GET", "POST"])
def settings_members(request: WorkspaceRequest) -> HttpResponse:
    ensure(request, Action.VIEW, ObjectType.MEMBER)
    if request.method == "GET":
        return _members_page(request)
    ensure(request, Action.ADD, ObjectType.INVITATION)
    form = InvitationForm(request.POST, actor_role=request.membership.role)
    if form.is_valid():
        try:
            invitation = services.invitation_create(
                actor=request.user, workspace=request.workspace, email=form.cleaned_data["email"], role=form.cleaned_data["role"]
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"Invitation sent to {invitation.email}.")
            return redirect("settings_members", slug=request.workspace.slug)
    return _members_page(request, invite_form=form, status=400)


@workspace_view
@require_POST
def settings_member_role(request: WorkspaceRequest, pk: int) -> HttpResponse:
    membership = selectors.membership_get(actor=request.user, workspace=request.workspace, pk=pk)
    ensure(request, Action.CHANGE, ObjectType.MEMBER)
    form = RoleForm(request.POST)
    if not form.is_valid():
        return _members_page(request, row_errors={membership.pk: "Choose a role from the list."}, status=400)
    try:
        services.member_change_role(actor=request.user, workspace=request.workspace, membership=membership, role=form.cleaned_data["role"])
    except ValidationError as error:
        return _members_page(request, row_errors={membership.pk: error_text(error)}, status=400)
    messages.success(request, f"{membership.user.display_name} is now {membership.get_role_display().lower()}.")
    return redirect("settings_members", slug=request.workspace.slug)


@workspace_view
@require_POST
def settings_member_remove(request: WorkspaceRequest, pk: int) -> HttpResponse:
    membership: Membership = selectors.membership_get(actor=request.user, workspace=request.workspace, pk=pk)
    ensure(request, Action.DELETE, ObjectType.MEMBER)
    try:
        services.member_remove(actor=request.user, workspace=request.workspace, membership=membership)
    except ValidationError as error:
        return _members_page(request, row_errors={membership.pk: error_text(error)}, status=400)
    messages.success(request, f"{membership.user.display_name} was removed from {request.workspace.name}.")
    return redirect("settings_members", slug=request.workspace.slug)


@workspace_view
@require_POST
def settings_invitation_revoke(request: WorkspaceRequest, pk: int) -> HttpResponse:
    invitation = selectors.invitation_get(actor=request.user, workspace=request.workspace, pk=pk)
    ensure(request, Action.DELETE, ObjectType.INVITATION)
    try:
        services.invitation_revoke(actor=request.user, workspace=request.workspace, invitation=invitation)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, f"The invitation of {invitation.email} was withdrawn.")
    return redirect("settings_members", slug=request.workspace.slug)


# --- Teams --------------------------------------------------------------------------------------


@workspace_view
@require_GET
def settings_teams(request: WorkspaceRequest) -> HttpResponse:
    ensure(request, Action.VIEW, ObjectType.TEAM)
    teams = selectors.team_list(actor=request.user, workspace=request.workspace).order_by("name", "pk")
    context = {
        "teams": teams,
        "can_add": _can(request, Action.ADD, ObjectType.TEAM),
        "can_change": _can(request, Action.CHANGE, ObjectType.TEAM),
    }
    return render_page(request, "web/settings/teams.html", context)


def _team_form_page(request: WorkspaceRequest, form: TeamForm, team: Any = None) -> HttpResponse:
    context = {"form": form, "team": team, "can_delete": team is not None and _can(request, Action.DELETE, ObjectType.TEAM)}
    return render_page(request, "web/settings/team_form.html", context, status=400 if form.errors else 200)


@workspace_view
@require_http_methods(["GET", "POST"])
def settings_team_create(request: WorkspaceRequest) -> HttpResponse:
    ensure(request, Action.ADD, ObjectType.TEAM)
    people = selectors.member_people(actor=request.user, workspace=request.workspace)
    form = TeamForm(request.POST or None, people=people)
    if request.method == "POST" and form.is_valid():
        try:
            team = services.team_create(
                actor=request.user,
                workspace=request.workspace,
                name=form.cleaned_data["name"],
                manager=form.cleaned_data["manager"],
                members=list(form.cleaned_data["members"]),
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"Team {team.name} created.")
            return redirect("settings_teams", slug=request.workspace.slug)
    return _team_form_page(request, form)


@workspace_view
@require_http_methods(["GET", "POST"])
def settings_team_edit(request: WorkspaceRequest, pk: int) -> HttpResponse:
    team = selectors.team_get(actor=request.user, workspace=request.workspace, pk=pk)
    ensure(request, Action.CHANGE, ObjectType.TEAM)
    people = selectors.member_people(actor=request.user, workspace=request.workspace)
    initial = {"name": team.name, "manager": team.manager, "members": list(team.members.all())}
    form = TeamForm(request.POST or None, people=people, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.team_update(
                actor=request.user,
                workspace=request.workspace,
                team=team,
                name=form.cleaned_data["name"],
                manager=form.cleaned_data["manager"],
                members=list(form.cleaned_data["members"]),
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"Team {team.name} saved.")
            return redirect("settings_teams", slug=request.workspace.slug)
    return _team_form_page(request, form, team)


@workspace_view
@require_POST
def settings_team_delete(request: WorkspaceRequest, pk: int) -> HttpResponse:
    team = selectors.team_get(actor=request.user, workspace=request.workspace, pk=pk)
    ensure(request, Action.DELETE, ObjectType.TEAM)
    services.team_delete(actor=request.user, workspace=request.workspace, team=team)
    messages.success(request, f"Team {team.name} deleted; its members stay in the workspace.")
    return redirect("settings_teams", slug=request.workspace.slug)


# --- API tokens -----------------------------------------------------------------------------------


def _tokens_page(request: WorkspaceRequest, form: TokenForm, *, created: Any = None, secret: str = "", status: int = 200) -> HttpResponse:
    tokens = selectors.token_list(actor=request.user, workspace=request.workspace).order_by("revoked_at", "-id")
    context = {
        "tokens": tokens,
        "form": form,
        "created": created,
        "secret": secret,
        "sees_everyone": visibility(request.membership.role, ObjectType.TOKEN) == Scope.ALL,
        "api_base": f"{django_settings.BASE_URL}/api/v1/",
    }
    return render_page(request, "web/settings/tokens.html", context, status=status)


@workspace_view
@require_http_methods(["GET", "POST"])
def settings_tokens(request: WorkspaceRequest) -> HttpResponse:
    ensure(request, Action.VIEW, ObjectType.TOKEN)
    if request.method == "GET":
        return _tokens_page(request, TokenForm())
    ensure(request, Action.ADD, ObjectType.TOKEN)
    form = TokenForm(request.POST)
    if form.is_valid():
        try:
            token, secret = services.token_create(actor=request.user, workspace=request.workspace, name=form.cleaned_data["name"])
        except ValidationError as error:
            apply_errors(form, error)
        else:
            # The secret is shown in this response only; it is not stored anywhere we could show it again.
            return _tokens_page(request, TokenForm(), created=token, secret=secret, status=201)
    return _tokens_page(request, form, status=400)


@workspace_view
@require_POST
def settings_token_revoke(request: WorkspaceRequest, pk: int) -> HttpResponse:
    token = selectors.token_get(actor=request.user, workspace=request.workspace, pk=pk)
    ensure(request, Action.DELETE, ObjectType.TOKEN)
    services.token_revoke(actor=request.user, workspace=request.workspace, token=token)
    messages.success(request, f"Token {token.name} revoked; requests that carry it are refused from now on.")
    return redirect("settings_tokens", slug=request.workspace.slug)


# --- Audit log and failed tasks ------------------------------------------------------------------------


def _start_of_day(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min), timezone.get_current_timezone())


@workspace_view
@require_GET
def settings_audit(request: WorkspaceRequest) -> HttpResponse:
    ensure(request, Action.VIEW, ObjectType.AUDIT_ENTRY)
    actor, workspace = request.user, request.workspace
    people = list(selectors.member_people(actor=actor, workspace=workspace))
    form = AuditFilterForm(request.GET or None, people=people, object_types=selectors.audit_object_types(workspace=workspace))
    filters = selectors.AuditFilter()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = selectors.AuditFilter(
            actor_id=data["actor"],
            door=data["door"] or None,
            action=data["action"] or None,
            object_type=data["object_type"] or None,
            since=_start_of_day(data["since"]) if data["since"] else None,
            until=_start_of_day(data["until"] + dt.timedelta(days=1)) if data["until"] else None,
        )
    entries = selectors.audit_list(actor=actor, workspace=workspace, filters=filters)
    try:
        page = paginate(entries, ordering=("-id",), cursor=request.GET.get("cursor") or None, limit=AUDIT_PAGE_SIZE)
    except ValidationError as error:
        form.add_error(None, error_text(error))
        page = paginate(entries, ordering=("-id",), cursor=None, limit=AUDIT_PAGE_SIZE)
    query = request.GET.copy()
    query.pop("cursor", None)
    context = {
        "form": form,
        "page": page,
        "filter_query": query.urlencode(),
        "filtered": any(v for k, v in request.GET.items() if k != "cursor"),
    }
    status = 400 if form.errors else 200
    return render_page(request, "web/settings/audit.html", context, partial="rows" if request.GET.get("cursor") else None, status=status)


@workspace_view
@require_GET
def settings_tasks(request: WorkspaceRequest) -> HttpResponse:
    ensure(request, Action.VIEW, ObjectType.TASK_FAILURE)
    failures = selectors.task_failure_list(actor=request.user, workspace=request.workspace)
    try:
        page = paginate(failures, ordering=("-id",), cursor=request.GET.get("cursor") or None, limit=TASK_PAGE_SIZE)
    except ValidationError:
        page = paginate(failures, ordering=("-id",), cursor=None, limit=TASK_PAGE_SIZE)
    return render_page(request, "web/settings/tasks.html", {"page": page}, partial="rows" if request.GET.get("cursor") else None)
