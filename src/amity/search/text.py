"""How text is folded for the index and for queries: lower case, no accents, phone numbers as digits."""

from __future__ import annotations

import functools
import re
import unicodedata

import phonenumbers

from amity.core.phones import DEFAULT_REGION

# Characters kept inside a word: they hold emails and domains together (ana.lopez@acme.com).
_NOT_WORD = re.compile(r"[^\w@.+-]+")
_EDGE_PUNCTUATION = ".@+-_"
_PHONE_LIKE = re.compile(r"^[\d\s()+./-]+$")


def fold(text: str) -> str:
    """Lower-case `text`, drop accents and collapse everything that is not part of a word into single spaces."""
    if text.isascii():  # nothing to decompose, and casefold() is lower() for ASCII: the same result, far sooner
        plain = text.lower()
    else:
        decomposed = unicodedata.normalize("NFKD", text)
        plain = "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()
    words = (word.strip(_EDGE_PUNCTUATION) for word in _NOT_WORD.split(plain))
    return " ".join(word for word in words if word)


@functools.lru_cache(maxsize=65536)
def phone_forms(e164: str) -> tuple[str, ...]:
    """The digits of a number as people type it: international (14155550123) and national (4155550123)."""
    if len(e164) == 12 and e164.startswith("+1") and e164[1:].isdigit():  # North America: no trunk prefix; skip the slow parse
        return (e164[1:], e164[2:])
    try:
        number = phonenumbers.parse(e164, None if e164.startswith("+") else DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        digits = re.sub(r"\D", "", e164)
        return (digits,) if digits else ()
    international = f"{number.country_code}{number.national_number}"
    national = re.sub(r"\D", "", phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL))
    return tuple(dict.fromkeys([international, national]))


def looks_like_phone(query: str) -> bool:
    return bool(_PHONE_LIKE.match(query)) and sum(char.isdigit() for char in query) >= 3


def query_tokens(query: str) -> list[str]:
    """The words of a query; a phone number typed with spaces, dashes or brackets becomes one run of digits."""
    if looks_like_phone(query.strip()):
        return [re.sub(r"\D", "", query)]
    return fold(query).split()


def document_text(*parts: str) -> str:
    """The searchable text of a record: its folded parts, each word once, in order."""
    return " ".join(dict.fromkeys(fold(" ".join(part for part in parts if part)).split()))


# Marks where a sensitive field's words begin in a document's text (`§phones 4930…`). fold() drops the mark's
# character, so no query word and no other field's word ever holds it.
SENSITIVE_MARK = "\u00a7"


def sensitive_text(field: str, *parts: str) -> str:
    """The words of a sensitive field (permissions.SENSITIVE_FIELDS), after a mark that names it; to go last in a document's text."""
    words = document_text(*parts)
    return f"{SENSITIVE_MARK}{field} {words}" if words else ""


def visible_words(text: str, hidden: frozenset[str]) -> list[str]:
    """A document's words a role may find it by: none of a field hidden from it, and never a mark itself."""
    words, shown = [], True
    for word in text.split():
        if word.startswith(SENSITIVE_MARK):
            shown = word[1:] not in hidden
        elif shown:
            words.append(word)
    return words


def title_words(title: str) -> list[str]:
    """The words of a title that typo correction may suggest (names, not emails or numbers)."""
    return [word for word in fold(title).split() if len(word) >= 3 and word.isalpha()]
