"""The benchmark database: create it, migrate it, remember what is seeded in it, and fill it fast.

Seeds are kept between runs: a scenario's seed is recorded in the `bench_seed` table (created
here, outside Django's migrations) under a key made of the scenario's seed version and sizes,
in the same transaction as the rows themselves, so a seed is either all there or not at all.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.utils import timezone

M = TypeVar("M", bound=models.Model)
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


def analyze() -> None:
    """Refresh the planner's statistics after a large insert, as an operator's autovacuum eventually would."""
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("ANALYZE")


# --- Bulk insert ----------------------------------------------------------------------------------


def _batches(items: Iterable[M], size: int) -> Iterator[list[M]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def bulk_insert(model: type[M], objects: Iterable[M], *, batch_size: int = 5000) -> tuple[int, float]:
    """Insert unsaved model instances as fast as the database takes them; returns (rows, seconds).

    PostgreSQL gets one COPY; other databases get executemany in batches. Field defaults,
    auto_now(_add) and type conversions are applied as `save()` would apply them, but no signals,
    `save()` overrides or validation run, and primary keys are not set on the instances.
    Call it inside a transaction (the harness seeds inside one).
    """
    connection = connections[DEFAULT_DB_ALIAS]
    opts = model._meta
    fields = [field for field in opts.concrete_fields if not field.primary_key and not getattr(field, "generated", False)]
    table = connection.ops.quote_name(opts.db_table)
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)

    def values(obj: M) -> list[Any]:
        return [field.get_db_prep_save(field.pre_save(obj, add=True), connection) for field in fields]

    rows = 0
    started = time.perf_counter()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw_cursor: Any = cursor.cursor
            with raw_cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for obj in objects:
                    copy.write_row(values(obj))
                    rows += 1
        else:
            placeholders = ", ".join(["%s"] * len(fields))
            statement = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"
            for batch in _batches(objects, batch_size):
                cursor.executemany(statement, [values(obj) for obj in batch])
                rows += len(batch)
    return rows, time.perf_counter() - started


def atomic() -> Any:
    return transaction.atomic()
