"""What the API takes in and gives out for products, bundles and price books."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from ninja import Field, Schema


class ComponentIn(Schema):
    product_id: int
    quantity: Decimal = Field(Decimal(1), gt=0, description="How many of the product the bundle holds.")


class ComponentOut(Schema):
    product_id: int
    sku: str = Field(..., alias="product.sku")
    name: str = Field(..., alias="product.name")
    quantity: Decimal


class _ProductFields(Schema):
    description: str | None = Field(None, max_length=10_000)
    kind: str | None = Field(None, description="product, service or bundle")
    unit: str | None = Field(None, max_length=30)
    cost: Decimal | None = None
    tax_rate: Decimal | None = Field(None, description="Percent, 0–100.")
    tax_category: str | None = Field(None, max_length=40)
    active: bool | None = None
    custom: dict[str, Any] | None = None
    components: list[ComponentIn] | None = Field(None, max_length=100, description="A bundle's products; only for kind=bundle.")


class ProductIn(_ProductFields):
    sku: str = Field(..., max_length=64)
    name: str = Field(..., max_length=200)
    currency: str = Field(..., description="ISO 4217 code of the list price and cost, e.g. EUR.")
    list_price: Decimal


class ProductPatch(_ProductFields):
    sku: str | None = Field(None, max_length=64)
    name: str | None = Field(None, max_length=200)
    currency: str | None = None
    list_price: Decimal | None = None


class ProductOut(Schema):
    id: int
    sku: str
    name: str
    description: str
    kind: str
    unit: str
    currency: str
    list_price: Decimal
    cost: Decimal | None
    tax_rate: Decimal
    tax_category: str
    active: bool
    components: list[ComponentOut]
    custom: dict[str, Any]
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_components(product: Any) -> list[Any]:
        return list(product.components.all())


class ProductFilterIn(Schema):
    kind: str | None = None
    active: bool | None = None
    currency: str | None = None
    tax_category: str | None = None
    q: str | None = Field(None, max_length=100, description="Part of the name or SKU.")
    sort: str | None = Field(None, description="name (default), -name, sku, -sku, list_price, -list_price, created_at, -created_at.")


class PriceOut(Schema):
    product_id: int
    unit_price: Decimal
    currency: str
    source: str = Field(..., description="account, segment, default (the currency's default book) or list (the product's list price).")
    price_book_id: int | None
    price_book_name: str


class PriceQuery(Schema):
    currency: str | None = Field(None, description="ISO 4217 code (required).")
    account_id: int | None = Field(None, description="Price for this account (its own and its tags' price books).")


class PriceEntryIn(Schema):
    product_id: int
    unit_price: Decimal


class PriceEntriesIn(Schema):
    entries: list[PriceEntryIn] = Field(..., min_length=1, max_length=1000)


class PriceEntryOut(Schema):
    product_id: int
    sku: str = Field(..., alias="product.sku")
    name: str = Field(..., alias="product.name")
    unit_price: Decimal


class _PriceBookFields(Schema):
    description: str | None = Field(None, max_length=500)
    is_default: bool | None = Field(None, description="The prices everyone gets in this currency unless a narrower book applies.")
    account_id: int | None = Field(None, description="Only for this account.")
    tag: str | None = Field(None, description="Only for accounts with this tag (a segment).")
    active: bool | None = None
    entries: list[PriceEntryIn] | None = Field(None, max_length=1000, description="Prices to set (added or replaced).")


class PriceBookIn(_PriceBookFields):
    name: str = Field(..., max_length=120)
    currency: str


class PriceBookPatch(_PriceBookFields):
    name: str | None = Field(None, max_length=120)
    currency: str | None = None


class PriceBookOut(Schema):
    id: int
    name: str
    description: str
    currency: str
    is_default: bool
    scope: str = Field(..., description="default, account, segment or general.")
    account_id: int | None
    tag: str | None
    active: bool
    entry_count: int
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_tag(book: Any) -> str | None:
        return book.tag.name if book.tag_id else None


class SetCountOut(Schema):
    updated: int
