"""Orders and invoices in global search: found by their number and their customer's name, with their status and total."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db import models
from django.db.models import QuerySet

from amity.core.access import visible
from amity.core.models import User, Workspace
from amity.core.permissions import ObjectType
from amity.orders.models import Invoice, SalesOrder
from amity.search.registry import Document, RecordType, page_url, register
from amity.search.text import document_text

BillingModel = type[SalesOrder] | type[Invoice]


def _documents(model: BillingModel) -> Callable[[Iterable[int]], list[Document]]:
    def documents(ids: Iterable[int]) -> list[Document]:
        rows = model.objects.filter(pk__in=list(ids)).values_list(
            "pk", "workspace_id", "created_by_id", "number", "account__name", "contact__first_name", "contact__last_name",
            "status", "total_amount", "currency",
        )  # fmt: skip
        return [
            Document(
                object_id=pk,
                workspace_id=workspace_id,
                owner_id=created_by_id,
                title=number,
                subtitle=" · ".join([account_name, str(model.Status(status).label), f"{total} {currency}"]),
                text=document_text(number, account_name, first or "", last or ""),
            )
            for pk, workspace_id, created_by_id, number, account_name, first, last, status, total, currency in rows
        ]

    return documents


def _live_ids(model: BillingModel) -> Callable[[Workspace], QuerySet[Any, int]]:
    def live_ids(workspace: Workspace) -> QuerySet[Any, int]:
        return model.objects.filter(workspace=workspace).values_list("pk", flat=True)

    return live_ids


def _visible_ids(model: BillingModel, object_type: ObjectType) -> Callable[[User, Workspace, list[int]], set[int]]:
    def visible_ids(actor: User, workspace: Workspace, ids: list[int]) -> set[int]:
        queryset: models.QuerySet[Any] = model.objects.filter(pk__in=ids)
        return set(visible(queryset, actor=actor, workspace=workspace, object_type=object_type).values_list("pk", flat=True))

    return visible_ids


def _of_accounts(model: BillingModel) -> Callable[[list[int]], QuerySet[Any, int]]:
    """The orders or invoices of these accounts: their documents show the account's name."""

    def of_accounts(account_ids: list[int]) -> QuerySet[Any, int]:
        return model.objects.filter(account_id__in=account_ids).values_list("pk", flat=True)

    return of_accounts


def register_search() -> None:
    """Make orders and invoices findable in the search box and GET /api/v1/search."""
    for model, object_type, key, label, icon, order, url_name in (
        (SalesOrder, ObjectType.ORDER, "orders", "Orders", "package", 7, "order_detail"),
        (Invoice, ObjectType.INVOICE, "invoices", "Invoices", "receipt", 8, "invoice_detail"),
    ):
        register(
            RecordType(
                key=key,
                object_type=object_type,
                label=label,
                icon=icon,
                order=order,
                documents=_documents(model),
                live_ids=_live_ids(model),
                visible_ids=_visible_ids(model, object_type),
                url=page_url(url_name),
                shows={"account": _of_accounts(model)},
            )
        )
