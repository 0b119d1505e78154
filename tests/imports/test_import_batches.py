"""The batch path of imports: set-based updates and their undo, rows that must not half-write, duplicates inside a file,
the search index written with the batch, and an import whose task runs out of retries."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command

from amity.core.models import AuditEntry, FieldDefinition, TaskFailure, User, Workspace
from amity.customers.models import Account, AccountContact, Contact, ContactEmail, ContactPhone, Tag
from amity.imports import services
from amity.imports.models import Import, ImportRowError
from amity.search.models import SearchDocument
from tests.imports.conftest import run_import

pytestmark = pytest.mark.django_db


def _errors(import_run: Import) -> list[tuple[int, str, str]]:
    return list(ImportRowError.objects.filter(import_run=import_run).order_by("row", "id").values_list("row", "field", "message"))


def _contact_state(contact: Contact) -> dict[str, Any]:
    contact.refresh_from_db()
    return {
        "fields": (contact.first_name, contact.last_name, contact.title, contact.primary_email, contact.primary_phone, contact.custom),
        "emails": list(contact.emails.order_by("pk").values_list("address", "is_primary")),
        "phones": list(contact.phones.order_by("pk").values_list("number", "kind", "is_primary")),
        "tags": sorted(contact.tags.values_list("name", flat=True)),
        "accounts": sorted(contact.account_contacts.values_list("account__name", "role", "title")),
        "deleted": contact.deleted_at is not None,
    }


def test_an_update_import_changes_many_records_at_once_and_its_undo_puts_every_one_back(owner: User, workspace: Workspace) -> None:
    FieldDefinition.objects.create(
        workspace=workspace, object_type="contact", key="tier", label="Tier", type="choice", options=["gold", "silver"]
    )
    first = run_import(
        owner,
        workspace,
        "First name,Last name,Email,Phone,Company,Tags,Tier,External ID\n"
        "Ada,Lovelace,ada@example.com,+44 20 7946 0958,Engines,old,gold,c-1\n"
        "Grace,Hopper,grace@example.com,,Navy,,silver,c-2\n"
        "Alan,Turing,alan@example.com,(202) 555-0143,,keep,,c-3\n",
    )
    ada, grace, alan = (Contact.objects.get(external_id=key) for key in ("c-1", "c-2", "c-3"))
    AccountContact.objects.filter(contact=grace).update(role="Admiral", title="Rear admiral")
    Contact.objects.filter(pk=grace.pk).update(deleted_at=first.finished_at)  # in the bin: an update brings it back
    before = {contact.pk: _contact_state(contact) for contact in (ada, grace, alan)}

    import_run = run_import(
        owner,
        workspace,
        "First name,Title,Email,Phone,Company,Tags,Tier,External ID\n"
        "Augusta,Countess,ADA.KING@example.com,+1 202 555 0199,Analytical Engines,new;VIP,silver,c-1\n"
        "Grace,,grace@example.com,,Harvard,,,c-2\n"
        "Alan,,,,,,,c-3\n",
        on_match="update",
    )

    assert (import_run.status, import_run.updated, import_run.created, import_run.failed) == ("done", 3, 0, 0), import_run.message
    assert _contact_state(ada) == {
        "fields": ("Augusta", "Lovelace", "Countess", "ada.king@example.com", "+12025550199", {"tier": "silver"}),
        "emails": [("ada.king@example.com", True)],
        "phones": [("+12025550199", "work", True)],
        "tags": ["VIP", "new"],
        "accounts": [("Analytical Engines", "", ""), ("Engines", "", "")],
        "deleted": False,
    }
    assert _contact_state(grace)["accounts"] == [("Harvard", "", ""), ("Navy", "Admiral", "Rear admiral")]
    assert _contact_state(grace)["deleted"] is False
    assert _contact_state(alan) == before[alan.pk]  # nothing in the row changes Alan
    entry = AuditEntry.objects.filter(object_type="imports.import", action="update").order_by("-pk").first()
    assert entry is not None
    assert entry.changes["updated"][str(ada.pk)]["first_name"] == ["Ada", "Augusta"]
    assert entry.changes["updated"][str(ada.pk)]["tags"] == [["old"], ["VIP", "new"]]
    assert entry.changes["updated"][str(alan.pk)] == {}
    ada_document = SearchDocument.objects.get(object_type="contact", object_id=ada.pk)
    assert ada_document.title == "Augusta Lovelace" and "ada.king@example.com" in ada_document.text

    services.import_undo(actor=owner, import_run=import_run)

    after_undo = {contact.pk: _contact_state(contact) for contact in (ada, grace, alan)}
    assert after_undo[ada.pk] == before[ada.pk]
    assert after_undo[alan.pk] == before[alan.pk]
    assert after_undo[grace.pk] == before[grace.pk]  # back in the bin, its link's role and title kept


def test_undo_restores_the_updated_records_still_there_and_passes_over_one_deleted_for_good(
    owner: User, workspace: Workspace, django_capture_on_commit_callbacks: Any
) -> None:
    run_import(
        owner,
        workspace,
        "Name,Email,Phone,Tags,ID\nAda Lovelace,ada@example.com,(202) 555-0143,old,c-1\nAlan Turing,alan@example.com,,,c-2\n",
    )
    ada, alan = Contact.objects.get(external_id="c-1"), Contact.objects.get(external_id="c-2")
    before = _contact_state(ada)
    import_run = run_import(
        owner,
        workspace,
        "Name,Email,Phone,Tags,ID\nAugusta King,ada.king@example.com,,new;vip,c-1\nAlan Mathison,alan.m@example.com,+44 20 7946 0958,x,c-2\n",
        on_match="update",
    )
    assert import_run.updated == 2, import_run.message
    Contact.objects.filter(pk=alan.pk).delete()  # erased for good after the import

    with django_capture_on_commit_callbacks(execute=True):
        services.import_undo(actor=owner, import_run=import_run)

    assert _contact_state(ada) == before
    assert not Contact.objects.filter(pk=alan.pk).exists()
    assert not ContactEmail.objects.filter(contact_id=alan.pk).exists()
    entry = AuditEntry.objects.get(object_type="imports.import", action="delete")
    assert (entry.changes["binned"], entry.changes["restored"]) == (0, 1)
    document = SearchDocument.objects.get(object_type="contact", object_id=ada.pk)
    assert document.title == "Ada Lovelace"


def test_accounts_are_updated_set_based_with_their_domains(owner: User, workspace: Workspace) -> None:
    run_import(owner, workspace, "Name,Website,Industry\nAcme,acme.com,Rockets\nGlobex,globex.com,Energy\n", kind="accounts")

    import_run = run_import(
        owner,
        workspace,
        "Name,Website,Industry\nAcme Corp,acme.com;acme.io,\nGlobex,globex.com,Utilities\n",
        kind="accounts",
        on_match="update",
    )

    assert (import_run.updated, import_run.failed) == (2, 0), import_run.message
    acme = Account.objects.get(name="Acme Corp")
    assert (acme.industry, sorted(acme.domains.values_list("domain", flat=True))) == ("Rockets", ["acme.com", "acme.io"])
    assert Account.objects.get(name="Globex").industry == "Utilities"
    services.import_undo(actor=owner, import_run=import_run)
    acme.refresh_from_db()
    assert (acme.name, sorted(acme.domains.values_list("domain", flat=True))) == ("Acme", ["acme.com"])


def test_a_bad_row_writes_nothing_at_all(owner: User, workspace: Workspace) -> None:
    FieldDefinition.objects.create(workspace=workspace, object_type="account", key="region", label="Region", type="text", required=True)

    import_run = run_import(
        owner,
        workspace,
        "Name,Email,Phone,Company,Tags\nPhone Bad,bad.phone@example.com,12,,vip\nNo Company,nocompany@example.com,,Initech,vip\nGood,good@example.com,,,vip\n",
    )

    assert (import_run.created, import_run.failed) == (1, 2)
    assert _errors(import_run) == [
        (2, "Phone", "This is not a valid phone number."),
        (3, "Company", "The account Initech cannot be created: Region is required."),
    ]
    assert list(Contact.objects.values_list("primary_email", flat=True)) == ["good@example.com"]
    assert ContactEmail.objects.count() == 1 and ContactPhone.objects.count() == 0
    assert not Account.objects.exists()
    assert list(SearchDocument.objects.values_list("title", flat=True)) == ["Good"]
    assert list(Tag.objects.values_list("name", flat=True)) == ["vip"]


def test_duplicates_inside_one_file_are_refused_as_if_each_row_were_saved_before_the_next(owner: User, workspace: Workspace) -> None:
    FieldDefinition.objects.create(workspace=workspace, object_type="contact", key="badge", label="Badge", type="text", unique=True)

    import_run = run_import(
        owner,
        workspace,
        "Name,Email,External ID,Badge\nOne,one@example.com,x-1,b-1\nTwo,two@example.com,x-1,b-2\nThree,three@example.com,x-3,b-1\n",
        on_match="create",
    )

    assert (import_run.created, import_run.failed) == (1, 2)
    assert _errors(import_run) == [
        (3, "External ID", "Another contact already has the external id 'x-1'."),
        (4, "Badge", "Another record already has this Badge."),
    ]


def test_the_search_index_finds_imported_contacts_by_name_email_phone_and_company(owner: User, workspace: Workspace) -> None:
    run_import(owner, workspace, "Name,Email,Phone,Company\nAda Lovelace,Ada@Example.com,(202) 555-0143,Analytical Engines\n")

    contact = Contact.objects.get()
    document = SearchDocument.objects.get(object_type="contact", object_id=contact.pk)
    account = Account.objects.get()

    assert (document.title, document.subtitle, document.owner_id) == ("Ada Lovelace", "ada@example.com · Analytical Engines", owner.pk)
    assert document.text.split() == ["ada", "lovelace", "ada@example.com", "analytical", "engines", "§phones", "12025550143", "2025550143"]
    assert SearchDocument.objects.filter(object_type="account", object_id=account.pk, title="Analytical Engines").exists()


DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def test_an_import_whose_task_runs_out_of_retries_ends_failed_and_can_be_resumed(
    owner: User, workspace: Workspace, settings: Any, transactional_db: Any, monkeypatch: Any, api_as: Any
) -> None:
    settings.TASKS = DB_TASKS
    settings.TASK_RETRY_BASE_SECONDS = 0
    from django.core.files.base import ContentFile

    content = "Email\n" + "".join(f"p{n}@example.com\n" for n in range(25))
    import_run = services.import_create(
        actor=owner, workspace=workspace, kind="contacts", file=ContentFile(content.encode()), file_name="p.csv", start=False
    )
    Import.objects.filter(pk=import_run.pk).update(batch_size=10)
    real_commit = services._commit_batch

    def crash_after_the_first_batch(import_run: Import, number: int, *args: Any) -> None:
        if number >= 1:
            raise ConnectionError("the database went away")
        real_commit(import_run, number, *args)

    monkeypatch.setattr(services, "_commit_batch", crash_after_the_first_batch)
    services.import_start(actor=owner, import_run=Import.objects.get(pk=import_run.pk))
    call_command("db_worker", batch=True, queue_name="*", reload=False, startup_delay=False, verbosity=0)

    stopped = Import.objects.get(pk=import_run.pk)
    assert (stopped.status, stopped.processed, stopped.resumable) == ("failed", 10, True)
    assert (
        stopped.message.startswith("Stopped by an error after every retry") and "ConnectionError: the database went away" in stopped.message
    )
    assert TaskFailure.objects.count() == 3
    api = api_as(owner, workspace)
    assert api.get(f"/api/v1/imports/{import_run.pk}").json()["resumable"] is True

    monkeypatch.setattr(services, "_commit_batch", real_commit)
    response = api.post(f"/api/v1/imports/{import_run.pk}/resume")
    assert response.status_code == 200, response.content
    call_command("db_worker", batch=True, queue_name="*", reload=False, startup_delay=False, verbosity=0)

    finished = Import.objects.get(pk=import_run.pk)
    assert (finished.status, finished.created, finished.processed, finished.resumable) == ("done", 25, 25, False)
    assert Contact.objects.count() == ContactEmail.objects.count() == 25
    assert api.post(f"/api/v1/imports/{import_run.pk}/resume").status_code == 422
