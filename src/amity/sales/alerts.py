"""Alerts about deals (no activity for N days, a close date passed, a large deal moved backward) and new leads nobody contacted."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse

from amity.activities.models import Interaction, Note, Task
from amity.core.alerts import Alert, AlertRuleType, Param, RuleContext, raise_event_alert, register_rule
from amity.core.models import Team, Workspace
from amity.sales.models import Lead, Opportunity, Stage, StageChange

NO_ACTIVITY = "deal_no_activity"
CLOSE_DATE_PASSED = "deal_close_date_passed"
MOVED_BACKWARD = "deal_moved_backward"
LEAD_NOT_CONTACTED = "lead_not_contacted"


def _deal_url(workspace: Workspace, pk: int) -> str:
    return reverse("deal_detail", kwargs={"slug": workspace.slug, "pk": pk})


def _lead_list_url(workspace: Workspace) -> str:
    return reverse("lead_list", kwargs={"slug": workspace.slug})


def _deal_list_url(workspace: Workspace) -> str:
    return reverse("deal_list", kwargs={"slug": workspace.slug})


def _money(amount: Decimal, currency: str) -> str:
    return f"{amount:,.2f} {currency}"


def _open_owned_deals(workspace: Workspace) -> Q:
    return Q(workspace=workspace, status=Opportunity.Status.OPEN, deleted_at__isnull=True, owner__isnull=False)


def deals_without_activity(context: RuleContext) -> Iterator[Alert]:
    """Open deals with no interaction, note or task and no stage change for `days` days: one query."""
    days = int(context.params["days"])
    cutoff = context.now - timedelta(days=days)
    stale = (
        Opportunity.objects.filter(_open_owned_deals(context.workspace), stage_changed_at__lt=cutoff, created_at__lt=cutoff)
        .exclude(Exists(Interaction.objects.filter(opportunity=OuterRef("pk"), occurred_at__gte=cutoff)))
        .exclude(Exists(Note.objects.filter(opportunity=OuterRef("pk"), created_at__gte=cutoff)))
        .exclude(Exists(Task.objects.filter(Q(created_at__gte=cutoff) | Q(completed_at__gte=cutoff), opportunity=OuterRef("pk"))))
    )
    for deal in context.new(stale).values("pk", "name", "owner_id", "amount", "currency", "account__name").order_by("pk"):
        yield Alert(
            recipient_id=deal["owner_id"],
            record_id=deal["pk"],
            title=f"No activity for {days} days: {deal['name']}",
            body=f"{deal['account__name']} · {_money(deal['amount'], deal['currency'])}. Log a call, a note or a task, or move it on.",
            url=context.record_url("deal_detail", deal["pk"]),
        )


def deals_past_close_date(context: RuleContext) -> Iterator[Alert]:
    """Open deals whose expected close date is `days_after` days or more behind today: one query."""
    late_after = int(context.params["days_after"])
    before = context.now.date() - timedelta(days=late_after)
    late = Opportunity.objects.filter(_open_owned_deals(context.workspace), expected_close_date__lt=before)
    rows = context.new(late).values("pk", "name", "owner_id", "expected_close_date", "account__name").order_by("pk")
    for deal in rows:
        yield Alert(
            recipient_id=deal["owner_id"],
            record_id=deal["pk"],
            title=f"Close date passed: {deal['name']}",
            body=f"{deal['account__name']} was expected to close on {deal['expected_close_date']:%Y-%m-%d}. Close it, or move the date.",
            url=context.record_url("deal_detail", deal["pk"]),
        )


def leads_not_contacted(context: RuleContext) -> Iterator[Alert]:
    """New leads with an owner and no interaction logged `hours` hours after they came in: one query."""
    hours = int(context.params["hours"])
    cutoff = context.now - timedelta(hours=hours)
    waiting = Lead.objects.filter(
        workspace=context.workspace,
        status=Lead.Status.NEW,
        owner__isnull=False,
        first_contacted_at__isnull=True,
        created_at__lt=cutoff,
        deleted_at__isnull=True,
    )
    for lead in context.new(waiting).values("pk", "first_name", "last_name", "company", "owner_id").order_by("pk"):
        name = " ".join(part for part in (lead["first_name"], lead["last_name"]) if part) or f"Lead {lead['pk']}"
        yield Alert(
            recipient_id=lead["owner_id"],
            record_id=lead["pk"],
            title=f"Not contacted yet: {name}",
            body=f"{lead['company'] or 'A new lead'} came in more than {hours} hours ago and nobody has called or written.",
            url=context.record_url("lead_detail", lead["pk"]),
        )


def is_backward(previous: Stage | None, stage: Stage) -> bool:
    """A move from an open stage to an earlier open stage of the same pipeline."""
    return (
        previous is not None
        and previous.kind == Stage.Kind.OPEN
        and stage.kind == Stage.Kind.OPEN
        and previous.pipeline_id == stage.pipeline_id
        and (stage.position, stage.pk) < (previous.position, previous.pk)
    )


def alert_moved_backward(*, stage_change_id: int) -> int:
    """Tell the deal's owner and their team managers (never the person who moved it) that a large deal slipped back."""
    change = StageChange.objects.select_related("opportunity", "workspace", "changed_by").filter(pk=stage_change_id).first()
    if change is None:
        return 0
    from amity.core.alerts import rule_settings

    setting = rule_settings(change.workspace).get(MOVED_BACKWARD)
    deal = change.opportunity
    if setting is None or deal.amount < setting.params["min_amount"] or deal.owner_id is None:
        return 0
    managers = Team.objects.filter(workspace=change.workspace, members=deal.owner_id, manager__isnull=False).values_list(
        "manager_id", flat=True
    )
    recipients = sorted({deal.owner_id, *managers} - {change.changed_by_id})
    mover = change.changed_by.display_name if change.changed_by else "Someone"
    alerts = [
        Alert(
            recipient_id=recipient,
            record_id=change.pk,
            title=f"{deal.name} moved back to {change.to_stage_name}",
            body=f"{mover} moved it from {change.from_stage_name} to {change.to_stage_name} ({_money(deal.amount, deal.currency)}).",
            url=_deal_url(change.workspace, deal.pk),
        )
        for recipient in recipients
    ]
    return raise_event_alert(workspace=change.workspace, kind=MOVED_BACKWARD, event_id=change.pk, alerts=alerts)


def register_rules() -> None:
    register_rule(
        AlertRuleType(
            kind=NO_ACTIVITY,
            label="A deal has had no activity",
            description="An open deal with no call, email, meeting, note or task logged on it and no stage change for a number of days.",
            defaults={"days": 14},
            params=(Param("days", "Days without activity", minimum=1, maximum=365, unit="days"),),
            find=deals_without_activity,
            summary_url=_deal_list_url,
            icon="hourglass",
        )
    )
    register_rule(
        AlertRuleType(
            kind=CLOSE_DATE_PASSED,
            label="A deal's close date has passed",
            description="An open deal whose expected close date is behind today (plus a grace period).",
            defaults={"days_after": 0},
            params=(Param("days_after", "Days of grace after the close date", minimum=0, maximum=365, unit="days"),),
            find=deals_past_close_date,
            summary_url=_deal_list_url,
            icon="calendar-x",
        )
    )
    register_rule(
        AlertRuleType(
            kind=MOVED_BACKWARD,
            label="A large deal moved backward",
            description="A deal of at least this amount (in its own currency) moved to an earlier stage; its owner and their team managers hear of it.",
            defaults={"min_amount": Decimal("10000")},
            params=(Param("min_amount", "Smallest amount", minimum=0, decimal=True),),
            icon="trending-down",
        )
    )
    register_rule(
        AlertRuleType(
            kind=LEAD_NOT_CONTACTED,
            label="A new lead has not been contacted",
            description="A new lead with an owner and no call, email or meeting logged a number of hours after it came in.",
            defaults={"hours": 24},
            params=(Param("hours", "Hours before the alert", minimum=1, maximum=24 * 30, unit="hours"),),
            find=leads_not_contacted,
            summary_url=_lead_list_url,
            icon="user-exclamation",
        )
    )
