"""Records from the database as the engine compares them: a workspace's contacts or accounts, or a few of them by id.

Five plain queries for contacts (the contacts, their other emails, other phones, addresses and
employers), three for accounts, streamed in chunks: a million contacts load without model
instances.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from amity.core.bulk import ids_in
from amity.customers.dedupe.records import Organization, Person, organization, person
from amity.customers.models import Account, AccountContact, AccountDomain, Address, Contact, ContactEmail, ContactPhone

CHUNK = 20_000


def _grouped(rows: Iterable[tuple[Any, ...]]) -> dict[int, list[Any]]:
    grouped: dict[int, list[Any]] = defaultdict(list)
    for owner_id, *values in rows:
        grouped[owner_id].append(values[0] if len(values) == 1 else tuple(values))
    return grouped


def _scoped(queryset: Any, workspace_id: int, ids: Sequence[int] | None, field: str) -> Any:
    queryset = queryset.filter(workspace_id=workspace_id)
    if ids is None:
        return queryset
    return queryset.filter(**{f"{field}__in": list(ids) if len(ids) <= 500 else ids_in(ids)})


def people(workspace_id: int, ids: Sequence[int] | None = None) -> list[Person]:
    """The workspace's contacts that are not in the bin (or those of `ids`), as people to compare."""
    contacts = _scoped(Contact.objects, workspace_id, ids, "pk").filter(deleted_at__isnull=True)
    emails = _grouped(
        _scoped(ContactEmail.objects, workspace_id, ids, "contact_id")
        .filter(is_primary=False)
        .values_list("contact_id", "address")
        .iterator(CHUNK)
    )
    phones = _grouped(
        _scoped(ContactPhone.objects, workspace_id, ids, "contact_id")
        .filter(is_primary=False)
        .values_list("contact_id", "number")
        .iterator(CHUNK)
    )
    addresses = _grouped(
        _scoped(Address.objects, workspace_id, ids, "contact_id")
        .filter(contact_id__isnull=False)
        .values_list("contact_id", "street", "postcode", "city")
        .iterator(CHUNK)
    )
    employers = _grouped(
        _scoped(AccountContact.objects, workspace_id, ids, "contact_id").values_list("contact_id", "account__name").iterator(CHUNK)
    )
    rows = contacts.values_list("pk", "external_id", "first_name", "last_name", "primary_email", "primary_phone").iterator(CHUNK)
    return [
        person(
            id=pk,
            external_id=external_id,
            first_name=first_name,
            last_name=last_name,
            emails=[primary_email, *emails.get(pk, [])] if primary_email else emails.get(pk, []),
            phones=[primary_phone, *phones.get(pk, [])] if primary_phone else phones.get(pk, []),
            employers=employers.get(pk, ()),
            addresses=addresses.get(pk, ()),
        )
        for pk, external_id, first_name, last_name, primary_email, primary_phone in rows
    ]


def organizations(workspace_id: int, ids: Sequence[int] | None = None) -> list[Organization]:
    """The workspace's accounts that are not in the bin (or those of `ids`), as organizations to compare."""
    accounts = _scoped(Account.objects, workspace_id, ids, "pk").filter(deleted_at__isnull=True)
    domains = _grouped(_scoped(AccountDomain.objects, workspace_id, ids, "account_id").values_list("account_id", "domain").iterator(CHUNK))
    addresses = _grouped(
        _scoped(Address.objects, workspace_id, ids, "account_id")
        .filter(account_id__isnull=False)
        .values_list("account_id", "street", "postcode", "city")
        .iterator(CHUNK)
    )
    return [
        organization(id=pk, external_id=external_id, name=name, domains=domains.get(pk, ()), addresses=addresses.get(pk, ()))
        for pk, external_id, name in accounts.values_list("pk", "external_id", "name").iterator(CHUNK)
    ]


def unsaved_person(contact: Contact, children: Mapping[str, Any], addresses: Sequence[Mapping[str, Any]] | None) -> Person:
    """A contact about to be saved (cleaned, with the children its services write), as a person to compare."""
    account_ids = [link["account_id"] for link in children.get("accounts", [])]
    names = (
        list(Account.objects.filter(workspace_id=contact.workspace_id, pk__in=account_ids).values_list("name", flat=True))
        if account_ids
        else []
    )
    return person(
        id=contact.pk or 0,
        first_name=contact.first_name,
        last_name=contact.last_name,
        emails=[email["address"] for email in children.get("emails", [])],
        phones=[phone["number"] for phone in children.get("phones", [])],
        employers=names,
        addresses=[(a.get("street", ""), a.get("postcode", ""), a.get("city", "")) for a in addresses or []],
    )


def unsaved_organization(account: Account, domains: Sequence[str], addresses: Sequence[Mapping[str, Any]] | None) -> Organization:
    """An account about to be saved, as an organization to compare."""
    return organization(
        id=account.pk or 0,
        name=account.name,
        domains=domains,
        addresses=[(a.get("street", ""), a.get("postcode", ""), a.get("city", "")) for a in addresses or []],
    )
