"""Lead assignment: the ordered rules that give a new lead without an owner to someone, and the rules' upkeep.

The first active rule whose conditions all hold wins. Its conditions are a territory (the lead's
country among `countries`, its region among `regions`, its postcode starting with one of
`postcode_prefixes`; each list empty means any) and one optional field condition. It gives the
lead to `assign_to`, or in turn to the members of `team`.

Round-robin is fair and safe under concurrency: the rule's `turn` counter is incremented by one
UPDATE in the lead's transaction, which holds the row's write lock until commit, and the lead goes
to member number `turn mod n` (members in a fixed order). Two leads created at once get two
different turns, so they never both land on the same person by a race.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from amity.core import audit
from amity.core.access import require
from amity.core.errors import FieldErrors
from amity.core.models import AuditEntry, FieldDefinition, Membership, Team, User, Workspace
from amity.core.permissions import Action, ObjectType
from amity.sales.lead_rules import check_condition, matches, refuse_rule_on_hidden_field
from amity.sales.models import Lead, LeadAssignmentRule

RULE_FIELDS = ["name", "position", "active", "countries", "regions", "postcode_prefixes", "field", "operator", "value", "assign_to", "team"]
MAX_LIST = 200


# --- Choosing an owner ----------------------------------------------------------------------------------------


def _in_territory(lead: Lead, rule: LeadAssignmentRule) -> bool:
    if rule.countries and lead.country.upper() not in {code.upper() for code in rule.countries}:
        return False
    if rule.regions and lead.region.strip().lower() not in {region.strip().lower() for region in rule.regions}:
        return False
    postcode = lead.postcode.replace(" ", "").upper()
    return not rule.postcode_prefixes or any(postcode.startswith(prefix.replace(" ", "").upper()) for prefix in rule.postcode_prefixes)


def rule_matches(lead: Lead, rule: LeadAssignmentRule) -> bool:
    """Whether the lead is in the rule's territory and passes its field condition (a rule without conditions takes every lead)."""
    if not _in_territory(lead, rule):
        return False
    return not rule.field or matches(lead, field=rule.field, operator=rule.operator, value=rule.value)


def team_members(team: Team) -> list[User]:
    """Who takes turns: the team's active members who are still in its workspace, in a fixed order."""
    members = User.objects.filter(teams=team, is_active=True, memberships__workspace_id=team.workspace_id).distinct()
    return list(members.order_by("pk"))


def _next_in_turn(rule: LeadAssignmentRule) -> User | None:
    members = team_members(rule.team) if rule.team else []
    if not members:
        return None
    LeadAssignmentRule.objects.filter(pk=rule.pk).update(turn=F("turn") + 1)  # takes the row's lock until commit
    turn = LeadAssignmentRule.objects.values_list("turn", flat=True).get(pk=rule.pk)
    return members[(turn - 1) % len(members)]


def active_assignment_rules(workspace_id: int) -> list[LeadAssignmentRule]:
    """The workspace's active assignment rules in their order, for choosing owners of many leads with one read."""
    rules = LeadAssignmentRule.objects.filter(workspace_id=workspace_id, active=True).select_related("assign_to", "team")
    return list(rules.order_by("position", "id"))


def choose_owner(lead: Lead, rules: list[LeadAssignmentRule] | None = None) -> tuple[User | None, LeadAssignmentRule | None]:
    """The owner the first matching rule gives this lead, and that rule; (None, None) when no rule gives one."""
    for rule in active_assignment_rules(lead.workspace_id) if rules is None else rules:
        if not rule_matches(lead, rule):
            continue
        if rule.assign_to is not None and Membership.objects.filter(workspace_id=lead.workspace_id, user=rule.assign_to).exists():
            return rule.assign_to, rule
        owner = _next_in_turn(rule)
        if owner is not None:
            return owner, rule
    return None, None


# --- The rules --------------------------------------------------------------------------------------------------


def _codes(values: Any, field: str, errors: FieldErrors, *, upper: bool = False) -> list[str]:
    if values in (None, ""):
        return []
    if isinstance(values, str):
        values = values.split(",")
    if not isinstance(values, list | tuple):
        errors[field] = "Give a list."
        return []
    cleaned = [" ".join(str(value).split()) for value in values if str(value).strip()]
    if len(cleaned) > MAX_LIST:
        errors[field] = f"Give at most {MAX_LIST}."
    return list(dict.fromkeys(value.upper() if upper else value for value in cleaned))


def _clean_rule(rule: LeadAssignmentRule, data: Mapping[str, Any]) -> None:
    errors = FieldErrors()
    workspace = rule.workspace
    if "name" in data:
        rule.name = " ".join(str(data["name"] or "").split())[:120]
    if not rule.name:
        errors["name"] = "Name the rule."
    for name in ("position", "active", "field", "operator", "value"):
        if name in data:
            setattr(rule, name, data[name] if data[name] is not None else ("" if name in {"field", "operator", "value"} else 0))
    for name in ("countries", "regions", "postcode_prefixes"):
        if name in data:
            setattr(rule, name, _codes(data[name], name, errors, upper=name == "countries"))
    if "assign_to_id" in data:
        user_id = data["assign_to_id"]
        if user_id is not None and not Membership.objects.filter(workspace=workspace, user_id=user_id).exists():
            errors["assign_to_id"] = f"No member with id {user_id} in this workspace."
        rule.assign_to_id = user_id
    if "team_id" in data:
        team_id = data["team_id"]
        if team_id is not None and not Team.objects.filter(workspace=workspace, pk=team_id).exists():
            errors["team_id"] = f"No team with id {team_id} in this workspace."
        rule.team_id = team_id
    if rule.field or rule.operator:
        keys = set(FieldDefinition.objects.filter(workspace=workspace, object_type=ObjectType.LEAD).values_list("key", flat=True))
        check_condition(field=rule.field, operator=rule.operator, value=rule.value, custom_keys=keys, errors=errors)
    if (rule.assign_to_id is None) == (rule.team_id is None):
        errors.setdefault("assign_to_id", "Give the lead to one person (assign_to_id) or in turn to a team (team_id), not both.")
    errors.raise_if_any()


@transaction.atomic
def assignment_rule_create(*, actor: User, workspace: Workspace, data: Mapping[str, Any]) -> LeadAssignmentRule:
    """Add an assignment rule (at the end of the order unless a position is given)."""
    require(actor, workspace, Action.ADD, ObjectType.LEAD_RULE)
    last = LeadAssignmentRule.objects.filter(workspace=workspace).order_by("-position").values_list("position", flat=True).first()
    rule = LeadAssignmentRule(workspace=workspace, position=last + 1 if last is not None else 0)
    _clean_rule(rule, data)
    refuse_rule_on_hidden_field(actor, workspace, rule.field)
    rule.save()
    changes = {name: [None, value] for name, value in audit.snapshot(rule, RULE_FIELDS).items()}
    audit.record(actor=actor, workspace=workspace, action=AuditEntry.Action.CREATE, obj=rule, changes=changes)
    return rule


@transaction.atomic
def assignment_rule_update(*, actor: User, rule: LeadAssignmentRule, data: Mapping[str, Any]) -> LeadAssignmentRule:
    """Change an assignment rule."""
    require(actor, rule.workspace, Action.CHANGE, ObjectType.LEAD_RULE)
    before = audit.snapshot(rule, RULE_FIELDS)
    _clean_rule(rule, data)
    refuse_rule_on_hidden_field(actor, rule.workspace, rule.field)
    rule.save()
    changes = audit.diff(before, audit.snapshot(rule, RULE_FIELDS))
    if changes:
        audit.record(actor=actor, workspace=rule.workspace, action=AuditEntry.Action.UPDATE, obj=rule, changes=changes)
    return rule


@transaction.atomic
def assignment_rule_delete(*, actor: User, rule: LeadAssignmentRule) -> None:
    """Remove an assignment rule."""
    require(actor, rule.workspace, Action.DELETE, ObjectType.LEAD_RULE)
    changes = {name: [value, None] for name, value in audit.snapshot(rule, RULE_FIELDS).items()}
    audit.record(actor=actor, workspace=rule.workspace, action=AuditEntry.Action.DELETE, obj=rule, changes=changes)
    rule.delete()


@transaction.atomic
def assignment_rules_reorder(*, actor: User, workspace: Workspace, ids: Sequence[int]) -> list[LeadAssignmentRule]:
    """Put the rules in this order (every rule's id, once)."""
    require(actor, workspace, Action.CHANGE, ObjectType.LEAD_RULE)
    rules = {rule.pk: rule for rule in LeadAssignmentRule.objects.filter(workspace=workspace)}
    if sorted(ids) != sorted(rules):
        misfits = sorted(set(rules) ^ set(ids))
        raise ValidationError({"ids": f"Give every rule's id once; these do not fit: {misfits}."})
    for position, pk in enumerate(ids):
        if rules[pk].position != position:
            before = rules[pk].position
            rules[pk].position = position
            rules[pk].save(update_fields=["position", "updated_at"])
            audit.record(
                actor=actor, workspace=workspace, action=AuditEntry.Action.UPDATE, obj=rules[pk], changes={"position": [before, position]}
            )
    return [rules[pk] for pk in ids]
