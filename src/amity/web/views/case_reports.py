"""Cases → Report: times to respond and resolve, service levels and backlog; and its Satisfaction tab (CSAT), with charts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.views.decorators.http import require_GET

from amity.core.permissions import Action, ObjectType
from amity.service import reports, selectors
from amity.service.reports import SatisfactionReport, ServiceReport, report_range, service_report
from amity.web.views.base import WorkspaceRequest, ensure, render_page, workspace_view

RANGES = [(7, "7 days"), (30, "30 days"), (90, "90 days"), (365, "12 months")]


def _period_labels(bucket: str, starts: list[dt.date]) -> list[str]:
    pattern = "%d %b" if bucket == "week" else "%b %Y"
    return [start.strftime(pattern) for start in starts]


def _charts(report: ServiceReport) -> dict[str, dict[str, Any]]:
    """What each chart draws, for charts.js (passed through json_script)."""
    labels = _period_labels(report.bucket, [start for start, _ in report.periods])
    periods = [figures for _, figures in report.periods]
    busiest = sorted(report.agents, key=lambda row: -row.open_now)[:12]
    return {
        "chart-volume": {
            "type": "bar", "unit": "count", "labels": labels,
            "datasets": [
                {"label": "Opened", "data": [figures.opened for figures in periods]},
                {"label": "Resolved", "color": "#2fb344", "data": [figures.resolved for figures in periods]},
            ],
        },
        "chart-times": {
            "type": "line", "unit": "hours", "labels": labels,
            "datasets": [
                {"label": "First response", "data": [figures.first_response_hours for figures in periods]},
                {"label": "Resolution", "color": "#ae3ec9", "data": [figures.resolution_hours for figures in periods]},
            ],
        },
        "chart-sla": {
            "type": "line", "unit": "percent", "labels": labels,
            "datasets": [
                {"label": "First response met", "color": "#2fb344", "data": [figures.first_response_rate for figures in periods]},
                {"label": "Resolution met", "color": "#f76707", "data": [figures.resolution_rate for figures in periods]},
            ],
        },
        "chart-backlog": {
            "type": "bar", "unit": "count", "horizontal": True, "labels": [row.label for row in busiest],
            "datasets": [{"label": "Open cases", "color": "#d63939", "data": [row.open_now for row in busiest]}],
        },
    }  # fmt: skip


def _day(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _filters(request: WorkspaceRequest) -> dict[str, Any]:
    """The range and queue both reports are shown for (the last 30 days of every queue unless chosen); a bad range is said."""
    days = int(request.GET["days"]) if request.GET.get("days", "").isdigit() else 30
    queues = list(selectors.queues(actor=request.user, workspace=request.workspace))
    queue_id = int(request.GET["queue_id"]) if request.GET.get("queue_id", "").isdigit() else None
    queue = next((queue for queue in queues if queue.pk == queue_id), None)
    error = ""
    try:
        start, end = report_range(_day(request.GET.get("start")), _day(request.GET.get("end")), default_days=days)
    except ValidationError as problem:
        error = " ".join(problem.messages)
        start, end = report_range(None, None)
    return {"start": start, "end": end, "ranges": RANGES, "days": days, "queues": queues, "queue": queue, "error": error}


@workspace_view
@require_GET
def case_report(request: WorkspaceRequest) -> HttpResponse:
    """The service report over a range of days (the last 30 by default), of every queue or one."""
    ensure(request, Action.VIEW, ObjectType.CASE)
    context = _filters(request)
    queue = context["queue"]
    report = service_report(
        actor=request.user, workspace=request.workspace, start=context["start"], end=context["end"], queue_id=queue.pk if queue else None
    )
    return render_page(request, "web/cases/report.html", {**context, "report": report, "charts": _charts(report)})


def _satisfaction_charts(report: SatisfactionReport) -> dict[str, dict[str, Any]]:
    """What the satisfaction report's charts draw, for charts.js."""
    labels = _period_labels(report.bucket, [start for start, _ in report.periods])
    periods = [figures for _, figures in report.periods]
    agents = [row for row in report.agents if row.figures.answered][:12]
    return {
        "chart-csat": {
            "type": "line", "unit": "percent", "labels": labels,
            "datasets": [
                {"label": "Satisfied (4 or 5)", "color": "#2fb344", "data": [figures.csat for figures in periods]},
                {"label": "Answered", "color": "#066fd1", "dashed": True, "data": [figures.response_rate for figures in periods]},
            ],
        },
        "chart-answers": {
            "type": "bar", "unit": "count", "labels": labels,
            "datasets": [
                {"label": "Surveys sent", "color": "#adb5bd", "data": [figures.sent for figures in periods]},
                {"label": "Answered", "data": [figures.answered for figures in periods]},
            ],
        },
        "chart-agents": {
            "type": "bar", "horizontal": True, "max": 5, "labels": [row.label for row in agents],
            "datasets": [{"label": "Average score", "color": "#f59f00", "data": [row.figures.average for row in agents]}],
        },
    }  # fmt: skip


@workspace_view
@require_GET
def satisfaction_report(request: WorkspaceRequest) -> HttpResponse:
    """Satisfaction: the surveys sent in a range, how many were answered, the average score and the share satisfied."""
    ensure(request, Action.VIEW, ObjectType.SURVEY)
    context = _filters(request)
    queue = context["queue"]
    report = reports.satisfaction_report(
        actor=request.user, workspace=request.workspace, start=context["start"], end=context["end"], queue_id=queue.pk if queue else None
    )
    return render_page(request, "web/cases/satisfaction.html", {**context, "report": report, "charts": _satisfaction_charts(report)})
