"""Importing leads: the lead rules per row, matching by email, dry run, all or nothing, assignment and scores after, undo, API, CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from amity import cli
from amity.core.models import FieldDefinition, Notification, User, Workspace
from amity.core.permissions import Role
from amity.imports import services
from amity.imports.models import Import, ImportRowError
from amity.sales.models import Lead
from amity.sales.services import lead_assignment, lead_scoring
from amity.sales.services import leads as lead_services
from amity.search.models import SearchDocument
from tests.factories import member, token_for
from tests.imports.conftest import run_import

pytestmark = pytest.mark.django_db

LEADS = (
    "First name,Last name,Email,Company,Title,Country,Postcode,Lead source,Tags,Consent,Budget\n"
    "Ada,Lovelace, ADA@Engines.co.uk ,Analytical Engines,Chief Engineer,de,10115,Trade fair,VIP;Fair,yes,50000\n"
    "Grace,Hopper,grace@navy.example,US Navy,Rear Admiral,US,20001,Referral,,no,\n"
    "Bad,Mail,not-an-email,Nowhere,,XX,,,,,lots\n"
)


def _errors(import_run: Import) -> list[tuple[int, str, str]]:
    return list(ImportRowError.objects.filter(import_run=import_run).order_by("row", "id").values_list("row", "field", "message"))


def _run(actor: User, workspace: Workspace, content: str, capture: Any, **options: Any) -> Import:
    with capture(execute=True):
        return run_import(actor, workspace, content, kind="leads", name="leads.csv", **options)


def test_the_mapping_of_a_lead_file_is_suggested_from_its_headers(owner: User, workspace: Workspace) -> None:
    FieldDefinition.objects.create(workspace=workspace, object_type="lead", key="budget", label="Budget", type="number")

    import_run = services.import_create(
        actor=owner, workspace=workspace, kind="leads", file=SimpleUploadedFile("l.csv", LEADS.encode()), file_name="l.csv", start=False
    )

    assert import_run.mapping == {
        "First name": "first_name", "Last name": "last_name", "Email": "email", "Company": "company", "Title": "title",
        "Country": "country", "Postcode": "postcode", "Lead source": "source", "Tags": "tags", "Consent": "marketing_consent",
        "Budget": "custom.budget",
    }  # fmt: skip


def test_leads_are_imported_by_the_lead_rules_then_assigned_and_scored_in_the_background(
    owner: User, workspace: Workspace, django_capture_on_commit_callbacks: Any
) -> None:
    FieldDefinition.objects.create(workspace=workspace, object_type="lead", key="budget", label="Budget", type="number")
    berlin = member(workspace, Role.SALES, email="berlin@acme.test")
    lead_assignment.assignment_rule_create(
        actor=owner,
        workspace=workspace,
        data={"name": "Berlin", "countries": ["DE"], "postcode_prefixes": ["10"], "assign_to_id": berlin.pk},
    )
    with django_capture_on_commit_callbacks(execute=True):
        lead_scoring.scoring_rule_create(
            actor=owner,
            workspace=workspace,
            data={"name": "Chief", "kind": "field", "field": "title", "operator": "starts_with", "value": "chief", "points": 20},
        )

    import_run = _run(owner, workspace, LEADS, django_capture_on_commit_callbacks)

    assert (import_run.status, import_run.created, import_run.failed) == ("done", 2, 1), import_run.message
    assert _errors(import_run) == [
        (4, "Country", "Give the two-letter ISO code of a country, e.g. DE or US."),
        (4, "Email", "Enter a valid email address."),
        (4, "Budget", "Enter a number."),
    ]
    ada = Lead.objects.get(email="ada@engines.co.uk")
    assert (ada.first_name, ada.company, ada.country, ada.source, ada.marketing_consent, ada.custom, ada.status) == (
        "Ada", "Analytical Engines", "DE", "Trade fair", True, {"budget": "50000"}, "new"
    )  # fmt: skip
    assert sorted(ada.tags.values_list("name", flat=True)) == ["Fair", "VIP"]
    assert (ada.owner_id, ada.score) == (berlin.pk, 20)  # the Berlin rule, the Chief rule
    grace = Lead.objects.get(email="grace@navy.example")
    assert (grace.owner_id, grace.score, grace.marketing_consent) == (owner.pk, 0, False)  # no rule: the importer's
    assert Notification.objects.filter(recipient=berlin, kind="lead_assigned").count() == 1
    assert SearchDocument.objects.filter(object_type="lead", object_id=ada.pk, owner_id=berlin.pk).exists()


def test_a_lead_file_matches_by_email_and_skips_updates_or_creates(
    owner: User, workspace: Workspace, django_capture_on_commit_callbacks: Any
) -> None:
    known = lead_services.lead_create(
        actor=owner, workspace=workspace, data={"last_name": "Old", "email": "ada@engines.co.uk", "tags": ["Keep"]}
    )
    content = "Email,Last name,Tags,City\nAda@Engines.co.uk,Lovelace,New,\nnew@example.com,Fresh,,\nnew@example.com,Twice,,\n"

    skipped = _run(owner, workspace, content, django_capture_on_commit_callbacks)
    assert (skipped.created, skipped.updated, skipped.skipped) == (1, 0, 2)
    updated = _run(owner, workspace, content, django_capture_on_commit_callbacks, on_match="update")
    assert (updated.created, updated.updated, updated.skipped) == (0, 3, 0)
    known.refresh_from_db()
    assert (known.last_name, sorted(known.tags.values_list("name", flat=True))) == ("Lovelace", ["New"])
    assert Lead.objects.get(email="new@example.com").last_name == "Twice"
    created = _run(owner, workspace, content, django_capture_on_commit_callbacks, on_match="create")
    assert created.created == 3
    assert Lead.objects.filter(email="new@example.com").count() == 3

    services.import_undo(actor=owner, import_run=created)
    services.import_undo(actor=owner, import_run=updated)

    known.refresh_from_db()
    assert (known.last_name, sorted(known.tags.values_list("name", flat=True))) == ("Old", ["Keep"])
    assert Lead.objects.filter(email="new@example.com", deleted_at__isnull=True).get().last_name == "Fresh"


def test_a_converted_lead_is_left_as_it_is_by_an_update_import(
    owner: User, workspace: Workspace, django_capture_on_commit_callbacks: Any
) -> None:
    lead = lead_services.lead_create(actor=owner, workspace=workspace, data={"last_name": "Done", "email": "done@example.com"})
    Lead.objects.filter(pk=lead.pk).update(status="converted", converted_at=lead.created_at)

    import_run = _run(
        owner, workspace, "Email,Last name\ndone@example.com,Changed\n", django_capture_on_commit_callbacks, on_match="update"
    )

    assert (import_run.updated, import_run.skipped) == (0, 1)
    assert Lead.objects.get(pk=lead.pk).last_name == "Done"


def test_a_dry_run_and_an_all_or_nothing_import_of_leads_write_nothing(
    owner: User, workspace: Workspace, django_capture_on_commit_callbacks: Any
) -> None:
    dry = _run(owner, workspace, LEADS, django_capture_on_commit_callbacks, dry_run=True)
    assert (dry.status, dry.created, dry.failed) == ("done", 2, 1)
    assert "would be created" in dry.message

    strict = _run(owner, workspace, LEADS, django_capture_on_commit_callbacks, all_or_nothing=True)
    assert (strict.status, strict.created, strict.failed) == ("failed", 0, 1)
    assert Lead.objects.count() == 0
    assert [(row, field) for row, field, _ in _errors(strict)] == [(4, "Country"), (4, "Email")]  # Budget: no such field, not mapped


def test_duplicate_external_ids_in_a_lead_file_are_refused(
    owner: User, workspace: Workspace, django_capture_on_commit_callbacks: Any
) -> None:
    lead_services.lead_create(actor=owner, workspace=workspace, data={"last_name": "Held", "external_id": "L-1"})
    content = "External ID,Last name,Email\nL-2,One,one@example.com\nL-2,Two,two@example.com\nL-1,Three,three@example.com\n"

    import_run = _run(owner, workspace, content, django_capture_on_commit_callbacks, on_match="create")

    assert (import_run.created, import_run.failed) == (1, 2)
    assert [(row, field) for row, field, _ in _errors(import_run)] == [(3, "External ID"), (4, "External ID")]


def test_a_lead_import_is_started_over_the_api_and_cannot_be_seen_from_another_workspace(
    admin: User, workspace: Workspace, other_workspace: Workspace, django_capture_on_commit_callbacks: Any
) -> None:
    headers = {"Authorization": f"Bearer {token_for(admin, workspace)[1]}"}
    body = {
        "file": SimpleUploadedFile("leads.csv", LEADS.encode(), content_type="text/csv"),
        "kind": "leads",
        "mapping": json.dumps({"Budget": ""}),
    }

    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post("/api/v1/imports", body, headers=headers)

    assert response.status_code == 201, response.content
    import_id = response.json()["id"]
    got = Client().get(f"/api/v1/imports/{import_id}", headers=headers).json()
    assert (got["kind"], got["status"], got["created"], got["failed"]) == ("leads", "done", 2, 1)
    assert Lead.objects.filter(workspace=workspace).count() == 2
    stranger = member(other_workspace, Role.ADMIN, email="stranger@other.test")
    other_headers = {"Authorization": f"Bearer {token_for(stranger, other_workspace)[1]}"}
    assert Client().get(f"/api/v1/imports/{import_id}", headers=other_headers).status_code == 404


def test_a_role_that_cannot_add_leads_cannot_import_them(workspace: Workspace) -> None:
    supply = member(workspace, Role.SUPPLY, email="supply@acme.test")
    headers = {"Authorization": f"Bearer {token_for(supply, workspace)[1]}"}
    body = {"file": SimpleUploadedFile("leads.csv", LEADS.encode(), content_type="text/csv"), "kind": "leads"}

    response = Client().post("/api/v1/imports", body, headers=headers)

    assert response.status_code == 403
    assert Import.objects.count() == 0


def test_the_command_line_imports_leads(owner: User, workspace: Workspace, tmp_path: Path, capsys: Any) -> None:
    path = tmp_path / "leads.csv"
    path.write_text(LEADS)

    code = cli.main(["import", "leads", str(path), "--workspace", workspace.slug, "--map", "Budget="])

    assert code == 0
    assert "2 created" in capsys.readouterr().out
    assert Lead.objects.filter(workspace=workspace).count() == 2
