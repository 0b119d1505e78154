"""The duplicates pages: the ranked list with its scan, a pair's review and merge, dismissing, the merges with undo, the settings."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from amity.activities.models import Note
from amity.core.models import AuditEntry, FieldDefinition, User, Workspace
from amity.core.permissions import Role
from amity.customers.dedupe import services as dedupe
from amity.customers.models import Contact, DedupeSettings, DuplicateCandidate, DuplicateScan, Merge
from tests.factories import contact_with, member


def _scan(workspace: Workspace) -> None:
    dedupe.run_scan(dedupe.scan_create(workspace=workspace).pk)


def _ada_twice(workspace: Workspace) -> tuple[Contact, Contact]:
    FieldDefinition.objects.create(workspace=workspace, object_type="contact", key="tier", label="Tier", type="text")
    older = contact_with(
        workspace, "Ada", "Lovelace", emails=("ada@analytical.example",), custom={"tier": "gold"},
        created_at=timezone.now() - dt.timedelta(days=30),
    )  # fmt: skip
    newer = contact_with(
        workspace, "Ada", "Lovelace", emails=("ADA@analytical.example", "countess@lovelace.example"), title="Countess",
        custom={"tier": "silver"},
    )  # fmt: skip
    return older, newer


@pytest.fixture
def pair(workspace: Workspace) -> DuplicateCandidate:
    older, newer = _ada_twice(workspace)
    Note.objects.create(workspace=workspace, contact=newer, body="<p>Met at the exhibition</p>")
    _scan(workspace)
    return DuplicateCandidate.objects.get(workspace=workspace, left_id=older.pk, right_id=newer.pk)


def _people(workspace: Workspace, count: int, start: int = 0) -> None:
    for n in range(start, start + count):
        contact_with(workspace, f"Person{n}", "Twice", emails=(f"person{n}@example.com",))
        contact_with(workspace, f"Person{n}", "Twice", emails=(f"person{n}@example.com",))


def test_the_list_ranks_pairs_with_their_reasons_and_filters_by_type_and_status(
    client_as: Callable[[User], Client], owner: User, pair: DuplicateCandidate
) -> None:
    page = client_as(owner).get("/w/acme/duplicates/")
    html = page.content.decode()
    assert page.status_code == 200
    assert f'id="pair-{pair.pk}"' in html and "same email" in html and "Ada Lovelace" in html
    assert f'href="/w/acme/duplicates/{pair.pk}/"' in html
    assert f'id="pair-{pair.pk}"' not in client_as(owner).get("/w/acme/duplicates/?type=account").content.decode()
    assert f'id="pair-{pair.pk}"' not in client_as(owner).get("/w/acme/duplicates/?status=dismissed").content.decode()
    assert "Last scan" in html  # the scan's line


def test_the_list_costs_the_same_queries_for_two_pairs_and_many(
    client_as: Callable[[User], Client], owner: User, workspace: Workspace
) -> None:
    _people(workspace, 2)
    _scan(workspace)
    client = client_as(owner)
    client.get("/w/acme/duplicates/")  # warm the session and the role cache
    with CaptureQueriesContext(connection) as few:
        assert client.get("/w/acme/duplicates/").content.decode().count('id="pair-') == 2
    _people(workspace, 20, start=2)
    _scan(workspace)
    with CaptureQueriesContext(connection) as many:
        assert client.get("/w/acme/duplicates/").content.decode().count('id="pair-') == 22
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_list_pages_by_keyset(client_as: Callable[[User], Client], owner: User, workspace: Workspace) -> None:
    _people(workspace, 30)
    _scan(workspace)
    client = client_as(owner)
    first = client.get("/w/acme/duplicates/").content.decode()
    assert first.count('id="pair-') == 25 and "Load more" in first
    cursor = first.split("cursor=")[1].split('"')[0].replace("&amp;", "&")
    rest = client.get(f"/w/acme/duplicates/?status=open&cursor={cursor}", headers={"HX-Request": "true"}).content.decode()
    assert rest.count('id="pair-') == 5 and "<html" not in rest


def test_a_record_in_several_pairs_links_to_its_cluster(client_as: Callable[[User], Client], owner: User, workspace: Workspace) -> None:
    one = contact_with(workspace, "Grace", "Hopper", emails=("grace@navy.example",))
    contact_with(workspace, "Grace", "Hopper", emails=("grace@navy.example",))
    contact_with(workspace, "Grace", "Hopper", emails=("grace@navy.example", "amazing@grace.example"))
    contact_with(workspace, "Alan", "Turing", emails=("alan@bletchley.example",))
    contact_with(workspace, "Alan", "Turing", emails=("alan@bletchley.example",))
    _scan(workspace)
    html = client_as(owner).get("/w/acme/duplicates/").content.decode()
    assert f"record={one.pk}" in html and "in 2 pairs" in html
    cluster = client_as(owner).get(f"/w/acme/duplicates/?type=contact&record={one.pk}").content.decode()
    assert cluster.count('id="pair-') == 2 and "Alan" not in cluster


def test_rebuilding_starts_a_scan_that_the_list_shows_progress_of(
    client_as: Callable[[User], Client], owner: User, workspace: Workspace, django_capture_on_commit_callbacks: Any
) -> None:
    _ada_twice(workspace)
    client = client_as(owner)
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post("/w/acme/duplicates/scan/")
    assert response.status_code == 302
    scan = DuplicateScan.objects.get(workspace=workspace)
    progress = client.get("/w/acme/duplicates/scan/progress/").content.decode()
    assert "Waiting for a worker" in progress and 'hx-trigger="every 2s"' in progress
    DuplicateScan.objects.filter(pk=scan.pk).update(status="running", progress=0.4, step="comparing 2 contacts")
    progress = client.get("/w/acme/duplicates/scan/progress/").content.decode()
    assert 'aria-valuenow="40"' in progress and "comparing 2 contacts" in progress
    dedupe.run_scan(scan.pk)
    progress = client.get("/w/acme/duplicates/scan/progress/").content.decode()
    assert "1 pair found" in progress and "every 2s" not in progress


def test_a_viewer_sees_the_list_but_no_scan_button_and_cannot_start_one(
    client_as: Callable[[User], Client], workspace: Workspace, pair: DuplicateCandidate
) -> None:
    viewer = client_as(member(workspace, Role.VIEWER, email="viewer@acme.test"))
    assert 'id="rebuild-scan"' not in viewer.get("/w/acme/duplicates/").content.decode()
    scans = DuplicateScan.objects.count()
    assert viewer.post("/w/acme/duplicates/scan/").status_code == 403
    assert DuplicateScan.objects.count() == scans
    review = viewer.get(f"/w/acme/duplicates/{pair.pk}/").content.decode()
    assert 'id="merge-button"' not in review and 'id="dismiss-button"' not in review


def test_the_review_shows_both_records_field_by_field_with_the_differences_and_what_moves(
    client_as: Callable[[User], Client], owner: User, pair: DuplicateCandidate
) -> None:
    html = client_as(owner).get(f"/w/acme/duplicates/{pair.pk}/").content.decode()
    assert 'data-field="title"' in html and 'data-field="custom.tier"' in html
    title_row = html.split('data-field="title"')[1].split("</tr>")[0]
    assert 'class="amity-differs"' in html.split('data-field="title"')[0].rsplit("<tr", 1)[1]
    # The survivor has no job title: the merged record's is proposed.
    assert 'value="merged" checked' in title_row and "Countess" in title_row
    tier_row = html.split('data-field="custom.tier"')[1].split("</tr>")[0]
    assert 'value="survivor" checked' in tier_row and "gold" in tier_row and "silver" in tier_row
    assert "1 note<" in html
    assert "countess@lovelace.example" in html  # kept from both
    assert f"?survivor={pair.right_id}" in html  # swap


def test_swapping_makes_the_other_record_the_survivor(client_as: Callable[[User], Client], owner: User, pair: DuplicateCandidate) -> None:
    html = client_as(owner).get(f"/w/acme/duplicates/{pair.pk}/?survivor={pair.right_id}").content.decode()
    assert f'name="survivor_id" value="{pair.right_id}"' in html
    assert f"?survivor={pair.left_id}" in html


def test_merging_takes_the_chosen_values_moves_the_notes_and_offers_undo(
    client_as: Callable[[User], Client], owner: User, pair: DuplicateCandidate, workspace: Workspace
) -> None:
    client = client_as(owner)
    response = client.post(
        f"/w/acme/duplicates/{pair.pk}/",
        {"survivor_id": pair.left_id, "field.title": "merged", "field.custom.tier": "merged", "field.first_name": "survivor"},
    )
    assert response.status_code == 302 and response["Location"] == f"/w/acme/contacts/{pair.left_id}/"
    survivor = Contact.objects.get(pk=pair.left_id)
    assert survivor.title == "Countess" and survivor.custom["tier"] == "silver"
    assert Note.objects.get(workspace=workspace).contact_id == pair.left_id
    merge = Merge.objects.get(workspace=workspace)
    page = client.get(response["Location"]).content.decode()
    assert f'action="/w/acme/duplicates/merges/{merge.pk}/undo/?next=' in page and "data-message-action" in page
    assert "Merged Ada Lovelace into this contact" in page  # the timeline entry

    undone = client.post(f"/w/acme/duplicates/merges/{merge.pk}/undo/?next=/w/acme/contacts/{pair.left_id}/")
    assert undone.status_code == 302 and undone["Location"] == f"/w/acme/contacts/{pair.left_id}/"
    assert Contact.objects.get(pk=pair.right_id).deleted_at is None
    assert Note.objects.get(workspace=workspace).contact_id == pair.right_id
    assert "Merge of Ada Lovelace undone" in client.get(undone["Location"]).content.decode()


def test_undo_goes_back_only_inside_the_workspace(client_as: Callable[[User], Client], owner: User, pair: DuplicateCandidate) -> None:
    client = client_as(owner)
    client.post(f"/w/acme/duplicates/{pair.pk}/", {"survivor_id": pair.left_id})
    merge = Merge.objects.get()
    response = client.post(f"/w/acme/duplicates/merges/{merge.pk}/undo/?next=https://evil.example/")
    assert response["Location"] == "/w/acme/duplicates/merges/"


def test_a_refused_merge_says_why_and_changes_nothing(client_as: Callable[[User], Client], owner: User, pair: DuplicateCandidate) -> None:
    Contact.objects.filter(pk=pair.right_id).update(deleted_at="2026-01-01T00:00:00Z")
    response = client_as(owner).post(f"/w/acme/duplicates/{pair.pk}/", {"survivor_id": pair.left_id})
    assert response.status_code == 422
    assert "cannot be merged" in response.content.decode()
    assert not Merge.objects.exists()


def test_a_rep_may_dismiss_but_not_merge(client_as: Callable[[User], Client], rep: User, pair: DuplicateCandidate) -> None:
    client = client_as(rep)
    html = client.get(f"/w/acme/duplicates/{pair.pk}/").content.decode()
    assert 'id="merge-button"' not in html and 'id="dismiss-button"' in html
    assert client.post(f"/w/acme/duplicates/{pair.pk}/", {"survivor_id": pair.left_id}).status_code == 403
    assert not Merge.objects.exists()
    assert client.post(f"/w/acme/duplicates/{pair.pk}/dismiss/").status_code == 302
    pair.refresh_from_db()
    assert pair.status == "dismissed"


def test_the_merges_page_lists_merges_with_undo_and_says_why_when_it_is_refused(
    client_as: Callable[[User], Client], owner: User, pair: DuplicateCandidate, workspace: Workspace
) -> None:
    client = client_as(owner)
    client.post(f"/w/acme/duplicates/{pair.pk}/", {"survivor_id": pair.left_id})
    merge = Merge.objects.get()
    html = client.get("/w/acme/duplicates/merges/").content.decode()
    assert f'action="/w/acme/duplicates/merges/{merge.pk}/undo/"' in html and "1 note" in html
    Contact.objects.filter(pk=pair.left_id).update(title="Changed since", updated_at=timezone.now())
    html = client.get("/w/acme/duplicates/merges/").content.decode()
    assert f'action="/w/acme/duplicates/merges/{merge.pk}/undo/"' not in html
    assert "was changed after the merge" in html
    response = client.post(f"/w/acme/duplicates/merges/{merge.pk}/undo/", follow=True)
    assert "cannot be undone" in response.content.decode()
    assert Merge.objects.get().undone_at is None


def test_the_merges_page_costs_the_same_queries_for_one_merge_and_many(
    client_as: Callable[[User], Client], owner: User, workspace: Workspace
) -> None:
    from amity.customers import merging

    def merge_some(count: int, start: int) -> None:
        for n in range(start, start + count):
            keep = contact_with(workspace, f"Keep{n}", "One")
            gone = contact_with(workspace, f"Gone{n}", "One")
            merging.merge_records(actor=owner, workspace=workspace, record_type="contact", survivor_id=keep.pk, merged_id=gone.pk)

    client = client_as(owner)
    merge_some(1, 0)
    client.get("/w/acme/duplicates/merges/")
    with CaptureQueriesContext(connection) as few:
        client.get("/w/acme/duplicates/merges/")
    merge_some(8, 1)
    with CaptureQueriesContext(connection) as many:
        assert client.get("/w/acme/duplicates/merges/").content.decode().count('id="merge-') == 9
    assert len(many.captured_queries) == len(few.captured_queries)


def test_another_workspaces_pair_and_merge_are_not_found(
    client_as: Callable[[User], Client], other_workspace: Workspace, pair: DuplicateCandidate, owner: User
) -> None:
    client_as(owner).post(f"/w/acme/duplicates/{pair.pk}/", {"survivor_id": pair.left_id})
    merge = Merge.objects.get()
    stranger = client_as(member(other_workspace, Role.OWNER, email="owner@globex.test"))
    audit = AuditEntry.objects.count()
    assert stranger.get(f"/w/globex/duplicates/{pair.pk}/").status_code == 404
    assert stranger.post(f"/w/globex/duplicates/{pair.pk}/", {"survivor_id": pair.left_id}).status_code == 404
    assert stranger.post(f"/w/globex/duplicates/{pair.pk}/dismiss/").status_code == 404
    assert stranger.post(f"/w/globex/duplicates/merges/{merge.pk}/undo/").status_code == 404
    assert f'id="pair-{pair.pk}"' not in stranger.get("/w/globex/duplicates/?status=all").content.decode()
    assert f'id="merge-{merge.pk}"' not in stranger.get("/w/globex/duplicates/merges/").content.decode()
    assert stranger.get("/w/acme/duplicates/").status_code == 404  # not a member of Acme
    assert AuditEntry.objects.count() == audit and Merge.objects.get().undone_at is None


def test_the_settings_page_switches_automatic_merging_on_for_owners_only(
    client_as: Callable[[User], Client], owner: User, workspace: Workspace
) -> None:
    client = client_as(owner)
    page = client.get("/w/acme/settings/duplicates/")
    assert page.status_code == 200 and 'href="/w/acme/settings/duplicates/"' in page.content.decode()  # in the settings menu
    response = client.post("/w/acme/settings/duplicates/", {"auto_merge": "on", "auto_merge_threshold": "0.97"})
    assert response.status_code == 302
    settings = DedupeSettings.objects.get(workspace=workspace)
    assert settings.auto_merge and settings.auto_merge_threshold == 0.97
    assert AuditEntry.objects.filter(workspace=workspace, object_type="customers.dedupesettings").count() == 1

    bad = client.post("/w/acme/settings/duplicates/", {"auto_merge": "on", "auto_merge_threshold": "0.5"})
    assert bad.status_code == 422 and "greater than or equal to 0.8" in bad.content.decode()
    assert DedupeSettings.objects.get(workspace=workspace).auto_merge_threshold == 0.97

    manager = client_as(member(workspace, Role.MANAGER, email="manager@acme.test"))
    assert 'href="/w/acme/settings/duplicates/"' not in manager.get("/w/acme/duplicates/").content.decode()
    assert manager.get("/w/acme/settings/duplicates/").status_code == 403
    assert manager.post("/w/acme/settings/duplicates/", {"auto_merge_threshold": "0.9"}).status_code == 403
    assert DedupeSettings.objects.get(workspace=workspace).auto_merge
