"""Erasure on request: the person's data gone from every table, the search index and the audit log; the rest kept."""

from __future__ import annotations

import json
from typing import Any

import pytest

from amity.activities.models import Interaction, Note, Task
from amity.core.models import AuditEntry, Notification, Workspace
from amity.core.permissions import Role
from amity.customers.models import Address, ConsentEvent, Contact, ContactEmail, ContactPhone, Erasure
from amity.customers.privacy.erasure import ERASED, run_erasure
from amity.sales.models import Lead, WebFormSubmission
from amity.search.models import SearchDocument
from amity.service.models import Case, CaseAttachment, CaseMessage
from tests.customers.privacy.conftest import EMAIL, Person
from tests.factories import member

pytestmark = pytest.mark.django_db


def _erase(api: Any, contact_id: int, capture: Any) -> dict[str, Any]:
    with capture(execute=True):
        response = api.post("/api/v1/erasures", {"contact_id": contact_id})
    assert response.status_code == 202, response.content
    return api.get(f"/api/v1/erasures/{response.json()['id']}").json()  # type: ignore[no-any-return]


def _everything_about(person: Person) -> str:
    """Every stored text that could still hold the person, in one string to search."""
    rows: list[Any] = [
        *Contact.objects.filter(pk=person.contact.pk).values(),
        *Lead.objects.filter(pk=person.lead.pk).values(),
        *Interaction.objects.values("subject", "body"),
        *Note.objects.values("body"),
        *Task.objects.values("title", "description"),
        *Case.objects.values("subject", "description", "requester_email"),
        *CaseMessage.objects.values("subject", "body", "from_address", "from_name", "to_addresses"),
        *WebFormSubmission.objects.values("data", "ip_address"),
        *ConsentEvent.objects.values("source", "proof"),
        *SearchDocument.objects.exclude(object_type="contact", object_id=person.bystander.pk).values("title", "subtitle", "text"),
        *AuditEntry.objects.exclude(object_type="customers.contact", object_id=str(person.bystander.pk)).values("object_repr", "changes"),
        *Notification.objects.values("title", "body"),
    ]
    return json.dumps(rows, default=str).lower()


def test_an_erasure_removes_the_person_everywhere_and_keeps_the_rest(
    api: Any, person: Person, django_capture_on_commit_callbacks: Any
) -> None:
    assert "lovelace" in _everything_about(person)

    erasure = _erase(api, person.contact.pk, django_capture_on_commit_callbacks)

    assert erasure["status"] == "done" and erasure["progress"] == 1.0
    assert erasure["counts"]["emails"] == 2 and erasure["counts"]["case_attachments"] == 1 and erasure["counts"]["audit_entries"] > 0
    text = _everything_about(person)
    for personal in (
        "lovelace",
        EMAIL,
        "ada@home.example",
        "st james",
        "ada-lovelace",
        "4pm",
        "engine plans",
        "gear 3",
        "192.0.2.7",
        "fair",
    ):
        assert personal.lower() not in text, personal
    assert not ContactEmail.objects.filter(contact=person.contact).exists()
    assert not ContactPhone.objects.filter(contact=person.contact).exists()
    assert not Address.objects.filter(contact=person.contact).exists()
    assert not CaseAttachment.objects.exists()
    assert not person.attachment.file.storage.exists(person.attachment.file.name)
    # Kept: the rows the business counts, pseudonymized, and the person's bystander untouched.
    contact = Contact.objects.get(pk=person.contact.pk)
    assert (contact.first_name, contact.last_name, contact.deleted_at is not None) == ("Erased", "person", True)
    assert Case.objects.get(pk=person.case_id).subject == ERASED
    assert Note.objects.count() == 1 and Task.objects.count() == 1 and Interaction.objects.count() == 1
    assert ConsentEvent.objects.get().status == "granted"
    assert Contact.objects.get(pk=person.bystander.pk).last_name == "Babbage"
    assert SearchDocument.objects.filter(object_type="contact", object_id=person.bystander.pk).exists()
    # The record that it was done says who and when, and nothing about the person.
    record = Erasure.objects.get()
    assert record.requested_by_label == "admin@acme.test" and record.finished_at is not None
    assert "lovelace" not in json.dumps({"counts": record.counts, "step": record.step, "error": record.error}).lower()


def test_running_an_erasure_again_changes_nothing_more(api: Any, person: Person, django_capture_on_commit_callbacks: Any) -> None:
    erasure = _erase(api, person.contact.pk, django_capture_on_commit_callbacks)
    before = _everything_about(person)

    run_erasure(erasure["id"])

    assert _everything_about(person) == before


def test_progress_is_reported_as_the_erasure_goes(workspace: Workspace, admin: Any, person: Person) -> None:
    erasure = Erasure.objects.create(workspace=workspace, contact_id=person.contact.pk, requested_by=admin)
    seen: list[float] = []

    run_erasure(erasure.pk, on_progress=lambda current: seen.append(current.progress))

    assert seen == sorted(seen) and 0 < seen[0] < 1 and len(seen) > 10


@pytest.mark.parametrize("role", [Role.MANAGER, Role.SALES, Role.SUPPORT, Role.VIEWER])
def test_only_owners_and_admins_may_erase(api_as: Any, workspace: Workspace, person: Person, role: Role) -> None:
    response = api_as(member(workspace, role, email=f"{role}@acme.test"), workspace).post(
        "/api/v1/erasures", {"contact_id": person.contact.pk}
    )

    assert response.status_code == 403
    assert not Erasure.objects.exists()
    assert Contact.objects.get(pk=person.contact.pk).last_name == "Lovelace"


def test_another_workspaces_person_cannot_be_erased(api: Any, other_workspace: Workspace) -> None:
    from tests.factories import contact_with

    theirs = contact_with(other_workspace, "Other", "Person")
    response = api.post("/api/v1/erasures", {"contact_id": theirs.pk})

    assert response.status_code == 404
    assert not Erasure.objects.exists()
    assert Contact.objects.get(pk=theirs.pk).last_name == "Person"


def test_a_second_erasure_while_one_runs_is_refused_by_field(api: Any, workspace: Workspace, person: Person) -> None:
    Erasure.objects.create(workspace=workspace, contact_id=person.contact.pk, status="running")

    response = api.post("/api/v1/erasures", {"contact_id": person.contact.pk})

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "contact_id"


def test_an_erasure_reaches_the_portal_surveys_and_merges(workspace: Workspace, admin: Any, person: Person) -> None:
    from django.utils.timezone import now as erasure_time

    from amity.customers.models import Merge
    from amity.service.models import Survey
    from amity.service.portal.models import PortalAccess, PortalLink

    access = PortalAccess.objects.create(workspace=workspace, contact=person.contact, status="active")
    PortalLink.objects.create(workspace=workspace, access=access, token_hash="x" * 64, expires_at=erasure_time())
    Survey.objects.create(workspace=workspace, case_id=person.case_id, email=EMAIL, token="t" * 32, score=2, comment="Ada was not pleased")
    Merge.objects.create(
        workspace=workspace,
        record_type="contact",
        survivor_id=person.contact.pk,
        merged_id=0,
        merged_name="Ada Lovelace",
        survivor_before={"title": "Countess"},
    )
    erasure = Erasure.objects.create(workspace=workspace, contact_id=person.contact.pk, requested_by=admin)

    run_erasure(erasure.pk)

    assert not PortalAccess.objects.filter(contact=person.contact).exists() and not PortalLink.objects.exists()
    survey = Survey.objects.get(case_id=person.case_id)
    assert (survey.email, survey.comment, survey.score) == ("", "", 2)  # the score stays in the figures
    merge = Merge.objects.get()
    assert (merge.merged_name, merge.survivor_before) == (ERASED, {})
