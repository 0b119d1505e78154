"""The API of customer service: cases and their conversations, case kinds and queues."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Query, Router, Status

from amity.api.auth import actor_and_workspace
from amity.api.pagination import PageParams, page_of, paginate, sort_ordering
from amity.service import reports, selectors, services
from amity.service.attachments import download_response
from amity.service.intake import inbound_email_post
from amity.service.models import CaseMessage
from amity.service.schemas import (
    AgentOut,
    AgentPatch,
    CalendarIn,
    CalendarOut,
    CannedResponseIn,
    CannedResponseOut,
    CaseAssignmentRuleIn,
    CaseAssignmentRuleOut,
    CaseAssignmentRulePatch,
    CaseFilterIn,
    CaseIn,
    CaseKindIn,
    CaseKindOut,
    CaseMessageIn,
    CaseMessageOut,
    CaseOut,
    CasePatch,
    CaseStatusIn,
    IntakeOut,
    MacroIn,
    MacroOut,
    MailboxIn,
    MailboxOut,
    MergeIn,
    QueueIn,
    QueueOut,
    RenderedOut,
    SatisfactionReportOut,
    ServiceReportIn,
    ServiceReportOut,
    SlaPolicyIn,
    SlaPolicyOut,
    SlaPolicyPatch,
    SplitIn,
)

router = Router()


# --- Cases --------------------------------------------------------------------------------------------------------------


@router.get("/cases", response=page_of(CaseOut), tags=["cases"], summary="Cases, with filters")
def list_cases(request: HttpRequest, page: Query[PageParams], filters: Query[CaseFilterIn]) -> Any:
    actor, workspace = actor_and_workspace(request)
    ordering = sort_ordering(filters.sort, allowed=selectors.CASE_SORTS, default="-updated_at")
    criteria = selectors.CaseFilter(**filters.model_dump(exclude={"sort"}))
    return paginate(
        selectors.case_list(actor=actor, workspace=workspace, filters=criteria), ordering=ordering, cursor=page.cursor, limit=page.limit
    )


@router.post("/cases", response={201: CaseOut}, tags=["cases"], summary="Open a case")
def open_case(request: HttpRequest, payload: CaseIn) -> Any:
    actor, workspace = actor_and_workspace(request)
    case = services.case_open(actor=actor, workspace=workspace, data=payload.model_dump())
    return Status(201, selectors.case_get(actor=actor, workspace=workspace, pk=case.pk))


@router.get("/cases/{case_id}", response=CaseOut, tags=["cases"])
def get_case(request: HttpRequest, case_id: int) -> Any:
    actor, workspace = actor_and_workspace(request)
    return selectors.case_get(actor=actor, workspace=workspace, pk=case_id)


@router.patch(
    "/cases/{case_id}", response=CaseOut, tags=["cases"], summary="Change a case's subject, kind, priority, queue, assignee or links"
)
def update_case(request: HttpRequest, case_id: int, payload: CasePatch) -> Any:
    actor, workspace = actor_and_workspace(request)
    case = selectors.case_get(actor=actor, workspace=workspace, pk=case_id)
    services.case_update(actor=actor, case=case, data=payload.model_dump(exclude_unset=True))
    return selectors.case_get(actor=actor, workspace=workspace, pk=case_id)


@router.post("/cases/{case_id}/status", response=CaseOut, tags=["cases"], summary="Move a case to another status")
def change_case_status(request: HttpRequest, case_id: int, payload: CaseStatusIn) -> Any:
    actor, workspace = actor_and_workspace(request)
    case = selectors.case_get(actor=actor, workspace=workspace, pk=case_id)
    services.case_change_status(actor=actor, case=case, status=payload.status)
    return selectors.case_get(actor=actor, workspace=workspace, pk=case_id)


@router.get("/cases/{case_id}/messages", response=list[CaseMessageOut], tags=["cases"], summary="A case's conversation, oldest first")
def list_case_messages(request: HttpRequest, case_id: int) -> Any:
    actor, workspace = actor_and_workspace(request)
    case = selectors.case_get(actor=actor, workspace=workspace, pk=case_id)
    return selectors.case_messages(case=case)


@router.get(
    "/cases/{case_id}/attachments/{attachment_id}", response={200: None}, tags=["cases"], summary="Download a file of a case's message"
)
def download_case_attachment(request: HttpRequest, case_id: int, attachment_id: int) -> Any:
    actor, workspace = actor_and_workspace(request)
    case = selectors.case_get(actor=actor, workspace=workspace, pk=case_id)
    return download_response(selectors.case_attachment_get(case=case, pk=attachment_id))


@router.post(
    "/cases/{case_id}/messages",
    response={201: CaseMessageOut},
    tags=["cases"],
    summary="Reply to the customer (emailed), add an internal note, or log what the customer said",
)
def add_case_message(request: HttpRequest, case_id: int, payload: CaseMessageIn) -> Any:
    actor, workspace = actor_and_workspace(request)
    case = selectors.case_get(actor=actor, workspace=workspace, pk=case_id)
    if payload.kind == CaseMessage.Kind.REPLY:
        message = services.case_reply(actor=actor, case=case, body=payload.body, status=payload.status)
    elif payload.kind == CaseMessage.Kind.NOTE:
        message = services.case_note(actor=actor, case=case, body=payload.body)
    elif payload.kind == CaseMessage.Kind.CUSTOMER:
        message = services.case_customer_message(
            actor=actor,
            case=case,
            body=payload.body,
            channel=payload.channel,
            from_address=payload.from_address,
            from_name=payload.from_name,
        )
    else:
        raise ValidationError({"kind": "Choose one of: reply, note, customer."})
    return Status(201, message)


# --- Case kinds and queues ----------------------------------------------------------------------------------------------


@router.get("/case-kinds", response=list[CaseKindOut], tags=["cases"], summary="The kinds of case: the four standard ones and any added")
def list_case_kinds(request: HttpRequest) -> Any:
    actor, workspace = actor_and_workspace(request)
    return list(selectors.case_kinds(actor=actor, workspace=workspace))


@router.post("/case-kinds", response={201: CaseKindOut}, tags=["cases"], summary="Add a kind of case")
def create_case_kind(request: HttpRequest, payload: CaseKindIn) -> Any:
    actor, workspace = actor_and_workspace(request)
    return Status(201, services.case_kind_save(actor=actor, workspace=workspace, **payload.model_dump()))


@router.patch("/case-kinds/{kind_id}", response=CaseKindOut, tags=["cases"], summary="Rename a kind, change its instructions or retire it")
def update_case_kind(request: HttpRequest, kind_id: int, payload: CaseKindIn) -> Any:
    actor, workspace = actor_and_workspace(request)
    kind = selectors.case_kind_get(actor=actor, workspace=workspace, pk=kind_id)
    return services.case_kind_save(actor=actor, workspace=workspace, kind=kind, **payload.model_dump(exclude={"key"}))


@router.get("/queues", response=list[QueueOut], tags=["cases"], summary="The queues cases wait in")
def list_queues(request: HttpRequest) -> Any:
    actor, workspace = actor_and_workspace(request)
    return list(selectors.queues(actor=actor, workspace=workspace))


@router.post("/queues", response={201: QueueOut}, tags=["cases"], summary="Add a queue")
def create_queue(request: HttpRequest, payload: QueueIn) -> Any:
    actor, workspace = actor_and_workspace(request)
    queue = services.queue_save(actor=actor, workspace=workspace, **payload.model_dump())
    return Status(201, selectors.queue_get(actor=actor, workspace=workspace, pk=queue.pk))


@router.patch("/queues/{queue_id}", response=QueueOut, tags=["cases"], summary="Rename a queue, set its address or its agents")
def update_queue(request: HttpRequest, queue_id: int, payload: QueueIn) -> Any:
    actor, workspace = actor_and_workspace(request)
    queue = selectors.queue_get(actor=actor, workspace=workspace, pk=queue_id)
    services.queue_save(actor=actor, workspace=workspace, queue=queue, **payload.model_dump())
    return selectors.queue_get(actor=actor, workspace=workspace, pk=queue_id)


# --- Routing: assignment rules and agents ---------------------------------------------------------------------------


@router.get(
    "/case-assignment-rules", response=list[CaseAssignmentRuleOut], tags=["cases"], summary="The routing rules, in the order they are tried"
)
def list_case_assignment_rules(request: HttpRequest) -> Any:
    actor, workspace = actor_and_workspace(request)
    return list(selectors.case_assignment_rules(actor=actor, workspace=workspace))


@router.post("/case-assignment-rules", response={201: CaseAssignmentRuleOut}, tags=["cases"], summary="Add a routing rule")
def create_case_assignment_rule(request: HttpRequest, payload: CaseAssignmentRuleIn) -> Any:
    actor, workspace = actor_and_workspace(request)
    rule = services.case_assignment_rule_save(actor=actor, workspace=workspace, data=payload.model_dump())
    return Status(201, selectors.case_assignment_rule_get(actor=actor, workspace=workspace, pk=rule.pk))


@router.patch("/case-assignment-rules/{routing_rule_id}", response=CaseAssignmentRuleOut, tags=["cases"], summary="Change a routing rule")
def update_case_assignment_rule(request: HttpRequest, routing_rule_id: int, payload: CaseAssignmentRulePatch) -> Any:
    actor, workspace = actor_and_workspace(request)
    rule = selectors.case_assignment_rule_get(actor=actor, workspace=workspace, pk=routing_rule_id)
    services.case_assignment_rule_save(actor=actor, workspace=workspace, rule=rule, data=payload.model_dump(exclude_unset=True))
    return selectors.case_assignment_rule_get(actor=actor, workspace=workspace, pk=routing_rule_id)


@router.delete("/case-assignment-rules/{routing_rule_id}", response={204: None}, tags=["cases"], summary="Remove a routing rule")
def delete_case_assignment_rule(request: HttpRequest, routing_rule_id: int) -> Any:
    actor, workspace = actor_and_workspace(request)
    services.case_assignment_rule_delete(
        actor=actor, rule=selectors.case_assignment_rule_get(actor=actor, workspace=workspace, pk=routing_rule_id)
    )
    return Status(204, None)


@router.get(
    "/agents",
    response=list[AgentOut],
    tags=["cases"],
    summary="The members as routing sees them: skills, languages, availability, open cases",
)
def list_agents(request: HttpRequest) -> Any:
    actor, workspace = actor_and_workspace(request)
    return selectors.agents(actor=actor, workspace=workspace)


@router.patch(
    "/agents/{agent_user_id}", response=AgentOut, tags=["cases"], summary="Set an agent's skills, languages, limit, or mark them away"
)
def update_agent(request: HttpRequest, agent_user_id: int, payload: AgentPatch) -> Any:
    actor, workspace = actor_and_workspace(request)
    selectors.agent_get(actor=actor, workspace=workspace, user_id=agent_user_id)
    services.agent_profile_save(actor=actor, workspace=workspace, user_id=agent_user_id, data=payload.model_dump(exclude_unset=True))
    return selectors.agent_get(actor=actor, workspace=workspace, user_id=agent_user_id)


# --- Reports ---------------------------------------------------------------------------------------------------------------


@router.get(
    "/reports/service",
    response=ServiceReportOut,
    tags=["cases"],
    summary="Response and resolution times, service levels met and missed, backlog by queue and agent",
)
def get_service_report(request: HttpRequest, params: Query[ServiceReportIn]) -> Any:
    actor, workspace = actor_and_workspace(request)
    start, end = reports.report_range(params.start, params.end)
    if params.queue_id is not None:
        selectors.queue_get(actor=actor, workspace=workspace, pk=params.queue_id)
    return reports.service_report(actor=actor, workspace=workspace, start=start, end=end, queue_id=params.queue_id)


@router.get(
    "/reports/satisfaction",
    response=SatisfactionReportOut,
    tags=["surveys"],
    summary="Satisfaction with the surveys sent in a range: response rate, average score, share satisfied; by period, agent, queue, kind",
)
def get_satisfaction_report(request: HttpRequest, params: Query[ServiceReportIn]) -> Any:
    actor, workspace = actor_and_workspace(request)
    start, end = reports.report_range(params.start, params.end)
    if params.queue_id is not None:
        selectors.queue_get(actor=actor, workspace=workspace, pk=params.queue_id)
    return reports.satisfaction_report(actor=actor, workspace=workspace, start=start, end=end, queue_id=params.queue_id)


# --- Email in -----------------------------------------------------------------------------------------------------------


@router.post(
    "/inbound-email",
    response={200: IntakeOut, 201: IntakeOut},
    tags=["cases"],
    summary="Post one raw email (RFC 822, Content-Type message/rfc822): it opens a case or joins the one it answers",
    openapi_extra={"requestBody": {"required": True, "content": {"message/rfc822": {"schema": {"type": "string", "format": "binary"}}}}},
)
def post_inbound_email(request: HttpRequest) -> Any:
    actor, workspace = actor_and_workspace(request)
    result = inbound_email_post(actor=actor, workspace=workspace, raw=request.body)
    body = {
        "status": result.status,
        "case_id": result.case.pk if result.case else None,
        "message_id": result.message.pk if result.message else None,
        "reason": result.reason,
    }
    return Status(201 if result.status == "created" else 200, body)


@router.get("/mailboxes", response=list[MailboxOut], tags=["cases"], summary="The IMAP mailboxes the worker reads")
def list_mailboxes(request: HttpRequest) -> Any:
    actor, workspace = actor_and_workspace(request)
    return list(selectors.mailboxes(actor=actor, workspace=workspace))


@router.post("/mailboxes", response={201: MailboxOut}, tags=["cases"], summary="Connect an IMAP mailbox")
def create_mailbox(request: HttpRequest, payload: MailboxIn) -> Any:
    actor, workspace = actor_and_workspace(request)
    return Status(201, services.mailbox_save(actor=actor, workspace=workspace, data=payload.model_dump()))


@router.patch("/mailboxes/{mailbox_id}", response=MailboxOut, tags=["cases"], summary="Change a mailbox (a password left empty stays)")
def update_mailbox(request: HttpRequest, mailbox_id: int, payload: MailboxIn) -> Any:
    actor, workspace = actor_and_workspace(request)
    mailbox = selectors.mailbox_get(actor=actor, workspace=workspace, pk=mailbox_id)
    return services.mailbox_save(actor=actor, workspace=workspace, mailbox=mailbox, data=payload.model_dump(exclude_unset=True))


# --- Service levels -----------------------------------------------------------------------------------------------------


@router.get("/sla-policies", response=list[SlaPolicyOut], tags=["cases"], summary="SLA policies, in the order they are tried")
def list_sla_policies(request: HttpRequest) -> Any:
    actor, workspace = actor_and_workspace(request)
    return list(selectors.sla_policies(actor=actor, workspace=workspace))


@router.post("/sla-policies", response={201: SlaPolicyOut}, tags=["cases"], summary="Add an SLA policy")
def create_sla_policy(request: HttpRequest, payload: SlaPolicyIn) -> Any:
    actor, workspace = actor_and_workspace(request)
    return Status(201, services.sla_policy_save(actor=actor, workspace=workspace, data=payload.model_dump()))


@router.patch("/sla-policies/{policy_id}", response=SlaPolicyOut, tags=["cases"], summary="Change an SLA policy")
def update_sla_policy(request: HttpRequest, policy_id: int, payload: SlaPolicyPatch) -> Any:
    actor, workspace = actor_and_workspace(request)
    policy = selectors.sla_policy_get(actor=actor, workspace=workspace, pk=policy_id)
    return services.sla_policy_save(actor=actor, workspace=workspace, policy=policy, data=payload.model_dump(exclude_unset=True))


@router.get("/business-calendars", response=list[CalendarOut], tags=["cases"], summary="Business calendars: opening hours and holidays")
def list_calendars(request: HttpRequest) -> Any:
    actor, workspace = actor_and_workspace(request)
    return list(selectors.calendars(actor=actor, workspace=workspace))


@router.post("/business-calendars", response={201: CalendarOut}, tags=["cases"], summary="Add a business calendar")
def create_calendar(request: HttpRequest, payload: CalendarIn) -> Any:
    actor, workspace = actor_and_workspace(request)
    return Status(201, services.calendar_save(actor=actor, workspace=workspace, data=payload.model_dump()))


@router.patch("/business-calendars/{calendar_id}", response=CalendarOut, tags=["cases"], summary="Change a business calendar")
def update_calendar(request: HttpRequest, calendar_id: int, payload: CalendarIn) -> Any:
    actor, workspace = actor_and_workspace(request)
    calendar = selectors.calendar_get(actor=actor, workspace=workspace, pk=calendar_id)
    return services.calendar_save(actor=actor, workspace=workspace, calendar=calendar, data=payload.model_dump(exclude_unset=True))


# --- Merging, splitting, canned responses and macros --------------------------------------------------------------------


@router.post(
    "/cases/{case_id}/merge",
    response=CaseOut,
    tags=["cases"],
    summary="Merge this duplicate into another case (returns the case that stays)",
)
def merge_case(request: HttpRequest, case_id: int, payload: MergeIn) -> Any:
    actor, workspace = actor_and_workspace(request)
    duplicate = selectors.case_get(actor=actor, workspace=workspace, pk=case_id)
    into = selectors.case_get(actor=actor, workspace=workspace, pk=payload.into_id)
    services.case_merge(actor=actor, duplicate=duplicate, into=into)
    return selectors.case_get(actor=actor, workspace=workspace, pk=into.pk)


@router.post(
    "/cases/{case_id}/messages/{message_id}/split",
    response={201: CaseOut},
    tags=["cases"],
    summary="Split a customer's message into a new case",
)
def split_case_message(request: HttpRequest, case_id: int, message_id: int, payload: SplitIn) -> Any:
    actor, workspace = actor_and_workspace(request)
    case = selectors.case_get(actor=actor, workspace=workspace, pk=case_id)
    new = services.case_split(actor=actor, message=selectors.case_message_get(case=case, pk=message_id), subject=payload.subject)
    return Status(201, selectors.case_get(actor=actor, workspace=workspace, pk=new.pk))


@router.get("/canned-responses", response=list[CannedResponseOut], tags=["cases"], summary="Canned responses")
def list_canned_responses(request: HttpRequest) -> Any:
    actor, workspace = actor_and_workspace(request)
    return list(selectors.canned_responses(actor=actor, workspace=workspace))


@router.post("/canned-responses", response={201: CannedResponseOut}, tags=["cases"], summary="Add a canned response")
def create_canned_response(request: HttpRequest, payload: CannedResponseIn) -> Any:
    actor, workspace = actor_and_workspace(request)
    return Status(201, services.canned_response_save(actor=actor, workspace=workspace, name=payload.name, body=payload.body))


@router.patch("/canned-responses/{response_id}", response=CannedResponseOut, tags=["cases"], summary="Change a canned response")
def update_canned_response(request: HttpRequest, response_id: int, payload: CannedResponseIn) -> Any:
    actor, workspace = actor_and_workspace(request)
    response = selectors.canned_response_get(actor=actor, workspace=workspace, pk=response_id)
    return services.canned_response_save(actor=actor, workspace=workspace, name=payload.name, body=payload.body, response=response)


@router.get(
    "/cases/{case_id}/canned-responses/{response_id}",
    response=RenderedOut,
    tags=["cases"],
    summary="A canned response filled in for a case",
)
def render_canned_response(request: HttpRequest, case_id: int, response_id: int) -> Any:
    actor, workspace = actor_and_workspace(request)
    case = selectors.case_get(actor=actor, workspace=workspace, pk=case_id)
    response = selectors.canned_response_get(actor=actor, workspace=workspace, pk=response_id)
    return {"body": services.render_canned(response, case=case, agent=actor)}


@router.get("/macros", response=list[MacroOut], tags=["cases"], summary="Macros")
def list_macros(request: HttpRequest) -> Any:
    actor, workspace = actor_and_workspace(request)
    return list(selectors.macros(actor=actor, workspace=workspace))


@router.post("/macros", response={201: MacroOut}, tags=["cases"], summary="Add a macro")
def create_macro(request: HttpRequest, payload: MacroIn) -> Any:
    actor, workspace = actor_and_workspace(request)
    return Status(201, services.macro_save(actor=actor, workspace=workspace, data=payload.model_dump()))


@router.patch("/macros/{macro_id}", response=MacroOut, tags=["cases"], summary="Change a macro")
def update_macro(request: HttpRequest, macro_id: int, payload: MacroIn) -> Any:
    actor, workspace = actor_and_workspace(request)
    macro = selectors.macro_get(actor=actor, workspace=workspace, pk=macro_id)
    return services.macro_save(actor=actor, workspace=workspace, macro=macro, data=payload.model_dump(exclude_unset=True))


@router.post("/cases/{case_id}/macros/{macro_id}", response=CaseOut, tags=["cases"], summary="Apply a macro to a case")
def apply_macro(request: HttpRequest, case_id: int, macro_id: int) -> Any:
    actor, workspace = actor_and_workspace(request)
    case = selectors.case_get(actor=actor, workspace=workspace, pk=case_id)
    services.macro_apply(actor=actor, macro=selectors.macro_get(actor=actor, workspace=workspace, pk=macro_id), case=case)
    return selectors.case_get(actor=actor, workspace=workspace, pk=case_id)
