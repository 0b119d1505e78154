"""Merging duplicate contacts and accounts: what moves, what stays, the chosen values, undo, permissions, the API and query counts."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from amity.activities.models import Interaction, Note
from amity.core.models import AuditEntry, User, Workspace
from amity.core.permissions import Role
from amity.customers import merging
from amity.customers.models import Account, AccountContact, Contact, DedupeKey, DuplicateCandidate, Merge, Tag
from tests.factories import account_with, contact_with, member


def _pair(workspace: Workspace, external_id: str = "CRM-7") -> tuple[Contact, Contact, Account]:
    acme = account_with(workspace, "Acme")
    keep = contact_with(workspace, "Ada", "Lovelace", emails=("ada@a.example",), accounts=(acme,), custom={"tier": "gold"})
    gone = contact_with(
        workspace, "Ada", "Lovelace", emails=("ada@a.example", "ada@b.example"), phones=("+442079460958",), accounts=(acme,),
        title="Countess", external_id=external_id, custom={"tier": "silver", "shoe": "38"},
    )  # fmt: skip
    return keep, gone, acme


def test_the_merge_knows_every_relation_of_contacts_and_accounts() -> None:
    # Fails when someone adds a foreign key to Contact or Account: add it to merging.RELATIONS (and check it moves right).
    assert merging.unknown_relations("contact") == set()
    assert merging.unknown_relations("account") == set()
    assert {link.label for link in merging.links("contact")} == merging.RELATIONS["contact"]
    assert {link.label for link in merging.links("account")} == merging.RELATIONS["account"]


def test_merging_moves_everything_linked_and_keeps_the_chosen_values(workspace: Workspace, owner: User) -> None:
    keep, gone, acme = _pair(workspace)
    note = Note.objects.create(workspace=workspace, contact=gone, body="<p>hello</p>")
    call = Interaction.objects.create(workspace=workspace, channel="phone")
    call.contacts.add(gone)
    vip = Tag.objects.create(workspace=workspace, name="vip")
    gone.tags.add(vip)

    merge = merging.merge_records(
        actor=owner, workspace=workspace, record_type="contact", survivor_id=keep.pk, merged_id=gone.pk,
        choices={"title": "merged", "custom.tier": "survivor"},
    )  # fmt: skip

    keep.refresh_from_db()
    gone.refresh_from_db()
    assert keep.title == "Countess" and keep.custom == {"tier": "gold", "shoe": "38"}
    assert gone.deleted_at is not None and gone.merged_into_id == keep.pk
    assert Note.objects.get(pk=note.pk).contact_id == keep.pk
    assert list(call.contacts.values_list("pk", flat=True)) == [keep.pk]
    assert list(keep.tags.all()) == [vip]
    # The same address and the same membership were the survivor's already: they stay behind, once each.
    assert sorted(keep.emails.values_list("address", flat=True)) == ["ada@a.example", "ada@b.example"]
    assert AccountContact.objects.filter(account=acme, contact=keep).count() == 1
    assert keep.phones.count() == 1 and keep.primary_phone == "+442079460958"
    assert merge.moved["activities.Note.contact"] == [note.pk]
    assert not DedupeKey.objects.filter(record_type="contact", record_id=gone.pk).exists()
    assert merging.resolve_id(Contact, workspace.pk, gone.pk) == keep.pk
    assert AuditEntry.objects.filter(action=AuditEntry.Action.MERGE, object_id=str(keep.pk)).exists()


def test_undo_restores_the_merged_record_and_moves_back_exactly_what_moved(workspace: Workspace, owner: User) -> None:
    keep, gone, acme = _pair(workspace)
    own_note = Note.objects.create(workspace=workspace, contact=keep, body="<p>mine</p>")
    moved_note = Note.objects.create(workspace=workspace, contact=gone, body="<p>theirs</p>")
    merge = merging.merge_records(
        actor=owner, workspace=workspace, record_type="contact", survivor_id=keep.pk, merged_id=gone.pk, choices={"title": "merged"}
    )

    merging.undo_merge(actor=owner, merge=merge)

    keep.refresh_from_db()
    gone.refresh_from_db()
    assert gone.deleted_at is None and gone.merged_into_id is None
    assert keep.title == "" and keep.custom == {"tier": "gold"}
    assert Note.objects.get(pk=own_note.pk).contact_id == keep.pk
    assert Note.objects.get(pk=moved_note.pk).contact_id == gone.pk
    assert sorted(gone.emails.values_list("address", flat=True)) == ["ada@a.example", "ada@b.example"]
    assert sorted(keep.emails.values_list("address", flat=True)) == ["ada@a.example"]
    assert AccountContact.objects.filter(account=acme).count() == 2
    with pytest.raises(ValidationError, match="undone already"):
        merging.undo_merge(actor=owner, merge=Merge.objects.get(pk=merge.pk))


def test_undo_is_refused_once_the_survivor_was_edited(workspace: Workspace, owner: User) -> None:
    keep, gone, _ = _pair(workspace)
    merge = merging.merge_records(actor=owner, workspace=workspace, record_type="contact", survivor_id=keep.pk, merged_id=gone.pk)
    keep.refresh_from_db()
    keep.title = "Mathematician"
    keep.save()

    with pytest.raises(ValidationError, match="changed after the merge"):
        merging.undo_merge(actor=owner, merge=merge)
    assert Contact.objects.get(pk=gone.pk).deleted_at is not None


def test_bad_choices_name_the_field_and_change_nothing(workspace: Workspace, owner: User) -> None:
    keep, gone, _ = _pair(workspace)
    with pytest.raises(ValidationError) as error:
        merging.merge_records(
            actor=owner, workspace=workspace, record_type="contact", survivor_id=keep.pk, merged_id=gone.pk, choices={"password": "merged"}
        )
    assert "password" in error.value.message_dict
    assert Contact.objects.get(pk=gone.pk).deleted_at is None and not Merge.objects.exists()


def test_a_sales_rep_may_not_merge(workspace: Workspace) -> None:
    keep, gone, _ = _pair(workspace)
    rep = member(workspace, Role.SALES)
    with pytest.raises(PermissionDenied):
        merging.merge_records(actor=rep, workspace=workspace, record_type="contact", survivor_id=keep.pk, merged_id=gone.pk)


def test_merging_accounts_moves_people_and_domains(workspace: Workspace, owner: User) -> None:
    keep = account_with(workspace, "Acme", domains=("acme.example",))
    gone = account_with(workspace, "ACME Inc", domains=("acme.co.example",))
    person = contact_with(workspace, "Grace", "Hopper", accounts=(gone,))
    child = account_with(workspace, "Acme Labs", parent=gone)

    merging.merge_records(actor=owner, workspace=workspace, record_type="account", survivor_id=keep.pk, merged_id=gone.pk)

    assert sorted(keep.domains.values_list("domain", flat=True)) == ["acme.co.example", "acme.example"]
    assert list(person.accounts.all()) == [keep]
    assert Account.objects.get(pk=child.pk).parent_id == keep.pk


def test_merge_queries_do_not_grow_with_the_rows_moved(workspace: Workspace, owner: User, django_assert_max_num_queries: Any) -> None:
    def count(notes: int) -> int:
        keep, gone, _ = _pair(workspace, external_id=f"CRM-{notes}")
        Note.objects.bulk_create([Note(workspace=workspace, contact=gone, body="<p>n</p>") for _ in range(notes)])
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            merging.merge_records(actor=owner, workspace=workspace, record_type="contact", survivor_id=keep.pk, merged_id=gone.pk)
        return len(captured.captured_queries)

    count(1)  # the first merge fills per-process caches (content types, the role of the actor)
    assert count(2) == count(60)
    keep, gone, _ = _pair(workspace, external_id="CRM-last")
    with django_assert_max_num_queries(80):
        merging.merge_records(actor=owner, workspace=workspace, record_type="contact", survivor_id=keep.pk, merged_id=gone.pk)


def test_merge_and_undo_through_the_api(api: Any, workspace: Workspace) -> None:
    keep, gone, _ = _pair(workspace)
    pair = DuplicateCandidate.objects.create(
        workspace=workspace, record_type="contact", left_id=keep.pk, right_id=gone.pk, score=0.97, reasons=["same email"]
    )

    bad = api.post(f"/api/v1/duplicates/{pair.pk}/merge", {"survivor_id": 999999})
    assert bad.status_code == 422 and [e["field"] for e in bad.json()["errors"]] == ["survivor_id"]

    done = api.post(f"/api/v1/duplicates/{pair.pk}/merge", {"survivor_id": keep.pk, "fields": {"title": "merged"}})
    assert done.status_code == 201, done.content
    body = done.json()
    assert body["survivor_id"] == keep.pk and body["merged_id"] == gone.pk and body["undoable"] is True
    assert DuplicateCandidate.objects.get(pk=pair.pk).status == "merged"

    listed = api.get("/api/v1/merges")
    assert [item["id"] for item in listed.json()["items"]] == [body["id"]]
    old = api.get(f"/api/v1/contacts/{gone.pk}")
    assert old.status_code in (301, 308) and old["Location"].endswith(f"/api/v1/contacts/{keep.pk}")

    undone = api.post(f"/api/v1/merges/{body['id']}/undo")
    assert undone.status_code == 200 and undone.json()["undone_at"]
    assert api.post(f"/api/v1/merges/{body['id']}/undo").status_code == 422
    assert Contact.objects.get(pk=gone.pk).deleted_at is None


def test_a_portal_access_moves_unless_the_survivor_has_one(workspace: Workspace, owner: User) -> None:
    from amity.service.portal.models import PortalAccess

    keep, gone, _ = _pair(workspace)
    other = contact_with(workspace, "Ada", "King")
    theirs = PortalAccess.objects.create(workspace=workspace, contact=gone, status="active")
    PortalAccess.objects.create(workspace=workspace, contact=other, status="invited")
    own = PortalAccess.objects.create(workspace=workspace, contact=keep, status="active")

    merging.merge_records(actor=owner, workspace=workspace, record_type="contact", survivor_id=other.pk, merged_id=keep.pk)
    merging.merge_records(actor=owner, workspace=workspace, record_type="contact", survivor_id=gone.pk, merged_id=other.pk)

    assert PortalAccess.objects.get(pk=own.pk).contact_id == keep.pk  # the survivor had one: the merged record keeps its own
    assert PortalAccess.objects.get(pk=theirs.pk).contact_id == gone.pk
    fresh = contact_with(workspace, "Ada", "Byron")
    merging.merge_records(actor=owner, workspace=workspace, record_type="contact", survivor_id=fresh.pk, merged_id=gone.pk)
    assert PortalAccess.objects.get(pk=theirs.pk).contact_id == fresh.pk  # the survivor had none: it takes the merged one's


def test_every_relation_has_a_name_for_people() -> None:
    named = set(merging.RELATION_NAMES)
    assert merging.RELATIONS["contact"] <= named and merging.RELATIONS["account"] <= named


def test_the_preview_shows_the_pair_field_by_field_and_what_would_move_changing_nothing(
    api: Any, workspace: Workspace, owner: User
) -> None:
    keep, gone, _ = _pair(workspace)
    Note.objects.create(workspace=workspace, contact=gone, body="<p>hello</p>")
    pair = DuplicateCandidate.objects.create(
        workspace=workspace, record_type="contact", left_id=keep.pk, right_id=gone.pk, score=0.97, reasons=["same email"]
    )

    body = api.get(f"/api/v1/duplicates/{pair.pk}/preview", {"survivor_id": keep.pk}).json()

    assert (body["survivor_id"], body["merged_id"]) == (keep.pk, gone.pk)
    fields = {row["name"]: row for row in body["fields"]}
    assert fields["title"] == {
        "name": "title", "label": "Job title", "survivor": "", "merged": "Countess", "differs": True, "choosable": True, "proposed": "merged",
    }  # fmt: skip
    assert fields["custom.tier"]["choosable"] and fields["custom.tier"]["proposed"] == "survivor"
    assert not fields["custom.shoe"]["choosable"]  # only the merged record has it: kept without asking
    assert {"what": "notes", "count": 1} in body["moves"]
    assert {"what": "email addresses", "count": 1} in body["moves"]  # ada@b.example; ada@a.example is the survivor's already
    assert body["proposed_fields"]["title"] == "merged"
    assert Note.objects.get().contact_id == gone.pk and not Merge.objects.exists()

    swapped = api.get(f"/api/v1/duplicates/{pair.pk}/preview", {"survivor_id": gone.pk}).json()
    assert (swapped["survivor_id"], swapped["merged_id"]) == (gone.pk, keep.pk)
    assert api.get(f"/api/v1/duplicates/{pair.pk}/preview", {"survivor_id": 999999}).status_code == 422


def test_another_workspaces_pair_has_no_preview(api_as: Any, workspace: Workspace, other_workspace: Workspace) -> None:
    keep, gone, _ = _pair(workspace)
    pair = DuplicateCandidate.objects.create(
        workspace=workspace, record_type="contact", left_id=keep.pk, right_id=gone.pk, score=0.97, reasons=[]
    )
    stranger = api_as(member(other_workspace, Role.OWNER, email="owner@globex.test"), other_workspace)
    assert stranger.get(f"/api/v1/duplicates/{pair.pk}/preview").status_code == 404


def test_what_moved_is_counted_in_words() -> None:
    assert merging.counted("activities.Note.contact", 1) == "1 note"
    assert merging.counted("activities.Note.contact", 3) == "3 notes"
    assert merging.counted("customers.ContactEmail.contact", 1) == "1 email address"
    assert merging.counted("customers.Address.account", 1) == "1 address"
