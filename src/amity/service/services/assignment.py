"""Case routing: the ordered rules that give a new case without an assignee to an agent, the agents' profiles, the case's language.

The first active rule whose conditions all hold (kind, queue, priority, language; each empty
means any) and that finds an agent wins; a rule whose pool has nobody free passes the case on to
the next rule. An agent is free when they are available, below their open-case limit, have the
rule's skill and, if the rule asks, speak the case's language.

Both turn-taking methods first bump the rule's `turn` counter with one UPDATE, which holds the
rule's row lock until the case's transaction commits: two cases arriving at once are routed one
after the other, so round-robin never hands both to the same person and least-loaded counts the
other case's assignment before choosing.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F

from amity.core import audit
from amity.core.access import require
from amity.core.errors import FieldErrors
from amity.core.models import AuditEntry, Membership, User, Workspace
from amity.core.permissions import Action, ObjectType
from amity.service.models import OPEN_CASES, AgentProfile, Case, CaseAssignmentRule, CaseKind, Queue

RULE_FIELDS = [
    "name",
    "position",
    "active",
    "kinds",
    "queue",
    "priorities",
    "languages",
    "route_to_queue",
    "method",
    "agent",
    "required_skill",
    "match_language",
]
MAX_LIST = 50
# Below this many letters, or this sure, a guess at the language is worse than none.
LANGUAGE_MIN_LETTERS = 12
LANGUAGE_MIN_CONFIDENCE = 0.85


# --- The case's language --------------------------------------------------------------------------------------


@functools.cache
def _identifier() -> Any:
    # Loading the model takes most of a second: once per process, on the first case that needs it.
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(text: str) -> str:
    """The language code of a customer's text (e.g. "de"), or "" when it is too short or the guess is unsure."""
    if sum(character.isalpha() for character in text) < LANGUAGE_MIN_LETTERS:
        return ""
    language, confidence = _identifier().classify(text)
    return str(language) if confidence >= LANGUAGE_MIN_CONFIDENCE else ""


def case_language(case: Case) -> str:
    """The language to answer the case in: the contact's if known, else what the customer wrote in."""
    if case.contact is not None and case.contact.language:
        return case.contact.language.split("-")[0].lower()
    return detect_language(f"{case.subject}\n{case.description}")


# --- Choosing an agent --------------------------------------------------------------------------------------------


def active_rules(workspace_id: int) -> list[CaseAssignmentRule]:
    rules = CaseAssignmentRule.objects.filter(workspace_id=workspace_id, active=True).select_related("agent", "route_to_queue")
    return list(rules.order_by("position", "id"))


def rule_matches(case: Case, rule: CaseAssignmentRule) -> bool:
    """Whether the case meets every condition of the rule (a rule without conditions takes every case)."""
    if rule.kinds and case.kind.key not in rule.kinds:
        return False
    if rule.queue_id and case.queue_id != rule.queue_id:
        return False
    if rule.priorities and case.priority not in rule.priorities:
        return False
    return not rule.languages or case.language in rule.languages


def _pool(rule: CaseAssignmentRule, queue: Queue | None) -> list[User]:
    if rule.method == CaseAssignmentRule.Method.AGENT:
        people = User.objects.filter(pk=rule.agent_id) if rule.agent_id else User.objects.none()
    elif rule.agents.exists():
        people = User.objects.filter(pk__in=rule.agents.values("pk"))
    elif queue is not None:
        people = User.objects.filter(pk__in=queue.members.values("pk"))
    else:
        return []
    people = people.filter(is_active=True, memberships__workspace_id=rule.workspace_id)
    return list(people.distinct().order_by("pk"))


def open_case_counts(workspace_id: int, user_ids: Sequence[int]) -> dict[int, int]:
    """How many unresolved cases each of these agents has, by user id."""
    rows = (
        Case.objects.filter(OPEN_CASES, workspace_id=workspace_id, assignee_id__in=user_ids)
        .values("assignee_id")
        .annotate(open=Count("id"))
    )
    return {row["assignee_id"]: row["open"] for row in rows}


def _free(rule: CaseAssignmentRule, case: Case, people: list[User], loads: dict[int, int]) -> list[User]:
    profiles = {profile.user_id: profile for profile in AgentProfile.objects.filter(workspace_id=rule.workspace_id, user__in=people)}
    free = []
    for person in people:
        profile = profiles.get(person.pk) or AgentProfile(user=person)
        if not profile.available:
            continue
        if profile.max_open_cases is not None and loads.get(person.pk, 0) >= profile.max_open_cases:
            continue
        if rule.required_skill and rule.required_skill not in profile.skills:
            continue
        if rule.match_language and case.language and case.language not in profile.languages:
            continue
        free.append(person)
    return free


def _take_turn(rule: CaseAssignmentRule) -> int:
    CaseAssignmentRule.objects.filter(pk=rule.pk).update(turn=F("turn") + 1)  # holds the rule's row lock until commit
    return CaseAssignmentRule.objects.values_list("turn", flat=True).get(pk=rule.pk)


def _pick(rule: CaseAssignmentRule, case: Case, queue: Queue | None, skip: Collection[int]) -> User | None:
    people = [person for person in _pool(rule, queue) if person.pk not in skip]
    if not people:
        return None
    turn = _take_turn(rule) if rule.method != CaseAssignmentRule.Method.AGENT else 0
    loads = open_case_counts(rule.workspace_id, [person.pk for person in people])
    free = _free(rule, case, people, loads)
    if not free:
        return None
    if rule.method == CaseAssignmentRule.Method.LEAST_LOADED:
        # Equal loads take turns too, so a quiet morning does not send every case to the same person.
        return min(enumerate(free), key=lambda item: (loads.get(item[1].pk, 0), (item[0] - turn) % len(free)))[1]
    return free[(turn - 1) % len(free)]


def route(case: Case, rules: list[CaseAssignmentRule] | None = None, *, skip: Collection[int] = ()) -> CaseAssignmentRule | None:
    """Give a case its queue and agent by the first rule that finds someone (never one of `skip`); the rule, or None.

    Changes the unsaved (or locked) case in memory; the caller saves it.
    """
    for rule in active_rules(case.workspace_id) if rules is None else rules:
        if not rule_matches(case, rule):
            continue
        queue = rule.route_to_queue or case.queue
        agent = _pick(rule, case, queue, skip)
        if agent is None:
            continue
        case.queue, case.assignee = queue, agent
        return rule
    return None


# --- Agents' profiles ---------------------------------------------------------------------------------------------


def _words(value: Any, field: str, errors: FieldErrors, *, limit: int = 60) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list | tuple):
        errors[field] = "Give a list."
        return []
    words = [" ".join(str(item).split()).lower() for item in value if str(item).strip()]
    if len(words) > MAX_LIST:
        errors[field] = f"Give at most {MAX_LIST}."
    if any(len(word) > limit for word in words):
        errors[field] = f"Each may have at most {limit} characters."
    return list(dict.fromkeys(words))


def _languages(value: Any, field: str, errors: FieldErrors) -> list[str]:
    codes = _words(value, field, errors, limit=10)
    wrong = [code for code in codes if not code.replace("-", "").isalpha() or len(code.split("-")[0]) not in (2, 3)]
    if wrong:
        errors[field] = f"Use language codes such as en or de; not: {', '.join(wrong)}."
    return [code.split("-")[0] for code in codes]


PROFILE_FIELDS = ["skills", "languages", "available", "max_open_cases"]


@transaction.atomic
def agent_profile_save(*, actor: User, workspace: Workspace, user_id: int, data: Mapping[str, Any]) -> AgentProfile:
    """Set an agent's skills, languages, availability and limit; anyone may mark themselves away or back."""
    only_availability = user_id == actor.pk and set(data) <= {"available"}
    if not only_availability:
        require(actor, workspace, Action.CHANGE, ObjectType.QUEUE)
    if not Membership.objects.filter(workspace=workspace, user_id=user_id).exists():
        raise ValidationError({"user_id": f"No member with id {user_id} in this workspace."})
    profile = AgentProfile.objects.select_for_update().filter(workspace=workspace, user_id=user_id).first()
    created = profile is None
    profile = profile or AgentProfile(workspace=workspace, user_id=user_id)
    before = audit.snapshot(profile, PROFILE_FIELDS)
    errors = FieldErrors()
    if "skills" in data:
        profile.skills = _words(data["skills"], "skills", errors)
    if "languages" in data:
        profile.languages = _languages(data["languages"], "languages", errors)
    if "available" in data:
        profile.available = bool(data["available"])
    if "max_open_cases" in data:
        limit = data["max_open_cases"]
        if limit is not None and (not isinstance(limit, int) or limit < 1 or limit > 10_000):
            errors["max_open_cases"] = "Give a whole number from 1 to 10000, or nothing for no limit."
        profile.max_open_cases = limit
    errors.raise_if_any()
    profile.save()
    changes = audit.diff({} if created else before, audit.snapshot(profile, PROFILE_FIELDS))
    if changes:
        action = AuditEntry.Action.CREATE if created else AuditEntry.Action.UPDATE
        audit.record(actor=actor, workspace=workspace, action=action, obj=profile, changes=changes)
    return profile


# --- The rules ------------------------------------------------------------------------------------------------------


def _queue(workspace: Workspace, queue_id: Any, field: str, errors: FieldErrors) -> Queue | None:
    if queue_id is None:
        return None
    queue = Queue.objects.filter(workspace=workspace, pk=queue_id).first()
    if queue is None:
        errors[field] = f"No queue with id {queue_id} in this workspace."
    return queue


def _members(workspace: Workspace, ids: Any, errors: FieldErrors) -> list[int]:
    if not isinstance(ids, list | tuple) or not all(isinstance(pk, int) for pk in ids):
        errors["agent_ids"] = "Give a list of user ids."
        return []
    found = set(Membership.objects.filter(workspace=workspace, user_id__in=ids).values_list("user_id", flat=True))
    missing = sorted(set(ids) - found)
    if missing:
        errors["agent_ids"] = f"Not members of this workspace: {', '.join(map(str, missing))}."
    return sorted(found)


def _clean_conditions(rule: CaseAssignmentRule, data: Mapping[str, Any], errors: FieldErrors) -> None:
    workspace = rule.workspace
    if "kinds" in data:
        rule.kinds = _words(data["kinds"], "kinds", errors, limit=40)
        known = set(CaseKind.objects.filter(workspace=workspace, key__in=rule.kinds).values_list("key", flat=True))
        unknown = [key for key in rule.kinds if key not in known]
        if unknown:
            errors["kinds"] = f"No such case kinds: {', '.join(unknown)}."
    if "priorities" in data:
        rule.priorities = _words(data["priorities"], "priorities", errors, limit=10)
        wrong = [priority for priority in rule.priorities if priority not in Case.Priority.values]
        if wrong:
            errors["priorities"] = f"Choose from {', '.join(Case.Priority.values)}; not: {', '.join(wrong)}."
    if "languages" in data:
        rule.languages = _languages(data["languages"], "languages", errors)
    if "queue_id" in data:
        rule.queue = _queue(workspace, data["queue_id"], "queue_id", errors)


def _clean_rule(rule: CaseAssignmentRule, data: Mapping[str, Any]) -> list[int] | None:
    """Check and apply the given fields to the rule; the pool's user ids when they were given."""
    errors = FieldErrors()
    workspace = rule.workspace
    if "name" in data:
        rule.name = " ".join(str(data["name"] or "").split())[:120]
    if not rule.name:
        errors["name"] = "Name the rule."
    for name in ("position", "active", "match_language"):
        if name in data and data[name] is not None:
            setattr(rule, name, data[name])
    if "method" in data:
        if data["method"] not in CaseAssignmentRule.Method.values:
            errors["method"] = f"Choose one of: {', '.join(CaseAssignmentRule.Method.values)}."
        rule.method = data["method"]
    if "required_skill" in data:
        rule.required_skill = " ".join(str(data["required_skill"] or "").split()).lower()[:60]
    _clean_conditions(rule, data, errors)
    if "route_to_queue_id" in data:
        rule.route_to_queue = _queue(workspace, data["route_to_queue_id"], "route_to_queue_id", errors)
    if "agent_id" in data:
        agent_id = data["agent_id"]
        if agent_id is not None and not Membership.objects.filter(workspace=workspace, user_id=agent_id).exists():
            errors["agent_id"] = f"No member with id {agent_id} in this workspace."
        rule.agent_id = agent_id
    agent_ids = _members(workspace, data["agent_ids"], errors) if data.get("agent_ids") is not None else None
    if rule.method == CaseAssignmentRule.Method.AGENT and rule.agent_id is None:
        errors.setdefault("agent_id", "Say which agent gets the cases.")
    errors.raise_if_any()
    return agent_ids


def _snapshot(rule: CaseAssignmentRule) -> dict[str, Any]:
    return {**audit.snapshot(rule, RULE_FIELDS), "agents": sorted(rule.agents.values_list("pk", flat=True)) if rule.pk else []}


@transaction.atomic
def case_assignment_rule_save(
    *, actor: User, workspace: Workspace, data: Mapping[str, Any], rule: CaseAssignmentRule | None = None
) -> CaseAssignmentRule:
    """Add a routing rule (last in the order unless a position is given) or change one."""
    require(actor, workspace, Action.CHANGE if rule else Action.ADD, ObjectType.QUEUE)
    created = rule is None
    if rule is None:
        last = CaseAssignmentRule.objects.filter(workspace=workspace).order_by("-position").values_list("position", flat=True).first()
        rule = CaseAssignmentRule(workspace=workspace, position=last + 1 if last is not None else 0)
    before = {} if created else _snapshot(rule)
    agent_ids = _clean_rule(rule, data)
    rule.save()
    if agent_ids is not None:
        rule.agents.set(agent_ids)
    changes = audit.diff(before, _snapshot(rule))
    if changes:
        action = AuditEntry.Action.CREATE if created else AuditEntry.Action.UPDATE
        audit.record(actor=actor, workspace=workspace, action=action, obj=rule, changes=changes)
    return rule


@transaction.atomic
def case_assignment_rule_delete(*, actor: User, rule: CaseAssignmentRule) -> None:
    """Remove a routing rule; cases it assigned keep their agents."""
    require(actor, rule.workspace, Action.DELETE, ObjectType.QUEUE)
    changes = {name: [value, None] for name, value in _snapshot(rule).items()}
    audit.record(actor=actor, workspace=rule.workspace, action=AuditEntry.Action.DELETE, obj=rule, changes=changes)
    rule.delete()


@transaction.atomic
def case_assignment_rule_move(*, actor: User, rule: CaseAssignmentRule, step: int) -> list[CaseAssignmentRule]:
    """Move a rule one place up (step -1) or down (+1) in the order the rules are tried; the new order."""
    require(actor, rule.workspace, Action.CHANGE, ObjectType.QUEUE)
    rules = list(CaseAssignmentRule.objects.select_for_update().filter(workspace=rule.workspace).order_by("position", "id"))
    index = next(number for number, each in enumerate(rules) if each.pk == rule.pk)
    other = index + step
    if 0 <= other < len(rules):
        rules[index], rules[other] = rules[other], rules[index]
    for position, each in enumerate(rules):
        if each.position != position:
            before, each.position = each.position, position
            each.save(update_fields=["position", "updated_at"])
            audit.record(
                actor=actor, workspace=rule.workspace, action=AuditEntry.Action.UPDATE, obj=each, changes={"position": [before, position]}
            )
    return rules
