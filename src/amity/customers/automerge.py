"""Automatic merging after a scan: the pairs matched on an exact key, at or above the workspace's threshold, merged without review.

Only pairs whose reasons include an exact key (the same normalized email, E.164 phone or web
domain) qualify: a pair alike only in names and addresses always waits for a person, whatever its
score. Each merge is `merging.merge_records` with `automatic=True` (audited, undoable like any
other); the survivor is `merging.default_survivor`, and it takes the other record's values where it
has none (`merging.proposed_choices`, what the review page proposes). A pair an earlier merge of the same run
repointed to its survivor is merged as it now stands (a cluster of exact matches becomes one record); a pair one
of whose records has gone since (deleted) is left for review.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import transaction

from amity.customers import merging
from amity.customers.dedupe.scoring import EXACT_KEY_REASONS
from amity.customers.dedupe.selectors import dedupe_settings
from amity.customers.models import DuplicateCandidate, DuplicateScan

logger = logging.getLogger(__name__)


def qualifies(candidate: DuplicateCandidate, threshold: float) -> bool:
    """Whether automatic merging may take this pair: open, at or above the threshold, and matched on an exact key."""
    return (
        candidate.status == DuplicateCandidate.Status.OPEN
        and candidate.score >= threshold
        and not EXACT_KEY_REASONS.isdisjoint(candidate.reasons)
    )


def merge_exact_matches(scan: DuplicateScan, report: Callable[[float, str], None] | None = None) -> int:
    """Merge the open exact-key pairs at or above the workspace's threshold, best first, when it has switched this on; how many merged."""
    settings = dedupe_settings(scan.workspace)
    if not settings.auto_merge:
        return 0
    pairs = DuplicateCandidate.objects.filter(
        workspace_id=scan.workspace_id, status=DuplicateCandidate.Status.OPEN, score__gte=settings.auto_merge_threshold
    )
    if scan.record_type:
        pairs = pairs.filter(record_type=scan.record_type)
    # Reasons are a JSON list, which SQLite cannot search: the exact-key test is made here, on the few pairs above the threshold.
    chosen = [pair for pair in pairs.order_by("-score", "id") if qualifies(pair, settings.auto_merge_threshold)]
    merged = 0
    for position, pair in enumerate(chosen):
        if report is not None and position % 20 == 0:
            report(position / len(chosen), f"merging {len(chosen) - position:,} exact matches")
        pair.refresh_from_db()  # an earlier merge of this run may have repointed it to its survivor, or closed it
        if not qualifies(pair, settings.auto_merge_threshold):
            continue
        survivor_id = merging.default_survivor(workspace=scan.workspace, record_type=pair.record_type, ids=(pair.left_id, pair.right_id))
        merged_id = pair.right_id if survivor_id == pair.left_id else pair.left_id
        records = merging.model_of(pair.record_type).objects.filter(workspace_id=scan.workspace_id).in_bulk([survivor_id, merged_id])
        if len(records) < 2:
            continue
        try:
            with transaction.atomic():
                merging.merge_records(
                    actor=None,
                    workspace=scan.workspace,
                    record_type=pair.record_type,
                    survivor_id=survivor_id,
                    merged_id=merged_id,
                    choices=merging.proposed_choices(records[survivor_id], records[merged_id]),
                    candidate=pair,
                    automatic=True,
                )
        except ValidationError:
            logger.info("Pair %s left for review: one of its records is gone since the scan.", pair.pk)
            continue
        merged += 1
    if report is not None:
        report(1.0, f"merged {merged:,} exact matches")
    return merged
