"""Products in global search: found by name, SKU and unit; a result shows the SKU and list price."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from django.urls import NoReverseMatch, reverse

from amity.catalog.models import Product
from amity.core.access import visible
from amity.core.models import User, Workspace
from amity.core.permissions import ObjectType
from amity.search.registry import Document, RecordType, register
from amity.search.text import document_text


def product_documents(ids: Iterable[int]) -> list[Document]:
    rows = Product.objects.filter(pk__in=list(ids)).values_list(
        "pk", "workspace_id", "sku", "name", "kind", "list_price", "currency", "active"
    )
    return [
        Document(
            object_id=pk,
            workspace_id=workspace_id,
            owner_id=None,
            title=name,
            subtitle=" · ".join(
                part for part in [sku, f"{list_price} {currency}", Product.Kind(kind).label, "" if active else "inactive"] if part
            ),
            text=document_text(name, sku),
        )
        for pk, workspace_id, sku, name, kind, list_price, currency, active in rows
    ]


def product_live_ids(workspace: Workspace) -> QuerySet[Any, int]:
    return Product.objects.filter(workspace=workspace).values_list("pk", flat=True)


def product_visible_ids(actor: User, workspace: Workspace, ids: list[int]) -> set[int]:
    products = visible(Product.objects.filter(pk__in=ids), actor=actor, workspace=workspace, object_type=ObjectType.PRODUCT)
    return set(products.values_list("pk", flat=True))


def _url(workspace: Workspace, pk: int) -> str | None:
    try:
        return reverse("product_detail", kwargs={"slug": workspace.slug, "pk": pk})
    except NoReverseMatch:  # the product page comes with the catalog's web UI
        return None


PRODUCTS = register(
    RecordType(
        key="products",
        object_type=ObjectType.PRODUCT,
        label="Products",
        icon="package",
        order=4,
        documents=product_documents,
        live_ids=product_live_ids,
        visible_ids=product_visible_ids,
        url=_url,
    )
)
