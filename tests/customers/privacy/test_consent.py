"""The consent log's source and proof, and the one answer marketing sends ask: may this person be contacted?"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from amity.core.models import User, Workspace
from amity.customers import services
from amity.customers.models import ConsentEvent
from amity.customers.privacy.consent import contactable_contacts, may_contact
from tests.factories import contact_with

pytestmark = pytest.mark.django_db


def test_consent_keeps_where_it_came_from_and_its_proof(api: Any, workspace: Workspace) -> None:
    contact = contact_with(workspace, "Ada", "Lovelace")
    body = {
        "channel": "email",
        "status": "granted",
        "method": "Paper form",
        "source": "Spring fair",
        "proof": {"document": "scan 2026-114"},
    }

    created = api.post(f"/api/v1/contacts/{contact.pk}/consent", body)

    assert created.status_code == 201, created.content
    assert created.json()["source"] == "Spring fair"
    assert created.json()["proof"] == {"document": "scan 2026-114"}
    event = ConsentEvent.objects.get()
    assert (event.source, event.proof) == ("Spring fair", {"document": "scan 2026-114"})


def test_an_oversized_proof_is_refused_by_name(api: Any, workspace: Workspace) -> None:
    contact = contact_with(workspace, "Ada", "Lovelace")
    body = {"channel": "email", "status": "granted", "proof": {"document": "x" * 30_000}}

    response = api.post(f"/api/v1/contacts/{contact.pk}/consent", body)

    assert response.status_code == 422
    assert {error["field"] for error in response.json()["errors"]} == {"proof"}
    assert ConsentEvent.objects.count() == 0


def test_only_a_standing_grant_for_that_channel_and_purpose_lets_a_send_through(workspace: Workspace, admin: User) -> None:
    granted = contact_with(workspace, "Grace", "Granted")
    withdrawn = contact_with(workspace, "Wanda", "Withdrawn")
    other_channel = contact_with(workspace, "Sam", "Sms")
    never_asked = contact_with(workspace, "Nina", "Never")
    deleted = contact_with(workspace, "Dora", "Deleted")
    earlier = timezone.now() - timedelta(days=10)
    services.consent_record(actor=admin, contact=granted, channel="email", status="granted")
    services.consent_record(actor=admin, contact=withdrawn, channel="email", status="granted", occurred_at=earlier)
    services.consent_record(actor=admin, contact=withdrawn, channel="email", status="withdrawn")
    services.consent_record(actor=admin, contact=other_channel, channel="sms", status="granted")
    services.consent_record(actor=admin, contact=deleted, channel="email", status="granted")
    deleted.deleted_at = timezone.now()
    deleted.save(update_fields=["deleted_at"])

    audience = set(contactable_contacts(workspace=workspace, channel="email").values_list("pk", flat=True))

    assert audience == {granted.pk}
    assert [may_contact(c, "email") for c in (granted, withdrawn, other_channel, never_asked, deleted)] == [
        True,
        False,
        False,
        False,
        False,
    ]
    assert may_contact(other_channel, "sms") is True
    assert may_contact(granted, "email", "surveys") is False


def test_a_late_recorded_older_grant_does_not_override_a_newer_withdrawal(workspace: Workspace, admin: User) -> None:
    contact = contact_with(workspace, "Ada", "Lovelace")
    services.consent_record(actor=admin, contact=contact, channel="email", status="withdrawn")
    services.consent_record(
        actor=admin, contact=contact, channel="email", status="granted", occurred_at=timezone.now() - timedelta(days=90)
    )

    assert may_contact(contact, "email") is False
    assert not contactable_contacts(workspace=workspace, channel="email").exists()


def test_the_audience_of_one_workspace_never_holds_another_workspaces_people(
    workspace: Workspace, other_workspace: Workspace, admin: User
) -> None:
    from amity.core.permissions import Role
    from tests.factories import member

    theirs = contact_with(other_workspace, "Other", "Person")
    services.consent_record(actor=member(other_workspace, Role.ADMIN), contact=theirs, channel="email", status="granted")

    assert not contactable_contacts(workspace=workspace, channel="email").exists()
