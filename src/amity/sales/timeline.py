"""Deals on the timelines: a deal opened with an account, each stage it entered and its other changes (`deal_changes`), on its
account's, its people's and its own timeline."""

from __future__ import annotations

from django.db import models

from amity.activities import timeline
from amity.activities.timeline import TimelineItem, TimelineQuery, TimelineSource
from amity.sales import deal_changes
from amity.sales.models import Opportunity, StageChange
from amity.sales.selectors import linked_to, visible_opportunity_ids


def _money(amount: object, currency: str) -> str:
    return f"{amount} {currency}"


def opportunity_rows(query: TimelineQuery) -> models.QuerySet[Opportunity]:
    """Deals of the query's accounts, with its people on them, or the query's deals, that the actor may see."""
    linked = linked_to(contact_ids=query.contact_ids, account_ids=query.account_ids, opportunity_ids=query.opportunity_ids)
    return Opportunity.objects.filter(
        linked, workspace=query.workspace, pk__in=visible_opportunity_ids(actor=query.actor, workspace=query.workspace)
    )


def opportunity_items(rows: models.QuerySet[Opportunity]) -> list[TimelineItem]:
    return [
        TimelineItem(
            kind="opportunity",
            id=row.pk,
            occurred_at=row.created_at,
            title=f"New deal: {row.name}",
            summary=f"{_money(row.amount, row.currency)} · {row.stage.name} · closes {row.expected_close_date:%Y-%m-%d}",
            object_type="sales.opportunity",
            object_id=row.pk,
            url=f"/api/v1/opportunities/{row.pk}",
            actor_name=row.owner.display_name if row.owner else "",
            extra={"status": row.status, "amount": str(row.amount), "currency": row.currency, "account_id": row.account_id},
        )
        for row in rows.select_related("stage", "owner")
    ]


def stage_change_rows(query: TimelineQuery) -> models.QuerySet[StageChange]:
    """Stage changes of the deals on this timeline (a deal's first stage is its opening, shown as the deal itself)."""
    linked = linked_to(
        contact_ids=query.contact_ids, account_ids=query.account_ids, opportunity_ids=query.opportunity_ids, prefix="opportunity__"
    )
    return StageChange.objects.filter(
        linked,
        workspace=query.workspace,
        from_stage_name__gt="",
        opportunity_id__in=visible_opportunity_ids(actor=query.actor, workspace=query.workspace),
    )


def _stage_change_title(row: StageChange) -> str:
    if row.to_kind == "won":
        return f"Deal won: {row.opportunity.name}"
    if row.to_kind == "lost":
        return f"Deal lost: {row.opportunity.name}"
    return f"{row.opportunity.name} moved to {row.to_stage_name}"


def stage_change_items(rows: models.QuerySet[StageChange]) -> list[TimelineItem]:
    items = []
    for row in rows.select_related("opportunity", "opportunity__lost_reason", "changed_by"):
        summary = f"{row.from_stage_name} → {row.to_stage_name} · {_money(row.amount, row.currency)} at {row.probability}%"
        if row.to_kind == "lost" and row.opportunity.lost_reason:
            summary += f" · {row.opportunity.lost_reason.name}"
        items.append(
            TimelineItem(
                kind="stage_change",
                id=row.pk,
                occurred_at=row.changed_at,
                title=_stage_change_title(row),
                summary=summary,
                object_type="sales.opportunity",
                object_id=row.opportunity_id,
                url=f"/api/v1/opportunities/{row.opportunity_id}",
                actor_name=row.changed_by.display_name if row.changed_by else "",
                extra={"from_stage": row.from_stage_name, "to_stage": row.to_stage_name, "kind": row.to_kind},
            )
        )
    return items


def register_sources() -> None:
    timeline.register(
        TimelineSource(
            kind="opportunity",
            label="Deals",
            rows=opportunity_rows,
            render=opportunity_items,
            time_field="created_at",
            icon="currency-dollar",
            tone="indigo",
            entry_label="Deal",
        )
    )
    timeline.register(
        TimelineSource(
            kind="stage_change",
            label="Deal stages",
            rows=stage_change_rows,
            render=stage_change_items,
            time_field="changed_at",
            icon="arrow-big-right-lines",
            tone="indigo",
            entry_label="Deal stage",
        )
    )
    timeline.register(
        TimelineSource(
            kind="deal_change",
            label="Deal changes",
            rows=deal_changes.deal_change_rows,
            render=deal_changes.deal_change_items,
            redact=deal_changes.deal_change_redact,
            time_field="created_at",
            icon="history",
            tone="indigo",
            entry_label="Deal change",
        )
    )
