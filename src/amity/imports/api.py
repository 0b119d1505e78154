"""The imports API: upload a CSV or XLSX file, preview its mapping, start, follow progress, read errors, download the log, undo."""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, StreamingHttpResponse
from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile

from amity.api.auth import actor_and_workspace
from amity.api.pagination import PageParams, page_of, paginate
from amity.imports import selectors, services
from amity.imports.schemas import ImportErrorOut, ImportOut, ImportPreviewOut, ImportStartIn

router = Router(tags=["imports"])


def _mapping(raw: str | None) -> dict[str, str] | None:
    if not raw:
        return None
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        value = None
    if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str | None) for k, v in value.items()):
        raise ValidationError({"mapping": 'Send a JSON object of column header to field, e.g. {"E-mail": "email"}.'})
    return {key: value or "" for key, value in value.items()}


@router.post("/imports", response={201: ImportOut}, summary="Upload a CSV or XLSX file and (unless start=false) import it")
def create_import(
    request: HttpRequest,
    file: File[UploadedFile],
    kind: Form[str],
    mapping: Form[str | None] = None,
    on_match: Form[str] = "skip",
    all_or_nothing: Form[bool] = False,
    dry_run: Form[bool] = False,
    start: Form[bool] = True,
) -> Any:
    actor, workspace = actor_and_workspace(request)
    services.check_upload_size(file)
    import_run = services.import_create(
        actor=actor,
        workspace=workspace,
        kind=kind,
        file=file,
        file_name=file.name or "import.csv",
        mapping=_mapping(mapping),
        on_match=on_match,
        all_or_nothing=all_or_nothing,
        dry_run=dry_run,
        start=start,
    )
    return Status(201, selectors.import_get(actor=actor, workspace=workspace, pk=import_run.pk))


@router.get("/imports", response=page_of(ImportOut))
def list_imports(request: HttpRequest, page: Query[PageParams]) -> Any:
    actor, workspace = actor_and_workspace(request)
    return paginate(
        selectors.import_list(actor=actor, workspace=workspace), ordering=("-created_at", "-id"), cursor=page.cursor, limit=page.limit
    )


@router.get("/imports/{import_id}", response=ImportOut, summary="An import with its progress (processed of total) and counts")
def get_import(request: HttpRequest, import_id: int) -> Any:
    actor, workspace = actor_and_workspace(request)
    return selectors.import_get(actor=actor, workspace=workspace, pk=import_id)


@router.get(
    "/imports/{import_id}/preview", response=ImportPreviewOut, summary="The file's columns, the suggested mapping and the first rows"
)
def preview_import(request: HttpRequest, import_id: int) -> Any:
    actor, workspace = actor_and_workspace(request)
    return services.preview(selectors.import_get(actor=actor, workspace=workspace, pk=import_id))


@router.post("/imports/{import_id}/start", response=ImportOut, summary="Start an import uploaded with start=false")
def start_import(request: HttpRequest, import_id: int, payload: ImportStartIn) -> Any:
    actor, workspace = actor_and_workspace(request)
    import_run = selectors.import_get(actor=actor, workspace=workspace, pk=import_id)
    services.import_start(actor=actor, import_run=import_run, **payload.model_dump())
    return selectors.import_get(actor=actor, workspace=workspace, pk=import_id)


@router.post("/imports/{import_id}/resume", response=ImportOut, summary="Go on with an import that an error stopped part-way")
def resume_import(request: HttpRequest, import_id: int) -> Any:
    actor, workspace = actor_and_workspace(request)
    import_run = selectors.import_get(actor=actor, workspace=workspace, pk=import_id)
    services.import_resume(actor=actor, import_run=import_run)
    return selectors.import_get(actor=actor, workspace=workspace, pk=import_id)


@router.get("/imports/{import_id}/errors", response=page_of(ImportErrorOut), summary="Every bad field of every bad row, by row")
def import_errors(request: HttpRequest, import_id: int, page: Query[PageParams]) -> Any:
    actor, workspace = actor_and_workspace(request)
    import_run = selectors.import_get(actor=actor, workspace=workspace, pk=import_id)
    return paginate(selectors.import_errors(import_run=import_run), ordering=("row", "id"), cursor=page.cursor, limit=page.limit)


@router.get("/imports/{import_id}/log", response={200: None}, summary="Every row's outcome as CSV")
def import_log(request: HttpRequest, import_id: int) -> Any:
    actor, workspace = actor_and_workspace(request)
    import_run = selectors.import_get(actor=actor, workspace=workspace, pk=import_id)
    response = StreamingHttpResponse(selectors.import_log_lines(import_run=import_run), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{import_run.pk}-log.csv"'
    return response


@router.post("/imports/{import_id}/undo", response=ImportOut, summary="Bin the records the import created and restore those it updated")
def undo_import(request: HttpRequest, import_id: int) -> Any:
    actor, workspace = actor_and_workspace(request)
    import_run = selectors.import_get(actor=actor, workspace=workspace, pk=import_id)
    services.import_undo(actor=actor, import_run=import_run)
    return selectors.import_get(actor=actor, workspace=workspace, pk=import_id)
