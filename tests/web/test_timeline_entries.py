"""Correcting and deleting a logged interaction, note or task in place on a timeline: who may, what changes, what it costs."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from amity.activities import services as activities
from amity.activities.models import Interaction, Note, Task
from amity.core.models import AuditEntry, Notification
from amity.core.permissions import Role
from amity.customers import services
from amity.customers.models import Account, Contact
from amity.sales import services as sales
from tests.activities import conftest as people
from tests.factories import member
from tests.web import test_record_activity as record_activity

pytestmark = pytest.mark.django_db

# Fixtures shared with those tests: people in each role, Initech and Peter.
colleague, manager, viewer = people.colleague, people.manager, people.viewer
initech, peter = record_activity.initech, record_activity.peter

HTMX = {"HX-Request": "true"}


def call(actor: Any, contact: Contact, subject: str = "Discovery call", **fields: Any) -> Interaction:
    values = {"occurred_at": timezone.now() - timedelta(hours=2), "duration_seconds": 600, **fields}
    return activities.interaction_log(
        actor=actor, workspace=contact.workspace, channel="phone", subject=subject, contacts=[contact], **values
    )


def form_values(html: str) -> dict[str, str]:
    """What a browser sends for the form as it opened."""
    values: dict[str, str] = {}
    for tag in re.findall(r"<input[^>]*>", html):
        name, value = re.search(r'name="([^"]+)"', tag), re.search(r'value="([^"]*)"', tag)
        if name and name[1] != "csrfmiddlewaretoken":
            values[name[1]] = value[1] if value else ""
    for name, body in re.findall(r'<select name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option value="([^"]*)"[^>]*selected', body)
        values[name] = chosen[1] if chosen else ""
    for name, body in re.findall(r'<textarea name="([^"]+)"[^>]*>(.*?)</textarea>', html, re.S):
        values[name] = body.strip("\n").replace("&amp;", "&")
    return values


def counts() -> tuple[int, ...]:
    return (AuditEntry.objects.count(), Interaction.objects.count(), Note.objects.count(), Task.objects.count())


# --- Editing -------------------------------------------------------------------------------------------------


def test_a_rep_corrects_their_call_in_place_and_only_what_changed_is_saved(
    client_as: Any, rep: Any, workspace: Any, peter: Contact
) -> None:
    logged = call(rep, peter, body="<p>They want <b>TPS</b> reports.</p>", outcome="Connected")
    client = client_as(rep)
    page = client.get(f"/w/acme/contacts/{peter.pk}/").content.decode()
    edit_url = f"/w/acme/timeline/interaction/{logged.pk}/edit/?contact={peter.pk}"
    assert f'hx-get="{edit_url}" hx-target="#entry-interaction-{logged.pk}"' in page.replace("&amp;", "&")
    assert f'hx-get="/w/acme/timeline/interaction/{logged.pk}/delete/?contact={peter.pk}"' in page

    form = client.get(edit_url, headers=HTMX)
    assert form.status_code == 200
    values = form_values(form.content.decode())
    assert (values["channel"], values["subject"], values["duration_minutes"], values["body"]) == (
        "phone",
        "Discovery call",
        "10",
        "They want TPS reports.",
    )
    assert values["occurred_at"] == timezone.localtime(logged.occurred_at).strftime("%Y-%m-%dT%H:%M")

    saved = client.post(edit_url, {**values, "subject": "Discovery call with Peter", "duration_minutes": "25"}, headers=HTMX)
    assert saved.status_code == 200 and saved["HX-Trigger"] == "amity:panel-score"  # a lead's score counts interactions
    content = saved.content.decode()
    assert content.lstrip().startswith("<li") and f'amity-timeline-new" id="entry-interaction-{logged.pk}"' in content
    assert "Discovery call with Peter" in content and "25 min" in content
    assert "Peter Gibbons</a>" not in content  # on Peter's page his entries do not name him
    logged.refresh_from_db()
    assert (logged.subject, logged.duration_seconds) == ("Discovery call with Peter", 1500)
    assert logged.body == "<p>They want <b>TPS</b> reports.</p>"  # its text was not edited: the formatting stays
    entry = AuditEntry.objects.filter(object_type="activities.interaction", action="update").get()
    assert entry.door == "web" and entry.actor == rep
    assert entry.changes == {"subject": ["Discovery call", "Discovery call with Peter"], "duration_seconds": [600, 1500]}


def test_moving_an_interaction_in_time_redraws_the_timeline_in_its_new_order(client_as: Any, rep: Any, peter: Contact) -> None:
    logged = call(rep, peter)
    client = client_as(rep)
    values = form_values(client.get(f"/w/acme/timeline/interaction/{logged.pk}/edit/", headers=HTMX).content.decode())
    saved = client.post(
        f"/w/acme/timeline/interaction/{logged.pk}/edit/",
        {**values, "occurred_at": "2026-03-02T14:30", "body": "Went well.\n\nNext: pilot."},
        headers=HTMX,
    )
    assert saved.status_code == 200 and saved["HX-Trigger"] == "amity:panel-score, amity:timeline-refresh"
    logged.refresh_from_db()
    assert logged.occurred_at.isoformat() == "2026-03-02T14:30:00+00:00" and logged.body == "<p>Went well.</p>\n\n<p>Next: pilot.</p>"


def test_a_bad_value_comes_back_named_by_its_field_with_a_422_and_nothing_changes(client_as: Any, rep: Any, peter: Contact) -> None:
    logged = call(rep, peter)
    task = activities.task_create(actor=rep, workspace=peter.workspace, title="Send the cover sheet", contact=peter)
    Task.objects.filter(pk=task.pk).update(reminder_at=task.due_at - timedelta(minutes=7))  # a reminder time no offset gives
    client = client_as(rep)
    before = counts()

    url = f"/w/acme/timeline/interaction/{logged.pk}/edit/"
    values = form_values(client.get(url, headers=HTMX).content.decode())
    bad = client.post(url, {**values, "duration_minutes": "-5", "occurred_at": "soon"}, headers=HTMX)
    assert bad.status_code == 422
    content = bad.content.decode()
    assert "Ensure this value is greater than or equal to 0." in content and "Enter a valid date/time." in content and "<form" in content

    url = f"/w/acme/timeline/task/{task.pk}/edit/"
    values = form_values(client.get(url, headers=HTMX).content.decode())
    assert values["reminder"] == "keep"  # "As set: …", kept unless changed
    early = (timezone.localtime(task.due_at) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    refused = client.post(url, {**values, "due_at": early}, headers=HTMX)  # the kept reminder now falls after the due time
    assert refused.status_code == 422
    assert re.search(r'id="entry-task-\d+-reminder"[^>]*>.*?Set the reminder before the due time\.', refused.content.decode(), re.S)
    empty = client.post(url, {**values, "title": "  "}, headers=HTMX)
    assert empty.status_code == 422 and "This field is required." in empty.content.decode()

    assert counts() == before
    logged.refresh_from_db()
    task.refresh_from_db()
    assert logged.duration_seconds == 600 and task.title == "Send the cover sheet"


def test_a_note_is_edited_and_only_the_newly_mentioned_are_told(client_as: Any, rep: Any, colleague: Any, peter: Contact) -> None:
    note = activities.note_create(actor=rep, workspace=peter.workspace, contact=peter, body="<p>Call him back</p>")
    client = client_as(rep)
    url = f"/w/acme/timeline/note/{note.pk}/edit/"
    form = client.get(url, headers=HTMX).content.decode()
    assert f'data-id="{colleague.pk}" data-name="Carl Colleague"' in form and "data-mentions" in form  # the @ picker
    assert form_values(form)["body"] == "Call him back"

    saved = client.post(url, {"body": f"Call him back, @[Carl Colleague](user:{colleague.pk})"}, headers=HTMX)
    assert saved.status_code == 200 and not saved.has_header("HX-Trigger")
    assert '<span class="amity-mention">@Carl Colleague</span>' in saved.content.decode()
    note.refresh_from_db()
    assert note.body == f"<p>Call him back, @[Carl Colleague](user:{colleague.pk})</p>"
    assert Notification.objects.get().recipient == colleague
    assert AuditEntry.objects.get(object_type="activities.note", action="update").door == "web"


def test_a_task_gets_a_new_assignee_priority_and_status_and_its_panel_follows(
    client_as: Any, rep: Any, colleague: Any, peter: Contact
) -> None:
    due = timezone.now().replace(second=0, microsecond=0) + timedelta(days=2)
    task = activities.task_create(actor=rep, workspace=peter.workspace, title="Send the cover sheet", contact=peter, due_at=due)
    client = client_as(rep)
    url = f"/w/acme/timeline/task/{task.pk}/edit/"
    values = form_values(client.get(url, headers=HTMX).content.decode())
    assert (values["assignee_id"], values["priority"], values["status"], values["reminder"]) == (str(rep.pk), "normal", "open", "")

    saved = client.post(
        url, {**values, "assignee_id": str(colleague.pk), "priority": "urgent", "status": "done", "reminder": "60"}, headers=HTMX
    )
    assert saved.status_code == 200 and saved["HX-Trigger"] == "amity:panel-tasks"
    assert "urgent priority" in saved.content.decode() and "done" in saved.content.decode()
    task.refresh_from_db()
    assert (task.assignee, task.priority, task.status, task.completed_at is not None) == (colleague, "urgent", "done", True)
    assert task.reminder_at == due - timedelta(hours=1)
    changes = [entry.changes for entry in AuditEntry.objects.filter(object_type="activities.task", action="update").order_by("pk")]
    assert set(changes[0]) == {"assignee", "priority", "reminder_at"} and set(changes[1]) == {"status", "completed_at"}


# --- Deleting ------------------------------------------------------------------------------------------------


def test_delete_asks_first_then_the_entry_leaves_every_timeline(client_as: Any, rep: Any, peter: Contact, initech: Account) -> None:
    logged = call(rep, peter)
    client = client_as(rep)
    asked = client.get(f"/w/acme/timeline/interaction/{logged.pk}/delete/?contact={peter.pk}", headers=HTMX)
    assert asked.status_code == 200
    question = asked.content.decode()
    assert "Delete this call from every timeline?" in question
    assert f'hx-post="/w/acme/timeline/interaction/{logged.pk}/delete/?contact={peter.pk}"' in question
    assert Interaction.objects.filter(pk=logged.pk).exists()  # asking deletes nothing

    cancelled = client.get(f"/w/acme/timeline/interaction/{logged.pk}/", headers=HTMX)
    assert cancelled.status_code == 200 and "Delete this call" not in cancelled.content.decode()

    deleted = client.post(f"/w/acme/timeline/interaction/{logged.pk}/delete/", headers=HTMX)
    assert deleted.status_code == 200 and deleted["HX-Trigger"] == "amity:panel-score"
    assert (
        f'id="entry-interaction-{logged.pk}" role="status"' in deleted.content.decode()
        and "Deleted: Discovery call." in deleted.content.decode()
    )
    assert not Interaction.objects.filter(pk=logged.pk).exists()
    entry = AuditEntry.objects.get(object_type="activities.interaction", action="delete")
    assert entry.door == "web" and entry.changes["subject"] == ["Discovery call", None]
    assert f"entry-interaction-{logged.pk}" not in client.get(f"/w/acme/accounts/{initech.pk}/").content.decode()

    task = activities.task_create(actor=rep, workspace=peter.workspace, title="Gone soon", contact=peter)
    response = client.post(f"/w/acme/timeline/task/{task.pk}/delete/", headers=HTMX)
    assert response.status_code == 200 and response["HX-Trigger"] == "amity:panel-tasks" and not Task.objects.exists()
    note = activities.note_create(actor=rep, workspace=peter.workspace, contact=peter, body="Gone too")
    assert client.post(f"/w/acme/timeline/note/{note.pk}/delete/", headers=HTMX).status_code == 200 and not Note.objects.exists()


# --- Who may -------------------------------------------------------------------------------------------------


def test_only_the_author_or_a_manager_changes_a_call_or_a_note(
    client_as: Any, rep: Any, colleague: Any, manager: Any, peter: Contact
) -> None:
    logged = call(rep, peter)
    note = activities.note_create(actor=rep, workspace=peter.workspace, contact=peter, body="First impressions")
    theirs = client_as(colleague).get(f"/w/acme/contacts/{peter.pk}/").content.decode()
    assert "/timeline/interaction/" not in theirs and "/timeline/note/" not in theirs  # a colleague reads but gets no buttons
    before = counts()
    for kind, pk in (("interaction", logged.pk), ("note", note.pk)):
        for action in ("edit", "delete"):
            assert client_as(colleague).get(f"/w/acme/timeline/{kind}/{pk}/{action}/", headers=HTMX).status_code == 403
            assert (
                client_as(colleague)
                .post(f"/w/acme/timeline/{kind}/{pk}/{action}/", {"body": "X", "subject": "X"}, headers=HTMX)
                .status_code
                == 403
            )
    assert counts() == before

    page = client_as(manager).get(f"/w/acme/contacts/{peter.pk}/").content.decode()
    assert f"/timeline/interaction/{logged.pk}/edit/" in page and f"/timeline/note/{note.pk}/delete/" in page
    assert client_as(manager).post(f"/w/acme/timeline/note/{note.pk}/edit/", {"body": "Clarified"}, headers=HTMX).status_code == 200
    note.refresh_from_db()
    assert note.body == "<p>Clarified</p>"


def test_a_teammate_may_change_a_task_they_see(client_as: Any, rep: Any, colleague: Any, workspace: Any, peter: Contact) -> None:
    """Tasks follow the task grant's team scope (a rep covers a teammate's to-dos), not authorship."""
    from tests.factories import TeamFactory

    team = TeamFactory(workspace=workspace, name="Field sales")
    team.members.add(rep, colleague)
    task = activities.task_create(actor=rep, workspace=workspace, title="Send the cover sheet", contact=peter)
    page = client_as(colleague).get(f"/w/acme/contacts/{peter.pk}/").content.decode()
    assert f"/timeline/task/{task.pk}/edit/" in page
    values = form_values(client_as(colleague).get(f"/w/acme/timeline/task/{task.pk}/edit/", headers=HTMX).content.decode())
    assert (
        client_as(colleague).post(f"/w/acme/timeline/task/{task.pk}/edit/", {**values, "title": "Covered"}, headers=HTMX).status_code == 200
    )
    task.refresh_from_db()
    assert task.title == "Covered"


def test_a_viewer_reads_entries_but_can_change_none(client_as: Any, rep: Any, viewer: Any, peter: Contact) -> None:
    logged = call(rep, peter)
    note = activities.note_create(actor=rep, workspace=peter.workspace, contact=peter, body="First impressions")
    task = activities.task_create(actor=rep, workspace=peter.workspace, title="Call back", contact=peter, assignee=viewer)
    client = client_as(viewer)
    page = client.get(f"/w/acme/contacts/{peter.pk}/").content.decode()
    assert "Discovery call" in page and "First impressions" in page and "Call back" in page
    assert "/w/acme/timeline/" not in page
    before = counts()
    for kind, pk in (("interaction", logged.pk), ("note", note.pk), ("task", task.pk)):
        assert client.get(f"/w/acme/timeline/{kind}/{pk}/", headers=HTMX).status_code == 200  # reading is allowed
        for action in ("edit", "delete"):
            assert client.get(f"/w/acme/timeline/{kind}/{pk}/{action}/", headers=HTMX).status_code == 403
            assert client.post(f"/w/acme/timeline/{kind}/{pk}/{action}/", {"title": "X", "body": "X"}, headers=HTMX).status_code == 403
    assert counts() == before
    task.refresh_from_db()
    assert task.title == "Call back"


def test_every_entry_url_of_another_workspace_is_a_404_and_changes_nothing(
    client_as: Any, admin: Any, other_workspace: Any, peter: Contact
) -> None:
    stranger = member(other_workspace, Role.OWNER)
    hank = services.contact_create(actor=stranger, workspace=other_workspace, data={"first_name": "Hank"})
    theirs = {
        "interaction": call(stranger, hank, "Their call").pk,
        "note": activities.note_create(actor=stranger, workspace=other_workspace, contact=hank, body="Their note").pk,
        "task": activities.task_create(actor=stranger, workspace=other_workspace, title="Their task", contact=hank).pk,
    }
    client = client_as(admin)
    before = counts()
    for slug in ("acme", "globex"):
        for kind, pk in theirs.items():
            base = f"/w/{slug}/timeline/{kind}/{pk}/"
            for path in ("", "edit/", "delete/"):
                assert client.get(base + path, headers=HTMX).status_code == 404, base + path
            for path in ("edit/", "delete/"):
                assert client.post(base + path, {"title": "X", "body": "X", "subject": "X"}, headers=HTMX).status_code == 404, base + path
    mine = call(admin, peter)
    for kind in ("change", "deal", "opportunity"):  # only interactions, notes and tasks are changed from a timeline
        assert client.get(f"/w/acme/timeline/{kind}/{mine.pk}/edit/", headers=HTMX).status_code == 404
    assert counts() == (before[0] + 1, before[1] + 1, *before[2:])  # only my own call was logged
    assert sorted(Interaction.objects.filter(workspace=other_workspace).values_list("subject", flat=True)) == ["Their call"]


# --- The other pages that show entries -------------------------------------------------------------------------


def test_a_deals_and_a_leads_timeline_offer_the_same_edit(client_as: Any, rep: Any, workspace: Any, initech: Account) -> None:
    sales.sales_setup(workspace=workspace)
    deal = sales.opportunity_create(
        actor=rep, workspace=workspace, data={"name": "Initech office", "account_id": initech.pk, "currency": "EUR", "amount": "1000"}
    )
    lead = sales.lead_create(actor=rep, workspace=workspace, data={"first_name": "Grace", "last_name": "Hopper"})
    on_deal = activities.note_create(actor=rep, workspace=workspace, opportunity=deal, body="Budget approved")
    on_lead = activities.interaction_log(actor=rep, workspace=workspace, channel="email", subject="Hello", lead=lead)
    client = client_as(rep)
    assert f"/w/acme/timeline/note/{on_deal.pk}/edit/" in client.get(f"/w/acme/deals/{deal.pk}/").content.decode()
    assert f"/w/acme/timeline/interaction/{on_lead.pk}/edit/" in client.get(f"/w/acme/leads/{lead.pk}/").content.decode()
    assert client.post(f"/w/acme/timeline/note/{on_deal.pk}/edit/", {"body": "Budget approved by Bill"}, headers=HTMX).status_code == 200
    on_deal.refresh_from_db()
    assert on_deal.body == "<p>Budget approved by Bill</p>"


# --- What it costs -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["contacts", "accounts"])
def test_edit_and_delete_buttons_cost_no_query_per_entry(
    client_as: Any, rep: Any, manager: Any, workspace: Any, peter: Contact, initech: Account, kind: str
) -> None:
    client = client_as(rep)
    path = f"/w/acme/{kind}/{peter.pk if kind == 'contacts' else initech.pk}/"

    def grow(entries: int) -> None:
        for n in range(entries):
            author = rep if n % 2 else manager
            call(author, peter, f"Call {n}")
            activities.note_create(actor=author, workspace=workspace, contact=peter, body=f"Note {n}")
            activities.task_create(actor=rep, workspace=workspace, title=f"Task {n}", contact=peter)

    def count() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            content = client.get(path).content.decode()
        return len(captured.captured_queries), content.count("/edit/")

    grow(2)
    client.get(path)
    few, few_buttons = count()
    grow(8)
    many, many_buttons = count()
    assert many == few and many_buttons > few_buttons > 0
