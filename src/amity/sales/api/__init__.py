"""The API of pipelines, lost reasons and deals: schemas in, one selector and one service, schemas out."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status

from amity.activities.api import timeline_body
from amity.activities.schemas import TimelineItemOut
from amity.api.auth import actor_and_workspace
from amity.api.pagination import PageParams, page_of, paginate, sort_ordering
from amity.core.selectors import member_or_none
from amity.customers.schemas import BulkAssignIn, BulkIds, BulkResultOut, BulkTagIn
from amity.sales import selectors, services
from amity.sales.schemas import (
    ContactRolesIn,
    LineItemsIn,
    LoseIn,
    LostReasonIn,
    LostReasonOut,
    LostReasonPatch,
    OpportunityBulkIn,
    OpportunityBulkOut,
    OpportunityFilterIn,
    OpportunityIn,
    OpportunityOut,
    OpportunityPatch,
    PipelineIn,
    PipelineOut,
    PipelinePatch,
    ReopenIn,
    StageHistoryOut,
    StageMoveIn,
)

router = Router()
DEALS = ["opportunities"]


def _custom_filters(request: HttpRequest) -> dict[str, str]:
    """`?custom.region=north` filters on a custom field."""
    return {key.removeprefix("custom."): str(value) for key, value in request.GET.items() if key.startswith("custom.") and value}


# --- Pipelines -----------------------------------------------------------------------------------------------------


@router.get("/pipelines", response=page_of(PipelineOut), tags=["pipelines"], summary="Pipelines with their stages")
def list_pipelines(request: HttpRequest, page: Query[PageParams]) -> Any:
    """A workspace without a pipeline gets the default one (New, Qualified, Proposal, Negotiation, Won, Lost) on first use."""
    actor, workspace = actor_and_workspace(request)
    pipelines = selectors.pipeline_list(actor=actor, workspace=workspace)  # checks the role before anything is set up
    services.sales_setup(workspace=workspace)
    return paginate(pipelines, ordering=("position", "id"), cursor=page.cursor, limit=page.limit)


@router.post("/pipelines", response={201: PipelineOut}, tags=["pipelines"])
def create_pipeline(request: HttpRequest, payload: PipelineIn) -> Any:
    actor, workspace = actor_and_workspace(request)
    pipeline = services.pipeline_create(actor=actor, workspace=workspace, data=payload.model_dump())
    return Status(201, selectors.pipeline_get(actor=actor, workspace=workspace, pk=pipeline.pk))


@router.get("/pipelines/{pipeline_id}", response=PipelineOut, tags=["pipelines"])
def get_pipeline(request: HttpRequest, pipeline_id: int) -> Any:
    actor, workspace = actor_and_workspace(request)
    return selectors.pipeline_get(actor=actor, workspace=workspace, pk=pipeline_id)


@router.patch(
    "/pipelines/{pipeline_id}", response=PipelineOut, tags=["pipelines"], summary="Rename, make default, or reorder and edit stages"
)
def update_pipeline(request: HttpRequest, pipeline_id: int, payload: PipelinePatch) -> Any:
    actor, workspace = actor_and_workspace(request)
    pipeline = selectors.pipeline_get(actor=actor, workspace=workspace, pk=pipeline_id)
    services.pipeline_update(actor=actor, pipeline=pipeline, data=payload.model_dump(exclude_unset=True))
    return selectors.pipeline_get(actor=actor, workspace=workspace, pk=pipeline_id)


@router.delete("/pipelines/{pipeline_id}", response={204: None}, tags=["pipelines"], summary="Remove an empty pipeline")
def delete_pipeline(request: HttpRequest, pipeline_id: int) -> Any:
    actor, workspace = actor_and_workspace(request)
    services.pipeline_delete(actor=actor, pipeline=selectors.pipeline_get(actor=actor, workspace=workspace, pk=pipeline_id))
    return Status(204, None)


# --- Lost reasons ----------------------------------------------------------------------------------------------------


@router.get("/lost-reasons", response=page_of(LostReasonOut), tags=["pipelines"], summary="Why deals are lost")
def list_lost_reasons(request: HttpRequest, page: Query[PageParams], active: bool | None = None) -> Any:
    actor, workspace = actor_and_workspace(request)
    reasons = selectors.lost_reason_list(actor=actor, workspace=workspace, active=active)
    services.sales_setup(workspace=workspace)
    return paginate(reasons, ordering=("position", "name", "id"), cursor=page.cursor, limit=page.limit)


@router.post("/lost-reasons", response={201: LostReasonOut}, tags=["pipelines"])
def create_lost_reason(request: HttpRequest, payload: LostReasonIn) -> Any:
    actor, workspace = actor_and_workspace(request)
    return Status(201, services.lost_reason_create(actor=actor, workspace=workspace, data=payload.model_dump()))


@router.patch("/lost-reasons/{reason_id}", response=LostReasonOut, tags=["pipelines"])
def update_lost_reason(request: HttpRequest, reason_id: int, payload: LostReasonPatch) -> Any:
    actor, workspace = actor_and_workspace(request)
    reason = selectors.lost_reason_get(actor=actor, workspace=workspace, pk=reason_id)
    return services.lost_reason_update(actor=actor, reason=reason, data=payload.model_dump(exclude_unset=True))


@router.delete("/lost-reasons/{reason_id}", response={204: None}, tags=["pipelines"], summary="Remove a reason no deal gives")
def delete_lost_reason(request: HttpRequest, reason_id: int) -> Any:
    actor, workspace = actor_and_workspace(request)
    services.lost_reason_delete(actor=actor, reason=selectors.lost_reason_get(actor=actor, workspace=workspace, pk=reason_id))
    return Status(204, None)


# --- Deals: bulk (before /{id}, so that "bulk" is never taken for an id) ---------------------------------------------


def _data(payload: Any) -> dict[str, Any]:
    data = payload.model_dump(exclude_unset=True)
    data.pop("id", None)
    return data


@router.post("/opportunities/bulk", response=OpportunityBulkOut, tags=DEALS, summary="Create or update up to 1,000 at once, all or nothing")
def bulk_save_opportunities(request: HttpRequest, payload: OpportunityBulkIn) -> Any:
    actor, workspace = actor_and_workspace(request)
    rows = [_data(item) | ({"id": item.id} if item.id else {}) for item in payload.items]
    saved = services.bulk_save(actor=actor, workspace=workspace, rows=rows)
    found = selectors.opportunity_list(actor=actor, workspace=workspace).filter(pk__in=[deal.pk for deal in saved]).in_bulk()
    return {"items": [found[deal.pk] for deal in saved]}


@router.post("/opportunities/bulk-assign", response=BulkResultOut, tags=DEALS)
def bulk_assign_opportunities(request: HttpRequest, payload: BulkAssignIn) -> Any:
    actor, workspace = actor_and_workspace(request)
    deals = selectors.opportunities_by_ids(actor=actor, workspace=workspace, ids=payload.ids)
    owner = member_or_none(workspace=workspace, user_id=payload.owner_id)
    return {"updated": services.bulk_assign_owner(actor=actor, opportunities=deals, owner=owner)}


@router.post("/opportunities/bulk-tag", response=BulkResultOut, tags=DEALS)
def bulk_tag_opportunities(request: HttpRequest, payload: BulkTagIn) -> Any:
    actor, workspace = actor_and_workspace(request)
    deals = selectors.opportunities_by_ids(actor=actor, workspace=workspace, ids=payload.ids)
    return {"updated": services.bulk_tag(actor=actor, opportunities=deals, add=payload.tags)}


@router.post("/opportunities/bulk-delete", response=BulkResultOut, tags=DEALS)
def bulk_delete_opportunities(request: HttpRequest, payload: BulkIds) -> Any:
    actor, workspace = actor_and_workspace(request)
    deals = selectors.opportunities_by_ids(actor=actor, workspace=workspace, ids=payload.ids)
    return {"updated": services.bulk_soft_delete(actor=actor, opportunities=deals)}


# --- Deals ----------------------------------------------------------------------------------------------------------


@router.get("/opportunities", response=page_of(OpportunityOut), tags=DEALS, summary="Deals, with filters")
def list_opportunities(request: HttpRequest, page: Query[PageParams], filters: Query[OpportunityFilterIn]) -> Any:
    actor, workspace = actor_and_workspace(request)
    criteria = selectors.OpportunityFilter(**filters.model_dump(exclude={"sort"}), custom=_custom_filters(request))
    ordering = sort_ordering(filters.sort, allowed=selectors.OPPORTUNITY_SORTS, default="-created_at")
    deals = selectors.opportunity_list(actor=actor, workspace=workspace, filters=criteria)
    return paginate(deals, ordering=ordering, cursor=page.cursor, limit=page.limit)


@router.post("/opportunities", response={201: OpportunityOut}, tags=DEALS, summary="Open a deal")
def create_opportunity(request: HttpRequest, payload: OpportunityIn) -> Any:
    actor, workspace = actor_and_workspace(request)
    deal = services.opportunity_create(actor=actor, workspace=workspace, data=payload.model_dump(exclude_unset=True))
    return Status(201, selectors.opportunity_get(actor=actor, workspace=workspace, pk=deal.pk))


@router.get("/opportunities/{opportunity_id}", response=OpportunityOut, tags=DEALS)
def get_opportunity(request: HttpRequest, opportunity_id: int) -> Any:
    actor, workspace = actor_and_workspace(request)
    return selectors.opportunity_get(actor=actor, workspace=workspace, pk=opportunity_id)


@router.patch("/opportunities/{opportunity_id}", response=OpportunityOut, tags=DEALS, summary="Change the fields you send")
def update_opportunity(request: HttpRequest, opportunity_id: int, payload: OpportunityPatch) -> Any:
    actor, workspace = actor_and_workspace(request)
    deal = selectors.opportunity_get(actor=actor, workspace=workspace, pk=opportunity_id)
    services.opportunity_update(actor=actor, opportunity=deal, data=payload.model_dump(exclude_unset=True))
    return selectors.opportunity_get(actor=actor, workspace=workspace, pk=opportunity_id)


@router.delete("/opportunities/{opportunity_id}", response={204: None}, tags=DEALS, summary="Move to the bin (recoverable)")
def delete_opportunity(request: HttpRequest, opportunity_id: int) -> Any:
    actor, workspace = actor_and_workspace(request)
    services.opportunity_soft_delete(
        actor=actor, opportunity=selectors.opportunity_get(actor=actor, workspace=workspace, pk=opportunity_id)
    )
    return Status(204, None)


@router.post("/opportunities/{opportunity_id}/restore", response=OpportunityOut, tags=DEALS, summary="Bring back from the bin")
def restore_opportunity(request: HttpRequest, opportunity_id: int) -> Any:
    actor, workspace = actor_and_workspace(request)
    deal = selectors.opportunity_get(actor=actor, workspace=workspace, pk=opportunity_id, include_deleted=True)
    services.opportunity_restore(actor=actor, opportunity=deal)
    return selectors.opportunity_get(actor=actor, workspace=workspace, pk=opportunity_id)


@router.post("/opportunities/{opportunity_id}/stage", response=OpportunityOut, tags=DEALS, summary="Move to another stage of its pipeline")
def move_opportunity_stage(request: HttpRequest, opportunity_id: int, payload: StageMoveIn) -> Any:
    actor, workspace = actor_and_workspace(request)
    deal = selectors.opportunity_get(actor=actor, workspace=workspace, pk=opportunity_id)
    stage = selectors.stage_get(actor=actor, workspace=workspace, pk=payload.stage_id)
    reason = selectors.lost_reason_get(actor=actor, workspace=workspace, pk=payload.lost_reason_id) if payload.lost_reason_id else None
    services.opportunity_move_stage(
        actor=actor, opportunity=deal, stage=stage, lost_reason=reason, lost_note=payload.lost_note, probability=payload.probability
    )
    return selectors.opportunity_get(actor=actor, workspace=workspace, pk=opportunity_id)


@router.post("/opportunities/{opportunity_id}/win", response=OpportunityOut, tags=DEALS, summary="Mark won")
def win_opportunity(request: HttpRequest, opportunity_id: int) -> Any:
    actor, workspace = actor_and_workspace(request)
    services.opportunity_win(actor=actor, opportunity=selectors.opportunity_get(actor=actor, workspace=workspace, pk=opportunity_id))
    return selectors.opportunity_get(actor=actor, workspace=workspace, pk=opportunity_id)


@router.post("/opportunities/{opportunity_id}/lose", response=OpportunityOut, tags=DEALS, summary="Mark lost, with a reason")
def lose_opportunity(request: HttpRequest, opportunity_id: int, payload: LoseIn) -> Any:
    actor, workspace = actor_and_workspace(request)
    deal = selectors.opportunity_get(actor=actor, workspace=workspace, pk=opportunity_id)
    reason = selectors.lost_reason_get(actor=actor, workspace=workspace, pk=payload.lost_reason_id)
    services.opportunity_lose(actor=actor, opportunity=deal, lost_reason=reason, lost_note=payload.lost_note)
    return selectors.opportunity_get(actor=actor, workspace=workspace, pk=opportunity_id)


@router.post("/opportunities/{opportunity_id}/reopen", response=OpportunityOut, tags=DEALS, summary="Open a won or lost deal again")
def reopen_opportunity(request: HttpRequest, opportunity_id: int, payload: ReopenIn) -> Any:
    actor, workspace = actor_and_workspace(request)
    deal = selectors.opportunity_get(actor=actor, workspace=workspace, pk=opportunity_id)
    stage = selectors.stage_get(actor=actor, workspace=workspace, pk=payload.stage_id) if payload.stage_id else None
    services.opportunity_reopen(actor=actor, opportunity=deal, stage=stage)
    return selectors.opportunity_get(actor=actor, workspace=workspace, pk=opportunity_id)


@router.put("/opportunities/{opportunity_id}/line-items", response=OpportunityOut, tags=DEALS, summary="Replace the line items")
def set_opportunity_line_items(request: HttpRequest, opportunity_id: int, payload: LineItemsIn) -> Any:
    actor, workspace = actor_and_workspace(request)
    deal = selectors.opportunity_get(actor=actor, workspace=workspace, pk=opportunity_id)
    services.opportunity_set_line_items(
        actor=actor, opportunity=deal, items=[item.model_dump(exclude_unset=True) for item in payload.items]
    )
    return selectors.opportunity_get(actor=actor, workspace=workspace, pk=opportunity_id)


@router.put("/opportunities/{opportunity_id}/contacts", response=OpportunityOut, tags=DEALS, summary="Replace the people and their roles")
def set_opportunity_contacts(request: HttpRequest, opportunity_id: int, payload: ContactRolesIn) -> Any:
    actor, workspace = actor_and_workspace(request)
    deal = selectors.opportunity_get(actor=actor, workspace=workspace, pk=opportunity_id)
    services.opportunity_set_contacts(actor=actor, opportunity=deal, contacts=[row.model_dump() for row in payload.contacts])
    return selectors.opportunity_get(actor=actor, workspace=workspace, pk=opportunity_id)


@router.get(
    "/opportunities/{opportunity_id}/stage-history",
    response=StageHistoryOut,
    tags=DEALS,
    summary="Every stage it entered, and for how long",
)
def get_opportunity_stage_history(request: HttpRequest, opportunity_id: int) -> Any:
    actor, workspace = actor_and_workspace(request)
    history = selectors.stage_history(opportunity=selectors.opportunity_get(actor=actor, workspace=workspace, pk=opportunity_id))
    return {
        "items": [
            {
                "id": stay.change.pk,
                "from_stage_id": stay.change.from_stage_id,
                "from_stage": stay.change.from_stage_name,
                "to_stage_id": stay.change.to_stage_id,
                "to_stage": stay.change.to_stage_name,
                "kind": stay.change.to_kind,
                "changed_at": stay.change.changed_at,
                "changed_by_id": stay.change.changed_by_id,
                "changed_by": stay.change.changed_by.display_name if stay.change.changed_by else "",
                "amount": stay.change.amount,
                "currency": stay.change.currency,
                "probability": stay.change.probability,
                "left_at": stay.left_at,
                "duration_seconds": stay.seconds,
            }
            for stay in history.stays
        ],
        "time_in_stage": [{"stage": stage, "seconds": seconds} for stage, seconds in history.seconds_by_stage.items()],
    }


@router.get(
    "/opportunities/{opportunity_id}/timeline",
    response=page_of(TimelineItemOut),
    tags=DEALS,
    summary="Its stage changes, its other changes in words and everything logged on it, newest first",
)
def get_opportunity_timeline(request: HttpRequest, opportunity_id: int, page: Query[PageParams], kind: str | None = None) -> Any:
    actor, workspace = actor_and_workspace(request)
    deal = selectors.opportunity_get(actor=actor, workspace=workspace, pk=opportunity_id)
    kinds = [part.strip() for part in (kind or "").split(",") if part.strip()]
    return timeline_body(
        selectors.opportunity_timeline(
            actor=actor, workspace=workspace, opportunity=deal, kinds=kinds, cursor=page.cursor, limit=page.limit
        )
    )
