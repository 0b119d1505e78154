"""Account admins in the portal: a contact made admin of one of their accounts sees all of that account's cases, orders,
invoices and billing history (and who opened each case), and may follow and answer its cases; nothing of other accounts."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from amity.core.models import AuditEntry, User, Workspace
from amity.core.permissions import Role
from amity.customers.models import Account, AccountContact, Contact
from amity.orders import services as order_services
from amity.orders.models import SalesOrder
from amity.service import services as case_services
from amity.service.portal import services as portal
from amity.service.portal.models import PortalAccess
from tests.factories import AccountFactory, contact_at, member
from tests.service.portal.conftest import make_admin, portal_api, post_form, sign_in, with_email

PAGE = "/w/{slug}/settings/portal/"


@pytest.fixture
def owner(workspace: Workspace) -> User:
    return member(workspace, Role.OWNER, email="portal-owner@acme.test")


@pytest.fixture
def samirs_access(owner: User, samir: Contact) -> PortalAccess:
    return portal.portal_invite(actor=owner, contact=samir)


@pytest.fixture
def samirs_records(samirs_access: PortalAccess, peters_order: SalesOrder, owner: User, agent: User) -> dict[str, Any]:
    """Samir's case (with an internal note on it), and Initech's order placed by Samir with a sent, part-paid invoice."""
    SalesOrder.objects.filter(pk=peters_order.pk).update(contact=samirs_access.contact)
    case = portal.portal_case_open(access=samirs_access, data={"kind": "complaint", "subject": "Samir's stapler", "description": "Gone."})
    case_services.case_note(actor=agent, case=case, body="zz-internal: check the basement")
    invoice = order_services.invoice_create(actor=owner, order=peters_order)
    order_services.invoice_send(actor=owner, invoice=invoice, to="samir@initech.test")
    order_services.payment_record(actor=owner, invoice=invoice, amount="12.34", reference="Bank")
    return {"case": case, "order": peters_order, "invoice": invoice}


def test_a_plain_portal_user_sees_only_their_own(invited: PortalAccess, samirs_records: dict[str, Any], workspace: Workspace) -> None:
    client = sign_in(workspace, invited)
    api = portal_api(workspace, invited)

    assert client.get(f"/portal/{workspace.slug}/cases/{samirs_records['case'].pk}/").status_code == 404
    assert client.get(f"/portal/{workspace.slug}/orders/{samirs_records['order'].pk}/").status_code == 404
    assert client.get(f"/portal/{workspace.slug}/invoices/{samirs_records['invoice'].pk}/pdf/").status_code == 404
    assert "12.34" not in client.get(f"/portal/{workspace.slug}/invoices/").content.decode()
    for listing in ("cases", "orders", "invoices"):
        assert api.get(f"/api/v1/portal/{listing}").json()["items"] == [], listing
    assert api.get("/api/v1/portal/me").json()["admin_account_id"] is None


def test_an_account_admin_sees_the_accounts_records_and_who_opened_each_case(
    invited: PortalAccess, account: Account, samirs_records: dict[str, Any], workspace: Workspace
) -> None:
    make_admin(invited, account)
    client = sign_in(workspace, invited)
    api = portal_api(workspace, invited)
    case = samirs_records["case"]

    cases_page = client.get(f"/portal/{workspace.slug}/cases/").content.decode()
    case_page = client.get(f"/portal/{workspace.slug}/cases/{case.pk}/").content.decode()
    invoices_page = client.get(f"/portal/{workspace.slug}/invoices/").content.decode()
    listed = api.get("/api/v1/portal/cases").json()["items"]

    assert "Cases of Initech" in cases_page and "opened by Samir Nagheenanajar" in cases_page
    assert "Samir&#x27;s stapler" in case_page and "zz-internal" not in case_page
    assert samirs_records["invoice"].number in invoices_page and "12.34" in invoices_page
    assert client.get(f"/portal/{workspace.slug}/orders/{samirs_records['order'].pk}/").status_code == 200
    assert client.get(f"/portal/{workspace.slug}/invoices/{samirs_records['invoice'].pk}/pdf/").status_code == 200
    assert [(row["id"], row["opened_by"], row["opened_by_contact_id"]) for row in listed] == [
        (case.pk, "Samir Nagheenanajar", samirs_records["case"].contact_id)
    ]
    assert [row["id"] for row in api.get("/api/v1/portal/orders").json()["items"]] == [samirs_records["order"].pk]
    assert [row["id"] for row in api.get("/api/v1/portal/invoices").json()["items"]] == [samirs_records["invoice"].pk]
    me = api.get("/api/v1/portal/me").json()
    assert me["admin_account_id"] == account.pk and me["admin_account"] == "Initech"
    assert "zz-internal" not in api.get(f"/api/v1/portal/cases/{case.pk}/messages").content.decode()


def test_an_account_admin_answers_a_colleagues_case_and_the_colleague_sees_who_wrote(
    invited: PortalAccess, account: Account, samirs_access: PortalAccess, samirs_records: dict[str, Any], workspace: Workspace
) -> None:
    make_admin(invited, account)
    case = samirs_records["case"]
    api = portal_api(workspace, invited)

    answered = post_form(api, f"/api/v1/portal/cases/{case.pk}/messages", {"body": "It is in my drawer."})

    assert answered.status_code == 201, answered.content
    assert answered.json()["from_name"] == "Peter Gibbons"
    message = case.messages.get(body__contains="drawer")
    assert message.contact_id == invited.contact_id and message.channel == "portal"
    samirs_page = sign_in(workspace, samirs_access).get(f"/portal/{workspace.slug}/cases/{case.pk}/").content.decode()
    assert "Peter Gibbons" in samirs_page and "It is in my drawer." in samirs_page


def test_an_account_admin_sees_nothing_of_another_account(
    invited: PortalAccess, account: Account, owner: User, workspace: Workspace, samirs_records: dict[str, Any]
) -> None:
    other = AccountFactory(workspace=workspace, name="Initrode")
    bill = with_email(contact_at(other, first_name="Bill", last_name="Lumbergh"), "bill@initrode.test")
    bills_case = case_services.case_open(
        actor=owner, workspace=workspace, data={"subject": "Initrode's TPS", "kind": "complaint", "contact_id": bill.pk}
    )
    make_admin(invited, account)
    client = sign_in(workspace, invited)
    api = portal_api(workspace, invited)

    assert bills_case.account_id == other.pk
    assert client.get(f"/portal/{workspace.slug}/cases/{bills_case.pk}/").status_code == 404
    assert api.get(f"/api/v1/portal/cases/{bills_case.pk}").status_code == 404
    assert "Initrode" not in client.get(f"/portal/{workspace.slug}/cases/").content.decode()
    assert bills_case.pk not in [row["id"] for row in api.get("/api/v1/portal/cases").json()["items"]]


def test_leaving_the_account_ends_the_admin_view(
    invited: PortalAccess, account: Account, samirs_records: dict[str, Any], workspace: Workspace
) -> None:
    make_admin(invited, account)
    AccountContact.objects.filter(account=account, contact=invited.contact).delete()
    api = portal_api(workspace, invited)

    assert api.get(f"/api/v1/portal/cases/{samirs_records['case'].pk}").status_code == 404
    assert api.get("/api/v1/portal/me").json()["admin_account_id"] is None


def test_staff_make_and_unmake_an_account_admin_by_api_audited(
    owner: User, invited: PortalAccess, account: Account, workspace: Workspace, api_as: Any
) -> None:
    client = api_as(owner, workspace)
    elsewhere = AccountFactory(workspace=workspace, name="Initrode")
    url = f"/api/v1/portal-users/{invited.pk}/account-admin"

    made = client.put(url, {"account_id": account.pk})
    not_his = client.put(url, {"account_id": elsewhere.pk})
    listed = client.get("/api/v1/portal-users").json()["items"]
    unmade = client.put(url, {"account_id": None})

    assert made.status_code == 200 and made.json()["admin_account_id"] == account.pk and made.json()["admin_account"] == "Initech"
    assert not_his.status_code == 422 and not_his.json()["errors"][0]["field"] == "account_id"
    assert [row["admin_account_id"] for row in listed] == [account.pk]
    assert unmade.json()["admin_account_id"] is None
    entries = AuditEntry.objects.filter(object_type="service.portalaccess", object_id=str(invited.pk), actor=owner).order_by("id")
    assert [entry.changes for entry in entries if "admin_account" in entry.changes] == [
        {"admin_account": [None, account.pk]},
        {"admin_account": [account.pk, None]},
    ]


def test_staff_make_an_account_admin_in_the_settings_and_others_are_refused(
    owner: User, invited: PortalAccess, account: Account, workspace: Workspace, other_workspace: Workspace, client_as: Any
) -> None:
    client = client_as(owner)
    page = client.get(PAGE.format(slug=workspace.slug)).content.decode()
    assert f'id="portal-admin-{invited.pk}"' in page and "All of Initech (admin)" in page

    saved = client.post(f"/w/{workspace.slug}/settings/portal/users/{invited.pk}/account-admin/", {"account_id": str(account.pk)})
    invited.refresh_from_db()
    assert saved.status_code == 302 and invited.admin_account_id == account.pk
    assert "now sees all of Initech" in client.get(PAGE.format(slug=workspace.slug)).content.decode()

    viewer = member(workspace, Role.VIEWER, email="viewer@acme.test")
    stranger = member(other_workspace, Role.OWNER, email="boss@globex.test")
    refused = client_as(viewer).post(f"/w/{workspace.slug}/settings/portal/users/{invited.pk}/account-admin/", {"account_id": ""})
    foreign = client_as(stranger).post(f"/w/{other_workspace.slug}/settings/portal/users/{invited.pk}/account-admin/", {"account_id": ""})
    invited.refresh_from_db()
    assert refused.status_code == 403 and foreign.status_code == 404 and invited.admin_account_id == account.pk


def test_the_settings_list_with_account_choices_stays_in_constant_queries(
    owner: User, workspace: Workspace, account: Account, client_as: Any
) -> None:
    client = client_as(owner)

    def invite(count: int) -> None:
        for number in range(count):
            person = with_email(contact_at(account, first_name=f"P{number}", last_name="Admin"), f"a{number}-{count}@initech.test")
            AccountContact.objects.create(workspace=workspace, account=AccountFactory(workspace=workspace), contact=person)
            portal.portal_invite(actor=owner, contact=person)

    invite(2)
    client.get(PAGE.format(slug=workspace.slug))
    with CaptureQueriesContext(connection) as few:
        client.get(PAGE.format(slug=workspace.slug))
    invite(8)
    with CaptureQueriesContext(connection) as many:
        page = client.get(PAGE.format(slug=workspace.slug)).content.decode()

    assert len(many) == len(few) and page.count("All of Initech (admin)") == 10
