"""What the API takes in and gives out for cases, their messages, case kinds and queues."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema


class CaseKindOut(Schema):
    id: int
    key: str
    name: str
    is_return: bool
    instructions: str
    active: bool


class CaseKindIn(Schema):
    key: str = Field("", max_length=40, description="Letters, digits and underscores; made from the name if left out. Fixed once set.")
    name: str = Field(..., max_length=80)
    is_return: bool = False
    instructions: str = Field(
        "", max_length=4000, description="Told to the customer when a case of this kind opens; {rma} is the RMA number."
    )
    active: bool = True


class QueueOut(Schema):
    id: int
    name: str
    email_address: str
    is_default: bool
    member_ids: list[int]

    @staticmethod
    def resolve_member_ids(queue: Any) -> list[int]:
        return sorted(member.pk for member in queue.members.all())


class QueueIn(Schema):
    name: str = Field(..., max_length=80)
    email_address: str = Field("", max_length=254)
    member_ids: list[int] | None = Field(None, description="The agents who work the queue; unchanged if left out.")
    is_default: bool = False


class CaseIn(Schema):
    subject: str = Field(..., max_length=250)
    kind: str = Field("service_request", description="A case kind's key: service_request, complaint, product_return, information_request…")
    description: str = Field("", max_length=20000, description="The customer's first message.")
    priority: str = Field("normal", description="low, normal, high or urgent")
    channel: str = Field("api", description="email, web, portal, phone, chat, social, api or agent")
    queue_id: int | None = Field(None, description="The default queue if left out.")
    assignee_id: int | None = None
    contact_id: int | None = None
    account_id: int | None = Field(None, description="The contact's first account if left out.")
    order_id: int | None = None
    order_line_id: int | None = None
    product_id: int | None = None
    requester_email: str = Field("", max_length=254, description="Where replies go while the case has no contact.")
    language: str = Field("", max_length=10)
    tags: list[str] = Field(default_factory=list, max_length=20)


class CasePatch(Schema):
    subject: str | None = Field(None, max_length=250)
    kind: str | None = None
    description: str | None = Field(None, max_length=20000)
    priority: str | None = None
    queue_id: int | None = None
    assignee_id: int | None = None
    contact_id: int | None = None
    account_id: int | None = None
    order_id: int | None = None
    order_line_id: int | None = None
    product_id: int | None = None
    requester_email: str | None = Field(None, max_length=254)
    language: str | None = Field(None, max_length=10)
    tags: list[str] | None = Field(None, max_length=20)


class CaseStatusIn(Schema):
    status: str = Field(..., description="new, open, waiting_customer, waiting_third_party, resolved or closed")


class CaseOut(Schema):
    id: int
    number: str
    subject: str
    description: str
    kind: str = Field(..., alias="kind.key")
    kind_name: str = Field(..., alias="kind.name")
    status: str
    priority: str
    channel: str
    queue_id: int | None
    assignee_id: int | None
    contact_id: int | None
    account_id: int | None
    order_id: int | None
    order_line_id: int | None
    product_id: int | None
    requester_email: str
    language: str
    tags: list[str]
    rma_number: str | None
    reply_token: str
    merged_into_id: int | None
    first_response_at: dt.datetime | None
    resolved_at: dt.datetime | None
    closed_at: dt.datetime | None
    last_message_at: dt.datetime | None
    sla_policy_id: int | None
    first_response_due_at: dt.datetime | None
    resolution_due_at: dt.datetime | None
    sla_paused_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime


class CaseFilterIn(Schema):
    sort: str | None = Field(None, description="-updated_at (default), updated_at, -created_at, created_at, priority, number, -number")
    status: str | None = Field(None, description="A status, or open_any for every status before resolved.")
    kind: str | None = None
    priority: str | None = None
    queue_id: int | None = None
    assignee_id: int | None = None
    unassigned: bool | None = None
    contact_id: int | None = None
    account_id: int | None = None
    order_id: int | None = None
    channel: str | None = None
    tag: str | None = None
    number: str | None = None


class CaseMessageIn(Schema):
    kind: str = Field(
        ...,
        description="reply (emailed to the customer), note (internal) or customer (what the customer said, e.g. on the phone or in a chat)",
    )
    body: str = Field(..., max_length=100_000, description="Text or HTML (sanitized).")
    status: str | None = Field(None, description="For a reply: the case's status afterwards (waiting_customer by default).")
    channel: str = Field("api", description="For a customer message: where it came from (phone, chat, social, api…).")
    from_address: str = Field("", max_length=320)
    from_name: str = Field("", max_length=200)


class CaseAttachmentOut(Schema):
    id: int = Field(..., description="Download it at /api/v1/cases/{case_id}/attachments/{id}.")
    filename: str
    content_type: str
    size: int


class CaseMessageOut(Schema):
    id: int
    case_id: int
    kind: str
    channel: str
    author_id: int | None
    contact_id: int | None
    from_address: str
    from_name: str
    to_addresses: list[str]
    subject: str
    body: str
    message_id: str | None
    in_reply_to: str
    mention_ids: list[int]
    occurred_at: dt.datetime
    sent_at: dt.datetime | None
    attachments: list[CaseAttachmentOut]

    @staticmethod
    def resolve_mention_ids(message: Any) -> list[int]:
        return sorted(user.pk for user in message.mentions.all())

    @staticmethod
    def resolve_attachments(message: Any) -> list[Any]:
        return list(message.attachments.all())


class IntakeOut(Schema):
    status: str = Field(..., description="created (a new case), added (joined its case), duplicate (seen before) or ignored (a mail loop)")
    case_id: int | None
    message_id: int | None
    reason: str


class MailboxIn(Schema):
    host: str = Field(..., max_length=200)
    port: int = Field(993, ge=1, le=65535)
    use_ssl: bool = True
    username: str = Field(..., max_length=254)
    password: str = Field(..., max_length=500, description="Write-only: never returned.")
    folder: str = Field("INBOX", max_length=200)
    queue_id: int | None = Field(None, description="New cases from this mailbox go to this queue (the queue's own address wins).")
    active: bool = True


class MailboxOut(Schema):
    id: int
    host: str
    port: int
    use_ssl: bool
    username: str
    folder: str
    queue_id: int | None
    active: bool
    last_uid: int
    last_checked_at: dt.datetime | None
    last_error: str


class CalendarIn(Schema):
    name: str = Field(..., max_length=80)
    time_zone: str = Field("UTC", max_length=64)
    hours: dict[str, list[list[str]]] = Field(
        default_factory=lambda: {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")},
        description='Opening hours per weekday (mon…sun), e.g. {"mon": [["09:00", "12:30"], ["13:30", "17:00"]]}.',
    )
    holiday_country: str = Field("", max_length=2, description="Public holidays of this country are closed (ISO code).")
    closed_days: list[str] = Field(default_factory=list, description="Further closed days, YYYY-MM-DD.")
    is_default: bool = False


class CalendarOut(Schema):
    id: int
    name: str
    time_zone: str
    hours: dict[str, list[list[str]]]
    holiday_country: str
    closed_days: list[str]
    is_default: bool


class SlaPolicyIn(Schema):
    name: str = Field(..., max_length=80)
    position: int = Field(0, ge=0, le=1000, description="The first matching active policy applies.")
    kind_id: int | None = Field(None, description="Any kind when empty.")
    priority: str = Field("", description="low, normal, high, urgent, or empty for any.")
    customer_tier: str = Field("", max_length=60, description="A tag of the customer's account, e.g. gold; any when empty.")
    first_response_minutes: int | None = Field(None, description="In business minutes of the calendar.")
    resolution_minutes: int | None = None
    warn_before_minutes: int = Field(30, ge=1, le=10_080)
    calendar_id: int | None = Field(None, description="The default calendar if left out; plain time when there is none.")
    escalate_to_id: int | None = Field(None, description="A member told of every breach.")
    raise_priority_on_breach: bool = False
    breach_queue_id: int | None = Field(None, description="A breached case moves to this queue.")
    breach_assignee: str = Field(
        "keep",
        description="Who works a breached case: keep (whoever works it now), escalation_person (the person told of breaches) "
        "or route (another free agent, by the routing rules; unassigned in its queue if nobody is free).",
    )
    active: bool = True


class SlaPolicyPatch(SlaPolicyIn):
    name: str | None = Field(None, max_length=80)  # type: ignore[assignment]


class SlaPolicyOut(SlaPolicyIn):
    id: int


class MergeIn(Schema):
    into_id: int = Field(..., description="The case that stays; this one is closed and points to it.")


class SplitIn(Schema):
    subject: str = Field("", max_length=250, description="The new case's subject (the message's subject if left out).")


class CannedResponseIn(Schema):
    name: str = Field(..., max_length=120)
    body: str = Field(
        ...,
        max_length=20000,
        description="Placeholders: {customer_name}, {customer_first_name}, {case_number}, {case_subject}, {rma_number}, {agent_name}, {workspace_name}.",
    )


class CannedResponseOut(Schema):
    id: int
    name: str
    body: str


class RenderedOut(Schema):
    body: str


class MacroIn(Schema):
    name: str = Field(..., max_length=120)
    status: str = ""
    priority: str = ""
    queue_id: int | None = None
    assignee_id: int | None = None
    assign_to_me: bool = False
    add_tags: list[str] = Field(default_factory=list, max_length=20)
    reply_id: int | None = Field(None, description="A canned response emailed to the customer.")
    note: str = Field("", max_length=20000, description="An internal note added.")


class MacroOut(MacroIn):
    id: int


class CaseAssignmentRuleIn(Schema):
    name: str = Field(..., max_length=120)
    position: int | None = Field(None, ge=0, le=32000, description="Where it is tried; last if left out.")
    active: bool = True
    kinds: list[str] = Field(default_factory=list, description="Case kind keys; any kind if empty.")
    queue_id: int | None = Field(None, description="Only cases in this queue; any if empty.")
    priorities: list[str] = Field(default_factory=list, description="low, normal, high, urgent; any if empty.")
    languages: list[str] = Field(default_factory=list, description="Only cases in these languages (codes such as en, de); any if empty.")
    route_to_queue_id: int | None = Field(None, description="Move the case to this queue first.")
    method: str = Field("round_robin", description="round_robin, least_loaded or agent")
    agent_id: int | None = Field(None, description="Who gets every case, for the agent method.")
    agent_ids: list[int] | None = Field(None, description="The pool to choose from; the queue's agents if empty. Unchanged if left out.")
    required_skill: str = Field("", max_length=60, description="Only agents with this skill.")
    match_language: bool = Field(False, description="Only agents who speak the case's language.")


class CaseAssignmentRulePatch(Schema):
    name: str | None = Field(None, max_length=120)
    position: int | None = Field(None, ge=0, le=32000)
    active: bool | None = None
    kinds: list[str] | None = None
    queue_id: int | None = None
    priorities: list[str] | None = None
    languages: list[str] | None = None
    route_to_queue_id: int | None = None
    method: str | None = None
    agent_id: int | None = None
    agent_ids: list[int] | None = None
    required_skill: str | None = Field(None, max_length=60)
    match_language: bool | None = None


class CaseAssignmentRuleOut(Schema):
    id: int
    name: str
    position: int
    active: bool
    kinds: list[str]
    queue_id: int | None
    priorities: list[str]
    languages: list[str]
    route_to_queue_id: int | None
    method: str
    agent_id: int | None
    agent_ids: list[int]
    required_skill: str
    match_language: bool
    turn: int

    @staticmethod
    def resolve_agent_ids(rule: Any) -> list[int]:
        return sorted(agent.pk for agent in rule.agents.all())


class AgentOut(Schema):
    user_id: int
    name: str
    email: str
    skills: list[str]
    languages: list[str]
    available: bool
    max_open_cases: int | None
    open_cases: int

    @staticmethod
    def resolve_user_id(agent: Any) -> int:
        return int(agent.user.pk)

    @staticmethod
    def resolve_name(agent: Any) -> str:
        return str(agent.user.display_name)

    @staticmethod
    def resolve_email(agent: Any) -> str:
        return str(agent.user.email)

    @staticmethod
    def resolve_skills(agent: Any) -> list[str]:
        return list(agent.profile.skills)

    @staticmethod
    def resolve_languages(agent: Any) -> list[str]:
        return list(agent.profile.languages)

    @staticmethod
    def resolve_available(agent: Any) -> bool:
        return bool(agent.profile.available)

    @staticmethod
    def resolve_max_open_cases(agent: Any) -> int | None:
        return agent.profile.max_open_cases


class AgentPatch(Schema):
    skills: list[str] | None = None
    languages: list[str] | None = None
    available: bool | None = None
    max_open_cases: int | None = Field(None, description="No limit when set to null explicitly.")


class FiguresOut(Schema):
    opened: int
    resolved: int
    first_response_hours: float | None = Field(description="Average time to the first reply, in hours (wall clock).")
    resolution_hours: float | None = Field(description="Average time to resolution, in hours (wall clock).")
    first_response_met: int
    first_response_missed: int
    resolution_met: int
    resolution_missed: int
    breaches: int
    first_response_rate: float | None = Field(description="Per cent of cases with a first-response target that met it.")
    resolution_rate: float | None


class ReportRowOut(Schema):
    id: int | None = Field(description="The agent's user id, the queue's or the kind's id; null for unassigned / no queue.")
    label: str
    figures: FiguresOut
    open_now: int

    @staticmethod
    def resolve_id(row: Any) -> int | None:
        return row.key


class ReportPeriodOut(Schema):
    start: dt.date
    figures: FiguresOut


class ServiceReportOut(Schema):
    start: dt.date
    end: dt.date
    bucket: str = Field(description="week or month: how `periods` are cut.")
    total: FiguresOut
    periods: list[ReportPeriodOut]
    agents: list[ReportRowOut]
    queues: list[ReportRowOut]
    kinds: list[ReportRowOut]
    open_now: int

    @staticmethod
    def resolve_periods(report: Any) -> list[dict[str, Any]]:
        return [{"start": start, "figures": figures} for start, figures in report.periods]


class SatisfactionOut(Schema):
    sent: int = Field(description="Surveys emailed.")
    answered: int
    satisfied: int = Field(description="Answers scoring 4 or 5.")
    average: float | None = Field(description="The average score of the answers, 1 to 5.")
    response_rate: float | None = Field(description="Per cent of the surveys sent that were answered.")
    csat: float | None = Field(description="Per cent of the answers scoring 4 or 5.")


class SatisfactionRowOut(Schema):
    id: int | None = Field(description="The agent's user id, the queue's or the kind's id; null for unassigned / no queue.")
    label: str
    figures: SatisfactionOut

    @staticmethod
    def resolve_id(row: Any) -> int | None:
        return row.key


class SatisfactionPeriodOut(Schema):
    start: dt.date
    figures: SatisfactionOut


class SatisfactionReportOut(Schema):
    start: dt.date
    end: dt.date
    bucket: str = Field(description="week or month: how `periods` are cut.")
    total: SatisfactionOut
    periods: list[SatisfactionPeriodOut]
    agents: list[SatisfactionRowOut]
    queues: list[SatisfactionRowOut]
    kinds: list[SatisfactionRowOut]

    @staticmethod
    def resolve_periods(report: Any) -> list[dict[str, Any]]:
        return [{"start": start, "figures": figures} for start, figures in report.periods]


class ServiceReportIn(Schema):
    start: dt.date | None = Field(None, description="The first day; 30 days before `end` if left out.")
    end: dt.date | None = Field(None, description="The last day (included); today if left out.")
    queue_id: int | None = None
