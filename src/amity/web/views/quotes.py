"""The quote pages: the list, the builder (a draft's lines, prices, discounts and taxes), a quote's page with its PDF,
sending and versions, and the customer's page where they accept or decline without signing in.

They read through amity.sales.selectors and write through amity.sales.services, as the API does.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from amity.api.pagination import paginate
from amity.core.access import allowed
from amity.core.errors import FieldErrors
from amity.core.permissions import Action, ObjectType
from amity.customers import selectors as customer_selectors
from amity.sales import selectors, services
from amity.sales.documents import quote_pdf
from amity.sales.models import Quote
from amity.sales.tasks import quote_link
from amity.web.deal_forms import ProductPickForm
from amity.web.forms import error_text
from amity.web.views.base import WorkspaceRequest, ensure, render_page, workspace_view

PAGE_SIZE = 50
LINE_FIELDS = ("product_id", "name", "description", "quantity", "unit_price", "discount_percent", "tax_rate")


def _pdf_response(content: bytes, name: str, *, download: bool = False) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'{"attachment" if download else "inline"}; filename="{name}.pdf"'
    return response


# --- List -------------------------------------------------------------------------------------------------------------


@workspace_view
@require_GET
def quote_list(request: WorkspaceRequest) -> HttpResponse:
    """Every quote (latest versions unless asked), newest first, filtered by status, account or deal."""
    ensure(request, Action.VIEW, ObjectType.QUOTE)
    status = request.GET.get("status", "")
    status = status if status in Quote.Status.values else ""
    filters = selectors.QuoteFilter(
        status=status or None,
        account_id=_int(request.GET.get("account")) or None,
        opportunity_id=_int(request.GET.get("deal")) or None,
        latest=status != Quote.Status.SUPERSEDED,
    )
    quotes = selectors.quote_list(actor=request.user, workspace=request.workspace, filters=filters).prefetch_related(None)
    try:
        page = paginate(quotes, ordering=("-created_at", "-id"), cursor=request.GET.get("cursor") or None, limit=PAGE_SIZE)
    except ValidationError:
        page = paginate(quotes, ordering=("-created_at", "-id"), cursor=None, limit=PAGE_SIZE)
    query: dict[str, str] = {key: str(value) for key, value in request.GET.items() if key != "cursor"}
    context = {
        "quotes": page.items,
        "next_url": f"?{urlencode({**query, 'cursor': page.next_cursor})}" if page.next_cursor else "",
        "status": status,
        "statuses": Quote.Status.choices,
        "today": timezone.localdate(),
    }
    return render_page(request, "web/quotes/list.html", context, partial="rows" if request.GET.get("cursor") else None)


# --- Create and build -------------------------------------------------------------------------------------------------


@workspace_view
@require_POST
def quote_create_from_deal(request: WorkspaceRequest, deal_pk: int) -> HttpResponse:
    """ "Create quote" on a deal's page: a draft with a copy of the deal's lines, opened in the builder."""
    ensure(request, Action.ADD, ObjectType.QUOTE)
    deal = selectors.opportunity_get(actor=request.user, workspace=request.workspace, pk=deal_pk)
    try:
        quote = services.quote_create_from_opportunity(actor=request.user, opportunity=deal)
    except ValidationError as error:
        messages.error(request, error_text(error))
        return redirect("deal_detail", request.workspace.slug, deal.pk)
    messages.success(request, f"Quote {quote.label} started from the deal's lines.")
    return redirect("quote_edit", request.workspace.slug, quote.pk)


def _posted_lines(request: HttpRequest) -> list[dict[str, Any]]:
    """The builder's rows, in page order (every row posts the same field names)."""
    columns = {field: request.POST.getlist(f"line_{field}") for field in LINE_FIELDS}
    count = len(columns["name"])
    rows = []
    for index in range(count):
        row: dict[str, Any] = {field: (values[index] if index < len(values) else "").strip() for field, values in columns.items()}
        row["product_id"] = _int(row["product_id"]) or None
        row["quantity"] = row["quantity"] or "1"
        rows.append(row)
    return rows


def _posted_fields(request: HttpRequest, errors: FieldErrors) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": request.POST.get("title", ""),
        "terms": request.POST.get("terms", ""),
        "notes": request.POST.get("notes", ""),
        "contact_id": _int(request.POST.get("contact_id")) or None,
    }
    try:
        data["valid_until"] = dt.date.fromisoformat(request.POST.get("valid_until", ""))
    except ValueError:
        errors["valid_until"] = "Give a date such as 2026-12-31."
    terms = request.POST.get("payment_terms_days", "")
    if terms.isdigit():
        data["payment_terms_days"] = int(terms)
    else:
        errors["payment_terms_days"] = "Give the payment terms in days, e.g. 30."
    return data


@workspace_view
@require_http_methods(["GET", "POST"])
def quote_edit(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """The quote builder: a draft's details and lines, catalog products found as one types at the customer's prices, live totals."""
    ensure(request, Action.CHANGE, ObjectType.QUOTE)
    quote = selectors.quote_get(actor=request.user, workspace=request.workspace, pk=pk)
    if not quote.is_editable:
        messages.info(request, f"{quote.label} is {quote.get_status_display().lower()}; revise it to make changes.")
        return redirect("quote_detail", request.workspace.slug, quote.pk)
    errors = FieldErrors()
    lines: list[dict[str, Any]] = [_line_row(line) for line in quote.lines.all()]
    if request.method == "POST":
        data = _posted_fields(request, errors)
        lines = _posted_lines(request)
        data["lines"] = lines
        if not errors:
            try:
                services.quote_update(actor=request.user, quote=quote, data=data)
            except ValidationError as error:
                errors.add(error)
            else:
                messages.success(request, f"Quote {quote.label} saved.")
                if request.POST.get("then") == "send":
                    return redirect(f"{_detail_url(request, quote)}#send")
                return redirect("quote_detail", request.workspace.slug, quote.pk)
        quote.refresh_from_db()
        for field, value in data.items():
            if field != "lines" and hasattr(quote, field):
                setattr(quote, field, value)
    context = {
        "quote": quote,
        "lines": lines,
        "errors": dict(errors),
        "line_errors": _line_errors(errors, len(lines)),
        "product_form": ProductPickForm(prefix="add"),
        "contact_name": _contact_name(request, quote.contact_id),
        "contact_errors": [errors["contact_id"]] if "contact_id" in errors else [],
    }
    return render_page(request, "web/quotes/builder.html", context, status=422 if errors else 200)


def _detail_url(request: WorkspaceRequest, quote: Quote) -> str:
    from django.urls import reverse

    return reverse("quote_detail", args=[request.workspace.slug, quote.pk])


def _line_row(line: Any) -> dict[str, Any]:
    return {
        "product_id": line.product_id,
        "name": line.name,
        "sku": line.sku,
        "description": line.description,
        "quantity": line.quantity.normalize(),
        "unit_price": line.unit_price,
        "discount_percent": line.discount_percent.normalize(),
        "tax_rate": line.tax_rate.normalize(),
    }


def _line_errors(errors: FieldErrors, count: int) -> list[dict[str, str]]:
    """Per row, field → message, from the service's `lines.<index>.<field>` errors."""
    rows: list[dict[str, str]] = [{} for _ in range(count)]
    for key, message in errors.items():
        parts = key.split(".")
        if len(parts) == 3 and parts[0] == "lines" and parts[1].isdigit() and int(parts[1]) < count:
            rows[int(parts[1])][parts[2]] = message
    return rows


def _contact_name(request: WorkspaceRequest, contact_id: int | None) -> str:
    """The name of whom the quote is addressed to (or the person just chosen), for the picker's box; blank if not visible."""
    if not contact_id:
        return ""
    try:
        people = customer_selectors.contact_list(actor=request.user, workspace=request.workspace)
    except PermissionDenied:
        return ""
    contact = people.filter(pk=contact_id).only("first_name", "last_name").first()
    return str(contact) if contact else ""


# --- A quote's page ---------------------------------------------------------------------------------------------------


@workspace_view
@require_GET
def quote_detail(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """A quote: its lines and totals, the PDF preview, sending, its versions and what happened to it."""
    ensure(request, Action.VIEW, ObjectType.QUOTE)
    quote = selectors.quote_get(actor=request.user, workspace=request.workspace, pk=pk)
    order = getattr(quote, "sales_order", None) if quote.status == Quote.Status.ACCEPTED else None
    can_change = allowed(request.user, request.workspace, Action.CHANGE, ObjectType.QUOTE)
    context = {
        "quote": quote,
        "lines": list(quote.lines.all()),
        "versions": selectors.quote_versions(quote=quote),
        "events": selectors.quote_events(quote=quote),
        "order": order,
        "link": quote_link(quote) if quote.public_token else "",
        "can_change": can_change,
        "can_delete": allowed(request.user, request.workspace, Action.DELETE, ObjectType.QUOTE) and quote.is_editable,
        "won_stage": _won_stage(request, quote),
        "send_to": quote.sent_to or (quote.contact.primary_email if quote.contact and quote.contact.primary_email else ""),
        "today": timezone.localdate(),
    }
    return render_page(request, "web/quotes/detail.html", context)


def _won_stage(request: WorkspaceRequest, quote: Quote) -> Any:
    """The won stage of an accepted quote's still-open deal, for the "Mark deal won" button (None when there is nothing to do)."""
    deal = quote.opportunity
    if quote.status != Quote.Status.ACCEPTED or deal is None or deal.status != "open":
        return None
    if not allowed(request.user, request.workspace, Action.CHANGE, ObjectType.OPPORTUNITY):
        return None
    return deal.pipeline.stages.filter(kind="won").order_by("position", "id").first()


@workspace_view
@require_GET
def quote_pdf_view(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """The quote as its customer receives it."""
    ensure(request, Action.VIEW, ObjectType.QUOTE)
    quote = selectors.quote_get(actor=request.user, workspace=request.workspace, pk=pk)
    return _pdf_response(quote_pdf(quote), quote.label.replace(" ", "-"), download=request.GET.get("download") == "1")


@workspace_view
@require_POST
def quote_send(request: WorkspaceRequest, pk: int) -> HttpResponse:
    ensure(request, Action.CHANGE, ObjectType.QUOTE)
    quote = selectors.quote_get(actor=request.user, workspace=request.workspace, pk=pk)
    try:
        services.quote_send(actor=request.user, quote=quote, to=request.POST.get("to", ""), message=request.POST.get("message", ""))
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, f"Quote {quote.label} is on its way to {request.POST.get('to', '').strip()}.")
    return redirect("quote_detail", request.workspace.slug, quote.pk)


@workspace_view
@require_POST
def quote_revise(request: WorkspaceRequest, pk: int) -> HttpResponse:
    ensure(request, Action.CHANGE, ObjectType.QUOTE)
    quote = selectors.quote_get(actor=request.user, workspace=request.workspace, pk=pk)
    try:
        revision = services.quote_revise(actor=request.user, quote=quote)
    except ValidationError as error:
        messages.error(request, error_text(error))
        return redirect("quote_detail", request.workspace.slug, quote.pk)
    messages.success(request, f"Version {revision.version} started; version {quote.version} is superseded.")
    return redirect("quote_edit", request.workspace.slug, revision.pk)


@workspace_view
@require_POST
def quote_delete(request: WorkspaceRequest, pk: int) -> HttpResponse:
    ensure(request, Action.DELETE, ObjectType.QUOTE)
    quote = selectors.quote_get(actor=request.user, workspace=request.workspace, pk=pk)
    deal_id = quote.opportunity_id
    try:
        services.quote_delete(actor=request.user, quote=quote)
    except ValidationError as error:
        messages.error(request, error_text(error))
        return redirect("quote_detail", request.workspace.slug, quote.pk)
    messages.success(request, f"Draft {quote.label} thrown away.")
    return redirect("deal_detail", request.workspace.slug, deal_id) if deal_id else redirect("quote_list", request.workspace.slug)


# --- The customer's page ----------------------------------------------------------------------------------------------


def _public_quote(token: str) -> Quote:
    try:
        return services.quote_by_token(token=token)
    except Quote.DoesNotExist:
        raise Http404("No quote matches this link.") from None


@require_http_methods(["GET", "POST"])
def quote_public(request: HttpRequest, token: str) -> HttpResponse:
    """The customer's page of a sent quote: read it, download the PDF, accept it (typing their name) or decline it (saying why)."""
    quote = _public_quote(token)
    errors: dict[str, str] = {}
    if request.method == "POST":
        answer = request.POST.get("answer")
        try:
            if answer == "accept":
                services.quote_accept(token=token, name=request.POST.get("name", ""), ip=request.META.get("REMOTE_ADDR", ""))
            elif answer == "decline":
                services.quote_decline(token=token, reason=request.POST.get("reason", ""))
            else:
                errors["answer"] = "Choose to accept or decline the quote."
        except ValidationError as error:
            errors = {field: " ".join(texts) for field, texts in error.message_dict.items()}
        if not errors:
            return redirect("quote_public", token)
        quote = _public_quote(token)
    context = {
        "quote": quote,
        "workspace_name": quote.workspace.name,
        "lines": list(quote.lines.all()),
        "errors": errors,
        "posted": request.POST if request.method == "POST" else {},
        "expired": quote.status == Quote.Status.EXPIRED or (quote.status == Quote.Status.SENT and quote.is_past_validity()),
    }
    response = render(request, "web/quotes/public.html", context, status=422 if errors else 200)
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "same-origin"  # the link is the key: never sent to other sites
    return response


@require_GET
def quote_public_pdf(request: HttpRequest, token: str) -> HttpResponse:
    quote = _public_quote(token)
    return _pdf_response(quote_pdf(quote), quote.label.replace(" ", "-"))


def _int(value: str | None) -> int:
    return int(value) if value and value.isdigit() else 0
