"""Postal addresses of accounts and contacts, and the consent log of a contact, through the API."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from amity.core.models import AuditEntry, Workspace
from amity.core.permissions import Role
from amity.customers.models import Address, ConsentEvent
from tests.factories import contact_with, member

pytestmark = pytest.mark.django_db

LONDON = {
    "kind": "office",
    "street": "1  Finsbury   Avenue",
    "city": "London",
    "region": "",
    "postcode": "EC2M 2PP",
    "country": "gb",
    "latitude": "51.519722",
    "longitude": "-0.083611",
}


def test_a_contact_gets_addresses_that_a_later_write_replaces(api: Any) -> None:
    created = api.post("/api/v1/contacts", {"first_name": "Ada", "addresses": [LONDON, {"kind": "home", "city": "Paris", "country": "FR"}]})
    assert created.status_code == 201, created.content
    contact = created.json()
    assert contact["addresses"] == [
        {**LONDON, "street": "1 Finsbury Avenue", "country": "GB", "latitude": 51.519722, "longitude": -0.083611},
        {"kind": "home", "street": "", "city": "Paris", "region": "", "postcode": "", "country": "FR", "latitude": None, "longitude": None},
    ]

    patched = api.patch(f"/api/v1/contacts/{contact['id']}", {"addresses": [{"kind": "billing", "postcode": "10115", "country": "DE"}]})

    assert [address["postcode"] for address in patched.json()["addresses"]] == ["10115"]
    assert Address.objects.filter(contact_id=contact["id"]).count() == 1
    untouched = api.patch(f"/api/v1/contacts/{contact['id']}", {"title": "CEO"}).json()
    assert untouched["addresses"] == patched.json()["addresses"]
    change = AuditEntry.objects.filter(object_id=str(contact["id"]), action="update").first()
    assert change is not None and "addresses" in change.changes


def test_an_account_has_addresses_too_and_its_list_shows_them(api: Any) -> None:
    account = api.post("/api/v1/accounts", {"name": "Acme", "addresses": [{"kind": "shipping", "city": "Lyon", "country": "FR"}]}).json()
    listed = api.get("/api/v1/accounts").json()["items"]
    assert [row["addresses"] for row in listed if row["id"] == account["id"]] == [account["addresses"]]
    assert account["addresses"][0]["city"] == "Lyon"


@pytest.mark.parametrize(
    ("address", "field", "message"),
    [
        ({"kind": "castle", "city": "Oslo"}, "addresses.0.kind", "Choose one of"),
        ({"country": "GB"}, "addresses.0.street", "at least a street, a city or a postcode"),
        ({"city": "Oslo", "country": "Norway"}, "addresses.0.country", "two-letter ISO code"),
        ({"city": "Oslo", "country": "ZZ"}, "addresses.0.country", "two-letter ISO code"),
        ({"city": "Oslo", "latitude": "95", "longitude": "10"}, "addresses.0.latitude", "between -90 and 90"),
        ({"city": "Oslo", "latitude": "59.9"}, "addresses.0.latitude", "both the latitude and the longitude"),
        ({"city": "Oslo", "postcode": "x" * 21}, "addresses.0.postcode", "at most 20"),
    ],
)
def test_a_bad_address_is_named_and_nothing_is_written(api: Any, address: dict[str, Any], field: str, message: str) -> None:
    response = api.post("/api/v1/contacts", {"first_name": "Ada", "emails": [{"address": "not-an-email"}], "addresses": [address]})

    assert response.status_code == 422
    errors = {error["field"]: error["message"] for error in response.json()["errors"]}
    assert message in errors[field]
    assert "emails.0.address" in errors, "the contact's own errors are reported with the address's"
    assert Address.objects.count() == 0


def test_consent_is_logged_and_the_latest_event_holds(api: Any, workspace: Workspace) -> None:
    contact = contact_with(workspace, "Ada", "Lovelace")
    earlier = (timezone.now() - timedelta(days=30)).isoformat()
    first = api.post(
        f"/api/v1/contacts/{contact.pk}/consent", {"channel": "email", "status": "granted", "method": "Web form", "occurred_at": earlier}
    )
    assert first.status_code == 201, first.content
    api.post(f"/api/v1/contacts/{contact.pk}/consent", {"channel": "email", "status": "withdrawn", "method": "Unsubscribe link"})
    api.post(f"/api/v1/contacts/{contact.pk}/consent", {"channel": "sms", "status": "granted", "purpose": "Service updates"})

    consent = api.get(f"/api/v1/contacts/{contact.pk}/consent").json()

    current = {(event["channel"], event["purpose"]): event["status"] for event in consent["current"]}
    assert current == {("email", "marketing"): "withdrawn", ("sms", "service updates"): "granted"}
    assert [event["method"] for event in consent["events"]] == ["", "Unsubscribe link", "Web form"]
    entry = AuditEntry.objects.filter(object_id=str(contact.pk)).order_by("-id").first()
    assert entry is not None and entry.changes == {"consent (sms, service updates)": [None, "granted"]}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"channel": "pigeon", "status": "granted"}, "channel"),
        ({"channel": "email", "status": "maybe"}, "status"),
        ({"channel": "email", "status": "granted", "purpose": " "}, "purpose"),
        ({"channel": "email", "status": "granted", "occurred_at": "2099-01-01T00:00:00Z"}, "occurred_at"),
    ],
)
def test_bad_consent_is_refused_and_nothing_is_logged(api: Any, workspace: Workspace, body: dict[str, Any], field: str) -> None:
    contact = contact_with(workspace, "Ada", "Lovelace")
    response = api.post(f"/api/v1/contacts/{contact.pk}/consent", body)
    assert response.status_code == 422
    assert field in {error["field"] for error in response.json()["errors"]}
    assert ConsentEvent.objects.count() == 0


def test_a_viewer_reads_consent_but_cannot_record_it(api_as: Any, workspace: Workspace) -> None:
    contact = contact_with(workspace, "Ada", "Lovelace")
    as_viewer = api_as(member(workspace, Role.VIEWER), workspace)
    assert as_viewer.get(f"/api/v1/contacts/{contact.pk}/consent").status_code == 200
    assert as_viewer.post(f"/api/v1/contacts/{contact.pk}/consent", {"channel": "email", "status": "granted"}).status_code == 403
    assert ConsentEvent.objects.count() == 0
