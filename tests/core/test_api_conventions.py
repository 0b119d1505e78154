"""The API's shared conventions: problem details, keyset pages, idempotency keys, token handling."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from amity.core.models import ApiToken, AuditEntry, Invitation, Team, Workspace
from amity.core.permissions import Role
from tests.factories import TeamFactory, member


def test_without_a_token_the_answer_is_a_401_problem(client: Client, db: Any) -> None:
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["title"] == "Not signed in"


def test_a_revoked_token_is_refused(api: Any, admin: Any, workspace: Workspace) -> None:
    ApiToken.objects.filter(user=admin).update(revoked_at="2026-01-01T00:00:00Z")
    assert api.get("/api/v1/me").status_code == 401


def test_a_token_of_someone_who_left_the_workspace_is_refused(api: Any, admin: Any, workspace: Workspace) -> None:
    admin.memberships.all().delete()
    assert api.get("/api/v1/me").status_code == 401


def test_tokens_are_stored_hashed_and_record_their_last_use(api: Any, admin: Any) -> None:
    token = ApiToken.objects.get(user=admin)
    assert api.token not in {token.token_hash, token.prefix}
    assert len(token.token_hash) == 64
    assert token.last_used_at is None

    api.get("/api/v1/me")

    token.refresh_from_db()
    assert token.last_used_at is not None


def test_field_errors_name_the_field_and_change_nothing(api: Any, workspace: Workspace) -> None:
    response = api.post("/api/v1/invitations", {"email": "not-an-address", "role": "sales"})
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "email", "message": "Enter a valid email address."}]
    assert Invitation.objects.count() == 0


def test_an_unknown_role_is_a_field_error(api: Any) -> None:
    response = api.post("/api/v1/invitations", {"email": "x@acme.test", "role": "emperor"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "role"


def test_malformed_json_is_a_problem_not_a_crash(api: Any) -> None:
    response = api.client.post("/api/v1/teams", data="{not json", content_type="application/json", headers=api._headers(None))
    assert response.status_code in {400, 422}
    assert response["Content-Type"] == "application/problem+json"


def test_unknown_api_paths_are_problems(api: Any) -> None:
    response = api.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_keyset_pages_walk_every_row_once(api: Any, workspace: Workspace) -> None:
    for number in range(7):
        TeamFactory(workspace=workspace, name=f"Team {number:02}")
    seen, cursor = [], None
    while True:
        page = api.get("/api/v1/teams", {"limit": 3, **({"cursor": cursor} if cursor else {})}).json()
        seen += [item["name"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [f"Team {number:02}" for number in range(7)]


def test_a_forged_cursor_is_a_field_error(api: Any) -> None:
    response = api.get("/api/v1/teams", {"cursor": "eyJpZCI6MX0"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "cursor"


@pytest.mark.parametrize("rows", [3, 40])
def test_list_queries_do_not_grow_with_rows(rows: int, api: Any, workspace: Workspace, django_assert_max_num_queries: Any) -> None:
    people = [member(workspace, Role.SALES) for _ in range(rows)]
    for number in range(rows):
        TeamFactory(workspace=workspace, name=f"T{number}").members.set(people[:5])
    for path in ["/api/v1/teams", "/api/v1/members", "/api/v1/audit-log", "/api/v1/tokens", "/api/v1/invitations"]:
        with django_assert_max_num_queries(6):
            assert api.get(path, {"limit": 50}).status_code == 200


def test_an_idempotency_key_replays_the_first_answer(api: Any, workspace: Workspace) -> None:
    headers = {"Idempotency-Key": "create-team-1"}
    first = api.post("/api/v1/teams", {"name": "Key accounts"}, headers=headers)
    again = api.post("/api/v1/teams", {"name": "Key accounts"}, headers=headers)

    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert Team.objects.filter(workspace=workspace).count() == 1
    assert AuditEntry.objects.filter(object_type="core.team").count() == 1


def test_an_idempotency_key_reused_for_another_request_is_refused(api: Any, workspace: Workspace) -> None:
    api.post("/api/v1/teams", {"name": "One"}, headers={"Idempotency-Key": "k"})
    response = api.post("/api/v1/teams", {"name": "Two"}, headers={"Idempotency-Key": "k"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "Idempotency-Key"
    assert list(Team.objects.values_list("name", flat=True)) == ["One"]


def test_idempotency_keys_belong_to_one_token(api_as: Any, admin: Any, workspace: Workspace) -> None:
    first, second = api_as(admin, workspace), api_as(admin, workspace)
    first.post("/api/v1/teams", {"name": "One"}, headers={"Idempotency-Key": "same"})
    response = second.post("/api/v1/teams", {"name": "Uno"}, headers={"Idempotency-Key": "same"})
    assert response.status_code == 201
    assert Team.objects.count() == 2


def test_a_failed_request_does_not_burn_its_key(api: Any, workspace: Workspace) -> None:
    headers = {"Idempotency-Key": "retry-me"}
    assert api.post("/api/v1/teams", {"name": "Ops", "member_ids": [999999]}, headers=headers).status_code == 422
    assert api.post("/api/v1/teams", {"name": "Ops", "member_ids": [999999]}, headers=headers)["Idempotent-Replayed"] == "true"


def test_the_audit_log_says_which_token_made_a_change(api: Any, admin: Any) -> None:
    api.post("/api/v1/teams", {"name": "Audited"})
    entry = AuditEntry.objects.get(object_type="core.team")
    assert entry.door == "api"
    assert entry.actor == admin
    assert entry.token == ApiToken.objects.get(user=admin)
    assert entry.changes["name"] == [None, "Audited"]


def test_audit_log_filters(api: Any, admin: Any, workspace: Workspace) -> None:
    api.post("/api/v1/teams", {"name": "A"})
    api.post("/api/v1/invitations", {"email": "new@acme.test", "role": "viewer"})
    items = api.get("/api/v1/audit-log", {"object_type": "core.invitation"}).json()["items"]
    assert [item["object_type"] for item in items] == ["core.invitation"]
    assert api.get("/api/v1/audit-log", {"door": "cli"}).json()["items"] == []
    assert api.get("/api/v1/audit-log", {"door": "fax"}).status_code == 422


def test_openapi_and_offline_docs(client: Client, db: Any) -> None:
    spec = client.get("/api/v1/openapi.json")
    assert spec.status_code == 200
    assert "/api/v1/members/{member_id}" in spec.json()["paths"]
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    assert b"cdn" not in docs.content.lower()


def test_a_wrong_method_is_a_problem(api: Any) -> None:
    response = api.put("/api/v1/teams", {"name": "x"})
    assert response.status_code == 405
    assert response["Content-Type"] == "application/problem+json"
    assert "GET" in response.json()["detail"]
