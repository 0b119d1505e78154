"""Failed background work is retried with backoff and left visible to an admin with its error."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from amity.core.models import TaskFailure, Workspace
from amity.core.taskrunner import retry_delay
from tests.core.flaky_tasks import always_fail, fail_twice_then_succeed

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "email"]}}


def _run_worker_until_idle() -> None:
    call_command("db_worker", batch=True, queue_name="*", reload=False, startup_delay=False, verbosity=0)


def test_backoff_doubles(settings: Any) -> None:
    settings.TASK_RETRY_BASE_SECONDS = 10
    assert [retry_delay(attempt) for attempt in (1, 2, 3)] == [timedelta(seconds=10), timedelta(seconds=20), timedelta(seconds=40)]


def test_a_failing_task_is_retried_until_it_succeeds(settings: Any, workspace: Workspace, transactional_db: Any) -> None:
    settings.TASKS = DB_TASKS
    settings.TASK_RETRY_BASE_SECONDS = 0
    fail_twice_then_succeed.enqueue(workspace_id=workspace.pk, key=f"flaky-{workspace.pk}")

    _run_worker_until_idle()

    failures = list(TaskFailure.objects.order_by("attempt"))
    assert [(f.attempt, f.will_retry) for f in failures] == [(1, True), (2, True)]
    assert failures[0].error == "ConnectionError: attempt 1 could not reach the mail server"
    assert failures[0].workspace == workspace
    assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() == 1


def test_a_task_that_keeps_failing_stops_and_stays_visible(settings: Any, workspace: Workspace, transactional_db: Any, api: Any) -> None:
    settings.TASKS = DB_TASKS
    settings.TASK_RETRY_BASE_SECONDS = 0
    always_fail.enqueue(workspace_id=workspace.pk)

    _run_worker_until_idle()

    assert [(f.attempt, f.will_retry) for f in TaskFailure.objects.order_by("attempt")] == [(1, True), (2, False)]
    items = api.get("/api/v1/task-failures").json()["items"]
    assert items[0]["error"] == "ValueError: the partner API answered 500"
    assert items[0]["retry_at"] is None
