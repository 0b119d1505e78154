"""The API of the corporate currency and exchange rates: schemas in, one selector or service, schemas out."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status

from amity.api.auth import actor_and_workspace
from amity.api.pagination import PageParams, page_of, paginate
from amity.sales import services
from amity.sales.schemas.currencies import (
    CurrencySettingsIn,
    CurrencySettingsOut,
    ExchangeRateFilter,
    ExchangeRateIn,
    ExchangeRateOut,
    ExchangeRatePatch,
)
from amity.sales.selectors import currencies as selectors

router = Router()
TAGS = ["currencies"]
RATES_ORDER = ("currency", "-valid_from", "id")


@router.get("/workspace-currency", response=CurrencySettingsOut, tags=TAGS, summary="The corporate currency sums are added up in")
def get_workspace_currency(request: HttpRequest) -> Any:
    actor, workspace = actor_and_workspace(request)
    return selectors.currency_settings_get(actor=actor, workspace=workspace)


@router.put("/workspace-currency", response=CurrencySettingsOut, tags=TAGS, summary="Choose the corporate currency")
def put_workspace_currency(request: HttpRequest, payload: CurrencySettingsIn) -> Any:
    """Refused while exchange rates exist (they are in the old corporate currency): delete them first."""
    actor, workspace = actor_and_workspace(request)
    return services.corporate_currency_set(actor=actor, workspace=workspace, currency=payload.corporate_currency)


@router.get("/exchange-rates", response=page_of(ExchangeRateOut), tags=TAGS, summary="Exchange rates, by currency, newest first")
def list_exchange_rates(request: HttpRequest, filters: Query[ExchangeRateFilter], page: Query[PageParams]) -> Any:
    actor, workspace = actor_and_workspace(request)
    rates = selectors.exchange_rate_list(actor=actor, workspace=workspace, currency=filters.currency)
    return paginate(rates, ordering=RATES_ORDER, cursor=page.cursor, limit=page.limit)


@router.post("/exchange-rates", response={201: ExchangeRateOut}, tags=TAGS, summary="Add a currency's rate from a day on")
def create_exchange_rate(request: HttpRequest, payload: ExchangeRateIn) -> Any:
    actor, workspace = actor_and_workspace(request)
    return Status(201, services.exchange_rate_create(actor=actor, workspace=workspace, data=payload.model_dump()))


@router.get("/exchange-rates/{rate_id}", response=ExchangeRateOut, tags=TAGS)
def get_exchange_rate(request: HttpRequest, rate_id: int) -> Any:
    actor, workspace = actor_and_workspace(request)
    return selectors.exchange_rate_get(actor=actor, workspace=workspace, pk=rate_id)


@router.patch("/exchange-rates/{rate_id}", response=ExchangeRateOut, tags=TAGS, summary="Correct a rate or its day")
def update_exchange_rate(request: HttpRequest, rate_id: int, payload: ExchangeRatePatch) -> Any:
    actor, workspace = actor_and_workspace(request)
    rate = selectors.exchange_rate_get(actor=actor, workspace=workspace, pk=rate_id)
    return services.exchange_rate_update(actor=actor, rate=rate, data=payload.model_dump(exclude_unset=True))


@router.delete("/exchange-rates/{rate_id}", response={204: None}, tags=TAGS)
def delete_exchange_rate(request: HttpRequest, rate_id: int) -> Any:
    actor, workspace = actor_and_workspace(request)
    services.exchange_rate_delete(actor=actor, rate=selectors.exchange_rate_get(actor=actor, workspace=workspace, pk=rate_id))
    return Status(204, None)
