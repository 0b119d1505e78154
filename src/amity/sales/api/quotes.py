"""The API of quotes: create (from a deal or by hand), edit drafts, revise, send, and the PDF.

The customer answers on the quote's own page (`/q/<token>/`, amity.web.views.public_quotes), outside the API:
the quote's unguessable link is the key there, not an API token.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status

from amity.api.auth import actor_and_workspace
from amity.api.pagination import PageParams, page_of, paginate, sort_ordering
from amity.sales import selectors, services
from amity.sales.documents import quote_pdf
from amity.sales.schemas.quotes import (
    QuoteFilterIn,
    QuoteFromOpportunityIn,
    QuoteIn,
    QuoteOut,
    QuotePatch,
    QuoteSendIn,
)

router = Router(tags=["quotes"])


@router.get("/quotes", response=page_of(QuoteOut), summary="Quotes, with filters")
def list_quotes(request: HttpRequest, page: Query[PageParams], filters: Query[QuoteFilterIn]) -> Any:
    actor, workspace = actor_and_workspace(request)
    ordering = sort_ordering(filters.sort, allowed=selectors.QUOTE_SORTS, default="-created_at")
    criteria = selectors.QuoteFilter(**filters.model_dump(exclude={"sort"}))
    return paginate(
        selectors.quote_list(actor=actor, workspace=workspace, filters=criteria), ordering=ordering, cursor=page.cursor, limit=page.limit
    )


@router.post("/quotes", response={201: QuoteOut}, summary="Start a draft quote for an account or a deal")
def create_quote(request: HttpRequest, payload: QuoteIn) -> Any:
    actor, workspace = actor_and_workspace(request)
    quote = services.quote_create(actor=actor, workspace=workspace, data=payload.model_dump(exclude_unset=True))
    return Status(201, selectors.quote_get(actor=actor, workspace=workspace, pk=quote.pk))


@router.post("/quotes/from-opportunity", response={201: QuoteOut}, summary="A draft quote with a copy of a deal's line items")
def create_quote_from_opportunity(request: HttpRequest, payload: QuoteFromOpportunityIn) -> Any:
    actor, workspace = actor_and_workspace(request)
    deal = selectors.opportunity_get(actor=actor, workspace=workspace, pk=payload.opportunity_id)
    data = payload.model_dump(exclude_unset=True, exclude={"opportunity_id"})
    quote = services.quote_create_from_opportunity(actor=actor, opportunity=deal, data=data)
    return Status(201, selectors.quote_get(actor=actor, workspace=workspace, pk=quote.pk))


@router.get("/quotes/{quote_id}", response=QuoteOut)
def get_quote(request: HttpRequest, quote_id: int) -> Any:
    actor, workspace = actor_and_workspace(request)
    return selectors.quote_get(actor=actor, workspace=workspace, pk=quote_id)


@router.patch("/quotes/{quote_id}", response=QuoteOut, summary="Change a draft (the fields you send; `lines` replaces them all)")
def update_quote(request: HttpRequest, quote_id: int, payload: QuotePatch) -> Any:
    actor, workspace = actor_and_workspace(request)
    quote = selectors.quote_get(actor=actor, workspace=workspace, pk=quote_id)
    services.quote_update(actor=actor, quote=quote, data=payload.model_dump(exclude_unset=True))
    return selectors.quote_get(actor=actor, workspace=workspace, pk=quote_id)


@router.delete("/quotes/{quote_id}", response={204: None}, summary="Throw away a draft")
def delete_quote(request: HttpRequest, quote_id: int) -> Any:
    actor, workspace = actor_and_workspace(request)
    services.quote_delete(actor=actor, quote=selectors.quote_get(actor=actor, workspace=workspace, pk=quote_id))
    return Status(204, None)


@router.post("/quotes/{quote_id}/revise", response={201: QuoteOut}, summary="Make the next version (a draft); this one is superseded")
def revise_quote(request: HttpRequest, quote_id: int) -> Any:
    actor, workspace = actor_and_workspace(request)
    revision = services.quote_revise(actor=actor, quote=selectors.quote_get(actor=actor, workspace=workspace, pk=quote_id))
    return Status(201, selectors.quote_get(actor=actor, workspace=workspace, pk=revision.pk))


@router.post("/quotes/{quote_id}/send", response=QuoteOut, summary="Email the quote as a PDF with the customer's link")
def send_quote(request: HttpRequest, quote_id: int, payload: QuoteSendIn) -> Any:
    actor, workspace = actor_and_workspace(request)
    quote = selectors.quote_get(actor=actor, workspace=workspace, pk=quote_id)
    services.quote_send(actor=actor, quote=quote, to=payload.to, message=payload.message)
    return selectors.quote_get(actor=actor, workspace=workspace, pk=quote_id)


@router.get("/quotes/{quote_id}/pdf", summary="The quote as a PDF", response={200: None})
def quote_pdf_file(request: HttpRequest, quote_id: int) -> HttpResponse:
    actor, workspace = actor_and_workspace(request)
    quote = selectors.quote_get(actor=actor, workspace=workspace, pk=quote_id)
    response = HttpResponse(quote_pdf(quote), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{quote.label.replace(" ", "-")}.pdf"'
    return response
