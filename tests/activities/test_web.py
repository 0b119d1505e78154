"""The web pages: my tasks, notifications and the bell."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from amity.activities import services
from amity.activities.models import Task
from amity.core.models import Notification
from amity.core.notifications import notify
from tests.web.conftest import client_as, queries_of  # noqa: F401 - fixtures


def test_my_tasks_lists_mine_soonest_first_and_marks_them_done(client_as, rep, colleague, workspace, contact):  # noqa: F811
    now = timezone.now()
    later = services.task_create(actor=rep, workspace=workspace, title="Send contract", due_at=now + timedelta(days=2), contact=contact)
    sooner = services.task_create(actor=rep, workspace=workspace, title="Call Peter", due_at=now + timedelta(hours=2))
    services.task_create(actor=colleague, workspace=workspace, title="Not mine", assignee=colleague)
    client = client_as(rep)

    page = client.get("/w/acme/tasks/").content.decode()
    assert page.index("Call Peter") < page.index("Send contract")
    assert "Peter Gibbons" in page and "Not mine" not in page
    assert 'href="/w/acme/tasks/" aria-current="page"' in page

    response = client.post(f"/w/acme/tasks/{sooner.pk}/toggle/")
    assert response.status_code == 302 and response["Location"] == "/w/acme/tasks/?show=open"
    assert Task.objects.get(pk=sooner.pk).status == "done"
    assert "Done: Call Peter." in client.get("/w/acme/tasks/").content.decode()
    assert f'id="task-{sooner.pk}"' not in client.get("/w/acme/tasks/").content.decode()
    assert f'id="task-{sooner.pk}"' in client.get("/w/acme/tasks/?show=done").content.decode()
    assert later.status == "open"


def test_someone_elses_task_cannot_be_toggled(client_as, rep, workspace, other_workspace):  # noqa: F811
    from tests.factories import member

    stranger = member(other_workspace, "owner", email="boss@globex.test")
    task = services.task_create(actor=stranger, workspace=other_workspace, title="Theirs")

    assert client_as(rep).post(f"/w/acme/tasks/{task.pk}/toggle/").status_code == 404
    assert Task.objects.get(pk=task.pk).status == "open"


def test_the_bell_counts_unread_and_the_page_marks_them_read(client_as, rep, colleague, workspace):  # noqa: F811
    first = notify(workspace=workspace, recipient=rep, kind="mention", title="Carl mentioned you")
    notify(workspace=workspace, recipient=rep, kind="task_reminder", title="Reminder: Call Peter")
    notify(workspace=workspace, recipient=colleague, kind="mention", title="For Carl only")
    client = client_as(rep)

    assert 'data-unread="2"' in client.get("/w/acme/notifications/bell/").content.decode()
    page = client.get("/w/acme/notifications/").content.decode()
    assert "Carl mentioned you" in page and "For Carl only" not in page
    client.post(f"/w/acme/notifications/{first.pk}/read/")
    assert 'data-unread="1"' in client.get("/w/acme/notifications/bell/").content.decode()
    client.post("/w/acme/notifications/read/")
    assert "data-unread" not in client.get("/w/acme/notifications/bell/").content.decode()
    assert Notification.objects.get(title="For Carl only").read_at is None


def test_the_pages_do_not_query_per_row(client_as, rep, workspace, queries_of, django_assert_max_num_queries):  # noqa: F811
    client = client_as(rep)

    def grow(count):
        for n in range(count):
            services.task_create(actor=rep, workspace=workspace, title=f"Task {n}")
            notify(workspace=workspace, recipient=rep, kind="mention", title=f"Hello {n}")

    for path in ("/w/acme/tasks/", "/w/acme/notifications/"):
        grow(1)
        client.get(path)
        few = queries_of(client, path)
        grow(20)
        assert queries_of(client, path) == few, path
