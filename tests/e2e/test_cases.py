"""An agent in a real browser: the queue shows a case arriving without a reload, the agent answers it by email and notes it."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from amity.core.permissions import Role
from amity.service import services
from amity.service.models import Case, CaseMessage
from tests.e2e.conftest import PHONE, screenshot, sign_in
from tests.factories import PASSWORD, WorkspaceFactory, account_with, contact_with, member
from tests.mail import Inbox

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def helpdesk(transactional_db: Any) -> dict[str, Any]:
    workspace = WorkspaceFactory(name="Acme", slug="acme")
    agent = member(workspace, Role.SUPPORT, email="sam@acme.test", full_name="Sam Agent")
    initech = account_with(workspace, "Initech", domains=("initech.test",))
    peter = contact_with(workspace, "Peter", "Gibbons", emails=("peter@initech.test",), accounts=(initech,))
    case = services.case_open(
        actor=None,
        workspace=workspace,
        data={
            "subject": "Chair arm came loose",
            "kind": "complaint",
            "channel": "email",
            "contact_id": peter.pk,
            "priority": "high",
            "description": "Hello,\n\nOne arm of the chair we bought wobbles and came off this morning.\n\nPeter",
        },
        first_message={"from_address": "peter@initech.test", "from_name": "Peter Gibbons", "message_id": "<p1@initech.test>"},
    )
    return {"workspace": workspace, "agent": agent, "case": case}


def test_an_agent_answers_an_emailed_case(open_page: Any, helpdesk: dict[str, Any], smtp_server: Inbox, settings: Any) -> None:
    page = open_page()
    sign_in(page, "sam@acme.test", PASSWORD)
    page.goto("/w/acme/cases/")
    expect(page.get_by_role("link", name="Chair arm came loose")).to_be_visible()

    # A new case arrives while the queue is open: it shows up by itself.
    services.case_open(
        actor=None, workspace=helpdesk["workspace"], data={"subject": "Invoice amount is wrong", "requester_email": "ap@globex.test"}
    )
    expect(page.get_by_role("link", name="Invoice amount is wrong")).to_be_visible(timeout=15_000)
    screenshot(page, "case-queue")

    page.get_by_role("link", name="Chair arm came loose").click()
    expect(page.get_by_text("came off this morning")).to_be_visible()
    page.get_by_label("Message").fill("Sorry about that, Peter. A new arm is on its way and will arrive on Thursday.")
    page.get_by_label("then set to").select_option("resolved")
    page.get_by_role("button", name="Send reply").click()
    expect(page.locator(".amity-message-reply")).to_contain_text("A new arm is on its way")
    expect(page.locator("#case-status-badge")).to_contain_text("Resolved")

    page.locator("#composer-body").blur()  # htmx keeps the focus in the new composer; shortcuts wait for it to leave
    page.keyboard.press("n")
    page.get_by_label("Message").fill("Ordered the arm from the supplier, PO 4711.")
    page.get_by_role("button", name="Add note").click()
    expect(page.locator(".amity-message-note")).to_contain_text("PO 4711")
    screenshot(page, "case-answered")

    case = helpdesk["case"]
    case.refresh_from_db()
    assert case.status == Case.Status.RESOLVED and case.first_response_at is not None and case.assignee == helpdesk["agent"]
    assert list(CaseMessage.objects.filter(case=case).values_list("kind", flat=True)) == ["customer", "reply", "note"]
    [email] = smtp_server.parsed()
    assert email["To"] == "peter@initech.test" and email["In-Reply-To"] == "<p1@initech.test>"
    assert case.subject_tag in email["Subject"]


def test_the_case_page_on_a_phone(open_page: Any, helpdesk: dict[str, Any]) -> None:
    page = open_page(PHONE)
    sign_in(page, "sam@acme.test", PASSWORD)
    page.goto(f"/w/acme/cases/{helpdesk['case'].pk}/")
    expect(page.get_by_text("came off this morning")).to_be_visible()
    screenshot(page, "case-page")
    page.goto("/w/acme/cases/")
    screenshot(page, "case-queue")


def test_a_breach_alert_reaches_the_agent_and_leads_to_the_late_case(open_page: Any, helpdesk: dict[str, Any], settings: Any) -> None:
    import datetime as dt

    from django.utils import timezone

    from amity.core import alerts

    settings.NOTIFICATION_POLL_SECONDS = 1
    workspace, agent = helpdesk["workspace"], helpdesk["agent"]
    owner = member(workspace, Role.OWNER, email="olga@acme.test")
    services.sla_policy_save(actor=owner, workspace=workspace, data={"name": "Complaints in 4 hours", "first_response_minutes": 240})
    late = services.case_open(
        actor=agent, workspace=workspace, data={"subject": "Nobody answered me", "assignee_id": agent.pk, "kind": "complaint"}
    )
    Case.objects.filter(pk=late.pk).update(first_response_due_at=timezone.now() - dt.timedelta(minutes=25))

    page = open_page()
    sign_in(page, "sam@acme.test", PASSWORD)
    page.goto("/w/acme/notifications/")
    assert alerts.evaluate_workspace(workspace=workspace) == 1  # what the worker runs every 15 minutes

    alert = page.locator("#notification-list .list-group-item").first
    expect(alert).to_contain_text(f"{late.number} missed its first response target")
    expect(page.locator("#notifications-bell [data-unread]")).to_have_text("1")
    screenshot(page, "case-breach-alert")
    alert.get_by_role("link").first.click()
    page.wait_for_url(f"**/cases/{late.pk}/")
    expect(page.locator(".amity-sla")).to_contain_text("overdue")
    screenshot(page, "case-breached")


def test_an_agent_inserts_a_suggested_article_into_the_reply(open_page: Any, helpdesk: dict[str, Any]) -> None:
    from amity.service.kb import services as kb

    editor = member(helpdesk["workspace"], Role.MANAGER)
    article = kb.article_create(
        actor=editor,
        workspace=helpdesk["workspace"],
        data={
            "title": "Fixing a loose chair arm",
            "body": "<p>Tighten the two arm screws with the key in the box.</p>",
            "visibility": "public",
        },
    )
    kb.article_submit(actor=editor, article=article)
    kb.article_publish(actor=editor, article=article)
    page = open_page()
    sign_in(page, "sam@acme.test", PASSWORD)

    page.goto(f"/w/acme/cases/{helpdesk['case'].pk}/")
    page.get_by_role("button", name="Insert “Fixing a loose chair arm” into the reply").click()

    composer = page.locator("#composer-body")
    expect(composer).to_have_value(re.compile("Tighten the two arm screws"))
    expect(composer).to_be_focused()
    expect(composer).to_be_in_viewport()  # the reply is brought into view, not left above a long sidebar
    screenshot(page, "case-suggested-article")
