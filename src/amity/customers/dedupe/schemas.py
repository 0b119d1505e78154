"""What the duplicates API takes and returns."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema


class DuplicateRecordOut(Schema):
    type: str = Field(..., description="contact or account")
    id: int
    name: str
    email: str = Field("", description="A contact's primary email.")
    external_id: str | None = None
    deleted: bool = Field(False, description="In the bin (or gone) since the pair was found.")


class DuplicateOut(Schema):
    id: int
    record_type: str
    score: float = Field(..., description="From 0 to 1: how likely the two records are one.")
    reasons: list[str]
    status: str = Field(..., description="open, dismissed or merged")
    left: DuplicateRecordOut
    right: DuplicateRecordOut
    created_at: dt.datetime
    updated_at: dt.datetime


class DuplicateFilterIn(Schema):
    status: str = Field("open", description="open (default), dismissed, merged, or all")
    record_type: str | None = Field(None, description="contact or account")
    min_score: float | None = Field(None, ge=0, le=1)


class DuplicateScanIn(Schema):
    record_type: str = Field("", description="contact, account, or empty for both")


class DuplicateScanOut(Schema):
    id: int
    status: str = Field(..., description="queued, running, done or failed")
    record_type: str
    progress: float = Field(..., description="From 0 to 1.")
    step: str
    records: int
    pairs_found: int
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    error: str


class MatchOut(Schema):
    type: str
    id: int
    name: str
    email: str = ""
    external_id: str | None = None
    score: float
    reasons: list[str]


class DuplicatesProblemOut(Schema):
    """The 409 answer to a create that probably duplicates existing records: problem details and the candidates."""

    type: str
    title: str
    status: int
    detail: str
    candidates: list[MatchOut]


def candidate_row(candidate: Any, summaries: dict[tuple[str, int], dict[str, Any]]) -> dict[str, Any]:
    from amity.customers.dedupe.selectors import summary_of

    return {
        "id": candidate.pk,
        "record_type": candidate.record_type,
        "score": candidate.score,
        "reasons": candidate.reasons,
        "status": candidate.status,
        "left": summary_of(summaries, candidate.record_type, candidate.left_id),
        "right": summary_of(summaries, candidate.record_type, candidate.right_id),
        "created_at": candidate.created_at,
        "updated_at": candidate.updated_at,
    }


class MergeIn(Schema):
    survivor_id: int = Field(..., description="The record that stays: one of the pair. The other is merged into it.")
    fields: dict[str, str] = Field(
        default_factory=dict,
        description='Which side each field is taken from, "survivor" (the default) or "merged"; custom fields as "custom.<key>".',
    )


class MergeOut(Schema):
    id: int
    record_type: str
    survivor_id: int
    merged_id: int
    merged_name: str
    candidate_id: int | None
    moved: dict[str, int] = Field(..., description="How many rows moved to the survivor, per relation.")
    automatic: bool
    merged_by_id: int | None
    created_at: dt.datetime
    undone_at: dt.datetime | None
    undoable: bool
    why_not_undoable: str | None = Field(None, description="Why undo would be refused now, if it would.")


def merge_row(merge: Any) -> dict[str, Any]:
    from amity.customers.merging import why_not_undoable

    reason = why_not_undoable(merge)
    return {
        "id": merge.pk,
        "record_type": merge.record_type,
        "survivor_id": merge.survivor_id,
        "merged_id": merge.merged_id,
        "merged_name": merge.merged_name,
        "candidate_id": merge.candidate_id,
        "moved": {label: len(ids) for label, ids in merge.moved.items()},
        "automatic": merge.automatic,
        "merged_by_id": merge.merged_by_id,
        "created_at": merge.created_at,
        "undone_at": merge.undone_at,
        "undoable": reason is None,
        "why_not_undoable": reason,
    }
