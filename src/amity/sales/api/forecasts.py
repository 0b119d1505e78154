"""The API of forecasts, quotas and rep performance: schemas in, one selector or service, schemas out."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Status

from amity.api.auth import actor_and_workspace
from amity.api.pagination import PageParams, page_of, paginate
from amity.sales import services
from amity.sales.periods import add_months, parse_period
from amity.sales.schemas.forecasts import (
    ForecastOut,
    ForecastQuery,
    PerformanceOut,
    PerformanceQuery,
    QuotaBulkIn,
    QuotaBulkOut,
    QuotaFilter,
    QuotaIn,
    QuotaOut,
    QuotaPatch,
    SubmissionFilter,
    SubmissionIn,
    SubmissionOut,
)
from amity.sales.selectors import forecasts as selectors
from amity.sales.selectors.forecasts import ForecastFilter
from amity.sales.selectors.performance import rep_performance

router = Router()
FORECASTS = ["forecasts"]
QUOTAS = ["quotas"]


@router.get("/forecasts", response=ForecastOut, tags=FORECASTS, summary="A month's or quarter's forecast by rep, team or pipeline")
def get_forecast(request: HttpRequest, query: Query[ForecastQuery]) -> Any:
    """Closed won, commit, best case, pipeline, weighted pipeline, quota, attainment and gap, with each rep's latest call and override."""
    actor, workspace = actor_and_workspace(request)
    return selectors.forecast(
        actor=actor,
        workspace=workspace,
        period=parse_period(query.period),
        group_by=query.group_by,
        currency=query.currency,
        filters=ForecastFilter(pipeline_id=query.pipeline_id, team_id=query.team_id, owner_id=query.owner_id),
    )


@router.post(
    "/forecasts", response={201: SubmissionOut}, tags=FORECASTS, summary="Submit a call (a rep's own) or an override (a manager's)"
)
def submit_forecast(request: HttpRequest, payload: SubmissionIn) -> Any:
    """Every submission is kept: the forecast shows the latest call and override, the history lists them all."""
    actor, workspace = actor_and_workspace(request)
    submission = services.forecast_submit(
        actor=actor,
        workspace=workspace,
        rep_id=payload.rep_id,
        period=parse_period(payload.period),
        kind=payload.kind,
        amount=payload.amount,
        currency=payload.currency,
        note=payload.note,
    )
    return Status(201, submission)


@router.get("/forecasts/submissions", response=page_of(SubmissionOut), tags=FORECASTS, summary="The history of calls and overrides")
def list_submissions(request: HttpRequest, filters: Query[SubmissionFilter], page: Query[PageParams]) -> Any:
    actor, workspace = actor_and_workspace(request)
    period = parse_period(filters.period) if filters.period else None
    submissions = selectors.submission_list(actor=actor, workspace=workspace, rep_id=filters.rep_id, period=period, kind=filters.kind)
    return paginate(submissions, ordering=("-submitted_at", "-id"), cursor=page.cursor, limit=page.limit)


# --- Quotas --------------------------------------------------------------------------------------------------------


@router.get("/quotas", response=page_of(QuotaOut), tags=QUOTAS, summary="Monthly quotas per rep")
def list_quotas(request: HttpRequest, filters: Query[QuotaFilter], page: Query[PageParams]) -> Any:
    actor, workspace = actor_and_workspace(request)
    quotas = selectors.quota_list(actor=actor, workspace=workspace)
    lookups = {
        "user_id": filters.user_id,
        "month__year": filters.year,
        "month__gte": filters.month_from,
        "month__lte": filters.month_to,
        "currency": (filters.currency or "").upper() or None,
    }
    quotas = quotas.filter(**{key: value for key, value in lookups.items() if value is not None})
    return paginate(quotas, ordering=("month", "user_id", "id"), cursor=page.cursor, limit=page.limit)


@router.post("/quotas/bulk", response=QuotaBulkOut, tags=QUOTAS, summary="Set a year of monthly quotas for a team or some reps")
def bulk_set_quotas(request: HttpRequest, payload: QuotaBulkIn) -> Any:
    actor, workspace = actor_and_workspace(request)
    return {"items": services.quotas_bulk_set(actor=actor, workspace=workspace, data=payload.model_dump())}


@router.post("/quotas", response={201: QuotaOut}, tags=QUOTAS)
def create_quota(request: HttpRequest, payload: QuotaIn) -> Any:
    actor, workspace = actor_and_workspace(request)
    return Status(201, services.quota_create(actor=actor, workspace=workspace, data=payload.model_dump()))


@router.get("/quotas/{quota_id}", response=QuotaOut, tags=QUOTAS)
def get_quota(request: HttpRequest, quota_id: int) -> Any:
    actor, workspace = actor_and_workspace(request)
    return selectors.quota_get(actor=actor, workspace=workspace, pk=quota_id)


@router.patch("/quotas/{quota_id}", response=QuotaOut, tags=QUOTAS)
def update_quota(request: HttpRequest, quota_id: int, payload: QuotaPatch) -> Any:
    actor, workspace = actor_and_workspace(request)
    quota = selectors.quota_get(actor=actor, workspace=workspace, pk=quota_id)
    return services.quota_update(actor=actor, quota=quota, data=payload.model_dump(exclude_unset=True))


@router.delete("/quotas/{quota_id}", response={204: None}, tags=QUOTAS)
def delete_quota(request: HttpRequest, quota_id: int) -> Any:
    actor, workspace = actor_and_workspace(request)
    services.quota_delete(actor=actor, quota=selectors.quota_get(actor=actor, workspace=workspace, pk=quota_id))
    return Status(204, None)


# --- Rep performance -----------------------------------------------------------------------------------------------


@router.get(
    "/rep-performance",
    response=PerformanceOut,
    tags=FORECASTS,
    summary="Win rate, deal size, cycle, activities and attainment per rep and month",
)
def get_rep_performance(request: HttpRequest, query: Query[PerformanceQuery]) -> Any:
    actor, workspace = actor_and_workspace(request)
    start = (
        parse_period(query.start, field="start").start if query.start else add_months(timezone.localdate().replace(day=1), 1 - query.months)
    )
    return rep_performance(
        actor=actor,
        workspace=workspace,
        start=start,
        months=query.months,
        currency=query.currency,
        filters=ForecastFilter(team_id=query.team_id, owner_id=query.owner_id),
    )
