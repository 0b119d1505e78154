"""The load generator against a tiny counting HTTP server: the counts it reports are the counts the server saw."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bench.load import Request, request_at, run_load


class CountingHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    hits: Counter[tuple[str, str]] = Counter()
    lock = threading.Lock()

    def do_GET(self) -> None:
        with self.lock:
            self.hits[(self.path, self.headers.get("User-Agent", ""))] += 1
        status = 500 if self.path.startswith("/fail") else 200
        body = b'{"ok": true}'
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    CountingHandler.hits = Counter()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), CountingHandler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_a_bounded_count_is_sent_exactly_and_counted_as_the_server_saw_it(server):
    outcome = run_load(base_url=server, source=["/a", "/b"], concurrency=4, duration=None, max_requests=200, user_agent="t")
    assert outcome.requests == 200
    assert outcome.errors == 0
    assert len(outcome.latencies) == 200
    assert outcome.statuses == {"200": 200}
    assert CountingHandler.hits == {("/a", "t"): 100, ("/b", "t"): 100}


def test_non_2xx_answers_are_errors_with_samples(server):
    outcome = run_load(base_url=server, source=["/ok", "/fail"], concurrency=2, duration=None, max_requests=10)
    assert outcome.requests == 10
    assert outcome.errors == 5
    assert outcome.statuses == {"200": 5, "500": 5}
    assert outcome.error_samples and "/fail -> 500" in outcome.error_samples[0]


def test_a_refused_connection_is_an_error_not_a_crash():
    outcome = run_load(base_url="http://127.0.0.1:9", source=["/"], concurrency=1, duration=None, max_requests=3)
    assert outcome.requests == 3
    assert outcome.errors == 3


def test_a_duration_bounds_the_run_and_warmup_is_not_measured(server):
    outcome = run_load(base_url=server, source=["/x"], concurrency=2, duration=0.3, warmup=0.1, user_agent="t")
    assert 0.3 <= outcome.elapsed_seconds < 1.5
    assert outcome.requests > 0
    assert CountingHandler.hits[("/x", "t")] == outcome.requests
    assert CountingHandler.hits[("/x", "t/warmup")] == outcome.warmup_requests > 0


def test_request_sources_cycle_lists_and_call_functions():
    assert request_at(["/a", "/b"], 3) == Request("/b")
    assert request_at(lambda n: Request(f"/item/{n}", method="POST"), 7) == Request("/item/7", method="POST")


def test_a_load_needs_a_bound():
    with pytest.raises(ValueError, match="duration"):
        run_load(base_url="http://127.0.0.1:9", source=["/"], concurrency=1, duration=None)
