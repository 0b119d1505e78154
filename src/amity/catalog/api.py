"""The API of the catalog: products (and bundles), their prices for a customer, and price books with their prices."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Query, Router, Status

from amity.api.auth import actor_and_workspace
from amity.api.pagination import PageParams, page_of, paginate, sort_ordering
from amity.catalog import selectors, services
from amity.catalog.schemas import (
    PriceBookIn,
    PriceBookOut,
    PriceBookPatch,
    PriceEntriesIn,
    PriceEntryOut,
    PriceOut,
    PriceQuery,
    ProductFilterIn,
    ProductIn,
    ProductOut,
    ProductPatch,
    SetCountOut,
)
from amity.core import money
from amity.customers import selectors as customer_selectors

router = Router(tags=["catalog"])


def _custom_filters(request: HttpRequest) -> dict[str, str]:
    return {key.removeprefix("custom."): str(value) for key, value in request.GET.items() if key.startswith("custom.") and value}


# --- Products -----------------------------------------------------------------------------------------------


@router.get("/products", response=page_of(ProductOut), summary="Products, services and bundles")
def list_products(request: HttpRequest, page: Query[PageParams], filters: Query[ProductFilterIn]) -> Any:
    actor, workspace = actor_and_workspace(request)
    criteria = selectors.ProductFilter(**filters.model_dump(exclude={"sort"}), custom=_custom_filters(request))
    ordering = sort_ordering(filters.sort, allowed=selectors.PRODUCT_SORTS, default="name")
    return paginate(
        selectors.product_list(actor=actor, workspace=workspace, filters=criteria), ordering=ordering, cursor=page.cursor, limit=page.limit
    )


@router.post("/products", response={201: ProductOut}, summary="Add a product, service or bundle")
def create_product(request: HttpRequest, payload: ProductIn) -> Any:
    actor, workspace = actor_and_workspace(request)
    product = services.product_create(actor=actor, workspace=workspace, data=payload.model_dump(exclude_unset=True))
    return Status(201, selectors.product_get(actor=actor, workspace=workspace, pk=product.pk))


@router.get("/products/{product_id}", response=ProductOut)
def get_product(request: HttpRequest, product_id: int) -> Any:
    actor, workspace = actor_and_workspace(request)
    return selectors.product_get(actor=actor, workspace=workspace, pk=product_id)


@router.patch("/products/{product_id}", response=ProductOut)
def update_product(request: HttpRequest, product_id: int, payload: ProductPatch) -> Any:
    actor, workspace = actor_and_workspace(request)
    product = selectors.product_get(actor=actor, workspace=workspace, pk=product_id)
    services.product_update(actor=actor, product=product, data=payload.model_dump(exclude_unset=True))
    return selectors.product_get(actor=actor, workspace=workspace, pk=product_id)


@router.delete("/products/{product_id}", response={204: None}, summary="Remove a product no deal or bundle uses")
def delete_product(request: HttpRequest, product_id: int) -> Any:
    actor, workspace = actor_and_workspace(request)
    services.product_delete(actor=actor, product=selectors.product_get(actor=actor, workspace=workspace, pk=product_id))
    return Status(204, None)


@router.get("/products/{product_id}/price", response=PriceOut, summary="A product's price for an account in a currency")
def get_product_price(request: HttpRequest, product_id: int, query: Query[PriceQuery]) -> Any:
    """The account's own price book first, then its tags' books, then the currency's default book, then the list price."""
    actor, workspace = actor_and_workspace(request)
    product = selectors.product_get(actor=actor, workspace=workspace, pk=product_id)
    if not query.currency:
        raise ValidationError({"currency": "Give the currency to price in, e.g. EUR."})
    currency = money.currency_code(query.currency)
    account = customer_selectors.account_get(actor=actor, workspace=workspace, pk=query.account_id) if query.account_id else None
    price = selectors.price_for(workspace=workspace, product=product, currency=currency, account=account)
    if price is None:
        raise ValidationError({"currency": f"No price book prices {product.sku} in {currency}, and its list price is in another currency."})
    return price


# --- Price books ---------------------------------------------------------------------------------------------


@router.get("/price-books", response=page_of(PriceBookOut), summary="Price books")
def list_price_books(request: HttpRequest, page: Query[PageParams], currency: str | None = None, sort: str | None = None) -> Any:
    actor, workspace = actor_and_workspace(request)
    ordering = sort_ordering(sort, allowed=selectors.PRICE_BOOK_SORTS, default="name")
    books = selectors.price_book_list(actor=actor, workspace=workspace, currency=currency)
    return paginate(books, ordering=ordering, cursor=page.cursor, limit=page.limit)


@router.post("/price-books", response={201: PriceBookOut}, summary="Open a price book, optionally with its prices")
def create_price_book(request: HttpRequest, payload: PriceBookIn) -> Any:
    actor, workspace = actor_and_workspace(request)
    book = services.price_book_create(actor=actor, workspace=workspace, data=payload.model_dump(exclude_unset=True))
    return Status(201, selectors.price_book_get(actor=actor, workspace=workspace, pk=book.pk))


@router.get("/price-books/{price_book_id}", response=PriceBookOut)
def get_price_book(request: HttpRequest, price_book_id: int) -> Any:
    actor, workspace = actor_and_workspace(request)
    return selectors.price_book_get(actor=actor, workspace=workspace, pk=price_book_id)


@router.patch("/price-books/{price_book_id}", response=PriceBookOut)
def update_price_book(request: HttpRequest, price_book_id: int, payload: PriceBookPatch) -> Any:
    actor, workspace = actor_and_workspace(request)
    book = selectors.price_book_get(actor=actor, workspace=workspace, pk=price_book_id)
    services.price_book_update(actor=actor, book=book, data=payload.model_dump(exclude_unset=True))
    return selectors.price_book_get(actor=actor, workspace=workspace, pk=price_book_id)


@router.delete("/price-books/{price_book_id}", response={204: None})
def delete_price_book(request: HttpRequest, price_book_id: int) -> Any:
    actor, workspace = actor_and_workspace(request)
    services.price_book_delete(actor=actor, book=selectors.price_book_get(actor=actor, workspace=workspace, pk=price_book_id))
    return Status(204, None)


@router.get("/price-books/{price_book_id}/entries", response=page_of(PriceEntryOut), summary="The prices in a book")
def list_price_book_entries(request: HttpRequest, price_book_id: int, page: Query[PageParams]) -> Any:
    actor, workspace = actor_and_workspace(request)
    book = selectors.price_book_get(actor=actor, workspace=workspace, pk=price_book_id)
    entries = selectors.price_book_entries(actor=actor, workspace=workspace, book=book)
    return paginate(entries, ordering=("product_id", "id"), cursor=page.cursor, limit=page.limit)


@router.post("/price-books/{price_book_id}/entries", response=SetCountOut, summary="Set prices (up to 1,000), all or none")
def set_price_book_entries(request: HttpRequest, price_book_id: int, payload: PriceEntriesIn) -> Any:
    actor, workspace = actor_and_workspace(request)
    book = selectors.price_book_get(actor=actor, workspace=workspace, pk=price_book_id)
    entries = [entry.model_dump() for entry in payload.entries]
    return {"updated": services.price_book_set_prices(actor=actor, book=book, entries=entries)}


@router.delete("/price-books/{price_book_id}/entries/{product_id}", response={204: None}, summary="Take a product out of a book")
def delete_price_book_entry(request: HttpRequest, price_book_id: int, product_id: int) -> Any:
    actor, workspace = actor_and_workspace(request)
    book = selectors.price_book_get(actor=actor, workspace=workspace, pk=price_book_id)
    entry = selectors.price_book_entry_get(actor=actor, workspace=workspace, book=book, product_id=product_id)
    services.price_book_remove_price(actor=actor, entry=entry)
    return Status(204, None)
