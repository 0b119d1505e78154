"""The whole harness, as `make bench` runs it, on a tiny seed: its figures must match what the server saw."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# gunicorn's default access log line: ... "GET /path HTTP/1.1" 200 123 "referer" "user agent"
ACCESS_LINE = re.compile(r'"(?P<method>[A-Z]+) (?P<path>\S+) HTTP/[\d.]+" (?P<status>\d{3}) \S+ "[^"]*" "(?P<agent>[^"]*)"$')


def run_bench(var_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bench", *args],
        cwd=ROOT,
        env={**_clean_env(), "BENCH_VAR_DIR": str(var_dir)},
        capture_output=True,
        text=True,
        timeout=120,
    )


def _clean_env() -> dict[str, str]:
    import os

    return {key: value for key, value in os.environ.items() if not key.startswith("BENCH_")}


def access_log(path: Path) -> Counter[tuple[str, str]]:
    """(user agent, status) -> how many requests the server logged."""
    counts: Counter[tuple[str, str]] = Counter()
    for line in path.read_text().splitlines():
        match = ACCESS_LINE.search(line)
        if match:
            counts[(match["agent"], match["status"])] += 1
    return counts


@pytest.mark.bench
def test_make_bench_on_a_tiny_seed_reports_what_the_server_served(tmp_path):
    args = [
        "api_me",
        "audit_log",
        "--database-url",
        "sqlite",
        "--duration",
        "0.5",
        "--warmup",
        "0.2",
        "--concurrency",
        "2",
        "--scale",
        "0.001",
    ]
    completed = run_bench(tmp_path, *args)
    assert completed.returncode == 0, completed.stdout + completed.stderr

    [results_file] = tmp_path.glob("results-*.json")
    document = json.loads(results_file.read_text())
    loads = [result for result in document["results"] if result["requests"] is not None]
    assert [(r["scenario"], r["case"]) for r in loads] == [
        ("api_me", "GET /me"),
        ("audit_log", "first page"),
        ("audit_log", "object_type filter"),
        ("audit_log", "deep page (cursor)"),
    ]
    [seed] = document["seeds"]
    assert seed["table"] == "core.auditentry"
    assert seed["rows"] == 1000

    served = access_log(tmp_path / "server-sqlite.log")
    for result in loads:
        agent = f"amity-bench/{result['scenario']}/{result['case']}"
        assert result["database"] == "sqlite"
        assert result["concurrency"] == 2
        assert result["errors"] == 0, result["error_samples"]
        assert result["requests"] > 0
        assert served[(agent, "200")] == result["requests"], f"{agent}: the server logged another count"
        assert served[(f"{agent}/warmup", "200")] == result["extra"]["warmup_requests"]
        assert 0 < result["p50_ms"] <= result["p95_ms"] <= result["p99_ms"]
        assert result["requests_per_second"] == pytest.approx(result["requests"] / result["seconds"], rel=0.01)
        assert 0.5 <= result["seconds"] < 5
    assert "Shutting down: Master" in (tmp_path / "server-sqlite.log").read_text(), "the server was not stopped"

    table = completed.stdout.split("Results:")[0]
    assert re.search(r"api_me\s+GET /me\s+sqlite\s+2\s+[\d,]+\s+0\s", table), table


@pytest.mark.bench
def test_an_unknown_scenario_is_refused_with_the_known_ones(tmp_path):
    completed = run_bench(tmp_path, "nope")
    assert completed.returncode == 2
    assert "no scenario named nope; known: api_me, audit_log" in completed.stderr
