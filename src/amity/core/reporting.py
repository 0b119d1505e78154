"""Expressions for reports that group many rows: the database does the per-row work itself.

Django's TruncWeek/TruncMonth with a time zone and its datetime arithmetic (`F("end") - F("start")`) call back into
Python for every row on SQLite (`django_datetime_trunc`, `django_timestamp_diff`); over a year of cases that took
more than 30 seconds. `period_index` instead asks for a CASE over the periods' bounds, worked out here in the user's
time zone, and `SecondsBetween` for a native difference, so a grouped query over 250,000 rows stays under a second.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db.models import Case, Expression, FloatField, Func, IntegerField, Value, When
from django.utils import timezone


class SecondsBetween(Func):
    """`end - start` in seconds, computed by the database (SQLite: julianday; PostgreSQL: the epoch of the interval)."""

    output_field = FloatField()
    arity = 2

    def _sides(self, compiler: Any) -> tuple[str, str, tuple[Any, ...]]:
        end_sql, end_params = compiler.compile(self.source_expressions[0])
        start_sql, start_params = compiler.compile(self.source_expressions[1])
        return end_sql, start_sql, (*end_params, *start_params)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, tuple[Any, ...]]:
        end, start, params = self._sides(compiler)
        return f"((julianday({end}) - julianday({start})) * 86400.0)", params

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, tuple[Any, ...]]:  # type: ignore[override]
        end, start, params = self._sides(compiler)
        return f"EXTRACT(EPOCH FROM ({end} - {start}))", params


def period_index(field: str, starts: Sequence[dt.date]) -> Expression:
    """The index in `starts` (the first days of consecutive periods) of the period a row's `field` falls in.

    For rows already limited to the periods' span; each bound is midnight of a start day in the current time zone.
    """
    zone = timezone.get_current_timezone()
    bounds = [dt.datetime.combine(day, dt.time.min, tzinfo=zone) for day in starts[1:]]
    if not bounds:
        return Value(0, output_field=IntegerField())
    before = [When(**{f"{field}__lt": bound}, then=Value(index)) for index, bound in enumerate(bounds)]
    return Case(*before, default=Value(len(bounds)), output_field=IntegerField())
