"""Cases on the customers' timelines: a case opened, every message of its conversation, and the knowledge-base articles
linked to it or sent in its replies, on the contact's and the account's."""

from __future__ import annotations

import nh3
from django.db import models

from amity.activities import timeline
from amity.activities.timeline import TimelineItem, TimelineQuery, TimelineSource
from amity.service import selectors
from amity.service.models import Case, CaseArticle, CaseMessage

MESSAGE_TITLES = {
    CaseMessage.Kind.CUSTOMER: "Customer wrote",
    CaseMessage.Kind.REPLY: "Reply sent",
    CaseMessage.Kind.NOTE: "Internal note",
}


def _linked(query: TimelineQuery, prefix: str) -> models.Q:
    """Rows of the timeline's contacts or accounts (cases are not logged on deals or leads)."""
    condition = models.Q(pk__in=[])
    if query.account_ids:
        condition |= models.Q(**{f"{prefix}account_id__in": sorted(query.account_ids)})
    if query.contact_ids:
        condition |= models.Q(**{f"{prefix}contact_id__in": sorted(query.contact_ids)})
    return condition


def case_rows(query: TimelineQuery) -> models.QuerySet[Case]:
    return Case.objects.filter(
        _linked(query, ""), workspace=query.workspace, pk__in=selectors.visible_case_ids(actor=query.actor, workspace=query.workspace)
    )


def case_items(rows: models.QuerySet[Case]) -> list[TimelineItem]:
    return [
        TimelineItem(
            kind="case",
            id=row.pk,
            occurred_at=row.created_at,
            title=f"Case {row.number} opened: {row.subject}",
            summary=f"{row.kind.name} · {row.get_priority_display()} priority · now {row.get_status_display().lower()}",
            channel=row.channel,
            object_type="service.case",
            object_id=row.pk,
            url=f"/api/v1/cases/{row.pk}",
            actor_name=row.created_by.display_name if row.created_by else "",
            extra={"number": row.number, "status": row.status},
        )
        for row in rows.select_related("kind", "created_by")
    ]


def message_rows(query: TimelineQuery) -> models.QuerySet[CaseMessage]:
    rows = CaseMessage.objects.filter(
        _linked(query, "case__"),
        workspace=query.workspace,
        case_id__in=selectors.visible_case_ids(actor=query.actor, workspace=query.workspace),
    )
    return rows.filter(channel__in=sorted(query.channels)) if query.channels else rows


def message_items(rows: models.QuerySet[CaseMessage]) -> list[TimelineItem]:
    items = []
    for row in rows.select_related("case", "author"):
        text = " ".join(nh3.clean(row.body, tags=set()).split())
        items.append(
            TimelineItem(
                kind="case_message",
                id=row.pk,
                occurred_at=row.occurred_at,
                title=f"{MESSAGE_TITLES.get(row.kind, 'Message')} on {row.case.number}: {row.case.subject}",  # type: ignore[call-overload]
                summary=text[:300] + ("…" if len(text) > 300 else ""),
                channel=row.channel,
                direction="inbound" if row.kind == CaseMessage.Kind.CUSTOMER else "outbound",
                object_type="service.case",
                object_id=row.case_id,
                url=f"/api/v1/cases/{row.case_id}",
                actor_name=row.author.display_name if row.author else row.from_name or row.from_address,
                extra={"number": row.case.number, "message_kind": row.kind},
            )
        )
    return items


def article_rows(query: TimelineQuery) -> models.QuerySet[CaseArticle]:
    return CaseArticle.objects.filter(
        _linked(query, "case__"),
        workspace=query.workspace,
        case_id__in=selectors.visible_case_ids(actor=query.actor, workspace=query.workspace),
    )


def article_items(rows: models.QuerySet[CaseArticle]) -> list[TimelineItem]:
    items = []
    for row in rows.select_related("case", "article__published_version", "linked_by"):
        title = row.article.published_version.title if row.article.published_version else row.article.title
        how = "sent in a reply on" if row.message_id else "linked to"
        items.append(
            TimelineItem(
                kind="case_article",
                id=row.pk,
                occurred_at=row.linked_at,
                title=f"Article {how} {row.case.number}: {title}",
                summary=f"{row.article.get_visibility_display()} article · case “{row.case.subject}”",
                direction="outbound" if row.message_id else "",
                object_type="service.case",
                object_id=row.case_id,
                url=f"/api/v1/kb/articles/{row.article_id}",
                actor_name=row.linked_by.display_name if row.linked_by else "",
                extra={"number": row.case.number, "article_id": row.article_id, "sent": bool(row.message_id)},
            )
        )
    return items


def register_sources() -> None:
    timeline.register(
        TimelineSource(
            kind="case",
            label="Cases",
            rows=case_rows,
            render=case_items,
            time_field="created_at",
            icon="lifebuoy",
            tone="purple",
            entry_label="Case",
        )
    )
    timeline.register(
        TimelineSource(
            kind="case_message",
            label="Case messages",
            rows=message_rows,
            render=message_items,
            time_field="occurred_at",
            has_channels=True,
            icon="message-circle",
            tone="purple",
            entry_label="Case message",
        )
    )
    timeline.register(
        TimelineSource(
            kind="case_article",
            label="Articles on cases",
            rows=article_rows,
            render=article_items,
            time_field="linked_at",
            icon="book",
            tone="purple",
            entry_label="Article",
        )
    )
