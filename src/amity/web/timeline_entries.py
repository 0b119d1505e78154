"""How the timeline's items look on a record's page: icon, colour, the facts under the title, month headings.

The timeline itself (which rows, in which order, in pages) is amity.activities.timeline; this turns its
items into what the template draws, without another query: names of people come from the members
the page already fetched, custom field labels from its definitions.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from amity.activities import timeline
from amity.activities.models import Channel, Direction
from amity.activities.timeline import TimelineItem
from amity.core.models import AuditEntry, FieldDefinition
from amity.core.permissions import Action, ObjectType, can_change_entry
from amity.core.phones import national
from amity.customers.models import LifecycleStage

CHANNEL_LOOKS = {
    Channel.EMAIL: ("mail", "azure", "Email"),
    Channel.PHONE: ("phone", "green", "Call"),
    Channel.MEETING: ("calendar-event", "purple", "Meeting"),
    Channel.CHAT: ("message-circle", "cyan", "Chat"),
    Channel.SMS: ("message", "teal", "SMS"),
    Channel.WEB: ("world", "indigo", "Web"),
    Channel.SOCIAL: ("share", "pink", "Social"),
    Channel.LETTER: ("mail-opened", "orange", "Letter"),
    Channel.IN_PERSON: ("users", "lime", "In person"),
}
KIND_LOOKS = {
    "note": ("note", "yellow", "Note"),
    "task": ("checkbox", "green", "Task"),
    "change": ("history", "secondary", "Change"),
}
OTHER_LOOK = ("point", "secondary", "")
DIRECTIONS = {Direction.INBOUND: "inbound", Direction.OUTBOUND: "outbound", Direction.INTERNAL: "internal"}
FIELD_LABELS = {
    "first_name": "First name", "last_name": "Last name", "title": "Job title", "preferred_channel": "Preferred channel",
    "language": "Language", "time_zone": "Time zone", "lifecycle_stage": "Stage", "source": "Source", "external_id": "External id",
    "owner": "Owner", "team": "Team", "social": "Social profiles", "emails": "Emails", "phones": "Phones", "accounts": "Accounts",
    "tags": "Tags", "name": "Name", "industry": "Industry", "size": "Size", "annual_revenue": "Annual revenue",
    "revenue_currency": "Currency", "parent": "Parent account", "domains": "Domains",
}  # fmt: skip
# Fields whose audit values are ids of records the page has no names for: the entry says that they changed.
CHANGED_ONLY = {"team", "parent", "accounts", "social"}
SHOWN_CHANGES = 6
# What a timeline entry may be changed and deleted as, from the page it shows on.
EDITABLE_KINDS = {"interaction": ObjectType.INTERACTION, "note": ObjectType.NOTE, "task": ObjectType.TASK}
MENTION = re.compile(r"@\[([^\]]{0,200})\]\(user:\d{1,18}\)")


def _registered_look(kind: str) -> tuple[str, str, str]:
    """The icon, colour and label another app gave its kind of entry when it registered it."""
    source = timeline.source(kind)
    return (source.icon, source.tone, source.entry_label) if source else OTHER_LOOK


@dataclass(frozen=True)
class Change:
    label: str
    before: str = ""
    after: str = ""
    only_changed: bool = False


@dataclass
class Entry:
    """One timeline item, ready to draw."""

    item: TimelineItem
    icon: str
    tone: str
    label: str
    facts: list[str] = field(default_factory=list)
    summary: str = ""
    body: SafeString | None = None
    changes: list[Change] = field(default_factory=list)
    more_changes: int = 0
    people: list[dict[str, Any]] = field(default_factory=list)
    month: str = ""
    due_at: dt.datetime | None = None
    overdue: bool = False
    url: str = ""  # the entry's own address, when it is one that can be changed from the timeline
    query: str = ""  # to add to that address (which page it shows on)
    can_edit: bool = False
    can_delete: bool = False

    @property
    def dom_id(self) -> str:
        return f"entry-{self.item.kind}-{self.item.id}"


@dataclass(frozen=True)
class Editing:
    """Who looks at a timeline, so that the entries they may change get Edit and Delete (by `can_change_entry`)."""

    actor_id: int
    role: str
    urls: Mapping[str, str]  # kind -> an entry's address with 0 for its id
    query: str = ""  # "?contact=12" on a contact's page: the entry drawn again leaves that person out, like the page

    def apply(self, entry: Entry) -> None:
        object_type = EDITABLE_KINDS.get(entry.item.kind)
        if object_type is None:
            return
        is_author = entry.item.extra.get("author_id") == self.actor_id
        entry.url, entry.query = self.urls[entry.item.kind].replace("/0/", f"/{entry.item.id}/"), self.query
        entry.can_edit = can_change_entry(self.role, Action.CHANGE, object_type, is_author=is_author)
        entry.can_delete = can_change_entry(self.role, Action.DELETE, object_type, is_author=is_author)


def editing_for(*, actor_id: int, role: str, workspace_slug: str, page_contact_id: int | None = None) -> Editing:
    """How a page's timeline offers Edit and Delete to this member (the entries' addresses reversed once)."""
    urls = {kind: reverse("timeline_entry", args=[workspace_slug, kind, 0]) for kind in EDITABLE_KINDS}
    return Editing(actor_id=actor_id, role=role, urls=urls, query=f"?contact={page_contact_id}" if page_contact_id else "")


def month_of(moment: dt.datetime) -> str:
    return date_format(timezone.localtime(moment), "F Y")


@dataclass(frozen=True)
class Presenter:
    """What the page knows that makes entries readable: member names, custom field labels, whose page it is."""

    people: Mapping[int, str]
    definitions: Iterable[FieldDefinition]
    contact_url: str  # a contact page's address with 0 for the id
    page_contact_id: int | None = None
    editing: Editing | None = None  # None: nobody changes entries here (a record in the bin)

    def entries(self, items: Iterable[TimelineItem], *, previous_month: str = "") -> list[Entry]:
        """The items as entries, with a month heading on the first entry of each month (after `previous_month`)."""
        entries = []
        month = previous_month
        for item in items:
            entry = self.entry(item)
            current = month_of(item.occurred_at)
            if current != month:
                entry.month = month = current
            entries.append(entry)
        return entries

    def entry(self, item: TimelineItem) -> Entry:
        if item.kind == "interaction":
            icon, tone, label = CHANNEL_LOOKS.get(item.channel, OTHER_LOOK)  # type: ignore[call-overload]
            entry = Entry(item, icon, tone, label or item.channel.capitalize())
            self._interaction(entry)
        else:
            icon, tone, label = KIND_LOOKS.get(item.kind) or _registered_look(item.kind)
            entry = Entry(item, icon, tone, label or item.kind.replace("_", " ").capitalize())
            if item.kind == "note":
                entry.body = note_html(str(item.extra.get("body", "")))
            elif item.kind == "task":
                self._task(entry)
            elif item.kind == "change":
                self._change(entry)
            elif item.extra.get("lines"):  # another app's changes, already in words (a deal's: amity.sales.deal_changes)
                self._lines(entry)
            else:  # a kind another app registered: its own summary
                entry.summary = item.summary
        entry.people = [
            {"name": person["name"], "url": self.contact_url.replace("/0/", f"/{person['id']}/")}
            for person in item.extra.get("contacts", [])
            if person.get("id") != self.page_contact_id
        ]
        if self.editing is not None:
            self.editing.apply(entry)
        return entry

    def _interaction(self, entry: Entry) -> None:
        extra = entry.item.extra
        entry.summary = entry.item.summary if entry.item.summary != extra.get("outcome") else ""
        direction = DIRECTIONS.get(entry.item.direction, "")  # type: ignore[call-overload]
        if direction and direction not in entry.item.title.lower():  # "Phone call (outbound)" says it already
            entry.facts.append(direction)
        if extra.get("duration_seconds"):
            entry.facts.append(duration(int(extra["duration_seconds"])))
        if extra.get("outcome"):
            entry.facts.append(str(extra["outcome"]))

    def _task(self, entry: Entry) -> None:
        extra = entry.item.extra
        due_at = parse_datetime(str(extra.get("due_at", "")))
        status = str(extra.get("status", ""))
        entry.due_at = due_at
        entry.overdue = status == "open" and due_at is not None and due_at < timezone.now()
        entry.facts.append({"open": "open", "done": "done", "cancelled": "cancelled"}.get(status, status))
        if extra.get("priority") in {"high", "urgent"}:
            entry.facts.append(f"{extra['priority']} priority")
        if entry.item.actor_name:
            entry.facts.append(f"for {entry.item.actor_name}")
        if status == "done":
            entry.icon = "circle-check"

    def _change(self, entry: Entry) -> None:
        action = entry.item.extra.get("action")
        if action == AuditEntry.Action.DELETE:
            entry.icon, entry.tone = "trash", "red"
        elif action == AuditEntry.Action.CREATE:
            entry.icon = "sparkles"
        changes = self.changes(entry.item.extra.get("changes") or {}, created=action == AuditEntry.Action.CREATE)
        entry.changes, entry.more_changes = changes[:SHOWN_CHANGES], max(0, len(changes) - SHOWN_CHANGES)

    def _lines(self, entry: Entry) -> None:
        lines = [Change(line["label"], line["before"], line["after"], line["only_changed"]) for line in entry.item.extra["lines"]]
        entry.changes, entry.more_changes = lines[:SHOWN_CHANGES], max(0, len(lines) - SHOWN_CHANGES)

    def changes(self, raw: Mapping[str, Any], *, created: bool = False) -> list[Change]:
        """An audit entry's {field: [before, after]} as labelled lines; a creation lists only what was set."""
        labels = {d.key: d.label for d in self.definitions}
        lines: list[Change] = []
        for name, values in raw.items():
            if name == "deleted" or not isinstance(values, list) or len(values) != 2:
                continue
            before, after = values
            if created and after in (None, "", [], {}):
                continue  # a creation lists what was set, not every empty field
            if name == "custom" and all(isinstance(value or {}, Mapping) for value in (before, after)):  # an erasure leaves "[erased]"
                lines += self._custom_changes(before or {}, after or {}, labels)
            elif name in CHANGED_ONLY:
                lines.append(Change(FIELD_LABELS.get(name, name), only_changed=True))
            else:
                lines.append(Change(FIELD_LABELS.get(name, _label(name)), self.value(name, before), self.value(name, after)))
        return lines

    def _custom_changes(self, before: Mapping[str, Any], after: Mapping[str, Any], labels: Mapping[str, str]) -> list[Change]:
        keys = sorted({*before, *after} - {key for key in before if before.get(key) == after.get(key)})
        return [Change(labels.get(key, _label(key)), _text(before.get(key)), _text(after.get(key))) for key in keys]

    def value(self, name: str, value: Any) -> str:
        if value in (None, "", []):
            return ""
        if name == "owner":
            return self.people.get(int(value), "a former member") if str(value).isdigit() else str(value)
        if name == "lifecycle_stage" and value in LifecycleStage.values:
            return str(LifecycleStage(value).label)
        if name == "phones" and isinstance(value, list):
            return ", ".join(national(str(number)) for number in value)
        return _text(value)


def _label(name: str) -> str:
    return name.replace("_id", "").replace("_", " ").capitalize()


def _text(value: Any) -> str:
    if value in (None, "", []):
        return ""
    if isinstance(value, dict) and "amount" in value:
        return f"{value['amount']} {value.get('currency', '')}".strip()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


def duration(seconds: int) -> str:
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{max(minutes, 1)} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


def note_html(body: str) -> SafeString:
    """A note's stored HTML (sanitized when it was saved), with @[Name](user:12) mentions drawn as names."""
    return mark_safe(MENTION.sub(lambda match: format_html('<span class="amity-mention">@{}</span>', mark_safe(match[1])), body))
