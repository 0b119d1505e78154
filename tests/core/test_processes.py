"""The `amity` command and the worker as real processes on a throwaway SQLite database."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import skip_or_fail

AMITY = [sys.executable, "-m", "amity.cli"]


@pytest.fixture
def amity_env(tmp_path: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DATABASE_URL", "REDIS_URL", "AMITY_"))}
    env.update(AMITY_VAR_DIR=str(tmp_path), AMITY_ENV="development", PYTHONUNBUFFERED="1")
    return env


def amity(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([*AMITY, *args], env=env, capture_output=True, text=True, timeout=120)
    if check and result.returncode != 0:
        raise AssertionError(f"amity {' '.join(args)} exited {result.returncode}: {result.stderr}")
    return result


@pytest.fixture
def prepared(amity_env: dict[str, str]) -> dict[str, str]:
    amity(amity_env, "migrate")
    amity(amity_env, "createuser", "ops@example.com", "--password", "a-long-ops-password")
    return amity_env


def test_the_cli_creates_a_workspace_and_a_token(prepared: dict[str, str], tmp_path: Path) -> None:
    slug = amity(prepared, "workspace", "create", "Acme Corp", "--owner", "ops@example.com").stdout.strip()
    token = amity(prepared, "token", "create", "--workspace", slug, "--user", "ops@example.com").stdout.strip()

    assert slug == "acme-corp"
    assert token.startswith("amity_") and "\n" not in token
    with sqlite3.connect(tmp_path / "amity.sqlite3") as db:
        doors = {row[0] for row in db.execute("SELECT door FROM core_auditentry")}
    assert doors == {"cli"}


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["workspace", "create", "X", "--owner", "nobody@example.com"], 1, "no user with the email"),
        (["token", "create", "--workspace", "nope", "--user", "ops@example.com"], 1, "no workspace with the slug"),
        (["createuser", "not-an-email"], 1, "email: Enter a valid email address."),
        (["serve", "--port", "99999"], 2, "a port is a number from 1 to 65535"),
        (["workspace"], 2, "required"),
        (["frobnicate"], 2, "invalid choice"),
    ],
)
def test_the_cli_explains_bad_input(prepared: dict[str, str], args: list[str], code: int, message: str) -> None:
    result = amity(prepared, *args, check=False)
    assert result.returncode == code
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def _wait_for(predicate: Any, seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.3)
    return False


def _enqueue_email(env: dict[str, str], to: str) -> None:
    code = f"from amity.core.emails import send_email; send_email.enqueue(to=['{to}'], subject='Hello from the worker', text='It works.')"
    amity(env, "manage", "shell", "-c", code)


def _run_worker_and_check(env: dict[str, str], tmp_path: Path, backend: str) -> None:
    worker = subprocess.Popen([*AMITY, "worker"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        _enqueue_email(env, "customer@example.com")
        mail_dir = tmp_path / "mail"
        assert _wait_for(lambda: mail_dir.exists() and any(mail_dir.iterdir())), "the worker did not send the email"
        message = next(mail_dir.iterdir()).read_text()
        assert "Hello from the worker" in message
        with sqlite3.connect(tmp_path / "amity.sqlite3") as db:
            assert db.execute("SELECT backend FROM core_workerheartbeat").fetchone() == (backend,)
    finally:
        worker.send_signal(signal.SIGTERM)
        output = worker.communicate(timeout=30)[0]
    assert worker.returncode == 0, output


def test_the_database_worker_sends_queued_email_and_beats(prepared: dict[str, str], tmp_path: Path) -> None:
    _run_worker_and_check(prepared, tmp_path, "database")


def test_the_rq_worker_sends_queued_email(prepared: dict[str, str], tmp_path: Path) -> None:
    redis = pytest.importorskip("redis")
    url = "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(url).flushdb()
    except redis.ConnectionError:
        skip_or_fail("Redis is not reachable at 127.0.0.1:6379")
    _run_worker_and_check({**prepared, "REDIS_URL": url}, tmp_path, "rq")


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _get_json(url: str) -> Any:
    import json
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return json.load(response)
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


def test_the_demo_serves_runs_a_worker_and_stops_on_ctrl_c(amity_env: dict[str, str]) -> None:
    port = _free_port()
    demo = subprocess.Popen(
        [*AMITY, "demo", "--port", str(port)],
        env=amity_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        healthy = _wait_for(lambda: (_get_json(f"http://127.0.0.1:{port}/healthz") or {}).get("worker", {}).get("ok"), seconds=150)
        assert healthy, "the demo's web server and worker did not come up"
    finally:
        os.killpg(demo.pid, signal.SIGINT)  # what Ctrl-C in a terminal does: the whole foreground group
        output = demo.communicate(timeout=40)[0]
    assert demo.returncode == 0, output
    assert "owner@demo.amity.test" in output
    assert _get_json(f"http://127.0.0.1:{port}/healthz") is None, "the web server is still running"
