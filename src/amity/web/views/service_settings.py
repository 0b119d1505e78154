"""Settings → Case routing, Service desk (queues, kinds, mailboxes), Service levels (policies, calendars) and Replies.

Each page holds a few sections, each a table with an add form; "Edit" on a row (`?edit=<section>-<id>`)
turns that section's form into the row's form. Every save goes through amity.service.services, as
the API's does, so a rule's checks and audit entries are the same through either door.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods, require_POST

from amity.core import selectors as core_selectors
from amity.core.access import allowed
from amity.core.models import User
from amity.core.permissions import Action, ObjectType
from amity.service import selectors, services
from amity.service.models import CaseAssignmentRule
from amity.web.customer_forms import apply_service_errors
from amity.web.forms import StyledForm
from amity.web.service_forms import (
    AgentForm,
    CalendarForm,
    CannedResponseForm,
    CaseKindForm,
    MacroForm,
    MailboxForm,
    QueueForm,
    RoutingRuleForm,
    SlaPolicyForm,
)
from amity.web.views.base import WorkspaceRequest, ensure, render_page, workspace_view


def _people(request: WorkspaceRequest) -> list[User]:
    try:
        return list(core_selectors.member_people(actor=request.user, workspace=request.workspace))
    except PermissionDenied:
        return []


@dataclass(frozen=True)
class Section:
    """One table-and-form of a settings page: how to find a row, build its form and save it."""

    key: str
    noun: str
    object_type: ObjectType
    lookup: Callable[[WorkspaceRequest, int], Any]
    make_form: Callable[[WorkspaceRequest, Any], StyledForm]
    save: Callable[[WorkspaceRequest, Any, dict[str, Any]], Any]


def _bound(request: WorkspaceRequest, section: Section, obj: Any) -> StyledForm:
    """The section's form: posted data, a row's values to edit, or empty to add one."""
    form = section.make_form(request, request.POST if request.method == "POST" and request.POST.get("section") == section.key else None)
    form.auto_id = f"{section.key}-%s"  # several forms on one page: their labels must point at their own inputs
    if obj is not None and not form.is_bound:
        form.initial = type(form).initial_of(obj)  # type: ignore[attr-defined]
    return form


def _editing(request: WorkspaceRequest, section: Section) -> Any:
    """The row being edited in this section (from ?edit= or the posted pk), or None to add."""
    source = request.POST if request.method == "POST" else request.GET
    if request.method == "POST":
        if source.get("section") != section.key or not str(source.get("pk", "")).isdigit():
            return None
        return section.lookup(request, int(source["pk"]))
    prefix, _, pk = str(source.get("edit", "")).partition("-")
    return section.lookup(request, int(pk)) if prefix == section.key and pk.isdigit() else None


def _service_errors(error: ValidationError) -> ValidationError:
    """Errors keyed as the services key them (`hours.mon`) keyed as the forms name their fields (`hours_mon`)."""
    if not hasattr(error, "error_dict"):
        return error
    return ValidationError({key.replace(".", "_"): value for key, value in error.error_dict.items()})


def _settings_page(
    request: WorkspaceRequest, *, template: str, sections: list[Section], url_name: str, extra: dict[str, Any]
) -> HttpResponse:
    """Show the sections; on a post, save the posted section's form and come back, or show its errors."""
    forms: dict[str, StyledForm] = {}
    editing: dict[str, Any] = {}
    for section in sections:
        editing[section.key] = _editing(request, section)
        forms[section.key] = _bound(request, section, editing[section.key])
    if request.method == "POST":
        posted = next((section for section in sections if section.key == request.POST.get("section")), None)
        if posted is None:
            raise Http404("No such form on this page.")
        ensure(request, Action.CHANGE if editing[posted.key] else Action.ADD, posted.object_type)
        form = forms[posted.key]
        if form.is_valid():
            try:
                saved = posted.save(request, editing[posted.key], form.service_data())  # type: ignore[attr-defined]
            except ValidationError as error:
                apply_service_errors(form, _service_errors(error))
            else:
                verb = "saved" if editing[posted.key] else "added"
                messages.success(request, f"{posted.noun} “{saved}” {verb}.")
                return redirect(url_name, request.workspace.slug)
    context = {"forms": forms, "editing": editing, **extra}
    return render_page(request, template, context, status=422 if request.method == "POST" else 200)


# --- Case routing -----------------------------------------------------------------------------------------------


def _routing_rule(request: WorkspaceRequest, pk: int) -> CaseAssignmentRule:
    return selectors.case_assignment_rule_get(actor=request.user, workspace=request.workspace, pk=pk)


def _routing_form(request: WorkspaceRequest, data: Any) -> StyledForm:
    kinds = selectors.case_kinds(actor=request.user, workspace=request.workspace, active_only=True)
    queues = selectors.queues(actor=request.user, workspace=request.workspace)
    return RoutingRuleForm(data, kinds=kinds, queues=queues, people=_people(request))


def _save_routing_rule(request: WorkspaceRequest, rule: CaseAssignmentRule | None, data: dict[str, Any]) -> CaseAssignmentRule:
    return services.case_assignment_rule_save(actor=request.user, workspace=request.workspace, rule=rule, data=data)


ROUTING = Section("rule", "Rule", ObjectType.QUEUE, _routing_rule, _routing_form, _save_routing_rule)


def describe_rule(rule: CaseAssignmentRule, kind_names: dict[str, str]) -> tuple[str, str]:
    """What a rule takes and to whom it gives it, in words, for the rules table."""
    where = []
    if rule.kinds:
        where.append(" or ".join(kind_names.get(key, key) for key in rule.kinds))
    if rule.queue:
        where.append(f"in {rule.queue.name}")
    if rule.priorities:
        where.append(f"priority {' or '.join(rule.priorities)}")
    if rule.languages:
        where.append(f"in {', '.join(rule.languages)}")
    if rule.method == CaseAssignmentRule.Method.AGENT:
        target = rule.agent.display_name if rule.agent else "nobody"
    else:
        pool = ", ".join(agent.display_name for agent in rule.agents.all()) or "the queue's agents"
        target = f"{rule.get_method_display()} among {pool}"
    conditions = [
        condition
        for condition in (
            f"skill {rule.required_skill}" if rule.required_skill else "",
            "speaks the case's language" if rule.match_language else "",
        )
        if condition
    ]
    if conditions:
        target += f" ({'; '.join(conditions)})"
    if rule.route_to_queue:
        target = f"→ {rule.route_to_queue.name}; {target}"
    return ", ".join(where) or "Every new case", target


@workspace_view
@require_http_methods(["GET", "POST"])
def settings_case_routing(request: WorkspaceRequest) -> HttpResponse:
    """The routing rules in their order, a form to add or change one, and the agents' skills, languages and limits."""
    ensure(request, Action.VIEW, ObjectType.QUEUE)
    kind_names = {kind.key: kind.name for kind in selectors.case_kinds(actor=request.user, workspace=request.workspace)}
    rules = list(selectors.case_assignment_rules(actor=request.user, workspace=request.workspace))
    agents = selectors.agents(actor=request.user, workspace=request.workspace)
    extra = {
        "rules": [(rule, *describe_rule(rule, kind_names)) for rule in rules],
        "agents": [(agent, AgentForm(initial=AgentForm.initial_of(agent.profile), prefix=f"agent-{agent.user.pk}")) for agent in agents],
        "can_change": allowed(request.user, request.workspace, Action.CHANGE, ObjectType.QUEUE),
    }
    return _settings_page(
        request, template="web/settings/case_routing.html", sections=[ROUTING], url_name="settings_case_routing", extra=extra
    )


@workspace_view
@require_POST
def settings_case_routing_rule(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """Move a rule up or down, switch it on or off, or remove it."""
    rule = _routing_rule(request, pk)
    action = request.POST.get("action")
    if action == "delete":
        services.case_assignment_rule_delete(actor=request.user, rule=rule)
        messages.success(request, f"Rule “{rule.name}” removed.")
    elif action == "toggle":
        services.case_assignment_rule_save(actor=request.user, workspace=request.workspace, rule=rule, data={"active": not rule.active})
    elif action in {"up", "down"}:
        services.case_assignment_rule_move(actor=request.user, rule=rule, step=-1 if action == "up" else 1)
    return redirect("settings_case_routing", request.workspace.slug)


@workspace_view
@require_POST
def settings_agent(request: WorkspaceRequest, user_id: int) -> HttpResponse:
    """Save one agent's row of the agents table."""
    agent = selectors.agent_get(actor=request.user, workspace=request.workspace, user_id=user_id)
    form = AgentForm(request.POST, prefix=f"agent-{user_id}")
    if form.is_valid():
        try:
            services.agent_profile_save(actor=request.user, workspace=request.workspace, user_id=user_id, data=form.service_data())
        except ValidationError as error:
            messages.error(request, f"{agent.user.display_name}: {' '.join(error.messages)}")
        else:
            messages.success(request, f"{agent.user.display_name}'s routing saved.")
    else:
        messages.error(
            request, f"{agent.user.display_name}: " + " ".join(str(message) for errors in form.errors.values() for message in errors)
        )
    return redirect("settings_case_routing", request.workspace.slug)


# --- Service desk: queues and kinds ------------------------------------------------------------------------------


def _queue_form(request: WorkspaceRequest, data: Any) -> StyledForm:
    return QueueForm(data, people=_people(request))


QUEUES = Section(
    "queue",
    "Queue",
    ObjectType.QUEUE,
    lambda request, pk: selectors.queue_get(actor=request.user, workspace=request.workspace, pk=pk),
    _queue_form,
    lambda request, queue, data: services.queue_save(actor=request.user, workspace=request.workspace, queue=queue, **data),
)
KINDS = Section(
    "kind",
    "Kind",
    ObjectType.CASE_KIND,
    lambda request, pk: selectors.case_kind_get(actor=request.user, workspace=request.workspace, pk=pk),
    lambda request, data: CaseKindForm(data),
    lambda request, kind, data: services.case_kind_save(actor=request.user, workspace=request.workspace, kind=kind, **data),
)


MAILBOXES = Section(
    "mailbox",
    "Mailbox",
    ObjectType.QUEUE,
    lambda request, pk: selectors.mailbox_get(actor=request.user, workspace=request.workspace, pk=pk),
    lambda request, data: MailboxForm(data, queues=selectors.queues(actor=request.user, workspace=request.workspace)),
    lambda request, mailbox, data: services.mailbox_save(actor=request.user, workspace=request.workspace, mailbox=mailbox, data=data),
)


@workspace_view
@require_http_methods(["GET", "POST"])
def settings_service_desk(request: WorkspaceRequest) -> HttpResponse:
    """The queues with their agents and addresses, the kinds of case, and the mailboxes the worker reads."""
    ensure(request, Action.VIEW, ObjectType.QUEUE)
    queues = list(selectors.queues(actor=request.user, workspace=request.workspace))
    counts = selectors.queue_counts(actor=request.user, workspace=request.workspace)
    extra = {
        "queues": [(queue, counts["by_queue"].get(queue.pk, 0)) for queue in queues],
        "kinds": list(selectors.case_kinds(actor=request.user, workspace=request.workspace)),
        "mailboxes": list(selectors.mailboxes(actor=request.user, workspace=request.workspace).select_related("queue")),
        "can_change_queue": allowed(request.user, request.workspace, Action.CHANGE, ObjectType.QUEUE),
        "can_change_kind": allowed(request.user, request.workspace, Action.CHANGE, ObjectType.CASE_KIND),
    }
    return _settings_page(
        request,
        template="web/settings/service_desk.html",
        sections=[QUEUES, KINDS, MAILBOXES],
        url_name="settings_service_desk",
        extra=extra,
    )


# --- Service levels: policies and calendars ---------------------------------------------------------------------


def _policy_form(request: WorkspaceRequest, data: Any) -> StyledForm:
    kinds = selectors.case_kinds(actor=request.user, workspace=request.workspace)
    calendars = selectors.calendars(actor=request.user, workspace=request.workspace)
    queues = selectors.queues(actor=request.user, workspace=request.workspace)
    return SlaPolicyForm(data, kinds=kinds, calendars=calendars, people=_people(request), queues=queues)


POLICIES = Section(
    "policy",
    "Policy",
    ObjectType.SLA_POLICY,
    lambda request, pk: selectors.sla_policy_get(actor=request.user, workspace=request.workspace, pk=pk),
    _policy_form,
    lambda request, policy, data: services.sla_policy_save(actor=request.user, workspace=request.workspace, policy=policy, data=data),
)
CALENDARS = Section(
    "calendar",
    "Calendar",
    ObjectType.SLA_POLICY,
    lambda request, pk: selectors.calendar_get(actor=request.user, workspace=request.workspace, pk=pk),
    lambda request, data: CalendarForm(data),
    lambda request, calendar, data: services.calendar_save(actor=request.user, workspace=request.workspace, calendar=calendar, data=data),
)


def business_minutes(minutes: int | None) -> str:
    """240 → "4 h", 90 → "1 h 30 min", None → "—"."""
    if minutes is None:
        return "—"
    hours, rest = divmod(minutes, 60)
    return " ".join(part for part in (f"{hours} h" if hours else "", f"{rest} min" if rest else "") if part)


@workspace_view
@require_http_methods(["GET", "POST"])
def settings_service_levels(request: WorkspaceRequest) -> HttpResponse:
    """The SLA policies in their order and the business calendars their clocks run on."""
    ensure(request, Action.VIEW, ObjectType.SLA_POLICY)
    policies = list(
        selectors.sla_policies(actor=request.user, workspace=request.workspace).select_related(
            "kind", "calendar", "escalate_to", "breach_queue"
        )
    )
    extra = {
        "policies": [
            (policy, business_minutes(policy.first_response_minutes), business_minutes(policy.resolution_minutes)) for policy in policies
        ],
        "calendars": list(selectors.calendars(actor=request.user, workspace=request.workspace)),
        "can_change": allowed(request.user, request.workspace, Action.CHANGE, ObjectType.SLA_POLICY),
    }
    return _settings_page(
        request,
        template="web/settings/service_levels.html",
        sections=[POLICIES, CALENDARS],
        url_name="settings_service_levels",
        extra=extra,
    )


# --- Replies: canned responses and macros ------------------------------------------------------------------------


def _macro_form(request: WorkspaceRequest, data: Any) -> StyledForm:
    queues = selectors.queues(actor=request.user, workspace=request.workspace)
    responses = selectors.canned_responses(actor=request.user, workspace=request.workspace)
    return MacroForm(data, queues=queues, people=_people(request), responses=responses)


RESPONSES = Section(
    "response",
    "Response",
    ObjectType.CASE_KIND,
    lambda request, pk: selectors.canned_response_get(actor=request.user, workspace=request.workspace, pk=pk),
    lambda request, data: CannedResponseForm(data),
    lambda request, response, data: services.canned_response_save(
        actor=request.user, workspace=request.workspace, response=response, **data
    ),
)
MACROS = Section(
    "macro",
    "Macro",
    ObjectType.CASE_KIND,
    lambda request, pk: selectors.macro_get(actor=request.user, workspace=request.workspace, pk=pk),
    _macro_form,
    lambda request, macro, data: services.macro_save(actor=request.user, workspace=request.workspace, macro=macro, data=data),
)


@workspace_view
@require_http_methods(["GET", "POST"])
def settings_replies(request: WorkspaceRequest) -> HttpResponse:
    """The canned responses agents insert into replies, and the macros that change a case in one click."""
    ensure(request, Action.VIEW, ObjectType.CASE_KIND)
    extra = {
        "responses": list(selectors.canned_responses(actor=request.user, workspace=request.workspace)),
        "macros": list(selectors.macros(actor=request.user, workspace=request.workspace)),
        "can_change": allowed(request.user, request.workspace, Action.CHANGE, ObjectType.CASE_KIND),
    }
    return _settings_page(
        request, template="web/settings/replies.html", sections=[RESPONSES, MACROS], url_name="settings_replies", extra=extra
    )
