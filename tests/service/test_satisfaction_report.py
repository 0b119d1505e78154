"""The satisfaction report: response rate, average score and share satisfied, per period, agent, queue and kind, in constant queries."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from amity.core.models import User, Workspace
from amity.core.permissions import Role
from amity.service import services
from amity.service.models import Queue, Survey
from amity.service.reports import satisfaction_report
from tests.factories import member

NOW = timezone.now().replace(microsecond=0)
TODAY = timezone.localdate()


def _survey(workspace: Workspace, *, agent: User | None, score: int | None, days_ago: int = 1, queue: Queue | None = None) -> Survey:
    """A survey sent some days ago about a case of `agent` (in `queue`), answered with `score` (None: not answered)."""
    data: dict[str, Any] = {"subject": "Help", "requester_email": "x@example.com", "assignee_id": agent.pk if agent else None}
    if queue is not None:
        data["queue_id"] = queue.pk
    case = services.case_open(actor=None, workspace=workspace, data=data)
    sent = NOW - dt.timedelta(days=days_ago)
    return Survey.objects.create(
        workspace=workspace,
        case=case,
        agent=agent,
        kind=case.kind,
        email="x@example.com",
        token=secrets.token_hex(16),
        sent_at=sent,
        score=score,
        answered_at=sent + dt.timedelta(hours=2) if score else None,
    )


@pytest.fixture
def team(workspace: Workspace) -> list[User]:
    return [member(workspace, Role.SUPPORT, email=f"a{n}@acme.test", full_name=f"Agent {n}") for n in (1, 2)]


def test_the_report_counts_answers_scores_and_the_share_satisfied(agent: User, workspace: Workspace, team: list[User]) -> None:
    billing = Queue.objects.create(workspace=workspace, name="Billing")
    _survey(workspace, agent=team[0], score=5)
    _survey(workspace, agent=team[0], score=4)
    _survey(workspace, agent=team[1], score=2, queue=billing)
    _survey(workspace, agent=team[1], score=None, queue=billing)
    _survey(workspace, agent=team[0], score=1, days_ago=60)  # outside the last 30 days

    report = satisfaction_report(actor=agent, workspace=workspace, start=TODAY - dt.timedelta(days=29), end=TODAY)

    total = report.total
    assert (total.sent, total.answered, total.satisfied, total.average) == (4, 3, 2, 3.67)
    assert (total.response_rate, total.csat) == (75.0, 66.7)
    assert [(row.label, row.figures.answered, row.figures.average) for row in report.agents] == [("Agent 1", 2, 4.5), ("Agent 2", 1, 2.0)]
    assert [(row.label, row.figures.sent, row.figures.response_rate) for row in report.queues] == [
        ("Billing", 2, 50.0),
        ("No queue", 2, 100.0),
    ]
    assert report.bucket == "week" and sum(figures.sent for _, figures in report.periods) == 4


def test_a_queue_filter_and_another_workspace_are_kept_apart(
    agent: User, workspace: Workspace, other_workspace: Workspace, team: list[User]
) -> None:
    billing = Queue.objects.create(workspace=workspace, name="Billing")
    _survey(workspace, agent=team[0], score=5, queue=billing)
    _survey(workspace, agent=team[1], score=1)
    _survey(other_workspace, agent=None, score=1)

    everything = satisfaction_report(actor=agent, workspace=workspace, start=TODAY - dt.timedelta(days=29), end=TODAY)
    one_queue = satisfaction_report(actor=agent, workspace=workspace, start=TODAY - dt.timedelta(days=29), end=TODAY, queue_id=billing.pk)

    assert everything.total.sent == 2
    assert (one_queue.total.sent, one_queue.total.csat) == (1, 100.0)


def test_the_report_costs_the_same_queries_with_two_or_many_surveys(agent: User, workspace: Workspace, team: list[User]) -> None:
    start = TODAY - dt.timedelta(days=365)
    _survey(workspace, agent=team[0], score=5)
    _survey(workspace, agent=team[1], score=3)
    satisfaction_report(actor=agent, workspace=workspace, start=start, end=TODAY)  # the actor's role is read once, then kept
    with CaptureQueriesContext(connection) as few:
        satisfaction_report(actor=agent, workspace=workspace, start=start, end=TODAY)
    queues = [Queue.objects.create(workspace=workspace, name=f"Queue {n}") for n in range(3)]
    for number in range(30):
        _survey(
            workspace, agent=team[number % 2], score=number % 5 + 1 if number % 4 else None, days_ago=number * 11, queue=queues[number % 3]
        )
    with CaptureQueriesContext(connection) as many:
        report = satisfaction_report(actor=agent, workspace=workspace, start=start, end=TODAY)

    assert len(many) == len(few) <= 9
    assert report.bucket == "month" and report.total.sent == 2 + sum(1 for number in range(30) if number * 11 < 365)


def test_the_api_gives_the_same_report(
    api_as: Any, agent: User, workspace: Workspace, other_workspace: Workspace, team: list[User]
) -> None:
    _survey(workspace, agent=team[0], score=4)
    _survey(workspace, agent=team[0], score=None)
    api = api_as(agent, workspace)

    body = api.get("/api/v1/reports/satisfaction").json()

    assert body["total"] == {"sent": 2, "answered": 1, "satisfied": 1, "average": 4.0, "response_rate": 50.0, "csat": 100.0}
    assert [(row["id"], row["label"]) for row in body["agents"]] == [(team[0].pk, "Agent 1")]
    assert api.get(f"/api/v1/reports/satisfaction?start={TODAY}&end={TODAY - dt.timedelta(days=2)}").status_code == 422
    other_queue = Queue.objects.create(workspace=other_workspace, name="Theirs")
    assert api.get(f"/api/v1/reports/satisfaction?queue_id={other_queue.pk}").status_code == 404
