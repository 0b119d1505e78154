"""Who may do what: the one map from role to permitted actions and record visibility.

Each role grants, per object type, a set of actions and a visibility scope:
`own` (records the user owns), `team` (records owned by anyone in the user's teams) or `all`.
Later apps add their object types here, in this one table, so that a reader sees every rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    OWNER = "owner"
    ADMIN = "admin"
    MANAGER = "manager"
    SALES = "sales"
    MARKETING = "marketing"
    SUPPORT = "support"
    SUPPLY = "supply"
    VIEWER = "viewer"

    @property
    def label(self) -> str:
        return self.value.capitalize()


ROLE_CHOICES = [(role.value, role.label) for role in Role]


class Action(StrEnum):
    VIEW = "view"
    ADD = "add"
    CHANGE = "change"
    DELETE = "delete"


class Scope(StrEnum):
    NONE = "none"
    OWN = "own"
    TEAM = "team"
    ALL = "all"


class ObjectType(StrEnum):
    WORKSPACE = "workspace"
    MEMBER = "member"
    INVITATION = "invitation"
    TEAM = "team"
    TOKEN = "token"
    AUDIT_ENTRY = "audit_entry"
    TASK_FAILURE = "task_failure"
    CONTACT = "contact"
    ACCOUNT = "account"
    INTERACTION = "interaction"
    NOTE = "note"
    TASK = "task"
    NOTIFICATION = "notification"


@dataclass(frozen=True)
class Grant:
    actions: frozenset[Action]
    scope: Scope = Scope.ALL


NOTHING = Grant(frozenset())
READ = Grant(frozenset({Action.VIEW}))
FULL = Grant(frozenset(Action))
OWN_FULL = Grant(frozenset(Action), Scope.OWN)
WRITE = Grant(frozenset({Action.VIEW, Action.ADD, Action.CHANGE}))
TEAM_FULL = Grant(frozenset(Action), Scope.TEAM)

# Customers and their timeline. Everyone who works with customers reads every customer and every
# interaction and note (a shared history is the point of a CRM); sales, marketing, support and
# managers log and edit them (services let only the author or a manager+ change someone else's entry).
# Tasks are visible by assignee: owners, admins and managers see all; staff see their team's
# (their own included), so a rep is not flooded by the whole company's to-dos; supply and viewers
# only read. Notifications are personal: each person sees and marks only their own.
_CUSTOMER_WORK: dict[ObjectType, Grant] = {
    ObjectType.CONTACT: FULL,
    ObjectType.ACCOUNT: FULL,
    ObjectType.INTERACTION: FULL,
    ObjectType.NOTE: FULL,
    ObjectType.TASK: FULL,
    ObjectType.NOTIFICATION: Grant(frozenset({Action.VIEW, Action.CHANGE}), Scope.OWN),
}
_STAFF_CUSTOMER_WORK: dict[ObjectType, Grant] = {
    **_CUSTOMER_WORK,
    ObjectType.CONTACT: WRITE,
    ObjectType.ACCOUNT: WRITE,
    ObjectType.TASK: TEAM_FULL,
}
_READ_CUSTOMER_WORK: dict[ObjectType, Grant] = {
    **_CUSTOMER_WORK,
    ObjectType.CONTACT: READ,
    ObjectType.ACCOUNT: READ,
    ObjectType.INTERACTION: READ,
    ObjectType.NOTE: READ,
    ObjectType.TASK: Grant(frozenset({Action.VIEW}), Scope.TEAM),
}

# Every role keeps its own API tokens; only owners and admins see everyone's.
_ADMINISTRATION: dict[ObjectType, Grant] = {
    ObjectType.WORKSPACE: Grant(frozenset({Action.VIEW, Action.CHANGE})),
    ObjectType.MEMBER: FULL,
    ObjectType.INVITATION: FULL,
    ObjectType.TEAM: FULL,
    ObjectType.TOKEN: FULL,
    ObjectType.AUDIT_ENTRY: READ,
    ObjectType.TASK_FAILURE: READ,
}
_STAFF: dict[ObjectType, Grant] = {
    ObjectType.WORKSPACE: READ,
    ObjectType.MEMBER: READ,
    ObjectType.INVITATION: NOTHING,
    ObjectType.TEAM: READ,
    ObjectType.TOKEN: OWN_FULL,
    ObjectType.AUDIT_ENTRY: NOTHING,
    ObjectType.TASK_FAILURE: NOTHING,
}
_MANAGER: dict[ObjectType, Grant] = {**_STAFF, ObjectType.TEAM: Grant(frozenset({Action.VIEW, Action.CHANGE}), Scope.ALL)}

GRANTS: dict[Role, dict[ObjectType, Grant]] = {
    Role.OWNER: {**_ADMINISTRATION, **_CUSTOMER_WORK, ObjectType.WORKSPACE: FULL},
    Role.ADMIN: {**_ADMINISTRATION, **_CUSTOMER_WORK},
    Role.MANAGER: {**_MANAGER, **_CUSTOMER_WORK},
    Role.SALES: {**_STAFF, **_STAFF_CUSTOMER_WORK},
    Role.MARKETING: {**_STAFF, **_STAFF_CUSTOMER_WORK},
    Role.SUPPORT: {**_STAFF, **_STAFF_CUSTOMER_WORK},
    Role.SUPPLY: {**_STAFF, **_READ_CUSTOMER_WORK},
    Role.VIEWER: {**_STAFF, **_READ_CUSTOMER_WORK},
}

# Roles an inviter may hand out: nobody can grant more than they hold.
ASSIGNABLE_ROLES: dict[Role, frozenset[Role]] = {
    Role.OWNER: frozenset(Role),
    Role.ADMIN: frozenset(Role) - {Role.OWNER},
}


def grant_for(role: str, object_type: ObjectType) -> Grant:
    return GRANTS[Role(role)].get(object_type, NOTHING)


def can(role: str, action: Action, object_type: ObjectType) -> bool:
    return action in grant_for(role, object_type).actions


def visibility(role: str, object_type: ObjectType) -> Scope:
    grant = grant_for(role, object_type)
    return grant.scope if Action.VIEW in grant.actions else Scope.NONE


def can_assign(role: str, target_role: str) -> bool:
    return Role(target_role) in ASSIGNABLE_ROLES.get(Role(role), frozenset())
