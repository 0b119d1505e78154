"""Reads of imports: workspace-scoped, your own unless your role sees everyone's."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from django.db import models

from amity.core.access import visible
from amity.core.models import User, Workspace
from amity.core.permissions import ObjectType
from amity.core.tenancy import get_scoped_or_404
from amity.imports.models import Import, ImportBatch, ImportRowError


def import_list(*, actor: User, workspace: Workspace) -> models.QuerySet[Import]:
    return visible(
        Import.objects.select_related("created_by"),
        actor=actor,
        workspace=workspace,
        object_type=ObjectType.IMPORT,
        owner_field="created_by",
    )


def import_get(*, actor: User, workspace: Workspace, pk: Any) -> Import:
    """One import the actor may see; 404 when it is missing, in another workspace, or someone else's."""
    return get_scoped_or_404(import_list(actor=actor, workspace=workspace), pk=pk)


def import_errors(*, import_run: Import) -> models.QuerySet[ImportRowError]:
    return ImportRowError.objects.filter(workspace=import_run.workspace, import_run=import_run)


NEUTRALIZE = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> str:
    """A cell a spreadsheet will show as text, never run as a formula (=, +, -, @, tab or CR at the start)."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(NEUTRALIZE) else text


def import_log_lines(*, import_run: Import) -> Iterator[str]:
    """The import's log as CSV lines: every row's outcome, batch by batch, with the errors of each failed row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def line(values: list[Any]) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([safe_cell(value) for value in values])
        return buffer.getvalue()

    yield line(["row", "outcome", "record_id", "message"])
    batches = ImportBatch.objects.filter(workspace=import_run.workspace, import_run=import_run).order_by("number")
    if import_run.all_or_nothing and import_run.status == Import.Status.FAILED and not batches.exists():
        for error in import_errors(import_run=import_run).order_by("row", "id").iterator():
            yield line([error.row, "failed", "", f"{error.field}: {error.message}"])
        return
    for batch in batches.iterator(chunk_size=1):
        for row, outcome, record_id, message in batch.outcomes:
            yield line([row, outcome, record_id or "", message])
