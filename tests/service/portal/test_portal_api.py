"""The portal API as a contact (a portal token from a sign-in link) and the staff returns API."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from amity.core.models import User, Workspace
from amity.core.permissions import Role
from amity.orders.models import SalesOrder
from amity.service import services as case_services
from amity.service.models import Case
from amity.service.portal import services as portal
from amity.service.portal.models import PortalAccess, PortalSession, ReturnRequest
from tests.factories import member
from tests.mail import Inbox
from tests.service.portal.conftest import link_in, post_form


def test_a_link_is_exchanged_for_a_portal_token_that_signs_out(
    invited: PortalAccess, workspace: Workspace, smtp_server: Inbox, django_capture_on_commit_callbacks: Any
) -> None:
    from django.test import Client

    from tests.conftest import ApiClient

    anonymous = ApiClient(Client(), None)
    smtp_server.messages.clear()
    with django_capture_on_commit_callbacks(execute=True):
        asked = anonymous.post("/api/v1/portal/sign-in", {"workspace": workspace.slug, "email": "peter@initech.test"})
        unknown = anonymous.post("/api/v1/portal/sign-in", {"workspace": workspace.slug, "email": "nobody@initech.test"})
    assert asked.status_code == unknown.status_code == 202 and asked.json() == unknown.json()
    _, token = link_in(smtp_server)

    started = anonymous.post("/api/v1/portal/session", {"workspace": workspace.slug, "token": token})
    assert started.status_code == 201
    raw = started.json()["token"]
    assert not PortalSession.objects.filter(token_hash=raw).exists()
    client = ApiClient(Client(), raw)
    assert client.get("/api/v1/portal/me").json()["email"] == "peter@initech.test"
    assert anonymous.post("/api/v1/portal/session", {"workspace": workspace.slug, "token": token}).status_code == 422  # used

    assert client.delete("/api/v1/portal/session").status_code == 204
    assert client.get("/api/v1/portal/me").status_code == 401


def test_a_staff_token_is_no_portal_token_and_the_reverse(api_as: Any, peters_api: Any, workspace: Workspace) -> None:
    staff = api_as(member(workspace, Role.OWNER, email="boss@acme.test"), workspace)

    assert staff.get("/api/v1/portal/me").status_code == 401
    assert peters_api.get("/api/v1/cases").status_code == 401
    assert peters_api.get("/api/v1/returns").status_code == 401


def test_a_contact_opens_a_case_replies_and_never_reads_a_note(peters_api: Any, agent: User, peters_order: SalesOrder) -> None:
    opened = post_form(
        peters_api,
        "/api/v1/portal/cases",
        {"kind": "complaint", "subject": "Scratch", "description": "On the desk.", "order_id": peters_order.pk},
    )
    assert opened.status_code == 201, opened.content
    case = Case.objects.get(pk=opened.json()["id"])
    case_services.case_note(actor=agent, case=case, body="zz-internal note")
    case_services.case_reply(actor=agent, case=case, body="Photo please.")

    assert post_form(peters_api, f"/api/v1/portal/cases/{case.pk}/messages", {"body": "Attached."}).status_code == 201
    messages = peters_api.get(f"/api/v1/portal/cases/{case.pk}/messages").json()

    assert [message["kind"] for message in messages] == ["customer", "reply", "customer"]
    assert "zz-internal" not in str(messages)
    assert case.messages.filter(kind="customer", channel="portal").count() == 2


def test_the_portal_lists_are_keyset_pages_in_constant_queries(peters_api: Any, invited: PortalAccess) -> None:
    def open_cases(count: int) -> None:
        for number in range(count):
            portal.portal_case_open(access=invited, data={"kind": "complaint", "subject": f"Case {number}", "description": "x"})

    open_cases(2)
    with CaptureQueriesContext(connection) as few:
        peters_api.get("/api/v1/portal/cases", {"limit": 5})
    open_cases(8)
    with CaptureQueriesContext(connection) as many:
        first = peters_api.get("/api/v1/portal/cases", {"limit": 5}).json()
    second = peters_api.get("/api/v1/portal/cases", {"limit": 5, "cursor": first["next_cursor"]}).json()

    assert len(many) == len(few)
    assert len(first["items"]) == 5 and len(second["items"]) == 5
    assert not {item["id"] for item in first["items"]} & {item["id"] for item in second["items"]}


def test_a_contact_requests_a_return_and_bad_quantities_name_the_field(peters_api: Any, peters_order: SalesOrder) -> None:
    line = peters_order.lines.order_by("position", "id").first()

    too_many = peters_api.post("/api/v1/portal/returns", {"order_line_id": line.pk, "quantity": str(line.quantity + 1), "reason": "No"})
    created = peters_api.post("/api/v1/portal/returns", {"order_line_id": line.pk, "quantity": "1", "reason": "Broken"})

    assert too_many.status_code == 422 and [error["field"] for error in too_many.json()["errors"]] == ["quantity"]
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["rma_number"].startswith("RMA-") and Decimal(body["quantity"]) == 1
    assert f"RMA number {body['rma_number']} on the parcel" in body["instructions"]
    assert peters_api.get(f"/api/v1/portal/returns/{body['id']}").status_code == 200


def test_staff_list_filter_create_and_get_returns(
    api_as: Any, agent: User, workspace: Workspace, peters_order: SalesOrder, django_assert_max_num_queries: Any
) -> None:
    client = api_as(agent, workspace)
    line = peters_order.lines.order_by("position", "id").first()

    created = client.post("/api/v1/returns", {"order_line_id": line.pk, "quantity": "2", "reason": "Wrong colour"})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["order_id"] == peters_order.pk and body["rma_number"].startswith("RMA-")
    assert ReturnRequest.objects.get().case.channel == "agent"

    for number in range(3):
        portal.return_request_create(workspace=workspace, order_line=line, quantity="1", reason=f"More {number}", actor=agent)
    with django_assert_max_num_queries(8):
        listed = client.get("/api/v1/returns", {"order_id": peters_order.pk, "status": "open_any", "limit": 2}).json()
    assert len(listed["items"]) == 2 and listed["next_cursor"]
    assert client.get(f"/api/v1/returns/{body['id']}").json()["reason"] == "Wrong colour"
    assert client.get("/api/v1/returns", {"order_id": peters_order.pk + 999}).json()["items"] == []


def test_a_viewer_cannot_create_a_return(api_as: Any, workspace: Workspace, peters_order: SalesOrder) -> None:
    viewer = api_as(member(workspace, Role.VIEWER, email="vic@acme.test"), workspace)
    line = peters_order.lines.first()

    response = viewer.post("/api/v1/returns", {"order_line_id": line.pk, "quantity": "1", "reason": "x"})

    assert response.status_code == 403
    assert not ReturnRequest.objects.exists()
