"""The data-subject access report: everything about one person, in JSON, HTML and PDF, and only to owners and admins."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.apps import apps

from amity.core.models import AuditEntry, Workspace
from amity.core.permissions import Role
from amity.customers.models import Contact
from amity.customers.privacy.records import DERIVED, NOT_PERSONAL, PERSONAL_DATA
from amity.sales.models import Lead
from tests.customers.privacy.conftest import EMAIL, PHONE, Person
from tests.factories import member

pytestmark = pytest.mark.django_db


def test_every_table_that_points_at_a_person_is_known_to_export_and_erasure() -> None:
    known = {source.model._meta.label for source in [*PERSONAL_DATA, *DERIVED]} | set(NOT_PERSONAL)  # type: ignore[attr-defined]
    pointing = {
        model._meta.label
        for model in apps.get_models(include_auto_created=True)
        for field in model._meta.get_fields()
        if field.is_relation and field.concrete and field.related_model in (Contact, Lead) and model not in (Contact, Lead)
    }
    unknown = pointing - known
    assert not unknown, f"Tell customers/privacy/records.py how to export and erase {sorted(unknown)} (or why it holds nothing personal)."


def test_the_report_holds_the_person_everywhere_and_no_one_else(api: Any, person: Person) -> None:
    response = api.get(f"/api/v1/contacts/{person.contact.pk}/personal-data")

    assert response.status_code == 200, response.content
    sections = response.json()["sections"]
    assert sections["contact"][0]["first_name"] == "Ada" and sections["contact"][0]["social"] == {"linkedin": "ada-lovelace"}
    assert sorted(row["address"] for row in sections["emails"]) == sorted([EMAIL, "ada@home.example"])
    assert [row["number"] for row in sections["phones"]] == [PHONE]
    assert sections["addresses"][0]["street"] == "12 St James's Square"
    assert sections["consent"][0]["source"] == "Fair"
    assert [row["body"] for row in sections["notes"]] == ["Ada prefers calls after 4pm"]
    assert [row["title"] for row in sections["tasks"]] == ["Send Ada the engine plans"]
    assert [row["subject"] for row in sections["interactions"]] == ["Call with Ada"]
    assert [row["id"] for row in sections["leads"]] == [person.lead.pk], "the unconverted lead is found by the person's email"
    assert sections["web_form_submissions"][0]["data"] == {"email": EMAIL}
    assert [row["id"] for row in sections["cases"]] == [person.case_id]
    assert [row["filename"] for row in sections["case_attachments"]] == ["ada-passport.pdf"]
    assert sections["tags"] == ["vip"]
    assert any(entry["record"] == "customers.contact" and entry["action"] == "create" for entry in sections["history"])
    assert "Babbage" not in response.content.decode() and "charles@example.com" not in response.content.decode()
    assert AuditEntry.objects.filter(object_id=str(person.contact.pk), action="access").count() == 1


def test_the_report_reads_as_html_and_as_pdf(api: Any, person: Person) -> None:
    html = api.get(f"/api/v1/contacts/{person.contact.pk}/personal-data?format=html")
    pdf = api.get(f"/api/v1/contacts/{person.contact.pk}/personal-data?format=pdf")

    assert html.status_code == 200 and html["Content-Type"].startswith("text/html")
    assert "ada-passport.pdf" in html.content.decode() and "Ada prefers calls after 4pm" in html.content.decode()
    assert f'filename="personal-data-contact-{person.contact.pk}.html"' in html["Content-Disposition"]
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF-")


@pytest.mark.parametrize("role", [Role.MANAGER, Role.SALES, Role.MARKETING, Role.SUPPORT, Role.SUPPLY, Role.VIEWER])
def test_only_owners_and_admins_may_export(api_as: Any, workspace: Workspace, person: Person, role: Role) -> None:
    response = api_as(member(workspace, role, email=f"{role}@acme.test"), workspace).get(
        f"/api/v1/contacts/{person.contact.pk}/personal-data"
    )

    assert response.status_code == 403
    assert not AuditEntry.objects.filter(action="access").exists()


def test_another_workspaces_person_is_not_found(api: Any, other_workspace: Workspace) -> None:
    from tests.factories import contact_with

    theirs = contact_with(other_workspace, "Other", "Person", emails=(EMAIL,))
    response = api.get(f"/api/v1/contacts/{theirs.pk}/personal-data")
    assert response.status_code == 404
    assert json.loads(response.content)["status"] == 404
