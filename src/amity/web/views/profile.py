"""A person's own profile: their name, time zone and password."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods

from amity.core import services
from amity.web.forms import PasswordChangeForm, ProfileForm, apply_errors
from amity.web.views.base import WorkspaceRequest, render_page, workspace_view


@workspace_view
@require_http_methods(["GET", "POST"])
def profile(request: WorkspaceRequest) -> HttpResponse:
    user = request.user
    profile_form = ProfileForm(initial={"full_name": user.full_name, "time_zone": user.time_zone})
    password_form = PasswordChangeForm()
    if request.method == "POST" and request.POST.get("form") == "password":
        password_form = PasswordChangeForm(request.POST)
        if password_form.is_valid():
            try:
                services.user_change_password(
                    user=user,
                    current_password=password_form.cleaned_data["current_password"],
                    new_password=password_form.cleaned_data["new_password"],
                )
            except ValidationError as error:
                apply_errors(password_form, error, default_field="new_password")
            else:
                update_session_auth_hash(request, user)
                messages.success(request, "Your password was changed.")
                return redirect("profile", slug=request.workspace.slug)
    elif request.method == "POST":
        profile_form = ProfileForm(request.POST)
        if profile_form.is_valid():
            try:
                services.user_update_profile(
                    user=user, full_name=profile_form.cleaned_data["full_name"], time_zone=profile_form.cleaned_data["time_zone"]
                )
            except ValidationError as error:
                apply_errors(profile_form, error)
            else:
                messages.success(request, "Your profile was saved.")
                return redirect("profile", slug=request.workspace.slug)
    status = 400 if profile_form.errors or password_form.errors else 200
    return render_page(request, "web/settings/profile.html", {"profile_form": profile_form, "password_form": password_form}, status=status)
