"""Privacy in the web UI: the contact page's privacy panel and consent log, the erasure's confirmation, the requests list."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from amity.core.models import AuditEntry, User, Workspace
from amity.core.permissions import Role
from amity.customers.models import ConsentEvent, Contact, Erasure
from amity.customers.privacy.erasure import SCRUBS
from tests.customers.privacy.conftest import EMAIL, Person
from tests.factories import contact_with, member

pytestmark = pytest.mark.django_db


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def browser(admin: User) -> Client:
    return signed_in(admin)


def test_the_privacy_panel_is_shown_to_admins_only(browser: Client, workspace: Workspace, person: Person) -> None:
    page = f"/w/acme/contacts/{person.contact.pk}/"
    rep = signed_in(member(workspace, Role.MANAGER, email="manager@acme.test"))

    assert 'id="panel-privacy"' in browser.get(page).content.decode()
    assert f"/contacts/{person.contact.pk}/erase/" in browser.get(page).content.decode()
    assert 'id="panel-privacy"' not in rep.get(page).content.decode()
    assert rep.get(f"/w/acme/contacts/{person.contact.pk}/erase/").status_code == 403
    assert rep.get(f"/w/acme/contacts/{person.contact.pk}/personal-data.json").status_code == 403


@pytest.mark.parametrize(("file_format", "content_type"), [("json", "application/json"), ("html", "text/html"), ("pdf", "application/pdf")])
def test_the_personal_data_downloads_in_each_format_and_is_audited(
    browser: Client, person: Person, file_format: str, content_type: str
) -> None:
    response = browser.get(f"/w/acme/contacts/{person.contact.pk}/personal-data.{file_format}")

    assert response.status_code == 200
    assert response["Content-Type"].startswith(content_type)
    assert f'filename="personal-data-contact-{person.contact.pk}.{file_format}"' in response["Content-Disposition"]
    if file_format == "json":
        assert json.loads(response.content)["sections"]["emails"][0]["address"] in (EMAIL, "ada@home.example")
    if file_format == "html":
        assert "Lovelace" in response.content.decode()
    assert AuditEntry.objects.filter(object_id=str(person.contact.pk), action="access").count() == 1


def test_the_confirmation_says_what_goes_and_what_stays_from_the_scrubs(browser: Client, person: Person) -> None:
    page = browser.get(f"/w/acme/contacts/{person.contact.pk}/erase/").content.decode()

    removed = page[page.index('id="plan-removed"') : page.index('id="plan-pseudonymised"')]
    pseudonymised = page[page.index('id="plan-pseudonymised"') : page.index('id="plan-kept"')]
    kept = page[page.index('id="plan-kept"') :]
    assert "Emails" in removed and "2 rows" in removed and "Case attachments" in removed
    assert "Interactions" in pseudonymised and "subject" in pseudonymised and "Audit log entries" in pseudonymised
    assert "Deals" in kept and "Orders" in kept and "Invoices" in kept
    kept_sections = [section for section, scrub in SCRUBS.items() if scrub == "keep"]
    assert kept.count("<li") == len(kept_sections)


def test_a_wrong_confirmation_erases_nothing(browser: Client, person: Person) -> None:
    response = browser.post(f"/w/acme/contacts/{person.contact.pk}/erase/", {"confirmation": "Ada"})

    assert response.status_code == 422
    assert "Type the person&#x27;s name (Ada Lovelace) or ERASE" in response.content.decode()
    assert not Erasure.objects.exists()
    assert Contact.objects.get(pk=person.contact.pk).last_name == "Lovelace"


@pytest.mark.parametrize("typed", ["ada  LOVELACE", "ERASE"])
def test_typing_the_name_or_erase_starts_the_erasure(
    browser: Client, person: Person, typed: str, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post(f"/w/acme/contacts/{person.contact.pk}/erase/", {"confirmation": typed})

    erasure = Erasure.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/w/acme/settings/privacy/?erasure={erasure.pk}"
    assert erasure.status == "done" and erasure.requested_by_label == "admin@acme.test"
    assert Contact.objects.get(pk=person.contact.pk).last_name == "person"
    listed = browser.get(response["Location"]).content.decode()
    assert f'id="erasure-{erasure.pk}"' in listed and "admin@acme.test" in listed and "Done" in listed
    page = browser.get(f"/w/acme/contacts/{person.contact.pk}/")
    assert page.status_code == 200 and "Lovelace" not in page.content.decode() and "Erased person" in page.content.decode()


def test_a_running_erasure_polls_its_row_until_done(browser: Client, workspace: Workspace, person: Person) -> None:
    erasure = Erasure.objects.create(workspace=workspace, contact_id=person.contact.pk, status="running", progress=0.4, step="erased notes")

    row = browser.get(f"/w/acme/settings/privacy/erasures/{erasure.pk}/").content.decode()
    assert 'hx-trigger="every 2s"' in row and "40%" in row and "erased notes" in row
    Erasure.objects.filter(pk=erasure.pk).update(status="done", progress=1.0)
    assert 'hx-trigger="every 2s"' not in browser.get(f"/w/acme/settings/privacy/erasures/{erasure.pk}/").content.decode()


def test_the_requests_list_pages_by_keyset_in_constant_queries(browser: Client, workspace: Workspace) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert browser.get("/w/acme/settings/privacy/").status_code == 200
        return len(captured.captured_queries)

    Erasure.objects.bulk_create(Erasure(workspace=workspace, contact_id=n, status="done") for n in range(2))
    queries()  # the first request of a session also remembers the workspace and warms the role cache
    few = queries()
    Erasure.objects.bulk_create(Erasure(workspace=workspace, contact_id=n, status="running") for n in range(40))
    assert queries() == few
    first = browser.get("/w/acme/settings/privacy/").content.decode()
    assert first.count('id="erasure-') == 25 and "cursor=" in first


def test_another_workspaces_erasures_and_people_are_not_found(browser: Client, other_workspace: Workspace) -> None:
    theirs = contact_with(other_workspace, "Other", "Person")
    erasure = Erasure.objects.create(workspace=other_workspace, contact_id=theirs.pk, requested_by_label="zz-other")

    assert "zz-other" not in browser.get("/w/acme/settings/privacy/").content.decode()
    assert browser.get(f"/w/acme/settings/privacy/erasures/{erasure.pk}/").status_code == 404
    assert browser.get(f"/w/acme/contacts/{theirs.pk}/erase/").status_code == 404
    assert browser.post(f"/w/acme/contacts/{theirs.pk}/erase/", {"confirmation": "ERASE"}).status_code == 404
    assert browser.get(f"/w/acme/contacts/{theirs.pk}/personal-data.json").status_code == 404
    assert browser.get("/w/globex/settings/privacy/").status_code == 404
    assert Erasure.objects.count() == 1 and Contact.objects.get(pk=theirs.pk).last_name == "Person"


def test_the_consent_log_shows_each_channels_history_and_current_state(browser: Client, workspace: Workspace, person: Person) -> None:
    from datetime import timedelta

    from django.utils import timezone

    old = ConsentEvent.objects.get(contact=person.contact)
    ConsentEvent.objects.filter(pk=old.pk).update(occurred_at=timezone.now() - timedelta(days=30))
    ConsentEvent.objects.create(
        workspace=workspace,
        contact=person.contact,
        channel="email",
        status="withdrawn",
        method="Phone call",
        source="Support line",
        proof={"document": "Call recording 2026-114"},
    )
    page = browser.get(f"/w/acme/contacts/{person.contact.pk}/").content.decode()
    panel = page[page.index('id="panel-consent_log"') : page.index('id="panel-privacy"')]

    assert "Now withdrawn" in panel and panel.index("Support line") < panel.index("Fair")
    withdrawn = ConsentEvent.objects.get(status="withdrawn")
    proof_url = f"/w/acme/contacts/{person.contact.pk}/consent/{withdrawn.pk}/"
    assert proof_url in panel
    assert "Call recording 2026-114" in browser.get(proof_url).content.decode()


def test_a_consent_proof_of_another_person_or_workspace_is_not_found(
    browser: Client, workspace: Workspace, other_workspace: Workspace, person: Person
) -> None:
    theirs = contact_with(other_workspace, "Other", "Person")
    their_event = ConsentEvent.objects.create(workspace=other_workspace, contact=theirs, channel="email", status="granted")
    ours = ConsentEvent.objects.get(contact=person.contact)

    assert browser.get(f"/w/acme/contacts/{theirs.pk}/consent/{their_event.pk}/").status_code == 404
    assert browser.get(f"/w/acme/contacts/{person.contact.pk}/consent/{their_event.pk}/").status_code == 404
    assert browser.get(f"/w/acme/contacts/{person.bystander.pk}/consent/{ours.pk}/").status_code == 404


def test_a_rule_added_on_the_settings_page_starts_off_and_opens_on_its_preview(browser: Client, workspace: Workspace) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from amity.customers.models import RetentionRule
    from amity.sales.models import Lead

    old = Lead.objects.create(workspace=workspace, first_name="Olga", last_name="Oldlead", email="olga@example.com")
    Lead.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(days=800))
    Lead.objects.create(workspace=workspace, first_name="Nora", last_name="Newlead", email="nora@example.com")

    refused = browser.post("/w/acme/settings/retention/", {"object_type": "case", "untouched_months": "12", "action": "delete"})
    added = browser.post("/w/acme/settings/retention/", {"object_type": "lead", "untouched_months": "24", "action": "delete"})

    assert refused.status_code == 422 and "For cases, choose anonymise." in refused.content.decode()
    rule = RetentionRule.objects.get()
    assert added.status_code == 302 and added["Location"] == f"/w/acme/settings/retention/{rule.pk}/" and not rule.enabled
    preview = browser.get(added["Location"]).content.decode()
    assert "If it ran now: 1 record" in preview and "Olga Oldlead" in preview and "Nora" not in preview
    assert browser.post(added["Location"], {"do": "enable"}).status_code == 302
    assert RetentionRule.objects.get().enabled
    assert Lead.objects.get(pk=old.pk).deleted_at is None, "switching on lets the worker act; nothing goes at once"


def test_retention_pages_are_for_admins_and_their_own_workspace(browser: Client, workspace: Workspace, other_workspace: Workspace) -> None:
    from amity.customers.models import RetentionRule, RetentionRun

    theirs = RetentionRule.objects.create(workspace=other_workspace, object_type="lead", untouched_months=24, action="delete")
    their_run = RetentionRun.objects.create(workspace=other_workspace, rule=theirs, rule_label="zz-other rule")
    manager = signed_in(member(workspace, Role.MANAGER, email="manager@acme.test"))

    assert "zz-other" not in browser.get("/w/acme/settings/retention/").content.decode()
    assert browser.get(f"/w/acme/settings/retention/{theirs.pk}/").status_code == 404
    assert browser.post(f"/w/acme/settings/retention/{theirs.pk}/", {"do": "delete"}).status_code == 404
    assert browser.get(f"/w/acme/settings/retention/runs/{their_run.pk}/").status_code == 404
    assert manager.get("/w/acme/settings/retention/").status_code == 403
    assert RetentionRule.objects.filter(pk=theirs.pk).exists()


def test_a_running_retention_run_polls_its_row(browser: Client, workspace: Workspace) -> None:
    from amity.customers.models import RetentionRule, RetentionRun

    rule = RetentionRule.objects.create(workspace=workspace, object_type="lead", untouched_months=24, action="delete")
    run = RetentionRun.objects.create(workspace=workspace, rule=rule, rule_label=str(rule), status="running", matched=10, processed=4)

    row = browser.get(f"/w/acme/settings/retention/runs/{run.pk}/").content.decode()

    assert 'hx-trigger="every 2s"' in row and "4 of 10" in row
