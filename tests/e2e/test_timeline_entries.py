"""Correcting and deleting timeline entries in a real browser, on a laptop and on a phone."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from amity.activities import services as activities
from amity.activities.models import Interaction, Note, Task
from amity.core.models import AuditEntry
from amity.core.permissions import Role
from amity.customers import services
from tests.e2e.conftest import PHONE, screenshot, sign_in
from tests.factories import PASSWORD, WorkspaceFactory, member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def peter(transactional_db):
    """Peter at Initech, with a call and a note Rita logged, a call her manager logged, and a task."""
    workspace = WorkspaceFactory(name="Acme", slug="acme")
    rita = member(workspace, Role.SALES, email="rita@acme.test", full_name="Rita Rep")
    mona = member(workspace, Role.MANAGER, email="mona@acme.test", full_name="Mona Manager")
    account = services.account_create(actor=mona, workspace=workspace, data={"name": "Initech"})
    contact = services.contact_create(
        actor=mona,
        workspace=workspace,
        data={"first_name": "Peter", "last_name": "Gibbons", "title": "Programmer", "accounts": [{"account_id": account.pk}]},
    )
    now = timezone.now()
    activities.interaction_log(
        actor=mona,
        workspace=workspace,
        channel="meeting",
        subject="Quarterly review",
        contacts=[contact],
        occurred_at=now - timedelta(days=3),
    )
    activities.interaction_log(
        actor=rita, workspace=workspace, channel="phone", subject="Discovery call", outcome="Connected", duration_seconds=600,
        body="<p>They want <b>TPS</b> reports.</p>", contacts=[contact], occurred_at=now - timedelta(hours=5),
    )  # fmt: skip
    activities.note_create(actor=rita, workspace=workspace, contact=contact, body="<p>Prefers mornings.</p>")
    activities.task_create(
        actor=rita, workspace=workspace, title="Send the cover sheet memo", contact=contact, due_at=now + timedelta(days=1)
    )
    return contact


def entry(page, kind: str, pk: int):
    return page.locator(f"#entry-{kind}-{pk}")


def test_a_rep_corrects_and_deletes_their_entries_in_place(open_page, peter):
    call = Interaction.objects.get(subject="Discovery call")
    review = Interaction.objects.get(subject="Quarterly review")
    note = Note.objects.get()
    page = open_page()
    sign_in(page, "rita@acme.test", PASSWORD)
    page.goto(f"/w/acme/contacts/{peter.pk}/")
    entry(page, "interaction", call.pk).hover()
    expect(entry(page, "interaction", call.pk).get_by_role("button", name="Edit call: Discovery call")).to_be_visible()
    expect(entry(page, "interaction", review.pk).get_by_role("button", name="Edit meeting: Quarterly review")).to_have_count(
        0
    )  # her manager's
    screenshot(page, "timeline-entry-actions")

    # Edit: the entry becomes a form with what it says now; a bad duration is named, nothing is saved.
    entry(page, "interaction", call.pk).get_by_role("button", name="Edit call: Discovery call").click()
    form = entry(page, "interaction", call.pk).locator("form")
    expect(form.get_by_label("Subject")).to_have_value("Discovery call")
    expect(form.get_by_label("Notes")).to_have_value("They want TPS reports.")
    assert form.get_by_label("Subject").evaluate("element => element.form !== null")
    form.get_by_label("Subject").fill("Discovery call with Peter")
    form.get_by_label("Duration (minutes)").fill("-5")
    form.get_by_role("button", name="Save").click()
    expect(entry(page, "interaction", call.pk).get_by_text("Ensure this value is greater than or equal to 0.")).to_be_visible()
    screenshot(page, "timeline-entry-error")
    call.refresh_from_db()
    assert call.subject == "Discovery call"

    entry(page, "interaction", call.pk).get_by_label("Duration (minutes)").fill("25")
    entry(page, "interaction", call.pk).get_by_role("button", name="Save").click()
    expect(entry(page, "interaction", call.pk).locator(".amity-timeline-title")).to_have_text("Discovery call with Peter")
    expect(entry(page, "interaction", call.pk).get_by_text("25 min")).to_be_visible()
    screenshot(page, "timeline-entry-saved")
    call.refresh_from_db()
    assert (call.subject, call.duration_seconds, call.body) == ("Discovery call with Peter", 1500, "<p>They want <b>TPS</b> reports.</p>")
    assert AuditEntry.objects.get(object_type="activities.interaction", action="update").door == "web"

    # Cancel brings the entry back unchanged.
    entry(page, "note", note.pk).hover()
    entry(page, "note", note.pk).get_by_role("button", name="Edit note").click()
    entry(page, "note", note.pk).get_by_role("button", name="Cancel").click()
    expect(entry(page, "note", note.pk).get_by_text("Prefers mornings.")).to_be_visible()

    # Delete asks first, inside the entry; Delete there removes it.
    entry(page, "note", note.pk).hover()
    entry(page, "note", note.pk).get_by_role("button", name="Delete note").click()
    expect(entry(page, "note", note.pk).get_by_text("Delete this note from every timeline?")).to_be_visible()
    screenshot(page, "timeline-entry-confirm")
    assert Note.objects.filter(pk=note.pk).exists()
    entry(page, "note", note.pk).get_by_role("button", name="Delete", exact=True).click()
    expect(entry(page, "note", note.pk)).to_have_text("Deleted: Note.")
    assert not Note.objects.exists()


def test_on_a_phone_a_task_is_ticked_done_from_its_form_and_a_call_deleted(open_page, peter):
    task = Task.objects.get()
    call = Interaction.objects.get(subject="Discovery call")
    page = open_page(PHONE, has_touch=True, is_mobile=True)  # no hover: the buttons show on every entry
    sign_in(page, "rita@acme.test", PASSWORD)
    page.goto(f"/w/acme/contacts/{peter.pk}/")
    entry(page, "task", task.pk).scroll_into_view_if_needed()
    entry(page, "task", task.pk).get_by_role("button", name="Edit task").click()
    form = entry(page, "task", task.pk).locator("form")
    form.get_by_label("Status").select_option("done")
    form.get_by_label("Priority").select_option("high")
    form.scroll_into_view_if_needed()
    screenshot(page, "timeline-task-form")
    form.get_by_role("button", name="Save").click()
    expect(entry(page, "task", task.pk).get_by_text("high priority")).to_be_visible()
    expect(page.locator("#panel-tasks").get_by_text("Send the cover sheet memo")).to_have_count(0)  # the panel followed
    task.refresh_from_db()
    assert (task.status, task.priority) == ("done", "high")

    entry(page, "interaction", call.pk).get_by_role("button", name="Delete call").click()
    expect(entry(page, "interaction", call.pk).get_by_text("Delete this call from every timeline?")).to_be_visible()
    entry(page, "interaction", call.pk).scroll_into_view_if_needed()
    screenshot(page, "timeline-entry-confirm")
    entry(page, "interaction", call.pk).get_by_role("button", name="Delete", exact=True).click()
    expect(entry(page, "interaction", call.pk)).to_have_text("Deleted: Discovery call.")
    screenshot(page, "timeline-entry-deleted")
    assert not Interaction.objects.filter(pk=call.pk).exists()
