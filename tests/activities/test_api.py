"""The API of interactions, notes, tasks and notifications: CRUD, filters, field errors, tenancy, query budgets."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from amity.activities import services
from amity.activities.models import Interaction, Note, Task
from amity.core.models import AuditEntry, Notification
from tests.factories import ContactFactory


def _counts():
    return (Interaction.objects.count(), Note.objects.count(), Task.objects.count(), AuditEntry.objects.count())


def test_interaction_crud(rep_api, contact, account, colleague):
    created = rep_api.post(
        "/api/v1/interactions",
        {
            "channel": "meeting",
            "direction": "out",
            "occurred_at": "2025-03-04T10:00:00Z",
            "duration_seconds": 1800,
            "subject": "Kick-off",
            "body": "<p>Agenda<script>x()</script></p>",
            "outcome": "Agreed on a pilot",
            "contact_ids": [contact.pk],
            "account_ids": [account.pk],
            "user_ids": [colleague.pk],
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["body"], body["contact_ids"], body["account_ids"], body["user_ids"]) == (
        "<p>Agenda</p>", [contact.pk], [account.pk], [colleague.pk]
    )  # fmt: skip
    url = f"/api/v1/interactions/{body['id']}"

    assert rep_api.get(url).json()["subject"] == "Kick-off"
    patched = rep_api.patch(url, {"subject": "Kick-off meeting", "user_ids": []})
    assert (patched.json()["subject"], patched.json()["user_ids"], patched.json()["channel"]) == ("Kick-off meeting", [], "meeting")
    assert rep_api.delete(url).status_code == 204
    assert rep_api.get(url).status_code == 404
    assert list(AuditEntry.objects.filter(object_type="activities.interaction").values_list("action", flat=True).order_by("id")) == [
        "create", "update", "delete"
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"channel": "pigeon"}, "channel"),
        ({"channel": "email", "duration_seconds": -1}, "duration_seconds"),
        ({"channel": "email", "contact_ids": []}, "contact_ids"),
        ({"channel": "email", "contact_ids": [999999]}, "contact_ids"),
        ({"channel": "email", "account_ids": [999999]}, "account_ids"),
        ({"channel": "email", "user_ids": [999999]}, "user_ids"),
    ],
)
def test_bad_interaction_input_names_the_field_and_creates_nothing(rep_api, contact, body, field):
    before = _counts()

    response = rep_api.post("/api/v1/interactions", {"contact_ids": [contact.pk], **body})

    assert response.status_code == 422, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert field in {error["field"] for error in response.json()["errors"]}
    assert _counts() == before


def test_linking_another_workspaces_contact_is_a_field_error_that_creates_nothing(rep_api, contact, other_contact):
    before = _counts()

    note = rep_api.post("/api/v1/notes", {"body": "Hello", "contact_id": other_contact.pk})
    interaction = rep_api.post("/api/v1/interactions", {"channel": "email", "contact_ids": [contact.pk, other_contact.pk]})
    task = rep_api.post("/api/v1/tasks", {"title": "Call", "contact_id": other_contact.pk})

    for response, field in ((note, "contact_id"), (interaction, "contact_ids"), (task, "contact_id")):
        assert response.status_code == 422
        assert [error["field"] for error in response.json()["errors"]] == [field]
        assert "Scorpio" not in response.content.decode()
    assert _counts() == before


def test_moving_an_interaction_to_another_workspaces_contact_changes_nothing(rep_api, rep, workspace, contact, other_contact):
    interaction = services.interaction_log(actor=rep, workspace=workspace, channel="sms", contacts=[contact])

    response = rep_api.patch(f"/api/v1/interactions/{interaction.pk}", {"contact_ids": [other_contact.pk], "subject": "Moved"})

    assert response.status_code == 422
    interaction.refresh_from_db()
    assert (list(interaction.contacts.all()), interaction.subject) == ([contact], "")


def test_interaction_filters_and_sorting(rep_api, rep, workspace, contact, account):
    other = ContactFactory(workspace=workspace)
    now = timezone.now()
    call = services.interaction_log(
        actor=rep, workspace=workspace, channel="phone", contacts=[contact], occurred_at=now - timedelta(days=2)
    )
    mail = services.interaction_log(actor=rep, workspace=workspace, channel="email", contacts=[other], occurred_at=now - timedelta(days=1))
    chat = services.interaction_log(actor=rep, workspace=workspace, channel="chat", direction="in", accounts=[account], occurred_at=now)

    def ids(**params):
        response = rep_api.get("/api/v1/interactions", params)
        assert response.status_code == 200, response.content
        return [item["id"] for item in response.json()["items"]]

    assert ids() == [chat.pk, mail.pk, call.pk]
    assert ids(sort="occurred_at") == [call.pk, mail.pk, chat.pk]
    assert ids(channel="email") == [mail.pk]
    assert ids(direction="in") == [chat.pk]
    assert ids(contact_id=contact.pk) == [call.pk]
    assert ids(account_id=account.pk) == [chat.pk]
    assert ids(occurred_after=(now - timedelta(hours=36)).isoformat()) == [chat.pk, mail.pk]
    assert rep_api.get("/api/v1/interactions", {"sort": "subject"}).json()["errors"][0]["field"] == "sort"


def test_note_crud_and_mentions_through_the_api(rep_api, api_as, colleague, workspace, contact):
    created = rep_api.post(
        "/api/v1/notes", {"body": f"<b>Hot lead</b>, @[Carl](user:{colleague.pk}) please call", "contact_id": contact.pk}
    )
    assert created.status_code == 201, created.content
    note = created.json()
    assert note["mention_ids"] == [colleague.pk]

    inbox = api_as(colleague, workspace).get("/api/v1/notifications").json()["items"]
    assert [(item["kind"], item["url"]) for item in inbox] == [("mention", f"/w/{workspace.slug}/contacts/{contact.pk}/")]
    assert rep_api.get("/api/v1/notes", {"contact_id": contact.pk}).json()["items"][0]["id"] == note["id"]
    assert rep_api.patch(f"/api/v1/notes/{note['id']}", {"body": "Cold lead"}).json()["body"] == "Cold lead"
    assert api_as(colleague, workspace).patch(f"/api/v1/notes/{note['id']}", {"body": "Mine now"}).status_code == 403
    assert rep_api.delete(f"/api/v1/notes/{note['id']}").status_code == 204
    assert Note.objects.count() == 0


def test_task_crud_filters_and_status(rep_api, rep, colleague, workspace, contact):
    now = timezone.now()
    created = rep_api.post(
        "/api/v1/tasks",
        {"title": "Send the quote", "due_at": (now + timedelta(days=1)).isoformat(), "priority": "urgent", "contact_id": contact.pk},
    )
    assert created.status_code == 201, created.content
    mine = created.json()
    assert (mine["assignee_id"], mine["status"], mine["priority"]) == (rep.pk, "open", "urgent")
    theirs = services.task_create(actor=rep, workspace=workspace, title="Demo", due_at=now + timedelta(days=3), assignee=colleague)
    overdue = services.task_create(actor=rep, workspace=workspace, title="Overdue", due_at=now - timedelta(days=1))

    def ids(**params):
        response = rep_api.get("/api/v1/tasks", params)
        assert response.status_code == 200, response.content
        return [item["id"] for item in response.json()["items"]]

    assert ids() == [overdue.pk, mine["id"], theirs.pk], "soonest due first; a rep sees the tasks they handed out"
    assert ids(assignee="me") == [overdue.pk, mine["id"]]
    assert ids(assignee=str(colleague.pk)) == [theirs.pk]
    assert ids(due_before=now.isoformat()) == [overdue.pk]
    assert ids(due_after=now.isoformat(), sort="-due_at") == [theirs.pk, mine["id"]]
    assert ids(priority="urgent") == [mine["id"]]

    url = f"/api/v1/tasks/{mine['id']}"
    assert rep_api.post(f"{url}/complete").json()["status"] == "done"
    assert ids(status="open", assignee="me") == [overdue.pk]
    assert rep_api.post(f"{url}/reopen").json()["status"] == "open"
    assert rep_api.patch(url, {"assignee_id": colleague.pk, "title": "Send the revised quote"}).json()["assignee_id"] == colleague.pk
    assert rep_api.patch(url, {"priority": "whenever"}).json()["errors"][0]["field"] == "priority"
    assert rep_api.get("/api/v1/tasks", {"assignee": "someone"}).json()["errors"][0]["field"] == "assignee"
    assert rep_api.delete(url).status_code == 204


def test_tasks_are_visible_within_the_team_for_staff_and_to_all_for_managers(api_as, rep, colleague, manager, workspace):
    from tests.factories import TeamFactory

    services.task_create(actor=rep, workspace=workspace, title="Rep's", assignee=rep)
    services.task_create(actor=colleague, workspace=workspace, title="Colleague's", assignee=colleague)
    Task.objects.create(workspace=workspace, title="Unassigned", due_at=timezone.now())

    def titles(user):
        return sorted(item["title"] for item in api_as(user, workspace).get("/api/v1/tasks").json()["items"])

    assert titles(rep) == ["Rep's"]
    assert titles(manager) == ["Colleague's", "Rep's", "Unassigned"]
    team = TeamFactory(workspace=workspace, name="Field sales")
    team.members.set([rep, colleague])
    assert titles(rep) == ["Colleague's", "Rep's"]


def test_a_viewer_reads_but_cannot_write(api_as, viewer, rep, workspace, contact):
    services.interaction_log(actor=rep, workspace=workspace, channel="email", contacts=[contact])
    client = api_as(viewer, workspace)
    before = _counts()

    assert client.get("/api/v1/interactions").status_code == 200
    assert client.post("/api/v1/interactions", {"channel": "email", "contact_ids": [contact.pk]}).status_code == 403
    assert client.post("/api/v1/notes", {"body": "Hi", "contact_id": contact.pk}).status_code == 403
    assert client.post("/api/v1/tasks", {"title": "Hi"}).status_code == 403
    assert _counts() == before


def test_notifications_are_personal_and_can_be_marked_read(api_as, rep, colleague, workspace):
    from amity.core.notifications import notify

    mine = notify(workspace=workspace, recipient=rep, kind="mention", title="For Rita")
    theirs = notify(workspace=workspace, recipient=colleague, kind="mention", title="For Carl")
    client = api_as(rep, workspace)

    assert [item["title"] for item in client.get("/api/v1/notifications").json()["items"]] == ["For Rita"]
    assert client.get("/api/v1/notifications/unread-count").json() == {"unread": 1}
    assert client.post(f"/api/v1/notifications/{theirs.pk}/read").status_code == 404
    assert client.post(f"/api/v1/notifications/{mine.pk}/read").json()["read_at"] is not None
    assert client.get("/api/v1/notifications", {"unread": "true"}).json()["items"] == []
    assert Notification.objects.get(pk=theirs.pk).read_at is None


@pytest.mark.parametrize("path", ["/api/v1/interactions", "/api/v1/notes", "/api/v1/tasks", "/api/v1/notifications"])
def test_lists_run_a_constant_number_of_queries(path, rep_api, rep, colleague, workspace, contact, account, django_assert_max_num_queries):
    from amity.core.notifications import notify

    def add(count):
        for n in range(count):
            services.interaction_log(
                actor=rep, workspace=workspace, channel="email", contacts=[contact], accounts=[account], users=[colleague]
            )
            services.note_create(actor=rep, workspace=workspace, body=f"Note {n} @colleague@acme.test", contact=contact)
            services.task_create(actor=rep, workspace=workspace, title=f"Task {n}", contact=contact)
            notify(workspace=workspace, recipient=rep, kind="mention", title=f"Hello {n}")

    add(2)
    with django_assert_max_num_queries(12) as small:
        assert len(rep_api.get(path, {"limit": 100}).json()["items"]) == 2
    add(40)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert len(rep_api.get(path, {"limit": 100}).json()["items"]) == 42
