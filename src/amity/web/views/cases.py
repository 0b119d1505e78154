"""The agent's workspace: the case queue (live), a case's page (conversation, reply and note, properties, the customer beside
it) and opening a case by hand. They read through amity.service.selectors and write through amity.service.services, as
the API does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Max
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from amity.api.pagination import paginate
from amity.core import selectors as core_selectors
from amity.core.access import allowed
from amity.core.models import User
from amity.core.permissions import Action, ObjectType
from amity.service import selectors, services, sla
from amity.service.attachments import download_response
from amity.service.kb import selectors as kb_selectors
from amity.service.kb import services as kb_services
from amity.service.kb.search import suggested_articles
from amity.service.models import Article, Case
from amity.service.panels import STATUS_TONES
from amity.service.surveys import SCORE_LABELS, case_survey
from amity.web import record_page
from amity.web.case_forms import CaseCreateForm, CasePropertiesForm
from amity.web.customer_forms import apply_service_errors
from amity.web.forms import error_text, errors_as_messages
from amity.web.views.base import WorkspaceRequest, ensure, render_page, workspace_view

PAGE_SIZE = 50
# The record page's panels that make no sense beside a case: its own list of cases (earlier cases has them),
# tasks (which point to the record page's quick logging) and accounts (the Customer card shows the account).
PANELS_NOT_BESIDE_A_CASE = {"cases", "tasks", "accounts"}
SORT_CHOICES = [("-updated_at", "Latest change"), ("priority", "Priority"), ("-created_at", "Newest"), ("created_at", "Oldest")]
PRIORITY_TONES = {"urgent": "red", "high": "orange", "normal": "secondary", "low": "secondary"}


@dataclass(frozen=True)
class QueueView:
    """One of the queue's tabs: its key, label, the filter it applies and its count."""

    key: str
    label: str
    filters: selectors.CaseFilter
    count: int = 0


def _people(request: WorkspaceRequest) -> list[User]:
    try:
        return list(core_selectors.member_people(actor=request.user, workspace=request.workspace))
    except PermissionDenied:
        return []


_NO_COUNTS: dict[str, Any] = {"by_queue": {}, "mine": 0, "unassigned": 0, "everything": 0}


def _views(request: WorkspaceRequest, *, counted: bool = True) -> list[QueueView]:
    """The queue's tabs, with their counts unless `counted` is off (the live poll needs the counts only when it redraws)."""
    counts = selectors.queue_counts(actor=request.user, workspace=request.workspace) if counted else _NO_COUNTS
    open_any = selectors.OPEN_ANY
    views = [
        QueueView("mine", "Mine", selectors.CaseFilter(status=open_any, assignee_id=request.user.pk), counts["mine"]),
        QueueView("unassigned", "Unassigned", selectors.CaseFilter(status=open_any, unassigned=True), counts["unassigned"]),
        QueueView("open", "All open", selectors.CaseFilter(status=open_any), counts["everything"]),
    ]
    for queue in selectors.queues(actor=request.user, workspace=request.workspace):
        views.append(
            QueueView(
                f"queue-{queue.pk}",
                queue.name,
                selectors.CaseFilter(status=open_any, queue_id=queue.pk),
                counts["by_queue"].get(queue.pk, 0),
            )
        )
    views.append(QueueView("resolved", "Resolved", selectors.CaseFilter(status=Case.Status.RESOLVED)))
    views.append(QueueView("closed", "Closed", selectors.CaseFilter(status=Case.Status.CLOSED)))
    return views


def _chosen(request: WorkspaceRequest, views: list[QueueView]) -> QueueView:
    wanted = request.GET.get("view") or "open"
    return next((view for view in views if view.key == wanted), views[2])


def _sort(request: WorkspaceRequest) -> str:
    sort = request.GET.get("sort") or "-updated_at"
    return sort if sort in selectors.CASE_SORTS else "-updated_at"


def _rows(request: WorkspaceRequest, view: QueueView) -> tuple[list[Case], str]:
    cases = selectors.case_list(actor=request.user, workspace=request.workspace, filters=view.filters)
    ordering = selectors.CASE_SORTS[_sort(request)]
    try:
        page = paginate(cases, ordering=ordering, cursor=request.GET.get("cursor") or None, limit=PAGE_SIZE)
    except ValidationError:
        page = paginate(cases, ordering=ordering, cursor=None, limit=PAGE_SIZE)
    for case in page.items:
        _decorate(case)
    query = {"view": view.key, "sort": _sort(request)}
    return page.items, f"?{urlencode({**query, 'cursor': page.next_cursor})}" if page.next_cursor else ""


def _decorate(case: Case) -> Case:
    case.status_tone = STATUS_TONES.get(str(case.status), "secondary")  # type: ignore[attr-defined]
    case.priority_tone = PRIORITY_TONES.get(case.priority, "secondary")  # type: ignore[attr-defined]
    return case


def _stamp(request: WorkspaceRequest, view: QueueView) -> str:
    """What changes whenever a case of the view arrives or changes: its count and latest change (one query)."""
    cases = selectors.case_list(actor=request.user, workspace=request.workspace, filters=view.filters).select_related(None)
    summary = cases.order_by().aggregate(count=Count("pk"), latest=Max("updated_at"))
    return f"{summary['count']}-{summary['latest'].timestamp() if summary['latest'] else 0}"


def _queue_context(request: WorkspaceRequest, views: list[QueueView], view: QueueView, stamp: str) -> dict[str, Any]:
    cases, next_url = _rows(request, view)
    return {
        "views": views,
        "view": view,
        "cases": cases,
        "next_url": next_url,
        "sort": _sort(request),
        "sorts": SORT_CHOICES,
        "stamp": stamp,
        "can_add": allowed(request.user, request.workspace, Action.ADD, ObjectType.CASE),
    }


@workspace_view
@require_GET
def case_queue(request: WorkspaceRequest) -> HttpResponse:
    """The queue: tabs for mine, unassigned, every open case and each queue, 50 cases at a time, updated live."""
    ensure(request, Action.VIEW, ObjectType.CASE)
    views = _views(request)
    view = _chosen(request, views)
    context = _queue_context(request, views, view, _stamp(request, view))
    return render_page(request, "web/cases/queue.html", context, partial="rows" if request.GET.get("cursor") else None)


@workspace_view
@require_GET
def case_queue_live(request: WorkspaceRequest) -> HttpResponse:
    """The queue's first page again when something changed since `stamp` (polled every few seconds); 204 when nothing did."""
    ensure(request, Action.VIEW, ObjectType.CASE)
    stamp = _stamp(request, _chosen(request, _views(request, counted=False)))
    if stamp == request.GET.get("stamp"):
        return HttpResponse(status=204)
    views = _views(request)
    view = _chosen(request, views)
    return render_page(request, "web/cases/queue.html", _queue_context(request, views, view, stamp), partial="live")


# --- Opening a case by hand -------------------------------------------------------------------------------------


def _form_choices(request: WorkspaceRequest) -> dict[str, Any]:
    return {
        "kinds": list(selectors.case_kinds(actor=request.user, workspace=request.workspace, active_only=True)),
        "queues": list(selectors.queues(actor=request.user, workspace=request.workspace)),
        "people": _people(request),
    }


@workspace_view
@require_http_methods(["GET", "POST"])
def case_create(request: WorkspaceRequest) -> HttpResponse:
    """Open a case for a customer who called, wrote a letter or walked in; their email finds their contact."""
    ensure(request, Action.ADD, ObjectType.CASE)
    posted = request.POST if request.method == "POST" else None
    form = CaseCreateForm(posted, initial={"customer_email": request.GET.get("email", "")}, **_form_choices(request))
    if posted is not None and form.is_valid():
        data = form.cleaned_data
        contact = selectors.contact_by_email(workspace=request.workspace, email=data["customer_email"])
        fields = {
            "subject": data["subject"],
            "kind": data["kind"],
            "priority": data["priority"],
            "channel": data["channel"],
            "description": data["description"],
            "queue_id": int(data["queue_id"]),
            "assignee_id": int(data["assignee_id"]) if data["assignee_id"] else None,
            "contact_id": contact.pk if contact else None,
            "requester_email": data["customer_email"] if contact is None else "",
        }
        try:
            case = services.case_open(actor=request.user, workspace=request.workspace, data=fields)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            found = f" for {contact.full_name}" if contact else ""
            messages.success(request, f"Case {case.number} opened{found}.")
            return redirect("case_detail", request.workspace.slug, case.pk)
    return render_page(request, "web/cases/form.html", {"form": form}, status=422 if form.errors else 200)


# --- A case's page -----------------------------------------------------------------------------------------------


def _detail_context(request: WorkspaceRequest, case: Case, *, form: CasePropertiesForm | None = None) -> dict[str, Any]:
    _decorate(case)
    choices = _form_choices(request)
    conversation = selectors.case_messages(case=case)
    customer = case.contact or case.account
    kind = "contact" if case.contact_id else "account"
    panels = []
    if customer is not None:
        panels = [
            shown
            for shown in record_page.shown_panels(kind, actor=request.user, workspace=request.workspace, record=customer)
            if shown.panel.key != "cases"
        ]
    earlier = [_decorate(other) for other in selectors.customer_cases(actor=request.user, workspace=request.workspace, case=case)]
    can_change = allowed(request.user, request.workspace, Action.CHANGE, ObjectType.CASE)
    return {
        "case": case,
        "conversation": conversation,
        "form": form or CasePropertiesForm(initial=CasePropertiesForm.initial_for(case), **choices),
        "can_change": can_change and not case.merged_into_id,
        "recipient": services.reply_recipient(case),
        "earlier": earlier,
        "panels": panels,
        "customer_kind": kind,
        "timers": sla.timers(case, timezone.now()),
        "macros": list(selectors.macros(actor=request.user, workspace=request.workspace)) if can_change else [],
        "kind_instructions": case.kind.instructions.replace("{rma}", case.rma_number or "") if case.kind.is_return else "",
        **_articles(request, case, can_change=can_change and not case.merged_into_id),
        **_survey(request, case),
    }


def _survey(request: WorkspaceRequest, case: Case) -> dict[str, Any]:
    """The satisfaction survey sent about the case, if one went out, and the words for its score."""
    survey = case_survey(actor=request.user, workspace=request.workspace, case=case)
    return {"survey": survey, "survey_label": SCORE_LABELS.get(survey.score or 0, "") if survey else ""}


def _reply_text(request: WorkspaceRequest, article: Article) -> str:
    """The plain text "Insert" puts into the reply: only a public article, with its portal link; an internal one is for agents."""
    if article.visibility != Article.Visibility.PUBLIC or article.published_version is None:
        return ""
    link = request.build_absolute_uri(reverse("portal_article", args=[request.workspace.slug, article.slug]))
    return kb_services.article_reply_text(article, public_url=link)


def _articles(request: WorkspaceRequest, case: Case, *, can_change: bool) -> dict[str, Any]:
    """The "Articles" card: those linked to the case, and the knowledge base's best others for it (for agents who answer)."""
    linked = kb_selectors.case_articles(case=case)
    suggested: list[Article] = []
    if can_change:
        linked_ids = {article.pk for article in linked}
        suggested = [article for article in suggested_articles(case) if article.pk not in linked_ids]
    return {
        "linked_articles": [(article, _reply_text(request, article)) for article in linked],
        "suggested": [(article, _reply_text(request, article)) for article in suggested],
        "can_link": can_change,
    }


@workspace_view
@require_GET
def case_detail(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """A case: the conversation with reply and note, its properties, and the customer's record beside it."""
    case = selectors.case_get(actor=request.user, workspace=request.workspace, pk=pk)
    return render_page(request, "web/cases/detail.html", _detail_context(request, case))


def _conversation_response(
    request: WorkspaceRequest, case: Case, *, status: int = 200, error: str = "", body: str = "", mode: str = "reply"
) -> HttpResponse:
    case = selectors.case_get(actor=request.user, workspace=request.workspace, pk=case.pk)
    context = {**_detail_context(request, case), "composer_error": error, "composer_body": body, "composer_mode": mode}
    return render_page(request, "web/cases/detail.html", context, partial="conversation_swap", status=status)


def _articles_card(request: WorkspaceRequest, case: Case, *, status: int = 200) -> HttpResponse:
    """The Articles card again for htmx (with the message); the case's page for a plain form post."""
    if not getattr(request, "htmx", False):
        return redirect("case_detail", request.workspace.slug, case.pk)
    context = {"case": case, **_articles(request, case, can_change=True)}
    return render_page(request, "web/cases/detail.html", context, partial="articles_swap", status=status)


@workspace_view
@require_POST
def case_article_link(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """Link a published article to the case: it answered the case (the card comes back with it among the linked ones)."""
    case = selectors.case_get(actor=request.user, workspace=request.workspace, pk=pk)
    article_id = request.POST.get("article_id", "")
    article = kb_selectors.article_get(actor=request.user, workspace=request.workspace, pk=int(article_id) if article_id.isdigit() else 0)
    try:
        kb_services.case_article_link(actor=request.user, case=case, article=article)
    except ValidationError as error:
        messages.error(request, error_text(error))
        return _articles_card(request, case, status=422)
    messages.success(request, f"“{article.title}” linked to the case.")
    return _articles_card(request, case)


@workspace_view
@require_POST
def case_article_unlink(request: WorkspaceRequest, pk: int, article_pk: int) -> HttpResponse:
    """Remove the link between the case and an article."""
    case = selectors.case_get(actor=request.user, workspace=request.workspace, pk=pk)
    article = kb_selectors.article_get(actor=request.user, workspace=request.workspace, pk=article_pk)
    kb_services.case_article_unlink(actor=request.user, case=case, article=article)
    messages.success(request, "Article unlinked.")
    return _articles_card(request, case)


@workspace_view
@require_GET
def case_attachment(request: WorkspaceRequest, pk: int, attachment_pk: int) -> HttpResponse:
    """A file that came with one of the case's messages (by email or from the portal), as a download."""
    case = selectors.case_get(actor=request.user, workspace=request.workspace, pk=pk)
    return download_response(selectors.case_attachment_get(case=case, pk=attachment_pk))


@workspace_view
@require_POST
def case_reply(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """Send a reply to the customer by email; the case waits on them unless another status is chosen."""
    case = selectors.case_get(actor=request.user, workspace=request.workspace, pk=pk)
    body = request.POST.get("body", "")
    status = request.POST.get("status") or None
    try:
        services.case_reply(actor=request.user, case=case, body=body, status=status)
    except ValidationError as error:
        return _conversation_response(request, case, status=422, error=error_text(error), body=body)
    messages.success(request, f"Reply sent to {services.reply_recipient(case)}.")
    return _conversation_response(request, case)


@workspace_view
@require_POST
def case_note(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """Add an internal note (the customer never sees it); @mentions notify colleagues."""
    case = selectors.case_get(actor=request.user, workspace=request.workspace, pk=pk)
    body = request.POST.get("body", "")
    try:
        services.case_note(actor=request.user, case=case, body=body)
    except ValidationError as error:
        return _conversation_response(request, case, status=422, error=error_text(error), body=body, mode="note")
    messages.success(request, "Note added.")
    return _conversation_response(request, case, mode="note")


@workspace_view
@require_POST
def case_properties(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """Save the case's status, priority, kind, queue and assignee together."""
    case = selectors.case_get(actor=request.user, workspace=request.workspace, pk=pk)
    form = CasePropertiesForm(request.POST, **_form_choices(request))
    status = 200
    if form.is_valid():
        try:
            services.case_set_properties(actor=request.user, case=case, data=form.changes(), status=form.cleaned_data["status"])
        except ValidationError as error:
            apply_service_errors(form, error)
            status = 422
        else:
            messages.success(request, "Case saved.")
            case = selectors.case_get(actor=request.user, workspace=request.workspace, pk=pk)
            form = CasePropertiesForm(initial=CasePropertiesForm.initial_for(case), **_form_choices(request))
    else:
        status = 422
    return render_page(
        request, "web/cases/detail.html", _detail_context(request, case, form=form), partial="properties_swap", status=status
    )


@workspace_view
@require_POST
def case_macro(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """Apply one of the workspace's macros to the case (its changes, reply or note, and status at once)."""
    case = selectors.case_get(actor=request.user, workspace=request.workspace, pk=pk)
    macro_id = request.POST.get("macro_id", "")
    macro = selectors.macro_get(actor=request.user, workspace=request.workspace, pk=int(macro_id) if macro_id.isdigit() else 0)
    with errors_as_messages(request):
        services.macro_apply(actor=request.user, macro=macro, case=case)
        messages.success(request, f"“{macro.name}” applied.")
    return redirect("case_detail", request.workspace.slug, pk)


@workspace_view
@require_POST
def case_merge(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """Merge this case into another, named by its number; the page of the case that stays opens."""
    duplicate = selectors.case_get(actor=request.user, workspace=request.workspace, pk=pk)
    number = request.POST.get("into_number", "").strip().upper()
    into = (
        selectors.case_list(actor=request.user, workspace=request.workspace, filters=selectors.CaseFilter(number=number)).first()
        if number
        else None
    )
    if into is None:
        messages.error(request, f"No case {number or '(no number given)'} to merge into.")
        return redirect("case_detail", request.workspace.slug, pk)
    try:
        services.case_merge(actor=request.user, duplicate=duplicate, into=into)
    except ValidationError as error:
        messages.error(request, error_text(error))
        return redirect("case_detail", request.workspace.slug, pk)
    messages.success(request, f"{duplicate.number} merged into {into.number}.")
    return redirect("case_detail", request.workspace.slug, into.pk)
