"""The forecast page (by rep, team or pipeline, with calls and overrides edited in place), rep performance and quotas.

They read through amity.sales.selectors.forecasts / .performance and write through
amity.sales.services, the same doors as /api/v1/forecasts, /api/v1/quotas and /api/v1/rep-performance.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from amity.core import money
from amity.core import selectors as core_selectors
from amity.core.access import allowed
from amity.core.permissions import Action, ObjectType
from amity.sales import selectors as sales_selectors
from amity.sales import services
from amity.sales.models import ForecastCategory
from amity.sales.periods import Period, add_months, current_period, parse_period
from amity.sales.selectors import currencies as currency_selectors
from amity.sales.selectors import forecasts as forecast_selectors
from amity.sales.selectors.forecasts import GROUPINGS, ForecastFilter
from amity.sales.selectors.performance import rep_performance
from amity.web.forms import error_text
from amity.web.views.base import WorkspaceRequest, ensure, render_page, workspace_view

GROUP_LABELS = {"rep": "Rep", "team": "Team", "pipeline": "Pipeline"}
PERFORMANCE_RANGES = [(3, "3 months"), (6, "6 months"), (12, "12 months"), (24, "24 months")]


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _currency(request: WorkspaceRequest) -> str:
    code = (request.GET.get("currency") or request.POST.get("currency") or "").strip().upper()
    try:
        return money.currency_code(code) if code else forecast_selectors.default_currency(workspace=request.workspace)
    except ValidationError:
        return forecast_selectors.default_currency(workspace=request.workspace)


def _currency_choices(request: WorkspaceRequest, currency: str) -> list[str]:
    """What a forecast can be read in: the corporate currency, those of the deals and quotas, those with a rate."""
    rated = currency_selectors.rates(workspace=request.workspace)
    return sorted({currency, rated.corporate, *rated.by_currency, *forecast_selectors.workspace_currencies(workspace=request.workspace)})


def _period(value: str | None) -> Period:
    try:
        return parse_period(value)
    except ValidationError:
        return current_period("quarter")


def _period_choices(period: Period) -> list[Period]:
    """Periods to pick from around the one shown: two years of quarters or eighteen months."""
    today = current_period(period.kind)
    steps = range(-6, 3) if period.kind == "quarter" else range(-12, 6)
    around = [today.shifted(step) for step in steps]
    return around if period in around else sorted([*around, period], key=lambda item: item.start)


def _teams(request: WorkspaceRequest) -> list[Any]:
    return list(core_selectors.team_list(actor=request.user, workspace=request.workspace).order_by("name"))


def _forecast_context(request: WorkspaceRequest, params: Any) -> dict[str, Any]:
    period = _period(params.get("period"))
    group_by = params.get("group_by") if params.get("group_by") in GROUPINGS else "rep"
    currency = _currency(request)
    filters = ForecastFilter(pipeline_id=_int(params.get("pipeline")), team_id=_int(params.get("team_id")))
    result = forecast_selectors.forecast(
        actor=request.user, workspace=request.workspace, period=period, group_by=group_by, currency=currency, filters=filters
    )
    state = {
        "period": period.key,
        "group_by": group_by,
        "currency": currency,
        "pipeline": params.get("pipeline", ""),
        "team_id": params.get("team_id", ""),
    }

    def link(**changes: str) -> str:
        return "?" + urlencode({key: value for key, value in {**state, **changes}.items() if value})

    return {
        "forecast": result,
        "period": period,
        "state": state,
        "query": link()[1:],
        "previous_url": link(period=period.shifted(-1).key),
        "next_url": link(period=period.shifted(1).key),
        "kind_urls": {
            "month": link(period=(period.start if period.kind == "month" else current_period("month").start).strftime("%Y-%m")),
            "quarter": link(period=Period("quarter", dt.date(period.start.year, (period.start.month - 1) // 3 * 3 + 1, 1)).key),
        },
        "group_links": [(key, GROUP_LABELS[key], link(group_by=key)) for key in GROUPINGS],
        "period_choices": _period_choices(period),
        "currencies": _currency_choices(request, currency),
        "pipelines": list(sales_selectors.pipeline_list(actor=request.user, workspace=request.workspace).order_by("position", "id")),
        "teams": _teams(request),
        "can_quotas": allowed(request.user, request.workspace, Action.CHANGE, ObjectType.QUOTA),
        "submit_url": reverse("forecast_submit", args=[request.workspace.slug]),
        "history_url": reverse("forecast_history", args=[request.workspace.slug]),
    }


@workspace_view
@require_GET
def forecast_page(request: WorkspaceRequest) -> HttpResponse:
    """A month's or quarter's forecast by rep, team or pipeline against quota, with each rep's call and their manager's override."""
    ensure(request, Action.VIEW, ObjectType.FORECAST)
    return render_page(request, "web/forecasts/forecast.html", _forecast_context(request, request.GET), partial="table")


@workspace_view
@require_POST
def forecast_submit(request: WorkspaceRequest) -> HttpResponse:
    """Save a rep's call or a manager's override and show the forecast again (the table, for htmx)."""
    ensure(request, Action.VIEW, ObjectType.FORECAST)
    status = 200
    try:
        services.forecast_submit(
            actor=request.user,
            workspace=request.workspace,
            rep_id=_int(request.POST.get("rep_id")) or 0,
            period=parse_period(request.POST.get("period")),
            kind=request.POST.get("kind", ""),
            amount=request.POST.get("amount", "").replace(",", "").strip(),
            currency=_currency(request),
            note=request.POST.get("note", ""),
        )
        messages.success(request, "Forecast saved.")
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, error_text(error) if isinstance(error, ValidationError) else str(error))
        status = 422
    if not getattr(request, "htmx", False):
        return redirect(
            f"{reverse('forecast', args=[request.workspace.slug])}?{urlencode({key: request.POST.get(key, '') for key in ('period', 'group_by', 'currency', 'pipeline', 'team_id')})}"
        )
    context = _forecast_context(request, request.POST)
    return render_page(request, "web/forecasts/forecast.html", context, partial="table", status=status)


@workspace_view
@require_GET
def forecast_history(request: WorkspaceRequest) -> HttpResponse:
    """Every call and override of a rep for a period, newest first (shown in a dialog)."""
    ensure(request, Action.VIEW, ObjectType.FORECAST)
    rep_id = _int(request.GET.get("rep")) or 0
    period = _period(request.GET.get("period"))
    entries = forecast_selectors.forecast_history(
        actor=request.user, workspace=request.workspace, rep_id=rep_id, period=period, currency=_currency(request)
    )
    return render_page(request, "web/forecasts/history.html", {"entries": entries, "period": period, "currency": _currency(request)})


# --- Rep performance -----------------------------------------------------------------------------------------------


def _series(values: list[Any]) -> list[float | None]:
    return [float(value) if value is not None else None for value in values]


def _charts(result: Any) -> dict[str, dict[str, Any]]:
    """What each chart draws, for charts.js (passed through json_script)."""
    labels = [month.strftime("%b %Y") for month in result.months]
    total = result.total_months
    return {
        "chart-won": {
            "type": "bar", "unit": "money", "currency": result.currency, "labels": labels,
            "datasets": [
                {"label": "Won", "data": _series([stats.won_amount for stats in total])},
                {"label": "Quota", "type": "line", "dashed": True, "color": "#f76707", "data": _series([stats.quota or None for stats in total])},
            ],
        },
        "chart-win-rate": {
            "type": "line", "unit": "percent", "labels": labels,
            "datasets": [{"label": "Win rate", "color": "#2fb344", "data": _series([stats.win_rate for stats in total])}],
        },
        "chart-cycle": {
            "type": "line", "unit": "days", "labels": labels,
            "datasets": [{"label": "Sales cycle", "color": "#ae3ec9", "data": _series([stats.cycle for stats in total])}],
        },
        "chart-attainment": {
            "type": "bar", "unit": "percent", "horizontal": True, "labels": [rep.label for rep in result.reps],
            "datasets": [{"label": "Quota attainment", "data": _series([rep.total.attainment for rep in result.reps])}],
        },
    }  # fmt: skip


@workspace_view
@require_GET
def performance_page(request: WorkspaceRequest) -> HttpResponse:
    """Each rep's win rate, average deal, sales cycle, activities per deal and quota attainment, with charts by month."""
    ensure(request, Action.VIEW, ObjectType.FORECAST)
    months = _int(request.GET.get("months")) or 12
    months = months if months in dict(PERFORMANCE_RANGES) else 12
    start = add_months(timezone.localdate().replace(day=1), 1 - months)
    currency = _currency(request)
    team_id = _int(request.GET.get("team_id"))
    result = rep_performance(
        actor=request.user,
        workspace=request.workspace,
        start=start,
        months=months,
        currency=currency,
        filters=ForecastFilter(team_id=team_id),
    )
    context = {
        "performance": result,
        "charts": _charts(result),
        "ranges": PERFORMANCE_RANGES,
        "months": months,
        "currency": currency,
        "currencies": _currency_choices(request, currency),
        "teams": _teams(request),
        "team_id": team_id,
    }
    return render_page(request, "web/forecasts/performance.html", context)


# --- Quotas ----------------------------------------------------------------------------------------------------------


@workspace_view
@require_http_methods(["GET", "POST"])
def quota_settings(request: WorkspaceRequest) -> HttpResponse:
    """A year of monthly quotas per rep in one currency: edited as a grid, or set for a whole team at once."""
    ensure(request, Action.VIEW, ObjectType.QUOTA)
    params = request.POST if request.method == "POST" else request.GET
    year = _int(params.get("year")) or timezone.localdate().year
    currency = _currency(request)
    team_id = _int(params.get("team_id"))
    errors: list[str] = []
    if request.method == "POST":
        ensure(request, Action.CHANGE, ObjectType.QUOTA)
        errors = _save_quotas(request, year, currency)
        if not errors:
            messages.success(request, f"Quotas for {year} saved.")
            query = urlencode({"year": str(year), "currency": currency, "team_id": str(team_id or "")})
            return redirect(f"{reverse('quota_settings', args=[request.workspace.slug])}?{query}")
    grid = forecast_selectors.quota_grid(actor=request.user, workspace=request.workspace, year=year, currency=currency, team_id=team_id)
    context = {
        "grid": grid,
        "errors": errors,
        "posted": request.POST if errors else {},
        "year": year,
        "years": list(range(timezone.localdate().year - 2, timezone.localdate().year + 3)),
        "currency": currency,
        "currencies": sorted({currency, "EUR", "USD", "GBP", *forecast_selectors.workspace_currencies(workspace=request.workspace)}),
        "teams": _teams(request),
        "team_id": team_id,
        "can_change": allowed(request.user, request.workspace, Action.CHANGE, ObjectType.QUOTA),
    }
    return render_page(request, "web/forecasts/quotas.html", context, status=422 if errors else 200)


def _save_quotas(request: WorkspaceRequest, year: int, currency: str) -> list[str]:
    """Save the grid (one row per rep) or the team form, all or nothing; the errors to show, if any."""
    try:
        with transaction.atomic():
            if request.POST.get("action") == "team":
                amount = request.POST.get("team_amount", "").replace(",", "").strip()
                services.quotas_bulk_set(
                    actor=request.user,
                    workspace=request.workspace,
                    data={
                        "team_id": _int(request.POST.get("bulk_team_id")) or -1,
                        "year": year,
                        "currency": currency,
                        "amount": amount or None,
                    },
                )
                return []
            for key in request.POST:
                if key.startswith("rep-") and key.endswith("-0"):
                    rep_id = _int(key.removeprefix("rep-").removesuffix("-0"))
                    amounts = [request.POST.get(f"rep-{rep_id}-{month}", "").replace(",", "").strip() or None for month in range(12)]
                    if any(amount is not None for amount in amounts):
                        services.quotas_bulk_set(
                            actor=request.user,
                            workspace=request.workspace,
                            data={"user_ids": [rep_id], "year": year, "currency": currency, "amounts": amounts},
                        )
    except ValidationError as error:
        return [f"{field.replace('amounts.', 'month ')}: {' '.join(text)}" for field, text in error.message_dict.items()]
    return []


# --- A deal's forecast category (its page and its board card) ------------------------------------------------------


@workspace_view
@require_POST
def deal_category(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """Put an open deal in another forecast category; "" gives it its stage's category again."""
    ensure(request, Action.CHANGE, ObjectType.OPPORTUNITY)
    deal = sales_selectors.opportunity_get(actor=request.user, workspace=request.workspace, pk=pk)
    category = request.POST.get("forecast_category") or None
    try:
        services.opportunity_set_forecast_category(actor=request.user, opportunity=deal, category=category)
        messages.success(request, f"“{deal.name}” is forecast as {ForecastCategory(deal.forecast_category).label.lower()}.")
    except ValidationError as error:
        messages.error(request, error_text(error))
    back = request.POST.get("next", "")
    # Only back to a page of this workspace: never an open redirect.
    if not back.startswith(f"/w/{request.workspace.slug}/") or "//" in back or "\\" in back:
        back = reverse("deal_detail", args=[request.workspace.slug, pk])
    return redirect(back)
