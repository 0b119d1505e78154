"""The API of workspaces, people, teams, tokens and the audit log: schemas in, one service or selector, schemas out."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Query, Router, Status

from amity.api.auth import actor_and_workspace
from amity.api.pagination import PageParams, page_of, paginate
from amity.core import alerts, notifications, selectors, services
from amity.core.access import role_of
from amity.core.schemas import (
    AlertRuleIn,
    AlertRuleOut,
    AuditEntryOut,
    AuditFilterIn,
    InvitationIn,
    InvitationOut,
    MemberOut,
    MemberUpdateIn,
    MeOut,
    NotificationCountOut,
    NotificationFilterIn,
    NotificationOut,
    NotificationPreferencesIn,
    NotificationPreferencesOut,
    NotificationsMarkedOut,
    TaskFailureOut,
    TeamIn,
    TeamOut,
    TeamPatch,
    TokenCreatedOut,
    TokenIn,
    TokenOut,
    WorkspaceIn,
    WorkspaceOut,
)

router = Router(tags=["workspace"])


@router.get("/me", response=MeOut, summary="Who am I, in which workspace, with which role")
def me(request: HttpRequest) -> dict[str, Any]:
    actor, workspace = actor_and_workspace(request)
    return {
        "id": actor.pk,
        "email": actor.email,
        "full_name": actor.full_name,
        "time_zone": actor.time_zone,
        "workspace": workspace,
        "role": role_of(actor, workspace),
    }


@router.get("/workspaces", response=page_of(WorkspaceOut), summary="The workspaces I belong to")
def list_workspaces(request: HttpRequest, page: Query[PageParams]) -> Any:
    actor, _ = actor_and_workspace(request)
    return paginate(selectors.workspaces_of(actor), ordering=("name", "id"), cursor=page.cursor, limit=page.limit)


@router.post("/workspaces", response={201: WorkspaceOut}, summary="Open a new workspace that I own")
def create_workspace(request: HttpRequest, payload: WorkspaceIn) -> Any:
    actor, _ = actor_and_workspace(request)
    return Status(201, services.workspace_create(owner=actor, name=payload.name))


@router.get("/workspaces/current", response=WorkspaceOut, summary="The workspace of this token")
def current_workspace(request: HttpRequest) -> Any:
    return actor_and_workspace(request)[1]


@router.patch("/workspaces/current", response=WorkspaceOut, summary="Rename the workspace of this token")
def rename_workspace(request: HttpRequest, payload: WorkspaceIn) -> Any:
    actor, workspace = actor_and_workspace(request)
    return services.workspace_rename(actor=actor, workspace=workspace, name=payload.name)


# --- Members ----------------------------------------------------------------------------------


@router.get("/members", response=page_of(MemberOut), tags=["members"])
def list_members(request: HttpRequest, page: Query[PageParams]) -> Any:
    actor, workspace = actor_and_workspace(request)
    return paginate(selectors.membership_list(actor=actor, workspace=workspace), ordering=("id",), cursor=page.cursor, limit=page.limit)


@router.get("/members/{member_id}", response=MemberOut, tags=["members"])
def get_member(request: HttpRequest, member_id: int) -> Any:
    actor, workspace = actor_and_workspace(request)
    return selectors.membership_get(actor=actor, workspace=workspace, pk=member_id)


@router.patch("/members/{member_id}", response=MemberOut, tags=["members"], summary="Change a member's role")
def update_member(request: HttpRequest, member_id: int, payload: MemberUpdateIn) -> Any:
    actor, workspace = actor_and_workspace(request)
    membership = selectors.membership_get(actor=actor, workspace=workspace, pk=member_id)
    return services.member_change_role(actor=actor, workspace=workspace, membership=membership, role=payload.role)


@router.delete("/members/{member_id}", response={204: None}, tags=["members"], summary="Remove a member from the workspace")
def remove_member(request: HttpRequest, member_id: int) -> Any:
    actor, workspace = actor_and_workspace(request)
    membership = selectors.membership_get(actor=actor, workspace=workspace, pk=member_id)
    services.member_remove(actor=actor, workspace=workspace, membership=membership)
    return Status(204, None)


# --- Invitations -----------------------------------------------------------------------------------


@router.get("/invitations", response=page_of(InvitationOut), tags=["invitations"])
def list_invitations(request: HttpRequest, page: Query[PageParams]) -> Any:
    actor, workspace = actor_and_workspace(request)
    return paginate(selectors.invitation_list(actor=actor, workspace=workspace), ordering=("-id",), cursor=page.cursor, limit=page.limit)


@router.post("/invitations", response={201: InvitationOut}, tags=["invitations"], summary="Invite someone by email")
def create_invitation(request: HttpRequest, payload: InvitationIn) -> Any:
    actor, workspace = actor_and_workspace(request)
    return Status(201, services.invitation_create(actor=actor, workspace=workspace, email=payload.email, role=payload.role))


@router.get("/invitations/{invitation_id}", response=InvitationOut, tags=["invitations"])
def get_invitation(request: HttpRequest, invitation_id: int) -> Any:
    actor, workspace = actor_and_workspace(request)
    return selectors.invitation_get(actor=actor, workspace=workspace, pk=invitation_id)


@router.delete("/invitations/{invitation_id}", response=InvitationOut, tags=["invitations"], summary="Revoke an invitation")
def revoke_invitation(request: HttpRequest, invitation_id: int) -> Any:
    actor, workspace = actor_and_workspace(request)
    invitation = selectors.invitation_get(actor=actor, workspace=workspace, pk=invitation_id)
    return services.invitation_revoke(actor=actor, workspace=workspace, invitation=invitation)


# --- Teams ---------------------------------------------------------------------------------------


@router.get("/teams", response=page_of(TeamOut), tags=["teams"])
def list_teams(request: HttpRequest, page: Query[PageParams]) -> Any:
    actor, workspace = actor_and_workspace(request)
    return paginate(selectors.team_list(actor=actor, workspace=workspace), ordering=("name", "id"), cursor=page.cursor, limit=page.limit)


@router.post("/teams", response={201: TeamOut}, tags=["teams"])
def create_team(request: HttpRequest, payload: TeamIn) -> Any:
    actor, workspace = actor_and_workspace(request)
    manager, members = _team_people(workspace, payload.manager_id, payload.member_ids)
    return Status(201, services.team_create(actor=actor, workspace=workspace, name=payload.name, manager=manager, members=members))


@router.get("/teams/{team_id}", response=TeamOut, tags=["teams"])
def get_team(request: HttpRequest, team_id: int) -> Any:
    actor, workspace = actor_and_workspace(request)
    return selectors.team_get(actor=actor, workspace=workspace, pk=team_id)


@router.patch("/teams/{team_id}", response=TeamOut, tags=["teams"])
def update_team(request: HttpRequest, team_id: int, payload: TeamPatch) -> Any:
    actor, workspace = actor_and_workspace(request)
    team = selectors.team_get(actor=actor, workspace=workspace, pk=team_id)
    fields = payload.model_fields_set
    manager_id = payload.manager_id if "manager_id" in fields else team.manager_id
    member_ids = payload.member_ids if payload.member_ids is not None else [m.pk for m in team.members.all()]
    manager, members = _team_people(workspace, manager_id, member_ids)
    return services.team_update(
        actor=actor, workspace=workspace, team=team, name=payload.name or team.name, manager=manager, members=members
    )


@router.delete("/teams/{team_id}", response={204: None}, tags=["teams"])
def delete_team(request: HttpRequest, team_id: int) -> Any:
    actor, workspace = actor_and_workspace(request)
    services.team_delete(actor=actor, workspace=workspace, team=selectors.team_get(actor=actor, workspace=workspace, pk=team_id))
    return Status(204, None)


def _team_people(workspace: Any, manager_id: int | None, member_ids: list[int]) -> tuple[Any, list[Any]]:
    """Resolve ids to members of this workspace; unknown ids are a field error, not a silent skip."""
    wanted = set(member_ids) | ({manager_id} if manager_id else set())
    people = {user.pk: user for user in selectors.member_users(workspace=workspace, pks=list(wanted))}
    if manager_id and manager_id not in people:
        raise ValidationError({"manager_id": f"No member with id {manager_id} in this workspace."})
    missing = sorted(set(member_ids) - set(people))
    if missing:
        raise ValidationError({"member_ids": f"No members with ids {missing} in this workspace."})
    return (people[manager_id] if manager_id else None), [people[pk] for pk in member_ids]


# --- Tokens ----------------------------------------------------------------------------------------


@router.get("/tokens", response=page_of(TokenOut), tags=["tokens"])
def list_tokens(request: HttpRequest, page: Query[PageParams]) -> Any:
    actor, workspace = actor_and_workspace(request)
    return paginate(selectors.token_list(actor=actor, workspace=workspace), ordering=("-id",), cursor=page.cursor, limit=page.limit)


@router.post("/tokens", response={201: TokenCreatedOut}, tags=["tokens"], summary="Create a token; its secret is shown once")
def create_token(request: HttpRequest, payload: TokenIn) -> Any:
    actor, workspace = actor_and_workspace(request)
    token, secret = services.token_create(actor=actor, workspace=workspace, name=payload.name)
    return Status(201, {**TokenOut.from_orm(token).dict(), "token": secret})


@router.get("/tokens/{token_id}", response=TokenOut, tags=["tokens"])
def get_token(request: HttpRequest, token_id: int) -> Any:
    actor, workspace = actor_and_workspace(request)
    return selectors.token_get(actor=actor, workspace=workspace, pk=token_id)


@router.delete("/tokens/{token_id}", response=TokenOut, tags=["tokens"], summary="Revoke a token")
def revoke_token(request: HttpRequest, token_id: int) -> Any:
    actor, workspace = actor_and_workspace(request)
    token = selectors.token_get(actor=actor, workspace=workspace, pk=token_id)
    return services.token_revoke(actor=actor, workspace=workspace, token=token)


# --- Audit log and failed tasks ------------------------------------------------------------------------


@router.get("/audit-log", response=page_of(AuditEntryOut), tags=["audit"], summary="Every change, newest first")
def list_audit_log(request: HttpRequest, page: Query[PageParams], filters: Query[AuditFilterIn]) -> Any:
    actor, workspace = actor_and_workspace(request)
    entries = selectors.audit_list(actor=actor, workspace=workspace, filters=selectors.AuditFilter(**filters.dict()))
    return paginate(entries, ordering=("-id",), cursor=page.cursor, limit=page.limit)


@router.get("/audit-log/{entry_id}", response=AuditEntryOut, tags=["audit"])
def get_audit_entry(request: HttpRequest, entry_id: int) -> Any:
    actor, workspace = actor_and_workspace(request)
    return selectors.audit_get(actor=actor, workspace=workspace, pk=entry_id)


@router.get("/task-failures", response=page_of(TaskFailureOut), tags=["audit"], summary="Background tasks that failed, with their errors")
def list_task_failures(request: HttpRequest, page: Query[PageParams]) -> Any:
    actor, workspace = actor_and_workspace(request)
    return paginate(selectors.task_failure_list(actor=actor, workspace=workspace), ordering=("-id",), cursor=page.cursor, limit=page.limit)


# --- Notifications ------------------------------------------------------------------------------------


@router.get("/notifications", response=page_of(NotificationOut), tags=["notifications"], summary="My notifications, newest first")
def list_notifications(request: HttpRequest, page: Query[PageParams], filters: Query[NotificationFilterIn]) -> Any:
    actor, workspace = actor_and_workspace(request)
    notifications = selectors.notification_list(actor=actor, workspace=workspace, unread=filters.unread)
    return paginate(notifications, ordering=("-id",), cursor=page.cursor, limit=page.limit)


@router.get("/notifications/unread-count", response=NotificationCountOut, tags=["notifications"], summary="How many are unread")
def count_unread_notifications(request: HttpRequest) -> Any:
    actor, workspace = actor_and_workspace(request)
    return {"unread": selectors.notification_unread_count(actor=actor, workspace=workspace)}


@router.post("/notifications/read", response=NotificationsMarkedOut, tags=["notifications"], summary="Mark all my notifications read")
def read_all_notifications(request: HttpRequest) -> Any:
    actor, workspace = actor_and_workspace(request)
    return {"unread": 0, "marked": services.notification_mark_all_read(actor=actor, workspace=workspace)}


@router.post("/notifications/{notification_id}/read", response=NotificationOut, tags=["notifications"], summary="Mark one read")
def read_notification(request: HttpRequest, notification_id: int) -> Any:
    actor, workspace = actor_and_workspace(request)
    notification = selectors.notification_get(actor=actor, workspace=workspace, pk=notification_id)
    return services.notification_mark_read(actor=actor, workspace=workspace, notification=notification)


def _preferences_out(preference: Any) -> dict[str, Any]:
    return {"digest": preference.digest, "last_digest_at": preference.last_digest_at, "kinds": notifications.preference_rows(preference)}


@router.get("/notification-preferences", response=NotificationPreferencesOut, tags=["notifications"], summary="How I hear about each kind")
def get_notification_preferences(request: HttpRequest) -> Any:
    actor, workspace = actor_and_workspace(request)
    selectors.notification_list(actor=actor, workspace=workspace)  # the same permission as reading my notifications
    return _preferences_out(notifications.preference_of(user=actor, workspace=workspace))


@router.patch(
    "/notification-preferences",
    response=NotificationPreferencesOut,
    tags=["notifications"],
    summary="Choose in-app and email per kind, and how often email comes",
)
def update_notification_preferences(request: HttpRequest, payload: NotificationPreferencesIn) -> Any:
    actor, workspace = actor_and_workspace(request)
    kinds = [row.model_dump(exclude_none=True) for row in payload.kinds]
    preference = notifications.preference_update(actor=actor, workspace=workspace, digest=payload.digest, kinds=kinds)
    return _preferences_out(preference)


# --- Alert rules ------------------------------------------------------------------------------------------


@router.get("/alert-rules", response=list[AlertRuleOut], tags=["alerts"], summary="The workspace's alert rules (admins)")
def list_alert_rules(request: HttpRequest) -> Any:
    actor, workspace = actor_and_workspace(request)
    rules = sorted(selectors.alert_rule_list(actor=actor, workspace=workspace), key=lambda rule: list(alerts.RULES).index(rule.kind))
    return [selectors.alert_rule_out(rule) for rule in rules]


@router.patch("/alert-rules/{rule_id}", response=AlertRuleOut, tags=["alerts"], summary="Turn a rule on or off, tune its parameters")
def update_alert_rule(request: HttpRequest, rule_id: int, payload: AlertRuleIn) -> Any:
    actor, workspace = actor_and_workspace(request)
    rule = selectors.alert_rule_get(actor=actor, workspace=workspace, pk=rule_id)
    rule = alerts.alert_rule_update(actor=actor, workspace=workspace, rule=rule, enabled=payload.enabled, params=payload.params)
    return selectors.alert_rule_out(rule)
