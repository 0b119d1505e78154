"""Service-level alerts: a case about to miss its first-response or resolution target, and a case that missed one.

The assignee hears of it (the queue's agents when nobody is assigned), and a breach also reaches the policy's
escalation person. A breach can raise the case's priority: the escalation task does that once per case.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from django.db.models import Q, QuerySet
from django.urls import reverse

from amity.core.alerts import Alert, AlertRuleType, Param, RuleContext, register_rule
from amity.core.models import Workspace
from amity.service.models import OPEN_CASES, Case, Queue, SlaPolicy

SLA_WARNING = "case_sla_warning"
SLA_BREACHED = "case_sla_breached"


def _queue_url(workspace: Workspace) -> str:
    return reverse("case_queue", kwargs={"slug": workspace.slug})


def _open_cases(context: RuleContext) -> QuerySet[Case]:
    return Case.objects.filter(OPEN_CASES, workspace=context.workspace, merged_into__isnull=True)


def response_late(before: object) -> Q:
    return Q(first_response_at__isnull=True, first_response_due_at__lt=before)


def resolution_late(before: object) -> Q:
    return Q(resolved_at__isnull=True, sla_paused_at__isnull=True, resolution_due_at__lt=before)


def _recipients(rows: list[dict[str, object]], workspace: Workspace) -> dict[int, list[int]]:
    """Whom each case's alert goes to: its assignee, else its queue's agents (one query for all queues)."""
    queue_ids = {row["queue_id"] for row in rows if not row["assignee_id"] and row["queue_id"]}
    agents: dict[int, list[int]] = {}
    for queue_id, user_id in Queue.members.through.objects.filter(queue_id__in=queue_ids).values_list("queue_id", "user_id"):
        agents.setdefault(queue_id, []).append(user_id)
    return {
        int(row["pk"]): [int(row["assignee_id"])] if row["assignee_id"] else agents.get(row["queue_id"], [])  # type: ignore[call-overload]
        for row in rows
    }


def _alerts(context: RuleContext, condition: QuerySet[Case], title: str, *, escalate: bool) -> Iterator[Alert]:
    rows = list(
        context.new(condition)
        .values("pk", "number", "subject", "assignee_id", "queue_id", "sla_policy__escalate_to_id", "first_response_at")
        .order_by("pk")
    )
    recipients = _recipients(rows, context.workspace)
    for row in rows:
        what = "first response" if row["first_response_at"] is None else "resolution"
        people = set(recipients[int(row["pk"])])
        if escalate and row["sla_policy__escalate_to_id"]:
            people.add(int(row["sla_policy__escalate_to_id"]))
        for person in sorted(people):
            yield Alert(
                recipient_id=person,
                record_id=int(row["pk"]),
                title=f"{row['number']} {title} its {what} target",
                body=str(row["subject"]),
                url=context.record_url("case_detail", int(row["pk"])),
            )


def cases_due_soon(context: RuleContext) -> Iterator[Alert]:
    """Open cases whose next target falls within the warning time and is not missed yet: one query, plus one for queues."""
    soon = context.now + timedelta(minutes=int(context.params["minutes"]))
    due_soon = (response_late(soon) & ~response_late(context.now)) | (resolution_late(soon) & ~resolution_late(context.now))
    return _alerts(context, _open_cases(context).filter(due_soon), "is about to miss", escalate=False)


def cases_breached(context: RuleContext) -> Iterator[Alert]:
    """Open cases past a target they have not met, told to whoever works them and to the policy's escalation person."""
    late = response_late(context.now) | resolution_late(context.now)
    return _alerts(context, _open_cases(context).filter(late), "missed", escalate=True)


def escalate_breaches(*, workspace: Workspace, now: object) -> int:
    """Escalate breached cases whose policy changes them (priority, queue, agent), once per case (audited as the system)."""
    from amity.service.services import case_escalate

    late = response_late(now) | resolution_late(now)
    breached = Case.objects.filter(SlaPolicy.acts_on_breach("sla_policy__"), OPEN_CASES, workspace=workspace, escalated_at__isnull=True)
    cases = list(breached.filter(late).select_related("workspace")[:500])  # the rest at the next round
    for case in cases:
        case_escalate(case=case)
    return len(cases)


def register_rules() -> None:
    register_rule(
        AlertRuleType(
            kind=SLA_WARNING,
            label="A case is about to miss its service level",
            description="An open case whose first-response or resolution target is near is told to its assignee (or its queue's agents).",
            defaults={"minutes": 30},
            params=(Param("minutes", "Minutes before the target", minimum=1, maximum=10_080, unit="minutes"),),
            find=cases_due_soon,
            summary_url=_queue_url,
            icon="clock-exclamation",
        )
    )
    register_rule(
        AlertRuleType(
            kind=SLA_BREACHED,
            label="A case missed its service level",
            description="An open case past its first-response or resolution target is told to whoever works it and to the policy's escalation person.",
            defaults={},
            find=cases_breached,
            summary_url=_queue_url,
            icon="alarm",
        )
    )
