"""Importing contacts and accounts: the same rules as the API, matching, dry runs, all or nothing, undo, crash safety."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from amity.core.models import AuditEntry, FieldDefinition, User, Workspace
from amity.customers.models import Account, AccountDomain, Contact, ContactEmail, ContactPhone
from amity.imports import services
from amity.imports.models import Import, ImportRowError
from amity.imports.selectors import import_log_lines
from tests.imports.conftest import run_import

pytestmark = pytest.mark.django_db


def _errors(import_run: Import) -> list[tuple[int, str, str]]:
    return list(ImportRowError.objects.filter(import_run=import_run).order_by("row", "id").values_list("row", "field", "message"))


def test_contacts_are_imported_with_normalized_emails_phones_tags_company_and_custom_fields(owner: User, workspace: Workspace) -> None:
    FieldDefinition.objects.create(workspace=workspace, object_type="contact", key="tier", label="Tier", type="choice", options=["gold"])
    content = (
        "First Name,Last Name,E-mail,Phone,Company,Tags,Tier,External ID\n"
        "Ada,Lovelace, ADA@Engines.co.uk ,+44 20 7946 0958,Analytical Engines,VIP;Board,gold,c-1\n"
        "Charles,Babbage,charles@engines.co.uk,,Analytical Engines,vip,,c-2\n"
    )

    import_run = run_import(owner, workspace, content)

    assert (import_run.status, import_run.created, import_run.failed) == ("done", 2, 0), import_run.message
    ada = Contact.objects.get(external_id="c-1")
    assert (ada.first_name, ada.primary_email, ada.primary_phone, ada.custom, ada.owner_id) == (
        "Ada", "ada@engines.co.uk", "+442079460958", {"tier": "gold"}, owner.pk
    )  # fmt: skip
    assert list(ada.emails.values_list("address", "is_primary")) == [("ada@engines.co.uk", True)]
    assert sorted(ada.tags.values_list("name", flat=True)) == ["Board", "VIP"]
    assert Account.objects.get(name="Analytical Engines").contacts.count() == 2
    entries = AuditEntry.objects.filter(object_type="imports.import", action="update")
    assert entries.count() == 1 and entries.get().door == "import"
    assert sorted(entries.get().changes["created_ids"]) == sorted(Contact.objects.values_list("pk", flat=True))


def test_bad_rows_are_reported_by_row_and_column_and_skipped(owner: User, workspace: Workspace) -> None:
    content = "Name,Email,Phone\nGood Person,good@example.com,\nBad Mail,not-an-email,\nBad Phone,phone@example.com,12\n,,\nGood Two,two@example.com,\n"

    import_run = run_import(owner, workspace, content)

    assert (import_run.created, import_run.failed) == (2, 2)
    assert _errors(import_run) == [(3, "Email", "Enter a valid email address."), (4, "Phone", "This is not a valid phone number.")]
    assert set(Contact.objects.values_list("primary_email", flat=True)) == {"good@example.com", "two@example.com"}
    assert ContactPhone.objects.count() == 0
    log = list(import_log_lines(import_run=import_run))
    assert log[0] == "row,outcome,record_id,message\r\n"
    assert log[2].startswith("3,failed,,Email: Enter a valid email address.")


def test_a_dry_run_reports_everything_and_writes_nothing(owner: User, workspace: Workspace) -> None:
    import_run = run_import(owner, workspace, "Email\nnew@example.com\nwrong\n", dry_run=True)

    assert (import_run.status, import_run.created, import_run.failed) == ("done", 1, 1)
    assert "would be created" in import_run.message
    assert Contact.objects.count() == 0
    assert _errors(import_run) == [
        (3, "Email", "Enter a valid email address."),
        (3, "last_name", "Give at least a name, an email address or a phone number."),
    ]


def test_all_or_nothing_writes_nothing_when_one_row_is_bad(owner: User, workspace: Workspace) -> None:
    rows = "".join(f"p{n}@example.com\n" for n in range(12)) + "broken\n"

    import_run = run_import(owner, workspace, "Email\n" + rows, all_or_nothing=True)

    assert import_run.status == "failed"
    assert "nothing was imported" in import_run.message
    assert (Contact.objects.count(), ContactEmail.objects.count()) == (0, 0)
    assert _errors(import_run)[0] == (14, "Email", "Enter a valid email address.")


def test_all_or_nothing_imports_everything_when_every_row_is_good(owner: User, workspace: Workspace) -> None:
    import_run = run_import(owner, workspace, "Email\na@example.com\nb@example.com\n", all_or_nothing=True)
    assert (import_run.status, import_run.created, Contact.objects.count()) == ("done", 2, 2)


@pytest.mark.parametrize(("on_match", "created", "updated", "skipped"), [("skip", 1, 0, 1), ("update", 1, 1, 0), ("create", 2, 0, 0)])
def test_contacts_match_by_email(owner: User, workspace: Workspace, on_match: str, created: int, updated: int, skipped: int) -> None:
    run_import(owner, workspace, "First name,Email\nAda,ada@example.com\n")

    import_run = run_import(owner, workspace, "First name,Email\nAugusta,ADA@example.com\nNew,new@example.com\n", on_match=on_match)

    assert (import_run.created, import_run.updated, import_run.skipped, import_run.failed) == (created, updated, skipped, 0)
    names = sorted(Contact.objects.filter(primary_email="ada@example.com").values_list("first_name", flat=True))
    assert names == {"skip": ["Ada"], "update": ["Augusta"], "create": ["Ada", "Augusta"]}[on_match]


def test_a_repeated_email_in_one_file_is_imported_once(owner: User, workspace: Workspace) -> None:
    import_run = run_import(owner, workspace, "Email\nsame@example.com\nSAME@example.com\n")
    assert (import_run.created, import_run.skipped, Contact.objects.count()) == (1, 1, 1)


def test_accounts_match_by_domain_and_external_id(owner: User, workspace: Workspace) -> None:
    run_import(owner, workspace, "Company,Website,ID\nAcme,https://www.acme.com,a-1\nGlobex,globex.com,\n", kind="accounts")

    import_run = run_import(
        owner,
        workspace,
        "Company,Website,ID,Industry\nAcme Corp,,a-1,Rockets\nGlobex Inc,www.globex.com,,Energy\n",
        kind="accounts",
        on_match="update",
    )

    assert (import_run.updated, import_run.failed) == (2, 0), import_run.message
    assert dict(Account.objects.values_list("name", "industry")) == {"Acme Corp": "Rockets", "Globex Inc": "Energy"}
    assert AccountDomain.objects.count() == 2


def test_creating_an_account_with_a_taken_domain_fails_that_row_like_the_api(owner: User, workspace: Workspace) -> None:
    run_import(owner, workspace, "Name,Domain\nAcme,acme.com\n", kind="accounts")

    import_run = run_import(owner, workspace, "Name,Domain\nAcme Again,acme.com\n", kind="accounts", on_match="create")

    assert import_run.failed == 1
    assert _errors(import_run) == [(2, "Domain", "acme.com belongs to another account already.")]


def test_undo_bins_created_records_and_restores_updated_ones(owner: User, workspace: Workspace) -> None:
    run_import(owner, workspace, "First name,Email,Tags\nAda,ada@example.com,old\n")
    ada = Contact.objects.get()

    import_run = run_import(
        owner, workspace, "First name,Email,Tags\nAugusta,ada@example.com,new\nNew,new@example.com,\n", on_match="update"
    )
    services.import_undo(actor=owner, import_run=import_run)

    ada.refresh_from_db()
    assert (ada.first_name, ada.deleted_at, list(ada.tags.values_list("name", flat=True))) == ("Ada", None, ["old"])
    assert Contact.objects.get(primary_email="new@example.com").deleted_at is not None
    assert import_run.status == "undone"
    assert AuditEntry.objects.filter(object_type="imports.import", action="delete").count() == 1
    with pytest.raises(ValidationError):
        services.import_undo(actor=owner, import_run=import_run)


def test_a_restarted_import_goes_on_after_the_last_committed_batch(owner: User, workspace: Workspace, monkeypatch: Any) -> None:
    content = "Email\n" + "".join(f"p{n}@example.com\n" for n in range(25))
    from django.core.files.base import ContentFile

    import_run = services.import_create(
        actor=owner, workspace=workspace, kind="contacts", file=ContentFile(content.encode()), file_name="p.csv", start=False
    )
    Import.objects.filter(pk=import_run.pk).update(status="queued", batch_size=10)
    real_commit = services._commit_batch
    calls = {"n": 0}

    def crash_on_second_batch(*args: Any, **kwargs: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("worker killed")
        real_commit(*args, **kwargs)

    monkeypatch.setattr(services, "_commit_batch", crash_on_second_batch)
    with pytest.raises(RuntimeError):
        services.import_execute(import_id=import_run.pk)
    assert Contact.objects.count() == 10  # the first batch landed, the second rolled back whole

    monkeypatch.setattr(services, "_commit_batch", real_commit)
    finished = services.import_execute(import_id=import_run.pk)

    assert (finished.status, finished.created, finished.processed) == ("done", 25, 25)
    assert Contact.objects.count() == ContactEmail.objects.count() == 25


def test_matching_never_touches_another_workspaces_records(owner: User, workspace: Workspace, other_workspace: Workspace) -> None:
    stranger = Contact.objects.create(workspace=other_workspace, first_name="Other", primary_email="ada@example.com", external_id="x-1")

    import_run = run_import(owner, workspace, "First name,Email,External ID\nAda,ada@example.com,x-1\n", on_match="update")

    assert (import_run.created, import_run.updated) == (1, 0)
    stranger.refresh_from_db()
    assert stranger.first_name == "Other"


def test_an_unknown_mapping_field_or_column_is_refused_by_name(owner: User, workspace: Workspace) -> None:
    with pytest.raises(ValidationError) as error:
        run_import(owner, workspace, "Email\na@example.com\n", mapping={"Email": "mail_address", "Nope": "email"})
    assert set(error.value.message_dict) == {"mapping.Email", "mapping.Nope"}
