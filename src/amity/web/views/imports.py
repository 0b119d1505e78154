"""Importing contacts, accounts and leads in the browser: upload, map the columns, dry run, watch it run, download the log, undo.

Every step calls the services and selectors the API calls (amity.imports), so both doors import the same way.
"""

from __future__ import annotations

import math
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from amity.api.pagination import paginate
from amity.core import exports
from amity.core.access import allowed
from amity.core.permissions import Action, ObjectType
from amity.imports import reading, selectors, services
from amity.imports.mapping import object_type
from amity.imports.models import Import
from amity.web.forms import apply_errors, error_text
from amity.web.import_forms import MATCH_KEYS, ON_MATCH_HELP, MappingForm, UploadForm
from amity.web.views.base import WorkspaceRequest, ensure, render_page, workspace_view

HISTORY_PAGE_SIZE = 25
ERRORS_SHOWN = 50
SAMPLE_ROWS = 3
KIND_PERMISSIONS = {Import.Kind.CONTACTS: ObjectType.CONTACT, Import.Kind.ACCOUNTS: ObjectType.ACCOUNT, Import.Kind.LEADS: ObjectType.LEAD}
UNFINISHED = {Import.Status.QUEUED, Import.Status.RUNNING}


def _get(request: WorkspaceRequest, pk: int) -> Import:
    return selectors.import_get(actor=request.user, workspace=request.workspace, pk=pk)


def _importable_kinds(request: WorkspaceRequest) -> list[str]:
    """The kinds of record this person may both import and add."""
    if not allowed(request.user, request.workspace, Action.ADD, ObjectType.IMPORT):
        return []
    return [kind for kind, object_type in KIND_PERMISSIONS.items() if allowed(request.user, request.workspace, Action.ADD, object_type)]


# --- History -----------------------------------------------------------------------------------------


@workspace_view
@require_GET
def import_list(request: WorkspaceRequest) -> HttpResponse:
    """Every import of the workspace this person may see, newest first, with its status and counts."""
    imports = selectors.import_list(actor=request.user, workspace=request.workspace)
    kind = request.GET.get("kind", "")
    if kind in Import.Kind.values:
        imports = imports.filter(kind=kind)
    try:
        page = paginate(imports, ordering=("-created_at", "-id"), cursor=request.GET.get("cursor") or None, limit=HISTORY_PAGE_SIZE)
    except ValidationError:
        page = paginate(imports, ordering=("-created_at", "-id"), cursor=None, limit=HISTORY_PAGE_SIZE)
    context = {"page": page, "kind": kind, "kinds": Import.Kind.choices, "can_import": bool(_importable_kinds(request))}
    return render_page(request, "web/imports/list.html", context, partial="rows" if request.GET.get("cursor") else None)


# --- Step 1: upload ----------------------------------------------------------------------------------


@workspace_view
@require_http_methods(["GET", "POST"])
def import_upload(request: WorkspaceRequest) -> HttpResponse:
    kinds = _importable_kinds(request)
    if not kinds:
        raise PermissionDenied("Your role does not allow you to import records.")
    initial_kind = request.GET.get("kind") if request.GET.get("kind") in kinds else kinds[0]
    form = UploadForm(request.POST or None, request.FILES or None, kinds=kinds, initial={"kind": initial_kind})
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            services.check_upload_size(upload)
            import_run = services.import_create(
                actor=request.user,
                workspace=request.workspace,
                kind=form.cleaned_data["kind"],
                file=upload,
                file_name=upload.name or "import.csv",
                start=False,
            )
        except ValidationError as error:
            apply_errors(form, error, default_field="file")
        else:
            return redirect("import_detail", slug=request.workspace.slug, pk=import_run.pk)
    return render_page(request, "web/imports/upload.html", {"form": form}, status=400 if form.errors else 200)


# --- Step 2: mapping, and the import's page from then on ----------------------------------------------


def _mapping_form(import_run: Import, data: Any = None) -> tuple[MappingForm, dict[str, Any]]:
    preview = services.preview(import_run, rows=SAMPLE_ROWS)
    form = MappingForm(
        data,
        headers=preview["headers"],
        fields=preview["fields"],
        mapping=import_run.mapping,
        initial={"on_match": import_run.on_match, "all_or_nothing": import_run.all_or_nothing},
    )
    samples = [[row[index] for row in preview["rows"] if index < len(row) and row[index]] for index in range(len(preview["headers"]))]
    return form, {"columns": list(zip(form.columns, samples, strict=True))}


def _mapping_page(
    request: WorkspaceRequest, import_run: Import, form: MappingForm, extra: dict[str, Any], status: int = 200
) -> HttpResponse:
    on_match_choices = [(value, label, ON_MATCH_HELP[Import.OnMatch(value)]) for value, label in Import.OnMatch.choices]
    context = {
        "import_run": import_run,
        "form": form,
        "match_key": MATCH_KEYS[Import.Kind(import_run.kind)],
        "singular": object_type(import_run.kind),
        "on_match_choices": on_match_choices,
        "on_match_value": form["on_match"].value(),
        **extra,
    }
    return render_page(request, "web/imports/mapping.html", context, status=status)


def _progress(import_run: Import) -> dict[str, Any]:
    """What the progress bar says: rows and batches done of all, speed and time left."""
    batches_done = import_run.last_batch + 1
    batches_total = math.ceil(import_run.total / import_run.batch_size) if import_run.total else None
    speed = import_run.rows_per_second
    seconds_left = None
    if speed and import_run.total and import_run.status == Import.Status.RUNNING:
        seconds_left = math.ceil((import_run.total - import_run.processed) / speed)
    return {
        "percent": round(import_run.progress * 100),
        "batches_done": batches_done,
        "batches_total": batches_total,
        "speed": speed,
        "seconds_left": seconds_left,
    }


def _run_page(request: WorkspaceRequest, import_run: Import) -> HttpResponse:
    unfinished = import_run.status in UNFINISHED
    errors: list[Any] = []
    error_count = 0
    if not unfinished:
        found = selectors.import_errors(import_run=import_run).order_by("row", "id")
        errors = list(found[:ERRORS_SHOWN])
        error_count = len(errors) if len(errors) < ERRORS_SHOWN else found.count()
    wrote = import_run.created + import_run.updated > 0
    context = {
        "import_run": import_run,
        "unfinished": unfinished,
        "progress": _progress(import_run),
        "search_percent": round(import_run.search_progress * 100),
        "errors": errors,
        "error_count": error_count,
        "can_undo": (
            not import_run.dry_run
            and import_run.status in {Import.Status.DONE, Import.Status.FAILED}
            and wrote
            and allowed(request.user, request.workspace, Action.CHANGE, ObjectType.IMPORT)
        ),
        "can_import": bool(_importable_kinds(request)),
        "singular": object_type(import_run.kind),
        "plural": import_run.kind,
    }
    return render_page(request, "web/imports/detail.html", context, partial="run")


@workspace_view
@require_GET
def import_detail(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """The mapping while the import waits to start; then its progress (polled by htmx), its results and its actions."""
    import_run = _get(request, pk)
    if import_run.status != Import.Status.UPLOADED:
        return _run_page(request, import_run)
    try:
        form, extra = _mapping_form(import_run)
    except reading.UnreadableFile as error:
        messages.error(request, f"{import_run.file_name} can no longer be read: {error}")
        return redirect("import_upload", slug=request.workspace.slug)
    return _mapping_page(request, import_run, form, extra)


@workspace_view
@require_POST
def import_start(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """Start the uploaded import with the chosen mapping: as a dry run, or for real."""
    import_run = _get(request, pk)
    ensure(request, Action.ADD, ObjectType.IMPORT)
    if import_run.status != Import.Status.UPLOADED:
        messages.info(request, "This import has already been started.")
        return redirect("import_detail", slug=request.workspace.slug, pk=import_run.pk)
    form, extra = _mapping_form(import_run, request.POST)
    if form.is_valid():
        try:
            services.import_start(
                actor=request.user,
                import_run=import_run,
                mapping=form.mapping(),
                on_match=form.cleaned_data["on_match"],
                all_or_nothing=form.cleaned_data["all_or_nothing"],
                dry_run=request.POST.get("action") == "dry_run",
            )
        except ValidationError as error:
            _mapping_errors(form, error)
        else:
            return redirect("import_detail", slug=request.workspace.slug, pk=import_run.pk)
    return _mapping_page(request, import_run, form, extra, status=400)


def _mapping_errors(form: MappingForm, error: ValidationError) -> None:
    """A service's `mapping.<column>` error goes next to that column's select; the rest above the form."""
    columns = {f"mapping.{header}": f"column_{index}" for index, header in enumerate(form.headers)}
    for key, messages_ in getattr(error, "message_dict", {"": error.messages}).items():
        form.add_error(columns.get(key), messages_)
    form.mark_invalid()


@workspace_view
@require_POST
def import_again(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """After a dry run (or a failed run): import the same file for real, or map its columns again."""
    source = _get(request, pk)
    ensure(request, Action.ADD, ObjectType.IMPORT)
    remap = request.POST.get("action") == "remap"
    try:
        import_run = services.import_again(actor=request.user, import_run=source, dry_run=False, start=not remap)
    except ValidationError as error:
        messages.error(request, f"The file could not be imported again: {error_text(error)}")
        return redirect("import_detail", slug=request.workspace.slug, pk=source.pk)
    return redirect("import_detail", slug=request.workspace.slug, pk=import_run.pk)


@workspace_view
@require_POST
def import_undo(request: WorkspaceRequest, pk: int) -> HttpResponse:
    import_run = _get(request, pk)
    ensure(request, Action.CHANGE, ObjectType.IMPORT)
    try:
        services.import_undo(actor=request.user, import_run=import_run)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, f"Import of {import_run.file_name} undone: what it created is in the bin, what it updated is as before.")
    return redirect("import_detail", slug=request.workspace.slug, pk=import_run.pk)


# --- Downloads ---------------------------------------------------------------------------------------


def _csv_download(lines: Any, filename: str) -> HttpResponse:
    # A streamed body: workspace_view's signature says HttpResponse, which Django's handlers treat alike.
    response: HttpResponse = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")  # type: ignore[assignment]
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@workspace_view
@require_GET
def import_log(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """Every row's outcome as CSV, cells a spreadsheet would run neutralized (the API's log, byte for byte)."""
    import_run = _get(request, pk)
    if import_run.status in UNFINISHED | {Import.Status.UPLOADED}:
        raise Http404("The log is ready once the import has run.")
    return _csv_download(selectors.import_log_lines(import_run=import_run), f"import-{import_run.pk}-log.csv")


@workspace_view
@require_GET
def import_error_report(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """Every bad field of every bad row (row, column, message) as CSV."""
    import_run = _get(request, pk)
    errors = selectors.import_errors(import_run=import_run).order_by("row", "id")
    rows = ([str(error.row), error.field, error.message] for error in errors.iterator(chunk_size=2000))
    return _csv_download(exports.csv_lines(["row", "column", "message"], rows), f"import-{import_run.pk}-errors.csv")
