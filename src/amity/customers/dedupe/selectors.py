"""Reads of identity resolution: candidate pairs ranked by score, a scan's progress, clusters, and what each record is."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.http import Http404

from amity.core.access import require, visible
from amity.core.models import User, Workspace
from amity.core.permissions import Action, ObjectType
from amity.core.tenancy import get_scoped_or_404
from amity.customers.dedupe import engine, loading
from amity.customers.dedupe.records import CONTACT, Record
from amity.customers.dedupe.scoring import DEFAULT_THRESHOLD, REVIEW_THRESHOLD
from amity.customers.models import Account, Contact, DedupeSettings, DuplicateCandidate, DuplicateScan, Merge

RANKING = ["-score", "id"]
MERGES_NEWEST = ["-created_at", "-id"]


def candidate_list(
    *,
    actor: User,
    workspace: Workspace,
    status: str | None = "open",
    record_type: str | None = None,
    min_score: float | None = None,
    record_id: int | None = None,
) -> models.QuerySet[DuplicateCandidate]:
    """The workspace's candidate pairs, for ranking by score (best first); with `record_id` (and its type), that record's pairs."""
    pairs = visible(DuplicateCandidate.objects.all(), actor=actor, workspace=workspace, object_type=ObjectType.DUPLICATE)
    if status:
        pairs = pairs.filter(status=status)
    if record_type:
        pairs = pairs.filter(record_type=record_type)
    if record_id is not None:
        pairs = pairs.filter(models.Q(left_id=record_id) | models.Q(right_id=record_id))
    if min_score is not None:
        pairs = pairs.filter(score__gte=min_score)
    return pairs


def candidate_get(*, actor: User, workspace: Workspace, pk: int) -> DuplicateCandidate:
    pairs = visible(DuplicateCandidate.objects.all(), actor=actor, workspace=workspace, object_type=ObjectType.DUPLICATE)
    return get_scoped_or_404(pairs, pk=pk)


def scan_get(*, actor: User, workspace: Workspace, pk: int) -> DuplicateScan:
    scans = visible(DuplicateScan.objects.all(), actor=actor, workspace=workspace, object_type=ObjectType.DUPLICATE)
    return get_scoped_or_404(scans, pk=pk)


def record_summaries(workspace: Workspace, keys: Iterable[tuple[str, int]]) -> dict[tuple[str, int], dict[str, Any]]:
    """What each record of a page of pairs is (name, email or first domain, external id): one query per record type."""
    wanted: dict[str, set[int]] = {}
    for record_type, pk in keys:
        wanted.setdefault(record_type, set()).add(pk)
    summaries: dict[tuple[str, int], dict[str, Any]] = {}
    contact_ids, account_ids = wanted.get("contact"), wanted.get("account")
    if contact_ids:
        for pk, first, last, email, external_id, deleted in Contact.objects.filter(workspace=workspace, pk__in=contact_ids).values_list(
            "pk", "first_name", "last_name", "primary_email", "external_id", "deleted_at"
        ):
            name = " ".join(part for part in (first, last) if part) or email or f"Contact {pk}"
            summaries["contact", pk] = {
                "type": "contact",
                "id": pk,
                "name": name,
                "email": email,
                "external_id": external_id,
                "deleted": deleted is not None,
            }
    if account_ids:
        for pk, name, external_id, deleted in Account.objects.filter(workspace=workspace, pk__in=account_ids).values_list(
            "pk", "name", "external_id", "deleted_at"
        ):
            summaries["account", pk] = {
                "type": "account",
                "id": pk,
                "name": name,
                "email": "",
                "external_id": external_id,
                "deleted": deleted is not None,
            }
    return summaries


def pair_counts(pairs: models.QuerySet[DuplicateCandidate], keys: Iterable[tuple[str, int]]) -> dict[tuple[str, int], int]:
    """In how many of `pairs` (a filtered candidate list) each record appears: a record in several is part of a cluster. Two queries."""
    ids = {pk for _, pk in keys}
    counts: Counter[tuple[str, int]] = Counter()
    for side in ("left_id", "right_id"):
        grouped = pairs.filter(**{f"{side}__in": ids}).order_by().values("record_type", side).annotate(n=models.Count("id"))
        for row in grouped:
            counts[row["record_type"], row[side]] += row["n"]
    return {key: counts.get(key, 0) for key in keys}


def summary_of(summaries: dict[tuple[str, int], dict[str, Any]], record_type: str, pk: int) -> dict[str, Any]:
    """A record's summary, or a stand-in for one deleted since the scan."""
    return summaries.get((record_type, pk)) or {
        "type": record_type,
        "id": pk,
        "name": "(deleted)",
        "email": "",
        "external_id": None,
        "deleted": True,
    }


def clusters(*, workspace_id: int, record_type: str, threshold: float = DEFAULT_THRESHOLD) -> list[engine.Cluster]:
    """The workspace's stored pairs at or above `threshold` (not dismissed) joined into clusters, strongest first."""
    rows = list(
        DuplicateCandidate.objects.filter(workspace_id=workspace_id, record_type=record_type, score__gte=threshold)
        .exclude(status=DuplicateCandidate.Status.DISMISSED)
        .values_list("left_id", "right_id", "score", "reasons")
        .iterator(20_000)
    )
    ids = sorted({pk for left, right, _, _ in rows for pk in (left, right)})
    records: dict[int, Record] = {record.id: record for record in _records(workspace_id, record_type, ids)}
    pairs = [
        engine.Pair(records[left], records[right], score, tuple(reasons))
        for left, right, score, reasons in rows
        if left in records and right in records
    ]
    return engine.clusters(pairs, threshold=threshold)


CLUSTER_LIMIT = 50  # clusters listed at most, strongest first: a bounded list, not a feed to page through
CLUSTER_TYPES = (CONTACT, "account")


@dataclass(frozen=True)
class ClusterRow:
    """Records the open pairs join into one group: their ids (smallest first), its weakest joining score, why, and its pairs."""

    record_type: str
    ids: tuple[int, ...]
    score: float
    reasons: tuple[str, ...]
    pair_ids: tuple[int, ...]


def _open_pairs(actor: User, workspace: Workspace, record_type: str) -> list[tuple[int, int, int, float, list[str]]]:
    pairs = candidate_list(actor=actor, workspace=workspace, status=DuplicateCandidate.Status.OPEN, record_type=record_type)
    return list(pairs.values_list("pk", "left_id", "right_id", "score", "reasons").iterator(20_000))


def cluster_list(*, actor: User, workspace: Workspace, record_type: str | None = None, limit: int = CLUSTER_LIMIT) -> list[ClusterRow]:
    """The open pairs joined into clusters (records alike through a chain of pairs), strongest first, `limit` at most.

    A fixed number of queries whatever the number of clusters: one for the pairs and the dedupe loader's few per record type.
    """
    found: list[ClusterRow] = []
    for kind in [record_type] if record_type else CLUSTER_TYPES:
        rows = _open_pairs(actor, workspace, kind)
        ids = sorted({pk for _, left, right, _, _ in rows for pk in (left, right)})
        records = {record.id: record for record in _records(workspace.pk, kind, ids)}
        pairs = {
            (left, right): engine.Pair(records[left], records[right], score, tuple(reasons))
            for _, left, right, score, reasons in rows
            if left in records and right in records
        }
        pair_ids = {(left, right): pk for pk, left, right, _, _ in rows}
        for cluster in engine.clusters(pairs.values(), threshold=REVIEW_THRESHOLD):
            members = tuple(record.id for record in cluster.records)
            inside = tuple(sorted(pk for (left, right), pk in pair_ids.items() if left in members and right in members))
            found.append(ClusterRow(kind, members, cluster.score, tuple(cluster.reasons), inside))
    found.sort(key=lambda row: (-row.score, -len(row.ids), row.record_type, row.ids[0]))
    return found[:limit]


def cluster_pairs(*, actor: User, workspace: Workspace, record_type: str, ids: Sequence[int]) -> list[DuplicateCandidate]:
    """The open pairs among these records (both ends in `ids`)."""
    pairs = candidate_list(actor=actor, workspace=workspace, status=DuplicateCandidate.Status.OPEN, record_type=record_type)
    return list(pairs.filter(left_id__in=ids, right_id__in=ids).order_by("left_id", "right_id"))


def require_visible_records(*, actor: User, workspace: Workspace, record_type: str, ids: Sequence[int]) -> None:
    """A 404 unless every id is a record of this type the actor may see in this workspace (deleted ones too)."""
    model = Contact if record_type == CONTACT else Account
    object_type = ObjectType.CONTACT if record_type == CONTACT else ObjectType.ACCOUNT
    wanted = set(ids)
    found = visible(model.objects.all(), actor=actor, workspace=workspace, object_type=object_type).filter(pk__in=wanted).count()
    if found != len(wanted):
        raise Http404("No such record in this workspace.")


def _records(workspace_id: int, record_type: str, ids: Sequence[int]) -> Sequence[Record]:
    if not ids:
        return []
    return loading.people(workspace_id, ids) if record_type == CONTACT else loading.organizations(workspace_id, ids)


def merge_list(*, actor: User, workspace: Workspace) -> models.QuerySet[Merge]:
    """The workspace's merges, newest first (for undo and the record of what was merged)."""
    return visible(Merge.objects.all(), actor=actor, workspace=workspace, object_type=ObjectType.DUPLICATE)


def merge_get(*, actor: User, workspace: Workspace, pk: int) -> Merge:
    return get_scoped_or_404(merge_list(actor=actor, workspace=workspace), pk=pk)


def merge_of(*, actor: User, workspace: Workspace, candidate: DuplicateCandidate) -> Merge | None:
    """The latest merge of a reviewed pair (its Undo lives on the pair's page)."""
    return merge_list(actor=actor, workspace=workspace).filter(candidate=candidate).order_by("-created_at").first()


def latest_scan(*, actor: User, workspace: Workspace) -> DuplicateScan | None:
    """The workspace's most recent scan, for the duplicates page's progress bar."""
    scans = visible(DuplicateScan.objects.all(), actor=actor, workspace=workspace, object_type=ObjectType.DUPLICATE)
    return scans.order_by("-created_at", "-id").first()


def dedupe_settings(workspace: Workspace) -> DedupeSettings:
    """The workspace's duplicate settings (the defaults, unsaved, until someone changes them)."""
    return DedupeSettings.objects.filter(workspace=workspace).first() or DedupeSettings(workspace=workspace)


def dedupe_settings_get(*, actor: User, workspace: Workspace) -> DedupeSettings:
    require(actor, workspace, Action.VIEW, ObjectType.DEDUPE_SETTING)
    return dedupe_settings(workspace)
