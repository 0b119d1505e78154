"""The API of leads, their conversion, scoring and assignment rules, and web forms: schemas in, a selector and a service, schemas out."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse
from ninja import Query, Router, Status

from amity.activities.api import timeline_body
from amity.activities.schemas import TimelineItemOut
from amity.api.auth import actor_and_workspace
from amity.api.pagination import PageParams, page_of, paginate, rows_response, sort_ordering
from amity.core.access import hidden_fields, without_hidden
from amity.core.permissions import ObjectType
from amity.core.selectors import member_or_none
from amity.customers import selectors as customer_selectors
from amity.customers.schemas import BulkAssignIn, BulkIds, BulkResultOut, BulkTagIn
from amity.sales import selectors, services
from amity.sales.models import Lead, WebForm
from amity.sales.schemas.leads import (
    AssignmentRuleIn,
    AssignmentRuleOut,
    AssignmentRulePatch,
    ConvertIn,
    ConvertOut,
    ConvertPreviewOut,
    LeadBulkIn,
    LeadBulkOut,
    LeadFilterIn,
    LeadIn,
    LeadOut,
    LeadPatch,
    ReorderIn,
    RescoreOut,
    ScoringRuleIn,
    ScoringRuleOut,
    ScoringRulePatch,
    WebFormIn,
    WebFormOut,
    WebFormPatch,
    WebFormSubmissionOut,
)
from amity.sales.web_form_snippet import public_url, snippet

router = Router()
LEADS = ["leads"]
RULES = ["lead rules"]
FORMS = ["web forms"]


def _custom_filters(request: HttpRequest) -> dict[str, str]:
    """`?custom.budget=large` filters on a custom field."""
    return {key.removeprefix("custom."): str(value) for key, value in request.GET.items() if key.startswith("custom.") and value}


def _data(payload: Any) -> dict[str, Any]:
    data = payload.model_dump(exclude_unset=True)
    data.pop("id", None)
    return data


def _shaped(lead: Lead, hidden: frozenset[str]) -> dict[str, Any]:
    return without_hidden(LeadOut.from_orm(lead).model_dump(mode="json"), hidden)


def _shown(actor: Any, workspace: Any, leads: list[Lead], *, status: int = 200, many: bool = False) -> Any:
    """The leads as LeadOut gives them (one, or `{"items": [...]}` when `many`), without the fields hidden from the actor.

    With fields to take out, the body is sent as it is: ninja would refuse a body without a field its schema requires.
    """
    hidden = hidden_fields(actor, workspace, ObjectType.LEAD)
    if not hidden:
        body: Any = {"items": leads} if many else leads[0]
        return Status(status, body) if status != 200 else body
    shaped = [_shaped(lead, hidden) for lead in leads]
    return JsonResponse({"items": shaped} if many else shaped[0], status=status)


# --- Leads: bulk (before /{id}, so that "bulk" is never taken for an id) -----------------------------------------


@router.post("/leads/bulk", response=LeadBulkOut, tags=LEADS, summary="Create or update up to 1,000 at once, all or nothing")
def bulk_save_leads(request: HttpRequest, payload: LeadBulkIn) -> Any:
    actor, workspace = actor_and_workspace(request)
    rows = [_data(item) | ({"id": item.id} if item.id else {}) for item in payload.items]
    saved = services.lead_bulk_save(actor=actor, workspace=workspace, rows=rows)
    found = selectors.lead_list(actor=actor, workspace=workspace).filter(pk__in=[lead.pk for lead in saved]).in_bulk()
    return _shown(actor, workspace, [found[lead.pk] for lead in saved], many=True)


@router.post("/leads/bulk-assign", response=BulkResultOut, tags=LEADS)
def bulk_assign_leads(request: HttpRequest, payload: BulkAssignIn) -> Any:
    actor, workspace = actor_and_workspace(request)
    leads = selectors.leads_by_ids(actor=actor, workspace=workspace, ids=payload.ids)
    owner = member_or_none(workspace=workspace, user_id=payload.owner_id)
    return {"updated": services.lead_bulk_assign(actor=actor, leads=leads, owner=owner)}


@router.post("/leads/bulk-tag", response=BulkResultOut, tags=LEADS)
def bulk_tag_leads(request: HttpRequest, payload: BulkTagIn) -> Any:
    actor, workspace = actor_and_workspace(request)
    leads = selectors.leads_by_ids(actor=actor, workspace=workspace, ids=payload.ids)
    return {"updated": services.lead_bulk_tag(actor=actor, leads=leads, add=payload.tags)}


@router.post("/leads/bulk-delete", response=BulkResultOut, tags=LEADS)
def bulk_delete_leads(request: HttpRequest, payload: BulkIds) -> Any:
    actor, workspace = actor_and_workspace(request)
    leads = selectors.leads_by_ids(actor=actor, workspace=workspace, ids=payload.ids)
    return {"updated": services.lead_bulk_delete(actor=actor, leads=leads)}


# --- Leads --------------------------------------------------------------------------------------------------------


@router.get("/leads", response=page_of(LeadOut), tags=LEADS, summary="Leads, with filters")
def list_leads(request: HttpRequest, page: Query[PageParams], filters: Query[LeadFilterIn]) -> Any:
    actor, workspace = actor_and_workspace(request)
    criteria = selectors.LeadFilter(**filters.model_dump(exclude={"sort"}), custom=_custom_filters(request))
    ordering = sort_ordering(filters.sort, allowed=selectors.LEAD_SORTS, default="-created_at")
    leads = selectors.lead_list(actor=actor, workspace=workspace, filters=criteria)
    listed = paginate(leads, ordering=ordering, cursor=page.cursor, limit=page.limit)
    hidden = hidden_fields(actor, workspace, ObjectType.LEAD)
    if not hidden:
        return listed
    return rows_response([_shaped(lead, hidden) for lead in listed.items], listed.next_cursor)


@router.post("/leads", response={201: LeadOut}, tags=LEADS, summary="Add a lead (assigned and scored by the workspace's rules)")
def create_lead(request: HttpRequest, payload: LeadIn) -> Any:
    actor, workspace = actor_and_workspace(request)
    lead = services.lead_create(actor=actor, workspace=workspace, data=payload.model_dump(exclude_unset=True))
    return _shown(actor, workspace, [selectors.lead_get(actor=actor, workspace=workspace, pk=lead.pk)], status=201)


@router.get("/leads/{lead_id}", response=LeadOut, tags=LEADS)
def get_lead(request: HttpRequest, lead_id: int) -> Any:
    actor, workspace = actor_and_workspace(request)
    return _shown(actor, workspace, [selectors.lead_get(actor=actor, workspace=workspace, pk=lead_id)])


@router.patch("/leads/{lead_id}", response=LeadOut, tags=LEADS, summary="Change the fields you send")
def update_lead(request: HttpRequest, lead_id: int, payload: LeadPatch) -> Any:
    actor, workspace = actor_and_workspace(request)
    lead = selectors.lead_get(actor=actor, workspace=workspace, pk=lead_id)
    services.lead_update(actor=actor, lead=lead, data=payload.model_dump(exclude_unset=True))
    return _shown(actor, workspace, [selectors.lead_get(actor=actor, workspace=workspace, pk=lead_id)])


@router.delete("/leads/{lead_id}", response={204: None}, tags=LEADS, summary="Move to the bin (recoverable)")
def delete_lead(request: HttpRequest, lead_id: int) -> Any:
    actor, workspace = actor_and_workspace(request)
    services.lead_soft_delete(actor=actor, lead=selectors.lead_get(actor=actor, workspace=workspace, pk=lead_id))
    return Status(204, None)


@router.post("/leads/{lead_id}/restore", response=LeadOut, tags=LEADS, summary="Bring back from the bin")
def restore_lead(request: HttpRequest, lead_id: int) -> Any:
    actor, workspace = actor_and_workspace(request)
    services.lead_restore(actor=actor, lead=selectors.lead_get(actor=actor, workspace=workspace, pk=lead_id, include_deleted=True))
    return _shown(actor, workspace, [selectors.lead_get(actor=actor, workspace=workspace, pk=lead_id)])


@router.get(
    "/leads/{lead_id}/timeline",
    response=page_of(TimelineItemOut),
    tags=LEADS,
    summary="Everything logged on it and its changes, newest first",
)
def get_lead_timeline(request: HttpRequest, lead_id: int, page: Query[PageParams], kind: str | None = None) -> Any:
    actor, workspace = actor_and_workspace(request)
    lead = selectors.lead_get(actor=actor, workspace=workspace, pk=lead_id)
    kinds = [part.strip() for part in (kind or "").split(",") if part.strip()]
    return timeline_body(
        selectors.lead_timeline(actor=actor, workspace=workspace, lead=lead, kinds=kinds, cursor=page.cursor, limit=page.limit)
    )


@router.get(
    "/leads/{lead_id}/submissions", response=list[WebFormSubmissionOut], tags=LEADS, summary="The web form submissions that brought it in"
)
def get_lead_submissions(request: HttpRequest, lead_id: int) -> Any:
    actor, workspace = actor_and_workspace(request)
    lead = selectors.lead_get(actor=actor, workspace=workspace, pk=lead_id)
    return selectors.lead_submissions(actor=actor, workspace=workspace, lead=lead)


# --- Conversion -------------------------------------------------------------------------------------------------------


@router.get("/leads/{lead_id}/convert", response=ConvertPreviewOut, tags=LEADS, summary="What converting would match and carry over")
def preview_lead_conversion(request: HttpRequest, lead_id: int) -> Any:
    actor, workspace = actor_and_workspace(request)
    return selectors.conversion_preview(selectors.lead_get(actor=actor, workspace=workspace, pk=lead_id))


@router.post(
    "/leads/{lead_id}/convert",
    response=ConvertOut,
    tags=LEADS,
    summary="Convert into a contact + account (matched, not duplicated) and optionally a deal, with its history",
)
def convert_lead(request: HttpRequest, lead_id: int, payload: ConvertIn) -> Any:
    actor, workspace = actor_and_workspace(request)
    lead = selectors.lead_get(actor=actor, workspace=workspace, pk=lead_id)
    contact = customer_selectors.contact_get(actor=actor, workspace=workspace, pk=payload.contact_id) if payload.contact_id else None
    account = customer_selectors.account_get(actor=actor, workspace=workspace, pk=payload.account_id) if payload.account_id else None
    result = services.lead_convert(
        actor=actor,
        lead=lead,
        contact=contact,
        account=account,
        create_opportunity=payload.create_opportunity,
        opportunity=payload.opportunity.model_dump(exclude_unset=True) if payload.opportunity else None,
    )
    converted = selectors.lead_get(actor=actor, workspace=workspace, pk=lead_id)
    hidden = hidden_fields(actor, workspace, ObjectType.LEAD)
    body = {
        "lead": _shaped(converted, hidden) if hidden else converted,
        "contact_id": result.contact.pk,
        "contact_created": result.contact_created,
        "account_id": result.account.pk if result.account else None,
        "account_created": result.account_created,
        "opportunity_id": result.opportunity.pk if result.opportunity else None,
        "moved": result.moved,
    }
    return JsonResponse(body) if hidden else body


# --- Scoring rules ---------------------------------------------------------------------------------------------------


@router.get("/lead-scoring-rules", response=page_of(ScoringRuleOut), tags=RULES, summary="Scoring rules, in order")
def list_scoring_rules(request: HttpRequest, page: Query[PageParams]) -> Any:
    actor, workspace = actor_and_workspace(request)
    rules = selectors.scoring_rule_list(actor=actor, workspace=workspace)
    return paginate(rules, ordering=("position", "id"), cursor=page.cursor, limit=page.limit)


@router.post("/lead-scoring-rules", response={201: ScoringRuleOut}, tags=RULES, summary="Add a rule; every lead is scored again")
def create_scoring_rule(request: HttpRequest, payload: ScoringRuleIn) -> Any:
    actor, workspace = actor_and_workspace(request)
    return Status(201, services.scoring_rule_create(actor=actor, workspace=workspace, data=payload.model_dump()))


@router.get("/lead-scoring-rules/{scoring_rule_id}", response=ScoringRuleOut, tags=RULES)
def get_scoring_rule(request: HttpRequest, scoring_rule_id: int) -> Any:
    actor, workspace = actor_and_workspace(request)
    return selectors.scoring_rule_get(actor=actor, workspace=workspace, pk=scoring_rule_id)


@router.patch(
    "/lead-scoring-rules/{scoring_rule_id}", response=ScoringRuleOut, tags=RULES, summary="Change a rule; every lead is scored again"
)
def update_scoring_rule(request: HttpRequest, scoring_rule_id: int, payload: ScoringRulePatch) -> Any:
    actor, workspace = actor_and_workspace(request)
    rule = selectors.scoring_rule_get(actor=actor, workspace=workspace, pk=scoring_rule_id)
    return services.scoring_rule_update(actor=actor, rule=rule, data=payload.model_dump(exclude_unset=True))


@router.delete("/lead-scoring-rules/{scoring_rule_id}", response={204: None}, tags=RULES)
def delete_scoring_rule(request: HttpRequest, scoring_rule_id: int) -> Any:
    actor, workspace = actor_and_workspace(request)
    services.scoring_rule_delete(actor=actor, rule=selectors.scoring_rule_get(actor=actor, workspace=workspace, pk=scoring_rule_id))
    return Status(204, None)


@router.post("/lead-rescores", response={202: RescoreOut}, tags=RULES, summary="Score every lead again, in the background")
def start_rescore(request: HttpRequest) -> Any:
    actor, workspace = actor_and_workspace(request)
    rescore = services.lead_rescore_start(actor=actor, workspace=workspace)
    return Status(202, selectors.rescore_get(actor=actor, workspace=workspace, pk=rescore.pk))


@router.get("/lead-rescores/{rescore_id}", response=RescoreOut, tags=RULES, summary="A rescoring run's progress")
def get_rescore(request: HttpRequest, rescore_id: int) -> Any:
    actor, workspace = actor_and_workspace(request)
    return selectors.rescore_get(actor=actor, workspace=workspace, pk=rescore_id)


# --- Assignment rules ---------------------------------------------------------------------------------------------------


@router.get("/lead-assignment-rules", response=page_of(AssignmentRuleOut), tags=RULES, summary="Assignment rules; the first match wins")
def list_assignment_rules(request: HttpRequest, page: Query[PageParams]) -> Any:
    actor, workspace = actor_and_workspace(request)
    rules = selectors.assignment_rule_list(actor=actor, workspace=workspace)
    return paginate(rules, ordering=("position", "id"), cursor=page.cursor, limit=page.limit)


@router.post("/lead-assignment-rules", response={201: AssignmentRuleOut}, tags=RULES)
def create_assignment_rule(request: HttpRequest, payload: AssignmentRuleIn) -> Any:
    actor, workspace = actor_and_workspace(request)
    data = payload.model_dump(exclude_unset=True)
    if data.get("position") is None:
        data.pop("position", None)
    return Status(201, services.assignment_rule_create(actor=actor, workspace=workspace, data=data))


@router.post("/lead-assignment-rules/reorder", response=list[AssignmentRuleOut], tags=RULES, summary="Put the rules in a new order")
def reorder_assignment_rules(request: HttpRequest, payload: ReorderIn) -> Any:
    actor, workspace = actor_and_workspace(request)
    return services.assignment_rules_reorder(actor=actor, workspace=workspace, ids=payload.ids)


@router.get("/lead-assignment-rules/{assignment_rule_id}", response=AssignmentRuleOut, tags=RULES)
def get_assignment_rule(request: HttpRequest, assignment_rule_id: int) -> Any:
    actor, workspace = actor_and_workspace(request)
    return selectors.assignment_rule_get(actor=actor, workspace=workspace, pk=assignment_rule_id)


@router.patch("/lead-assignment-rules/{assignment_rule_id}", response=AssignmentRuleOut, tags=RULES)
def update_assignment_rule(request: HttpRequest, assignment_rule_id: int, payload: AssignmentRulePatch) -> Any:
    actor, workspace = actor_and_workspace(request)
    rule = selectors.assignment_rule_get(actor=actor, workspace=workspace, pk=assignment_rule_id)
    return services.assignment_rule_update(actor=actor, rule=rule, data=payload.model_dump(exclude_unset=True))


@router.delete("/lead-assignment-rules/{assignment_rule_id}", response={204: None}, tags=RULES)
def delete_assignment_rule(request: HttpRequest, assignment_rule_id: int) -> Any:
    actor, workspace = actor_and_workspace(request)
    services.assignment_rule_delete(
        actor=actor, rule=selectors.assignment_rule_get(actor=actor, workspace=workspace, pk=assignment_rule_id)
    )
    return Status(204, None)


# --- Web forms ------------------------------------------------------------------------------------------------------------


def _form_out(form: WebForm) -> dict[str, Any]:
    """A form with its public address and snippet (a form fresh from a service has no count yet)."""
    fields = {
        name: getattr(form, name) for name in WebFormOut.model_fields if hasattr(form, name) and name not in {"public_url", "snippet"}
    }
    return fields | {
        "public_url": public_url(form),
        "snippet": snippet(form),
        "submission_count": getattr(form, "submission_count", 0),
        "owner_id": form.owner_id,
    }


@router.get("/web-forms", response=page_of(WebFormOut), tags=FORMS, summary="Lead capture forms")
def list_web_forms(request: HttpRequest, page: Query[PageParams]) -> Any:
    actor, workspace = actor_and_workspace(request)
    result = paginate(
        selectors.web_form_list(actor=actor, workspace=workspace), ordering=("name", "id"), cursor=page.cursor, limit=page.limit
    )
    return {"items": [_form_out(form) for form in result.items], "next_cursor": result.next_cursor}


@router.post("/web-forms", response={201: WebFormOut}, tags=FORMS, summary="Add a form; its answer holds the HTML to paste")
def create_web_form(request: HttpRequest, payload: WebFormIn) -> Any:
    actor, workspace = actor_and_workspace(request)
    form = services.web_form_create(actor=actor, workspace=workspace, data=payload.model_dump())
    return Status(201, _form_out(selectors.web_form_get(actor=actor, workspace=workspace, pk=form.pk)))


@router.get("/web-forms/{form_id}", response=WebFormOut, tags=FORMS)
def get_web_form(request: HttpRequest, form_id: int) -> Any:
    actor, workspace = actor_and_workspace(request)
    return _form_out(selectors.web_form_get(actor=actor, workspace=workspace, pk=form_id))


@router.patch("/web-forms/{form_id}", response=WebFormOut, tags=FORMS)
def update_web_form(request: HttpRequest, form_id: int, payload: WebFormPatch) -> Any:
    actor, workspace = actor_and_workspace(request)
    form = selectors.web_form_get(actor=actor, workspace=workspace, pk=form_id)
    data = payload.model_dump(exclude_unset=True)
    new_token = bool(data.pop("new_token", False))
    services.web_form_update(actor=actor, form=form, data=data, new_token=new_token)
    return _form_out(selectors.web_form_get(actor=actor, workspace=workspace, pk=form_id))


@router.delete("/web-forms/{form_id}", response={204: None}, tags=FORMS)
def delete_web_form(request: HttpRequest, form_id: int) -> Any:
    actor, workspace = actor_and_workspace(request)
    services.web_form_delete(actor=actor, form=selectors.web_form_get(actor=actor, workspace=workspace, pk=form_id))
    return Status(204, None)


@router.get(
    "/web-forms/{form_id}/submissions", response=page_of(WebFormSubmissionOut), tags=FORMS, summary="What the form received, newest first"
)
def list_web_form_submissions(request: HttpRequest, form_id: int, page: Query[PageParams]) -> Any:
    actor, workspace = actor_and_workspace(request)
    form = selectors.web_form_get(actor=actor, workspace=workspace, pk=form_id)
    submissions = selectors.web_form_submission_list(actor=actor, workspace=workspace, form=form)
    listed = paginate(submissions, ordering=("-submitted_at", "-id"), cursor=page.cursor, limit=page.limit)
    selectors.submissions_as_seen(actor=actor, workspace=workspace, submissions=listed.items)
    return listed
