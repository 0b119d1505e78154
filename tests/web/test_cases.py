"""The agent's pages: the live queue, a case's page (reply, note, properties), opening a case, and the Cases panel."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from amity.core.models import User, Workspace
from amity.core.permissions import Role
from amity.customers.models import Contact
from amity.service import services
from amity.service.alerts import escalate_breaches
from amity.service.models import Case, CaseMessage
from tests.factories import member
from tests.mail import Inbox

HTMX = {"HX-Request": "true"}


def test_the_queue_lists_open_cases_with_counts_per_view(client_as: Any, agent: User, case: Case) -> None:
    page = client_as(agent).get("/w/acme/cases/")

    assert page.status_code == 200
    html = page.content.decode()
    assert "Chair arm came loose" in html and case.number in html
    assert "Unassigned" in html and "Support" in html


def test_the_queue_runs_a_constant_number_of_queries(
    client_as: Any, agent: User, workspace: Workspace, case: Case, queries_of: Any
) -> None:
    client = client_as(agent)
    client.get("/w/acme/cases/")
    few = queries_of(client, "/w/acme/cases/?view=open")
    for number in range(20):
        services.case_open(
            actor=agent, workspace=workspace, data={"subject": f"Case {number}", "description": "Hi", "assignee_id": agent.pk}
        )

    assert queries_of(client, "/w/acme/cases/?view=open") == few


def test_the_live_queue_answers_204_until_something_changes(client_as: Any, agent: User, workspace: Workspace, case: Case) -> None:
    client = client_as(agent)
    html = client.get("/w/acme/cases/").content.decode()
    stamp = html.split("stamp=")[1].split('"')[0]

    with CaptureQueriesContext(connection) as polled:
        assert client.get(f"/w/acme/cases/live/?view=open&stamp={stamp}", headers=HTMX).status_code == 204
    assert not [query for query in polled.captured_queries if "GROUP BY" in query["sql"]]  # no tab counts when nothing changed
    services.case_open(actor=None, workspace=workspace, data={"subject": "Just arrived", "requester_email": "new@example.com"})
    fresh = client.get(f"/w/acme/cases/live/?view=open&stamp={stamp}", headers=HTMX)
    assert fresh.status_code == 200 and "Just arrived" in fresh.content.decode()


def test_the_case_page_shows_the_conversation_and_the_customer(client_as: Any, agent: User, case: Case) -> None:
    html = client_as(agent).get(f"/w/acme/cases/{case.pk}/").content.decode()

    assert "It wobbles." in html and "Peter Gibbons" in html and "Initech" in html
    assert "peter@initech.test" in html and "Send reply" in html


def test_replying_from_the_page_emails_the_customer(
    client_as: Any, agent: User, case: Case, smtp_server: Inbox, run_on_commit: Any
) -> None:
    with run_on_commit():
        response = client_as(agent).post(
            f"/w/acme/cases/{case.pk}/reply/", {"body": "A new arm is on its way.", "status": "resolved"}, headers=HTMX
        )

    assert response.status_code == 200 and "A new arm is on its way." in response.content.decode()
    [email] = smtp_server.parsed()
    assert email["To"] == "peter@initech.test"
    case.refresh_from_db()
    assert case.status == "resolved" and case.first_response_at is not None


def test_an_empty_reply_is_refused_with_the_reason(client_as: Any, agent: User, case: Case) -> None:
    response = client_as(agent).post(f"/w/acme/cases/{case.pk}/reply/", {"body": "  "}, headers=HTMX)

    assert response.status_code == 422 and "Write something first." in response.content.decode()
    assert CaseMessage.objects.filter(kind="reply").count() == 0


def test_a_note_stays_internal(client_as: Any, agent: User, case: Case, smtp_server: Inbox, run_on_commit: Any) -> None:
    with run_on_commit():
        response = client_as(agent).post(f"/w/acme/cases/{case.pk}/note/", {"body": "Call the warehouse."}, headers=HTMX)

    assert response.status_code == 200 and "internal note" in response.content.decode()
    assert smtp_server.messages == []


def test_saving_properties_changes_status_and_assignee(client_as: Any, agent: User, case: Case, workspace: Workspace) -> None:
    colleague = member(workspace, Role.SUPPORT, email="kim@acme.test")
    form = {"status": "open", "priority": "high", "kind": "complaint", "queue_id": str(case.queue_id), "assignee_id": str(colleague.pk)}

    response = client_as(agent).post(f"/w/acme/cases/{case.pk}/properties/", form, headers=HTMX)

    assert response.status_code == 200
    case.refresh_from_db()
    assert (case.status, case.priority, case.assignee) == ("open", "high", colleague)


def test_opening_a_case_finds_the_contact_by_email(client_as: Any, agent: User, customer: Contact, case: Case) -> None:
    form = {"subject": "Phoned about delivery", "customer_email": "Peter@Initech.test", "kind": "information_request", "priority": "normal",
            "channel": "phone", "queue_id": str(case.queue_id), "description": "When will it arrive?"}  # fmt: skip

    response = client_as(agent).post("/w/acme/cases/new/", form)

    opened = Case.objects.get(subject="Phoned about delivery")
    assert response.status_code == 302 and response["Location"] == f"/w/acme/cases/{opened.pk}/"
    assert opened.contact == customer and opened.channel == "phone"


def test_the_contact_page_shows_the_cases_panel(client_as: Any, agent: User, case: Case, customer: Contact) -> None:
    html = client_as(agent).get(f"/w/acme/contacts/{customer.pk}/").content.decode()

    assert 'id="panel-cases"' in html and "Chair arm came loose" in html


def test_a_viewer_reads_a_case_but_gets_no_composer(client_as: Any, workspace: Workspace, case: Case) -> None:
    viewer = member(workspace, Role.VIEWER, email="vic@acme.test")
    client = client_as(viewer)

    assert "Send reply" not in client.get(f"/w/acme/cases/{case.pk}/").content.decode()
    assert client.post(f"/w/acme/cases/{case.pk}/note/", {"body": "hi"}).status_code == 403
    assert client.get("/w/acme/cases/new/").status_code == 403


@pytest.mark.parametrize(("method", "suffix"), [("get", ""), ("post", "reply/"), ("post", "note/"), ("post", "properties/")])
def test_another_workspaces_case_is_a_404_and_nothing_changes(
    client_as: Any, agent: User, other_workspace: Workspace, method: str, suffix: str
) -> None:
    stranger = services.case_open(
        actor=None, workspace=other_workspace, data={"subject": "Theirs", "description": "Help", "requester_email": "x@example.com"}
    )
    form = {"body": "hi", "status": "closed", "priority": "low", "kind": "complaint"}

    response = getattr(client_as(agent), method)(f"/w/acme/cases/{stranger.pk}/{suffix}", form)

    assert response.status_code == 404
    stranger.refresh_from_db()
    assert (stranger.status, stranger.priority, stranger.messages.count()) == ("new", "normal", 1)


def test_a_macro_and_a_merge_from_the_case_page(client_as: Any, agent: User, admin: User, workspace: Workspace, case: Case) -> None:
    macro = services.macro_save(actor=admin, workspace=workspace, data={"name": "Escalate", "priority": "urgent", "note": "Escalated."})
    duplicate = services.case_open(actor=agent, workspace=workspace, data={"subject": "Dup", "description": "Again"})
    client = client_as(agent)

    assert "Escalate" in client.get(f"/w/acme/cases/{case.pk}/").content.decode()
    assert client.post(f"/w/acme/cases/{case.pk}/macro/", {"macro_id": macro.pk}).status_code == 302
    merged = client.post(f"/w/acme/cases/{duplicate.pk}/merge/", {"into_number": case.number.lower()})

    case.refresh_from_db()
    duplicate.refresh_from_db()
    assert case.priority == "urgent" and merged["Location"] == f"/w/acme/cases/{case.pk}/"
    assert duplicate.merged_into == case
    assert client.post(f"/w/acme/cases/{case.pk}/merge/", {"into_number": "CS-1999-9999"}).status_code == 302


def test_the_page_of_a_strangers_case_without_a_contact(client_as: Any, agent: User, workspace: Workspace) -> None:
    case = services.case_open(
        actor=None, workspace=workspace, data={"subject": "From outside", "requester_email": "ann@unknown.test", "description": "Hi"}
    )

    html = client_as(agent).get(f"/w/acme/cases/{case.pk}/").content.decode()

    assert "ann@unknown.test" in html and "Not a contact yet." in html


def test_properties_are_saved_all_or_nothing(client_as: Any, agent: User, workspace: Workspace, case: Case) -> None:
    duplicate = services.case_open(actor=agent, workspace=workspace, data={"subject": "Dup"})
    services.case_merge(actor=agent, duplicate=duplicate, into=case)
    form = {"status": "open", "priority": "urgent", "kind": "service_request", "queue_id": "", "assignee_id": ""}

    response = client_as(agent).post(f"/w/acme/cases/{duplicate.pk}/properties/", form, headers=HTMX)

    assert response.status_code == 422 and "merged into another" in response.content.decode()
    duplicate.refresh_from_db()
    assert (duplicate.status, duplicate.priority) == ("closed", "normal")


def test_the_case_page_suggests_articles_and_only_public_ones_go_into_a_reply(
    client_as: Any, agent: User, workspace: Workspace, case: Case
) -> None:
    from amity.service.kb import services as kb

    editor = member(workspace, Role.MANAGER)
    for title, visibility in [("Fixing a loose chair arm", "public"), ("Chair arm warranty checks", "internal")]:
        article = kb.article_create(
            actor=editor, workspace=workspace, data={"title": title, "body": "<p>Tighten the arm screws.</p>", "visibility": visibility}
        )
        kb.article_submit(actor=editor, article=article)
        kb.article_publish(actor=editor, article=article)

    html = client_as(agent).get(f"/w/acme/cases/{case.pk}/").content.decode()

    assert 'id="case-suggested-articles"' in html and "Fixing a loose chair arm" in html and "Chair arm warranty checks" in html
    assert html.count("data-insert-article") == 1
    assert "Tighten the arm screws." in html and "/portal/acme/help/fixing-a-loose-chair-arm/" in html


def test_an_escalated_case_says_so_beside_its_service_level(client_as: Any, agent: User, admin: User, workspace: Workspace) -> None:
    services.sla_policy_save(
        actor=admin, workspace=workspace, data={"name": "Fast", "first_response_minutes": 60, "raise_priority_on_breach": True}
    )
    case = services.case_open(actor=agent, workspace=workspace, data={"subject": "Late", "requester_email": "x@example.com"})
    page = client_as(agent).get(f"/w/acme/cases/{case.pk}/").content.decode()
    assert "data-escalated" not in page

    Case.objects.filter(pk=case.pk).update(first_response_due_at=timezone.now() - dt.timedelta(minutes=1))
    escalate_breaches(workspace=workspace, now=timezone.now())

    page = client_as(agent).get(f"/w/acme/cases/{case.pk}/").content.decode()
    assert "data-escalated" in page and "escalated" in page and "overdue" in page
