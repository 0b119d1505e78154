"""Cases through the services: opening, linking, assigning, moving along, replying by email, notes with mentions."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from amity.core.models import AuditEntry, Notification, User, Workspace
from amity.core.permissions import Role
from amity.customers.models import Account, Contact
from amity.service import selectors, services
from amity.service.models import Case, CaseMessage, Queue
from tests.factories import account_with, member
from tests.mail import Inbox


def test_a_new_workspace_gets_the_four_standard_kinds_and_a_support_queue(workspace: Workspace, agent: User) -> None:
    kinds = list(selectors.case_kinds(actor=agent, workspace=workspace).values_list("key", "is_return"))

    assert kinds == [("service_request", False), ("complaint", False), ("product_return", True), ("information_request", False)]
    assert list(Queue.objects.filter(workspace=workspace).values_list("name", "is_default")) == [("Support", True)]


def test_opening_a_case_numbers_it_links_the_customers_account_and_puts_it_in_the_default_queue(
    case: Case, customer_account: Account, workspace: Workspace
) -> None:
    assert case.number.startswith("CS-") and case.number.endswith("-0001")
    assert case.account == customer_account
    assert case.queue is not None and case.queue.is_default
    assert case.status == Case.Status.NEW and case.rma_number is None
    [first] = case.messages.all()
    assert (first.kind, first.body, first.contact) == ("customer", "<p>It wobbles.</p>", case.contact)
    assert len(case.reply_token) == 8
    assert case.subject_tag == f"[{case.number} #{case.reply_token}]"
    entry = AuditEntry.objects.get(workspace=workspace, object_type="service.case", action="create")
    assert entry.changes["subject"] == [None, "Chair arm came loose"]


def test_a_return_gets_an_rma_number_and_the_order_lines_product(
    agent: User, workspace: Workspace, customer: Contact, customer_account: Account
) -> None:
    from amity.catalog.models import Product
    from amity.orders.models import SalesOrder, SalesOrderLine

    chair = Product.objects.create(workspace=workspace, sku="CH-1", name="Chair", currency="EUR", list_price="100")
    order = SalesOrder.objects.create(workspace=workspace, number="SO-2026-0001", account=customer_account, currency="EUR")
    line = SalesOrderLine.objects.create(
        workspace=workspace,
        order=order,
        product=chair,
        name="Chair",
        quantity=2,
        unit_price=100,
        net_amount=200,
        tax_amount=0,
        total_amount=200,
    )

    case = services.case_open(
        actor=agent,
        workspace=workspace,
        data={"subject": "Wrong colour", "kind": "product_return", "contact_id": customer.pk, "order_line_id": line.pk},
    )

    assert case.rma_number is not None and case.rma_number.startswith("RMA-")
    assert (case.order, case.product, case.account) == (order, chair, customer_account)


def test_bad_input_names_every_field_and_writes_nothing(agent: User, workspace: Workspace, other_workspace: Workspace) -> None:
    stranger = account_with(other_workspace, "Elsewhere")

    with pytest.raises(ValidationError) as raised:
        services.case_open(
            actor=agent,
            workspace=workspace,
            data={"subject": "x", "kind": "nonsense", "priority": "whenever", "account_id": stranger.pk, "assignee_id": 999999},
        )

    assert set(raised.value.message_dict) == {"kind", "priority", "account_id", "assignee_id"}
    assert "in this workspace" in raised.value.message_dict["account_id"][0]
    assert not Case.objects.exists()


def test_an_order_line_of_another_order_is_refused(agent: User, case: Case, workspace: Workspace, customer_account: Account) -> None:
    from amity.orders.models import SalesOrder, SalesOrderLine

    first = SalesOrder.objects.create(workspace=workspace, number="SO-1", account=customer_account, currency="EUR")
    second = SalesOrder.objects.create(workspace=workspace, number="SO-2", account=customer_account, currency="EUR")
    line = SalesOrderLine.objects.create(
        workspace=workspace, order=second, name="Desk", quantity=1, unit_price=1, net_amount=1, tax_amount=0, total_amount=1
    )

    with pytest.raises(ValidationError) as raised:
        services.case_update(actor=agent, case=case, data={"order_id": first.pk, "order_line_id": line.pk})

    assert "SO-2" in raised.value.message_dict["order_line_id"][0]
    case.refresh_from_db()
    assert case.order_id is None


def test_assigning_a_case_tells_the_assignee_and_is_audited(case: Case, agent: User, workspace: Workspace) -> None:
    colleague = member(workspace, Role.SUPPORT, email="kim@acme.test")

    services.case_update(actor=agent, case=case, data={"assignee_id": colleague.pk, "priority": "urgent"})

    case.refresh_from_db()
    assert case.assignee == colleague and case.priority_rank == 1
    [notification] = Notification.objects.filter(recipient=colleague)
    assert notification.kind == "case_assigned" and case.number in notification.title
    update = AuditEntry.objects.get(object_type="service.case", action="update")
    assert update.changes["assignee"] == [None, colleague.pk]
    assert update.changes["priority"] == ["normal", "urgent"]


def test_resolving_stamps_the_time_and_reopening_clears_it(case: Case, agent: User) -> None:
    services.case_change_status(actor=agent, case=case, status="resolved")
    case.refresh_from_db()
    assert case.resolved_at is not None and case.closed_at is None

    services.case_change_status(actor=agent, case=case, status="open")
    case.refresh_from_db()
    assert case.resolved_at is None


def test_a_reply_is_emailed_threaded_and_stamps_the_first_response(case: Case, agent: User, smtp_server: Inbox, run_on_commit: Any) -> None:
    services.case_customer_message(
        case=case, body="Any news?", channel="email", from_address="peter@initech.test", message_id="<abc@initech.test>"
    )

    with run_on_commit():
        reply = services.case_reply(actor=agent, case=case, body="<p>A new arm is <b>on its way</b>.</p><script>x()</script>")

    case.refresh_from_db()
    assert case.status == Case.Status.WAITING_CUSTOMER and case.first_response_at == reply.occurred_at
    assert "<script>" not in reply.body
    [email] = smtp_server.parsed()
    assert email["To"] == "peter@initech.test"
    assert case.subject_tag in email["Subject"]
    assert email["In-Reply-To"] == "<abc@initech.test>"
    assert email["Message-ID"] == reply.message_id
    assert "<abc@initech.test>" in email["References"]
    assert "on its way" in email.get_body(preferencelist=("plain",)).get_content()
    reply.refresh_from_db()
    assert reply.sent_at is not None


def test_a_reply_is_sent_only_once_even_if_the_task_runs_again(case: Case, agent: User, smtp_server: Inbox, run_on_commit: Any) -> None:
    from amity.service.tasks import send_case_reply

    with run_on_commit():
        reply = services.case_reply(actor=agent, case=case, body="Done.")
    send_case_reply.call(message_id=reply.pk)

    assert len(smtp_server.messages) == 1


def test_a_case_without_any_customer_email_cannot_be_answered(agent: User, workspace: Workspace) -> None:
    case = services.case_open(actor=agent, workspace=workspace, data={"subject": "Anonymous call"})

    with pytest.raises(ValidationError) as raised:
        services.case_reply(actor=agent, case=case, body="Hello")

    assert "no customer email" in raised.value.message_dict["body"][0]
    assert not CaseMessage.objects.exists()


def test_a_note_notifies_whom_it_mentions_and_is_never_emailed(
    case: Case, agent: User, workspace: Workspace, smtp_server: Inbox, run_on_commit: Any
) -> None:
    manager = member(workspace, Role.MANAGER, email="mia@acme.test")

    with run_on_commit():
        note = services.case_note(actor=agent, case=case, body="@mia@acme.test can we refund this?")

    assert list(note.mentions.all()) == [manager]
    assert Notification.objects.get(recipient=manager).kind == "mention"
    assert smtp_server.messages == []


def test_the_customer_writing_again_reopens_a_resolved_case(case: Case, agent: User) -> None:
    services.case_change_status(actor=agent, case=case, status="resolved")

    services.case_customer_message(case=case, body="Still broken.", channel="email", from_address="peter@initech.test")

    case.refresh_from_db()
    assert case.status == Case.Status.OPEN and case.resolved_at is None


def test_a_viewer_reads_cases_but_cannot_answer_them(case: Case, workspace: Workspace) -> None:
    viewer = member(workspace, Role.VIEWER, email="vic@acme.test")

    assert selectors.case_get(actor=viewer, workspace=workspace, pk=case.pk) == case
    with pytest.raises(PermissionDenied):
        services.case_note(actor=viewer, case=case, body="hi")
    assert list(CaseMessage.objects.values_list("kind", flat=True)) == ["customer"]  # the description, nothing more


def test_the_queue_counts_open_cases_by_queue_mine_and_unassigned(case: Case, agent: User, workspace: Workspace) -> None:
    services.case_open(actor=agent, workspace=workspace, data={"subject": "Mine", "assignee_id": agent.pk})
    closed = services.case_open(actor=agent, workspace=workspace, data={"subject": "Done"})
    services.case_change_status(actor=agent, case=closed, status="closed")
    returns = Queue.objects.create(workspace=workspace, name="Returns")
    colleague = member(workspace, Role.SUPPORT, email="kim@acme.test")
    for subject, assignee in [("Theirs", colleague), ("Also mine", agent), ("Nobody's", None)]:
        data = {"subject": subject, "queue_id": returns.pk, "assignee_id": assignee.pk if assignee else None}
        services.case_open(actor=agent, workspace=workspace, data=data)

    counts = selectors.queue_counts(actor=agent, workspace=workspace)

    assert (counts["everything"], counts["mine"], counts["unassigned"]) == (5, 2, 2)
    assert counts["by_queue"] == {case.queue_id: 2, returns.pk: 3}


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's planner: PostgreSQL proves the same by itself")
def test_the_open_queue_walks_an_open_cases_index_in_order(agent: User, workspace: Workspace) -> None:
    """`is_open=True` as Django writes it (a bare column) made SQLite sort every open case for each page."""
    cases = selectors.case_list(actor=agent, workspace=workspace, filters=selectors.CaseFilter(status=selectors.OPEN_ANY))
    sql, params = cases.select_related(None).order_by("-updated_at", "-id").values_list("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())

    assert "case_open_" in plan and "TEMP B-TREE" not in plan
