"""GET /api/v1/search: grouped results, validation that names the field, and the workspace wall."""

from __future__ import annotations

from typing import Any

import pytest

from amity.core.models import User, Workspace
from amity.core.permissions import Role
from amity.search import services
from tests.factories import account_with, contact_with, member
from tests.tenancy import LIST_PARAMS, MAKERS, MARKER

pytestmark = pytest.mark.django_db


@pytest.fixture
def records(workspace: Workspace) -> dict[str, Any]:
    acme = account_with(workspace, "Acme", domains=("acme.com",))
    john = contact_with(workspace, "John", "Smith", emails=("john.smith@acme.com",), phones=("+14155550123",), accounts=(acme,))
    services.reindex_workspace(workspace=workspace)
    return {"acme": acme, "john": john}


def test_results_are_grouped_by_type(api: Any, records: dict[str, Any]) -> None:
    response = api.get("/api/v1/search", {"q": "acme", "types": "contact,account"})

    assert response.status_code == 200
    assert response.json() == {
        "query": "acme",
        "groups": [
            {
                "type": "contacts",
                "label": "Contacts",
                "results": [
                    {
                        "id": records["john"].pk,
                        "title": "John Smith",
                        "subtitle": "john.smith@acme.com · Acme",
                        "url": f"/w/acme/contacts/{records['john'].pk}/",
                    }
                ],
            },
            {
                "type": "accounts",
                "label": "Accounts",
                "results": [
                    {"id": records["acme"].pk, "title": "Acme", "subtitle": "acme.com", "url": f"/w/acme/accounts/{records['acme'].pk}/"}
                ],
            },
        ],
    }


def test_limit_and_types(api: Any, workspace: Workspace, records: dict[str, Any]) -> None:
    for n in range(4):
        contact_with(workspace, "John", f"Doe{n}")
    services.reindex_workspace(workspace=workspace)

    body = api.get("/api/v1/search", {"q": "john", "types": "contacts", "limit": 3}).json()

    assert [group["type"] for group in body["groups"]] == ["contacts"]
    assert len(body["groups"][0]["results"]) == 3
    assert body["groups"][0]["results"][0]["title"] == "John Doe0"


@pytest.mark.parametrize(
    ("params", "field"),
    [({"q": "a"}, "q"), ({"q": " "}, "q"), ({}, "q"), ({"q": "acme", "types": "widgets"}, "types"), ({"q": "acme", "limit": 0}, "limit")],
)
def test_bad_input_names_the_field(api: Any, params: dict[str, Any], field: str) -> None:
    response = api.get("/api/v1/search", params)

    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert [error["field"] for error in response.json()["errors"]] == [field]


def test_another_workspaces_records_never_show(api: Any, records: dict[str, Any], other_workspace: Workspace) -> None:
    stranger = contact_with(other_workspace, "John", "Smith", emails=("john@globex.test",))
    services.index_records(object_type="contact", ids=[stranger.pk])

    body = api.get("/api/v1/search", {"q": "john smith"}).json()

    assert [result["id"] for group in body["groups"] for result in group["results"]] == [records["john"].pk]


def test_the_tenancy_harness_query_finds_the_marker_records_at_home(api_as: Any, other_workspace: Workspace) -> None:
    """The cross-workspace harness searches for its marker; prove that query would show a leak."""
    for make in (MAKERS["contact_id"], MAKERS["account_id"]):
        make(other_workspace)
    insider = member(other_workspace, Role.VIEWER, email="insider@globex.test")

    response = api_as(insider, other_workspace).get("/api/v1/search", LIST_PARAMS["/api/v1/search"])

    assert {group["type"] for group in response.json()["groups"]} >= {"contacts", "accounts"}
    assert MARKER in response.content.decode()


def test_a_member_without_sight_of_contacts_gets_the_other_groups(
    api_as: Any, workspace: Workspace, records: Any, monkeypatch: Any
) -> None:
    from amity.core.permissions import GRANTS, Grant, ObjectType

    viewer: User = member(workspace, Role.VIEWER, email="viewer@acme.test")
    monkeypatch.setitem(GRANTS[Role.VIEWER], ObjectType.CONTACT, Grant(frozenset()))

    body = api_as(viewer, workspace).get("/api/v1/search", {"q": "acme"}).json()

    assert [group["type"] for group in body["groups"]] == ["accounts", "members"]
