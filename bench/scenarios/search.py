"""Global search at a million contacts and 200,000 accounts: names, prefixes, emails, phone digits, typos, companies.

And the deal page's person picker over the same people (web, signed in): it reads the search index too, then keeps
those whose name holds every word; the deal is at the showcase account, so its few people come first. And the
new-deal form's account picker: accounts by the first letters of their name or its first two words, from the index.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from bench.scenario import RunContext, Scenario, SeedContext
from bench.scenarios import _dataset, _deals

QUERIES_PER_CASE = 60
PICKER_DEAL = "Bench picker deal"


class Search(Scenario):
    name = "search"
    description = (
        "GET /api/v1/search over the shared data set, one case per kind of query, each cycling through many queries; "
        "the deal page's person picker (web) by name prefix and by full name; the new-deal form's account picker (web)."
    )
    seed_version = 2
    duration = 6.0

    def seed_params(self, scale: float) -> dict[str, Any]:
        return _dataset.params(scale)

    def seed(self, ctx: SeedContext) -> dict[str, Any]:
        state = _dataset.ensure(ctx)
        return state | {"picker_deal_id": _picker_deal(state)}

    def run(self, ctx: RunContext) -> None:
        queries = queries_by_kind(ctx.params["contacts"], ctx.params["accounts"])
        for case, typed in queries.items():
            ctx.load(case, [f"/api/v1/search?{urlencode({'q': query})}" for query in typed])
        slug, deal_id = ctx.state["workspace_slug"], ctx.state["picker_deal_id"]
        browser = {"Cookie": _deals.session_cookie(ctx.state["user_id"]), "HX-Request": "true"}
        for case, kind in (("person picker: name prefix (web)", "name prefix"), ("person picker: full name (web)", "full name")):
            ctx.load(
                case, [f"/w/{slug}/deals/{deal_id}/pick/contacts/?{urlencode({'q': query})}" for query in queries[kind]], headers=browser
            )
        ctx.load(
            "account picker (web)",
            [f"/w/{slug}/deals/pick/accounts/?{urlencode({'q': query})}" for query in account_queries(ctx.params["accounts"])],
            headers=browser,
        )


def _picker_deal(state: dict[str, Any]) -> int:
    """A deal at the showcase account for the person picker; made once, found again when the data set is reused."""
    from amity.core import audit
    from amity.core.models import Door, User, Workspace
    from amity.sales import services
    from amity.sales.models import Opportunity

    workspace = Workspace.objects.get(pk=state["workspace_id"])
    existing = Opportunity.objects.filter(workspace=workspace, name=PICKER_DEAL).values_list("pk", flat=True).first()
    if existing:
        return int(existing)
    with audit.acting_through(Door.SYSTEM, label="bench"):
        deal = services.opportunity_create(
            actor=User.objects.get(pk=state["user_id"]),
            workspace=workspace,
            data={"name": PICKER_DEAL, "account_id": state["showcase_account_id"], "currency": "USD", "amount": "1000"},
        )
    return int(deal.pk)


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


def account_queries(accounts: int) -> list[str]:
    """What one types in the new-deal form's account box: the first 3 to 6 letters of a company's name, or its first two words."""
    companies = [(n * 104729 + 7) % accounts for n in range(QUERIES_PER_CASE)]
    names = [_dataset.account_name(a) for a in companies]
    return [name[: 3 + n % 4].strip() for n, name in enumerate(names[::2])] + [" ".join(name.split()[:2]) for name in names[1::2]]


def _typo(word: str) -> str:
    """One slip: two neighbouring letters swapped in the middle of the word."""
    middle = len(word) // 2
    return word[: middle - 1] + word[middle] + word[middle - 1] + word[middle + 1 :]
