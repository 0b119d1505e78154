"""The lead pages: the list, a lead's page (profile, timeline, quick logging, score), the lead form and the conversion.

They read through amity.sales.selectors and write through amity.sales.services and
amity.activities.services, the doors the API uses too. A lead's page is drawn by the record
page's template (web/record/page.html) with the lead's own cards, timeline and panels.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods

from amity.activities import services as activity_services
from amity.activities import timeline
from amity.activities.models import Channel
from amity.api.pagination import paginate
from amity.core import selectors as core_selectors
from amity.core.access import allowed, hidden_fields
from amity.core.models import Team, User
from amity.core.permissions import Action, ObjectType
from amity.core.phones import national
from amity.sales import selectors, services
from amity.sales.models import Lead
from amity.sales.services.lead_scoring import explain_score
from amity.web import record_page
from amity.web.customer_forms import apply_service_errors
from amity.web.lead_forms import ConvertForm, LeadFilterForm, LeadForm
from amity.web.record_forms import LOG_FORMS, LogForm, log_initial
from amity.web.timeline_entries import Presenter, month_of
from amity.web.views.base import WorkspaceRequest, ensure, render_page, workspace_view
from amity.web.views.record_activity import LOG_FORM, LOGGED, PAGE, custom_definitions, entry_editing, log_permissions
from amity.web.views.records import ProfileField, Section

LIST_PAGE_SIZE = 50
TIMELINE_PAGE_SIZE = 25
STATUS_TONES = {"new": "azure", "contacted": "blue", "qualified": "green", "unqualified": "secondary", "converted": "purple"}
RATING_TONES = {"hot": "red", "warm": "orange", "cold": "cyan"}


@dataclass(frozen=True)
class LeadKind:
    """What the record page's template asks of the kind of record it shows."""

    object_type: str = "lead"
    singular: str = "lead"
    plural: str = "leads"
    title: str = "Leads"
    permission: ObjectType = ObjectType.LEAD


KIND = LeadKind()


def _people(request: WorkspaceRequest) -> list[User]:
    try:
        return list(core_selectors.member_people(actor=request.user, workspace=request.workspace))
    except PermissionDenied:
        return []


def _teams(request: WorkspaceRequest) -> list[Team]:
    return list(core_selectors.team_list(actor=request.user, workspace=request.workspace).order_by("name"))


def score_tone(score: int) -> str:
    return "green" if score >= 50 else "yellow" if score >= 20 else "red" if score < 0 else "secondary"


# --- The list -------------------------------------------------------------------------------------------------


def _query(params: QueryDict, **changes: str) -> str:
    keys = ("q", "status", "rating", "owner_id", "source", "score_min", "sort")
    query = {key: params.get(key, "") for key in keys} | changes
    return urlencode({key: value for key, value in query.items() if value})


@workspace_view
@require_GET
def lead_list(request: WorkspaceRequest) -> HttpResponse:
    """Leads as a table with filters, sorted by the chosen column, 50 at a time ("Load more")."""
    ensure(request, Action.VIEW, ObjectType.LEAD)
    form = LeadFilterForm(request.GET, people=_people(request))
    sort = form.chosen_sort() if form.chosen_sort() in selectors.LEAD_SORTS else "-created_at"
    leads = selectors.leads_filtered(actor=request.user, workspace=request.workspace, filters=form.filters())
    leads = leads.select_related("owner")
    ordering = selectors.LEAD_SORTS[sort]
    try:
        page = paginate(leads, ordering=ordering, cursor=request.GET.get("cursor") or None, limit=LIST_PAGE_SIZE)
    except ValidationError:
        page = paginate(leads, ordering=ordering, cursor=None, limit=LIST_PAGE_SIZE)
    context = {
        "form": form,
        "leads": page.items,
        "next_url": f"?{_query(request.GET, cursor=page.next_cursor)}" if page.next_cursor else "",
        "can_add": allowed(request.user, request.workspace, Action.ADD, ObjectType.LEAD),
        "filtered": any(request.GET.get(key) for key in ("q", "status", "rating", "owner_id", "source", "score_min")),
    }
    return render_page(request, "web/leads/list.html", context, partial="rows" if request.GET.get("cursor") else None)


# --- The form ---------------------------------------------------------------------------------------------------


def _hidden(request: WorkspaceRequest) -> frozenset[str]:
    """The lead's fields the role may not see (permissions.SENSITIVE_FIELDS): neither rendered nor taken from a form."""
    return hidden_fields(request.user, request.workspace, ObjectType.LEAD)


def _save(request: WorkspaceRequest, form: LeadForm, lead: Lead | None) -> Lead | None:
    try:
        if lead is None:
            return services.lead_create(actor=request.user, workspace=request.workspace, data=form.service_data(creating=True))
        return services.lead_update(actor=request.user, lead=lead, data=form.service_data(creating=False))
    except ValidationError as error:
        apply_service_errors(form, error)
        return None


@workspace_view
@require_http_methods(["GET", "POST"])
def lead_create(request: WorkspaceRequest) -> HttpResponse:
    """A new lead by hand; with no owner chosen, the assignment rules give it to someone (else to its creator)."""
    ensure(request, Action.ADD, ObjectType.LEAD)
    posted = request.POST if request.method == "POST" else None
    form = LeadForm(posted, initial={"status": "new"}, people=_people(request), teams=_teams(request), hidden=_hidden(request))
    if posted is not None and form.is_valid():
        lead = _save(request, form, None)
        if lead is not None:
            messages.success(request, f"Lead “{lead}” added" + (f" for {lead.owner.display_name}." if lead.owner else "."))
            return redirect("lead_detail", request.workspace.slug, lead.pk)
    return render_page(request, "web/leads/form.html", {"form": form, "lead": None}, status=422 if form.errors else 200)


@workspace_view
@require_http_methods(["GET", "POST"])
def lead_edit(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """Change a lead (a converted one is read-only: its contact carries on)."""
    ensure(request, Action.CHANGE, ObjectType.LEAD)
    lead = selectors.lead_get(actor=request.user, workspace=request.workspace, pk=pk)
    if lead.converted_at is not None:
        messages.error(request, "This lead was converted; change its contact instead.")
        return redirect("lead_detail", request.workspace.slug, pk)
    posted = request.POST if request.method == "POST" else None
    form = LeadForm(posted, initial=LeadForm.initial_for(lead), people=_people(request), teams=_teams(request), hidden=_hidden(request))
    if posted is not None and form.is_valid() and _save(request, form, lead) is not None:
        messages.success(request, "Lead saved.")
        return redirect("lead_detail", request.workspace.slug, pk)
    return render_page(request, "web/leads/form.html", {"form": form, "lead": lead}, status=422 if form.errors else 200)


# --- The page -----------------------------------------------------------------------------------------------------


def _sections(lead: Lead, request: WorkspaceRequest) -> list[Section]:
    slug = request.workspace.slug
    about = [
        ProfileField("Name", lead.full_name),
        ProfileField("Job title", lead.title),
        ProfileField("Company", lead.company),
        ProfileField("Website", lead.website, href=f"https://{lead.website}" if lead.website else ""),
        ProfileField("Industry", lead.industry),
        ProfileField("Status", lead.get_status_display(), tone=STATUS_TONES.get(lead.status, "secondary")),
        ProfileField("Rating", lead.get_rating_display() if lead.rating else "", tone=RATING_TONES.get(lead.rating, "")),
        ProfileField("Owner", lead.owner.display_name if lead.owner else ""),
        ProfileField("Team", lead.team.name if lead.team else ""),
        ProfileField("Tags", badges=tuple(sorted(tag.name for tag in lead.tags.all()))),
    ]
    reach = [
        ProfileField("Email", lead.email, href=f"mailto:{lead.email}" if lead.email else ""),
        ProfileField("Phone", national(lead.phone) if lead.phone else "", href=f"tel:{lead.phone}" if lead.phone else ""),
        ProfileField("Address", ", ".join(part for part in (lead.postcode, lead.city, lead.region, lead.country) if part)),
        ProfileField(
            "Marketing consent",
            {True: "Granted", False: "Refused", None: "Not asked"}[lead.marketing_consent],
            tone={True: "green", False: "red", None: "secondary"}[lead.marketing_consent],
        ),
    ]
    if "phone" in _hidden(request):  # not rendered at all: the page never holds what the role may not see
        reach = [field for field in reach if field.label != "Phone"]
    origin = [
        ProfileField("Source", lead.source),
        ProfileField("Campaign", lead.campaign),
        ProfileField("Web form", lead.web_form.name if lead.web_form else ""),
        ProfileField("External id", lead.external_id or ""),
        ProfileField("Created", moment=lead.created_at),
        ProfileField("First contacted", moment=lead.first_contacted_at)
        if lead.first_contacted_at
        else ProfileField("First contacted", "Not yet"),
    ]
    sections = [Section("details", "About", "user-plus", about), Section("reach", "Reach", "address-book", reach)]
    definitions = custom_definitions(request, ObjectType.LEAD)
    if definitions:
        values = lead.custom or {}
        custom = [ProfileField(definition.label, _custom_text(values.get(definition.key))) for definition in definitions]
        sections.append(Section("custom", "More fields", "forms", custom))
    if lead.description:
        sections.append(Section("notes", "Notes", "notes", [ProfileField("", lead.description)]))
    sections.append(Section("origin", "Origin", "route", origin))
    if lead.converted_at:
        converted = [ProfileField("Converted", moment=lead.converted_at)]
        if lead.converted_contact:
            converted.append(
                ProfileField("Contact", str(lead.converted_contact), href=reverse("contact_detail", args=[slug, lead.converted_contact_id]))
            )
        if lead.converted_account:
            converted.append(
                ProfileField("Account", lead.converted_account.name, href=reverse("account_detail", args=[slug, lead.converted_account_id]))
            )
        if lead.converted_opportunity:
            converted.append(
                ProfileField(
                    "Deal", lead.converted_opportunity.name, href=reverse("deal_detail", args=[slug, lead.converted_opportunity_id])
                )
            )
        sections.insert(0, Section("converted", "Converted", "transform", converted))
    return sections


def _custom_text(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if isinstance(value, dict):
        return " ".join(str(part) for part in value.values())
    return "" if value is None else str(value)


def _facts(lead: Lead, hidden: frozenset[str]) -> dict[str, Any]:
    phone = "" if "phone" in hidden else lead.phone
    initials = "".join(part[0] for part in (lead.first_name, lead.last_name) if part).upper()
    return {
        "title": " at ".join(part for part in (lead.title, lead.company) if part),
        "website": lead.website,
        "email": lead.email,
        "phone": phone,
        "phone_shown": national(phone) if phone else "",
        "initials": initials or (lead.company[:2].upper() if lead.company else "?"),
    }


def _timeline(request: WorkspaceRequest, lead: Lead, params: QueryDict, *, highlight: str = "") -> dict[str, Any]:
    known = set(timeline.kinds())
    kinds = [kind for kind in params.getlist("kind") if kind in known]
    channels = [channel for channel in params.getlist("channel") if channel in Channel.values]
    cursor = params.get("cursor") or None
    previous_month = ""
    try:
        if cursor:
            previous_month = month_of(timeline.decode_cursor(cursor).occurred_at)
        page = timeline.timeline_page(
            workspace=request.workspace, actor=request.user, contact_ids=[], lead_ids=[lead.pk], kinds=kinds, channels=channels,
            cursor=cursor, limit=TIMELINE_PAGE_SIZE,
        )  # fmt: skip
    except ValidationError:
        cursor, previous_month = None, ""
        page = timeline.timeline_page(
            workspace=request.workspace, actor=request.user, contact_ids=[], lead_ids=[lead.pk], limit=TIMELINE_PAGE_SIZE
        )
    presenter = Presenter(
        people={person.pk: person.display_name for person in _people(request)},
        definitions=custom_definitions(request, ObjectType.LEAD),
        contact_url=reverse("contact_detail", args=[request.workspace.slug, 0]),
        editing=entry_editing(request),
    )
    url = reverse("lead_timeline", args=[request.workspace.slug, lead.pk])
    filters = [("kind", kind) for kind in kinds] + [("channel", channel) for channel in channels]
    shown = ("interaction", "note", "task", "change")
    return {
        "timeline": {
            "entries": presenter.entries(page.items, previous_month=previous_month),
            "url": url,
            "next_url": f"{url}?{urlencode([*filters, ('cursor', page.next_cursor)])}" if page.next_cursor else "",
            "kinds": [
                (source.kind, source.label or source.kind.capitalize(), source.kind in kinds)
                for source in timeline.sources()
                if source.kind in shown
            ],
            "channels": [(value, label, value in channels) for value, label in Channel.choices],
            "filtered": bool(filters),
            "continued": cursor is not None,
            "highlight": highlight,
        }
    }


def _score_panel(actor: User, workspace: Any, lead: Lead) -> dict[str, Any]:
    # A rule on a field hidden from the role is not listed: that it matched would tell the value (the total stays whole).
    hidden = hidden_fields(actor, workspace, ObjectType.LEAD)
    parts = [(rule, points) for rule, points in explain_score(lead) if rule.field not in hidden]
    return {"score": lead.score, "tone": score_tone(lead.score), "parts": parts, "empty": False}


def _origin_panel(actor: User, workspace: Any, lead: Lead) -> dict[str, Any]:
    submissions = selectors.lead_submissions(actor=actor, workspace=workspace, lead=lead)
    return {"submissions": submissions, "count": len(submissions), "empty": not submissions}


SCORE_PANEL = record_page.Panel(key="score", title="Score", template="web/leads/panel_score.html", context=_score_panel, icon="flame")
ORIGIN_PANEL = record_page.Panel(
    key="submissions",
    title="Web form submissions",
    template="web/leads/panel_submissions.html",
    context=_origin_panel,
    icon="forms",
    empty_text="Not captured by a web form.",
)


def _page_context(request: WorkspaceRequest, lead: Lead) -> dict[str, Any]:
    actor, workspace = request.user, request.workspace
    live = lead.converted_at is None
    return {
        "kind": KIND,
        "record": lead,
        "lead": lead,
        "facts": _facts(lead, _hidden(request)),
        "sections": _sections(lead, request),
        "base_url": reverse("lead_detail", args=[workspace.slug, lead.pk]),
        "can_log": log_permissions(request, live=True),
        "can_change": live and allowed(actor, workspace, Action.CHANGE, ObjectType.LEAD),
        "can_convert": live and allowed(actor, workspace, Action.CHANGE, ObjectType.LEAD),
        "status_tone": STATUS_TONES.get(lead.status, "secondary"),
        "rating_tone": RATING_TONES.get(lead.rating, "secondary"),
        "panels": [
            shown
            for panel in (SCORE_PANEL, ORIGIN_PANEL)
            if (shown := record_page.show(panel, actor=actor, workspace=workspace, record=lead))
        ],
    }


@workspace_view
@require_GET
def lead_detail(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """A lead's page: who they are, where they came from, their score and why, and their timeline with quick logging."""
    ensure(request, Action.VIEW, ObjectType.LEAD)
    lead = selectors.lead_get(actor=request.user, workspace=request.workspace, pk=pk)
    context = _page_context(request, lead) | _timeline(request, lead, request.GET)
    return render_page(request, "web/leads/detail.html", context)


@workspace_view
@require_GET
def lead_timeline(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """The lead's timeline alone: a new filter, or the next page."""
    ensure(request, Action.VIEW, ObjectType.LEAD)
    lead = selectors.lead_get(actor=request.user, workspace=request.workspace, pk=pk)
    shown = _timeline(request, lead, request.GET)
    partial = "timeline_more" if shown["timeline"]["continued"] else "timeline_body"
    return render(request, f"{PAGE}#{partial}", {"kind": KIND, "record": lead} | shown)


def _save_log(request: WorkspaceRequest, lead: Lead, form: LogForm) -> str:
    """Save the quick-logged call, meeting, note or task on the lead; the timeline id of what was saved."""
    actor, workspace = request.user, request.workspace
    if form.what in {"call", "meeting"}:
        interaction = activity_services.interaction_log(actor=actor, workspace=workspace, lead=lead, **form.service_kwargs())  # type: ignore[attr-defined]
        return f"interaction-{interaction.pk}"
    if form.what == "note":
        note = activity_services.note_create(actor=actor, workspace=workspace, lead=lead, **form.service_kwargs())  # type: ignore[attr-defined]
        return f"note-{note.pk}"
    task = activity_services.task_create(actor=actor, workspace=workspace, lead=lead, **form.service_kwargs())  # type: ignore[attr-defined]
    return f"task-{task.pk}"


@workspace_view
@require_http_methods(["GET", "POST"])
def lead_log(request: WorkspaceRequest, pk: int, what: str) -> HttpResponse:
    """A quick-log form above the lead's timeline: GET opens it, POST saves it and redraws the timeline with the entry on top."""
    if what not in LOG_FORMS:
        raise Http404("Log a call, a meeting, a note or a task.")
    ensure(request, Action.VIEW, ObjectType.LEAD)
    lead = selectors.lead_get(actor=request.user, workspace=request.workspace, pk=pk)
    form_class = LOG_FORMS[what]
    members = _people(request) if what in {"note", "task"} else []
    posted = request.POST if request.method == "POST" else None
    form = form_class(posted, initial=log_initial(what, request.user), members=members)
    status = 200
    if posted is not None:
        if form.is_valid():
            try:
                _save_log(request, lead, form)
            except ValidationError as error:
                form.apply_service_errors(error)
            else:
                messages.success(request, LOGGED[what])
                if not getattr(request, "htmx", False):
                    return redirect("lead_detail", request.workspace.slug, pk)
                # The lead's status, score and heading may all have changed: draw the whole page again.
                response = HttpResponse(status=204)
                response["HX-Refresh"] = "true"
                return response
        status = 422
    url = reverse("lead_log", args=[request.workspace.slug, pk, what])
    return render(request, LOG_FORM, {"kind": KIND, "record": lead, "form": form, "what": what, "url": url}, status=status)


@workspace_view
@require_GET
def lead_panel(request: WorkspaceRequest, pk: int, key: str) -> HttpResponse:
    """One panel of the lead's page, drawn again (the score after something was logged)."""
    ensure(request, Action.VIEW, ObjectType.LEAD)
    lead = selectors.lead_get(actor=request.user, workspace=request.workspace, pk=pk)
    panel = {SCORE_PANEL.key: SCORE_PANEL, ORIGIN_PANEL.key: ORIGIN_PANEL}.get(key)
    shown = record_page.show(panel, actor=request.user, workspace=request.workspace, record=lead) if panel else None
    if shown is None:
        raise Http404("No such panel.")
    context = {"kind": KIND, "record": lead, "shown": shown, "base_url": reverse("lead_detail", args=[request.workspace.slug, pk])}
    return render(request, f"{PAGE}#panel", context)


# --- Conversion ---------------------------------------------------------------------------------------------------


@workspace_view
@require_http_methods(["GET", "POST"])
def lead_convert(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """Convert a lead: shows the contact and account it would use (matched by email, domain or name) and the deal to create."""
    ensure(request, Action.CHANGE, ObjectType.LEAD)
    lead = selectors.lead_get(actor=request.user, workspace=request.workspace, pk=pk)
    if lead.converted_at is not None:
        messages.error(request, "This lead was converted already.")
        return redirect("lead_detail", request.workspace.slug, pk)
    pipelines = list(selectors.pipeline_list(actor=request.user, workspace=request.workspace).order_by("position", "id"))
    if not pipelines:
        services.sales_setup(workspace=request.workspace)
        pipelines = list(selectors.pipeline_list(actor=request.user, workspace=request.workspace).order_by("position", "id"))
    preview = selectors.conversion_preview(lead)
    posted = request.POST if request.method == "POST" else None
    default_pipeline = next((p for p in pipelines if p.is_default), pipelines[0])
    initial = {"name": f"{lead.company or lead.full_name} deal", "pipeline_id": str(default_pipeline.pk)}
    form = ConvertForm(posted, initial=initial, pipelines=pipelines)
    if posted is not None and form.is_valid():
        matches = selectors.find_matches(lead)
        wants_deal = bool(form.cleaned_data["create_opportunity"]) and allowed(
            request.user, request.workspace, Action.ADD, ObjectType.OPPORTUNITY
        )
        try:
            result = services.lead_convert(
                actor=request.user,
                lead=lead,
                contact=matches.contact if form.cleaned_data["use_contact"] else None,
                account=matches.account if form.cleaned_data["use_account"] else None,
                create_opportunity=wants_deal,
                opportunity=form.deal() if wants_deal else None,
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            made = [f"contact {result.contact}" + (" (existing)" if not result.contact_created else "")]
            if result.account:
                made.append(f"account {result.account.name}" + (" (existing)" if not result.account_created else ""))
            if result.opportunity:
                made.append(f"deal {result.opportunity.name}")
            messages.success(request, f"Lead converted: {', '.join(made)}.")
            if result.opportunity:
                return redirect("deal_detail", request.workspace.slug, result.opportunity.pk)
            return redirect("contact_detail", request.workspace.slug, result.contact.pk)
    context = {
        "lead": lead,
        "form": form,
        "preview": preview,
        "can_add_deal": allowed(request.user, request.workspace, Action.ADD, ObjectType.OPPORTUNITY),
    }
    return render_page(request, "web/leads/convert.html", context, status=422 if form.errors else 200)
