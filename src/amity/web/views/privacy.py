"""Privacy in the web UI: a person's data to download, erasure with its confirmation, the erasures' list, consent proof.

The same services as the API's privacy endpoints: `export.subject_export` for the report, `erasure.erasure_request`
to start an erasure (carried out by the background task), the privacy selectors for the list.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from amity.core.permissions import Action, ObjectType
from amity.customers import selectors as customer_selectors
from amity.customers.privacy import erasure, export, selectors
from amity.web.views.base import WorkspaceRequest, ensure, keyset_page, render_page, workspace_view

ERASURE_PAGE_SIZE = 25
ERASE_PAGE = "web/privacy/erase.html"
REQUESTS_PAGE = "web/privacy/requests.html"


@workspace_view
@require_GET
def contact_personal_data(request: WorkspaceRequest, pk: int, file_format: str) -> HttpResponse:
    """Everything held about the person, as a file to hand them (JSON, HTML or PDF); written to the audit log."""
    if file_format not in export.FORMATS:
        raise Http404("No such format.")
    contact = customer_selectors.contact_get(actor=request.user, workspace=request.workspace, pk=pk, include_deleted=True)
    data = export.subject_export(actor=request.user, workspace=request.workspace, contact=contact)
    return export.report_file(data, file_format)


@workspace_view
@require_http_methods(["GET", "POST"])
def contact_erase(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """The erasure's confirmation: what goes and what stays; typing the name or ERASE starts it in the background."""
    ensure(request, Action.ADD, ObjectType.PRIVACY_REQUEST)
    contact = customer_selectors.contact_get(actor=request.user, workspace=request.workspace, pk=pk, include_deleted=True)
    error, status = "", 200
    if request.method == "POST":
        if erasure.confirmation_matches(contact, request.POST.get("confirmation", "")):
            try:
                started = erasure.erasure_request(actor=request.user, workspace=request.workspace, contact=contact)
            except ValidationError as refused:
                error = " ".join(refused.messages)
            else:
                return redirect(reverse("privacy_requests", args=[request.workspace.slug]) + f"?erasure={started.pk}")
        else:
            error = f"Type the person's name ({contact.first_name} {contact.last_name}) or {erasure.CONFIRMATION_WORD} to confirm."
        status = 422
    plan = erasure.erasure_plan(contact)
    context = {
        "contact": contact,
        "plan": {fate: [line for line in plan if line.fate == fate] for fate in ("removed", "pseudonymised", "kept")},
        "error": error,
        "typed": request.POST.get("confirmation", ""),
        "word": erasure.CONFIRMATION_WORD,
        "erased_name": " ".join(erasure.ERASED_NAME),
        "erased_text": erasure.ERASED,
    }
    return render_page(request, ERASE_PAGE, context, status=status)


@workspace_view
@require_GET
def privacy_requests(request: WorkspaceRequest) -> HttpResponse:
    """The workspace's erasures, newest first, with who asked and a live progress bar while one runs."""
    ensure(request, Action.VIEW, ObjectType.PRIVACY_REQUEST)
    erasures = selectors.erasure_list(actor=request.user, workspace=request.workspace)
    cursor = request.GET.get("cursor")
    page = keyset_page(erasures, ordering=("-created_at", "-id"), cursor=cursor, limit=ERASURE_PAGE_SIZE)
    highlight = request.GET.get("erasure", "")
    context = {"page": page, "highlight": int(highlight) if highlight.isdigit() else None}
    return render_page(request, REQUESTS_PAGE, context, partial="rows" if cursor else None)


@workspace_view
@require_GET
def erasure_row(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """One erasure's row as it stands now (polled by the list while the erasure runs)."""
    ensure(request, Action.VIEW, ObjectType.PRIVACY_REQUEST)
    found = selectors.erasure_get(actor=request.user, workspace=request.workspace, pk=pk)
    return render(request, f"{REQUESTS_PAGE}#row", {"erasure": found})


@workspace_view
@require_GET
def consent_proof(request: WorkspaceRequest, pk: int, event_pk: int) -> HttpResponse:
    """One entry of a contact's consent log with what proves it (the form submission as received, or a document's reference)."""
    ensure(request, Action.VIEW, ObjectType.CONTACT)
    contact = customer_selectors.contact_get(actor=request.user, workspace=request.workspace, pk=pk)
    event = customer_selectors.consent_event_get(contact=contact, pk=event_pk)
    context = {"contact": contact, "event": event, "proof": sorted((event.proof or {}).items())}
    return render_page(request, "web/privacy/consent_proof.html", context)
