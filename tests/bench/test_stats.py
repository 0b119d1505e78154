"""The percentile and summary code behind the p50/p95/p99 columns."""

from __future__ import annotations

import random

import pytest

from bench.stats import percentile, rate, summarize


def test_percentile_interpolates_between_ranks_like_numpy():
    values = [1.0, 2.0, 3.0, 4.0]
    assert percentile(values, 0.0) == 1.0
    assert percentile(values, 0.5) == 2.5
    assert percentile(values, 1.0) == 4.0
    assert percentile(values, 0.95) == pytest.approx(3.85)


def test_percentile_of_one_value_is_that_value():
    assert percentile([7.0], 0.99) == 7.0


def test_percentile_of_1_to_100_matches_the_ranks():
    values = [float(n) for n in range(1, 101)]
    assert percentile(values, 0.50) == pytest.approx(50.5)
    assert percentile(values, 0.95) == pytest.approx(95.05)
    assert percentile(values, 0.99) == pytest.approx(99.01)


@pytest.mark.parametrize("fraction", [-0.1, 1.5])
def test_percentile_refuses_a_fraction_outside_0_1(fraction):
    with pytest.raises(ValueError, match="between 0 and 1"):
        percentile([1.0], fraction)


def test_percentile_refuses_no_values():
    with pytest.raises(ValueError, match="no values"):
        percentile([], 0.5)


def test_summarize_converts_seconds_to_milliseconds_and_sorts():
    summary = summarize([0.003, 0.001, 0.002])
    assert summary is not None
    assert summary.count == 3
    assert summary.min_ms == pytest.approx(1.0)
    assert summary.p50_ms == pytest.approx(2.0)
    assert summary.max_ms == pytest.approx(3.0)
    assert summary.mean_ms == pytest.approx(2.0)


def test_summarize_percentiles_are_ordered_on_random_latencies():
    rng = random.Random(1)
    summary = summarize(rng.expovariate(100) for _ in range(10_000))
    assert summary is not None
    assert summary.min_ms <= summary.p50_ms <= summary.p95_ms <= summary.p99_ms <= summary.max_ms
    # the median of an exponential distribution with mean 10 ms is 10 ln 2 ≈ 6.9 ms
    assert summary.p50_ms == pytest.approx(6.93, rel=0.05)


def test_summarize_of_nothing_is_none():
    assert summarize([]) is None


def test_rate_is_zero_when_no_time_passed():
    assert rate(10, 0) == 0.0
    assert rate(10, 2) == 5.0
