"""The rules checked for a batch of records give each record exactly what checking it alone (as the API does) gives."""

from __future__ import annotations

from typing import Any

import pytest

from amity.core.models import FieldDefinition, User, Workspace
from amity.customers import cleaning
from amity.customers.models import Account, AccountDomain, Contact

pytestmark = pytest.mark.django_db

CONTACTS: list[dict[str, Any]] = [
    {"first_name": "  Ada  ", "last_name": "Lovelace", "emails": [{"address": " ADA@Example.COM ", "primary": True}]},
    {"emails": [{"address": "not-an-email"}], "phones": [{"number": "12", "kind": "work"}]},
    {"phones": [{"number": "(202) 555-0143", "kind": "mobile"}, {"number": "+44 20 7946 0958", "kind": "pager"}]},
    {"first_name": "x" * 101, "preferred_channel": "fax", "lifecycle_stage": "lead", "tags": ["VIP", "vip", ""]},
    {"last_name": "Taken", "external_id": " ext-1 "},
    {"last_name": "Free", "external_id": "ext-2", "custom": {"tier": "gold", "nope": 1}},
    {"last_name": "Bad tier", "custom": {"tier": "platinum"}},
    {"last_name": "Owner", "owner_id": 999999, "team_id": 999999, "accounts": [{"account_id": 999999}]},
    {},
]


def test_a_batch_of_contacts_gets_the_same_values_and_errors_as_each_one_alone(owner: User, workspace: Workspace) -> None:
    FieldDefinition.objects.create(workspace=workspace, object_type="contact", key="tier", label="Tier", type="choice", options=["gold"])
    Contact.objects.create(workspace=workspace, last_name="Holder", external_id="ext-1")
    checks = cleaning.RecordChecks(workspace)

    batch = cleaning.clean_contacts(checks, CONTACTS, [None] * len(CONTACTS))
    alone = [cleaning.clean_contacts(cleaning.RecordChecks(workspace), [record], [None]) for record in CONTACTS]

    for index, single in enumerate(alone):
        assert (batch.values[index], batch.children[index], batch.errors[index]) == (single.values[0], single.children[0], single.errors[0])
    assert batch.errors[0] == {} and batch.values[0]["primary_email"] == "ada@example.com"
    assert batch.errors[1] == {
        "emails.0.address": "Enter a valid email address.",
        "phones.0.number": "This is not a valid phone number.",
        "last_name": "Give at least a name, an email address or a phone number.",
    }
    assert batch.errors[4] == {"external_id": "Another contact already has the external id 'ext-1'."}
    assert batch.errors[5] == {"custom.nope": "There is no such custom field."}
    assert set(batch.errors[7]) == {"owner_id", "team_id", "accounts.0.account_id"}


def test_an_update_is_checked_against_the_record_it_changes(workspace: Workspace) -> None:
    contact = Contact.objects.create(workspace=workspace, last_name="Holder", external_id="ext-1", custom={"tier": "gold"})
    FieldDefinition.objects.create(workspace=workspace, object_type="contact", key="tier", label="Tier", type="choice", options=["gold"])

    cleaned = cleaning.clean_contacts(
        cleaning.RecordChecks(workspace), [{"external_id": "ext-1", "last_name": ""}], [cleaning.current_values(contact)]
    )

    assert cleaned.errors == [{"last_name": "Give at least a name, an email address or a phone number."}]
    assert cleaned.values[0]["external_id"] == "ext-1"  # its own external id is not "taken"
    assert "custom" not in cleaned.values[0]  # not given: left as it is


def test_accounts_in_a_batch_are_checked_for_names_money_and_domains_held_by_others(workspace: Workspace) -> None:
    holder = Account.objects.create(workspace=workspace, name="Holder")
    AccountDomain.objects.create(workspace=workspace, account=holder, domain="acme.com")
    records = [
        {"name": "Acme", "domains": ["https://www.Acme.com/about", "acme.io"], "annual_revenue": "12.3", "revenue_currency": "eur"},
        {"name": "", "annual_revenue": "lots", "revenue_currency": "EURO", "size": "huge"},
        {"name": "Fine", "domains": ["not a domain"]},
    ]

    cleaned = cleaning.clean_accounts(cleaning.RecordChecks(workspace), records, [None, None, None])

    assert cleaned.errors[0] == {"domains.0": "acme.com belongs to another account already."}
    assert (cleaned.values[0]["revenue_currency"], str(cleaned.values[0]["annual_revenue"])) == ("EUR", "12.30")
    assert cleaned.children[0]["domains"] == ["acme.com", "acme.io"]
    assert set(cleaned.errors[1]) == {"name", "annual_revenue", "revenue_currency", "size"}
    assert cleaned.errors[2] == {"domains.0": "Enter a web domain such as acme.com."}
