"""Fixtures of the portal tests: Peter of Initech with an order of desks and chairs, invited to the portal, and signed in."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from amity.core.models import User, Workspace
from amity.customers.models import Account, AccountContact, Contact, ContactEmail
from amity.orders.models import SalesOrder
from amity.service.portal import services as portal
from amity.service.portal.models import PortalAccess
from tests.factories import contact_at
from tests.mail import Inbox
from tests.orders.conftest import deal, order, quote, sent_quote  # noqa: F401
from tests.sales.conftest import account, chair, contact, desk, pipeline  # noqa: F401
from tests.web.conftest import client_as  # noqa: F401

LINK = re.compile(r"(http://\S+/portal/\S+/sign-in/(\S+)/)")


def with_email(person: Contact, address: str) -> Contact:
    ContactEmail.objects.create(workspace=person.workspace, contact=person, address=address, is_primary=True)
    Contact.objects.filter(pk=person.pk).update(primary_email=address)
    person.refresh_from_db()
    return person


@pytest.fixture
def peter(contact: Contact) -> Contact:  # noqa: F811
    return with_email(contact, "peter@initech.test")


@pytest.fixture
def peters_order(peter: Contact, order: SalesOrder) -> SalesOrder:  # noqa: F811
    """The accepted quote's order, placed by Peter."""
    SalesOrder.objects.filter(pk=order.pk).update(contact=peter)
    order.refresh_from_db()
    return order


@pytest.fixture
def invited(agent: User, peter: Contact, django_capture_on_commit_callbacks: Any) -> PortalAccess:
    with django_capture_on_commit_callbacks(execute=True):
        return portal.portal_invite(actor=agent, contact=peter)


@pytest.fixture
def samir(account: Account) -> Contact:  # noqa: F811
    """Peter's colleague at Initech, with portal access of his own."""
    return with_email(contact_at(account, first_name="Samir", last_name="Nagheenanajar"), "samir@initech.test")


def make_admin(access: PortalAccess, of: Account) -> PortalAccess:
    """Make the access's contact the admin of one of their accounts in the portal (as staff would in the settings)."""
    membership = AccountContact.objects.get(account=of, contact=access.contact)
    PortalAccess.objects.filter(pk=access.pk).update(admin_membership=membership)
    access.refresh_from_db()
    return access


def sign_in(workspace: Workspace, access: PortalAccess) -> Client:
    """A browser signed in to the portal as the access's contact (by a fresh link, spent like a person would)."""
    from datetime import timedelta

    token = portal._new_link(access, timedelta(minutes=5))
    client = Client()
    response = client.post(f"/portal/{workspace.slug}/sign-in/{token}/")
    assert response.status_code == 302, response.content[:300]
    return client


def link_in(inbox: Inbox) -> tuple[str, str]:
    body = inbox.parsed()[-1].get_body(preferencelist=("plain",)).get_content()
    found = LINK.search(body)
    assert found, body
    return found.group(1), found.group(2)


def portal_api(workspace: Workspace, access: PortalAccess) -> Any:
    """An API client holding a portal bearer token of the access's contact (exchanged for a fresh sign-in link)."""
    from datetime import timedelta

    from tests.conftest import ApiClient

    _, raw = portal.portal_session_start(workspace=workspace, token=portal._new_link(access, timedelta(minutes=5)))
    return ApiClient(Client(), raw)


def post_form(api: Any, path: str, data: dict[str, Any]) -> Any:
    """POST a multipart form (fields and files) with the API client's portal token: how the portal's writes take files."""
    return api.client.post(path, data=data, headers=api._headers(None))


@pytest.fixture
def peters_api(workspace: Workspace, invited: PortalAccess) -> Any:
    return portal_api(workspace, invited)
