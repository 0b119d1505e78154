"""The benchmark database: create it, migrate it, remember what is seeded in it, and fill it fast.

Seeds are kept between runs: a scenario's seed is recorded in the `bench_seed` table (created
here, outside Django's migrations) under a key made of the scenario's seed version and sizes,
in the same transaction as the rows themselves, so a seed is either all there or not at all.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from functools import partial
from itertools import islice
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.utils import timezone

M = TypeVar("M", bound=models.Model)
T = TypeVar("T")
MARKER_TABLE = "bench_seed"


# --- Creating the database (before Django is set up) -----------------------------------------------


def vendor_of(url: str) -> str:
    scheme = urlsplit(url).scheme
    if scheme.startswith("postgres"):
        return "postgresql"
    if scheme.startswith("sqlite"):
        return "sqlite"
    raise ValueError(f"unsupported database URL {url!r}: use sqlite:///path or postgres://user@host:port/name")


def postgres_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def _postgres_admin_url(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/postgres", parts.query, ""))


def ensure_postgres_database(url: str, *, fresh: bool) -> bool:
    """Create the benchmark database if missing (drop it first when `fresh`); True when it was created."""
    import psycopg
    from psycopg import sql

    name = postgres_name(url)
    if "bench" not in name:
        raise SystemExit(f"bench: refusing to use the PostgreSQL database {name!r}: its name must contain 'bench' (e.g. amity_bench)")
    with psycopg.connect(_postgres_admin_url(url), autocommit=True, connect_timeout=5) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None
        if exists and fresh:
            admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
            exists = False
        if not exists:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return not exists


def postgres_reachable(url: str) -> bool:
    import psycopg

    try:
        with psycopg.connect(_postgres_admin_url(url), connect_timeout=2):
            return True
    except psycopg.Error:
        return False


def remove_sqlite_database(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


# --- Seed markers (Django is set up from here on) -------------------------------------------------


def ensure_marker_table() -> None:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {MARKER_TABLE} (scenario VARCHAR(100) PRIMARY KEY, seed_key TEXT NOT NULL, "
            "state TEXT NOT NULL, seeded_at VARCHAR(40) NOT NULL)"
        )


def read_marker(scenario: str) -> tuple[str, dict[str, Any]] | None:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute(f"SELECT seed_key, state FROM {MARKER_TABLE} WHERE scenario = %s", [scenario])
        row = cursor.fetchone()
    return (row[0], json.loads(row[1])) if row else None


def write_marker(scenario: str, seed_key: str, state: dict[str, Any]) -> None:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute(f"DELETE FROM {MARKER_TABLE} WHERE scenario = %s", [scenario])
        cursor.execute(
            f"INSERT INTO {MARKER_TABLE} (scenario, seed_key, state, seeded_at) VALUES (%s, %s, %s, %s)",
            [scenario, seed_key, json.dumps(state), timezone.now().isoformat()],
        )


def delete_marker(scenario: str) -> None:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute(f"DELETE FROM {MARKER_TABLE} WHERE scenario = %s", [scenario])


def purge_workspaces(ids: Sequence[int]) -> None:
    """Delete these workspaces and everything in them with one DELETE per table (a million contacts in seconds).

    Django's own delete would load every row to cascade in Python. Foreign keys are checked at commit
    (Django declares them deferrable), so the tables can be emptied in any order inside the transaction;
    only link tables without a workspace column go first, found through the records they link.
    """
    from django.apps import apps

    from amity.core.models import Workspace

    if not ids:
        return
    wanted = list(ids)
    scoped = [model for model in apps.get_models(include_auto_created=True) if model is not Workspace and _has_workspace(model)]
    links = [model for model in apps.get_models(include_auto_created=True) if model._meta.auto_created and not _has_workspace(model)]
    for link in links:
        for field in link._meta.concrete_fields:
            if field.is_relation and _has_workspace(field.related_model):
                link._base_manager.filter(**{f"{field.name}__workspace_id__in": wanted})._raw_delete(DEFAULT_DB_ALIAS)
    for model in scoped:
        model._base_manager.filter(workspace_id__in=wanted)._raw_delete(DEFAULT_DB_ALIAS)
    Workspace.objects.filter(pk__in=wanted).delete()


def _has_workspace(model: Any) -> bool:
    return any(field.name == "workspace" and field.is_relation for field in model._meta.concrete_fields)


def analyze() -> None:
    """Refresh the planner's statistics after a large insert, as an operator's autovacuum eventually would."""
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("ANALYZE")


# --- Bulk insert ----------------------------------------------------------------------------------


def _batches(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


PASS_THROUGH_TYPES = {
    "AutoField",
    "BigAutoField",
    "BigIntegerField",
    "BooleanField",
    "CharField",
    "EmailField",
    "ForeignKey",
    "IntegerField",
    "OneToOneField",
    "PositiveBigIntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SlugField",
    "SmallIntegerField",
    "TextField",
}


def _insert(model: type[models.Model], fields: list[Any], rows: Iterable[Sequence[Any]], batch_size: int) -> tuple[int, float]:
    connection = connections[DEFAULT_DB_ALIAS]
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    count = 0
    started = time.perf_counter()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw_cursor: Any = cursor.cursor
            with raw_cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
        else:
            placeholders = ", ".join(["%s"] * len(fields))
            statement = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"
            for batch in _batches(rows, batch_size):
                cursor.executemany(statement, batch)
                count += len(batch)
    return count, time.perf_counter() - started


def bulk_insert(model: type[M], objects: Iterable[M], *, batch_size: int = 5000) -> tuple[int, float]:
    """Insert unsaved model instances as fast as the database takes them; returns (rows, seconds).

    PostgreSQL gets one COPY; other databases get executemany in batches. Field defaults,
    auto_now(_add) and type conversions are applied as `save()` would apply them, but no signals,
    `save()` overrides or validation run, and primary keys are not set on the instances.
    Call it inside a transaction (the harness seeds inside one).
    """
    connection = connections[DEFAULT_DB_ALIAS]
    fields = [field for field in model._meta.concrete_fields if not field.primary_key and not getattr(field, "generated", False)]
    rows = ([field.get_db_prep_save(field.pre_save(obj, add=True), connection) for field in fields] for obj in objects)
    return _insert(model, fields, rows, batch_size)


def bulk_insert_rows(
    model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[Any]], *, batch_size: int = 5000
) -> tuple[int, float]:
    """Insert plain tuples, one value per named field (ids for foreign keys), about twice as fast as `bulk_insert`.

    No defaults are filled in: name every non-null field. Values of simple fields (text,
    integers, booleans, foreign keys) go to the database as they are; the others (dates,
    JSON, decimals) are converted as Django would convert them.
    """
    connection = connections[DEFAULT_DB_ALIAS]
    fields = [model._meta.get_field(name) for name in columns]
    converters = [_converter(field, connection) for field in fields]
    if all(converter is None for converter in converters):
        return _insert(model, fields, rows, batch_size)
    converted = ([value if convert is None else convert(value) for convert, value in zip(converters, row, strict=True)] for row in rows)
    return _insert(model, fields, converted, batch_size)


def _converter(field: Any, connection: Any) -> Callable[[Any], Any] | None:
    """How a value of this field goes to the database: as it is (None), or through a quick or Django's own conversion."""
    kind = field.get_internal_type()
    if kind in PASS_THROUGH_TYPES:
        return None
    if kind == "JSONField" and field.encoder is None:
        return _json_or_null
    if kind == "DateTimeField" and connection.vendor == "postgresql":
        return None  # psycopg sends aware datetimes as they are
    if kind == "DateTimeField" and connection.vendor == "sqlite":
        return _sqlite_datetime
    return partial(_prepare, field, connection)


def _json_or_null(value: Any) -> str | None:
    return None if value is None else json.dumps(value)


def _sqlite_datetime(value: datetime | None) -> str | None:
    # What Django's SQLite backend stores: naive UTC, `YYYY-MM-DD HH:MM:SS[.ffffff]`.
    if value is None:
        return None
    return str(value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value)


def _prepare(field: Any, connection: Any, value: Any) -> Any:
    return field.get_db_prep_save(value, connection)


def atomic() -> Any:
    return transaction.atomic()
