"""How alike two records are: a score from 0 to 1 and the reasons behind it.

The score adds up evidence as log-odds (a Fellegi–Sunter style model with hand-set weights) and
turns the sum into a probability: how alike the names are, then what they share (an email, a
phone, an address, an employer) and what they contradict (both have phones, none the same).
A shared phone with a different name is not a duplicate (a household, a switchboard); the same
common name with nothing shared is not one either (there are many John Smiths).

String similarity is rapidfuzz's: Jaro–Winkler for names (forgiving of typos and of
transpositions, which it counts as one change), token-sort ratio for company names.
"""

from __future__ import annotations

import math

from rapidfuzz import fuzz
from rapidfuzz.distance import OSA, JaroWinkler

from amity.customers.dedupe import normalize
from amity.customers.dedupe.records import Organization, Person

DEFAULT_THRESHOLD = 0.8  # at or above: a duplicate; the clusters, the CLI and the on-entry check use it
REVIEW_THRESHOLD = 0.6  # at or above: kept as a candidate for a person to look at
# The reasons that come from an exact key (normalized email, E.164 phone, web domain): only such pairs may be merged automatically.
EXACT_KEY_REASONS = frozenset({"same email", "same phone", "same web domain"})

# Log-odds weights (see the module's docstring); PRIOR is the evidence needed before anything is known.
PRIOR = -6.0
SAME_EMAIL = 5.0
SAME_PHONE = 4.5
SAME_EMAIL_NAME = 2.0
SAME_ADDRESS = 3.0
SAME_PHONE_AND_ADDRESS = 5.0  # not the sum: a household shares both, so together they prove little more than the phone
SAME_EMPLOYER = 1.5
DIFFERENT_EMAILS = -0.3
DIFFERENT_PHONES = -1.5
DIFFERENT_ADDRESSES = -0.5
NICKNAME = 0.95
SWAPPED = 0.98
INITIAL = 0.85
ONE_CHANGE = 0.93  # one letter wrong, missing, added, or two swapped: a typo, however short the name
UNKNOWN_PART = 0.8
SIMILAR_NAMES = 0.8
COMPANY_PRIOR = -4.0  # an exact company name alone is a likely duplicate (0.82): names of companies are far rarer than of people
SAME_DOMAIN = 5.0
DIFFERENT_DOMAINS = -1.5


def _given_name_similarity(first: str, other: str) -> tuple[float, str]:
    if not first or not other:
        return UNKNOWN_PART, ""
    if first == other:
        return 1.0, ""
    if normalize.are_nicknames(first, other):
        return NICKNAME, "nickname"
    if (len(first) == 1 or len(other) == 1) and first[0] == other[0]:
        return INITIAL, "initial"
    return _spelling_similarity(first, other), "typo"


def _spelling_similarity(word: str, other: str) -> float:
    similarity = JaroWinkler.normalized_similarity(word, other)
    return max(similarity, ONE_CHANGE) if OSA.distance(word, other, score_cutoff=1) <= 1 else similarity


def _surname_similarity(last: str, other: str) -> float:
    if not last or not other:
        return UNKNOWN_PART
    return 1.0 if last == other else _spelling_similarity(last, other)


def name_similarity(a: Person, b: Person) -> tuple[float, list[str]]:
    """How alike two people's names are (0–1), either way round, and how they differ."""
    given, given_how = _given_name_similarity(a.first, b.first)
    straight = given * _surname_similarity(a.last, b.last)
    swapped = 0.0
    if a.first and a.last and b.first and b.last and (a.first, a.last) != (b.first, b.last):
        swapped = SWAPPED * _given_name_similarity(a.first, b.last)[0] * _given_name_similarity(a.last, b.first)[0]
    if swapped > straight:
        return swapped, ["first and last name swapped"]
    if straight == 1.0:
        return straight, ["same name"]
    how = {"nickname": "nickname", "initial": "initial for the first name"}.get(given_how, "similar name")
    if straight < SIMILAR_NAMES:
        how = "different names"
    return straight, [how]


def _name_weight(similarity: float) -> float:
    """Alike names count for a duplicate; names alike only in part (Teresa and Tessa, Miguel and Michael) count steeply against."""
    if similarity >= 0.9:
        return min(4.8, 3.6 + 12 * (similarity - 0.9))
    return max(-6.0, 3.6 - 50 * (0.9 - similarity))


def _company_weight(similarity: float) -> float:
    return max(-6.0, min(5.5, 14 * (similarity - 0.85) + 3.5))


def probability(log_odds: float) -> float:
    return 1.0 / (1.0 + math.exp(-log_odds))


def score_people(a: Person, b: Person) -> tuple[float, list[str]]:
    """The probability that two contacts are one person, with the reasons."""
    similarity, reasons = name_similarity(a, b)
    evidence = PRIOR + _name_weight(similarity)
    shared_emails = not set(a.emails).isdisjoint(b.emails)
    if shared_emails:
        evidence += SAME_EMAIL
        reasons.append("same email")
    elif a.emails and b.emails:
        locals_a = {normalize.email_local(email) for email in a.emails} - {""}
        if locals_a and not locals_a.isdisjoint(normalize.email_local(email) for email in b.emails):
            evidence += SAME_EMAIL_NAME
            reasons.append("same email name at another domain")
        else:
            evidence += DIFFERENT_EMAILS
    same_phone = not set(a.phones).isdisjoint(b.phones)
    same_address = not set(a.addresses).isdisjoint(b.addresses)
    if same_phone:
        reasons.append("same phone")
    elif a.phones and b.phones:
        evidence += DIFFERENT_PHONES
        reasons.append("different phones")
    if same_address:
        reasons.append("same address")
    elif a.addresses and b.addresses:
        evidence += DIFFERENT_ADDRESSES
    if same_phone or same_address:
        evidence += SAME_PHONE_AND_ADDRESS if same_phone and same_address else SAME_PHONE if same_phone else SAME_ADDRESS
    if not set(a.employers).isdisjoint(b.employers):
        evidence += SAME_EMPLOYER
        reasons.append("same employer")
    return round(probability(evidence), 4), reasons


def score_organizations(a: Organization, b: Organization) -> tuple[float, list[str]]:
    """The probability that two accounts are one organization, with the reasons."""
    reasons: list[str] = []
    similarity = fuzz.token_sort_ratio(a.name, b.name) / 100 if a.name and b.name else UNKNOWN_PART
    if similarity == 1.0:
        reasons.append("same name")
    elif similarity >= 0.85:
        reasons.append("similar name")
    evidence = COMPANY_PRIOR + _company_weight(similarity)
    if not set(a.domains).isdisjoint(b.domains):
        evidence += SAME_DOMAIN
        reasons.append("same web domain")
    elif a.domains and b.domains:
        evidence += DIFFERENT_DOMAINS
        reasons.append("different web domains")
    if not set(a.addresses).isdisjoint(b.addresses):
        evidence += SAME_ADDRESS
        reasons.append("same address")
    elif a.addresses and b.addresses:
        evidence += DIFFERENT_ADDRESSES
    return round(probability(evidence), 4), reasons


def score(a: Person | Organization, b: Person | Organization) -> tuple[float, list[str]]:
    """Score two records of the same type."""
    if isinstance(a, Person) and isinstance(b, Person):
        return score_people(a, b)
    if isinstance(a, Organization) and isinstance(b, Organization):
        return score_organizations(a, b)
    raise TypeError("Only records of the same type are compared.")
