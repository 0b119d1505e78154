"""Forecast periods: a month ("2026-11") or a quarter ("2026-Q4") of the calendar year."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$", re.IGNORECASE)


def add_months(day: dt.date, months: int) -> dt.date:
    """The first day of the month `months` after `day`'s month."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    """A month or a quarter: from its first day (included) to the next period's first day (excluded)."""

    kind: str  # "month" or "quarter"
    start: dt.date

    @property
    def end(self) -> dt.date:
        return add_months(self.start, 3 if self.kind == "quarter" else 1)

    @property
    def key(self) -> str:
        if self.kind == "quarter":
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return f"{self.start:%Y-%m}"

    @property
    def label(self) -> str:
        if self.kind == "quarter":
            return f"Q{(self.start.month - 1) // 3 + 1} {self.start.year}"
        return f"{self.start:%B %Y}"

    @property
    def months(self) -> list[dt.date]:
        return [add_months(self.start, offset) for offset in range(3 if self.kind == "quarter" else 1)]

    def shifted(self, steps: int) -> Period:
        return Period(self.kind, add_months(self.start, steps * (3 if self.kind == "quarter" else 1)))

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """The period as aware datetimes in the current time zone (the user's), for times such as when a deal was won."""
        zone = timezone.get_current_timezone()
        return (
            dt.datetime.combine(self.start, dt.time.min, tzinfo=zone),
            dt.datetime.combine(self.end, dt.time.min, tzinfo=zone),
        )


def parse_period(value: str | None, *, field: str = "period", today: dt.date | None = None) -> Period:
    """ "2026-11" is a month, "2026-Q4" a quarter; nothing is the current quarter."""
    if not value:
        return current_period("quarter", today=today)
    text = value.strip()
    if match := _MONTH.match(text):
        year, month = int(match[1]), int(match[2])
        if 1 <= month <= 12 and 2000 <= year <= 2200:
            return Period("month", dt.date(year, month, 1))
    elif match := _QUARTER.match(text):
        year, quarter = int(match[1]), int(match[2])
        if 2000 <= year <= 2200:
            return Period("quarter", dt.date(year, quarter * 3 - 2, 1))
    raise ValidationError({field: f"{value!r} is not a period: write a month as 2026-11 or a quarter as 2026-Q4."})


def current_period(kind: str, *, today: dt.date | None = None) -> Period:
    day = today or timezone.localdate()
    if kind == "quarter":
        return Period("quarter", dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1))
    return Period("month", day.replace(day=1))
