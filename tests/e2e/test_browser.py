"""The web UI in a real browser: signing in, switching workspace, inviting, tokens, search, and a phone."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from amity.core import services
from amity.core.models import ApiToken, Membership
from amity.core.permissions import Role
from tests.e2e.conftest import PHONE, screenshot, sign_in
from tests.factories import PASSWORD, TeamFactory, WorkspaceFactory, member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def acme(transactional_db):
    workspace = WorkspaceFactory(name="Acme", slug="acme")
    owner = member(workspace, Role.OWNER, email="owner@acme.test", full_name="Olga Owner")
    for full_name, role in [("Ada Admin", Role.ADMIN), ("Rita Rep", Role.SALES), ("Mo Manager", Role.MANAGER), ("Val Viewer", Role.VIEWER)]:
        member(workspace, role, email=f"{full_name.split()[0].lower()}@acme.test", full_name=full_name)
    services.team_create(actor=owner, workspace=workspace, name="Field sales", members=list(workspace_people(workspace))[:3])
    services.workspace_rename(actor=owner, workspace=workspace, name="Acme Trading")
    return workspace, owner


def workspace_people(workspace):
    return [membership.user for membership in Membership.objects.filter(workspace=workspace).select_related("user").order_by("pk")]


def test_sign_in_and_switch_workspace(open_page, acme):
    _, owner = acme
    globex = WorkspaceFactory(name="Globex", slug="globex")
    Membership.objects.create(workspace=globex, user=owner, role=Role.VIEWER)
    page = open_page()
    page.goto("/login")
    screenshot(page, "login")
    page.get_by_label("Email").fill("owner@acme.test")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("That email and password do not match an account")).to_be_visible()
    sign_in(page, "owner@acme.test", PASSWORD)
    assert page.url.endswith("/w/acme/")
    expect(page.get_by_role("heading", name="Welcome, Olga Owner")).to_be_visible()
    screenshot(page, "home")

    page.get_by_role("button", name="Switch workspace").click()
    page.get_by_role("link", name="Globex").click()
    page.wait_for_url("**/w/globex/")
    expect(page.get_by_text("You are viewer here.")).to_be_visible()
    owner.refresh_from_db()
    assert owner.last_workspace == globex

    page.get_by_role("button", name="Your account").click()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login")


def test_invite_a_member_who_accepts_from_the_email(open_page, acme, live_server):
    workspace, _ = acme
    admin_page = open_page()
    sign_in(admin_page, "owner@acme.test", PASSWORD)
    admin_page.goto("/w/acme/settings/members/")
    admin_page.get_by_label("Email address").fill("newbie@example.com")
    admin_page.get_by_label("Role", exact=True).select_option("marketing")
    admin_page.get_by_role("button", name="Send invitation").click()
    expect(admin_page.get_by_text("Invitation sent to newbie@example.com.")).to_be_visible()
    expect(admin_page.locator("#invitations").get_by_text("newbie@example.com")).to_be_visible()
    screenshot(admin_page, "members")

    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/invitations/\S+/", mail.outbox[0].body).group(0)
    path = "/" + link.split("/", 3)[3]

    guest = open_page()  # a second browser context: nobody is signed in there
    guest.goto(path)
    expect(guest.get_by_role("heading", name="Join Acme Trading")).to_be_visible()
    guest.get_by_label("Your name").fill("Nina New")
    guest.get_by_label("Choose a password").fill("a-long-secret-1")
    guest.get_by_label("Repeat the password").fill("a-long-secret-1")
    screenshot(guest, "invitation")
    guest.get_by_role("button", name="Create my account and join").click()
    guest.wait_for_url("**/w/acme/")
    expect(guest.get_by_role("heading", name="Welcome, Nina New")).to_be_visible()
    assert Membership.objects.get(workspace=workspace, user__email="newbie@example.com").role == Role.MARKETING


def test_create_a_token_copy_it_and_revoke_it(open_page, acme):
    page = open_page()
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    sign_in(page, "owner@acme.test", PASSWORD)
    page.goto("/w/acme/settings/tokens/")
    page.get_by_label("Token name").fill("Invoicing sync")
    page.get_by_role("button", name="Create token").click()
    secret = page.locator("#token-secret").inner_text().strip()
    assert secret.startswith("amity_")
    page.get_by_role("button", name="Copy").click()
    expect(page.get_by_role("button", name="Copied")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == secret
    screenshot(page, "tokens")

    page.goto("/w/acme/settings/tokens/")
    assert secret not in page.content()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Revoke").click()
    expect(page.get_by_text("Token Invoicing sync revoked")).to_be_visible()
    expect(page.get_by_text("Revoked", exact=True)).to_be_visible()
    assert ApiToken.objects.get().revoked_at is not None


def test_search_box_with_the_keyboard(open_page, acme):
    workspace, _ = acme
    TeamFactory(workspace=workspace, name="Rita's pod")
    page = open_page()
    sign_in(page, "owner@acme.test", PASSWORD)
    page.keyboard.press("/")
    search = page.locator("#global-search")
    assert search.evaluate("element => element === document.activeElement")
    search.press_sequentially("rit", delay=30)
    results = page.locator("#search-results")
    results.get_by_text("Rita Rep").wait_for()
    expect(results.get_by_text("Members").first).to_be_visible()
    expect(results.get_by_text("Rita's pod")).to_be_visible()
    screenshot(page, "search")
    page.keyboard.press("Escape")
    expect(results).to_be_hidden()
    search.focus()
    expect(results).to_be_visible()
    page.keyboard.press("ArrowDown")
    assert results.locator("a.search-result.active").inner_text().startswith("Rita Rep")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/settings/members/#member-\d+$"))


def test_audit_log_and_load_more(open_page, acme):
    workspace, owner = acme
    for index in range(55):
        services.token_create(actor=owner, workspace=workspace, name=f"robot {index}")
    page = open_page()
    sign_in(page, "owner@acme.test", PASSWORD)
    page.goto("/w/acme/settings/audit-log/")
    rows = page.locator("#audit-table tbody tr[id^=entry-]")
    assert rows.count() == 50
    screenshot(page, "audit-log")
    page.get_by_role("link", name="Load more").click()
    rows.nth(50).wait_for()  # a locator, not a JS string: the page's CSP forbids eval
    assert rows.count() == 55 + 2  # the tokens, plus the team and the rename
    page.get_by_label("Record type").select_option("core.workspace")
    page.get_by_role("button", name="Filter").click()
    assert rows.count() == 1
    assert page.locator(".amity-changes .after").inner_text() == "Acme Trading"


def test_on_a_phone_the_navigation_is_behind_a_menu_button(open_page, acme):
    page = open_page(PHONE)
    sign_in(page, "owner@acme.test", PASSWORD)
    screenshot(page, "home")
    expect(page.get_by_role("link", name="Teams").first).to_be_hidden()
    page.get_by_role("button", name="Open the menu").click()
    nav = page.locator("#sidebar")
    nav.get_by_role("link", name="Teams").wait_for()
    page.locator("#sidebar.show:not(.showing)").wait_for()
    page.wait_for_timeout(400)  # let the slide-in finish before the picture
    screenshot(page, "menu")
    nav.get_by_role("link", name="Teams").click()
    page.wait_for_url("**/settings/teams/")
    expect(page.get_by_role("heading", name="Teams")).to_be_visible()
    screenshot(page, "teams")
    page.goto("/w/acme/settings/members/")
    screenshot(page, "members")
    # The table scrolls inside its card instead of widening the page.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.goto("/w/acme/settings/audit-log/")
    screenshot(page, "audit-log")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_a_viewer_does_not_see_admin_pages(open_page, acme):
    page = open_page()
    sign_in(page, "val@acme.test", PASSWORD)
    sidebar = page.locator("#sidebar")
    expect(sidebar.get_by_role("link", name="Members")).to_be_visible()
    assert sidebar.get_by_role("link", name="Audit log").count() == 0
    assert sidebar.get_by_role("link", name="Workspace").count() == 0
    response = page.goto("/w/acme/settings/audit-log/")
    assert response.status == 403
    expect(page.get_by_text("Your role does not allow this")).to_be_visible()
    screenshot(page, "forbidden")
