"""Importing contacts in a real browser, with the real database task queue and its worker.

The import runs where it runs in production: the page queues it, a `db_worker` picks it up, and
the page follows its progress by htmx polling. The worker runs in this test's thread, so while it
works the page's clock is paused and no poll reaches the server at the same moment (SQLite's
in-memory test database is one connection shared by the test and the live server).
"""

from __future__ import annotations

import pytest
from django.core.management import call_command

from amity.core.permissions import Role
from amity.customers import services
from amity.customers.models import Contact
from amity.imports.models import Import
from tests.e2e.conftest import PHONE, screenshot, sign_in
from tests.factories import PASSWORD, WorkspaceFactory, member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "email"]}}
PEOPLE_CSV = (
    "Given name,Surname,E-mail,Company,Notes\n"
    "Ada,Lovelace,ada@example.com,Analytical Engines,=HYPERLINK()\n"
    "Bad,Row,not-an-email,Nowhere,\n"
    "Grace,Hopper,grace@example.com,Navy,already here\n"
    "Katherine,Johnson,katherine@example.com,NASA,\n"
)


@pytest.fixture
def acme(transactional_db, settings):
    settings.TASKS = DB_TASKS
    workspace = WorkspaceFactory(name="Acme", slug="acme")
    owner = member(workspace, Role.OWNER, email="owner@acme.test", full_name="Olga Owner")
    services.contact_create(
        actor=owner, workspace=workspace, data={"first_name": "Grace", "last_name": "Hopper", "emails": [{"address": "grace@example.com"}]}
    )
    return workspace, owner


def run_worker_while_paused(page) -> None:
    """Pause the page's timers, let in-flight polls finish, run the queued tasks to the end, then let time flow again."""
    now = page.evaluate("Date.now()") / 1000
    # Half a second ahead: a busy machine can take longer than a few milliseconds between the two calls, and
    # Playwright refuses to pause at a time already past. A poll the jump fires is waited for just below.
    page.clock.pause_at(now + 0.5)
    page.wait_for_load_state("networkidle")
    call_command("db_worker", batch=True, queue_name="*", reload=False, startup_delay=False, verbosity=0)
    page.clock.resume()


def drop_file(page, name: str, text: str) -> None:
    """Drag a file onto the drop zone the way a desktop browser delivers it: a drop event carrying a DataTransfer."""
    page.evaluate(
        """([name, text]) => {
            const data = new DataTransfer();
            data.items.add(new File([text], name, { type: "text/csv" }));
            const zone = document.querySelector("[data-dropzone]");
            for (const type of ["dragenter", "dragover", "drop"]) {
                zone.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: data }));
            }
        }""",
        [name, text],
    )


def test_upload_map_dry_run_import_watch_progress_download_the_log_and_undo(open_page, acme, tmp_path):
    page = open_page()
    page.clock.install()
    sign_in(page, "owner@acme.test", PASSWORD)
    page.locator("#sidebar").get_by_role("link", name="Contacts").click()
    page.wait_for_url("**/w/acme/contacts/")
    page.locator("#import-button").click()
    page.wait_for_url("**/w/acme/imports/new/?kind=contacts")
    assert page.get_by_label("Contacts (people)").is_checked()

    drop_file(page, "people.csv", PEOPLE_CSV)
    assert page.get_by_text("Chosen: people.csv").is_visible()
    screenshot(page, "import-upload")
    page.get_by_role("button", name="Upload and map columns").click()
    page.wait_for_url("**/w/acme/imports/*/")

    table = page.locator("#mapping-table")
    assert table.get_by_label("Given name").input_value() == "first_name"
    assert table.get_by_label("E-mail").input_value() == "email"
    assert table.get_by_label("Company").input_value() == "account"
    assert table.get_by_label("Notes").input_value() == ""
    assert table.locator("tbody tr").nth(2).locator("td").first.inner_text() == "ada@example.com · not-an-email · grace@example.com"
    screenshot(page, "import-mapping")

    page.get_by_role("button", name="Dry run").click()
    assert page.get_by_text("Waiting for a background worker").is_visible()
    screenshot(page, "import-queued")
    run_worker_while_paused(page)
    page.locator("#import-counts").wait_for()
    assert page.locator("#import-status").inner_text().split() == ["Checked", "Dry", "run"]
    assert page.locator("#import-counts").inner_text().split("\n")[:2] == ["Would be created", "2"]
    assert page.locator("#import-errors tbody tr").all_inner_texts() == ["3\tE-mail\tEnter a valid email address."]
    screenshot(page, "import-dry-run")
    assert Contact.objects.count() == 1

    dry_run = Import.objects.get()
    page.get_by_role("button", name="Import these rows now").click()
    page.wait_for_url(lambda url: "/imports/" in url and not url.endswith(f"/imports/{dry_run.pk}/"))
    assert page.locator("#import-progress").get_attribute("value") == "0"
    run_worker_while_paused(page)
    page.locator("#import-counts").wait_for()
    assert page.locator("#import-progress").get_attribute("value") == "100"
    assert page.locator("#import-rows").inner_text() == "4 of 4 rows"
    assert page.locator("#import-summary").inner_text() == "4 rows: 2 created, 0 updated, 1 skipped, 1 failed."
    screenshot(page, "import-done")
    assert sorted(Contact.objects.values_list("primary_email", flat=True)) == [
        "ada@example.com", "grace@example.com", "katherine@example.com"
    ]  # fmt: skip

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download log").click()
    download_info.value.save_as(tmp_path / "log.csv")
    log = (tmp_path / "log.csv").read_text()
    assert log.splitlines()[0] == "row,outcome,record_id,message"
    assert [line.split(",")[:2] for line in log.splitlines()[1:]] == [["2", "created"], ["3", "failed"], ["4", "skipped"], ["5", "created"]]

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Undo import").click()
    page.locator("#import-undone").wait_for()
    assert page.locator("#import-status").inner_text().strip() == "Undone"
    screenshot(page, "import-undone")
    assert list(Contact.objects.filter(deleted_at__isnull=True).values_list("primary_email", flat=True)) == ["grace@example.com"]

    page.get_by_role("link", name="Imports", exact=True).first.click()
    page.wait_for_url("**/w/acme/imports/")
    assert page.locator("#imports-table tbody tr").count() == 2
    screenshot(page, "import-history")


def test_the_import_pages_on_a_phone(open_page, acme):
    page = open_page(PHONE)
    page.clock.install()
    sign_in(page, "owner@acme.test", PASSWORD)
    page.goto("/w/acme/imports/new/?kind=contacts")
    page.get_by_label("File").set_input_files(files=[{"name": "people.csv", "mimeType": "text/csv", "buffer": PEOPLE_CSV.encode()}])
    screenshot(page, "import-upload")
    page.get_by_role("button", name="Upload and map columns").click()
    page.wait_for_url("**/w/acme/imports/*/")
    assert page.locator("#mapping-table").get_by_label("E-mail").is_visible()
    screenshot(page, "import-mapping")
    page.locator("#mapping-form button[value=import]").click()
    run_worker_while_paused(page)
    page.locator("#import-counts").wait_for()
    assert page.get_by_role("button", name="Undo import").is_visible()
    screenshot(page, "import-done")
    page.goto("/w/acme/imports/")
    screenshot(page, "import-history")


def test_leads_are_imported_from_the_leads_list_then_assigned_and_scored_by_the_worker(open_page, acme):
    from amity.sales.models import Lead
    from amity.sales.services import lead_assignment, lead_scoring

    workspace, owner = acme
    berlin = member(workspace, Role.SALES, email="berlin@acme.test", full_name="Bea Berlin")
    lead_assignment.assignment_rule_create(
        actor=owner, workspace=workspace, data={"name": "Germany", "countries": ["DE"], "assign_to_id": berlin.pk}
    )
    lead_scoring.scoring_rule_create(
        actor=owner,
        workspace=workspace,
        data={"name": "Trade fair", "kind": "field", "field": "source", "operator": "equals", "value": "Trade fair", "points": 15},
    )
    page = open_page()
    page.clock.install()
    sign_in(page, "owner@acme.test", PASSWORD)
    page.goto("/w/acme/leads/")
    page.locator("#import-button").click()
    page.wait_for_url("**/w/acme/imports/new/?kind=leads")
    assert page.get_by_label("Leads (people who may become customers; scored and assigned by your rules)").is_checked()

    drop_file(page, "fair.csv", "Name,Email,Company,Country,Lead source\nAda Lovelace,ada@engines.example,Engines,de,Trade fair\n"
              "Grace Hopper,grace@navy.example,Navy,US,Referral\n")  # fmt: skip
    page.get_by_role("button", name="Upload and map columns").click()
    page.wait_for_url("**/w/acme/imports/*/")
    table = page.locator("#mapping-table")
    assert [table.get_by_label(column).input_value() for column in ("Name", "Email", "Company", "Country", "Lead source")] == [
        "full_name", "email", "company", "country", "source"
    ]  # fmt: skip
    screenshot(page, "import-leads-mapping")
    page.locator("button[value=import]").click()
    page.wait_for_url(lambda url: "/imports/" in url and not url.endswith("/new/"))
    run_worker_while_paused(page)
    page.locator("#import-counts").wait_for()
    assert page.locator("#import-summary").inner_text() == "2 rows: 2 created, 0 updated, 0 skipped, 0 failed."
    screenshot(page, "import-leads-done")

    ada, grace = Lead.objects.order_by("pk")
    assert (ada.owner_id, ada.score, ada.country) == (berlin.pk, 15, "DE")  # the Germany rule, the Trade fair rule
    assert (grace.owner_id, grace.score) == (owner.pk, 0)  # no rule: the importer's
