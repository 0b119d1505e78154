"""The clusters pages: open pairs joined into groups, a group side by side with a survivor and values chosen across all, one merge."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from amity.core.models import AuditEntry, User, Workspace
from amity.core.permissions import Role
from amity.customers.models import Contact, DuplicateCandidate, Merge
from tests.factories import contact_with, member

pytestmark = pytest.mark.django_db


def _pair(workspace: Workspace, first: Contact, second: Contact, score: float = 0.9) -> DuplicateCandidate:
    low, high = sorted((first.pk, second.pk))
    return DuplicateCandidate.objects.create(
        workspace=workspace, record_type="contact", left_id=low, right_id=high, score=score, reasons=["same email"]
    )


def _cluster(workspace: Workspace, tag: str = "") -> list[Contact]:
    records = [
        contact_with(workspace, "Ada", "Lovelace", emails=(f"ada{tag}@a.example",), created_at=timezone.now() - dt.timedelta(days=30)),
        contact_with(workspace, "Ada", "Lovelace", emails=(f"ada{tag}@a.example",), title="Countess"),
        contact_with(workspace, "Ada", "Lovelace King", emails=(f"ada{tag}@a.example",), title="Analyst"),
    ]
    _pair(workspace, records[0], records[1], 0.97)
    _pair(workspace, records[1], records[2], 0.85)
    return records


def _review_url(records: list[Contact], **extra: Any) -> str:
    query = "".join(f"{key}={value}&" for key, value in extra.items())
    return f"/w/acme/duplicates/clusters/review/?type=contact&{query}ids={','.join(str(r.pk) for r in records)}"


def test_the_clusters_page_shows_each_group_with_its_records(
    client_as: Callable[[User], Client], owner: User, workspace: Workspace
) -> None:
    ada, countess, king = _cluster(workspace)

    html = client_as(owner).get("/w/acme/duplicates/clusters/").content.decode()

    assert f'data-cluster="contact-{ada.pk}"' in html and "3 contacts · 2 pairs" in html
    assert _review_url([ada, countess, king]).replace("&", "&amp;") in html
    assert 'id="clusters-link"' in client_as(owner).get("/w/acme/duplicates/").content.decode()


def test_the_clusters_page_takes_the_same_queries_for_few_and_many(
    client_as: Callable[[User], Client], owner: User, workspace: Workspace, queries_of: Callable[[Client, str], int]
) -> None:
    client = client_as(owner)
    _cluster(workspace, "0")
    client.get("/w/acme/duplicates/clusters/")
    few = queries_of(client, "/w/acme/duplicates/clusters/")
    for n in range(1, 10):
        _cluster(workspace, str(n))

    assert queries_of(client, "/w/acme/duplicates/clusters/") == few


def test_the_review_shows_every_record_side_by_side_and_merges_with_the_values_chosen(
    client_as: Callable[[User], Client], owner: User, workspace: Workspace
) -> None:
    ada, countess, king = _cluster(workspace)
    client = client_as(owner)

    page = client.get(_review_url([ada, countess, king])).content.decode()
    assert all(f'data-record="{r.pk}"' in page for r in (ada, countess, king))
    assert f'name="field.title" value="{countess.pk}" checked' in page  # Ada has none: the first that has one
    assert f'name="field.last_name" value="{king.pk}"' in page

    response = client.post(
        "/w/acme/duplicates/clusters/review/",
        {"type": "contact", "ids": f"{ada.pk},{countess.pk},{king.pk}", "survivor_id": ada.pk, "field.title": king.pk},
    )

    assert response.status_code == 302 and response["Location"] == f"/w/acme/contacts/{ada.pk}/"
    ada.refresh_from_db()
    assert (ada.title, ada.last_name) == ("Analyst", "Lovelace")
    assert Contact.objects.filter(workspace=workspace, deleted_at__isnull=True).count() == 1
    assert Merge.objects.filter(survivor_id=ada.pk).count() == 2
    assert AuditEntry.objects.filter(action=AuditEntry.Action.MERGE).count() == 2


def test_keep_this_one_instead_makes_another_record_the_survivor(
    client_as: Callable[[User], Client], owner: User, workspace: Workspace
) -> None:
    ada, countess, king = _cluster(workspace)

    page = client_as(owner).get(_review_url([ada, countess, king], survivor=king.pk)).content.decode()

    first_column = page.split("data-record=")[1]
    assert first_column.startswith(f'"{king.pk}"') and "Stays" in first_column


def test_a_rep_sees_the_cluster_but_may_not_merge_it(client_as: Callable[[User], Client], workspace: Workspace) -> None:
    ada, countess, king = _cluster(workspace)
    rep = client_as(member(workspace, Role.SALES, email="rep@acme.test"))

    page = rep.get(_review_url([ada, countess, king])).content.decode()
    assert 'id="cluster-merge-button"' not in page
    response = rep.post("/w/acme/duplicates/clusters/review/", {"type": "contact", "ids": f"{ada.pk},{countess.pk},{king.pk}"})

    assert response.status_code == 403
    assert Contact.objects.filter(workspace=workspace, deleted_at__isnull=True).count() == 3 and not Merge.objects.exists()


def test_another_workspaces_cluster_is_a_404(client_as: Callable[[User], Client], workspace: Workspace, other_workspace: Workspace) -> None:
    ada, countess, king = _cluster(workspace)
    stranger = client_as(member(other_workspace, Role.OWNER, email="owner@globex.test"))
    slug = other_workspace.slug

    assert stranger.get(f"/w/{slug}/duplicates/clusters/review/?type=contact&ids={ada.pk},{countess.pk}").status_code == 404
    response = stranger.post(f"/w/{slug}/duplicates/clusters/review/", {"type": "contact", "ids": f"{ada.pk},{countess.pk},{king.pk}"})
    assert response.status_code == 404
    assert f"contact-{ada.pk}" not in stranger.get(f"/w/{slug}/duplicates/clusters/").content.decode()
    assert Contact.objects.filter(workspace=workspace, deleted_at__isnull=True).count() == 3 and not Merge.objects.exists()


def test_a_merged_records_other_pair_shows_as_repointed_in_the_list(
    client_as: Callable[[User], Client], owner: User, workspace: Workspace
) -> None:
    ada, countess, king = _cluster(workspace)
    first = DuplicateCandidate.objects.get(left_id=min(ada.pk, countess.pk), right_id=max(ada.pk, countess.pk))
    client = client_as(owner)

    client.post(f"/w/acme/duplicates/{first.pk}/", {"survivor_id": ada.pk})

    html = client.get("/w/acme/duplicates/").content.decode()
    other = DuplicateCandidate.objects.get(status="open")
    assert (other.left_id, other.right_id) == (ada.pk, king.pk)
    assert f'id="pair-{other.pk}"' in html and "text-decoration-line-through" not in html


@pytest.mark.parametrize(
    ("posted", "named"),
    [
        ({"field.title": "999999"}, "Job title"),  # a record outside the group
        ({"field.title": "the countess"}, "Job title"),  # not a record id at all
        ({"field.shoe_size": "1"}, "shoe_size"),  # no such field
        ({"field.custom.tier": "1"}, "custom.tier"),  # a custom field no record of the group has
    ],
)
def test_a_bad_choice_is_refused_naming_the_field_and_nothing_is_merged(
    client_as: Callable[[User], Client], owner: User, workspace: Workspace, posted: dict[str, str], named: str
) -> None:
    ada, countess, king = _cluster(workspace)
    audited = AuditEntry.objects.count()

    response = client_as(owner).post(
        "/w/acme/duplicates/clusters/review/",
        {"type": "contact", "ids": f"{ada.pk},{countess.pk},{king.pk}", "survivor_id": ada.pk, **posted},
    )

    assert response.status_code == 422
    page = response.content.decode()
    assert "Nothing was merged." in page and f"{named}:" in page
    assert Contact.objects.filter(workspace=workspace, deleted_at__isnull=True).count() == 3
    assert not Merge.objects.exists() and AuditEntry.objects.count() == audited
    ada.refresh_from_db()
    assert ada.title == ""


def test_a_bad_choice_is_marked_on_its_row_and_the_valid_choices_stay_ticked(
    client_as: Callable[[User], Client], owner: User, workspace: Workspace
) -> None:
    ada, countess, king = _cluster(workspace)

    response = client_as(owner).post(
        "/w/acme/duplicates/clusters/review/",
        {"type": "contact", "ids": f"{ada.pk},{countess.pk},{king.pk}", "field.title": "999999", "field.last_name": str(king.pk)},
    )

    page = response.content.decode()
    assert 'data-field-error="title"' in page and "Choose one of the group&#x27;s records" in page
    assert f'name="field.last_name" value="{king.pk}" checked' in page
    assert f'name="field.title" value="{countess.pk}" checked' in page  # drawn again with the proposal


def test_a_bad_side_in_a_pair_review_is_refused_naming_the_field(
    client_as: Callable[[User], Client], owner: User, workspace: Workspace
) -> None:
    ada, countess, _ = _cluster(workspace)
    pair = DuplicateCandidate.objects.get(left_id=min(ada.pk, countess.pk), right_id=max(ada.pk, countess.pk))

    for posted, named in (({"field.title": "both"}, "Job title"), ({"field.shoe_size": "merged"}, "shoe_size")):
        response = client_as(owner).post(f"/w/acme/duplicates/{pair.pk}/", {"survivor_id": ada.pk, **posted})

        assert response.status_code == 422
        assert f"{named}:" in response.content.decode()
    assert not Merge.objects.exists() and Contact.objects.filter(workspace=workspace, deleted_at__isnull=True).count() == 3


# --- Undoing a whole cluster merge ------------------------------------------------------------------------------------


def _merge_cluster(client: Client, records: list[Contact]) -> Any:
    ids = ",".join(str(r.pk) for r in records)
    return client.post("/w/acme/duplicates/clusters/review/", {"type": "contact", "ids": ids, "survivor_id": records[0].pk})


def test_the_message_after_a_cluster_merge_undoes_the_whole_merge(
    client_as: Callable[[User], Client], owner: User, workspace: Workspace
) -> None:
    ada, countess, king = _cluster(workspace)
    client = client_as(owner)
    response = _merge_cluster(client, [ada, countess, king])
    latest = Merge.objects.latest("pk")
    page = client.get(response["Location"]).content.decode()
    assert f'action="/w/acme/duplicates/merges/{latest.pk}/undo-cluster/?next=' in page and "data-message-action" in page

    undone = client.post(f"/w/acme/duplicates/merges/{latest.pk}/undo-cluster/?next=/w/acme/contacts/{ada.pk}/")

    assert undone.status_code == 302 and undone["Location"] == f"/w/acme/contacts/{ada.pk}/"
    assert Contact.objects.filter(workspace=workspace, deleted_at__isnull=True).count() == 3
    assert not Merge.objects.filter(undone_at__isnull=True).exists()
    assert "Cluster merge undone" in client.get(undone["Location"]).content.decode()


def test_the_merges_page_offers_the_whole_cluster_on_its_latest_merge(
    client_as: Callable[[User], Client], owner: User, workspace: Workspace
) -> None:
    ada, countess, king = _cluster(workspace)
    client = client_as(owner)
    _merge_cluster(client, [ada, countess, king])
    first, latest = Merge.objects.order_by("pk")

    html = client.get("/w/acme/duplicates/merges/").content.decode()

    assert f'data-undo-cluster="{latest.pk}"' in html and "Undo all 2" in html and "cluster of 3" in html
    assert f'data-undo-cluster="{first.pk}"' not in html
    assert f'action="/w/acme/duplicates/merges/{first.pk}/undo/"' not in html
    assert "undo its later merges first, or the whole cluster at once" in html
    assert f'action="/w/acme/duplicates/merges/{latest.pk}/undo/"' in html  # the latest alone, too


def test_a_refused_cluster_undo_says_why_and_changes_nothing(
    client_as: Callable[[User], Client], owner: User, workspace: Workspace
) -> None:
    ada, countess, king = _cluster(workspace)
    client = client_as(owner)
    _merge_cluster(client, [ada, countess, king])
    latest = Merge.objects.latest("pk")
    Contact.objects.filter(pk=ada.pk).update(title="Changed since", updated_at=timezone.now())

    html = client.get("/w/acme/duplicates/merges/").content.decode()
    assert f'data-undo-cluster="{latest.pk}"' not in html
    response = client.post(f"/w/acme/duplicates/merges/{latest.pk}/undo-cluster/", follow=True)

    assert "This cluster merge cannot be undone" in response.content.decode()
    assert "was changed after the merge" in response.content.decode()
    assert not Merge.objects.filter(undone_at__isnull=False).exists()


def test_the_merges_page_costs_the_same_queries_for_one_cluster_merge_and_many(
    client_as: Callable[[User], Client], owner: User, workspace: Workspace, queries_of: Callable[[Client, str], int]
) -> None:
    client = client_as(owner)
    _merge_cluster(client, _cluster(workspace, "0"))
    client.get("/w/acme/duplicates/merges/")
    few = queries_of(client, "/w/acme/duplicates/merges/")
    for n in range(1, 6):
        _merge_cluster(client, _cluster(workspace, str(n)))

    assert queries_of(client, "/w/acme/duplicates/merges/") == few


def test_another_workspaces_cluster_merge_is_a_404(
    client_as: Callable[[User], Client], owner: User, workspace: Workspace, other_workspace: Workspace
) -> None:
    ada, countess, king = _cluster(workspace)
    _merge_cluster(client_as(owner), [ada, countess, king])
    latest = Merge.objects.latest("pk")
    stranger = client_as(member(other_workspace, Role.OWNER, email="owner@globex.test"))

    assert stranger.post(f"/w/globex/duplicates/merges/{latest.pk}/undo-cluster/").status_code == 404
    assert not Merge.objects.filter(undone_at__isnull=False).exists()
