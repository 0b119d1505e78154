"""Quotes, orders and invoices in global search: found by number and customer, status and total in the subtitle, kept current."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks import default_task_backend

from amity.core import search as global_search
from amity.core.models import User, Workspace
from amity.core.permissions import Role
from amity.customers import services as customers
from amity.orders import services as orders
from amity.orders.models import Invoice, SalesOrder
from amity.sales import services
from amity.sales.models import Quote
from amity.search import services as search
from amity.search.models import SearchDocument
from amity.search.tasks import reindex_related
from tests.factories import member

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year


def found(actor: User, workspace: Workspace, query: str) -> dict[str, list[tuple[str, str]]]:
    """Each result group's (title, subtitle) pairs for a query."""
    groups = global_search.search(actor=actor, workspace=workspace, query=query)
    return {group.provider.key: [(result.title, result.subtitle) for result in group.results] for group in groups}


def test_quotes_orders_and_invoices_are_found_by_number_and_customer_and_follow_their_status(
    rep: User, manager: User, workspace: Workspace, sent_quote: Quote, django_capture_on_commit_callbacks: Any
) -> None:
    total = f"{sent_quote.total_amount} EUR"
    assert found(rep, workspace, f"Q-{YEAR}-0001")["quotes"] == [(f"Q-{YEAR}-0001", f"Initech · Sent · {total}")]

    with django_capture_on_commit_callbacks(execute=True):
        services.quote_accept(token=sent_quote.public_token or "", name="Peter Gibbons")
    order = SalesOrder.objects.get(quote=sent_quote)
    with django_capture_on_commit_callbacks(execute=True):
        invoice = orders.invoice_create(actor=manager, order=order)
    with django_capture_on_commit_callbacks(execute=True):
        orders.payment_record(actor=manager, invoice=invoice, amount="100.00")

    results = found(rep, workspace, "initech")
    assert results["quotes"] == [(f"Q-{YEAR}-0001", f"Initech · Accepted · {total}")]
    assert results["orders"] == [(f"SO-{YEAR}-0001", f"Initech · Open · {total}")]
    assert results["invoices"] == [(f"INV-{YEAR}-0001", f"Initech · Partially paid · {invoice.total_amount} EUR")]
    assert found(rep, workspace, f"INV-{YEAR}")["invoices"] == [(f"INV-{YEAR}-0001", f"Initech · Partially paid · {total}")]
    assert found(rep, workspace, "peter gibbons").keys() >= {"quotes", "orders", "invoices"}  # the contact they went to


def test_renaming_the_account_reindexes_its_quotes_orders_and_invoices_in_the_background(
    rep: User, manager: User, workspace: Workspace, sent_quote: Quote, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        services.quote_accept(token=sent_quote.public_token or "", name="Peter Gibbons")
    with django_capture_on_commit_callbacks(execute=True):
        orders.invoice_create(actor=manager, order=SalesOrder.objects.get(quote=sent_quote))
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": ["default", "email"]}}
    default_task_backend.clear()  # type: ignore[attr-defined]

    with django_capture_on_commit_callbacks(execute=True):
        customers.account_update(actor=manager, account=sent_quote.account, data={"name": "Initrode"})
    queued = [result.kwargs for result in default_task_backend.results]  # type: ignore[attr-defined]
    assert queued == [{"object_type": "account", "ids": [sent_quote.account_id]}]  # after the commit, not in the request
    assert reindex_related.call(**queued[0]) == {"contact": 1, "opportunity": 1, "quote": 1, "order": 1, "invoice": 1}

    renamed = found(rep, workspace, "initrode")
    assert [title for title, _ in renamed["quotes"]] == [f"Q-{YEAR}-0001"]
    assert [title for title, _ in renamed["orders"]] == [f"SO-{YEAR}-0001"]
    assert [title for title, _ in renamed["invoices"]] == [f"INV-{YEAR}-0001"]
    assert all(renamed[key][0][1].startswith("Initrode · ") for key in ("quotes", "orders", "invoices"))
    old_name = found(rep, workspace, "initech")
    assert set(old_name) & {"orders", "invoices"} == set()
    assert [subtitle for _, subtitle in old_name["quotes"]] == [renamed["quotes"][0][1]]  # by its title, "Initech office"


def test_a_revised_quote_is_found_as_its_new_version_and_a_deleted_draft_drops_out(
    rep: User, manager: User, workspace: Workspace, sent_quote: Quote, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        revision = services.quote_revise(actor=rep, quote=sent_quote)

    assert [title for title, _ in found(rep, workspace, f"Q-{YEAR}-0001")["quotes"]] == [f"Q-{YEAR}-0001 v2"]

    with django_capture_on_commit_callbacks(execute=True):
        services.quote_delete(actor=manager, quote=revision)

    assert found(rep, workspace, f"Q-{YEAR}-0001")["quotes"] == [(f"Q-{YEAR}-0001", f"Initech · Sent · {sent_quote.total_amount} EUR")]
    assert not SearchDocument.objects.filter(object_type="quote", object_id=revision.pk).exists()


def test_billing_results_are_only_shown_to_roles_that_may_see_them(
    workspace: Workspace, sent_quote: Quote, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        services.quote_accept(token=sent_quote.public_token or "", name="Peter Gibbons")
    marketing = member(workspace, Role.MARKETING, email="mark@acme.test")
    supply = member(workspace, Role.SUPPLY, email="sam@acme.test")

    assert set(found(marketing, workspace, "initech")) & {"quotes", "orders", "invoices"} == {"quotes"}
    assert set(found(supply, workspace, "initech")) & {"quotes", "orders", "invoices"} == {"orders"}


def test_the_search_index_is_rebuilt_with_the_billing_documents(workspace: Workspace, sent_quote: Quote) -> None:
    services.quote_accept(token=sent_quote.public_token or "", name="Peter Gibbons")  # no commit: nothing indexed yet

    counts = search.reindex_workspace(workspace=workspace, object_types=["quote", "order", "invoice"])

    assert counts == {"quote": 1, "order": 1, "invoice": 0}


def test_a_search_costs_the_same_queries_with_one_or_many_quotes_orders_and_invoices(
    rep: User, manager: User, workspace: Workspace, sent_quote: Quote, django_capture_on_commit_callbacks: Any
) -> None:
    def count(query: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            global_search.search(actor=rep, workspace=workspace, query=query)
        return len(captured.captured_queries)

    def bill(quote: Quote) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            services.quote_accept(token=quote.public_token or "", name="Peter Gibbons")
            orders.invoice_create(actor=manager, order=SalesOrder.objects.get(quote=quote))

    bill(sent_quote)
    count("initech")  # warm the membership cache
    few = {query: count(query) for query in ["initech", f"INV-{YEAR}", "inittech"]}
    for _ in range(12):
        with django_capture_on_commit_callbacks(execute=True):
            quote = services.quote_create_from_opportunity(actor=rep, opportunity=sent_quote.opportunity)  # type: ignore[arg-type]
            quote = services.quote_send(actor=rep, quote=quote, to="peter@initech.test")
        bill(quote)
    assert Invoice.objects.filter(workspace=workspace).count() == 13

    many = {query: count(query) for query in few}
    assert all(many[query] <= few[query] for query in few), (few, many)
