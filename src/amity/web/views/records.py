"""A contact's or an account's own page: a profile card with every field (the timeline joins it later)."""

from __future__ import annotations

from django.http import HttpResponse
from django.views.decorators.http import require_GET

from amity.core.access import allowed
from amity.core.permissions import Action
from amity.customers import listing, selectors
from amity.web.views.base import WorkspaceRequest, ensure, render_page, workspace_view
from amity.web.views.customers import kind_of


@workspace_view
@require_GET
def record_detail(request: WorkspaceRequest, kind: str, pk: int) -> HttpResponse:
    spec = kind_of(kind)
    ensure(request, Action.VIEW, spec.permission)
    actor, workspace = request.user, request.workspace
    may_see_bin = allowed(actor, workspace, Action.DELETE, spec.permission)
    record = spec.getter(actor=actor, workspace=workspace, pk=pk, include_deleted=may_see_bin)
    definitions = selectors.field_definition_list(actor=actor, workspace=workspace, object_type=spec.object_type)
    columns = listing.columns_for(spec.object_type, definitions)
    fields = [(column.label, listing.cell_text(column.value(record))) for key, column in columns.items() if key != "name"]
    context = {"kind": spec, "record": record, "fields": fields}
    return render_page(request, "web/customers/detail.html", context)
