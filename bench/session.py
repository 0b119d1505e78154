"""One benchmark session on one database: migrate, seed, start the server, run the scenarios.

The orchestrator (`python -m bench`) runs this module in a child process per database, because
Django's settings (and so the database) are fixed once per process. It is not meant to be run
by hand; its results go to the JSON file named by --out.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import traceback
from pathlib import Path
from typing import Any

from bench import database
from bench.result import Result
from bench.scenario import RunContext, Scenario, SeedContext, SeedFigure


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench.session")
    parser.add_argument("scenarios", nargs="*")
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--var-dir", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--duration", type=float)
    parser.add_argument("--concurrency", type=int)
    parser.add_argument("--warmup", type=float, default=1.0)
    parser.add_argument("--max-requests", type=int)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--fresh", action="store_true")
    return parser


def _prepare(url: str, *, fresh: bool) -> None:
    vendor = database.vendor_of(url)
    if vendor == "postgresql":
        created = database.ensure_postgres_database(url, fresh=fresh)
        print(f"PostgreSQL database {database.postgres_name(url)}: {'created' if created else 'reused'}", flush=True)
    elif fresh:
        database.remove_sqlite_database(Path(url.removeprefix("sqlite:///")))


def _unseed(state: dict[str, Any]) -> None:
    from amity.core.models import User

    database.purge_workspaces(state.get("_owned_workspaces", []))
    User.objects.filter(pk__in=state.get("_owned_users", [])).delete()


def _seed(scenario: Scenario, *, scale: float, vendor: str) -> tuple[dict[str, Any], list[SeedFigure]]:
    """The scenario's state: kept from an earlier run when its seed key still matches, else seeded now."""
    key = scenario.seed_key(scale)
    marker = database.read_marker(scenario.name)
    if marker is not None and marker[0] == key:
        print(f"{scenario.name}: reusing its seed {key}", flush=True)
        return marker[1], []
    print(f"{scenario.name}: seeding {key}", flush=True)
    ctx = SeedContext(scenario=scenario.name, params=scenario.seed_params(scale), database=vendor)
    with database.atomic():
        if marker is not None:
            _unseed(marker[1])
        state = scenario.seed(ctx)
        state = {**state, "_owned_workspaces": ctx.owned_workspaces, "_owned_users": ctx.owned_users}
        database.write_marker(scenario.name, key, state)
    return state, ctx.figures


def _failure(scenario: str, vendor: str, case: str, error: BaseException) -> Result:
    traceback.print_exception(error)
    return Result(scenario=scenario, case=case, database=vendor, errors=1, extra={"failed": f"{type(error).__name__}: {error}"})


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    vendor = database.vendor_of(args.database_url)
    _prepare(args.database_url, fresh=args.fresh)

    import django
    from django.core.management import call_command
    from django.db import connections

    django.setup()
    logging.getLogger("httpx").setLevel(logging.WARNING)  # Django's root logger is INFO; one line per request is noise
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    from bench import scenarios as registry

    call_command("migrate", interactive=False, verbosity=0)
    database.ensure_marker_table()
    results: list[Result] = []
    seeds: list[dict[str, Any]] = []
    states: dict[str, dict[str, Any]] = {}
    selected = [registry.load(name) for name in registry.select(args.scenarios)]
    for scenario in selected:
        try:
            states[scenario.name], figures = _seed(scenario, scale=args.scale, vendor=vendor)
        except Exception as error:
            results.append(_failure(scenario.name, vendor, "seed", error))
            continue
        for figure in figures:
            seeds.append(vars(figure))
            results.append(
                Result(
                    scenario=scenario.name,
                    case=f"seed {figure.table}",
                    database=vendor,
                    seconds=round(figure.seconds, 3),
                    rows=figure.rows,
                    rows_per_second=figure.rows / figure.seconds if figure.seconds else None,
                )
            )
    if seeds:
        database.analyze()
    connections.close_all()

    from bench.server import running_server

    log = args.var_dir / f"server-{vendor}.log"
    with running_server(env=os.environ, log=log) as base_url:
        print(f"server {base_url} ({vendor}); its log: {log}", flush=True)
        for scenario in selected:
            if scenario.name not in states:
                continue
            ctx = RunContext(
                scenario=scenario.name,
                database=vendor,
                base_url=base_url,
                state=states[scenario.name],
                params=scenario.seed_params(args.scale),
                concurrency=args.concurrency or scenario.concurrency,
                duration=args.duration or scenario.duration,
                warmup=args.warmup,
                max_requests=args.max_requests,
            )
            try:
                scenario.run(ctx)
            except Exception as error:
                ctx.results.append(_failure(scenario.name, vendor, "run", error))
            finally:
                connections.close_all()
            results.extend(ctx.results)

    args.out.write_text(json.dumps({"results": [result.to_json() for result in results], "seeds": seeds, "server_log": str(log)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
