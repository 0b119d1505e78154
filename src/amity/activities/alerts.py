"""The alert about overdue tasks: an open task past its due time tells its assignee once."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from django.urls import reverse

from amity.activities.models import Task
from amity.core.alerts import Alert, AlertRuleType, Param, RuleContext, register_rule
from amity.core.models import Workspace

TASK_OVERDUE = "task_overdue"


def _task_url(context: RuleContext, task: dict[str, int | None]) -> str:
    """The record the task is about (deal, contact, account), else the person's task list."""
    for field, url_name in (("opportunity_id", "deal_detail"), ("contact_id", "contact_detail"), ("account_id", "account_detail")):
        pk = task[field]
        if pk:
            return context.record_url(url_name, pk)
    return _my_tasks_url(context.workspace)


def _my_tasks_url(workspace: Workspace) -> str:
    return reverse("my_tasks", kwargs={"slug": workspace.slug})


def overdue_tasks(context: RuleContext) -> Iterator[Alert]:
    """Open, assigned tasks more than `hours_late` hours past their due time: one query."""
    hours_late = int(context.params["hours_late"])
    overdue = Task.objects.filter(
        workspace=context.workspace, status=Task.Status.OPEN, assignee__isnull=False, due_at__lt=context.now - timedelta(hours=hours_late)
    )
    rows = context.new(overdue).values("pk", "title", "assignee_id", "due_at", "opportunity_id", "contact_id", "account_id")
    for task in rows.order_by("pk"):
        yield Alert(
            recipient_id=task["assignee_id"],
            record_id=task["pk"],
            title=f"Overdue task: {task['title']}",
            body=f"It was due {task['due_at']:%Y-%m-%d %H:%M} UTC. Complete it, or give it a new due date.",
            url=_task_url(context, task),
        )


def register_rules() -> None:
    register_rule(
        AlertRuleType(
            kind=TASK_OVERDUE,
            label="One of my tasks is overdue",
            description="An open task past its due time (plus a grace period) tells its assignee.",
            defaults={"hours_late": 0},
            params=(Param("hours_late", "Hours of grace after the due time", minimum=0, maximum=24 * 30, unit="hours"),),
            find=overdue_tasks,
            summary_url=_my_tasks_url,
            icon="clock-exclamation",
        )
    )
