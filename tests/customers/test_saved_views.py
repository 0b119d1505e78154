"""Saved views of the contact and account lists: private to their maker, or shared; who may change them."""

from __future__ import annotations

from typing import Any

import pytest

from amity.core.models import AuditEntry, FieldDefinition, Workspace
from amity.core.permissions import Role
from amity.customers.models import SavedView
from tests.factories import member

pytestmark = pytest.mark.django_db

BODY = {
    "name": "Hot leads",
    "object_type": "contact",
    "filters": {"lifecycle_stage": "lead"},
    "sort": "name",
    "columns": ["email", "owner"],
}


def test_a_private_view_is_seen_by_its_maker_only(api_as: Any, workspace: Workspace, rep: Any, admin: Any) -> None:
    created = api_as(rep, workspace).post("/api/v1/saved-views", BODY)
    assert created.status_code == 201, created.content
    view = created.json()
    assert view["filters"] == {"lifecycle_stage": "lead"}
    assert view["columns"] == ["email", "owner"]
    assert view["owner_id"] == rep.pk and view["shared"] is False

    colleague = api_as(member(workspace, Role.SALES), workspace)
    assert colleague.get("/api/v1/saved-views").json()["items"] == []
    assert colleague.get(f"/api/v1/saved-views/{view['id']}").status_code == 404
    # Not even an admin sees someone's private view.
    assert api_as(admin, workspace).get(f"/api/v1/saved-views/{view['id']}").status_code == 404
    assert AuditEntry.objects.filter(object_type="customers.savedview", action="create").count() == 1


def test_a_shared_view_is_seen_by_all_and_changed_by_its_maker_or_an_admin(api_as: Any, workspace: Workspace, rep: Any, admin: Any) -> None:
    view = api_as(rep, workspace).post("/api/v1/saved-views", {**BODY, "shared": True}).json()
    colleague = api_as(member(workspace, Role.SALES), workspace)

    assert [item["name"] for item in colleague.get("/api/v1/saved-views").json()["items"]] == ["Hot leads"]
    refused = colleague.patch(f"/api/v1/saved-views/{view['id']}", {"name": "Mine now"})
    assert refused.status_code == 403
    assert colleague.delete(f"/api/v1/saved-views/{view['id']}").status_code == 403
    assert SavedView.objects.get().name == "Hot leads"

    assert api_as(admin, workspace).patch(f"/api/v1/saved-views/{view['id']}", {"name": "Leads"}).json()["name"] == "Leads"
    assert api_as(rep, workspace).delete(f"/api/v1/saved-views/{view['id']}").status_code == 204
    assert SavedView.objects.count() == 0


def test_an_admin_cannot_delete_someones_private_view(api_as: Any, workspace: Workspace, rep: Any, admin: Any) -> None:
    view = api_as(rep, workspace).post("/api/v1/saved-views", BODY).json()
    assert api_as(admin, workspace).delete(f"/api/v1/saved-views/{view['id']}").status_code == 404
    assert SavedView.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"object_type": "lead"}, "object_type"),
        ({"sort": "shoe_size"}, "sort"),
        ({"columns": ["email", "shoe_size"]}, "columns"),
        ({"filters": {"created_after": "yesterday"}}, "filters.created_after"),
        ({"filters": {"custom.nope": "1"}}, "filters.custom.nope"),
        ({"filters": {"lifecycle_stage": "royalty"}}, "filters.lifecycle_stage"),
    ],
)
def test_bad_views_are_refused_with_the_field_named(api: Any, change: dict[str, Any], field: str) -> None:
    response = api.post("/api/v1/saved-views", {**BODY, **change})
    assert response.status_code == 422, response.content
    assert field in {error["field"] for error in response.json()["errors"]}
    assert SavedView.objects.count() == 0


def test_a_view_may_use_custom_fields_and_names_are_unique_per_person(api: Any, workspace: Workspace) -> None:
    FieldDefinition.objects.create(workspace=workspace, object_type="contact", key="tier", label="Tier", type="choice", options=["gold"])
    body = {**BODY, "filters": {"custom.tier": "gold"}, "columns": ["custom.tier"]}
    assert api.post("/api/v1/saved-views", body).status_code == 201
    again = api.post("/api/v1/saved-views", {**body, "name": "hot LEADS"})
    assert again.status_code == 422
    assert again.json()["errors"][0]["field"] == "name"
