"""Lead scoring: the rules an admin sets, a lead's score by them, and scoring every lead again when they change.

A lead's score is the sum of the points of every active field rule it matches, plus, for every
active engagement rule, its points times the number of the lead's interactions on that channel
and in that direction (at most `max_times` of them). Changing a lead or its history scores that
lead again at once; changing a rule scores every lead again in a background task whose progress
is a `LeadRescore` row.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from functools import partial
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from amity.activities.models import Channel, Direction, Interaction
from amity.core import audit
from amity.core.access import require
from amity.core.errors import FieldErrors
from amity.core.models import AuditEntry, FieldDefinition, User, Workspace
from amity.core.permissions import Action, ObjectType
from amity.sales.lead_rules import check_condition, matches, refuse_rule_on_hidden_field
from amity.sales.models import Lead, LeadRescore, LeadScoringRule

RULE_FIELDS = ["name", "kind", "field", "operator", "value", "channel", "direction", "max_times", "points", "active", "position"]
RESCORE_BATCH = 500
EngagementCounts = Mapping[tuple[str, str], int]


# --- Computing a score -----------------------------------------------------------------------------------


def active_rules(workspace_id: int) -> list[LeadScoringRule]:
    return list(LeadScoringRule.objects.filter(workspace_id=workspace_id, active=True).order_by("position", "id"))


def engagement_counts(lead_ids: Iterable[int]) -> dict[int, Counter[tuple[str, str]]]:
    """Per lead, how many interactions it has on each (channel, direction): one grouped query for many leads."""
    counts: dict[int, Counter[tuple[str, str]]] = {}
    rows = (
        Interaction.objects.filter(lead_id__in=list(lead_ids))
        .values("lead_id", "channel", "direction")
        .annotate(number=Count("id"))
        .order_by()
    )
    for row in rows:
        counts.setdefault(row["lead_id"], Counter())[(row["channel"], row["direction"])] = row["number"]
    return counts


def score_of(lead: Lead, rules: Iterable[LeadScoringRule], counts: EngagementCounts) -> int:
    """The lead's score by these rules, given its interactions counted by (channel, direction)."""
    total = 0
    for rule in rules:
        if rule.kind == LeadScoringRule.Kind.FIELD:
            if matches(lead, field=rule.field, operator=rule.operator, value=rule.value):
                total += rule.points
            continue
        times = sum(
            number
            for (channel, direction), number in counts.items()
            if (not rule.channel or rule.channel == channel) and (not rule.direction or rule.direction == direction)
        )
        if rule.max_times is not None:
            times = min(times, rule.max_times)
        total += rule.points * times
    return total


def rescore_lead(lead: Lead) -> int:
    """Score one lead again and save the score if it changed (a computed value: not audited)."""
    score = score_of(lead, active_rules(lead.workspace_id), engagement_counts([lead.pk]).get(lead.pk, Counter()))
    if score != lead.score:
        lead.score = score
        Lead.objects.filter(pk=lead.pk).update(score=score)
    return score


def explain_score(lead: Lead) -> list[tuple[LeadScoringRule, int]]:
    """Which rules gave the lead how many points, for its page."""
    counts = engagement_counts([lead.pk]).get(lead.pk, Counter())
    parts = []
    for rule in active_rules(lead.workspace_id):
        points = score_of(lead, [rule], counts)
        if points:
            parts.append((rule, points))
    return parts


# --- Rescoring every lead -------------------------------------------------------------------------------------


def rescore_batch(workspace_id: int, lead_ids: list[int], rules: list[LeadScoringRule]) -> int:
    """Score a batch of leads in three queries (leads, their interaction counts, the update); returns how many changed."""
    leads = list(Lead.objects.filter(pk__in=lead_ids, workspace_id=workspace_id))
    counts = engagement_counts(lead_ids)
    changed = []
    for lead in leads:
        score = score_of(lead, rules, counts.get(lead.pk, Counter()))
        if score != lead.score:
            lead.score = score
            changed.append(lead)
    Lead.objects.bulk_update(changed, ["score"], batch_size=RESCORE_BATCH)
    return len(changed)


def run_rescore(rescore_id: int) -> LeadRescore:
    """Score every lead of the workspace that is not in the bin, batch by batch, keeping the run's progress current."""
    rescore = LeadRescore.objects.get(pk=rescore_id)
    if rescore.status == LeadRescore.Status.DONE:
        return rescore
    leads = Lead.objects.filter(workspace_id=rescore.workspace_id, deleted_at__isnull=True)
    ids = list(leads.order_by("id").values_list("pk", flat=True))
    rules = active_rules(rescore.workspace_id)
    LeadRescore.objects.filter(pk=rescore.pk).update(status=LeadRescore.Status.RUNNING, total=len(ids), started_at=timezone.now())
    done = changed = 0
    for start in range(0, len(ids), RESCORE_BATCH):
        batch = ids[start : start + RESCORE_BATCH]
        with transaction.atomic():
            changed += rescore_batch(rescore.workspace_id, batch, rules)
        done += len(batch)
        LeadRescore.objects.filter(pk=rescore.pk).update(done=done, changed=changed)
    LeadRescore.objects.filter(pk=rescore.pk).update(status=LeadRescore.Status.DONE, finished_at=timezone.now())
    rescore.refresh_from_db()
    return rescore


def mark_rescore_failed(rescore_id: int, *, error: BaseException, **_: Any) -> None:
    LeadRescore.objects.filter(pk=rescore_id).update(status=LeadRescore.Status.FAILED, error=str(error)[:1000], finished_at=timezone.now())


def start_rescore(*, actor: User | None, workspace: Workspace) -> LeadRescore:
    """Queue a run that scores every lead again, once the current transaction commits."""
    from amity.sales.tasks import rescore_leads  # the task module imports the services: import it when needed

    rescore = LeadRescore.objects.create(workspace=workspace, requested_by=actor)
    transaction.on_commit(partial(rescore_leads.enqueue, rescore.pk))
    return rescore


@transaction.atomic
def lead_rescore_start(*, actor: User, workspace: Workspace) -> LeadRescore:
    """Score every lead again now (the rules' changes do this by themselves)."""
    require(actor, workspace, Action.CHANGE, ObjectType.LEAD_RULE)
    return start_rescore(actor=actor, workspace=workspace)


# --- The rules ------------------------------------------------------------------------------------------------------


def _custom_keys(workspace: Workspace) -> set[str]:
    return set(FieldDefinition.objects.filter(workspace=workspace, object_type=ObjectType.LEAD).values_list("key", flat=True))


def _clean_rule(rule: LeadScoringRule, data: Mapping[str, Any]) -> None:
    errors = FieldErrors()
    for name in RULE_FIELDS:
        if name in data:
            value = data[name]
            setattr(rule, name, value if value is not None or name == "max_times" else "")
    rule.name = " ".join(str(rule.name or "").split())[:120]
    if not rule.name:
        errors["name"] = "Name the rule."
    if rule.kind not in LeadScoringRule.Kind.values:
        errors["kind"] = f"Choose one of: {', '.join(LeadScoringRule.Kind.values)}."
    if not isinstance(rule.points, int) or isinstance(rule.points, bool) or not -1000 <= rule.points <= 1000:
        errors["points"] = "Give whole points from -1000 to 1000."
    if rule.kind == LeadScoringRule.Kind.FIELD:
        check_condition(field=rule.field, operator=rule.operator, value=rule.value, custom_keys=_custom_keys(rule.workspace), errors=errors)
        rule.channel, rule.direction, rule.max_times = "", "", None
    elif rule.kind == LeadScoringRule.Kind.ENGAGEMENT:
        if rule.channel and rule.channel not in Channel.values:
            errors["channel"] = f"Choose one of: {', '.join(Channel.values)} (or leave it empty for any)."
        if rule.direction and rule.direction not in Direction.values:
            errors["direction"] = f"Choose one of: {', '.join(Direction.values)} (or leave it empty for any)."
        rule.field, rule.operator, rule.value = "", "", ""
    errors.raise_if_any()


def _rules_changed(actor: User, rule: LeadScoringRule, action: str, changes: dict[str, Any]) -> None:
    audit.record(actor=actor, workspace=rule.workspace, action=action, obj=rule, changes=changes)
    start_rescore(actor=actor, workspace=rule.workspace)


@transaction.atomic
def scoring_rule_create(*, actor: User, workspace: Workspace, data: Mapping[str, Any]) -> LeadScoringRule:
    """Add a scoring rule; every lead is scored again in the background."""
    require(actor, workspace, Action.ADD, ObjectType.LEAD_RULE)
    rule = LeadScoringRule(workspace=workspace, points=0)
    _clean_rule(rule, data)
    refuse_rule_on_hidden_field(actor, workspace, rule.field)
    rule.save()
    _rules_changed(
        actor, rule, AuditEntry.Action.CREATE, {name: [None, value] for name, value in audit.snapshot(rule, RULE_FIELDS).items()}
    )
    return rule


@transaction.atomic
def scoring_rule_update(*, actor: User, rule: LeadScoringRule, data: Mapping[str, Any]) -> LeadScoringRule:
    """Change a scoring rule; every lead is scored again in the background."""
    require(actor, rule.workspace, Action.CHANGE, ObjectType.LEAD_RULE)
    before = audit.snapshot(rule, RULE_FIELDS)
    _clean_rule(rule, data)
    refuse_rule_on_hidden_field(actor, rule.workspace, rule.field)
    rule.save()
    changes = audit.diff(before, audit.snapshot(rule, RULE_FIELDS))
    if changes:
        _rules_changed(actor, rule, AuditEntry.Action.UPDATE, changes)
    return rule


@transaction.atomic
def scoring_rule_delete(*, actor: User, rule: LeadScoringRule) -> None:
    """Remove a scoring rule; every lead is scored again in the background."""
    require(actor, rule.workspace, Action.DELETE, ObjectType.LEAD_RULE)
    changes = {name: [value, None] for name, value in audit.snapshot(rule, RULE_FIELDS).items()}
    _rules_changed(actor, rule, AuditEntry.Action.DELETE, changes)
    rule.delete()
