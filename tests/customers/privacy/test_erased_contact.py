"""An erased contact shows as erased, not as in the bin: no restore on its page, in the bin, in the service or the API."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from amity.core.models import AuditEntry, User, Workspace
from amity.customers import services
from amity.customers.models import Contact, Erasure
from amity.customers.privacy.erasure import erasure_record, run_erasure
from tests.factories import contact_with

pytestmark = pytest.mark.django_db


@pytest.fixture
def erased(workspace: Workspace, admin: User) -> Contact:
    contact = contact_with(workspace, "Ada", "Lovelace", emails=("ada@example.com",))
    run_erasure(erasure_record(actor=admin, workspace=workspace, contact=contact).pk)
    return Contact._default_manager.get(pk=contact.pk)


@pytest.fixture
def binned(workspace: Workspace, admin: User) -> Contact:
    contact = contact_with(workspace, "Grace", "Hopper")
    services.record_soft_delete(actor=admin, record=contact)
    return Contact._default_manager.get(pk=contact.pk)


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _restores() -> int:
    return AuditEntry.objects.filter(action=AuditEntry.Action.RESTORE).count()


def test_the_restore_service_refuses_an_erased_contact_and_changes_nothing(admin: User, erased: Contact) -> None:
    deleted_at = erased.deleted_at

    with pytest.raises(services.ErasedContact) as refused:
        services.record_restore(actor=admin, record=erased)

    assert "erased at the data subject's request" in refused.value.message_dict["id"][0]
    erased.refresh_from_db()
    assert erased.deleted_at == deleted_at and _restores() == 0


def test_a_bulk_restore_with_an_erased_contact_restores_none(admin: User, erased: Contact, binned: Contact) -> None:
    with pytest.raises(ValidationError):
        services.bulk_restore(actor=admin, records=[binned, erased])

    binned.refresh_from_db()
    assert binned.deleted_at is not None and _restores() == 0


def test_a_failed_erasure_does_not_block_restoring(workspace: Workspace, admin: User, binned: Contact) -> None:
    Erasure.objects.create(workspace=workspace, contact_id=binned.pk, status=Erasure.Status.FAILED, error="disk full")

    services.record_restore(actor=admin, record=binned)

    binned.refresh_from_db()
    assert binned.deleted_at is None


def test_the_api_answers_409_naming_the_erasure(api: Any, erased: Contact) -> None:
    response = api.post(f"/api/v1/contacts/{erased.pk}/restore")

    assert response.status_code == 409
    body = response.json()
    assert "erased at the data subject's request" in body["detail"]
    assert body["errors"][0]["field"] == "id"
    assert Contact._default_manager.get(pk=erased.pk).deleted_at is not None and _restores() == 0


def test_the_api_still_restores_a_binned_contact(api: Any, binned: Contact) -> None:
    response = api.post(f"/api/v1/contacts/{binned.pk}/restore")

    assert response.status_code == 200
    assert Contact.objects.get(pk=binned.pk).deleted_at is None


def test_the_erased_contacts_page_says_erased_by_whom_and_offers_no_restore(admin: User, erased: Contact) -> None:
    page = signed_in(admin).get(f"/w/acme/contacts/{erased.pk}/").content.decode()

    assert 'id="erased-banner"' in page
    assert "Erased on" in page and "by admin@acme.test at the data subject's request" in page
    assert "in the bin" not in page
    assert 'value="restore"' not in page
    assert "Log call" not in page


def test_a_binned_contacts_page_still_offers_restore(admin: User, binned: Contact) -> None:
    page = signed_in(admin).get(f"/w/acme/contacts/{binned.pk}/").content.decode()

    assert "is in the bin" in page and 'value="restore"' in page and 'id="erased-banner"' not in page


def test_the_bin_shows_an_erased_contact_as_erased_without_a_box_to_tick(admin: User, erased: Contact, binned: Contact) -> None:
    page = signed_in(admin).get("/w/acme/contacts/?bin=1").content.decode()

    erased_row = page.split(f'id="contact-{erased.pk}"')[1].split("</tr>")[0]
    binned_row = page.split(f'id="contact-{binned.pk}"')[1].split("</tr>")[0]
    assert "data-erased" in erased_row and 'name="ids"' not in erased_row
    assert "data-erased" not in binned_row and 'name="ids"' in binned_row


def test_restoring_an_erased_contact_from_the_bin_says_why_and_changes_nothing(admin: User, erased: Contact) -> None:
    response = signed_in(admin).post("/w/acme/contacts/bulk/", {"action": "restore", "ids": [erased.pk]}, follow=True)

    assert "erased at the data subject&#x27;s request" in response.content.decode()
    assert Contact._default_manager.get(pk=erased.pk).deleted_at is not None and _restores() == 0
