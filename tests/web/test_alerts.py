"""The web side of alerts: the polled bell, opening a notification, Settings → Alerts and Your notifications."""

from __future__ import annotations

from amity.core.models import AlertRule, AuditEntry, Notification, NotificationPreference
from amity.core.notifications import notify
from amity.core.permissions import Role
from tests.factories import member
from tests.web.conftest import client_as, queries_of  # noqa: F401 - fixtures


def test_the_bell_answers_204_until_something_changes_then_tells_the_list(client_as, rep, workspace, queries_of):  # noqa: F811
    client = client_as(rep)
    first = client.get("/w/acme/notifications/bell/")
    state = first.content.decode().split('data-state="')[1].split('"')[0]
    assert state == "0-0" and "HX-Trigger" not in first

    unchanged = client.get("/w/acme/notifications/bell/", {"known": state})
    assert unchanged.status_code == 204

    made = notify(workspace=workspace, recipient=rep, kind="task_overdue", title="Overdue task: Call Peter", url="/w/acme/tasks/")
    assert made is not None
    changed = client.get("/w/acme/notifications/bell/", {"known": state})
    assert changed.status_code == 200
    assert changed["HX-Trigger"] == "amity:notifications"
    assert 'data-unread="1"' in changed.content.decode()
    assert f'?known=1-{made.pk}"' in changed.content.decode()


def test_the_bell_poll_costs_the_same_whatever_the_number_of_notifications(client_as, rep, workspace, queries_of):  # noqa: F811
    client = client_as(rep)
    notify(workspace=workspace, recipient=rep, kind="mention", title="One")
    client.get("/w/acme/notifications/bell/")  # the first visit remembers the workspace (a write the polls do not repeat)
    few = queries_of(client, "/w/acme/notifications/bell/?known=x")
    for n in range(30):
        notify(workspace=workspace, recipient=rep, kind="mention", title=f"More {n}")
    assert queries_of(client, "/w/acme/notifications/bell/?known=x") == few


def test_the_list_redraws_as_a_fragment_and_filters_unread(client_as, rep, workspace):  # noqa: F811
    read = notify(workspace=workspace, recipient=rep, kind="mention", title="Old news")
    assert read is not None
    Notification.objects.filter(pk=read.pk).update(read_at=read.created_at)
    notify(workspace=workspace, recipient=rep, kind="deal_no_activity", title="No activity for 14 days: Big deal")
    client = client_as(rep)

    fragment = client.get("/w/acme/notifications/", {"fragment": "list"}, headers={"HX-Request": "true"}).content.decode().strip()
    assert fragment.startswith('<div class="card" id="notification-list"') and "<html" not in fragment
    assert "ti-hourglass" in fragment and "Old news" in fragment
    unread = client.get("/w/acme/notifications/", {"show": "unread"}).content.decode()
    assert "Big deal" in unread and "Old news" not in unread


def test_opening_a_notification_marks_it_read_and_goes_to_its_record(client_as, rep, workspace, other_workspace):  # noqa: F811
    made = notify(workspace=workspace, recipient=rep, kind="deal_close_date_passed", title="Close date passed", url="/w/acme/deals/5/")
    stranger = member(other_workspace, Role.SALES, email="stranger@globex.test")
    theirs = notify(workspace=other_workspace, recipient=stranger, kind="mention", title="Theirs", url="/w/globex/contacts/1/")
    assert made is not None and theirs is not None
    client = client_as(rep)

    response = client.get(f"/w/acme/notifications/{made.pk}/open/")
    assert (response.status_code, response["Location"]) == (302, "/w/acme/deals/5/")
    made.refresh_from_db()
    assert made.read_at is not None

    assert client.get(f"/w/acme/notifications/{theirs.pk}/open/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_admins_tune_rules_in_settings(client_as, admin, workspace):  # noqa: F811
    client = client_as(admin)
    page = client.get("/w/acme/settings/alerts/").content.decode()
    for label in (
        "A deal has had no activity",
        "A deal&#x27;s close date has passed",
        "A large deal moved backward",
        "One of my tasks is overdue",
    ):
        assert label in page
    rule = AlertRule.objects.get(workspace=workspace, kind="deal_moved_backward")

    response = client.post(f"/w/acme/settings/alerts/{rule.pk}/", {"enabled": "on", "min_amount": "50000"})
    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.enabled, rule.params) == (True, {"min_amount": "50000"})
    assert AuditEntry.objects.filter(object_type="core.alertrule", object_id=str(rule.pk)).count() == 1

    bad = client.post(f"/w/acme/settings/alerts/{rule.pk}/", {"min_amount": "-5"})
    assert bad.status_code == 422
    assert "Smallest amount: enter a value from 0" in bad.content.decode()
    assert 'value="-5"' in bad.content.decode()
    rule.refresh_from_db()
    assert (rule.enabled, rule.params) == (True, {"min_amount": "50000"})


def test_reps_may_not_see_or_change_alert_settings(client_as, rep, admin, workspace, other_workspace):  # noqa: F811
    client_as(admin).get("/w/acme/settings/alerts/")
    rule = AlertRule.objects.get(workspace=workspace, kind="deal_no_activity")
    client = client_as(rep)

    assert client.get("/w/acme/settings/alerts/").status_code == 403
    assert client.post(f"/w/acme/settings/alerts/{rule.pk}/", {"days": "1"}).status_code == 403
    assert "settings/alerts" not in client.get("/w/acme/settings/profile/").content.decode()
    theirs = AlertRule.objects.create(workspace=other_workspace, kind="deal_no_activity")
    assert client_as(admin).post(f"/w/acme/settings/alerts/{theirs.pk}/", {"days": "1"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.params == {}


def test_everyone_chooses_their_own_notifications(client_as, rep, workspace):  # noqa: F811
    client = client_as(rep)
    page = client.get("/w/acme/settings/notifications/").content.decode()
    assert 'name="mention-in_app" checked' in page and 'name="mention-email" ' in page

    response = client.post(
        "/w/acme/settings/notifications/", {"digest": "daily", "mention-in_app": "on", "mention-email": "on", "task_overdue-email": "on"}
    )
    assert response.status_code == 302
    preference = NotificationPreference.objects.get(user=rep, workspace=workspace)
    assert preference.digest == "daily"
    assert preference.channels["mention"] == {"in_app": True, "email": True}
    assert preference.channels["task_overdue"] == {"in_app": False, "email": True}

    bad = client.post("/w/acme/settings/notifications/", {"digest": "weekly"})
    assert bad.status_code == 422 and "Choose one of" in bad.content.decode()
    preference.refresh_from_db()
    assert preference.digest == "daily"
