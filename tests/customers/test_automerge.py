"""Automatic merging after a scan: exact-key matches above the workspace's threshold merge, everything else waits for review."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from amity.core.models import AuditEntry, User, Workspace
from amity.core.permissions import Role
from amity.customers import merging
from amity.customers.dedupe import services as dedupe
from amity.customers.models import Address, Contact, DedupeSettings, DuplicateCandidate, DuplicateScan, Merge
from amity.customers.tasks import scan_duplicates
from tests.factories import account_with, contact_with, member

LONG_AGO = dt.timedelta(days=400)


def _switch_on(workspace: Workspace, threshold: float = 0.95) -> None:
    DedupeSettings.objects.create(workspace=workspace, auto_merge=True, auto_merge_threshold=threshold)


def _scan_in_the_worker(workspace: Workspace) -> DuplicateScan:
    scan = dedupe.scan_create(workspace=workspace)
    scan_duplicates.call(scan.pk)
    return DuplicateScan.objects.get(pk=scan.pk)


def _same_email(workspace: Workspace) -> tuple[Contact, Contact]:
    older = contact_with(workspace, "Ada", "Lovelace", emails=("ada@analytical.example",), created_at=timezone.now() - LONG_AGO)
    newer = contact_with(workspace, "Ada", "Lovelace", emails=("ada@analytical.example",), title="Countess")
    return older, newer


def _alike_by_name_address_and_employer(workspace: Workspace) -> tuple[Contact, Contact]:
    """Two records with no email, phone or domain in common, however alike otherwise."""
    acme = account_with(workspace, "Analytical Engines")
    pair = []
    for email in ("ada@home.example", "countess@elsewhere.example"):
        contact = contact_with(workspace, "Ada", "Lovelace", emails=(email,), accounts=(acme,))
        Address.objects.create(
            workspace=workspace, contact=contact, street="12 St James's Square", postcode="SW1Y 4JH", city="London", country="GB"
        )
        pair.append(contact)
    return pair[0], pair[1]


def test_an_exact_match_above_the_threshold_is_merged_into_the_older_record_audited_and_undoable(workspace: Workspace, owner: User) -> None:
    _switch_on(workspace)
    older, newer = _same_email(workspace)

    scan = _scan_in_the_worker(workspace)

    assert scan.status == "done" and scan.progress == 1.0 and scan.auto_merged == 1
    merge = Merge.objects.get(workspace=workspace)
    assert (merge.survivor_id, merge.merged_id, merge.automatic, merge.merged_by_id) == (older.pk, newer.pk, True, None)
    assert DuplicateCandidate.objects.get(workspace=workspace).status == "merged"
    assert Contact.objects.get(pk=newer.pk).merged_into_id == older.pk
    assert Contact.objects.get(pk=older.pk).title == "Countess"  # the survivor had none: taken from the other, as review proposes
    entry = AuditEntry.objects.get(workspace=workspace, action=AuditEntry.Action.MERGE)
    assert entry.actor is None and entry.object_id == str(older.pk)

    merging.undo_merge(actor=owner, merge=merge)
    assert Contact.objects.get(pk=newer.pk).deleted_at is None
    assert DuplicateCandidate.objects.get(workspace=workspace).status == "open"


def test_pairs_alike_only_by_name_address_and_employer_are_never_merged_automatically(workspace: Workspace) -> None:
    _switch_on(workspace, threshold=0.8)
    one, other = _alike_by_name_address_and_employer(workspace)

    scan = _scan_in_the_worker(workspace)

    pair = DuplicateCandidate.objects.get(workspace=workspace, left_id=one.pk, right_id=other.pk)
    assert pair.score >= 0.9, pair.reasons  # likely the same person, and above the threshold
    assert not {"same email", "same phone", "same web domain"} & set(pair.reasons)
    assert pair.status == "open" and scan.auto_merged == 0
    assert not Merge.objects.exists()


def test_nothing_is_merged_while_the_setting_is_off_or_below_its_threshold(workspace: Workspace) -> None:
    _same_email(workspace)
    _scan_in_the_worker(workspace)
    assert not Merge.objects.exists()

    _switch_on(workspace, threshold=1.0)
    pair = DuplicateCandidate.objects.get(workspace=workspace)
    assert pair.score < 1.0
    assert _scan_in_the_worker(workspace).auto_merged == 0
    assert not Merge.objects.exists() and DuplicateCandidate.objects.get(pk=pair.pk).status == "open"


def test_three_records_of_one_person_end_as_one_and_a_dismissed_pair_stays_apart(workspace: Workspace) -> None:
    _switch_on(workspace)
    first = contact_with(workspace, "Grace", "Hopper", emails=("grace@navy.example",), created_at=timezone.now() - LONG_AGO)
    second = contact_with(workspace, "Grace", "Hopper", emails=("grace@navy.example",))
    third = contact_with(workspace, "Grace", "Hopper", emails=("grace@navy.example",))
    alan, alan_again = (contact_with(workspace, "Alan", "Turing", emails=("alan@bletchley.example",)) for _ in range(2))
    dedupe.run_scan(dedupe.scan_create(workspace=workspace).pk)
    DuplicateCandidate.objects.filter(left_id=alan.pk, right_id=alan_again.pk).update(status="dismissed")

    assert _scan_in_the_worker(workspace).auto_merged == 2

    assert set(Contact.objects.filter(workspace=workspace, deleted_at__isnull=True).values_list("pk", flat=True)) == {
        first.pk, alan.pk, alan_again.pk
    }  # fmt: skip
    assert set(Merge.objects.values_list("merged_id", flat=True)) == {second.pk, third.pk}
    assert set(Merge.objects.values_list("survivor_id", flat=True)) == {first.pk}


def test_of_two_records_added_together_the_more_complete_stays(workspace: Workspace) -> None:
    bare = contact_with(workspace, "Ada", "Lovelace", emails=("ada@analytical.example",))
    full = contact_with(workspace, "Ada", "Lovelace", emails=("ada@analytical.example",), title="Countess", source="import")
    assert merging.default_survivor(workspace=workspace, record_type="contact", ids=(bare.pk, full.pk)) == full.pk
    Contact.objects.filter(pk=bare.pk).update(created_at=timezone.now() - LONG_AGO)
    assert merging.default_survivor(workspace=workspace, record_type="contact", ids=(bare.pk, full.pk)) == bare.pk


# --- The setting through the API ----------------------------------------------------------------------------


def test_an_admin_reads_and_changes_the_setting_through_the_api(api: Any, workspace: Workspace) -> None:
    assert api.get("/api/v1/duplicate-settings").json() == {"auto_merge": False, "auto_merge_threshold": 0.95, "updated_at": None}
    response = api.put("/api/v1/duplicate-settings", {"auto_merge": True, "auto_merge_threshold": 0.97})
    assert response.status_code == 200 and response.json()["auto_merge"] is True
    assert DedupeSettings.objects.get(workspace=workspace).auto_merge_threshold == 0.97
    assert AuditEntry.objects.filter(workspace=workspace, object_type="customers.dedupesettings").count() == 1


def test_a_threshold_below_a_likely_duplicate_is_refused_naming_the_field(api: Any, workspace: Workspace) -> None:
    response = api.put("/api/v1/duplicate-settings", {"auto_merge": True, "auto_merge_threshold": 0.5})
    assert response.status_code == 422 and response["Content-Type"] == "application/problem+json"
    assert "auto_merge_threshold" in response.content.decode()
    assert not DedupeSettings.objects.filter(workspace=workspace).exists()


@pytest.mark.parametrize("role", [Role.MANAGER, Role.SALES, Role.VIEWER])
def test_only_owners_and_admins_change_the_setting(api_as: Any, workspace: Workspace, role: str) -> None:
    client = api_as(member(workspace, role, email=f"{role}@acme.test"), workspace)
    assert client.get("/api/v1/duplicate-settings").status_code == 200
    assert client.put("/api/v1/duplicate-settings", {"auto_merge": True, "auto_merge_threshold": 0.95}).status_code == 403
    assert not DedupeSettings.objects.filter(workspace=workspace).exists()


def test_each_workspace_has_its_own_setting(api: Any, api_as: Any, workspace: Workspace, other_workspace: Workspace) -> None:
    api.put("/api/v1/duplicate-settings", {"auto_merge": True, "auto_merge_threshold": 0.97})
    stranger = api_as(member(other_workspace, Role.OWNER, email="owner@globex.test"), other_workspace)
    assert stranger.get("/api/v1/duplicate-settings").json()["auto_merge"] is False
    _same_email(other_workspace)
    assert _scan_in_the_worker(other_workspace).auto_merged == 0
