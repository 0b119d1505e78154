"""Putting many rows into a table fast: COPY on PostgreSQL, executemany elsewhere, with ids allocated up front.

Ids are taken before the rows are written (from the table's sequence on PostgreSQL; from the
table's highest id under SQLite's write lock elsewhere), so that children (emails, phones,
tags, links) can be written in the same batch without reading anything back.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection, models


def allocate_ids(model: type[models.Model], count: int) -> list[int]:
    """`count` fresh primary keys for `model`; call inside the transaction that writes the rows."""
    if count == 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count])
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")
        highest = cursor.fetchone()[0]
        if connection.vendor == "sqlite":
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            sequence = cursor.fetchone()
            highest = max(highest, sequence[0] if sequence else 0)
    return list(range(highest + 1, highest + 1 + count))


def converter(field: models.Field[Any, Any]) -> Callable[[Any], Any] | None:
    """How one field's Python value goes to the database, or None when it goes as it is."""
    kind = field.get_internal_type()
    if kind == "JSONField":
        return lambda value: None if value is None else json.dumps(value)
    if kind == "DateTimeField" and connection.vendor != "postgresql":
        return _adapted_datetime
    if kind == "DecimalField":
        return lambda value: None if value is None else str(value)
    return None


@functools.lru_cache(maxsize=64)
def _adapted_datetime(value: Any) -> Any:
    """A batch stamps every row with the same time: convert it once."""
    return None if value is None else connection.ops.adapt_datetimefield_value(value)


def write_rows(model: type[models.Model], columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Insert plain tuples (one value per named field; attnames for foreign keys) into the model's table."""
    if not rows:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    fields: list[Any] = [model._meta.get_field(column) for column in columns]
    names = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw: Any = cursor.cursor
            with raw.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({placeholders})", rows)


def record_rows(model: type[models.Model], instances: list[models.Model]) -> tuple[list[str], list[list[Any]]]:
    """Every concrete column of each instance (with its id set), converted for the database."""
    fields = [field for field in model._meta.concrete_fields if not getattr(field, "generated", False)]
    columns = [field.attname for field in fields]
    converters = [converter(field) for field in fields]
    rows = []
    for instance in instances:
        values = [getattr(instance, name) for name in columns]
        rows.append([value if convert is None else convert(value) for convert, value in zip(converters, values, strict=True)])
    return columns, rows
