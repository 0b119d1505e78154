"""Every API route, proved workspace-tight: a token of workspace A never reaches workspace B's records.

Routes come from the API's own OpenAPI spec, so a new endpoint is covered the day it is added,
or this test fails and says what to register in tests/tenancy.py.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.apps import apps
from django.forms.models import model_to_dict

from amity.api.main import api as ninja_api
from amity.core.models import Workspace
from amity.core.permissions import Role
from tests.factories import member
from tests.tenancy import LIST_ONLY_MAKERS, LIST_PARAMS, MAKERS, MARKER, SAMPLE_BODIES

PREFIX = "/api/v1"
PUBLIC = {("GET", "/api/v1/openapi.json"), ("GET", "/api/v1/docs")}
# The customers' portal answers portal tokens only; tests/service/portal/test_portal_tenancy.py walks it as a contact.
PORTAL = f"{PREFIX}/portal/"


def _operations() -> list[tuple[str, str]]:
    spec = ninja_api.get_openapi_schema(path_prefix=PREFIX)
    return sorted((method.upper(), path) for path, methods in spec["paths"].items() for method in methods if not path.startswith(PORTAL))


OPERATIONS = _operations()
WITH_ID = [op for op in OPERATIONS if "{" in op[1]]
LISTS = [op for op in OPERATIONS if "{" not in op[1] and op[0] == "GET"]


def _row_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models() if model.__module__.startswith("amity.")}


def _path_params(path: str) -> list[str]:
    return re.findall(r"{(\w+)}", path)


@pytest.fixture
def intruder_api(api_as: Any, workspace: Workspace) -> Any:
    """An owner of workspace A: the most powerful role, so only tenancy can stop them."""
    return api_as(member(workspace, Role.OWNER, email="intruder@acme.test"), workspace)


def test_the_api_has_routes_to_check() -> None:
    assert len(WITH_ID) >= 10
    assert ("GET", "/api/v1/members/{member_id}") in WITH_ID


@pytest.mark.parametrize(("method", "path"), WITH_ID, ids=[f"{m} {p}" for m, p in WITH_ID])
def test_another_workspaces_record_is_a_404_and_nothing_changes(
    method: str, path: str, intruder_api: Any, other_workspace: Workspace
) -> None:
    missing = [name for name in _path_params(path) if name not in MAKERS]
    assert not missing, f"Register a maker for path parameter(s) {missing} of {method} {path} in tests/tenancy.py"
    targets = {name: MAKERS[name](other_workspace) for name in _path_params(path)}
    url = path.format(**{name: target.pk for name, target in targets.items()})
    before_rows, before_state = _row_counts(), {name: model_to_dict(t) for name, t in targets.items()}
    body = SAMPLE_BODIES.get((method, path))
    assert method in {"GET", "DELETE"} or body is not None, f"Register a valid sample body for {method} {path} in tests/tenancy.py"

    response = getattr(intruder_api, method.lower())(url, body) if body is not None else getattr(intruder_api, method.lower())(url)

    assert response.status_code == 404, f"{method} {url} answered {response.status_code}: {response.content[:300]!r}"
    assert response["Content-Type"] == "application/problem+json"
    assert MARKER not in response.content.decode()
    assert _row_counts() == before_rows
    for name, target in targets.items():
        target.refresh_from_db()
        assert model_to_dict(target) == before_state[name]


@pytest.mark.parametrize(("method", "path"), LISTS, ids=[f"{m} {p}" for m, p in LISTS])
def test_lists_never_show_another_workspaces_records(method: str, path: str, intruder_api: Any, other_workspace: Workspace) -> None:
    for make in [*MAKERS.values(), *LIST_ONLY_MAKERS]:
        make(other_workspace)

    response = intruder_api.get(path, LIST_PARAMS.get(path))

    assert response.status_code == 200, f"GET {path} answered {response.status_code}: {response.content[:300]!r}"
    assert MARKER not in response.content.decode()


def test_a_token_is_bound_to_its_workspace(api_as: Any, workspace: Workspace, other_workspace: Workspace) -> None:
    person = member(workspace, Role.ADMIN, email="both@acme.test")
    member(other_workspace, Role.ADMIN, email="stranger@globex.test")

    response = api_as(person, workspace).get("/api/v1/members", {"limit": 200})

    assert {item["email"] for item in response.json()["items"]} == {"both@acme.test"}
