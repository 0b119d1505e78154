"""The privacy API: a person's data as a report (JSON, HTML, PDF), erasures with their progress, retention rules and runs."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Status

from amity.api.auth import actor_and_workspace
from amity.api.pagination import PageParams, page_of, paginate
from amity.customers import selectors as customer_selectors
from amity.customers.privacy import erasure, export, retention, selectors
from amity.customers.privacy.schemas import (
    ErasureIn,
    ErasureOut,
    RetentionPreviewOut,
    RetentionRuleIn,
    RetentionRuleOut,
    RetentionRulePatch,
    RetentionRunOut,
)

router = Router()
TAGS = ["Privacy"]


@router.get("/contacts/{contact_id}/personal-data", response=dict[str, Any], tags=TAGS, summary="Everything held about one person")
def personal_data(request: HttpRequest, contact_id: int, format: Literal["json", "html", "pdf"] = "json") -> Any:
    """The data-subject access report: every record about the person, section by section, and the audit log's entries about them."""
    actor, workspace = actor_and_workspace(request)
    contact = customer_selectors.contact_get(actor=actor, workspace=workspace, pk=contact_id, include_deleted=True)
    data = export.subject_export(actor=actor, workspace=workspace, contact=contact)
    return data if format == "json" else export.report_file(data, format)


@router.get("/erasures", response=page_of(ErasureOut), tags=TAGS, summary="Erasures done and under way, newest first")
def list_erasures(request: HttpRequest, page: Query[PageParams]) -> Any:
    actor, workspace = actor_and_workspace(request)
    return paginate(
        selectors.erasure_list(actor=actor, workspace=workspace), ordering=("-created_at", "-id"), cursor=page.cursor, limit=page.limit
    )


@router.post("/erasures", response={202: ErasureOut}, tags=TAGS, summary="Erase a person's data everywhere, in the background")
def create_erasure(request: HttpRequest, payload: ErasureIn) -> Any:
    """Personal data is removed or pseudonymized in every record; what is kept is listed in the user guide. Cannot be undone."""
    actor, workspace = actor_and_workspace(request)
    contact = customer_selectors.contact_get(actor=actor, workspace=workspace, pk=payload.contact_id, include_deleted=True)
    return Status(202, erasure.erasure_request(actor=actor, workspace=workspace, contact=contact))


@router.get("/erasures/{erasure_id}", response=ErasureOut, tags=TAGS, summary="One erasure and its progress")
def get_erasure(request: HttpRequest, erasure_id: int) -> Any:
    actor, workspace = actor_and_workspace(request)
    return selectors.erasure_get(actor=actor, workspace=workspace, pk=erasure_id)


# --- Retention rules -------------------------------------------------------------------------------------

RETENTION_TAGS = ["Retention"]


@router.get("/retention-rules", response=page_of(RetentionRuleOut), tags=RETENTION_TAGS, summary="The workspace's retention rules")
def list_retention_rules(request: HttpRequest, page: Query[PageParams]) -> Any:
    actor, workspace = actor_and_workspace(request)
    rules = selectors.retention_rule_list(actor=actor, workspace=workspace)
    return paginate(rules, ordering=("id",), cursor=page.cursor, limit=page.limit)


@router.post("/retention-rules", response={201: RetentionRuleOut}, tags=RETENTION_TAGS, summary="Add a retention rule")
def create_retention_rule(request: HttpRequest, payload: RetentionRuleIn) -> Any:
    """A rule is applied daily by the worker once enabled; look at its preview before switching it on."""
    actor, workspace = actor_and_workspace(request)
    return Status(201, retention.retention_rule_create(actor=actor, workspace=workspace, data=payload.model_dump()))


@router.get("/retention-rules/{retention_rule_id}", response=RetentionRuleOut, tags=RETENTION_TAGS, summary="One retention rule")
def get_retention_rule(request: HttpRequest, retention_rule_id: int) -> Any:
    actor, workspace = actor_and_workspace(request)
    return selectors.retention_rule_get(actor=actor, workspace=workspace, pk=retention_rule_id)


@router.patch(
    "/retention-rules/{retention_rule_id}", response=RetentionRuleOut, tags=RETENTION_TAGS, summary="Change or switch a retention rule"
)
def update_retention_rule(request: HttpRequest, retention_rule_id: int, payload: RetentionRulePatch) -> Any:
    actor, workspace = actor_and_workspace(request)
    rule = selectors.retention_rule_get(actor=actor, workspace=workspace, pk=retention_rule_id)
    return retention.retention_rule_update(actor=actor, rule=rule, data=payload.model_dump(exclude_unset=True))


@router.delete("/retention-rules/{retention_rule_id}", response={204: None}, tags=RETENTION_TAGS, summary="Remove a retention rule")
def delete_retention_rule(request: HttpRequest, retention_rule_id: int) -> Any:
    actor, workspace = actor_and_workspace(request)
    retention.retention_rule_delete(actor=actor, rule=selectors.retention_rule_get(actor=actor, workspace=workspace, pk=retention_rule_id))
    return Status(204, None)


@router.get(
    "/retention-rules/{retention_rule_id}/preview",
    response=RetentionPreviewOut,
    tags=RETENTION_TAGS,
    summary="What the rule would let go if it ran now",
)
def preview_retention_rule(request: HttpRequest, retention_rule_id: int) -> Any:
    """The count and the first records, from the same selection the run uses."""
    actor, workspace = actor_and_workspace(request)
    rule = selectors.retention_rule_get(actor=actor, workspace=workspace, pk=retention_rule_id)
    count, first = selectors.retention_preview(actor=actor, workspace=workspace, rule=rule)
    return {"count": count, "first": [{"id": row.pk, "name": str(row), "updated_at": row.updated_at} for row in first]}


@router.post("/retention-rules/{retention_rule_id}/run", response={202: RetentionRunOut}, tags=RETENTION_TAGS, summary="Apply a rule now")
def run_retention_rule(request: HttpRequest, retention_rule_id: int) -> Any:
    """In the background, enabled or not; the run shows its progress. Cannot be undone for erased or anonymised records."""
    actor, workspace = actor_and_workspace(request)
    rule = selectors.retention_rule_get(actor=actor, workspace=workspace, pk=retention_rule_id)
    return Status(202, retention.retention_run_request(actor=actor, rule=rule))


@router.get("/retention-runs", response=page_of(RetentionRunOut), tags=RETENTION_TAGS, summary="Retention runs, newest first")
def list_retention_runs(request: HttpRequest, page: Query[PageParams]) -> Any:
    actor, workspace = actor_and_workspace(request)
    runs = selectors.retention_run_list(actor=actor, workspace=workspace)
    return paginate(runs, ordering=("-created_at", "-id"), cursor=page.cursor, limit=page.limit)


@router.get(
    "/retention-runs/{retention_run_id}", response=RetentionRunOut, tags=RETENTION_TAGS, summary="One retention run and its progress"
)
def get_retention_run(request: HttpRequest, retention_run_id: int) -> Any:
    actor, workspace = actor_and_workspace(request)
    return selectors.retention_run_get(actor=actor, workspace=workspace, pk=retention_run_id)
