"""Phone numbers: parsed with the phonenumbers library, stored as E.164, shown in national format.

`to_e164` is called for every phone cell of an import, so it avoids phonenumbers' parser
where it can without changing a verdict: a North American number written in one of the
usual ways (+1 202 555 0143, (202) 555-0143, 202.555.0143, 2025550143) is taken apart by
one regular expression and only its validity is asked of phonenumbers, and every verdict is
remembered by (text, region), since files repeat numbers (switchboards, shared lines).
tests/core/test_phones.py checks over generated numbers that both ways give the same answer.
"""

from __future__ import annotations

import functools
import re

import phonenumbers

DEFAULT_REGION = "US"
PARSE_ERROR = "Enter a phone number, with its country code if it is not a US number (e.g. +44 20 7946 0958)."
INVALID = "This is not a valid phone number."

# +1 and separators optional; the area code may be in brackets; the three groups of a NANP number (ASCII digits only).
NANP_WRITTEN = re.compile(r"(?:\+1[ .-]?)?(?:\(([2-9][0-9]{2})\)|([2-9][0-9]{2}))[ .-]?([2-9][0-9]{2})[ .-]?([0-9]{4})")
_CACHE_LIMIT = 100_000
_verdicts: dict[tuple[str, str | None], tuple[str, str]] = {}


def to_e164(raw: str, region: str | None = None) -> str:
    """Parse a number as people type it; raise ValueError with a message a person understands."""
    key = (raw, region)
    verdict = _verdicts.get(key)
    if verdict is None:
        verdict = _verdict(raw.strip(), region or DEFAULT_REGION)
        if len(_verdicts) >= _CACHE_LIMIT:
            _verdicts.clear()
        _verdicts[key] = verdict
    number, error = verdict
    if error:
        raise ValueError(error)
    return number


def _verdict(text: str, region: str) -> tuple[str, str]:
    """(the E.164 number, "") or ("", why not)."""
    nanp = NANP_WRITTEN.fullmatch(text) if region == "US" or text.startswith("+1") else None
    if nanp is not None:
        area = nanp[1] or nanp[2]
        number = phonenumbers.PhoneNumber(country_code=1, national_number=int(f"{area}{nanp[3]}{nanp[4]}"))
        return (f"+1{area}{nanp[3]}{nanp[4]}", "") if _valid_nanp(number) else ("", INVALID)
    return _parsed(text, region)


def _valid_nanp(number: phonenumbers.PhoneNumber) -> bool:
    """phonenumbers' is_valid_number, asking about the US first.

    is_valid_number first finds the number's region (the first of the +1 regions whose patterns
    it matches, the US first) and then matches the patterns of that region again; a number the
    US patterns accept is valid with the US as its region, so it is asked once instead of twice.
    """
    return phonenumbers.is_valid_number_for_region(number, "US") or phonenumbers.is_valid_number(number)


def _parsed(text: str, region: str) -> tuple[str, str]:
    """The verdict of phonenumbers' own parser, for every way of writing a number."""
    try:
        number = phonenumbers.parse(text, None if text.startswith("+") else region)
    except phonenumbers.NumberParseException:
        return "", PARSE_ERROR
    if not phonenumbers.is_valid_number(number):
        return "", INVALID
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), ""


@functools.lru_cache(maxsize=65_536)
def national(e164: str) -> str:
    """How the number is written in its own country, e.g. 020 7946 0958 (remembered: lists show the same numbers again)."""
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
