"""Merges on the survivor's timeline: "merged X into this" and, once undone, "merge undone"; in the API's timeline too."""

from __future__ import annotations

from typing import Any

from amity.activities import timeline
from amity.activities.models import Note
from amity.core.models import User, Workspace
from amity.customers import merging
from tests.factories import contact_with


def _kinds_and_titles(workspace: Workspace, actor: User, contact_id: int) -> list[tuple[str, str]]:
    page = timeline.timeline_page(workspace=workspace, actor=actor, contact_ids=[contact_id])
    return [(item.kind, item.title) for item in page.items]


def test_a_merge_and_its_undo_are_on_the_survivors_timeline_once_each(workspace: Workspace, owner: User) -> None:
    keep = contact_with(workspace, "Ada", "Lovelace", emails=("ada@a.example",))
    gone = contact_with(workspace, "Ada", "Lovelace", emails=("ada@b.example",))
    Note.objects.create(workspace=workspace, contact=gone, body="<p>theirs</p>")
    merge = merging.merge_records(actor=owner, workspace=workspace, record_type="contact", survivor_id=keep.pk, merged_id=gone.pk)

    entries = _kinds_and_titles(workspace, owner, keep.pk)
    assert ("merge", "Merged Ada Lovelace into this contact") in entries
    assert not [title for kind, title in entries if kind == "change" and title.startswith("Merged")]  # not twice
    [item] = [
        item for item in timeline.timeline_page(workspace=workspace, actor=owner, contact_ids=[keep.pk]).items if item.kind == "merge"
    ]
    assert item.summary == "Moved here: 1 note, 1 email address." and item.actor_name == owner.display_name

    merging.undo_merge(actor=owner, merge=merge)
    entries = _kinds_and_titles(workspace, owner, keep.pk)
    assert entries[0] == ("merge_undone", "Merge of Ada Lovelace undone")
    assert ("merge", "Merged Ada Lovelace into this contact") in entries


def test_an_automatic_merge_says_so_and_the_api_timeline_has_it(api: Any, workspace: Workspace) -> None:
    keep = contact_with(workspace, "Grace", "Hopper")
    gone = contact_with(workspace, "Grace", "Hopper")
    merging.merge_records(actor=None, workspace=workspace, record_type="contact", survivor_id=keep.pk, merged_id=gone.pk, automatic=True)

    items = api.get(f"/api/v1/contacts/{keep.pk}/timeline", {"kind": "merge"}).json()["items"]
    assert [(item["kind"], item["title"], item["actor_name"]) for item in items] == [
        ("merge", "Merged Grace Hopper into this contact", "automatically")
    ]


def test_another_contacts_merge_is_not_on_this_timeline(workspace: Workspace, owner: User) -> None:
    keep, gone, bystander = (contact_with(workspace, "Alan", "Turing") for _ in range(3))
    merging.merge_records(actor=owner, workspace=workspace, record_type="contact", survivor_id=keep.pk, merged_id=gone.pk)
    assert [kind for kind, _ in _kinds_and_titles(workspace, owner, bystander.pk) if kind.startswith("merge")] == []
