"""The service report: times to respond and resolve, targets met and missed, backlog by queue and agent, in constant queries."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from amity.core.models import User, Workspace
from amity.core.permissions import Role
from amity.service import services
from amity.service.models import Case, Queue
from amity.service.reports import report_range, service_report
from tests.factories import member

NOW = timezone.now().replace(microsecond=0)
TODAY = timezone.localdate()


def _case(workspace: Workspace, *, assignee: User | None = None, opened_hours_ago: float = 48, **times: Any) -> Case:
    """A case opened some hours ago with its SLA and response times set as given (hours after opening)."""
    case = services.case_open(actor=None, workspace=workspace, data={"subject": "Help", "requester_email": "x@example.com"})
    opened = NOW - dt.timedelta(hours=opened_hours_ago)
    values: dict[str, Any] = {"created_at": opened, "assignee": assignee}
    for name, hours in times.items():
        values[name] = None if hours is None else opened + dt.timedelta(hours=hours)
    if values.get("resolved_at"):
        values["status"] = Case.Status.RESOLVED
    Case.objects.filter(pk=case.pk).update(**values)
    return case


@pytest.fixture
def team(workspace: Workspace) -> list[User]:
    return [member(workspace, Role.SUPPORT, email=f"a{n}@acme.test", full_name=f"Agent {n}") for n in (1, 2)]


def test_the_report_counts_times_targets_met_and_missed(agent: User, workspace: Workspace, team: list[User]) -> None:
    _case(workspace, assignee=team[0], first_response_at=1, first_response_due_at=2, resolved_at=10, resolution_due_at=8)
    _case(workspace, assignee=team[0], first_response_at=3, first_response_due_at=2)  # late reply, still open
    _case(workspace, assignee=team[1], first_response_due_at=1)  # never answered, due long ago: missed
    _case(workspace, opened_hours_ago=24 * 60)  # opened before the range: not counted, but open now

    report = service_report(actor=agent, workspace=workspace, start=TODAY - dt.timedelta(days=29), end=TODAY)

    total = report.total
    assert (total.opened, total.resolved) == (3, 1)
    assert (total.first_response_hours, total.resolution_hours) == (2.0, 10.0)  # the mean of 1 h and 3 h; one resolution
    assert (total.first_response_met, total.first_response_missed) == (1, 2)
    assert (total.resolution_met, total.resolution_missed) == (0, 1)
    assert total.first_response_rate == 33.3 and total.resolution_rate == 0.0 and total.breaches == 3
    agents = {row.label: row for row in report.agents}
    assert (agents["Agent 1"].figures.opened, agents["Agent 1"].open_now) == (2, 1)
    assert (agents["Agent 2"].figures.first_response_missed, agents["Agent 2"].open_now) == (1, 1)
    assert (agents["Unassigned"].figures.opened, agents["Unassigned"].open_now) == (0, 1)
    assert report.open_now == 3 and report.bucket == "week"
    assert sum(figures.opened for _, figures in report.periods) == 3


def test_a_queue_filter_and_another_workspace_are_kept_apart(
    agent: User, workspace: Workspace, other_workspace: Workspace, team: list[User]
) -> None:
    billing = services.queue_save(actor=member(workspace, Role.ADMIN), workspace=workspace, name="Billing")
    in_billing = _case(workspace, first_response_at=1)
    Case.objects.filter(pk=in_billing.pk).update(queue=billing)
    _case(workspace, first_response_at=5)
    _case(other_workspace, first_response_at=9)

    everything = service_report(actor=agent, workspace=workspace, start=TODAY - dt.timedelta(days=6), end=TODAY)
    billing_only = service_report(actor=agent, workspace=workspace, start=TODAY - dt.timedelta(days=6), end=TODAY, queue_id=billing.pk)

    assert everything.total.opened == 2 and everything.total.first_response_hours == 3.0
    assert billing_only.total.opened == 1 and billing_only.total.first_response_hours == 1.0
    assert {row.label for row in everything.queues} == {"Billing", "Support"}


def test_the_report_costs_the_same_queries_at_any_size(agent: User, workspace: Workspace, team: list[User]) -> None:
    _case(workspace, assignee=team[0], first_response_at=1)
    start = TODAY - dt.timedelta(days=365)
    service_report(actor=agent, workspace=workspace, start=start, end=TODAY)  # the actor's role is read once, then kept
    with CaptureQueriesContext(connection) as few:
        service_report(actor=agent, workspace=workspace, start=start, end=TODAY)
    for number in range(12):
        _case(workspace, assignee=team[number % 2], opened_hours_ago=24 * 30 * (number % 6) + 5, first_response_at=1, resolved_at=4)
    with CaptureQueriesContext(connection) as many:
        report = service_report(actor=agent, workspace=workspace, start=start, end=TODAY)

    assert len(many) == len(few) <= 12
    assert report.bucket == "month" and report.total.opened == 13


def test_a_bad_range_names_the_field() -> None:
    with pytest.raises(ValidationError) as error:
        report_range(TODAY, TODAY - dt.timedelta(days=1))
    assert "start" in error.value.message_dict
    assert report_range(None, TODAY) == (TODAY - dt.timedelta(days=29), TODAY)


def test_the_api_gives_the_same_report(
    api_as: Any, agent: User, workspace: Workspace, other_workspace: Workspace, team: list[User]
) -> None:
    _case(workspace, assignee=team[0], first_response_at=1, first_response_due_at=2)
    api = api_as(agent, workspace)

    body = api.get("/api/v1/reports/service").json()
    assert body["total"]["opened"] == 1 and body["total"]["first_response_met"] == 1 and body["total"]["first_response_rate"] == 100.0
    assert [row["label"] for row in body["agents"]] == ["Agent 1"]
    assert api.get(f"/api/v1/reports/service?start={TODAY}&end={TODAY - dt.timedelta(days=2)}").status_code == 422
    other_queue = Queue.objects.create(workspace=other_workspace, name="Theirs")
    assert api.get(f"/api/v1/reports/service?queue_id={other_queue.pk}").status_code == 404


def test_periods_are_cut_in_the_users_time_zone_and_empty_ones_are_shown(agent: User, workspace: Workspace) -> None:
    berlin = zoneinfo.ZoneInfo("Europe/Berlin")
    monday = dt.date(2026, 11, 2)  # a Monday; Berlin is UTC+1 then
    late_sunday = dt.datetime(2026, 11, 8, 23, 30, tzinfo=berlin)  # still the first week in Berlin, 22:30 UTC
    early_monday = dt.datetime(2026, 11, 9, 0, 30, tzinfo=berlin)  # the second week in Berlin, Sunday 23:30 UTC
    for opened in (late_sunday, early_monday):
        case = services.case_open(actor=None, workspace=workspace, data={"subject": "Help", "requester_email": "x@example.com"})
        Case.objects.filter(pk=case.pk).update(created_at=opened)

    with timezone.override(berlin):
        report = service_report(actor=agent, workspace=workspace, start=monday, end=monday + dt.timedelta(days=27))

    assert [start for start, _ in report.periods] == [monday + dt.timedelta(weeks=week) for week in range(4)]
    assert [figures.opened for _, figures in report.periods] == [1, 1, 0, 0]
    assert report.periods[2][1].first_response_hours is None
