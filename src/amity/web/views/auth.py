"""Signing in and out, resetting a forgotten password, and the page shown when sign-in is locked."""

from __future__ import annotations

import math
from typing import Any

from axes.helpers import get_cool_off
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse_lazy

from amity.web.forms import LoginForm, PasswordResetForm, SetPasswordForm

LOGIN_TEMPLATE = "web/auth/login.html"


class LoginView(auth_views.LoginView):
    template_name = LOGIN_TEMPLATE
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    http_method_names = ["post", "options"]


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "web/auth/password_reset.html"
    form_class = PasswordResetForm
    email_template_name = "web/email/password_reset_body.txt"
    subject_template_name = "web/email/password_reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "web/auth/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "web/auth/password_reset_confirm.html"
    form_class = SetPasswordForm
    success_url = reverse_lazy("password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "web/auth/password_reset_complete.html"


def lockout_minutes(request: HttpRequest) -> int:
    cool_off = get_cool_off(request)
    return max(1, math.ceil(cool_off.total_seconds() / 60)) if cool_off else 0


def lockout_response(
    request: HttpRequest, response: Any = None, credentials: dict | None = None, *args: object, **kwargs: object
) -> HttpResponse:
    """django-axes calls this when an account or address is locked after too many failed sign-ins."""
    minutes = lockout_minutes(request)
    wait = f"Try again in {minutes} minute{'s' if minutes != 1 else ''}." if minutes else "Ask an administrator to unlock your account."
    form = LoginForm(request)
    form.fields["username"].initial = (credentials or {}).get("username", "")
    context = {"form": form, "lockout_message": f"Too many failed sign-in attempts. {wait}"}
    return render(request, LOGIN_TEMPLATE, context, status=429)
