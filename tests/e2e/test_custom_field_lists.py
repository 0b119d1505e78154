"""A contact list sorted by a custom field's column and filtered by a number range and several choices, in a real browser."""

from __future__ import annotations

import pytest

from amity.core.models import FieldDefinition
from amity.core.permissions import Role
from amity.customers import services
from tests.e2e.conftest import PHONE, screenshot, sign_in
from tests.factories import PASSWORD, WorkspaceFactory, member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PEOPLE = [
    ("Ada", "Lovelace", "12", "gold"),
    ("Grace", "Hopper", "3", "silver"),
    ("Alan", "Turing", None, "gold"),
    ("Edsger", "Dijkstra", "40", "bronze"),
]


@pytest.fixture
def acme(transactional_db):
    workspace = WorkspaceFactory(name="Acme", slug="acme")
    owner = member(workspace, Role.OWNER, email="owner@acme.test", full_name="Olga Owner")
    FieldDefinition.objects.create(
        workspace=workspace, object_type="contact", key="tier", label="Tier", type="choice", options=["gold", "silver", "bronze"]
    )
    FieldDefinition.objects.create(workspace=workspace, object_type="contact", key="seats", label="Seats", type="number")
    FieldDefinition.objects.create(workspace=workspace, object_type="contact", key="renewal", label="Renewal", type="date")
    for first, last, seats, tier in PEOPLE:
        custom = {"tier": tier, **({"seats": seats} if seats else {})}
        services.contact_create(actor=owner, workspace=workspace, data={"first_name": first, "last_name": last, "custom": custom})
    return workspace, owner


def row_names(page):
    return page.locator("#records-table tbody th.amity-col-name").all_inner_texts()


def test_sort_by_a_custom_column_and_filter_by_a_range_and_several_choices(open_page, acme):
    page = open_page()
    sign_in(page, "owner@acme.test", PASSWORD)
    page.goto("/w/acme/contacts/?columns=custom.seats&columns=custom.tier")
    page.locator("#records-table thead").get_by_role("link", name="Seats").click()
    page.wait_for_url("**sort=custom.seats**")
    assert row_names(page) == ["Grace Hopper", "Ada Lovelace", "Edsger Dijkstra", "Alan Turing"]  # no seats: last
    page.locator("#records-table thead").get_by_role("link", name="Seats").click()
    page.wait_for_url("**sort=-custom.seats**")
    assert row_names(page) == ["Edsger Dijkstra", "Ada Lovelace", "Grace Hopper", "Alan Turing"]

    filters = page.locator("#filters")
    filters.get_by_label("Seats from").fill("4")
    filters.get_by_label("Tier (any of)").select_option(["gold", "bronze"])
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**custom.seats__gte=4**")
    assert row_names(page) == ["Edsger Dijkstra", "Ada Lovelace"]
    assert filters.get_by_label("Seats from").input_value() == "4"
    screenshot(page, "contacts-custom-filters")


def test_custom_filters_on_a_phone(open_page, acme):
    page = open_page(PHONE)
    sign_in(page, "owner@acme.test", PASSWORD)
    page.goto("/w/acme/contacts/?sort=-custom.seats&custom.tier=gold&custom.tier=bronze")
    assert row_names(page) == ["Edsger Dijkstra", "Ada Lovelace", "Alan Turing"]
    page.get_by_role("button", name="Filters").click()
    page.locator("#filters").get_by_label("Seats from").wait_for()
    page.wait_for_timeout(400)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "contacts-custom-filters")
