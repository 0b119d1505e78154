"""Staff's side of the customers' portal: Settings → Customer portal (its colour, address and users), and inviting a
contact from their page. Every change goes through amity.service.portal.services, as the API's does."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods, require_POST

from amity.core.permissions import Action, ObjectType
from amity.customers import selectors as customer_selectors
from amity.customers.models import Contact
from amity.service.portal import selectors, services
from amity.service.portal.models import PortalAccess
from amity.web.customer_forms import apply_service_errors
from amity.web.service_forms import PortalBrandingForm
from amity.web.views.base import WorkspaceRequest, ensure, keyset_page, render_page, workspace_view

USERS_PAGE_SIZE = 50
STATUS_TABS = [("", "All"), *PortalAccess.Status.choices]


def _said(error: ValidationError) -> str:
    return " ".join(" ".join(texts) for texts in error.message_dict.values())


@workspace_view
@require_http_methods(["GET", "POST"])
def settings_portal(request: WorkspaceRequest) -> HttpResponse:
    """The portal's colour with a preview, its address to give customers, and who may sign in to it."""
    ensure(request, Action.CHANGE, ObjectType.QUEUE)
    workspace = request.workspace
    form = PortalBrandingForm(request.POST or None, initial={"colour": selectors.branding(workspace).colour})
    if request.method == "POST" and form.is_valid():
        try:
            services.portal_branding_save(actor=request.user, workspace=workspace, colour=form.cleaned_data["colour"])
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "The portal's colour is saved.")
            return redirect("settings_portal", workspace.slug)
    status = request.GET.get("status", "")
    status = status if status in PortalAccess.Status.values else ""
    users = selectors.staff_accesses(actor=request.user, workspace=workspace, status=status or None)
    context = {
        "form": form,
        "portal_url": services.portal_url(workspace),
        "page": keyset_page(users, ordering=("-invited_at", "-id"), cursor=request.GET.get("cursor"), limit=USERS_PAGE_SIZE),
        "status": status,
        "status_tabs": STATUS_TABS,
    }
    http_status = 422 if request.method == "POST" else 200
    return render_page(
        request, "web/settings/portal.html", context, partial="rows" if request.GET.get("cursor") else None, status=http_status
    )


@workspace_view
@require_POST
def settings_portal_user_disable(request: WorkspaceRequest, pk: int) -> HttpResponse:
    access = selectors.staff_access_get(actor=request.user, workspace=request.workspace, pk=pk)
    services.portal_disable(actor=request.user, access=access)
    messages.success(request, f"{access.contact.full_name} can no longer sign in to the portal.")
    return redirect("settings_portal", request.workspace.slug)


@workspace_view
@require_POST
def settings_portal_user_account_admin(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """Make a portal user the admin of one of their contact's accounts, or a plain user again (no account chosen)."""
    access = selectors.staff_access_get(actor=request.user, workspace=request.workspace, pk=pk)
    chosen = request.POST.get("account_id", "")
    try:
        if chosen and not chosen.isdigit():
            raise ValidationError({"account_id": "Choose one of the contact's accounts."})
        services.portal_account_admin_set(actor=request.user, access=access, account_id=int(chosen) if chosen else None)
    except ValidationError as error:
        messages.error(request, _said(error))
    else:
        access = selectors.staff_access_get(actor=request.user, workspace=request.workspace, pk=pk)
        name = access.contact.full_name
        if access.admin_account_id is not None:
            account = access.admin_membership.account.name  # type: ignore[union-attr]
            messages.success(request, f"{name} now sees all of {account}'s cases, orders and invoices in the portal.")
        else:
            messages.success(request, f"{name} now sees only their own cases, orders and invoices in the portal.")
    return redirect("settings_portal", request.workspace.slug)


@workspace_view
@require_POST
def settings_portal_user_invite(request: WorkspaceRequest, pk: int) -> HttpResponse:
    access = selectors.staff_access_get(actor=request.user, workspace=request.workspace, pk=pk)
    _invite(request, access.contact)
    return redirect("settings_portal", request.workspace.slug)


@workspace_view
@require_POST
def portal_invite(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """An agent invites the contact to the portal from the contact's page; the invitation is emailed."""
    contact = customer_selectors.contact_get(actor=request.user, workspace=request.workspace, pk=pk)
    _invite(request, contact)
    return redirect("contact_detail", slug=request.workspace.slug, pk=contact.pk)


def _invite(request: WorkspaceRequest, contact: Contact) -> None:
    try:
        services.portal_invite(actor=request.user, contact=contact)
    except ValidationError as error:
        messages.error(request, _said(error))
    else:
        messages.success(request, f"Portal invitation sent to {contact.primary_email}.")
