"""What every page's shell needs: the current workspace, the user's other workspaces, and the navigation their role allows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from amity.core import selectors
from amity.core.access import allowed
from amity.core.models import User, Workspace
from amity.core.permissions import Action, ObjectType


@dataclass(frozen=True)
class NavItem:
    label: str
    icon: str
    url: str
    active: bool


# (url name, label, Tabler icon, the grant that shows it, the url names that mark it active)
SETTINGS_PAGES: list[tuple[str, str, str, tuple[Action, ObjectType] | None, tuple[str, ...]]] = [
    ("settings_workspace", "Workspace", "building", (Action.CHANGE, ObjectType.WORKSPACE), ()),
    ("settings_members", "Members", "users", (Action.VIEW, ObjectType.MEMBER), ()),
    ("settings_teams", "Teams", "users-group", (Action.VIEW, ObjectType.TEAM), ("settings_team_create", "settings_team_edit")),
    (
        "settings_custom_fields",
        "Custom fields",
        "forms",
        (Action.CHANGE, ObjectType.CUSTOM_FIELD),
        ("settings_custom_field_create", "settings_custom_field_edit"),
    ),
    ("settings_lead_scoring", "Lead scoring", "flame", (Action.CHANGE, ObjectType.LEAD_RULE), ()),
    ("settings_lead_assignment", "Lead assignment", "arrows-split", (Action.CHANGE, ObjectType.LEAD_RULE), ()),
    (
        "settings_web_forms",
        "Web forms",
        "forms",
        (Action.CHANGE, ObjectType.WEB_FORM),
        ("settings_web_form_create", "settings_web_form_edit"),
    ),
    (
        "settings_currencies",
        "Currencies",
        "currency-euro",
        (Action.CHANGE, ObjectType.EXCHANGE_RATE),
        ("settings_rate_edit", "settings_rate_create"),
    ),
    ("settings_duplicates", "Duplicates", "arrows-join", (Action.CHANGE, ObjectType.DEDUPE_SETTING), ()),
    ("settings_service_desk", "Service desk", "lifebuoy", (Action.CHANGE, ObjectType.QUEUE), ()),
    ("settings_case_routing", "Case routing", "route", (Action.CHANGE, ObjectType.QUEUE), ()),
    ("settings_service_levels", "Service levels", "clock-check", (Action.CHANGE, ObjectType.SLA_POLICY), ()),
    ("settings_replies", "Replies and macros", "message-2-bolt", (Action.CHANGE, ObjectType.CASE_KIND), ()),
    ("settings_portal", "Customer portal", "door-enter", (Action.CHANGE, ObjectType.QUEUE), ()),
    ("settings_alerts", "Alerts", "bell-ringing", (Action.VIEW, ObjectType.ALERT_RULE), ()),
    ("privacy_requests", "Privacy requests", "shield-lock", (Action.VIEW, ObjectType.PRIVACY_REQUEST), ()),
    ("retention_rules", "Retention rules", "clock-x", (Action.VIEW, ObjectType.RETENTION_RULE), ("retention_rule",)),
    ("settings_tokens", "API tokens", "key", (Action.VIEW, ObjectType.TOKEN), ()),
    ("settings_audit", "Audit log", "history", (Action.VIEW, ObjectType.AUDIT_ENTRY), ()),
    ("settings_tasks", "Background tasks", "alert-triangle", (Action.VIEW, ObjectType.TASK_FAILURE), ()),
    ("profile", "Your profile", "user-circle", None, ()),
    ("notification_preferences", "Your notifications", "bell-cog", None, ()),
]


class Can:
    """`{% if can.change_member %}` in templates: whether the user's role grants an action on an object type."""

    def __init__(self, user: User, workspace: Workspace) -> None:
        self.user, self.workspace = user, workspace

    def __getattr__(self, name: str) -> bool:
        action, _, object_type = name.partition("_")
        try:
            return allowed(self.user, self.workspace, Action(action), ObjectType(object_type))
        except ValueError:
            raise AttributeError(name) from None


def settings_nav(user: User, workspace: Workspace, current: str) -> list[NavItem]:
    items = []
    for name, label, icon, grant, also in SETTINGS_PAGES:
        if grant is None or allowed(user, workspace, *grant):
            url = reverse(name, kwargs={"slug": workspace.slug})
            items.append(NavItem(label=label, icon=icon, url=url, active=current == name or current in also))
    return items


def shell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if not isinstance(user, User):
        return {}
    context: dict[str, Any] = {"workspaces": SimpleLazyObject(lambda: list(selectors.workspaces_of(user)))}
    workspace = getattr(request, "workspace", None)
    if isinstance(workspace, Workspace):
        current = request.resolver_match.url_name if request.resolver_match else ""
        context.update(
            {
                "workspace": workspace,
                "membership": getattr(request, "membership", None),
                "can": Can(user, workspace),
                "settings_nav": SimpleLazyObject(lambda: settings_nav(user, workspace, current or "")),
                "nav_current": current,
            }
        )
    return context
