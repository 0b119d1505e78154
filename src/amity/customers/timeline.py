"""Merges on the survivor's timeline: "merged X into this" when it happened, and "merge undone" when someone undid it.

Two sources over the one `Merge` table (a merge and its undo happen at different times, and a
source sorts by one column). The audit log's own *merged* entry is left off the changes source
(`activities.selectors.timeline_change_rows`), so a merge shows once, in words.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from amity.activities import timeline
from amity.activities.timeline import TimelineItem, TimelineQuery, TimelineSource
from amity.core.access import visible
from amity.core.permissions import ObjectType
from amity.customers.merging import counted
from amity.customers.models import Merge


def _survivors(query: TimelineQuery) -> Q:
    condition = Q(pk__in=[])
    if query.contact_ids:
        condition |= Q(record_type="contact", survivor_id__in=sorted(query.contact_ids))
    if query.account_ids:
        condition |= Q(record_type="account", survivor_id__in=sorted(query.account_ids))
    return condition


def merge_rows(query: TimelineQuery) -> models.QuerySet[Merge]:
    """The merges into the query's contacts and accounts (raises PermissionDenied for a role that may not see duplicates)."""
    return visible(Merge.objects.all(), actor=query.actor, workspace=query.workspace, object_type=ObjectType.DUPLICATE).filter(
        _survivors(query)
    )


def undo_rows(query: TimelineQuery) -> models.QuerySet[Merge]:
    return merge_rows(query).filter(undone_at__isnull=False)


def _moved(merge: Merge) -> str:
    parts = [counted(label, len(ids)) for label, ids in sorted(merge.moved.items()) if ids]  # jsonb keeps no order
    return f"Moved here: {', '.join(parts)}." if parts else "Nothing linked to move."


def _item(merge: Merge, *, kind: str) -> TimelineItem:
    undone = kind == "merge_undone"
    actor = merge.undone_by if undone else merge.merged_by
    by = "automatically" if merge.automatic and not undone else ""
    return TimelineItem(
        kind=kind,
        id=merge.pk,
        occurred_at=merge.undone_at if undone and merge.undone_at else merge.created_at,
        title=f"Merge of {merge.merged_name} undone" if undone else f"Merged {merge.merged_name} into this {merge.record_type}",
        summary=f"{merge.merged_name} is a record of its own again, with what it had." if undone else _moved(merge),
        object_type=f"customers.{merge.record_type}",
        object_id=merge.merged_id,
        actor_name=actor.display_name if actor else by,
        extra={"merged_id": merge.merged_id, "automatic": merge.automatic},
    )


def merge_items(rows: models.QuerySet[Merge]) -> list[TimelineItem]:
    return [_item(merge, kind="merge") for merge in rows.select_related("merged_by")]


def undo_items(rows: models.QuerySet[Merge]) -> list[TimelineItem]:
    return [_item(merge, kind="merge_undone") for merge in rows.select_related("undone_by")]


def register_sources() -> None:
    timeline.register(
        TimelineSource(
            kind="merge",
            label="Merges",
            rows=merge_rows,
            render=merge_items,
            time_field="created_at",
            icon="arrows-join",
            tone="purple",
            entry_label="Merge",
        )
    )
    timeline.register(
        TimelineSource(
            kind="merge_undone",
            label="Merges undone",
            rows=undo_rows,
            render=undo_items,
            time_field="undone_at",
            icon="arrows-split",
            tone="orange",
            entry_label="Merge undone",
        )
    )
