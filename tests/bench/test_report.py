"""The error paragraph under the table: failed requests with samples, and whole sessions or seeds that failed."""

from __future__ import annotations

from bench.report import error_report
from bench.result import Result


def test_a_failed_session_is_reported_without_request_counts():
    failed = Result(scenario="(session)", case="run", database="postgresql", errors=1, extra={"failed": "exit status 1"})
    assert error_report([failed]) == "!!! (session) / run on postgresql failed: exit status 1"


def test_failed_requests_are_counted_with_their_samples():
    result = Result(scenario="s", case="c", database="sqlite", requests=10, errors=2, error_samples=["500 boom"])
    assert error_report([result]) == "!!! s / c on sqlite: 2 of 10 requests failed\n      500 boom"
    assert error_report([Result(scenario="s", case="c", database="sqlite", requests=10, errors=0)]) == ""
