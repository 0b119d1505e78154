"""Deals through the API: create, list with filters and sorts, stage moves, lines, people, history, timelines, search, bulk."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from amity.activities import services as activity_services
from amity.core.permissions import Role
from amity.sales import services
from amity.sales.models import Opportunity, StageChange
from tests.factories import AccountFactory, TeamFactory, contact_at, member
from tests.sales.conftest import stage


def _deal(client: Any, account: Any, **fields: Any) -> dict[str, Any]:
    response = client.post("/api/v1/opportunities", {"name": "Deal", "account_id": account.pk, "currency": "EUR", **fields})
    assert response.status_code == 201, response.content
    return response.json()


def test_create_read_and_change_a_deal(rep_api, rep, account, contact, pipeline, desk):
    body = _deal(
        rep_api,
        account,
        name="Initech fit-out",
        expected_close_date="2026-09-30",
        competitors=["Globex", " Globex ", "Umbrella"],
        tags=["Q3"],
        contacts=[{"contact_id": contact.pk, "role": "decision_maker", "is_primary": True}],
        line_items=[{"product_id": desk.pk, "quantity": 2, "discount_percent": 5}],
    )

    assert body["stage_name"] == "New" and body["status"] == "open" and body["probability"] == 10
    assert (body["account_name"], body["owner_id"], body["competitors"], body["tags"]) == (
        "Initech",
        rep.pk,
        ["Globex", "Umbrella"],
        ["Q3"],
    )
    assert body["contacts"] == [{"contact_id": contact.pk, "name": "Peter Gibbons", "role": "decision_maker", "is_primary": True}]
    assert body["amount"] == "1233.10"
    assert body["totals"] == {"subtotal": "1298.00", "discount": "64.90", "net": "1233.10", "tax": "234.29", "total": "1467.39"}
    assert body["weighted_amount"] == "123.31"

    changed = rep_api.patch(f"/api/v1/opportunities/{body['id']}", {"next_step": "Site visit", "probability": 20}).json()
    assert (changed["next_step"], changed["probability"]) == ("Site visit", 20)
    assert rep_api.get(f"/api/v1/opportunities/{body['id']}").json()["next_step"] == "Site visit"


def test_errors_are_problems_naming_the_field(rep_api, account, pipeline):
    response = rep_api.post("/api/v1/opportunities", {"name": "X", "account_id": account.pk, "currency": "ZZZ"})
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert [error["field"] for error in response.json()["errors"]] == ["currency"]
    assert Opportunity.objects.count() == 0


def test_moving_losing_winning_and_reopening(rep_api, account, pipeline, lost_reason):
    deal = _deal(rep_api, account)
    path = f"/api/v1/opportunities/{deal['id']}"

    moved = rep_api.post(f"{path}/stage", {"stage_id": stage(pipeline, "Proposal").pk, "probability": 60}).json()
    assert (moved["stage_name"], moved["probability"]) == ("Proposal", 60)
    refused = rep_api.post(f"{path}/stage", {"stage_id": stage(pipeline, "Lost").pk})
    assert refused.status_code == 422
    assert refused.json()["errors"] == [{"field": "lost_reason_id", "message": "Say why the deal was lost: choose a lost reason."}]
    lost = rep_api.post(f"{path}/lose", {"lost_reason_id": lost_reason.pk, "lost_note": "Budget cut"}).json()
    assert (lost["status"], lost["lost_reason"], lost["lost_note"], lost["probability"]) == ("lost", "Price too high", "Budget cut", 0)
    reopened = rep_api.post(f"{path}/reopen", {}).json()
    assert (reopened["status"], reopened["stage_name"], reopened["lost_reason"]) == ("open", "Proposal", None)
    won = rep_api.post(f"{path}/win").json()
    assert (won["status"], won["stage_name"], won["closed_at"] is not None) == ("won", "Won", True)


def test_stage_history_says_how_long_each_stage_lasted(rep_api, rep, deal, pipeline):
    start = timezone.now() - timedelta(days=10)
    services.opportunity_move_stage(actor=rep, opportunity=deal, stage=stage(pipeline, "Qualified"))
    services.opportunity_move_stage(actor=rep, opportunity=deal, stage=stage(pipeline, "New"))
    services.opportunity_move_stage(actor=rep, opportunity=deal, stage=stage(pipeline, "Qualified"))
    services.opportunity_win(actor=rep, opportunity=deal)
    days = [0, 3, 4, 6, 9]  # New 3 days, Qualified 1, New 2, Qualified 3, then won
    for change, day in zip(StageChange.objects.filter(opportunity=deal).order_by("id"), days, strict=True):
        StageChange.objects.filter(pk=change.pk).update(changed_at=start + timedelta(days=day))

    body = rep_api.get(f"/api/v1/opportunities/{deal.pk}/stage-history").json()

    assert [(i["from_stage"], i["to_stage"], i["duration_seconds"] // 86400) for i in body["items"]] == [
        ("", "New", 3), ("New", "Qualified", 1), ("Qualified", "New", 2), ("New", "Qualified", 3), ("Qualified", "Won", 0),
    ]  # fmt: skip
    assert body["items"][-1]["left_at"] == body["items"][-1]["changed_at"]  # the clock stops when a deal is won
    assert {row["stage"]: row["seconds"] // 86400 for row in body["time_in_stage"]} == {"New": 5, "Qualified": 4, "Won": 0}
    assert body["items"][1]["changed_by"] == "Rita Rep"


def test_an_open_deal_is_still_in_its_stage(rep_api, deal):
    StageChange.objects.filter(opportunity=deal).update(changed_at=timezone.now() - timedelta(hours=5))
    item = rep_api.get(f"/api/v1/opportunities/{deal.pk}/stage-history").json()["items"][0]
    assert item["left_at"] is None
    assert 5 * 3600 <= item["duration_seconds"] < 5 * 3600 + 60


def test_line_items_and_contacts_are_replaced_whole(rep_api, deal, desk, contact, account):
    path = f"/api/v1/opportunities/{deal.pk}"
    body = rep_api.put(
        f"{path}/line-items", {"items": [{"product_id": desk.pk, "quantity": 1}, {"name": "Delivery", "unit_price": "85"}]}
    ).json()
    assert [(line["name"], line["net_amount"]) for line in body["line_items"]] == [("Standing desk", "649.00"), ("Delivery", "85.00")]
    assert body["amount"] == "734.00"
    assert rep_api.put(f"{path}/line-items", {"items": []}).json()["line_items"] == []

    other = contact_at(account, first_name="Milton", last_name="Waddams")
    body = rep_api.put(
        f"{path}/contacts", {"contacts": [{"contact_id": contact.pk, "role": "champion"}, {"contact_id": other.pk, "role": "user"}]}
    ).json()
    assert [(c["name"], c["role"]) for c in body["contacts"]] == [("Peter Gibbons", "champion"), ("Milton Waddams", "user")]


def test_list_filters_and_sorts(rep_api, rep, workspace, account, contact, pipeline):
    team = TeamFactory(workspace=workspace, name="North")
    globex = AccountFactory(workspace=workspace, name="Globex")
    small = _deal(rep_api, account, name="Small", amount="100", expected_close_date="2026-03-01", tags=["hot"])
    big = _deal(rep_api, globex, name="Big", amount="90000", expected_close_date="2026-06-15", team_id=team.pk)
    mid = _deal(rep_api, account, name="Mid", amount="5000", expected_close_date="2026-04-10", contacts=[{"contact_id": contact.pk}])
    rep_api.post(f"/api/v1/opportunities/{big['id']}/win")

    def names(**params: Any) -> list[str]:
        response = rep_api.get("/api/v1/opportunities", params)
        assert response.status_code == 200, response.content
        return [item["name"] for item in response.json()["items"]]

    assert names(sort="amount") == ["Small", "Mid", "Big"]
    assert names(sort="-expected_close_date") == ["Big", "Mid", "Small"]
    assert names(status="won") == ["Big"]
    assert names(status="open", sort="name") == ["Mid", "Small"]
    assert names(account_id=account.pk, sort="name") == ["Mid", "Small"]
    assert names(contact_id=contact.pk) == ["Mid"]
    assert names(close_after="2026-04-01", close_before="2026-06-15", sort="name") == ["Big", "Mid"]
    assert names(amount_min="1000", amount_max="5000") == ["Mid"]
    assert names(tag="hot") == ["Small"]
    assert names(team_id=team.pk) == ["Big"]
    assert names(pipeline_id=pipeline.pk, stage_id=stage(pipeline, "Won").pk) == ["Big"]
    assert names(owner_id=rep.pk, sort="name") == ["Big", "Mid", "Small"]
    assert rep_api.get("/api/v1/opportunities", {"sort": "probability"}).status_code == 422
    assert rep_api.get("/api/v1/opportunities", {"status": "maybe"}).status_code == 422
    assert {small["id"], mid["id"]} <= {item["id"] for item in rep_api.get("/api/v1/opportunities").json()["items"]}


def test_custom_fields_on_deals(api, owner, workspace, account, pipeline):
    assert (
        api.post(
            "/api/v1/custom-fields",
            {"object_type": "opportunity", "key": "region", "label": "Region", "type": "choice", "options": ["North", "South"]},
        ).status_code
        == 201
    )
    north = _deal(api, account, name="N", custom={"region": "North"})
    _deal(api, account, name="S", custom={"region": "South"})
    bad = api.post("/api/v1/opportunities", {"name": "X", "account_id": account.pk, "currency": "EUR", "custom": {"region": "West"}})
    assert [error["field"] for error in bad.json()["errors"]] == ["custom.region"]
    assert [item["id"] for item in api.get("/api/v1/opportunities", {"custom.region": "North"}).json()["items"]] == [north["id"]]


def test_visibility_follows_the_role(api_as, workspace, account, pipeline, rep, colleague):
    stranger = member(workspace, Role.SALES, email="stranger@acme.test")
    team = TeamFactory(workspace=workspace, name="Field")
    team.members.set([rep, colleague])
    mine = services.opportunity_create(actor=rep, workspace=workspace, data={"name": "Mine", "account_id": account.pk, "currency": "EUR"})
    services.opportunity_create(actor=colleague, workspace=workspace, data={"name": "Team's", "account_id": account.pk, "currency": "EUR"})
    theirs = services.opportunity_create(
        actor=stranger, workspace=workspace, data={"name": "Theirs", "account_id": account.pk, "currency": "EUR"}
    )

    rep_client = api_as(rep, workspace)
    assert sorted(item["name"] for item in rep_client.get("/api/v1/opportunities").json()["items"]) == ["Mine", "Team's"]
    assert rep_client.get(f"/api/v1/opportunities/{theirs.pk}").status_code == 404
    assert rep_client.patch(f"/api/v1/opportunities/{theirs.pk}", {"name": "Hijacked"}).status_code == 404
    viewer = api_as(member(workspace, Role.VIEWER), workspace)
    assert len(viewer.get("/api/v1/opportunities").json()["items"]) == 3
    assert viewer.patch(f"/api/v1/opportunities/{mine.pk}", {"name": "No"}).status_code == 403
    supply = api_as(member(workspace, Role.SUPPLY), workspace)
    assert supply.get("/api/v1/opportunities").status_code == 403
    assert supply.get("/api/v1/products").status_code == 200


def test_the_bin(rep_api, api, deal):
    assert rep_api.delete(f"/api/v1/opportunities/{deal.pk}").status_code == 204
    assert rep_api.get(f"/api/v1/opportunities/{deal.pk}").status_code == 404
    assert [item["id"] for item in api.get("/api/v1/opportunities", {"deleted": "true"}).json()["items"]] == [deal.pk]
    assert rep_api.post(f"/api/v1/opportunities/{deal.pk}/restore").json()["deleted_at"] is None


def test_bulk_endpoints(rep_api, rep, colleague, workspace, account, pipeline):
    created = rep_api.post(
        "/api/v1/opportunities/bulk", {"items": [{"name": f"D{n}", "account_id": account.pk, "currency": "EUR"} for n in range(3)]}
    )
    assert created.status_code == 200, created.content
    ids = [item["id"] for item in created.json()["items"]]
    updated = rep_api.post("/api/v1/opportunities/bulk", {"items": [{"id": ids[0], "amount": "10"}, {"id": 999999, "name": "x"}]})
    assert updated.status_code == 422
    assert [error["field"] for error in updated.json()["errors"]] == ["items.1.id"]
    assert rep_api.post("/api/v1/opportunities/bulk-tag", {"ids": ids, "tags": ["Q4"]}).json() == {"updated": 3}
    assert rep_api.post("/api/v1/opportunities/bulk-assign", {"ids": ids[:1], "owner_id": colleague.pk}).json() == {"updated": 1}
    assert rep_api.post("/api/v1/opportunities/bulk-delete", {"ids": ids[1:]}).json() == {"updated": 2}
    assert Opportunity.objects.filter(deleted_at__isnull=True).count() == 1
    too_many = rep_api.post("/api/v1/opportunities/bulk", {"items": [{"name": "x"}] * 1001})
    assert too_many.status_code == 422


def test_an_idempotency_key_creates_one_deal(rep_api, account, pipeline):
    body = {"name": "Once", "account_id": account.pk, "currency": "EUR"}
    first = rep_api.post("/api/v1/opportunities", body, headers={"Idempotency-Key": "deal-1"})
    again = rep_api.post("/api/v1/opportunities", body, headers={"Idempotency-Key": "deal-1"})
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert Opportunity.objects.count() == 1


def test_pipelines_and_lost_reasons_through_the_api(api, workspace):
    listed = api.get("/api/v1/pipelines").json()["items"]
    assert [(p["name"], len(p["stages"])) for p in listed] == [("Sales", 6)]
    created = api.post(
        "/api/v1/pipelines",
        {
            "name": "Renewals",
            "stages": [{"name": "Due", "probability": 80}, {"name": "Renewed", "kind": "won"}, {"name": "Churned", "kind": "lost"}],
        },
    )
    assert created.status_code == 201, created.content
    assert [(s["name"], s["probability"], s["kind"]) for s in created.json()["stages"]] == [
        ("Due", 80, "open"),
        ("Renewed", 100, "won"),
        ("Churned", 0, "lost"),
    ]
    bad = api.post("/api/v1/pipelines", {"name": "Bad", "stages": [{"name": "A"}, {"name": "a", "kind": "won"}]})
    assert {error["field"] for error in bad.json()["errors"]} == {"stages.1.name"}

    reasons = api.get("/api/v1/lost-reasons").json()["items"]
    assert reasons[0]["name"] == "Price too high"
    added = api.post("/api/v1/lost-reasons", {"name": "Went silent"}).json()
    assert api.patch(f"/api/v1/lost-reasons/{added['id']}", {"active": False}).json()["active"] is False
    assert [r["name"] for r in api.get("/api/v1/lost-reasons", {"active": "false"}).json()["items"]] == ["Went silent"]
    assert api.delete(f"/api/v1/lost-reasons/{added['id']}").status_code == 204
    assert api.delete(f"/api/v1/pipelines/{created.json()['id']}").status_code == 204


def test_a_viewer_listing_pipelines_first_gets_the_default_one(api_as, workspace):
    viewer = api_as(member(workspace, Role.VIEWER), workspace)
    assert [p["name"] for p in viewer.get("/api/v1/pipelines").json()["items"]] == ["Sales"]
    assert viewer.post("/api/v1/pipelines", {"name": "Mine", "stages": [{"name": "A"}]}).status_code == 403


@pytest.mark.parametrize("rows", [2, 20])
def test_the_deal_list_costs_the_same_queries_at_any_size(
    rows, rep_api, rep, workspace, account, pipeline, desk, django_assert_max_num_queries
):
    people = [contact_at(account) for _ in range(3)]
    for number in range(rows):
        services.opportunity_create(
            actor=rep,
            workspace=workspace,
            data={
                "name": f"D{number}", "account_id": account.pk, "currency": "EUR", "tags": ["a", "b"],
                "contacts": [{"contact_id": person.pk} for person in people], "line_items": [{"product_id": desk.pk}, {"name": "x", "unit_price": 1}],
            },
        )  # fmt: skip
    with django_assert_max_num_queries(9):
        assert len(rep_api.get("/api/v1/opportunities", {"limit": 100}).json()["items"]) == rows
    with django_assert_max_num_queries(6):
        assert rep_api.get("/api/v1/pipelines").status_code == 200


def test_deals_and_their_stage_changes_are_on_the_account_and_contact_timelines(
    rep_api, rep, workspace, account, contact, pipeline, lost_reason
):
    deal = services.opportunity_create(
        actor=rep,
        workspace=workspace,
        data={"name": "Fit-out", "account_id": account.pk, "currency": "EUR", "amount": "500", "contacts": [{"contact_id": contact.pk}]},
    )
    services.opportunity_move_stage(actor=rep, opportunity=deal, stage=stage(pipeline, "Proposal"))
    services.opportunity_lose(actor=rep, opportunity=deal, lost_reason=lost_reason)

    for path in [f"/api/v1/accounts/{account.pk}/timeline", f"/api/v1/contacts/{contact.pk}/timeline"]:
        items = rep_api.get(path, {"kind": "opportunity,stage_change"}).json()["items"]
        assert [(item["kind"], item["title"]) for item in items] == [
            ("stage_change", "Deal lost: Fit-out"),
            ("stage_change", "Fit-out moved to Proposal"),
            ("opportunity", "New deal: Fit-out"),
        ]
        assert "Price too high" in items[0]["summary"]
    services.opportunity_soft_delete(actor=rep, opportunity=deal)
    assert rep_api.get(f"/api/v1/accounts/{account.pk}/timeline", {"kind": "opportunity"}).json()["items"] == []


def test_a_deals_own_timeline_holds_what_was_logged_on_it(rep_api, rep, workspace, deal, pipeline, account):
    rep_api.post("/api/v1/interactions", {"channel": "phone", "subject": "Pricing call", "opportunity_id": deal.pk})
    note = rep_api.post("/api/v1/notes", {"body": "Wants a discount", "opportunity_id": deal.pk})
    assert note.status_code == 201, note.content
    assert note.json()["account_id"] == account.pk  # it shows on the account too
    rep_api.post("/api/v1/tasks", {"title": "Send proposal", "opportunity_id": deal.pk})
    services.opportunity_move_stage(actor=rep, opportunity=deal, stage=stage(pipeline, "Qualified"))
    activity_services.note_create(actor=rep, workspace=workspace, body="Unrelated", account=account)

    items = rep_api.get(f"/api/v1/opportunities/{deal.pk}/timeline").json()["items"]
    assert sorted(item["kind"] for item in items) == ["interaction", "note", "opportunity", "stage_change", "task"]
    assert [item["id"] for item in rep_api.get("/api/v1/notes", {"opportunity_id": deal.pk}).json()["items"]] == [note.json()["id"]]
    linking_elsewhere = rep_api.post("/api/v1/notes", {"body": "x", "opportunity_id": 999999})
    assert linking_elsewhere.status_code == 422
    assert linking_elsewhere.json()["errors"][0]["field"] == "opportunity_id"


def test_global_search_finds_deals_and_products(rep_api, rep, owner, workspace, account, pipeline, django_capture_on_commit_callbacks):
    from amity.catalog import services as catalog_services

    with django_capture_on_commit_callbacks(execute=True):
        catalog_services.product_create(
            actor=owner, workspace=workspace, data={"sku": "D-9", "name": "Standing desk", "currency": "EUR", "list_price": 1}
        )
        deal = services.opportunity_create(
            actor=rep, workspace=workspace, data={"name": "Quantum fit-out", "account_id": account.pk, "currency": "EUR"}
        )
    body = rep_api.get("/api/v1/search", {"q": "quantum"}).json()
    groups = {group["type"]: group for group in body["groups"]}
    assert [result["id"] for result in groups["opportunities"]["results"]] == [deal.pk]
    assert "Initech" in groups["opportunities"]["results"][0]["subtitle"]
    assert [r["title"] for r in rep_api.get("/api/v1/search", {"q": "standing desk"}).json()["groups"][0]["results"]] == ["Standing desk"]
    with django_capture_on_commit_callbacks(execute=True):
        services.opportunity_soft_delete(actor=rep, opportunity=deal)
    assert "opportunities" not in {group["type"] for group in rep_api.get("/api/v1/search", {"q": "quantum"}).json()["groups"]}


def test_expected_close_date_defaults_to_a_month_out(rep_api, account, pipeline):
    assert _deal(rep_api, account)["expected_close_date"] == (date.today() + timedelta(days=30)).isoformat()
