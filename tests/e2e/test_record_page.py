"""The 360° page in a real browser: log a call in two clicks, filter the timeline, edit a field in place, tick off a task."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from amity.activities import services as activities
from amity.activities.models import Interaction, Note, Task
from amity.core.permissions import Role
from amity.customers import services
from amity.customers.models import Address, ConsentEvent, Contact
from tests.e2e.conftest import PHONE, screenshot, sign_in
from tests.factories import PASSWORD, WorkspaceFactory, member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def initech(transactional_db):
    """Initech with Peter and Samir, a few weeks of history and an open task."""
    workspace = WorkspaceFactory(name="Acme", slug="acme")
    owner = member(workspace, Role.OWNER, email="owner@acme.test", full_name="Olga Owner")
    carl = member(workspace, Role.SALES, email="carl@acme.test", full_name="Carl Colleague")
    account = services.account_create(
        actor=owner, workspace=workspace,
        data={"name": "Initech", "domains": ["initech.test"], "industry": "Software", "size": "250-999", "lifecycle_stage": "customer", "tags": ["Key account"]},
    )  # fmt: skip
    people = {}
    for first, last, title, email, phone in (
        ("Peter", "Gibbons", "Programmer", "peter@initech.test", "+44 20 7946 0958"),
        ("Samir", "Nagheenanajar", "Programmer", "samir@initech.test", "+1 202 555 0143"),
    ):
        people[first] = services.contact_create(
            actor=owner, workspace=workspace,
            data={
                "first_name": first, "last_name": last, "title": title, "lifecycle_stage": "lead", "tags": ["TPS"],
                "emails": [{"address": email}], "phones": [{"number": phone, "kind": "work"}],
                "accounts": [{"account_id": account.pk, "role": "Engineer"}],
            },
        )  # fmt: skip
    peter, samir = people["Peter"], people["Samir"]
    Address.objects.create(
        workspace=workspace, contact=peter, kind="office", street="4120 Freidrich Lane", city="Austin", region="TX", country="US"
    )
    ConsentEvent.objects.create(workspace=workspace, contact=peter, channel="email", status="granted", method="web form")
    now = timezone.now()
    history = [
        (peter, "email", "Pricing question", "in", 2, "Interested"),
        (peter, "meeting", "Product demo", "out", 5, "Agreed on a pilot"),
        (samir, "phone", "Support call", "in", 3, "Resolved"),
        (peter, "email", "Renewal terms", "out", 9, ""),
    ]
    for contact, channel, subject, direction, days, outcome in history:
        activities.interaction_log(
            actor=carl, workspace=workspace, channel=channel, subject=subject, direction=direction, outcome=outcome,
            body="<p>Talked about the <b>TPS</b> reports.</p>", contacts=[contact], accounts=[account],
            occurred_at=now - timedelta(days=days), duration_seconds=1800 if channel == "meeting" else None,
        )  # fmt: skip
    activities.note_create(
        actor=carl, workspace=workspace, contact=peter, body=f"<p>Prefers mornings. @[Olga Owner](user:{owner.pk}) knows him.</p>"
    )
    activities.task_create(
        actor=owner, workspace=workspace, title="Send the cover sheet memo", contact=peter, due_at=now + timedelta(days=1), priority="high"
    )
    activities.task_create(actor=owner, workspace=workspace, title="Plan the QBR", account=account, due_at=now + timedelta(days=4))
    return workspace, account, peter, samir


def first_entry(page):
    return page.locator("#timeline-entries > li.amity-timeline-entry").first


def test_a_contacts_page_logs_filters_edits_and_completes(open_page, initech):
    _, _, peter, _ = initech
    page = open_page()
    sign_in(page, "owner@acme.test", PASSWORD)
    page.goto(f"/w/acme/contacts/{peter.pk}/")
    assert page.get_by_role("heading", name="Peter Gibbons").is_visible()
    assert page.locator("#panel-tasks").get_by_text("Send the cover sheet memo").is_visible()
    screenshot(page, "record-contact")

    # Log a call in two clicks: the form opens with its defaults, Save puts the call on top of the timeline.
    page.get_by_role("button", name="Log call").click()
    page.get_by_role("button", name="Save call").click()
    page.locator("#composer form").wait_for(state="detached")
    call = Interaction.objects.get(channel="phone", contacts=peter)
    assert first_entry(page).get_attribute("id") == f"entry-interaction-{call.pk}"
    assert first_entry(page).get_by_text("just now").is_visible()
    page.get_by_text("Call logged.").wait_for()

    # A note, with a mention picked after typing @.
    page.get_by_role("button", name="Note", exact=True).click()
    box = page.get_by_label("Note", exact=True)
    box.press_sequentially("Lunch on Friday, ask @ca")
    page.locator(".amity-mention-menu").get_by_role("option", name="Carl Colleague").click()
    box.press_sequentially("to join.")
    screenshot(page, "record-note")
    page.get_by_role("button", name="Save note").click()
    first_entry(page).get_by_text("@Carl Colleague").wait_for()
    assert Note.objects.filter(mentions__email="carl@acme.test").count() == 1

    # Filter by channel, then by kind, without leaving the page.
    page.get_by_label("Channel").select_option("email")
    expect(page.locator("#timeline-entries > li.amity-timeline-entry:not([data-channel=email])")).to_have_count(0)
    expect(page.locator("#timeline-entries > li.amity-timeline-entry")).to_have_count(2)
    page.get_by_label("Channel").select_option("")
    page.locator("label[for=timeline-kind-note]").click()
    expect(page.locator("#timeline-entries > li.amity-timeline-entry:not([data-kind=note])")).to_have_count(0)
    expect(page.locator("#timeline-entries > li.amity-timeline-entry")).to_have_count(2)
    assert page.url.endswith(f"/contacts/{peter.pk}/")  # no reload
    page.locator("label[for=timeline-kind-note]").click()

    # Edit a field in place: a click on the value opens its card's form, focused on it.
    page.locator("#profile-details").get_by_title("Edit job title").click()
    title = page.locator("#profile-details").get_by_label("Job title")
    assert title.evaluate("element => element === document.activeElement")
    title.fill("Senior programmer")
    screenshot(page, "record-edit")
    page.locator("#profile-details").get_by_role("button", name="Save").click()
    page.locator("#profile-details").get_by_text("Senior programmer").wait_for()
    page.locator("#record-facts").get_by_text("Senior programmer at").wait_for()  # the heading follows
    peter.refresh_from_db()
    assert peter.title == "Senior programmer"
    page.locator("#timeline-entries").get_by_text("Programmer → Senior programmer", exact=False).wait_for()  # and the timeline

    # A mistake is named by its field and Cancel brings the card back.
    page.locator("#profile-reach").get_by_role("button", name="Edit email and phone").click()
    page.get_by_label("Email address 1").fill("not an email")
    page.locator("#profile-reach").get_by_role("button", name="Save").click()
    page.locator("#profile-reach").get_by_text("Enter a valid email address.").wait_for()
    page.locator("#profile-reach").get_by_role("button", name="Cancel").click()
    page.locator("#profile-reach").get_by_role("link", name="peter@initech.test").wait_for()

    # Tick off a task: the panel and the timeline show it done.
    page.get_by_role("button", name="Mark Send the cover sheet memo done").click()
    page.locator("#panel-tasks").get_by_text("No open tasks").wait_for()
    task = Task.objects.get(title="Send the cover sheet memo")
    assert task.status == "done"
    page.get_by_text("Done: Send the cover sheet memo.").wait_for()
    page.locator(f"#entry-task-{task.pk}").get_by_text("done", exact=True).wait_for()  # the timeline redraws itself
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "record-contact-after")


def test_an_accounts_page_gathers_its_peoples_history(open_page, initech):
    _, account, _, samir = initech
    page = open_page()
    sign_in(page, "owner@acme.test", PASSWORD)
    page.goto(f"/w/acme/accounts/{account.pk}/")
    timeline = page.locator("#timeline-entries")
    assert timeline.get_by_text("Support call").is_visible() and timeline.get_by_text("Product demo").is_visible()
    samirs = page.locator("#timeline-entries > li", has_text="Support call")
    assert samirs.get_by_role("link", name="Samir Nagheenanajar").is_visible()  # whose history it is
    people = page.locator("#panel-people")
    assert (
        people.get_by_role("link", name="Peter Gibbons").is_visible()
        and people.get_by_role("link", name="Samir Nagheenanajar").is_visible()
    )
    assert page.locator("#panel-tasks").get_by_text("Plan the QBR").is_visible()
    assert page.locator("#panel-tasks").get_by_text("Send the cover sheet memo").is_visible()  # Peter's task, on his account
    screenshot(page, "record-account")

    page.get_by_role("button", name="Log meeting").click()
    page.get_by_label("Subject").fill("Quarterly review")
    page.get_by_label("With").select_option(label="Samir Nagheenanajar")
    page.get_by_role("button", name="Save meeting").click()
    first_entry(page).get_by_text("Quarterly review").wait_for()
    assert first_entry(page).get_by_role("link", name="Samir Nagheenanajar").is_visible()

    samirs.get_by_role("link", name="Samir Nagheenanajar").click()
    page.wait_for_url(f"**/contacts/{samir.pk}/")
    assert page.locator("#timeline-entries").get_by_text("Quarterly review").is_visible()


def test_the_page_on_a_phone(open_page, initech):
    _, _, peter, _ = initech
    page = open_page(PHONE)
    sign_in(page, "owner@acme.test", PASSWORD)
    page.goto(f"/w/acme/contacts/{peter.pk}/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]  # nothing sticks out sideways
    screenshot(page, "record-contact")
    page.get_by_role("button", name="Task", exact=True).click()
    page.get_by_label("Task", exact=True).fill("Call back about the pilot")
    screenshot(page, "record-task-form")
    page.get_by_role("button", name="Save task").click()
    page.locator("#panel-tasks").get_by_text("Call back about the pilot").wait_for()  # the panel redraws itself
    assert Task.objects.filter(title="Call back about the pilot", contact=peter, status="open").exists()
    page.locator("#timeline").scroll_into_view_if_needed()
    screenshot(page, "record-timeline")
    assert Contact.objects.get(pk=peter.pk).title == "Programmer"


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["laptop", "phone"])
def test_addresses_and_consent_are_edited_in_place(open_page, initech, viewport):
    _, _, peter, _ = initech
    page = open_page(viewport) if viewport else open_page()
    sign_in(page, "owner@acme.test", PASSWORD)
    page.goto(f"/w/acme/contacts/{peter.pk}/")
    suffix = "-phone" if viewport else ""

    addresses = page.locator("#profile-addresses")
    addresses.get_by_role("button", name="Edit addresses").click()
    addresses.get_by_role("button", name="Add an address").click()
    expect(page.get_by_label("Street of address 3")).to_be_visible()  # the card came back with one more line
    page.get_by_label("Kind of address 2").select_option("billing")
    page.get_by_label("Street of address 2").fill("1 Finsbury Avenue")
    page.get_by_label("Postcode of address 2").fill("EC2M 2PP")
    page.get_by_label("City of address 2").fill("London")
    page.get_by_label("Country of address 2").select_option("GB")
    page.get_by_label("Latitude of address 2").fill("51.5197")
    addresses.get_by_role("button", name="Save").click()
    expect(addresses.get_by_text("Give both the latitude and the longitude, or neither.")).to_be_visible()
    screenshot(page, f"record-addresses-error{suffix}")
    page.get_by_label("Longitude of address 2").fill("-0.0836")
    addresses.get_by_role("button", name="Save").click()
    expect(page.locator("#profile-addresses form")).to_have_count(0)
    expect(page.locator("#profile-addresses").get_by_text("1 Finsbury Avenue, EC2M 2PP, London, GB")).to_be_visible()
    assert list(peter.addresses.order_by("id").values_list("kind", "city")) == [("office", "Austin"), ("billing", "London")]

    consent = page.locator("#profile-consent")
    consent.get_by_role("button", name="Edit consent").click()
    consent.get_by_label("Email").select_option("withdrawn")
    consent.get_by_label("Post").select_option("granted")
    consent.get_by_label("How").fill("Phone call")
    screenshot(page, f"record-consent-form{suffix}")
    consent.get_by_role("button", name="Save").click()
    expect(page.locator("#profile-consent form")).to_have_count(0)
    expect(page.locator("#profile-consent").get_by_text("Withdrawn")).to_be_visible()
    expect(page.locator("#profile-consent").get_by_text("Granted")).to_have_count(1)
    assert ConsentEvent.objects.filter(contact=peter).count() == 3
    consent.scroll_into_view_if_needed()
    screenshot(page, f"record-consent{suffix}")
