"""API authentication: `Authorization: Bearer <token>`, one token per user and workspace."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer

from amity.core import audit
from amity.core.access import remember_membership
from amity.core.models import ApiToken, Door, Membership, User, Workspace, hash_secret
from amity.core.services import token_mark_used


class TokenAuth(HttpBearer):
    """Finds the token by its hash; a revoked token, or one whose user left the workspace, is refused."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        api_token = (
            ApiToken.objects.select_related("user", "workspace")
            .filter(token_hash=hash_secret(token), revoked_at__isnull=True, user__is_active=True)
            .first()
        )
        if api_token is None:
            return None
        membership = Membership.objects.filter(workspace_id=api_token.workspace_id, user_id=api_token.user_id).first()
        if membership is None:
            return None
        membership.workspace = api_token.workspace
        remember_membership(api_token.user, membership)
        request.user = api_token.user
        request.workspace = api_token.workspace  # type: ignore[attr-defined]
        request.api_token = api_token  # type: ignore[attr-defined]
        audit.set_door(Door.API, token=api_token)
        token_mark_used(api_token)
        return api_token


def actor_and_workspace(request: HttpRequest) -> tuple[User, Workspace]:
    """Who is calling, and in which workspace (set by TokenAuth)."""
    return request.user, request.workspace  # type: ignore[return-value, attr-defined]
