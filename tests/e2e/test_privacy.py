"""Erasure in a real browser: an admin erases a person from their page, watches it run, and the person is gone.

The erasure runs where it runs in production: the confirmation queues it, a `db_worker` picks it up, and the
privacy requests page follows its progress by htmx polling.
"""

from __future__ import annotations

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from amity.core.permissions import Role
from amity.customers import services
from amity.customers.models import ConsentEvent, Erasure, RetentionRule
from tests.e2e.conftest import PHONE, screenshot, sign_in
from tests.e2e.test_imports import DB_TASKS, run_worker_while_paused
from tests.factories import PASSWORD, WorkspaceFactory, member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def ada(transactional_db, settings):
    """Ada Lovelace with an email, a phone, a note and a consent entry with its proof, in Acme run by Olga."""
    settings.TASKS = DB_TASKS
    workspace = WorkspaceFactory(name="Acme", slug="acme")
    owner = member(workspace, Role.OWNER, email="owner@acme.test", full_name="Olga Owner")
    contact = services.contact_create(
        actor=owner,
        workspace=workspace,
        data={
            "first_name": "Ada", "last_name": "Lovelace", "title": "Analyst",
            "emails": [{"address": "ada@example.com"}], "phones": [{"number": "+44 20 7946 0123", "kind": "work"}],
        },
    )  # fmt: skip
    services.consent_record(
        actor=owner,
        contact=contact,
        channel="email",
        status="granted",
        method="Web form",
        source="Newsletter",
        proof={"document": "Form 7"},
    )
    call_command("db_worker", batch=True, queue_name="*", reload=False, startup_delay=False, verbosity=0)  # the search index
    return workspace, contact, owner


def test_an_admin_erases_a_person_from_their_page_and_watches_it_finish(open_page, ada):
    _, contact, _ = ada
    page = open_page()
    page.clock.install()
    sign_in(page, "owner@acme.test", PASSWORD)
    page.goto(f"/w/acme/contacts/{contact.pk}/")
    panel = page.locator("#panel-privacy")
    expect(panel.get_by_role("link", name="PDF")).to_be_visible()
    expect(page.locator("#panel-consent_log")).to_contain_text("Now granted")
    screenshot(page, "privacy-contact-page")

    panel.get_by_role("link", name="Erase this person").click()
    page.wait_for_url(f"**/contacts/{contact.pk}/erase/")
    expect(page.locator("#plan-removed")).to_contain_text("Emails")
    expect(page.locator("#plan-kept")).to_contain_text("Invoices")
    screenshot(page, "privacy-erase-confirm")
    page.get_by_label("Type Ada Lovelace or ERASE").fill("Ada")
    page.get_by_role("button", name="Erase for good").click()
    expect(page.locator("#erase-error")).to_contain_text("Type the person's name (Ada Lovelace) or ERASE")
    assert not Erasure.objects.exists()

    page.get_by_label("Type Ada Lovelace or ERASE").fill("Ada Lovelace")
    page.get_by_role("button", name="Erase for good").click()
    page.wait_for_url("**/settings/privacy/?erasure=*")
    erasure = Erasure.objects.get()
    row = page.locator(f"#erasure-{erasure.pk}")
    expect(row).to_contain_text("Queued")
    expect(row.locator("progress")).to_be_visible()
    expect(row).to_contain_text("owner@acme.test")
    screenshot(page, "privacy-requests-queued")

    run_worker_while_paused(page)
    page.clock.run_for(2500)  # the row's next poll
    expect(row).to_contain_text("Done")
    expect(row.locator("progress")).to_have_count(0)
    screenshot(page, "privacy-requests-done")

    row.get_by_role("link", name=f"Contact {contact.pk}").click()
    page.wait_for_url(f"**/contacts/{contact.pk}/")
    expect(page.locator("#record-heading")).to_contain_text("Erased person")
    body = page.locator("main").inner_text()
    assert "Lovelace" not in body and "ada@example.com" not in body and "7946" not in body and "Newsletter" not in body
    expect(page.locator("#panel-privacy")).to_contain_text("Erased")
    expect(page.locator("#panel-privacy").get_by_role("link", name="Erase this person")).to_have_count(0)
    expect(page.locator("#erased-banner")).to_contain_text("at the data subject's request")
    expect(page.get_by_role("button", name="Restore")).to_have_count(0)
    screenshot(page, "privacy-contact-erased")

    page.goto("/w/acme/search?q=Lovelace")
    assert "Lovelace" not in page.locator("main").inner_text().replace("Lovelace”", "").replace("“Lovelace", "")
    assert ConsentEvent.objects.get().source == ""


def test_the_privacy_pages_on_a_phone(open_page, ada):
    workspace, contact, owner = ada
    RetentionRule.objects.create(
        workspace=workspace, object_type="lead", untouched_months=24, action="delete", created_by=owner, updated_by=owner
    )
    page = open_page(PHONE, has_touch=True, is_mobile=True)
    sign_in(page, "owner@acme.test", PASSWORD)
    page.goto(f"/w/acme/contacts/{contact.pk}/")
    page.locator("#panel-privacy").scroll_into_view_if_needed()
    screenshot(page, "privacy-contact-page")
    page.goto(f"/w/acme/contacts/{contact.pk}/erase/")
    expect(page.get_by_role("button", name="Erase for good")).to_be_visible()
    screenshot(page, "privacy-erase-confirm")
    page.goto("/w/acme/settings/retention/")
    expect(page.locator("#retention-rules")).to_contain_text("Delete leads untouched for 24 months")
    screenshot(page, "privacy-retention")
    page.locator("#retention-rules").get_by_role("link").first.click()
    expect(page.locator("#retention-preview")).to_contain_text("If it ran now: 0 records")
    screenshot(page, "privacy-retention-rule")
