"""Finding scenarios: one module in bench/scenarios/ is one scenario, and nothing else needs to change."""

from __future__ import annotations

import sys
import textwrap

import pytest

from bench.scenario import Scenario
from bench.scenarios import load, scenario_names, select


def test_the_first_scenarios_are_found():
    assert {"api_me", "audit_log"} <= set(scenario_names())


def test_select_runs_everything_by_default_and_refuses_unknown_names():
    assert select([]) == scenario_names()
    assert select(["audit_log", "api_me", "audit_log"]) == ["audit_log", "api_me"]
    with pytest.raises(LookupError, match=r"no scenario named nope; known: .*api_me"):
        select(["nope"])


def test_loading_a_scenario_gives_its_instance():
    scenario = load("api_me")
    assert isinstance(scenario, Scenario)
    assert scenario.name == "api_me"


@pytest.fixture
def package(tmp_path, monkeypatch):
    root = tmp_path / "fake_bench_scenarios"
    root.mkdir()
    (root / "__init__.py").write_text("")
    (root / "_helpers.py").write_text("HELPER = 1\n")
    (root / "widgets.py").write_text(
        textwrap.dedent(
            """
            from bench.scenario import Scenario, scaled

            class Widgets(Scenario):
                seed_version = 3
                def seed_params(self, scale):
                    return {"widgets": scaled(1_000_000, scale)}
                def run(self, ctx):
                    ctx.record("count", seconds=2.0, rows=10)
            """
        )
    )
    (root / "broken.py").write_text("from bench.scenario import Scenario\nclass A(Scenario): pass\nclass B(Scenario): pass\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield "fake_bench_scenarios"
    for name in [name for name in sys.modules if name.startswith("fake_bench_scenarios")]:
        del sys.modules[name]


def test_a_new_module_is_a_new_scenario_named_after_it(package):
    assert scenario_names(package) == ["broken", "widgets"]  # _helpers is not a scenario
    widgets = load("widgets", package)
    assert widgets.name == "widgets"
    assert widgets.seed_key(1.0) == '{"version": 3, "widgets": 1000000}'
    assert widgets.seed_key(0.01) == '{"version": 3, "widgets": 10000}'


def test_a_module_must_define_exactly_one_scenario(package):
    with pytest.raises(LookupError, match="exactly one Scenario subclass"):
        load("broken", package)
