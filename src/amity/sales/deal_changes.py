"""A deal's own changes on the timelines (amount, close date, owner, tags, custom fields…), from the audit log, in words.

The services audit every change of a deal before → after (`services.opportunities._record`); this source puts those
entries on the deal's, its account's and its people's timelines, like the contacts' and accounts' "change" entries.
A stage move has its own entry (`stage_change`, from the stage history), which says the stage, the amount and the
probability; what a move changes along with the stage (status, probability, forecast category, closed time, lost
reason) is therefore left out of a change that moved the stage, and an audit entry of nothing but a move is not shown.

The values are made readable here, once, for the web page and the API alike: money in its currency, members' names,
dates, the custom fields' labels. A page of entries costs at most one query per kind of name it needs (members,
teams, pipelines, the deals' currencies, the custom field definitions), whatever the number of entries.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import models
from django.db.models import CharField, Q
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.formats import date_format

from amity.activities.selectors import visible_changes
from amity.activities.timeline import TimelineItem, TimelineQuery
from amity.core import money
from amity.core.access import hidden_fields
from amity.core.models import AuditEntry, FieldDefinition, Team, User
from amity.core.permissions import ObjectType
from amity.sales.models import Opportunity, Pipeline
from amity.sales.selectors import linked_to, visible_opportunity_ids

OBJECT_TYPE = "sales.opportunity"
# What moving a deal to another stage changes with it: said by the stage change's own entry.
STAGE_MOVE_FIELDS = frozenset({"stage", "status", "probability", "forecast_category", "closed_at", "lost_reason"})
LABELS = {
    "amount": "Amount", "currency": "Currency", "expected_close_date": "Close date", "probability": "Probability",
    "forecast_category": "Forecast category", "owner": "Owner", "team": "Team", "next_step": "Next step", "name": "Name",
    "account": "Account", "pipeline": "Pipeline", "description": "Description", "competitors": "Competitors",
    "source": "Source", "lost_note": "Lost note", "external_id": "External id", "tags": "Tags", "contacts": "People",
    "line_items": "Line items", "stage": "Stage", "status": "Status", "closed_at": "Closed", "lost_reason": "Lost reason",
}  # fmt: skip
SHOWN_WITH_A_MOVE = sorted(set(LABELS) - STAGE_MOVE_FIELDS | {"custom"})
# The order of an entry's lines (PostgreSQL's jsonb keeps no order of keys): the money first, custom fields last.
ORDER = {name: position for position, name in enumerate([*LABELS, "custom"])}
# Values the entry does not spell out: ids of records it would need more lookups (and access checks) to name.
CHANGED_ONLY = frozenset({"account", "contacts", "line_items", "stage", "lost_reason", "status"})
NOT_SHOWN = frozenset({"deleted"})
ACTION_TITLES: dict[str, str] = {AuditEntry.Action.UPDATE: "Changed", AuditEntry.Action.RESTORE: "Restored"}


@dataclass(frozen=True)
class Line:
    """One changed field of a deal in words: "Amount: €1,000.00 → €1,500.00"."""

    field: str  # the audited name ("amount", "custom.budget"), which the redaction checks against hidden fields
    label: str
    before: str = ""
    after: str = ""
    only_changed: bool = False

    def text(self) -> str:
        if self.only_changed:
            return f"{self.label} changed"
        return f"{self.label}: {self.before or '—'} → {self.after or '—'}"


def deal_change_rows(query: TimelineQuery) -> models.QuerySet[AuditEntry]:
    """The audit entries of the timeline's deals (those the actor may see) that changed more than their stage."""
    deals = Opportunity.objects.filter(
        linked_to(contact_ids=query.contact_ids, account_ids=query.account_ids, opportunity_ids=query.opportunity_ids),
        workspace=query.workspace,
        pk__in=visible_opportunity_ids(actor=query.actor, workspace=query.workspace),
    )
    deal_ids = deals.annotate(text_id=Cast("pk", output_field=CharField())).values("text_id")
    only_a_move = Q(changes__has_key="stage") & ~Q(changes__has_any_keys=SHOWN_WITH_A_MOVE)
    return AuditEntry.objects.filter(
        workspace=query.workspace, object_type=OBJECT_TYPE, object_id__in=deal_ids, action__in=list(ACTION_TITLES)
    ).exclude(only_a_move)


def deal_change_items(rows: models.QuerySet[AuditEntry]) -> list[TimelineItem]:
    entries = list(rows.select_related("actor"))
    names = Names.of(entries)
    return [_item(entry, names.lines(entry)) for entry in entries]


def _item(entry: AuditEntry, lines: list[Line]) -> TimelineItem:
    return TimelineItem(
        kind="deal_change",
        id=entry.pk,
        occurred_at=entry.created_at,
        title=f"{ACTION_TITLES.get(entry.action, 'Changed')} {entry.object_repr}",
        summary=summary(lines),
        object_type=OBJECT_TYPE,
        object_id=entry.object_id,
        url=f"/api/v1/opportunities/{entry.object_id}",
        actor_name=entry.actor.display_name if entry.actor else entry.actor_label,
        extra={"action": entry.action, "changes": entry.changes, "lines": [vars(line) for line in lines]},
    )


def summary(lines: Iterable[Line]) -> str:
    return "; ".join(line.text() for line in lines)


def deal_change_redact(items: list[TimelineItem], query: TimelineQuery) -> list[TimelineItem]:
    """The changes as the actor may read them: no line, and no value, of a deal field hidden from their role."""
    hidden = hidden_fields(query.actor, query.workspace, ObjectType.OPPORTUNITY)
    if not hidden:
        return items
    redacted = []
    for item in items:
        lines = [Line(**line) for line in item.extra["lines"] if line["field"] not in hidden]
        changes = visible_changes(item.extra["changes"], hidden)
        extra = {**item.extra, "changes": changes, "lines": [vars(line) for line in lines]}
        redacted.append(replace(item, summary=summary(lines), extra=extra))
    return redacted


@dataclass(frozen=True)
class Names:
    """What makes a page of deal changes readable, each kind of name looked up once for the whole page."""

    members: Mapping[int, str]
    teams: Mapping[int, str]
    pipelines: Mapping[int, str]
    currencies: Mapping[str, str]  # a deal's id (as the audit log keeps it) -> its currency now
    definitions: Mapping[str, FieldDefinition]

    @classmethod
    def of(cls, entries: list[AuditEntry]) -> Names:
        if not entries:
            return cls({}, {}, {}, {}, {})
        workspace_id = entries[0].workspace_id
        changed = [entry.changes for entry in entries]
        definitions: dict[str, FieldDefinition] = {}
        if any("custom" in changes for changes in changed):
            found = FieldDefinition.objects.filter(workspace_id=workspace_id, object_type=ObjectType.OPPORTUNITY)
            definitions = {definition.key: definition for definition in found}
        user_keys = {"owner"} | {f"custom.{key}" for key, d in definitions.items() if d.type == FieldDefinition.Type.USER}
        user_ids = _ids(changed, user_keys)
        team_ids, pipeline_ids = _ids(changed, {"team"}), _ids(changed, {"pipeline"})
        members = list(User.objects.filter(pk__in=user_ids, memberships__workspace_id=workspace_id)) if user_ids else []
        teams = list(Team.objects.filter(pk__in=team_ids, workspace_id=workspace_id).values_list("pk", "name")) if team_ids else []
        pipelines = Pipeline.objects.filter(pk__in=pipeline_ids, workspace_id=workspace_id) if pipeline_ids else None
        with_money = sorted({int(entry.object_id) for entry in entries if "amount" in entry.changes})
        deals = Opportunity.objects.filter(workspace_id=workspace_id, pk__in=with_money) if with_money else None
        return cls(
            members={user.pk: user.display_name for user in members},
            teams=dict(teams),
            pipelines=dict(pipelines.values_list("pk", "name")) if pipelines is not None else {},
            currencies={str(pk): currency for pk, currency in deals.values_list("pk", "currency")} if deals is not None else {},
            definitions=definitions,
        )

    def lines(self, entry: AuditEntry) -> list[Line]:
        """The entry's changed fields in words, in the order of LABELS; a move's own fields are left to its own entry."""
        changes = entry.changes
        moved = "stage" in changes
        currency = changes.get("currency") or [self.currencies.get(entry.object_id, "")] * 2
        lines: list[Line] = []
        for name in sorted(changes, key=lambda name: (ORDER.get(name, len(ORDER)), name)):
            values = changes[name]
            if name in NOT_SHOWN or (moved and name in STAGE_MOVE_FIELDS) or not _pair(values):
                continue
            before, after = values
            if name == "custom":
                lines += self._custom_lines(before or {}, after or {}, currency)
            elif name in CHANGED_ONLY:
                lines.append(Line(name, LABELS[name], only_changed=True))
            else:
                label = LABELS.get(name, name.replace("_", " ").capitalize())
                lines.append(Line(name, label, self.value(name, before, currency[0]), self.value(name, after, currency[1])))
        return lines

    def _custom_lines(self, before: Mapping[str, Any], after: Mapping[str, Any], currency: list[str]) -> list[Line]:
        if not all(isinstance(side, Mapping) for side in (before, after)):
            return []
        keys = [key for key in sorted({*before, *after}) if before.get(key) != after.get(key)]
        lines = []
        for key in keys:
            definition = self.definitions.get(key)
            label = definition.label if definition else key.replace("_", " ").capitalize()
            kind = definition.type if definition else ""
            lines.append(Line(f"custom.{key}", label, self.custom_value(kind, before.get(key)), self.custom_value(kind, after.get(key))))
        return lines

    def value(self, name: str, value: Any, currency: str) -> str:
        if value in (None, "", []):
            return ""
        if name == "amount":
            return _money(value, currency)
        if name == "owner":
            return self._member(value)
        if name == "team":
            return self.teams.get(_int(value), "a deleted team")
        if name == "pipeline":
            return self.pipelines.get(_int(value), "a deleted pipeline")
        if name == "probability":
            return f"{value}%"
        if name == "expected_close_date":
            return _date(value)
        if name == "forecast_category":
            return str(value).replace("_", " ").capitalize()
        return _text(value)

    def custom_value(self, kind: str, value: Any) -> str:
        if value in (None, "", []):
            return ""
        if kind == FieldDefinition.Type.MONEY and isinstance(value, Mapping):
            return _money(value.get("amount"), str(value.get("currency", "")))
        if kind == FieldDefinition.Type.DATE:
            return _date(value)
        if kind == FieldDefinition.Type.DATETIME:
            return _moment(value)
        if kind == FieldDefinition.Type.USER:
            return self._member(value)
        return _text(value)

    def _member(self, value: Any) -> str:
        return self.members.get(_int(value), "a former member")


def _pair(values: Any) -> bool:
    return isinstance(values, list) and len(values) == 2


def _ids(changes: Iterable[Mapping[str, Any]], keys: set[str]) -> list[int]:
    """The ids some fields of these changes held before or after (custom ones as "custom.<key>")."""
    ids: set[int] = set()
    for change in changes:
        for key in keys:
            name, _, custom_key = key.partition(".")
            values = change.get(name)
            if not isinstance(values, list) or len(values) != 2:
                continue
            sides = [side.get(custom_key) if isinstance(side, Mapping) else None for side in values] if custom_key else values
            ids.update(_int(side) for side in sides if _int(side))
    return sorted(ids)


def _int(value: Any) -> int:
    return int(value) if str(value).isdigit() else 0


def _money(value: Any, currency: str) -> str:
    try:
        return money.display(Decimal(str(value)), currency) if currency else str(value)
    except (InvalidOperation, ValueError):
        return str(value)


def _date(value: Any) -> str:
    day = parse_date(str(value)[:10]) if value else None
    return date_format(day, "j M Y") if day else _text(value)


def _moment(value: Any) -> str:
    """A time the audit log keeps in UTC, in the zone of whoever reads it (the request's)."""
    moment = parse_datetime(str(value))
    if moment is None:
        return _text(value)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, dt.UTC)
    return date_format(timezone.localtime(moment), "j M Y, H:i T")


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)
