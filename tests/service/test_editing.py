"""Merging and splitting cases, canned responses with placeholders, and macros."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from amity.core.models import User, Workspace
from amity.service import services
from amity.service.intake import email_intake
from amity.service.models import Case, CaseMessage
from tests.mail import Inbox


def test_merging_moves_the_messages_closes_the_duplicate_and_later_mail_follows(
    workspace: Workspace, agent: User, case: Case, customer: Any
) -> None:
    duplicate = services.case_open(
        actor=agent, workspace=workspace, data={"subject": "Chair broken again", "contact_id": customer.pk, "description": "Same"}
    )

    services.case_merge(actor=agent, duplicate=duplicate, into=case)

    duplicate.refresh_from_db()
    assert (duplicate.merged_into, duplicate.status) == (case, "closed")
    assert CaseMessage.objects.filter(case=case, kind="customer").count() == 2
    assert "was merged into this case" in CaseMessage.objects.filter(case=case, kind="note").get().body
    result = email_intake(
        workspace=workspace,
        raw=f"From: peter@initech.test\r\nSubject: Re: {duplicate.subject_tag}\r\nMessage-ID: <late@x>\r\n\r\nhello\r\n".encode(),
    )
    assert result.case == case
    with pytest.raises(ValidationError):
        services.case_merge(actor=agent, duplicate=duplicate, into=case)


def test_splitting_takes_a_customer_message_into_a_new_case(workspace: Workspace, agent: User, case: Case) -> None:
    other = services.case_customer_message(case=case, body="Also, my invoice is wrong.", channel="email", subject="Invoice")

    new = services.case_split(actor=agent, message=other)

    assert new.subject == "Invoice" and new.contact == case.contact and new != case
    assert list(new.messages.values_list("kind", flat=True)) == ["customer"]
    assert not CaseMessage.objects.filter(case=case, pk=other.pk).exists()
    with pytest.raises(ValidationError):
        services.case_split(actor=agent, message=new.messages.get())  # its only message


def test_a_canned_response_fills_in_its_placeholders_and_refuses_unknown_ones(
    workspace: Workspace, admin: User, agent: User, case: Case
) -> None:
    response = services.canned_response_save(
        actor=admin, workspace=workspace, name="Thanks", body="Hello {customer_first_name}, about {case_number}: {agent_name} here."
    )

    assert services.render_canned(response, case=case, agent=agent) == f"Hello Peter, about {case.number}: Sam Agent here."
    with pytest.raises(ValidationError) as raised:
        services.canned_response_save(actor=admin, workspace=workspace, name="Typo", body="Hi {custmer_name}")
    assert "{custmer_name}" in raised.value.message_dict["body"][0]


def test_a_macro_applies_its_changes_reply_and_status_at_once(
    workspace: Workspace, admin: User, agent: User, case: Case, smtp_server: Inbox, run_on_commit: Any
) -> None:
    reply = services.canned_response_save(actor=admin, workspace=workspace, name="Refund", body="Dear {customer_name}, we refund you.")
    macro = services.macro_save(
        actor=admin,
        workspace=workspace,
        data={
            "name": "Refund and resolve",
            "status": "resolved",
            "priority": "high",
            "assign_to_me": True,
            "add_tags": ["Refund"],
            "reply_id": reply.pk,
            "note": "Refund booked.",
        },
    )

    with run_on_commit():
        applied = services.macro_apply(actor=agent, macro=macro, case=case)

    assert (applied.status, applied.priority, applied.assignee, applied.tags) == ("resolved", "high", agent, ["refund"])
    assert list(applied.messages.values_list("kind", flat=True)) == ["customer", "reply", "note"]
    [email] = smtp_server.parsed()
    assert "Dear Peter Gibbons, we refund you." in email.get_body(preferencelist=("plain",)).get_content()


def test_the_api_merges_and_applies_macros(api_as: Any, agent: User, admin: User, workspace: Workspace, case: Case) -> None:
    duplicate = services.case_open(actor=agent, workspace=workspace, data={"subject": "Dup"})
    macro = api_as(admin, workspace).post("/api/v1/macros", {"name": "Close", "status": "closed"}).json()
    client = api_as(agent, workspace)

    merged = client.post(f"/api/v1/cases/{duplicate.pk}/merge", {"into_id": case.pk})
    closed = client.post(f"/api/v1/cases/{case.pk}/macros/{macro['id']}")

    assert merged.status_code == 200 and merged.json()["id"] == case.pk
    assert closed.json()["status"] == "closed"
    assert client.post(f"/api/v1/cases/{case.pk}/merge", {"into_id": case.pk}).status_code == 422
