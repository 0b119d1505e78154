"""An index per sortable custom field, so sorting and filtering by it stays one index range at a million records.

A list sorts and filters a custom field by the expression `custom_field_queries.value_expression` gives
(the value as a number, as lower-cased text, …). This module builds an index on exactly that expression,
`(workspace, value, id) WHERE deleted_at IS NULL`, the shape of every list query, when a field is defined,
and drops it when no workspace defines that field any more. One index serves every workspace that defines
the same key with the same type on the same record type, so a field's index is named after those three.

PostgreSQL builds it with CREATE INDEX CONCURRENTLY (records stay writable while it builds) when not inside
a transaction; a build that was interrupted leaves an invalid index, which the next sync drops and rebuilds.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from django.apps import apps
from django.db import connection, models
from django.db.models import F, Func, Q, TextField
from django.db.models.expressions import ExpressionList
from django.db.models.sql import Query

from amity.core.custom_field_queries import value_expression
from amity.core.models import FieldDefinition

logger = logging.getLogger(__name__)
MODELS = {"contact": "customers.Contact", "account": "customers.Account"}


def index_name(object_type: str, key: str, field_type: str) -> str:
    """A name within PostgreSQL's 63 characters, the same for every workspace's field of this key and type."""
    digest = hashlib.sha1(f"{object_type}:{key}:{field_type}".encode()).hexdigest()[:8]
    return f"cf_{object_type[:8]}_{key[:30]}_{digest}"


def model_of(object_type: str) -> type[models.Model]:
    return apps.get_model(MODELS[object_type])


class ExpressionIndex(models.Index):
    """An index on expressions written exactly as a list query writes them.

    Django's own `Index` wraps each expression in an `IndexExpression`, which on SQLite puts one more CAST around
    a decimal: SQLite then no longer recognizes the list's `CAST(… AS NUMERIC)` as the indexed expression.
    """

    def create_sql(self, model: type[models.Model], schema_editor: Any, using: str = "", **kwargs: Any) -> Any:
        parenthesized = [
            expression if isinstance(expression, F) else Func(expression, template="(%(expressions)s)", output_field=TextField())
            for expression in self.expressions
        ]
        return schema_editor._create_index_sql(
            model,
            name=self.name,
            using=using,
            condition=self._get_condition_sql(model, schema_editor),  # type: ignore[attr-defined]  # not in django-stubs
            expressions=ExpressionList(*parenthesized).resolve_expression(Query(model, alias_cols=False)),
            **kwargs,
        )


def index_for(object_type: str, key: str, field_type: str) -> models.Index | None:
    """The index that serves lists sorted or filtered by this field; None for types that do not sort."""
    expression = value_expression(FieldDefinition(object_type=object_type, key=key, type=field_type))
    if expression is None or object_type not in MODELS:
        return None
    return ExpressionIndex(
        F("workspace"), expression, F("id"), name=index_name(object_type, key, field_type), condition=Q(deleted_at__isnull=True)
    )


def index_state(name: str) -> str:
    """`valid`, `invalid` (an interrupted concurrent build) or `missing`."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = %s", [name])
            row = cursor.fetchone()
            return "missing" if row is None else "valid" if row[0] else "invalid"
        cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = %s", [name])
        return "valid" if cursor.fetchone() else "missing"


def _drop(name: str, *, concurrently: bool) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP INDEX {'CONCURRENTLY ' if concurrently else ''}IF EXISTS {connection.ops.quote_name(name)}")


def _create(model: type[models.Model], index: models.Index, *, concurrently: bool) -> None:
    # The statement is written by Django's schema editor but run on a plain cursor: SQLite's editor refuses to
    # work inside a transaction, and the index needs none of what entering it sets up.
    options: dict[str, Any] = {"concurrently": True} if concurrently else {}
    statement = index.create_sql(model, connection.schema_editor(), **options)
    with connection.cursor() as cursor:
        settle = connection.vendor == "postgresql" and connection.in_atomic_block
        if settle:  # PostgreSQL will not index a table with foreign key checks still pending in this transaction: run them now
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(str(statement))
        if settle:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def sync_index(*, object_type: str, key: str, field_type: str) -> str:
    """Create this field's index if some workspace defines the field, drop it if none does; says what it did."""
    index = index_for(object_type, key, field_type)
    if index is None:
        return "none"
    name = str(index.name)
    wanted = FieldDefinition.objects.filter(object_type=object_type, key=key, type=field_type).exists()
    # CONCURRENTLY cannot run inside a transaction (a test's, or a caller's atomic block).
    concurrently = connection.vendor == "postgresql" and not connection.in_atomic_block
    state = index_state(name)
    if state == "invalid" or (state == "valid" and not wanted):
        _drop(name, concurrently=concurrently)
        logger.info("Dropped the custom field index %s (%s)", name, state)
        if not wanted:
            return "dropped"
        state = "missing"
    if not wanted:
        return "absent"
    if state == "valid":
        return "exists"
    _create(model_of(object_type), index, concurrently=concurrently)
    logger.info("Built the custom field index %s", name)
    return "created"
