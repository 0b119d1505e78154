"""Converting money between currencies with the workspace's dated exchange rates.

A rate says what one unit of a currency is worth in the corporate currency from its day on
(`valid_from`) until that currency's next rate. An amount dated D is converted at the rate valid
on D: the latest rate from D or before; a day before every rate of the currency takes its earliest.
Open deals are dated by their expected close date, won and lost deals by the day they closed, a
quota by the first day of its month. Between two other currencies the amount goes through the
corporate one (EUR → corporate → USD). An amount in a currency with no rate at all is not
converted: sums leave it out and say so ("no rate for CHF"), never counting it as zero.

Sums stay in a fixed number of queries: an aggregate groups its rows by currency and by *rate
span* (`Spans.expression`: between which of the days where some rate changes a row's date falls),
and each group is converted here once. Within one span no currency's rate changes, so the group's
rate is every one of its deals' rate.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Case, Expression, IntegerField, Value, When
from django.utils import timezone

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class RateUsed:
    """A rate that went into a converted sum: for the page that says which rates it used."""

    currency: str
    valid_from: dt.date
    rate: Decimal


@dataclass(frozen=True)
class Rates:
    """A workspace's corporate currency and every rate it keeps, by currency, oldest first."""

    corporate: str
    by_currency: dict[str, list[tuple[dt.date, Decimal]]] = field(default_factory=dict)

    def rate_on(self, currency: str, day: dt.date) -> tuple[dt.date, Decimal] | None:
        """The rate of `currency` valid on `day` (with its first day), 1 for the corporate currency, None when it has no rate."""
        if currency == self.corporate:
            return (dt.date.min, Decimal(1))
        dated = self.by_currency.get(currency)
        if not dated:
            return None
        index = bisect.bisect_right([valid_from for valid_from, _ in dated], day) - 1
        return dated[max(index, 0)]

    def convert(self, amount: Decimal, source: str, target: str, day: dt.date) -> Decimal | None:
        """`amount` in `source` as `target` on `day`, unrounded; None when either currency has no rate."""
        if source == target:
            return amount
        into, out_of = self.rate_on(source, day), self.rate_on(target, day)
        if into is None or out_of is None:
            return None
        return amount * into[1] / out_of[1]

    def spans(self, start: dt.date | None = None, end: dt.date | None = None) -> Spans:
        """The rate spans of the days from `start` (included) to `end` (excluded), all days when left out."""
        changes = {valid_from for dated in self.by_currency.values() for valid_from, _ in dated[1:]}
        inside = sorted(day for day in changes if (start is None or day > start) and (end is None or day < end))
        return Spans(first_day=start or dt.date.min, starts=inside)


@dataclass(frozen=True)
class Spans:
    """Days cut where some currency's rate changes: inside one span every currency keeps one rate.

    Span 0 runs from `first_day` to `starts[0]`, span i from `starts[i - 1]` to `starts[i]`, the last one on.
    """

    first_day: dt.date
    starts: list[dt.date]

    def day(self, index: int) -> dt.date:
        """A day of span `index`: the rates valid on it are those of the whole span."""
        return self.starts[index - 1] if index > 0 else self.first_day

    def expression(self, field_name: str, *, moment: bool = False) -> Expression:
        """Which span a row's date (`moment`: its time, in the current time zone) falls in, for grouping by it in SQL.

        A constant 0 when no rate changes in the days asked about: the grouping costs nothing then.
        """
        if not self.starts:
            return Value(0, output_field=IntegerField())
        zone = timezone.get_current_timezone()
        bounds: list[dt.date] = [dt.datetime.combine(day, dt.time.min, tzinfo=zone) for day in self.starts] if moment else list(self.starts)
        before = [When(**{f"{field_name}__lt": bound}, then=Value(index)) for index, bound in enumerate(bounds)]
        return Case(*before, default=Value(len(bounds)), output_field=IntegerField())


@dataclass
class Converted:
    """A sum of amounts in several currencies, in one target currency, and what could not be converted."""

    target: str
    total: Decimal = ZERO
    by_currency: dict[str, Decimal] = field(default_factory=dict)  # the original amounts per currency, converted or not
    missing: Counter[str] = field(default_factory=Counter)  # currency → how many amounts had no rate
    used: set[RateUsed] = field(default_factory=set)

    def add(self, rates: Rates, amount: Decimal, currency: str, day: dt.date, *, count: int = 1) -> Decimal | None:
        """Add `amount` in `currency` dated `day`; its converted value, or None when there is no rate for it."""
        self.by_currency[currency] = self.by_currency.get(currency, ZERO) + amount
        value = rates.convert(amount, currency, self.target, day)
        if value is None:
            self.missing[currency] += count
            return None
        self.total += value
        self.used.update(rates_behind(rates, currency, self.target, day))
        return value

    @property
    def rounded(self) -> Decimal:
        return self.total.quantize(CENT, rounding=ROUND_HALF_UP)


def rates_behind(rates: Rates, source: str, target: str, day: dt.date) -> list[RateUsed]:
    """The stored rates a conversion from `source` to `target` on `day` used (none between equal currencies)."""
    if source == target:
        return []
    used = []
    for code in (source, target):
        if code != rates.corporate and (dated := rates.rate_on(code, day)) is not None:
            used.append(RateUsed(currency=code, valid_from=dated[0], rate=dated[1]))
    return used


def sorted_used(used: Iterable[RateUsed]) -> list[RateUsed]:
    return sorted(used, key=lambda item: (item.currency, item.valid_from))


def to_cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)
