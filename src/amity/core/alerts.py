"""Alerts to sales staff: a registry of rules, their per-workspace settings, and the worker's evaluation.

A rule is a kind, a label, default parameters and one function. The function gets a
`RuleContext` (the workspace, its parameters, the time) and yields `Alert`s — recipient, record,
title, url — for the records whose condition holds *and* that were not alerted yet: it passes
its condition's queryset through `context.new(...)`, which leaves out the records already
alerted and remembers the condition so that records whose condition cleared are forgotten
(and alert again if it comes back). Every rule so costs a constant number of queries per
workspace, whatever the number of records.

Apps register their rules when they start (`register_rule`), as the deals' and tasks' rules do:

    register_rule(AlertRuleType(kind="lead_not_contacted", label="…", defaults={"hours": 24},
                                params=[Param("hours", "Hours", minimum=1)], find=leads_not_contacted))

Event rules (a deal moved backward) have no `find`: the service that sees the event enqueues
`raise_event_alert`, which checks the rule is on and claims the event once.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import connection, models, transaction
from django.db.models import Exists, F, OuterRef
from django.urls import reverse
from django.utils import timezone

from amity.core import audit
from amity.core.access import require
from amity.core.errors import FieldErrors
from amity.core.models import AlertRule, AlertState, User, Workspace
from amity.core.notifications import Message, NotificationKind, notify_many, register_kind
from amity.core.permissions import Action, ObjectType

# One person gets at most this many alerts of one rule from one evaluation; beyond it one summary
# says how many more there are (the first run in a large workspace must not bury anyone).
MAX_ALERTS_PER_PERSON = 10
URL_PLACEHOLDER = 987654321987


@dataclass(frozen=True)
class Param:
    """A number a workspace can tune: its key, label, bounds and whether it is money (Decimal) or a count."""

    key: str
    label: str
    minimum: int = 0
    maximum: int = 1_000_000_000
    decimal: bool = False
    unit: str = ""


@dataclass(frozen=True)
class Alert:
    """One alert a rule raises: who hears it, about which record, what it says, where it leads."""

    recipient_id: int
    record_id: int
    title: str
    url: str
    body: str = ""


@dataclass
class RuleContext:
    """What a rule's function gets: the workspace, its parameters and the time of this evaluation."""

    workspace: Workspace
    kind: str
    params: dict[str, Any]
    now: datetime
    condition: models.QuerySet[Any] | None = field(default=None, repr=False)
    fresh: models.QuerySet[Any] | None = field(default=None, repr=False)
    _url_templates: dict[str, str] = field(default_factory=dict, repr=False)

    def record_url(self, url_name: str, pk: int) -> str:
        """A record's page in this workspace; reversed once per URL name, as a first run may alert 100,000 records."""
        template = self._url_templates.get(url_name)
        if template is None:
            template = self._url_templates[url_name] = reverse(url_name, kwargs={"slug": self.workspace.slug, "pk": URL_PLACEHOLDER})
        return template.replace(str(URL_PLACEHOLDER), str(pk))

    def new(self, condition: models.QuerySet[Any]) -> models.QuerySet[Any]:
        """The records of `condition` not alerted yet (one NOT EXISTS); the condition is kept to forget cleared ones."""
        self.condition = condition
        alerted = AlertState.objects.filter(workspace=self.workspace, kind=self.kind, record_id=OuterRef("pk"))
        self.fresh = condition.exclude(Exists(alerted))
        return self.fresh


@dataclass(frozen=True)
class AlertRuleType:
    """A kind of alert: its label and description, default parameters, and `find` (None for an event rule)."""

    kind: str
    label: str
    description: str
    defaults: Mapping[str, Any]
    params: tuple[Param, ...] = ()
    find: Callable[[RuleContext], Iterable[Alert]] | None = None
    summary_url: Callable[[Workspace], str] | None = None
    icon: str = "alert-triangle"


RULES: dict[str, AlertRuleType] = {}


def register_rule(rule: AlertRuleType) -> AlertRuleType:
    """Add a rule: it shows in Settings → Alerts, Profile → Notifications and the API, and the worker evaluates it."""
    RULES[rule.kind] = rule
    register_kind(NotificationKind(rule.kind, rule.label, icon=rule.icon))
    return rule


# --- Settings ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleSetting:
    """A rule as a workspace has set it: on or off and its parameters, defaults filled in."""

    rule: AlertRuleType
    enabled: bool
    params: dict[str, Any]
    row: AlertRule | None


def merged_setting(rule: AlertRuleType, row: AlertRule | None) -> RuleSetting:
    params = dict(rule.defaults)
    for param in rule.params:
        if row is not None and param.key in row.params:
            params[param.key] = Decimal(str(row.params[param.key])) if param.decimal else int(row.params[param.key])
        elif param.decimal:
            params[param.key] = Decimal(str(params[param.key]))
    return RuleSetting(rule=rule, enabled=row.enabled if row else True, params=params, row=row)


def rule_settings(workspace: Workspace) -> dict[str, RuleSetting]:
    """Every registered rule as this workspace has set it (one query)."""
    rows = {row.kind: row for row in AlertRule.objects.filter(workspace=workspace)}
    return {kind: merged_setting(rule, rows.get(kind)) for kind, rule in RULES.items()}


@transaction.atomic
def alert_rules_setup(*, workspace: Workspace) -> None:
    """Give the workspace a row per registered rule (its defaults), so each can be tuned by id; run on first use."""
    have = set(AlertRule.objects.filter(workspace=workspace).values_list("kind", flat=True))
    missing = [AlertRule(workspace=workspace, kind=kind, params={}) for kind in RULES if kind not in have]
    if missing:
        AlertRule.objects.bulk_create(missing, ignore_conflicts=True)


def _clean_params(rule: AlertRuleType, raw: Mapping[str, Any], errors: FieldErrors) -> dict[str, Any]:
    known = {param.key: param for param in rule.params}
    cleaned: dict[str, Any] = {}
    for key, value in raw.items():
        param = known.get(key)
        if param is None:
            errors[f"params.{key}"] = f"This rule has no parameter {key!r}; it has: {', '.join(known) or 'none'}."
            continue
        try:
            number = Decimal(str(value).strip()) if param.decimal else int(str(value).strip())
        except (InvalidOperation, ValueError):
            errors[f"params.{key}"] = f"{param.label}: enter a {'number' if param.decimal else 'whole number'}."
            continue
        if not param.minimum <= number <= param.maximum or (isinstance(number, Decimal) and not number.is_finite()):
            errors[f"params.{key}"] = f"{param.label}: enter a value from {param.minimum} to {param.maximum}."
            continue
        cleaned[key] = str(number) if param.decimal else number
    return cleaned


@transaction.atomic
def alert_rule_update(
    *, actor: User, workspace: Workspace, rule: AlertRule, enabled: bool | None = None, params: Mapping[str, Any] | None = None
) -> AlertRule:
    """Turn a rule on or off and tune its parameters; turning it off forgets what it had alerted."""
    require(actor, workspace, Action.CHANGE, ObjectType.ALERT_RULE)
    rule_type = RULES.get(rule.kind)
    errors = FieldErrors()
    if rule_type is None:
        errors["kind"] = "This rule is no longer available."
        errors.raise_if_any()
    assert rule_type is not None
    cleaned = _clean_params(rule_type, params or {}, errors)
    errors.raise_if_any()
    before = {"enabled": rule.enabled, "params": dict(rule.params)}
    rule.params = {**rule.params, **cleaned}
    if enabled is not None:
        rule.enabled = enabled
    rule.save()
    if not rule.enabled:
        AlertState.objects.filter(workspace=workspace, kind=rule.kind).delete()
    changes = {name: [value, getattr(rule, name)] for name, value in before.items() if value != getattr(rule, name)}
    if changes:
        audit.record(actor=actor, workspace=workspace, action="update", obj=rule, changes=changes, object_repr=rule_type.label)
    return rule


# --- Evaluation ----------------------------------------------------------------------------------------------


def _capped(rule: AlertRuleType, workspace: Workspace, alerts: list[Alert]) -> list[Message]:
    """One message per alert, but past MAX_ALERTS_PER_PERSON for one person a single summary instead of the rest."""
    per_person: dict[int, list[Alert]] = defaultdict(list)
    for alert in alerts:
        per_person[alert.recipient_id].append(alert)
    messages: list[Message] = []
    for recipient_id, theirs in per_person.items():
        shown = theirs[:MAX_ALERTS_PER_PERSON]
        messages.extend(Message(recipient_id, rule.kind, alert.title, alert.body, alert.url) for alert in shown)
        rest = len(theirs) - len(shown)
        if rest:
            url = rule.summary_url(workspace) if rule.summary_url else reverse("notifications", kwargs={"slug": workspace.slug})
            messages.append(Message(recipient_id, rule.kind, f"{rest} more: {rule.label}", rule.description, url))
    return messages


def _claim(context: RuleContext, alerts: list[Alert]) -> list[Alert]:
    """Record the new records as alerted, in one INSERT … SELECT whatever their number, and keep the alerts this run claimed.

    The INSERT reads the same "not alerted yet" query the rule read; a record a racing worker
    claimed first is skipped by ON CONFLICT DO NOTHING, and only the rows carrying this run's
    token are ours to send (two queries in all).
    """
    if not alerts or context.fresh is None:
        return []
    run = uuid.uuid4().hex
    select, params = context.fresh.annotate(alert_record=F("pk")).values("alert_record").order_by().query.sql_with_params()
    table = connection.ops.quote_name(AlertState._meta.db_table)
    alerted_at = connection.ops.adapt_datetimefield_value(context.now)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (workspace_id, kind, record_id, run, alerted_at) "
            f"SELECT %s, %s, fresh.alert_record, %s, %s FROM ({select}) fresh WHERE true "
            "ON CONFLICT (workspace_id, kind, record_id) DO NOTHING",
            [context.workspace.pk, context.kind, run, alerted_at, *params],
        )
    ours = set(AlertState.objects.filter(workspace=context.workspace, kind=context.kind, run=run).values_list("record_id", flat=True))
    return [alert for alert in alerts if alert.record_id in ours]


@transaction.atomic
def evaluate_rule(*, workspace: Workspace, setting: RuleSetting, now: datetime) -> int:
    """Raise one rule's new alerts in a workspace and forget the records whose condition cleared; returns how many went out."""
    rule = setting.rule
    if rule.find is None:
        return 0
    if not setting.enabled:
        AlertState.objects.filter(workspace=workspace, kind=rule.kind).delete()
        return 0
    context = RuleContext(workspace=workspace, kind=rule.kind, params=setting.params, now=now)
    alerts = list(rule.find(context))
    if context.condition is not None:
        still = context.condition.filter(pk=OuterRef("record_id"))
        AlertState.objects.filter(workspace=workspace, kind=rule.kind).exclude(Exists(still)).delete()
    claimed = _claim(context, alerts)
    notify_many(workspace=workspace, messages=_capped(rule, workspace, claimed))
    return len(claimed)


def evaluate_workspace(*, workspace: Workspace, now: datetime | None = None) -> int:
    """Evaluate every scheduled rule in one workspace: a constant number of queries per rule."""
    now = now or timezone.now()
    settings = rule_settings(workspace)
    return sum(evaluate_rule(workspace=workspace, setting=setting, now=now) for setting in settings.values())


def evaluate_all(*, now: datetime | None = None) -> int:
    """Evaluate the rules of every workspace (the worker runs this every AMITY_ALERTS_SECONDS)."""
    now = now or timezone.now()
    return sum(evaluate_workspace(workspace=workspace, now=now) for workspace in Workspace.objects.order_by("pk"))


@transaction.atomic
def raise_event_alert(*, workspace: Workspace, kind: str, event_id: int, alerts: Iterable[Alert]) -> int:
    """Send an event's alerts once: the event is claimed by id, so a retried task sends nothing more."""
    setting = rule_settings(workspace).get(kind)
    if setting is None or not setting.enabled:
        return 0
    alerts = list(alerts)
    if not alerts:
        return 0
    run = uuid.uuid4().hex
    AlertState.objects.bulk_create([AlertState(workspace=workspace, kind=kind, record_id=event_id, run=run)], ignore_conflicts=True)
    if not AlertState.objects.filter(workspace=workspace, kind=kind, record_id=event_id, run=run).exists():
        return 0
    notify_many(workspace=workspace, messages=[Message(a.recipient_id, kind, a.title, a.body, a.url) for a in alerts])
    return len(alerts)
