"""Service-level settings: business calendars (opening hours, holidays) and SLA policies (targets per kind, priority, tier)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django.db import transaction

from amity.core import audit
from amity.core.access import require
from amity.core.errors import FieldErrors
from amity.core.models import AuditEntry, User, Workspace
from amity.core.permissions import Action, ObjectType
from amity.service.models import BreachAssignee, BusinessCalendar, Case, CaseKind, Queue, SlaPolicy
from amity.service.sla import DAYS

CALENDAR_FIELDS = ("name", "time_zone", "hours", "holiday_country", "closed_days", "is_default")
POLICY_FIELDS = (
    "name",
    "position",
    "kind_id",
    "priority",
    "customer_tier",
    "first_response_minutes",
    "resolution_minutes",
    "warn_before_minutes",
    "calendar_id",
    "escalate_to_id",
    "breach_queue_id",
    "breach_assignee",
    "raise_priority_on_breach",
    "active",
)


def _check_hours(hours: Any, errors: FieldErrors) -> None:
    if not isinstance(hours, dict) or set(hours) - set(DAYS):
        errors["hours"] = f"Give the hours per weekday ({', '.join(DAYS)})."
        return
    for day, periods in hours.items():
        try:
            for opens, closes in periods:
                if dt.time.fromisoformat(opens) >= dt.time.fromisoformat(closes):
                    errors[f"hours.{day}"] = f"{opens}–{closes}: a period must end after it starts."
        except (TypeError, ValueError):
            errors[f"hours.{day}"] = 'Give each period as ["09:00", "17:00"].'


def _check_calendar(data: dict[str, Any], errors: FieldErrors) -> None:
    if "name" in data and not str(data["name"] or "").strip():
        errors["name"] = "Name the calendar."
    if "time_zone" in data:
        try:
            zoneinfo.ZoneInfo(str(data["time_zone"]))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            errors["time_zone"] = "Use a time zone name such as Europe/Berlin."
    if "hours" in data:
        _check_hours(data["hours"], errors)
    if "closed_days" in data:
        try:
            data["closed_days"] = sorted({dt.date.fromisoformat(day).isoformat() for day in data["closed_days"] or []})
        except (TypeError, ValueError):
            errors["closed_days"] = "Give the closed days as YYYY-MM-DD."
    if data.get("holiday_country"):
        data["holiday_country"] = str(data["holiday_country"]).upper()
        if len(data["holiday_country"]) != 2:
            errors["holiday_country"] = "Use a two-letter country code, such as DE."


def _saved(actor: User, workspace: Workspace, obj: Any, fields: tuple[str, ...], data: dict[str, Any], created: bool) -> None:
    before = {field: getattr(obj, field) for field in fields}
    for field in fields:
        if field in data:
            setattr(obj, field, data[field])
    obj.save()
    changes = {field: [None if created else before[field], getattr(obj, field)] for field in fields}
    changes = {field: change for field, change in changes.items() if created or change[0] != change[1]}
    audit.record(
        actor=actor, workspace=workspace, action=AuditEntry.Action.CREATE if created else AuditEntry.Action.UPDATE, obj=obj, changes=changes
    )


@transaction.atomic
def calendar_save(*, actor: User, workspace: Workspace, data: dict[str, Any], calendar: BusinessCalendar | None = None) -> BusinessCalendar:
    """Add or change a business calendar; one calendar can be the default for policies without their own."""
    require(actor, workspace, Action.CHANGE if calendar else Action.ADD, ObjectType.SLA_POLICY)
    errors = FieldErrors()
    data = {key: value for key, value in data.items() if key in CALENDAR_FIELDS}
    _check_calendar(data, errors)
    errors.raise_if_any()
    created = calendar is None
    calendar = calendar or BusinessCalendar(workspace=workspace)
    _saved(actor, workspace, calendar, CALENDAR_FIELDS, data, created)
    if calendar.is_default:
        BusinessCalendar.objects.filter(workspace=workspace, is_default=True).exclude(pk=calendar.pk).update(is_default=False)
    return calendar


def _check_policy(workspace: Workspace, data: dict[str, Any], policy: SlaPolicy | None, errors: FieldErrors) -> None:
    if "name" in data and not str(data["name"] or "").strip():
        errors["name"] = "Name the policy."
    if data.get("kind_id") and not CaseKind.objects.filter(workspace=workspace, pk=data["kind_id"]).exists():
        errors["kind_id"] = f"No case kind {data['kind_id']} in this workspace."
    if data.get("calendar_id") and not BusinessCalendar.objects.filter(workspace=workspace, pk=data["calendar_id"]).exists():
        errors["calendar_id"] = f"No calendar {data['calendar_id']} in this workspace."
    if data.get("escalate_to_id") and not User.objects.filter(pk=data["escalate_to_id"], memberships__workspace=workspace).exists():
        errors["escalate_to_id"] = "Escalate to a member of this workspace."
    if data.get("breach_queue_id") and not Queue.objects.filter(workspace=workspace, pk=data["breach_queue_id"]).exists():
        errors["breach_queue_id"] = f"No queue {data['breach_queue_id']} in this workspace."
    if "breach_assignee" in data and data["breach_assignee"] not in BreachAssignee.values:
        errors["breach_assignee"] = f"Choose one of: {', '.join(BreachAssignee.values)}."
    if data.get("breach_assignee") == BreachAssignee.ESCALATION_PERSON and not data.get("escalate_to_id", policy and policy.escalate_to_id):
        errors["breach_assignee"] = "Name the person told of breaches to give them the case."
    if data.get("priority") and data["priority"] not in Case.Priority.values:
        errors["priority"] = f"Choose one of: {', '.join(Case.Priority.values)}, or none for any."
    for field in ("first_response_minutes", "resolution_minutes"):
        if data.get(field) is not None and not 1 <= int(data[field]) <= 525_600:
            errors[field] = "Give a target between 1 minute and a year."


@transaction.atomic
def sla_policy_save(*, actor: User, workspace: Workspace, data: dict[str, Any], policy: SlaPolicy | None = None) -> SlaPolicy:
    """Add or change an SLA policy; it applies to cases opened (or re-prioritised) from now on."""
    require(actor, workspace, Action.CHANGE if policy else Action.ADD, ObjectType.SLA_POLICY)
    errors = FieldErrors()
    data = {key: value for key, value in data.items() if key in POLICY_FIELDS}
    _check_policy(workspace, data, policy, errors)
    if policy is None and not data.get("first_response_minutes") and not data.get("resolution_minutes"):
        errors["first_response_minutes"] = "Give a first-response or a resolution target."
    errors.raise_if_any()
    created = policy is None
    if policy is None:
        policy = SlaPolicy(workspace=workspace)
        if data.get("calendar_id") is None:
            data["calendar_id"] = BusinessCalendar.objects.filter(workspace=workspace, is_default=True).values_list("pk", flat=True).first()
    _saved(actor, workspace, policy, POLICY_FIELDS, data, created)
    return policy
