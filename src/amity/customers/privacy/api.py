"""The privacy API: a person's data as a report (JSON, HTML, PDF), and erasures with their progress."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Status

from amity.api.auth import actor_and_workspace
from amity.api.pagination import PageParams, page_of, paginate
from amity.customers import selectors as customer_selectors
from amity.customers.privacy import erasure, export, selectors
from amity.customers.privacy.schemas import ErasureIn, ErasureOut

router = Router()
TAGS = ["Privacy"]


@router.get("/contacts/{contact_id}/personal-data", response=dict[str, Any], tags=TAGS, summary="Everything held about one person")
def personal_data(request: HttpRequest, contact_id: int, format: Literal["json", "html", "pdf"] = "json") -> Any:
    """The data-subject access report: every record about the person, section by section, and the audit log's entries about them."""
    actor, workspace = actor_and_workspace(request)
    contact = customer_selectors.contact_get(actor=actor, workspace=workspace, pk=contact_id, include_deleted=True)
    data = export.subject_export(actor=actor, workspace=workspace, contact=contact)
    return data if format == "json" else export.report_file(data, format)


@router.get("/erasures", response=page_of(ErasureOut), tags=TAGS, summary="Erasures done and under way, newest first")
def list_erasures(request: HttpRequest, page: Query[PageParams]) -> Any:
    actor, workspace = actor_and_workspace(request)
    return paginate(
        selectors.erasure_list(actor=actor, workspace=workspace), ordering=("-created_at", "-id"), cursor=page.cursor, limit=page.limit
    )


@router.post("/erasures", response={202: ErasureOut}, tags=TAGS, summary="Erase a person's data everywhere, in the background")
def create_erasure(request: HttpRequest, payload: ErasureIn) -> Any:
    """Personal data is removed or pseudonymized in every record; what is kept is listed in the user guide. Cannot be undone."""
    actor, workspace = actor_and_workspace(request)
    contact = customer_selectors.contact_get(actor=actor, workspace=workspace, pk=payload.contact_id, include_deleted=True)
    return Status(202, erasure.erasure_request(actor=actor, workspace=workspace, contact=contact))


@router.get("/erasures/{erasure_id}", response=ErasureOut, tags=TAGS, summary="One erasure and its progress")
def get_erasure(request: HttpRequest, erasure_id: int) -> Any:
    actor, workspace = actor_and_workspace(request)
    return selectors.erasure_get(actor=actor, workspace=workspace, pk=erasure_id)
