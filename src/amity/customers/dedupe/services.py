"""Every write of identity resolution: scans that find candidate pairs, the key index, dismissing a pair, the on-entry check.

A scan runs in the background (`customers.tasks.scan_duplicates`) or from the CLI: it loads a
workspace's records, finds the pairs (`engine`), keeps them as `DuplicateCandidate` rows (a pair
someone dismissed stays dismissed; open pairs no longer found go), and rewrites the workspace's
`DedupeKey` index that the on-entry check looks new records up in.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from amity.core import audit, bulk
from amity.core.access import require
from amity.core.models import AuditEntry, User, Workspace
from amity.core.permissions import Action, ObjectType
from amity.customers.dedupe import engine, loading
from amity.customers.dedupe.records import ACCOUNT, CONTACT, Organization, Person, Record
from amity.customers.dedupe.scoring import DEFAULT_THRESHOLD, REVIEW_THRESHOLD
from amity.customers.models import ContactEmail, ContactPhone, DedupeKey, DedupeSettings, DuplicateCandidate, DuplicateScan

ENTRY_CANDIDATES = 40  # the on-entry check scores at most this many records: those sharing the most keys with the new one
KEYED_ROWS = 5_000  # key rows read at most for one check (a very common name's block is walked no further)
WRITE_BATCH = 20_000
DELETE_BATCH = 5_000  # ids in one DELETE … IN (…), well below SQLite's limit of bound values
REINDEX_SLICE = 50_000  # records whose keys are compared with the index at once (bounds the memory of a rescan)


class DuplicatesFound(Exception):
    """Raised instead of creating a record that probably exists already; `matches` are the likely duplicates, best first."""

    def __init__(self, record_type: str, matches: list[engine.Pair]) -> None:
        super().__init__(f"This {record_type} probably exists already.")
        self.record_type = record_type
        self.matches = matches


def key_hash(key: str) -> int:
    """A blocking key as a signed 64-bit number, the same in every process (Python's own hash is not)."""
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big", signed=True)


def _load(workspace_id: int, record_type: str, ids: Sequence[int] | None = None) -> Sequence[Record]:
    return loading.people(workspace_id, ids) if record_type == CONTACT else loading.organizations(workspace_id, ids)


# --- The key index ------------------------------------------------------------------------------------------------


def _wanted_keys(records: Iterable[Record]) -> set[tuple[int, int]]:
    return {(record.id, key_hash(key)) for record in records for key in record.blocking_keys()}


def _insert_keys(workspace_id: int, record_type: str, keys: Iterable[tuple[int, int]]) -> None:
    rows = [(workspace_id, record_type, record_id, hashed) for record_id, hashed in keys]
    for start in range(0, len(rows), WRITE_BATCH):
        bulk.insert_rows(DedupeKey, ["workspace_id", "record_type", "record_id", "key_hash"], rows[start : start + WRITE_BATCH])


def index_records(*, workspace_id: int, record_type: str, ids: Sequence[int]) -> None:
    """Rewrite the blocking keys of these records (after they were created or changed), so that later entries find them."""
    DedupeKey.objects.filter(workspace_id=workspace_id, record_type=record_type, record_id__in=list(ids)).delete()
    _insert_keys(workspace_id, record_type, _wanted_keys(_load(workspace_id, record_type, ids)))


def _sync_keys(rows: Any, wanted: set[tuple[int, int]], workspace_id: int, record_type: str) -> None:
    """Make the key rows in `rows` exactly `wanted`: delete the stale and repeated ones, insert the missing ones."""
    stale: list[int] = []
    present: set[tuple[int, int]] = set()
    for pk, record_id, hashed in rows.values_list("pk", "record_id", "key_hash").iterator(chunk_size=WRITE_BATCH):
        key = (record_id, hashed)
        if key in wanted and key not in present:
            present.add(key)
        else:
            stale.append(pk)
    for start in range(0, len(stale), DELETE_BATCH):
        DedupeKey.objects.filter(pk__in=stale[start : start + DELETE_BATCH]).delete()
    _insert_keys(workspace_id, record_type, sorted(wanted - present))


def _reindex_workspace(workspace_id: int, record_type: str, records: Sequence[Record]) -> None:
    """Bring the key index in line with the scanned records, a slice of ids at a time.

    Only what changed is written: after an import every key is new, but a rescan of records kept up to date on
    entry writes next to nothing (rewriting a million contacts' eight million keys took minutes).
    """
    ordered = sorted(records, key=lambda record: record.id)
    keyed = DedupeKey.objects.filter(workspace_id=workspace_id, record_type=record_type)
    after: int | None = None
    for start in range(0, max(len(ordered), 1), REINDEX_SLICE):
        chunk = ordered[start : start + REINDEX_SLICE]
        rows = keyed if after is None else keyed.filter(record_id__gt=after)
        if start + REINDEX_SLICE < len(ordered):  # the last slice also takes the keys of records gone since
            rows = rows.filter(record_id__lte=chunk[-1].id)
        _sync_keys(rows, _wanted_keys(chunk), workspace_id, record_type)
        after = chunk[-1].id if chunk else after


# --- The on-entry check -------------------------------------------------------------------------------------------


def _sharing_a_key(workspace_id: int, record: Record) -> list[int]:
    """The ids of records of the same type that share a blocking key with `record`, or its email or phone."""
    hashes = [key_hash(key) for key in record.blocking_keys()]
    # Counted here, not by GROUP BY: grouping by record made SQLite walk the (record_type, record_id) index instead.
    keyed = DedupeKey.objects.filter(workspace_id=workspace_id, record_type=record.type, key_hash__in=hashes)
    shared = Counter(keyed.values_list("record_id", flat=True)[:KEYED_ROWS])
    ids = {pk for pk, _ in sorted(shared.items(), key=lambda item: (-item[1], -item[0]))[:ENTRY_CANDIDATES]}
    if isinstance(record, Person):
        # Records written in bulk (imports) join the key index at the next scan; their emails and phones are indexed already.
        if record.emails:
            ids.update(
                ContactEmail.objects.filter(workspace_id=workspace_id, address__in=record.emails).values_list("contact_id", flat=True)[:50]
            )
        if record.phones:
            ids.update(
                ContactPhone.objects.filter(workspace_id=workspace_id, number__in=record.phones).values_list("contact_id", flat=True)[:50]
            )
    ids.discard(record.id)
    return sorted(ids)


def matches_for(*, workspace_id: int, record: Record, threshold: float = DEFAULT_THRESHOLD) -> list[engine.Pair]:
    """The saved records that `record` (about to be saved) probably duplicates, best first."""
    ids = _sharing_a_key(workspace_id, record)
    if not ids:
        return []
    return engine.matches_for(record, _load(workspace_id, record.type, ids), min_score=threshold)


def check_entry(*, workspace_id: int, record: Person | Organization) -> None:
    """Refuse a new record that probably exists already (DuplicatesFound with the matches); the caller may create it anyway."""
    matches = matches_for(workspace_id=workspace_id, record=record)
    if matches:
        raise DuplicatesFound(record.type, matches)


# --- Scans --------------------------------------------------------------------------------------------------------


def _keep_candidates(scan: DuplicateScan, record_type: str, pairs: Sequence[engine.Pair]) -> int:
    """Store the pairs found: new ones open, known ones rescored (a dismissed or merged pair keeps its decision), stale open ones gone."""
    now = bulk.db_datetime(timezone.now())
    columns = ["workspace_id", "record_type", "left_id", "right_id", "score", "reasons", "status", "scan_id", "created_at", "updated_at"]
    for start in range(0, len(pairs), WRITE_BATCH):
        rows = [
            (scan.workspace_id, record_type, pair.left.id, pair.right.id, pair.score, bulk.json_value(list(pair.reasons)),
             DuplicateCandidate.Status.OPEN.value, scan.pk, now, now)
            for pair in pairs[start : start + WRITE_BATCH]
        ]  # fmt: skip
        bulk.upsert_rows(
            DuplicateCandidate,
            columns,
            rows,
            unique=["workspace_id", "record_type", "left_id", "right_id"],
            update=["score", "reasons", "scan_id", "updated_at"],
        )
    DuplicateCandidate.objects.filter(
        workspace_id=scan.workspace_id, record_type=record_type, status=DuplicateCandidate.Status.OPEN
    ).exclude(scan_id=scan.pk).delete()
    return len(pairs)


def _progress(scan_id: int, start: float, width: float) -> Callable[[float, str], None]:
    def report(fraction: float, step: str) -> None:
        DuplicateScan.objects.filter(pk=scan_id).update(progress=round(start + width * fraction, 3), step=step[:200])

    return report


AfterScan = Callable[[DuplicateScan, Callable[[float, str], None]], int]


def run_scan(scan_id: int, *, on_progress: Callable[[DuplicateScan], None] | None = None, then: AfterScan | None = None) -> DuplicateScan:
    """Find the duplicate pairs of the scan's workspace, keep them as candidates and rebuild the key index; progress as it goes.

    `then(scan, report)` runs once the pairs are kept (the worker's automatic merging), in the last tenth of the progress
    bar, and returns how many pairs it merged.
    """
    scan = DuplicateScan.objects.get(pk=scan_id)
    if scan.status == DuplicateScan.Status.DONE:
        return scan
    DuplicateScan.objects.filter(pk=scan.pk).update(status=DuplicateScan.Status.RUNNING, started_at=timezone.now(), progress=0.0)
    types = [scan.record_type] if scan.record_type else [CONTACT, ACCOUNT]
    records_seen = pairs_found = 0
    scanning = 0.9 if then else 1.0
    for position, record_type in enumerate(types):
        share = scanning / len(types)
        base = position * share
        report = _progress(scan.pk, base, share)

        def step(fraction: float, text: str, report: Callable[[float, str], None] = report) -> None:
            report(fraction, text)
            if on_progress:
                on_progress(DuplicateScan.objects.get(pk=scan.pk))

        step(0.0, f"loading {record_type}s")
        records = _load(scan.workspace_id, record_type)
        records_seen += len(records)
        step(0.1, f"comparing {len(records):,} {record_type}s")

        def comparing(fraction: float, text: str, step: Callable[[float, str], None] = step) -> None:
            step(0.1 + 0.6 * fraction, text)

        pairs = engine.find_pairs(records, min_score=REVIEW_THRESHOLD, progress=comparing)
        step(0.7, f"keeping {len(pairs):,} candidate pairs of {record_type}s")
        with transaction.atomic():
            pairs_found += _keep_candidates(scan, record_type, pairs)
        step(0.8, f"indexing {record_type}s for the check on entry")
        with transaction.atomic():
            _reindex_workspace(scan.workspace_id, record_type, records)
        del records, pairs
        DuplicateScan.objects.filter(pk=scan.pk).update(records=records_seen, pairs_found=pairs_found)
    if then is not None:
        merged = then(DuplicateScan.objects.get(pk=scan.pk), _progress(scan.pk, scanning, 1 - scanning))
        DuplicateScan.objects.filter(pk=scan.pk).update(auto_merged=merged)
    DuplicateScan.objects.filter(pk=scan.pk).update(
        status=DuplicateScan.Status.DONE,
        progress=1.0,
        step="done",
        finished_at=timezone.now(),
        records=records_seen,
        pairs_found=pairs_found,
    )
    scan.refresh_from_db()
    if on_progress:
        on_progress(scan)
    return scan


def mark_scan_failed(scan_id: int, *, error: BaseException, **_: Any) -> None:
    DuplicateScan.objects.filter(pk=scan_id).update(status=DuplicateScan.Status.FAILED, error=str(error)[:1000], finished_at=timezone.now())


def scan_create(*, workspace: Workspace, actor: User | None = None, record_type: str = "") -> DuplicateScan:
    """A queued scan (not started): the CLI runs it at once, `duplicate_scan_start` hands it to the worker."""
    if record_type not in ("", CONTACT, ACCOUNT):
        raise ValidationError({"record_type": "Choose contact, account, or leave it out for both."})
    return DuplicateScan.objects.create(workspace=workspace, requested_by=actor, record_type=record_type)


@transaction.atomic
def duplicate_scan_start(*, actor: User, workspace: Workspace, record_type: str = "") -> DuplicateScan:
    """Look for duplicates again over the whole workspace, in the background."""
    from amity.customers.tasks import scan_duplicates  # the task module imports the services: import it when needed

    require(actor, workspace, Action.ADD, ObjectType.DUPLICATE)
    scan = scan_create(workspace=workspace, actor=actor, record_type=record_type)
    transaction.on_commit(partial(scan_duplicates.enqueue, scan.pk))
    return scan


@transaction.atomic
def duplicate_dismiss(*, actor: User, candidate: DuplicateCandidate) -> DuplicateCandidate:
    """Say that two records are not one: the pair is no longer proposed, not even by later scans."""
    require(actor, candidate.workspace, Action.CHANGE, ObjectType.DUPLICATE)
    if candidate.status != DuplicateCandidate.Status.DISMISSED:
        before = candidate.status
        candidate.status = DuplicateCandidate.Status.DISMISSED
        candidate.decided_by = actor
        candidate.decided_at = timezone.now()
        candidate.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
        audit.record(
            actor=actor,
            workspace=candidate.workspace,
            action=AuditEntry.Action.UPDATE,
            obj=candidate,
            changes={"status": [before, candidate.status]},
        )
    return candidate


@transaction.atomic
def dedupe_settings_update(*, actor: User, workspace: Workspace, auto_merge: bool, auto_merge_threshold: float) -> DedupeSettings:
    """Switch automatic merging of exact-key matches on or off and set the least score it merges; audited."""
    require(actor, workspace, Action.CHANGE, ObjectType.DEDUPE_SETTING)
    if not DEFAULT_THRESHOLD <= auto_merge_threshold <= 1:
        raise ValidationError(
            {
                "auto_merge_threshold": f"Choose a score from {DEFAULT_THRESHOLD} to 1: below {DEFAULT_THRESHOLD} a pair is not a likely duplicate."
            }
        )
    current, _ = DedupeSettings.objects.select_for_update().get_or_create(workspace=workspace)
    before = {"auto_merge": current.auto_merge, "auto_merge_threshold": current.auto_merge_threshold}
    current.auto_merge, current.auto_merge_threshold, current.updated_by = auto_merge, round(auto_merge_threshold, 4), actor
    current.save()
    changes = {name: [value, getattr(current, name)] for name, value in before.items() if value != getattr(current, name)}
    if changes:
        audit.record(actor=actor, workspace=workspace, action=AuditEntry.Action.UPDATE, obj=current, changes=changes)
    return current
