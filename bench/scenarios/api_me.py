"""GET /api/v1/me under concurrent load: the floor of every API call (token lookup, membership, JSON)."""

from __future__ import annotations

from typing import Any

from bench.scenario import RunContext, Scenario, SeedContext


class ApiMe(Scenario):
    name = "api_me"
    description = "GET /api/v1/me with a bearer token: the cost of authentication and the smallest response."
    duration = 10.0

    def seed(self, ctx: SeedContext) -> dict[str, Any]:
        return ctx.workspace_with_token()

    def run(self, ctx: RunContext) -> None:
        ctx.load("GET /me", ["/api/v1/me"])
