"""The contact list API at a million contacts: newest first, by name, filtered, by a custom field, and a page far down."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from bench.scenario import RunContext, Scenario, SeedContext
from bench.scenarios import _dataset

PAGE = 50


class ContactList(Scenario):
    name = "contact_list"
    description = (
        "GET /api/v1/contacts at 1,000,000 contacts (the shared data set): first page, by name, filtered, sorted and filtered by a "
        "custom field, and pages half-way down."
    )
    seed_version = 2
    duration = 6.0

    def seed_params(self, scale: float) -> dict[str, Any]:
        return _dataset.params(scale)

    def seed(self, ctx: SeedContext) -> dict[str, Any]:
        return _dataset.ensure(ctx)

    def run(self, ctx: RunContext) -> None:
        contacts, accounts = ctx.params["contacts"], ctx.params["accounts"]
        ctx.load("first page (newest)", [f"/api/v1/contacts?limit={PAGE}"])
        ctx.load("first page by name", [f"/api/v1/contacts?limit={PAGE}&sort=name"])
        ctx.load(
            "stage filter by name",
            [f"/api/v1/contacts?limit={PAGE}&sort=name&lifecycle_stage={stage}" for stage in sorted(set(_dataset.STAGES))],
        )
        ctx.load(
            "by email",
            [f"/api/v1/contacts?limit={PAGE}&email={_dataset.email(n, accounts)}" for n in range(0, contacts, max(1, contacts // 997))],
        )
        ctx.load("deep page (cursor)", [f"/api/v1/contacts?limit={PAGE}&cursor={_cursor_half_way(ctx)}"])
        ctx.load("sorted by custom field", [f"/api/v1/contacts?limit={PAGE}&sort=-custom.score"])
        ctx.load("custom sort, deep page (cursor)", [f"/api/v1/contacts?limit={PAGE}&sort=-custom.score&cursor={_score_cursor(ctx)}"])
        ranges = [f"custom.score__gte={low}&custom.score__lte={low + 9}" for low in range(0, 1000, 50)]  # 1 % of the contacts each
        ctx.load("custom range, sorted by it", [f"/api/v1/contacts?limit={PAGE}&sort=custom.score&{bounds}" for bounds in ranges])
        ctx.load("custom range, newest first", [f"/api/v1/contacts?limit={PAGE}&{bounds}" for bounds in ranges])


def _cursor_half_way(ctx: RunContext) -> str:
    """A next_cursor about half-way down the newest-first list, got as a client would: from a filtered page."""
    half_way = timezone.now() - timedelta(days=_dataset.HISTORY_DAYS / 2)
    with ctx.client() as client:
        page = client.get("/api/v1/contacts", params={"limit": PAGE, "created_before": half_way.isoformat()}).raise_for_status().json()
    if not page["next_cursor"]:
        raise RuntimeError("the contact list ended before half-way")
    return str(page["next_cursor"])


def _score_cursor(ctx: RunContext) -> str:
    """A next_cursor half-way down the list by score (highest first): the first page of scores up to 500 ends there."""
    with ctx.client() as client:
        params: dict[str, str | int] = {"limit": PAGE, "sort": "-custom.score", "custom.score__lte": "500"}
        page = client.get("/api/v1/contacts", params=params).raise_for_status().json()
    if not page["next_cursor"]:
        raise RuntimeError("the list by score ended before half-way")
    return str(page["next_cursor"])
