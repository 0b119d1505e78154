"""Pages for a role kept from sensitive fields: its edits leave hidden values alone, and lists cost no more queries per row.

Which doors hide which field is checked for every declared field in tests/core/test_field_access.py.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from amity.core import custom_fields
from amity.core.models import FieldDefinition, User, Workspace
from amity.core.permissions import Role
from amity.customers import services
from amity.customers.models import Contact
from tests.factories import contact_with, member, token_for

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


@pytest.fixture
def marketer(workspace: Workspace) -> User:
    return member(workspace, Role.MARKETING, email="kim@acme.test")


@pytest.fixture
def hanna(workspace: Workspace, owner: User) -> Contact:
    for key, sensitive in (("health_note", True), ("tier", False)):
        custom_fields.field_definition_save(
            actor=owner,
            workspace=workspace,
            data={"object_type": "contact", "key": key, "label": key.replace("_", " ").title(), "type": "text", "sensitive": sensitive},
        )
    return services.contact_create(
        actor=owner,
        workspace=workspace,
        data={
            "first_name": "Hanna",
            "last_name": "Hidden",
            "emails": [{"address": "hanna@old.test", "primary": True}],
            "phones": [{"number": "+49 30 9876543", "primary": True}],
            "addresses": [{"kind": "home", "street": "Geheimweg 17", "city": "Berlin"}],
            "custom": {"health_note": "Peanut allergy", "tier": "silver"},
        },
    )


def test_the_email_card_offers_no_phone_rows_and_saving_it_keeps_the_phones(client_as: Any, marketer: User, hanna: Contact) -> None:
    client = client_as(marketer)
    url = f"/w/acme/contacts/{hanna.pk}/profile/reach/edit/"
    form = client.get(url, headers=HTMX).content.decode()
    assert 'name="emails-address"' in form and "phones-number" not in form and "9876543" not in form
    saved = client.post(url, {"emails-address": ["hanna@new.test"], "emails-primary": "0"}, headers=HTMX)
    assert saved.status_code == 200
    assert list(hanna.emails.values_list("address", flat=True)) == ["hanna@new.test"]
    assert list(hanna.phones.values_list("number", flat=True)) == ["+49309876543"]
    assert "9876543" not in saved.content.decode()


def test_a_posted_phone_row_is_ignored_not_written(client_as: Any, marketer: User, hanna: Contact) -> None:
    client = client_as(marketer)
    url = f"/w/acme/contacts/{hanna.pk}/profile/reach/edit/"
    post = {"emails-address": ["hanna@old.test"], "emails-primary": "0", "phones-number": [""], "phones-kind": ["mobile"]}
    assert client.post(url, post, headers=HTMX).status_code == 200
    assert list(hanna.phones.values_list("number", flat=True)) == ["+49309876543"]


def test_the_custom_card_leaves_the_sensitive_value_as_it_is(client_as: Any, marketer: User, hanna: Contact) -> None:
    client = client_as(marketer)
    url = f"/w/acme/contacts/{hanna.pk}/profile/custom/edit/"
    form = client.get(url, headers=HTMX).content.decode()
    assert "custom.tier" in form and "health_note" not in form
    assert client.post(url, {"custom.tier": "gold", "custom.health_note": ""}, headers=HTMX).status_code == 200
    hanna.refresh_from_db()
    assert hanna.custom == {"health_note": "Peanut allergy", "tier": "gold"}


def test_a_marketer_adds_a_contact_with_a_form_that_has_no_phone_field(client_as: Any, marketer: User, hanna: Contact) -> None:
    client = client_as(marketer)
    form = client.get("/w/acme/contacts/new/").content.decode()
    assert 'name="emails"' in form and 'name="phones"' not in form and "health_note" not in form
    posted = client.post(
        "/w/acme/contacts/new/", {"first_name": "Nina", "last_name": "New", "emails": "nina@new.test", "phones": "+49 30 1"}
    )
    assert posted.status_code == 302
    nina = Contact.objects.get(first_name="Nina")
    assert list(nina.emails.values_list("address", flat=True)) == ["nina@new.test"] and not nina.phones.exists()


def test_the_new_contact_form_cannot_set_a_hidden_field_through_the_api_either(api_as: Any, marketer: User, workspace: Workspace) -> None:
    answer = api_as(marketer, workspace).post(
        "/api/v1/contacts?allow_duplicates=true", {"first_name": "Nina", "phones": [{"number": "+49 30 1111111"}]}
    )
    assert answer.status_code == 403
    assert answer.json()["detail"] == "Your role may not see or change phones of a contact."
    assert not Contact.objects.filter(first_name="Nina").exists()


def _queries(run: Any) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert run().status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("door", ["page", "api"])
def test_lists_for_a_role_kept_from_fields_cost_the_same_for_two_rows_and_many(
    client_as: Any, marketer: User, hanna: Contact, workspace: Workspace, door: str
) -> None:
    from django.test import Client

    if door == "page":
        client = client_as(marketer)
        run = lambda: client.get("/w/acme/contacts/?columns=phone&columns=custom.health_note&columns=custom.tier")  # noqa: E731
    else:
        _, secret = token_for(marketer, workspace)
        api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
        run = lambda: api.get("/api/v1/contacts")  # noqa: E731
    contact_with(workspace, "Second", "Person", phones=("+4930222222",))
    run()  # warm the per-process caches (role, workspace)
    few = _queries(run)
    for number in range(8):
        contact_with(workspace, f"More{number}", "People", phones=(f"+49303333{number:03d}",), emails=(f"m{number}@x.test",))
    assert _queries(run) == few


def test_the_custom_fields_settings_say_which_fields_each_role_cannot_see(client_as: Any, admin: User, hanna: Contact) -> None:
    page = client_as(admin).get("/w/acme/settings/custom-fields/?object_type=contact").content.decode()
    table = page.split('id="field-access"')[1]
    for role in ("Marketing", "Supply", "Viewer"):
        assert f'<td class="amity-nowrap fw-medium">{role}</td><td>Phone numbers, Postal addresses, Health Note</td>' in table
    assert "Sales" not in table and "Sensitive</span>" in page


def test_a_field_is_marked_sensitive_in_settings_and_only_on_contacts_accounts_and_leads(
    client_as: Any, admin: User, workspace: Workspace, api_as: Any
) -> None:
    client = client_as(admin)
    created = client.post(
        "/w/acme/settings/custom-fields/new/?object_type=account", {"label": "Credit limit", "type": "text", "sensitive": "on"}
    )
    assert created.status_code == 302
    assert FieldDefinition.objects.get(key="credit_limit").sensitive is True
    assert 'name="sensitive"' in client.get("/w/acme/settings/custom-fields/new/?object_type=lead").content.decode()
    assert 'name="sensitive"' not in client.get("/w/acme/settings/custom-fields/new/?object_type=opportunity").content.decode()
    api = api_as(admin, workspace)
    lead_field = {"object_type": "lead", "key": "diagnosis", "label": "Diagnosis", "type": "text", "sensitive": True}
    assert api.post("/api/v1/custom-fields", lead_field).status_code == 201
    refused = api.post("/api/v1/custom-fields", {**lead_field, "object_type": "opportunity"})
    assert refused.status_code == 422
    assert refused.json()["errors"] == [{"field": "sensitive", "message": "Only fields of accounts, contacts and leads can be sensitive."}]
