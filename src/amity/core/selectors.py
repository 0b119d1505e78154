"""Reads of workspaces, people, teams, tokens and the audit log, scoped to the workspace and the actor's role."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from amity.core.access import require, visible
from amity.core.models import AlertRule, ApiToken, AuditEntry, Invitation, Membership, Notification, TaskFailure, Team, User, Workspace
from amity.core.permissions import Action, ObjectType
from amity.core.tenancy import get_scoped_or_404


def workspaces_of(user: User) -> models.QuerySet[Workspace]:
    """The workspaces a user belongs to, by name."""
    return Workspace.objects.filter(pk__in=Membership.objects.filter(user=user).values("workspace_id")).order_by("name", "pk")


def workspace_for_member(*, user: User, slug: str) -> Workspace:
    """A workspace by its slug, if the user is a member; otherwise it does not exist for them."""
    return get_scoped_or_404(workspaces_of(user), slug=slug)


def membership_list(*, actor: User, workspace: Workspace) -> models.QuerySet[Membership]:
    return visible(
        Membership.objects.select_related("user"), actor=actor, workspace=workspace, object_type=ObjectType.MEMBER, owner_field="user"
    )


def membership_get(*, actor: User, workspace: Workspace, pk: int) -> Membership:
    return get_scoped_or_404(membership_list(actor=actor, workspace=workspace), pk=pk)


def invitation_list(*, actor: User, workspace: Workspace, pending_only: bool = False) -> models.QuerySet[Invitation]:
    invitations = visible(
        Invitation.objects.select_related("invited_by"),
        actor=actor,
        workspace=workspace,
        object_type=ObjectType.INVITATION,
        owner_field="invited_by",
    )
    if pending_only:
        invitations = invitations.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now())
    return invitations


def invitation_get(*, actor: User, workspace: Workspace, pk: int) -> Invitation:
    return get_scoped_or_404(invitation_list(actor=actor, workspace=workspace), pk=pk)


def team_list(*, actor: User, workspace: Workspace) -> models.QuerySet[Team]:
    return visible(
        Team.objects.select_related("manager").prefetch_related("members"),
        actor=actor,
        workspace=workspace,
        object_type=ObjectType.TEAM,
        owner_field="manager",
    )


def team_get(*, actor: User, workspace: Workspace, pk: int) -> Team:
    return get_scoped_or_404(team_list(actor=actor, workspace=workspace), pk=pk)


def member_users(*, workspace: Workspace, pks: list[int]) -> list[User]:
    """Users by id, only those who are members of the workspace (others are simply not found)."""
    return list(User.objects.filter(pk__in=pks, memberships__workspace=workspace))


def member_or_none(*, workspace: Workspace, user_id: int | None, field: str = "owner_id") -> User | None:
    """The member with this id (None for none), or a field error naming `field` when nobody in the workspace has it."""
    if user_id is None:
        return None
    people = member_users(workspace=workspace, pks=[user_id])
    if not people:
        raise ValidationError({field: f"No member with id {user_id} in this workspace."})
    return people[0]


def token_list(*, actor: User, workspace: Workspace) -> models.QuerySet[ApiToken]:
    return visible(
        ApiToken.objects.select_related("user"), actor=actor, workspace=workspace, object_type=ObjectType.TOKEN, owner_field="user"
    )


def token_get(*, actor: User, workspace: Workspace, pk: int) -> ApiToken:
    return get_scoped_or_404(token_list(actor=actor, workspace=workspace), pk=pk)


@dataclass(frozen=True)
class AuditFilter:
    actor_id: int | None = None
    door: str | None = None
    action: str | None = None
    object_type: str | None = None
    object_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def audit_list(*, actor: User, workspace: Workspace, filters: AuditFilter | None = None) -> models.QuerySet[AuditEntry]:
    """The workspace's audit trail, newest first, for those whose role may read it."""
    require(actor, workspace, Action.VIEW, ObjectType.AUDIT_ENTRY)
    entries = AuditEntry.objects.filter(workspace=workspace)
    filters = filters or AuditFilter()
    lookups = {
        "actor_id": filters.actor_id,
        "door": filters.door,
        "action": filters.action,
        "object_type": filters.object_type,
        "object_id": filters.object_id,
        "created_at__gte": filters.since,
        "created_at__lt": filters.until,
    }
    return entries.filter(**{key: value for key, value in lookups.items() if value not in (None, "")})


def audit_get(*, actor: User, workspace: Workspace, pk: int) -> AuditEntry:
    return get_scoped_or_404(audit_list(actor=actor, workspace=workspace), pk=pk)


def audit_object_types(*, workspace: Workspace) -> list[str]:
    return list(AuditEntry.objects.filter(workspace=workspace).order_by().values_list("object_type", flat=True).distinct())


def task_failure_list(*, actor: User, workspace: Workspace) -> models.QuerySet[TaskFailure]:
    """Failed background work of this workspace (system-wide failures are for operators, in the admin site)."""
    require(actor, workspace, Action.VIEW, ObjectType.TASK_FAILURE)
    return TaskFailure.objects.filter(workspace=workspace).order_by("-id")


def member_people(*, actor: User, workspace: Workspace) -> models.QuerySet[User]:
    """The people in the workspace, by name, for pickers (a manager, a team's members)."""
    require(actor, workspace, Action.VIEW, ObjectType.MEMBER)
    return User.objects.filter(memberships__workspace=workspace).order_by("full_name", "email")


def account_exists(*, email: str) -> bool:
    """Whether someone already signs in with this email (an invitation then asks them to sign in)."""
    return User.objects.filter(email=email.strip().lower()).exists()


def notification_list(*, actor: User, workspace: Workspace, unread: bool | None = None) -> models.QuerySet[Notification]:
    """My notifications in this workspace (nobody sees anyone else's)."""
    notifications = visible(
        Notification.objects.filter(in_app=True),
        actor=actor,
        workspace=workspace,
        object_type=ObjectType.NOTIFICATION,
        owner_field="recipient",
    )
    if unread is not None:
        notifications = notifications.filter(read_at__isnull=unread)
    return notifications


def notification_get(*, actor: User, workspace: Workspace, pk: int) -> Notification:
    return get_scoped_or_404(notification_list(actor=actor, workspace=workspace), pk=pk)


def notification_unread_count(*, actor: User, workspace: Workspace) -> int:
    return int(notification_list(actor=actor, workspace=workspace, unread=True).count())


def notification_bell_state(*, actor: User, workspace: Workspace) -> tuple[int, int]:
    """(unread count, newest id) of my notifications in one query: what the bell polls to see whether anything changed."""
    found = notification_list(actor=actor, workspace=workspace).aggregate(
        unread=models.Count("pk", filter=models.Q(read_at__isnull=True)), latest=models.Max("pk")
    )
    return int(found["unread"] or 0), int(found["latest"] or 0)


def alert_rule_list(*, actor: User, workspace: Workspace) -> models.QuerySet[AlertRule]:
    """The workspace's alert rules, one per registered rule (set up with their defaults on first use); admins only."""
    from amity.core.alerts import RULES, alert_rules_setup

    rules = visible(AlertRule.objects.filter(kind__in=list(RULES)), actor=actor, workspace=workspace, object_type=ObjectType.ALERT_RULE)
    alert_rules_setup(workspace=workspace)
    return rules


def alert_rule_get(*, actor: User, workspace: Workspace, pk: int) -> AlertRule:
    from amity.core.alerts import RULES

    rules = visible(AlertRule.objects.filter(kind__in=list(RULES)), actor=actor, workspace=workspace, object_type=ObjectType.ALERT_RULE)
    return get_scoped_or_404(rules, pk=pk)


def alert_rule_out(rule: AlertRule) -> dict[str, Any]:
    """A rule row with its registered label, parameters in force and their bounds: what the API and the settings page show."""
    from amity.core.alerts import RULES, merged_setting

    rule_type = RULES[rule.kind]
    setting = merged_setting(rule_type, rule)
    return {
        "id": rule.pk,
        "kind": rule.kind,
        "label": rule_type.label,
        "description": rule_type.description,
        "enabled": rule.enabled,
        "params": {key: str(value) if isinstance(value, Decimal) else value for key, value in setting.params.items()},
        "defaults": {key: str(value) if isinstance(value, Decimal) else value for key, value in rule_type.defaults.items()},
        "param_specs": rule_type.params,
        "event": rule_type.find is None,
        "icon": rule_type.icon,
    }
