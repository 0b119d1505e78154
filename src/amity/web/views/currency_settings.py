"""Settings → Currencies: the corporate currency and the exchange rates into it (owners and admins).

The page writes through amity.sales.services (corporate_currency_set, exchange_rate_*), the same
services as /api/v1/workspace-currency and /api/v1/exchange-rates.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods, require_POST

from amity.core import money
from amity.core.permissions import Action, ObjectType
from amity.sales import services
from amity.sales.models import ExchangeRate
from amity.sales.selectors import currencies as selectors
from amity.sales.selectors.forecasts import workspace_currencies
from amity.web.forms import DateInput, StyledForm, apply_errors
from amity.web.views.base import WorkspaceRequest, ensure, render_page, workspace_view


def _currency_choices(*, leave_out: str = "") -> list[tuple[str, str]]:
    return [(code, code) for code in sorted(money.currencies_in_use()) if code != leave_out]


class CorporateCurrencyForm(StyledForm):
    corporate_currency = forms.ChoiceField(
        label="Corporate currency",
        choices=_currency_choices,
        help_text="Forecasts, board totals and performance add every amount up in it, converted at the rates below.",
    )


class ExchangeRateForm(StyledForm):
    currency = forms.ChoiceField(label="Currency")
    rate = forms.CharField(
        label="Rate",
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "placeholder": "0.9215"}),
    )
    valid_from = forms.DateField(label="Valid from", widget=DateInput, help_text="It holds until the currency's next rate.")

    def __init__(self, *args: Any, corporate: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["currency"]).choices = [("", "Choose…"), *_currency_choices(leave_out=corporate)]
        self.fields["rate"].help_text = f"What 1 unit of the currency is worth in {corporate}."
        self.apply_styles()


def _rate_rows(rates: list[ExchangeRate]) -> list[tuple[ExchangeRate, dt.date | None]]:
    """Each rate with the last day it holds (the day before its currency's next rate), newest first per currency."""
    rows: list[tuple[ExchangeRate, dt.date | None]] = []
    following: dict[str, dt.date] = {}
    for rate in sorted(rates, key=lambda item: (item.currency, item.valid_from), reverse=True):
        until = following.get(rate.currency)
        rows.append((rate, until - dt.timedelta(days=1) if until else None))
        following[rate.currency] = rate.valid_from
    return sorted(rows, key=lambda row: (row[0].currency, -row[0].valid_from.toordinal()))


def _page(request: WorkspaceRequest, *, corporate_form: Any = None, rate_form: Any = None, status: int = 200) -> HttpResponse:
    current = selectors.currency_settings(workspace=request.workspace)
    corporate = current.corporate_currency
    chosen = (request.GET.get("currency") or "").strip().upper()
    all_rates = list(selectors.exchange_rate_list(actor=request.user, workspace=request.workspace).select_related("updated_by"))
    shown = [rate for rate in all_rates if not chosen or rate.currency == chosen]
    rated = {rate.currency for rate in all_rates}
    context = {
        "current": current,
        "corporate": corporate,
        "corporate_form": corporate_form or CorporateCurrencyForm(initial={"corporate_currency": corporate}),
        "rate_form": rate_form
        or ExchangeRateForm(
            corporate=corporate, initial={"currency": chosen if chosen != corporate else "", "valid_from": timezone.localdate()}
        ),
        "rows": _rate_rows(shown),
        "rated_currencies": sorted(rated),
        "chosen": chosen,
        "missing": sorted(workspace_currencies(workspace=request.workspace) - rated - {corporate}),
    }
    return render_page(request, "web/settings/currencies.html", context, status=status)


@workspace_view
@require_http_methods(["GET", "POST"])
def settings_currencies(request: WorkspaceRequest) -> HttpResponse:
    """The corporate currency (saved here) and the exchange rates, with the form to add one."""
    ensure(request, Action.CHANGE, ObjectType.EXCHANGE_RATE)
    if request.method == "GET":
        return _page(request)
    form = CorporateCurrencyForm(request.POST)
    if form.is_valid():
        try:
            saved = services.corporate_currency_set(
                actor=request.user, workspace=request.workspace, currency=form.cleaned_data["corporate_currency"]
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"{saved.corporate_currency} is the corporate currency.")
            return redirect("settings_currencies", request.workspace.slug)
    return _page(request, corporate_form=form, status=422)


@workspace_view
@require_POST
def settings_rate_create(request: WorkspaceRequest) -> HttpResponse:
    """Add a rate; the page again, with the errors next to their fields when it is refused."""
    ensure(request, Action.ADD, ObjectType.EXCHANGE_RATE)
    corporate = selectors.corporate_currency(workspace=request.workspace)
    form = ExchangeRateForm(request.POST, corporate=corporate)
    if form.is_valid():
        try:
            rate = services.exchange_rate_create(actor=request.user, workspace=request.workspace, data=form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"1 {rate.currency} = {rate.rate.normalize():f} {corporate} from {rate.valid_from:%-d %B %Y}.")
            query = urlencode({"currency": request.GET.get("currency", "")}) if request.GET.get("currency") else ""
            return redirect(f"{reverse('settings_currencies', args=[request.workspace.slug])}{'?' + query if query else ''}")
    return _page(request, rate_form=form, status=422)


@workspace_view
@require_http_methods(["GET", "POST"])
def settings_rate_edit(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """Correct a rate, its currency or its first day."""
    ensure(request, Action.CHANGE, ObjectType.EXCHANGE_RATE)
    rate = selectors.exchange_rate_get(actor=request.user, workspace=request.workspace, pk=pk)
    corporate = selectors.corporate_currency(workspace=request.workspace)
    initial = {"currency": rate.currency, "rate": f"{rate.rate.normalize():f}", "valid_from": rate.valid_from}
    form = ExchangeRateForm(request.POST or None, corporate=corporate, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.exchange_rate_update(actor=request.user, rate=rate, data=form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request, f"Rate saved: 1 {rate.currency} = {rate.rate.normalize():f} {corporate} from {rate.valid_from:%-d %B %Y}."
            )
            return redirect("settings_currencies", request.workspace.slug)
    context = {"form": form, "rate": rate, "corporate": corporate}
    return render_page(request, "web/settings/exchange_rate_form.html", context, status=422 if form.errors else 200)


@workspace_view
@require_POST
def settings_rate_delete(request: WorkspaceRequest, pk: int) -> HttpResponse:
    ensure(request, Action.DELETE, ObjectType.EXCHANGE_RATE)
    rate = selectors.exchange_rate_get(actor=request.user, workspace=request.workspace, pk=pk)
    services.exchange_rate_delete(actor=request.user, rate=rate)
    messages.success(request, f"The {rate.currency} rate from {rate.valid_from:%-d %B %Y} is deleted.")
    return redirect("settings_currencies", request.workspace.slug)
