"""Alerts about deals: no activity, close date passed, a large deal moved backward; once per condition; constant queries."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from amity.activities import services as activity_services
from amity.core import alerts
from amity.core.models import AlertRule, AlertState, Notification, Team, User, Workspace
from amity.core.permissions import Role
from amity.customers.models import Account
from amity.sales import services
from amity.sales.models import Opportunity, Pipeline
from tests.factories import member
from tests.sales.conftest import stage

NOW = timezone.now()


def _age(deal: Opportunity, days: int) -> None:
    """Make a deal look `days` old: created, and in its stage, that long ago."""
    then = NOW - timedelta(days=days)
    Opportunity.objects.filter(pk=deal.pk).update(created_at=then, stage_changed_at=then)


def _deal(rep: User, workspace: Workspace, account: Account, name: str, **data: Any) -> Opportunity:
    return services.opportunity_create(
        actor=rep, workspace=workspace, data={"name": name, "account_id": account.pk, "currency": "EUR", "amount": "5000", **data}
    )


def _alerts(kind: str) -> list[tuple[str, str, str]]:
    return [(n.recipient.email, n.title, n.url) for n in Notification.objects.filter(kind=kind).select_related("recipient").order_by("id")]


def test_a_deal_without_activity_for_14_days_alerts_its_owner_once(rep, workspace, account, pipeline, contact):
    quiet = _deal(rep, workspace, account, "Quiet deal")
    busy = _deal(rep, workspace, account, "Busy deal")
    young = _deal(rep, workspace, account, "Young deal")
    for deal in (quiet, busy):
        _age(deal, 20)
    _age(young, 10)
    activity_services.note_create(actor=rep, workspace=workspace, body="Sent the proposal", contact=contact, opportunity=busy)

    assert alerts.evaluate_workspace(workspace=workspace, now=NOW) == 1
    assert alerts.evaluate_workspace(workspace=workspace, now=NOW + timedelta(minutes=15)) == 0

    assert _alerts("deal_no_activity") == [("rep@acme.test", "No activity for 14 days: Quiet deal", f"/w/acme/deals/{quiet.pk}/")]
    assert "Initech" in Notification.objects.get(kind="deal_no_activity").body


def test_activity_clears_the_condition_and_a_new_silence_alerts_again(rep, workspace, account, pipeline, contact):
    deal = _deal(rep, workspace, account, "Quiet deal")
    _age(deal, 20)
    alerts.evaluate_workspace(workspace=workspace, now=NOW)
    activity_services.interaction_log(
        actor=rep, workspace=workspace, channel="phone", subject="Call", contacts=[contact], opportunity=deal, occurred_at=NOW
    )

    alerts.evaluate_workspace(workspace=workspace, now=NOW + timedelta(minutes=15))
    assert not AlertState.objects.filter(kind="deal_no_activity").exists()  # cleared: the call counts as activity

    assert alerts.evaluate_workspace(workspace=workspace, now=NOW + timedelta(days=15)) == 1
    assert len(_alerts("deal_no_activity")) == 2


def test_a_stage_change_counts_as_activity(rep, workspace, account, pipeline):
    deal = _deal(rep, workspace, account, "Moving deal")
    _age(deal, 20)
    services.opportunity_move_stage(actor=rep, opportunity=deal, stage=stage(pipeline, "Qualified"))

    assert alerts.evaluate_workspace(workspace=workspace, now=NOW) == 0


def test_a_passed_close_date_alerts_until_the_date_moves_or_the_deal_closes(rep, workspace, account, pipeline):
    late = _deal(rep, workspace, account, "Late deal", expected_close_date=str((NOW - timedelta(days=2)).date()))
    _deal(rep, workspace, account, "On time", expected_close_date=str((NOW + timedelta(days=2)).date()))

    assert alerts.evaluate_workspace(workspace=workspace, now=NOW) == 1
    assert _alerts("deal_close_date_passed") == [("rep@acme.test", "Close date passed: Late deal", f"/w/acme/deals/{late.pk}/")]

    services.opportunity_win(actor=rep, opportunity=late)
    alerts.evaluate_workspace(workspace=workspace, now=NOW + timedelta(minutes=15))
    assert not AlertState.objects.filter(kind="deal_close_date_passed").exists()


def test_a_rule_turned_off_or_tuned_is_obeyed(admin, rep, workspace, account, pipeline):
    deal = _deal(rep, workspace, account, "Quiet deal", expected_close_date=str((NOW - timedelta(days=3)).date()))
    _age(deal, 20)
    alerts.alert_rules_setup(workspace=workspace)
    rules = {rule.kind: rule for rule in AlertRule.objects.filter(workspace=workspace)}
    alerts.alert_rule_update(actor=admin, workspace=workspace, rule=rules["deal_no_activity"], params={"days": 30})
    alerts.alert_rule_update(actor=admin, workspace=workspace, rule=rules["deal_close_date_passed"], enabled=False)

    assert alerts.evaluate_workspace(workspace=workspace, now=NOW) == 0
    assert alerts.evaluate_workspace(workspace=workspace, now=NOW + timedelta(days=11)) == 1
    assert _alerts("deal_no_activity")[0][1] == "No activity for 30 days: Quiet deal"


def test_bad_parameters_name_the_field_and_change_nothing(admin, workspace):
    from django.core.exceptions import ValidationError

    alerts.alert_rules_setup(workspace=workspace)
    rule = AlertRule.objects.get(workspace=workspace, kind="deal_no_activity")
    with pytest.raises(ValidationError) as problem:
        alerts.alert_rule_update(actor=admin, workspace=workspace, rule=rule, params={"days": 0, "weeks": 2})
    assert set(problem.value.message_dict) == {"params.days", "params.weeks"}
    rule.refresh_from_db()
    assert rule.params == {}


def test_a_rep_cannot_tune_rules(rep, workspace):
    from django.core.exceptions import PermissionDenied

    alerts.alert_rules_setup(workspace=workspace)
    rule = AlertRule.objects.get(workspace=workspace, kind="deal_no_activity")
    with pytest.raises(PermissionDenied):
        alerts.alert_rule_update(actor=rep, workspace=workspace, rule=rule, enabled=False)


def test_many_alerts_for_one_person_come_as_ten_and_a_summary(rep, workspace, account, pipeline):
    for n in range(13):
        _age(_deal(rep, workspace, account, f"Quiet {n}"), 20)

    assert alerts.evaluate_workspace(workspace=workspace, now=NOW) == 13

    titles = [title for _, title, _ in _alerts("deal_no_activity")]
    assert len(titles) == 11
    assert titles[-1] == "3 more: A deal has had no activity"
    assert AlertState.objects.filter(kind="deal_no_activity").count() == 13  # all 13 are remembered


def test_another_workspace_is_neither_alerted_nor_cleared(rep, workspace, account, pipeline, other_workspace):
    stranger = member(other_workspace, Role.SALES, email="stranger@globex.test")
    other_account = Account.objects.create(workspace=other_workspace, name="Globex buyer")
    services.sales_setup(workspace=other_workspace)
    theirs = _deal(stranger, other_workspace, other_account, "Their quiet deal")
    _age(theirs, 20)
    alerts.evaluate_workspace(workspace=other_workspace, now=NOW)

    alerts.evaluate_workspace(workspace=workspace, now=NOW)

    assert Notification.objects.filter(workspace=workspace).count() == 0
    assert AlertState.objects.filter(workspace=other_workspace, record_id=theirs.pk).exists()


# --- A large deal moved backward ------------------------------------------------------------------------------


@pytest.fixture
def team_of_rep(rep, workspace) -> Team:
    manager = member(workspace, Role.MANAGER, email="manager@acme.test", full_name="Mona Manager")
    team = Team.objects.create(workspace=workspace, name="Field sales", manager=manager)
    team.members.add(rep)
    return team


def test_a_large_deal_moved_backward_tells_owner_and_manager_but_not_the_mover(
    rep, workspace, account, pipeline, team_of_rep, django_capture_on_commit_callbacks
):
    deal = _deal(rep, workspace, account, "Big deal", amount="25000")
    services.opportunity_move_stage(actor=rep, opportunity=deal, stage=stage(pipeline, "Proposal"))

    with django_capture_on_commit_callbacks(execute=True):
        services.opportunity_move_stage(actor=rep, opportunity=deal, stage=stage(pipeline, "Qualified"))

    assert _alerts("deal_moved_backward") == [("manager@acme.test", "Big deal moved back to Qualified", f"/w/acme/deals/{deal.pk}/")]
    body = Notification.objects.get(kind="deal_moved_backward").body
    assert body == "Rita Rep moved it from Proposal to Qualified (25,000.00 EUR)."


def test_small_deals_and_forward_moves_raise_nothing(
    admin, rep, workspace, account, pipeline, team_of_rep, django_capture_on_commit_callbacks
):
    small = _deal(rep, workspace, account, "Small deal", amount="9999.99")
    big = _deal(rep, workspace, account, "Big deal", amount="10000")
    with django_capture_on_commit_callbacks(execute=True):
        services.opportunity_move_stage(actor=admin, opportunity=small, stage=stage(pipeline, "Proposal"))
        services.opportunity_move_stage(actor=admin, opportunity=small, stage=stage(pipeline, "New"))
        services.opportunity_move_stage(actor=admin, opportunity=big, stage=stage(pipeline, "Proposal"))

    assert _alerts("deal_moved_backward") == []

    with django_capture_on_commit_callbacks(execute=True):
        services.opportunity_move_stage(actor=admin, opportunity=big, stage=stage(pipeline, "New"))
    assert {email for email, _, _ in _alerts("deal_moved_backward")} == {"rep@acme.test", "manager@acme.test"}


def test_the_backward_alert_goes_once_even_when_its_task_runs_again(
    admin, rep, workspace, account, pipeline, django_capture_on_commit_callbacks
):
    from amity.sales.alerts import alert_moved_backward
    from amity.sales.models import StageChange

    deal = _deal(rep, workspace, account, "Big deal", amount="50000")
    services.opportunity_move_stage(actor=admin, opportunity=deal, stage=stage(pipeline, "Proposal"))
    with django_capture_on_commit_callbacks(execute=True):
        services.opportunity_move_stage(actor=admin, opportunity=deal, stage=stage(pipeline, "New"))
    change = StageChange.objects.filter(opportunity=deal).latest("id")

    assert alert_moved_backward(stage_change_id=change.pk) == 0
    assert len(_alerts("deal_moved_backward")) == 1
    assert len(mail.outbox) == 1  # the owner wants mail immediately (the default)
    assert mail.outbox[0].subject == "Big deal moved back to New"


def test_the_backward_rule_can_be_turned_off(admin, rep, workspace, account, pipeline, django_capture_on_commit_callbacks):
    alerts.alert_rules_setup(workspace=workspace)
    rule = AlertRule.objects.get(workspace=workspace, kind="deal_moved_backward")
    alerts.alert_rule_update(actor=admin, workspace=workspace, rule=rule, enabled=False)
    deal = _deal(rep, workspace, account, "Big deal", amount="50000")
    services.opportunity_move_stage(actor=admin, opportunity=deal, stage=stage(pipeline, "Proposal"))
    with django_capture_on_commit_callbacks(execute=True):
        services.opportunity_move_stage(actor=admin, opportunity=deal, stage=stage(pipeline, "New"))

    assert _alerts("deal_moved_backward") == []


# --- Set-based: a constant number of queries -----------------------------------------------------------------


def _bulk_deals(workspace: Workspace, pipeline: Pipeline, owner: User, account: Account, count: int) -> None:
    first = pipeline.stages.order_by("position").first()
    then = NOW - timedelta(days=40)
    Opportunity.objects.bulk_create(
        Opportunity(
            workspace=workspace, name=f"Deal {n}", account=account, pipeline=pipeline, stage=first, amount=1000, currency="EUR",
            expected_close_date=(NOW - timedelta(days=5)).date(), probability=10, owner=owner, created_at=then, stage_changed_at=then,
        )
        for n in range(count)
    )  # fmt: skip


def _evaluation_queries(workspace: Workspace) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as first:
        alerts.evaluate_workspace(workspace=workspace, now=NOW)
    with CaptureQueriesContext(connection) as again:
        alerts.evaluate_workspace(workspace=workspace, now=NOW + timedelta(minutes=15))
    return len(first), len(again)


@pytest.mark.parametrize("count", [3, 300])
def test_evaluation_takes_the_same_number_of_queries_whatever_the_number_of_deals(count, rep, workspace, account, pipeline):
    _bulk_deals(workspace, pipeline, rep, account, count)
    other = member(workspace, Role.SALES, email="other@acme.test")
    _bulk_deals(workspace, pipeline, other, account, count)

    first, again = _evaluation_queries(workspace)

    # The settings (1); per scheduled rule its savepoint and release, find, clear; with new alerts also the claim (2) and
    # the notifications (preferences, people, insert). Overdue tasks, leads not contacted, overdue invoices and the cases'
    # service levels find none here.
    assert (first, again) == (41, 31)
    assert AlertState.objects.filter(kind="deal_no_activity").count() == 2 * count
