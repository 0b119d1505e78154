"""Leads in a real browser: a visitor sends the web form from another site, and a manager converts the lead it made.

The form is the snippet an admin copies from Settings → Web forms, pasted into a plain HTML page
that a second HTTP server on loopback serves: the post really crosses origins, as from a
customer's website.
"""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from amity.activities.models import Interaction
from amity.core.permissions import Role
from amity.customers import services as customers
from amity.customers.models import Contact
from amity.sales import services
from amity.sales.models import Lead, Opportunity
from amity.sales.web_form_snippet import snippet
from tests.e2e.conftest import PHONE, screenshot, sign_in
from tests.factories import PASSWORD, TeamFactory, WorkspaceFactory, member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def setup(transactional_db: Any, live_server: Any, settings: Any) -> dict[str, Any]:
    """Acme with a manager, a rep who gets every new lead in turn, a scoring rule, an existing account and a web form."""
    settings.BASE_URL = live_server.url  # the snippet posts to this server
    cache.clear()
    workspace = WorkspaceFactory(name="Acme", slug="acme")
    manager = member(workspace, Role.ADMIN, email="olga@acme.test", full_name="Olga Owner")
    rep = member(workspace, Role.SALES, email="rita@acme.test", full_name="Rita Rep")
    team = TeamFactory(workspace=workspace, name="Inside sales")
    team.members.add(rep)
    services.assignment_rule_create(actor=manager, workspace=workspace, data={"name": "Everyone, in turn", "team_id": team.pk})
    for rule in (
        {"name": "From the website", "kind": "field", "field": "source", "operator": "equals", "value": "Website", "points": 15},
        {"name": "Said something", "kind": "field", "field": "description", "operator": "is_set", "points": 10},
        {"name": "Took a call", "kind": "engagement", "channel": "phone", "points": 5},
    ):
        services.scoring_rule_create(actor=manager, workspace=workspace, data=rule)
    account = customers.account_create(actor=manager, workspace=workspace, data={"name": "US Navy", "domains": ["navy.example"]})
    form = services.web_form_create(
        actor=manager,
        workspace=workspace,
        data={
            "name": "Contact us",
            "fields": ["first_name", "last_name", "email", "company", "description"],
            "required": ["last_name", "email"],
            "consent_text": "Send me your newsletter",
            "source": "Website",
            "thank_you_message": "Thank you! We will call you within a day.",
        },
    )
    return {"workspace": workspace, "manager": manager, "rep": rep, "account": account, "form": form}


@pytest.fixture
def customer_site(setup: dict[str, Any], tmp_path: Path) -> Iterator[str]:
    """A company's website on another origin, with the copied snippet pasted into its contact page."""
    page = f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Navy Yard Supplies · Contact</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,">
<style>body{{font-family:sans-serif;max-width:34rem;margin:2rem auto;padding:0 1rem}} input:not([type=checkbox]),textarea{{width:100%;padding:.4rem}}</style></head>
<body><h1>Talk to us</h1><p>Tell us about your office and we will be in touch.</p>
{snippet(setup["form"])}</body></html>"""
    (tmp_path / "contact.html").write_text(page, encoding="utf-8")
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/contact.html"
    server.shutdown()
    server.server_close()


def test_a_lead_from_the_web_form_is_listed_with_its_score_and_owner_then_converted(open_page, setup, customer_site):
    visitor = open_page()
    visitor.goto(customer_site)
    expect(visitor.get_by_role("heading", name="Talk to us")).to_be_visible()
    visitor.get_by_label("First name").fill("Grace")
    visitor.get_by_label("Last name *").fill("Hopper")
    visitor.get_by_label("Email *").fill("grace@navy.example")
    visitor.get_by_label("Company").fill("US Navy")
    visitor.get_by_label("Message").fill("We need desks for 40 people.")
    visitor.get_by_label("Send me your newsletter").check()
    screenshot(visitor, "lead-web-form")
    visitor.get_by_role("button", name="Send").click()
    expect(visitor.locator("#thank-you")).to_contain_text("Thank you! We will call you within a day.")
    screenshot(visitor, "lead-web-form-thanks")

    lead = Lead.objects.get()
    assert (lead.owner_id, lead.score, lead.marketing_consent) == (setup["rep"].pk, 25, True)

    page = open_page()
    sign_in(page, "olga@acme.test", PASSWORD)
    page.get_by_role("link", name="Leads").click()
    row = page.locator(f'tr[data-lead="{lead.pk}"]')
    expect(row).to_contain_text("Grace Hopper")
    expect(row.locator(".amity-score")).to_have_text("25")
    expect(row).to_contain_text("Rita Rep")
    screenshot(page, "lead-list")

    row.get_by_role("link", name="Grace Hopper").click()
    expect(page.locator("#record-facts")).to_contain_text("Score 25")
    page.get_by_role("button", name="Log call").click()
    page.get_by_label("Subject").fill("Intro call about the desks")
    page.get_by_role("button", name="Save call").click()
    expect(page.locator("#timeline-entries")).to_contain_text("Intro call about the desks")
    expect(page.locator("#lead-score")).to_have_text("30")
    expect(page.locator("#record-facts")).to_contain_text("Contacted")
    screenshot(page, "lead-page")

    page.get_by_role("link", name="Convert").click()
    expect(page.locator("#match-account")).to_contain_text("US Navy")
    expect(page.locator("#match-account")).to_contain_text("same web domain")
    expect(page.locator("#match-contact")).to_contain_text("New contact")
    expect(page.locator("#carried-over")).to_contain_text("1 interaction")
    page.get_by_label("Deal name").fill("Navy desks")
    page.get_by_label("Amount").fill("18000")
    screenshot(page, "lead-convert")
    page.get_by_role("button", name="Convert").click()
    expect(page.locator(".page-title")).to_contain_text("Navy desks")
    expect(page.locator(".amity-timeline")).to_contain_text("Intro call about the desks")
    screenshot(page, "lead-converted-deal")

    contact = Contact.objects.get()
    deal = Opportunity.objects.get()
    lead.refresh_from_db()
    assert (lead.status, lead.converted_contact_id, lead.converted_account_id, lead.converted_opportunity_id) == (
        "converted", contact.pk, setup["account"].pk, deal.pk,
    )  # fmt: skip
    assert (deal.account_id, str(deal.amount), contact.primary_email) == (setup["account"].pk, "18000.00", "grace@navy.example")
    call = Interaction.objects.get()
    assert list(call.contacts.all()) == [contact] and list(call.accounts.all()) == [setup["account"]]

    page.goto(f"/w/acme/contacts/{contact.pk}/")
    expect(page.locator("#timeline-entries")).to_contain_text("Intro call about the desks")


def test_the_lead_pages_on_a_phone(open_page, setup, customer_site):
    visitor = open_page(PHONE)
    visitor.goto(customer_site)
    visitor.get_by_label("Last name *").fill("Lovelace")
    visitor.get_by_label("Email *").fill("not an email")
    screenshot(visitor, "lead-web-form")
    visitor.get_by_label("Email *").fill("ada@engines.example")
    visitor.get_by_role("button", name="Send").click()
    expect(visitor.locator("#thank-you")).to_be_visible()

    page = open_page(PHONE)
    sign_in(page, "olga@acme.test", PASSWORD)
    page.goto("/w/acme/leads/")
    expect(page.locator("#lead-table")).to_contain_text("Lovelace")
    screenshot(page, "lead-list")
    page.get_by_role("link", name="Lovelace").click()
    expect(page.get_by_role("link", name="Convert")).to_be_visible()
    screenshot(page, "lead-page")
    page.goto(f"/w/acme/settings/web-forms/{setup['form'].pk}/")
    expect(page.locator("#snippet-text")).to_contain_text("amity_hp")
    screenshot(page, "lead-web-form-settings")
