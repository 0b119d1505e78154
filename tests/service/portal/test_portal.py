"""The customers' portal: invitation and emailed sign-in links, a session of its own, and a contact's own pages only."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from amity.core.models import AuditEntry, User, Workspace
from amity.customers.models import ConsentEvent, Contact
from amity.orders.models import SalesOrder
from amity.service import services as case_services
from amity.service.models import Case
from amity.service.portal import services as portal
from amity.service.portal.models import PortalAccess, PortalLink, ReturnRequest
from tests.mail import Inbox
from tests.service.portal.conftest import link_in, sign_in


def test_an_invitation_emails_a_single_use_link_kept_only_as_a_hash(
    agent: User, peter: Contact, workspace: Workspace, smtp_server: Inbox, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        access = portal.portal_invite(actor=agent, contact=peter)

    [email] = smtp_server.parsed()
    assert email["To"] == "peter@initech.test" and "Acme" in email["Subject"]
    url, token = link_in(smtp_server)
    assert url.startswith("http://") and f"/portal/{workspace.slug}/sign-in/" in url
    assert not PortalLink.objects.filter(token_hash=token).exists()  # only the hash is stored
    assert access.status == PortalAccess.Status.INVITED
    assert AuditEntry.objects.filter(object_type="service.portalaccess", object_id=str(access.pk), actor=agent).exists()

    client = Client()
    assert client.get(url).status_code == 200  # opening the link (a mail scanner) spends nothing
    assert client.post(url).status_code == 302
    access.refresh_from_db()
    assert access.status == PortalAccess.Status.ACTIVE and access.last_signed_in_at is not None
    assert client.get(f"/portal/{workspace.slug}/").status_code == 200
    assert Client().post(url).status_code == 410  # a second use is refused


def test_an_expired_link_is_refused(invited: PortalAccess, workspace: Workspace) -> None:
    token = portal._new_link(invited, timedelta(minutes=5))
    PortalLink.objects.filter(access=invited).update(expires_at=timezone.now() - timedelta(seconds=1))

    with pytest.raises(ValidationError) as refused:
        portal.portal_link_use(workspace=workspace, token=token)

    assert "token" in refused.value.message_dict


def test_a_link_of_one_workspace_does_not_open_another(invited: PortalAccess, other_workspace: Workspace) -> None:
    token = portal._new_link(invited, timedelta(minutes=5))

    response = Client().post(f"/portal/{other_workspace.slug}/sign-in/{token}/")

    assert response.status_code == 410
    assert PortalLink.objects.filter(access=invited, used_at__isnull=True).count() == 2  # the invitation's and this one


def test_asking_for_a_link_answers_the_same_for_known_and_unknown_addresses_and_is_rate_limited(
    invited: PortalAccess, workspace: Workspace, smtp_server: Inbox, django_capture_on_commit_callbacks: Any
) -> None:
    smtp_server.messages.clear()
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post(f"/portal/{workspace.slug}/sign-in/", {"email": "Peter@Initech.test"})
        unknown = client.post(f"/portal/{workspace.slug}/sign-in/", {"email": "nobody@initech.test"})

    assert known.status_code == unknown.status_code == 200
    assert "Check your email" in known.content.decode()
    assert _without_csrf(known) == _without_csrf(unknown)
    assert [message["To"] for message in smtp_server.parsed()] == ["peter@initech.test"]

    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(portal.REQUESTS_PER_HOUR + 2):
            portal.portal_request_link(workspace=workspace, email="peter@initech.test")
    assert len(smtp_server.messages) == portal.REQUESTS_PER_HOUR  # one before, four more, then nothing


def _without_csrf(response: Any) -> str:
    import re

    return re.sub(r'value="[^"]{20,}"|"X-CSRFToken": "[^"]+"', "", response.content.decode())


def test_a_disabled_access_gets_no_link_and_its_session_ends(
    agent: User, invited: PortalAccess, workspace: Workspace, smtp_server: Inbox, django_capture_on_commit_callbacks: Any
) -> None:
    client = sign_in(workspace, invited)
    portal.portal_disable(actor=agent, access=invited)
    smtp_server.messages.clear()

    with django_capture_on_commit_callbacks(execute=True):
        portal.portal_request_link(workspace=workspace, email="peter@initech.test")

    assert smtp_server.messages == []
    assert client.get(f"/portal/{workspace.slug}/").status_code == 302


def test_staff_and_portal_sign_ins_are_separate(agent: User, invited: PortalAccess, workspace: Workspace, client_as: Any) -> None:
    staff = client_as(agent)
    assert staff.get(f"/portal/{workspace.slug}/cases/").status_code == 302  # a staff login is no portal sign-in

    customer = sign_in(workspace, invited)
    assert customer.get(f"/w/{workspace.slug}/cases/").status_code == 302  # nor a portal sign-in a staff login
    assert customer.get(f"/portal/{workspace.slug}/cases/").status_code == 200

    customer.post(f"/portal/{workspace.slug}/sign-out/")
    assert customer.get(f"/portal/{workspace.slug}/cases/").status_code == 302


def test_portal_forms_need_the_csrf_token(invited: PortalAccess, workspace: Workspace) -> None:
    token = portal._new_link(invited, timedelta(minutes=5))
    strict = Client(enforce_csrf_checks=True)

    assert strict.post(f"/portal/{workspace.slug}/sign-in/{token}/").status_code == 403
    assert strict.post(f"/portal/{workspace.slug}/sign-in/", {"email": "peter@initech.test"}).status_code == 403


def test_a_contact_opens_a_case_and_follows_its_public_conversation_only(
    agent: User, invited: PortalAccess, peters_order: SalesOrder, workspace: Workspace
) -> None:
    client = sign_in(workspace, invited)

    response = client.post(
        f"/portal/{workspace.slug}/cases/new/",
        {"kind": "complaint", "subject": "Desk wobbles", "description": "One leg is short.", "order_id": peters_order.pk},
    )

    case = Case.objects.get(subject="Desk wobbles")
    assert response.status_code == 302 and response["Location"] == f"/portal/{workspace.slug}/cases/{case.pk}/"
    assert case.contact_id == invited.contact_id and case.channel == "portal" and case.order_id == peters_order.pk
    assert AuditEntry.objects.filter(object_type="service.case", object_id=str(case.pk), actor_label="portal: peter@initech.test").exists()
    case_services.case_note(actor=agent, case=case, body="zz-internal: customer is difficult")
    case_services.case_reply(actor=agent, case=case, body="We send a new leg.")

    page = client.get(f"/portal/{workspace.slug}/cases/{case.pk}/").content.decode()
    assert "One leg is short." in page and "We send a new leg." in page
    assert "zz-internal" not in page

    answered = client.post(f"/portal/{workspace.slug}/cases/{case.pk}/", {"body": "Thanks, which day?"})
    assert answered.status_code == 302
    last = case.messages.order_by("-id").first()
    assert last is not None and (last.kind, last.channel, last.contact_id) == ("customer", "portal", invited.contact_id)


def test_bad_case_input_names_the_fields_and_changes_nothing(invited: PortalAccess, workspace: Workspace) -> None:
    client = sign_in(workspace, invited)

    response = client.post(f"/portal/{workspace.slug}/cases/new/", {"kind": "returns", "subject": "", "description": ""})

    assert response.status_code == 422
    page = response.content.decode()
    assert "Choose one of" in page and "Tell us what happened." in page
    assert not Case.objects.exists()


def test_a_contact_never_sees_another_contacts_orders_invoices_or_cases(
    agent: User,
    invited: PortalAccess,
    samir: Contact,
    peters_order: SalesOrder,
    workspace: Workspace,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from amity.orders import services as order_services

    invoice = order_services.invoice_create(actor=_owner(workspace), order=peters_order)
    peters_case = portal.portal_case_open(access=invited, data={"kind": "complaint", "subject": "Mine", "description": "Mine."})
    line = peters_order.lines.first()
    with django_capture_on_commit_callbacks(execute=True):
        samirs = portal.portal_invite(actor=agent, contact=samir)
    client = sign_in(workspace, samirs)

    for path in (
        f"orders/{peters_order.pk}/",
        f"orders/{peters_order.pk}/lines/{line.pk}/return/",
        f"invoices/{invoice.pk}/pdf/",
        f"cases/{peters_case.pk}/",
    ):
        assert client.get(f"/portal/{workspace.slug}/{path}").status_code == 404, path
    assert client.post(f"/portal/{workspace.slug}/cases/{peters_case.pk}/", {"body": "Hi"}).status_code == 404
    before = Case.objects.count()
    assert (
        client.post(
            f"/portal/{workspace.slug}/orders/{peters_order.pk}/lines/{line.pk}/return/", {"quantity": "1", "reason": "x"}
        ).status_code
        == 404
    )
    assert Case.objects.count() == before
    assert peters_order.number not in client.get(f"/portal/{workspace.slug}/orders/").content.decode()
    assert "Mine" not in client.get(f"/portal/{workspace.slug}/cases/").content.decode()


def _owner(workspace: Workspace) -> User:
    from amity.core.permissions import Role
    from tests.factories import member

    return member(workspace, Role.OWNER, email="portal-biller@acme.test")


def test_a_return_gets_an_rma_number_and_the_instructions_by_email(
    invited: PortalAccess, peters_order: SalesOrder, workspace: Workspace, smtp_server: Inbox, django_capture_on_commit_callbacks: Any
) -> None:
    client = sign_in(workspace, invited)
    line = peters_order.lines.order_by("position", "id").first()
    smtp_server.messages.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/portal/{workspace.slug}/orders/{peters_order.pk}/lines/{line.pk}/return/", {"quantity": "2", "reason": "Scratched."}
        )

    request = ReturnRequest.objects.get()
    case = request.case
    assert response.status_code == 302 and response["Location"] == f"/portal/{workspace.slug}/cases/{case.pk}/"
    assert case.kind.is_return and case.rma_number and case.rma_number.startswith("RMA-")
    assert (case.order_id, case.order_line_id, case.contact_id, request.quantity) == (
        peters_order.pk,
        line.pk,
        invited.contact_id,
        Decimal("2"),
    )
    page = client.get(response["Location"]).content.decode()
    told = f"write the RMA number {case.rma_number} on the parcel"
    assert "{rma}" in case.kind.instructions and told in page and "{rma}" not in page
    [email] = smtp_server.parsed()
    assert case.rma_number in email["Subject"] and told in email.get_body().get_content()


def test_a_return_is_at_most_what_was_ordered_less_earlier_returns(
    invited: PortalAccess, peters_order: SalesOrder, workspace: Workspace
) -> None:
    line = peters_order.lines.order_by("position", "id").first()
    portal.return_request_create(workspace=workspace, order_line=line, quantity=line.quantity - 1, reason="Too many", access=invited)

    with pytest.raises(ValidationError) as refused:
        portal.return_request_create(workspace=workspace, order_line=line, quantity="2", reason="Again", access=invited)

    assert "At most 1" in refused.value.message_dict["quantity"][0]
    assert ReturnRequest.objects.count() == 1


def test_a_contact_updates_their_details_and_consents(invited: PortalAccess, workspace: Workspace) -> None:
    client = sign_in(workspace, invited)

    bad = client.post(
        f"/portal/{workspace.slug}/profile/", {"first_name": "Pete", "last_name": "Gibbons", "title": "", "phone": "not a phone"}
    )
    assert bad.status_code == 422 and Contact.objects.get(pk=invited.contact_id).first_name == "Peter"

    client.post(
        f"/portal/{workspace.slug}/profile/", {"first_name": "Pete", "last_name": "Gibbons", "title": "Engineer", "phone": "+49 30 1234567"}
    )
    client.post(f"/portal/{workspace.slug}/profile/", {"form": "consent", "consent_email": "1"})

    contact = Contact.objects.get(pk=invited.contact_id)
    assert (contact.first_name, contact.title, contact.primary_phone) == ("Pete", "Engineer", "+49301234567")
    event = ConsentEvent.objects.get(contact=contact)
    assert (event.channel, event.status, event.method) == ("email", "granted", "portal")
    assert AuditEntry.objects.filter(
        object_type="customers.contact", object_id=str(contact.pk), actor_label="portal: peter@initech.test"
    ).exists()


def test_drafts_stay_hidden_and_a_sent_invoice_lists_with_its_payment_and_downloads_as_pdf(
    invited: PortalAccess, peters_order: SalesOrder, workspace: Workspace
) -> None:
    from amity.orders import services as order_services

    owner = _owner(workspace)
    invoice = order_services.invoice_create(actor=owner, order=peters_order)
    client = sign_in(workspace, invited)
    assert client.get(f"/portal/{workspace.slug}/invoices/{invoice.pk}/pdf/").status_code == 404  # a draft is not theirs yet

    order_services.invoice_send(actor=owner, invoice=invoice, to="peter@initech.test")
    order_services.payment_record(actor=owner, invoice=invoice, amount="10.00", reference="Bank")
    listing = client.get(f"/portal/{workspace.slug}/invoices/").content.decode()
    response = client.get(f"/portal/{workspace.slug}/invoices/{invoice.pk}/pdf/")

    assert invoice.number in listing and "10.00" in listing
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")


def test_an_agent_invites_a_contact_from_the_contact_page(
    agent: User, peter: Contact, workspace: Workspace, client_as: Any, smtp_server: Inbox, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_as(agent)
    page = client.get(f"/w/{workspace.slug}/contacts/{peter.pk}/").content.decode()
    assert "Invite to portal" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/w/{workspace.slug}/contacts/{peter.pk}/portal-invite/")

    assert response.status_code == 302
    assert PortalAccess.objects.get(contact=peter).invited_by == agent
    assert [message["To"] for message in smtp_server.parsed()] == ["peter@initech.test"]


def test_a_viewer_cannot_invite_and_another_workspaces_contact_is_a_404(
    peter: Contact, workspace: Workspace, other_workspace: Workspace, client_as: Any
) -> None:
    from amity.core.permissions import Role
    from tests.factories import member

    viewer = member(workspace, Role.VIEWER, email="vic@acme.test")
    stranger = member(other_workspace, Role.OWNER, email="boss@globex.test")

    assert "Invite to portal" not in client_as(viewer).get(f"/w/{workspace.slug}/contacts/{peter.pk}/").content.decode()
    assert client_as(viewer).post(f"/w/{workspace.slug}/contacts/{peter.pk}/portal-invite/").status_code == 403
    assert client_as(stranger).post(f"/w/{other_workspace.slug}/contacts/{peter.pk}/portal-invite/").status_code == 404
    assert not PortalAccess.objects.exists()
