"""Global search at a million contacts and 200,000 accounts: names, prefixes, emails, phone digits, typos, companies."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from bench.scenario import RunContext, Scenario, SeedContext
from bench.scenarios import _dataset

QUERIES_PER_CASE = 60


class Search(Scenario):
    name = "search"
    description = "GET /api/v1/search over the shared data set, one case per kind of query, each cycling through many queries."
    seed_version = 1
    duration = 6.0

    def seed_params(self, scale: float) -> dict[str, Any]:
        return _dataset.params(scale)

    def seed(self, ctx: SeedContext) -> dict[str, Any]:
        return _dataset.ensure(ctx)

    def run(self, ctx: RunContext) -> None:
        for case, queries in queries_by_kind(ctx.params["contacts"], ctx.params["accounts"]).items():
            ctx.load(case, [f"/api/v1/search?{urlencode({'q': query})}" for query in queries])


def queries_by_kind(contacts: int, accounts: int) -> dict[str, list[str]]:
    """What people type, built from the data set's own values (so most queries find someone), spread over the rows."""
    people = [(n * 7919 + 13) % contacts for n in range(QUERIES_PER_CASE)]
    phoned = [n - n % 3 for n in people]
    companies = [(n * 104729 + 7) % accounts for n in range(QUERIES_PER_CASE)]
    return {
        "name prefix": [_dataset.last_name(n)[: 3 + n % 3] for n in people],
        "full name": [f"{_dataset.first_name(n)} {_dataset.last_name(n)}" for n in people],
        "email": [_dataset.email(n, accounts) for n in people],
        "phone digits": [_dataset.phone(n)[-7:] for n in phoned if _dataset.phone(n)],
        "typo in a name": [_typo(_dataset.last_name(n)) for n in people],
        "company or domain": [_dataset.account_name(a).split(" ")[0] + " " + _dataset.account_name(a).split(" ")[1] for a in companies[::2]]
        + [_dataset.account_domain(a) for a in companies[1::2]],
    }


def _typo(word: str) -> str:
    """One slip: two neighbouring letters swapped in the middle of the word."""
    middle = len(word) // 2
    return word[: middle - 1] + word[middle] + word[middle - 1] + word[middle + 1 :]
