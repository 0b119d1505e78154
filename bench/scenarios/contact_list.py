"""The contact list API at a million contacts: newest first, by name, filtered, and a page far down."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from django.utils import timezone

from bench.scenario import RunContext, Scenario, SeedContext, scaled

FIRST_NAMES = ["Ada", "Alan", "Grace", "Edsger", "Barbara", "Donald", "Frances", "Ken", "Margaret", "Niklaus", "Radia", "Tim"]
LAST_NAMES = ["Lovelace", "Turing", "Hopper", "Dijkstra", "Liskov", "Knuth", "Allen", "Thompson", "Hamilton", "Wirth", "Perlman", "Lee"]
STAGES = ["lead", "customer", "customer", "opportunity", "subscriber", "churned"]
PAGE = 50
HISTORY_DAYS = 730

CONTACT_COLUMNS = ["workspace", "first_name", "last_name", "title", "primary_email", "primary_phone", "preferred_channel", "language"]
CONTACT_COLUMNS += [
    "time_zone",
    "social",
    "lifecycle_stage",
    "source",
    "external_id",
    "custom",
    "created_at",
    "updated_at",
    "deleted_at",
    "owner",
    "team",
]


class ContactList(Scenario):
    name = "contact_list"
    description = "GET /api/v1/contacts at 1,000,000 contacts: first page, by name, filtered and sorted, and a page half-way down."
    seed_version = 1
    duration = 8.0

    def seed_params(self, scale: float) -> dict[str, Any]:
        return {"contacts": scaled(1_000_000, scale, minimum=2000), "accounts": scaled(200_000, scale, minimum=400)}

    def seed(self, ctx: SeedContext) -> dict[str, Any]:
        from amity.customers.models import Account, Contact, ContactEmail

        state = ctx.workspace_with_token()
        workspace_id = state["workspace_id"]
        count = ctx.params["contacts"]
        ctx.bulk_insert_rows(
            Account,
            [
                "workspace",
                "name",
                "industry",
                "size",
                "revenue_currency",
                "lifecycle_stage",
                "source",
                "custom",
                "created_at",
                "updated_at",
            ],
            _accounts(workspace_id, ctx.params["accounts"]),
        )
        first_id = (Contact.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
        ctx.bulk_insert_rows(Contact, CONTACT_COLUMNS, _contacts(workspace_id, count))
        if Contact.objects.filter(workspace_id=workspace_id, pk__range=(first_id, first_id + count - 1)).count() != count:
            raise RuntimeError("contact ids are not contiguous; the email rows would point at the wrong people")
        emails = ((workspace_id, first_id + n, f"person{n}@example.com", True) for n in range(count))
        ctx.bulk_insert_rows(ContactEmail, ["workspace", "contact", "address", "is_primary"], emails)
        return state

    def run(self, ctx: RunContext) -> None:
        ctx.load("first page (newest)", [f"/api/v1/contacts?limit={PAGE}"])
        ctx.load("first page by name", [f"/api/v1/contacts?limit={PAGE}&sort=name"])
        ctx.load(
            "stage filter by name", [f"/api/v1/contacts?limit={PAGE}&sort=name&lifecycle_stage={stage}" for stage in sorted(set(STAGES))]
        )
        ctx.load("by email", [f"/api/v1/contacts?limit={PAGE}&email=person{n}@example.com" for n in range(0, ctx.params["contacts"], 997)])
        ctx.load("deep page (cursor)", [f"/api/v1/contacts?limit={PAGE}&cursor={_cursor_half_way(ctx)}"])


def _accounts(workspace_id: int, count: int) -> Iterator[tuple[Any, ...]]:
    now = timezone.now()
    for n in range(count):
        created = now - timedelta(days=HISTORY_DAYS) + timedelta(days=HISTORY_DAYS) * n / count
        yield (workspace_id, f"Company {n}", "Software", "10-49", "USD", "customer", "bench", {}, created, created)


def _contacts(workspace_id: int, count: int) -> Iterator[tuple[Any, ...]]:
    """People created over two years, oldest first, so ids and creation times rise together."""
    rng = random.Random(1_000_000)
    start = timezone.now() - timedelta(days=HISTORY_DAYS)
    step = timedelta(days=HISTORY_DAYS) / count
    for n in range(count):
        created = start + step * n
        yield (
            workspace_id, rng.choice(FIRST_NAMES), f"{rng.choice(LAST_NAMES)}{n % 997}", "Buyer", f"person{n}@example.com",
            f"+1202555{n % 10000:04d}", "email", "en", "", {}, STAGES[n % len(STAGES)], "bench", None, {}, created, created, None,
            None, None,
        )  # fmt: skip


def _cursor_half_way(ctx: RunContext) -> str:
    """A next_cursor about half-way down the newest-first list, got as a client would: from a filtered page."""
    half_way = timezone.now() - timedelta(days=HISTORY_DAYS / 2)
    with ctx.client() as client:
        page = client.get("/api/v1/contacts", params={"limit": PAGE, "created_before": half_way.isoformat()}).raise_for_status().json()
    if not page["next_cursor"]:
        raise RuntimeError("the contact list ended before half-way")
    return str(page["next_cursor"])
