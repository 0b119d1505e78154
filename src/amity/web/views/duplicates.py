"""Customers → Duplicates: the candidate pairs ranked by score, a pair side by side to merge or dismiss, the merges with undo.

Every write goes through the services the API uses (`dedupe.services`, `merging`), every read
through `dedupe.selectors` and `dedupe.review`, so a page refuses what the API refuses.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from amity.core.access import allowed
from amity.core.permissions import Action, ObjectType
from amity.customers import cluster_merging, merging
from amity.customers.dedupe import review, selectors, services
from amity.customers.dedupe.scoring import DEFAULT_THRESHOLD
from amity.customers.models import DuplicateCandidate
from amity.web.flash import success_with_action
from amity.web.forms import StyledForm, apply_errors, error_text
from amity.web.views.base import WorkspaceRequest, ensure, keyset_page, render_page, workspace_view

PAGE_SIZE = 25
TYPES = [("", "Contacts and accounts"), ("contact", "Contacts"), ("account", "Accounts")]
STATUSES = [("open", "Open"), ("dismissed", "Dismissed"), ("merged", "Merged"), ("closed", "Closed"), ("all", "All")]


def _choice(value: str, choices: list[tuple[str, str]], default: str) -> str:
    return value if value in {key for key, _ in choices} else default


def _may_merge(request: WorkspaceRequest, record_type: str) -> bool:
    record_object = ObjectType.CONTACT if record_type == "contact" else ObjectType.ACCOUNT
    return allowed(request.user, request.workspace, Action.CHANGE, ObjectType.DUPLICATE) and allowed(
        request.user, request.workspace, Action.DELETE, record_object
    )


def _detail_url(request: WorkspaceRequest, record_type: str, pk: int) -> str:
    return reverse(f"{record_type}_detail", args=[request.workspace.slug, pk])


def _rows(request: WorkspaceRequest, pairs: list[DuplicateCandidate], listed: Any) -> list[dict[str, Any]]:
    """Each pair with both records' summaries and in how many listed pairs each record is (a cluster when more than one)."""
    keys = [(pair.record_type, pk) for pair in pairs for pk in (pair.left_id, pair.right_id)]
    summaries = selectors.record_summaries(request.workspace, keys)
    counts = selectors.pair_counts(listed, keys)
    rows = []
    for pair in pairs:
        records = []
        for pk in (pair.left_id, pair.right_id):
            summary = selectors.summary_of(summaries, pair.record_type, pk)
            records.append({**summary, "url": _detail_url(request, pair.record_type, pk), "pairs": counts[pair.record_type, pk]})
        rows.append({"pair": pair, "records": records})
    return rows


@workspace_view
@require_GET
def duplicate_list(request: WorkspaceRequest) -> HttpResponse:
    """The candidate pairs, most likely first, a page at a time; filtered by type, status, or one record's pairs."""
    ensure(request, Action.VIEW, ObjectType.DUPLICATE)
    record_type = _choice(request.GET.get("type", ""), TYPES, "")
    status = _choice(request.GET.get("status", ""), STATUSES, "open")
    record_param = request.GET.get("record", "")
    record_id = int(record_param) if record_param.isdigit() and record_type else None
    listed = selectors.candidate_list(
        actor=request.user,
        workspace=request.workspace,
        status=None if status == "all" else status,
        record_type=record_type or None,
        record_id=record_id,
    )
    page = keyset_page(listed, ordering=selectors.RANKING, cursor=request.GET.get("cursor"), limit=PAGE_SIZE)
    filters = {key: value for key, value in (("type", record_type), ("status", status), ("record", record_id or "")) if value}
    context = {
        "rows": _rows(request, page.items, listed),
        "page": page,
        "types": TYPES,
        "statuses": STATUSES,
        "record_type": record_type,
        "status": status,
        "record_id": record_id,
        "record_name": selectors.record_summaries(request.workspace, [(record_type, record_id)]).get((record_type, record_id or 0), {})
        if record_id
        else {},
        "filter_query": urlencode(filters),
        "scan": selectors.latest_scan(actor=request.user, workspace=request.workspace),
        "can_scan": allowed(request.user, request.workspace, Action.ADD, ObjectType.DUPLICATE),
        "settings": selectors.dedupe_settings(request.workspace),
    }
    return render_page(request, "web/duplicates/list.html", context, partial="rows")


@workspace_view
@require_POST
def duplicate_scan_start(request: WorkspaceRequest) -> HttpResponse:
    """Look for duplicates again, in the background; the list shows the scan's progress."""
    record_type = _choice(request.POST.get("type", ""), TYPES, "")
    services.duplicate_scan_start(actor=request.user, workspace=request.workspace, record_type=record_type)
    messages.success(request, "Looking for duplicates again; the list is brought up to date when the scan is done.")
    return redirect("duplicate_list", request.workspace.slug)


@workspace_view
@require_GET
def duplicate_scan_progress(request: WorkspaceRequest) -> HttpResponse:
    """The last scan's progress bar (polled by the list while the scan runs)."""
    scan = selectors.latest_scan(actor=request.user, workspace=request.workspace)
    return render(request, "web/duplicates/list.html#scan", {"scan": scan, "workspace": request.workspace})


def _survivor_param(request: WorkspaceRequest) -> int | None:
    value = request.POST.get("survivor_id") if request.method == "POST" else request.GET.get("survivor")
    return int(value) if value and value.isdigit() else None


def _review_context(request: WorkspaceRequest, pair: DuplicateCandidate, preview: review.MergePreview) -> dict[str, Any]:
    posted = request.POST if request.method == "POST" else None
    return {
        "pair": pair,
        "preview": preview,
        "moves": [merging.counted(label, count) for label, count in preview.moves],
        "field_rows": [(row, (posted.get(f"field.{row.name}") if posted else None) or row.proposed) for row in preview.fields],
        "survivor_url": _detail_url(request, pair.record_type, preview.survivor.pk),
        "merged_url": _detail_url(request, pair.record_type, preview.merged.pk),
        "swap_url": f"?{urlencode({'survivor': preview.merged.pk})}",
        "can_merge": pair.status == DuplicateCandidate.Status.OPEN
        and preview.survivor.deleted_at is None
        and preview.merged.deleted_at is None
        and _may_merge(request, pair.record_type),
        "can_dismiss": pair.status == DuplicateCandidate.Status.OPEN
        and allowed(request.user, request.workspace, Action.CHANGE, ObjectType.DUPLICATE),
        "merge": selectors.merge_of(actor=request.user, workspace=request.workspace, candidate=pair)
        if pair.status == DuplicateCandidate.Status.MERGED
        else None,
    }


@workspace_view
@require_http_methods(["GET", "POST"])
def duplicate_review(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """A pair side by side, field by field, with a choice of the surviving values; a post merges them."""
    pair = selectors.candidate_get(actor=request.user, workspace=request.workspace, pk=pk)
    try:
        preview = review.merge_preview(
            actor=request.user, workspace=request.workspace, candidate=pair, survivor_id=_survivor_param(request)
        )
    except ValidationError:
        return redirect("duplicate_review", request.workspace.slug, pair.pk)
    status = 200
    if request.method == "POST":
        # Every field.<name> posted goes to the service as sent: it refuses an unknown field or side, naming it.
        choices = {row.name: row.proposed for row in preview.fields if row.choosable}
        choices |= {key.removeprefix("field."): str(request.POST.get(key, "")) for key in request.POST if key.startswith("field.")}
        try:
            merge = merging.merge_candidate(actor=request.user, candidate=pair, survivor_id=preview.survivor.pk, choices=choices)
        except ValidationError as error:
            text, _ = _refusal(error, {row.name: row.label for row in preview.fields})
            messages.error(request, f"Nothing was merged. {text}")
            status = 422
        else:
            survivor_url = _detail_url(request, pair.record_type, merge.survivor_id)
            undo_url = reverse("merge_undo", args=[request.workspace.slug, merge.pk])
            success_with_action(
                request,
                f"Merged {merge.merged_name} into {preview.survivor}.",
                url=f"{undo_url}?{urlencode({'next': survivor_url})}",
                label="Undo",
            )
            return redirect(survivor_url)
    return render_page(request, "web/duplicates/review.html", _review_context(request, pair, preview), status=status)


@workspace_view
@require_POST
def duplicate_dismiss(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """Say the two records are not one: the pair leaves the list, and later scans do not bring it back."""
    pair = selectors.candidate_get(actor=request.user, workspace=request.workspace, pk=pk)
    services.duplicate_dismiss(actor=request.user, candidate=pair)
    messages.success(request, "Dismissed: these two are not shown as duplicates again.")
    return redirect("duplicate_list", request.workspace.slug)


@workspace_view
@require_GET
def merge_list(request: WorkspaceRequest) -> HttpResponse:
    """The merges, newest first, with Undo while it is allowed, and why not when it is not."""
    merges = selectors.merge_list(actor=request.user, workspace=request.workspace).select_related("merged_by", "undone_by")
    page = keyset_page(merges, ordering=selectors.MERGES_NEWEST, cursor=request.GET.get("cursor"), limit=PAGE_SIZE)
    blockers = merging.undo_blockers(page.items)
    groups = cluster_merging.group_states(page.items)
    summaries = selectors.record_summaries(request.workspace, [(merge.record_type, merge.survivor_id) for merge in page.items])
    rows = []
    for merge in page.items:
        group = groups.get(merge.pk)
        why_not = blockers[merge.pk]
        may = _may_merge(request, merge.record_type)
        if group and merge.undone_at is None and group.latest_pending_id != merge.pk:
            # An earlier step of a cluster merge: the later ones changed the survivor, so they are undone first.
            why_not = "One of a cluster merge: undo its later merges first, or the whole cluster at once."
        rows.append(
            {
                "merge": merge,
                "survivor": selectors.summary_of(summaries, merge.record_type, merge.survivor_id),
                "survivor_url": _detail_url(request, merge.record_type, merge.survivor_id),
                "merged_url": _detail_url(request, merge.record_type, merge.merged_id),
                "moved": [merging.counted(label, len(ids)) for label, ids in sorted(merge.moved.items()) if ids],
                "why_not": why_not,
                "can_undo": why_not is None and may,
                "group": group,
                # The whole cluster's Undo sits on its latest merge still in place, while that one can be undone.
                "can_undo_cluster": group is not None
                and group.pending > 1
                and group.latest_pending_id == merge.pk
                and blockers[merge.pk] is None
                and may,
            }
        )
    return render_page(request, "web/duplicates/merges.html", {"rows": rows, "page": page}, partial="rows")


def _next(request: WorkspaceRequest, default: str) -> str:
    target = request.GET.get("next", "")
    if target.startswith(f"/w/{request.workspace.slug}/") and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


@workspace_view
@require_POST
def merge_undo(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """Undo a merge: the merged record comes back with what moved; refused, with the reason, when that is no longer exact."""
    merge = selectors.merge_get(actor=request.user, workspace=request.workspace, pk=pk)
    try:
        merging.undo_merge(actor=request.user, merge=merge)
    except ValidationError as error:
        messages.error(request, f"This merge cannot be undone: {error_text(error)}")
    else:
        messages.success(request, f"Merge undone: {merge.merged_name} is a record of its own again.")
    return redirect(_next(request, reverse("merge_list", args=[request.workspace.slug])))


@workspace_view
@require_POST
def merge_undo_cluster(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """Undo a whole cluster merge, every merge of it, the latest first; or none, with the reason, when one cannot be undone."""
    merge = selectors.merge_get(actor=request.user, workspace=request.workspace, pk=pk)
    try:
        undone = cluster_merging.undo_cluster(actor=request.user, merge=merge)
    except ValidationError as error:
        messages.error(request, f"This cluster merge cannot be undone: {error_text(error)}")
    else:
        names = ", ".join(step.merged_name for step in reversed(undone))
        messages.success(request, f"Cluster merge undone: {names} are records of their own again.")
    return redirect(_next(request, reverse("merge_list", args=[request.workspace.slug])))


# --- Clusters ------------------------------------------------------------------------------------------------------


def _cluster_url(request: WorkspaceRequest, record_type: str, ids: Sequence[int], **extra: Any) -> str:
    query = urlencode({"type": record_type, **extra})  # the ids joined by plain commas, readable in the address bar
    return f"{reverse('cluster_review', args=[request.workspace.slug])}?{query}&ids={','.join(map(str, ids))}"


@workspace_view
@require_GET
def cluster_list(request: WorkspaceRequest) -> HttpResponse:
    """The open pairs joined into clusters, strongest first (a bounded list): each group to review and merge at once."""
    ensure(request, Action.VIEW, ObjectType.DUPLICATE)
    record_type = _choice(request.GET.get("type", ""), TYPES, "")
    clusters = selectors.cluster_list(actor=request.user, workspace=request.workspace, record_type=record_type or None)
    summaries = selectors.record_summaries(request.workspace, [(c.record_type, pk) for c in clusters for pk in c.ids])
    rows = [
        {
            "cluster": cluster,
            "records": [
                {**selectors.summary_of(summaries, cluster.record_type, pk), "url": _detail_url(request, cluster.record_type, pk)}
                for pk in cluster.ids
            ],
            "review_url": _cluster_url(request, cluster.record_type, cluster.ids),
        }
        for cluster in clusters
    ]
    context = {"rows": rows, "types": TYPES, "record_type": record_type, "limit": selectors.CLUSTER_LIMIT}
    return render_page(request, "web/duplicates/clusters.html", context)


def _cluster_ids(request: WorkspaceRequest) -> list[int]:
    raw = (request.POST if request.method == "POST" else request.GET).get("ids", "")
    return sorted({int(part) for part in raw.split(",") if part.strip().isdigit()})


def _cluster_choices(request: WorkspaceRequest, preview: review.ClusterPreview) -> dict[str, object]:
    """The record each field is taken from, as posted: every `field.<name>` sent, as sent (the service checks them all and
    refuses a bad one naming it), and the proposed record for a choosable field nothing was sent for."""
    chosen: dict[str, object] = {row.name: row.proposed for row in preview.fields if row.choosable}
    chosen |= {key.removeprefix("field."): str(request.POST.get(key, "")) for key in request.POST if key.startswith("field.")}
    return chosen


def _shown_choices(preview: review.ClusterPreview, chosen: dict[str, object]) -> dict[str, int]:
    """The radio to tick per field when the page is drawn again: the posted record where it is one of the group's."""
    members = {record.pk for record in preview.records}
    shown: dict[str, int] = {}
    for row in preview.fields:
        value = chosen.get(row.name)
        record_id = int(value) if isinstance(value, (int, str)) and str(value).isdigit() else None
        shown[row.name] = record_id if record_id in members else row.proposed
    return shown


# Errors about the merge as a whole (which records, which type), said without a field name in front.
WHOLE_MERGE_ERRORS = {NON_FIELD_ERRORS, "merged_ids", "survivor_id", "record_type", "status"}


def _refusal(error: ValidationError, labels: dict[str, str]) -> tuple[str, dict[str, str]]:
    """A refused merge in words naming each field ("Job title: Choose one of …"), and the message per field for its row."""
    if not hasattr(error, "error_dict"):
        return error_text(error), {}
    per_field = {name: " ".join(texts) for name, texts in error.message_dict.items()}
    text = " ".join(
        message if name in WHOLE_MERGE_ERRORS else f"{labels.get(name, name)}: {message}" for name, message in per_field.items()
    )
    return text, {name: message for name, message in per_field.items() if name not in WHOLE_MERGE_ERRORS}


@workspace_view
@require_http_methods(["GET", "POST"])
def cluster_review(request: WorkspaceRequest) -> HttpResponse:
    """A cluster side by side: pick the record that stays and each field's value from any record; a post merges them all."""
    ensure(request, Action.VIEW, ObjectType.DUPLICATE)
    record_type = _choice((request.POST if request.method == "POST" else request.GET).get("type", ""), TYPES[1:], "")
    ids = _cluster_ids(request)
    if not record_type or len(ids) < 2:
        messages.error(request, "Open a cluster from the list: it names the type and two or more records.")
        return redirect("duplicate_clusters", request.workspace.slug)
    try:
        preview = review.cluster_preview(
            actor=request.user, workspace=request.workspace, record_type=record_type, ids=ids, survivor_id=_survivor_param(request)
        )
    except ValidationError:
        return redirect(_cluster_url(request, record_type, ids))
    if request.method != "POST":
        return render_page(request, "web/duplicates/cluster_review.html", _cluster_context(request, preview, preview.proposed_choices))
    chosen = _cluster_choices(request, preview)
    try:
        merges = cluster_merging.merge_cluster(
            actor=request.user,
            workspace=request.workspace,
            record_type=record_type,
            survivor_id=preview.survivor.pk,
            merged_ids=[record.pk for record in preview.merged],
            choices=chosen,
        )
    except ValidationError as error:
        text, errors = _refusal(error, {row.name: row.label for row in preview.fields})
        messages.error(request, f"Nothing was merged. {text}")
        context = _cluster_context(request, preview, _shown_choices(preview, chosen), errors)
        return render_page(request, "web/duplicates/cluster_review.html", context, status=422)
    noun = "record" if len(merges) == 1 else "records"
    preview.survivor.refresh_from_db()  # named as it is now, with the values taken from the others
    survivor_url = _detail_url(request, record_type, preview.survivor.pk)
    undo_url = reverse("merge_undo_cluster", args=[request.workspace.slug, merges[-1].pk])
    success_with_action(
        request,
        f"Merged {len(merges)} {noun} into {preview.survivor}.",
        url=f"{undo_url}?{urlencode({'next': survivor_url})}",
        label="Undo",
    )
    return redirect(survivor_url)


def _cluster_context(
    request: WorkspaceRequest, preview: review.ClusterPreview, chosen: dict[str, int], errors: dict[str, str] | None = None
) -> dict[str, Any]:
    errors = errors or {}
    ids = [record.pk for record in preview.records]
    return {
        "preview": preview,
        "ids": ",".join(map(str, sorted(ids))),
        "columns": [
            {
                "record": record,
                "url": _detail_url(request, preview.record_type, record.pk),
                "keep_url": _cluster_url(request, preview.record_type, sorted(ids), survivor=record.pk),
                "moves": [merging.counted(label, count) for label, count in preview.moves.get(record.pk, [])],
            }
            for record in preview.records
        ],
        "field_rows": [(row, chosen.get(row.name, row.proposed), errors.get(row.name, "")) for row in preview.fields],
        "can_merge": all(record.deleted_at is None for record in preview.records) and _may_merge(request, preview.record_type),
    }


class DedupeSettingsForm(StyledForm):
    auto_merge = forms.BooleanField(
        required=False,
        label="Merge exact matches automatically",
        help_text="After each scan, pairs that share an email address, a phone number or a web domain and score at least the "
        "threshold are merged without review. Everything else waits on the Duplicates page for a person.",
    )
    auto_merge_threshold = forms.FloatField(
        label="Least score to merge automatically",
        min_value=DEFAULT_THRESHOLD,
        max_value=1,
        widget=forms.NumberInput(attrs={"step": "0.01"}),
        help_text=f"From {DEFAULT_THRESHOLD} to 1. At 0.95, only pairs that are almost certainly one record are merged.",
    )


@workspace_view
@require_http_methods(["GET", "POST"])
def settings_duplicates(request: WorkspaceRequest) -> HttpResponse:
    """Settings → Duplicates: automatic merging of exact-key matches, on or off, and its threshold (owners and admins)."""
    ensure(request, Action.CHANGE, ObjectType.DEDUPE_SETTING)
    current = selectors.dedupe_settings_get(actor=request.user, workspace=request.workspace)
    initial = {"auto_merge": current.auto_merge, "auto_merge_threshold": current.auto_merge_threshold}
    form = DedupeSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.dedupe_settings_update(actor=request.user, workspace=request.workspace, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                f"Automatic merging is on at {saved.auto_merge_threshold:.2f}." if saved.auto_merge else "Automatic merging is off.",
            )
            return redirect("settings_duplicates", request.workspace.slug)
    context = {"form": form, "current": current}
    return render_page(request, "web/settings/duplicates.html", context, status=422 if form.errors else 200)
