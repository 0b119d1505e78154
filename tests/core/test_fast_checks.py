"""The fast paths of the checks an import runs a million times give exactly the verdicts of the slow, obvious way.

Email: a compiled pattern for common addresses, else Django's validate_email. Phones: a NANP
pattern plus phonenumbers' validity, else phonenumbers' parser; and a cache by (text, region).
Search folding: plain lower() for ASCII, else NFKD without accents and casefold().
"""

from __future__ import annotations

import string
import unicodedata

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from hypothesis import example, given, settings
from hypothesis import strategies as st

from amity.core import email_addresses, phones
from amity.core.email_addresses import normalize_email
from amity.search.text import fold

# --- Email ---------------------------------------------------------------------------------------


def _django_verdict(raw: str) -> str | None:
    """What the service did before the fast path: strip, lower, validate_email."""
    address = (raw or "").strip().lower()
    try:
        validate_email(address)
    except ValidationError:
        return None
    return address


def _our_verdict(raw: str) -> str | None:
    try:
        return normalize_email(raw)
    except ValueError:
        return None


TRICKY = string.ascii_letters + string.digits + "@.-_+!#$%&'*/=?^`{|}~\"\\ []:()<>,;" + "ſKİıßéü中\u00a0\u200b\t\n"
LOCAL_PARTS = st.one_of(
    st.from_regex(r"[-!#$%&'*+/=?^_`{}|~0-9A-Za-z]{1,20}(\.[-!#$%&'*+/=?^_`{}|~0-9A-Za-z]{1,8}){0,3}", fullmatch=True),
    st.from_regex(r'"[^"\\]{0,10}"', fullmatch=True),
    st.text(alphabet=TRICKY, max_size=20),
)
DOMAINS = st.one_of(
    st.from_regex(r"[a-z0-9][a-z0-9-]{0,65}(\.[a-z0-9-]{1,66}){0,3}\.[a-z-]{1,64}\.?", fullmatch=True),
    st.from_regex(r"\[[0-9a-fA-F:.]{1,40}\]", fullmatch=True),
    st.sampled_from(["localhost", "example.com", "xn--bcher-kva.ch", "bücher.ch", "例え.テスト", "-bad.com", "a..b.com", "ex_ample.com"]),
    st.text(alphabet=TRICKY, max_size=30),
)


@settings(max_examples=3000, deadline=None)
@given(st.one_of(st.builds(lambda local, domain: f"{local}@{domain}", LOCAL_PARTS, DOMAINS), st.text(alphabet=TRICKY, max_size=40)))
@example(" ADA@Engines.co.uk ")
@example("a" * 64 + "@" + "b" * 250 + ".com")
@example("ſ@example.com")
@example("user@[127.0.0.1]")
@example("user@localhost")
@example("a@b@example.com")
def test_the_fast_email_check_agrees_with_djangos_validate_email(raw: str) -> None:
    assert _our_verdict(raw) == _django_verdict(raw)


@settings(max_examples=500, deadline=None)
@given(st.from_regex(email_addresses.COMMON_EMAIL, fullmatch=True))
@example("a" * 72 + "@" + ".".join(["b" * 60] * 4) + ".İİ")  # 319 characters, 321 once lower-cased: refused by both
def test_every_address_the_fast_pattern_takes_is_valid_for_django(address: str) -> None:
    lowered = address.lower()  # the check runs on the lower-cased address, which may be longer (İ is i + a dot)
    if len(lowered) <= email_addresses.MAX_LENGTH and email_addresses.COMMON_EMAIL.match(lowered):
        assert _django_verdict(lowered) == lowered
    assert _our_verdict(address) == _django_verdict(address)


# --- Phones --------------------------------------------------------------------------------------


def _parser_verdict(raw: str, region: str | None) -> str:
    """What to_e164 did before its fast path: phonenumbers.parse, is_valid_number, format."""
    text = raw.strip()
    try:
        number = phonenumbers.parse(text, None if text.startswith("+") else (region or phones.DEFAULT_REGION))
    except phonenumbers.NumberParseException:
        return f"error: {phones.PARSE_ERROR}"
    if not phonenumbers.is_valid_number(number):
        return f"error: {phones.INVALID}"
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _to_e164_verdict(raw: str, region: str | None) -> str:
    try:
        return phones.to_e164(raw, region)
    except ValueError as error:
        return f"error: {error}"


REGIONS = st.sampled_from([None, "US", "GB", "CA", "DE"])


@settings(max_examples=3000, deadline=None)
@given(st.from_regex(phones.NANP_WRITTEN, fullmatch=True), REGIONS)
@example("+1 202 555 0143", None)
@example("(202) 555-0143", "US")
@example("202.555.0143", None)
@example("+1 (800) 555-0199", "GB")
@example("2125550000", "CA")
def test_the_nanp_fast_path_agrees_with_the_parser(raw: str, region: str | None) -> None:
    phones._verdicts.clear()
    assert _to_e164_verdict(raw, region) == _parser_verdict(raw, region)


PHONE_TEXT = st.one_of(
    st.text(alphabet="+0123456789 ()-./x#ext", max_size=22),
    st.builds(lambda cc, rest: f"+{cc} {rest}", st.integers(1, 999), st.from_regex(r"[0-9 ]{4,14}", fullmatch=True)),
    st.sampled_from(["+44 20 7946 0958", "020 7946 0958", "+1 202 555 01", "12", "", " +1 202-555-0143 ", "1 202 555 0143"]),
)


@settings(max_examples=2000, deadline=None)
@given(PHONE_TEXT, REGIONS)
def test_any_text_gets_the_parsers_verdict_twice_over(raw: str, region: str | None) -> None:
    phones._verdicts.clear()
    first = _to_e164_verdict(raw, region)
    cached = _to_e164_verdict(raw, region)
    assert first == cached == _parser_verdict(raw, region)


def test_the_verdict_cache_stays_bounded(monkeypatch: object) -> None:
    phones._verdicts.clear()
    for n in range(phones._CACHE_LIMIT + 10):
        phones._verdicts[(str(n), None)] = ("", "x")
    phones.to_e164("+1 202 555 0143")
    assert len(phones._verdicts) <= phones._CACHE_LIMIT


# --- Search folding -----------------------------------------------------------------------------------


def _slow_fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()
    from amity.search.text import _EDGE_PUNCTUATION, _NOT_WORD

    words = (word.strip(_EDGE_PUNCTUATION) for word in _NOT_WORD.split(plain))
    return " ".join(word for word in words if word)


@settings(max_examples=1000, deadline=None)
@given(st.one_of(st.text(alphabet=string.printable, max_size=60), st.text(max_size=30)))
def test_folding_ascii_quickly_gives_the_same_words(text: str) -> None:
    assert fold(text) == _slow_fold(text)
