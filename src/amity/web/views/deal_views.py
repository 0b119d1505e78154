"""The deal list's saved views and its exports (CSV streamed at any size, XLSX).

A saved view of deals is a customers.SavedView of object type "opportunity": the list's filters and
sort, checked by amity.sales.deal_views. Opening `?view=<id>` shows the list as the view keeps it; the
exports take the same parameters, so a file holds the rows the list shows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_POST

from amity.api.pagination import iterate
from amity.core import exports
from amity.core.models import FieldDefinition
from amity.core.permissions import Action, ObjectType
from amity.customers import selectors as customer_selectors
from amity.customers import services as customer_services
from amity.customers.models import SavedView
from amity.sales import board
from amity.sales.deal_views import DEAL_FILTERS
from amity.sales.models import Opportunity
from amity.sales.selectors import OPPORTUNITY_SORTS
from amity.web.forms import error_text
from amity.web.views.base import WorkspaceRequest, ensure, workspace_view

OBJECT_TYPE = SavedView.RecordType.OPPORTUNITY
EXPORT_BATCH = 500
# Which filters and the sort make up the list's state (the query string a view saves and an export reads).
STATE_KEYS = (*DEAL_FILTERS, "sort")


@dataclass
class ListViews:
    """The saved views the person may open on the deal list, the one open now, and the list's parameters."""

    params: QueryDict
    view: SavedView | None
    views: list[SavedView]
    manageable: set[int]


def list_views(request: WorkspaceRequest) -> ListViews:
    """The list's parameters: the open view's filters and sort, or the URL's (changing a filter leaves the view)."""
    try:
        views = list(
            customer_selectors.saved_view_list(actor=request.user, workspace=request.workspace, object_type=OBJECT_TYPE).order_by(
                "name", "id"
            )
        )
    except PermissionDenied:
        views = []
    view = None
    if request.GET.get("view"):
        view = next((candidate for candidate in views if str(candidate.pk) == request.GET["view"]), None)
        if view is None:
            raise Http404("No such saved view.")
    params: QueryDict = request.GET
    if view is not None and not (set(request.GET) - {"view", "cursor"}):
        params = QueryDict(mutable=True)
        params.update(
            {
                **view.filters,
                **({"sort": view.sort} if view.sort else {}),
                **({"cursor": request.GET["cursor"]} if request.GET.get("cursor") else {}),
            }
        )
    elif view is not None:
        view = None
    manageable = {candidate.pk for candidate in views if customer_selectors.saved_view_manageable(actor=request.user, view=candidate)}
    return ListViews(params=params, view=view, views=views, manageable=manageable)


def state_query(params: QueryDict) -> str:
    return urlencode({key: str(params.get(key)) for key in STATE_KEYS if params.get(key)})


def view_urls(slug: str, view: SavedView | None) -> dict[str, str]:
    urls = {
        "view_create": reverse("deal_view_create", args=[slug]),
        "export_csv": reverse("deal_export", args=[slug, "csv"]),
        "export_xlsx": reverse("deal_export", args=[slug, "xlsx"]),
    }
    if view is not None:
        urls["view_update"] = reverse("deal_view_update", args=[slug, view.pk])
        urls["view_delete"] = reverse("deal_view_delete", args=[slug, view.pk])
    return urls


# --- Saved views --------------------------------------------------------------------------------------------------


def _view_data(request: WorkspaceRequest) -> dict[str, Any]:
    state = QueryDict(request.POST.get("state", ""))
    return {"filters": {key: state[key] for key in DEAL_FILTERS if state.get(key)}, "sort": state.get("sort") or "", "columns": []}


def _to_list(request: WorkspaceRequest, query: str) -> HttpResponse:
    return redirect(f"{reverse('deal_list', args=[request.workspace.slug])}?{query}")


def _deal_view(request: WorkspaceRequest, pk: int) -> SavedView:
    view = customer_selectors.saved_view_get(actor=request.user, workspace=request.workspace, pk=pk)
    if view.object_type != OBJECT_TYPE:
        raise Http404("No such saved view.")
    return view


def _saved(request: WorkspaceRequest, write: Callable[[], SavedView], *, verb: str) -> HttpResponse:
    """Write a view and open the list with it, or go back to the list as it was with the reason it was not written."""
    try:
        view = write()
    except ValidationError as error:
        messages.error(request, f"The view was not {verb}: {error_text(error)}")
        return _to_list(request, request.POST.get("state", ""))
    shared = " and shared with the workspace" if view.shared and verb == "saved" else ""
    messages.success(request, f"View “{view.name}” {verb}{shared}.")
    return _to_list(request, urlencode({"view": view.pk}))


@workspace_view
@require_POST
def deal_view_create(request: WorkspaceRequest) -> HttpResponse:
    """Save the deal list's filters and sort under a name, for oneself or for the workspace."""
    data = {
        "name": request.POST.get("name", ""),
        "object_type": OBJECT_TYPE,
        "shared": request.POST.get("shared") == "on",
        **_view_data(request),
    }
    return _saved(
        request, lambda: customer_services.saved_view_create(actor=request.user, workspace=request.workspace, data=data), verb="saved"
    )


@workspace_view
@require_POST
def deal_view_update(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """Make a view keep the filters and sort the list shows now."""
    view = _deal_view(request, pk)
    return _saved(
        request, lambda: customer_services.saved_view_update(actor=request.user, view=view, data=_view_data(request)), verb="updated"
    )


@workspace_view
@require_POST
def deal_view_delete(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """Delete a view; the deals it listed stay."""
    view = _deal_view(request, pk)
    customer_services.saved_view_delete(actor=request.user, view=view)
    messages.success(request, f"View “{view.name}” deleted.")
    return _to_list(request, "")


# --- Export ---------------------------------------------------------------------------------------------------------

COLUMNS = (
    "Deal", "Account", "Pipeline", "Stage", "Status", "Amount", "Currency", "Probability", "Weighted amount",
    "Expected close date", "Owner", "Team", "Next step", "Competitors", "Created",
)  # fmt: skip


def _custom_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return "; ".join(str(item) for item in value)
    if isinstance(value, dict):
        return f"{value.get('amount', '')} {value.get('currency', '')}".strip()
    return str(value)


def _row(deal: Opportunity, definitions: list[FieldDefinition]) -> list[str]:
    created = timezone.localtime(deal.created_at).strftime("%Y-%m-%d %H:%M")
    return [
        deal.name, deal.account.name, deal.pipeline.name, deal.stage.name, deal.get_status_display(), f"{deal.amount:.2f}", deal.currency,
        str(deal.probability), f"{deal.weighted_amount:.2f}", deal.expected_close_date.isoformat(),
        deal.owner.display_name if deal.owner else "", deal.team.name if deal.team else "", deal.next_step,
        "; ".join(deal.competitors or []), created,
        *(_custom_text((deal.custom or {}).get(definition.key)) for definition in definitions),
    ]  # fmt: skip


@workspace_view
@require_GET
def deal_export(request: WorkspaceRequest, file_format: str) -> HttpResponse:
    """The deal list as it is filtered and sorted, as CSV (streamed, any size) or XLSX."""
    if file_format not in {"csv", "xlsx"}:
        raise Http404("Export as csv or xlsx.")
    ensure(request, Action.VIEW, ObjectType.OPPORTUNITY)
    from amity.web.views.deals import LIST_DEFAULT_SORT, _filter_form
    from amity.web.views.record_activity import custom_definitions

    params = list_views(request).params
    form = _filter_form(request, params)
    pipeline = form.chosen_pipeline()
    sort = params.get("sort") or LIST_DEFAULT_SORT
    ordering = OPPORTUNITY_SORTS.get(sort) or OPPORTUNITY_SORTS[LIST_DEFAULT_SORT]
    deals = board.board_deals(actor=request.user, workspace=request.workspace, pipeline=pipeline, filters=form.filters())
    deals = deals.select_related("account", "owner", "stage", "pipeline", "team")
    definitions = custom_definitions(request, ObjectType.OPPORTUNITY)
    header = [*COLUMNS, *(definition.label for definition in definitions)]
    zone = timezone.get_current_timezone()

    def rows() -> Iterator[list[str]]:
        with timezone.override(zone):  # a streamed body is written after the view returns
            for deal in iterate(deals, ordering=ordering, batch_size=EXPORT_BATCH):
                yield _row(deal, definitions)

    filename = f"deals-{request.workspace.slug}-{timezone.localdate():%Y-%m-%d}.{file_format}"
    if file_format == "csv":
        response: HttpResponse = StreamingHttpResponse(exports.csv_lines(header, rows()), content_type="text/csv; charset=utf-8")  # type: ignore[assignment]
    else:
        response = HttpResponse(
            exports.xlsx_bytes(header, rows(), title="Deals"),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
