"""Privacy in the web UI: a person's data to download, erasure with its confirmation, the erasures' list, consent proof,
and the retention rules with their preview and runs.

The same services as the API's privacy endpoints: `export.subject_export` for the report, `erasure.erasure_request`
to start an erasure (carried out by the background task), the privacy selectors for the list.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from amity.core.models import Workspace
from amity.core.permissions import Action, ObjectType
from amity.customers import selectors as customer_selectors
from amity.customers.models import Account, Contact, Erasure
from amity.customers.privacy import erasure, export, retention, selectors
from amity.web.customer_forms import apply_service_errors
from amity.web.privacy_forms import RetentionRuleForm
from amity.web.views.base import WorkspaceRequest, ensure, keyset_page, render_page, workspace_view

ERASURE_PAGE_SIZE = 25
ERASE_PAGE = "web/privacy/erase.html"
REQUESTS_PAGE = "web/privacy/requests.html"
RETENTION_PAGE = "web/privacy/retention.html"
RETENTION_RULE_PAGE = "web/privacy/retention_rule.html"
RECENT_RUNS = 20


def erasure_banner(workspace: Workspace, record: Account | Contact) -> Erasure | None:
    """The erasure the record page announces instead of "in the bin" (a contact erased on request), or None."""
    if not isinstance(record, Contact) or record.deleted_at is None:
        return None
    return selectors.erasure_of_contact(workspace=workspace, contact_id=record.pk)


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


# --- Retention rules ------------------------------------------------------------------------------------


@workspace_view
@require_http_methods(["GET", "POST"])
def retention_rules(request: WorkspaceRequest) -> HttpResponse:
    """The retention rules and their last runs; a new rule starts off, and opens on its preview."""
    ensure(request, Action.VIEW, ObjectType.RETENTION_RULE)
    actor, workspace = request.user, request.workspace
    form = RetentionRuleForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            rule = retention.retention_rule_create(actor=actor, workspace=workspace, data=form.service_data())
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            return redirect("retention_rule", workspace.slug, rule.pk)
    runs = selectors.retention_run_list(actor=actor, workspace=workspace).order_by("-created_at", "-id")[:RECENT_RUNS]
    context = {
        "rules": selectors.retention_rule_list(actor=actor, workspace=workspace).order_by("id"),
        "runs": runs,
        "form": form,
    }
    return render_page(request, RETENTION_PAGE, context, status=422 if form.errors else 200)


@workspace_view
@require_http_methods(["GET", "POST"])
def retention_rule(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """One rule with its preview (how many records would go now, and the first of them); switch it on or off, run it, remove it."""
    ensure(request, Action.VIEW, ObjectType.RETENTION_RULE)
    actor, workspace = request.user, request.workspace
    rule = selectors.retention_rule_get(actor=actor, workspace=workspace, pk=pk)
    if request.method == "POST":
        what = request.POST.get("do", "")
        if what == "delete":
            retention.retention_rule_delete(actor=actor, rule=rule)
            messages.success(request, "The rule is removed; its past runs stay listed.")
            return redirect("retention_rules", workspace.slug)
        if what == "run":
            retention.retention_run_request(actor=actor, rule=rule)
            messages.success(request, "The rule is being applied in the background.")
            return redirect("retention_rules", workspace.slug)
        if what in ("enable", "disable"):
            retention.retention_rule_update(actor=actor, rule=rule, data={"enabled": what == "enable"})
            return redirect("retention_rule", workspace.slug, rule.pk)
        raise Http404("No such action.")
    count, first = selectors.retention_preview(actor=actor, workspace=workspace, rule=rule)
    return render_page(request, RETENTION_RULE_PAGE, {"rule": rule, "count": count, "first": first})


@workspace_view
@require_GET
def retention_run_row(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """One run's row as it stands now (polled while it runs)."""
    ensure(request, Action.VIEW, ObjectType.RETENTION_RULE)
    run = selectors.retention_run_get(actor=request.user, workspace=request.workspace, pk=pk)
    return render(request, f"{RETENTION_PAGE}#run_row", {"run": run})
