"""The real server, started the way `amity serve` starts it, on a free loopback port; always stopped."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

import httpx

HOST = "127.0.0.1"
WORKERS = 2
START_TIMEOUT = 60.0
STOP_TIMEOUT = 15.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def _wait_healthy(process: subprocess.Popen[bytes], base_url: str, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    last_problem = "no answer yet"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with status {process.returncode} before it was ready:\n{_tail(log)}")
        try:
            response = httpx.get(f"{base_url}/healthz", timeout=2, headers={"User-Agent": "amity-bench/healthz"})
            if response.status_code == 200:
                return
            last_problem = f"/healthz answered {response.status_code}: {response.text[:200]}"
        except httpx.HTTPError as error:
            last_problem = type(error).__name__
        time.sleep(0.1)
    raise RuntimeError(f"the server was not ready after {START_TIMEOUT:g} s ({last_problem}):\n{_tail(log)}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)  # gunicorn's graceful stop
    try:
        process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # the group we started: the arbiter and its workers
        process.wait()


@contextlib.contextmanager
def running_server(*, env: Mapping[str, str], log: Path, workers: int = WORKERS) -> Iterator[str]:
    """Start `amity serve` (gunicorn) with `env`, wait for /healthz, yield its base URL, and stop it whatever happens."""
    from amity.runner import serve_command

    port = free_port()
    base_url = f"http://{HOST}:{port}"
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "ab") as output:
        # Its own session: Ctrl-C reaches only the harness, which then stops the server in order.
        process = subprocess.Popen(
            serve_command(host=HOST, port=port, workers=workers),
            env=dict(env),
            stdout=output,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    try:
        _wait_healthy(process, base_url, log)
        yield base_url
    finally:
        _stop(process)
