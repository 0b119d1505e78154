"""Amity's benchmarks: `make bench` (see docs/dev/benchmarks.md). Scenario authors import from here."""

from bench.load import Request
from bench.scenario import RunContext, Scenario, SeedContext, Stopwatch, scaled

__all__ = ["Request", "RunContext", "Scenario", "SeedContext", "Stopwatch", "scaled"]
