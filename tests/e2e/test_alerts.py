"""Alerts in a real browser: an alert raised by the worker's rule evaluation appears in the open page's bell and list without
a reload; it opens its deal; an admin tunes a rule; a rep chooses how they hear of things."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from amity.core import alerts
from amity.core.models import AlertRule, NotificationPreference
from amity.core.notifications import notify
from amity.core.permissions import Role
from amity.customers import services as customers
from amity.sales import services
from amity.sales.models import Opportunity
from tests.e2e.conftest import PHONE, screenshot, sign_in
from tests.factories import PASSWORD, WorkspaceFactory, member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def quiet_deal(transactional_db, settings):
    """Acme with Rita's deal that nobody has touched for three weeks; the bell polls every second."""
    settings.NOTIFICATION_POLL_SECONDS = 1
    workspace = WorkspaceFactory(name="Acme", slug="acme")
    rep = member(workspace, Role.SALES, email="rita@acme.test", full_name="Rita Rep")
    admin = member(workspace, Role.ADMIN, email="ada@acme.test", full_name="Ada Admin")
    services.sales_setup(workspace=workspace)
    account = customers.account_create(actor=rep, workspace=workspace, data={"name": "Initech"})
    deal = services.opportunity_create(
        actor=rep,
        workspace=workspace,
        data={
            "name": "Initech office",
            "account_id": account.pk,
            "amount": "12000",
            "currency": "EUR",
            "expected_close_date": "2030-03-31",
        },
    )
    weeks_ago = timezone.now() - timedelta(days=21)
    Opportunity.objects.filter(pk=deal.pk).update(created_at=weeks_ago, stage_changed_at=weeks_ago)
    notify(workspace=workspace, recipient=rep, kind="mention", title="Ada Admin mentioned you in a note", body="@Rita can you call them?")
    return {"workspace": workspace, "rep": rep, "admin": admin, "deal": deal}


def test_an_alert_reaches_the_open_page_and_leads_to_its_deal(open_page, quiet_deal):
    page = open_page()
    sign_in(page, "rita@acme.test", PASSWORD)
    page.goto("/w/acme/notifications/")
    badge = page.locator("#notifications-bell [data-unread]")
    expect(badge).to_have_text("1")
    page.evaluate("window.amityStayed = true")  # gone if the page reloads

    assert alerts.evaluate_workspace(workspace=quiet_deal["workspace"]) == 1  # what the worker runs every 15 minutes

    expect(badge).to_have_text("2")
    alert = page.locator("#notification-list .list-group-item").first
    expect(alert).to_contain_text("No activity for 14 days: Initech office")
    expect(alert).to_contain_text("12,000.00 EUR")
    assert page.evaluate("window.amityStayed") is True
    screenshot(page, "notifications")

    alert.get_by_role("link", name="No activity for 14 days: Initech office").click()
    expect(page).to_have_url(f"{page.url.split('/w/')[0]}/w/acme/deals/{quiet_deal['deal'].pk}/")
    expect(page.locator("#notifications-bell [data-unread]")).to_have_text("1")

    page.goto("/w/acme/notifications/")
    page.get_by_role("button", name="Mark all read").click()
    expect(page.locator("#notifications-bell [data-unread]")).to_have_count(0)
    page.get_by_role("link", name="Unread").click()
    expect(page.get_by_text("All caught up")).to_be_visible()


def test_notifications_on_a_phone(open_page, quiet_deal):
    alerts.evaluate_workspace(workspace=quiet_deal["workspace"])
    page = open_page(PHONE)
    sign_in(page, "rita@acme.test", PASSWORD)
    page.goto("/w/acme/notifications/")
    expect(page.locator("#notification-list .list-group-item")).to_have_count(2)
    expect(page.locator("#notifications-bell [data-unread]")).to_have_text("2")
    screenshot(page, "notifications")
    page.goto("/w/acme/settings/notifications/")
    expect(page.get_by_label("A deal has had no activity: by email")).to_be_checked()
    screenshot(page, "notification-preferences")
    page.goto("/w/acme/settings/alerts/")
    expect(page.get_by_text("Your role does not allow you to view alert rules.")).to_be_visible()  # admins only


def test_a_rep_chooses_how_they_hear_and_an_admin_tunes_a_rule(open_page, quiet_deal):
    page = open_page()
    sign_in(page, "rita@acme.test", PASSWORD)
    page.goto("/w/acme/notifications/")
    page.get_by_role("link", name="Preferences").click()
    page.get_by_label("A deal has had no activity: by email").uncheck()
    page.get_by_label("Someone mentions me in a note: by email").check()
    page.get_by_label("Email me").select_option("daily")
    screenshot(page, "notification-preferences")
    page.get_by_role("button", name="Save preferences").click()
    expect(page.get_by_text("Your notification preferences were saved.")).to_be_visible()
    expect(page.get_by_label("A deal has had no activity: by email")).not_to_be_checked()
    preference = NotificationPreference.objects.get(user=quiet_deal["rep"])
    assert preference.digest == "daily"
    assert preference.channels["deal_no_activity"] == {"in_app": True, "email": False}
    assert preference.channels["mention"]["email"] is True

    admin = open_page()
    sign_in(admin, "ada@acme.test", PASSWORD)
    admin.goto("/w/acme/settings/")
    admin.get_by_role("link", name="Alerts").first.click()
    card = admin.locator("#alert-rule-deal_no_activity")
    card.get_by_label("Days without activity").fill("0")
    card.get_by_role("button", name="Save").click()
    expect(admin.locator("#alert-rule-deal_no_activity .invalid-feedback")).to_contain_text("enter a value from 1 to 365")
    card = admin.locator("#alert-rule-deal_no_activity")
    card.get_by_label("Days without activity").fill("30")
    card.get_by_role("button", name="Save").click()
    expect(admin.get_by_text("Saved: A deal has had no activity.")).to_be_visible()
    screenshot(admin, "alert-settings")
    rule = AlertRule.objects.get(workspace=quiet_deal["workspace"], kind="deal_no_activity")
    assert rule.params == {"days": 30}
    assert alerts.evaluate_workspace(workspace=quiet_deal["workspace"]) == 0  # 21 quiet days are not 30

    admin.set_viewport_size(PHONE)
    admin.reload()
    screenshot(admin, "alert-settings")
