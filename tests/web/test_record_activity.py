"""On a record's page: the timeline with its filters and pages, quick logging, completing tasks, and the panel registry."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from amity.activities import services as activities
from amity.activities.models import Interaction, Note, Task
from amity.core.models import Notification
from amity.core.permissions import Action, ObjectType, Role
from amity.customers import services
from amity.customers.models import Account, Contact
from amity.web import record_page
from tests.factories import member

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def initech(admin: Any, workspace: Any) -> Account:
    return services.account_create(actor=admin, workspace=workspace, data={"name": "Initech"})


@pytest.fixture
def peter(admin: Any, workspace: Any, initech: Account) -> Contact:
    return services.contact_create(
        actor=admin, workspace=workspace, data={"first_name": "Peter", "last_name": "Gibbons", "accounts": [{"account_id": initech.pk}]}
    )


@pytest.fixture
def samir(admin: Any, workspace: Any, initech: Account) -> Contact:
    return services.contact_create(
        actor=admin,
        workspace=workspace,
        data={"first_name": "Samir", "last_name": "Nagheenanajar", "accounts": [{"account_id": initech.pk}]},
    )


def log(actor: Any, workspace: Any, contact: Contact, subject: str, *, channel: str = "phone", minutes_ago: int = 60) -> Interaction:
    return activities.interaction_log(
        actor=actor, workspace=workspace, channel=channel, subject=subject, contacts=[contact],
        occurred_at=timezone.now() - timedelta(minutes=minutes_ago),
    )  # fmt: skip


def entry_ids(content: str) -> list[str]:
    return re.findall(r'id="entry-([a-z]+-\d+)"', content)


# --- The timeline --------------------------------------------------------------------------------------------


def test_the_timeline_shows_every_kind_with_who_and_when(client_as: Any, rep: Any, workspace: Any, peter: Contact) -> None:
    call = log(rep, workspace, peter, "Discovery call")
    call.duration_seconds, call.outcome, call.body = 1500, "Connected", "<p>They want <b>TPS</b> reports.</p>"
    call.save()
    activities.note_create(actor=rep, workspace=workspace, contact=peter, body=f"<p>Ask @[{rep.full_name}](user:{rep.pk}) <i>first</i></p>")
    activities.task_create(actor=rep, workspace=workspace, title="Send the cover sheet", contact=peter, priority="high")
    content = client_as(rep).get(f"/w/acme/contacts/{peter.pk}/").content.decode()

    assert "Discovery call" in content and "25 min" in content and "Connected" in content and "They want TPS reports." in content
    assert '<span class="amity-mention">@Rita Rep</span> <i>first</i>' in content  # the note's own HTML, with its mention
    assert "Send the cover sheet" in content and "high priority" in content and "for Rita Rep" in content
    assert "Created Peter Gibbons" in content  # a change, from the audit log
    assert re.search(r'<time class="amity-timeline-time" datetime="[^"]+" title="[^"]+ UTC">1\shour ago</time>', content)


def test_times_are_shown_in_the_users_zone(client_as: Any, rep: Any, workspace: Any, peter: Contact) -> None:
    rep.time_zone = "America/New_York"
    rep.save()
    log(rep, workspace, peter, "Evening call")
    content = client_as(rep).get(f"/w/acme/contacts/{peter.pk}/timeline/", headers=HTMX).content.decode()
    assert re.search(r'title="[^"]+ (EST|EDT)">1\shour ago', content)


def test_an_accounts_timeline_gathers_its_peoples_history(
    client_as: Any, rep: Any, workspace: Any, initech: Account, peter: Contact, samir: Contact
) -> None:
    log(rep, workspace, peter, "Call with Peter")
    log(rep, workspace, samir, "Call with Samir", channel="email")
    activities.note_create(actor=rep, workspace=workspace, account=initech, body="Budget approved")
    content = client_as(rep).get(f"/w/acme/accounts/{initech.pk}/").content.decode()
    assert "Call with Peter" in content and "Call with Samir" in content and "Budget approved" in content
    assert f'href="/w/acme/contacts/{samir.pk}/">Samir Nagheenanajar</a>' in content  # whose entry it is


def test_filters_by_kind_and_channel_without_reloading_the_page(client_as: Any, rep: Any, workspace: Any, peter: Contact) -> None:
    call = log(rep, workspace, peter, "A call")
    email = log(rep, workspace, peter, "An email", channel="email")
    note = activities.note_create(actor=rep, workspace=workspace, contact=peter, body="A note")
    client = client_as(rep)
    url = f"/w/acme/contacts/{peter.pk}/timeline/"

    response = client.get(url, {"kind": "note"}, headers=HTMX)
    assert response.status_code == 200 and entry_ids(response.content.decode()) == [f"note-{note.pk}"]
    assert "<html" not in response.content.decode()  # a fragment
    assert entry_ids(client.get(url, {"channel": "email"}, headers=HTMX).content.decode()) == [f"interaction-{email.pk}"]
    both = entry_ids(client.get(url, {"kind": ["interaction", "note"], "channel": "phone"}, headers=HTMX).content.decode())
    assert both == [f"interaction-{call.pk}"]  # a channel means things that happened on one
    nothing = client.get(url, {"kind": "task"}, headers=HTMX).content.decode()
    assert "Nothing matches these filters" in nothing

    page = client.get(f"/w/acme/contacts/{peter.pk}/", {"kind": "note"}).content.decode()  # a link keeps the filter
    assert entry_ids(page) == [f"note-{note.pk}"] and 'value="note" id="timeline-kind-note" autocomplete="off" checked' in page


def test_load_more_continues_after_the_cursor_without_repeating(client_as: Any, rep: Any, workspace: Any, peter: Contact) -> None:
    for n in range(30):
        log(rep, workspace, peter, f"Call {n}", minutes_ago=n + 10)
    client = client_as(rep)
    first = client.get(f"/w/acme/contacts/{peter.pk}/timeline/", {"kind": "interaction"}, headers=HTMX).content.decode()
    next_url = re.search(r'hx-get="([^"]+cursor=[^"]+)"', first)[1].replace("&amp;", "&")  # type: ignore[index]
    assert "kind=interaction" in next_url
    second = client.get(next_url, headers=HTMX).content.decode()
    seen = entry_ids(first) + entry_ids(second)
    assert len(entry_ids(first)) == 25 and len(seen) == 30 == len(set(seen))
    assert "Load more" not in second and 'id="timeline-body"' not in second  # only the rows, appended

    forged = client.get(f"/w/acme/contacts/{peter.pk}/timeline/", {"cursor": "forged"}, headers=HTMX)
    assert forged.status_code == 200 and len(entry_ids(forged.content.decode())) == 25  # starts again from the top


# --- Logging in two clicks ---------------------------------------------------------------------------------


def _form_values(html: str) -> dict[str, Any]:
    """What a browser would send for the form as it opened (its defaults)."""
    values: dict[str, Any] = {}
    for tag in re.findall(r"<input[^>]*>", html):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name and (('type="radio"' not in tag) or "checked" in tag):
            values[name[1]] = value[1] if value else ""
    for name, body in re.findall(r'<select name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option value="([^"]*)"[^>]*selected', body)
        values[name] = chosen[1] if chosen else ""
    return values


def test_a_call_is_logged_in_two_clicks_and_tops_the_timeline(client_as: Any, rep: Any, workspace: Any, peter: Contact) -> None:
    older = log(rep, workspace, peter, "Older call")
    client = client_as(rep)
    form = client.get(f"/w/acme/contacts/{peter.pk}/log/call/", headers=HTMX).content.decode()  # click 1: Log call
    defaults = _form_values(form)
    assert defaults["direction"] == "out" and defaults["occurred_at"] == timezone.localtime().strftime("%Y-%m-%dT%H:%M")

    response = client.post(f"/w/acme/contacts/{peter.pk}/log/call/", defaults, headers=HTMX)  # click 2: Save call
    assert response.status_code == 200
    call = Interaction.objects.exclude(pk=older.pk).get()
    assert (call.channel, call.direction, list(call.contacts.all()), call.created_by) == ("phone", "out", [peter], rep)
    content = response.content.decode()
    assert 'id="timeline-body"' in content and 'hx-swap-oob="true"' in content and "Call logged." in content
    assert entry_ids(content)[0] == f"interaction-{call.pk}" and f'amity-timeline-new" id="entry-interaction-{call.pk}"' in content


def test_a_meeting_on_an_accounts_page_can_name_who_was_there(client_as: Any, rep: Any, initech: Account, samir: Contact) -> None:
    client = client_as(rep)
    form = client.get(f"/w/acme/accounts/{initech.pk}/log/meeting/", headers=HTMX).content.decode()
    assert f'<option value="{samir.pk}">Samir Nagheenanajar</option>' in form
    data = {
        "subject": "Kick-off",
        "occurred_at": "2026-03-02T14:30",
        "duration_minutes": "45",
        "contact_id": str(samir.pk),
        "body": "Went well.\n\nNext: pilot.",
    }
    assert client.post(f"/w/acme/accounts/{initech.pk}/log/meeting/", data, headers=HTMX).status_code == 200
    meeting = Interaction.objects.get()
    assert list(meeting.accounts.all()) == [initech] and list(meeting.contacts.all()) == [samir]
    assert (meeting.channel, meeting.duration_seconds, meeting.body) == ("meeting", 2700, "<p>Went well.</p>\n\n<p>Next: pilot.</p>")
    assert meeting.occurred_at.isoformat() == "2026-03-02T14:30:00+00:00"


def test_a_note_tells_the_people_it_mentions(client_as: Any, rep: Any, workspace: Any, peter: Contact) -> None:
    carl = member(workspace, Role.SALES, email="carl@acme.test", full_name="Carl Colleague")
    client = client_as(rep)
    form = client.get(f"/w/acme/contacts/{peter.pk}/log/note/", headers=HTMX).content.decode()
    assert f'data-id="{carl.pk}" data-name="Carl Colleague" data-email="carl@acme.test"' in form  # for the @ picker
    body = f"Can you call him, @[Carl Colleague](user:{carl.pk})? <script>alert(1)</script>"
    response = client.post(f"/w/acme/contacts/{peter.pk}/log/note/", {"body": body}, headers=HTMX)
    assert response.status_code == 200
    note = Note.objects.get()
    assert note.contact == peter and list(note.mentions.all()) == [carl] and "<script>" not in note.body
    assert Notification.objects.get(recipient=carl).url == f"/w/acme/contacts/{peter.pk}/"
    assert '<span class="amity-mention">@Carl Colleague</span>' in response.content.decode()


def test_a_task_with_an_assignee_and_a_reminder(client_as: Any, rep: Any, workspace: Any, peter: Contact) -> None:
    carl = member(workspace, Role.SALES, email="carl@acme.test", full_name="Carl Colleague")
    client = client_as(rep)
    defaults = _form_values(client.get(f"/w/acme/contacts/{peter.pk}/log/task/", headers=HTMX).content.decode())
    assert defaults["assignee_id"] == str(rep.pk) and defaults["due_at"].endswith("T09:00")
    data = {
        **defaults,
        "title": "Fix the TPS report",
        "assignee_id": str(carl.pk),
        "priority": "high",
        "reminder": "60",
        "due_at": "2030-01-02T10:00",
    }
    response = client.post(f"/w/acme/contacts/{peter.pk}/log/task/", data, headers=HTMX)
    assert response.status_code == 200 and response["HX-Trigger"] == "amity:panel-tasks"
    task = Task.objects.get()
    assert (task.contact, task.assignee, task.priority, task.created_by) == (peter, carl, "high", rep)
    assert task.reminder_at == task.due_at - timedelta(hours=1) and task.due_at.isoformat() == "2030-01-02T10:00:00+00:00"


def test_a_form_with_errors_comes_back_with_them_and_nothing_is_saved(client_as: Any, rep: Any, workspace: Any, peter: Contact) -> None:
    client = client_as(rep)
    empty = client.post(f"/w/acme/contacts/{peter.pk}/log/task/", {"title": "", "due_at": "soon", "assignee_id": str(rep.pk)}, headers=HTMX)
    assert empty.status_code == 422
    content = empty.content.decode()
    assert "This field is required." in content and "Enter a valid date/time." in content and "<form" in content
    stranger = member(peter.workspace.__class__.objects.create(name="Globex", slug="globex"), Role.OWNER)
    wrong = client.post(
        f"/w/acme/contacts/{peter.pk}/log/task/",
        {"title": "X", "due_at": "2030-01-01T10:00", "assignee_id": str(stranger.pk)},
        headers=HTMX,
    )
    assert wrong.status_code == 422 and "Select a valid choice." in wrong.content.decode()  # only members are offered
    late = client.post(
        f"/w/acme/contacts/{peter.pk}/log/call/",
        {"direction": "out", "occurred_at": "2030-01-01T10:00", "duration_minutes": "-5"},
        headers=HTMX,
    )
    assert late.status_code == 422 and "Ensure this value is greater than or equal to 0." in late.content.decode()
    assert not Task.objects.exists() and not Interaction.objects.exists()


# --- Upcoming tasks and the other panels ------------------------------------------------------------------------


def test_upcoming_tasks_soonest_first_and_ticked_off(client_as: Any, rep: Any, workspace: Any, initech: Account, peter: Contact) -> None:
    now = timezone.now()
    later = activities.task_create(actor=rep, workspace=workspace, title="Later", contact=peter, due_at=now + timedelta(days=3))
    activities.task_create(actor=rep, workspace=workspace, title="Sooner", account=initech, due_at=now + timedelta(hours=2))
    done = activities.task_create(actor=rep, workspace=workspace, title="Already done", contact=peter)
    activities.task_complete(actor=rep, workspace=workspace, task=done)
    client = client_as(rep)

    account_page = client.get(f"/w/acme/accounts/{initech.pk}/").content.decode()  # the account's and its people's tasks
    panel = account_page.split('id="panel-tasks"')[1].split("</section>")[0]
    assert panel.index("Sooner") < panel.index("Later") and "Already done" not in panel
    contact_panel = client.get(f"/w/acme/contacts/{peter.pk}/panels/tasks/", headers=HTMX).content.decode()
    assert "Later" in contact_panel and "Sooner" not in contact_panel

    response = client.post(f"/w/acme/contacts/{peter.pk}/tasks/{later.pk}/complete/", headers=HTMX)
    assert response.status_code == 200 and response["HX-Trigger"] == "amity:timeline-refresh"
    assert "Done: Later." in response.content.decode() and "No open tasks" in response.content.decode()
    later.refresh_from_db()
    assert later.status == "done" and later.completed_at is not None
    assert client.post(f"/w/acme/accounts/{initech.pk}/tasks/{later.pk}/complete/", headers=HTMX).status_code == 200  # twice: no harm


@pytest.fixture
def panel_templates(settings: Any) -> None:
    """A template directory of the tests, standing in for a later app's templates."""
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [Path(__file__).parent / "templates"]}]


def test_another_app_adds_a_panel_once_and_every_page_shows_it(
    client_as: Any, rep: Any, workspace: Any, peter: Contact, initech: Account, panel_templates: None
) -> None:
    """A later app (opportunities, orders, cases) registers a panel in its AppConfig.ready(); the page is not edited."""
    viewer = member(workspace, Role.VIEWER)

    def open_deals(actor: Any, workspace: Any, record: Any) -> dict[str, Any]:
        return {"deals": [f"Deal for {record}"], "count": 1}

    def refusing(actor: Any, workspace: Any, record: Any) -> dict[str, Any]:
        raise PermissionDenied("not for you")

    record_page.register(
        record_page.Panel(key="deals", title="Open deals", template="tests_panel.html", context=open_deals, order=15, icon="coin")
    )
    record_page.register(
        record_page.Panel(
            key="secret", title="Secret", template="tests_panel.html", context=open_deals, permission=(Action.ADD, ObjectType.CONTACT)
        )
    )
    record_page.register(
        record_page.Panel(key="refused", title="Refused", template="tests_panel.html", context=refusing, kinds=frozenset({"contact"}))
    )
    try:
        contact_page = client_as(rep).get(f"/w/acme/contacts/{peter.pk}/").content.decode()
        account_page = client_as(rep).get(f"/w/acme/accounts/{initech.pk}/").content.decode()
        viewer_page = client_as(viewer).get(f"/w/acme/contacts/{peter.pk}/").content.decode()
        refreshed = client_as(rep).get(f"/w/acme/contacts/{peter.pk}/panels/deals/", headers=HTMX).content.decode()
    finally:
        for key in ("deals", "secret", "refused"):
            record_page.unregister(key)

    assert "Deal for Peter Gibbons" in contact_page and "Deal for Initech" in account_page and "Deal for Peter Gibbons" in refreshed
    assert contact_page.index('id="panel-tasks"') < contact_page.index('id="panel-deals"') < contact_page.index('id="panel-accounts"')
    assert 'id="panel-secret"' in contact_page and 'id="panel-secret"' not in viewer_page  # the panel's permission
    assert 'id="panel-refused"' not in contact_page
    assert 'hx-trigger="amity:panel-deals from:body"' in contact_page


def test_a_panel_key_must_be_a_word_and_kinds_known() -> None:
    with pytest.raises(ValueError, match="letters, digits and underscores"):
        record_page.Panel(key="bad key", title="x", template="x.html", context=lambda *args: {})
    with pytest.raises(ValueError, match="not order"):
        record_page.Panel(key="orders", title="x", template="x.html", context=lambda *args: {}, kinds=frozenset({"order"}))
