"""Duplicates through the doors: the 409 on entry, the ranked list, dismissing, scans with progress, and the CLI."""

from __future__ import annotations

import json
from typing import Any

import pytest

from amity import cli
from amity.core.models import AuditEntry, User, Workspace
from amity.core.permissions import Role
from amity.customers.models import Contact, DedupeKey, DuplicateCandidate, DuplicateScan
from tests.factories import member

ADA = {
    "first_name": "Ada",
    "last_name": "Lovelace",
    "emails": [{"address": "ada@analytical.example"}],
    "phones": [{"number": "+44 20 7946 0958"}],
}


def _create(api: Any, body: dict[str, Any], query: str = "") -> Any:
    return api.post(f"/api/v1/contacts{query}", body)


def test_creating_a_likely_duplicate_contact_is_refused_with_the_candidates(api: Any, workspace: Workspace) -> None:
    first = _create(api, ADA)
    assert first.status_code == 201
    before = Contact.objects.count()

    again = _create(
        api,
        {"first_name": "Lovelace", "last_name": "Ada", "phones": [{"number": "020 7946 0958", "kind": "work"}]}
        | {"phones": [{"number": "+442079460958"}]},
    )

    assert again.status_code == 409
    assert again["Content-Type"] == "application/problem+json"
    body = again.json()
    assert body["status"] == 409 and "allow_duplicates=true" in body["detail"]
    [candidate] = body["candidates"]
    assert candidate["id"] == first.json()["id"] and candidate["type"] == "contact" and candidate["name"] == "Ada Lovelace"
    assert candidate["score"] >= 0.8
    assert "first and last name swapped" in candidate["reasons"] and "same phone" in candidate["reasons"]
    assert Contact.objects.count() == before


def test_allow_duplicates_creates_anyway(api: Any, workspace: Workspace) -> None:
    assert _create(api, ADA).status_code == 201
    assert _create(api, ADA, "?allow_duplicates=true").status_code == 201
    assert Contact.objects.filter(workspace=workspace, last_name="Lovelace").count() == 2


def test_a_namesake_with_nothing_shared_is_not_a_duplicate(api: Any) -> None:
    assert _create(api, {"first_name": "John", "last_name": "Smith", "emails": [{"address": "john@acme.example"}]}).status_code == 201
    assert _create(api, {"first_name": "John", "last_name": "Smith", "emails": [{"address": "jsmith@globex.example"}]}).status_code == 201


def test_a_likely_duplicate_account_is_refused_by_its_name_and_address(api: Any) -> None:
    office = [{"kind": "office", "street": "1 Infinite Loop", "postcode": "95014", "city": "Cupertino", "country": "US"}]
    assert api.post("/api/v1/accounts", {"name": "ACME, Inc.", "domains": ["acme.example"], "addresses": office}).status_code == 201
    response = api.post("/api/v1/accounts", {"name": "Acme", "addresses": [{**office[0], "street": "1 infinite loop"}]})
    assert response.status_code == 409
    assert response.json()["candidates"][0]["reasons"] == ["same name", "same address"]


def test_an_update_keeps_the_key_index_current(api: Any, workspace: Workspace) -> None:
    contact_id = _create(api, ADA).json()["id"]
    keys_before = set(DedupeKey.objects.filter(record_id=contact_id).values_list("key_hash", flat=True))
    api.patch(f"/api/v1/contacts/{contact_id}", {"last_name": "Byron"})
    assert set(DedupeKey.objects.filter(record_id=contact_id).values_list("key_hash", flat=True)) != keys_before
    assert _create(api, {"first_name": "Ada", "last_name": "Byron", "emails": [{"address": "ada@analytical.example"}]}).status_code == 409


@pytest.fixture
def duplicates(api: Any, workspace: Workspace, django_capture_on_commit_callbacks: Any) -> list[int]:
    """Three records of one person and one of another, created anyway, then scanned."""
    ids = [
        _create(api, ADA, "?allow_duplicates=true").json()["id"],
        _create(
            api,
            {"first_name": "Adda", "last_name": "Lovelace", "emails": [{"address": "ADA@analytical.example"}]},
            "?allow_duplicates=true",
        ).json()["id"],
        _create(
            api,
            {**ADA, "emails": [{"address": "ada@analytical.example"}, {"address": "countess@lovelace.example"}]},
            "?allow_duplicates=true",
        ).json()["id"],
        _create(api, {"first_name": "Grace", "last_name": "Hopper", "emails": [{"address": "grace@navy.example"}]}).json()["id"],
    ]
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("/api/v1/duplicates/rebuild", {"record_type": "contact"})
    assert response.status_code == 202
    scan = api.get(f"/api/v1/duplicate-scans/{response.json()['id']}").json()
    assert scan["status"] == "done" and scan["progress"] == 1.0 and scan["records"] == 4 and scan["pairs_found"] == 3
    return ids


def test_the_list_ranks_pairs_by_score_with_both_records(api: Any, duplicates: list[int]) -> None:
    page = api.get("/api/v1/duplicates", {"limit": 2}).json()
    rest = api.get("/api/v1/duplicates", {"limit": 2, "cursor": page["next_cursor"]}).json()
    items = page["items"] + rest["items"]
    assert rest["next_cursor"] is None
    assert len(items) == 3
    assert [item["score"] for item in items] == sorted((item["score"] for item in items), reverse=True)
    assert {(item["left"]["id"], item["right"]["id"]) for item in items} == {
        (duplicates[0], duplicates[1]), (duplicates[0], duplicates[2]), (duplicates[1], duplicates[2])
    }  # fmt: skip
    assert items[0]["left"]["name"] == "Ada Lovelace" and items[0]["status"] == "open"


def test_the_list_costs_the_same_queries_at_any_size(api: Any, duplicates: list[int], django_assert_max_num_queries: Any) -> None:
    with django_assert_max_num_queries(8):
        assert len(api.get("/api/v1/duplicates", {"limit": 1}).json()["items"]) == 1
    with django_assert_max_num_queries(8):
        assert len(api.get("/api/v1/duplicates", {"limit": 50}).json()["items"]) == 3


def test_dismissing_a_pair_keeps_it_dismissed_after_a_rescan(
    api: Any, duplicates: list[int], workspace: Workspace, django_capture_on_commit_callbacks: Any
) -> None:
    pair = api.get("/api/v1/duplicates").json()["items"][-1]
    response = api.post(f"/api/v1/duplicates/{pair['id']}/dismiss")
    assert response.status_code == 200 and response.json()["status"] == "dismissed"
    assert AuditEntry.objects.filter(workspace=workspace, object_type="customers.duplicatecandidate").count() == 1

    with django_capture_on_commit_callbacks(execute=True):
        api.post("/api/v1/duplicates/rebuild", {})
    assert pair["id"] not in {item["id"] for item in api.get("/api/v1/duplicates").json()["items"]}
    assert DuplicateCandidate.objects.get(pk=pair["id"]).status == "dismissed"
    assert api.get("/api/v1/duplicates", {"status": "dismissed"}).json()["items"][0]["id"] == pair["id"]


def test_a_viewer_reads_but_neither_dismisses_nor_rebuilds(api_as: Any, workspace: Workspace, duplicates: list[int]) -> None:
    viewer = api_as(member(workspace, Role.VIEWER, email="viewer@acme.test"), workspace)
    pair = viewer.get("/api/v1/duplicates").json()["items"][0]
    scans = DuplicateScan.objects.count()
    assert viewer.post(f"/api/v1/duplicates/{pair['id']}/dismiss").status_code == 403
    assert viewer.post("/api/v1/duplicates/rebuild", {}).status_code == 403
    assert DuplicateCandidate.objects.get(pk=pair["id"]).status == "open"
    assert DuplicateScan.objects.count() == scans


def test_another_workspaces_pair_and_scan_are_not_found(
    api_as: Any, other_workspace: Workspace, duplicates: list[int], owner: User
) -> None:
    stranger = api_as(member(other_workspace, Role.OWNER, email="owner@globex.test"), other_workspace)
    pair = DuplicateCandidate.objects.first()
    scan = DuplicateScan.objects.first()
    assert pair is not None and scan is not None
    assert stranger.get("/api/v1/duplicates").json()["items"] == []
    assert stranger.post(f"/api/v1/duplicates/{pair.pk}/dismiss").status_code == 404
    assert stranger.get(f"/api/v1/duplicate-scans/{scan.pk}").status_code == 404
    pair.refresh_from_db()
    assert pair.status == "open"


def test_the_cli_prints_clusters_as_json_lines_with_a_progress_line(
    api: Any, duplicates: list[int], workspace: Workspace, capsys: Any
) -> None:
    assert cli.main(["dedupe", "--workspace", workspace.slug, "--json", "--type", "contact"]) == 0
    out, err = capsys.readouterr()
    [line] = out.strip().splitlines()
    cluster = json.loads(line)
    assert [record["id"] for record in cluster["records"]] == duplicates[:3]
    assert {record["type"] for record in cluster["records"]} == {"contact"}
    assert "external_id" in cluster["records"][0]
    assert 0.8 <= cluster["score"] <= 1 and "same email" in cluster["reasons"]
    assert "scanned 4 records" in err

    assert cli.main(["dedupe", "--workspace", workspace.slug, "--threshold", "0.99"]) == 0
    [text] = capsys.readouterr().out.strip().splitlines()
    assert text.startswith("1.00  contact ") and "same email" in text


def test_a_rescan_writes_only_the_keys_that_changed(api: Any, workspace: Workspace) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from amity.customers.dedupe import services as dedupe

    ids = [
        _create(api, {**ADA, "emails": [{"address": f"ada{n}@analytical.example"}]}, "?allow_duplicates=true").json()["id"]
        for n in range(3)
    ]
    DedupeKey.objects.filter(record_id=ids[0]).delete()  # as after an import: no keys yet
    DedupeKey.objects.create(workspace=workspace, record_type="contact", record_id=999_999, key_hash=1)  # a contact gone since
    dedupe.run_scan(dedupe.scan_create(workspace=workspace, record_type="contact").pk)
    indexed = sorted(DedupeKey.objects.values_list("record_id", "key_hash"))
    assert {record_id for record_id, _ in indexed} == set(ids)
    assert len(indexed) == len(set(indexed))

    with CaptureQueriesContext(connection) as rescan:
        dedupe.run_scan(dedupe.scan_create(workspace=workspace, record_type="contact").pk)

    assert sorted(DedupeKey.objects.values_list("record_id", "key_hash")) == indexed
    writes = [
        query["sql"]
        for query in rescan.captured_queries
        if query["sql"].startswith(("INSERT", "DELETE", "UPDATE")) and "dedupekey" in query["sql"]
    ]
    assert writes == []
