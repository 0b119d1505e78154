"""The keys records are compared by: folded names, nickname groups, phonetic codes, email and address keys.

Everything here is a pure function of text, cached where the same values recur across a million
records (first names, surnames, company words), so a full scan pays for each distinct value once.
"""

from __future__ import annotations

import functools
import re
import unicodedata

import jellyfish
from nicknames import NickNamer

_NON_LETTERS = re.compile(r"[^a-z ]+")
_SPACES = re.compile(r"\s+")
_HOUSE_NUMBER = re.compile(r"\b(\d+[a-z]?)\b")
_STREET_WORDS = {
    "street": "st", "str": "st", "strasse": "st", "road": "rd", "avenue": "ave", "av": "ave", "boulevard": "blvd",
    "drive": "dr", "lane": "ln", "place": "pl", "court": "ct", "square": "sq", "suite": "ste", "apartment": "apt",
}  # fmt: skip
# Legal forms and filler words that say nothing about which company it is.
COMPANY_NOISE = frozenset(
    [
        "inc",
        "incorporated",
        "ltd",
        "limited",
        "llc",
        "llp",
        "plc",
        "corp",
        "corporation",
        "co",
        "company",
        "gmbh",
        "ag",
        "sa",
        "sas",
        "sarl",
        "srl",
        "spa",
        "bv",
        "nv",
        "oy",
        "ab",
        "as",
        "kg",
        "ohg",
        "ug",
        "pty",
        "pvt",
        "the",
        "and",
        "group",
        "holding",
        "holdings",
        "intl",
        "international",
    ]
)
# Mailboxes of a role, not a person: the same one is shared by many people, so they prove nothing.
ROLE_MAILBOXES = frozenset(
    [
        "info",
        "contact",
        "hello",
        "sales",
        "support",
        "admin",
        "office",
        "mail",
        "team",
        "billing",
        "accounts",
        "enquiries",
        "inquiries",
        "service",
        "noreply",
        "no-reply",
    ]
)
# Free mail providers: a shared domain there says nothing about an employer.
FREE_MAIL_DOMAINS = frozenset(
    [
        "gmail.com",
        "googlemail.com",
        "yahoo.com",
        "yahoo.co.uk",
        "hotmail.com",
        "outlook.com",
        "live.com",
        "msn.com",
        "aol.com",
        "icloud.com",
        "me.com",
        "gmx.de",
        "gmx.net",
        "web.de",
        "proton.me",
        "protonmail.com",
        "mail.com",
        "yandex.ru",
        "orange.fr",
        "free.fr",
        "t-online.de",
    ]
)
_GMAIL = frozenset({"gmail.com", "googlemail.com"})

_nicknamer = NickNamer()


def fold(text: str) -> str:
    """Lower-case ASCII letters and single spaces: 'José-María  O'Neil' → 'jose maria oneil'."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_text = decomposed.encode("ascii", "ignore").decode("ascii").lower().replace("-", " ")
    return _SPACES.sub(" ", _NON_LETTERS.sub("", ascii_text)).strip()


@functools.lru_cache(maxsize=200_000)
def name_part(text: str) -> str:
    """One name as compared: folded, without spaces ('van der Berg' → 'vanderberg')."""
    return fold(text).replace(" ", "")


def split_name(first: str, last: str) -> tuple[str, str]:
    """The first given name and the surname, folded; 'John Paul' / 'Smith' → ('john', 'smith').

    A full name typed into one field is split at its last space.
    """
    first_words = fold(first).split()
    last_folded = fold(last).replace(" ", "")
    if not last_folded and len(first_words) > 1:
        return first_words[0], first_words[-1]
    if not first_words and last_folded and " " in fold(last):
        words = fold(last).split()
        return words[0], "".join(words[1:])
    return (first_words[0] if first_words else ""), last_folded


@functools.lru_cache(maxsize=50_000)
def name_group(first: str) -> frozenset[str]:
    """The name and the names it is a nickname of or short for: 'bob' → {'bob', 'robert', 'bobby', …}."""
    if len(first) < 2:
        return frozenset({first})
    return frozenset({first, *_nicknamer.canonicals_of(first), *_nicknamer.nicknames_of(first)})


def are_nicknames(first: str, other: str) -> bool:
    """Whether one given name is a usual nickname of the other (Bob and Robert, Liz and Elizabeth)."""
    return first != other and other in name_group(first)


@functools.lru_cache(maxsize=50_000)
def nickname_canonicals(first: str) -> tuple[str, ...]:
    """The formal names a given name stands for, itself included, at most four (the blocking keys of its nicknames)."""
    canonicals = sorted({first, *_nicknamer.canonicals_of(first)}) if len(first) >= 2 else [first]
    return tuple(canonicals[:4])


@functools.lru_cache(maxsize=200_000)
def phonetic(word: str) -> str:
    """A code that sounds-alike spellings share (Metaphone): 'smith' and 'smyth' → 'SM0'."""
    return jellyfish.metaphone(word) if word else ""


def email_key(address: str) -> str:
    """An address as one mailbox: lower-cased, without a +tag, and without Gmail's ignored dots."""
    address = address.strip().lower()
    local, _, domain = address.rpartition("@")
    if not local:
        return address
    local = local.split("+", 1)[0]
    if domain in _GMAIL:
        local, domain = local.replace(".", ""), "gmail.com"
    return f"{local}@{domain}"


def email_local(address: str) -> str:
    """The personal part before the @ ('ada.byron' of ada.byron@acme.com), or '' for a role mailbox or a short one."""
    local = address.rpartition("@")[0].replace(".", "").replace("_", "").replace("-", "")
    if len(local) < 5 or local in ROLE_MAILBOXES or local.isdigit():
        return ""
    return local


def email_domain(address: str) -> str:
    """The employer's domain of an address, or '' for a free mail provider."""
    domain = address.rpartition("@")[2]
    return "" if domain in FREE_MAIL_DOMAINS else domain


def address_key(street: str, postcode: str, city: str) -> str:
    """Postcode (or city) and house number: two writings of one address share it ('12 Main Street' and '12 main st')."""
    place = re.sub(r"\s+", "", (postcode or "").lower()) or fold(city).replace(" ", "")
    number = _HOUSE_NUMBER.search((street or "").lower())
    if not place or not number:
        return ""
    return f"{place}|{number.group(1)}"


@functools.lru_cache(maxsize=200_000)
def street_words(street: str) -> str:
    """A street as compared: folded letters and numbers with the usual abbreviations ('Main Street' → 'main st')."""
    words = re.sub(r"[^a-z0-9 ]+", " ", unicodedata.normalize("NFKD", street or "").encode("ascii", "ignore").decode().lower()).split()
    return " ".join(_STREET_WORDS.get(word, word) for word in words)


@functools.lru_cache(maxsize=200_000)
def company_name(name: str) -> str:
    """A company name as compared: folded, without legal forms ('ACME, Inc.' → 'acme')."""
    words = [word for word in fold(name.replace("&", " and ")).split() if word not in COMPANY_NOISE]
    return " ".join(words) or fold(name)


@functools.lru_cache(maxsize=200_000)
def company_phonetic(name: str) -> str:
    """The sound of a compared company name, word by word."""
    return " ".join(phonetic(word) for word in name.split())
