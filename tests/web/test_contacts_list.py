"""The contact and account lists in the web UI: filters, sort, columns, saved views, bulk actions, the bin, exports."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from amity.core.models import AuditEntry, FieldDefinition
from amity.core.permissions import Role
from amity.customers import services
from amity.customers.models import Account, Contact, SavedView
from tests.factories import TeamFactory, member

pytestmark = pytest.mark.django_db

LIST = "/w/acme/contacts/"


def add_contact(actor: Any, workspace: Any, **data: Any) -> Contact:
    return services.contact_create(actor=actor, workspace=workspace, data=data)


def names(response: Any) -> list[str]:
    return [row["record"].full_name for row in response.context["rows"]]


@pytest.fixture
def tier(workspace: Any) -> FieldDefinition:
    return FieldDefinition.objects.create(
        workspace=workspace, object_type="contact", key="tier", label="Tier", type="choice", options=["gold", "silver"]
    )


@pytest.fixture
def people(workspace: Any, admin: Any, rep: Any, tier: FieldDefinition) -> dict[str, Contact]:
    FieldDefinition.objects.create(workspace=workspace, object_type="contact", key="vip", label="VIP", type="boolean")
    FieldDefinition.objects.create(workspace=workspace, object_type="contact", key="seats", label="Seats", type="number")
    FieldDefinition.objects.create(workspace=workspace, object_type="contact", key="region", label="Region", type="text")
    team = TeamFactory(workspace=workspace, name="North")
    ada = add_contact(
        admin, workspace, first_name="Ada", last_name="Lovelace", emails=[{"address": "ada@engines.test"}], lifecycle_stage="customer",
        tags=["VIP"], source="web form", custom={"tier": "gold", "vip": True, "seats": "12", "region": "=cmd|'/c calc'!A1"},
        team_id=team.pk,
    )  # fmt: skip
    grace = add_contact(
        rep, workspace, first_name="Grace", last_name="Hopper", emails=[{"address": "grace@navy.test"}], lifecycle_stage="lead",
        tags=["Navy"], source="event", custom={"tier": "silver", "vip": False, "seats": "3"}, owner_id=rep.pk,
    )  # fmt: skip
    alan = add_contact(admin, workspace, first_name="Alan", last_name="Turing", emails=[{"address": "alan@bletchley.test"}])
    Contact.objects.filter(pk=alan.pk).update(created_at=timezone.now() - dt.timedelta(days=40))
    return {"ada": ada, "grace": grace, "alan": alan}


def test_the_list_shows_contacts_newest_first_with_links(client_as: Any, admin: Any, people: dict[str, Contact]) -> None:
    response = client_as(admin).get(LIST)
    assert response.status_code == 200
    assert names(response) == ["Grace Hopper", "Ada Lovelace", "Alan Turing"]
    content = response.content.decode()
    assert f'href="/w/acme/contacts/{people["ada"].pk}/"' in content
    assert 'href="/w/acme/contacts/"' in content and 'href="/w/acme/accounts/"' in content  # the navigation


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("lifecycle_stage=lead", ["Grace Hopper"]),
        ("tag=VIP", ["Ada Lovelace"]),
        ("source=event", ["Grace Hopper"]),
        ("custom.tier=gold", ["Ada Lovelace"]),
        ("custom.vip=false", ["Grace Hopper"]),
        ("custom.seats=12", ["Ada Lovelace"]),
        ("custom.region=%3Dcmd%7C%27%2Fc+calc%27%21A1", ["Ada Lovelace"]),
    ],
)
def test_each_filter_narrows_the_list(client_as: Any, admin: Any, people: dict[str, Contact], query: str, expected: list[str]) -> None:
    assert names(client_as(admin).get(f"{LIST}?{query}")) == expected


def test_owner_team_and_created_range_filters(client_as: Any, admin: Any, rep: Any, people: dict[str, Contact]) -> None:
    client = client_as(admin)
    assert names(client.get(f"{LIST}?owner_id={rep.pk}")) == ["Grace Hopper"]
    assert names(client.get(f"{LIST}?team_id={people['ada'].team_id}")) == ["Ada Lovelace"]
    today = timezone.localdate()
    old = (today - dt.timedelta(days=40)).isoformat()
    assert names(client.get(f"{LIST}?created_before={old}")) == ["Alan Turing"]
    assert names(client.get(f"{LIST}?created_after={today.isoformat()}&sort=name")) == ["Grace Hopper", "Ada Lovelace"]


def test_a_bad_filter_is_named_and_the_page_still_answers(client_as: Any, admin: Any, people: dict[str, Contact]) -> None:
    response = client_as(admin).get(f"{LIST}?created_after=yesterday&lifecycle_stage=lead")
    assert response.status_code == 400
    assert "Enter a valid date." in response.content.decode() or "YYYY-MM-DD" in response.content.decode()
    assert names(response) == ["Grace Hopper"]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name", ["Grace Hopper", "Ada Lovelace", "Alan Turing"]),
        ("-name", ["Alan Turing", "Ada Lovelace", "Grace Hopper"]),
        ("email", ["Ada Lovelace", "Alan Turing", "Grace Hopper"]),
        ("created_at", ["Alan Turing", "Ada Lovelace", "Grace Hopper"]),
        ("not-a-sort", ["Grace Hopper", "Ada Lovelace", "Alan Turing"]),
    ],
)
def test_sorting(client_as: Any, admin: Any, people: dict[str, Contact], sort: str, expected: list[str]) -> None:
    assert names(client_as(admin).get(f"{LIST}?sort={sort}")) == expected


def test_sortable_headers_flip_the_direction(client_as: Any, admin: Any, people: dict[str, Contact]) -> None:
    headers = {h["key"]: h for h in client_as(admin).get(f"{LIST}?sort=name").context["headers"]}
    assert headers["name"]["sort"] == "asc" and "sort=-name" in headers["name"]["url"]
    assert headers["email"]["sort"] == "" and "sort=email" in headers["email"]["url"]
    assert headers["owner"]["sort"] is None


def test_choosing_columns_including_custom_fields(client_as: Any, admin: Any, people: dict[str, Contact]) -> None:
    response = client_as(admin).get(f"{LIST}?columns=custom.tier&columns=title&columns=bogus")
    assert [h["label"] for h in response.context["headers"]] == ["Name", "Tier", "Title"]
    assert "gold" in response.content.decode()
    default = client_as(admin).get(LIST)
    assert [h["key"] for h in default.context["headers"]][:3] == ["name", "email", "phone"]


def test_load_more_returns_the_next_rows_as_a_fragment(client_as: Any, admin: Any, workspace: Any) -> None:
    for index in range(55):
        add_contact(admin, workspace, first_name=f"P{index:02d}", last_name="Person")
    client = client_as(admin)
    first = client.get(f"{LIST}?sort=name")
    assert len(first.context["rows"]) == 50
    cursor = first.context["page"].next_cursor
    more = client.get(LIST, {"sort": "name", "cursor": cursor}, headers={"HX-Request": "true"}).content.decode()
    assert more.count('<tr id="contact-') == 5
    assert "<html" not in more and 'id="load-more"' not in more
    assert "P00 Person" not in more and "P54 Person" in more


# --- Saved views ------------------------------------------------------------------------------------


def test_save_a_private_view_and_apply_it(client_as: Any, admin: Any, rep: Any, people: dict[str, Contact]) -> None:
    client = client_as(rep)
    response = client.post(
        "/w/acme/contacts/views/", {"name": "Leads", "state": "lifecycle_stage=lead&sort=-name&columns=custom.tier&columns=email"}
    )
    view = SavedView.objects.get()
    assert response.status_code == 302 and response["Location"] == f"{LIST}?view={view.pk}"
    assert (view.owner, view.shared, view.filters, view.sort, view.columns) == (
        rep, False, {"lifecycle_stage": "lead"}, "-name", ["custom.tier", "email"],
    )  # fmt: skip
    applied = client.get(f"{LIST}?view={view.pk}")
    assert names(applied) == ["Grace Hopper"]
    assert [h["key"] for h in applied.context["headers"]] == ["name", "custom.tier", "email"]
    # Someone else neither lists it nor opens it.
    other = client_as(admin)
    assert f"?view={view.pk}" not in other.get(LIST).content.decode()
    assert other.get(f"{LIST}?view={view.pk}").status_code == 404


def test_a_shared_view_is_listed_for_everyone_but_changed_only_by_its_maker_or_an_admin(
    client_as: Any, admin: Any, rep: Any, workspace: Any, people: dict[str, Contact]
) -> None:
    client_as(rep).post("/w/acme/contacts/views/", {"name": "Team leads", "shared": "on", "state": "lifecycle_stage=lead"})
    view = SavedView.objects.get(shared=True)
    colleague = client_as(member(workspace, Role.MARKETING))
    assert "Team leads" in colleague.get(LIST).content.decode()
    assert colleague.post(f"/w/acme/contacts/views/{view.pk}/", {"state": "tag=VIP"}).status_code == 403
    assert colleague.post(f"/w/acme/contacts/views/{view.pk}/delete/").status_code == 403
    view.refresh_from_db()
    assert view.filters == {"lifecycle_stage": "lead"}

    assert client_as(admin).post(f"/w/acme/contacts/views/{view.pk}/", {"state": "tag=VIP&sort=name"}).status_code == 302
    view.refresh_from_db()
    assert (view.filters, view.sort) == ({"tag": "VIP"}, "name")
    assert client_as(rep).post(f"/w/acme/contacts/views/{view.pk}/delete/").status_code == 302
    assert SavedView.objects.count() == 0


def test_a_view_without_a_name_is_not_saved(client_as: Any, rep: Any, people: dict[str, Contact]) -> None:
    response = client_as(rep).post("/w/acme/contacts/views/", {"name": " ", "state": "tag=VIP"}, follow=True)
    assert "The view was not saved" in response.content.decode()
    assert SavedView.objects.count() == 0


# --- Bulk actions and the bin ------------------------------------------------------------------------


def test_bulk_assign_tag_and_delete(client_as: Any, admin: Any, rep: Any, people: dict[str, Contact]) -> None:
    client = client_as(admin)
    ids = [people["ada"].pk, people["alan"].pk]
    response = client.post("/w/acme/contacts/bulk/", {"action": "assign", "ids": ids, "owner_id": rep.pk, "next": f"{LIST}?sort=name"})
    assert response.status_code == 302 and response["Location"] == f"{LIST}?sort=name"
    assert set(Contact.objects.filter(owner=rep).values_list("pk", flat=True)) == {*ids, people["grace"].pk}

    client.post("/w/acme/contacts/bulk/", {"action": "tag", "ids": ids, "tags": "Board, VIP"})
    assert sorted(people["ada"].tags.values_list("name", flat=True)) == ["Board", "VIP"]
    assert sorted(people["alan"].tags.values_list("name", flat=True)) == ["Board", "VIP"]

    assert Contact.objects.filter(deleted_at__isnull=True).count() == 3
    client.post("/w/acme/contacts/bulk/", {"action": "delete", "ids": ids})
    assert Contact.objects.filter(deleted_at__isnull=True).count() == 1
    assert names(client.get(LIST)) == ["Grace Hopper"]


def test_bulk_actions_never_touch_another_workspaces_records(
    client_as: Any, admin: Any, other_workspace: Any, people: dict[str, Contact]
) -> None:
    stranger_owner = member(other_workspace, Role.OWNER)
    theirs = add_contact(stranger_owner, other_workspace, first_name="Their", last_name="Customer")
    audit_before = AuditEntry.objects.count()
    client = client_as(admin)
    for data in ({"action": "tag", "tags": "Mine"}, {"action": "delete"}, {"action": "assign", "owner_id": admin.pk}):
        response = client.post("/w/acme/contacts/bulk/", {**data, "ids": [people["ada"].pk, theirs.pk]}, follow=True)
        assert "No contacts with ids" in response.content.decode()
    theirs.refresh_from_db()
    assert (theirs.deleted_at, theirs.owner_id, list(theirs.tags.all())) == (None, stranger_owner.pk, [])
    assert list(people["ada"].tags.values_list("name", flat=True)) == ["VIP"]  # all or nothing
    assert Contact.objects.filter(deleted_at__isnull=True).count() == 4
    assert AuditEntry.objects.count() == audit_before


def test_a_rep_cannot_delete_and_a_viewer_cannot_change(client_as: Any, rep: Any, workspace: Any, people: dict[str, Contact]) -> None:
    assert client_as(rep).post("/w/acme/contacts/bulk/", {"action": "delete", "ids": [people["ada"].pk]}).status_code == 403
    viewer = client_as(member(workspace, Role.VIEWER))
    assert viewer.post("/w/acme/contacts/bulk/", {"action": "tag", "tags": "x", "ids": [people["ada"].pk]}).status_code == 403
    assert b'id="bulk-form"' not in viewer.get(LIST).content
    assert Contact.objects.filter(deleted_at__isnull=True).count() == 3
    assert people["ada"].tags.count() == 1


def test_the_bin_and_restore_are_for_admins(client_as: Any, admin: Any, rep: Any, people: dict[str, Contact]) -> None:
    client = client_as(admin)
    client.post("/w/acme/contacts/bulk/", {"action": "delete", "ids": [people["alan"].pk]})
    in_bin = client.get(f"{LIST}?bin=1")
    assert names(in_bin) == ["Alan Turing"]
    assert b'value="restore"' in in_bin.content
    # A rep asking for the bin sees the ordinary list, and cannot restore.
    assert names(client_as(rep).get(f"{LIST}?bin=1")) == ["Grace Hopper", "Ada Lovelace"]
    assert client_as(rep).post("/w/acme/contacts/bulk/", {"action": "restore", "ids": [people["alan"].pk]}).status_code == 403
    # Restoring a record that is not in the bin is refused.
    client.post("/w/acme/contacts/bulk/", {"action": "restore", "ids": [people["ada"].pk]})
    assert client.post("/w/acme/contacts/bulk/", {"action": "restore", "ids": [people["alan"].pk]}).status_code == 302
    assert Contact.objects.filter(deleted_at__isnull=True).count() == 3
    assert AuditEntry.objects.filter(object_type="customers.contact", action="restore").count() == 1
    assert b"The bin is empty" in client.get(f"{LIST}?bin=1").content


# --- Exports ---------------------------------------------------------------------------------------------


def test_csv_export_of_the_current_view_with_neutralized_cells(client_as: Any, admin: Any, people: dict[str, Contact]) -> None:
    response = client_as(admin).get(
        "/w/acme/contacts/export.csv?sort=name&columns=email&columns=custom.region&columns=custom.tier&columns=tags"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="contacts-acme-')
    text = b"".join(response.streaming_content).decode().removeprefix("\ufeff")
    assert list(csv.reader(io.StringIO(text))) == [
        ["Name", "Email", "Region", "Tier", "Tags"],
        ["Grace Hopper", "grace@navy.test", "", "silver", "Navy"],
        ["Ada Lovelace", "ada@engines.test", "'=cmd|'/c calc'!A1", "gold", "VIP"],
        ["Alan Turing", "alan@bletchley.test", "", "", ""],
    ]


def test_xlsx_export_follows_the_filters(client_as: Any, admin: Any, people: dict[str, Contact]) -> None:
    response = client_as(admin).get("/w/acme/contacts/export.xlsx?custom.tier=gold&columns=custom.region&columns=custom.vip")
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [[cell.value for cell in row] for row in sheet.iter_rows()] == [
        ["Name", "Region", "VIP"],
        ["Ada Lovelace", "'=cmd|'/c calc'!A1", "Yes"],
    ]


def test_export_of_a_saved_view(client_as: Any, rep: Any, people: dict[str, Contact]) -> None:
    client = client_as(rep)
    client.post("/w/acme/contacts/views/", {"name": "Leads", "state": "lifecycle_stage=lead&columns=email"})
    view = SavedView.objects.get()
    text = b"".join(client.get(f"/w/acme/contacts/export.csv?view={view.pk}").streaming_content).decode()
    assert text.removeprefix("\ufeff").splitlines() == ["Name,Email", "Grace Hopper,grace@navy.test"]


# --- New records --------------------------------------------------------------------------------------------


def test_add_a_contact_with_emails_phones_tags_accounts_and_custom_fields(
    client_as: Any, admin: Any, workspace: Any, tier: FieldDefinition
) -> None:
    account = services.account_create(actor=admin, workspace=workspace, data={"name": "Analytical Engines"})
    response = client_as(admin).post(
        "/w/acme/contacts/new/",
        {
            "first_name": "Ada", "last_name": "Lovelace", "emails": "ADA@engines.test\nada@home.test", "phones": "+44 20 7946 0958",
            "account_id": account.pk, "tags": "VIP, Board", "custom.tier": "gold", "owner_id": admin.pk, "lifecycle_stage": "lead",
        },
    )  # fmt: skip
    contact = Contact.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/w/acme/contacts/{contact.pk}/"
    assert contact.primary_email == "ada@engines.test"
    assert contact.primary_phone == "+442079460958"
    assert list(contact.accounts.all()) == [account]
    assert sorted(contact.tags.values_list("name", flat=True)) == ["Board", "VIP"]
    assert contact.custom == {"tier": "gold"}
    detail = client_as(admin).get(response["Location"])
    assert detail.status_code == 200 and b"Ada Lovelace" in detail.content and b"gold" in detail.content


def test_the_contact_form_shows_the_services_field_errors(client_as: Any, admin: Any, tier: FieldDefinition) -> None:
    response = client_as(admin).post("/w/acme/contacts/new/", {"first_name": "Ada", "account_id": "999999"})
    assert response.status_code == 400
    assert response.context["form"].errors["account_id"] == ["No account with id 999999 in this workspace."]
    response = client_as(admin).post("/w/acme/contacts/new/", {"first_name": "Ada", "emails": "not-an-email", "phones": "12"})
    errors = response.context["form"].errors
    assert errors["emails"] == ["Enter a valid email address."]
    assert "phones" in errors
    assert Contact.objects.count() == 0


def test_accounts_list_create_and_export(client_as: Any, admin: Any, workspace: Any) -> None:
    client = client_as(admin)
    assert b"No accounts yet" in client.get("/w/acme/accounts/").content
    response = client.post("/w/acme/accounts/new/", {"name": "Acme Rockets", "domains": "https://www.acme-rockets.test", "tags": "Space"})
    account = Account.objects.get()
    assert response["Location"] == f"/w/acme/accounts/{account.pk}/"
    services.account_create(actor=admin, workspace=workspace, data={"name": "-Minus Ltd"})
    listed = client.get("/w/acme/accounts/?sort=name")
    assert [row["record"].name for row in listed.context["rows"]] == ["-Minus Ltd", "Acme Rockets"]
    text = b"".join(client.get("/w/acme/accounts/export.csv?sort=name&columns=domains").streaming_content).decode()
    assert text.removeprefix("\ufeff").splitlines() == ["Name,Domains", "'-Minus Ltd,", "Acme Rockets,acme-rockets.test"]
    assert client.post("/w/acme/accounts/new/", {"name": ""}).status_code == 400


# --- Tenancy and query budget ----------------------------------------------------------------------------------


def test_every_new_url_of_another_workspace_is_a_404(client_as: Any, admin: Any, other_workspace: Any, people: dict[str, Contact]) -> None:
    stranger = member(other_workspace, Role.OWNER)
    theirs = add_contact(stranger, other_workspace, first_name="Their", last_name="Customer")
    their_account = services.account_create(actor=stranger, workspace=other_workspace, data={"name": "Their Inc"})
    their_view = services.saved_view_create(
        actor=stranger, workspace=other_workspace, data={"name": "Theirs", "object_type": "contact", "shared": True}
    )
    client = client_as(admin)
    before = (Contact.objects.count(), SavedView.objects.count(), AuditEntry.objects.count())
    for kind in ("contacts", "accounts"):
        for path in ("", "new/", "export.csv", "export.xlsx", "1/"):
            assert client.get(f"/w/globex/{kind}/{path}").status_code == 404, path
        for path in ("bulk/", "views/", f"views/{their_view.pk}/", f"views/{their_view.pk}/delete/"):
            assert client.post(f"/w/globex/{kind}/{path}", {"action": "delete", "ids": [theirs.pk]}).status_code == 404, path
    # Their ids inside my workspace do not exist either.
    assert client.get(f"/w/acme/contacts/{theirs.pk}/").status_code == 404
    assert client.get(f"/w/acme/accounts/{their_account.pk}/").status_code == 404
    assert client.get(f"{LIST}?view={their_view.pk}").status_code == 404
    assert client.get(f"/w/acme/contacts/export.csv?view={their_view.pk}").status_code == 404
    assert client.post(f"/w/acme/contacts/views/{their_view.pk}/", {"state": ""}).status_code == 404
    assert client.post(f"/w/acme/contacts/views/{their_view.pk}/delete/").status_code == 404
    assert (Contact.objects.count(), SavedView.objects.count(), AuditEntry.objects.count()) == before


def _grow(actor: Any, workspace: Any, count: int, tag: str) -> None:
    account = services.account_create(actor=actor, workspace=workspace, data={"name": f"Account {tag}"})
    for index in range(count):
        add_contact(
            actor, workspace, first_name=f"{tag}{index}", last_name="Person", emails=[{"address": f"{tag}{index}@x.test"}],
            phones=[{"number": f"+4420794609{index % 100:02d}"}], tags=[f"t{index % 3}"], account_ids=[account.pk], custom={"tier": "gold"},
        )  # fmt: skip


@pytest.mark.parametrize(
    "path",
    [
        LIST + "?columns=accounts&columns=tags&columns=owner&columns=team&columns=custom.tier",
        "/w/acme/contacts/export.csv?columns=accounts&columns=tags&columns=owner&columns=custom.tier",
        "/w/acme/contacts/export.xlsx?columns=accounts&columns=tags",
    ],
)
def test_list_and_exports_run_a_constant_number_of_queries(
    client_as: Any, admin: Any, workspace: Any, tier: FieldDefinition, path: str, django_assert_max_num_queries: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_as(admin)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
            assert response.status_code == 200
            if response.streaming:
                b"".join(response.streaming_content)
        return len(captured.captured_queries)

    _grow(admin, workspace, 3, "a")
    client.get(path)
    few = count()
    _grow(admin, workspace, 57, "b")
    assert count() == few
    with django_assert_max_num_queries(20):
        response = client.get(path)
        if response.streaming:
            b"".join(response.streaming_content)
