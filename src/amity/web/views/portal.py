"""The customers' portal at /portal/<workspace>/: a contact's own orders, invoices, cases, returns and details.

A portal sign-in lives under its own session key (one per workspace) and never logs a staff user in;
a staff login gives no portal access either. Every page shows what `selectors.whose` lets the contact see (their
own, and their account's for an account admin): anything else is a 404.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from amity.core.models import Workspace
from amity.customers.models import Channel, ConsentEvent
from amity.orders.documents import invoice_pdf
from amity.service.attachments import download_response
from amity.service.kb.search import public_article, search_articles
from amity.service.portal import selectors, services
from amity.service.portal.models import PortalAccess
from amity.web.views.base import user_time_zone

CONSENT_CHANNELS = (Channel.EMAIL, Channel.SMS, Channel.PHONE, Channel.POST)
ATTACHMENT_LIMITS = f"Up to {services.MAX_ATTACHMENTS} files, {services.MAX_ATTACHMENT_MB} MB each."


def session_key(workspace: Workspace) -> str:
    """Where a web session keeps who is signed in to this workspace's portal (never the staff login's key)."""
    return f"portal_access:{workspace.pk}"


def _errors(error: ValidationError) -> dict[str, str]:
    return {field: " ".join(texts) for field, texts in error.message_dict.items()}


def _workspace(slug: str) -> Workspace:
    workspace = selectors.workspace_by_slug(slug)
    if workspace is None:
        raise Http404("No such portal.")
    return workspace


def _page(
    request: HttpRequest,
    workspace: Workspace,
    template: str,
    context: dict[str, Any],
    *,
    access: PortalAccess | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {"workspace": workspace, "brand": selectors.branding(workspace), "access": access, **context}
    return render(request, f"portal/{template}", context, status=status)


def portal_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Resolve the workspace by its slug and the signed-in contact; anyone else goes to the sign-in page."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, slug: str, *args: Any, **kwargs: Any) -> HttpResponse:
        workspace = _workspace(slug)
        access_id = request.session.get(session_key(workspace))
        access = selectors.access_get(workspace=workspace, pk=access_id) if access_id else None
        if access is None:
            request.session.pop(session_key(workspace), None)
            return redirect("portal_sign_in", slug=workspace.slug)
        with timezone.override(user_time_zone(access.contact)):  # the contact's own zone when we know it
            return view(request, workspace, access, *args, **kwargs)

    return wrapper


def portal_brand_css(request: HttpRequest, slug: str) -> HttpResponse:
    """The workspace's colour as a stylesheet (the content security policy allows no inline styles)."""
    colour = selectors.branding(_workspace(slug)).colour
    if not re.fullmatch(r"#[0-9a-fA-F]{6}", colour):
        colour = "#206bc4"
    red, green, blue = (int(colour[index : index + 2], 16) for index in (1, 3, 5))
    css = f":root, .amity-portal {{ --tblr-primary: {colour}; --tblr-primary-rgb: {red}, {green}, {blue}; --amity-brand: {colour}; }}\n"
    response = HttpResponse(css, content_type="text/css")
    response["Cache-Control"] = "max-age=300"
    return response


# --- Signing in and out ------------------------------------------------------------------------------------------------


def portal_sign_in(request: HttpRequest, slug: str) -> HttpResponse:
    """Ask for a sign-in link by email: the answer is the same whether or not we know the address."""
    workspace = _workspace(slug)
    if request.method == "POST":
        email = request.POST.get("email", "")
        try:
            services.portal_request_link(workspace=workspace, email=email)
        except ValidationError as error:
            return _page(request, workspace, "sign_in.html", {"errors": _errors(error), "email": email}, status=422)
        return _page(request, workspace, "sign_in_sent.html", {})
    return _page(request, workspace, "sign_in.html", {"errors": {}, "email": ""})


def portal_sign_in_link(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    """The emailed link: a button spends it (mail scanners that open links do not sign anyone in)."""
    workspace = _workspace(slug)
    if request.method == "POST":
        try:
            access = services.portal_link_use(workspace=workspace, token=token)
        except ValidationError as error:
            return _page(request, workspace, "sign_in.html", {"errors": _errors(error), "email": ""}, status=410)
        request.session.cycle_key()  # a new session id on sign-in: no fixation
        request.session[session_key(workspace)] = access.pk
        return redirect("portal_home", slug=workspace.slug)
    return _page(request, workspace, "sign_in_link.html", {"token": token})


@require_POST
def portal_sign_out(request: HttpRequest, slug: str) -> HttpResponse:
    """Leave the portal; a staff sign-in in the same browser stays as it was."""
    workspace = _workspace(slug)
    request.session.pop(session_key(workspace), None)
    return redirect("portal_sign_in", slug=workspace.slug)


# --- Pages -------------------------------------------------------------------------------------------------------------


@portal_view
def portal_home(request: HttpRequest, workspace: Workspace, access: PortalAccess) -> HttpResponse:
    """What is going on: open cases, recent orders and unpaid invoices."""
    context = {
        "cases": list(selectors.cases(access)[:5]),
        "orders": list(selectors.orders(access)[:5]),
        "invoices": list(selectors.invoices(access)[:5]),
    }
    return _page(request, workspace, "home.html", context, access=access)


@portal_view
def portal_orders(request: HttpRequest, workspace: Workspace, access: PortalAccess) -> HttpResponse:
    return _page(request, workspace, "orders.html", {"orders": list(selectors.orders(access)[:200])}, access=access)


@portal_view
def portal_order(request: HttpRequest, workspace: Workspace, access: PortalAccess, pk: int) -> HttpResponse:
    order = selectors.order_get(access, pk)
    lines = [(line, services.quantity_returnable(line)) for line in order.lines.all()]
    context = {"order": order, "lines": lines, "returns": list(selectors.returns(access).filter(order_line__order=order))}
    return _page(request, workspace, "order.html", context, access=access)


@portal_view
def portal_return(request: HttpRequest, workspace: Workspace, access: PortalAccess, pk: int, line_pk: int) -> HttpResponse:
    """Request the return of some of an order line; the new return case shows its RMA number and instructions."""
    order = selectors.order_get(access, pk)
    line = selectors.order_line_get(access, order, line_pk)
    left = services.quantity_returnable(line)
    posted: dict[str, str] = {"quantity": "1", "reason": ""}
    errors: dict[str, str] = {}
    if request.method == "POST":
        posted = {"quantity": request.POST.get("quantity", ""), "reason": request.POST.get("reason", "")}
        try:
            created = services.return_request_create(
                workspace=workspace, order_line=line, quantity=posted["quantity"], reason=posted["reason"], access=access
            )
        except ValidationError as error:
            errors = _errors(error)
        else:
            return redirect("portal_case", slug=workspace.slug, pk=created.case_id)
    context = {"order": order, "line": line, "left": left, "posted": posted, "errors": errors}
    return _page(request, workspace, "return.html", context, access=access, status=422 if errors else 200)


@portal_view
def portal_invoices(request: HttpRequest, workspace: Workspace, access: PortalAccess) -> HttpResponse:
    context = {"invoices": list(selectors.invoices(access)[:200]), "payments": list(selectors.payments(access)[:200])}
    return _page(request, workspace, "invoices.html", context, access=access)


@portal_view
def portal_invoice_pdf(request: HttpRequest, workspace: Workspace, access: PortalAccess, pk: int) -> HttpResponse:
    invoice = selectors.invoice_get(access, pk)
    response = HttpResponse(invoice_pdf(invoice), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{invoice.number}.pdf"'
    return response


def _signed_in(request: HttpRequest, workspace: Workspace) -> PortalAccess | None:
    access_id = request.session.get(session_key(workspace))
    return selectors.access_get(workspace=workspace, pk=access_id) if access_id else None


@require_GET
def portal_help(request: HttpRequest, slug: str) -> HttpResponse:
    """The public help articles, searched; open to anyone, as the articles are public."""
    workspace = _workspace(slug)
    query = request.GET.get("q", "").strip()[:200]
    found = search_articles(workspace, query, public_only=True, limit=30)
    return _page(request, workspace, "help.html", {"articles": found, "query": query}, access=_signed_in(request, workspace))


@require_GET
def portal_article(request: HttpRequest, slug: str, article_slug: str) -> HttpResponse:
    workspace = _workspace(slug)
    article = public_article(workspace, article_slug)
    return _page(request, workspace, "article.html", {"article": article}, access=_signed_in(request, workspace))


@portal_view
def portal_cases(request: HttpRequest, workspace: Workspace, access: PortalAccess) -> HttpResponse:
    return _page(request, workspace, "cases.html", {"cases": list(selectors.cases(access)[:200])}, access=access)


@portal_view
def portal_case_new(request: HttpRequest, workspace: Workspace, access: PortalAccess) -> HttpResponse:
    posted = {"kind": request.GET.get("kind", ""), "subject": "", "description": "", "order_id": request.GET.get("order", "")}
    errors: dict[str, str] = {}
    if request.method == "POST":
        posted = {field: request.POST.get(field, "") for field in posted}
        try:
            case = services.portal_case_open(access=access, data=posted, attachments=request.FILES.getlist("attachments"))
        except ValidationError as error:
            errors = _errors(error)
        else:
            return redirect("portal_case", slug=workspace.slug, pk=case.pk)
    services.service_setup(workspace=workspace)
    context = {
        "kinds": list(selectors.case_kinds(workspace)),
        "orders": list(selectors.orders(access)[:100]),
        "posted": posted,
        "errors": errors,
        "limits": ATTACHMENT_LIMITS,
    }
    return _page(request, workspace, "case_new.html", context, access=access, status=422 if errors else 200)


@portal_view
def portal_case(request: HttpRequest, workspace: Workspace, access: PortalAccess, pk: int) -> HttpResponse:
    """A case's public conversation (never an internal note) and a box to answer."""
    case = selectors.case_get(access, pk)
    errors: dict[str, str] = {}
    body = ""
    if request.method == "POST":
        body = request.POST.get("body", "")
        try:
            services.portal_case_reply(access=access, case=case, body=body, attachments=request.FILES.getlist("attachments"))
        except ValidationError as error:
            errors = _errors(error)
        else:
            return redirect("portal_case", slug=workspace.slug, pk=case.pk)
    return_request = getattr(case, "return_request", None) if case.kind.is_return else None
    context = {
        "case": case,
        "mine": case.contact_id == access.contact_id,
        "messages_": list(selectors.public_messages(case)),
        "errors": errors,
        "body": body,
        "limits": ATTACHMENT_LIMITS,
        "return_request": return_request,
        "instructions": services.return_instructions(case),
    }
    return _page(request, workspace, "case.html", context, access=access, status=422 if errors else 200)


@require_GET
@portal_view
def portal_attachment(request: HttpRequest, workspace: Workspace, access: PortalAccess, pk: int) -> HttpResponse:
    """A file of a message the contact may read; an internal note's, or another customer's, is a 404."""
    return download_response(selectors.attachment_get(access, pk))


@portal_view
def portal_profile(request: HttpRequest, workspace: Workspace, access: PortalAccess) -> HttpResponse:
    """The contact's name, title and phone, and which channels we may use for news and offers."""
    contact = access.contact
    posted = {"first_name": contact.first_name, "last_name": contact.last_name, "title": contact.title, "phone": contact.primary_phone}
    errors: dict[str, str] = {}
    if request.method == "POST" and request.POST.get("form") == "consent":
        current = selectors.marketing_consents(access)
        for channel in CONSENT_CHANNELS:
            wanted = ConsentEvent.Status.GRANTED if request.POST.get(f"consent_{channel}") else ConsentEvent.Status.WITHDRAWN
            if current.get(channel, ConsentEvent.Status.WITHDRAWN) != wanted:
                services.portal_consent_set(access=access, channel=channel, status=wanted)
        return redirect(f"{request.path}?saved=consent")
    if request.method == "POST":
        posted = {field: request.POST.get(field, "") for field in posted}
        try:
            services.portal_profile_update(access=access, data=posted)
        except ValidationError as error:
            errors = _errors(error)
        else:
            return redirect(f"{request.path}?saved=profile")
    saved = request.GET.get("saved", "")
    consents = selectors.marketing_consents(access)
    channels = [(channel.value, channel.label, consents.get(channel) == ConsentEvent.Status.GRANTED) for channel in CONSENT_CHANNELS]
    context = {"posted": posted, "errors": errors, "saved": saved, "channels": channels}
    return _page(request, workspace, "profile.html", context, access=access, status=422 if errors else 200)
