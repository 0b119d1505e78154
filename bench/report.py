"""The figures table printed at the end, and the JSON file kept under var/bench/."""

from __future__ import annotations

import json
import os
import platform
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.result import Result

COLUMNS = ["scenario", "case", "database", "conc", "requests", "errors", "req/s", "p50 ms", "p95 ms", "p99 ms", "rows/s", "notes"]
RIGHT_ALIGNED = {"conc", "requests", "errors", "req/s", "p50 ms", "p95 ms", "p99 ms", "rows/s"}


def _number(value: float | None, digits: int = 0) -> str:
    if value is None:
        return "-"
    return f"{value:,.{digits}f}"


def _notes(result: Result) -> str:
    extra = {key: value for key, value in result.extra.items() if key not in {"statuses", "warmup_requests"}}
    notes = [f"{key}={value:,.3g}" if isinstance(value, float) else f"{key}={value}" for key, value in extra.items()]
    if result.rows is not None:
        notes.insert(0, f"{result.rows:,} rows in {result.seconds or 0:.2f} s")
    if result.errors:
        notes.insert(0, "ERRORS " + ", ".join(f"{s} x{n}" for s, n in result.extra.get("statuses", {}).items() if not s.startswith("2")))
    return "; ".join(notes)


def row_of(result: Result) -> list[str]:
    return [
        result.scenario,
        result.case,
        result.database,
        "-" if result.concurrency is None else str(result.concurrency),
        "-" if result.requests is None else f"{result.requests:,}",
        "-" if result.requests is None else f"{result.errors:,}",
        _number(result.requests_per_second),
        _number(result.p50_ms, 1),
        _number(result.p95_ms, 1),
        _number(result.p99_ms, 1),
        _number(result.rows_per_second),
        _notes(result),
    ]


def table(results: Sequence[Result]) -> str:
    rows = [COLUMNS, *(row_of(result) for result in results)]
    widths = [max(len(row[index]) for row in rows) for index in range(len(COLUMNS))]

    def line(row: list[str]) -> str:
        cells = [
            cell.rjust(width) if COLUMNS[i] in RIGHT_ALIGNED else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        return "  ".join(cells).rstrip()

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([line(rows[0]), rule, *(line(row) for row in rows[1:])])


def error_report(results: Sequence[Result]) -> str:
    """A loud paragraph for every result with errors; empty when there are none."""
    parts = []
    for result in results:
        if result.errors and result.requests is None:  # a seed, a set-up or a whole session that failed
            parts.append(f"!!! {result.scenario} / {result.case} on {result.database} failed: {result.extra.get('failed', 'see above')}")
        elif result.errors:
            samples = "\n".join(f"      {sample}" for sample in result.error_samples)
            parts.append(
                f"!!! {result.scenario} / {result.case} on {result.database}: {result.errors:,} of {result.requests:,} requests failed\n{samples}"
            )
    return "\n".join(parts)


def machine() -> dict[str, Any]:
    return {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "hostname": platform.node(),
        "load_average": [round(value, 2) for value in os.getloadavg()],
    }


def write_json(directory: Path, results: Sequence[Result], *, options: dict[str, Any], seeds: list[dict[str, Any]]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC)
    path = directory / f"results-{now.strftime('%Y%m%d-%H%M%S')}.json"
    document = {
        "finished_at": now.isoformat(),
        "machine": machine(),
        "options": options,
        "seeds": seeds,
        "results": [result.to_json() for result in results],
    }
    path.write_text(json.dumps(document, indent=2) + "\n")
    return path
