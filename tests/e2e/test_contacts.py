"""The contact list in a real browser: filter, sort, columns, a saved view, bulk tags, export, and a phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from amity.core.models import FieldDefinition
from amity.core.permissions import Role
from amity.customers import services
from amity.customers.models import Contact, SavedView
from tests.e2e.conftest import PHONE, screenshot, sign_in
from tests.factories import PASSWORD, WorkspaceFactory, member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PEOPLE = [
    ("Ada", "Lovelace", "customer", "gold"),
    ("Grace", "Hopper", "lead", "silver"),
    ("Alan", "Turing", "lead", "gold"),
    ("Katherine", "Johnson", "customer", "silver"),
    ("Edsger", "Dijkstra", "opportunity", "gold"),
]


@pytest.fixture
def acme(transactional_db):
    workspace = WorkspaceFactory(name="Acme", slug="acme")
    owner = member(workspace, Role.OWNER, email="owner@acme.test", full_name="Olga Owner")
    FieldDefinition.objects.create(
        workspace=workspace, object_type="contact", key="tier", label="Tier", type="choice", options=["gold", "silver"]
    )
    account = services.account_create(actor=owner, workspace=workspace, data={"name": "Analytical Engines"})
    for first, last, stage, tier in PEOPLE:
        services.contact_create(
            actor=owner,
            workspace=workspace,
            data={
                "first_name": first, "last_name": last, "lifecycle_stage": stage, "custom": {"tier": tier},
                "emails": [{"address": f"{first.lower()}@example.com"}], "phones": [{"number": "+44 20 7946 0958"}],
                "accounts": [{"account_id": account.pk}], "tags": ["Pioneer"],
            },
        )  # fmt: skip
    return workspace, owner


def row_names(page):
    return page.locator("#records-table tbody th.amity-col-name").all_inner_texts()


def test_contacts_filter_sort_columns_view_bulk_tag_and_export(open_page, acme, tmp_path):
    page = open_page()
    sign_in(page, "owner@acme.test", PASSWORD)
    page.locator("#sidebar").get_by_role("link", name="Contacts").click()
    page.wait_for_url("**/w/acme/contacts/")
    assert len(row_names(page)) == 5

    page.locator("#filters").get_by_label("Stage").select_option("lead")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**lifecycle_stage=lead**")
    assert sorted(row_names(page)) == ["Alan Turing", "Grace Hopper"]

    page.locator("#records-table thead").get_by_role("link", name="Name").click()
    page.wait_for_url("**sort=name**")
    assert row_names(page) == ["Grace Hopper", "Alan Turing"]

    page.get_by_role("button", name="Columns").click()
    page.locator(".amity-columns-menu").get_by_label("Tier").check()
    page.get_by_role("button", name="Apply columns").click()
    page.wait_for_url("**columns=custom.tier**")
    expect(page.locator("#records-table thead").get_by_text("Tier")).to_be_visible()
    screenshot(page, "contacts")

    page.get_by_role("button", name="Views").click()
    page.get_by_role("button", name="Save as new view…").click()
    page.get_by_label("View name").fill("Leads by name")
    page.get_by_label("Share with everyone in Acme").check()
    page.locator("#save-view").get_by_role("button", name="Save view").click()
    page.wait_for_url("**view=**")
    expect(page.get_by_text("View “Leads by name” saved")).to_be_visible()
    view = SavedView.objects.get()
    assert view.filters == {"lifecycle_stage": "lead"} and view.sort == "name" and view.shared

    page.goto("/w/acme/contacts/")
    assert len(row_names(page)) == 5
    page.get_by_role("button", name="Views").click()
    page.get_by_role("link", name="Leads by name").click()
    page.wait_for_url(f"**view={view.pk}")
    assert row_names(page) == ["Grace Hopper", "Alan Turing"]
    expect(page.locator("#records-table thead").get_by_text("Tier")).to_be_visible()

    bar = page.locator("#bulk-form")
    expect(bar).to_be_hidden()
    page.get_by_label("Select Grace Hopper").check()
    page.get_by_label("Select Alan Turing").check()
    expect(bar.get_by_text("2 selected")).to_be_visible()
    bar.get_by_label("Tags to add").fill("Conference 2026")
    screenshot(page, "contacts-bulk")
    bar.get_by_role("button", name="Add tags").click()
    page.get_by_text("2 contacts tagged.").wait_for()
    tagged = Contact.objects.filter(tags__name="Conference 2026")
    assert sorted(c.full_name for c in tagged) == ["Alan Turing", "Grace Hopper"]

    page.get_by_role("button", name="Export").click()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="CSV (any size)").click()
    download = download_info.value
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("Name,")
    assert [line.split(",")[0] for line in lines[1:]] == ["Grace Hopper", "Alan Turing"]
    assert "'+442079460958" in lines[1]


def test_contacts_on_a_phone(open_page, acme):
    page = open_page(PHONE)
    sign_in(page, "owner@acme.test", PASSWORD)
    page.goto("/w/acme/contacts/")
    expect(page.locator("#filters").get_by_label("Stage")).to_be_hidden()  # the filters wait behind a button
    screenshot(page, "contacts")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.get_by_role("button", name="Filters").click()
    page.locator("#filters").get_by_label("Stage").wait_for()
    page.wait_for_timeout(400)
    screenshot(page, "contacts-filters")
    page.locator("#filters").get_by_label("Stage").select_option("customer")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**lifecycle_stage=customer**")
    assert sorted(row_names(page)) == ["Ada Lovelace", "Katherine Johnson"]
    # The table scrolls sideways inside its card while the names stay put.
    scroller = page.locator(".amity-list-scroll")
    scroller.evaluate("element => element.scrollLeft = 400")
    name = page.locator("#records-table tbody th.amity-col-name").first
    expect(name).to_be_visible()
    box = name.bounding_box()
    assert box is not None and box["x"] < 100
    screenshot(page, "contacts-scrolled")
    page.get_by_label("Select Ada Lovelace").check()
    expect(page.locator("#bulk-form").get_by_text("1 selected")).to_be_visible()
    screenshot(page, "contacts-bulk")
