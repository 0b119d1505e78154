"""Accounts and contacts through the API: the shapes the issue promises, validation, filters, bulk, tenancy."""

from __future__ import annotations

from typing import Any

import pytest

from amity.core.models import AuditEntry, FieldDefinition, Workspace
from amity.core.permissions import Role
from amity.customers.models import Account, Contact, ContactEmail
from tests.factories import member


def _contact(api: Any, *, allow_duplicates: bool = False, **fields: Any) -> Any:
    body = {"first_name": "Ada", "last_name": "Lovelace", **fields}
    response = api.post("/api/v1/contacts" + ("?allow_duplicates=true" if allow_duplicates else ""), body)
    assert response.status_code == 201, response.content
    return response.json()


def test_a_contact_is_created_with_emails_phones_accounts_and_custom_fields(api: Any, workspace: Workspace, admin: Any) -> None:
    account = api.post("/api/v1/accounts", {"name": "Analytical Engines", "domains": ["https://www.Engines.co.uk/about"]}).json()
    FieldDefinition.objects.create(
        workspace=workspace, object_type="contact", key="tier", label="Tier", type="choice", options=["gold", "silver"]
    )

    contact = _contact(
        api,
        emails=[{"address": " ADA@Engines.co.uk ", "primary": False}, {"address": "ada@home.example", "primary": True}],
        phones=[{"number": "+44 20 7946 0958", "kind": "work"}],
        account_ids=[account["id"]],
        custom={"tier": "gold"},
        tags=["VIP", "vip", "Board"],
    )

    assert contact["id"] > 0
    assert contact["emails"] == [{"address": "ada@home.example", "primary": True}, {"address": "ada@engines.co.uk", "primary": False}]
    assert contact["phones"] == [{"number": "+442079460958", "national": "020 7946 0958", "kind": "work", "primary": True}]
    assert contact["accounts"] == [{"account_id": account["id"], "name": "Analytical Engines", "role": "", "title": ""}]
    assert contact["custom"] == {"tier": "gold"}
    assert contact["tags"] == ["Board", "VIP"]
    assert contact["owner_id"] == admin.pk
    assert account["domains"] == ["engines.co.uk"]
    entry = AuditEntry.objects.get(object_type="customers.contact", action="create")
    assert entry.changes["emails"] == [[], ["ada@engines.co.uk", "ada@home.example"]]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"emails": [{"address": "not-an-email"}]}, "emails.0.address"),
        ({"phones": [{"number": "12"}]}, "phones.0.number"),
        ({"phones": [{"number": "+12025550143", "kind": "pager"}]}, "phones.0.kind"),
        ({"emails": [{"address": "a@x.com", "primary": True}, {"address": "b@x.com", "primary": True}]}, "emails.1.primary"),
        ({"account_ids": [987654]}, "accounts.0.account_id"),
        ({"lifecycle_stage": "royalty"}, "lifecycle_stage"),
        ({"owner_id": 987654}, "owner_id"),
        ({"custom": {"nope": 1}}, "custom.nope"),
    ],
)
def test_bad_fields_are_named_and_nothing_is_written(api: Any, body: dict[str, Any], field: str) -> None:
    audit_before = AuditEntry.objects.count()
    response = api.post("/api/v1/contacts", {"first_name": "Ada", **body})
    assert response.status_code == 422, response.content
    assert field in {error["field"] for error in response.json()["errors"]}
    assert Contact.objects.count() == 0
    assert ContactEmail.objects.count() == 0
    assert AuditEntry.objects.count() == audit_before


def test_custom_field_rules(api: Any, workspace: Workspace) -> None:
    api.post(
        "/api/v1/custom-fields",
        {"object_type": "contact", "key": "seats", "label": "Seats", "type": "number", "min_value": 1, "required": True},
    )
    missing = api.post("/api/v1/contacts", {"first_name": "Ada"})
    assert missing.json()["errors"] == [{"field": "custom.seats", "message": "Seats is required."}]
    too_small = api.post("/api/v1/contacts", {"first_name": "Ada", "custom": {"seats": "0"}})
    assert too_small.json()["errors"] == [{"field": "custom.seats", "message": "Must be at least 1."}]
    assert _contact(api, custom={"seats": "12"})["custom"] == {"seats": "12"}


def test_filters_sorting_and_custom_field_filters(api: Any, workspace: Workspace) -> None:
    FieldDefinition.objects.create(
        workspace=workspace, object_type="contact", key="tier", label="Tier", type="choice", options=["gold", "silver"]
    )
    _contact(api, last_name="Zed", custom={"tier": "gold"}, lifecycle_stage="customer", tags=["vip"])
    _contact(api, last_name="Abe", custom={"tier": "silver"}, lifecycle_stage="lead")
    _contact(api, last_name="Moe", custom={"tier": "gold"}, lifecycle_stage="lead")

    def names(**params: Any) -> list[str]:
        return [item["last_name"] for item in api.get("/api/v1/contacts", params).json()["items"]]

    assert names(sort="name") == ["Abe", "Moe", "Zed"]
    assert names(sort="-name") == ["Zed", "Moe", "Abe"]
    assert names(**{"custom.tier": "gold", "sort": "name"}) == ["Moe", "Zed"]
    assert names(lifecycle_stage="lead", sort="name") == ["Abe", "Moe"]
    assert names(tag="vip") == ["Zed"]
    assert api.get("/api/v1/contacts", {"sort": "shoe_size"}).json()["errors"][0]["field"] == "sort"
    assert api.get("/api/v1/contacts", {"custom.nope": "x"}).json()["errors"][0]["field"] == "custom.nope"


def test_keyset_pages_by_name_walk_every_contact_once(api: Any) -> None:
    for number in range(9):
        _contact(api, last_name=f"Name{number % 3}", first_name=f"F{number}")
    seen, cursor = [], None
    while True:
        page = api.get("/api/v1/contacts", {"sort": "name", "limit": 4, **({"cursor": cursor} if cursor else {})}).json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(seen) == len(set(seen)) == 9


@pytest.mark.parametrize("rows", [2, 30])
def test_the_contact_list_costs_the_same_queries_at_any_size(rows: int, api: Any, django_assert_max_num_queries: Any) -> None:
    account = api.post("/api/v1/accounts", {"name": "Acme"}).json()
    for number in range(rows):
        _contact(
            api,
            first_name=f"P{number}",
            emails=[{"address": f"p{number}@acme.test"}],
            phones=[{"number": "+12025550143"}],  # one switchboard: the check on entry would take them for one person
            account_ids=[account["id"]],
            tags=["t"],
            allow_duplicates=True,
        )
    with django_assert_max_num_queries(9):
        assert len(api.get("/api/v1/contacts", {"limit": 50}).json()["items"]) == rows
    with django_assert_max_num_queries(7):
        assert api.get("/api/v1/accounts", {"limit": 50}).status_code == 200


def test_list_rows_are_the_records_the_api_gives_one_by_one(api: Any, workspace: Workspace) -> None:
    """The lists build their rows from values, not through the schema: every field must still match GET /{id}."""
    FieldDefinition.objects.create(workspace=workspace, object_type="contact", key="seats", label="Seats", type="number")
    parent = api.post("/api/v1/accounts", {"name": "Parent", "tags": ["b", "A"]}).json()
    account = api.post(
        "/api/v1/accounts",
        {
            "name": "Acme",
            "domains": ["acme.test", "acme.example"],
            "parent_id": parent["id"],
            "annual_revenue": "1250000.50",
            "revenue_currency": "EUR",
            "tags": ["zeta", "Alpha"],
            "external_id": "A-1",
        },
    ).json()
    _contact(
        api,
        title="CTO",
        emails=[{"address": "b@acme.test"}, {"address": "a@acme.test", "primary": True}],
        phones=[{"number": "+442079460958", "kind": "work"}, {"number": "+12025550143", "primary": True}],
        accounts=[{"account_id": account["id"], "role": "Buyer", "title": "Head of IT"}, {"account_id": parent["id"]}],
        tags=["vip", "Board"],
        custom={"seats": 12},
        social={"linkedin": "ada"},
        external_id="C-1",
        language="en",
        time_zone="Europe/London",
    )
    _contact(api, first_name="", last_name="", emails=[{"address": "only@email.test"}])
    _contact(api)

    for path in ("contacts", "accounts"):
        listed = api.get(f"/api/v1/{path}", {"limit": 50}).json()["items"]
        assert len(listed) >= 2
        for row in listed:
            assert row == api.get(f"/api/v1/{path}/{row['id']}").json()


def test_an_account_domain_belongs_to_one_account_and_parents_never_loop(api: Any) -> None:
    parent = api.post("/api/v1/accounts", {"name": "Parent", "domains": ["acme.com"]}).json()
    clash = api.post("/api/v1/accounts", {"name": "Copycat", "domains": ["ACME.com"]})
    assert clash.json()["errors"] == [{"field": "domains.0", "message": "acme.com belongs to another account already."}]
    child = api.post("/api/v1/accounts", {"name": "Child", "parent_id": parent["id"]}).json()
    loop = api.patch(f"/api/v1/accounts/{parent['id']}", {"parent_id": child["id"]})
    assert loop.json()["errors"][0]["field"] == "parent_id"


def test_soft_delete_hides_and_restore_brings_back(api: Any) -> None:
    contact = _contact(api)
    assert api.delete(f"/api/v1/contacts/{contact['id']}").status_code == 204
    assert api.get(f"/api/v1/contacts/{contact['id']}").status_code == 404
    assert api.get("/api/v1/contacts").json()["items"] == []
    assert [c["id"] for c in api.get("/api/v1/contacts", {"deleted": True}).json()["items"]] == [contact["id"]]
    assert api.post(f"/api/v1/contacts/{contact['id']}/restore").status_code == 200
    assert api.get(f"/api/v1/contacts/{contact['id']}").status_code == 200


def test_bulk_save_is_all_or_nothing_with_an_error_per_row(api: Any) -> None:
    good = {"first_name": "Good", "emails": [{"address": "good@x.com"}]}
    bad = {"first_name": "Bad", "emails": [{"address": "nope"}]}
    response = api.post("/api/v1/contacts/bulk", {"items": [good, bad, good]})
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "items.1.emails.0.address", "message": "Enter a valid email address."}]
    assert Contact.objects.count() == 0

    created = api.post("/api/v1/contacts/bulk", {"items": [good, {**good, "first_name": "Second"}]}).json()["items"]
    assert [c["first_name"] for c in created] == ["Good", "Second"]
    updated = api.post("/api/v1/contacts/bulk", {"items": [{"id": created[0]["id"], "title": "CEO"}]}).json()["items"]
    assert updated[0]["title"] == "CEO" and updated[0]["first_name"] == "Good"
    assert api.post("/api/v1/contacts/bulk", {"items": [good] * 1001}).status_code == 422


def test_bulk_assign_tag_and_delete(api: Any, workspace: Workspace, rep: Any) -> None:
    ids = [_contact(api, first_name=f"P{n}")["id"] for n in range(3)]
    assert api.post("/api/v1/contacts/bulk-assign", {"ids": ids, "owner_id": rep.pk}).json() == {"updated": 3}
    assert api.post("/api/v1/contacts/bulk-tag", {"ids": ids[:2], "tags": ["event-2026"]}).json() == {"updated": 2}
    assert set(Contact.objects.values_list("owner_id", flat=True)) == {rep.pk}
    assert Contact.objects.filter(tags__name="event-2026").count() == 2
    assert api.post("/api/v1/contacts/bulk-delete", {"ids": ids}).json() == {"updated": 3}
    assert Contact.objects.filter(deleted_at__isnull=True).count() == 0


def test_another_workspaces_records_cannot_be_linked_or_bulk_changed(api: Any, other_workspace: Workspace) -> None:
    foreign_account = Account.objects.create(workspace=other_workspace, name="Globex")
    foreign_contact = Contact.objects.create(workspace=other_workspace, first_name="Hank")
    assert api.post("/api/v1/contacts", {"first_name": "A", "account_ids": [foreign_account.pk]}).status_code == 422
    response = api.post("/api/v1/contacts/bulk-tag", {"ids": [foreign_contact.pk], "tags": ["x"]})
    assert response.status_code == 422
    assert "globex" not in response.content.decode().lower()
    assert foreign_contact.tags.count() == 0
    assert api.post("/api/v1/contacts/bulk", {"items": [{"id": foreign_contact.pk, "first_name": "Stolen"}]}).status_code == 422
    foreign_contact.refresh_from_db()
    assert foreign_contact.first_name == "Hank"


def test_a_viewer_reads_but_cannot_write(api_as: Any, workspace: Workspace) -> None:
    viewer = api_as(member(workspace, Role.VIEWER), workspace)
    assert viewer.get("/api/v1/contacts").status_code == 200
    assert viewer.post("/api/v1/contacts", {"first_name": "X"}).status_code == 403
    assert Contact.objects.count() == 0


def test_search_follows_every_change(api: Any, django_capture_on_commit_callbacks: Any) -> None:
    def found(query: str) -> list[str]:
        groups = api.get("/api/v1/search", {"q": query}).json()["groups"]
        return sorted(result["title"] for group in groups for result in group["results"])

    with django_capture_on_commit_callbacks(execute=True):
        account = api.post("/api/v1/accounts", {"name": "Babbage Works"}).json()
        contact = _contact(api, first_name="Charlotte", last_name="Brontë", account_ids=[account["id"]])
    assert "Charlotte Brontë" in found("Charlotte")
    assert "Charlotte Brontë" in found("Babbage")

    with django_capture_on_commit_callbacks(execute=True):
        api.patch(f"/api/v1/accounts/{account['id']}", {"name": "Difference Engines"})
    assert "Charlotte Brontë" in found("Difference")
    assert "Charlotte Brontë" not in found("Babbage")

    with django_capture_on_commit_callbacks(execute=True):
        api.delete(f"/api/v1/contacts/{contact['id']}")
    assert found("Charlotte") == []
