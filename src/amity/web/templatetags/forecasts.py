"""Template filters of the forecast pages."""

from __future__ import annotations

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def whole_money(value: Decimal | None, currency: str) -> str:
    """An amount rounded to whole units, the way its currency is written: '€12,000' (forecast tables are wide)."""
    from babel.numbers import format_currency

    if value is None or value == "":
        return ""
    return format_currency(Decimal(value).quantize(Decimal(1)), currency, locale="en", format="¤#,##0", currency_digits=False)


@register.filter
def rate_text(value: Decimal) -> str:
    """An exchange rate without its trailing zeros: '0.9215', '1.17', '150'."""
    return format(Decimal(value).normalize(), "f")
