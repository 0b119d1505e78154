"""Phone numbers: parsed with the phonenumbers library, stored as E.164, shown in national format."""

from __future__ import annotations

import phonenumbers

DEFAULT_REGION = "US"


def to_e164(raw: str, region: str | None = None) -> str:
    """Parse a number as people type it; raise ValueError with a message a person understands."""
    text = raw.strip()
    try:
        number = phonenumbers.parse(text, None if text.startswith("+") else (region or DEFAULT_REGION))
    except phonenumbers.NumberParseException:
        raise ValueError("Enter a phone number, with its country code if it is not a US number (e.g. +44 20 7946 0958).") from None
    if not phonenumbers.is_valid_number(number):
        raise ValueError("This is not a valid phone number.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def national(e164: str) -> str:
    """How the number is written in its own country, e.g. 020 7946 0958."""
    try:
        return phonenumbers.format_number(phonenumbers.parse(e164, None), phonenumbers.PhoneNumberFormat.NATIONAL)
    except phonenumbers.NumberParseException:
        return e164


def international(e164: str) -> str:
    """The number with its country code, spaced as people write it, e.g. +44 20 7946 0958 (what a form shows to edit)."""
    try:
        return phonenumbers.format_number(phonenumbers.parse(e164, None), phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    except phonenumbers.NumberParseException:
        return e164
