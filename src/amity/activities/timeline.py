"""The timeline: one stream, newest first, of everything that happened around some customers.

Any app adds its records to every 360° page by registering a *source* here, once, in its
`AppConfig.ready()`:

    timeline.register(TimelineSource(kind="opportunity", rows=opportunity_rows, render=opportunity_items))

A source says two things. `rows(query)` is a queryset of every row of its kind that concerns
the query's contacts and accounts and that the acting user may see (not yet ordered or cut).
`render(rows)` turns some of those rows into `TimelineItem`s. `timeline_page` asks each
source for the sort keys (time, id) of at most `limit + 1` rows after the cursor, merges the
keys, cuts the page, and then has each source render only its rows on that page. A page thus
costs at most two queries per source whatever the size of the history, only the page's rows
become objects, and the order is total: (occurred_at desc, kind desc, id desc).

Why not a denormalized timeline table: every source's rows already sit behind an index on
(workspace, linked record, time), a page reads at most `limit + 1` keys from each, and a copy
would have to be kept right on every write, merge and erasure, including audit entries that
other apps write. A contact with 500 entries pages well within the 100 ms budget (see
tests/activities/test_timeline.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from amity.core.models import User, Workspace

CURSOR_SALT = "amity.timeline"


@dataclass(frozen=True)
class Position:
    """Where a page ended: the sort key of its last item."""

    occurred_at: dt.datetime
    kind: str
    id: int


@dataclass(frozen=True)
class TimelineItem:
    """One entry of a timeline, whatever its source."""

    kind: str
    id: int
    occurred_at: dt.datetime
    title: str
    summary: str = ""
    channel: str = ""
    direction: str = ""
    object_type: str = ""
    object_id: int | str = ""
    url: str = ""
    actor_name: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def position(self) -> Position:
        return Position(self.occurred_at, self.kind, self.id)

    @property
    def sort_key(self) -> tuple[dt.datetime, str, int]:
        return (self.occurred_at, self.kind, self.id)


@dataclass(frozen=True)
class TimelineQuery:
    """What a source is asked: whose timeline, seen by whom, from where, how much."""

    workspace: Workspace
    actor: User
    contact_ids: frozenset[int]
    account_ids: frozenset[int]
    limit: int
    after: Position | None = None
    channels: frozenset[str] = frozenset()
    opportunity_ids: frozenset[int] = frozenset()  # a deal's own timeline: what was logged on it
    lead_ids: frozenset[int] = frozenset()  # a lead's own timeline: what was logged on it

    def window(self, queryset: models.QuerySet[Any], *, kind: str, time_field: str) -> models.QuerySet[Any]:
        """The rows strictly after the cursor in the timeline's order, newest first, at most limit + 1."""
        ordered = queryset.order_by(f"-{time_field}", "-id")
        if self.after is not None:
            at = self.after.occurred_at
            if kind < self.after.kind:  # at the same instant this kind sorts after the cursor's: include that instant
                ordered = ordered.filter(**{f"{time_field}__lte": at})
            elif kind == self.after.kind:
                ordered = ordered.filter(Q(**{f"{time_field}__lt": at}) | Q(**{time_field: at, "id__lt": self.after.id}))
            else:
                ordered = ordered.filter(**{f"{time_field}__lt": at})
        return ordered[: self.limit + 1]


@dataclass(frozen=True)
class TimelineSource:
    """A kind of timeline entry: which rows belong on a timeline, and how one looks."""

    kind: str
    rows: Callable[[TimelineQuery], models.QuerySet[Any]]
    render: Callable[[models.QuerySet[Any]], Iterable[TimelineItem]]
    time_field: str = "occurred_at"
    label: str = ""
    has_channels: bool = False
    # How one entry looks on a record page: a Tabler icon, a colour and a singular label ("Deal").
    icon: str = "point"
    tone: str = "secondary"
    entry_label: str = ""
    # Takes out of rendered entries what the query's actor may not see (a sensitive field's values in a change).
    redact: Callable[[list[TimelineItem], TimelineQuery], list[TimelineItem]] | None = None


_sources: dict[str, TimelineSource] = {}


def register(source: TimelineSource) -> None:
    """Add a kind of entry to every timeline; registering the same kind again replaces it."""
    _sources[source.kind] = source


def source(kind: str) -> TimelineSource | None:
    return _sources.get(kind)


def sources() -> list[TimelineSource]:
    return sorted(_sources.values(), key=lambda source: source.kind)


def kinds() -> list[str]:
    return [source.kind for source in sources()]


@dataclass
class TimelinePage:
    items: list[TimelineItem]
    next_cursor: str | None


def encode_cursor(position: Position) -> str:
    return signing.dumps([position.occurred_at.isoformat(), position.kind, position.id], salt=CURSOR_SALT)


def decode_cursor(cursor: str) -> Position:
    try:
        at, kind, pk = signing.loads(cursor, salt=CURSOR_SALT)
        return Position(dt.datetime.fromisoformat(at), str(kind), int(pk))
    except (signing.BadSignature, ValueError, TypeError):
        raise ValidationError({"cursor": "This cursor is not one we gave out; start again without it."}) from None


def timeline_page(
    *,
    workspace: Workspace,
    actor: User,
    contact_ids: Iterable[int],
    account_ids: Iterable[int] = (),
    opportunity_ids: Iterable[int] = (),
    lead_ids: Iterable[int] = (),
    kinds: Sequence[str] = (),
    channels: Sequence[str] = (),
    cursor: str | None = None,
    limit: int = 50,
) -> TimelinePage:
    """One page of the merged timeline of some contacts, accounts, deals and leads, newest first."""
    unknown = sorted(set(kinds) - set(_sources))
    if unknown:
        raise ValidationError({"kind": f"Unknown kind {', '.join(unknown)}; choose from: {', '.join(sorted(_sources))}."})
    query = TimelineQuery(
        workspace=workspace,
        actor=actor,
        contact_ids=frozenset(contact_ids),
        account_ids=frozenset(account_ids),
        limit=limit,
        after=decode_cursor(cursor) if cursor else None,
        channels=frozenset(channels),
        opportunity_ids=frozenset(opportunity_ids),
        lead_ids=frozenset(lead_ids),
    )
    if not (query.contact_ids or query.account_ids or query.opportunity_ids or query.lead_ids):
        return TimelinePage(items=[], next_cursor=None)
    chosen: dict[str, tuple[TimelineSource, models.QuerySet[Any]]] = {}
    keys: list[tuple[dt.datetime, str, int]] = []
    for source in sources():
        if kinds and source.kind not in kinds:
            continue
        if channels and not source.has_channels:
            continue  # a channel filter asks for things that happened on a channel
        try:
            rows = source.rows(query)
        except PermissionDenied:
            continue  # a role that may not see this kind simply does not see it on timelines
        chosen[source.kind] = (source, rows)
        window = query.window(rows, kind=source.kind, time_field=source.time_field)
        keys.extend((at, source.kind, pk) for at, pk in window.values_list(source.time_field, "id"))
    keys.sort(reverse=True)
    page_keys, has_more = keys[:limit], len(keys) > limit
    items: list[TimelineItem] = []
    with timezone.override(actor.zone):  # a time a source writes in words is in the reader's zone, through any door
        for kind, (source, rows) in chosen.items():
            ids = [pk for _, key_kind, pk in page_keys if key_kind == kind]
            if ids:
                rendered = list(source.render(rows.filter(pk__in=ids)))
                items.extend(source.redact(rendered, query) if source.redact else rendered)
    items.sort(key=lambda item: item.sort_key, reverse=True)
    return TimelinePage(items=items, next_cursor=encode_cursor(items[-1].position) if has_more and items else None)


def register_builtin_sources() -> None:
    """The sources this app owns: interactions, notes, tasks, and changes of the customer records."""
    from amity.activities import selectors

    register(
        TimelineSource(
            kind="interaction",
            label="Interactions",
            rows=selectors.timeline_interaction_rows,
            render=selectors.timeline_interaction_items,
            has_channels=True,
        )
    )
    register(
        TimelineSource(
            kind="note", label="Notes", rows=selectors.timeline_note_rows, render=selectors.timeline_note_items, time_field="created_at"
        )
    )
    register(
        TimelineSource(
            kind="task", label="Tasks", rows=selectors.timeline_task_rows, render=selectors.timeline_task_items, time_field="created_at"
        )
    )
    register(
        TimelineSource(
            kind="change",
            label="Changes",
            rows=selectors.timeline_change_rows,
            render=selectors.timeline_change_items,
            redact=selectors.timeline_change_redact,
            time_field="created_at",
        )
    )
