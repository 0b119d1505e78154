"""Reads of pipelines and deals: workspace-scoped, role-filtered (own / team / all), with what a list shows prefetched."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Prefetch, Q
from django.utils import timezone

from amity.activities.timeline import TimelinePage, timeline_page
from amity.core.access import allowed, visible
from amity.core.custom_fields import filter_lookups
from amity.core.models import User, Workspace
from amity.core.permissions import Action, ObjectType
from amity.core.tenancy import get_scoped_or_404
from amity.sales.history import StageStay, seconds_by_stage, stage_stays
from amity.sales.models import LineItem, LostReason, Opportunity, OpportunityContact, Pipeline, Stage, StageChange

OPPORTUNITY_SORTS = {
    "name": ("name", "id"),
    "-name": ("-name", "-id"),
    "amount": ("amount", "id"),
    "-amount": ("-amount", "-id"),
    "expected_close_date": ("expected_close_date", "id"),
    "-expected_close_date": ("-expected_close_date", "-id"),
    "created_at": ("created_at", "id"),
    "-created_at": ("-created_at", "-id"),
    "updated_at": ("updated_at", "id"),
    "-updated_at": ("-updated_at", "-id"),
}


@dataclass(frozen=True)
class OpportunityFilter:
    """What a list of deals can be narrowed by; `custom` maps custom field keys to wanted values."""

    owner_id: int | None = None
    team_id: int | None = None
    pipeline_id: int | None = None
    stage_id: int | None = None
    status: str | None = None
    account_id: int | None = None
    contact_id: int | None = None
    close_after: dt.date | None = None
    close_before: dt.date | None = None
    amount_min: Decimal | None = None
    amount_max: Decimal | None = None
    currency: str | None = None
    tag: str | None = None
    external_id: str | None = None
    created_after: dt.datetime | None = None
    created_before: dt.datetime | None = None
    updated_after: dt.datetime | None = None
    deleted: bool = False
    custom: dict[str, str] = field(default_factory=dict)


def _visible(actor: User, workspace: Workspace) -> models.QuerySet[Opportunity]:
    return visible(Opportunity.objects.all(), actor=actor, workspace=workspace, object_type=ObjectType.OPPORTUNITY)


def with_details(opportunities: models.QuerySet[Opportunity]) -> models.QuerySet[Opportunity]:
    """Everything a deal's answer shows, in a fixed number of queries whatever the number of deals."""
    return opportunities.select_related("account", "pipeline", "stage", "lost_reason").prefetch_related(  # type: ignore[type-var]
        Prefetch("line_items", queryset=LineItem._default_manager.order_by("position", "id")),
        Prefetch("contact_roles", queryset=OpportunityContact._default_manager.select_related("contact").order_by("-is_primary", "id")),
        "tags",
    )


def _check_status(status: str | None) -> None:
    if status and status not in Opportunity.Status.values:
        raise ValidationError({"status": f"Choose one of: {', '.join(Opportunity.Status.values)}."})


def opportunity_list(*, actor: User, workspace: Workspace, filters: OpportunityFilter | None = None) -> models.QuerySet[Opportunity]:
    """Deals the actor may see (own, team or all by role), filtered, with everything a deal's answer shows."""
    return with_details(opportunities_filtered(actor=actor, workspace=workspace, filters=filters))


def opportunities_filtered(*, actor: User, workspace: Workspace, filters: OpportunityFilter | None = None) -> models.QuerySet[Opportunity]:
    """Deals the actor may see (own, team or all by role), filtered, nothing prefetched: for boards and sums."""
    filters = filters or OpportunityFilter()
    _check_status(filters.status)
    if filters.deleted and not allowed(actor, workspace, Action.DELETE, ObjectType.OPPORTUNITY):
        raise ValidationError({"deleted": "Only those who may delete deals can see the deleted ones."})
    lookups = {
        "owner_id": filters.owner_id,
        "team_id": filters.team_id,
        "pipeline_id": filters.pipeline_id,
        "stage_id": filters.stage_id,
        "status": filters.status,
        "account_id": filters.account_id,
        "expected_close_date__gte": filters.close_after,
        "expected_close_date__lte": filters.close_before,
        "amount__gte": filters.amount_min,
        "amount__lte": filters.amount_max,
        "currency": (filters.currency or "").upper(),
        "tags__name": filters.tag,
        "external_id": filters.external_id,
        "created_at__gte": filters.created_after,
        "created_at__lt": filters.created_before,
        "updated_at__gte": filters.updated_after,
    }
    opportunities = _visible(actor, workspace).filter(**{key: value for key, value in lookups.items() if value not in (None, "")})
    opportunities = opportunities.filter(deleted_at__isnull=not filters.deleted)
    if filters.contact_id:
        opportunities = opportunities.filter(
            pk__in=OpportunityContact.objects.filter(workspace=workspace, contact_id=filters.contact_id).values("opportunity_id")
        )
    if filters.custom:
        opportunities = opportunities.filter(**filter_lookups(workspace, ObjectType.OPPORTUNITY, filters.custom))
    return opportunities


def opportunity_get(*, actor: User, workspace: Workspace, pk: int, include_deleted: bool = False) -> Opportunity:
    opportunities = _visible(actor, workspace)
    if not include_deleted:
        opportunities = opportunities.filter(deleted_at__isnull=True)
    return get_scoped_or_404(with_details(opportunities), pk=pk)


def opportunity_line_get(*, opportunity: Opportunity, pk: int) -> LineItem:
    """One line of a deal the actor was given by opportunity_get; a line of another deal is a 404."""
    return get_scoped_or_404(
        LineItem.objects.filter(workspace=opportunity.workspace, opportunity=opportunity).select_related("product"), pk=pk
    )


def opportunity_contact_get(*, opportunity: Opportunity, contact_id: int) -> OpportunityContact:
    """A person on a deal the actor was given by opportunity_get, by their contact id; someone not on it is a 404."""
    links = OpportunityContact.objects.filter(workspace=opportunity.workspace, opportunity=opportunity).select_related("contact")
    return get_scoped_or_404(links, contact_id=contact_id)


def opportunities_by_ids(*, actor: User, workspace: Workspace, ids: list[int]) -> list[Opportunity]:
    """The visible deals among `ids`, not in the bin; an id that is not there is a field error."""
    opportunities = list(_visible(actor, workspace).filter(pk__in=ids, deleted_at__isnull=True).select_related("stage", "pipeline"))
    missing = sorted(set(ids) - {opportunity.pk for opportunity in opportunities})
    if missing:
        raise ValidationError({"ids": f"No deals with ids {missing} in this workspace."})
    return opportunities


# --- Pipelines, stages, lost reasons ---------------------------------------------------------------------------


def pipeline_list(*, actor: User, workspace: Workspace) -> models.QuerySet[Pipeline]:
    """The workspace's pipelines with their stages in order."""
    pipelines = visible(Pipeline.objects.all(), actor=actor, workspace=workspace, object_type=ObjectType.PIPELINE)
    return pipelines.prefetch_related(Prefetch("stages", queryset=Stage._default_manager.order_by("position", "id")))


def pipeline_get(*, actor: User, workspace: Workspace, pk: int) -> Pipeline:
    return get_scoped_or_404(pipeline_list(actor=actor, workspace=workspace), pk=pk)


def stage_get(*, actor: User, workspace: Workspace, pk: int) -> Stage:
    stages = visible(Stage.objects.all(), actor=actor, workspace=workspace, object_type=ObjectType.PIPELINE)
    return get_scoped_or_404(stages, pk=pk)


def lost_reason_list(*, actor: User, workspace: Workspace, active: bool | None = None) -> models.QuerySet[LostReason]:
    reasons = visible(LostReason.objects.all(), actor=actor, workspace=workspace, object_type=ObjectType.PIPELINE)
    return reasons if active is None else reasons.filter(active=active)


def lost_reason_get(*, actor: User, workspace: Workspace, pk: int) -> LostReason:
    return get_scoped_or_404(lost_reason_list(actor=actor, workspace=workspace), pk=pk)


# --- Stage history and the deal's own timeline -------------------------------------------------------------------


@dataclass(frozen=True)
class StageHistory:
    stays: list[StageStay]
    seconds_by_stage: dict[str, int]


def stage_history(*, opportunity: Opportunity, now: dt.datetime | None = None) -> StageHistory:
    """Every stage the deal entered, when and by whom, how long it stayed, and the total per stage (one query)."""
    changes = list(StageChange.objects.filter(opportunity=opportunity).select_related("changed_by").order_by("changed_at", "id"))
    stays = stage_stays(changes, now=now or timezone.now())
    return StageHistory(stays=stays, seconds_by_stage=seconds_by_stage(stays))


def opportunity_timeline(
    *, actor: User, workspace: Workspace, opportunity: Opportunity, kinds: list[str], cursor: str | None, limit: int
) -> TimelinePage:
    """A deal's timeline: its stage changes, and the calls, emails, notes and tasks logged on it."""
    return timeline_page(
        workspace=workspace, actor=actor, contact_ids=[], opportunity_ids=[opportunity.pk], kinds=kinds, cursor=cursor, limit=limit
    )


def visible_opportunity_ids(*, actor: User, workspace: Workspace) -> models.QuerySet[Any]:
    """A subquery of the deals (not in the bin) the actor may see, for other apps' reads (timelines, search)."""
    return _visible(actor, workspace).filter(deleted_at__isnull=True).values("pk")


def linked_to(*, contact_ids: frozenset[int], account_ids: frozenset[int], opportunity_ids: frozenset[int], prefix: str = "") -> Q:
    """Deals (or rows of deals, with `prefix` = "opportunity__") of these accounts, with these people on them, or these deals."""
    condition = Q(pk__in=[])
    if account_ids:
        condition |= Q(**{f"{prefix}account_id__in": sorted(account_ids)})
    if contact_ids:
        people = OpportunityContact.objects.filter(contact_id__in=sorted(contact_ids)).values("opportunity_id")
        condition |= Q(**{f"{prefix}pk__in" if prefix == "" else f"{prefix}id__in": people})
    if opportunity_ids:
        condition |= Q(**{f"{prefix}pk__in" if prefix == "" else f"{prefix}id__in": sorted(opportunity_ids)})
    return condition


from amity.sales.selectors.leads import (  # noqa: E402  (leads' reads live in their own module)
    LEAD_SORTS,
    LeadFilter,
    assignment_rule_get,
    assignment_rule_list,
    conversion_preview,
    find_matches,
    latest_rescore,
    lead_get,
    lead_list,
    lead_submissions,
    lead_timeline,
    leads_by_ids,
    leads_filtered,
    public_web_form,
    rescore_get,
    resolve_lead,
    scoring_rule_get,
    scoring_rule_list,
    submissions_as_seen,
    visible_lead_ids,
    web_form_get,
    web_form_list,
    web_form_submission_list,
)
from amity.sales.selectors.quotes import (  # noqa: E402
    QUOTE_SORTS,
    QuoteFilter,
    quote_events,
    quote_get,
    quote_list,
    quote_versions,
    visible_quote_ids,
)

__all__ = [
    "LEAD_SORTS",
    "OPPORTUNITY_SORTS",
    "QUOTE_SORTS",
    "LeadFilter",
    "OpportunityFilter",
    "QuoteFilter",
    "StageHistory",
    "assignment_rule_get",
    "assignment_rule_list",
    "conversion_preview",
    "find_matches",
    "latest_rescore",
    "lead_get",
    "lead_list",
    "lead_submissions",
    "lead_timeline",
    "leads_by_ids",
    "leads_filtered",
    "linked_to",
    "lost_reason_get",
    "lost_reason_list",
    "opportunities_by_ids",
    "opportunities_filtered",
    "opportunity_get",
    "opportunity_list",
    "opportunity_timeline",
    "pipeline_get",
    "pipeline_list",
    "public_web_form",
    "quote_events",
    "quote_get",
    "quote_list",
    "quote_versions",
    "rescore_get",
    "resolve_lead",
    "scoring_rule_get",
    "scoring_rule_list",
    "stage_get",
    "stage_history",
    "submissions_as_seen",
    "visible_lead_ids",
    "visible_opportunity_ids",
    "visible_quote_ids",
    "web_form_get",
    "web_form_list",
    "web_form_submission_list",
    "with_details",
]
