"""The knowledge base in a real browser: an agent writes an article with its preview and sends it for review, a manager
publishes it, it is found by the search and suggested on a case, where the agent links it; the Markdown toolbar; and the
satisfaction report with whole-number ticks on its count axis."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from amity.core.permissions import Role
from amity.service import services
from amity.service.models import CaseArticle, Survey
from tests.e2e import test_cases
from tests.e2e.conftest import PHONE, screenshot, sign_in
from tests.factories import PASSWORD, member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
helpdesk = test_cases.helpdesk  # the fixture: the workspace, its agent and an emailed case

BODY = "<h2>What you need</h2>\n<p>The hex key from the box.</p>\n<h2>Steps</h2>\n<ul><li>Tighten the two arm screws.</li><li>Sit and check the chair arm.</li></ul>"


def test_an_article_is_written_reviewed_published_found_and_linked_to_a_case(open_page: Any, helpdesk: dict[str, Any]) -> None:
    member(helpdesk["workspace"], Role.MANAGER, email="mia@acme.test", full_name="Mia Manager")
    agent = open_page()
    sign_in(agent, "sam@acme.test", PASSWORD)

    agent.get_by_role("link", name="Knowledge base").click()
    agent.get_by_role("link", name="New article").click()
    agent.get_by_label("Title").fill("Fixing a loose chair arm")
    agent.get_by_label("Who may read it").select_option("public")
    agent.get_by_label("Text").fill(BODY)
    expect(agent.locator("#kb-preview-text h2").first).to_have_text("What you need")  # the live preview, as readers see it
    expect(agent.locator("#kb-preview-text li")).to_have_count(2)
    screenshot(agent, "kb-editor")
    agent.get_by_role("button", name="Save draft").click()
    expect(agent.get_by_role("heading", name="Fixing a loose chair arm")).to_be_visible()
    agent.get_by_role("button", name="Send for review").click()
    expect(agent.get_by_text("Waiting for a reviewer")).to_be_visible()

    reviewer = open_page()
    sign_in(reviewer, "mia@acme.test", PASSWORD)
    reviewer.goto("/w/acme/kb/review/")
    expect(reviewer.locator("#kb-review-table")).to_contain_text("Fixing a loose chair arm")
    screenshot(reviewer, "kb-review-queue")
    reviewer.get_by_role("button", name="Publish “Fixing a loose chair arm”").click()
    expect(reviewer.get_by_text("Nothing to review")).to_be_visible()

    agent.goto("/w/acme/kb/")
    agent.get_by_label("Search articles").fill("arm screws")
    agent.get_by_label("Search articles").press("Enter")
    expect(agent.locator("#kb-table")).to_contain_text("Fixing a loose chair arm")
    expect(agent.locator("#kb-table")).to_contain_text("Published")
    screenshot(agent, "kb-search")

    agent.goto(f"/w/acme/cases/{helpdesk['case'].pk}/")
    suggested = agent.locator("#case-suggested-articles")
    expect(suggested).to_contain_text("Fixing a loose chair arm")
    agent.get_by_role("button", name="Link “Fixing a loose chair arm” to the case").click()
    expect(agent.locator("#case-linked-articles")).to_contain_text("Fixing a loose chair arm")
    expect(suggested).to_have_count(0)
    agent.locator("#case-articles").scroll_into_view_if_needed()
    screenshot(agent, "case-linked-article")
    assert CaseArticle.objects.filter(case=helpdesk["case"]).count() == 1

    agent.get_by_role("button", name="Insert “Fixing a loose chair arm” into the reply").click()
    composer = agent.locator("#composer-body")
    expect(composer).to_be_focused()
    expect(composer).to_be_in_viewport()
    expect(composer).to_have_value(re.compile(r"Tighten the two arm screws\."))


def _select(text: Any, words: str) -> None:
    text.evaluate("(area, words) => { const at = area.value.indexOf(words); area.setSelectionRange(at, at + words.length); }", words)


def test_the_markdown_toolbar_formats_the_text_and_the_preview_follows(open_page: Any, helpdesk: dict[str, Any]) -> None:
    page = open_page()
    sign_in(page, "sam@acme.test", PASSWORD)
    page.goto("/w/acme/kb/new/")
    page.get_by_label("Title").fill("Oiling the wheels")
    text = page.get_by_label("Text")
    toolbar = page.get_by_role("toolbar", name="Formatting")

    text.fill("Steps")
    toolbar.get_by_role("button", name="Heading").click()
    text.press("End")
    text.press_sequentially("\n\nUse the oil from the shop")
    _select(text, "oil")
    text.press("Control+b")
    _select(text, "the")
    toolbar.get_by_role("button", name="Italic").click()
    _select(text, "shop")
    text.press("Control+k")  # [shop](https://) with the address selected, so typing replaces it
    text.press_sequentially("https://shop.acme.test")
    text.press("End")
    text.press_sequentially("\n\nTurn the chair over\nTighten the screws")
    text.evaluate("(area) => area.setSelectionRange(area.value.indexOf('Turn'), area.value.length)")
    toolbar.get_by_role("button", name="Numbered list").click()
    text.press("End")
    text.press_sequentially("\n\n")
    toolbar.get_by_role("button", name="Bulleted list").click()
    text.press_sequentially("Keep it dry\n\nM6")
    _select(text, "M6")
    toolbar.get_by_role("button", name="Code").click()
    text.press("End")
    text.press_sequentially("\n\n")
    toolbar.get_by_role("button", name="Quote").click()
    text.press_sequentially("Never overtighten.")

    expect(text).to_have_value(
        "## Steps\n\nUse *the* **oil** from the [shop](https://shop.acme.test)\n\n1. Turn the chair over\n2. Tighten the screws"
        "\n\n- Keep it dry\n\n`M6`\n\n> Never overtighten."
    )
    preview = page.locator("#kb-preview-text")
    expect(preview.locator("h2")).to_have_text("Steps")
    expect(preview.locator("strong")).to_have_text("oil")
    expect(preview.locator("em")).to_have_text("the")
    expect(preview.locator('a[href="https://shop.acme.test"]')).to_have_text("shop")
    expect(preview.locator("ol li")).to_have_count(2)
    expect(preview.locator("ul li")).to_have_text("Keep it dry")
    expect(preview.locator("code")).to_have_text("M6")
    expect(preview.locator("blockquote")).to_have_text("Never overtighten.")
    _select(text, "oil")
    text.press("Control+b")  # pressed again, the mark comes off
    expect(preview.locator("strong")).to_have_count(0)
    text.press("Control+z")
    expect(preview.locator("strong")).to_have_text("oil")  # the browser's undo knows the toolbar's edits
    screenshot(page, "kb-markdown-toolbar")

    page.get_by_role("button", name="Save draft").click()
    body = page.locator("#article-body")
    expect(body.locator("h2")).to_have_text("Steps")
    expect(body.locator("ol li")).to_have_count(2)
    screenshot(page, "kb-markdown-article")


def test_the_history_shows_what_changed_on_a_phone(open_page: Any, helpdesk: dict[str, Any]) -> None:
    from amity.service.kb import services as kb

    article = kb.article_create(
        actor=helpdesk["agent"],
        workspace=helpdesk["workspace"],
        data={"title": "Delivery", "body": "<p>Three to five working days.</p><p>By courier.</p>"},
    )
    kb.article_update(actor=helpdesk["agent"], article=article, data={"body": "<p>Two to four working days.</p><p>By courier.</p>"})
    page = open_page(PHONE, has_touch=True, is_mobile=True)
    sign_in(page, "sam@acme.test", PASSWORD)

    page.goto(f"/w/acme/kb/{article.pk}/history/")

    expect(page.locator("#kb-diff del").first).to_have_text("Three")
    expect(page.locator("#kb-diff ins").first).to_have_text("Two")
    screenshot(page, "kb-history")
    page.goto("/w/acme/kb/")
    screenshot(page, "kb-list")
    page.goto(f"/w/acme/kb/{article.pk}/edit/")
    screenshot(page, "kb-editor")


def test_the_satisfaction_report_draws_its_charts(open_page: Any, helpdesk: dict[str, Any]) -> None:
    workspace, agent = helpdesk["workspace"], helpdesk["agent"]
    now = timezone.now()
    for number, score in enumerate([5, 4, 5, 2, None, 4, 3, 5]):
        case = services.case_open(
            actor=None, workspace=workspace, data={"subject": f"Help {number}", "requester_email": "x@example.com", "assignee_id": agent.pk}
        )
        sent = now - dt.timedelta(days=7 * number + 1)
        Survey.objects.create(
            workspace=workspace, case=case, agent=agent, kind=case.kind, email="x@example.com", token=f"{case.pk:032d}", sent_at=sent,
            score=score, answered_at=sent + dt.timedelta(hours=3) if score else None,
        )  # fmt: skip
    for viewport, name in [({"width": 1280, "height": 1000}, "csat-report"), (PHONE, "csat-report")]:
        page = open_page(viewport, reduced_motion="reduce")  # charts drawn at once, not caught mid-animation
        sign_in(page, "sam@acme.test", PASSWORD)
        page.goto("/w/acme/cases/report/")
        page.get_by_role("link", name="Satisfaction").click()
        page.get_by_label("Range").select_option("90")
        expect(page.locator('[data-kpi="sent"]')).to_have_text("8")
        expect(page.locator('[data-kpi="response-rate"]')).to_have_text("87.5%")
        expect(page.locator('canvas[data-chart="chart-csat"][data-drawn]')).to_have_count(1)
        expect(page.locator("#satisfaction-agents")).to_contain_text("Sam Agent")
        answers = page.locator('canvas[data-chart="chart-answers"][data-value-ticks]')
        expect(answers).to_have_count(1)
        ticks = [float(tick) for tick in (answers.get_attribute("data-value-ticks") or "").split()]
        assert ticks and all(tick == int(tick) for tick in ticks), ticks  # one survey a week: 0 and 1, not 0.2, 0.4…
        screenshot(page, name)
