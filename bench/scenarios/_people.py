"""People with known duplicates, for measuring identity resolution: who is who is known, so precision and recall are too.

Names follow the US census frequencies that Faker ships (Smith is 2 % of surnames, so a million
people hold hundreds of James Smiths who are not one person). Some people share a household
(surname, address and landline, another first name), many share an employer (its domain, its
office address). About one person in nine is entered again, once or twice, with one to three
changes a person makes when typing a record anew: a typo, two letters transposed, first and last
name swapped, a nickname (Bob for Robert), a field left out, a new email address, other casing
and phone writing. Every repeat keeps at least one thing that ties it to the person: the same
email, the same phone, or (a few) the same address and employer.
"""

from __future__ import annotations

import random
import string
from collections.abc import Iterator
from dataclasses import dataclass, replace

from faker.providers.address.en_US import Provider as Addresses
from faker.providers.person.en_US import Provider as Names
from nicknames import NickNamer

FREE_DOMAINS = ["gmail.com", "yahoo.com", "hotmail.com", "outlook.com", "icloud.com", "aol.com"]
CITIES = [(f"{city} City", f"{10000 + n * 37:05d}") for n, city in enumerate(["Spring", "River", "Lake", "Oak", "Pine", "Hill"] * 40)]
EDITS = ["typo", "transposition", "swap", "nickname", "no_email", "no_phone", "no_address", "new_email", "casing"]


@dataclass(frozen=True)
class Row:
    """One contact as entered, with the person it is (`entity`) for scoring the result."""

    entity: int
    first_name: str
    last_name: str
    email: str
    phone: str
    street: str
    postcode: str
    city: str
    company: str


def _weighted(table: dict[str, float]) -> tuple[list[str], list[float]]:
    names = list(table)
    return names, [table[name] for name in names]


class People:
    """A deterministic stream of rows: `People(seed).rows(count)`."""

    def __init__(self, seed: int = 20261207) -> None:
        self.random = random.Random(seed)
        firsts = {**Names.first_names_female, **Names.first_names_male}
        self.first_names, self.first_weights = _weighted(firsts)
        self.last_names, self.last_weights = _weighted(Names.last_names)
        self.nicknames = NickNamer()
        self._nick_cache: dict[str, list[str]] = {}
        self.companies = [self._company(n) for n in range(20_000)]

    def _company(self, n: int) -> tuple[str, str, str, str, str]:
        rng = self.random
        a, b = rng.choices(self.last_names, self.last_weights, k=2)
        name = rng.choice([f"{a} {rng.choice(['Inc', 'LLC', 'Group', 'Ltd'])}", f"{a}-{b}", f"{a} and {b}"])
        domain = f"{a.lower()}{b.lower()}{n}.com"
        city, postcode = rng.choice(CITIES)
        street = f"{rng.randint(1, 999)} {rng.choice(self.last_names)} {rng.choice(Addresses.street_suffixes)}"
        return name, domain, street, postcode, city

    def _phone(self) -> str:
        rng = self.random
        return f"+1 {rng.choice([202, 212, 415, 617, 312, 713, 206, 303])} {rng.randint(200, 999)} {rng.randint(0, 9999):04d}"

    def _person(self, entity: int) -> Row:
        rng = self.random
        first = rng.choices(self.first_names, self.first_weights)[0]
        last = rng.choices(self.last_names, self.last_weights)[0]
        company = street = postcode = city = ""
        if rng.random() < 0.6:
            company, domain, street, postcode, city = rng.choice(self.companies)
            email = f"{first}.{last}@{domain}".lower() if rng.random() < 0.8 else self._personal_email(first, last, entity)
        else:
            email = self._personal_email(first, last, entity)
        if rng.random() < 0.5:
            city, postcode = rng.choice(CITIES)
            street = f"{rng.randint(1, 9999)} {rng.choice(self.last_names)} {rng.choice(Addresses.street_suffixes)}"
        phone = self._phone() if rng.random() < 0.75 else ""
        if rng.random() < 0.05:
            email = ""
        return Row(entity, first, last, email, phone, street, postcode, city, company)

    def _personal_email(self, first: str, last: str, entity: int) -> str:
        rng = self.random
        style = rng.randrange(4)
        local = [f"{first}.{last}{entity}", f"{first[0]}{last}.{entity}", f"{last}.{first}.{entity}", f"{first}{entity}"][style]
        return f"{local.lower()}@{rng.choice(FREE_DOMAINS)}"

    def _household_member(self, entity: int, of: Row) -> Row:
        first = of.first_name
        while first == of.first_name:
            first = self.random.choices(self.first_names, self.first_weights)[0]
        email = self._personal_email(first, of.last_name, entity) if self.random.random() < 0.9 else ""
        return replace(of, entity=entity, first_name=first, email=email, company="")

    def _nickname(self, first: str) -> str | None:
        key = first.lower()
        if key not in self._nick_cache:
            self._nick_cache[key] = sorted(self.nicknames.nicknames_of(key))
        options = self._nick_cache[key]
        return self.random.choice(options).title() if options else None

    def _typo(self, word: str) -> str:
        rng = self.random
        if len(word) < 3:
            return word
        position = rng.randrange(1, len(word))
        letter = rng.choice(string.ascii_lowercase)
        kind = rng.randrange(3)
        if kind == 0:
            return word[:position] + letter + word[position + 1 :]
        if kind == 1:
            return word[:position] + letter + word[position:]
        return word[:position] + word[position + 1 :]

    def _transpose(self, word: str) -> str:
        if len(word) < 3:
            return word
        position = self.random.randrange(len(word) - 1)
        return word[:position] + word[position + 1] + word[position] + word[position + 2 :]

    def duplicate(self, of: Row) -> Row:
        """The same person typed in again with one to three changes, still tied to them by an email, a phone or an address."""
        rng = self.random
        row = of
        for edit in rng.sample(EDITS, rng.choice([1, 1, 2, 2, 3])):
            if edit == "typo":
                row = (
                    replace(row, first_name=self._typo(row.first_name))
                    if rng.random() < 0.5
                    else replace(row, last_name=self._typo(row.last_name))
                )
            elif edit == "transposition":
                row = replace(row, last_name=self._transpose(row.last_name))
            elif edit == "swap":
                row = replace(row, first_name=row.last_name, last_name=row.first_name)
            elif edit == "nickname":
                row = replace(row, first_name=self._nickname(row.first_name) or row.first_name)
            elif edit == "no_email":
                row = replace(row, email="")
            elif edit == "no_phone":
                row = replace(row, phone="")
            elif edit == "no_address":
                row = replace(row, street="", postcode="", city="")
            elif edit == "new_email":
                row = replace(row, email=self._personal_email(row.first_name, row.last_name, rng.randrange(10**6)))
            elif edit == "casing":
                row = replace(row, first_name=row.first_name.upper(), email=row.email.upper(), phone=_rewritten(row.phone))
        same_email = bool(row.email) and row.email.lower() == of.email.lower()
        same_phone = bool(row.phone) and row.phone.replace(" ", "") == of.phone.replace(" ", "")
        if not (same_email or same_phone):
            # Keep a tie: mostly the phone or email back, sometimes only the address (and employer) they share.
            if of.street and rng.random() < 0.2:
                row = replace(row, street=of.street, postcode=of.postcode, city=of.city, company=of.company)
            elif of.phone:
                row = replace(row, phone=of.phone)
            elif of.email:
                row = replace(row, email=of.email)
            else:
                row = replace(row, street=of.street, postcode=of.postcode, city=of.city, company=of.company)
        return row

    def rows(self, count: int) -> Iterator[Row]:
        """`count` rows: people, their households, and their repeats interleaved later in the stream (as they arrive)."""
        rng = self.random
        emitted = entity = 0
        pending: list[Row] = []
        recent: list[Row] = []
        while emitted < count:
            if pending and rng.random() < 0.12:
                yield pending.pop(rng.randrange(len(pending)))
                emitted += 1
                continue
            row = self._household_member(entity, rng.choice(recent)) if recent and rng.random() < 0.04 else self._person(entity)
            entity += 1
            recent = [*recent[-50:], row]
            yield row
            emitted += 1
            repeats = rng.choices([0, 1, 2], [0.89, 0.09, 0.02])[0] if row.email or row.phone or row.street else 0
            pending.extend(self.duplicate(row) for _ in range(repeats))


def _rewritten(phone: str) -> str:
    """A US number in national writing: +1 202 555 0143 → (202) 555-0143."""
    parts = phone.split()
    return f"({parts[1]}) {parts[2]}-{parts[3]}" if len(parts) == 4 else phone


def true_pairs(entities: list[int]) -> set[tuple[int, int]]:
    """Every pair of positions that are one person, by the entity of each position."""
    by_entity: dict[int, list[int]] = {}
    for position, entity in enumerate(entities):
        by_entity.setdefault(entity, []).append(position)
    return {(a, b) for members in by_entity.values() for i, a in enumerate(members) for b in members[i + 1 :]}


def precision_recall(found: set[tuple[int, int]], truth: set[tuple[int, int]]) -> tuple[float, float]:
    right = len(found & truth)
    return (right / len(found) if found else 1.0), (right / len(truth) if truth else 1.0)
