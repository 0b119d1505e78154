"""What the API takes in and gives out for workspaces, people, teams, tokens and the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Field, Schema

from amity.core.models import Door
from amity.core.permissions import Role


class WorkspaceOut(Schema):
    id: int
    name: str
    slug: str
    created_at: datetime


class WorkspaceIn(Schema):
    name: str = Field(..., min_length=1, max_length=120)


class MeOut(Schema):
    id: int
    email: str
    full_name: str
    time_zone: str
    workspace: WorkspaceOut
    role: Role


class MemberOut(Schema):
    id: int
    user_id: int
    email: str = Field(..., alias="user.email")
    full_name: str = Field(..., alias="user.full_name")
    role: Role
    created_at: datetime


class MemberUpdateIn(Schema):
    role: Role


class InvitationOut(Schema):
    id: int
    email: str
    role: Role
    status: str
    invited_by_id: int | None
    created_at: datetime
    expires_at: datetime
    accepted_at: datetime | None
    revoked_at: datetime | None


class InvitationIn(Schema):
    email: str = Field(..., max_length=254, description="Checked by the same rule as the web form.")
    role: Role


class TeamOut(Schema):
    id: int
    name: str
    manager_id: int | None
    member_ids: list[int]
    created_at: datetime

    @staticmethod
    def resolve_member_ids(team: Any) -> list[int]:
        return sorted(member.pk for member in team.members.all())


class TeamIn(Schema):
    name: str = Field(..., min_length=1, max_length=120)
    manager_id: int | None = None
    member_ids: list[int] = Field(default_factory=list, max_length=1000)


class TeamPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=120)
    manager_id: int | None = None
    member_ids: list[int] | None = Field(None, max_length=1000)


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    user_id: int
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenCreatedOut(TokenOut):
    token: str = Field(..., description="The secret. It is shown only this once; store it now.")


class TokenIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)


class AuditEntryOut(Schema):
    id: int
    created_at: datetime
    actor_id: int | None
    actor_label: str
    token_id: int | None
    door: Door
    action: str
    object_type: str
    object_id: str
    object_repr: str
    changes: dict[str, Any]


class AuditFilterIn(Schema):
    actor_id: int | None = None
    door: Door | None = None
    action: str | None = None
    object_type: str | None = None
    object_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None


class TaskFailureOut(Schema):
    id: int
    task_name: str
    attempt: int
    max_attempts: int
    error: str
    retry_at: datetime | None
    created_at: datetime


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    url: str
    created_at: datetime
    read_at: datetime | None


class NotificationFilterIn(Schema):
    unread: bool | None = Field(None, description="true: only unread; false: only read.")


class NotificationCountOut(Schema):
    unread: int


class NotificationsMarkedOut(Schema):
    unread: int
    marked: int = Field(description="How many this request marked read.")


class AlertParamOut(Schema):
    key: str
    label: str
    minimum: int
    maximum: int
    decimal: bool = Field(description="A money amount (a string with decimals) rather than a whole number.")
    unit: str


class AlertRuleOut(Schema):
    id: int
    kind: str
    label: str
    description: str
    enabled: bool
    params: dict[str, Any] = Field(description="The values in force: the workspace's own, or the defaults.")
    defaults: dict[str, Any]
    param_specs: list[AlertParamOut]
    event: bool = Field(description="Raised when the event happens (a deal moved backward) rather than by the worker's evaluation.")


class AlertRuleIn(Schema):
    enabled: bool | None = None
    params: dict[str, Any] | None = Field(None, description='Parameters to change, e.g. {"days": 21}; the others keep their values.')


class NotificationKindPreference(Schema):
    kind: str
    label: str = ""
    in_app: bool
    email: bool


class NotificationKindPreferenceIn(Schema):
    kind: str
    in_app: bool | None = None
    email: bool | None = None


class NotificationPreferencesOut(Schema):
    digest: str = Field(description="immediate, hourly, daily or never: how often email comes.")
    last_digest_at: datetime | None
    kinds: list[NotificationKindPreference]


class NotificationPreferencesIn(Schema):
    digest: str | None = Field(None, description="immediate, hourly, daily or never.")
    kinds: list[NotificationKindPreferenceIn] = []
