"""The Kanban board of a pipeline with 100,000 open deals: the whole board, one rep's board, a manager's, a column's next page."""

from __future__ import annotations

from typing import Any

from bench.scenario import RunContext, Scenario, SeedContext
from bench.scenarios import _deals


class DealBoard(Scenario):
    name = "deal_board"
    description = "GET /w/<slug>/deals/ (web) over 100,000 open deals: as the owner, filtered to a rep, as a team's manager; Show more."
    seed_version = 1
    duration = 8.0

    def seed_params(self, scale: float) -> dict[str, Any]:
        return _deals.params(scale)

    def seed(self, ctx: SeedContext) -> dict[str, Any]:
        return _deals.ensure(ctx)

    def run(self, ctx: RunContext) -> None:
        slug, pipeline = ctx.state["workspace_slug"], ctx.state["pipeline_id"]
        owner = {"Cookie": _deals.session_cookie(ctx.state["user_id"])}
        manager = {"Cookie": _deals.session_cookie(ctx.state["manager_id"])}
        board = f"/w/{slug}/deals/?pipeline={pipeline}"
        ctx.load("board, all 100,000 (web)", [board], headers=owner)
        ctx.load("board, one rep (web)", [f"{board}&owner_id={rep}" for rep in ctx.state["rep_ids"]], headers=owner)
        ctx.load("board as a manager (web)", [board], headers=manager)
        ctx.load("column, next page (web)", _column_pages(ctx, board, owner), headers=owner)


def _column_pages(ctx: RunContext, board: str, headers: dict[str, str]) -> list[str]:
    """The "Show more" links of the board's columns, as a browser finds them in the page."""
    import re

    with ctx.client() as client:
        page = client.get(board, headers=headers).raise_for_status().text
    links = [link.replace("&amp;", "&") for link in re.findall(r'hx-get="([^"]*/deals/columns/[^"]+)"', page)]
    if not links:
        raise RuntimeError("the board shows no 'Show more' link")
    return links
