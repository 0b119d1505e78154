"""Keyset (cursor) pagination: pages cost the same at row 10 and at row 10 million.

A cursor is the signed values of the sort columns of the last row of the page; the next page
asks for the rows strictly after it. The sort must end in a unique column (the id) so that
the order is total, and its columns must not be null.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from ninja import Field, Schema

M = TypeVar("M", bound=models.Model)
CURSOR_SALT = "amity.cursor"


class PageParams(Schema):
    cursor: str | None = Field(None, description="The next_cursor of the previous page.")
    limit: int = Field(settings.API_PAGE_SIZE_DEFAULT, ge=1, le=settings.API_PAGE_SIZE_MAX, description="Rows per page.")


@dataclass
class Page(Generic[M]):
    items: list[M]
    next_cursor: str | None


def _split(order: str) -> tuple[str, bool]:
    return (order[1:], True) if order.startswith("-") else (order, False)


def _after(model: type[models.Model], ordering: Sequence[str], values: list[Any]) -> Q:
    """Rows after the cursor: (a > x) or (a = x and b > y) or … with each column's direction."""
    condition = Q()
    equal_so_far = Q()
    for order, raw in zip(ordering, values, strict=True):
        name, descending = _split(order)
        field = model._meta.get_field(name)
        value = field.to_python(raw) if isinstance(field, models.Field) else raw
        condition |= equal_so_far & Q(**{f"{name}__{'lt' if descending else 'gt'}": value})
        equal_so_far &= Q(**{name: value})
    return condition


def encode_cursor(row: models.Model, ordering: Sequence[str]) -> str:
    values = [getattr(row, _split(order)[0]) for order in ordering]
    return signing.dumps(json.loads(json.dumps(values, cls=DjangoJSONEncoder)), salt=CURSOR_SALT, compress=True)


def decode_cursor(cursor: str, length: int) -> list[Any]:
    try:
        values = signing.loads(cursor, salt=CURSOR_SALT)
    except signing.BadSignature:
        raise ValidationError({"cursor": "This cursor is not one we gave out; start again without it."}) from None
    if not isinstance(values, list) or len(values) != length:
        raise ValidationError({"cursor": "This cursor belongs to another sort order; start again without it."})
    return values


def paginate(queryset: models.QuerySet[M], *, ordering: Sequence[str], cursor: str | None, limit: int) -> Page[M]:
    """One page of `queryset` in `ordering`, plus the cursor of the next page (None on the last)."""
    ordered = queryset.order_by(*ordering)
    if cursor:
        ordered = ordered.filter(_after(queryset.model, ordering, decode_cursor(cursor, len(ordering))))
    rows = list(ordered[: limit + 1])
    has_more = len(rows) > limit
    rows = rows[:limit]
    return Page(items=rows, next_cursor=encode_cursor(rows[-1], ordering) if has_more and rows else None)


def sort_ordering(sort: str | None, *, allowed: Mapping[str, Sequence[str]], default: str) -> Sequence[str]:
    """Turn a whitelisted `sort` parameter (e.g. `-created_at`) into a total ordering."""
    key = sort or default
    if key not in allowed:
        raise ValidationError({"sort": f"Sort by one of: {', '.join(sorted(allowed))}."})
    return allowed[key]


_page_schemas: dict[type[Schema], type[Schema]] = {}


def page_of(item: type[Schema]) -> type[Schema]:
    """The response schema of a list endpoint: `{"items": [...], "next_cursor": "..." | null}`."""
    if item not in _page_schemas:
        from pydantic import create_model

        items_type: Any = list[item]  # type: ignore[valid-type]
        _page_schemas[item] = create_model(
            f"{item.__name__.removesuffix('Out')}Page",
            __base__=Schema,
            items=(items_type, ...),
            next_cursor=(str | None, None),
        )
    return _page_schemas[item]


def iterate(queryset: models.QuerySet[M], *, ordering: Sequence[str], batch_size: int = 500) -> Iterator[M]:
    """Every row of `queryset` in `ordering`, fetched one keyset page at a time (for exports of any size)."""
    cursor: str | None = None
    while True:
        page = paginate(queryset, ordering=ordering, cursor=cursor, limit=batch_size)
        yield from page.items
        if page.next_cursor is None:
            return
        cursor = page.next_cursor
