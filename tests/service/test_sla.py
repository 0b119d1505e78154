"""Service levels: business time, the policy a case gets, the clock stopping while it waits, warnings, breaches, escalation."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from amity.core.alerts import evaluate_workspace
from amity.core.models import AuditEntry, Notification, User, Workspace
from amity.core.permissions import Role
from amity.customers.models import Account
from amity.service import services, sla
from amity.service.alerts import escalate_breaches
from amity.service.models import BusinessCalendar, Case
from tests.factories import member

BERLIN = dt.timezone(dt.timedelta(hours=1))  # December: CET


@pytest.fixture
def office(workspace: Workspace, admin: User) -> BusinessCalendar:
    return services.calendar_save(
        actor=admin,
        workspace=workspace,
        data={
            "name": "Berlin office",
            "time_zone": "Europe/Berlin",
            "holiday_country": "DE",
            "closed_days": ["2026-12-28"],
            "is_default": True,
        },
    )


def test_business_minutes_skip_nights_weekends_public_holidays_and_closed_days(office: BusinessCalendar) -> None:
    friday_afternoon = dt.datetime(2026, 12, 4, 16, 30, tzinfo=BERLIN)
    assert sla.add_business_minutes(office, friday_afternoon, 240) == dt.datetime(2026, 12, 7, 12, 30, tzinfo=BERLIN)
    # Christmas Eve is a Thursday; the 25th and 26th are public holidays, the 27th a Sunday, the 28th closed by the office.
    christmas_eve = dt.datetime(2026, 12, 24, 16, 0, tzinfo=BERLIN)
    assert sla.add_business_minutes(office, christmas_eve, 120) == dt.datetime(2026, 12, 29, 10, 0, tzinfo=BERLIN)
    assert sla.business_minutes_between(office, friday_afternoon, dt.datetime(2026, 12, 7, 12, 30, tzinfo=BERLIN)) == 240
    assert sla.add_business_minutes(None, friday_afternoon, 240) == friday_afternoon + dt.timedelta(hours=4)


def test_bad_calendars_and_policies_are_refused_naming_the_field(workspace: Workspace, admin: User) -> None:
    with pytest.raises(ValidationError) as raised:
        services.calendar_save(
            actor=admin, workspace=workspace, data={"name": "x", "time_zone": "Mars/Olympus", "hours": {"mon": [["17:00", "09:00"]]}}
        )
    assert set(raised.value.message_dict) == {"time_zone", "hours.mon"}
    with pytest.raises(ValidationError) as raised:
        services.sla_policy_save(actor=admin, workspace=workspace, data={"name": "Empty"})
    assert "first_response_minutes" in raised.value.message_dict


def test_the_first_matching_policy_sets_the_due_times(workspace: Workspace, admin: User, agent: User, office: BusinessCalendar) -> None:
    gold = Account.objects.create(workspace=workspace, name="Gold customer")
    from amity.customers.services import set_tags

    set_tags(gold, workspace, ["gold"])
    services.sla_policy_save(
        actor=admin, workspace=workspace, data={"name": "Gold", "position": 0, "customer_tier": "gold", "first_response_minutes": 60}
    )
    services.sla_policy_save(
        actor=admin, workspace=workspace, data={"name": "Urgent", "position": 1, "priority": "urgent", "first_response_minutes": 30}
    )
    standard = services.sla_policy_save(
        actor=admin,
        workspace=workspace,
        data={"name": "Standard", "position": 2, "first_response_minutes": 480, "resolution_minutes": 2400},
    )

    case = services.case_open(actor=agent, workspace=workspace, data={"subject": "Normal"})
    golden = services.case_open(actor=agent, workspace=workspace, data={"subject": "Gold", "account_id": gold.pk})

    assert case.sla_policy == standard and standard.calendar == office
    assert case.first_response_due_at == sla.add_business_minutes(office, case.created_at, 480)
    assert golden.sla_policy is not None and golden.sla_policy.name == "Gold"
    services.case_update(actor=agent, case=case, data={"priority": "urgent"})
    case.refresh_from_db()
    assert case.sla_policy is not None and case.sla_policy.name == "Urgent" and case.resolution_due_at is None


def test_waiting_on_the_customer_stops_the_resolution_clock(workspace: Workspace, admin: User, agent: User) -> None:
    services.sla_policy_save(actor=admin, workspace=workspace, data={"name": "Plain", "resolution_minutes": 600})
    case = services.case_open(actor=agent, workspace=workspace, data={"subject": "Pause me"})
    due = case.resolution_due_at
    assert due is not None

    services.case_change_status(actor=agent, case=case, status="waiting_customer")
    Case.objects.filter(pk=case.pk).update(sla_paused_at=timezone.now() - dt.timedelta(hours=2))
    case.refresh_from_db()
    services.case_change_status(actor=agent, case=case, status="open")

    case.refresh_from_db()
    assert case.sla_paused_at is None
    assert abs((case.resolution_due_at - due) - dt.timedelta(hours=2)) < dt.timedelta(seconds=5)


def _late_case(workspace: Workspace, agent: User, admin: User, *, escalate_to: User | None = None) -> Case:
    policy = services.sla_policy_save(
        actor=admin,
        workspace=workspace,
        data={
            "name": "Fast",
            "first_response_minutes": 60,
            "escalate_to_id": escalate_to.pk if escalate_to else None,
            "raise_priority_on_breach": True,
        },
    )
    case = services.case_open(actor=agent, workspace=workspace, data={"subject": "Late one", "assignee_id": agent.pk})
    assert case.sla_policy == policy
    return case


def test_a_case_near_its_target_warns_its_assignee_once(workspace: Workspace, admin: User, agent: User) -> None:
    case = _late_case(workspace, agent, admin)
    Case.objects.filter(pk=case.pk).update(first_response_due_at=timezone.now() + dt.timedelta(minutes=10))

    evaluate_workspace(workspace=workspace)
    evaluate_workspace(workspace=workspace)

    [warning] = Notification.objects.filter(recipient=agent, kind="case_sla_warning")
    assert case.number in warning.title and "about to miss its first response" in warning.title


def test_a_breach_alerts_the_assignee_and_the_escalation_manager_and_raises_the_priority(
    workspace: Workspace, admin: User, agent: User
) -> None:
    manager = member(workspace, Role.MANAGER, email="mia@acme.test")
    case = _late_case(workspace, agent, admin, escalate_to=manager)
    Case.objects.filter(pk=case.pk).update(first_response_due_at=timezone.now() - dt.timedelta(minutes=1))

    evaluate_workspace(workspace=workspace)
    assert escalate_breaches(workspace=workspace, now=timezone.now()) == 1
    assert escalate_breaches(workspace=workspace, now=timezone.now()) == 0

    recipients = set(Notification.objects.filter(kind="case_sla_breached").values_list("recipient__email", flat=True))
    assert recipients == {"sam@acme.test", "mia@acme.test"}
    case.refresh_from_db()
    assert (case.priority, case.escalated_at is not None) == ("high", True)


def test_a_case_answered_in_time_raises_nothing_when_its_target_passes(
    workspace: Workspace, admin: User, agent: User, customer: Any
) -> None:
    case = _late_case(workspace, agent, admin)
    services.case_update(actor=agent, case=case, data={"contact_id": customer.pk})
    services.case_reply(actor=agent, case=case, body="On it.")
    Case.objects.filter(pk=case.pk).update(first_response_due_at=timezone.now() - dt.timedelta(minutes=1))

    evaluate_workspace(workspace=workspace)

    case.refresh_from_db()
    assert case.first_response_at is not None
    assert not Notification.objects.filter(kind__startswith="case_sla").exists()


def _breach_policy(admin: User, workspace: Workspace, **data: Any) -> Any:
    return services.sla_policy_save(actor=admin, workspace=workspace, data={"name": "Escalating", "first_response_minutes": 60, **data})


def _breach(case: Case) -> Case:
    Case.objects.filter(pk=case.pk).update(first_response_due_at=timezone.now() - dt.timedelta(minutes=1))
    assert escalate_breaches(workspace=case.workspace, now=timezone.now()) == 1
    case.refresh_from_db()
    return case


@pytest.fixture
def tier_two(workspace: Workspace, admin: User) -> Any:
    """An escalation queue worked by two senior agents, with a routing rule that hands out its cases in turn."""
    seniors = [member(workspace, Role.SUPPORT, email=f"senior{n}@acme.test") for n in (1, 2)]
    queue = services.queue_save(actor=admin, workspace=workspace, name="Tier two", member_ids=[senior.pk for senior in seniors])
    services.case_assignment_rule_save(
        actor=admin, workspace=workspace, data={"name": "Tier two in turn", "queue_id": queue.pk, "method": "round_robin"}
    )
    return queue, seniors


def test_a_breach_moves_the_case_to_the_escalation_queue_and_routes_it_to_a_free_senior(
    workspace: Workspace, admin: User, agent: User, tier_two: Any
) -> None:
    queue, seniors = tier_two
    _breach_policy(admin, workspace, breach_queue_id=queue.pk, breach_assignee="route")
    case = services.case_open(actor=admin, workspace=workspace, data={"subject": "Stuck", "assignee_id": agent.pk})

    case = _breach(case)

    assert (case.queue, case.assignee, case.priority) == (queue, seniors[0], "normal")
    assert Notification.objects.filter(recipient=seniors[0], kind="case_assigned", title__contains=case.number).exists()
    entry = AuditEntry.objects.filter(object_id=str(case.pk), actor=None).latest("id")
    assert entry.changes["assignee"] == [agent.pk, seniors[0].pk] and entry.changes["escalated"] == [False, True]
    assert escalate_breaches(workspace=workspace, now=timezone.now()) == 0  # once per case


def test_rerouting_skips_the_agent_who_missed_and_leaves_the_case_unassigned_when_nobody_else_is_free(
    workspace: Workspace, admin: User, tier_two: Any
) -> None:
    queue, seniors = tier_two
    services.agent_profile_save(actor=admin, workspace=workspace, user_id=seniors[1].pk, data={"available": False})
    _breach_policy(admin, workspace, breach_assignee="route")
    case = services.case_open(
        actor=admin, workspace=workspace, data={"subject": "Stuck", "queue_id": queue.pk, "assignee_id": seniors[0].pk}
    )

    case = _breach(case)

    assert (case.queue, case.assignee) == (queue, None)  # waits for the queue's agents, whom the breach alert tells


def test_a_breach_can_hand_the_case_to_the_escalation_person(workspace: Workspace, admin: User, agent: User) -> None:
    manager = member(workspace, Role.MANAGER, email="mia@acme.test")
    _breach_policy(admin, workspace, escalate_to_id=manager.pk, breach_assignee="escalation_person")
    case = services.case_open(actor=admin, workspace=workspace, data={"subject": "Stuck", "assignee_id": agent.pk})

    assert _breach(case).assignee == manager


def test_breach_actions_are_checked_naming_the_field(workspace: Workspace, admin: User, other_workspace: Workspace) -> None:
    elsewhere = services.queue_save(actor=member(other_workspace, Role.ADMIN), workspace=other_workspace, name="Theirs")
    with pytest.raises(ValidationError) as raised:
        _breach_policy(admin, workspace, breach_queue_id=elsewhere.pk, breach_assignee="escalation_person")
    assert set(raised.value.message_dict) == {"breach_queue_id", "breach_assignee"}
    with pytest.raises(ValidationError) as raised:
        _breach_policy(admin, workspace, breach_assignee="someone")
    assert set(raised.value.message_dict) == {"breach_assignee"}
