"""The contact and account lists: filters, sort, columns, saved views, bulk actions, the bin, exports and new records.

Both record types share these views; a `Kind` says which model, selectors and services each uses.
Everything a list shows is in its URL (filters, sort, columns, bin, view), so a link, a reload, the
"Load more" button and an export all see the same rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from amity.api.pagination import Page, iterate, paginate
from amity.core import exports
from amity.core import selectors as core_selectors
from amity.core.access import allowed, hidden_fields
from amity.core.custom_field_queries import ANY_OF_SEPARATOR
from amity.core.models import FieldDefinition
from amity.core.permissions import Action, ObjectType
from amity.customers import listing, selectors, services
from amity.customers.dedupe import selectors as dedupe_selectors
from amity.customers.dedupe.services import DuplicatesFound
from amity.customers.models import Account, Contact, SavedView
from amity.web.customer_forms import AccountForm, ContactForm, CustomerFilterForm, apply_service_errors
from amity.web.forms import error_text
from amity.web.views.base import WorkspaceRequest, ensure, render_page, workspace_view

PAGE_SIZE = 50
EXPORT_BATCH = 500


@dataclass(frozen=True)
class Kind:
    """One record type's list: contacts or accounts."""

    object_type: str
    model: type[Account] | type[Contact]
    permission: ObjectType
    lister: Callable[..., Any]
    getter: Callable[..., Any]
    singular: str
    plural: str
    icon: str

    @property
    def title(self) -> str:
        return self.plural.capitalize()

    def url(self, name: str, workspace_slug: str, **kwargs: Any) -> str:
        return reverse(f"{self.object_type}_{name}", kwargs={"slug": workspace_slug, **kwargs})


KINDS = {
    "contact": Kind("contact", Contact, ObjectType.CONTACT, selectors.contact_list, selectors.contact_get, "contact", "contacts", "user"),
    "account": Kind(
        "account", Account, ObjectType.ACCOUNT, selectors.account_list, selectors.account_get, "account", "accounts", "building"
    ),
}


@dataclass
class ListState:
    """What a list shows, read from the URL or from a saved view."""

    filters: dict[str, str]
    sort: str
    columns: list[listing.Column]
    available: dict[str, listing.Column]
    definitions: list[FieldDefinition]
    in_bin: bool
    view: SavedView | None
    views: list[SavedView]
    errors: dict[str, list[str]] = field(default_factory=dict)

    def items(self, *, sort: str | None = None, with_view: bool = True) -> list[tuple[str, str]]:
        """The URL parameters that rebuild this state (optionally with another sort)."""
        pairs = [*self.filters.items(), ("sort", sort or self.sort)]
        pairs += [("columns", column.key) for column in self.columns[1:]]
        if self.in_bin:
            pairs.append(("bin", "1"))
        if with_view and self.view:
            pairs.append(("view", str(self.view.pk)))
        return pairs

    def query(self, **kwargs: Any) -> str:
        return urlencode(self.items(**kwargs))


def kind_of(kind: str) -> Kind:
    if kind not in KINDS:
        raise Http404("No such list.")
    return KINDS[kind]


def _filter_params(params: QueryDict) -> dict[str, str]:
    """The filter parameters of a list's URL; a custom field filter given several times (a multiple choice) means any of them."""
    filters = {key: str(params.get(key) or "") for key in params if key in listing.STANDARD_FILTERS}
    filters |= {key: ANY_OF_SEPARATOR.join(value for value in params.getlist(key) if value) for key in params if key.startswith("custom.")}
    return filters


def _state(request: WorkspaceRequest, kind: Kind, params: QueryDict) -> ListState:
    actor, workspace = request.user, request.workspace
    definitions = list(selectors.field_definition_list(actor=actor, workspace=workspace, object_type=kind.object_type))
    views = list(selectors.saved_view_list(actor=actor, workspace=workspace, object_type=kind.object_type).order_by("name", "id"))
    view = None
    if params.get("view"):
        view = next((candidate for candidate in views if str(candidate.pk) == params["view"]), None)
        if view is None:
            raise Http404("No such saved view.")
    if view is not None and not (set(params) - {"view", "cursor"}):
        raw_filters, sort, column_keys = dict(view.filters), view.sort, list(view.columns)
    else:
        raw_filters, sort, column_keys = _filter_params(params), params.get("sort") or "", params.getlist("columns")
    hidden = hidden_fields(actor, workspace, kind.object_type)
    available = listing.columns_for(kind.object_type, definitions, hidden)
    errors: dict[str, list[str]] = {}
    try:
        selectors.refuse_hidden_criteria(actor, workspace, kind.object_type, filters=raw_filters)
        filters = listing.clean_filters(raw_filters, definitions)
    except ValidationError as error:
        errors = error.message_dict
        filters = {key: value for key, value in raw_filters.items() if key not in errors and value}
    in_bin = params.get("bin") == "1" and allowed(actor, workspace, Action.DELETE, kind.permission)
    return ListState(
        filters=filters,
        sort=listing.sort_or_default(sort, kind.object_type, definitions),
        columns=listing.chosen_columns(column_keys, available, kind.object_type),
        available=available,
        definitions=definitions,
        in_bin=in_bin,
        view=view,
        views=views,
        errors=errors,
    )


def _records(request: WorkspaceRequest, kind: Kind, state: ListState) -> Any:
    records = kind.lister(
        actor=request.user, workspace=request.workspace, filters=listing.customer_filter(state.filters, deleted=state.in_bin)
    )
    return records.select_related("owner", "team")


def _rows(records: list[Any], columns: list[listing.Column], detail_url: str) -> list[dict[str, Any]]:
    """Each record with its cells; `detail_url` has a 0 where the id goes (one reverse() per page, not per row)."""
    return [
        {
            "record": record,
            "url": detail_url.replace("/0/", f"/{record.pk}/"),
            "cells": [{"key": column.key, "value": column.display(record)} for column in columns],
        }
        for record in records
    ]


def _urls(kind: Kind, slug: str, view: SavedView | None) -> dict[str, str]:
    urls = {
        "create": kind.url("create", slug),
        "bulk": kind.url("bulk", slug),
        "export_csv": kind.url("export", slug, file_format="csv"),
        "export_xlsx": kind.url("export", slug, file_format="xlsx"),
        "view_create": kind.url("view_create", slug),
    }
    if view is not None:
        urls["view_update"] = kind.url("view_update", slug, pk=view.pk)
        urls["view_delete"] = kind.url("view_delete", slug, pk=view.pk)
    return urls


def _page(request: WorkspaceRequest, kind: Kind, state: ListState) -> Page[Any]:
    records = _records(request, kind, state)
    ordering = listing.ordering(state.sort, kind.object_type, state.definitions)
    try:
        return paginate(records, ordering=ordering, cursor=request.GET.get("cursor") or None, limit=PAGE_SIZE)
    except ValidationError:
        return paginate(records, ordering=ordering, cursor=None, limit=PAGE_SIZE)


def _headers(kind: Kind, state: ListState, list_url: str) -> list[dict[str, Any]]:
    headers = []
    for column in state.columns:
        header: dict[str, Any] = {"key": column.key, "label": column.label, "sort": None}
        if column.sort:
            ascending = state.sort == column.sort
            descending = state.sort == f"-{column.sort}"
            next_sort = f"-{column.sort}" if ascending else column.sort
            header.update(
                sort="asc" if ascending else "desc" if descending else "",
                url=f"{list_url}?{state.query(sort=next_sort)}",
                aria="ascending" if ascending else "descending" if descending else "none",
            )
        headers.append(header)
    return headers


@workspace_view
@require_GET
def record_list(request: WorkspaceRequest, kind: str) -> HttpResponse:
    spec = kind_of(kind)
    ensure(request, Action.VIEW, spec.permission)
    actor, workspace = request.user, request.workspace
    state = _state(request, spec, request.GET)
    page = _page(request, spec, state)
    list_url = spec.url("list", workspace.slug)
    context: dict[str, Any] = {
        "kind": spec,
        "state": state,
        "page": page,
        "rows": _rows(page.items, state.columns, spec.url("detail", workspace.slug, pk=0)),
        "urls": _urls(spec, workspace.slug, state.view),
        "headers": _headers(spec, state, list_url),
        "list_url": list_url,
        "state_query": state.query(),
        "filtered": bool(state.filters),
        "can_change": allowed(actor, workspace, Action.CHANGE, spec.permission),
        "can_delete": allowed(actor, workspace, Action.DELETE, spec.permission),
        "can_add": allowed(actor, workspace, Action.ADD, spec.permission),
        "column_count": len(state.columns) + 1,
    }
    if getattr(request, "htmx", False) and request.GET.get("cursor"):
        return render_page(request, "web/customers/list.html", context, partial="rows")
    people = list(core_selectors.member_people(actor=actor, workspace=workspace))
    teams = list(core_selectors.team_list(actor=actor, workspace=workspace).order_by("name"))
    form = CustomerFilterForm(state.filters, people=people, teams=teams, definitions=state.definitions)
    form.is_valid()
    for name, field_errors in state.errors.items():
        form.add_error(name if name in form.fields else None, field_errors)
    context.update(
        {
            "form": form,
            "people": people,
            "tag_names": selectors.tag_names(actor=actor, workspace=workspace),
            "manageable": {view.pk for view in state.views if selectors.saved_view_manageable(actor=actor, view=view)},
            "current_path": request.get_full_path(),
            "bin_query": urlencode([("bin", "1")]),
        }
    )
    return render_page(request, "web/customers/list.html", context, status=400 if state.errors else 200)


# --- Export ---------------------------------------------------------------------------------------------


@workspace_view
@require_GET
def record_export(request: WorkspaceRequest, kind: str, file_format: str) -> HttpResponse:
    """The current list (filters, sort, columns) as CSV (streamed, any size) or XLSX."""
    spec = kind_of(kind)
    if file_format not in {"csv", "xlsx"}:
        raise Http404("Export as csv or xlsx.")
    ensure(request, Action.VIEW, spec.permission)
    state = _state(request, spec, request.GET)
    if state.errors:
        messages.error(request, "Fix the filters before exporting.")
        return redirect(f"{spec.url('list', request.workspace.slug)}?{state.query()}")
    records = _records(request, spec, state)
    ordering = listing.ordering(state.sort, spec.object_type, state.definitions)
    header = [column.label for column in state.columns]
    zone = timezone.get_current_timezone()

    def rows() -> Iterator[list[str]]:
        with timezone.override(zone):  # a streamed body is written after the view returns
            for record in iterate(records, ordering=ordering, batch_size=EXPORT_BATCH):
                yield [listing.cell_text(column.value(record)) for column in state.columns]

    stamp = timezone.localtime().strftime("%Y-%m-%d")
    filename = f"{spec.plural}-{request.workspace.slug}-{stamp}.{file_format}"
    if file_format == "csv":
        response: HttpResponse = StreamingHttpResponse(exports.csv_lines(header, rows()), content_type="text/csv; charset=utf-8")  # type: ignore[assignment]
    else:
        response = HttpResponse(
            exports.xlsx_bytes(header, rows(), title=spec.title),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- Bulk actions ----------------------------------------------------------------------------------------


def _back(request: WorkspaceRequest, kind: Kind) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}) and target.startswith("/w/"):
        return redirect(target)
    return redirect(kind.url("list", request.workspace.slug))


def _ids(request: WorkspaceRequest) -> list[int]:
    return sorted({int(value) for value in request.POST.getlist("ids") if value.isdigit()})


BULK_GRANTS = {"assign": Action.CHANGE, "tag": Action.CHANGE, "delete": Action.DELETE, "restore": Action.DELETE}


@workspace_view
@require_POST
def record_bulk(request: WorkspaceRequest, kind: str) -> HttpResponse:
    """Assign an owner to, tag, move to the bin or restore the ticked records."""
    spec = kind_of(kind)
    action = request.POST.get("action", "")
    if action not in BULK_GRANTS:
        messages.error(request, "Choose what to do with the selected records.")
        return _back(request, spec)
    ensure(request, BULK_GRANTS[action], spec.permission)
    actor, workspace = request.user, request.workspace
    ids = _ids(request)
    if not ids:
        messages.error(request, f"Tick at least one {spec.singular} first.")
        return _back(request, spec)
    try:
        records = selectors.records_by_ids(actor=actor, workspace=workspace, model=spec.model, ids=ids, deleted=action == "restore")
        count = _bulk_apply(request, action, records)
    except ValidationError as error:
        messages.error(request, error_text(error))
        return _back(request, spec)
    noun = spec.singular if count == 1 else spec.plural
    done = {"assign": "given a new owner", "tag": "tagged", "delete": "moved to the bin", "restore": "restored"}[action]
    messages.success(request, f"{count} {noun} {done}.")
    return _back(request, spec)


def _bulk_apply(request: WorkspaceRequest, action: str, records: list[Any]) -> int:
    actor, workspace = request.user, request.workspace
    if action == "assign":
        raw = request.POST.get("owner_id", "")
        owner = None
        if raw:
            people = core_selectors.member_users(workspace=workspace, pks=[int(raw)] if raw.isdigit() else [])
            if not people:
                raise ValidationError({"owner_id": "Choose a member of this workspace as the owner."})
            owner = people[0]
        return services.bulk_assign_owner(actor=actor, records=records, owner=owner)
    if action == "tag":
        tags = [name.strip() for name in request.POST.get("tags", "").split(",") if name.strip()]
        if not tags:
            raise ValidationError({"tags": "Type at least one tag to add."})
        return services.bulk_tag(actor=actor, records=records, add=tags)
    if action == "delete":
        return services.bulk_soft_delete(actor=actor, records=records)
    return services.bulk_restore(actor=actor, records=records)


# --- Saved views --------------------------------------------------------------------------------------------


def _view_data(request: WorkspaceRequest, kind: Kind) -> dict[str, Any]:
    """The filters, sort and columns of the list the person is looking at, sent as its query string."""
    params = QueryDict(request.POST.get("state", ""))
    return {
        "filters": _filter_params(params),
        "sort": params.get("sort") or "",
        "columns": [key for key in params.getlist("columns") if key != "name"],
    }


def _list_with(kind: Kind, request: WorkspaceRequest, query: str) -> HttpResponse:
    return redirect(f"{kind.url('list', request.workspace.slug)}?{query}")


@workspace_view
@require_POST
def saved_view_create(request: WorkspaceRequest, kind: str) -> HttpResponse:
    spec = kind_of(kind)
    data = {
        "name": request.POST.get("name", ""),
        "object_type": spec.object_type,
        "shared": request.POST.get("shared") == "on",
        **_view_data(request, spec),
    }
    try:
        view = services.saved_view_create(actor=request.user, workspace=request.workspace, data=data)
    except ValidationError as error:
        messages.error(request, f"The view was not saved: {error_text(error)}")
        return _list_with(spec, request, request.POST.get("state", ""))
    messages.success(request, f"View “{view.name}” saved{' and shared with the workspace' if view.shared else ''}.")
    return _list_with(spec, request, urlencode({"view": view.pk}))


@workspace_view
@require_POST
def saved_view_update(request: WorkspaceRequest, kind: str, pk: int) -> HttpResponse:
    spec = kind_of(kind)
    view = selectors.saved_view_get(actor=request.user, workspace=request.workspace, pk=pk)
    if view.object_type != spec.object_type:
        raise Http404("No such saved view.")
    try:
        services.saved_view_update(actor=request.user, view=view, data=_view_data(request, spec))
    except ValidationError as error:
        messages.error(request, f"The view was not updated: {error_text(error)}")
        return _list_with(spec, request, request.POST.get("state", ""))
    messages.success(request, f"View “{view.name}” updated.")
    return _list_with(spec, request, urlencode({"view": view.pk}))


@workspace_view
@require_POST
def saved_view_delete(request: WorkspaceRequest, kind: str, pk: int) -> HttpResponse:
    spec = kind_of(kind)
    view = selectors.saved_view_get(actor=request.user, workspace=request.workspace, pk=pk)
    if view.object_type != spec.object_type:
        raise Http404("No such saved view.")
    services.saved_view_delete(actor=request.user, view=view)
    messages.success(request, f"View “{view.name}” deleted.")
    return redirect(spec.url("list", request.workspace.slug))


# --- New records ---------------------------------------------------------------------------------------------


@workspace_view
@require_http_methods(["GET", "POST"])
def record_create(request: WorkspaceRequest, kind: str) -> HttpResponse:
    spec = kind_of(kind)
    ensure(request, Action.ADD, spec.permission)
    actor, workspace = request.user, request.workspace
    options: dict[str, Any] = {
        "people": core_selectors.member_people(actor=actor, workspace=workspace),
        "teams": core_selectors.team_list(actor=actor, workspace=workspace).order_by("name"),
        "definitions": selectors.field_definition_list(actor=actor, workspace=workspace, object_type=spec.object_type),
        "hidden": hidden_fields(actor, workspace, spec.object_type),
    }
    form_class = ContactForm if spec.model is Contact else AccountForm
    initial = {"owner_id": str(actor.pk)}
    form = form_class(request.POST or None, initial=initial, **options)
    if request.method == "POST" and form.is_valid():
        record = _create(request, spec, form)
        if record is not None:
            messages.success(request, f"{spec.singular.capitalize()} {record} added.")
            return redirect(spec.url("detail", workspace.slug, pk=record.pk))
    context = {
        "kind": spec,
        "form": form,
        "duplicates": getattr(form, "duplicates", []),
        "account_name": _account_name(request, request.POST.get("account_id", "")) if spec.model is Contact else "",
    }
    status = 400 if form.errors else 409 if context["duplicates"] else 200
    return render_page(request, "web/customers/form.html", context, status=status)


def _account_name(request: WorkspaceRequest, account_id: str) -> str:
    """The name of the account a form sent back with errors had chosen, for its picker to show (if the user may see it)."""
    if not account_id.isdigit():
        return ""
    accounts = selectors.account_list(actor=request.user, workspace=request.workspace)
    return accounts.filter(pk=int(account_id)).values_list("name", flat=True).first() or ""


def _create(request: WorkspaceRequest, kind: Kind, form: Any) -> Account | Contact | None:
    """Create the record, unless it probably exists: then `form.duplicates` lists the likely ones and the page offers "Create anyway"."""
    actor, workspace = request.user, request.workspace
    allow_duplicates = request.POST.get("allow_duplicates") == "1"
    try:
        if isinstance(form, ContactForm):
            return services.contact_create(actor=actor, workspace=workspace, data=form.service_data(), allow_duplicates=allow_duplicates)
        return services.account_create(actor=actor, workspace=workspace, data=form.service_data(), allow_duplicates=allow_duplicates)
    except DuplicatesFound as found:
        summaries = dedupe_selectors.record_summaries(workspace, [(pair.right.type, pair.right.id) for pair in found.matches])
        form.duplicates = [
            {**dedupe_selectors.summary_of(summaries, pair.right.type, pair.right.id), "score": pair.score, "reasons": pair.reasons}
            for pair in found.matches
        ]
    except ValidationError as error:
        apply_service_errors(form, error)
    except PermissionDenied:
        raise
    return None
