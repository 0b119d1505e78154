"""Helpers for import tests: an import made and run in one call."""

from __future__ import annotations

from typing import Any

from django.core.files.base import ContentFile

from amity.core.models import User, Workspace
from amity.imports import services
from amity.imports.models import Import


def run_import(
    actor: User,
    workspace: Workspace,
    content: bytes | str,
    *,
    kind: str = "contacts",
    name: str = "people.csv",
    index: bool = True,
    **options: Any,
) -> Import:
    """Upload `content`, import it in this process (as the worker would), index it for search unless told not to
    (as the worker's next task would), and return the finished import."""
    data = content.encode() if isinstance(content, str) else content
    import_run = services.import_create(
        actor=actor, workspace=workspace, kind=kind, file=ContentFile(data), file_name=name, start=False, **options
    )
    import_run.status = Import.Status.QUEUED
    import_run.save(update_fields=["status"])
    import_run = services.import_execute(import_id=import_run.pk)
    if index and import_run.indexing_for_search:
        import_run = services.import_index_for_search(import_id=import_run.pk)
    return import_run
