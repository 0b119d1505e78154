"""Keyset (cursor) pagination: pages cost the same at row 10 and at row 10 million.

A cursor is the signed values of the sort columns of the last row of the page; the next page
asks for the rows strictly after it. The sort must end in a unique column (the id) so that
the order is total, and its field columns must not be null. A computed first column (a
`SortKey`: a custom field's value) may be null: those rows come last, in id order.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.http import HttpResponse
from ninja import Field, Schema
from ninja.responses import NinjaJSONEncoder

from amity.core.ordering import SortKey

M = TypeVar("M", bound=models.Model)
CURSOR_SALT = "amity.cursor"
Ordering = Sequence[str | SortKey]


class PageParams(Schema):
    cursor: str | None = Field(None, description="The next_cursor of the previous page.")
    limit: int = Field(settings.API_PAGE_SIZE_DEFAULT, ge=1, le=settings.API_PAGE_SIZE_MAX, description="Rows per page.")


@dataclass
class Page(Generic[M]):
    items: list[M]
    next_cursor: str | None


def _split(order: str) -> tuple[str, bool]:
    return (order[1:], True) if order.startswith("-") else (order, False)


@dataclass(frozen=True)
class _Column:
    """One column of an ordering: its name (a field or an annotation), its direction, how a cursor value becomes its type."""

    name: str
    descending: bool
    parse: Callable[[Any], Any]


def _columns(model: type[models.Model], ordering: Sequence[str]) -> list[_Column]:
    columns = []
    for order in ordering:
        name, descending = _split(order)
        field = model._meta.get_field(name)
        columns.append(_Column(name, descending, field.to_python if isinstance(field, models.Field) else _as_is))
    return columns


def _as_is(value: Any) -> Any:
    return value


def _after(columns: Sequence[_Column], values: Sequence[Any]) -> Q:
    """Rows after the cursor: (a > x) or (a = x and b > y) or … with each column's direction.

    The first column's bound (a >= x) is repeated on its own: both databases turn it into where an index
    scan starts, where the OR alone would make them read the index from its first row and filter.
    """
    condition = Q()
    equal_so_far = Q()
    parsed = [column.parse(raw) for column, raw in zip(columns, values, strict=True)]
    for column, value in zip(columns, parsed, strict=True):
        condition |= equal_so_far & Q(**{f"{column.name}__{'lt' if column.descending else 'gt'}": value})
        equal_so_far &= Q(**{column.name: value})
    if len(columns) > 1:
        first = columns[0]
        condition &= Q(**{f"{first.name}__{'lte' if first.descending else 'gte'}": parsed[0]})
    return condition


def _signed(values: Sequence[Any]) -> str:
    return signing.dumps(json.loads(json.dumps(list(values), cls=DjangoJSONEncoder)), salt=CURSOR_SALT, compress=True)


def encode_cursor(row: models.Model, ordering: Sequence[str]) -> str:
    return _signed([getattr(row, _split(order)[0]) for order in ordering])


def decode_cursor(cursor: str, length: int) -> list[Any]:
    try:
        values = signing.loads(cursor, salt=CURSOR_SALT)
    except signing.BadSignature:
        raise ValidationError({"cursor": "This cursor is not one we gave out; start again without it."}) from None
    if not isinstance(values, list) or len(values) != length:
        raise ValidationError({"cursor": "This cursor belongs to another sort order; start again without it."})
    return values


def paginate(queryset: models.QuerySet[M], *, ordering: Ordering, cursor: str | None, limit: int) -> Page[M]:
    """One page of `queryset` in `ordering`, plus the cursor of the next page (None on the last).

    An ordering is field names (`-created_at`, `id`), or a `SortKey` followed by field names.
    """
    values = decode_cursor(cursor, len(ordering)) if cursor else None
    head, *rest = ordering
    if isinstance(head, SortKey):
        return _paginate_by_key(queryset, head, _plain(rest), values, limit)
    names = _plain(ordering)
    ordered = queryset.order_by(*names)
    if values is not None:
        ordered = ordered.filter(_after(_columns(queryset.model, names), values))
    rows = list(ordered[: limit + 1])
    has_more = len(rows) > limit
    rows = rows[:limit]
    return Page(items=rows, next_cursor=encode_cursor(rows[-1], names) if has_more and rows else None)


def _plain(ordering: Sequence[str | SortKey]) -> list[str]:
    if any(isinstance(order, SortKey) for order in ordering):
        raise ValueError("A SortKey may only come first in an ordering.")
    return [str(order) for order in ordering]


def _paginate_by_key(queryset: models.QuerySet[M], key: SortKey, rest: list[str], values: list[Any] | None, limit: int) -> Page[M]:
    """A page sorted by an expression, rows without a value last: the sort keys first, then the page's rows.

    Rows with a value and rows without are two runs, each read in index order ((expression, id) and (id)),
    so each costs one index range whatever the depth; a page that spans both reads both. Then one query
    fetches the page's rows (with the queryset's prefetches) by id.
    """
    rest_columns = _columns(queryset.model, rest)
    names = [column.name for column in rest_columns]
    keys = queryset.prefetch_related(None).annotate(**{key.alias: key.expression}).values_list(key.alias, *names, "pk")
    present = keys.filter(**{f"{key.alias}__isnull": False}).order_by(key.name, *rest)
    missing = keys.filter(**{f"{key.alias}__isnull": True}).order_by(*rest)
    if values is not None and values[0] is None:
        found = list(missing.filter(_after(rest_columns, values[1:]))[: limit + 1])
    else:
        if values is not None:
            present = present.filter(_after([_Column(key.alias, key.descending, key.parse), *rest_columns], values))
        found = list(present[: limit + 1])
        if len(found) <= limit:
            found += list(missing[: limit + 1 - len(found)])
    has_more = len(found) > limit
    found = found[:limit]
    rows = queryset.in_bulk([row[-1] for row in found])
    items = [rows[row[-1]] for row in found if row[-1] in rows]
    return Page(items=items, next_cursor=_signed(found[-1][:-1]) if has_more and found else None)


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


def iterate(queryset: models.QuerySet[M], *, ordering: Ordering, batch_size: int = 500) -> Iterator[M]:
    """Every row of `queryset` in `ordering`, fetched one keyset page at a time (for exports of any size)."""
    cursor: str | None = None
    while True:
        page = paginate(queryset, ordering=ordering, cursor=cursor, limit=batch_size)
        yield from page.items
        if page.next_cursor is None:
            return
        cursor = page.next_cursor


def rows_response(rows: list[dict[str, Any]], next_cursor: str | None) -> HttpResponse:
    """A page of rows already shaped as the endpoint's schema, rendered as ninja renders it, without re-validating.

    For the busiest lists: walking 50 rows and their children through ninja's schema costs more than the SQL.
    Each such row builder has a test that holds its rows equal to the schema's output for the same record.
    """
    body = json.dumps({"items": rows, "next_cursor": next_cursor}, cls=NinjaJSONEncoder)
    return HttpResponse(body, content_type="application/json")
