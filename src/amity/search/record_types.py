"""Accounts and contacts in global search: what they are found by, and how a result shows them.

Found by: a contact's names, every email address, every phone number (as international and as
national digits) and the names of its accounts; an account's name and web domains.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.urls import NoReverseMatch, reverse

from amity.core.access import visible
from amity.core.models import User, Workspace
from amity.core.permissions import ObjectType
from amity.customers.models import Account, Contact
from amity.search.registry import Document, RecordType, register
from amity.search.text import document_text, phone_forms


def _url(name: str, workspace: Workspace, pk: int) -> str | None:
    try:
        return reverse(name, kwargs={"slug": workspace.slug, "pk": pk})
    except NoReverseMatch:  # the record's page is not there yet
        return None


# --- Contacts -------------------------------------------------------------------------------------


def contact_documents(ids: Iterable[int]) -> list[Document]:
    live_accounts = Account.objects.filter(deleted_at__isnull=True).only("id", "name").order_by("name", "id")
    contacts = (
        Contact.objects.filter(pk__in=list(ids), deleted_at__isnull=True)
        .only("id", "workspace_id", "owner_id", "first_name", "last_name", "primary_email", "primary_phone")
        .prefetch_related("emails", "phones", Prefetch("accounts", queryset=live_accounts))
    )
    documents = []
    for contact in contacts:
        emails = sorted((email for email in contact.emails.all()), key=lambda email: (not email.is_primary, email.pk))
        addresses = [email.address for email in emails] or ([contact.primary_email] if contact.primary_email else [])
        numbers = [phone.number for phone in contact.phones.all()] or ([contact.primary_phone] if contact.primary_phone else [])
        account_names = [account.name for account in contact.accounts.all()]
        documents.append(
            Document(
                object_id=contact.pk,
                workspace_id=contact.workspace_id,
                owner_id=contact.owner_id,
                title=contact.full_name,
                subtitle=" · ".join(part for part in [addresses[0] if addresses else "", ", ".join(account_names[:2])] if part),
                text=document_text(
                    contact.first_name,
                    contact.last_name,
                    *addresses,
                    *[form for number in numbers for form in phone_forms(number)],
                    *account_names,
                ),
            )
        )
    return documents


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
    documents = []
    for account in accounts:
        domains = sorted(domain.domain for domain in account.domains.all())
        documents.append(
            Document(
                object_id=account.pk,
                workspace_id=account.workspace_id,
                owner_id=account.owner_id,
                title=account.name,
                subtitle=" · ".join(part for part in [", ".join(domains[:2]), account.industry] if part),
                text=document_text(account.name, *domains),
            )
        )
    return documents


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
