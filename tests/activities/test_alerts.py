"""The overdue-task alert: an open task past due tells its assignee once, linking to what the task is about."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from amity.activities import services
from amity.activities.models import Task
from amity.core import alerts
from amity.core.models import AlertRule, AlertState, Notification

NOW = timezone.now()


def _task(rep, workspace, contact, title: str, due_in: timedelta) -> Task:
    task = services.task_create(actor=rep, workspace=workspace, title=title, due_at=NOW + timedelta(days=1), contact=contact, assignee=rep)
    Task.objects.filter(pk=task.pk).update(due_at=NOW + due_in)
    return task


def test_an_overdue_task_alerts_its_assignee_once_until_done(rep, workspace, contact):
    late = _task(rep, workspace, contact, "Send the contract", -timedelta(hours=2))
    _task(rep, workspace, contact, "Call back later", timedelta(hours=2))

    assert alerts.evaluate_workspace(workspace=workspace, now=NOW) == 1
    assert alerts.evaluate_workspace(workspace=workspace, now=NOW + timedelta(minutes=15)) == 0
    notification = Notification.objects.get(kind="task_overdue")
    assert (notification.recipient, notification.title, notification.url) == (
        rep,
        "Overdue task: Send the contract",
        f"/w/acme/contacts/{contact.pk}/",
    )

    services.task_complete(actor=rep, workspace=workspace, task=late)
    alerts.evaluate_workspace(workspace=workspace, now=NOW + timedelta(minutes=30))
    assert not AlertState.objects.filter(kind="task_overdue").exists()


def test_the_grace_period_delays_the_alert(admin, rep, workspace, contact):
    _task(rep, workspace, contact, "Send the contract", -timedelta(hours=2))
    alerts.alert_rules_setup(workspace=workspace)
    rule = AlertRule.objects.get(workspace=workspace, kind="task_overdue")
    alerts.alert_rule_update(actor=admin, workspace=workspace, rule=rule, params={"hours_late": "3"})

    assert alerts.evaluate_workspace(workspace=workspace, now=NOW) == 0
    assert alerts.evaluate_workspace(workspace=workspace, now=NOW + timedelta(hours=1, minutes=1)) == 1


def test_the_worker_task_evaluates_every_workspace(rep, workspace, contact):
    from amity.core.tasks import evaluate_alert_rules

    _task(rep, workspace, contact, "Send the contract", -timedelta(hours=2))

    assert evaluate_alert_rules.call() == 1
    assert Notification.objects.filter(kind="task_overdue").count() == 1


def test_the_scheduler_enqueues_alerts_at_their_own_pace(settings):
    from amity.runner import _due_periodic_tasks

    settings.SCHEDULER_SECONDS, settings.ALERTS_SECONDS, settings.MAIL_FETCH_SECONDS = 60, 900, 60
    everything = _due_periodic_tasks({}, 1000.0)
    assert "amity.core.tasks.evaluate_alert_rules" in everything
    assert "amity.core.tasks.send_due_digests" in everything
    last = dict.fromkeys(everything, 1000.0)
    assert _due_periodic_tasks(last, 1060.0) == [
        "amity.activities.tasks.send_due_reminders",
        "amity.core.tasks.send_due_digests",
        "amity.sales.tasks.expire_quotes",
        "amity.orders.tasks.mark_overdue_invoices",
        "amity.service.tasks.fetch_mailboxes",
        "amity.service.tasks.escalate_sla_breaches",
        "amity.service.tasks.send_due_surveys",
        "amity.customers.privacy.tasks.apply_retention_rules",
        "amity.imports.tasks.requeue_stalled_imports",
    ]
    assert "amity.core.tasks.evaluate_alert_rules" in _due_periodic_tasks(last, 1900.0)
