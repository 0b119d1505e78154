"""Every write of customer service: settings (setup.py), cases (cases.py), and their conversations (messages.py)."""

from amity.service.services.assignment import (
    agent_profile_save,
    case_assignment_rule_delete,
    case_assignment_rule_move,
    case_assignment_rule_save,
)
from amity.service.services.cases import (
    CASE_ASSIGNED,
    case_change_status,
    case_escalate,
    case_open,
    case_set_properties,
    case_update,
    case_url,
    set_status,
)
from amity.service.services.editing import canned_response_save, case_merge, case_split, macro_apply, macro_save, render_canned
from amity.service.services.levels import calendar_save, sla_policy_save
from amity.service.services.messages import case_customer_message, case_note, case_reply, reply_recipient
from amity.service.services.setup import case_kind_save, mailbox_save, queue_save, service_setup

__all__ = [
    "CASE_ASSIGNED",
    "agent_profile_save",
    "calendar_save",
    "canned_response_save",
    "case_assignment_rule_delete",
    "case_assignment_rule_move",
    "case_assignment_rule_save",
    "case_change_status",
    "case_customer_message",
    "case_escalate",
    "case_kind_save",
    "case_merge",
    "case_note",
    "case_open",
    "case_reply",
    "case_set_properties",
    "case_split",
    "case_update",
    "case_url",
    "macro_apply",
    "macro_save",
    "mailbox_save",
    "queue_save",
    "render_canned",
    "reply_recipient",
    "service_setup",
    "set_status",
    "sla_policy_save",
]
