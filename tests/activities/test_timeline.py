"""The 360° timeline: order, what an account gathers, filters, cursor pages, constant queries, speed, the extension point."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from amity.activities import services, timeline
from amity.activities.models import Interaction, Note, Task
from amity.core import audit
from amity.core.models import AuditEntry
from tests.factories import ContactFactory, contact_at


def _walk(client, path, **params):
    """Every item of a timeline, page by page, and the number of pages."""
    items, cursor, pages = [], None, 0
    while True:
        response = client.get(path, {**params, **({"cursor": cursor} if cursor else {})})
        assert response.status_code == 200, response.content
        body = response.json()
        items += body["items"]
        pages += 1
        cursor = body["next_cursor"]
        if not cursor:
            return items, pages


def _history(rep, workspace, contact, count, start=None):
    """`count` entries of each kind on the contact, one minute apart, newest last."""
    start = start or timezone.now() - timedelta(days=30)
    for n in range(count):
        at = start + timedelta(minutes=n)
        Interaction.objects.create(
            workspace=workspace, channel="email" if n % 2 else "phone", occurred_at=at, subject=f"I{n}"
        ).contacts.add(contact)
        Note.objects.create(workspace=workspace, body=f"N{n}", contact=contact, author=rep, created_at=at)
        Task.objects.create(workspace=workspace, title=f"T{n}", contact=contact, assignee=rep, due_at=at, created_at=at)
        AuditEntry.objects.create(
            workspace=workspace, actor=rep, actor_label=rep.email, door="web", action="update", object_type="customers.contact",
            object_id=str(contact.pk), object_repr=str(contact), changes={"lifecycle_stage": ["lead", "customer"]}, created_at=at,
        )  # fmt: skip


def test_a_contacts_timeline_merges_every_kind_newest_first(rep_api, rep, workspace, contact):
    now = timezone.now()
    call = services.interaction_log(
        actor=rep, workspace=workspace, channel="phone", contacts=[contact], occurred_at=now - timedelta(hours=3)
    )
    note = services.note_create(actor=rep, workspace=workspace, body="<p>Wants <b>volume</b> pricing</p>", contact=contact)
    Note.objects.filter(pk=note.pk).update(created_at=now - timedelta(hours=2))
    task = services.task_create(actor=rep, workspace=workspace, title="Send pricing", contact=contact)
    Task.objects.filter(pk=task.pk).update(created_at=now - timedelta(hours=1))
    with audit.acting_through("web"):
        audit.record(actor=rep, workspace=workspace, action="update", obj=contact, changes={"owner": [None, rep.pk]})
    services.interaction_log(actor=rep, workspace=workspace, channel="email", contacts=[ContactFactory(workspace=workspace)])

    items = rep_api.get(f"/api/v1/contacts/{contact.pk}/timeline").json()["items"]

    assert [(item["kind"], item["id"]) for item in items][1:] == [("task", task.pk), ("note", note.pk), ("interaction", call.pk)]
    change, task_item, note_item, call_item = items
    assert (change["kind"], change["title"], change["summary"]) == ("change", "Changed Peter Gibbons", f"owner: — → {rep.pk}")
    assert (note_item["summary"], note_item["title"]) == ("Wants volume pricing", "Note by Rita Rep")
    assert (call_item["channel"], call_item["url"]) == ("phone", f"/api/v1/interactions/{call.pk}")
    assert task_item["extra"]["status"] == "open"


def test_an_accounts_timeline_includes_its_contacts(rep_api, rep, workspace, account, contact):
    colleague_there = contact_at(account, first_name="Milton")
    elsewhere = ContactFactory(workspace=workspace)
    on_account = services.note_create(actor=rep, workspace=workspace, body="Account note", account=account)
    on_contact = services.note_create(actor=rep, workspace=workspace, body="Contact note", contact=contact)
    on_colleague = services.interaction_log(actor=rep, workspace=workspace, channel="meeting", contacts=[colleague_there])
    services.note_create(actor=rep, workspace=workspace, body="Unrelated", contact=elsewhere)

    items = rep_api.get(f"/api/v1/accounts/{account.pk}/timeline").json()["items"]

    assert {(item["kind"], item["id"]) for item in items} == {
        ("note", on_account.pk), ("note", on_contact.pk), ("interaction", on_colleague.pk)
    }  # fmt: skip
    contact_items = rep_api.get(f"/api/v1/contacts/{contact.pk}/timeline").json()["items"]
    assert [(item["kind"], item["id"]) for item in contact_items] == [("note", on_contact.pk)], "a contact's timeline has only theirs"


def test_filters_by_kind_and_channel(rep_api, rep, workspace, contact):
    _history(rep, workspace, contact, 4)
    path = f"/api/v1/contacts/{contact.pk}/timeline"

    kinds = {item["kind"] for item in rep_api.get(path, {"kind": "note,task"}).json()["items"]}
    emails = rep_api.get(path, {"channel": "email"}).json()["items"]
    repeated = {item["kind"] for item in rep_api.get(f"{path}?kind=change&kind=interaction").json()["items"]}

    assert kinds == {"note", "task"}
    assert [(item["kind"], item["channel"]) for item in emails] == [("interaction", "email")] * 2
    assert repeated == {"change", "interaction"}
    bad = rep_api.get(path, {"kind": "gossip"})
    assert (bad.status_code, bad.json()["errors"][0]["field"]) == (422, "kind")
    assert rep_api.get(path, {"channel": "pigeon"}).status_code == 422


def test_cursor_pages_walk_everything_once_in_order_even_when_times_tie(rep_api, rep, workspace, contact):
    _history(rep, workspace, contact, 15)
    same_moment = timezone.now() - timedelta(days=1)
    for n in range(5):  # entries of different kinds at the very same instant
        Interaction.objects.create(workspace=workspace, channel="sms", occurred_at=same_moment, subject=f"Tie {n}").contacts.add(contact)
        Note.objects.create(workspace=workspace, body=f"Tie {n}", contact=contact, created_at=same_moment)

    items, pages = _walk(rep_api, f"/api/v1/contacts/{contact.pk}/timeline", limit=7)

    assert len(items) == 15 * 4 + 10
    assert len({(item["kind"], item["id"]) for item in items}) == len(items)
    assert pages == 10
    keys = [(item["occurred_at"], item["kind"], item["id"]) for item in items]
    assert keys == sorted(keys, reverse=True)


def test_a_forged_cursor_is_a_field_error(rep_api, contact):
    response = rep_api.get(f"/api/v1/contacts/{contact.pk}/timeline", {"cursor": "not-ours"})
    assert (response.status_code, response.json()["errors"][0]["field"]) == (422, "cursor")


@pytest.mark.parametrize("kind", ["contacts", "accounts"])
def test_a_timeline_page_runs_a_constant_number_of_queries(kind, rep_api, rep, workspace, account, contact, django_assert_max_num_queries):
    path = f"/api/v1/{kind}/{contact.pk if kind == 'contacts' else account.pk}/timeline"
    _history(rep, workspace, contact, 2)  # 8 entries
    # At most two queries per registered source, plus the record and its links (each source reads at least its keys).
    from amity.activities.timeline import sources

    with django_assert_max_num_queries(2 * len(sources()) + 8) as small:
        assert len(rep_api.get(path, {"limit": 200}).json()["items"]) == 8
    _history(rep, workspace, contact, 50)  # 208 entries
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert len(rep_api.get(path, {"limit": 200}).json()["items"]) == 200


def test_another_workspaces_records_never_reach_a_timeline(rep_api, rep, workspace, contact, other_workspace):
    other_side = ContactFactory(workspace=other_workspace)
    leak = Interaction.objects.create(workspace=other_workspace, channel="email", subject="zz-leak")
    leak.contacts.add(contact)  # a corrupt link across workspaces must still not show
    Note.objects.create(workspace=other_workspace, body="zz-leak", contact=contact)
    AuditEntry.objects.create(
        workspace=other_workspace, actor_label="zz", door="web", action="update", object_type="customers.contact",
        object_id=str(contact.pk), object_repr="zz-leak",
    )  # fmt: skip

    assert "zz-leak" not in rep_api.get(f"/api/v1/contacts/{contact.pk}/timeline").content.decode()
    assert rep_api.get(f"/api/v1/contacts/{other_side.pk}/timeline").status_code == 404


def test_a_soft_deleted_contact_has_no_timeline(rep_api, contact):
    type(contact).objects.filter(pk=contact.pk).update(deleted_at=timezone.now())
    assert rep_api.get(f"/api/v1/contacts/{contact.pk}/timeline").status_code == 404


def test_another_app_adds_a_kind_through_the_registry(rep_api, rep, workspace, contact):
    """A later app (orders, cases…) plugs in with rows + render; here, interactions dressed as another kind of record."""
    deal = Interaction.objects.create(workspace=workspace, channel="meeting", subject="Big deal", occurred_at=timezone.now())

    def deal_rows(query):
        return Interaction.objects.filter(workspace=query.workspace, subject="Big deal")

    def deal_items(rows):
        return [timeline.TimelineItem(kind="example", id=row.pk, occurred_at=row.occurred_at, title=row.subject) for row in rows]

    timeline.register(timeline.TimelineSource(kind="example", rows=deal_rows, render=deal_items))
    try:
        items = rep_api.get(f"/api/v1/contacts/{contact.pk}/timeline").json()["items"]
        filtered = rep_api.get(f"/api/v1/contacts/{contact.pk}/timeline", {"kind": "note"}).json()["items"]
    finally:
        timeline._sources.pop("example")

    assert [(item["kind"], item["id"], item["title"]) for item in items] == [("example", deal.pk, "Big deal")]
    assert filtered == []
