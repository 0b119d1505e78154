"""Accepting an invitation: a new person chooses a name and password; a signed-in invitee just joins."""

from __future__ import annotations

from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods

from amity.core import selectors, services
from amity.core.models import User
from amity.web.forms import InvitationAcceptForm, apply_errors, error_text

TEMPLATE = "web/auth/invitation.html"
BACKEND = "django.contrib.auth.backends.ModelBackend"


@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = services.invitation_from_token(token)
    if invitation is None:
        return render(request, "web/auth/invitation_invalid.html", status=404)
    user = request.user if isinstance(request.user, User) else None
    context: dict[str, object] = {"invitation": invitation, "workspace": None, "invited_workspace": invitation.workspace}

    if user is not None:
        if user.email != invitation.email:
            context["wrong_account"] = True
            return render(request, TEMPLATE, context, status=403)
        if request.method == "POST":
            try:
                membership = services.invitation_accept(invitation=invitation, user=user)
            except ValidationError as error:
                context["error"] = error_text(error)
                return render(request, TEMPLATE, context, status=400)
            return _enter(request, membership.user, membership.workspace.slug)
        return render(request, TEMPLATE, context)

    if selectors.account_exists(email=invitation.email):
        login_url = reverse("login") + "?" + urlencode({"next": request.path})
        context["login_url"] = login_url
        return render(request, TEMPLATE, context)

    form = InvitationAcceptForm(request.POST or None)
    context["form"] = form
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.invitation_accept(
                invitation=invitation, user=None, password=form.cleaned_data["password"], full_name=form.cleaned_data["full_name"]
            )
        except ValidationError as error:
            apply_errors(form, error, default_field="password")
        else:
            return _enter(request, membership.user, membership.workspace.slug)
    return render(request, TEMPLATE, context, status=400 if form.errors else 200)


def _enter(request: HttpRequest, user: User, slug: str) -> HttpResponse:
    if request.user != user:
        login(request, user, backend=BACKEND)
    return redirect("workspace_home", slug=slug)
