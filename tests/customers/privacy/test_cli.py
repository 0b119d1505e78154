"""`amity privacy export|erase|retention`: the same services as the API and the pages, from a shell."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from amity import cli
from amity.core.models import AuditEntry, User, Workspace
from amity.core.permissions import Role
from amity.customers.models import Contact, Erasure, RetentionRule
from amity.sales.models import Lead
from tests.customers.privacy.conftest import EMAIL, Person
from tests.factories import contact_with, member

pytestmark = pytest.mark.django_db
AS_ADMIN = ["--workspace", "acme", "--user", "admin@acme.test"]


def test_export_prints_the_json_report_or_writes_html_and_pdf(person: Person, tmp_path: Path, capsys: Any) -> None:
    assert cli.main(["privacy", "export", *AS_ADMIN, "--contact", str(person.contact.pk)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert sorted(row["address"] for row in report["sections"]["emails"]) == sorted([EMAIL, "ada@home.example"])

    for file_format, start in (("html", b"<!"), ("pdf", b"%PDF")):
        output = tmp_path / f"ada.{file_format}"
        assert (
            cli.main(
                ["privacy", "export", *AS_ADMIN, "--contact", str(person.contact.pk), "--format", file_format, "--output", str(output)]
            )
            == 0
        )
        assert output.read_bytes().lstrip().upper().startswith(start.upper())
    assert AuditEntry.objects.filter(object_id=str(person.contact.pk), action="access", door="cli").count() == 3


def test_erase_asks_for_the_name_and_then_shows_progress(person: Person, capsys: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr("builtins.input", lambda prompt: "Ada")
    assert cli.main(["privacy", "erase", *AS_ADMIN, "--contact", str(person.contact.pk)]) == 1
    refused = capsys.readouterr()
    assert "removed       Emails: 2 rows" in refused.out and "kept          Deals" in refused.out
    assert "not confirmed; nothing was erased" in refused.err
    assert not Erasure.objects.exists() and Contact.objects.get(pk=person.contact.pk).last_name == "Lovelace"

    monkeypatch.setattr("builtins.input", lambda prompt: "Ada Lovelace")
    assert cli.main(["privacy", "erase", *AS_ADMIN, "--contact", str(person.contact.pk)]) == 0

    err = capsys.readouterr().err
    assert "100%" not in err.splitlines()[-1] and "erased:" in err and "%" in err
    assert Erasure.objects.get().status == "done" and Contact.objects.get(pk=person.contact.pk).last_name == "person"


def test_erase_with_yes_does_not_ask(person: Person, monkeypatch: Any) -> None:
    monkeypatch.setattr("builtins.input", lambda prompt: pytest.fail("asked"))

    assert cli.main(["privacy", "erase", *AS_ADMIN, "--contact", str(person.contact.pk), "--yes"]) == 0
    assert Contact.objects.get(pk=person.contact.pk).last_name == "person"


def test_another_workspaces_contact_and_a_rep_are_refused(
    workspace: Workspace, other_workspace: Workspace, admin: User, capsys: Any
) -> None:
    theirs = contact_with(other_workspace, "Other", "Person")
    ours = contact_with(workspace, "Our", "Person")
    member(workspace, Role.SALES, email="rep@acme.test")

    assert cli.main(["privacy", "erase", *AS_ADMIN, "--contact", str(theirs.pk), "--yes"]) == 1
    assert f"no contact with the id {theirs.pk} in the workspace acme" in capsys.readouterr().err
    assert cli.main(["privacy", "export", "--workspace", "acme", "--user", "rep@acme.test", "--contact", str(ours.pk)]) == 1
    assert "amity: error:" in capsys.readouterr().err
    assert not Erasure.objects.exists() and Contact.objects.get(pk=theirs.pk).last_name == "Person"


def test_retention_previews_then_runs_the_switched_on_rules(workspace: Workspace, admin: User, capsys: Any) -> None:
    old = Lead.objects.create(workspace=workspace, first_name="Olga", last_name="Old", email="olga@example.com")
    Lead.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(days=800))
    Lead.objects.create(workspace=workspace, first_name="Nora", last_name="New", email="nora@example.com")
    rule = RetentionRule.objects.create(
        workspace=workspace, object_type="lead", untouched_months=24, action="delete", enabled=True, created_by=admin, updated_by=admin
    )
    RetentionRule.objects.create(workspace=workspace, object_type="lead", untouched_months=1, action="delete", enabled=False)

    assert cli.main(["privacy", "retention", *AS_ADMIN, "--preview"]) == 0
    preview = capsys.readouterr().out
    assert f"Delete leads untouched for 24 months (rule {rule.pk}): 1 record would go" in preview
    assert f"{old.pk}\tOlga Old\t" in preview and "Nora" not in preview and "1 months" not in preview
    assert Lead.objects.get(pk=old.pk).deleted_at is None

    assert cli.main(["privacy", "retention", *AS_ADMIN, "--run"]) == 0
    ran = capsys.readouterr()
    assert ran.out.strip() == f"{rule.pk}\tdone\t1" and "1 of 1 let go, done" in ran.err
    assert Lead.objects.get(pk=old.pk).deleted_at is not None and Lead.objects.filter(deleted_at__isnull=True).count() == 1
