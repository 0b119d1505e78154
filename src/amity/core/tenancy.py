"""The tenancy wall: every business row belongs to a workspace, and reads start from it.

A model that holds workspace data inherits `WorkspaceScopedModel`. Its default manager has no
unscoped shortcut for request code: selectors call `Model.objects.in_workspace(workspace)` and
`get_scoped_or_404`, so a record of another workspace is a 404, never a 403 that admits it
exists. `tests/core/test_tenancy_models.py` fails for any new model that forgets this.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.http import Http404

if TYPE_CHECKING:
    from amity.core.models import Workspace

M = TypeVar("M", bound=models.Model)


class WorkspaceQuerySet(models.QuerySet[M]):
    def in_workspace(self, workspace: Workspace) -> WorkspaceQuerySet[M]:
        return self.filter(workspace=workspace)


class WorkspaceScopedModel(models.Model):
    """A row that belongs to exactly one workspace."""

    workspace = models.ForeignKey("core.Workspace", on_delete=models.CASCADE, related_name="+")

    objects: Any = WorkspaceQuerySet.as_manager()

    class Meta:
        abstract = True


def get_scoped_or_404(queryset: models.QuerySet[M], **lookup: Any) -> M:
    """Fetch one row of an already scoped queryset, or 404 whether it is missing or hidden."""
    try:
        return queryset.get(**lookup)
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404(f"No {queryset.model._meta.verbose_name} matches the given query.") from None
