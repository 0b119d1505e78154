"""A merge carries the merged record's other open pairs to the survivor (undo puts them back); clusters merge as one group."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from amity.core.models import AuditEntry, User, Workspace
from amity.core.permissions import Role
from amity.customers import cluster_merging, merging
from amity.customers.automerge import merge_exact_matches
from amity.customers.dedupe import selectors
from amity.customers.dedupe import services as dedupe
from amity.customers.models import Contact, DedupeSettings, DuplicateCandidate, Merge
from tests.factories import contact_with, member

pytestmark = pytest.mark.django_db
LONG_AGO = timezone.now() - dt.timedelta(days=30)
Status = DuplicateCandidate.Status


def _pair(workspace: Workspace, first: Contact, second: Contact, score: float = 0.9, reasons: list[str] | None = None) -> Any:
    low, high = sorted((first.pk, second.pk))
    return DuplicateCandidate.objects.create(
        workspace=workspace, record_type="contact", left_id=low, right_id=high, score=score, reasons=reasons or ["same email"]
    )


@pytest.fixture
def three(workspace: Workspace) -> list[Contact]:
    return [
        contact_with(workspace, "Ada", "Lovelace", emails=("ada@a.example",), custom={"tier": "gold"}, created_at=LONG_AGO),
        contact_with(workspace, "Ada", "Lovelace", emails=("ada@a.example", "ada@b.example"), title="Countess"),
        contact_with(
            workspace, "Ada", "Lovelace King", emails=("ada@b.example", "ada@a.example"), title="Analyst", custom={"tier": "silver"}
        ),
    ]


def _status(pair: DuplicateCandidate) -> tuple[int, int, str]:
    pair.refresh_from_db()
    return pair.left_id, pair.right_id, pair.status


# --- Open pairs follow the merged record ---------------------------------------------------------------------------


def test_a_merge_repoints_the_merged_records_other_open_pairs_to_the_survivor(
    workspace: Workspace, owner: User, three: list[Contact]
) -> None:
    ada, countess, king = three
    merged_pair = _pair(workspace, ada, countess)
    other = _pair(workspace, countess, king, score=0.85)

    merging.merge_candidate(actor=owner, candidate=merged_pair, survivor_id=ada.pk)

    assert _status(other) == (ada.pk, king.pk, Status.OPEN)
    assert _status(merged_pair)[2] == Status.MERGED


def test_a_pair_the_survivor_has_already_is_closed_not_doubled(workspace: Workspace, owner: User, three: list[Contact]) -> None:
    ada, countess, king = three
    merged_pair = _pair(workspace, ada, countess)
    existing = _pair(workspace, ada, king, score=0.7)
    other = _pair(workspace, countess, king)

    merging.merge_candidate(actor=owner, candidate=merged_pair, survivor_id=ada.pk)

    assert _status(other) == (countess.pk, king.pk, Status.CLOSED)
    assert _status(existing) == (ada.pk, king.pk, Status.OPEN)
    assert DuplicateCandidate.objects.filter(status=Status.OPEN).count() == 1


def test_the_survivor_with_a_larger_id_keeps_pairs_ordered(workspace: Workspace, owner: User, three: list[Contact]) -> None:
    ada, countess, king = three
    merged_pair = _pair(workspace, countess, king)
    other = _pair(workspace, ada, countess)

    merging.merge_candidate(actor=owner, candidate=merged_pair, survivor_id=king.pk)

    assert _status(other) == (ada.pk, king.pk, Status.OPEN)


def test_a_merge_without_a_pair_merges_the_open_pair_of_the_two(workspace: Workspace, owner: User, three: list[Contact]) -> None:
    ada, countess, _ = three
    direct = _pair(workspace, ada, countess)

    merging.merge_records(actor=owner, workspace=workspace, record_type="contact", survivor_id=ada.pk, merged_id=countess.pk)

    assert _status(direct)[2] == Status.MERGED


def test_undo_puts_the_carried_pairs_back_as_they_were(workspace: Workspace, owner: User, three: list[Contact]) -> None:
    ada, countess, king = three
    fourth = contact_with(workspace, "Ada", "Byron", emails=("ada@c.example",))
    merged_pair = _pair(workspace, ada, countess)
    repointed = _pair(workspace, countess, king)
    _pair(workspace, ada, fourth)
    closed = _pair(workspace, countess, fourth)

    merge = merging.merge_candidate(actor=owner, candidate=merged_pair, survivor_id=ada.pk)
    assert _status(closed)[2] == Status.CLOSED and _status(repointed)[:2] == (ada.pk, king.pk)
    merging.undo_merge(actor=owner, merge=merge)

    assert _status(repointed) == (countess.pk, king.pk, Status.OPEN)
    assert _status(closed) == (countess.pk, fourth.pk, Status.OPEN)
    assert _status(merged_pair)[2] == Status.OPEN


def test_undo_leaves_a_carried_pair_someone_decided_since(workspace: Workspace, owner: User, three: list[Contact]) -> None:
    ada, countess, king = three
    merged_pair = _pair(workspace, ada, countess)
    repointed = _pair(workspace, countess, king)
    merge = merging.merge_candidate(actor=owner, candidate=merged_pair, survivor_id=ada.pk)
    dedupe.duplicate_dismiss(actor=owner, candidate=DuplicateCandidate.objects.get(pk=repointed.pk))
    # The dismissal touched no record, so the merge can still be undone; the decision about Ada and King stays.
    merging.undo_merge(actor=owner, merge=merge)

    assert _status(repointed) == (ada.pk, king.pk, Status.DISMISSED)


def test_automatic_merging_follows_a_repointed_pair_through_a_cluster(workspace: Workspace, three: list[Contact]) -> None:
    ada, countess, king = three
    DedupeSettings.objects.create(workspace=workspace, auto_merge=True, auto_merge_threshold=0.9)
    _pair(workspace, ada, countess, score=0.97)
    _pair(workspace, countess, king, score=0.95)
    scan = dedupe.scan_create(workspace=workspace)

    assert merge_exact_matches(scan) == 2

    assert Contact.objects.filter(workspace=workspace, deleted_at__isnull=True).count() == 1
    assert not DuplicateCandidate.objects.filter(status=Status.OPEN).exists()


# --- Clusters -------------------------------------------------------------------------------------------------------


def test_clusters_join_open_pairs_strongest_first(workspace: Workspace, owner: User, three: list[Contact]) -> None:
    ada, countess, king = three
    first, second = _pair(workspace, ada, countess, 0.95), _pair(workspace, countess, king, 0.8)
    lone = [contact_with(workspace, "Bob", "Jones", emails=("bob@x.example",)) for _ in range(2)]
    solo = _pair(workspace, *lone, score=0.99)

    clusters = selectors.cluster_list(actor=owner, workspace=workspace, record_type="contact")

    assert [(c.ids, c.pair_ids) for c in clusters] == [
        (tuple(sorted(c.pk for c in lone)), (solo.pk,)),
        ((ada.pk, countess.pk, king.pk), (first.pk, second.pk)),
    ]
    assert clusters[1].score == 0.8


def test_the_cluster_list_takes_the_same_queries_for_few_and_many(
    workspace: Workspace, owner: User, django_assert_max_num_queries: Any
) -> None:
    def clusters(count: int) -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        for n in range(count):
            a, b, c = (contact_with(workspace, f"P{n}", "Same", emails=(f"p{n}@x.example",)) for _ in range(3))
            _pair(workspace, a, b)
            _pair(workspace, b, c)
        with CaptureQueriesContext(connection) as captured:
            selectors.cluster_list(actor=owner, workspace=workspace)
        return len(captured.captured_queries)

    selectors.cluster_list(actor=owner, workspace=workspace)  # fills per-process caches (the actor's role)
    assert clusters(1) == clusters(11)


def test_merging_a_cluster_takes_each_fields_value_from_the_record_chosen(workspace: Workspace, owner: User, three: list[Contact]) -> None:
    ada, countess, king = three
    _pair(workspace, ada, countess)
    _pair(workspace, countess, king)

    merges = cluster_merging.merge_cluster(
        actor=owner,
        workspace=workspace,
        record_type="contact",
        survivor_id=ada.pk,
        merged_ids=[countess.pk, king.pk],
        choices={"title": countess.pk, "last_name": king.pk, "custom.tier": king.pk},
    )

    ada.refresh_from_db()
    assert (ada.title, ada.last_name, ada.custom["tier"]) == ("Countess", "Lovelace King", "silver")
    assert [m.merged_id for m in merges] == [countess.pk, king.pk]
    assert set(ada.emails.values_list("address", flat=True)) == {"ada@a.example", "ada@b.example"}
    assert Contact.objects.filter(workspace=workspace, deleted_at__isnull=True).count() == 1
    assert not DuplicateCandidate.objects.filter(status=Status.OPEN).exists()
    assert all(m.candidate_id for m in merges)  # each step took the pair of the two, repointed if need be
    assert AuditEntry.objects.filter(action=AuditEntry.Action.MERGE).count() == 2
    # Undoable as any merge, the latest first.
    assert merging.why_not_undoable(merges[0]) is not None
    merging.undo_merge(actor=owner, merge=merges[1])
    merging.undo_merge(actor=owner, merge=Merge.objects.get(pk=merges[0].pk))
    assert Contact.objects.filter(workspace=workspace, deleted_at__isnull=True).count() == 3


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"merged_ids": []}, "merged_ids"),
        ({"choices": {"title": 999999}}, "title"),
        ({"choices": {"shoe_size": 1}}, "shoe_size"),
        ({"choices": {"title": "Countess"}}, "title"),
        ({"choices": {"custom.shoe_size": 1}}, "custom.shoe_size"),
        ({"choices": {"custom.tier": "countess"}}, "custom.tier"),
        ({"record_type": "lead"}, "record_type"),
    ],
)
def test_bad_cluster_merges_name_the_field_and_change_nothing(
    workspace: Workspace, owner: User, three: list[Contact], change: dict[str, Any], field: str
) -> None:
    ada, countess, king = three
    _pair(workspace, ada, countess)
    _pair(workspace, countess, king)
    arguments: dict[str, Any] = {"record_type": "contact", "survivor_id": ada.pk, "merged_ids": [countess.pk, king.pk], "choices": {}}

    with pytest.raises(ValidationError) as refused:
        cluster_merging.merge_cluster(actor=owner, workspace=workspace, **(arguments | change))

    assert field in refused.value.message_dict
    assert Contact.objects.filter(workspace=workspace, deleted_at__isnull=True).count() == 3 and not Merge.objects.exists()


def test_a_record_not_joined_by_an_open_pair_is_refused(workspace: Workspace, owner: User, three: list[Contact]) -> None:
    ada, countess, king = three
    _pair(workspace, ada, countess)

    with pytest.raises(ValidationError) as refused:
        cluster_merging.merge_cluster(
            actor=owner, workspace=workspace, record_type="contact", survivor_id=ada.pk, merged_ids=[countess.pk, king.pk]
        )

    assert str(king.pk) in refused.value.message_dict["merged_ids"][0]
    assert not Merge.objects.exists()


def test_a_sales_rep_may_not_merge_a_cluster(workspace: Workspace, three: list[Contact]) -> None:
    ada, countess, _ = three
    _pair(workspace, ada, countess)
    rep = member(workspace, Role.SALES, email="rep@acme.test")

    with pytest.raises(PermissionDenied):
        cluster_merging.merge_cluster(actor=rep, workspace=workspace, record_type="contact", survivor_id=ada.pk, merged_ids=[countess.pk])
    assert not Merge.objects.exists()


# --- The API --------------------------------------------------------------------------------------------------------


def test_clusters_through_the_api_list_preview_and_merge(api: Any, workspace: Workspace, three: list[Contact]) -> None:
    ada, countess, king = three
    _pair(workspace, ada, countess)
    _pair(workspace, countess, king)

    listed = api.get("/api/v1/duplicates/clusters?record_type=contact")
    assert listed.status_code == 200, listed.content
    [cluster] = listed.json()["items"]
    assert [r["id"] for r in cluster["records"]] == [ada.pk, countess.pk, king.pk] and len(cluster["pair_ids"]) == 2

    preview = api.post("/api/v1/duplicates/clusters/preview", {"record_type": "contact", "ids": [ada.pk, countess.pk, king.pk]})
    assert preview.status_code == 200, preview.content
    body = preview.json()
    assert body["survivor_id"] == ada.pk and body["merged_ids"] == [countess.pk, king.pk]
    assert body["proposed_fields"]["title"] == countess.pk  # the survivor has none: the first that has one

    bad = api.post("/api/v1/duplicates/clusters/merge", {"record_type": "contact", "survivor_id": ada.pk, "merged_ids": [ada.pk]})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "merged_ids"

    done = api.post(
        "/api/v1/duplicates/clusters/merge",
        {"record_type": "contact", "survivor_id": ada.pk, "merged_ids": [countess.pk, king.pk], "fields": body["proposed_fields"]},
    )
    assert done.status_code == 201, done.content
    assert [m["merged_id"] for m in done.json()["merges"]] == [countess.pk, king.pk]
    assert api.get("/api/v1/duplicates/clusters").json()["items"] == []


def test_another_workspaces_cluster_is_a_404(api_as: Any, workspace: Workspace, other_workspace: Workspace, three: list[Contact]) -> None:
    ada, countess, _ = three
    _pair(workspace, ada, countess)
    stranger = api_as(member(other_workspace, Role.OWNER, email="owner@globex.test"), other_workspace)

    preview = stranger.post("/api/v1/duplicates/clusters/preview", {"record_type": "contact", "ids": [ada.pk, countess.pk]})
    assert preview.status_code == 404
    merge = stranger.post(
        "/api/v1/duplicates/clusters/merge", {"record_type": "contact", "survivor_id": ada.pk, "merged_ids": [countess.pk]}
    )
    assert merge.status_code == 404
    assert stranger.get("/api/v1/duplicates/clusters").json()["items"] == []
    assert not Merge.objects.exists() and Contact.objects.filter(workspace=workspace, deleted_at__isnull=True).count() == 3


def test_a_custom_field_is_taken_only_from_a_record_that_has_it(workspace: Workspace, owner: User, three: list[Contact]) -> None:
    ada, countess, king = three
    _pair(workspace, ada, countess)
    _pair(workspace, countess, king)

    with pytest.raises(ValidationError) as refused:
        cluster_merging.merge_cluster(
            actor=owner,
            workspace=workspace,
            record_type="contact",
            survivor_id=ada.pk,
            merged_ids=[countess.pk, king.pk],
            choices={"custom.tier": countess.pk},  # the countess has no tier: Ada's or King's
        )

    assert refused.value.message_dict["custom.tier"] == [
        f"Record {countess.pk} has no value of tier to give: choose one of {ada.pk}, {king.pk}."
    ]
    assert not Merge.objects.exists()


def test_a_form_posts_record_ids_as_digits(workspace: Workspace, owner: User, three: list[Contact]) -> None:
    ada, countess, king = three
    _pair(workspace, ada, countess)
    _pair(workspace, countess, king)

    cluster_merging.merge_cluster(
        actor=owner, workspace=workspace, record_type="contact", survivor_id=ada.pk, merged_ids=[countess.pk, king.pk],
        choices={"title": str(king.pk)},
    )  # fmt: skip

    ada.refresh_from_db()
    assert ada.title == "Analyst"


@pytest.mark.parametrize(("fields", "named"), [({"title": 999999}, "title"), ({"custom.nope": 0}, "custom.nope")])
def test_the_api_refuses_a_bad_field_choice_naming_it(
    api: Any, workspace: Workspace, three: list[Contact], fields: dict[str, int], named: str
) -> None:
    ada, countess, king = three
    _pair(workspace, ada, countess)
    _pair(workspace, countess, king)
    fields = {name: (ada.pk if value == 0 else value) for name, value in fields.items()}

    answer = api.post(
        "/api/v1/duplicates/clusters/merge",
        {"record_type": "contact", "survivor_id": ada.pk, "merged_ids": [countess.pk, king.pk], "fields": fields},
    )

    assert answer.status_code == 422, answer.content
    assert [error["field"] for error in answer.json()["errors"]] == [named]
    assert not Merge.objects.exists() and Contact.objects.filter(workspace=workspace, deleted_at__isnull=True).count() == 3


# --- Undoing a whole cluster merge ------------------------------------------------------------------------------------


def _merged_cluster(workspace: Workspace, owner: User, three: list[Contact]) -> list[Merge]:
    ada, countess, king = three
    _pair(workspace, ada, countess)
    _pair(workspace, countess, king)
    return cluster_merging.merge_cluster(
        actor=owner,
        workspace=workspace,
        record_type="contact",
        survivor_id=ada.pk,
        merged_ids=[countess.pk, king.pk],
        choices={"title": countess.pk, "custom.tier": king.pk},
    )


def test_a_cluster_merge_is_undone_in_one_step(workspace: Workspace, owner: User, three: list[Contact]) -> None:
    ada, _, _ = three
    merges = _merged_cluster(workspace, owner, three)
    assert merges[0].group is not None and {m.group for m in merges} == {merges[0].group}
    restores = AuditEntry.objects.filter(action=AuditEntry.Action.RESTORE).count()

    undone = cluster_merging.undo_cluster(actor=owner, merge=merges[0])  # any of its merges names the cluster merge

    assert [m.pk for m in undone] == [merges[1].pk, merges[0].pk]  # the latest first
    assert Contact.objects.filter(workspace=workspace, deleted_at__isnull=True).count() == 3
    assert not Merge.objects.filter(undone_at__isnull=True).exists()
    ada.refresh_from_db()
    assert (ada.title, ada.custom["tier"]) == ("", "gold")
    assert set(ada.emails.values_list("address", flat=True)) == {"ada@a.example"}
    assert DuplicateCandidate.objects.filter(status=Status.OPEN).count() == 2
    assert AuditEntry.objects.filter(action=AuditEntry.Action.RESTORE).count() == restores + 2
    with pytest.raises(ValidationError) as again:
        cluster_merging.undo_cluster(actor=owner, merge=merges[1])
    assert again.value.message_dict["merge"] == ["This cluster merge was undone already."]


def test_undoing_a_cluster_merge_is_all_or_nothing(workspace: Workspace, owner: User, three: list[Contact]) -> None:
    ada, countess, king = three
    merges = _merged_cluster(workspace, owner, three)
    # The first merged record was purged from the bin since: the latest merge could be undone, the first no longer.
    Contact.objects.filter(pk=countess.pk).update(merged_into_id=None)
    audited = AuditEntry.objects.count()

    with pytest.raises(ValidationError) as refused:
        cluster_merging.undo_cluster(actor=owner, merge=merges[1])

    assert refused.value.message_dict["merge"] == [
        f"The merge of {merges[0].merged_name} (#{countess.pk}) cannot be undone, so none was: "
        "The merged record no longer exists (it was purged from the bin)."
    ]
    assert not Merge.objects.filter(undone_at__isnull=False).exists()
    assert Contact.objects.get(pk=king.pk).merged_into_id == ada.pk
    assert Contact.objects.filter(workspace=workspace, deleted_at__isnull=True).count() == 1
    assert AuditEntry.objects.count() == audited


def test_the_rest_of_a_cluster_merge_is_undone_after_a_step_was_undone_alone(
    workspace: Workspace, owner: User, three: list[Contact]
) -> None:
    merges = _merged_cluster(workspace, owner, three)
    merging.undo_merge(actor=owner, merge=merges[1])

    undone = cluster_merging.undo_cluster(actor=owner, merge=Merge.objects.get(pk=merges[1].pk))

    assert [m.pk for m in undone] == [merges[0].pk]
    assert Contact.objects.filter(workspace=workspace, deleted_at__isnull=True).count() == 3


def test_a_pair_merge_is_not_a_cluster_merge(workspace: Workspace, owner: User, three: list[Contact]) -> None:
    ada, countess, _ = three
    merge = merging.merge_candidate(actor=owner, candidate=_pair(workspace, ada, countess), survivor_id=ada.pk)

    with pytest.raises(ValidationError) as refused:
        cluster_merging.undo_cluster(actor=owner, merge=merge)

    assert "not one of a cluster merge" in refused.value.message_dict["merge"][0]
    assert Merge.objects.get().undone_at is None


def test_a_cluster_merge_is_undone_through_the_api(api: Any, workspace: Workspace, owner: User, three: list[Contact]) -> None:
    merges = _merged_cluster(workspace, owner, three)
    listed = api.get("/api/v1/merges").json()["items"]
    assert {item["group"] for item in listed} == {str(merges[0].group)}

    answer = api.post(f"/api/v1/merges/{merges[0].pk}/undo-cluster")

    assert answer.status_code == 200, answer.content
    assert [m["id"] for m in answer.json()["merges"]] == [merges[1].pk, merges[0].pk]
    assert all(m["undone_at"] for m in answer.json()["merges"])
    again = api.post(f"/api/v1/merges/{merges[0].pk}/undo-cluster")
    assert again.status_code == 422 and again.json()["errors"][0]["field"] == "merge"


def test_a_refused_cluster_undo_through_the_api_says_why_and_changes_nothing(
    api: Any, workspace: Workspace, owner: User, three: list[Contact]
) -> None:
    ada, _, _ = three
    merges = _merged_cluster(workspace, owner, three)
    api.patch(f"/api/v1/contacts/{ada.pk}", {"title": "Changed since"})

    answer = api.post(f"/api/v1/merges/{merges[1].pk}/undo-cluster")

    assert answer.status_code == 422
    assert "was changed after the merge" in answer.json()["errors"][0]["message"]
    assert not Merge.objects.filter(undone_at__isnull=False).exists()


def test_another_workspaces_cluster_merge_cannot_be_undone(
    api_as: Any, workspace: Workspace, other_workspace: Workspace, owner: User, three: list[Contact]
) -> None:
    merges = _merged_cluster(workspace, owner, three)
    stranger = api_as(member(other_workspace, Role.OWNER, email="owner@globex.test"), other_workspace)
    audited = AuditEntry.objects.count()

    assert stranger.post(f"/api/v1/merges/{merges[0].pk}/undo-cluster").status_code == 404

    assert not Merge.objects.filter(undone_at__isnull=False).exists() and AuditEntry.objects.count() == audited
