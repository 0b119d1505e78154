"""Postal addresses of accounts and contacts, checked by the same rules from the API and the record page.

A record's addresses are written as one list: what is sent replaces what was there, like its emails.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from babel import Locale
from django.core.exceptions import ValidationError

from amity.core.models import Workspace
from amity.customers.models import Account, Address, Contact

# ISO 3166 alpha-2 codes as CLDR names them, without its private-use and grouping codes (EU, UN, ZZ, …).
COUNTRIES: dict[str, str] = {
    code: name
    for code, name in Locale.parse("en").territories.items()
    if len(code) == 2 and code.isalpha() and code not in {"EU", "EZ", "QO", "UN", "XA", "XB", "ZZ"}
}
TEXT_LIMITS = {"street": 200, "city": 100, "region": 100, "postcode": 20}
KINDS = frozenset(Address.Kind.values)
MAX_ADDRESSES = 20
COORDINATE_RANGES = {"latitude": Decimal(90), "longitude": Decimal(180)}


def clean_addresses(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The addresses to write, or one ValidationError naming each bad field as `addresses.<row>.<field>`."""
    errors: dict[str, str] = {}
    if len(rows) > MAX_ADDRESSES:
        raise ValidationError({"addresses": f"Give at most {MAX_ADDRESSES} addresses."})
    cleaned = [_clean_one(row, f"addresses.{index}", errors) for index, row in enumerate(rows)]
    if errors:
        raise ValidationError(errors)
    return cleaned


def _clean_one(row: Mapping[str, Any], prefix: str, errors: dict[str, str]) -> dict[str, Any]:
    address: dict[str, Any] = {"kind": str(row.get("kind") or Address.Kind.OFFICE)}
    if address["kind"] not in KINDS:
        errors[f"{prefix}.kind"] = f"Choose one of: {', '.join(sorted(KINDS))}."
    for name, limit in TEXT_LIMITS.items():
        address[name] = " ".join(str(row.get(name) or "").split())
        if len(address[name]) > limit:
            errors[f"{prefix}.{name}"] = f"Use at most {limit} characters."
    if not (address["street"] or address["city"] or address["postcode"]):
        errors[f"{prefix}.street"] = "Give at least a street, a city or a postcode."
    address["country"] = str(row.get("country") or "").strip().upper()
    if address["country"] and address["country"] not in COUNTRIES:
        errors[f"{prefix}.country"] = "Use the two-letter ISO code of a country, e.g. GB or US."
    for name, bound in COORDINATE_RANGES.items():
        address[name] = _coordinate(row.get(name), bound, f"{prefix}.{name}", errors)
    coordinates_read = not any(f"{prefix}.{name}" in errors for name in COORDINATE_RANGES)
    if coordinates_read and (address["latitude"] is None) != (address["longitude"] is None):
        errors[f"{prefix}.latitude"] = "Give both the latitude and the longitude, or neither."
    return address


def _coordinate(value: Any, bound: Decimal, key: str, errors: dict[str, str]) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value)).quantize(Decimal("0.000001"))
    except InvalidOperation:
        errors[key] = "Enter a number of degrees, e.g. 51.5072."
        return None
    if not -bound <= number <= bound:
        errors[key] = f"Enter a number between -{bound} and {bound}."
        return None
    return number


def write_addresses(record: Account | Contact, workspace: Workspace, addresses: list[dict[str, Any]]) -> None:
    """Replace the record's addresses with `addresses` (already cleaned)."""
    owner: dict[str, Account | Contact] = {"contact": record} if isinstance(record, Contact) else {"account": record}
    record.addresses.all().delete()
    Address.objects.bulk_create(Address(workspace=workspace, **owner, **address) for address in addresses)


def address_lines(record: Account | Contact) -> list[str]:
    """The record's addresses as the audit log shows them, before and after a change."""
    if record.pk is None:
        return []
    return [f"{address.get_kind_display()}: {address}" for address in record.addresses.order_by("id")]
