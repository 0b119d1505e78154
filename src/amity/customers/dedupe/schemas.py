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
    status: str = Field(..., description="open, dismissed, merged, or closed (a record was merged into one paired with the other)")
    left: DuplicateRecordOut
    right: DuplicateRecordOut
    created_at: dt.datetime
    updated_at: dt.datetime


class DuplicateFilterIn(Schema):
    status: str = Field("open", description="open (default), dismissed, merged, closed, or all")
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
    group: str | None = Field(
        None,
        description="The cluster merge this was one step of (the merges of one cluster merge share it); "
        "POST /merges/{id}/undo-cluster undoes them all at once. None for a merge of a pair.",
    )


def merge_row(merge: Any, blockers: dict[int, str | None] | None = None) -> dict[str, Any]:
    """A merge as the API shows it; `blockers` (merging.undo_blockers) when the caller found them for a whole page at once."""
    from amity.customers.merging import why_not_undoable

    reason = blockers[merge.pk] if blockers is not None else why_not_undoable(merge)
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
        "group": str(merge.group) if merge.group else None,
    }


class FieldComparisonOut(Schema):
    name: str = Field(..., description='The field as the merge takes it: "title", "custom.tier".')
    label: str
    survivor: str = Field(..., description="The survivor's value, as shown.")
    merged: str = Field(..., description="The merged record's value, as shown.")
    differs: bool
    choosable: bool = Field(..., description="False when the merge keeps a value without asking.")
    proposed: str = Field(..., description='The proposed side: "survivor", or "merged" where the survivor has no value.')


class KeptOut(Schema):
    label: str
    survivor: list[str]
    merged: list[str]


class MoveOut(Schema):
    what: str
    count: int


class MergePreviewOut(Schema):
    """What merging the pair would do, with nothing changed."""

    duplicate_id: int
    survivor_id: int
    merged_id: int
    fields: list[FieldComparisonOut]
    kept: list[KeptOut] = Field(..., description="Kept from both records without asking (emails, phones, accounts, domains).")
    moves: list[MoveOut] = Field(..., description="What would move to the survivor, and how many.")
    proposed_fields: dict[str, str] = Field(..., description="The proposed choices, ready to send as the merge's fields.")


def preview_row(preview: Any) -> dict[str, Any]:
    from amity.customers.merging import relation_name

    return {
        "duplicate_id": preview.candidate.pk,
        "survivor_id": preview.survivor.pk,
        "merged_id": preview.merged.pk,
        "fields": [
            {
                "name": f.name,
                "label": f.label,
                "survivor": f.survivor,
                "merged": f.merged,
                "differs": f.differs,
                "choosable": f.choosable,
                "proposed": f.proposed,
            }
            for f in preview.fields
        ],
        "kept": [{"label": k.label, "survivor": k.survivor, "merged": k.merged} for k in preview.kept],
        "moves": [{"what": relation_name(label), "count": count} for label, count in preview.moves],
        "proposed_fields": preview.proposed_choices,
    }


class MergePreviewIn(Schema):
    survivor_id: int | None = Field(None, description="The record that would stay; by default the older (see the user guide).")


class ClusterFilterIn(Schema):
    record_type: str | None = Field(None, description="contact or account; both when left out")
    limit: int = Field(50, ge=1, le=50, description="How many clusters, strongest first (at most 50).")


class ClusterOut(Schema):
    record_type: str
    score: float = Field(..., description="The weakest score joining the cluster's records.")
    reasons: list[str]
    records: list[DuplicateRecordOut] = Field(..., description="The records, smallest id first.")
    pair_ids: list[int] = Field(..., description="The open pairs among them.")


class ClusterListOut(Schema):
    items: list[ClusterOut]


class ClusterPreviewIn(Schema):
    record_type: str = Field(..., description="contact or account")
    ids: list[int] = Field(..., description="The cluster's records, as the cluster list gives them.")
    survivor_id: int | None = Field(None, description="The record that would stay; by default the oldest.")


class ClusterFieldOut(Schema):
    name: str = Field(..., description='The field as the merge takes it: "title", "custom.tier".')
    label: str
    values: dict[str, str] = Field(..., description="Each record's value as shown, by record id.")
    differs: bool
    choosable: bool
    proposed: int = Field(..., description="The record whose value is proposed: the survivor's, or the first that has one.")


class ClusterPreviewOut(Schema):
    """What merging the cluster would do, with nothing changed."""

    record_type: str
    survivor_id: int
    merged_ids: list[int]
    pair_ids: list[int]
    fields: list[ClusterFieldOut]
    moves: dict[str, list[MoveOut]] = Field(..., description="Per record merged (by id): what would move to the survivor.")
    proposed_fields: dict[str, int] = Field(..., description="The proposed choices, ready to send as the merge's fields.")


def cluster_preview_row(preview: Any) -> dict[str, Any]:
    from amity.customers.merging import relation_name

    return {
        "record_type": preview.record_type,
        "survivor_id": preview.survivor.pk,
        "merged_ids": [record.pk for record in preview.merged],
        "pair_ids": [pair.pk for pair in preview.pairs],
        "fields": [
            {
                "name": row.name,
                "label": row.label,
                "values": {str(pk): value for pk, value in row.values},
                "differs": row.differs,
                "choosable": row.choosable,
                "proposed": row.proposed,
            }
            for row in preview.fields
        ],
        "moves": {
            str(pk): [{"what": relation_name(label), "count": count} for label, count in moves] for pk, moves in preview.moves.items()
        },
        "proposed_fields": preview.proposed_choices,
    }


class ClusterMergeIn(Schema):
    record_type: str = Field(..., description="contact or account")
    survivor_id: int = Field(..., description="The record that stays.")
    merged_ids: list[int] = Field(..., description="The cluster's other records, each merged into the survivor.")
    fields: dict[str, int] = Field(
        default_factory=dict,
        description='The record each field is taken from, by id (custom fields as "custom.<key>"); the survivor\'s when left out.',
    )


class ClusterMergeOut(Schema):
    merges: list[MergeOut] = Field(
        ...,
        description="One merge per record merged, in order, sharing one `group`: each undoable on its own (the latest first), "
        "or all at once with POST /merges/{id}/undo-cluster.",
    )


class ClusterUndoOut(Schema):
    merges: list[MergeOut] = Field(..., description="The merges undone, the latest first.")


class DedupeSettingsIn(Schema):
    auto_merge: bool = Field(..., description="Merge exact-key matches (same email, phone or web domain) after each scan.")
    auto_merge_threshold: float = Field(0.95, description="From 0.8 to 1: the least score merged without review.")


class DedupeSettingsOut(Schema):
    auto_merge: bool
    auto_merge_threshold: float
    updated_at: dt.datetime | None
