"""What every workspace page shares: finding the workspace, checking the role, picking page or fragment."""

from __future__ import annotations

import functools
import zoneinfo
from collections.abc import Callable
from typing import Any, Concatenate, ParamSpec

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from amity.core import selectors, services
from amity.core.access import allowed, membership_of
from amity.core.models import Membership, User, Workspace
from amity.core.permissions import Action, ObjectType

P = ParamSpec("P")


class WorkspaceRequest(HttpRequest):
    """A request inside /w/<slug>/: the signed-in user, the workspace and their membership of it."""

    user: User
    workspace: Workspace
    membership: Membership


def user_time_zone(user: Any) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(getattr(user, "time_zone", "") or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def workspace_view(view: Callable[Concatenate[WorkspaceRequest, P], HttpResponse]) -> Callable[..., HttpResponse]:
    """Resolve /w/<slug>/ for a member (a 404 for anyone else) and show times in the user's zone."""

    @login_required
    @functools.wraps(view)
    def wrapper(request: HttpRequest, slug: str, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        user = request.user
        assert isinstance(user, User)
        workspace = selectors.workspace_for_member(user=user, slug=slug)
        membership = membership_of(user, workspace)
        assert membership is not None
        membership.workspace = workspace
        request.workspace = workspace  # type: ignore[attr-defined]
        request.membership = membership  # type: ignore[attr-defined]
        services.user_remember_workspace(user=user, workspace=workspace)
        with timezone.override(user_time_zone(user)):
            return view(request, *args, **kwargs)  # type: ignore[arg-type]

    return wrapper


def ensure(request: WorkspaceRequest, action: Action, object_type: ObjectType) -> None:
    """Refuse the request (403) when the role does not grant the action; the nav hides such pages too."""
    if not allowed(request.user, request.workspace, action, object_type):
        raise PermissionDenied(f"Your role does not allow you to {action} {object_type.replace('_', ' ')}s.")


def render_page(
    request: HttpRequest, template: str, context: dict[str, Any], *, partial: str | None = None, status: int = 200
) -> HttpResponse:
    """The whole page, or only its `partial` (a django-template-partials name) when htmx asks."""
    if partial and getattr(request, "htmx", False):
        return render(request, f"{template}#{partial}", context, status=status)
    return render(request, template, context, status=status)


def keyset_page(queryset: Any, *, ordering: Any, cursor: str | None, limit: int) -> Any:
    """One keyset page of a list from the URL's cursor; a cursor that does not parse (or of another sort) starts again at the top."""
    from django.core.exceptions import ValidationError

    from amity.api.pagination import paginate

    try:
        return paginate(queryset, ordering=ordering, cursor=cursor or None, limit=limit)
    except ValidationError:
        return paginate(queryset, ordering=ordering, cursor=None, limit=limit)
