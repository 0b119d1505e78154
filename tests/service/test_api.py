"""The cases API: open, list with filters and keyset pages in constant queries, change, reply, note, kinds and queues."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from amity.core.models import User, Workspace
from amity.core.permissions import Role
from amity.customers.models import Contact
from amity.service import services
from amity.service.models import Case, CaseMessage
from tests.factories import member
from tests.mail import Inbox


def test_a_case_is_opened_with_subject_kind_contact_and_description(
    api_as: Any, agent: User, workspace: Workspace, customer: Contact
) -> None:
    response = api_as(agent, workspace).post(
        "/api/v1/cases",
        {"subject": "Where is my order?", "kind": "information_request", "contact_id": customer.pk, "description": "Ordered last week."},
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["number"].startswith("CS-") and body["kind"] == "information_request" and body["status"] == "new"
    assert body["contact_id"] == customer.pk and body["account_id"] is not None and body["channel"] == "api"
    messages = api_as(agent, workspace).get(f"/api/v1/cases/{body['id']}/messages").json()
    assert [(message["kind"], message["body"]) for message in messages] == [("customer", "<p>Ordered last week.</p>")]


def test_bad_input_is_a_422_naming_the_fields(api_as: Any, agent: User, workspace: Workspace) -> None:
    response = api_as(agent, workspace).post("/api/v1/cases", {"subject": "x", "kind": "nope", "priority": "asap"})

    assert response.status_code == 422
    assert {error["field"] for error in response.json()["errors"]} >= {"kind", "priority"}
    assert not Case.objects.exists()


def _open_cases(workspace: Workspace, agent: User, count: int) -> None:
    for number in range(count):
        services.case_open(
            actor=agent, workspace=workspace, data={"subject": f"Case {number}", "assignee_id": agent.pk, "description": "Hi"}
        )


def test_the_list_runs_a_constant_number_of_queries_and_pages_by_cursor(api_as: Any, agent: User, workspace: Workspace) -> None:
    client = api_as(agent, workspace)
    client.get("/api/v1/me")  # the token's first use is recorded once; count the list's own queries
    _open_cases(workspace, agent, 3)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/api/v1/cases", {"limit": 10, "status": "open_any", "sort": "priority"}).status_code == 200
    _open_cases(workspace, agent, 12)
    with CaptureQueriesContext(connection) as many:
        first = client.get("/api/v1/cases", {"limit": 10, "status": "open_any", "sort": "priority"}).json()

    assert len(many) == len(few)
    second = client.get("/api/v1/cases", {"limit": 10, "status": "open_any", "sort": "priority", "cursor": first["next_cursor"]}).json()
    ids = [row["id"] for row in first["items"] + second["items"]]
    assert len(ids) == len(set(ids)) == 15


def test_filters_narrow_the_list(api_as: Any, agent: User, workspace: Workspace, case: Case) -> None:
    services.case_open(actor=agent, workspace=workspace, data={"subject": "Other", "kind": "service_request", "tags": ["VIP"]})
    client = api_as(agent, workspace)

    assert [row["id"] for row in client.get("/api/v1/cases", {"kind": "complaint"}).json()["items"]] == [case.pk]
    assert [row["subject"] for row in client.get("/api/v1/cases", {"tag": "vip"}).json()["items"]] == ["Other"]
    assert client.get("/api/v1/cases", {"contact_id": case.contact_id}).json()["items"][0]["id"] == case.pk
    assert client.get("/api/v1/cases", {"status": "bogus"}).status_code == 422


def test_patch_and_status_change_a_case(api_as: Any, agent: User, workspace: Workspace, case: Case) -> None:
    client = api_as(agent, workspace)

    patched = client.patch(f"/api/v1/cases/{case.pk}", {"priority": "high", "assignee_id": agent.pk}).json()
    resolved = client.post(f"/api/v1/cases/{case.pk}/status", {"status": "resolved"}).json()

    assert (patched["priority"], patched["assignee_id"]) == ("high", agent.pk)
    assert resolved["status"] == "resolved" and resolved["resolved_at"] is not None


def test_a_reply_by_the_api_is_emailed(
    api_as: Any, agent: User, workspace: Workspace, case: Case, smtp_server: Inbox, run_on_commit: Any
) -> None:
    with run_on_commit():
        response = api_as(agent, workspace).post(
            f"/api/v1/cases/{case.pk}/messages", {"kind": "reply", "body": "On its way.", "status": "resolved"}
        )

    assert response.status_code == 201, response.content
    assert response.json()["to_addresses"] == ["peter@initech.test"]
    [email] = smtp_server.parsed()
    assert case.number in email["Subject"]
    case.refresh_from_db()
    assert case.status == "resolved"


def test_an_integration_posts_a_chat_message_from_the_customer(api_as: Any, agent: User, workspace: Workspace, case: Case) -> None:
    response = api_as(agent, workspace).post(
        f"/api/v1/cases/{case.pk}/messages", {"kind": "customer", "channel": "chat", "body": "Hello?", "from_name": "Peter"}
    )

    assert response.status_code == 201
    assert CaseMessage.objects.filter(case=case, kind="customer", channel="chat").count() == 1


def test_a_sales_rep_opens_a_case_but_cannot_change_it(api_as: Any, workspace: Workspace, case: Case) -> None:
    rep = member(workspace, Role.SALES, email="rita@acme.test")
    client = api_as(rep, workspace)

    assert client.post("/api/v1/cases", {"subject": "Customer called"}).status_code == 201
    assert client.post(f"/api/v1/cases/{case.pk}/status", {"status": "closed"}).status_code == 403
    case.refresh_from_db()
    assert case.status == "new"


def test_kinds_and_queues_are_managed_by_admins(api_as: Any, admin: User, workspace: Workspace) -> None:
    client = api_as(admin, workspace)

    kind = client.post("/api/v1/case-kinds", {"name": "Warranty claim", "instructions": "Send a photo."}).json()
    queue = client.post("/api/v1/queues", {"name": "Returns", "email_address": "Returns@Acme.test", "member_ids": [admin.pk]}).json()

    assert kind["key"] == "warranty_claim"
    assert (queue["email_address"], queue["member_ids"]) == ("returns@acme.test", [admin.pk])
    assert [row["key"] for row in client.get("/api/v1/case-kinds").json()][-1] == "warranty_claim"
    assert client.post("/api/v1/queues", {"name": "returns"}).status_code == 422


def test_an_sla_policy_says_what_a_breach_does(api_as: Any, admin: User, workspace: Workspace) -> None:
    client = api_as(admin, workspace)
    queue = client.post("/api/v1/queues", {"name": "Tier two"}).json()

    bad = client.post("/api/v1/sla-policies", {"name": "Fast", "first_response_minutes": 60, "breach_assignee": "escalation_person"})
    created = client.post(
        "/api/v1/sla-policies", {"name": "Fast", "first_response_minutes": 60, "breach_queue_id": queue["id"], "breach_assignee": "route"}
    )

    assert bad.status_code == 422 and [error["field"] for error in bad.json()["errors"]] == ["breach_assignee"]
    assert created.status_code == 201 and (created.json()["breach_queue_id"], created.json()["breach_assignee"]) == (queue["id"], "route")
    changed = client.patch(f"/api/v1/sla-policies/{created.json()['id']}", {"breach_assignee": "keep"}).json()
    assert (changed["breach_queue_id"], changed["breach_assignee"]) == (queue["id"], "keep")
