"""Importing contacts, accounts and leads: upload, start, run batch by batch, and undo.

Each batch of rows is checked by the same rules as the API (`amity.customers.cleaning`, which
`clean_contact` / `clean_account` use one record at a time), matched and checked with one query
per question for the whole batch (`checking`), and written without model instances: COPY on
PostgreSQL, executemany on SQLite, updates set-based (`writing`). A batch is written in one
transaction together with its report, its audit entry and the import's progress: it lands
completely or not at all, and a restarted import goes on after the last batch that landed.

Contacts and accounts are indexed for search after the import, by a task of their own
(`import_index_for_search`), batch by batch with its own progress: the import's transactions
write only the records, which lists and filters find at once. Lead imports index their leads
with each batch, as the lead follow-up task rescores and reassigns them.
"""

from __future__ import annotations

import datetime as dt
import gc
import logging
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from functools import partial
from itertools import islice
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from amity.core import audit, bulk
from amity.core.access import hidden_fields, require
from amity.core.models import AuditEntry, Door, User, Workspace
from amity.core.permissions import Action, ObjectType
from amity.customers.models import Account, Contact
from amity.imports import leads, reading, undo
from amity.imports import mapping as mappings
from amity.imports.checking import Importer
from amity.imports.models import Import, ImportBatch, ImportRowError
from amity.imports.writing import BatchResult, Writer
from amity.sales.models import Lead
from amity.sales.services.lead_scoring import active_rules, rescore_batch
from amity.search.services import index_records
from amity.search.tasks import reindex_related

#: The kinds whose search rows are written after the import rather than with each batch.
INDEXED_AFTER = {Import.Kind.CONTACTS, Import.Kind.ACCOUNTS}

ProgressCallback = Callable[[Import], None]
logger = logging.getLogger(__name__)


# --- Upload and start -------------------------------------------------------------------------------


OBJECT_TYPES = {Import.Kind.CONTACTS: ObjectType.CONTACT, Import.Kind.ACCOUNTS: ObjectType.ACCOUNT, Import.Kind.LEADS: ObjectType.LEAD}


def _object_type(kind: str) -> ObjectType:
    return OBJECT_TYPES[Import.Kind(kind)]


def _check_options(kind: str, on_match: str) -> None:
    errors = {}
    if kind not in Import.Kind.values:
        errors["kind"] = f"Choose one of: {', '.join(Import.Kind.values)}."
    if on_match not in Import.OnMatch.values:
        errors["on_match"] = f"Choose one of: {', '.join(Import.OnMatch.values)}."
    if errors:
        raise ValidationError(errors)


def _hidden(actor: User | None, workspace: Workspace, kind: str) -> frozenset[str]:
    """The fields the importing member may not see: their columns are not imported (and cannot be mapped)."""
    return hidden_fields(actor, workspace, mappings.object_type(kind)) if actor is not None else frozenset()


def preview(import_run: Import, rows: int = 5) -> dict[str, Any]:
    """The file's columns, the suggested mapping, every field a column can go to, and the first rows."""
    with import_run.file.open("rb") as stream:
        headers, sample = reading.sample_rows(stream, import_run.file_name, limit=rows)
    hidden = _hidden(import_run.created_by, import_run.workspace, import_run.kind)
    return {
        "headers": headers,
        "suggested_mapping": mappings.suggest(import_run.kind, headers, import_run.workspace, hidden),
        "fields": mappings.fields_for(import_run.kind, import_run.workspace, hidden),
        "rows": sample,
    }


@transaction.atomic
def import_create(
    *,
    actor: User,
    workspace: Workspace,
    kind: str,
    file: File[Any],
    file_name: str,
    mapping: Mapping[str, str] | None = None,
    on_match: str = Import.OnMatch.SKIP,
    all_or_nothing: bool = False,
    dry_run: bool = False,
    start: bool = True,
) -> Import:
    """Keep an uploaded file, check that it can be read and mapped, and (unless told to wait) queue its import."""
    _check_options(kind, on_match)
    require(actor, workspace, Action.ADD, ObjectType.IMPORT)
    require(actor, workspace, Action.ADD, _object_type(kind))
    import_run = Import(
        workspace=workspace,
        kind=kind,
        file_name=(file_name or "import")[-200:],
        on_match=on_match,
        all_or_nothing=all_or_nothing,
        dry_run=dry_run,
        created_by=actor,
    )
    import_run.file.save(f"{workspace.pk}/{import_run.file_name}", file, save=False)
    try:
        with import_run.file.open("rb") as stream:
            headers, _ = reading.sample_rows(stream, import_run.file_name, limit=1)
    except reading.UnreadableFile as error:
        import_run.file.delete(save=False)
        raise ValidationError({"file": str(error)}) from None
    import_run.mapping = mappings.resolve(kind, headers, workspace, mapping, complete=start, hidden=_hidden(actor, workspace, kind))
    import_run.save()
    audit.record(
        actor=actor, workspace=workspace, action=AuditEntry.Action.CREATE, obj=import_run, changes={"file": [None, import_run.file_name]}
    )
    if start:
        _queue(import_run)
    return import_run


@transaction.atomic
def import_start(
    *,
    actor: User,
    import_run: Import,
    mapping: Mapping[str, str] | None = None,
    on_match: str | None = None,
    all_or_nothing: bool | None = None,
    dry_run: bool | None = None,
) -> Import:
    """Start an uploaded import, with the mapping and options the user settled on after the preview."""
    require(actor, import_run.workspace, Action.ADD, ObjectType.IMPORT)
    if import_run.status != Import.Status.UPLOADED:
        raise ValidationError({"status": "This import has already been started."})
    _check_options(import_run.kind, on_match or import_run.on_match)
    with import_run.file.open("rb") as stream:
        headers, _ = reading.sample_rows(stream, import_run.file_name, limit=1)
    if mapping is not None:
        import_run.mapping = mappings.resolve(
            import_run.kind, headers, import_run.workspace, mapping, hidden=_hidden(actor, import_run.workspace, import_run.kind)
        )
    mappings.check_complete(import_run.kind, import_run.mapping)
    import_run.on_match = on_match or import_run.on_match
    import_run.all_or_nothing = import_run.all_or_nothing if all_or_nothing is None else all_or_nothing
    import_run.dry_run = import_run.dry_run if dry_run is None else dry_run
    import_run.save()
    _queue(import_run)
    return import_run


def _queue(import_run: Import) -> None:
    import_run.status = Import.Status.QUEUED
    import_run.save(update_fields=["status", "mapping", "on_match", "all_or_nothing", "dry_run"])
    _enqueue_after_commit(import_run)


def _enqueue_after_commit(import_run: Import) -> None:
    from amity.imports.tasks import run_import  # the task module imports this one

    transaction.on_commit(partial(run_import.enqueue, import_run.pk))


# --- Running ----------------------------------------------------------------------------------------


def _batches(rows: Iterator[tuple[int, list[str]]], size: int) -> Iterator[list[tuple[int, list[str]]]]:
    while batch := list(islice(rows, size)):
        yield batch


class _Rollback(Exception):
    """Raised to undo an all-or-nothing import that found a bad row."""


def import_execute(*, import_id: int, on_progress: ProgressCallback | None = None) -> Import:
    """Run an import from where it stopped: each batch of rows checked, written and reported in one transaction.

    Safe to call again after a crash or a kill: the batches that landed are skipped.
    """
    import_run = Import.objects.select_related("workspace", "created_by").get(pk=import_id)
    if import_run.status not in {Import.Status.QUEUED, Import.Status.RUNNING}:
        return import_run
    if import_run.created_by is None:
        return _finish(import_run, Import.Status.FAILED, "The person who started this import has left.")
    with audit.acting_through(Door.IMPORT, label=f"import {import_run.pk} by {import_run.created_by.email}"):
        try:
            _prepare(import_run)
            if import_run.all_or_nothing and not import_run.dry_run:
                return _run_all_or_nothing(import_run, on_progress)
            return _run_batches(import_run, on_progress)
        except reading.UnreadableFile as error:
            return _finish(import_run, Import.Status.FAILED, str(error))


def _prepare(import_run: Import) -> None:
    if import_run.total is None:
        with import_run.file.open("rb") as stream:
            import_run.total = reading.count_rows(stream, import_run.file_name)
    import_run.status = Import.Status.RUNNING
    import_run.started_at = import_run.started_at or timezone.now()
    import_run.progress_at = timezone.now()
    import_run.save(update_fields=["total", "status", "started_at", "progress_at"])


def _rows(import_run: Import, stream: Any) -> tuple[list[str], Iterator[list[tuple[int, list[str]]]]]:
    source = reading.open_source(stream, import_run.file_name)
    return source.headers, _batches(source.rows, import_run.batch_size)


def _run_batches(import_run: Import, on_progress: ProgressCallback | None) -> Import:
    with import_run.file.open("rb") as stream:
        headers, batches = _rows(import_run, stream)
        importer, writer = _importer_and_writer(import_run, headers)
        for number, batch in enumerate(batches):
            if number <= import_run.last_batch:
                continue
            with transaction.atomic(), _cycle_collector_paused():
                _commit_without_waiting_for_disk()
                result = _process(importer, writer, batch, write=not import_run.dry_run)
                _commit_batch(import_run, number, batch, result)
            if on_progress:
                on_progress(import_run)
    return _finish(import_run, Import.Status.DONE, _summary(import_run))


def _run_all_or_nothing(import_run: Import, on_progress: ProgressCallback | None) -> Import:
    errors: list[tuple[int, str, str]] = []
    failed = 0
    try:
        with transaction.atomic(), import_run.file.open("rb") as stream:
            _commit_without_waiting_for_disk()
            headers, batches = _rows(import_run, stream)
            importer, writer = _importer_and_writer(import_run, headers)
            for number, batch in enumerate(batches):
                with _cycle_collector_paused():
                    result = _process(importer, writer, batch, write=not errors)
                errors.extend(result.errors)
                failed += result.counts["failed"]
                _commit_batch(import_run, number, batch, result)
                if on_progress:
                    on_progress(import_run)
            if errors:
                raise _Rollback
    except _Rollback:
        import_run.refresh_from_db()
        with transaction.atomic():
            ImportRowError.objects.bulk_create(
                ImportRowError(workspace=import_run.workspace, import_run=import_run, row=row, field=column[:200], message=message[:500])
                for row, column, message in errors
            )
            import_run.created = import_run.updated = import_run.skipped = 0
            import_run.failed = failed
            import_run.processed = import_run.total or 0
            import_run.save(update_fields=["created", "updated", "skipped", "failed", "processed"])
        return _finish(import_run, Import.Status.FAILED, f"{failed:,} rows had errors, so nothing was imported (all or nothing).")
    return _finish(import_run, Import.Status.DONE, _summary(import_run))


def _importer_and_writer(import_run: Import, headers: list[str]) -> tuple[Any, Any]:
    """What checks and writes the rows: leads have their own; contacts and accounts share one."""
    if import_run.kind == Import.Kind.LEADS:
        importer = leads.LeadImporter(import_run, headers)
        return importer, leads.LeadWriter(importer)
    checker = Importer(import_run, headers)
    return checker, Writer(checker)


def _commit_without_waiting_for_disk() -> None:
    """PostgreSQL: let this transaction's commit return before its WAL reaches the disk.

    A crash can then lose the last batches that reported success, but never half of one: the batch,
    its report and the import's progress are one transaction, so a resumed import writes them again.
    Nothing else is affected (SET LOCAL ends with the transaction). SQLite (WAL, synchronous=NORMAL)
    does not wait for the disk at commit already.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")


@contextmanager
def _cycle_collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector for a batch, and let it run once after.

    A batch makes millions of short-lived dicts and lists, all freed by reference counting; the
    collector would otherwise wake every 700 of them and walk every live object (a third of the
    time spent turning cells into rows, measured).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _process(importer: Any, writer: Any, batch: list[tuple[int, list[str]]], *, write: bool) -> BatchResult:
    rows = [importer.row(number, cells) for number, cells in batch]
    importer.match(rows)
    importer.check(rows)
    result = BatchResult()
    if write:
        writer.write(rows, result)
    for row in rows:
        record_id = row.pk if row.outcome in {"created", "updated"} and write else row.match
        result.outcomes.append([row.number, row.outcome, record_id, row.message])
        result.counts[row.outcome] += 1
        if row.outcome == "failed":
            result.errors.extend((row.number, importer.column(row, key), message) for key, message in row.errors.items())
    return result


def _commit_batch(import_run: Import, number: int, batch: list[tuple[int, list[str]]], result: BatchResult) -> None:
    """Write the batch's report, its audit entry and the import's progress (inside the batch's transaction)."""
    workspace = import_run.workspace
    landed = ImportBatch.objects.create(
        workspace=workspace,
        import_run=import_run,
        number=number,
        first_row=batch[0][0],
        last_row=batch[-1][0],
        outcomes=result.outcomes,
        created_ids=result.created_ids,
        created_account_ids=result.created_account_ids,
        before=result.before,
    )
    if not import_run.all_or_nothing or import_run.dry_run:
        ImportRowError.objects.bulk_create(
            ImportRowError(workspace=workspace, import_run=import_run, row=row, field=column[:200], message=message[:500])
            for row, column, message in result.errors
        )
    if not import_run.dry_run and (result.created_ids or result.changes):
        audit.record(
            actor=import_run.created_by,
            workspace=workspace,
            action=AuditEntry.Action.UPDATE,
            obj=import_run,
            changes={
                "batch": number,
                "rows": [batch[0][0], batch[-1][0]],
                "model": import_run.kind,
                "created_ids": result.created_ids,
                "created_account_ids": result.created_account_ids,
                "updated": result.changes,
            },
        )
    if not import_run.dry_run:
        _reindex_related_after_commit(import_run, [int(pk) for pk, changes in result.changes.items() if "name" in changes])
    if import_run.kind == Import.Kind.LEADS and not import_run.dry_run and (result.created_ids or result.before):
        _follow_up_after_commit(landed)
    written = len(result.created_ids) + len(result.before) + len(result.created_account_ids)
    if not import_run.dry_run and import_run.kind in INDEXED_AFTER and written:
        import_run.search_total += written
        import_run.search_status = Import.SearchStatus.PENDING
    import_run.last_batch = number
    import_run.processed += len(batch)
    import_run.progress_at = timezone.now()
    for outcome, count in result.counts.items():
        setattr(import_run, outcome, getattr(import_run, outcome) + count)
    import_run.save(
        update_fields=["last_batch", "processed", "created", "updated", "skipped", "failed", "search_total", "search_status", "progress_at"]
    )


def _follow_up_after_commit(batch: ImportBatch) -> None:
    """Once a batch of leads lands, the worker assigns the new ones by the rules and scores them all."""
    from amity.imports.tasks import follow_up_lead_batch  # the task module imports this one

    transaction.on_commit(partial(follow_up_lead_batch.enqueue, batch.pk))


def _summary(import_run: Import) -> str:
    verb = "would be " if import_run.dry_run else ""
    return (
        f"{import_run.processed:,} rows: {import_run.created:,} {verb}created, {import_run.updated:,} {verb}updated, "
        f"{import_run.skipped:,} skipped, {import_run.failed:,} failed{' (dry run: nothing was written)' if import_run.dry_run else ''}."
    )


def _finish(import_run: Import, status: str, message: str) -> Import:
    import_run.status = status
    import_run.message = message[:500]
    import_run.finished_at = import_run.progress_at = timezone.now()
    import_run.save(update_fields=["status", "message", "finished_at", "progress_at"])
    if _index_after_commit(import_run.pk):
        import_run.search_status = Import.SearchStatus.PENDING
    return import_run


def _index_after_commit(import_id: int) -> bool:
    """Queue the search indexing of what the import wrote, if any is left to index (the task checks again)."""
    from amity.imports.tasks import index_import_for_search  # the task module imports this one

    waiting = [Import.SearchStatus.PENDING, Import.SearchStatus.INDEXING, Import.SearchStatus.FAILED]
    if not Import.objects.filter(pk=import_id, search_status__in=waiting).update(search_status=Import.SearchStatus.PENDING):
        return False
    transaction.on_commit(partial(index_import_for_search.enqueue, import_id))
    return True


def import_note_error(*, import_id: int, error: Exception) -> None:
    """Say on the import why it stopped; it stays running, so the task's retry goes on after the last batch that landed."""
    Import.objects.filter(pk=import_id, status__in=[Import.Status.QUEUED, Import.Status.RUNNING]).update(
        message=f"Stopped by an error, will retry: {type(error).__name__}: {error}"[:500]
    )


def import_give_up(*, import_id: int, error: Exception) -> None:
    """Mark an import failed once its task has used every retry: the error stays in its message, and it can be resumed."""
    Import.objects.filter(pk=import_id, status__in=[Import.Status.QUEUED, Import.Status.RUNNING]).update(
        status=Import.Status.FAILED,
        finished_at=timezone.now(),
        message=f"Stopped by an error after every retry; resume it to go on after the rows that landed. {type(error).__name__}: {error}"[
            :500
        ],
    )
    _index_after_commit(import_id)  # the batches that landed are found by search meanwhile


@transaction.atomic
def import_resume(*, actor: User, import_run: Import) -> Import:
    """Queue again an import that an error stopped part-way; it goes on after the last batch that landed."""
    require(actor, import_run.workspace, Action.ADD, ObjectType.IMPORT)
    if not import_run.resumable:
        raise ValidationError({"status": "Only an import that an error stopped part-way can be resumed."})
    if import_run.status != Import.Status.FAILED or (import_run.total is not None and import_run.processed >= import_run.total):
        # Every row landed; only the search indexing stopped: it goes on after the last batch it indexed.
        audit.record(
            actor=actor,
            workspace=import_run.workspace,
            action=AuditEntry.Action.UPDATE,
            obj=import_run,
            changes={"search_status": [import_run.search_status, "pending"]},
        )
        _index_after_commit(import_run.pk)
        import_run.refresh_from_db()
        return import_run
    import_run.status = Import.Status.QUEUED
    import_run.finished_at = None
    import_run.message = ""
    import_run.save(update_fields=["status", "finished_at", "message"])
    audit.record(
        actor=actor,
        workspace=import_run.workspace,
        action=AuditEntry.Action.UPDATE,
        obj=import_run,
        changes={"status": ["failed", "queued"]},
    )
    _enqueue_after_commit(import_run)
    return import_run


# --- Search indexing after the import ---------------------------------------------------------------


def import_index_for_search(*, import_id: int, on_progress: ProgressCallback | None = None) -> Import:
    """Index for search the records an import wrote, batch after batch from the last one indexed.

    Each batch is indexed in one transaction with the import's count, under a lock on the import that its undo takes
    too: an undone import indexes nothing more (its undo took its records out of search itself). Safe to run again
    after a crash or a kill, and while a resumed import still runs (it queues this again when it finishes).
    """
    import_run = Import.objects.get(pk=import_id)
    if not import_run.indexing_for_search:
        return import_run
    object_type = str(_object_type(import_run.kind))
    numbers = list(
        ImportBatch.objects.filter(import_run_id=import_id, number__gt=import_run.last_indexed_batch)
        .order_by("number")
        .values_list("number", flat=True)
    )
    for number in numbers:
        with transaction.atomic():
            import_run = Import.objects.select_for_update().get(pk=import_id)
            if not import_run.indexing_for_search or import_run.status == Import.Status.UNDONE:
                return import_run
            if number <= import_run.last_indexed_batch:
                continue
            created_ids, account_ids, before = ImportBatch.objects.values_list("created_ids", "created_account_ids", "before").get(
                import_run_id=import_id, number=number
            )
            record_ids = [*created_ids, *map(int, before)]
            index_records(object_type=object_type, ids=record_ids)
            if account_ids:
                index_records(object_type="account", ids=account_ids)
            import_run.search_status = Import.SearchStatus.INDEXING
            import_run.last_indexed_batch = number
            import_run.search_indexed += len(record_ids) + len(account_ids)
            import_run.progress_at = timezone.now()
            import_run.save(update_fields=["search_status", "last_indexed_batch", "search_indexed", "progress_at"])
        if on_progress:
            on_progress(import_run)
    with transaction.atomic():
        import_run = Import.objects.select_for_update().get(pk=import_id)
        finished = import_run.status in {Import.Status.DONE, Import.Status.FAILED}
        if import_run.indexing_for_search and finished and import_run.last_indexed_batch >= import_run.last_batch:
            import_run.search_status = Import.SearchStatus.DONE
            import_run.save(update_fields=["search_status"])
    return import_run


def requeue_stalled(*, now: dt.datetime | None = None) -> list[int]:
    """Queue again the imports, and the search indexing after them, that have not moved for `IMPORT_STALL_SECONDS`.

    A worker killed mid-way (a deploy, the OOM killer) leaves an import `running`, or its indexing `indexing` or
    `pending`, with no task left to finish it; a failing one is retried by its task instead. Both tasks go on after
    the last batch that landed, so running one twice is safe, and each stalled import is claimed by moving its
    `progress_at` (one worker wins). Returns the ids of the imports queued again.
    """
    from amity.imports.tasks import index_import_for_search, run_import  # the task module imports this one

    now = now or timezone.now()
    stalled_since = now - dt.timedelta(seconds=settings.IMPORT_STALL_SECONDS)
    stalled = Import.objects.filter(progress_at__lt=stalled_since).filter(
        Q(status=Import.Status.RUNNING)
        | Q(
            status__in=[Import.Status.DONE, Import.Status.FAILED],
            search_status__in=[Import.SearchStatus.PENDING, Import.SearchStatus.INDEXING],
        )
    )
    requeued = []
    for pk, status, progress_at in stalled.values_list("pk", "status", "progress_at"):
        if not Import.objects.filter(pk=pk, progress_at=progress_at).update(progress_at=now):
            continue  # another worker took it
        if status == Import.Status.RUNNING:
            transaction.on_commit(partial(run_import.enqueue, pk))
        else:
            transaction.on_commit(partial(index_import_for_search.enqueue, pk))
        logger.warning("Import %s had not moved since %s: queued again (%s)", pk, progress_at, status)
        requeued.append(pk)
    return requeued


def import_index_give_up(*, import_id: int, error: Exception) -> None:
    """Say on the import that its search indexing stopped for good; resuming it goes on after the last batch indexed."""
    Import.objects.filter(pk=import_id, search_status__in=[Import.SearchStatus.PENDING, Import.SearchStatus.INDEXING]).update(
        search_status=Import.SearchStatus.FAILED
    )
    logger.warning("Search indexing of import %s stopped after every retry: %s: %s", import_id, type(error).__name__, error)


def _reindex(import_run: Import, record_ids: list[int], account_ids: list[int]) -> None:
    """Bring search in line with what an undo did to one batch, in the undo's transaction: binned records leave it."""
    if record_ids:
        index_records(object_type=str(_object_type(import_run.kind)), ids=record_ids)
    if account_ids:
        index_records(object_type="account", ids=account_ids)


def _reindex_related_after_commit(import_run: Import, account_ids: list[int]) -> None:
    """Renamed accounts' people and deals show the new name in search, once the batch commits, in the background."""
    if import_run.kind == Import.Kind.ACCOUNTS and account_ids:
        transaction.on_commit(partial(reindex_related.enqueue, object_type="account", ids=account_ids))


# --- Undo -------------------------------------------------------------------------------------------


@transaction.atomic
def import_undo(*, actor: User, import_run: Import) -> Import:
    """Take an import back: the records it created go to the bin, the records it updated get their earlier values back."""
    workspace = import_run.workspace
    require(actor, workspace, Action.CHANGE, ObjectType.IMPORT)
    Import.objects.select_for_update().filter(pk=import_run.pk).first()  # one at a time with its search indexing
    import_run.refresh_from_db()
    if import_run.dry_run or import_run.status not in {Import.Status.DONE, Import.Status.FAILED}:
        raise ValidationError({"status": "Only a finished import that wrote records can be undone."})
    models: dict[str, type[Account] | type[Contact] | type[Lead]] = {"contacts": Contact, "accounts": Account, "leads": Lead}
    model = models[import_run.kind]
    now = timezone.now()
    created = restored = 0
    for batch in import_run.batches.order_by("-number"):
        created += model.objects.filter(workspace=workspace, pk__in=bulk.ids_in(batch.created_ids), deleted_at__isnull=True).update(
            deleted_at=now, updated_at=now
        )
        Account.objects.filter(workspace=workspace, pk__in=bulk.ids_in(batch.created_account_ids), deleted_at__isnull=True).update(
            deleted_at=now, updated_at=now
        )
        _reindex_related_after_commit(import_run, [int(pk) for pk in batch.before])  # their earlier names come back
        if model is Lead:
            restored_ids = leads.restore(workspace, batch.before, now)
            rescore_batch(workspace.pk, restored_ids, active_rules(workspace.pk))
            restored += len(restored_ids)
        else:
            restored += undo.restore(model, workspace, batch.before, now)  # type: ignore[arg-type]
        _reindex(import_run, [*batch.created_ids, *map(int, batch.before)], batch.created_account_ids)  # as the batch now is
    import_run.status = Import.Status.UNDONE
    import_run.undone_at = now
    if import_run.search_status:
        import_run.search_status = Import.SearchStatus.DONE  # search shows what the undo left, batches indexed or not
    import_run.save(update_fields=["status", "undone_at", "search_status"])
    audit.record(
        actor=actor,
        workspace=workspace,
        action=AuditEntry.Action.DELETE,
        obj=import_run,
        changes={"undone": [False, True], "binned": created, "restored": restored},
    )
    return import_run


# --- Upload limits and repeats (the web UI and the API share these) ----------------------------------


def check_upload_size(file: File[Any]) -> None:
    """Refuse an uploaded file larger than AMITY_IMPORT_MAX_MB before anything is stored (the command line has no limit)."""
    limit = settings.IMPORT_MAX_BYTES
    if file.size is not None and file.size > limit:
        raise ValidationError(
            {"file": f"The file is {file.size / 1048576:,.1f} MB; an import takes files of up to {limit / 1048576:,.0f} MB."}
        )


def import_again(*, actor: User, import_run: Import, dry_run: bool = False, start: bool = True) -> Import:
    """A new import of the same file with the same mapping and options: the real run after a dry run, or a fresh mapping."""
    with import_run.file.open("rb") as stream:
        return import_create(
            actor=actor,
            workspace=import_run.workspace,
            kind=import_run.kind,
            file=File(stream),
            file_name=import_run.file_name,
            mapping=import_run.mapping,
            on_match=import_run.on_match,
            all_or_nothing=import_run.all_or_nothing,
            dry_run=dry_run,
            start=start,
        )
