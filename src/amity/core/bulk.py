"""Writing many rows at once, without model instances: COPY on PostgreSQL, executemany on SQLite.

For imports and index rebuilds, where the ORM's per-object work (instances, SQL compiled per
batch) costs more than the database itself. Rows are plain tuples in the order of the named
columns (attnames for foreign keys), already converted for the database (see `converter`).
Ids are taken before the rows are written, so that children can be written in the same
transaction without reading anything back. Nothing here runs `save()` or signals: callers
own their rules, their audit entries and their transaction.
"""

from __future__ import annotations

import functools
import json
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import connection, models
from django.db.models.expressions import RawSQL


def allocate_ids(model: type[models.Model], count: int) -> list[int]:
    """`count` fresh primary keys for `model`; call inside the transaction that writes the rows.

    PostgreSQL hands them out from the table's sequence. SQLite's tables are AUTOINCREMENT,
    so an id above both the highest row and the sequence is never reused, and the write lock
    held by the transaction keeps others from taking the same ones.
    """
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
        return json_value
    if kind == "DateTimeField" and connection.vendor != "postgresql":
        return _adapted_datetime
    if kind == "DecimalField":
        return lambda value: None if value is None else str(value)
    return None


def json_value(value: Any) -> str | None:
    """A JSON column's value as the database takes it in COPY and executemany alike."""
    if value is None:
        return None
    if value == {}:  # most records have no custom fields or social handles
        return "{}"
    if isinstance(value, dict) and len(value) <= 4:
        try:
            return _small_json(tuple(value.items()))
        except TypeError:  # a list or a dict among the values: not hashable, so not cached
            pass
    return json.dumps(value)


@functools.lru_cache(maxsize=4096)
def _small_json(items: tuple[tuple[str, Any], ...]) -> str:
    """A few custom fields of a handful of values (a tier, a region) recur row after row: encode each set once."""
    return json.dumps(dict(items))


@functools.lru_cache(maxsize=64)
def _adapted_datetime(value: Any) -> Any:
    """A batch stamps every row with the same time: convert it once."""
    return None if value is None else connection.ops.adapt_datetimefield_value(value)


def db_datetime(value: Any) -> Any:
    """A datetime as `insert_rows` and `update_rows` take it on this database."""
    return value if connection.vendor == "postgresql" else _adapted_datetime(value)


def concrete_field(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    """A column of the model's table, by field name or attname (`owner` or `owner_id`)."""
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field) or not field.concrete:
        raise ValueError(f"{model.__name__}.{name} is not a column")
    return field


def _names(model: type[models.Model], columns: Sequence[str]) -> tuple[str, list[str]]:
    table = connection.ops.quote_name(model._meta.db_table)
    return table, [connection.ops.quote_name(concrete_field(model, column).column) for column in columns]


def insert_rows(model: type[models.Model], columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Insert plain tuples (one value per named field) into the model's table."""
    if not rows:
        return
    table, names = _names(model, columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw: Any = cursor.cursor
            with raw.copy(f"COPY {table} ({', '.join(names)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            _many_values(cursor, f"INSERT INTO {table} ({', '.join(names)}) VALUES ", len(columns), rows)


# SQLite's limit on parameters per statement (SQLITE_MAX_VARIABLE_NUMBER since 3.32).
SQLITE_MAX_PARAMETERS = 32766


def _many_values(cursor: Any, head: str, width: int, rows: Sequence[Sequence[Any]], tail: str = "") -> None:
    """Run `head (…), (…), … tail` with thousands of rows of VALUES per statement (SQLite).

    Faster than executemany's statement per row, and far faster on a table with triggers: the
    search index's FTS5 trigger flushes its work at the end of every statement.
    """
    chunk = SQLITE_MAX_PARAMETERS // width
    row_placeholder = f"({', '.join(['?'] * width)})"
    sqlite_cursor = cursor.cursor
    for start in range(0, len(rows), chunk):
        part = rows[start : start + chunk]
        # Straight to sqlite3 with its own ? placeholders: Django's %s-to-? rewriting of a statement
        # with 30,000 placeholders costs more than running it.
        statement = head + ", ".join([row_placeholder] * len(part)) + tail
        sqlite3.Cursor.execute(sqlite_cursor, statement, [value for row in part for value in row])


def _copy_to_staging(cursor: Any, table: str, staging: str, names: list[str], rows: Sequence[Sequence[Any]]) -> None:
    """A temporary table shaped like `names` of `table`, filled with COPY (PostgreSQL)."""
    cursor.execute(f"DROP TABLE IF EXISTS {staging}")
    cursor.execute(f"CREATE TEMPORARY TABLE {staging} AS SELECT {', '.join(names)} FROM {table} WITH NO DATA")
    raw: Any = cursor.cursor
    with raw.copy(f"COPY {staging} ({', '.join(names)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def update_rows(model: type[models.Model], columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Set the named fields of many rows at once; each tuple is (id, *values).

    PostgreSQL: COPY into a temporary table, then one UPDATE … FROM it.
    SQLite: UPDATE … FROM a VALUES list of thousands of rows per statement.
    """
    if not rows:
        return
    table, names = _names(model, columns)
    assignments = ", ".join(f"{name} = staged.{name}" for name in names)
    update = f"UPDATE {table} SET {assignments} FROM staged WHERE {table}.id = staged.id"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            staging = connection.ops.quote_name(f"staging_{model._meta.db_table}")
            _copy_to_staging(cursor, table, staging, ["id", *names], rows)
            cursor.execute(f"WITH staged AS (SELECT * FROM {staging}) {update}")
            cursor.execute(f"DROP TABLE {staging}")
        else:
            _many_values(cursor, f"WITH staged(id, {', '.join(names)}) AS (VALUES ", len(columns) + 1, rows, f") {update}")


def upsert_rows(
    model: type[models.Model], columns: Sequence[str], rows: Sequence[Sequence[Any]], *, unique: Sequence[str], update: Sequence[str]
) -> None:
    """Insert rows, or where a row with the same `unique` fields exists, set its `update` fields instead.

    PostgreSQL: COPY into a temporary table, then one INSERT … SELECT … ON CONFLICT DO UPDATE.
    SQLite: INSERT … VALUES … ON CONFLICT DO UPDATE with thousands of rows per statement.
    """
    if not rows:
        return
    table, names = _names(model, columns)
    _, keys = _names(model, unique)
    _, changing = _names(model, update)
    conflict = f" ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {', '.join(f'{name} = EXCLUDED.{name}' for name in changing)}"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            staging = connection.ops.quote_name(f"staging_{model._meta.db_table}")
            _copy_to_staging(cursor, table, staging, names, rows)
            cursor.execute(f"INSERT INTO {table} ({', '.join(names)}) SELECT {', '.join(names)} FROM {staging}{conflict}")
            cursor.execute(f"DROP TABLE {staging}")
        else:
            _many_values(cursor, f"INSERT INTO {table} ({', '.join(names)}) VALUES ", len(columns), rows, conflict)


def delete_rows(model: type[models.Model], column: str, values: Iterable[Any]) -> None:
    """Delete the rows whose `column` is one of `values`, in one statement (no cascades, no signals)."""
    wanted = list(values)
    if not wanted:
        return
    table, (name,) = _names(model, [column])
    condition, params = any_of(name, wanted)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE {condition}", params)


def any_of(column: str, values: Sequence[Any]) -> tuple[str, list[Any]]:
    """`column` is one of `values`, as SQL with a single parameter however many values there are."""
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", [list(values)]
    return f"{column} IN (SELECT value FROM json_each(%s))", [json.dumps(list(values))]


def ids_in(ids: Sequence[int]) -> RawSQL:
    """For `field__in=`: many ids as one parameter, so the ORM neither compiles nor sends thousands of them."""
    if connection.vendor == "postgresql":
        return RawSQL("SELECT unnest(%s::bigint[])", [list(ids)])
    return RawSQL("SELECT value FROM json_each(%s)", [json.dumps(list(ids))])


def select_rows(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    """Run one read and return its rows as tuples (for set-based lookups that want no model instances)."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()
