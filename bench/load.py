"""The load generator: N threads, each with its own keep-alive httpx.Client, for a bounded time or count.

Every measured request is timed from just before it is sent until its whole body is read.
A response outside 2xx, or a request that fails outright, counts as an error.
Requests carry a User-Agent naming the scenario and case (and `/warmup` during the warm-up),
so the server's access log can be matched against the counts reported here.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

ERROR_SAMPLES_KEPT = 5


@dataclass(frozen=True)
class Request:
    """One request a scenario wants sent; a bare string is a GET of that path."""

    path: str
    method: str = "GET"
    headers: Mapping[str, str] | None = None
    json: Any = None
    content: bytes | None = None


RequestSource = Sequence["str | Request"] | Callable[[int], "str | Request"]


def request_at(source: RequestSource, index: int) -> Request:
    """The `index`-th request of a source: a list is cycled through, a function is called with the index."""
    item = source(index) if callable(source) else source[index % len(source)]
    return Request(path=item) if isinstance(item, str) else item


@dataclass
class LoadOutcome:
    requests: int = 0
    errors: int = 0
    elapsed_seconds: float = 0.0
    warmup_requests: int = 0
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    error_samples: list[str] = field(default_factory=list)


class _Shared:
    """What the client threads share; list.append and Counter updates are done under the lock."""

    def __init__(self, concurrency: int) -> None:
        self.lock = threading.Lock()
        self.counter = itertools.count()
        self.start = 0.0
        self.barrier = threading.Barrier(concurrency, action=self._mark_start)
        self.outcome = LoadOutcome()
        self.ends: list[float] = []

    def _mark_start(self) -> None:
        self.start = time.perf_counter()


def _send(client: httpx.Client, request: Request, extra_headers: Mapping[str, str] | None = None) -> httpx.Response:
    headers = {**(request.headers or {}), **(extra_headers or {})}
    return client.request(request.method, request.path, headers=headers or None, json=request.json, content=request.content)


def run_load(
    *,
    base_url: str,
    source: RequestSource,
    concurrency: int,
    duration: float | None,
    max_requests: int | None = None,
    warmup: float = 0.0,
    headers: Mapping[str, str] | None = None,
    user_agent: str = "amity-bench",
    timeout: float = 30.0,
) -> LoadOutcome:
    """Send requests from `concurrency` clients until `duration` seconds pass or `max_requests` are sent."""
    if concurrency < 1:
        raise ValueError("concurrency must be 1 or more")
    if duration is None and max_requests is None:
        raise ValueError("a load needs a duration, a request count, or both")
    shared = _Shared(concurrency)
    failures: list[BaseException] = []

    def client_thread() -> None:
        try:
            _client_loop(shared, base_url, source, duration, max_requests, warmup, headers, user_agent, timeout)
        except BaseException as error:  # reported after the join, never lost in a thread
            failures.append(error)
            shared.barrier.abort()

    threads = [threading.Thread(target=client_thread, name=f"bench-client-{n}", daemon=True) for n in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]
    outcome = shared.outcome
    outcome.elapsed_seconds = (max(shared.ends) - shared.start) if shared.ends else 0.0
    return outcome


def _client_loop(
    shared: _Shared,
    base_url: str,
    source: RequestSource,
    duration: float | None,
    max_requests: int | None,
    warmup: float,
    headers: Mapping[str, str] | None,
    user_agent: str,
    timeout: float,
) -> None:
    outcome = shared.outcome
    latencies: list[float] = []
    statuses: Counter[str] = Counter()
    errors: list[str] = []
    with httpx.Client(base_url=base_url, headers={**(headers or {}), "User-Agent": user_agent}, timeout=timeout) as client:
        warmed = 0
        warmup_until = time.perf_counter() + warmup
        index = 0
        while time.perf_counter() < warmup_until:
            try:
                _send(client, request_at(source, index), {"User-Agent": f"{user_agent}/warmup"})
            except httpx.HTTPError:
                time.sleep(0.01)
            warmed, index = warmed + 1, index + 1
        shared.barrier.wait()
        deadline = shared.start + duration if duration is not None else float("inf")
        while True:
            number = next(shared.counter)
            if (max_requests is not None and number >= max_requests) or time.perf_counter() >= deadline:
                break
            request = request_at(source, number)
            began = time.perf_counter()
            try:
                response = _send(client, request)
                status = str(response.status_code)
                if not 200 <= response.status_code < 300 and len(errors) < ERROR_SAMPLES_KEPT:
                    errors.append(f"{request.method} {request.path} -> {status}: {response.text[:200]}")
            except httpx.HTTPError as error:
                status = type(error).__name__
                if len(errors) < ERROR_SAMPLES_KEPT:
                    errors.append(f"{request.method} {request.path} -> {status}: {error}")
                time.sleep(0.01)
            latencies.append(time.perf_counter() - began)
            statuses[status] += 1
        ended = time.perf_counter()
    with shared.lock:
        outcome.latencies.extend(latencies)
        outcome.statuses.update(statuses)
        outcome.requests += len(latencies)
        outcome.errors += sum(count for status, count in statuses.items() if not (status.isdigit() and 200 <= int(status) < 300))
        outcome.warmup_requests += warmed
        outcome.error_samples.extend(errors[: ERROR_SAMPLES_KEPT - len(outcome.error_samples)])
        shared.ends.append(ended)
