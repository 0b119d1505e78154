"""Quotes on the timelines: a quote sent, accepted, declined or expired, on its account's, its contact's and its deal's timeline."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from amity.activities import timeline
from amity.activities.timeline import TimelineItem, TimelineQuery, TimelineSource
from amity.sales.models import QuoteEvent
from amity.sales.selectors import visible_quote_ids

SHOWN_KINDS = [QuoteEvent.Kind.SENT, QuoteEvent.Kind.ACCEPTED, QuoteEvent.Kind.DECLINED, QuoteEvent.Kind.EXPIRED]
TITLES = {"sent": "Quote sent", "accepted": "Quote accepted", "declined": "Quote declined", "expired": "Quote expired"}


def linked(query: TimelineQuery, prefix: str = "", deal: str = "opportunity_id") -> Q:
    """Rows whose account, contact or deal is on the timeline (`prefix` reaches them from a child row, `deal` is the path to the deal)."""
    condition = Q(pk__in=[])
    if query.account_ids:
        condition |= Q(**{f"{prefix}account_id__in": sorted(query.account_ids)})
    if query.contact_ids:
        condition |= Q(**{f"{prefix}contact_id__in": sorted(query.contact_ids)})
    if query.opportunity_ids:
        condition |= Q(**{f"{prefix}{deal}__in": sorted(query.opportunity_ids)})
    return condition


def quote_event_rows(query: TimelineQuery) -> models.QuerySet[QuoteEvent]:
    return QuoteEvent.objects.filter(
        linked(query, "quote__"),
        workspace=query.workspace,
        kind__in=SHOWN_KINDS,
        quote_id__in=visible_quote_ids(actor=query.actor, workspace=query.workspace),
    )


def quote_event_items(rows: models.QuerySet[QuoteEvent]) -> list[TimelineItem]:
    items = []
    for row in rows.select_related("quote", "actor"):
        quote = row.quote
        summary = f"{quote.total_amount} {quote.currency} · {quote.title}"
        if row.note:
            summary += f" · {row.note}"
        items.append(
            TimelineItem(
                kind="quote",
                id=row.pk,
                occurred_at=row.occurred_at,
                title=f"{TITLES.get(row.kind, 'Quote')}: {quote.label}",
                summary=summary,
                object_type="sales.quote",
                object_id=quote.pk,
                url=f"/api/v1/quotes/{quote.pk}",
                actor_name=row.actor.display_name if row.actor else "",
                extra={"event": row.kind, "quote_id": quote.pk, "total": str(quote.total_amount), "currency": quote.currency},
            )
        )
    return items


def register_sources() -> None:
    timeline.register(
        TimelineSource(
            kind="quote",
            label="Quotes",
            rows=quote_event_rows,
            render=quote_event_items,
            time_field="occurred_at",
            icon="file-dollar",
            tone="azure",
            entry_label="Quote",
        )
    )
