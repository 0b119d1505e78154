"""The service reports: times, service levels and backlog (`service_report`), and satisfaction (`satisfaction_report`).

The service report's figures are of the cases **opened** in the range (a cohort): how fast they were first answered
and resolved, how many met or missed their targets. The backlog is what is open now, whatever its age. The
satisfaction report's are of the surveys **sent** in the range: how many were answered, the average score and the
share of satisfied customers (4 or 5). Each part is one grouped query in the database, so a report costs the same
at ten cases as at a million; both share the range, the week-or-month periods and the labels of agents and queues.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q
from django.db.models.functions import TruncMonth, TruncWeek
from django.utils import timezone

from amity.core.models import User, Workspace
from amity.service.models import OPEN_CASES, Case, CaseKind, Queue, Survey
from amity.service.selectors import visible_cases
from amity.service.surveys import sent_surveys

WEEKLY_UP_TO_DAYS = 120  # longer ranges are shown by month


@dataclass(frozen=True)
class Figures:
    """What happened to a set of cases opened in the range."""

    opened: int
    resolved: int
    first_response_hours: float | None
    resolution_hours: float | None
    first_response_met: int
    first_response_missed: int
    resolution_met: int
    resolution_missed: int

    @property
    def breaches(self) -> int:
        return self.first_response_missed + self.resolution_missed

    @property
    def first_response_rate(self) -> float | None:
        """The share of cases with a first-response target that met it, in percent."""
        judged = self.first_response_met + self.first_response_missed
        return round(100 * self.first_response_met / judged, 1) if judged else None

    @property
    def resolution_rate(self) -> float | None:
        judged = self.resolution_met + self.resolution_missed
        return round(100 * self.resolution_met / judged, 1) if judged else None


@dataclass(frozen=True)
class Row:
    """One agent's, queue's or kind's line of the report: its figures and what it has open now."""

    key: Any
    label: str
    figures: Figures
    open_now: int


@dataclass(frozen=True)
class ServiceReport:
    start: dt.date
    end: dt.date
    bucket: str  # "week" or "month"
    total: Figures
    periods: list[tuple[dt.date, Figures]]
    agents: list[Row]
    queues: list[Row]
    kinds: list[Row]
    open_now: int


def _hours(value: dt.timedelta | None) -> float | None:
    return round(value.total_seconds() / 3600, 1) if value is not None else None


def _aggregates(now: dt.datetime) -> dict[str, Any]:
    def took(end: str) -> ExpressionWrapper:
        return ExpressionWrapper(F(end) - F("created_at"), output_field=DurationField())

    responded_late = Q(first_response_at__gt=F("first_response_due_at")) | Q(first_response_at__isnull=True, first_response_due_at__lt=now)
    resolved_late = Q(resolved_at__gt=F("resolution_due_at")) | Q(resolved_at__isnull=True, resolution_due_at__lt=now)
    return {
        "opened": Count("pk"),
        "resolved": Count("pk", filter=Q(resolved_at__isnull=False)),
        "first_response": Avg(took("first_response_at"), filter=Q(first_response_at__isnull=False)),
        "resolution": Avg(took("resolved_at"), filter=Q(resolved_at__isnull=False)),
        "first_response_met": Count("pk", filter=Q(first_response_due_at__isnull=False, first_response_at__lte=F("first_response_due_at"))),
        "first_response_missed": Count("pk", filter=Q(first_response_due_at__isnull=False) & responded_late),
        "resolution_met": Count("pk", filter=Q(resolution_due_at__isnull=False, resolved_at__lte=F("resolution_due_at"))),
        "resolution_missed": Count("pk", filter=Q(resolution_due_at__isnull=False) & resolved_late),
    }


def _figures(row: dict[str, Any]) -> Figures:
    return Figures(
        opened=row["opened"],
        resolved=row["resolved"],
        first_response_hours=_hours(row["first_response"]),
        resolution_hours=_hours(row["resolution"]),
        first_response_met=row["first_response_met"],
        first_response_missed=row["first_response_missed"],
        resolution_met=row["resolution_met"],
        resolution_missed=row["resolution_missed"],
    )


def _grouped(cases: models.QuerySet[Case], by: str, aggregates: dict[str, Any]) -> dict[Any, Figures]:
    return {row[by]: _figures(row) for row in cases.order_by().values(by).annotate(**aggregates)}


def _open_by(cases: models.QuerySet[Case], by: str) -> dict[Any, int]:
    rows = cases.filter(OPEN_CASES).order_by().values(by).annotate(count=Count("pk"))
    return {row[by]: row["count"] for row in rows}


def _ordered(keys: set[Any], labels: dict[Any, str]) -> list[Any]:
    """The rows' keys by their label, the row without one (unassigned, no queue) last."""
    return sorted(keys, key=lambda key: (key is None, labels.get(key, "")))


def _rows(figures: dict[Any, Figures], open_now: dict[Any, int], labels: dict[Any, str]) -> list[Row]:
    empty = Figures(0, 0, None, None, 0, 0, 0, 0)
    keys = _ordered(set(figures) | set(open_now), labels)
    return [Row(key=key, label=labels.get(key, "—"), figures=figures.get(key, empty), open_now=open_now.get(key, 0)) for key in keys]


MAX_RANGE_DAYS = 3 * 366


@dataclass(frozen=True)
class Window:
    """The days a report covers, as times in the user's zone, and how its periods are cut (by week, or by month)."""

    since: dt.datetime
    until: dt.datetime
    bucket: str

    @classmethod
    def of(cls, start: dt.date, end: dt.date) -> Window:
        zone = timezone.get_current_timezone()
        since = dt.datetime.combine(start, dt.time.min, tzinfo=zone)
        until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
        return cls(since, until, "week" if (end - start).days <= WEEKLY_UP_TO_DAYS else "month")

    def within(self, rows: models.QuerySet[Any], field: str) -> models.QuerySet[Any]:
        return rows.filter(**{f"{field}__gte": self.since, f"{field}__lt": self.until})

    def periods(self, rows: models.QuerySet[Any], field: str, aggregates: dict[str, Any]) -> models.QuerySet[Any]:
        """One row of `aggregates` per week or month of `field` (one grouped query), oldest first, its start in `period`."""
        zone = timezone.get_current_timezone()
        trunc = TruncWeek(field, tzinfo=zone) if self.bucket == "week" else TruncMonth(field, tzinfo=zone)
        return rows.order_by().annotate(period=trunc).values("period").annotate(**aggregates).order_by("period")


def _labels(workspace: Workspace, agent_ids: set[Any]) -> tuple[dict[Any, str], dict[Any, str], dict[Any, str]]:
    """The names of the agents, queues and kinds a report's rows are about (three small queries)."""
    people = {user.pk: user.display_name for user in User.objects.filter(pk__in={pk for pk in agent_ids if pk})}
    queues = dict(Queue.objects.filter(workspace=workspace).values_list("pk", "name"))
    kinds = dict(CaseKind.objects.filter(workspace=workspace).values_list("pk", "name"))
    return people, queues, kinds


def report_range(start: dt.date | None, end: dt.date | None, *, default_days: int = 30) -> tuple[dt.date, dt.date]:
    """The days a report covers: the given ones, or the last `default_days` up to today; a bad range names its field."""
    end = end or timezone.localdate()
    start = start or end - dt.timedelta(days=default_days - 1)
    if start > end:
        raise ValidationError({"start": "Start on or before the end day."})
    if (end - start).days > MAX_RANGE_DAYS:
        raise ValidationError({"start": "Choose at most three years."})
    return start, end


def service_report(*, actor: User, workspace: Workspace, start: dt.date, end: dt.date, queue_id: int | None = None) -> ServiceReport:
    """The report for cases opened from `start` to `end` (both days included), optionally of one queue."""
    cases = visible_cases(actor=actor, workspace=workspace)
    if queue_id is not None:
        cases = cases.filter(queue_id=queue_id)
    window = Window.of(start, end)
    opened = window.within(cases, "created_at")
    aggregates = _aggregates(timezone.now())
    periods = window.periods(opened, "created_at", aggregates)
    total = opened.aggregate(**aggregates)
    open_by_agent = _open_by(cases, "assignee_id")
    by_agent = _grouped(opened, "assignee_id", aggregates)
    people, queues, kinds = _labels(workspace, {*open_by_agent, *by_agent})
    return ServiceReport(
        start=start,
        end=end,
        bucket=window.bucket,
        total=_figures(total),
        periods=[(_day(row["period"]), _figures(row)) for row in periods],
        agents=_rows(by_agent, open_by_agent, {None: "Unassigned", **people}),
        queues=_rows(_grouped(opened, "queue_id", aggregates), _open_by(cases, "queue_id"), {None: "No queue", **queues}),
        kinds=_rows(_grouped(opened, "kind_id", aggregates), _open_by(cases, "kind_id"), kinds),
        open_now=sum(open_by_agent.values()),
    )


def _day(value: dt.datetime | dt.date) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


# --- Satisfaction ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Satisfaction:
    """What customers answered to the surveys sent in the range."""

    sent: int
    answered: int
    satisfied: int
    average: float | None

    @property
    def response_rate(self) -> float | None:
        """The share of surveys answered, in percent."""
        return round(100 * self.answered / self.sent, 1) if self.sent else None

    @property
    def csat(self) -> float | None:
        """The share of answers scoring 4 or 5 (the usual CSAT), in percent."""
        return round(100 * self.satisfied / self.answered, 1) if self.answered else None


@dataclass(frozen=True)
class SatisfactionRow:
    key: Any
    label: str
    figures: Satisfaction


@dataclass(frozen=True)
class SatisfactionReport:
    start: dt.date
    end: dt.date
    bucket: str
    total: Satisfaction
    periods: list[tuple[dt.date, Satisfaction]]
    agents: list[SatisfactionRow]
    queues: list[SatisfactionRow]
    kinds: list[SatisfactionRow]


SATISFACTION = {
    "sent": Count("pk"),
    "answered": Count("pk", filter=Q(score__isnull=False)),
    "satisfied": Count("pk", filter=Q(score__gte=4)),
    "average": Avg("score"),
}


def _satisfaction(row: dict[str, Any]) -> Satisfaction:
    average = row["average"]
    return Satisfaction(row["sent"], row["answered"], row["satisfied"], round(float(average), 2) if average is not None else None)


def _satisfaction_by(surveys: models.QuerySet[Survey], by: str) -> dict[Any, Satisfaction]:
    return {row[by]: _satisfaction(row) for row in surveys.order_by().values(by).annotate(**SATISFACTION)}


def _satisfaction_rows(figures: dict[Any, Satisfaction], labels: dict[Any, str]) -> list[SatisfactionRow]:
    return [SatisfactionRow(key=key, label=labels.get(key, "—"), figures=figures[key]) for key in _ordered(set(figures), labels)]


def satisfaction_report(
    *, actor: User, workspace: Workspace, start: dt.date, end: dt.date, queue_id: int | None = None
) -> SatisfactionReport:
    """Satisfaction with the cases whose survey went out from `start` to `end`: overall, per period, agent, queue and kind.

    The agent and kind are those the survey was sent about; the queue is the case's.
    """
    surveys = sent_surveys(actor=actor, workspace=workspace)
    if queue_id is not None:
        surveys = surveys.filter(case__queue_id=queue_id)
    window = Window.of(start, end)
    sent = window.within(surveys, "sent_at")
    by_agent = _satisfaction_by(sent, "agent_id")
    people, queues, kinds = _labels(workspace, set(by_agent))
    return SatisfactionReport(
        start=start,
        end=end,
        bucket=window.bucket,
        total=_satisfaction(sent.aggregate(**SATISFACTION)),
        periods=[(_day(row["period"]), _satisfaction(row)) for row in window.periods(sent, "sent_at", SATISFACTION)],
        agents=_satisfaction_rows(by_agent, {None: "Unassigned", **people}),
        queues=_satisfaction_rows(_satisfaction_by(sent, "case__queue_id"), {None: "No queue", **queues}),
        kinds=_satisfaction_rows(_satisfaction_by(sent, "kind_id"), kinds),
    )
