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
    page.goto("/w/acme/settings/replies/")
    page.locator("#response-form").get_by_label("Name").fill("Thanks")
    page.locator("#response-form").get_by_label("Text").fill("Hi {customer_first_name}, thank you for writing to us.")
    page.locator("#response-form").get_by_role("button", name="Add response").click()
    expect(page.locator("#responses")).to_contain_text("Thanks")
    screenshot(page, "replies")

    phone = open_page(PHONE)
    sign_in(phone, admin.email, PASSWORD)
    phone.goto("/w/acme/settings/case-routing/")
    expect(phone.locator("#routing-rules")).to_be_visible()
    screenshot(phone, "case-routing")


def test_a_manager_reads_the_service_report_with_its_charts(open_page: Any, transactional_db: Any) -> None:
    import datetime as dt
    import random

    from django.utils import timezone

    from amity.service.models import Case

    workspace = WorkspaceFactory(name="Acme", slug="acme")
    manager = member(workspace, Role.MANAGER, email="mia@acme.test", full_name="Mia Manager")
    agents = [
        member(workspace, Role.SUPPORT, email=f"{name.lower()}@acme.test", full_name=f"{name} Agent") for name in ("Sam", "Rita", "Omar")
    ]
    rng, now = random.Random(3), timezone.now()
    for number in range(60):
        case = services.case_open(actor=None, workspace=workspace, data={"subject": f"Case {number}", "requester_email": "p@example.com"})
        opened = now - dt.timedelta(days=rng.uniform(0, 85))
        answered = opened + dt.timedelta(hours=rng.uniform(0.2, 9))
        resolved = answered + dt.timedelta(hours=rng.uniform(1, 60)) if rng.random() < 0.8 else None
        Case.objects.filter(pk=case.pk).update(
            created_at=opened,
            assignee=agents[number % 3],
            first_response_at=answered,
            first_response_due_at=opened + dt.timedelta(hours=4),
            resolved_at=resolved if resolved and resolved < now else None,
            resolution_due_at=opened + dt.timedelta(hours=48),
            status=Case.Status.RESOLVED if resolved and resolved < now else Case.Status.OPEN,
        )
    page = open_page()
    sign_in(page, manager.email, PASSWORD)

    page.goto("/w/acme/cases/")
    page.get_by_role("link", name="Report").click()
    page.get_by_label("Range").select_option("90")
    expect(page.locator('[data-kpi="opened"]')).to_have_text("60")
    expect(page.locator("canvas[data-chart='chart-times'][data-drawn]")).to_be_attached()
    expect(page.locator("#report-agents")).to_contain_text("Rita Agent")
    screenshot(page, "service-report")
    page.set_viewport_size(PHONE)
    screenshot(page, "service-report")
