"""The duplicates API: candidate pairs ranked by score, dismissing a pair, and scans with their progress."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status

from amity.api.auth import actor_and_workspace
from amity.api.pagination import PageParams, page_of, paginate
from amity.api.problems import problem
from amity.core.models import Workspace
from amity.customers import cluster_merging, merging
from amity.customers.dedupe import review, selectors, services
from amity.customers.dedupe.schemas import (
    ClusterFilterIn,
    ClusterListOut,
    ClusterMergeIn,
    ClusterMergeOut,
    ClusterPreviewIn,
    ClusterPreviewOut,
    ClusterUndoOut,
    DedupeSettingsIn,
    DedupeSettingsOut,
    DuplicateFilterIn,
    DuplicateOut,
    DuplicateScanIn,
    DuplicateScanOut,
    MergeIn,
    MergeOut,
    MergePreviewIn,
    MergePreviewOut,
    candidate_row,
    cluster_preview_row,
    merge_row,
    preview_row,
)

router = Router()
TAGS = ["Duplicates"]


def _rows(request: HttpRequest, candidates: list[Any]) -> list[dict[str, Any]]:
    _, workspace = actor_and_workspace(request)
    keys = [(c.record_type, pk) for c in candidates for pk in (c.left_id, c.right_id)]
    summaries = selectors.record_summaries(workspace, keys)
    return [candidate_row(candidate, summaries) for candidate in candidates]


def duplicates_problem(workspace: Workspace, found: services.DuplicatesFound) -> HttpResponse:
    """The 409 answer to a create whose record probably exists: problem details with the likely duplicates, best first."""
    summaries = selectors.record_summaries(workspace, [(pair.right.type, pair.right.id) for pair in found.matches])
    candidates = [
        {**selectors.summary_of(summaries, pair.right.type, pair.right.id), "score": pair.score, "reasons": list(pair.reasons)}
        for pair in found.matches
    ]
    detail = f"This {found.record_type} probably exists already; send ?allow_duplicates=true to create it anyway."
    return problem(409, detail, candidates=candidates)


@router.get("/duplicates", response=page_of(DuplicateOut), tags=TAGS, summary="Candidate duplicate pairs, most likely first")
def list_duplicates(request: HttpRequest, page: Query[PageParams], filters: Query[DuplicateFilterIn]) -> Any:
    actor, workspace = actor_and_workspace(request)
    status = None if filters.status == "all" else filters.status
    pairs = selectors.candidate_list(
        actor=actor, workspace=workspace, status=status, record_type=filters.record_type, min_score=filters.min_score
    )
    listed = paginate(pairs, ordering=selectors.RANKING, cursor=page.cursor, limit=page.limit)
    return {"items": _rows(request, listed.items), "next_cursor": listed.next_cursor}


def _cluster_rows(workspace: Workspace, clusters: list[selectors.ClusterRow]) -> list[dict[str, Any]]:
    summaries = selectors.record_summaries(workspace, [(cluster.record_type, pk) for cluster in clusters for pk in cluster.ids])
    return [
        {
            "record_type": cluster.record_type,
            "score": cluster.score,
            "reasons": list(cluster.reasons),
            "records": [selectors.summary_of(summaries, cluster.record_type, pk) for pk in cluster.ids],
            "pair_ids": list(cluster.pair_ids),
        }
        for cluster in clusters
    ]


# Before /duplicates/{duplicate_id}, so that "clusters" is never taken for an id.
@router.get("/duplicates/clusters", response=ClusterListOut, tags=TAGS, summary="Open pairs joined into clusters, strongest first")
def list_clusters(request: HttpRequest, filters: Query[ClusterFilterIn]) -> Any:
    actor, workspace = actor_and_workspace(request)
    if filters.record_type not in (None, *selectors.CLUSTER_TYPES):
        raise ValidationError({"record_type": "Choose contact or account, or leave it out for both."})
    clusters = selectors.cluster_list(actor=actor, workspace=workspace, record_type=filters.record_type, limit=filters.limit)
    return {"items": _cluster_rows(workspace, clusters)}


@router.post(
    "/duplicates/clusters/preview",
    response=ClusterPreviewOut,
    tags=TAGS,
    summary="What merging a cluster would do: its records field by field, the proposed values, what would move",
    description="Changes nothing. A POST because the cluster is named by its records' ids, as the merge names them.",
)
def preview_cluster(request: HttpRequest, payload: ClusterPreviewIn) -> Any:
    actor, workspace = actor_and_workspace(request)
    preview = review.cluster_preview(
        actor=actor, workspace=workspace, record_type=payload.record_type, ids=payload.ids, survivor_id=payload.survivor_id
    )
    return cluster_preview_row(preview)


@router.post(
    "/duplicates/clusters/merge",
    response={201: ClusterMergeOut},
    tags=TAGS,
    summary="Merge a cluster: every other record into the survivor, with each field's value from the record chosen",
)
def merge_cluster(request: HttpRequest, payload: ClusterMergeIn) -> Any:
    actor, workspace = actor_and_workspace(request)
    if payload.record_type not in selectors.CLUSTER_TYPES:
        raise ValidationError({"record_type": "Choose contact or account."})
    selectors.require_visible_records(
        actor=actor, workspace=workspace, record_type=payload.record_type, ids=[payload.survivor_id, *payload.merged_ids]
    )
    merges = cluster_merging.merge_cluster(
        actor=actor,
        workspace=workspace,
        record_type=payload.record_type,
        survivor_id=payload.survivor_id,
        merged_ids=payload.merged_ids,
        choices=payload.fields,
    )
    return Status(201, {"merges": [merge_row(merge) for merge in merges]})


# Before /duplicates/{duplicate_id}, so that "rebuild" is never taken for an id.
@router.post("/duplicates/rebuild", response={202: DuplicateScanOut}, tags=TAGS, summary="Look for duplicates again, in the background")
def rebuild_duplicates(request: HttpRequest, payload: DuplicateScanIn | None = None) -> Any:
    actor, workspace = actor_and_workspace(request)
    scan = services.duplicate_scan_start(actor=actor, workspace=workspace, record_type=payload.record_type if payload else "")
    return Status(202, selectors.scan_get(actor=actor, workspace=workspace, pk=scan.pk))


@router.get("/duplicates/{duplicate_id}", response=DuplicateOut, tags=TAGS, summary="One candidate pair")
def get_duplicate(request: HttpRequest, duplicate_id: int) -> Any:
    actor, workspace = actor_and_workspace(request)
    return _rows(request, [selectors.candidate_get(actor=actor, workspace=workspace, pk=duplicate_id)])[0]


@router.post("/duplicates/{duplicate_id}/dismiss", response=DuplicateOut, tags=TAGS, summary="Say the two records are not one")
def dismiss_duplicate(request: HttpRequest, duplicate_id: int) -> Any:
    actor, workspace = actor_and_workspace(request)
    candidate = services.duplicate_dismiss(
        actor=actor, candidate=selectors.candidate_get(actor=actor, workspace=workspace, pk=duplicate_id)
    )
    return _rows(request, [candidate])[0]


@router.get("/duplicate-scans/{scan_id}", response=DuplicateScanOut, tags=TAGS, summary="A scan's progress")
def get_duplicate_scan(request: HttpRequest, scan_id: int) -> Any:
    actor, workspace = actor_and_workspace(request)
    return selectors.scan_get(actor=actor, workspace=workspace, pk=scan_id)


@router.post(
    "/duplicates/{duplicate_id}/merge",
    response={201: MergeOut},
    tags=TAGS,
    summary="Merge the pair: the other record's links move to the survivor, with the chosen field values",
)
def merge_duplicate(request: HttpRequest, duplicate_id: int, payload: MergeIn) -> Any:
    actor, workspace = actor_and_workspace(request)
    candidate = selectors.candidate_get(actor=actor, workspace=workspace, pk=duplicate_id)
    merge = merging.merge_candidate(actor=actor, candidate=candidate, survivor_id=payload.survivor_id, choices=payload.fields)
    return Status(201, merge_row(merge))


@router.get(
    "/duplicates/{duplicate_id}/preview",
    response=MergePreviewOut,
    tags=TAGS,
    summary="What merging the pair would do: both records field by field, the proposed choices, what would move",
)
def preview_duplicate(request: HttpRequest, duplicate_id: int, query: Query[MergePreviewIn]) -> Any:
    actor, workspace = actor_and_workspace(request)
    candidate = selectors.candidate_get(actor=actor, workspace=workspace, pk=duplicate_id)
    return preview_row(review.merge_preview(actor=actor, workspace=workspace, candidate=candidate, survivor_id=query.survivor_id))


@router.get("/duplicate-settings", response=DedupeSettingsOut, tags=TAGS, summary="Whether exact-key matches are merged automatically")
def get_dedupe_settings(request: HttpRequest) -> Any:
    actor, workspace = actor_and_workspace(request)
    return selectors.dedupe_settings_get(actor=actor, workspace=workspace)


@router.put(
    "/duplicate-settings", response=DedupeSettingsOut, tags=TAGS, summary="Switch automatic merging on or off, and set its threshold"
)
def put_dedupe_settings(request: HttpRequest, payload: DedupeSettingsIn) -> Any:
    actor, workspace = actor_and_workspace(request)
    return services.dedupe_settings_update(
        actor=actor, workspace=workspace, auto_merge=payload.auto_merge, auto_merge_threshold=payload.auto_merge_threshold
    )


@router.get("/merges", response=page_of(MergeOut), tags=TAGS, summary="Merges, newest first")
def list_merges(request: HttpRequest, page: Query[PageParams]) -> Any:
    actor, workspace = actor_and_workspace(request)
    listed = paginate(
        selectors.merge_list(actor=actor, workspace=workspace), ordering=selectors.MERGES_NEWEST, cursor=page.cursor, limit=page.limit
    )
    blockers = merging.undo_blockers(listed.items)
    return {"items": [merge_row(merge, blockers) for merge in listed.items], "next_cursor": listed.next_cursor}


@router.get("/merges/{merge_id}", response=MergeOut, tags=TAGS, summary="One merge")
def get_merge(request: HttpRequest, merge_id: int) -> Any:
    actor, workspace = actor_and_workspace(request)
    return merge_row(selectors.merge_get(actor=actor, workspace=workspace, pk=merge_id))


@router.post("/merges/{merge_id}/undo", response=MergeOut, tags=TAGS, summary="Undo a merge: the merged record comes back with what moved")
def undo_merge(request: HttpRequest, merge_id: int) -> Any:
    actor, workspace = actor_and_workspace(request)
    merge = merging.undo_merge(actor=actor, merge=selectors.merge_get(actor=actor, workspace=workspace, pk=merge_id))
    return merge_row(merge)


@router.post(
    "/merges/{merge_id}/undo-cluster",
    response=ClusterUndoOut,
    tags=TAGS,
    summary="Undo a whole cluster merge: every merge of the group this one was a step of, the latest first, or none",
    description="Answers the merges undone, latest first. Refused (422, naming `merge`, nothing undone) when the merge was not "
    "one of a cluster merge, the cluster merge was undone already, or one of its merges can no longer be undone, with the reason.",
)
def undo_cluster_merge(request: HttpRequest, merge_id: int) -> Any:
    actor, workspace = actor_and_workspace(request)
    merges = cluster_merging.undo_cluster(actor=actor, merge=selectors.merge_get(actor=actor, workspace=workspace, pk=merge_id))
    return {"merges": [merge_row(merge) for merge in merges]}
