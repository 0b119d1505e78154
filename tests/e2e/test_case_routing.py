"""An admin in a real browser routes returns to a skilled agent; the next return that arrives lands with them."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from amity.core.permissions import Role
from amity.service import services
from amity.service.models import Queue
from tests.e2e.conftest import PHONE, screenshot, sign_in
from tests.factories import PASSWORD, WorkspaceFactory, member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_admin_routes_returns_to_the_agent_with_the_returns_skill(open_page: Any, transactional_db: Any) -> None:
    workspace = WorkspaceFactory(name="Acme", slug="acme")
    admin = member(workspace, Role.ADMIN, email="ada@acme.test", full_name="Ada Admin")
    sam = member(workspace, Role.SUPPORT, email="sam@acme.test", full_name="Sam Agent")
    rita = member(workspace, Role.SUPPORT, email="rita@acme.test", full_name="Rita Returns")
    services.service_setup(workspace=workspace)
    Queue.objects.get(workspace=workspace).members.set([sam, rita])
    page = open_page()
    sign_in(page, admin.email, PASSWORD)

    page.goto("/w/acme/settings/case-routing/")
    row = page.locator("#agents tr", has_text="Rita Returns")
    row.get_by_label("Skills of Rita Returns").fill("returns")
    row.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Rita Returns's routing saved.")).to_be_visible()
    form = page.locator("#rule-form")
    form.get_by_label("Name").fill("Returns to the returns desk")
    form.get_by_label("Product return").check()
    form.get_by_label("Give it to").select_option("least_loaded")
    form.get_by_label("Skill needed").fill("returns")
    form.get_by_role("button", name="Add rule").click()
    expect(page.locator("#routing-rules")).to_contain_text("Product return")
    expect(page.locator("#routing-rules")).to_contain_text("Least open cases among the queue's agents (skill returns)")
    screenshot(page, "case-routing")

    case = services.case_open(
        actor=None, workspace=workspace, data={"subject": "Send back a chair", "kind": "product_return", "requester_email": "p@example.com"}
    )
    assert case.assignee == rita

    page.goto("/w/acme/settings/service-levels/")
    page.locator("#calendar-form").get_by_label("Name").fill("Office")
    page.locator("#calendar-form").get_by_label("Time zone").fill("Europe/Berlin")
    page.locator("#calendar-form").get_by_label("Monday").fill("09:00-17:00")
    page.locator("#calendar-form").get_by_role("button", name="Add calendar").click()
    expect(page.locator("#calendars")).to_contain_text("Europe/Berlin")
    screenshot(page, "service-levels")
    page.goto("/w/acme/settings/service-desk/")
    screenshot(page, "service-desk")

    phone = open_page(PHONE)
    sign_in(phone, admin.email, PASSWORD)
    phone.goto("/w/acme/settings/case-routing/")
    expect(phone.locator("#routing-rules")).to_be_visible()
    screenshot(phone, "case-routing")
