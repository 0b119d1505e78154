"""The deal board in a real browser: drag a deal to the next stage, mark one lost with a reason, open a deal's page."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from amity.core.permissions import Role
from amity.customers import services as customers
from amity.sales import services
from amity.sales.models import LostReason, Opportunity, StageChange
from tests.e2e.conftest import PHONE, screenshot, sign_in
from tests.factories import PASSWORD, WorkspaceFactory, member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def board(transactional_db):
    """Acme's default pipeline with a few deals in its first stages."""
    workspace = WorkspaceFactory(name="Acme", slug="acme")
    rep = member(workspace, Role.SALES, email="rita@acme.test", full_name="Rita Rep")
    pipeline = services.sales_setup(workspace=workspace)
    stages = {stage.name: stage for stage in pipeline.stages.all()}
    deals = {}
    for name, account, stage, amount, close in (
        ("Initech office", "Initech", "Qualified", "12000", "2030-03-31"),
        ("Initech chairs", "Initech", "Qualified", "4300", "2030-04-30"),
        ("Globex lobby", "Globex", "Proposal", "25000", "2030-05-31"),
        ("Umbrella labs", "Umbrella", "Negotiation", "8000", "2020-01-31"),
        ("Hooli campus", "Hooli", "Negotiation", "60000", "2030-02-28"),
    ):
        company = (
            customers.account_create(actor=rep, workspace=workspace, data={"name": account}) if account not in deals else deals[account]
        )
        deals[account] = company
        deals[name] = services.opportunity_create(
            actor=rep, workspace=workspace,
            data={"name": name, "account_id": company.pk, "stage_id": stages[stage].pk, "amount": amount, "currency": "EUR",
                  "expected_close_date": close, "owner_id": rep.pk},
        )  # fmt: skip
    return {"rep": rep, "stages": stages, "deals": deals}


def column(page, stage):
    return page.locator(f'.amity-board-column[data-stage="{stage.pk}"]')


def scroll_to_the_end(page):
    """Bring the last columns (Negotiation, Won, Lost) into view, as a user scrolling the board would."""
    page.evaluate("document.getElementById('board').scrollLeft = 100000")


def test_drag_a_deal_mark_one_lost_and_open_a_deal(open_page, board):
    page = open_page()
    sign_in(page, "rita@acme.test", PASSWORD)
    page.get_by_role("link", name="Deals").click()
    qualified, proposal, lost = board["stages"]["Qualified"], board["stages"]["Proposal"], board["stages"]["Lost"]
    expect(column(page, qualified).locator(".amity-board-count")).to_have_text("2")
    expect(column(page, proposal).locator("[data-total]")).to_have_text("€25,000.00")
    screenshot(page, "deals-board")

    # Drag "Initech office" from Qualified onto Proposal's cards.
    card = page.locator(".amity-deal-card", has_text="Initech office")
    card.drag_to(column(page, proposal).locator(".amity-deal-card").first)

    expect(column(page, proposal).locator(".amity-board-count")).to_have_text("2")
    expect(column(page, proposal).locator("[data-total]")).to_have_text("€37,000.00")
    expect(column(page, proposal).locator("[data-weighted]")).to_have_text("€18,500.00 weighted")
    expect(column(page, qualified).locator("[data-total]")).to_have_text("€4,300.00")
    deal = Opportunity.objects.get(pk=board["deals"]["Initech office"].pk)
    assert (deal.stage_id, deal.probability) == (proposal.pk, 50)
    assert StageChange.objects.filter(opportunity=deal, to_stage=proposal, changed_by=board["rep"]).count() == 1

    # Drop "Umbrella labs" on Lost: the dialog asks why before anything moves.
    scroll_to_the_end(page)
    umbrella = page.locator(".amity-deal-card", has_text="Umbrella labs")
    umbrella.drag_to(column(page, lost).locator(".amity-board-cards"))
    dialog = page.get_by_role("dialog", name="Why was “Umbrella labs” lost?")
    expect(dialog).to_be_visible()
    assert Opportunity.objects.get(pk=board["deals"]["Umbrella labs"].pk).status == "open"
    dialog.get_by_label("Lost reason").select_option(label="No budget")
    dialog.get_by_label("Note").fill("Budget frozen until next year")
    screenshot(page, "deals-lost-dialog")
    dialog.get_by_role("button", name="Mark lost").click()
    expect(column(page, lost).locator(".amity-board-count")).to_have_text("1")  # the board was redrawn from the server
    expect(column(page, lost).locator(".amity-deal-card", has_text="Umbrella labs")).to_be_visible()
    umbrella_deal = Opportunity.objects.get(pk=board["deals"]["Umbrella labs"].pk)
    assert (umbrella_deal.status, umbrella_deal.lost_reason.name, umbrella_deal.lost_note) == (
        "lost", "No budget", "Budget frozen until next year"
    )  # fmt: skip

    # Open a deal's page from its card.
    page.get_by_role("link", name="Initech office").click()
    expect(page.get_by_role("heading", name="Initech office")).to_be_visible()
    expect(page.locator('.amity-stage-path li[aria-current="step"]')).to_have_text("Proposal")
    expect(page.locator("#stage-history li")).to_have_count(2)
    screenshot(page, "deals-detail")
    assert Opportunity.objects.get(pk=deal.pk).amount == Decimal("12000.00")

    # The same deals as a list, sorted by amount.
    page.goto("/w/acme/deals/")
    page.get_by_role("link", name="List").click()
    page.get_by_role("link", name="Amount").click()
    expect(page.locator("#deal-rows tr").first).to_contain_text("Initech chairs")
    screenshot(page, "deals-list")


def test_a_cancelled_or_refused_drop_puts_the_card_back(open_page, board):
    page = open_page()
    sign_in(page, "rita@acme.test", PASSWORD)
    page.goto("/w/acme/deals/")
    negotiation, lost = board["stages"]["Negotiation"], board["stages"]["Lost"]
    scroll_to_the_end(page)
    hooli = page.locator(".amity-deal-card", has_text="Hooli campus")
    dialog = page.get_by_role("dialog", name="Why was “Hooli campus” lost?")

    hooli.drag_to(column(page, lost).locator(".amity-board-cards"))
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    expect(column(page, negotiation).locator(".amity-deal-card", has_text="Hooli campus")).to_be_visible()

    # The reason is retired by an admin while the dialog is open: the server refuses, the card goes back.
    hooli.drag_to(column(page, lost).locator(".amity-board-cards"))
    dialog.get_by_label("Lost reason").select_option(label="No budget")
    LostReason.objects.filter(name="No budget").update(active=False)
    dialog.get_by_role("button", name="Mark lost").click()

    expect(page.get_by_role("alert")).to_contain_text("“Hooli campus” was not moved: Choose an active lost reason of this workspace.")
    expect(column(page, negotiation).locator(".amity-deal-card", has_text="Hooli campus")).to_be_visible()
    assert Opportunity.objects.get(pk=board["deals"]["Hooli campus"].pk).status == "open"


def test_the_board_on_a_phone_scrolls_sideways(open_page, board):
    page = open_page(PHONE)
    sign_in(page, "rita@acme.test", PASSWORD)
    page.goto("/w/acme/deals/")
    first = column(page, board["stages"]["New"])
    expect(first).to_be_visible()
    width = page.evaluate("document.getElementById('board').scrollWidth")
    assert width > PHONE["width"]
    screenshot(page, "deals-board")
    page.goto(f"/w/acme/deals/{board['deals']['Initech office'].pk}/")
    expect(page.get_by_role("heading", name="Initech office")).to_be_visible()
    screenshot(page, "deals-detail")


def test_a_cards_forecast_category_from_the_boards_one_menu(open_page, board):
    page = open_page()
    sign_in(page, "rita@acme.test", PASSWORD)
    page.goto("/w/acme/deals/")
    expect(page.locator("#category-menu")).to_have_count(1)  # one menu for the whole board, none per card
    office = page.locator(".amity-deal-card", has_text="Initech office")
    badge = office.get_by_role("button", name="Forecast category: Pipeline. Change it")
    menu = page.get_by_role("menu", name="Forecast “Initech office” as")

    # With the keyboard: the badge opens the menu on the deal's category, arrows move, Enter chooses.
    badge.focus()
    page.keyboard.press("Enter")
    expect(menu).to_be_visible()
    expect(badge).to_have_attribute("aria-expanded", "true")
    expect(menu.get_by_role("menuitemradio", name="Pipeline")).to_be_focused()
    expect(menu.get_by_role("menuitemradio", name="Pipeline")).to_have_attribute("aria-checked", "true")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(menu.get_by_role("menuitemradio", name="Commit")).to_be_focused()
    box, anchor = menu.bounding_box(), badge.bounding_box()
    assert abs(box["y"] - (anchor["y"] + anchor["height"])) < 12 and abs(box["x"] - anchor["x"]) < 12  # under its badge
    screenshot(page, "deals-category-menu")
    page.keyboard.press("Enter")
    expect(office.get_by_role("button", name="Forecast category: Commit. Change it")).to_be_visible()
    assert Opportunity.objects.get(pk=board["deals"]["Initech office"].pk).forecast_category == "commit"

    # Another card's badge aims the same menu at its deal; Escape closes it and gives the badge its focus back.
    globex = page.locator(".amity-deal-card", has_text="Globex lobby").locator(".amity-cat-button")
    globex.click()
    globex_menu = page.get_by_role("menu", name="Forecast “Globex lobby” as")
    expect(globex_menu).to_be_visible()
    page.keyboard.press("End")
    expect(globex_menu.get_by_role("menuitem", name="As its stage")).to_be_focused()
    page.keyboard.press("Escape")
    expect(globex_menu).to_be_hidden()
    expect(globex).to_be_focused()
    expect(globex).to_have_attribute("aria-expanded", "false")
    globex.click()
    page.locator(".amity-board-title").first.click()  # a click elsewhere closes it too
    expect(globex_menu).to_be_hidden()
    assert Opportunity.objects.get(pk=board["deals"]["Globex lobby"].pk).forecast_category_chosen is False


def test_a_cards_forecast_category_on_a_phone(open_page, board):
    page = open_page(PHONE, has_touch=True, is_mobile=True)
    sign_in(page, "rita@acme.test", PASSWORD)
    page.goto("/w/acme/deals/")
    badge = page.locator(".amity-deal-card", has_text="Initech chairs").locator(".amity-cat-button")
    column(page, board["stages"]["Qualified"]).scroll_into_view_if_needed()  # as a thumb would: the board snaps to the column
    page.wait_for_timeout(400)
    badge.tap()
    menu = page.get_by_role("menu", name="Forecast “Initech chairs” as")
    expect(menu).to_be_visible()
    box = menu.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]  # inside the screen
    screenshot(page, "deals-category-menu")
    menu.get_by_role("menuitemradio", name="Best case").tap()
    expect(page.locator(".amity-deal-card", has_text="Initech chairs").locator(".amity-cat-button")).to_have_text("Best case")
    assert Opportunity.objects.get(pk=board["deals"]["Initech chairs"].pk).forecast_category == "best_case"
