"""Duplicates in a real browser: review a pair, take a value from the merged record, merge, see the survivor with it; undo."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from amity.activities.models import Note
from amity.core.models import FieldDefinition
from amity.core.permissions import Role
from amity.customers.dedupe import services as dedupe
from amity.customers.models import Contact, DuplicateCandidate
from tests.e2e.conftest import PHONE, screenshot, sign_in
from tests.factories import PASSWORD, WorkspaceFactory, contact_with, member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def ada_twice(transactional_db: object) -> DuplicateCandidate:
    """Ada Lovelace entered twice: the older record without a job title, the newer with one and a note; scanned."""
    workspace = WorkspaceFactory(name="Acme", slug="acme")
    member(workspace, Role.OWNER, email="owner@acme.test", full_name="Olga Owner")
    FieldDefinition.objects.create(workspace=workspace, object_type="contact", key="tier", label="Tier", type="text")
    older = contact_with(
        workspace, "Ada", "Lovelace", emails=("ada@analytical.example",), custom={"tier": "Gold"},
        created_at=timezone.now() - dt.timedelta(days=90),
    )  # fmt: skip
    newer = contact_with(
        workspace, "Ada", "Lovelace", emails=("ada@analytical.example", "countess@lovelace.example"), phones=("+442079460958",),
        title="Countess of Lovelace", custom={"tier": "Platinum"},
    )  # fmt: skip
    Note.objects.create(workspace=workspace, contact=newer, body="<p>Wants the analytical engine manual.</p>")
    contact_with(workspace, "Grace", "Hopper", emails=("grace@navy.example",))
    contact_with(workspace, "Grace", "Hoper", emails=("grace@navy.example",))
    dedupe.run_scan(dedupe.scan_create(workspace=workspace).pk)
    return DuplicateCandidate.objects.get(workspace=workspace, left_id=older.pk, right_id=newer.pk)


def test_review_a_pair_take_a_value_from_the_merged_record_merge_and_undo(open_page, ada_twice: DuplicateCandidate) -> None:
    page = open_page()
    sign_in(page, "owner@acme.test", PASSWORD)
    page.get_by_role("link", name="Duplicates").first.click()
    expect(page.get_by_role("heading", name="Duplicates")).to_be_visible()
    expect(page.locator(f"#pair-{ada_twice.pk}")).to_contain_text("same email")
    screenshot(page, "duplicates-list")

    page.locator(f"#pair-{ada_twice.pk}").get_by_role("link", name="Review").click()
    title_row = page.locator('tr[data-field="title"]')
    expect(title_row).to_have_class("amity-differs")
    expect(title_row.get_by_label("Countess of Lovelace")).to_be_checked()  # the survivor has none: the merged record's is proposed
    tier_row = page.locator('tr[data-field="custom.tier"]')
    expect(tier_row.get_by_label("Gold")).to_be_checked()
    tier_row.get_by_label("Platinum").check()  # take the merged record's value
    expect(page.locator("#merge-moves")).to_contain_text("1 note")
    screenshot(page, "duplicates-review")

    page.get_by_role("button", name="Merge into Ada Lovelace").click()
    page.wait_for_url(f"**/contacts/{ada_twice.left_id}/")
    expect(page.locator(".toast")).to_contain_text("Merged Ada Lovelace into Ada Lovelace")
    expect(page.get_by_text("Countess of Lovelace").first).to_be_visible()
    expect(page.get_by_text("Platinum")).to_be_visible()
    expect(page.get_by_text("Wants the analytical engine manual.")).to_be_visible()  # the merged record's note
    expect(page.get_by_text("Merged Ada Lovelace into this contact")).to_be_visible()
    screenshot(page, "duplicates-merged")
    survivor = Contact.objects.get(pk=ada_twice.left_id)
    assert survivor.title == "Countess of Lovelace" and survivor.custom["tier"] == "Platinum"

    page.locator(".toast").get_by_role("button", name="Undo").click()
    page.wait_for_url(f"**/contacts/{ada_twice.left_id}/")
    expect(page.locator(".toast")).to_contain_text("Merge undone")
    expect(page.get_by_text("Merge of Ada Lovelace undone")).to_be_visible()
    expect(page.get_by_text("Wants the analytical engine manual.")).to_have_count(0)
    assert Contact.objects.get(pk=ada_twice.right_id).deleted_at is None
    assert Contact.objects.get(pk=ada_twice.left_id).custom["tier"] == "Gold"

    page.goto("/w/acme/duplicates/merges/")
    expect(page.locator("#merges-table")).to_contain_text("Undone")
    screenshot(page, "duplicates-merges")


def test_the_duplicates_pages_on_a_phone(open_page, ada_twice: DuplicateCandidate) -> None:
    page = open_page(PHONE, has_touch=True, is_mobile=True)
    sign_in(page, "owner@acme.test", PASSWORD)
    page.goto("/w/acme/duplicates/")
    expect(page.locator(f"#pair-{ada_twice.pk}")).to_be_visible()
    screenshot(page, "duplicates-list")
    page.goto(f"/w/acme/duplicates/{ada_twice.pk}/")
    expect(page.get_by_role("button", name="Merge into Ada Lovelace")).to_be_visible()
    screenshot(page, "duplicates-review")
    page.goto("/w/acme/settings/duplicates/")
    page.get_by_label("Merge exact matches automatically").check()
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".toast")).to_contain_text("Automatic merging is on at 0.95")
    screenshot(page, "duplicates-settings")


@pytest.fixture
def ada_three_times(transactional_db: object) -> list[Contact]:
    """Ada entered three times, joined by two open pairs (the oldest without a title, the others with different ones)."""
    workspace = WorkspaceFactory(name="Acme", slug="acme")
    member(workspace, Role.OWNER, email="owner@acme.test", full_name="Olga Owner")
    records = [
        contact_with(workspace, "Ada", "Lovelace", emails=("ada@analytical.example",), created_at=timezone.now() - dt.timedelta(days=90)),
        contact_with(workspace, "Ada", "Lovelace", emails=("ada@analytical.example", "countess@lovelace.example"), title="Countess"),
        contact_with(
            workspace,
            "Ada",
            "Lovelace King",
            emails=("countess@lovelace.example", "ada@analytical.example"),
            title="Analyst",
            phones=("+442079460958",),
        ),
    ]
    Note.objects.create(workspace=workspace, contact=records[2], body="<p>Asked for the engine manual.</p>")
    for (first, second), score in (((0, 1), 0.97), ((1, 2), 0.86)):
        DuplicateCandidate.objects.create(
            workspace=workspace, record_type="contact", left_id=records[first].pk, right_id=records[second].pk, score=score,
            reasons=["same email", "same name"],
        )  # fmt: skip
    return records


def test_review_and_merge_a_cluster_of_three(open_page, ada_three_times: list[Contact]) -> None:
    ada = ada_three_times[0]
    page = open_page()
    sign_in(page, "owner@acme.test", PASSWORD)
    page.goto("/w/acme/duplicates/")
    page.get_by_role("link", name="Clusters").click()
    cluster = page.locator(f'tr[data-cluster="contact-{ada.pk}"]')
    expect(cluster).to_contain_text("3 contacts · 2 pairs")
    screenshot(page, "duplicates-clusters")

    cluster.get_by_role("link", name="Review").click()
    title_row = page.locator('tr[data-field="title"]')
    expect(title_row.get_by_label("Countess")).to_be_checked()  # the survivor has none: the first record that has one
    title_row.get_by_label("Analyst").check()
    page.locator('tr[data-field="last_name"]').get_by_label("Lovelace King").check()
    expect(page.locator("#cluster-fields")).to_contain_text("1 note")
    screenshot(page, "duplicates-cluster-review")

    page.get_by_role("button", name="Merge 2 into Ada Lovelace").click()
    page.wait_for_url(f"**/contacts/{ada.pk}/")
    expect(page.locator(".toast")).to_contain_text("Merged 2 records into Ada Lovelace King")
    expect(page.get_by_text("Asked for the engine manual.")).to_be_visible()
    screenshot(page, "duplicates-cluster-merged")
    survivor = Contact.objects.get(pk=ada.pk)
    assert (survivor.title, survivor.last_name) == ("Analyst", "Lovelace King")
    assert Contact.objects.filter(workspace=survivor.workspace, deleted_at__isnull=True).count() == 1
    assert not DuplicateCandidate.objects.filter(status="open").exists()

    # The message's Undo takes the whole cluster merge back at once.
    page.locator(".toast").get_by_role("button", name="Undo").click()
    page.wait_for_url(f"**/contacts/{ada.pk}/")
    expect(page.locator(".toast")).to_contain_text("Cluster merge undone")
    expect(page.get_by_text("Asked for the engine manual.")).to_have_count(0)
    screenshot(page, "duplicates-cluster-undone")
    assert Contact.objects.filter(workspace=survivor.workspace, deleted_at__isnull=True).count() == 3
    assert Contact.objects.get(pk=ada.pk).title == ""
    assert DuplicateCandidate.objects.filter(status="open").count() == 2


def test_undo_a_cluster_merge_from_the_merges_page(open_page, ada_three_times: list[Contact]) -> None:
    ada, countess, king = ada_three_times
    page = open_page()
    sign_in(page, "owner@acme.test", PASSWORD)
    page.goto(f"/w/acme/duplicates/clusters/review/?type=contact&ids={ada.pk},{countess.pk},{king.pk}")
    page.get_by_role("button", name="Merge 2 into Ada Lovelace").click()
    page.wait_for_url(f"**/contacts/{ada.pk}/")

    page.goto("/w/acme/duplicates/merges/")
    table = page.locator("#merges-table")
    expect(table).to_contain_text("cluster of 3")
    expect(table).to_contain_text("undo its later merges first, or the whole cluster at once")
    screenshot(page, "duplicates-merges-cluster")
    page.get_by_role("button", name="Undo the whole cluster merge: 2 merges").click()
    page.wait_for_url("**/duplicates/merges/")
    expect(page.locator(".toast")).to_contain_text("Cluster merge undone")
    expect(table.get_by_text("Undone")).to_have_count(2)
    screenshot(page, "duplicates-merges-cluster-undone")
    assert Contact.objects.filter(workspace=ada.workspace, deleted_at__isnull=True).count() == 3


def test_a_stale_field_choice_is_refused_on_its_row(open_page, ada_three_times: list[Contact]) -> None:
    ada, countess, king = ada_three_times
    page = open_page()
    sign_in(page, "owner@acme.test", PASSWORD)
    page.goto(f"/w/acme/duplicates/clusters/review/?type=contact&ids={ada.pk},{countess.pk},{king.pk}")
    # As a form left open while the records changed, or a hand-made one: a choice of a record not in the group.
    page.locator('tr[data-field="title"] input:checked').evaluate("radio => { radio.value = '999999'; }")

    page.get_by_role("button", name="Merge 2 into Ada Lovelace").click()

    expect(page.locator(".toast").first).to_contain_text("Nothing was merged. Job title: Choose one of the group's records")
    expect(page.locator('[data-field-error="title"]')).to_be_visible()
    screenshot(page, "duplicates-cluster-refused")
    assert Contact.objects.filter(workspace=ada.workspace, deleted_at__isnull=True).count() == 3


def test_the_cluster_pages_on_a_phone(open_page, ada_three_times: list[Contact]) -> None:
    ada, countess, king = ada_three_times
    page = open_page(PHONE, has_touch=True, is_mobile=True)
    sign_in(page, "owner@acme.test", PASSWORD)
    page.goto("/w/acme/duplicates/clusters/")
    expect(page.locator(f'tr[data-cluster="contact-{ada.pk}"]')).to_be_visible()
    screenshot(page, "duplicates-clusters")
    page.goto(f"/w/acme/duplicates/clusters/review/?type=contact&ids={ada.pk},{countess.pk},{king.pk}")
    expect(page.get_by_role("button", name="Merge 2 into Ada Lovelace")).to_be_visible()
    screenshot(page, "duplicates-cluster-review")
