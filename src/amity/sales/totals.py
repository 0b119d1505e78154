"""The arithmetic of a deal's lines: net, tax and total per line and for the deal, in Decimal, rounded per line.

Each line is rounded to the currency's minor unit (half up) before lines are added, as an invoice
prints them, so the deal's totals always equal the sum of what its lines show.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from amity.core.money import round_to_currency

HUNDRED = Decimal(100)
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class LineTotals:
    gross_before_discount: Decimal  # quantity × unit price
    discount: Decimal
    net: Decimal
    tax: Decimal
    total: Decimal


def line_totals(*, quantity: Decimal, unit_price: Decimal, discount_percent: Decimal, tax_rate: Decimal, currency: str) -> LineTotals:
    """One line: quantity × unit price, less the discount, plus tax on what is left."""
    before_discount = round_to_currency(quantity * unit_price, currency)
    net = round_to_currency(quantity * unit_price * (HUNDRED - discount_percent) / HUNDRED, currency)
    tax = round_to_currency(net * tax_rate / HUNDRED, currency)
    return LineTotals(gross_before_discount=before_discount, discount=before_discount - net, net=net, tax=tax, total=net + tax)


@dataclass(frozen=True)
class DealTotals:
    subtotal: Decimal  # before discounts
    discount: Decimal
    net: Decimal
    tax: Decimal
    total: Decimal


def deal_totals(lines: Iterable[LineTotals]) -> DealTotals:
    """The sums of a deal's lines."""
    subtotal = discount = net = tax = ZERO
    for line in lines:
        subtotal += line.gross_before_discount
        discount += line.discount
        net += line.net
        tax += line.tax
    return DealTotals(subtotal=subtotal, discount=discount, net=net, tax=tax, total=net + tax)
