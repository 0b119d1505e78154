"""Deals through their services: stages and their rules, history, lines, people, audit, errors that name the field."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from amity.core.models import AuditEntry
from amity.core.permissions import Role
from amity.sales import services
from amity.sales.models import LineItem, Opportunity, Pipeline, Stage, StageChange
from amity.sales.services.pipelines import DEFAULT_LOST_REASONS
from tests.factories import AccountFactory, member
from tests.sales.conftest import stage


def _errors(raised: Any) -> dict[str, list[str]]:
    return raised.value.message_dict


def test_a_workspace_gets_the_default_pipeline_once(workspace):
    first = services.sales_setup(workspace=workspace)
    again = services.sales_setup(workspace=workspace)

    assert first.pk == again.pk and first.is_default
    assert [(s.name, s.probability, s.kind) for s in first.stages.all()] == [
        ("New", 10, "open"), ("Qualified", 25, "open"), ("Proposal", 50, "open"), ("Negotiation", 75, "open"),
        ("Won", 100, "won"), ("Lost", 0, "lost"),
    ]  # fmt: skip
    assert Pipeline.objects.filter(workspace=workspace).count() == 1
    assert [r.name for r in workspace_reasons(workspace)] == DEFAULT_LOST_REASONS


def workspace_reasons(workspace):
    from amity.sales.models import LostReason

    return list(LostReason.objects.filter(workspace=workspace).order_by("position"))


def test_a_new_deal_starts_in_the_first_open_stage_with_its_probability_and_history(rep, workspace, account):
    deal = services.opportunity_create(
        actor=rep, workspace=workspace, data={"name": "Big order", "account_id": account.pk, "currency": "eur", "amount": "1250.5"}
    )

    assert (deal.stage.name, deal.status, deal.probability, deal.owner, deal.currency) == ("New", "open", 10, rep, "EUR")
    assert deal.amount == Decimal("1250.50")
    assert deal.expected_close_date == timezone.localdate() + timedelta(days=30)
    change = StageChange.objects.get(opportunity=deal)
    assert (change.from_stage, change.to_stage_name, change.changed_by, change.amount) == (None, "New", rep, Decimal("1250.50"))
    entry = AuditEntry.objects.get(object_type="sales.opportunity", action="create")
    assert entry.changes["amount"] == [None, "1250.50"]
    assert entry.changes["stage"] == [None, deal.stage_id]


def test_bad_input_names_every_field_and_writes_nothing(rep, workspace, account, pipeline):
    with pytest.raises(ValidationError) as raised:
        services.opportunity_create(
            actor=rep,
            workspace=workspace,
            data={"name": "", "account_id": 999999, "currency": "EURO", "amount": "-5", "probability": 120, "owner_id": 424242},
        )

    assert set(_errors(raised)) == {"name", "account_id", "currency", "amount", "owner_id", "probability"}
    assert "ISO 4217" in _errors(raised)["currency"][0]
    assert Opportunity.objects.count() == 0
    assert StageChange.objects.count() == 0


def test_moving_records_who_when_and_resets_the_probability(rep, deal, pipeline):
    moved = services.opportunity_move_stage(actor=rep, opportunity=deal, stage=stage(pipeline, "Proposal"))

    assert (moved.stage.name, moved.probability, moved.status) == ("Proposal", 50, "open")
    history = list(StageChange.objects.filter(opportunity=deal).order_by("changed_at", "id"))
    assert [(c.from_stage_name, c.to_stage_name) for c in history] == [("", "New"), ("New", "Proposal")]
    assert history[-1].changed_by == rep
    audit = AuditEntry.objects.filter(object_type="sales.opportunity", action="update").get()
    assert audit.changes["stage"] == [stage(pipeline, "New").pk, stage(pipeline, "Proposal").pk]
    assert audit.changes["probability"] == [10, 50]


def test_a_stage_of_another_pipeline_is_refused(rep, deal, owner, workspace):
    other = services.pipeline_create(
        actor=owner,
        workspace=workspace,
        data={"name": "Renewals", "stages": [{"name": "Due"}, {"name": "Renewed", "kind": "won"}, {"name": "Churned", "kind": "lost"}]},
    )
    with pytest.raises(ValidationError) as raised:
        services.opportunity_move_stage(actor=rep, opportunity=deal, stage=other.stages.get(name="Due"))
    assert _errors(raised) == {"stage_id": ["This stage belongs to another pipeline."]}


def test_losing_needs_a_reason_and_closes_the_deal(rep, deal, pipeline, lost_reason):
    with pytest.raises(ValidationError) as raised:
        services.opportunity_move_stage(actor=rep, opportunity=deal, stage=stage(pipeline, "Lost"))
    assert list(_errors(raised)) == ["lost_reason_id"]
    deal.refresh_from_db()
    assert deal.status == "open"
    assert StageChange.objects.filter(opportunity=deal).count() == 1

    lost = services.opportunity_lose(actor=rep, opportunity=deal, lost_reason=lost_reason, lost_note="Went with a cheaper offer")

    assert (lost.status, lost.probability, lost.lost_reason, lost.lost_note) == ("lost", 0, lost_reason, "Went with a cheaper offer")
    assert lost.closed_at is not None


def test_winning_and_reopening_go_back_to_the_last_open_stage(rep, deal, pipeline):
    services.opportunity_move_stage(actor=rep, opportunity=deal, stage=stage(pipeline, "Negotiation"))
    won = services.opportunity_win(actor=rep, opportunity=deal)
    assert (won.status, won.probability, won.stage.name) == ("won", 100, "Won")
    assert won.closed_at is not None

    reopened = services.opportunity_reopen(actor=rep, opportunity=deal)

    assert (reopened.status, reopened.stage.name, reopened.probability, reopened.closed_at) == ("open", "Negotiation", 75, None)
    with pytest.raises(ValidationError):
        services.opportunity_reopen(actor=rep, opportunity=deal)


def test_a_closed_deals_probability_is_its_stages(rep, deal):
    services.opportunity_win(actor=rep, opportunity=deal)
    with pytest.raises(ValidationError) as raised:
        services.opportunity_update(actor=rep, opportunity=deal, data={"probability": 40})
    assert list(_errors(raised)) == ["probability"]


def test_probability_can_be_overridden_while_open(rep, deal):
    services.opportunity_update(actor=rep, opportunity=deal, data={"probability": 35, "next_step": "  Send   the proposal "})
    deal.refresh_from_db()
    assert (deal.probability, deal.next_step) == (35, "Send the proposal")


def test_creating_a_deal_straight_into_lost_needs_a_reason(rep, workspace, account, pipeline, lost_reason):
    data = {"name": "Gone", "account_id": account.pk, "currency": "EUR", "stage_id": stage(pipeline, "Lost").pk}
    with pytest.raises(ValidationError) as raised:
        services.opportunity_create(actor=rep, workspace=workspace, data=data)
    assert list(_errors(raised)) == ["lost_reason_id"]

    deal = services.opportunity_create(actor=rep, workspace=workspace, data={**data, "lost_reason_id": lost_reason.pk})
    assert (deal.status, deal.lost_reason) == ("lost", lost_reason)


def test_line_items_price_from_the_catalog_and_make_the_amount(rep, deal, desk, chair):
    services.opportunity_set_line_items(
        actor=rep,
        opportunity=deal,
        items=[
            {"product_id": desk.pk, "quantity": 3, "discount_percent": "10"},
            {"product_id": chair.pk, "quantity": "2", "unit_price": "400"},
            {"name": "Installation", "quantity": "1.5", "unit_price": "85", "tax_rate": "0"},
        ],
    )

    lines = list(LineItem.objects.filter(opportunity=deal).order_by("position"))
    assert [(line.name, line.unit_price, line.net_amount, line.tax_amount, line.total_amount) for line in lines] == [
        ("Standing desk", Decimal("649.00"), Decimal("1752.30"), Decimal("332.94"), Decimal("2085.24")),
        ("Chair", Decimal("400.00"), Decimal("800.00"), Decimal("152.00"), Decimal("952.00")),
        ("Installation", Decimal("85.00"), Decimal("127.50"), Decimal("0.00"), Decimal("127.50")),
    ]
    deal.refresh_from_db()
    assert deal.amount == Decimal("2679.80")
    with pytest.raises(ValidationError) as raised:
        services.opportunity_update(actor=rep, opportunity=deal, data={"amount": "1"})
    assert list(_errors(raised)) == ["amount"]


def test_bad_lines_name_their_row_and_change_nothing(rep, deal, desk):
    with pytest.raises(ValidationError) as raised:
        services.opportunity_set_line_items(
            actor=rep,
            opportunity=deal,
            items=[
                {"product_id": desk.pk, "quantity": 0},
                {"product_id": 99999},
                {"quantity": 1},
                {"product_id": desk.pk, "discount_percent": 120},
            ],
        )
    assert set(_errors(raised)) == {
        "line_items.0.quantity", "line_items.1.product_id", "line_items.2.name", "line_items.2.unit_price", "line_items.3.discount_percent",
    }  # fmt: skip
    assert LineItem.objects.count() == 0
    deal.refresh_from_db()
    assert deal.amount == Decimal("12000.00")


def test_a_product_without_a_price_in_the_deals_currency_asks_for_one(rep, workspace, account, desk, pipeline):
    usd = services.opportunity_create(actor=rep, workspace=workspace, data={"name": "US", "account_id": account.pk, "currency": "USD"})
    with pytest.raises(ValidationError) as raised:
        services.opportunity_set_line_items(actor=rep, opportunity=usd, items=[{"product_id": desk.pk}])
    assert _errors(raised) == {"line_items.0.unit_price": ["No price book prices DSK-1 in USD; give a unit price."]}


def test_contacts_with_roles(rep, deal, contact, workspace):
    services.opportunity_set_contacts(
        actor=rep, opportunity=deal, contacts=[{"contact_id": contact.pk, "role": "champion", "is_primary": True}]
    )
    assert [(r.contact, r.role, r.is_primary) for r in deal.contact_roles.all()] == [(contact, "champion", True)]

    with pytest.raises(ValidationError) as raised:
        services.opportunity_set_contacts(
            actor=rep, opportunity=deal, contacts=[{"contact_id": contact.pk, "role": "boss"}, {"contact_id": 0}]
        )
    assert set(_errors(raised)) == {"contacts.0.role", "contacts.1.contact_id"}
    assert deal.contact_roles.count() == 1


def test_pipelines_keep_one_default_and_refuse_removing_stages_with_deals(owner, workspace, deal, pipeline):
    renewals = services.pipeline_create(
        actor=owner,
        workspace=workspace,
        data={
            "name": "Renewals",
            "is_default": True,
            "stages": [{"name": "Due"}, {"name": "Renewed", "kind": "won"}, {"name": "Churned", "kind": "lost"}],
        },
    )
    pipeline.refresh_from_db()
    assert renewals.is_default and not pipeline.is_default

    stages = [{"id": s.pk, "name": s.name, "probability": s.probability, "kind": s.kind} for s in pipeline.stages.exclude(name="New")]
    with pytest.raises(ValidationError) as raised:
        services.pipeline_update(actor=owner, pipeline=pipeline, data={"stages": stages})
    assert _errors(raised) == {"stages": ["Deals are in 'New'; move them to another stage before removing it."]}

    with pytest.raises(ValidationError):
        services.pipeline_create(actor=owner, workspace=workspace, data={"name": "Odd", "stages": [{"name": "Only open"}]})
    with pytest.raises(ValidationError):
        services.pipeline_delete(actor=owner, pipeline=pipeline)  # it holds a deal


def test_stages_can_be_renamed_and_reordered_keeping_their_deals(owner, workspace, deal, pipeline):
    rows = [{"id": s.pk, "name": s.name, "probability": s.probability, "kind": s.kind} for s in pipeline.stages.all()]
    rows[0]["name"], rows[1]["name"] = rows[1]["name"], rows[0]["name"]  # swap New and Qualified's names
    services.pipeline_update(actor=owner, pipeline=pipeline, data={"stages": [rows[1], rows[0], *rows[2:]]})

    deal.refresh_from_db()
    assert deal.stage.name == "Qualified"
    assert [s.name for s in pipeline.stages.order_by("position")][:2] == ["New", "Qualified"]


def test_roles_without_the_grant_are_refused(workspace, deal, pipeline):
    viewer = member(workspace, Role.VIEWER)
    with pytest.raises(PermissionDenied):
        services.opportunity_update(actor=viewer, opportunity=deal, data={"name": "x"})
    with pytest.raises(PermissionDenied):
        services.pipeline_update(actor=member(workspace, Role.SALES), pipeline=pipeline, data={"name": "x"})


def test_soft_delete_and_restore_are_audited(rep, deal):
    services.opportunity_soft_delete(actor=rep, opportunity=deal)
    assert deal.deleted_at is not None
    services.opportunity_restore(actor=rep, opportunity=deal)
    assert deal.deleted_at is None
    assert list(AuditEntry.objects.filter(object_type="sales.opportunity").values_list("action", flat=True).order_by("id")) == [
        "create", "delete", "restore",
    ]  # fmt: skip


def test_bulk_save_is_all_or_nothing_with_an_error_per_row(rep, workspace, account, pipeline):
    with pytest.raises(ValidationError) as raised:
        services.bulk_save(
            actor=rep,
            workspace=workspace,
            rows=[{"name": "A", "account_id": account.pk, "currency": "EUR"}, {"name": "B", "account_id": account.pk, "currency": "XYZ"}],
        )
    assert list(_errors(raised)) == ["items.1.currency"]
    assert Opportunity.objects.count() == 0

    saved = services.bulk_save(
        actor=rep, workspace=workspace, rows=[{"name": f"D{n}", "account_id": account.pk, "currency": "EUR"} for n in range(3)]
    )
    assert [deal.name for deal in saved] == ["D0", "D1", "D2"]


def test_external_ids_are_unique_per_workspace(rep, workspace, account, pipeline, other_workspace):
    data = {"name": "A", "account_id": account.pk, "currency": "EUR", "external_id": "SF-1"}
    services.opportunity_create(actor=rep, workspace=workspace, data=data)
    with pytest.raises(ValidationError) as raised:
        services.opportunity_create(actor=rep, workspace=workspace, data=data)
    assert list(_errors(raised)) == ["external_id"]
    stranger = member(other_workspace, Role.SALES)
    foreign = services.opportunity_create(
        actor=stranger, workspace=other_workspace, data={**data, "account_id": AccountFactory(workspace=other_workspace).pk}
    )
    assert foreign.external_id == "SF-1"


def test_an_account_of_another_workspace_cannot_be_used(rep, workspace, other_workspace, pipeline):
    with pytest.raises(ValidationError) as raised:
        services.opportunity_create(
            actor=rep,
            workspace=workspace,
            data={"name": "X", "account_id": AccountFactory(workspace=other_workspace).pk, "currency": "EUR"},
        )
    assert list(_errors(raised)) == ["account_id"]


def test_stage_kind_change_is_refused_while_deals_are_in_it(owner, deal, pipeline):
    rows = [{"id": s.pk, "name": s.name, "probability": s.probability, "kind": s.kind} for s in pipeline.stages.all()]
    rows[0]["kind"] = Stage.Kind.WON
    with pytest.raises(ValidationError) as raised:
        services.pipeline_update(actor=owner, pipeline=pipeline, data={"stages": rows})
    assert list(_errors(raised)) == ["stages.0.kind"]
