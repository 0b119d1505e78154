"""Every portal API route, proved contact-tight: a contact reaches neither another workspace's records nor another contact's,
whether a plain portal user or the admin of their own account (the other contact's records are of another account).

Routes come from the OpenAPI spec (paths under /api/v1/portal/), so a new portal endpoint is covered the day it is added.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.apps import apps

from amity.api.main import api as ninja_api
from amity.core.models import Workspace
from amity.customers.models import Account
from amity.service.portal.models import PortalAccess
from tests.service.portal.conftest import make_admin, post_form
from tests.tenancy import MAKERS, MARKER

PREFIX = "/api/v1"
# Writes take multipart forms (they may carry files).
PORTAL_BODIES: dict[tuple[str, str], Any] = {("POST", "/api/v1/portal/cases/{case_id}/messages"): {"body": "Hello"}}
ROLES = ["plain user", "account admin"]


def _operations() -> list[tuple[str, str]]:
    spec = ninja_api.get_openapi_schema(path_prefix=PREFIX)
    return sorted(
        (method.upper(), path) for path, methods in spec["paths"].items() for method in methods if path.startswith(f"{PREFIX}/portal/")
    )


OPERATIONS = _operations()
WITH_ID = [op for op in OPERATIONS if "{" in op[1]]
LISTS = [op for op in OPERATIONS if "{" not in op[1] and op[0] == "GET" and op[1] != f"{PREFIX}/portal/me"]
WHOSE = ["another workspace", "another contact"]


@pytest.fixture(params=ROLES)
def role(request: Any, invited: PortalAccess, account: Account) -> str:
    """Peter signed in as a plain portal user, or as the admin of his account Initech."""
    if request.param == "account admin":
        make_admin(invited, account)
    return str(request.param)


def _send(api: Any, method: str, url: str, body: Any) -> Any:
    return getattr(api, method.lower())(url) if body is None else post_form(api, url, body)


def _row_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models() if model.__module__.startswith("amity.")}


def test_the_portal_has_routes_to_check() -> None:
    assert ("GET", "/api/v1/portal/orders/{order_id}") in WITH_ID and ("GET", "/api/v1/portal/cases") in LISTS


@pytest.mark.parametrize("whose", WHOSE)
@pytest.mark.parametrize(("method", "path"), WITH_ID, ids=[f"{m} {p}" for m, p in WITH_ID])
def test_someone_elses_record_is_a_404_and_nothing_changes(
    method: str, path: str, whose: str, role: str, peters_api: Any, workspace: Workspace, other_workspace: Workspace
) -> None:
    where = other_workspace if whose == "another workspace" else workspace
    names = re.findall(r"{(\w+)}", path)
    missing = [name for name in names if name not in MAKERS]
    assert not missing, f"Register a maker for {missing} in tests/tenancy.py"
    targets = {name: MAKERS[name](where) for name in names}
    url = path.format(**{name: target.pk for name, target in targets.items()})
    before = _row_counts()
    body = PORTAL_BODIES.get((method, path))
    assert method in {"GET", "DELETE"} or body is not None, f"Register a body for {method} {path} in PORTAL_BODIES"

    response = _send(peters_api, method, url, body)

    assert response.status_code == 404, f"{role}: {method} {url} answered {response.status_code}: {response.content[:300]!r}"
    assert MARKER not in response.content.decode()
    assert _row_counts() == before


@pytest.mark.parametrize(("method", "path"), LISTS, ids=[f"{m} {p}" for m, p in LISTS])
def test_lists_show_only_the_contacts_own_records(
    method: str, path: str, role: str, peters_api: Any, workspace: Workspace, other_workspace: Workspace
) -> None:
    for where in (workspace, other_workspace):
        for name in ("order_id", "invoice_id", "case_id", "return_id", "payment_id", "attachment_id"):
            MAKERS[name](where)

    response = peters_api.get(path)

    assert response.status_code == 200, response.content[:300]
    assert MARKER not in response.content.decode()
    assert response.json()["items"] == []


def test_a_return_of_another_contacts_line_is_a_404(role: str, peters_api: Any, workspace: Workspace, invited: PortalAccess) -> None:
    others = MAKERS["order_id"](workspace)
    line = others.lines.first()  # type: ignore[attr-defined]
    before = _row_counts()

    response = peters_api.post("/api/v1/portal/returns", {"order_line_id": line.pk, "quantity": "1", "reason": "x"})

    assert response.status_code == 404 and _row_counts() == before
