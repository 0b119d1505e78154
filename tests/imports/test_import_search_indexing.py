"""Search indexing after an import: the batches write only the records, a task of its own indexes them for search with
its own progress, resumes after a crash, and never brings back into search what an undo took out."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.test import Client

from amity.core.models import AuditEntry, TaskFailure, User, Workspace
from amity.customers import selectors
from amity.customers.models import Account, Contact
from amity.imports import services
from amity.imports.models import Import
from amity.search.models import SearchDocument
from tests.imports.conftest import run_import

pytestmark = pytest.mark.django_db

PEOPLE = (
    "First name,Last name,Email,Company,Tags\n"
    "Ada,Lovelace,ada@example.com,Analytical Engines,vip\n"
    "Grace,Hopper,grace@example.com,,vip\n"
    "Alan,Turing,alan@example.com,Analytical Engines,\n"
)
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def _found(api: Any, query: str) -> list[str]:
    groups = api.get("/api/v1/search", {"q": query, "types": "contacts,accounts"}).json()["groups"]
    return sorted(result["title"] for group in groups for result in group["results"])


def _page(user: User, import_run: Import) -> str:
    client = Client()
    client.force_login(user)
    return client.get(f"/w/{import_run.workspace.slug}/imports/{import_run.pk}/").content.decode()


def _documents(workspace: Workspace) -> list[tuple[str, str]]:
    return sorted(SearchDocument.objects.filter(workspace=workspace).values_list("object_type", "title"))


def test_an_import_writes_its_records_and_a_task_after_it_indexes_them_for_search(owner: User, workspace: Workspace, api_as: Any) -> None:
    api = api_as(owner, workspace)

    import_run = run_import(owner, workspace, PEOPLE, index=False)

    assert (import_run.status, import_run.created, import_run.search_status) == ("done", 3, "pending")
    assert (import_run.search_total, import_run.search_indexed, import_run.resumable) == (4, 0, False)  # 3 contacts, 1 account
    assert _documents(workspace) == []
    tagged = selectors.contact_list(actor=owner, workspace=workspace, filters=selectors.CustomerFilter(tag="vip"))
    assert sorted(contact.first_name for contact in tagged) == ["Ada", "Grace"]  # lists and filters find them at once
    body = api.get(f"/api/v1/imports/{import_run.pk}").json()
    assert (body["status"], body["search_status"], body["search_total"], body["search_indexed"], body["search_progress"]) == (
        "done",
        "pending",
        4,
        0,
        0.0,
    )
    page = _page(owner, import_run)
    assert "Indexing for search: 0 of 4 records" in page
    assert 'hx-trigger="every 1s"' in page  # the page follows the indexing as it followed the import
    assert _found(api, "lovelace") == []

    indexed = services.import_index_for_search(import_id=import_run.pk)

    assert (indexed.search_status, indexed.search_indexed, indexed.search_progress) == ("done", 4, 1.0)
    assert _documents(workspace) == [
        ("account", "Analytical Engines"),
        ("contact", "Ada Lovelace"),
        ("contact", "Alan Turing"),
        ("contact", "Grace Hopper"),
    ]
    assert _found(api, "lovelace") == ["Ada Lovelace"]
    assert _found(api, "analytical") == ["Ada Lovelace", "Alan Turing", "Analytical Engines"]
    page = _page(owner, import_run)
    assert "Indexing for search" not in page and 'hx-trigger="every 1s"' not in page
    assert services.import_index_for_search(import_id=import_run.pk).search_indexed == 4  # again: nothing more to do


def test_the_finished_import_queues_its_indexing_and_an_update_import_reindexes_what_it_changed(
    owner: User, workspace: Workspace, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        first = run_import(owner, workspace, PEOPLE, index=False)
    assert Import.objects.get(pk=first.pk).search_status == "done"  # the task ran (immediately, in tests) once it was queued
    ada = Contact.objects.get(primary_email="ada@example.com")

    update = run_import(owner, workspace, "Email,First name\nada@example.com,Augusta\n", on_match="update", index=False)

    assert (update.updated, update.search_status, update.search_total) == (1, "pending", 1)
    assert SearchDocument.objects.get(object_type="contact", object_id=ada.pk).title == "Ada Lovelace"  # until it is indexed
    services.import_index_for_search(import_id=update.pk)
    assert SearchDocument.objects.get(object_type="contact", object_id=ada.pk).title == "Augusta Lovelace"


def test_a_dry_run_and_a_lead_import_have_nothing_to_index_afterwards(owner: User, workspace: Workspace) -> None:
    dry = run_import(owner, workspace, PEOPLE, dry_run=True, index=False)
    leads = run_import(owner, workspace, "First name,Last name,Email\nLinus,Lead,linus@example.com\n", kind="leads", index=False)

    assert (dry.search_status, dry.search_total) == ("", 0)
    assert (leads.created, leads.search_status) == (1, "")  # leads are indexed with their batch, as before
    assert list(SearchDocument.objects.values_list("object_type", flat=True)) == ["lead"]


def test_undo_before_the_indexing_leaves_nothing_in_search_and_the_indexing_then_adds_nothing(owner: User, workspace: Workspace) -> None:
    import_run = run_import(owner, workspace, PEOPLE, index=False)

    services.import_undo(actor=owner, import_run=import_run)
    after = services.import_index_for_search(import_id=import_run.pk)

    assert (after.status, after.search_status, after.search_indexed) == ("undone", "done", 0)
    assert _documents(workspace) == []
    assert Contact.objects.filter(deleted_at__isnull=False).count() == 3


def test_undo_after_the_indexing_takes_the_records_out_of_search_and_puts_updated_ones_back(
    owner: User, workspace: Workspace, api_as: Any
) -> None:
    api = api_as(owner, workspace)
    created = run_import(owner, workspace, PEOPLE)
    assert _found(api, "lovelace") == ["Ada Lovelace"]
    update = run_import(owner, workspace, "Email,Last name\nada@example.com,King\n", on_match="update")
    assert _found(api, "king") == ["Ada King"]

    services.import_undo(actor=owner, import_run=update)
    assert (_found(api, "king"), _found(api, "lovelace")) == ([], ["Ada Lovelace"])
    services.import_undo(actor=owner, import_run=created)

    assert _documents(workspace) == []
    assert not Account.objects.filter(deleted_at__isnull=True).exists()


def _start(owner: User, workspace: Workspace, rows: int) -> Import:
    content = "Email\n" + "".join(f"p{n}@example.com\n" for n in range(rows))
    import_run = services.import_create(
        actor=owner, workspace=workspace, kind="contacts", file=ContentFile(content.encode()), file_name="p.csv", start=False
    )
    Import.objects.filter(pk=import_run.pk).update(batch_size=10)
    return services.import_start(actor=owner, import_run=Import.objects.get(pk=import_run.pk))


def _work() -> None:
    call_command("db_worker", batch=True, queue_name="*", reload=False, startup_delay=False, verbosity=0)


def test_a_crash_while_indexing_resumes_after_the_last_batch_indexed(
    owner: User, workspace: Workspace, settings: Any, transactional_db: Any, monkeypatch: Any
) -> None:
    settings.TASKS = DB_TASKS
    settings.TASK_RETRY_BASE_SECONDS = 0
    real_index = services.index_records
    indexed: list[list[int]] = []

    def crash_once_on_the_second_batch(*, object_type: str, ids: list[int]) -> int:
        if len(indexed) == 1 and not TaskFailure.objects.exists():
            raise ConnectionError("the database went away")
        indexed.append(list(ids))
        return real_index(object_type=object_type, ids=ids)

    monkeypatch.setattr(services, "index_records", crash_once_on_the_second_batch)
    import_run = _start(owner, workspace, 25)
    _work()

    finished = Import.objects.get(pk=import_run.pk)
    assert (finished.status, finished.created, finished.search_status, finished.search_indexed) == ("done", 25, "done", 25)
    assert [len(ids) for ids in indexed] == [10, 10, 5]  # the first batch was not indexed twice
    assert sorted(pk for ids in indexed for pk in ids) == sorted(Contact.objects.values_list("pk", flat=True))
    assert SearchDocument.objects.filter(object_type="contact").count() == 25
    assert TaskFailure.objects.get().task_name == "amity.imports.tasks.index_import_for_search"


def test_indexing_that_fails_every_retry_is_shown_and_resumed_on_request(
    owner: User, workspace: Workspace, settings: Any, transactional_db: Any, monkeypatch: Any, api_as: Any
) -> None:
    settings.TASKS = DB_TASKS
    settings.TASK_RETRY_BASE_SECONDS = 0
    real_index = services.index_records
    calls: list[int] = []

    def fail_after_the_first_batch(*, object_type: str, ids: list[int]) -> int:
        calls.append(len(ids))
        if len(calls) > 1:
            raise ConnectionError("the database went away")
        return real_index(object_type=object_type, ids=ids)

    monkeypatch.setattr(services, "index_records", fail_after_the_first_batch)
    import_run = _start(owner, workspace, 25)
    _work()

    stopped = Import.objects.get(pk=import_run.pk)
    assert (stopped.status, stopped.search_status, stopped.search_indexed, stopped.resumable) == ("done", "failed", 10, True)
    assert TaskFailure.objects.count() == 3
    assert "Indexing for search stopped after 10 of 25 records" in _page(owner, stopped)
    api = api_as(owner, workspace)
    assert api.get(f"/api/v1/imports/{import_run.pk}").json()["resumable"] is True

    monkeypatch.setattr(services, "index_records", real_index)
    response = api.post(f"/api/v1/imports/{import_run.pk}/resume")
    assert response.status_code == 200, response.content
    _work()

    finished = Import.objects.get(pk=import_run.pk)
    assert (finished.status, finished.processed, finished.search_status, finished.search_indexed) == ("done", 25, "done", 25)
    assert SearchDocument.objects.filter(object_type="contact").count() == 25
    entries = AuditEntry.objects.filter(object_type="imports.import", object_id=str(import_run.pk)).values_list("changes", flat=True)
    assert [changes["search_status"] for changes in entries if "search_status" in changes] == [["failed", "pending"]]
    assert api.post(f"/api/v1/imports/{import_run.pk}/resume").status_code == 422
