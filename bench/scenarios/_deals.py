"""The data set of the deal board and forecast scenarios: 100,000 open deals in one pipeline, with closed ones, quotas and calls.

Shared by `deal_board` and `forecast` (seeded by whichever runs first, kept while its sizes hold):
24 reps in 4 teams (each with a manager), 2,000 accounts, the default pipeline, 100,000 open deals
spread over its four open stages and expected to close in the quarter of the seed (the forecast's
worst case: every open deal counts), 20,000 deals won or lost over the year before, a quota per
rep and month for two years, and each rep's call and their manager's override for the quarter.
Rows go in with COPY / executemany, like the customers' data set.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from bench import database
from bench.scenario import SeedContext, Stopwatch, scaled

MARKER = "_deals"
TEAMS = 4
REPS_PER_TEAM = 6
ACCOUNTS = 2000
OPPORTUNITY_COLUMNS = [
    "workspace", "name", "account", "pipeline", "stage", "status", "amount", "currency", "expected_close_date", "probability",
    "forecast_category", "forecast_category_chosen", "owner", "team", "next_step", "description", "competitors", "source",
    "lost_reason", "lost_note", "closed_at", "stage_changed_at", "custom", "created_at", "updated_at",
]  # fmt: skip


def params(scale: float) -> dict[str, Any]:
    return {"deals": 1, "open_deals": scaled(100_000, scale, minimum=1000), "closed_deals": scaled(20_000, scale, minimum=200)}


def quarter_of(day: date) -> tuple[date, date]:
    start = date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    end = date(start.year + (start.month + 2) // 12, (start.month + 2) % 12 + 1, 1)
    return start, end


def ensure(ctx: SeedContext) -> dict[str, Any]:
    """The data set's state (workspace, tokens, people, the quarter), seeding it first when it is missing or of other sizes."""
    wanted = {key: value for key, value in ctx.params.items() if key in {"deals", "open_deals", "closed_deals"}}
    key = json.dumps(wanted, sort_keys=True)
    marker = database.read_marker(MARKER)
    if marker is not None and marker[0] == key:
        print(f"  reusing the deals data set {key}", flush=True)
        return marker[1]
    if marker is not None:
        from amity.core.models import User

        database.purge_workspaces(marker[1]["_owned_workspaces"])
        User.objects.filter(pk__in=marker[1]["_owned_users"]).delete()
    seeding = SeedContext(scenario="deals", params=wanted, database=ctx.database)
    with Stopwatch() as watch:
        state = _seed(seeding)
    print(f"  seeded the deals data set {key} in {watch.seconds:.0f} s", flush=True)
    ctx.figures.extend(seeding.figures)
    state |= {"_owned_workspaces": seeding.owned_workspaces, "_owned_users": seeding.owned_users}
    database.write_marker(MARKER, key, state)
    return state


def _people(ctx: SeedContext, workspace_id: int) -> tuple[list[int], list[int], dict[int, int]]:
    """Managers, reps, and the team of each rep (memberships, teams and their members)."""
    from amity.core.models import Membership, Team
    from amity.core.permissions import Role

    managers, reps, team_of = [], [], {}
    for number in range(TEAMS):
        manager = ctx.user(f"deals-manager-{number}")
        Membership.objects.create(workspace_id=workspace_id, user=manager, role=Role.MANAGER)
        team = Team.objects.create(workspace_id=workspace_id, name=f"Team {number + 1}", manager=manager)
        members = [ctx.user(f"deals-rep-{number}-{index}") for index in range(REPS_PER_TEAM)]
        Membership.objects.bulk_create(Membership(workspace_id=workspace_id, user=rep, role=Role.SALES) for rep in members)
        team.members.set(members)
        managers.append(manager.pk)
        for rep in members:
            reps.append(rep.pk)
            team_of[rep.pk] = team.pk
    return managers, reps, team_of


def _seed(ctx: SeedContext) -> dict[str, Any]:
    from amity.core import services as core_services
    from amity.core.models import User, Workspace
    from amity.customers.models import Account
    from amity.sales import services
    from amity.sales.models import ForecastSubmission, LostReason, Opportunity, Quota

    state = ctx.workspace_with_token(name="Bench deals")
    workspace_id, owner_id = state["workspace_id"], state["user_id"]
    workspace = Workspace.objects.get(pk=workspace_id)
    pipeline = services.sales_setup(workspace=workspace)
    stages = list(pipeline.stages.order_by("position"))
    managers, reps, team_of = _people(ctx, workspace_id)
    _, manager_token = core_services.token_create(actor=User.objects.get(pk=managers[0]), workspace=workspace, name="bench")
    now = timezone.now().replace(microsecond=0)
    ctx.bulk_insert_rows(
        Account,
        ["workspace", "name", "industry", "size", "revenue_currency", "lifecycle_stage", "source", "custom", "created_at", "updated_at", "owner"],
        ((workspace_id, f"Deal account {a:05d}", "Software", "10-49", "EUR", "customer", "bench", {}, now, now, owner_id) for a in range(ACCOUNTS)),
    )  # fmt: skip
    accounts = list(Account.objects.filter(workspace_id=workspace_id).values_list("pk", flat=True))
    quarter_start, quarter_end = quarter_of(timezone.localdate())
    reason = LostReason.objects.filter(workspace_id=workspace_id).values_list("pk", flat=True).first()
    rows = _opportunities(
        workspace_id, pipeline.pk, stages, accounts, reps, team_of, reason, now, quarter_start, quarter_end,
        ctx.params["open_deals"], ctx.params["closed_deals"],
    )  # fmt: skip
    ctx.bulk_insert_rows(Opportunity, OPPORTUNITY_COLUMNS, rows)
    months = [
        date(quarter_start.year - 1 + (quarter_start.month - 1 + m) // 12, (quarter_start.month - 1 + m) % 12 + 1, 1) for m in range(24)
    ]
    ctx.bulk_insert_rows(
        Quota,
        ["workspace", "user", "month", "amount", "currency", "set_by", "created_at", "updated_at"],
        ((workspace_id, rep, month, Decimal(250_000), "EUR", owner_id, now, now) for rep in reps for month in months),
    )
    ctx.bulk_insert_rows(
        ForecastSubmission,
        ["workspace", "rep", "kind", "period_kind", "period_start", "amount", "currency", "note", "submitted_by", "submitted_at"],
        _submissions(workspace_id, reps, team_of, managers, quarter_start, now),
    )
    return state | {
        "manager_id": managers[0], "manager_token": manager_token, "rep_ids": reps[:6], "pipeline_id": pipeline.pk,
        "quarter": f"{quarter_start.year}-Q{(quarter_start.month - 1) // 3 + 1}",
    }  # fmt: skip


def _opportunities(
    workspace_id: int, pipeline_id: int, stages: list[Any], accounts: list[int], reps: list[int], team_of: dict[int, int],
    reason_id: int | None, now: datetime, quarter_start: date, quarter_end: date, open_count: int, closed_count: int,
) -> Iterator[tuple[Any, ...]]:  # fmt: skip
    rng = random.Random(42)
    open_stages = [stage for stage in stages if stage.kind == "open"]
    won = next(stage for stage in stages if stage.kind == "won")
    lost = next(stage for stage in stages if stage.kind == "lost")
    days = (quarter_end - quarter_start).days
    for number in range(open_count):
        stage = open_stages[number % len(open_stages)]
        owner = reps[number % len(reps)]
        chosen = number % 10 == 0
        category = ("commit", "best_case", "pipeline")[number % 3] if chosen else stage.forecast_category
        created = now - timedelta(days=rng.randint(1, 200))
        yield (
            workspace_id, f"Open deal {number}", accounts[number % len(accounts)], pipeline_id, stage.pk, "open",
            Decimal(rng.randint(10, 2000) * 50), "USD" if number % 10 == 3 else "EUR",
            quarter_start + timedelta(days=rng.randrange(days)), stage.probability, category, chosen, owner, team_of[owner],
            "", "", [], "bench", None, "", None, created, {}, created, created,
        )  # fmt: skip
    for number in range(closed_count):
        is_won = number % 5 < 2
        stage = won if is_won else lost
        owner = reps[number % len(reps)]
        closed = now - timedelta(days=rng.randint(0, 365), hours=rng.randint(0, 23))
        created = closed - timedelta(days=rng.randint(5, 120))
        yield (
            workspace_id, f"Closed deal {number}", accounts[number % len(accounts)], pipeline_id, stage.pk, stage.kind,
            Decimal(rng.randint(10, 2000) * 50), "EUR", closed.date(), stage.probability, "closed" if is_won else "omitted", False,
            owner, team_of[owner], "", "", [], "bench", None if is_won else reason_id, "", closed, closed, {}, created, closed,
        )  # fmt: skip


def _submissions(
    workspace_id: int, reps: list[int], team_of: dict[int, int], managers: list[int], quarter_start: date, now: datetime
) -> Iterator[tuple[Any, ...]]:
    """Two calls per rep for the quarter (the second revises the first) and an override by the rep's manager."""
    teams = sorted(set(team_of.values()))
    opened = timezone.make_aware(datetime.combine(quarter_start, time(9)))
    for index, rep in enumerate(reps):
        manager = managers[teams.index(team_of[rep])]
        for step in range(2):
            yield (workspace_id, rep, "call", "quarter", quarter_start, Decimal(600_000 + 10_000 * index + 5_000 * step), "EUR", "",
                   rep, min(opened + timedelta(days=7 * step), now))  # fmt: skip
        yield (workspace_id, rep, "override", "quarter", quarter_start, Decimal(550_000 + 10_000 * index), "EUR", "", manager,
               min(opened + timedelta(days=10), now))  # fmt: skip


def session_cookie(user_id: int) -> str:
    """A signed-in browser's session cookie (a session row, as a login would make)."""
    from django.conf import settings
    from django.test import Client

    from amity.core.models import User

    client = Client()
    client.force_login(User.objects.get(pk=user_id))
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
