"""The imports API: multipart upload, preview and start, progress, errors by page, the log as CSV, undo, and who may do what."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from amity.core.models import User, Workspace
from amity.core.permissions import Role
from amity.customers.models import Contact
from amity.imports.models import Import
from tests.factories import member, token_for

pytestmark = pytest.mark.django_db
CSV = (
    b"Given name,Surname,E-mail Address,Mobile\nAda,Lovelace,ada@example.com,+44 7911 123456\nBad,Row,nope,\n=cmd,Evil,evil@example.com,\n"
)


def _client(user: User, workspace: Workspace) -> tuple[Client, dict[str, str]]:
    return Client(), {"Authorization": f"Bearer {token_for(user, workspace)[1]}"}


def _upload(user: User, workspace: Workspace, content: bytes = CSV, **fields: Any) -> Any:
    client, headers = _client(user, workspace)
    body = {"file": SimpleUploadedFile("people.csv", content, content_type="text/csv"), "kind": "contacts", **fields}
    return client.post("/api/v1/imports", body, headers=headers)


def test_an_upload_is_imported_in_the_background_with_progress_errors_and_a_log(
    admin: User, workspace: Workspace, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(admin, workspace)
    assert response.status_code == 201, response.content
    import_id = response.json()["id"]
    client, headers = _client(admin, workspace)

    state = client.get(f"/api/v1/imports/{import_id}", headers=headers).json()
    errors = client.get(f"/api/v1/imports/{import_id}/errors", {"limit": 1}, headers=headers).json()
    log = client.get(f"/api/v1/imports/{import_id}/log", headers=headers)

    assert response.json()["mapping"] == {"Given name": "first_name", "Surname": "last_name", "E-mail Address": "email", "Mobile": "mobile"}
    assert {key: state[key] for key in ["status", "total", "processed", "progress", "created", "failed"]} == {
        "status": "done", "total": 3, "processed": 3, "progress": 1.0, "created": 2, "failed": 1,
    }  # fmt: skip
    assert errors["items"][0] | {"id": 0} == {"id": 0, "row": 3, "field": "E-mail Address", "message": "Enter a valid email address."}
    assert (len(errors["items"]), errors["next_cursor"]) == (1, None)
    assert log["Content-Type"].startswith("text/csv")
    lines = b"".join(log.streaming_content).decode().splitlines()
    assert lines[0] == "row,outcome,record_id,message"
    assert lines[1].startswith("2,created,")
    assert Contact.objects.get(primary_email="ada@example.com").primary_phone == "+447911123456"


def test_the_log_neutralizes_cells_a_spreadsheet_would_run(
    admin: User, workspace: Workspace, django_capture_on_commit_callbacks: Any
) -> None:
    content = b"Email,Phone\n=1+2@example.com,+1 202 555 01\n"
    with django_capture_on_commit_callbacks(execute=True):
        import_id = _upload(admin, workspace, content).json()["id"]
    client, headers = _client(admin, workspace)

    lines = b"".join(client.get(f"/api/v1/imports/{import_id}/log", headers=headers).streaming_content).decode().splitlines()

    assert all(not cell.startswith(("=", "+", "-", "@")) for line in lines for cell in line.split(","))


def test_a_two_step_import_previews_then_starts_with_the_chosen_mapping(
    admin: User, workspace: Workspace, django_capture_on_commit_callbacks: Any
) -> None:
    import_id = _upload(admin, workspace, start="false").json()["id"]
    client, headers = _client(admin, workspace)

    preview = client.get(f"/api/v1/imports/{import_id}/preview", headers=headers).json()
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(
            f"/api/v1/imports/{import_id}/start",
            json.dumps({"mapping": {"Mobile": ""}, "dry_run": True}),
            content_type="application/json",
            headers=headers,
        )

    assert preview["suggested_mapping"]["E-mail Address"] == "email"
    assert preview["rows"][0] == ["Ada", "Lovelace", "ada@example.com", "+44 7911 123456"]
    assert "custom.tier" not in preview["fields"] and "email" in preview["fields"]
    assert started.status_code == 200, started.content
    assert Import.objects.get(pk=import_id).status == "done"
    assert Contact.objects.count() == 0


def test_undo_through_the_api(admin: User, workspace: Workspace, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        import_id = _upload(admin, workspace).json()["id"]
    client, headers = _client(admin, workspace)

    response = client.post(f"/api/v1/imports/{import_id}/undo", headers=headers)

    assert response.json()["status"] == "undone"
    assert Contact.objects.filter(deleted_at__isnull=True).count() == 0


def test_an_unreadable_file_or_bad_mapping_is_a_422_naming_the_field(admin: User, workspace: Workspace) -> None:
    empty = _upload(admin, workspace, b"")
    bad_mapping = _upload(admin, workspace, mapping=json.dumps({"Mobile": "fax"}))

    assert empty.status_code == 422 and empty.json()["errors"][0]["field"] == "file"
    assert bad_mapping.status_code == 422 and bad_mapping.json()["errors"][0]["field"] == "mapping.Mobile"
    assert Import.objects.count() == 0


def test_viewers_may_not_import_and_sales_see_only_their_own_imports(admin: User, workspace: Workspace) -> None:
    viewer = member(workspace, Role.VIEWER, email="viewer@acme.test")
    rep = member(workspace, Role.SALES, email="rep2@acme.test")
    _upload(admin, workspace, start="false")
    mine = _upload(rep, workspace, start="false").json()["id"]
    client, headers = _client(rep, workspace)

    assert _upload(viewer, workspace).status_code == 403
    assert [item["id"] for item in client.get("/api/v1/imports", headers=headers).json()["items"]] == [mine]
