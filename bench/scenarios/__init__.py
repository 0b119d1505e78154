"""The scenarios: every module in this package that defines a `Scenario` subclass is one.

Names are the module names; they are listed without importing the modules (so without Django),
and a module is imported only when its scenario runs.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from types import ModuleType

from bench.scenario import Scenario

PACKAGE = __name__


def scenario_names(package: str = PACKAGE) -> list[str]:
    """Every scenario's name, in alphabetical order; modules starting with `_` are helpers, not scenarios."""
    module = importlib.import_module(package)
    return sorted(info.name for info in pkgutil.iter_modules(module.__path__) if not info.name.startswith("_"))


def select(requested: list[str], package: str = PACKAGE) -> list[str]:
    """The scenarios to run: all of them, or the requested ones (an unknown name is an error naming the known ones)."""
    known = scenario_names(package)
    unknown = [name for name in requested if name not in known]
    if unknown:
        raise LookupError(f"no scenario named {', '.join(unknown)}; known: {', '.join(known) or 'none'}")
    return list(dict.fromkeys(requested)) if requested else known


def load(name: str, package: str = PACKAGE) -> Scenario:
    """Import the scenario's module and instantiate the one `Scenario` subclass it defines."""
    module: ModuleType = importlib.import_module(f"{package}.{name}")
    classes = [
        value
        for value in vars(module).values()
        if inspect.isclass(value) and issubclass(value, Scenario) and value is not Scenario and value.__module__ == module.__name__
    ]
    if len(classes) != 1:
        raise LookupError(f"{module.__name__} must define exactly one Scenario subclass (found {len(classes)})")
    scenario = classes[0]()
    if not scenario.name:
        type(scenario).name = name
    return scenario
