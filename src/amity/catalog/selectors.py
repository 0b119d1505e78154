"""Reads of the catalog, and the one rule that prices a product for a customer."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import Count, Prefetch, Q

from amity.catalog.models import BundleComponent, PriceBook, PriceBookEntry, Product
from amity.core.access import visible
from amity.core.custom_fields import filter_lookups
from amity.core.models import User, Workspace
from amity.core.permissions import ObjectType
from amity.core.tenancy import get_scoped_or_404
from amity.customers.models import Account

PRODUCT_SORTS = {
    "name": ("name", "id"),
    "-name": ("-name", "-id"),
    "sku": ("sku", "id"),
    "-sku": ("-sku", "-id"),
    "list_price": ("list_price", "id"),
    "-list_price": ("-list_price", "-id"),
    "created_at": ("created_at", "id"),
    "-created_at": ("-created_at", "-id"),
}
PRICE_BOOK_SORTS = {"name": ("name", "id"), "-name": ("-name", "-id"), "created_at": ("created_at", "id")}


@dataclass(frozen=True)
class ProductFilter:
    kind: str | None = None
    active: bool | None = None
    currency: str | None = None
    tax_category: str | None = None
    q: str | None = None
    custom: dict[str, str] = field(default_factory=dict)


def _products(actor: User, workspace: Workspace) -> models.QuerySet[Product]:
    return visible(Product.objects.all(), actor=actor, workspace=workspace, object_type=ObjectType.PRODUCT).prefetch_related(
        Prefetch("components", queryset=BundleComponent._default_manager.select_related("product"))
    )


def product_list(*, actor: User, workspace: Workspace, filters: ProductFilter | None = None) -> models.QuerySet[Product]:
    """Products the actor may see, with bundle components prefetched."""
    filters = filters or ProductFilter()
    products = _products(actor, workspace)
    lookups = {
        "kind": filters.kind,
        "active": filters.active,
        "currency": (filters.currency or "").upper(),
        "tax_category": filters.tax_category,
    }
    products = products.filter(**{key: value for key, value in lookups.items() if value not in (None, "")})
    if filters.q:
        products = products.filter(Q(name__icontains=filters.q) | Q(sku__icontains=filters.q))
    if filters.custom:
        products = products.filter(**filter_lookups(workspace, ObjectType.PRODUCT, filters.custom))
    return products


def product_get(*, actor: User, workspace: Workspace, pk: int) -> Product:
    return get_scoped_or_404(_products(actor, workspace), pk=pk)


PICKER_LIMIT = 500


def product_choices(
    *, actor: User, workspace: Workspace, bundles: bool = True, limit: int = PICKER_LIMIT, include: Iterable[int] = ()
) -> list[Product]:
    """Active products by name for a picker (the first `limit`), and the products in `include` whatever their state."""
    products = visible(Product.objects.all(), actor=actor, workspace=workspace, object_type=ObjectType.PRODUCT)
    chosen = Q(active=True) if bundles else Q(active=True) & ~Q(kind=Product.Kind.BUNDLE)
    include = [pk for pk in include if pk]
    picked = list(products.filter(chosen).order_by("name", "id")[:limit])
    known = {product.pk for product in picked}
    missing = [pk for pk in include if pk not in known]
    if missing:
        picked += list(products.filter(pk__in=missing).order_by("name", "id"))
    return picked


def product_tax_categories(*, actor: User, workspace: Workspace, limit: int = 100) -> list[str]:
    """The tax categories the workspace's products use, for the list's filter."""
    products = visible(Product.objects.all(), actor=actor, workspace=workspace, object_type=ObjectType.PRODUCT)
    return list(products.exclude(tax_category="").order_by("tax_category").values_list("tax_category", flat=True).distinct()[:limit])


def price_book_list(*, actor: User, workspace: Workspace, currency: str | None = None) -> models.QuerySet[PriceBook]:
    """Price books the actor may see, with the number of prices in each."""
    books = visible(PriceBook.objects.all(), actor=actor, workspace=workspace, object_type=ObjectType.PRICE_BOOK)
    if currency:
        books = books.filter(currency=currency.upper())
    return books.select_related("account", "tag").annotate(entry_count=Count("entries"))


def price_book_get(*, actor: User, workspace: Workspace, pk: int) -> PriceBook:
    return get_scoped_or_404(price_book_list(actor=actor, workspace=workspace), pk=pk)


def price_book_entries(*, actor: User, workspace: Workspace, book: PriceBook) -> models.QuerySet[PriceBookEntry]:
    """The prices of one book, with their products."""
    entries = visible(PriceBookEntry.objects.all(), actor=actor, workspace=workspace, object_type=ObjectType.PRICE_BOOK)
    return entries.filter(price_book=book).select_related("product")


def price_book_entry_get(*, actor: User, workspace: Workspace, book: PriceBook, product_id: int) -> PriceBookEntry:
    entries = price_book_entries(actor=actor, workspace=workspace, book=book).select_related("price_book")
    return get_scoped_or_404(entries, product_id=product_id)


# --- Pricing -------------------------------------------------------------------------------------------

SCOPE_RANK = {"account": 0, "segment": 1, "default": 2}


@dataclass(frozen=True)
class ResolvedPrice:
    """A product's unit price for a customer in a currency, and which book (or the list price) it came from."""

    product_id: int
    unit_price: Decimal
    currency: str
    source: str  # account, segment, default or list
    price_book_id: int | None = None
    price_book_name: str = ""


def resolve_prices(
    *, workspace: Workspace, product_ids: Iterable[int], currency: str, account: Account | None = None
) -> dict[int, ResolvedPrice]:
    """Each product's price for `account` in `currency`, in two queries whatever the number of products.

    The narrowest active book that prices the product wins: the account's own book, then a book of
    one of the account's tags (the lowest price when several do), then the currency's default book,
    then the product's list price when it is in that currency. A product with none of these is left out.
    """
    wanted = sorted(set(product_ids))
    scope = Q(is_default=True)
    if account is not None:
        scope |= Q(account=account) | Q(tag__in=account.tags.all())
    entries = (
        PriceBookEntry.objects.filter(
            workspace=workspace,
            product_id__in=wanted,
            price_book__in=PriceBook.objects.filter(scope, workspace=workspace, currency=currency, active=True),
        )
        .select_related("price_book")
        .order_by("product_id", "unit_price", "price_book__name", "id")
    )
    found: dict[int, ResolvedPrice] = {}
    for entry in entries:
        book = entry.price_book
        candidate = ResolvedPrice(entry.product_id, entry.unit_price, currency, book.scope, book.pk, book.name)
        current = found.get(entry.product_id)
        if current is None or SCOPE_RANK[candidate.source] < SCOPE_RANK[current.source]:
            found[entry.product_id] = candidate
    missing = [pk for pk in wanted if pk not in found]
    if missing:
        for pk, list_price in Product.objects.filter(workspace=workspace, pk__in=missing, currency=currency).values_list(
            "pk", "list_price"
        ):
            found[pk] = ResolvedPrice(pk, list_price, currency, "list")
    return found


def price_for(*, workspace: Workspace, product: Product, currency: str, account: Account | None = None) -> ResolvedPrice | None:
    """One product's price for an account in a currency (see resolve_prices), or None when nothing prices it."""
    return resolve_prices(workspace=workspace, product_ids=[product.pk], currency=currency, account=account).get(product.pk)


def products_by_ids(*, workspace: Workspace, ids: Iterable[Any]) -> dict[int, Product]:
    """Products of the workspace by id (for services that were handed ids and check each one)."""
    return {
        product.pk: product for product in Product.objects.filter(workspace=workspace, pk__in=[pk for pk in ids if isinstance(pk, int)])
    }
