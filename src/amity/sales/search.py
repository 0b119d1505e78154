"""Deals, leads and quotes in global search: deals by name, account and external id; leads by name, email, company, phone
(not for the roles kept from it);
quotes by number, title and customer."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet

from amity.core.access import visible
from amity.core.models import User, Workspace
from amity.core.permissions import ObjectType
from amity.sales.models import Lead, Opportunity, Quote
from amity.search.registry import Document, RecordType, page_url, register
from amity.search.text import document_text, phone_forms, sensitive_text


def opportunity_documents(ids: Iterable[int]) -> list[Document]:
    rows = Opportunity.objects.filter(pk__in=list(ids), deleted_at__isnull=True).values_list(
        "pk", "workspace_id", "owner_id", "name", "account__name", "stage__name", "amount", "currency", "external_id"
    )
    return [
        Document(
            object_id=pk,
            workspace_id=workspace_id,
            owner_id=owner_id,
            title=name,
            subtitle=" · ".join([account_name, stage_name, f"{amount} {currency}"]),
            text=document_text(name, account_name, external_id or ""),
        )
        for pk, workspace_id, owner_id, name, account_name, stage_name, amount, currency, external_id in rows
    ]


def opportunities_of_accounts(account_ids: list[int]) -> QuerySet[Any, int]:
    """The deals of these accounts: their documents show the account's name."""
    return Opportunity.objects.filter(account_id__in=account_ids, deleted_at__isnull=True).values_list("pk", flat=True)


def opportunity_live_ids(workspace: Workspace) -> QuerySet[Any, int]:
    return Opportunity.objects.filter(workspace=workspace, deleted_at__isnull=True).values_list("pk", flat=True)


def opportunity_visible_ids(actor: User, workspace: Workspace, ids: list[int]) -> set[int]:
    deals = visible(
        Opportunity.objects.filter(pk__in=ids, deleted_at__isnull=True),
        actor=actor,
        workspace=workspace,
        object_type=ObjectType.OPPORTUNITY,
    )
    return set(deals.values_list("pk", flat=True))


OPPORTUNITIES = register(
    RecordType(
        key="opportunities",
        object_type=ObjectType.OPPORTUNITY,
        label="Deals",
        icon="briefcase",
        order=3,
        documents=opportunity_documents,
        live_ids=opportunity_live_ids,
        visible_ids=opportunity_visible_ids,
        url=page_url("opportunity_detail"),
        shows={"account": opportunities_of_accounts},
    )
)


# --- Leads: found by name, email, company and phone ---------------------------------------------------------------


def lead_documents(ids: Iterable[int]) -> list[Document]:
    rows = Lead.objects.filter(pk__in=list(ids), deleted_at__isnull=True).values_list(
        "pk", "workspace_id", "owner_id", "first_name", "last_name", "email", "company", "phone", "status", "external_id"
    )
    documents = []
    for pk, workspace_id, owner_id, first_name, last_name, email, company, phone, status, external_id in rows:
        name = " ".join(part for part in (first_name, last_name) if part) or email or company
        documents.append(
            Document(
                object_id=pk,
                workspace_id=workspace_id,
                owner_id=owner_id,
                title=name,
                subtitle=" · ".join(part for part in (company, email, Lead.Status(status).label) if part),
                text=" ".join(
                    part
                    for part in (
                        document_text(first_name, last_name, email, company, external_id or ""),
                        sensitive_text("phone", *(phone_forms(phone) if phone else ())),
                    )
                    if part
                ),
            )
        )
    return documents


def lead_live_ids(workspace: Workspace) -> QuerySet[Any, int]:
    return Lead.objects.filter(workspace=workspace, deleted_at__isnull=True).values_list("pk", flat=True)


def lead_visible_ids(actor: User, workspace: Workspace, ids: list[int]) -> set[int]:
    leads = visible(Lead.objects.filter(pk__in=ids, deleted_at__isnull=True), actor=actor, workspace=workspace, object_type=ObjectType.LEAD)
    return set(leads.values_list("pk", flat=True))


LEADS = register(
    RecordType(
        key="leads",
        object_type=ObjectType.LEAD,
        label="Leads",
        icon="user-plus",
        order=5,
        documents=lead_documents,
        live_ids=lead_live_ids,
        visible_ids=lead_visible_ids,
        url=page_url("lead_detail"),
    )
)


# --- Quotes: found by number, title, customer; the latest version of each ------------------------------------


def quote_documents(ids: Iterable[int]) -> list[Document]:
    """Each quote's current version (a superseded one is left out: its revision is what people look for)."""
    rows = (
        Quote.objects.filter(pk__in=list(ids))
        .exclude(status=Quote.Status.SUPERSEDED)
        .values_list(
            "pk",
            "workspace_id",
            "owner_id",
            "number",
            "version",
            "title",
            "account__name",
            "contact__first_name",
            "contact__last_name",
            "status",
            "total_amount",
            "currency",
        )
    )
    documents = []
    for pk, workspace_id, owner_id, number, version, title, account_name, first, last, status, total, currency in rows:
        label = number if version == 1 else f"{number} v{version}"
        documents.append(
            Document(
                object_id=pk,
                workspace_id=workspace_id,
                owner_id=owner_id,
                title=label,
                subtitle=" · ".join([account_name, Quote.Status(status).label, f"{total} {currency}"]),
                text=document_text(number, title, account_name, first or "", last or ""),
            )
        )
    return documents


def quote_live_ids(workspace: Workspace) -> QuerySet[Any, int]:
    return Quote.objects.filter(workspace=workspace).exclude(status=Quote.Status.SUPERSEDED).values_list("pk", flat=True)


def quotes_of_accounts(account_ids: list[int]) -> QuerySet[Any, int]:
    """The current quotes of these accounts: their documents show the account's name."""
    return Quote.objects.filter(account_id__in=account_ids).exclude(status=Quote.Status.SUPERSEDED).values_list("pk", flat=True)


def quote_visible_ids(actor: User, workspace: Workspace, ids: list[int]) -> set[int]:
    quotes = visible(Quote.objects.filter(pk__in=ids), actor=actor, workspace=workspace, object_type=ObjectType.QUOTE)
    return set(quotes.values_list("pk", flat=True))


QUOTES = register(
    RecordType(
        key="quotes",
        object_type=ObjectType.QUOTE,
        label="Quotes",
        icon="file-dollar",
        order=6,
        documents=quote_documents,
        live_ids=quote_live_ids,
        visible_ids=quote_visible_ids,
        url=page_url("quote_detail"),
        shows={"account": quotes_of_accounts},
    )
)
