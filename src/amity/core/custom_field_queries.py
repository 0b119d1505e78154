"""Sorting and filtering lists by custom fields: each type's SQL value, the filters it takes, the sort key it gives.

A custom field's value sits in the record's `custom` JSON column. A list sorts and filters by one SQL
expression per field type, and `custom_field_indexes` builds an index on exactly that expression, so
both stay one index range at a million records:

| type                                    | expression                              | filters                    |
| --------------------------------------- | --------------------------------------- | -------------------------- |
| number                                  | the value as a number                   | `=`, `__gte`, `__lte`      |
| money                                   | the amount as a number (any currency)   | `=`, `__gte`, `__lte`      |
| date, date and time                     | the ISO text (sorts in time order)      | `=`, `__gte`, `__lte`      |
| text, email, web address, phone, choice | the text, lower-cased                   | `=` (any case), `__contains` (text types); any of several choices |
| yes / no                                | the text true / false                   | `=`                        |
| multiple choice, user, long text        | (not sortable)                          | any of several / `=` / `__contains` |

Filter parameters are `custom.<key>` (equal to, or any of several values separated by `;`),
`custom.<key>__gte` and `custom.<key>__lte` (inclusive bounds) and `custom.<key>__contains`.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import reduce
from operator import or_
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import BooleanField, DecimalField, F, Func, TextField, Value
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.db.models.functions import Lower
from django.db.models.lookups import Exact, GreaterThanOrEqual, IContains, LessThan, LessThanOrEqual
from django.utils.dateparse import parse_date, parse_datetime

from amity.core.models import FieldDefinition
from amity.core.ordering import SortKey

Type = FieldDefinition.Type
KEY_PATTERN = re.compile(r"^[A-Za-z0-9_-]+$")
SORT_ALIAS = "custom_sort_value"
ANY_OF_SEPARATOR = ";"

NUMERIC_TYPES = {Type.NUMBER, Type.MONEY}
RANGE_TYPES = {Type.NUMBER, Type.MONEY, Type.DATE, Type.DATETIME}
TEXT_TYPES = {Type.TEXT, Type.EMAIL, Type.URL, Type.PHONE, Type.CHOICE}
CONTAINS_TYPES = {Type.TEXT, Type.LONG_TEXT, Type.EMAIL, Type.URL, Type.PHONE}
SORTABLE_TYPES = RANGE_TYPES | TEXT_TYPES | {Type.BOOLEAN}
FILTERABLE_TYPES = SORTABLE_TYPES | {Type.LONG_TEXT, Type.MULTI_CHOICE, Type.USER}


class CustomValue(Func):
    """The text of a custom field's value (`custom ->> 'key'`), or of a part of it (`custom -> 'key' ->> 'amount'`).

    On SQLite it is written `json_extract(custom, '$."key"')` with the path inline: Django's KeyTextTransform
    sends the path as a parameter inside a CASE whose text changes from one process to the next, and SQLite
    uses an expression index only for the very expression the index was built on.
    """

    output_field = TextField()
    sqlite_function = "json_extract"

    def __init__(self, field: str, *path: str) -> None:
        if not path or not all(KEY_PATTERN.fullmatch(part) for part in path):
            raise ValueError(f"Not a custom field key path: {path!r}")
        self.path = path
        super().__init__(F(field))

    def as_sql(
        self, compiler: Any, connection: Any, function: Any = None, template: Any = None, arg_joiner: Any = None, **extra: Any
    ) -> Any:
        transform: Any = self.source_expressions[0]
        for part in self.path[:-1]:
            transform = KeyTransform(part, transform)
        return compiler.compile(KeyTextTransform(self.path[-1], transform))

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        column, params = compiler.compile(self.source_expressions[0])
        json_path = "$" + "".join(f'."{part}"' for part in self.path)
        return f"{self.sqlite_function}({column}, '{json_path}')", params


class CustomBoolean(CustomValue):
    """A yes/no value as the text `true` / `false` on both databases (SQLite's json_extract would give 1 / 0)."""

    sqlite_function = "json_type"


class AsNumber(Func):
    """Text as a number; text that is not one (a value left by an older field with this key) is NULL, not an error."""

    output_field = DecimalField()
    # SQLite's CAST never fails (it reads the leading digits); PostgreSQL's does, hence the guard there.
    template = "CAST(%(expressions)s AS NUMERIC)"

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # Not Django's SQLite rule for decimals (wrap the whole in one more CAST): the index is built on this exact text.
        return self.as_sql(compiler, connection, **extra)

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        text, params = compiler.compile(self.source_expressions[0])
        pattern = r"^[-+]?[0-9]+(\.[0-9]*)?([eE][-+]?[0-9]+)?$"
        return f"(CASE WHEN {text} ~ '{pattern}' THEN CAST({text} AS NUMERIC) END)", (*params, *params)


class ListHasAny(Func):
    """A JSON list (a multiple-choice value) holding at least one of `values`."""

    output_field = BooleanField()
    conditional = True

    def __init__(self, field: str, key: str, values: Iterable[str]) -> None:
        if not KEY_PATTERN.fullmatch(key):
            raise ValueError(f"Not a custom field key: {key!r}")
        self.key = key
        self.values = list(values)
        super().__init__(F(field))

    def as_sql(
        self, compiler: Any, connection: Any, function: Any = None, template: Any = None, arg_joiner: Any = None, **extra: Any
    ) -> Any:  # PostgreSQL: jsonb's "any of these elements"
        column, params = compiler.compile(self.source_expressions[0])
        return f"({column} -> '{self.key}') ?| %s", (*params, self.values)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        column, params = compiler.compile(self.source_expressions[0])
        placeholders = ", ".join(["%s"] * len(self.values))
        sql = f"EXISTS (SELECT 1 FROM json_each({column}, '$.\"{self.key}\"') AS item WHERE item.value IN ({placeholders}))"
        return sql, (*params, *self.values)


class JsonEquals(Func):
    """A custom field's JSON value equal to `value` (a user id), compared as JSON, not as text."""

    output_field = BooleanField()
    conditional = True

    def __init__(self, field: str, key: str, value: Any) -> None:
        if not KEY_PATTERN.fullmatch(key):
            raise ValueError(f"Not a custom field key: {key!r}")
        self.key = key
        self.value = json.dumps(value)
        super().__init__(F(field))

    def as_sql(
        self, compiler: Any, connection: Any, function: Any = None, template: Any = None, arg_joiner: Any = None, **extra: Any
    ) -> Any:  # PostgreSQL
        column, params = compiler.compile(self.source_expressions[0])
        return f"({column} -> '{self.key}') = %s::jsonb", (*params, self.value)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        column, params = compiler.compile(self.source_expressions[0])
        return f"json_extract({column}, '$.\"{self.key}\"') = json_extract(%s, '$')", (*params, self.value)


def value_expression(definition: FieldDefinition, field: str = "custom") -> Any:
    """The SQL value a list sorts this field by (and the index is built on); None when the type does not sort."""
    kind = definition.type
    if kind == Type.NUMBER:
        return AsNumber(CustomValue(field, definition.key))
    if kind == Type.MONEY:
        return AsNumber(CustomValue(field, definition.key, "amount"))
    if kind in {Type.DATE, Type.DATETIME}:
        return CustomValue(field, definition.key)
    if kind == Type.BOOLEAN:
        return CustomBoolean(field, definition.key)
    if kind in TEXT_TYPES:
        return Lower(CustomValue(field, definition.key))
    return None


def _parse_cursor_value(kind: str) -> Any:
    if kind in NUMERIC_TYPES:
        return lambda value: None if value is None else Decimal(str(value))
    return lambda value: value


def sort_key(definition: FieldDefinition, *, descending: bool) -> SortKey:
    """Sort a list by this field; records without a value come last either way."""
    expression = value_expression(definition)
    if expression is None:
        raise ValueError(f"{definition.label} cannot be sorted.")
    return SortKey(alias=SORT_ALIAS, expression=expression, descending=descending, parse=_parse_cursor_value(definition.type))


def is_sortable(definition: FieldDefinition) -> bool:
    return definition.type in SORTABLE_TYPES


# --- Filters --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CustomFilter:
    """One checked filter on a custom field: `custom.<key>[__operator]` and its normalized values."""

    definition: FieldDefinition
    operator: str  # "" (equal to / any of), "gte", "lte" or "contains"
    values: tuple[Any, ...]

    @property
    def parameter(self) -> str:
        return f"custom.{self.definition.key}" + (f"__{self.operator}" if self.operator else "")

    def text(self) -> str:
        """The values as a URL parameter or a saved view keeps them."""
        return ANY_OF_SEPARATOR.join(str(value).lower() if isinstance(value, bool) else str(value) for value in self.values)

    def condition(self, field: str = "custom") -> Any:
        """The WHERE condition, written on the same expression as the field's index where the type has one."""
        definition, values = self.definition, self.values
        kind = definition.type
        if kind == Type.MULTI_CHOICE:
            return ListHasAny(field, definition.key, values)
        if kind == Type.USER:
            return JsonEquals(field, definition.key, values[0])
        if kind == Type.BOOLEAN:
            return Exact(CustomBoolean(field, definition.key), "true" if values[0] else "false")
        if self.operator == "contains":
            return IContains(CustomValue(field, definition.key), values[0])
        if kind == Type.DATETIME:
            return _datetime_condition(CustomValue(field, definition.key), self.operator, values[0])
        expression = value_expression(definition, field)
        if kind in TEXT_TYPES:
            return reduce(or_, [Exact(expression, Lower(Value(value))) for value in values])
        return {"": Exact, "gte": GreaterThanOrEqual, "lte": LessThanOrEqual}[self.operator](expression, values[0])


def _datetime_condition(expression: Any, operator: str, value: dt.date | dt.datetime) -> Any:
    """Times are ISO text in UTC; a plain date stands for that whole (UTC) day."""
    if isinstance(value, dt.datetime):
        text = value.astimezone(dt.UTC).isoformat()
        return {"": Exact, "gte": GreaterThanOrEqual, "lte": LessThanOrEqual}[operator](expression, text)
    day, next_day = value.isoformat(), (value + dt.timedelta(days=1)).isoformat()
    if operator == "gte":
        return GreaterThanOrEqual(expression, day)
    if operator == "lte":
        return LessThan(expression, next_day)
    return GreaterThanOrEqual(expression, day) & LessThan(expression, next_day)


def operators(definition: FieldDefinition) -> list[str]:
    """The operators a filter on this field takes ("" is equal to / any of)."""
    kind = definition.type
    if kind in RANGE_TYPES:
        return ["", "gte", "lte"]
    if kind in CONTAINS_TYPES:
        return ["", "contains"] if kind != Type.LONG_TEXT else ["contains"]
    return [""] if kind in FILTERABLE_TYPES else []


def _split_parameter(name: str, fields: Mapping[str, FieldDefinition]) -> tuple[FieldDefinition | None, str]:
    key = name.removeprefix("custom.")
    if key in fields:
        return fields[key], ""
    base, _, operator = key.rpartition("__")
    return (fields.get(base), operator) if base else (None, "")


def parse_filter(fields: Mapping[str, FieldDefinition], name: str, raw: str) -> CustomFilter:
    """Check one `custom.<key>[__operator]` parameter against the fields (by key); a ValidationError names the parameter."""
    definition, operator = _split_parameter(name, fields)
    if definition is None:
        raise ValidationError({name: "There is no such custom field."})
    allowed = operators(definition)
    if operator not in allowed:
        usable = ", ".join(f"custom.{definition.key}" + (f"__{op}" if op else "") for op in allowed)
        raise ValidationError({name: f"{definition.label} cannot be filtered this way; use {usable or 'no filter'}."})
    parts = [part.strip() for part in raw.split(ANY_OF_SEPARATOR)] if _takes_several(definition, operator) else [raw.strip()]
    parts = [part for part in parts if part]
    if not parts:
        raise ValidationError({name: "Enter a value to filter by."})
    try:
        values = tuple(_filter_value(definition, part) for part in parts)
    except ValueError as error:
        raise ValidationError({name: str(error)}) from None
    return CustomFilter(definition=definition, operator=operator, values=values)


def _takes_several(definition: FieldDefinition, operator: str) -> bool:
    return operator == "" and definition.type in {Type.CHOICE, Type.MULTI_CHOICE}


def _filter_value(definition: FieldDefinition, raw: str) -> Any:
    kind = definition.type
    if kind in NUMERIC_TYPES:
        try:
            number = Decimal(raw)
        except InvalidOperation:
            raise ValueError("Enter a number.") from None
        if not number.is_finite():
            raise ValueError("Enter a number.")
        return number
    if kind == Type.DATE:
        day = parse_date(raw) if len(raw) == 10 else None
        if day is None:
            raise ValueError("Enter a date as YYYY-MM-DD.")
        return day
    if kind == Type.DATETIME:
        return _moment(raw)
    if kind == Type.BOOLEAN:
        lowered = raw.lower()
        if lowered not in {"true", "yes", "1", "false", "no", "0"}:
            raise ValueError("Enter yes or no.")
        return lowered in {"true", "yes", "1"}
    if kind in {Type.CHOICE, Type.MULTI_CHOICE}:
        if raw not in definition.options:
            raise ValueError(f"Choose from: {', '.join(definition.options)}.")
        return raw
    if kind == Type.USER:
        if not raw.isdigit():
            raise ValueError("Give a user's id.")
        return int(raw)
    return raw


def _moment(raw: str) -> dt.date | dt.datetime:
    if len(raw) == 10:
        day = parse_date(raw)
        if day is not None:
            return day
    try:
        moment = parse_datetime(raw)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise ValueError("Enter a date (YYYY-MM-DD) or a date and time with its time zone, e.g. 2026-05-01T09:30:00Z.")
    return moment


def parse_filters(definitions: Iterable[FieldDefinition], wanted: Mapping[str, str]) -> list[CustomFilter]:
    """Every `custom.…` parameter checked at once; one ValidationError names each bad one."""
    fields = {definition.key: definition for definition in definitions}
    errors: dict[str, list[str]] = {}
    parsed = []
    for name, raw in wanted.items():
        try:
            parsed.append(parse_filter(fields, name, raw))
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    return parsed
