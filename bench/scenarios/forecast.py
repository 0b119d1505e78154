"""The forecast of a quarter whose 100,000 open deals all close in it: the web page and the API by rep, team and pipeline."""

from __future__ import annotations

from typing import Any

from bench.scenario import RunContext, Scenario, SeedContext
from bench.scenarios import _deals


class Forecast(Scenario):
    name = "forecast"
    description = "The quarter's forecast over 100,000 open and 20,000 closed deals, 24 reps with quotas and calls: web page and API."
    seed_version = 1
    duration = 8.0

    def seed_params(self, scale: float) -> dict[str, Any]:
        return _deals.params(scale)

    def seed(self, ctx: SeedContext) -> dict[str, Any]:
        return _deals.ensure(ctx)

    def run(self, ctx: RunContext) -> None:
        slug, quarter = ctx.state["workspace_slug"], ctx.state["quarter"]
        owner = {"Cookie": _deals.session_cookie(ctx.state["user_id"])}
        query = f"period={quarter}&currency=EUR"
        ctx.load("forecast page (web)", [f"/w/{slug}/forecast/?{query}"], headers=owner)
        ctx.load("API by rep", [f"/api/v1/forecasts?{query}"])
        ctx.load("API by team", [f"/api/v1/forecasts?{query}&group_by=team"])
        ctx.load("API by pipeline", [f"/api/v1/forecasts?{query}&group_by=pipeline"])
        ctx.load("API as a team's manager", [f"/api/v1/forecasts?{query}"], token=ctx.state["manager_token"])
        ctx.load("rep performance API (12 months)", ["/api/v1/rep-performance?currency=EUR"])
