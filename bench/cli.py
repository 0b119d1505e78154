"""`python -m bench` (`make bench`): run the scenarios on SQLite, then on PostgreSQL when it is there, and print the figures.

    python -m bench [SCENARIO …] [--duration S] [--concurrency N] [--database-url URL …] [--scale F] [--fresh] [--list]

Databases: `--database-url` (repeatable; `sqlite` means the default SQLite file) or
`BENCH_DATABASE_URL` pick them; without either, SQLite under var/bench/ and then PostgreSQL at
127.0.0.1:5432 (database amity_bench) if it answers. `BENCH_POSTGRES=1` makes PostgreSQL
required, `BENCH_POSTGRES=0` leaves it out. See docs/dev/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench import database
from bench.report import error_report, table, write_json
from bench.result import Result
from bench.scenarios import scenario_names, select

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/amity_bench"


def _positive_int(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return number


def _positive_float(value: str) -> float:
    number = float(value)
    if number <= 0:
        raise argparse.ArgumentTypeError("must be more than 0")
    return number


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench", description="Run Amity's benchmark scenarios against a server started here.")
    parser.add_argument("scenarios", nargs="*", metavar="SCENARIO", help="Scenarios to run (default: all; see --list).")
    parser.add_argument(
        "--duration", type=_positive_float, default=_env_float("BENCH_DURATION"), help="Seconds per load case (default: each scenario's)."
    )
    parser.add_argument(
        "--concurrency", type=_positive_int, default=_env_int("BENCH_CONCURRENCY"), help="Concurrent clients (default: each scenario's)."
    )
    parser.add_argument(
        "--warmup", type=float, default=_env_float("BENCH_WARMUP") or 1.0, help="Unmeasured seconds before each load case (default: 1)."
    )
    parser.add_argument("--max-requests", type=_positive_int, default=None, help="Stop each load case after this many requests.")
    parser.add_argument("--scale", type=_positive_float, default=_env_float("BENCH_SCALE") or 1.0, help="Multiply seed sizes (default: 1).")
    parser.add_argument(
        "--database-url", action="append", default=None, help="sqlite, or postgres://…/NAME with 'bench' in NAME; repeat for several."
    )
    parser.add_argument("--fresh", action="store_true", help="Recreate the benchmark databases instead of reusing their seeds.")
    parser.add_argument("--list", action="store_true", help="List the scenarios and exit.")
    return parser


def _env_float(name: str) -> float | None:
    value = os.environ.get(name, "")
    return float(value) if value else None


def _env_int(name: str) -> int | None:
    value = os.environ.get(name, "")
    return int(value) if value else None


def var_dir() -> Path:
    return Path(os.environ.get("BENCH_VAR_DIR") or ROOT / "var" / "bench").resolve()


def sqlite_url(directory: Path) -> str:
    return f"sqlite:///{directory / 'bench.sqlite3'}"


def targets(requested: list[str] | None, directory: Path) -> list[str]:
    """The database URLs to run on, in order."""
    urls = requested or ([os.environ["BENCH_DATABASE_URL"]] if os.environ.get("BENCH_DATABASE_URL") else None)
    if urls:
        return [sqlite_url(directory) if url == "sqlite" else url for url in urls]
    chosen = [sqlite_url(directory)]
    wanted = os.environ.get("BENCH_POSTGRES", "").strip().lower()
    if wanted in {"0", "no", "false", "off"}:
        return chosen
    if database.postgres_reachable(DEFAULT_POSTGRES_URL):
        chosen.append(DEFAULT_POSTGRES_URL)
    elif wanted in {"1", "yes", "true", "on"}:
        raise SystemExit(f"bench: BENCH_POSTGRES=1 but PostgreSQL does not answer at {DEFAULT_POSTGRES_URL}")
    else:
        print("PostgreSQL does not answer at 127.0.0.1:5432: running on SQLite only (BENCH_POSTGRES=1 to require it).")
    return chosen


def session_env(url: str, directory: Path) -> dict[str, str]:
    """The environment of a session and of its server: only the benchmark's database, var dir and settings."""
    env = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "REDIS_URL", "AMITY_VAR_DIR", "AMITY_ENV"}}
    env.update(
        DATABASE_URL=url,
        AMITY_VAR_DIR=str(directory),
        AMITY_ENV="development",
        DJANGO_SETTINGS_MODULE="amity.settings",
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), str(ROOT / "src"), env.get("PYTHONPATH")])),
    )
    if os.environ.get("BENCH_REDIS_URL"):
        env["REDIS_URL"] = os.environ["BENCH_REDIS_URL"]
    return env


def run_session(url: str, args: argparse.Namespace, names: list[str], directory: Path) -> tuple[list[Result], list[dict[str, Any]]]:
    """Run the scenarios on one database in a child process; its results, or one failed row if it died."""
    vendor = database.vendor_of(url)
    print(f"\n=== {vendor}: {url if vendor == 'postgresql' else url.removeprefix('sqlite:///')}", flush=True)
    with tempfile.NamedTemporaryFile(prefix="bench-", suffix=".json", dir=directory, delete=False) as handle:
        out = Path(handle.name)
    command = [sys.executable, "-m", "bench.session", *names, f"--database-url={url}", f"--var-dir={directory}", f"--out={out}"]
    command += [f"--warmup={args.warmup}", f"--scale={args.scale}"]
    if args.duration:
        command.append(f"--duration={args.duration}")
    if args.concurrency:
        command.append(f"--concurrency={args.concurrency}")
    if args.max_requests:
        command.append(f"--max-requests={args.max_requests}")
    if args.fresh:
        command.append("--fresh")
    process = subprocess.Popen(command, env=session_env(url, directory), cwd=ROOT)
    try:
        status = process.wait()
    except KeyboardInterrupt:
        process.wait()  # the child got the Ctrl-C too; it stops its server before it exits
        raise
    try:
        document = json.loads(out.read_text()) if status == 0 else None
    finally:
        out.unlink(missing_ok=True)
    if document is None:
        failed = Result(scenario="(session)", case="run", database=vendor, errors=1, extra={"failed": f"exit status {status}"})
        return [failed], []
    return [Result.from_json(item) for item in document["results"]], document["seeds"]


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.list:
        for name in scenario_names():
            print(name)
        return 0
    try:
        names = select(args.scenarios)
    except LookupError as error:
        print(f"bench: error: {error}", file=sys.stderr)
        return 2
    directory = var_dir()
    directory.mkdir(parents=True, exist_ok=True)
    load_before = os.getloadavg()[0]
    results: list[Result] = []
    seeds: list[dict[str, Any]] = []
    try:
        for url in targets(args.database_url, directory):
            session_results, session_seeds = run_session(url, args, names, directory)
            results += session_results
            seeds += session_seeds
    except KeyboardInterrupt:
        print("\nbench: interrupted; the server was stopped.", file=sys.stderr)
        return 130
    options = {key: value for key, value in vars(args).items() if key != "list"} | {"load_average_before": round(load_before, 2)}
    path = write_json(directory, results, options=options, seeds=seeds)
    print(f"\n{table(results)}\n")
    cpus = os.cpu_count() or 1
    print(
        f"Load average (1 min) before: {load_before:.2f}, after: {os.getloadavg()[0]:.2f} on {cpus} CPUs; the clients share them with the server."
    )
    if load_before > cpus / 2:
        print("The machine was already busy before the run: these figures are lower and noisier than on an idle one.")
    print(f"Results: {path}")
    loud = error_report(results)
    if loud:
        print(f"\n{loud}", file=sys.stderr)
        return 1
    return 0
