"""The new-record forms show likely duplicates before saving, with "Create anyway"."""

from __future__ import annotations

from typing import Any

from amity.customers import services
from amity.customers.models import Account, Contact

ADA = {"first_name": "Ada", "last_name": "Lovelace", "emails": "ada@engines.test", "phones": "+44 20 7946 0958"}


def test_the_contact_form_shows_likely_duplicates_and_creates_anyway_when_asked(client_as: Any, admin: Any, workspace: Any) -> None:
    existing = services.contact_create(
        actor=admin, workspace=workspace, data={"first_name": "Ada", "last_name": "Lovelace", "emails": [{"address": "ada@engines.test"}]}
    )
    client = client_as(admin)

    response = client.post("/w/acme/contacts/new/", {**ADA, "first_name": "Adda", "owner_id": admin.pk})

    assert response.status_code == 409
    page = response.content.decode()
    assert "This contact may exist already" in page
    assert f'href="/w/acme/contacts/{existing.pk}/"' in page and "same email" in page
    assert 'name="allow_duplicates" value="1"' in page and "Create anyway" in page
    assert Contact.objects.count() == 1

    created = client.post("/w/acme/contacts/new/", {**ADA, "first_name": "Adda", "owner_id": admin.pk, "allow_duplicates": "1"})
    assert created.status_code == 302
    assert Contact.objects.count() == 2


def test_a_new_person_is_saved_at_once(client_as: Any, admin: Any, workspace: Any) -> None:
    services.contact_create(actor=admin, workspace=workspace, data={"first_name": "Grace", "last_name": "Hopper"})
    response = client_as(admin).post("/w/acme/contacts/new/", {**ADA, "owner_id": admin.pk})
    assert response.status_code == 302


def test_the_account_form_shows_a_likely_duplicate(client_as: Any, admin: Any, workspace: Any) -> None:
    services.account_create(actor=admin, workspace=workspace, data={"name": "Analytical Engines Ltd", "domains": ["engines.test"]})
    office = {"name": "Analytical Engines", "owner_id": admin.pk}
    services.account_create(
        actor=admin,
        workspace=workspace,
        data={"name": "Difference Engines", "addresses": [{"street": "12 Main St", "postcode": "10001", "city": "New York"}]},
    )
    response = client_as(admin).post("/w/acme/accounts/new/", office)
    assert response.status_code == 409 and "Analytical Engines Ltd" in response.content.decode()
    assert Account.objects.count() == 2
