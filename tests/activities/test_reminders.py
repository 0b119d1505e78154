"""Task reminders: due ones go out once, in the app and by email; early ones wait; a real worker sends them on its own."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
from datetime import timedelta
from pathlib import Path

from django.core import mail
from django.utils import timezone

from amity.activities import services, tasks
from amity.activities.models import Task
from amity.core.models import Notification
from tests.core.test_processes import AMITY, _wait_for, amity


def _task(rep, workspace, contact, *, remind_in: timedelta, status: str = "open") -> Task:
    now = timezone.now()
    task = services.task_create(
        actor=rep, workspace=workspace, title="Call Peter back", due_at=now + timedelta(days=1), contact=contact,
        reminder_at=now + timedelta(days=1) - timedelta(hours=1),
    )  # fmt: skip
    Task.objects.filter(pk=task.pk).update(reminder_at=now + remind_in, status=status)
    return task


def test_a_due_reminder_sends_one_notification_and_one_email_once(rep, workspace, contact, django_capture_on_commit_callbacks):
    task = _task(rep, workspace, contact, remind_in=-timedelta(minutes=1))

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_due_reminders.call() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_due_reminders.call() == 0

    notification = Notification.objects.get()
    assert (notification.recipient, notification.kind, notification.title) == (rep, "task_reminder", "Reminder: Call Peter back")
    assert notification.url == f"/w/{task.workspace.slug}/tasks/"
    assert [(message.to, message.subject) for message in mail.outbox] == [(["rep@acme.test"], "Reminder: Call Peter back")]
    assert "Peter Gibbons" in mail.outbox[0].body
    task.refresh_from_db()
    assert task.reminded_at is not None


def test_reminders_not_yet_due_or_of_closed_tasks_wait(rep, workspace, contact, django_capture_on_commit_callbacks):
    _task(rep, workspace, contact, remind_in=timedelta(minutes=5))
    _task(rep, workspace, contact, remind_in=-timedelta(minutes=5), status="done")

    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_due_reminders() == 0

    assert Notification.objects.count() == 0
    assert mail.outbox == []


def test_a_lost_race_for_a_reminder_sends_nothing(rep, workspace, contact):
    task = _task(rep, workspace, contact, remind_in=-timedelta(minutes=1))
    Task.objects.filter(pk=task.pk).update(reminded_at=timezone.now())  # another worker claimed it first

    assert services.task_send_reminder(task_id=task.pk) is False
    assert Notification.objects.count() == 0


SETUP = """
from datetime import timedelta
from django.utils import timezone
from amity.core import services
from amity.core.models import User
from amity.activities import services as activities
from amity.customers.models import Contact
owner = User.objects.get(email="ops@example.com")
workspace = services.workspace_create(owner=owner, name="Acme")
contact = Contact.objects.create(workspace=workspace, first_name="Peter")
now = timezone.now()
activities.task_create(actor=owner, workspace=workspace, title="Due now", due_at=now + timedelta(hours=1),
                       contact=contact, reminder_at=now - timedelta(seconds=1))
activities.task_create(actor=owner, workspace=workspace, title="Due later", due_at=now + timedelta(days=2),
                       contact=contact, reminder_at=now + timedelta(days=1))
"""


def _worker(env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen([*AMITY, "worker"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _stop(worker: subprocess.Popen[str]) -> None:
    worker.send_signal(signal.SIGTERM)
    output = worker.communicate(timeout=30)[0]
    assert worker.returncode == 0, output


def _counts(database: Path) -> tuple[int, int]:
    with sqlite3.connect(database) as db:
        notifications = db.execute("SELECT count(*) FROM core_notification WHERE kind = 'task_reminder'").fetchone()[0]
        reminded = db.execute("SELECT count(*) FROM activities_task WHERE reminded_at IS NOT NULL").fetchone()[0]
    return notifications, reminded


def test_a_real_worker_sends_a_due_reminder_once_across_restarts(prepared: dict[str, str], tmp_path: Path) -> None:
    env = {**prepared, "AMITY_SCHEDULER_SECONDS": "0.5"}
    amity(env, "manage", "shell", "-c", SETUP)
    mail_dir, database = tmp_path / "mail", tmp_path / "amity.sqlite3"

    worker = _worker(env)
    try:
        assert _wait_for(lambda: mail_dir.exists() and any(mail_dir.iterdir())), "the worker sent no reminder"
        assert _wait_for(lambda: _counts(database) == (1, 1))
    finally:
        _stop(worker)
    worker = _worker(env)  # a restarted worker runs the schedule again: nothing more goes out
    try:
        runs_before = _task_runs(database)
        assert _wait_for(lambda: _task_runs(database) >= runs_before + 3), "the restarted worker did not run the schedule"
    finally:
        _stop(worker)

    messages = [path.read_text() for path in mail_dir.iterdir()]
    assert len(messages) == 1
    assert "Reminder: Due now" in messages[0]
    assert _counts(database) == (1, 1)


def _task_runs(database: Path) -> int:
    with sqlite3.connect(database) as db:
        return int(
            db.execute(
                "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE task_path LIKE '%send_due_reminders%' AND status = 'SUCCESSFUL'"
            ).fetchone()[0]
        )
