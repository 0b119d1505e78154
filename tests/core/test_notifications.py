"""Notification preferences and email digests: per kind in the app and by email; immediately, hourly, daily or never; real SMTP."""

from __future__ import annotations

from datetime import timedelta
from email import message_from_bytes
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from amity.core import notifications
from amity.core.models import AuditEntry, Membership, Notification, NotificationPreference, User, Workspace
from amity.core.notifications import Message, notify, notify_many, preference_update
from amity.core.permissions import Role
from amity.core.tasks import send_due_digests
from tests.factories import member
from tests.mail import Inbox

NOW = timezone.now()


def _bodies(inbox: Inbox) -> list[tuple[list[str], str, str]]:
    found = []
    for envelope in inbox.messages:
        message = message_from_bytes(envelope.content)
        found.append((envelope.rcpt_tos, message["Subject"], message.get_payload(decode=True).decode().replace("\r\n", "\n")))
    return found


def _digests(capture: Any, now: Any) -> int:
    with capture(execute=True):
        return notifications.send_due_digests(now=now)


def _set(user: User, workspace: Workspace, **kwargs: Any) -> NotificationPreference:
    return preference_update(actor=user, workspace=workspace, **kwargs)


def test_defaults_mentions_in_the_app_only_reminders_and_alerts_also_by_email(rep, workspace, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        mention = notify(workspace=workspace, recipient=rep, kind="mention", title="Carl mentioned you")
        alert = notify(workspace=workspace, recipient=rep, kind="deal_no_activity", title="No activity: Big deal")

    assert mention is not None and (mention.in_app, mention.email_pending, mention.emailed_at) == (True, False, None)
    assert alert is not None
    alert.refresh_from_db()
    assert (alert.in_app, alert.email_pending, alert.emailed_at is not None) == (True, False, True)


def test_a_kind_turned_off_everywhere_makes_no_notification(rep, workspace):
    _set(rep, workspace, kinds=[{"kind": "task_overdue", "in_app": False, "email": False}])

    assert notify(workspace=workspace, recipient=rep, kind="task_overdue", title="Overdue task: Call") is None
    assert Notification.objects.count() == 0


def test_email_only_stays_out_of_the_app(rep, workspace, client):
    _set(rep, workspace, digest="daily", kinds=[{"kind": "mention", "in_app": False, "email": True}])

    made = notify(workspace=workspace, recipient=rep, kind="mention", title="Carl mentioned you")

    assert made is not None and (made.in_app, made.email_pending) == (False, True)
    client.force_login(rep)
    assert "Carl mentioned you" not in client.get("/w/acme/notifications/").content.decode()
    assert "data-unread" not in client.get("/w/acme/notifications/bell/").content.decode()


def test_bad_preferences_name_the_field_and_change_nothing(rep, workspace):
    with pytest.raises(ValidationError) as problem:
        _set(rep, workspace, digest="weekly", kinds=[{"kind": "gossip", "email": True}])

    assert set(problem.value.message_dict) == {"digest", "kinds.0.kind"}
    assert NotificationPreference.objects.count() == 0


def test_preferences_are_audited_and_never_clears_the_waiting_digest(rep, workspace):
    _set(rep, workspace, digest="daily")
    notify(workspace=workspace, recipient=rep, kind="task_reminder", title="Reminder: Call")
    assert Notification.objects.filter(email_pending=True).count() == 1

    _set(rep, workspace, digest="never")

    assert Notification.objects.filter(email_pending=True).count() == 0
    entry = AuditEntry.objects.filter(object_type="core.notificationpreference").latest("id")
    assert entry.changes["digest"] == ["daily", "never"]


def test_immediate_mail_goes_out_over_smtp_with_an_absolute_link(rep, workspace, smtp_server, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            workspace=workspace, recipient=rep, kind="deal_close_date_passed", title="Close date passed: Big deal", url="/w/acme/deals/7/"
        )

    assert _bodies(smtp_server) == [(["rep@acme.test"], "Close date passed: Big deal", "http://testserver/w/acme/deals/7/\n")]
    assert send_due_digests.call() == 0  # nothing left waiting


def test_an_hourly_digest_lists_everything_since_the_last_one_in_one_email(rep, workspace, smtp_server, django_capture_on_commit_callbacks):
    _set(rep, workspace, digest="hourly")
    notify_many(
        workspace=workspace,
        messages=[
            Message(rep.pk, "deal_no_activity", "No activity for 14 days: Big deal", "Initech · 25,000.00 EUR.", "/w/acme/deals/1/"),
            Message(rep.pk, "task_overdue", "Overdue task: Send the contract", "", "/w/acme/contacts/2/"),
        ],
    )

    assert _digests(django_capture_on_commit_callbacks, NOW) == 2
    subject, body = _bodies(smtp_server)[0][1:]
    assert subject == "2 new notifications in Acme"
    assert "- No activity for 14 days: Big deal\n  Initech · 25,000.00 EUR.\n  http://testserver/w/acme/deals/1/" in body
    assert "- Overdue task: Send the contract\n  http://testserver/w/acme/contacts/2/" in body
    assert "http://testserver/w/acme/settings/notifications/" in body

    notify(workspace=workspace, recipient=rep, kind="task_overdue", title="Overdue task: Call back", url="/w/acme/tasks/")
    assert _digests(django_capture_on_commit_callbacks, NOW + timedelta(minutes=30)) == 0  # the hour is not up
    assert _digests(django_capture_on_commit_callbacks, NOW + timedelta(minutes=61)) == 1
    assert len(smtp_server.messages) == 2
    assert _digests(django_capture_on_commit_callbacks, NOW + timedelta(hours=3)) == 0  # each goes once


def test_a_daily_digest_waits_a_day_and_never_sends_nothing(rep, workspace, colleague_in, smtp_server, django_capture_on_commit_callbacks):
    _set(rep, workspace, digest="daily")
    _set(colleague_in, workspace, digest="never")
    for person in (rep, colleague_in):
        notify(workspace=workspace, recipient=person, kind="task_overdue", title="Overdue task: Call", url="/w/acme/tasks/")

    assert _digests(django_capture_on_commit_callbacks, NOW) == 1
    notify(workspace=workspace, recipient=rep, kind="task_overdue", title="Overdue task: Write", url="/w/acme/tasks/")
    assert _digests(django_capture_on_commit_callbacks, NOW + timedelta(hours=23)) == 0
    assert _digests(django_capture_on_commit_callbacks, NOW + timedelta(hours=24, minutes=1)) == 1
    assert [rcpt for rcpt, _, _ in _bodies(smtp_server)] == [["rep@acme.test"], ["rep@acme.test"]]


def test_a_digest_claimed_by_another_worker_is_not_sent_twice(rep, workspace, smtp_server):
    _set(rep, workspace, digest="hourly")
    notify(workspace=workspace, recipient=rep, kind="task_overdue", title="Overdue task: Call")
    Notification.objects.update(email_pending=False, emailed_at=NOW)  # the other worker's claim

    assert notifications.send_digest(workspace_id=workspace.pk, user_id=rep.pk) == 0
    assert smtp_server.messages == []


@pytest.fixture
def colleague_in(workspace: Workspace) -> User:
    return member(workspace, Role.SALES, email="carl@acme.test", full_name="Carl Colleague")


@pytest.mark.parametrize("people", [2, 20])
def test_notifying_many_people_takes_three_queries(people, workspace):
    members = [member(workspace, Role.SALES, email=f"p{n}@acme.test") for n in range(people)]
    with CaptureQueriesContext(connection) as queries:
        notify_many(workspace=workspace, messages=[Message(person.pk, "task_overdue", "Overdue") for person in members])
    assert len(queries) == 3
    assert Notification.objects.count() == people


# --- API ----------------------------------------------------------------------------------------------------


def test_my_preferences_through_the_api(api_as, rep, workspace):
    client = api_as(rep, workspace)

    before = client.get("/api/v1/notification-preferences").json()
    assert before["digest"] == "immediate"
    assert {row["kind"]: (row["in_app"], row["email"]) for row in before["kinds"]}["mention"] == (True, False)
    assert {"deal_no_activity", "deal_close_date_passed", "deal_moved_backward", "task_overdue"} <= {row["kind"] for row in before["kinds"]}

    changed = client.patch("/api/v1/notification-preferences", {"digest": "daily", "kinds": [{"kind": "mention", "email": True}]})
    assert changed.status_code == 200
    assert changed.json()["digest"] == "daily"
    assert {row["kind"]: (row["in_app"], row["email"]) for row in changed.json()["kinds"]}["mention"] == (True, True)

    bad = client.patch("/api/v1/notification-preferences", {"digest": "weekly"})
    assert bad.status_code == 422
    assert bad["Content-Type"] == "application/problem+json"
    assert [error["field"] for error in bad.json()["errors"]] == ["digest"]
    assert NotificationPreference.objects.get(user=rep).digest == "daily"


def test_preferences_are_per_person_and_per_workspace(api_as, rep, workspace, other_workspace):
    Membership.objects.create(user=rep, workspace=other_workspace, role=Role.SALES)  # the same person, another workspace
    api_as(rep, workspace).patch("/api/v1/notification-preferences", {"digest": "never"})

    assert api_as(rep, other_workspace).get("/api/v1/notification-preferences").json()["digest"] == "immediate"


def test_notification_list_keyset_pages_unread_filter_and_constant_queries(api_as, rep, workspace, django_assert_num_queries):
    client = api_as(rep, workspace)
    for n in range(5):
        notify(workspace=workspace, recipient=rep, kind="task_overdue", title=f"Overdue {n}")
    first = client.get("/api/v1/notifications", {"limit": 3}).json()
    assert [item["title"] for item in first["items"]] == ["Overdue 4", "Overdue 3", "Overdue 2"]
    second = client.get("/api/v1/notifications", {"limit": 3, "cursor": first["next_cursor"]}).json()
    assert [item["title"] for item in second["items"]] == ["Overdue 1", "Overdue 0"]

    client.post(f"/api/v1/notifications/{first['items'][0]['id']}/read")
    assert [i["title"] for i in client.get("/api/v1/notifications", {"unread": "false"}).json()["items"]] == ["Overdue 4"]
    assert client.get("/api/v1/notifications/unread-count").json() == {"unread": 4}
    assert client.post("/api/v1/notifications/read").json() == {"unread": 0, "marked": 4}

    counts = []
    for extra in (0, 40):
        for n in range(extra):
            notify(workspace=workspace, recipient=rep, kind="mention", title=f"More {n}")
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/api/v1/notifications", {"limit": 50}).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
