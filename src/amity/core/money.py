"""Money: ISO 4217 currency codes and amounts as Decimal, rounded the way each currency is written.

The list of codes comes from the Unicode CLDR data that Babel ships: the currencies some
country uses today (EUR, USD, JPY, …), not withdrawn ones (DEM) or test codes (XXX).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache
from typing import Any

from babel import Locale
from babel.numbers import format_currency, get_currency_precision, get_territory_currencies
from django.core.exceptions import ValidationError

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("9999999999999999.99")  # what a DecimalField(max_digits=18, decimal_places=2) holds


@cache
def currencies_in_use() -> frozenset[str]:
    """Every currency that is legal tender in some country today."""
    return frozenset(code for territory in Locale("en").territories for code in get_territory_currencies(str(territory)))


def currency_code(value: Any, *, field: str = "currency") -> str:
    """An upper-cased ISO 4217 code in use, or a ValidationError naming `field`."""
    code = str(value or "").strip().upper()
    if code not in currencies_in_use():
        raise ValidationError({field: f"{value!r} is not an ISO 4217 currency code in use, such as EUR or USD."})
    return code


def amount(value: Any, *, field: str, minimum: Decimal | None = Decimal(0), places: Decimal = CENT) -> Decimal:
    """A Decimal from a number or a string, rounded to `places`; floats go through their text so 0.1 stays 0.1."""
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({field: "Enter a number such as 1250.00."}) from None
    if not number.is_finite():
        raise ValidationError({field: "Enter a number such as 1250.00."})
    number = number.quantize(places, rounding=ROUND_HALF_UP)
    if minimum is not None and number < minimum:
        raise ValidationError({field: f"Must be at least {minimum}."})
    if abs(number) > MAX_AMOUNT:
        raise ValidationError({field: "This amount is too large."})
    return number


def round_to_currency(value: Decimal, currency: str) -> Decimal:
    """Round half up to the currency's minor unit (cents; none for JPY), never finer than a cent."""
    digits = min(get_currency_precision(currency), 2)
    return value.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP).quantize(CENT)


def display(value: Decimal | str, currency: str) -> str:
    """An amount written the way its currency is: '€12,000.00', '¥5,000'."""
    return format_currency(value, currency, locale="en")
