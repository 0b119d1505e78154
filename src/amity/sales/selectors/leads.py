"""Reads of leads and their rules and forms: workspace-scoped, role-filtered (own / team / all), lists prefetched."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404

from amity.activities.models import Note, Task
from amity.activities.timeline import TimelinePage, timeline_page
from amity.core.access import allowed, hidden_fields, visible
from amity.core.custom_fields import filter_lookups
from amity.core.models import User, Workspace
from amity.core.permissions import Action, ObjectType
from amity.core.tenancy import get_scoped_or_404
from amity.customers.models import Account, AccountDomain, Contact, ContactEmail
from amity.customers.selectors import refuse_hidden_criteria
from amity.sales.models import Lead, LeadAssignmentRule, LeadRescore, LeadScoringRule, WebForm, WebFormSubmission

LEAD_SORTS = {
    "created_at": ("created_at", "id"),
    "-created_at": ("-created_at", "-id"),
    "score": ("score", "id"),
    "-score": ("-score", "-id"),
    "last_name": ("last_name", "first_name", "id"),
    "-last_name": ("-last_name", "-first_name", "-id"),
    "company": ("company", "id"),
    "-company": ("-company", "-id"),
    "updated_at": ("updated_at", "id"),
    "-updated_at": ("-updated_at", "-id"),
}


@dataclass(frozen=True)
class LeadFilter:
    """What a list of leads can be narrowed by; `custom` maps custom field keys to wanted values."""

    status: str | None = None
    rating: str | None = None
    owner_id: int | None = None
    unassigned: bool = False
    team_id: int | None = None
    source: str | None = None
    campaign: str | None = None
    country: str | None = None
    score_min: int | None = None
    score_max: int | None = None
    tag: str | None = None
    email: str | None = None
    external_id: str | None = None
    web_form_id: int | None = None
    q: str | None = None
    created_after: dt.datetime | None = None
    created_before: dt.datetime | None = None
    updated_after: dt.datetime | None = None
    deleted: bool = False
    custom: dict[str, str] = field(default_factory=dict)


def _visible(actor: User, workspace: Workspace) -> models.QuerySet[Lead]:
    return visible(Lead.objects.all(), actor=actor, workspace=workspace, object_type=ObjectType.LEAD)


def with_details(leads: models.QuerySet[Lead]) -> models.QuerySet[Lead]:
    """Everything a lead's answer shows, in a fixed number of queries whatever the number of leads."""
    return leads.select_related("owner", "team").prefetch_related("tags")


def _check(filters: LeadFilter) -> None:
    if filters.status and filters.status not in Lead.Status.values:
        raise ValidationError({"status": f"Choose one of: {', '.join(Lead.Status.values)}."})
    if filters.rating and filters.rating not in Lead.Rating.values:
        raise ValidationError({"rating": f"Choose one of: {', '.join(Lead.Rating.values)}."})


def leads_filtered(*, actor: User, workspace: Workspace, filters: LeadFilter | None = None) -> models.QuerySet[Lead]:
    """Leads the actor may see, filtered, nothing prefetched."""
    filters = filters or LeadFilter()
    _check(filters)
    if filters.deleted and not allowed(actor, workspace, Action.DELETE, ObjectType.LEAD):
        raise ValidationError({"deleted": "Only those who may delete leads can see the deleted ones."})
    lookups = {
        "status": filters.status,
        "rating": filters.rating,
        "owner_id": filters.owner_id,
        "team_id": filters.team_id,
        "source__iexact": filters.source,
        "campaign__iexact": filters.campaign,
        "country": (filters.country or "").upper(),
        "score__gte": filters.score_min,
        "score__lte": filters.score_max,
        "tags__name": filters.tag,
        "email": (filters.email or "").strip().lower(),
        "external_id": filters.external_id,
        "web_form_id": filters.web_form_id,
        "created_at__gte": filters.created_after,
        "created_at__lt": filters.created_before,
        "updated_at__gte": filters.updated_after,
    }
    leads = _visible(actor, workspace).filter(**{key: value for key, value in lookups.items() if value not in (None, "")})
    leads = leads.filter(deleted_at__isnull=not filters.deleted)
    if filters.unassigned:
        leads = leads.filter(owner__isnull=True)
    if filters.q:
        text = filters.q.strip()
        leads = leads.filter(
            models.Q(last_name__istartswith=text)
            | models.Q(first_name__istartswith=text)
            | models.Q(company__istartswith=text)
            | models.Q(email__startswith=text.lower())
        )
    if filters.custom:
        # Not by a custom field hidden from the role: the leads found would tell its values (422 naming it).
        refuse_hidden_criteria(actor, workspace, ObjectType.LEAD, filters=[f"custom.{key}" for key in filters.custom])
        leads = leads.filter(**filter_lookups(workspace, ObjectType.LEAD, filters.custom))
    return leads


def lead_list(*, actor: User, workspace: Workspace, filters: LeadFilter | None = None) -> models.QuerySet[Lead]:
    """Leads the actor may see (own, team or all by role), filtered, with what a lead's answer shows."""
    return with_details(leads_filtered(actor=actor, workspace=workspace, filters=filters))


def lead_get(*, actor: User, workspace: Workspace, pk: int, include_deleted: bool = False) -> Lead:
    leads = _visible(actor, workspace)
    if not include_deleted:
        leads = leads.filter(deleted_at__isnull=True)
    return get_scoped_or_404(
        with_details(leads).select_related("converted_contact", "converted_account", "converted_opportunity", "web_form"), pk=pk
    )


def leads_by_ids(*, actor: User, workspace: Workspace, ids: list[int]) -> list[Lead]:
    """The visible leads among `ids`, not in the bin; an id that is not there is a field error."""
    leads = list(_visible(actor, workspace).filter(pk__in=ids, deleted_at__isnull=True))
    missing = sorted(set(ids) - {lead.pk for lead in leads})
    if missing:
        raise ValidationError({"ids": f"No leads with ids {missing} in this workspace."})
    return leads


def visible_lead_ids(*, actor: User, workspace: Workspace) -> models.QuerySet[Any]:
    """A subquery of the leads (not in the bin) the actor may see, for other apps' reads."""
    return _visible(actor, workspace).filter(deleted_at__isnull=True).values("pk")


def resolve_lead(*, actor: User, workspace: Workspace, pk: int, field: str = "lead_id") -> Lead:
    """A lead by id that the actor may see; any other id is a field error (for links from interactions, notes, tasks)."""
    lead = _visible(actor, workspace).filter(pk=pk, deleted_at__isnull=True).first()
    if lead is None:
        raise ValidationError({field: f"No lead with id {pk} in this workspace."})
    return lead


def lead_timeline(*, actor: User, workspace: Workspace, lead: Lead, kinds: list[str], cursor: str | None, limit: int) -> TimelinePage:
    """A lead's timeline: the calls, emails, meetings, notes and tasks logged on it, and changes to it."""
    return timeline_page(workspace=workspace, actor=actor, contact_ids=[], lead_ids=[lead.pk], kinds=kinds, cursor=cursor, limit=limit)


def lead_submissions(*, actor: User, workspace: Workspace, lead: Lead) -> list[WebFormSubmission]:
    """The web form submissions that brought the lead in (the proof of where it came from)."""
    submissions = WebFormSubmission.objects.filter(workspace=workspace, lead=lead).select_related("form").order_by("-submitted_at", "-id")
    return submissions_as_seen(actor=actor, workspace=workspace, submissions=list(submissions))


def submissions_as_seen(*, actor: User, workspace: Workspace, submissions: list[WebFormSubmission]) -> list[WebFormSubmission]:
    """Submissions without the answers to lead fields hidden from the actor's role (`phone`): the proof is not a way round.

    Only the loaded rows are changed, never saved: the stored proof keeps everything.
    """
    hidden = hidden_fields(actor, workspace, ObjectType.LEAD)
    if hidden:
        for submission in submissions:
            submission.data = {key: value for key, value in submission.data.items() if key not in hidden}
    return submissions


# --- Rules, forms, rescoring runs ---------------------------------------------------------------------------------


def scoring_rule_list(*, actor: User, workspace: Workspace) -> models.QuerySet[LeadScoringRule]:
    return visible(LeadScoringRule.objects.all(), actor=actor, workspace=workspace, object_type=ObjectType.LEAD_RULE)


def scoring_rule_get(*, actor: User, workspace: Workspace, pk: int) -> LeadScoringRule:
    return get_scoped_or_404(scoring_rule_list(actor=actor, workspace=workspace), pk=pk)


def assignment_rule_list(*, actor: User, workspace: Workspace) -> models.QuerySet[LeadAssignmentRule]:
    rules = visible(LeadAssignmentRule.objects.all(), actor=actor, workspace=workspace, object_type=ObjectType.LEAD_RULE)
    return rules.select_related("assign_to", "team")


def assignment_rule_get(*, actor: User, workspace: Workspace, pk: int) -> LeadAssignmentRule:
    return get_scoped_or_404(assignment_rule_list(actor=actor, workspace=workspace), pk=pk)


def rescore_get(*, actor: User, workspace: Workspace, pk: int) -> LeadRescore:
    return get_scoped_or_404(visible(LeadRescore.objects.all(), actor=actor, workspace=workspace, object_type=ObjectType.LEAD_RULE), pk=pk)


def latest_rescore(*, actor: User, workspace: Workspace) -> LeadRescore | None:
    runs = visible(LeadRescore.objects.all(), actor=actor, workspace=workspace, object_type=ObjectType.LEAD_RULE)
    return runs.order_by("-created_at", "-id").first()


def web_form_list(*, actor: User, workspace: Workspace) -> models.QuerySet[WebForm]:
    forms = visible(WebForm.objects.all(), actor=actor, workspace=workspace, object_type=ObjectType.WEB_FORM)
    return forms.select_related("owner").annotate(submission_count=models.Count("submissions"))


def web_form_get(*, actor: User, workspace: Workspace, pk: int) -> WebForm:
    return get_scoped_or_404(web_form_list(actor=actor, workspace=workspace), pk=pk)


def web_form_submission_list(*, actor: User, workspace: Workspace, form: WebForm) -> models.QuerySet[WebFormSubmission]:
    submissions = visible(WebFormSubmission.objects.all(), actor=actor, workspace=workspace, object_type=ObjectType.WEB_FORM)
    return submissions.filter(form=form)


def public_web_form(token: str) -> WebForm:
    """The form behind a public address, for anyone on the internet: an unknown or switched-off token is a 404."""
    form = WebForm.objects.filter(token=token, active=True).select_related("workspace").first() if token else None
    if form is None:
        raise Http404("No such form.")
    return form


# --- Conversion: what a lead would become ------------------------------------------------------------------------


@dataclass(frozen=True)
class Matches:
    """The existing customers a conversion would use, and why."""

    contact: Contact | None
    account: Account | None
    account_by: str  # "domain", "name" or ""


def lead_domain(lead: Lead) -> str:
    """The company's web domain: its website, else the email's domain."""
    return lead.website or (lead.email.rpartition("@")[2] if "@" in lead.email else "")


def find_matches(lead: Lead) -> Matches:
    """The contact with the lead's email, and the account with its domain or (else) exactly its company's name; in 3 queries at most."""
    contact = None
    if lead.email:
        contact = (
            Contact.objects.filter(
                workspace_id=lead.workspace_id,
                deleted_at__isnull=True,
                pk__in=ContactEmail.objects.filter(workspace_id=lead.workspace_id, address=lead.email).values("contact_id"),
            )
            .order_by("pk")
            .first()
        )
    account, account_by = None, ""
    domain = lead_domain(lead)
    if domain:
        account = (
            Account.objects.filter(
                workspace_id=lead.workspace_id,
                deleted_at__isnull=True,
                pk__in=AccountDomain.objects.filter(workspace_id=lead.workspace_id, domain=domain).values("account_id"),
            )
            .order_by("pk")
            .first()
        )
        account_by = "domain" if account else ""
    if account is None and lead.company:
        named = list(Account.objects.filter(workspace_id=lead.workspace_id, deleted_at__isnull=True, name__iexact=lead.company)[:2])
        if len(named) == 1:  # two accounts of that name: which one is a person's call, not ours
            account, account_by = named[0], "name"
    return Matches(contact=contact, account=account, account_by=account_by)


def conversion_preview(lead: Lead) -> dict[str, Any]:
    """What converting would use (existing contact and account) and carry over, as the API and the convert page show it."""
    matches = find_matches(lead)
    contact, account = matches.contact, matches.account
    return {
        "contact": {"id": contact.pk, "name": contact.full_name, "email": contact.primary_email} if contact else None,
        "account": {"id": account.pk, "name": account.name, "matched_by": matches.account_by} if account else None,
        "interactions": lead.interactions.count(),
        "notes": Note.objects.filter(lead=lead).count(),
        "tasks": Task.objects.filter(lead=lead).count(),
    }
