"""The audit log API over a large trail: first page, a filtered page, and a page half-way down reached through next_cursor."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from bench.scenario import RunContext, Scenario, SeedContext, scaled

OBJECT_TYPES = ["customers.contact", "customers.account", "sales.opportunity", "activities.task", "core.membership"]
ACTIONS = ["create", "update", "update", "update", "delete"]
ACTORS = 5
PAGE = 50


class AuditLog(Scenario):
    name = "audit_log"
    description = "GET /api/v1/audit-log: newest page, filtered by object type, and a page half-way down via next_cursor."
    seed_version = 1
    duration = 8.0

    def seed_params(self, scale: float) -> dict[str, Any]:
        return {"entries": scaled(200_000, scale, minimum=1000)}

    def seed(self, ctx: SeedContext) -> dict[str, Any]:
        from amity.core.models import AuditEntry, Membership, Workspace
        from amity.core.permissions import Role

        state = ctx.workspace_with_token()
        workspace = Workspace.objects.get(pk=state["workspace_id"])
        actors = [ctx.user(f"audit-log-actor-{n}") for n in range(ACTORS)]
        Membership.objects.bulk_create(Membership(workspace=workspace, user=actor, role=Role.SALES) for actor in actors)
        ctx.bulk_insert_rows(
            AuditEntry, COLUMNS, _entries(workspace.pk, [(actor.pk, actor.email) for actor in actors], ctx.params["entries"])
        )
        return state

    def run(self, ctx: RunContext) -> None:
        ctx.load("first page", [f"/api/v1/audit-log?limit={PAGE}"])
        ctx.load("object_type filter", [f"/api/v1/audit-log?limit={PAGE}&object_type={object_type}" for object_type in OBJECT_TYPES])
        ctx.load("deep page (cursor)", [f"/api/v1/audit-log?limit={PAGE}&cursor={_cursor_at(ctx, ctx.params['entries'] // 2)}"])


COLUMNS = [
    "workspace",
    "created_at",
    "actor",
    "token",
    "actor_label",
    "door",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "changes",
]


def _entries(workspace_id: int, actors: list[tuple[int, str]], count: int) -> Iterator[tuple[Any, ...]]:
    """`count` audit entries over the last year, oldest first, so ids and times rise together."""
    rng = random.Random(20240501)
    start = timezone.now() - timedelta(days=365)
    step = timedelta(days=365) / count
    for number in range(count):
        actor_id, email = actors[number % len(actors)]
        object_type = OBJECT_TYPES[rng.randrange(len(OBJECT_TYPES))]
        object_id = str(rng.randrange(1, count // 10 + 2))
        yield (
            workspace_id,
            start + step * number,
            actor_id,
            None,
            email,
            "web" if number % 3 else "api",
            ACTIONS[number % len(ACTIONS)],
            object_type,
            object_id,
            f"{object_type.split('.')[1].title()} {object_id}",
            {"stage": ["Qualified", "Proposal"], "amount": [str(number % 977), str(number % 991)]},
        )


def _cursor_at(ctx: RunContext, depth: int) -> str:
    """The next_cursor of a page about `depth` rows down, as a client gets it: from a page of the list.

    Ids and times rise together in the seed, so the page `until` the time `depth` rows down starts
    there; its next_cursor holds only the last id, so it pages the unfiltered list from that point.
    """
    with ctx.client() as client:
        newest = client.get("/api/v1/audit-log", params={"limit": 1}).raise_for_status().json()["items"][0]
        oldest_seeded = timezone.now() - timedelta(days=365)
        newest_at = datetime.fromisoformat(newest["created_at"])
        until = newest_at - (newest_at - oldest_seeded) * depth / ctx.params["entries"]
        page = client.get("/api/v1/audit-log", params={"limit": PAGE, "until": until.isoformat()}).raise_for_status().json()
    if not page["next_cursor"]:
        raise RuntimeError(f"the audit log ended before {depth} rows")
    return str(page["next_cursor"])
