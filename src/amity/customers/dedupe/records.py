"""What the engine knows of a record: its compared values, built once from whatever door it came through.

A `Person` is a contact and an `Organization` an account, reduced to normalized keys. They are
plain frozen objects, so that a scan holds a million of them and tests write them by hand.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from amity.core.email_addresses import normalize_email
from amity.core.phones import to_e164
from amity.customers.dedupe import normalize

CONTACT = "contact"
ACCOUNT = "account"


@dataclass(frozen=True, slots=True)
class Person:
    """A contact as the engine compares it."""

    id: int
    first: str = ""
    last: str = ""
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    employers: tuple[str, ...] = ()  # the companies' compared names and the non-free domains of the emails
    addresses: tuple[str, ...] = ()
    external_id: str | None = None
    type: str = field(default=CONTACT, init=False)

    def blocking_keys(self) -> set[str]:
        """The keys that put this record beside the ones it may duplicate; each is one block of candidates."""
        keys = {f"e:{email}" for email in self.emails}
        keys.update(f"p:{phone}" for phone in self.phones)
        keys.update(f"l:{local}" for local in map(normalize.email_local, self.emails) if local)
        keys.update(f"a:{address}" for address in self.addresses)
        first, last = self.first, self.last
        if first and last:
            # Order-free, so that a swapped first and last name lands in the same block; once per formal name for nicknames.
            keys.update("n:" + "|".join(sorted((canonical, last))) for canonical in normalize.nickname_canonicals(first))
            keys.add("m:" + "|".join(sorted((normalize.phonetic(first), normalize.phonetic(last)))))
        surname_sound = normalize.phonetic(last) if last else ""
        for employer in self.employers:
            if surname_sound:
                keys.add(f"w:{employer}|{surname_sound}")
            if first:
                keys.add(f"w:{employer}|{normalize.nickname_canonicals(first)[0]}")
        return keys

    def sort_key(self) -> str:
        """Where the record falls in a huge block walked in order: by place, then by name."""
        return f"{self.addresses[0] if self.addresses else '~'}|{self.last}|{self.first}"


@dataclass(frozen=True, slots=True)
class Organization:
    """An account as the engine compares it."""

    id: int
    name: str = ""
    domains: tuple[str, ...] = ()
    addresses: tuple[str, ...] = ()
    external_id: str | None = None
    type: str = field(default=ACCOUNT, init=False)

    def blocking_keys(self) -> set[str]:
        keys = {f"d:{domain}" for domain in self.domains}
        keys.update(f"a:{address}" for address in self.addresses)
        if self.name:
            keys.add(f"n:{self.name}")
            keys.add(f"m:{normalize.company_phonetic(self.name)}")
            first_word = self.name.split()[0]
            if len(first_word) >= 4:
                keys.add(f"f:{first_word}")
        return keys

    def sort_key(self) -> str:
        return f"{self.name}|{self.addresses[0] if self.addresses else ''}"


Record = Person | Organization


def _emails(raw: Iterable[str]) -> tuple[str, ...]:
    keys: list[str] = []
    for address in raw:
        try:
            key = normalize.email_key(normalize_email(address))
        except ValueError:
            continue
        if key not in keys:
            keys.append(key)
    return tuple(keys)


def _phones(raw: Iterable[str]) -> tuple[str, ...]:
    numbers: list[str] = []
    for number in raw:
        try:
            e164 = number if number.startswith("+") and number[1:].isdigit() else to_e164(number)
        except ValueError:
            continue
        if e164 not in numbers:
            numbers.append(e164)
    return tuple(numbers)


def _addresses(raw: Iterable[Sequence[str]]) -> tuple[str, ...]:
    keys = {normalize.address_key(street, postcode, city) for street, postcode, city in raw}
    return tuple(sorted(key for key in keys if key))


def person(
    *,
    id: int,
    first_name: str = "",
    last_name: str = "",
    emails: Iterable[str] = (),
    phones: Iterable[str] = (),
    employers: Iterable[str] = (),
    addresses: Iterable[Sequence[str]] = (),
    external_id: str | None = None,
) -> Person:
    """A contact's values as typed (emails, phones in any writing, addresses as (street, postcode, city)), normalized."""
    first, last = normalize.split_name(first_name, last_name)
    email_keys = _emails(emails)
    companies = {normalize.company_name(name) for name in employers if name}
    companies.update(normalize.email_domain(email) for email in email_keys)
    return Person(
        id=id,
        first=first,
        last=last,
        emails=email_keys,
        phones=_phones(phones),
        employers=tuple(sorted(company for company in companies if company)),
        addresses=_addresses(addresses),
        external_id=external_id,
    )


def organization(
    *,
    id: int,
    name: str = "",
    domains: Iterable[str] = (),
    addresses: Iterable[Sequence[str]] = (),
    external_id: str | None = None,
) -> Organization:
    """An account's values as typed, normalized."""
    return Organization(
        id=id,
        name=normalize.company_name(name),
        domains=tuple(sorted({domain.lower().removeprefix("www.") for domain in domains if domain})),
        addresses=_addresses(addresses),
        external_id=external_id,
    )
