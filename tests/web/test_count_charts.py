"""The report charts that count things (cases, surveys) ask charts.js for whole-number ticks; the others keep theirs."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from amity.core.models import User


def _charts(html: str) -> dict[str, dict[str, Any]]:
    found = re.findall(r'<script id="(chart-[\w-]+)" type="application/json">(.*?)</script>', html, re.DOTALL)
    return {chart_id: json.loads(spec) for chart_id, spec in found}


@pytest.mark.parametrize(
    ("path", "units"),
    [
        ("/w/acme/cases/report/", {"chart-volume": "count", "chart-backlog": "count", "chart-times": "hours", "chart-sla": "percent"}),
        ("/w/acme/cases/report/satisfaction/", {"chart-answers": "count", "chart-csat": "percent", "chart-agents": None}),
    ],
)
def test_count_charts_are_marked_as_counts(client_as: Any, admin: User, path: str, units: dict[str, str | None]) -> None:
    charts = _charts(client_as(admin).get(path).content.decode())

    assert {chart_id: spec.get("unit") for chart_id, spec in charts.items()} == units
