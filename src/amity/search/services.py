"""Keeping the search index current: the customers services (and later apps) call these after they commit.

- `index_records(object_type, ids)`: (re)index these records; ones deleted or soft-deleted leave the index.
- `remove_records(object_type, ids, workspace=...)`: take records out of the index (hard delete).
- `index_related(object_type, ids)`: reindex the records that show these records' names (an account's
  people and deals after it is renamed), as the record types declared with `RecordType.shows`; the
  customers services run it in the background (`amity.search.tasks.reindex_related`).
- `reindex_workspace(workspace)`: rebuild a workspace's index in batches (bulk import, bench, repair).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from amity.core import bulk
from amity.core.models import Workspace
from amity.search.models import SearchDocument, SearchTerm
from amity.search.registry import Document, record_type, record_types, record_types_showing
from amity.search.text import fold, title_words

logger = logging.getLogger("amity.search")

BATCH_SIZE = 2000
_COLUMNS = ["workspace_id", "object_type", "object_id", "owner_id", "title", "subtitle", "title_key", "text", "updated_at"]
_UPDATED_COLUMNS = ["owner_id", "title", "subtitle", "title_key", "text", "updated_at"]


def _rows(documents: list[Document], object_type: str) -> list[tuple[Any, ...]]:
    now = bulk.db_datetime(timezone.now())
    return [
        (
            document.workspace_id,
            object_type,
            document.object_id,
            document.owner_id,
            document.title[:300],
            document.subtitle[:300],
            fold(document.title)[:300],
            document.text,
            now,
        )
        for document in documents
    ]


def _add_terms(documents: list[Document]) -> None:
    terms = {(document.workspace_id, word[:100]) for document in documents for word in title_words(document.title)}
    SearchTerm.objects.bulk_create(
        [SearchTerm(workspace_id=workspace_id, term=term) for workspace_id, term in sorted(terms)],
        ignore_conflicts=True,
        batch_size=BATCH_SIZE,
    )


@transaction.atomic
def index_records(*, object_type: str, ids: Iterable[int]) -> int:
    """Bring these records' index rows up to date; records gone or soft-deleted are taken out. Returns rows written."""
    kind = record_type(object_type)
    wanted = list(dict.fromkeys(int(pk) for pk in ids))
    total = 0
    for start in range(0, len(wanted), BATCH_SIZE):
        batch = wanted[start : start + BATCH_SIZE]
        documents = kind.documents(batch)
        found = {document.object_id for document in documents}
        gone = [pk for pk in batch if pk not in found]
        if gone:
            SearchDocument.objects.filter(object_type=object_type, object_id__in=gone).delete()
        bulk.upsert_rows(
            SearchDocument,
            _COLUMNS,
            _rows(documents, object_type),
            unique=["workspace", "object_type", "object_id"],
            update=_UPDATED_COLUMNS,
        )
        _add_terms(documents)
        total += len(documents)
    return total


def index_related(*, object_type: str, ids: Iterable[int]) -> dict[str, int]:
    """Reindex every record whose document shows one of these records' names; returns rows written per type."""
    wanted = sorted({int(pk) for pk in ids})
    written = {}
    for kind in record_types_showing(object_type):
        related = list(kind.shows[str(object_type)](wanted)) if wanted else []
        written[str(kind.object_type)] = index_records(object_type=str(kind.object_type), ids=related) if related else 0
    return written


@transaction.atomic
def remove_records(*, workspace: Workspace, object_type: str, ids: Iterable[int]) -> int:
    """Take these records out of the workspace's index (after a hard delete or an erasure). Returns rows removed."""
    removed, _ = SearchDocument.objects.filter(workspace=workspace, object_type=object_type, object_id__in=list(ids)).delete()
    return removed


def reindex_workspace(
    *,
    workspace: Workspace,
    object_types: Iterable[str] | None = None,
    batch_size: int = BATCH_SIZE,
    progress: Callable[[str, int], None] | None = None,
) -> dict[str, int]:
    """Rebuild the index of a workspace from its records, one committed batch at a time; returns rows per type.

    Safe to run while people search: a type's old rows are dropped first, so its results fill in as batches commit.
    """
    kinds = [record_type(name) for name in object_types] if object_types else record_types()
    counts: dict[str, int] = {}
    with transaction.atomic():
        SearchTerm.objects.filter(workspace=workspace).delete()
    for kind in kinds:
        object_type = str(kind.object_type)
        with transaction.atomic():
            SearchDocument.objects.filter(workspace=workspace, object_type=object_type).delete()
        ids = kind.live_ids(workspace).order_by("pk")
        last_pk = 0
        written = 0
        while True:
            batch = list(ids.filter(pk__gt=last_pk)[:batch_size])
            if not batch:
                break
            last_pk = batch[-1]
            with transaction.atomic():
                documents = kind.documents(batch)
                bulk.insert_rows(SearchDocument, _COLUMNS, _rows(documents, object_type))
                _add_terms(documents)
            written += len(documents)
            if progress:
                progress(object_type, written)
        counts[object_type] = written
        logger.info("Indexed %s %s records of workspace %s", written, object_type, workspace.slug)
    return counts
