"""Reads of privacy: the erasure log, workspace-scoped, for the roles that run erasures."""

from __future__ import annotations

from django.db.models import QuerySet

from amity.core.access import require
from amity.core.models import User, Workspace
from amity.core.permissions import Action, ObjectType
from amity.core.tenancy import get_scoped_or_404
from amity.customers.models import Erasure


def erasure_list(*, actor: User, workspace: Workspace) -> QuerySet[Erasure]:
    """The workspace's erasures, newest first."""
    require(actor, workspace, Action.VIEW, ObjectType.PRIVACY_REQUEST)
    return Erasure.objects.filter(workspace=workspace)


def erasure_get(*, actor: User, workspace: Workspace, pk: int) -> Erasure:
    """One erasure of the workspace; another workspace's is a 404."""
    return get_scoped_or_404(erasure_list(actor=actor, workspace=workspace), pk=pk)


def latest_erasure_of(*, actor: User, workspace: Workspace, contact_id: int) -> Erasure | None:
    """The person's most recent erasure, if one was ever asked for."""
    return erasure_list(actor=actor, workspace=workspace).filter(contact_id=contact_id).order_by("-created_at", "-id").first()
