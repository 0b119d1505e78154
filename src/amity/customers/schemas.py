"""What the API takes in and gives out for accounts, contacts and custom field definitions."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from ninja import Field, Schema

from amity.core.phones import national
from amity.customers.models import Account, Contact
from amity.customers.selectors import ListedDetails, related


class EmailIn(Schema):
    address: str = Field(..., max_length=254)
    primary: bool = False


class PhoneIn(Schema):
    number: str = Field(..., max_length=40)
    kind: str = "mobile"
    primary: bool = False


class AddressIn(Schema):
    kind: str = Field("office", description="billing, shipping, office, home or other.")
    street: str = ""
    city: str = ""
    region: str = ""
    postcode: str = ""
    country: str = Field("", description="The two-letter ISO 3166 code, e.g. GB.")
    latitude: Decimal | None = None
    longitude: Decimal | None = None


class AddressOut(Schema):
    kind: str
    street: str
    city: str
    region: str
    postcode: str
    country: str
    latitude: float | None
    longitude: float | None


class AccountLinkIn(Schema):
    account_id: int
    role: str = ""
    title: str = ""


class _ContactFields(Schema):
    title: str | None = None
    emails: list[EmailIn] | None = Field(None, max_length=50)
    phones: list[PhoneIn] | None = Field(None, max_length=50)
    account_ids: list[int] | None = Field(None, max_length=200, description="Shortcut for `accounts` without roles.")
    accounts: list[AccountLinkIn] | None = Field(None, max_length=200)
    tags: list[str] | None = Field(None, max_length=100)
    custom: dict[str, Any] | None = None
    owner_id: int | None = None
    team_id: int | None = None
    lifecycle_stage: str | None = None
    source: str | None = None
    external_id: str | None = None
    preferred_channel: str | None = None
    language: str | None = None
    time_zone: str | None = None
    social: dict[str, str] | None = None
    addresses: list[AddressIn] | None = Field(None, max_length=20, description="Replaces the contact's addresses.")


class ContactIn(_ContactFields):
    first_name: str = ""
    last_name: str = ""


class ContactPatch(_ContactFields):
    first_name: str | None = None
    last_name: str | None = None


class ContactBulkItem(ContactPatch):
    id: int | None = Field(None, description="Give an id to update that contact; leave it out to create one.")


class EmailOut(Schema):
    address: str
    primary: bool = Field(..., alias="is_primary")


class PhoneOut(Schema):
    number: str
    national: str
    kind: str
    primary: bool = Field(..., alias="is_primary")

    @staticmethod
    def resolve_national(phone: Any) -> str:
        return national(phone.number)


class AccountLinkOut(Schema):
    account_id: int
    name: str = Field(..., alias="account.name")
    role: str
    title: str


HIDDEN_NOTE = "Left out of the response for the roles kept from this sensitive field (see docs/user/privacy.md)."


class ContactOut(Schema):
    id: int
    first_name: str
    last_name: str
    full_name: str
    title: str
    emails: list[EmailOut]
    phones: list[PhoneOut] = Field(default_factory=list, description=HIDDEN_NOTE)
    accounts: list[AccountLinkOut]
    tags: list[str]
    owner_id: int | None
    team_id: int | None
    lifecycle_stage: str
    source: str
    external_id: str | None
    preferred_channel: str
    language: str
    time_zone: str
    social: dict[str, str]
    addresses: list[AddressOut] = Field(default_factory=list, description=HIDDEN_NOTE)
    custom: dict[str, Any] = Field(..., description="Custom field values by key; sensitive ones are left out for the roles kept from them.")
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None

    @staticmethod
    def resolve_addresses(record: Any) -> list[Any]:
        return related(record, "addresses")

    @staticmethod
    def resolve_emails(contact: Any) -> list[Any]:
        return related(contact, "emails")

    @staticmethod
    def resolve_phones(contact: Any) -> list[Any]:
        return related(contact, "phones")

    @staticmethod
    def resolve_accounts(contact: Any) -> list[Any]:
        return related(contact, "account_contacts")

    @staticmethod
    def resolve_tags(record: Any) -> list[str]:
        return sorted(tag.name for tag in related(record, "tags"))


def contact_row(contact: Contact, details: ListedDetails) -> dict[str, Any]:
    """A contact as `ContactOut` gives it, built from a list page's values (tests hold the two equal)."""
    return {
        "id": contact.pk,
        "first_name": contact.first_name,
        "last_name": contact.last_name,
        "full_name": contact.full_name,
        "title": contact.title,
        "emails": [{"address": address, "primary": primary} for address, primary in details.emails.get(contact.pk, [])],
        "phones": [
            {"number": number, "national": national(number), "kind": kind, "primary": primary}
            for number, kind, primary in details.phones.get(contact.pk, [])
        ],
        "accounts": [
            {"account_id": account_id, "name": name, "role": role, "title": title}
            for account_id, name, role, title in details.accounts.get(contact.pk, [])
        ],
        "tags": sorted(details.tags.get(contact.pk, [])),
        **_owned_fields(contact),
        "preferred_channel": contact.preferred_channel,
        "language": contact.language,
        "time_zone": contact.time_zone,
        "social": contact.social,
        "addresses": details.addresses.get(contact.pk, []),
    }


def account_row(account: Account, details: ListedDetails) -> dict[str, Any]:
    """An account as `AccountOut` gives it, built from a list page's values (tests hold the two equal)."""
    return {
        "id": account.pk,
        "name": account.name,
        "domains": details.domains.get(account.pk, []),
        "industry": account.industry,
        "size": account.size,
        "annual_revenue": account.annual_revenue,
        "revenue_currency": account.revenue_currency,
        "parent_id": account.parent_id,
        "tags": sorted(details.tags.get(account.pk, [])),
        "addresses": details.addresses.get(account.pk, []),
        **_owned_fields(account),
    }


def _owned_fields(record: Account | Contact) -> dict[str, Any]:
    return {
        "owner_id": record.owner_id,
        "team_id": record.team_id,
        "lifecycle_stage": record.lifecycle_stage,
        "source": record.source,
        "external_id": record.external_id,
        "custom": record.custom,
        "created_at": record.created_at,
        "updated_at": record.updated_at,
        "deleted_at": record.deleted_at,
    }


class _AccountFields(Schema):
    domains: list[str] | None = Field(None, max_length=50)
    industry: str | None = None
    size: str | None = None
    annual_revenue: Decimal | None = None
    revenue_currency: str | None = None
    parent_id: int | None = None
    tags: list[str] | None = Field(None, max_length=100)
    custom: dict[str, Any] | None = None
    owner_id: int | None = None
    team_id: int | None = None
    lifecycle_stage: str | None = None
    source: str | None = None
    external_id: str | None = None
    addresses: list[AddressIn] | None = Field(None, max_length=20, description="Replaces the account's addresses.")


class AccountIn(_AccountFields):
    name: str = Field(..., max_length=200)


class AccountPatch(_AccountFields):
    name: str | None = Field(None, max_length=200)


class AccountBulkItem(AccountPatch):
    id: int | None = Field(None, description="Give an id to update that account; leave it out to create one.")


class AccountOut(Schema):
    id: int
    name: str
    domains: list[str]
    industry: str
    size: str
    annual_revenue: Decimal | None
    revenue_currency: str
    parent_id: int | None
    tags: list[str]
    addresses: list[AddressOut]
    owner_id: int | None
    team_id: int | None
    lifecycle_stage: str
    source: str
    external_id: str | None
    custom: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None

    @staticmethod
    def resolve_addresses(record: Any) -> list[Any]:
        return related(record, "addresses")

    @staticmethod
    def resolve_domains(account: Any) -> list[str]:
        return [domain.domain for domain in related(account, "domains")]

    @staticmethod
    def resolve_tags(record: Any) -> list[str]:
        return sorted(tag.name for tag in related(record, "tags"))


class ConsentIn(Schema):
    channel: str = Field(..., description="email, phone, sms or post.")
    status: str = Field(..., description="granted or withdrawn.")
    purpose: str = "marketing"
    method: str = Field("", description="How it was given or withdrawn: web form, phone call, letter…")
    occurred_at: datetime | None = Field(None, description="When; now if left out.")
    source: str = Field("", description="Where it came from: a form's name, a campaign, a letter's reference.")
    proof: dict[str, Any] = Field(default_factory=dict, description='What shows it: the form submission as received, or {"document": "…"}.')


class ConsentEventOut(Schema):
    id: int
    channel: str
    purpose: str
    status: str
    method: str
    source: str
    proof: dict[str, Any]
    occurred_at: datetime
    recorded_by_id: int | None


class ConsentOut(Schema):
    current: list[ConsentEventOut] = Field(..., description="The latest event per channel and purpose: what holds now.")
    events: list[ConsentEventOut] = Field(..., description="The log, newest first (the latest 200).")


class BulkIds(Schema):
    ids: list[int] = Field(..., min_length=1, max_length=1000)


class BulkAssignIn(BulkIds):
    owner_id: int | None


class BulkTagIn(BulkIds):
    tags: list[str] = Field(..., min_length=1, max_length=20)


class BulkResultOut(Schema):
    updated: int


SENSITIVE_HELP = (
    "Contact, account and lead fields only: hidden from the roles kept from sensitive fields (marketing, supply, viewer) "
    "in pages, lists, exports, search and the API."
)


class FieldDefinitionIn(Schema):
    object_type: str
    key: str = Field(..., pattern=r"^[a-z][a-z0-9_]{0,59}$")
    label: str = Field(..., min_length=1, max_length=120)
    type: str
    options: list[str] = Field(default_factory=list, max_length=200)
    required: bool = False
    unique: bool = False
    min_value: Decimal | None = None
    max_value: Decimal | None = None
    max_length: int | None = Field(None, ge=1, le=10000)
    pattern: str = Field("", max_length=200, description="Text fields: a regular expression the whole value must match.")
    help_text: str = Field(
        "", max_length=300, description="Shown under the field in forms, and in the error when a value does not match the pattern."
    )
    position: int | None = Field(None, ge=0, le=1000, description="Omitted: after the record type's other fields.")
    sensitive: bool = Field(False, description=SENSITIVE_HELP)


class FieldDefinitionPatch(Schema):
    label: str | None = Field(None, min_length=1, max_length=120)
    options: list[str] | None = Field(None, max_length=200)
    required: bool | None = None
    unique: bool | None = None
    min_value: Decimal | None = None
    max_value: Decimal | None = None
    max_length: int | None = Field(None, ge=1, le=10000)
    pattern: str | None = Field(None, max_length=200)
    help_text: str | None = Field(None, max_length=300)
    position: int | None = Field(None, ge=0, le=1000)
    sensitive: bool | None = Field(None, description=SENSITIVE_HELP)
    archived: bool | None = Field(
        None, description="true hides the field from forms, lists and imports (values are kept); false restores it."
    )


class FieldDefinitionOut(Schema):
    id: int
    object_type: str
    key: str
    label: str
    type: str
    options: list[str]
    required: bool
    unique: bool
    min_value: Decimal | None
    max_value: Decimal | None
    max_length: int | None
    pattern: str
    help_text: str
    position: int
    sensitive: bool
    archived_at: datetime | None


class SavedViewIn(Schema):
    name: str = Field(..., min_length=1, max_length=120)
    object_type: str = Field(..., description="contact, account or opportunity (the deal list)")
    shared: bool = Field(False, description="Visible to everyone in the workspace; otherwise only to you.")
    filters: dict[str, str] = Field(
        default_factory=dict,
        description=(
            "List filters by parameter: owner_id, team_id, lifecycle_stage, source, tag, created_after, created_before (YYYY-MM-DD), "
            "custom.<key> (several choices separated by ;), custom.<key>__gte / __lte (numbers, money, dates), custom.<key>__contains (text)."
        ),
    )
    sort: str = Field("", max_length=80, description="One of the list's sorts, e.g. -created_at or custom.tier.")
    columns: list[str] = Field(default_factory=list, max_length=100, description="Column keys, e.g. email, owner, custom.tier.")


class SavedViewPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=120)
    shared: bool | None = None
    filters: dict[str, str] | None = None
    sort: str | None = Field(None, max_length=80)
    columns: list[str] | None = Field(None, max_length=100)


class SavedViewOut(Schema):
    id: int
    name: str
    object_type: str
    owner_id: int
    shared: bool
    filters: dict[str, str]
    sort: str
    columns: list[str]
    created_at: datetime
    updated_at: datetime
