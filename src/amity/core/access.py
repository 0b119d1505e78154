"""The acting user's place in a workspace: their role, and the helpers that apply it to reads and writes."""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.http import Http404

from amity.core.models import FieldDefinition, Membership, Team, User, Workspace
from amity.core.permissions import Action, ObjectType, Scope, can, denied_fields, denies_sensitive_custom, visibility

M = TypeVar("M", bound=models.Model)


def membership_of(user: User, workspace: Workspace) -> Membership | None:
    """The user's membership, fetched once per user object and workspace."""
    cache: dict[int, Membership | None] = user.__dict__.setdefault("_amity_memberships", {})
    if workspace.pk not in cache:
        cache[workspace.pk] = Membership.objects.filter(workspace=workspace, user=user).first() if user.is_authenticated else None
    return cache[workspace.pk]


def remember_membership(user: User, membership: Membership) -> None:
    user.__dict__.setdefault("_amity_memberships", {})[membership.workspace_id] = membership


def forget_memberships(user: User) -> None:
    user.__dict__.pop("_amity_memberships", None)
    user.__dict__.pop("_amity_hidden_fields", None)


def role_of(user: User, workspace: Workspace) -> str:
    """The user's role in the workspace; a workspace they are not in does not exist for them."""
    membership = membership_of(user, workspace)
    if membership is None:
        raise Http404("No workspace matches the given query.")
    return membership.role


def allowed(user: User, workspace: Workspace, action: Action, object_type: ObjectType) -> bool:
    membership = membership_of(user, workspace)
    return membership is not None and can(membership.role, action, object_type)


def require(user: User, workspace: Workspace, action: Action, object_type: ObjectType) -> None:
    """Stop a user whose role does not grant `action` on `object_type`."""
    if not can(role_of(user, workspace), action, object_type):
        raise PermissionDenied(f"Your role does not allow you to {action} {object_type.replace('_', ' ')}s.")


def hidden_fields(user: User, workspace: Workspace, object_type: str) -> frozenset[str]:
    """The fields of `object_type` the user's role may not see: declared ones (`phones`) and sensitive custom fields (`custom.<key>`).

    Worked out once per user object (a request's) and record type: every door of a page asks it again.
    """
    cache: dict[tuple[int, str], frozenset[str]] = user.__dict__.setdefault("_amity_hidden_fields", {})
    if (workspace.pk, object_type) not in cache:
        role = role_of(user, workspace)
        custom: frozenset[str] = frozenset()
        if denies_sensitive_custom(role, object_type):
            keys = FieldDefinition.objects.filter(workspace=workspace, object_type=object_type, sensitive=True).values_list(
                "key", flat=True
            )
            custom = frozenset(f"custom.{key}" for key in keys)
        cache[(workspace.pk, object_type)] = denied_fields(role, object_type) | custom
    return cache[(workspace.pk, object_type)]


def refuse_hidden(user: User, workspace: Workspace, object_type: str, data: Any) -> None:
    """Refuse a write that sets a field the user may not see (403 naming it), rather than change what they cannot check."""
    hidden = hidden_fields(user, workspace, object_type)
    if not hidden:
        return
    given = set(data) | {f"custom.{key}" for key in (data.get("custom") or {})}
    refused = sorted(given & hidden)
    if refused:
        raise PermissionDenied(f"Your role may not see or change {', '.join(refused)} of a {object_type.replace('_', ' ')}.")


def without_hidden(values: dict[str, Any], hidden: frozenset[str]) -> dict[str, Any]:
    """A record's fields as the API gives them, without the `hidden` ones (custom ones are taken out of `custom`)."""
    if not hidden:
        return values
    shown = {name: value for name, value in values.items() if name not in hidden}
    if isinstance(shown.get("custom"), dict):
        shown["custom"] = {key: value for key, value in shown["custom"].items() if f"custom.{key}" not in hidden}
    return shown


def team_member_ids(user: User, workspace: Workspace) -> models.QuerySet[User, Any]:
    """Everyone in a team the user belongs to or manages (a subquery, not a list)."""
    teams = Team.objects.filter(workspace=workspace).filter(Q(members=user) | Q(manager=user))
    return User.objects.filter(Q(teams__in=teams) | Q(pk=user.pk)).values("pk")


def visible(
    queryset: models.QuerySet[M],
    *,
    actor: User,
    workspace: Workspace,
    object_type: ObjectType,
    owner_field: str = "owner",
) -> models.QuerySet[M]:
    """Scope a queryset to the workspace and to what the actor's role lets them see.

    A role that may see no record of the type is told so (403); a record outside the role's
    own/team scope is simply not there (404 on fetch, absent from lists).
    """
    scoped = queryset.filter(workspace=workspace)
    scope = visibility(role_of(actor, workspace), object_type)
    if scope == Scope.NONE:
        raise PermissionDenied(f"Your role does not allow you to see {object_type.replace('_', ' ')}s.")
    if scope == Scope.ALL:
        return scoped
    if scope == Scope.OWN:
        return scoped.filter(**{owner_field: actor})
    return scoped.filter(**{f"{owner_field}__in": team_member_ids(actor, workspace)})
