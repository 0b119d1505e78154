"""Latency statistics: percentiles by linear interpolation between the closest ranks."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


def percentile(sorted_values: Sequence[float], fraction: float) -> float:
    """The value below which `fraction` (0..1) of `sorted_values` lie, interpolated like numpy's default.

    `sorted_values` must be sorted ascending and not empty.
    """
    if not sorted_values:
        raise ValueError("no values to take a percentile of")
    if not 0.0 <= fraction <= 1.0:
        raise ValueError("the fraction must lie between 0 and 1")
    rank = fraction * (len(sorted_values) - 1)
    lower = math.floor(rank)
    upper = min(lower + 1, len(sorted_values) - 1)
    weight = rank - lower
    return sorted_values[lower] + (sorted_values[upper] - sorted_values[lower]) * weight


@dataclass(frozen=True)
class Summary:
    """Latencies of one load run, in milliseconds."""

    count: int
    mean_ms: float
    min_ms: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float


def summarize(latencies_seconds: Iterable[float]) -> Summary | None:
    """Summarize latencies given in seconds; None when there are none."""
    values = sorted(latencies_seconds)
    if not values:
        return None
    ms = [value * 1000.0 for value in values]
    return Summary(
        count=len(ms),
        mean_ms=sum(ms) / len(ms),
        min_ms=ms[0],
        p50_ms=percentile(ms, 0.50),
        p95_ms=percentile(ms, 0.95),
        p99_ms=percentile(ms, 0.99),
        max_ms=ms[-1],
    )


def rate(count: float, seconds: float) -> float:
    """Events per second; 0 when no time passed."""
    return count / seconds if seconds > 0 else 0.0
