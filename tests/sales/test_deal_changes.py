"""A deal's field changes on its timeline and its account's, from the audit log, in words (amity.sales.deal_changes)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from amity.core import permissions
from amity.core.models import FieldDefinition, User
from amity.core.permissions import ObjectType, Role
from amity.sales import services
from amity.sales.models import Opportunity
from tests.factories import member
from tests.sales.conftest import stage

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner_api(api_as: Any, owner: User, workspace: Any) -> Any:
    """The workspace's owner, who sees every deal (a rep no longer sees one given to someone outside their teams)."""
    return api_as(owner, workspace)


def changes_of(client: Any, path: str) -> list[dict[str, Any]]:
    response = client.get(path, {"kind": "deal_change"})
    assert response.status_code == 200, response.content
    return response.json()["items"]


def lines(item: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(line["label"], line["before"], line["after"]) for line in item["extra"]["lines"]]


def test_a_deals_field_changes_are_on_its_timeline_in_words(owner_api, owner, rep, colleague, workspace, deal, account):
    FieldDefinition.objects.create(workspace=workspace, object_type="opportunity", key="budget", label="Budget", type="money")
    FieldDefinition.objects.create(workspace=workspace, object_type="opportunity", key="review_at", label="Review", type="datetime")
    owner.time_zone = "Europe/Berlin"
    owner.save(update_fields=["time_zone"])
    close = deal.expected_close_date
    services.opportunity_update(
        actor=rep,
        opportunity=deal,
        data={
            "amount": "15000",
            "expected_close_date": dt.date(2027, 3, 31),
            "owner_id": colleague.pk,
            "probability": 40,
            "next_step": "Send the proposal",
            "tags": ["Priority"],
            "custom": {"budget": {"amount": "20000", "currency": "EUR"}, "review_at": "2027-01-15T09:30:00Z"},
        },
    )

    for path in [f"/api/v1/opportunities/{deal.pk}/timeline", f"/api/v1/accounts/{account.pk}/timeline"]:
        (item,) = changes_of(owner_api, path)
        assert item["title"] == "Changed Initech office"
        assert item["actor_name"] == "Rita Rep"
        assert item["object_id"] == str(deal.pk)
        assert lines(item) == [  # the money first, the custom fields last, on both databases
            ("Amount", "€12,000.00", "€15,000.00"),
            ("Close date", f"{close.day} {close:%b %Y}", "31 Mar 2027"),
            ("Probability", "10%", "40%"),
            ("Owner", "Rita Rep", "Carl Colleague"),
            ("Next step", "", "Send the proposal"),
            ("Tags", "", "Priority"),
            ("Budget", "", "€20,000.00"),
            ("Review", "", "15 Jan 2027, 10:30 CET"),  # in the reader's zone
        ]
        assert "Amount: €12,000.00 → €15,000.00" in item["summary"] and "Next step: — → Send the proposal" in item["summary"]


def test_a_stage_move_is_said_once_by_its_own_entry(rep_api, rep, deal, pipeline):
    services.opportunity_move_stage(actor=rep, opportunity=deal, stage=stage(pipeline, "Proposal"))
    assert changes_of(rep_api, f"/api/v1/opportunities/{deal.pk}/timeline") == []  # the stage_change entry says it

    services.opportunity_update(actor=rep, opportunity=deal, data={"stage_id": stage(pipeline, "Negotiation").pk, "amount": "9000"})

    (item,) = changes_of(rep_api, f"/api/v1/opportunities/{deal.pk}/timeline")
    assert lines(item) == [("Amount", "€12,000.00", "€9,000.00")]  # not the stage, probability or forecast category
    services.opportunity_set_forecast_category(actor=rep, opportunity=deal, category="best_case")
    newest = changes_of(rep_api, f"/api/v1/opportunities/{deal.pk}/timeline")[0]
    assert lines(newest) == [("Forecast category", "Commit", "Best case")]  # chosen by itself, it is a change of its own


def test_deal_changes_follow_deal_visibility_and_leave_other_deals_out(api_as, rep, workspace, deal, account, pipeline):
    outsider = member(workspace, Role.SALES, email="sam@acme.test", full_name="Sam Other")
    other = services.opportunity_create(
        actor=outsider, workspace=workspace, data={"name": "Other deal", "account_id": account.pk, "currency": "EUR"}
    )
    services.opportunity_update(actor=rep, opportunity=deal, data={"next_step": "Call"})
    services.opportunity_update(actor=outsider, opportunity=other, data={"next_step": "Email"})

    assert [item["title"] for item in changes_of(api_as(rep, workspace), f"/api/v1/accounts/{account.pk}/timeline")] == [
        "Changed Initech office"
    ]  # Sam's deal is not in Rita's team
    assert changes_of(api_as(rep, workspace), f"/api/v1/opportunities/{deal.pk}/timeline")[0]["object_id"] == str(deal.pk)
    services.opportunity_soft_delete(actor=rep, opportunity=deal)
    assert changes_of(api_as(rep, workspace), f"/api/v1/accounts/{account.pk}/timeline") == []


def test_a_field_hidden_from_a_role_is_not_on_its_deal_changes(api_as, rep, workspace, deal, account, monkeypatch):
    # No deal field is sensitive today; a workspace that marks one so (as contacts' can be) keeps it off the timeline too.
    monkeypatch.setattr(permissions, "SENSITIVE_CUSTOM_TYPES", permissions.SENSITIVE_CUSTOM_TYPES | {ObjectType.OPPORTUNITY})
    FieldDefinition.objects.create(
        workspace=workspace, object_type="opportunity", key="margin", label="Margin", type="number", sensitive=True
    )
    services.opportunity_update(actor=rep, opportunity=deal, data={"next_step": "Call", "custom": {"margin": 31}})
    viewer = member(workspace, Role.VIEWER, email="vic@acme.test")

    (seen_by_rep,) = changes_of(api_as(rep, workspace), f"/api/v1/opportunities/{deal.pk}/timeline")
    (seen_by_viewer,) = changes_of(api_as(viewer, workspace), f"/api/v1/opportunities/{deal.pk}/timeline")

    assert lines(seen_by_rep) == [("Next step", "", "Call"), ("Margin", "", "31")]
    assert lines(seen_by_viewer) == [("Next step", "", "Call")]
    assert seen_by_viewer["extra"]["changes"] == {"next_step": ["", "Call"]} and "Margin" not in seen_by_viewer["summary"]


def _changes(rep: User, deal: Opportunity, colleague: User, count: int) -> None:
    for number in range(count):
        owner = colleague if number % 2 else rep
        services.opportunity_update(
            actor=rep, opportunity=deal, data={"amount": str(1000 + number), "owner_id": owner.pk, "tags": [f"t{number}"]}
        )


def test_deal_changes_read_a_constant_number_of_queries(owner_api, rep, colleague, workspace, deal, account):
    FieldDefinition.objects.create(workspace=workspace, object_type="opportunity", key="region", label="Region", type="text")

    def count(path: str, expected: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert len(changes_of(owner_api, path)) == expected
        return len(captured.captured_queries)

    _changes(rep, deal, colleague, 3)
    services.opportunity_update(actor=rep, opportunity=deal, data={"custom": {"region": "North"}})
    count(f"/api/v1/opportunities/{deal.pk}/timeline", 4)  # the first request of a token reads more
    few = [count(f"/api/v1/opportunities/{deal.pk}/timeline", 4), count(f"/api/v1/accounts/{account.pk}/timeline", 4)]
    _changes(rep, deal, colleague, 20)
    many = [count(f"/api/v1/opportunities/{deal.pk}/timeline", 24), count(f"/api/v1/accounts/{account.pk}/timeline", 24)]
    assert many == few


def test_another_workspaces_deal_timeline_is_a_404(api_as, other_workspace, deal):
    outsider = member(other_workspace, Role.OWNER, email="hank@globex.test")
    assert api_as(outsider, other_workspace).get(f"/api/v1/opportunities/{deal.pk}/timeline").status_code == 404


def test_a_member_who_left_is_named_as_such(owner_api, rep, workspace, deal):
    leaver = member(workspace, Role.SALES, email="lee@acme.test", full_name="Lee Leaver")
    services.opportunity_update(actor=rep, opportunity=deal, data={"owner_id": leaver.pk})
    leaver.memberships.all().delete()
    (item,) = changes_of(owner_api, f"/api/v1/opportunities/{deal.pk}/timeline")
    assert lines(item) == [("Owner", "Rita Rep", "a former member")]
