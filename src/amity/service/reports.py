"""The service reports: times, service levels and backlog (`service_report`), and satisfaction (`satisfaction_report`).

The service report's figures are of the cases **opened** in the range (a cohort): how fast they were first answered
and resolved, how many met or missed their targets. The backlog is what is open now, whatever its age. The
satisfaction report's are of the surveys **sent** in the range: how many were answered, the average score and the
share of satisfied customers (4 or 5). Both share the range, the week-or-month periods and the labels of agents and
queues.

Each report is one grouped query over the range (by period, agent, queue and kind at once; the totals and each
breakdown are summed from its rows here), plus one over the open cases for the backlog, so a report costs the same
queries at ten cases as at a million. The database does all the per-row work itself: the period a row falls in is a
CASE over the periods' bounds (worked out here in the user's time zone), and durations are seconds between two
columns (`amity.core.reporting`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Expression, F, Q, Sum
from django.utils import timezone

from amity.core.models import User, Workspace
from amity.core.reporting import SecondsBetween, period_index
from amity.service.models import OPEN_CASES, Case, CaseKind, Queue
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


# What each row of the service report's query adds up; `Figures` is made from the sums.
CASE_SUMS = (
    "opened", "resolved", "responded", "first_response_seconds", "resolution_seconds",
    "first_response_met", "first_response_missed", "resolution_met", "resolution_missed",
)  # fmt: skip


def _case_sums(now: dt.datetime) -> dict[str, Any]:
    responded_late = Q(first_response_at__gt=F("first_response_due_at")) | Q(first_response_at__isnull=True, first_response_due_at__lt=now)
    resolved_late = Q(resolved_at__gt=F("resolution_due_at")) | Q(resolved_at__isnull=True, resolution_due_at__lt=now)
    responded, resolved = Q(first_response_at__isnull=False), Q(resolved_at__isnull=False)
    return {
        "opened": Count("pk"),
        "resolved": Count("pk", filter=resolved),
        "responded": Count("pk", filter=responded),
        "first_response_seconds": Sum(SecondsBetween("first_response_at", "created_at"), filter=responded),
        "resolution_seconds": Sum(SecondsBetween("resolved_at", "created_at"), filter=resolved),
        "first_response_met": Count("pk", filter=Q(first_response_due_at__isnull=False, first_response_at__lte=F("first_response_due_at"))),
        "first_response_missed": Count("pk", filter=Q(first_response_due_at__isnull=False) & responded_late),
        "resolution_met": Count("pk", filter=Q(resolution_due_at__isnull=False, resolved_at__lte=F("resolution_due_at"))),
        "resolution_missed": Count("pk", filter=Q(resolution_due_at__isnull=False) & resolved_late),
    }


class Tally:
    """Sums of some rows of a grouped query, added up here: the figures of a period, an agent, a queue, a kind or all."""

    def __init__(self, names: tuple[str, ...]) -> None:
        self.sums = dict.fromkeys(names, 0.0)

    def add(self, row: dict[str, Any]) -> None:
        for name in self.sums:
            self.sums[name] += float(row[name] or 0)

    def count(self, name: str) -> int:
        return int(self.sums[name])

    def mean(self, total: str, count: str, *, per: float = 1.0, digits: int = 1) -> float | None:
        return round(self.sums[total] / self.sums[count] / per, digits) if self.sums[count] else None


def _figures(tally: Tally) -> Figures:
    return Figures(
        opened=tally.count("opened"),
        resolved=tally.count("resolved"),
        first_response_hours=tally.mean("first_response_seconds", "responded", per=3600),
        resolution_hours=tally.mean("resolution_seconds", "resolved", per=3600),
        first_response_met=tally.count("first_response_met"),
        first_response_missed=tally.count("first_response_missed"),
        resolution_met=tally.count("resolution_met"),
        resolution_missed=tally.count("resolution_missed"),
    )


@dataclass
class Breakdown:
    """One grouped query's rows summed up overall, per period and per each of a few keys (agent, queue, kind)."""

    names: tuple[str, ...]
    periods: int
    keys: tuple[str, ...]

    def __post_init__(self) -> None:
        self.total = Tally(self.names)
        self.by_period = [Tally(self.names) for _ in range(self.periods)]
        self.by_key: dict[str, dict[Any, Tally]] = {key: {} for key in self.keys}

    def add_all(self, rows: Any) -> Breakdown:
        for row in rows:
            self.total.add(row)
            self.by_period[row["period"]].add(row)
            for key, tallies in self.by_key.items():
                tallies.setdefault(row[key], Tally(self.names)).add(row)
        return self


def _open_by(cases: models.QuerySet[Case], keys: tuple[str, ...]) -> dict[str, dict[Any, int]]:
    """What is open now per agent, queue and kind (one grouped query)."""
    counts: dict[str, dict[Any, int]] = {key: {} for key in keys}
    for row in cases.filter(OPEN_CASES).order_by().values(*keys).annotate(count=Count("pk")):
        for key in keys:
            counts[key][row[key]] = counts[key].get(row[key], 0) + row["count"]
    return counts


def _ordered(keys: set[Any], labels: dict[Any, str]) -> list[Any]:
    """The rows' keys by their label, the row without one (unassigned, no queue) last."""
    return sorted(keys, key=lambda key: (key is None, labels.get(key, "")))


def _rows(tallies: dict[Any, Tally], open_now: dict[Any, int], labels: dict[Any, str]) -> list[Row]:
    empty = Figures(0, 0, None, None, 0, 0, 0, 0)
    keys = _ordered(set(tallies) | set(open_now), labels)
    return [
        Row(key=key, label=labels.get(key, "—"), figures=_figures(tallies[key]) if key in tallies else empty, open_now=open_now.get(key, 0))
        for key in keys
    ]


MAX_RANGE_DAYS = 3 * 366


@dataclass(frozen=True)
class Window:
    """The days a report covers, as times in the user's zone, and its periods (weeks from Monday, or calendar months)."""

    since: dt.datetime
    until: dt.datetime
    bucket: str
    starts: tuple[dt.date, ...]  # the first day of each period, the first one on or before the range's start

    @classmethod
    def of(cls, start: dt.date, end: dt.date) -> Window:
        zone = timezone.get_current_timezone()
        since = dt.datetime.combine(start, dt.time.min, tzinfo=zone)
        until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
        bucket = "week" if (end - start).days <= WEEKLY_UP_TO_DAYS else "month"
        return cls(since, until, bucket, _period_starts(start, end, bucket))

    def within(self, rows: models.QuerySet[Any], field: str) -> models.QuerySet[Any]:
        return rows.filter(**{f"{field}__gte": self.since, f"{field}__lt": self.until})

    def period_of(self, field: str) -> Expression:
        """The index in `starts` of the period a row's `field` falls in (rows within the range), for the database to group by."""
        return period_index(field, self.starts)


def _period_starts(start: dt.date, end: dt.date, bucket: str) -> tuple[dt.date, ...]:
    day = start - dt.timedelta(days=start.weekday()) if bucket == "week" else start.replace(day=1)
    starts = []
    while day <= end:
        starts.append(day)
        day = day + dt.timedelta(days=7) if bucket == "week" else (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return tuple(starts)


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
    keys = ("assignee_id", "queue_id", "kind_id")
    rows = window.within(cases, "created_at").order_by().values(*keys, period=window.period_of("created_at"))
    opened = Breakdown(CASE_SUMS, len(window.starts), keys).add_all(rows.annotate(**_case_sums(timezone.now())))
    open_now = _open_by(cases, keys)
    people, queues, kinds = _labels(workspace, {*open_now["assignee_id"], *opened.by_key["assignee_id"]})
    return ServiceReport(
        start=start,
        end=end,
        bucket=window.bucket,
        total=_figures(opened.total),
        periods=[(day, _figures(tally)) for day, tally in zip(window.starts, opened.by_period, strict=True)],
        agents=_rows(opened.by_key["assignee_id"], open_now["assignee_id"], {None: "Unassigned", **people}),
        queues=_rows(opened.by_key["queue_id"], open_now["queue_id"], {None: "No queue", **queues}),
        kinds=_rows(opened.by_key["kind_id"], open_now["kind_id"], kinds),
        open_now=sum(open_now["assignee_id"].values()),
    )


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


SATISFACTION_SUMS = ("sent", "answered", "satisfied", "score_sum")
SATISFACTION = {
    "sent": Count("pk"),
    "answered": Count("pk", filter=Q(score__isnull=False)),
    "satisfied": Count("pk", filter=Q(score__gte=4)),
    "score_sum": Sum("score"),
}


def _satisfaction(tally: Tally) -> Satisfaction:
    return Satisfaction(
        tally.count("sent"), tally.count("answered"), tally.count("satisfied"), tally.mean("score_sum", "answered", digits=2)
    )


def _satisfaction_rows(tallies: dict[Any, Tally], labels: dict[Any, str]) -> list[SatisfactionRow]:
    return [
        SatisfactionRow(key=key, label=labels.get(key, "—"), figures=_satisfaction(tallies[key])) for key in _ordered(set(tallies), labels)
    ]


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
    keys = ("agent_id", "case_queue_id", "kind_id")
    rows = window.within(surveys, "sent_at").order_by()
    rows = rows.values("agent_id", "kind_id", case_queue_id=F("case__queue_id"), period=window.period_of("sent_at"))
    sent = Breakdown(SATISFACTION_SUMS, len(window.starts), keys).add_all(rows.annotate(**SATISFACTION))
    people, queues, kinds = _labels(workspace, set(sent.by_key["agent_id"]))
    return SatisfactionReport(
        start=start,
        end=end,
        bucket=window.bucket,
        total=_satisfaction(sent.total),
        periods=[(day, _satisfaction(tally)) for day, tally in zip(window.starts, sent.by_period, strict=True)],
        agents=_satisfaction_rows(sent.by_key["agent_id"], {None: "Unassigned", **people}),
        queues=_satisfaction_rows(sent.by_key["case_queue_id"], {None: "No queue", **queues}),
        kinds=_satisfaction_rows(sent.by_key["kind_id"], kinds),
    )
