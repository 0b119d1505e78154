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


def unchecked_workspace(*, db_index: bool = True) -> Any:
    """The workspace of a row that an import writes in bulk beside its record, with no constraint in the database.

    The record (a contact, an account) carries the checked key; its emails, phones, links and search rows copy it.
    PostgreSQL checked each copy against the workspace at commit, a third of an imported contact's foreign-key work.
    Django still deletes the rows with their workspace (`on_delete`), and every read still filters by it.
    `db_index=False` where an index that starts with the workspace serves every query by it.
    """
    return models.ForeignKey("core.Workspace", on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=db_index)


def get_scoped_or_404(queryset: models.QuerySet[M], **lookup: Any) -> M:
    """Fetch one row of an already scoped queryset, or 404 whether it is missing or hidden."""
    try:
        return queryset.get(**lookup)
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404(f"No {queryset.model._meta.verbose_name} matches the given query.") from None
