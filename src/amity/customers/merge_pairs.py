"""A merged record's other open duplicate pairs, which follow it to the survivor, and their way back when the merge is undone.

A pair "merged ~ other" becomes "survivor ~ other" (smaller id first), so that the other record is still
reviewed against the one that stayed. Where the survivor is paired with that record already, the pair is
closed instead (no pair twice, never a record with itself); the survivor's own pair with the merged record
is marked merged. The merge keeps what changed (`Merge.pairs`), and undo reopens what nobody decided since.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone

from amity.core.models import User, Workspace
from amity.customers.models import DuplicateCandidate, Merge


def carry_pairs(workspace: Workspace, record_type: str, survivor_id: int, merged_id: int, actor: User | None) -> list[dict[str, Any]]:
    """The merged record's other open pairs follow it: each is repointed to the survivor, so that the other record is still
    reviewed against the one that stayed; where the survivor has a pair with that record already, it is closed (and a pair
    with the survivor itself is merged). Returns what changed, for undo."""
    Status = DuplicateCandidate.Status
    candidates = DuplicateCandidate.objects.select_for_update().filter(workspace=workspace, record_type=record_type)
    open_pairs = list(candidates.filter(models.Q(left_id=merged_id) | models.Q(right_id=merged_id), status=Status.OPEN))
    others = {pair.right_id if pair.left_id == merged_id else pair.left_id for pair in open_pairs}
    taken = {
        (left, right)
        for left, right in candidates.filter(
            models.Q(left_id=survivor_id, right_id__in=others) | models.Q(right_id=survivor_id, left_id__in=others)
        ).values_list("left_id", "right_id")
    }
    now = timezone.now()
    changed: list[dict[str, Any]] = []
    for pair in open_pairs:
        other = pair.right_id if pair.left_id == merged_id else pair.left_id
        ordered = (min(survivor_id, other), max(survivor_id, other))
        before = [pair.left_id, pair.right_id]
        if other == survivor_id:
            pair.status, pair.decided_by, pair.decided_at = Status.MERGED, actor, now
        elif ordered in taken:
            pair.status, pair.decided_by, pair.decided_at = Status.CLOSED, actor, now
        else:
            pair.left_id, pair.right_id = ordered
        pair.save(update_fields=["left_id", "right_id", "status", "decided_by", "decided_at", "updated_at"])
        changed.append({"id": pair.pk, "before": before, "after": [pair.left_id, pair.right_id], "status": pair.status})
    return changed


def restore_pairs(merge: Merge) -> None:
    """Undo `carry_pairs`: each pair the merge repointed or closed, left as the merge left it since, points at the merged record
    again and is open; a pair decided or rescored away since keeps what happened to it."""
    candidates = DuplicateCandidate.objects.select_for_update().filter(workspace_id=merge.workspace_id, record_type=merge.record_type)
    by_id = {pair.pk: pair for pair in candidates.filter(pk__in=[row["id"] for row in merge.pairs])}
    befores = [row["before"] for row in merge.pairs]
    occupied = {
        (left, right)
        for left, right in candidates.filter(left_id__in=[b[0] for b in befores], right_id__in=[b[1] for b in befores]).values_list(
            "left_id", "right_id"
        )
    }
    for row in merge.pairs:
        pair = by_id.get(row["id"])
        if pair is None or [pair.left_id, pair.right_id] != row["after"] or pair.status != row["status"]:
            continue
        if row["after"] != row["before"] and tuple(row["before"]) in occupied:
            continue
        pair.left_id, pair.right_id = row["before"]
        pair.status, pair.decided_by, pair.decided_at = DuplicateCandidate.Status.OPEN, None, None
        pair.save(update_fields=["left_id", "right_id", "status", "decided_by", "decided_at", "updated_at"])
