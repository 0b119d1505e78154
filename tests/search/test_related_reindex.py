"""Records whose search rows show another record's name follow it: an account's rename reaches its people and deals, in the background."""

from __future__ import annotations

from typing import Any

import pytest
from django_tasks import default_task_backend

from amity.core import search as global_search
from amity.core.models import User, Workspace
from amity.customers import services
from amity.sales import services as sales
from amity.search import services as search_services
from amity.search.models import SearchDocument
from amity.search.registry import record_types_showing
from amity.search.tasks import reindex_related

pytestmark = pytest.mark.django_db


def subtitle(object_type: str, pk: int) -> str:
    return SearchDocument.objects.get(object_type=object_type, object_id=pk).subtitle


def found(actor: User, workspace: Workspace, query: str, key: str) -> list[str]:
    groups = global_search.search(actor=actor, workspace=workspace, query=query, limit=5)
    return [result.title for group in groups if group.provider.key == key for result in group.results]


@pytest.fixture
def initech(owner: User, workspace: Workspace, django_capture_on_commit_callbacks: Any) -> dict[str, Any]:
    sales.sales_setup(workspace=workspace)
    with django_capture_on_commit_callbacks(execute=True):
        account = services.account_create(actor=owner, workspace=workspace, data={"name": "Initech"})
        peter = services.contact_create(
            actor=owner,
            workspace=workspace,
            data={
                "first_name": "Peter",
                "last_name": "Gibbons",
                "emails": [{"address": "peter@initech.test"}],
                "accounts": [{"account_id": account.pk}],
            },
        )
        deal = sales.opportunity_create(
            actor=owner, workspace=workspace, data={"name": "Office chairs", "account_id": account.pk, "currency": "EUR", "amount": "1000"}
        )
    return {"account": account, "peter": peter, "deal": deal}


def test_contacts_deals_quotes_orders_and_invoices_declare_that_they_show_account_names() -> None:
    assert {str(kind.object_type) for kind in record_types_showing("account")} == {"contact", "opportunity", "quote", "order", "invoice"}
    assert record_types_showing("contact") == []


def test_a_rename_is_queued_and_the_task_brings_people_and_deals_up_to_date(
    initech: dict[str, Any], owner: User, workspace: Workspace, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    peter, deal = initech["peter"], initech["deal"]
    assert subtitle("contact", peter.pk) == "peter@initech.test · Initech" and subtitle("opportunity", deal.pk).startswith("Initech · ")
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": ["default", "email"]}}
    default_task_backend.clear()  # type: ignore[attr-defined]

    with django_capture_on_commit_callbacks(execute=True):
        services.account_update(actor=owner, account=initech["account"], data={"name": "Initrode"})

    queued = [(result.task.name, result.kwargs) for result in default_task_backend.results]  # type: ignore[attr-defined]
    assert queued == [("reindex_related", {"object_type": "account", "ids": [initech["account"].pk]})]
    assert subtitle("account", initech["account"].pk) == "" and found(owner, workspace, "Initrode", "accounts") == ["Initrode"]
    assert subtitle("contact", peter.pk) == "peter@initech.test · Initech"  # not yet: the request did not wait for its people

    assert reindex_related.call(**queued[0][1]) == {"contact": 1, "opportunity": 1, "quote": 0, "order": 0, "invoice": 0}  # the worker
    assert subtitle("contact", peter.pk) == "peter@initech.test · Initrode"
    assert subtitle("opportunity", deal.pk).startswith("Initrode · ")
    assert found(owner, workspace, "Initrode", "contacts") == ["Peter Gibbons"]
    assert found(owner, workspace, "Initrode", "opportunities") == ["Office chairs"]


def test_other_changes_queue_nothing(initech: dict[str, Any], owner: User, settings: Any, django_capture_on_commit_callbacks: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": ["default", "email"]}}
    default_task_backend.clear()  # type: ignore[attr-defined]
    with django_capture_on_commit_callbacks(execute=True):
        services.account_update(actor=owner, account=initech["account"], data={"industry": "Software"})
        services.contact_update(actor=owner, contact=initech["peter"], data={"title": "Programmer"})
    assert default_task_backend.results == []  # type: ignore[attr-defined]


def test_moving_an_account_to_the_bin_takes_its_name_off_its_people(
    initech: dict[str, Any], owner: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):  # the tests' immediate task backend runs the task at once
        services.record_soft_delete(actor=owner, record=initech["account"])
    assert subtitle("contact", initech["peter"].pk) == "peter@initech.test"
    with django_capture_on_commit_callbacks(execute=True):
        services.record_restore(actor=owner, record=initech["account"])
    assert subtitle("contact", initech["peter"].pk) == "peter@initech.test · Initech"


def test_nothing_to_follow_writes_nothing(workspace: Workspace) -> None:
    assert search_services.index_related(object_type="account", ids=[]) == {
        "contact": 0, "opportunity": 0, "quote": 0, "order": 0, "invoice": 0,
    }  # fmt: skip
    assert search_services.index_related(object_type="contact", ids=[1, 2]) == {}


def test_an_account_import_that_renames_reaches_the_accounts_people_and_its_undo_too(
    initech: dict[str, Any], owner: User, workspace: Workspace, django_capture_on_commit_callbacks: Any
) -> None:
    from amity.imports import services as imports
    from tests.imports.conftest import run_import

    services.account_update(actor=owner, account=initech["account"], data={"domains": ["initech.test"]})
    with django_capture_on_commit_callbacks(execute=True):
        import_run = run_import(owner, workspace, "Name,Website\nInitrode,initech.test\n", kind="accounts", on_match="update")
    assert import_run.updated == 1
    assert subtitle("contact", initech["peter"].pk) == "peter@initech.test · Initrode"
    assert subtitle("opportunity", initech["deal"].pk).startswith("Initrode · ")

    with django_capture_on_commit_callbacks(execute=True):
        imports.import_undo(actor=owner, import_run=import_run)
    assert subtitle("contact", initech["peter"].pk) == "peter@initech.test · Initech"
