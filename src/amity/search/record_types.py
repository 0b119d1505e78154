"""Accounts and contacts in global search: what they are found by, and how a result shows them.

Found by: a contact's names, every email address, every phone number (as international and as
national digits; only by the roles that see phones, see permissions.SENSITIVE_FIELDS) and the names
of its accounts; an account's name and web domains.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from django.urls import NoReverseMatch, reverse

from amity.core import bulk
from amity.core.access import visible
from amity.core.models import User, Workspace
from amity.core.permissions import ObjectType
from amity.customers.models import Account, AccountContact, Contact, ContactEmail, ContactPhone
from amity.search.registry import Document, RecordType, register
from amity.search.text import document_text, phone_forms, sensitive_text


def _url(name: str, workspace: Workspace, pk: int) -> str | None:
    try:
        return reverse(name, kwargs={"slug": workspace.slug, "pk": pk})
    except NoReverseMatch:  # the record's page is not there yet
        return None


# --- Contacts -------------------------------------------------------------------------------------


def contact_documents(ids: Iterable[int]) -> list[Document]:
    # Flat rows rather than prefetched model objects: a bulk rebuild runs this a million times.
    wanted = bulk.ids_in(list(ids))  # one parameter for thousands of ids: the ORM compiles them once, not 4 × 2,000 times
    emails: dict[int, list[str]] = defaultdict(list)
    for contact_id, address in (
        ContactEmail.objects.filter(contact_id__in=wanted).order_by("contact_id", "-is_primary", "pk").values_list("contact_id", "address")
    ):
        emails[contact_id].append(address)
    phones: dict[int, list[str]] = defaultdict(list)
    for contact_id, number in (
        ContactPhone.objects.filter(contact_id__in=wanted).order_by("contact_id", "-is_primary", "pk").values_list("contact_id", "number")
    ):
        phones[contact_id].append(number)
    accounts: dict[int, list[str]] = defaultdict(list)
    for contact_id, name in (
        AccountContact.objects.filter(contact_id__in=wanted, account__deleted_at__isnull=True)
        .order_by("contact_id", "account__name", "account_id")
        .values_list("contact_id", "account__name")
    ):
        accounts[contact_id].append(name)
    contacts = Contact.objects.filter(pk__in=wanted, deleted_at__isnull=True).values_list(
        "pk", "workspace_id", "owner_id", "first_name", "last_name", "primary_email", "primary_phone"
    )
    return [
        contact_document(
            pk=pk,
            workspace_id=workspace_id,
            owner_id=owner_id,
            first_name=first_name,
            last_name=last_name,
            addresses=emails[pk] or ([primary_email] if primary_email else []),
            numbers=phones[pk] or ([primary_phone] if primary_phone else []),
            account_names=accounts[pk],
        )
        for pk, workspace_id, owner_id, first_name, last_name, primary_email, primary_phone in contacts
    ]


def contact_document(
    *,
    pk: int,
    workspace_id: int,
    owner_id: int | None,
    first_name: str,
    last_name: str,
    addresses: list[str],
    numbers: list[str],
    account_names: list[str],
) -> Document:
    """A contact as the index sees it; an import builds it from the values it writes, without reading them back."""
    title = " ".join(part for part in [first_name, last_name] if part) or (addresses[0] if addresses else "") or f"Contact {pk}"
    return Document(
        object_id=pk,
        workspace_id=workspace_id,
        owner_id=owner_id,
        title=title,
        subtitle=" · ".join(part for part in [addresses[0] if addresses else "", ", ".join(account_names[:2])] if part),
        text=" ".join(
            part
            for part in (
                document_text(first_name, last_name, *addresses, *account_names),
                sensitive_text("phones", *[form for number in numbers for form in phone_forms(number)]),
            )
            if part
        ),
    )


def contacts_of_accounts(account_ids: list[int]) -> QuerySet[Any, int]:
    """The people of these accounts: their documents show the accounts' names."""
    return AccountContact.objects.filter(account_id__in=bulk.ids_in(account_ids)).values_list("contact_id", flat=True).distinct()


def contact_live_ids(workspace: Workspace) -> QuerySet[Any, int]:
    return Contact.objects.filter(workspace=workspace, deleted_at__isnull=True).values_list("pk", flat=True)


def contact_visible_ids(actor: User, workspace: Workspace, ids: list[int]) -> set[int]:
    contacts = visible(
        Contact.objects.filter(pk__in=ids, deleted_at__isnull=True), actor=actor, workspace=workspace, object_type=ObjectType.CONTACT
    )
    return set(contacts.values_list("pk", flat=True))


# --- Accounts -------------------------------------------------------------------------------------


def account_documents(ids: Iterable[int]) -> list[Document]:
    accounts = (
        Account.objects.filter(pk__in=list(ids), deleted_at__isnull=True)
        .only("id", "workspace_id", "owner_id", "name", "industry")
        .prefetch_related("domains")
    )
    return [
        account_document(
            pk=account.pk,
            workspace_id=account.workspace_id,
            owner_id=account.owner_id,
            name=account.name,
            industry=account.industry,
            domains=sorted(domain.domain for domain in account.domains.all()),
        )
        for account in accounts
    ]


def account_document(*, pk: int, workspace_id: int, owner_id: int | None, name: str, industry: str, domains: list[str]) -> Document:
    """An account as the index sees it (`domains` sorted); an import builds it from the values it writes."""
    return Document(
        object_id=pk,
        workspace_id=workspace_id,
        owner_id=owner_id,
        title=name,
        subtitle=" · ".join(part for part in [", ".join(domains[:2]), industry] if part),
        text=document_text(name, *domains),
    )


def account_live_ids(workspace: Workspace) -> QuerySet[Any, int]:
    return Account.objects.filter(workspace=workspace, deleted_at__isnull=True).values_list("pk", flat=True)


def account_visible_ids(actor: User, workspace: Workspace, ids: list[int]) -> set[int]:
    accounts = visible(
        Account.objects.filter(pk__in=ids, deleted_at__isnull=True), actor=actor, workspace=workspace, object_type=ObjectType.ACCOUNT
    )
    return set(accounts.values_list("pk", flat=True))


CONTACTS = register(
    RecordType(
        key="contacts",
        object_type=ObjectType.CONTACT,
        label="Contacts",
        icon="user-circle",
        order=1,
        documents=contact_documents,
        live_ids=contact_live_ids,
        visible_ids=contact_visible_ids,
        url=lambda workspace, pk: _url("contact_detail", workspace, pk),
        shows={"account": contacts_of_accounts},
    )
)
ACCOUNTS = register(
    RecordType(
        key="accounts",
        object_type=ObjectType.ACCOUNT,
        label="Accounts",
        icon="building",
        order=2,
        documents=account_documents,
        live_ids=account_live_ids,
        visible_ids=account_visible_ids,
        url=lambda workspace, pk: _url("account_detail", workspace, pk),
    )
)
