"""The deal pages: the Kanban board of a pipeline, the list, a deal's page, the new-deal form and the stage move.

They read through amity.sales.selectors (and amity.sales.board) and write through amity.sales.services,
the same doors the API uses: a drop on the board calls `opportunity_move_stage` as
`POST /api/v1/opportunities/{id}/stage` does.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, JsonResponse, QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from amity.core import selectors as core_selectors
from amity.core.access import allowed
from amity.core.models import Team, User
from amity.core.permissions import Action, ObjectType
from amity.customers import selectors as customer_selectors
from amity.sales import board, selectors, services
from amity.sales.models import Opportunity, Pipeline
from amity.sales.selectors import OPPORTUNITY_SORTS
from amity.web.customer_forms import apply_service_errors
from amity.web.deal_forms import DealFilterForm, DealForm
from amity.web.forms import error_text
from amity.web.timeline_entries import Presenter
from amity.web.views import deal_views
from amity.web.views.base import WorkspaceRequest, ensure, keyset_page, render_page, workspace_view
from amity.web.views.deal_parts import FORECAST_CATEGORIES, deal_parts_context
from amity.web.views.record_activity import custom_definitions, entry_editing

LIST_PAGE_SIZE = 50
LIST_DEFAULT_SORT = "expected_close_date"
TIMELINE_ENTRIES = 20


def _people(request: WorkspaceRequest) -> list[User]:
    try:
        return list(core_selectors.member_people(actor=request.user, workspace=request.workspace))
    except PermissionDenied:
        return []


def _teams(request: WorkspaceRequest) -> list[Team]:
    return list(core_selectors.team_list(actor=request.user, workspace=request.workspace).order_by("name"))


def _pipelines(request: WorkspaceRequest) -> list[Pipeline]:
    """The workspace's pipelines with their stages; a workspace without one gets the default pipeline first."""
    pipelines = list(selectors.pipeline_list(actor=request.user, workspace=request.workspace).order_by("position", "id"))
    if not pipelines:
        services.sales_setup(workspace=request.workspace)
        pipelines = list(selectors.pipeline_list(actor=request.user, workspace=request.workspace).order_by("position", "id"))
    return pipelines


def _filter_form(request: WorkspaceRequest, params: QueryDict) -> DealFilterForm:
    return DealFilterForm(params, pipelines=_pipelines(request), people=_people(request), teams=_teams(request))


def _filter_query(params: QueryDict, **changes: str) -> str:
    """The page's filters as a query string (for links between board and list, and "show more")."""
    keys = ("pipeline", "owner_id", "team_id", "period", "close_after", "close_before", "account", "sort")
    query = {key: params.get(key, "") for key in keys}
    query.update(changes)
    return urlencode({key: value for key, value in query.items() if value})


def _common(request: WorkspaceRequest, form: DealFilterForm, pipeline: Pipeline, params: QueryDict | None = None) -> dict[str, Any]:
    slug = request.workspace.slug
    account_id = form.cleaned_data.get("account") if form.is_valid() else None
    account = None
    if account_id:
        account = customer_selectors.account_list(actor=request.user, workspace=request.workspace).filter(pk=account_id).first()
    return {
        "form": form,
        "pipeline": pipeline,
        "filter_account": account,
        "query": _filter_query(request.GET if params is None else params, pipeline=str(pipeline.pk)),
        "board_url": reverse("deal_board", args=[slug]),
        "list_url": reverse("deal_list", args=[slug]),
        "can_add": allowed(request.user, request.workspace, Action.ADD, ObjectType.OPPORTUNITY),
        "can_move": allowed(request.user, request.workspace, Action.CHANGE, ObjectType.OPPORTUNITY),
        "today": timezone.localdate(),
        "forecast_categories": FORECAST_CATEGORIES,
    }


@workspace_view
@require_GET
def deal_board(request: WorkspaceRequest) -> HttpResponse:
    """A pipeline's stages as columns of cards, with counts and totals; cards are dragged between columns."""
    ensure(request, Action.VIEW, ObjectType.OPPORTUNITY)
    form = _filter_form(request, request.GET)
    pipeline = form.chosen_pipeline()
    columns = board.board_columns(actor=request.user, workspace=request.workspace, pipeline=pipeline, filters=form.filters())
    context = {
        **_common(request, form, pipeline),
        "columns": columns,
        "lost_reasons": list(selectors.lost_reason_list(actor=request.user, workspace=request.workspace, active=True)),
    }
    return render_page(request, "web/deals/board.html", context, partial="board")


@workspace_view
@require_GET
def deal_column(request: WorkspaceRequest, stage_pk: int) -> HttpResponse:
    """The next cards of one column ("Show more"), with the button for the ones after them."""
    ensure(request, Action.VIEW, ObjectType.OPPORTUNITY)
    stage = selectors.stage_get(actor=request.user, workspace=request.workspace, pk=stage_pk)
    form = _filter_form(request, request.GET)
    try:
        cards, cursor = board.column_page(
            actor=request.user, workspace=request.workspace, stage=stage, filters=form.filters(), after=request.GET.get("after", "")
        )
    except ValidationError:
        cards, cursor = [], ""
    column = board.Column(stage=stage, count=0, total=None, totals=[], unconverted=[], cards=cards, next_cursor=cursor)
    context = {**_common(request, form, stage.pipeline), "column": column}
    return render_page(request, "web/deals/board.html", context, partial="column_cards")


@workspace_view
@require_GET
def deal_list(request: WorkspaceRequest) -> HttpResponse:
    """The deals of a pipeline as a sortable table with the board's filters, 50 at a time; saved views and exports."""
    ensure(request, Action.VIEW, ObjectType.OPPORTUNITY)
    views = deal_views.list_views(request)
    params = views.params
    form = _filter_form(request, params)
    pipeline = form.chosen_pipeline()
    sort = params.get("sort") or LIST_DEFAULT_SORT
    sort = sort if sort in OPPORTUNITY_SORTS else LIST_DEFAULT_SORT
    deals = board.board_deals(actor=request.user, workspace=request.workspace, pipeline=pipeline, filters=form.filters())
    deals = deals.select_related("account", "owner", "stage")
    ordering = OPPORTUNITY_SORTS[sort]
    page = keyset_page(deals, ordering=ordering, cursor=params.get("cursor"), limit=LIST_PAGE_SIZE)
    common = _common(request, form, pipeline, params)
    headers = []
    for key, label in (("name", "Deal"), ("amount", "Amount"), ("expected_close_date", "Close date")):
        current = "asc" if sort == key else "desc" if sort == f"-{key}" else ""
        next_sort = f"-{key}" if current == "asc" else key
        headers.append({"key": key, "label": label, "sort": current, "url": f"?{_filter_query(params, sort=next_sort)}"})
    next_url = f"?{_filter_query(params, cursor=page.next_cursor)}" if page.next_cursor else ""
    state = deal_views.state_query(QueryDict(_filter_query(params, pipeline=str(pipeline.pk), sort=sort)))
    context = {
        **common,
        "deals": page.items,
        "next_url": next_url,
        "headers": headers,
        "sort": sort,
        "views": views.views,
        "current_view": views.view,
        "manageable": views.manageable,
        "state_query": state,
        "urls": deal_views.view_urls(request.workspace.slug, views.view),
    }
    return render_page(request, "web/deals/list.html", context, partial="rows" if params.get("cursor") else None)


@workspace_view
@require_GET
def deal_detail(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """A deal's page: its stage path, facts, people, lines, time in each stage and its timeline."""
    ensure(request, Action.VIEW, ObjectType.OPPORTUNITY)
    deal = selectors.opportunity_get(actor=request.user, workspace=request.workspace, pk=pk)
    return render_page(request, "web/deals/detail.html", detail_context(request, deal))


def detail_context(request: WorkspaceRequest, deal: Opportunity) -> dict[str, Any]:
    """Everything the deal's page shows; the editing views draw it again with their forms' errors."""
    pipeline = selectors.pipeline_get(actor=request.user, workspace=request.workspace, pk=deal.pipeline_id)
    history = selectors.stage_history(opportunity=deal)
    timeline = selectors.opportunity_timeline(
        actor=request.user, workspace=request.workspace, opportunity=deal, kinds=[], cursor=None, limit=TIMELINE_ENTRIES
    )
    presenter = Presenter(
        people={person.pk: person.display_name for person in _people(request)},
        definitions=custom_definitions(request, ObjectType.OPPORTUNITY),
        contact_url=reverse("contact_detail", args=[request.workspace.slug, 0]),
        editing=entry_editing(request) if deal.deleted_at is None else None,
    )
    stages = list(pipeline.stages.all())
    return {
        "deal": deal,
        "stages": stages,
        "lost_stage": next((stage for stage in stages if stage.kind == "lost"), None),
        "history": history,
        "timeline": {"entries": presenter.entries(timeline.items), "highlight": ""},
        **deal_parts_context(request, deal),
        "lost_reasons": list(selectors.lost_reason_list(actor=request.user, workspace=request.workspace, active=True)),
        "can_move": allowed(request.user, request.workspace, Action.CHANGE, ObjectType.OPPORTUNITY),
        "today": timezone.localdate(),
        "forecast_categories": FORECAST_CATEGORIES,
        "board_url": f"{reverse('deal_board', args=[request.workspace.slug])}?pipeline={deal.pipeline_id}",
        **_quotes_of(request, deal),
    }


def _quotes_of(request: WorkspaceRequest, deal: Opportunity) -> dict[str, Any]:
    """The deal's quotes (latest versions) and whether the user may start one: the "Quotes" card and "Create quote"."""
    if not allowed(request.user, request.workspace, Action.VIEW, ObjectType.QUOTE):
        return {"quotes": None, "can_quote": False}
    filters = selectors.QuoteFilter(opportunity_id=deal.pk, latest=True)
    quotes = selectors.quote_list(actor=request.user, workspace=request.workspace, filters=filters).prefetch_related(None)
    return {
        "quotes": list(quotes.order_by("-created_at", "-id")[:10]),
        "can_quote": allowed(request.user, request.workspace, Action.ADD, ObjectType.QUOTE) and deal.deleted_at is None,
    }


@workspace_view
@require_http_methods(["GET", "POST"])
def deal_create(request: WorkspaceRequest) -> HttpResponse:
    """The new-deal form; from an account's page it comes with the account filled in."""
    ensure(request, Action.ADD, ObjectType.OPPORTUNITY)
    pipelines = _pipelines(request)
    account_id = request.POST.get("account_id", "") if request.method == "POST" else request.GET.get("account", "")
    account_name = _account_name(request, int(account_id)) if account_id.isdigit() else ""
    initial: dict[str, Any] = {"owner_id": str(request.user.pk), "pipeline_id": request.GET.get("pipeline", "")}
    if account_name:
        initial["account_id"] = int(account_id)
    form = DealForm(request.POST if request.method == "POST" else None, initial=initial, pipelines=pipelines, people=_people(request))
    if request.method == "POST" and form.is_valid():
        deal = _create(request, form)
        if deal is not None:
            messages.success(request, f"Deal “{deal.name}” created.")
            return redirect("deal_detail", request.workspace.slug, deal.pk)
    context = {"form": form, "account_name": account_name}
    return render_page(request, "web/deals/form.html", context, status=422 if form.errors else 200)


def _account_name(request: WorkspaceRequest, pk: int) -> str:
    """The name of a chosen account the user may see, for the account picker to show (an empty box otherwise)."""
    accounts = customer_selectors.account_list(actor=request.user, workspace=request.workspace)
    return accounts.filter(pk=pk).values_list("name", flat=True).first() or ""


def _create(request: WorkspaceRequest, form: DealForm) -> Opportunity | None:
    """Create the deal the form describes, or put the reasons it cannot be on the form."""
    try:
        return services.opportunity_create(actor=request.user, workspace=request.workspace, data=form.service_data())
    except ValidationError as error:
        apply_service_errors(form, error)
        return None


def _wants_json(request: WorkspaceRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@workspace_view
@require_POST
def deal_move(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """Move a deal to another stage (a drop on the board, a button on its page); a lost stage needs a reason."""
    ensure(request, Action.CHANGE, ObjectType.OPPORTUNITY)
    deal = selectors.opportunity_get(actor=request.user, workspace=request.workspace, pk=pk)
    stage = selectors.stage_get(actor=request.user, workspace=request.workspace, pk=_int(request.POST.get("stage_id")))
    reason_id = _int(request.POST.get("lost_reason_id"))
    try:
        reason = selectors.lost_reason_get(actor=request.user, workspace=request.workspace, pk=reason_id) if reason_id else None
        deal = services.opportunity_move_stage(
            actor=request.user, opportunity=deal, stage=stage, lost_reason=reason, lost_note=request.POST.get("lost_note") or None
        )
    except ValidationError as error:
        if _wants_json(request):
            return JsonResponse({"error": error_text(error)}, status=422)
        messages.error(request, error_text(error))
    else:
        if _wants_json(request):
            return JsonResponse({"id": deal.pk, "stage_id": deal.stage_id, "status": deal.status})
        messages.success(request, f"“{deal.name}” is now in {stage.name}.")
    return redirect("deal_detail", request.workspace.slug, pk)


def _int(value: str | None) -> int:
    """An id from a form; anything else is 0, which no row has (so the lookup is a 404)."""
    return int(value) if value and value.isdigit() else 0
