"""Settings → Lead scoring, Lead assignment and Web forms, and the public address every web form posts to.

The settings pages write through amity.sales.services, as the API does. The public endpoint is
the one page of Amity that strangers reach: it takes a form's token, is exempt from CSRF (the
post comes from another site, and a token-keyed form that only creates a lead has nothing a
forged request could abuse), and answers a browser with a plain page and a script with JSON.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from amity.core import selectors as core_selectors
from amity.core.access import allowed, hidden_fields
from amity.core.models import User
from amity.core.permissions import Action, ObjectType
from amity.customers import selectors as customer_selectors
from amity.sales import selectors, services
from amity.sales.lead_rules import RULE_FIELDS
from amity.sales.models import LeadAssignmentRule, LeadScoringRule, WebForm
from amity.sales.services.web_forms import CONSENT, HONEYPOT, RateLimited, field_labels
from amity.sales.web_form_snippet import form_inputs, public_url, snippet
from amity.web.customer_forms import apply_service_errors
from amity.web.lead_forms import AssignmentRuleForm, ScoringRuleForm, WebFormForm
from amity.web.views.base import WorkspaceRequest, ensure, render_page, workspace_view

SUBMISSIONS_SHOWN = 20


def _people(request: WorkspaceRequest) -> list[User]:
    try:
        return list(core_selectors.member_people(actor=request.user, workspace=request.workspace))
    except PermissionDenied:
        return []


def _custom_fields(request: WorkspaceRequest) -> list[tuple[str, str]]:
    definitions = customer_selectors.field_definition_list(actor=request.user, workspace=request.workspace, object_type=ObjectType.LEAD)
    return [(f"custom.{definition.key}", definition.label) for definition in definitions.order_by("position", "id")]


def _field_label(field: str, custom: list[tuple[str, str]]) -> str:
    return RULE_FIELDS.get(field) or dict(custom).get(field, field)


# --- Lead scoring ----------------------------------------------------------------------------------------------


@workspace_view
@require_http_methods(["GET", "POST"])
def settings_lead_scoring(request: WorkspaceRequest) -> HttpResponse:
    """The scoring rules, a form to add one, and the progress of the last rescoring of every lead."""
    ensure(request, Action.VIEW, ObjectType.LEAD_RULE)
    custom = _custom_fields(request)
    posted = request.POST if request.method == "POST" else None
    form = ScoringRuleForm(posted, custom=custom, hidden=hidden_fields(request.user, request.workspace, ObjectType.LEAD))
    if posted is not None:
        ensure(request, Action.ADD, ObjectType.LEAD_RULE)
        if form.is_valid():
            try:
                rule = services.scoring_rule_create(actor=request.user, workspace=request.workspace, data=form.service_data())
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, f"Rule “{rule.name}” added; every lead is being scored again.")
                return redirect("settings_lead_scoring", request.workspace.slug)
    rules = list(selectors.scoring_rule_list(actor=request.user, workspace=request.workspace).order_by("position", "id"))
    context = {
        "rules": [(rule, _describe_scoring(rule, custom)) for rule in rules],
        "form": form,
        "rescore": selectors.latest_rescore(actor=request.user, workspace=request.workspace),
        "can_change": allowed(request.user, request.workspace, Action.CHANGE, ObjectType.LEAD_RULE),
    }
    return render_page(request, "web/settings/lead_scoring.html", context, status=422 if form.errors else 200)


def _describe_scoring(rule: LeadScoringRule, custom: list[tuple[str, str]]) -> str:
    if rule.kind == LeadScoringRule.Kind.FIELD:
        value = "" if rule.operator in ("is_set", "is_not_set") else f" “{rule.value}”"
        return f"{_field_label(rule.field, custom)} {rule.get_operator_display()}{value}"
    channel = dict(LeadScoringRule._meta.get_field("channel").choices or []).get(rule.channel) or rule.channel or "any channel"
    direction = {"in": "inbound", "out": "outbound", "internal": "internal"}.get(rule.direction, "")
    cap = f", at most {rule.max_times} times" if rule.max_times else ""
    return f"Each {direction + ' ' if direction else ''}{channel} interaction{cap}".replace("  ", " ")


@workspace_view
@require_POST
def settings_lead_scoring_rule(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """Switch a scoring rule on or off, or remove it; every lead is scored again."""
    rule = selectors.scoring_rule_get(actor=request.user, workspace=request.workspace, pk=pk)
    if request.POST.get("action") == "delete":
        services.scoring_rule_delete(actor=request.user, rule=rule)
        messages.success(request, f"Rule “{rule.name}” removed; every lead is being scored again.")
    else:
        services.scoring_rule_update(actor=request.user, rule=rule, data={"active": not rule.active})
        messages.success(
            request, f"Rule “{rule.name}” {'switched on' if rule.active else 'switched off'}; every lead is being scored again."
        )
    return redirect("settings_lead_scoring", request.workspace.slug)


@workspace_view
@require_POST
def settings_lead_rescore(request: WorkspaceRequest) -> HttpResponse:
    """Score every lead again now."""
    services.lead_rescore_start(actor=request.user, workspace=request.workspace)
    messages.success(request, "Every lead is being scored again.")
    return redirect("settings_lead_scoring", request.workspace.slug)


@workspace_view
@require_GET
def settings_lead_rescore_progress(request: WorkspaceRequest) -> HttpResponse:
    """The last rescoring's progress bar (polled by the page while it runs)."""
    ensure(request, Action.VIEW, ObjectType.LEAD_RULE)
    rescore = selectors.latest_rescore(actor=request.user, workspace=request.workspace)
    return render(request, "web/settings/lead_scoring.html#progress", {"rescore": rescore})


# --- Lead assignment ---------------------------------------------------------------------------------------------


def _describe_assignment(rule: LeadAssignmentRule, custom: list[tuple[str, str]]) -> tuple[str, str]:
    conditions = []
    if rule.countries:
        conditions.append(f"country is {', '.join(rule.countries)}")
    if rule.regions:
        conditions.append(f"region is {', '.join(rule.regions)}")
    if rule.postcode_prefixes:
        conditions.append(f"postcode starts with {', '.join(rule.postcode_prefixes)}")
    if rule.field:
        value = "" if rule.operator in ("is_set", "is_not_set") else f" “{rule.value}”"
        conditions.append(f"{_field_label(rule.field, custom).lower()} {rule.get_operator_display()}{value}")
    target = rule.assign_to.display_name if rule.assign_to else f"in turn to {rule.team.name}" if rule.team else "nobody"
    return (" and ".join(conditions) or "every lead"), target


@workspace_view
@require_http_methods(["GET", "POST"])
def settings_lead_assignment(request: WorkspaceRequest) -> HttpResponse:
    """The ordered assignment rules (the first match wins) and a form to add one."""
    ensure(request, Action.VIEW, ObjectType.LEAD_RULE)
    custom = _custom_fields(request)
    teams = list(core_selectors.team_list(actor=request.user, workspace=request.workspace).order_by("name"))
    posted = request.POST if request.method == "POST" else None
    hidden = hidden_fields(request.user, request.workspace, ObjectType.LEAD)
    form = AssignmentRuleForm(posted, people=_people(request), teams=teams, custom=custom, hidden=hidden)
    if posted is not None:
        ensure(request, Action.ADD, ObjectType.LEAD_RULE)
        if form.is_valid():
            try:
                rule = services.assignment_rule_create(actor=request.user, workspace=request.workspace, data=form.service_data())
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, f"Rule “{rule.name}” added at the end.")
                return redirect("settings_lead_assignment", request.workspace.slug)
    rules = list(selectors.assignment_rule_list(actor=request.user, workspace=request.workspace).order_by("position", "id"))
    context = {
        "rules": [(rule, *_describe_assignment(rule, custom)) for rule in rules],
        "form": form,
        "can_change": allowed(request.user, request.workspace, Action.CHANGE, ObjectType.LEAD_RULE),
    }
    return render_page(request, "web/settings/lead_assignment.html", context, status=422 if form.errors else 200)


@workspace_view
@require_POST
def settings_lead_assignment_rule(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """Move a rule up or down, switch it on or off, or remove it."""
    rule = selectors.assignment_rule_get(actor=request.user, workspace=request.workspace, pk=pk)
    action = request.POST.get("action")
    if action == "delete":
        services.assignment_rule_delete(actor=request.user, rule=rule)
        messages.success(request, f"Rule “{rule.name}” removed.")
    elif action in ("up", "down"):
        ids = list(
            selectors.assignment_rule_list(actor=request.user, workspace=request.workspace)
            .order_by("position", "id")
            .values_list("pk", flat=True)
        )
        index = ids.index(rule.pk)
        other = index - 1 if action == "up" else index + 1
        if 0 <= other < len(ids):
            ids[index], ids[other] = ids[other], ids[index]
            services.assignment_rules_reorder(actor=request.user, workspace=request.workspace, ids=ids)
    else:
        services.assignment_rule_update(actor=request.user, rule=rule, data={"active": not rule.active})
    return redirect("settings_lead_assignment", request.workspace.slug)


# --- Web forms ------------------------------------------------------------------------------------------------------


@workspace_view
@require_GET
def settings_web_forms(request: WorkspaceRequest) -> HttpResponse:
    """The workspace's web forms, with their submission counts."""
    ensure(request, Action.VIEW, ObjectType.WEB_FORM)
    forms = list(selectors.web_form_list(actor=request.user, workspace=request.workspace).order_by("name", "id"))
    context = {"forms": forms, "can_add": allowed(request.user, request.workspace, Action.ADD, ObjectType.WEB_FORM)}
    return render_page(request, "web/settings/web_forms.html", context)


def _web_form_page(request: WorkspaceRequest, form: WebForm | None) -> HttpResponse:
    labels = field_labels(request.workspace)
    posted = request.POST if request.method == "POST" else None
    initial: dict[str, Any] = {"fields": ["first_name", "last_name", "email", "company"], "required": ["email"], "active": True}
    if form is not None:
        names = [
            "name",
            "fields",
            "required",
            "submit_label",
            "thank_you_message",
            "redirect_url",
            "consent_text",
            "source",
            "campaign",
            "active",
        ]
        initial = {name: getattr(form, name) for name in names} | {
            "shown": form.fields,
            "owner_id": str(form.owner_id or ""),
            "tags": ", ".join(form.tags),
        }
    edit = WebFormForm(posted, initial=initial, people=_people(request), field_labels=labels)
    if posted is not None:
        ensure(request, Action.ADD if form is None else Action.CHANGE, ObjectType.WEB_FORM)
        if edit.is_valid():
            try:
                if form is None:
                    form = services.web_form_create(actor=request.user, workspace=request.workspace, data=edit.service_data())
                else:
                    services.web_form_update(
                        actor=request.user, form=form, data=edit.service_data(), new_token=bool(posted.get("new_token"))
                    )
            except ValidationError as error:
                apply_service_errors(edit, error)
            else:
                messages.success(request, f"Form “{form.name}” saved. Copy its snippet into your website.")
                return redirect("settings_web_form_edit", request.workspace.slug, form.pk)
    context = {
        "web_form": form,
        "form": edit,
        "snippet": snippet(form) if form else "",
        "public_url": public_url(form) if form else "",
        "submissions": selectors.submissions_as_seen(
            actor=request.user,
            workspace=request.workspace,
            submissions=list(
                selectors.web_form_submission_list(actor=request.user, workspace=request.workspace, form=form)
                .select_related("lead")
                .order_by("-submitted_at", "-id")[:SUBMISSIONS_SHOWN]
            ),
        )
        if form
        else [],
        "can_change": allowed(request.user, request.workspace, Action.CHANGE, ObjectType.WEB_FORM),
    }
    return render_page(request, "web/settings/web_form.html", context, status=422 if edit.errors else 200)


@workspace_view
@require_http_methods(["GET", "POST"])
def settings_web_form_create(request: WorkspaceRequest) -> HttpResponse:
    """A new web form."""
    ensure(request, Action.ADD, ObjectType.WEB_FORM)
    return _web_form_page(request, None)


@workspace_view
@require_http_methods(["GET", "POST"])
def settings_web_form_edit(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """A web form: its settings, the snippet to paste with a copy button, and its latest submissions."""
    ensure(request, Action.VIEW, ObjectType.WEB_FORM)
    return _web_form_page(request, selectors.web_form_get(actor=request.user, workspace=request.workspace, pk=pk))


@workspace_view
@require_POST
def settings_web_form_delete(request: WorkspaceRequest, pk: int) -> HttpResponse:
    form = selectors.web_form_get(actor=request.user, workspace=request.workspace, pk=pk)
    services.web_form_delete(actor=request.user, form=form)
    messages.success(request, f"Form “{form.name}” removed; its address no longer answers.")
    return redirect("settings_web_forms", request.workspace.slug)


# --- The public address -----------------------------------------------------------------------------------------------


def _client_ip(request: HttpRequest) -> str | None:
    """The visitor's address as the web server saw it (a proxy in front must set REMOTE_ADDR, e.g. with uvicorn's --proxy-headers)."""
    return request.META.get("REMOTE_ADDR") or None


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _answer(request: HttpRequest, form: WebForm, *, status: int, errors: dict[str, str] | None = None, detail: str = "") -> HttpResponse:
    if _wants_json(request):
        if status < 300:
            return JsonResponse({"ok": True, "message": form.thank_you_message, "redirect_url": form.redirect_url or None}, status=status)
        return JsonResponse({"ok": False, "detail": detail, "errors": errors or {}}, status=status)
    if status < 300:
        if form.redirect_url:
            return redirect(form.redirect_url)
        return render(request, "web/leads/public_thanks.html", {"web_form": form}, status=status)
    context = {"web_form": form, "errors": errors or {}, "detail": detail, "back": request.headers.get("Referer", "")}
    return render(request, "web/leads/public_error.html", context, status=status)


@csrf_exempt
@xframe_options_exempt
@require_http_methods(["GET", "POST"])
def lead_form_submit(request: HttpRequest, token: str) -> HttpResponse:
    """A web form's public address: GET shows the form hosted by Amity, POST turns a submission into a lead."""
    form = selectors.public_web_form(token)
    if request.method == "GET":
        context = {"web_form": form, "inputs": form_inputs(form), "honeypot": HONEYPOT, "consent": CONSENT}
        return render(request, "web/leads/public_form.html", context)
    try:
        services.web_form_submit(
            form=form,
            posted=request.POST,
            ip_address=_client_ip(request),
            user_agent=request.headers.get("User-Agent", ""),
            referrer=request.headers.get("Referer", ""),
        )
    except RateLimited as error:
        return _answer(request, form, status=429, detail=str(error))
    except ValidationError as error:
        labels = field_labels(form.workspace)
        errors = {key: " ".join(messages) for key, messages in getattr(error, "message_dict", {"form": error.messages}).items()}
        detail = "Please correct: " + "; ".join(f"{labels.get(key, key)}: {message}" for key, message in errors.items())
        return _answer(request, form, status=400, errors=errors, detail=detail)
    return _answer(request, form, status=200)
