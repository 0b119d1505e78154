"""A customer in a real browser: signs in to the portal by an emailed link, opens a case (with a photo) and requests a
return; an agent downloads the photo; an account admin sees a colleague's case."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from amity.core.models import Workspace
from amity.orders.models import SalesOrder
from amity.service.models import Case
from amity.service.portal.models import PortalAccess, ReturnRequest
from tests.e2e.conftest import PHONE, screenshot
from tests.mail import Inbox
from tests.service.conftest import agent  # noqa: F401
from tests.service.portal.conftest import (  # noqa: F401
    account,
    chair,
    contact,
    deal,
    desk,
    invited,
    order,
    peter,
    peters_order,
    pipeline,
    quote,
    sent_quote,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _signed_in_page(open_page: Any, smtp_server: Inbox, viewport: dict[str, int] | None = None) -> Any:
    page = open_page(viewport) if viewport else open_page()
    smtp_server.messages.clear()
    page.goto("/portal/acme/sign-in/")
    page.get_by_label("Your email address").fill("peter@initech.test")
    page.get_by_role("button", name="Email me a sign-in link").click()
    expect(page.locator("#sign-in-sent")).to_contain_text("Check your email")
    body = smtp_server.parsed()[-1].get_body(preferencelist=("plain",)).get_content()
    found = re.search(r"https?://[^/\s]+(/portal/acme/sign-in/\S+/)", body)
    assert found, body
    page.goto(found.group(1))
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Hello Peter")).to_be_visible()
    return page


def test_a_customer_opens_a_case_and_requests_a_return(
    open_page: Any,
    invited: PortalAccess,  # noqa: F811
    peters_order: SalesOrder,  # noqa: F811
    workspace: Workspace,
    smtp_server: Inbox,
) -> None:
    page = _signed_in_page(open_page, smtp_server)
    screenshot(page, "portal-home")

    page.get_by_role("link", name="Ask for help").click()
    page.get_by_label("What is it about?").select_option("complaint")
    page.get_by_label("Subject").fill("Desk arrived scratched")
    page.get_by_label("Tell us more").fill("The top of one desk has a long scratch.")
    page.get_by_label("Order (optional)").select_option(str(peters_order.pk))
    page.get_by_role("button", name="Send").click()
    expect(page.locator("#portal-conversation")).to_contain_text("long scratch")
    page.get_by_label("Write to us").fill("I can send a photo if that helps.")
    page.get_by_role("button", name="Send").click()
    expect(page.locator("#portal-conversation")).to_contain_text("send a photo")
    screenshot(page, "portal-case")

    page.get_by_role("link", name="Orders").first.click()
    page.get_by_role("link", name=peters_order.number).click()
    page.locator("#portal-order-lines").get_by_role("link", name="Return").first.click()
    page.get_by_label("How many").fill("2")
    page.get_by_label("Why do you send it back?").fill("We ordered two too many.")
    screenshot(page, "portal-return-form")
    page.get_by_role("button", name="Request the return").click()
    expect(page.locator("#portal-rma")).to_contain_text("RMA-")
    screenshot(page, "portal-return")

    complaint = Case.objects.get(subject="Desk arrived scratched")
    assert complaint.channel == "portal" and complaint.messages.filter(kind="customer").count() == 2
    returned = ReturnRequest.objects.get()
    assert returned.case.rma_number and str(returned.quantity) == "2.000"
    assert any(returned.case.rma_number in message["Subject"] for message in smtp_server.parsed())


PHOTO = b"\x89PNG\r\n\x1a\n" + b"scratch" * 200


def test_a_customer_attaches_photos_and_the_agent_downloads_them(
    open_page: Any,
    invited: PortalAccess,  # noqa: F811
    agent: Any,  # noqa: F811
    workspace: Workspace,
    smtp_server: Inbox,
) -> None:
    from tests.e2e.conftest import sign_in
    from tests.factories import PASSWORD

    page = _signed_in_page(open_page, smtp_server)
    page.get_by_role("link", name="Ask for help").click()
    page.get_by_label("What is it about?").select_option("complaint")
    page.get_by_label("Subject").fill("Chair leg snapped")
    page.get_by_label("Tell us more").fill("One leg broke off on the first day; photo attached.")
    page.get_by_label("Photos or documents (optional)").set_input_files([{"name": "leg.png", "mimeType": "image/png", "buffer": PHOTO}])
    screenshot(page, "portal-case-new-with-file")
    page.get_by_role("button", name="Send").click()
    expect(page.locator("#portal-conversation")).to_contain_text("leg.png")

    files = [{"name": f"photo-{number}.png", "mimeType": "image/png", "buffer": PHOTO} for number in range(6)]
    page.get_by_label("Write to us").fill("More photos.")
    page.get_by_label("Attach files (optional)").set_input_files(files)
    page.get_by_role("button", name="Send").click()
    expect(page.locator(".invalid-feedback")).to_contain_text("Attach at most 5 files to one message")
    screenshot(page, "portal-case-too-many-files")
    page.get_by_label("Attach files (optional)").set_input_files(files[:2])
    page.get_by_role("button", name="Send").click()
    expect(page.locator("#portal-conversation")).to_contain_text("photo-1.png")
    screenshot(page, "portal-case-with-files")
    with page.expect_download() as customer_download:
        page.locator("#portal-conversation").get_by_role("link", name="leg.png").click()
    assert customer_download.value.suggested_filename == "leg.png"

    case = Case.objects.get(subject="Chair leg snapped")
    assert [message.attachments.count() for message in case.messages.order_by("id")] == [1, 2]
    desk_page = open_page()
    sign_in(desk_page, agent.email, PASSWORD)
    desk_page.goto(f"/w/acme/cases/{case.pk}/")
    conversation = desk_page.locator("#case-conversation")
    expect(conversation).to_contain_text("photo-0.png")
    screenshot(desk_page, "case-with-portal-files")
    with desk_page.expect_download() as agent_download:
        conversation.get_by_role("link", name="leg.png").click()
    assert agent_download.value.suggested_filename == "leg.png"


def test_an_account_admin_sees_a_colleagues_case(
    open_page: Any,
    invited: PortalAccess,  # noqa: F811
    account: Any,  # noqa: F811
    agent: Any,  # noqa: F811
    workspace: Workspace,
    smtp_server: Inbox,
) -> None:
    from amity.service.portal import services as portal
    from tests.factories import contact_at
    from tests.service.portal.conftest import make_admin, with_email

    samir = with_email(contact_at(account, first_name="Samir", last_name="Nagheenanajar"), "samir@initech.test")
    samirs = portal.portal_invite(actor=agent, contact=samir)
    portal.portal_case_open(access=samirs, data={"kind": "complaint", "subject": "Stapler missing", "description": "Red one."})
    make_admin(invited, account)

    page = _signed_in_page(open_page, smtp_server, PHONE)
    expect(page.locator("#portal-admin-of")).to_contain_text("Initech")
    page.get_by_role("navigation", name="Portal").get_by_role("link", name="Cases").click()
    expect(page.locator("#portal-cases")).to_contain_text("opened by Samir Nagheenanajar")
    screenshot(page, "portal-account-admin-cases-phone")
    page.get_by_role("link", name="Stapler missing").click()
    expect(page.locator("#portal-opened-by")).to_contain_text("Samir")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_the_portal_on_a_phone(
    open_page: Any,
    invited: PortalAccess,  # noqa: F811
    peters_order: SalesOrder,  # noqa: F811
    smtp_server: Inbox,
) -> None:
    page = _signed_in_page(open_page, smtp_server, PHONE)
    screenshot(page, "portal-home-phone")
    page.get_by_role("link", name="Orders").first.click()
    page.get_by_role("link", name=peters_order.number).click()
    expect(page.locator("#portal-order-lines")).to_be_visible()
    screenshot(page, "portal-order-phone")
    page.get_by_role("link", name="My details").click()
    screenshot(page, "portal-profile-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_a_customer_finds_a_help_article(
    open_page: Any,
    invited: PortalAccess,  # noqa: F811
    workspace: Workspace,
    smtp_server: Inbox,
) -> None:
    from amity.core.permissions import Role
    from amity.service.kb import services as kb
    from tests.factories import member

    editor = member(workspace, Role.MANAGER)
    for title, text in [
        ("When will I get my refund?", "Refunds reach your account within 5 working days of the return arriving."),
        ("Assembling the Aero chair", "Fix the arms first, then the back."),
    ]:
        article = kb.article_create(
            actor=editor, workspace=workspace, data={"title": title, "body": f"<p>{text}</p>", "visibility": "public"}
        )
        kb.article_submit(actor=editor, article=article)
        kb.article_publish(actor=editor, article=article)
    page = _signed_in_page(open_page, smtp_server, PHONE)

    page.get_by_role("navigation", name="Portal").get_by_role("link", name="Help").click()
    page.get_by_label("Search the help articles").fill("refund")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#portal-articles")).to_contain_text("When will I get my refund?")
    expect(page.locator("#portal-articles")).not_to_contain_text("Aero chair")
    screenshot(page, "portal-help")
    page.get_by_role("link", name="When will I get my refund?").click()
    expect(page.locator("#article-body")).to_contain_text("5 working days")
    screenshot(page, "portal-article")


def test_an_admin_gives_the_portal_its_colour_and_disables_a_user(
    open_page: Any,
    invited: PortalAccess,  # noqa: F811
    workspace: Workspace,
) -> None:
    from amity.core.permissions import Role
    from tests.e2e.conftest import sign_in
    from tests.factories import PASSWORD, member

    member(workspace, Role.ADMIN, email="ada@acme.test")
    for viewport, name in ((None, "portal-settings"), (PHONE, "portal-settings-phone")):
        page = open_page(viewport) if viewport else open_page()
        sign_in(page, "ada@acme.test", PASSWORD)
        page.goto("/w/acme/settings/portal/")
        expect(page.locator("#portal-users")).to_contain_text("Peter")
        screenshot(page, name)
        assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]

    page.get_by_label("Colour").fill("#0f766e")
    preview = page.locator("#portal-preview")
    assert preview.evaluate("element => element.style.getPropertyValue('--amity-brand')") == "#0f766e"
    page.get_by_role("button", name="Save colour").click()
    expect(page.get_by_text("The portal's colour is saved.")).to_be_visible()
    page.get_by_label("What Peter Gibbons sees in the portal").select_option(label="All of Initech (admin)")
    page.locator(f"#portal-role-{invited.pk}").get_by_role("button", name="Save").click()
    expect(page.get_by_text("Peter Gibbons now sees all of Initech's cases")).to_be_visible()
    page.locator(f"#portal-role-{invited.pk}").scroll_into_view_if_needed()
    screenshot(page, "portal-settings-account-admin-phone")
    invited.refresh_from_db()
    assert invited.admin_account_id == invited.contact.account_contacts.get().account_id
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(f"#portal-user-{invited.pk}").get_by_role("button", name="Disable").click()
    expect(page.locator(f"#portal-user-{invited.pk}")).to_contain_text("Disabled")
    screenshot(page, "portal-settings-saved-phone")
    invited.refresh_from_db()
    assert invited.status == PortalAccess.Status.DISABLED
