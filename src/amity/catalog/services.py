"""Every change to the catalog: products, bundles, price books and their prices; validated as a whole, atomic, audited."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from amity.catalog.models import BundleComponent, PriceBook, PriceBookEntry, Product
from amity.core import audit, money
from amity.core.access import require
from amity.core.custom_fields import clean_custom
from amity.core.errors import FieldErrors
from amity.core.models import AuditEntry, User, Workspace
from amity.core.permissions import Action, ObjectType
from amity.customers.models import Account, Tag
from amity.search.services import index_records, remove_records

AUDITED_PRODUCT_FIELDS = [
    "sku", "name", "description", "kind", "unit", "currency", "list_price", "cost", "tax_rate", "tax_category", "active", "custom",
]  # fmt: skip
AUDITED_PRICE_BOOK_FIELDS = ["name", "description", "currency", "is_default", "account", "tag", "active"]
TEXT_LIMITS = {"sku": 64, "name": 200, "unit": 30, "tax_category": 40}
MAX_COMPONENTS = 100
MAX_ENTRIES = 1000
PERCENT = {"minimum": Decimal(0)}


def _text(record: Any, data: Mapping[str, Any], limits: Mapping[str, int], errors: FieldErrors) -> None:
    for field, limit in limits.items():
        if field in data:
            value = " ".join(str(data[field] or "").split())
            if len(value) > limit:
                errors[field] = f"Use at most {limit} characters."
            setattr(record, field, value)


def percent(value: Any, *, field: str) -> Decimal:
    """A percentage from 0 to 100 with two decimals."""
    number = money.amount(value if value not in (None, "") else 0, field=field)
    if number > 100:
        raise ValidationError({field: "Must be at most 100."})
    return number


# --- Products and bundles ------------------------------------------------------------------------


def _product_snapshot(product: Product) -> dict[str, Any]:
    if product.pk is None:
        return dict.fromkeys([*AUDITED_PRODUCT_FIELDS, "components"])
    values = audit.snapshot(product, AUDITED_PRODUCT_FIELDS)
    values["components"] = [f"{c.quantity.normalize()} × {c.product_id}" for c in product.components.order_by("position", "id")]
    return values


def _components(product: Product, workspace: Workspace, raw: Any, errors: FieldErrors) -> list[tuple[Product, Decimal]]:
    """A bundle's parts: other, non-bundle products of the workspace, each with a quantity above zero."""
    rows = [dict(row) for row in raw or []]
    if len(rows) > MAX_COMPONENTS:
        errors["components"] = f"A bundle holds at most {MAX_COMPONENTS} products."
        return []
    wanted = {row.get("product_id") for row in rows}
    found = {p.pk: p for p in Product.objects.filter(workspace=workspace, pk__in=[pk for pk in wanted if isinstance(pk, int)])}
    parts: list[tuple[Product, Decimal]] = []
    seen: set[int] = set()
    for index, row in enumerate(rows):
        part = found.get(row.get("product_id"))  # type: ignore[arg-type]
        if part is None:
            errors[f"components.{index}.product_id"] = f"No product with id {row.get('product_id')} in this workspace."
            continue
        if part.kind == Product.Kind.BUNDLE or (product.pk is not None and part.pk == product.pk):
            errors[f"components.{index}.product_id"] = "A bundle is made of products and services, not of bundles."
            continue
        if part.pk in seen:
            errors[f"components.{index}.product_id"] = "This product is in the bundle already; raise its quantity instead."
            continue
        seen.add(part.pk)
        quantity = errors.check(money.amount, row.get("quantity", 1), field=f"components.{index}.quantity", places=Decimal("0.001"))
        if quantity is not None and quantity <= 0:
            errors[f"components.{index}.quantity"] = "Must be more than 0."
        elif quantity is not None:
            parts.append((part, quantity))
    return parts


def clean_product(product: Product, workspace: Workspace, data: Mapping[str, Any]) -> list[tuple[Product, Decimal]] | None:
    """Apply `data` to a product by every rule; return the bundle components to write (None: leave them). Writes nothing."""
    errors = FieldErrors()
    _text(product, data, TEXT_LIMITS, errors)
    if "description" in data:
        product.description = str(data["description"] or "").strip()[:10_000]
    if "kind" in data:
        if data["kind"] not in Product.Kind.values:
            errors["kind"] = f"Choose one of: {', '.join(Product.Kind.values)}."
        elif product.pk is not None and data["kind"] != product.kind and Product.Kind.BUNDLE in {data["kind"], product.kind}:
            errors["kind"] = "A bundle cannot become a product, nor a product a bundle; create a new one."
        else:
            product.kind = data["kind"]
    if "currency" in data:
        product.currency = errors.check(money.currency_code, data["currency"]) or product.currency
    for field in ("list_price", "cost"):
        if field in data:
            empty = data[field] in (None, "")
            if empty and field == "list_price":
                errors[field] = "A product needs a list price (0 for free)."
            else:
                setattr(product, field, None if empty else errors.check(money.amount, data[field], field=field))
    if "tax_rate" in data:
        product.tax_rate = errors.check(percent, data["tax_rate"], field="tax_rate") or Decimal(0)
    if "active" in data:
        product.active = bool(data["active"])
    if "custom" in data or product.pk is None:
        try:
            product.custom = clean_custom(
                workspace=workspace,
                object_type=ObjectType.PRODUCT,
                values=dict(data.get("custom") or {}),
                existing=product.custom,
                model=Product,
                instance_pk=product.pk,
            )
        except ValidationError as error:
            errors.add(error)
    for field, message in (("sku", "A product needs a SKU."), ("name", "A product needs a name."), ("currency", "Give a currency.")):
        if not getattr(product, field) and field not in errors:
            errors[field] = message
    if product.sku and Product.objects.filter(workspace=workspace, sku__iexact=product.sku).exclude(pk=product.pk or 0).exists():
        errors.setdefault("sku", f"Another product has the SKU {product.sku!r}.")
    components = None
    if product.kind == Product.Kind.BUNDLE and ("components" in data or product.pk is None):
        components = _components(product, workspace, data.get("components"), errors)
        if not components and not any(key.startswith("components") for key in errors):
            errors["components"] = "A bundle needs at least one product."
    elif data.get("components"):
        errors["components"] = "Only a bundle has components."
    errors.raise_if_any()
    return components


def _save_product(*, actor: User, workspace: Workspace, product: Product, data: Mapping[str, Any]) -> Product:
    creating = product.pk is None
    before = _product_snapshot(product)
    components = clean_product(product, workspace, data)
    product.save()
    if components is not None:
        product.components.all().delete()
        BundleComponent.objects.bulk_create(
            BundleComponent(workspace=workspace, bundle=product, product=part, quantity=quantity, position=position)
            for position, (part, quantity) in enumerate(components)
        )
    changes = audit.diff(before, _product_snapshot(product))
    if creating or changes:
        action = AuditEntry.Action.CREATE if creating else AuditEntry.Action.UPDATE
        audit.record(actor=actor, workspace=workspace, action=action, obj=product, changes=changes)
        transaction.on_commit(partial(index_records, object_type="product", ids=[product.pk]))
    return product


@transaction.atomic
def product_create(*, actor: User, workspace: Workspace, data: Mapping[str, Any]) -> Product:
    """Add a product, service or bundle to the catalog."""
    require(actor, workspace, Action.ADD, ObjectType.PRODUCT)
    return _save_product(actor=actor, workspace=workspace, product=Product(workspace=workspace), data=data)


@transaction.atomic
def product_update(*, actor: User, product: Product, data: Mapping[str, Any]) -> Product:
    """Change some fields of a product; fields not given stay as they are."""
    require(actor, product.workspace, Action.CHANGE, ObjectType.PRODUCT)
    return _save_product(actor=actor, workspace=product.workspace, product=product, data=data)


@transaction.atomic
def product_delete(*, actor: User, product: Product) -> None:
    """Remove a product that no deal or bundle uses; one in use is deactivated instead."""
    require(actor, product.workspace, Action.DELETE, ObjectType.PRODUCT)
    if product.in_bundles.exists():
        raise ValidationError({"product": "This product is part of a bundle; take it out of the bundle first, or deactivate it."})
    if product.line_items.exists():
        raise ValidationError({"product": "Deals use this product; deactivate it instead (set active to false)."})
    audit.record(
        actor=actor,
        workspace=product.workspace,
        action=AuditEntry.Action.DELETE,
        obj=product,
        changes=audit.diff(_product_snapshot(product), {}),
    )
    workspace, pk = product.workspace, product.pk
    product.delete()
    transaction.on_commit(partial(remove_records, workspace=workspace, object_type="product", ids=[pk]))


# --- Price books -------------------------------------------------------------------------------------


def clean_price_book(book: PriceBook, workspace: Workspace, data: Mapping[str, Any]) -> None:
    """Apply `data` to a price book by every rule; raises one ValidationError naming each bad field."""
    errors = FieldErrors()
    if "name" in data:
        book.name = " ".join(str(data["name"] or "").split())
        if not book.name or len(book.name) > 120:
            errors["name"] = "A price book's name has 1 to 120 characters."
        elif PriceBook.objects.filter(workspace=workspace, name__iexact=book.name).exclude(pk=book.pk or 0).exists():
            errors["name"] = f"Another price book is called {book.name!r}."
    if "description" in data:
        book.description = str(data["description"] or "").strip()[:500]
    if "currency" in data:
        if book.pk is not None and data["currency"] and str(data["currency"]).upper() != book.currency and book.entries.exists():
            errors["currency"] = "This book has prices in its currency; make a new book for another currency."
        else:
            book.currency = errors.check(money.currency_code, data["currency"]) or book.currency
    if "account_id" in data:
        account_id = data["account_id"]
        book.account = Account.objects.filter(workspace=workspace, pk=account_id, deleted_at__isnull=True).first() if account_id else None
        if account_id and book.account is None:
            errors["account_id"] = f"No account with id {account_id} in this workspace."
    if "tag" in data:
        name = str(data["tag"] or "").strip()
        book.tag = Tag.objects.filter(workspace=workspace, name__iexact=name).first() if name else None
        if name and book.tag is None:
            errors["tag"] = f"No tag named {name!r} in this workspace; tag some accounts with it first."
    if "is_default" in data:
        book.is_default = bool(data["is_default"])
    if "active" in data:
        book.active = bool(data["active"])
    if book.account_id and book.tag_id:
        errors.setdefault("tag", "A price book is for one account or for one tag, not both.")
    if book.is_default and (book.account_id or book.tag_id):
        errors.setdefault("is_default", "The default book of a currency is for everyone; leave account and tag empty.")
    if book.is_default and not book.active:
        errors.setdefault("active", "The default book of a currency must be active.")
    if not book.currency:
        errors.setdefault("currency", "Give a currency.")
    if not book.name:
        errors.setdefault("name", "A price book needs a name.")
    errors.raise_if_any()


def _take_default(book: PriceBook) -> None:
    """A new default book of a currency replaces the old one (there is one default per currency)."""
    if book.is_default:
        PriceBook.objects.filter(workspace=book.workspace, currency=book.currency, is_default=True).exclude(pk=book.pk or 0).update(
            is_default=False
        )


def _save_price_book(*, actor: User, workspace: Workspace, book: PriceBook, data: Mapping[str, Any]) -> PriceBook:
    creating = book.pk is None
    before = audit.snapshot(book, AUDITED_PRICE_BOOK_FIELDS) if not creating else {}
    clean_price_book(book, workspace, data)
    _take_default(book)
    book.save()
    changes = audit.diff(before, audit.snapshot(book, AUDITED_PRICE_BOOK_FIELDS))
    if creating or changes:
        action = AuditEntry.Action.CREATE if creating else AuditEntry.Action.UPDATE
        audit.record(actor=actor, workspace=workspace, action=action, obj=book, changes=changes)
    if data.get("entries"):
        price_book_set_prices(actor=actor, book=book, entries=data["entries"])
    return book


@transaction.atomic
def price_book_create(*, actor: User, workspace: Workspace, data: Mapping[str, Any]) -> PriceBook:
    """Open a price book in a currency, for everyone (the default), an account or a tag; optionally with its first prices."""
    require(actor, workspace, Action.ADD, ObjectType.PRICE_BOOK)
    return _save_price_book(actor=actor, workspace=workspace, book=PriceBook(workspace=workspace), data=data)


@transaction.atomic
def price_book_update(*, actor: User, book: PriceBook, data: Mapping[str, Any]) -> PriceBook:
    """Rename a price book, change whom it is for, make it the default; `entries` given set those prices."""
    require(actor, book.workspace, Action.CHANGE, ObjectType.PRICE_BOOK)
    return _save_price_book(actor=actor, workspace=book.workspace, book=book, data=data)


@transaction.atomic
def price_book_delete(*, actor: User, book: PriceBook) -> None:
    """Remove a price book and its prices; deals keep the prices they were given."""
    require(actor, book.workspace, Action.DELETE, ObjectType.PRICE_BOOK)
    changes = audit.diff(audit.snapshot(book, AUDITED_PRICE_BOOK_FIELDS), {})
    changes["entries"] = [book.entries.count(), None]
    audit.record(actor=actor, workspace=book.workspace, action=AuditEntry.Action.DELETE, obj=book, changes=changes)
    book.delete()


@transaction.atomic
def price_book_set_prices(*, actor: User, book: PriceBook, entries: Sequence[Mapping[str, Any]]) -> int:
    """Set the unit prices of some products in a book (adding or replacing them); others stay. Returns how many were set."""
    require(actor, book.workspace, Action.CHANGE, ObjectType.PRICE_BOOK)
    if len(entries) > MAX_ENTRIES:
        raise ValidationError({"entries": f"Send at most {MAX_ENTRIES} prices per call."})
    errors = FieldErrors()
    ids = [row.get("product_id") for row in entries]
    products = {p.pk: p for p in Product.objects.filter(workspace=book.workspace, pk__in=[pk for pk in ids if isinstance(pk, int)])}
    prices: dict[int, Decimal] = {}
    for index, row in enumerate(entries):
        product_id = row.get("product_id")
        if product_id not in products:
            errors[f"entries.{index}.product_id"] = f"No product with id {product_id} in this workspace."
        elif product_id in prices:
            errors[f"entries.{index}.product_id"] = "This product is priced twice in the list."
        price = errors.check(money.amount, row.get("unit_price"), field=f"entries.{index}.unit_price")
        if price is not None and product_id in products:
            prices[product_id] = price
    errors.raise_if_any()
    before = dict(PriceBookEntry.objects.filter(price_book=book, product_id__in=list(prices)).values_list("product_id", "unit_price"))
    PriceBookEntry.objects.bulk_create(
        [PriceBookEntry(workspace=book.workspace, price_book=book, product_id=pk, unit_price=price) for pk, price in prices.items()],
        update_conflicts=True,
        unique_fields=["price_book", "product"],
        update_fields=["unit_price"],
    )
    changes = {
        f"price.{products[pk].sku}": [str(before[pk]) if pk in before else None, str(price)]
        for pk, price in prices.items()
        if before.get(pk) != price
    }
    if changes:
        audit.record(actor=actor, workspace=book.workspace, action=AuditEntry.Action.UPDATE, obj=book, changes=changes)
    return len(prices)


@transaction.atomic
def price_book_remove_price(*, actor: User, entry: PriceBookEntry) -> None:
    """Take a product out of a price book: it is priced by the next book in line again."""
    book = entry.price_book
    require(actor, book.workspace, Action.CHANGE, ObjectType.PRICE_BOOK)
    audit.record(
        actor=actor,
        workspace=book.workspace,
        action=AuditEntry.Action.UPDATE,
        obj=book,
        changes={f"price.{entry.product.sku}": [str(entry.unit_price), None]},
    )
    entry.delete()
