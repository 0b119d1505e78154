"""Reads of quotes: workspace-scoped, role-checked, with what a quote's answer shows prefetched."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Prefetch

from amity.core.access import visible
from amity.core.models import User, Workspace
from amity.core.permissions import ObjectType
from amity.core.tenancy import get_scoped_or_404
from amity.sales.models import Quote, QuoteEvent, QuoteLine

QUOTE_SORTS = {
    "created_at": ("created_at", "id"),
    "-created_at": ("-created_at", "-id"),
    "valid_until": ("valid_until", "id"),
    "-valid_until": ("-valid_until", "-id"),
    "total_amount": ("total_amount", "id"),
    "-total_amount": ("-total_amount", "-id"),
    "number": ("number", "version", "id"),
    "-number": ("-number", "-version", "-id"),
}


@dataclass(frozen=True)
class QuoteFilter:
    """What a list of quotes can be narrowed by."""

    status: str | None = None
    account_id: int | None = None
    contact_id: int | None = None
    opportunity_id: int | None = None
    number: str | None = None
    currency: str | None = None
    latest: bool | None = None
    created_after: dt.datetime | None = None
    created_before: dt.datetime | None = None


def _visible(actor: User, workspace: Workspace) -> models.QuerySet[Quote]:
    return visible(Quote.objects.all(), actor=actor, workspace=workspace, object_type=ObjectType.QUOTE)


def with_details(quotes: models.QuerySet[Quote]) -> models.QuerySet[Quote]:
    """Everything a quote's answer shows, in a fixed number of queries whatever the number of quotes."""
    return quotes.select_related("account", "contact", "opportunity", "owner").prefetch_related(
        Prefetch("lines", queryset=QuoteLine._default_manager.order_by("position", "id"))
    )


def quote_list(*, actor: User, workspace: Workspace, filters: QuoteFilter | None = None) -> models.QuerySet[Quote]:
    """Quotes the actor may see, filtered, with their lines."""
    filters = filters or QuoteFilter()
    if filters.status and filters.status not in Quote.Status.values:
        raise ValidationError({"status": f"Choose one of: {', '.join(Quote.Status.values)}."})
    lookups = {
        "status": filters.status,
        "account_id": filters.account_id,
        "contact_id": filters.contact_id,
        "opportunity_id": filters.opportunity_id,
        "number": (filters.number or "").strip().upper(),
        "currency": (filters.currency or "").upper(),
        "created_at__gte": filters.created_after,
        "created_at__lt": filters.created_before,
    }
    quotes = _visible(actor, workspace).filter(**{key: value for key, value in lookups.items() if value not in (None, "")})
    if filters.latest:
        quotes = quotes.exclude(status=Quote.Status.SUPERSEDED)
    return with_details(quotes)


def quote_get(*, actor: User, workspace: Workspace, pk: int) -> Quote:
    return get_scoped_or_404(with_details(_visible(actor, workspace)), pk=pk)


def quote_versions(*, quote: Quote) -> list[Quote]:
    """Every version of a quote's number, newest first (one query)."""
    return list(Quote.objects.filter(workspace=quote.workspace, number=quote.number).order_by("-version"))


def quote_events(*, quote: Quote) -> list[QuoteEvent]:
    """What happened to every version of the quote, oldest first (one query)."""
    return list(
        QuoteEvent.objects.filter(workspace=quote.workspace, quote__number=quote.number)
        .select_related("actor", "quote")
        .order_by("occurred_at", "id")
    )


def visible_quote_ids(*, actor: User, workspace: Workspace) -> models.QuerySet[Any]:
    """A subquery of the quotes the actor may see, for timelines."""
    return _visible(actor, workspace).values("pk")
