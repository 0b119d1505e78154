"""The web UI's forms: they parse and describe input; the rules live in amity.core.services."""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import forms as auth_forms
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpRequest

from amity.core.emails import send_email
from amity.core.models import AuditEntry, Door, User
from amity.core.permissions import ASSIGNABLE_ROLES, ROLE_CHOICES, Role


class StyledForm(forms.Form):
    """Gives every widget Tabler's classes, and marks fields with errors as invalid."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.apply_styles()

    def apply_styles(self) -> None:
        """Give the widgets their classes (again, for a form that adds fields after its constructor)."""
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple | forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            if css not in widget.attrs.get("class", "").split():
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def full_clean(self) -> None:
        super().full_clean()
        self.mark_invalid()

    def mark_invalid(self) -> None:
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                if "is-invalid" not in widget.attrs.get("class", ""):
                    widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()


def apply_errors(form: forms.Form, error: ValidationError, *, default_field: str | None = None) -> None:
    """Show a service's ValidationError on the form: next to its field when the form has one."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else default_field, errors)
    else:
        form.add_error(default_field, error.messages)
    if isinstance(form, StyledForm):
        form.mark_invalid()


def error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


@contextmanager
def errors_as_messages(request: HttpRequest) -> Iterator[None]:
    """Run a button's service call: a ValidationError it raises becomes an error message, and the view goes on to redirect.

    What follows the call inside the block (its success message) runs only when the call went through.
    """
    try:
        yield
    except ValidationError as error:
        messages.error(request, error_text(error))


# --- Signing in ---------------------------------------------------------------------------------


class LoginForm(auth_forms.AuthenticationForm):
    """Sign in with email and password (the field is called `username`, which django-axes reads)."""

    username = forms.EmailField(
        label="Email",
        widget=forms.EmailInput(
            attrs={"autofocus": True, "autocomplete": "email", "class": "form-control", "placeholder": "you@company.com"}
        ),
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "class": "form-control", "placeholder": "Your password"}),
    )
    error_messages = {
        "invalid_login": "That email and password do not match an account. Check both and try again.",
        "inactive": "This account is disabled.",
    }

    def clean_username(self) -> str:
        return str(self.cleaned_data["username"]).strip().lower()


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's reset form, sending through the background email task instead of in the request."""

    email = forms.EmailField(
        label="Email", max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email", "class": "form-control", "autofocus": True})
    )

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        from django.template.loader import render_to_string

        context = {**context, "base_url": settings.BASE_URL}
        subject = "".join(render_to_string(subject_template_name, context).splitlines())
        body = render_to_string(email_template_name, context)
        send_email.enqueue(to=[to_email], subject=subject, text=body)


class SetPasswordForm(auth_forms.SetPasswordForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.widget.attrs.update({"class": "form-control", "autocomplete": "new-password"})
            if name == "new_password1":
                field.widget.attrs["autofocus"] = True

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs["class"] += " is-invalid"


class InvitationAcceptForm(StyledForm):
    full_name = forms.CharField(
        label="Your name", max_length=200, widget=forms.TextInput(attrs={"autocomplete": "name", "autofocus": True})
    )
    password = forms.CharField(
        label="Choose a password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 10 characters; not a common password.",
    )
    password_again = forms.CharField(
        label="Repeat the password", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") and data.get("password_again") and data["password"] != data["password_again"]:
            self.add_error("password_again", "The two passwords differ.")
        return data


# --- Workspaces and people ---------------------------------------------------------------------


class WorkspaceForm(StyledForm):
    name = forms.CharField(label="Workspace name", max_length=120, widget=forms.TextInput(attrs={"placeholder": "e.g. Northwind Trading"}))


def assignable_role_choices(actor_role: str) -> list[tuple[str, str]]:
    assignable = ASSIGNABLE_ROLES.get(Role(actor_role), frozenset())
    return [(value, label) for value, label in ROLE_CHOICES if value in assignable]


class InvitationForm(StyledForm):
    email = forms.EmailField(
        label="Email address", widget=forms.EmailInput(attrs={"placeholder": "name@company.com", "autocomplete": "off"})
    )
    role = forms.ChoiceField(label="Role", choices=ROLE_CHOICES, initial=Role.SALES)

    def __init__(self, *args: Any, actor_role: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        role_field = self.fields["role"]
        assert isinstance(role_field, forms.ChoiceField)
        role_field.choices = assignable_role_choices(actor_role)


class RoleForm(StyledForm):
    role = forms.ChoiceField(label="Role", choices=ROLE_CHOICES)


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: models.Model) -> str:
        assert isinstance(obj, User)
        return f"{obj.full_name} ({obj.email})" if obj.full_name else obj.email


class PeopleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: models.Model) -> str:
        assert isinstance(obj, User)
        return f"{obj.full_name} ({obj.email})" if obj.full_name else obj.email


class TeamForm(StyledForm):
    name = forms.CharField(label="Team name", max_length=120, widget=forms.TextInput(attrs={"placeholder": "e.g. Field sales"}))
    manager = PersonChoiceField(label="Manager", queryset=User.objects.none(), required=False, empty_label="No manager")
    members = PeopleChoiceField(label="Members", queryset=User.objects.none(), required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, people: models.QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("manager", "members"):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = people


class TokenForm(StyledForm):
    name = forms.CharField(
        label="Token name",
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": "e.g. Invoicing sync", "autocomplete": "off"}),
        help_text="Say where the token is used, so you know what breaks when you revoke it.",
    )


class DateInput(forms.DateInput):
    input_type = "date"


class AuditFilterForm(StyledForm):
    actor = forms.TypedChoiceField(label="Who", required=False, coerce=int, empty_value=None)
    door = forms.ChoiceField(label="Through", required=False, choices=[("", "Any door"), *Door.choices])
    action = forms.ChoiceField(label="Action", required=False, choices=[("", "Any action"), *AuditEntry.Action.choices])
    object_type = forms.ChoiceField(label="Record type", required=False)
    since = forms.DateField(label="From", required=False, widget=DateInput)
    until = forms.DateField(label="To", required=False, widget=DateInput)

    def __init__(self, *args: Any, people: list[User], object_types: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        actor = self.fields["actor"]
        object_type = self.fields["object_type"]
        assert isinstance(actor, forms.ChoiceField) and isinstance(object_type, forms.ChoiceField)
        actor.choices = [("", "Anyone"), *((person.pk, person.display_name) for person in people)]
        object_type.choices = [
            ("", "Any record"),
            *((name, name.split(".")[-1].replace("_", " ").capitalize()) for name in sorted(object_types)),
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", "The end date is before the start date.")
        return data


def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones()) if "/" in name or name == "UTC"]


class ProfileForm(StyledForm):
    full_name = forms.CharField(label="Name", max_length=200, required=False, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    time_zone = forms.ChoiceField(label="Time zone", choices=time_zone_choices, help_text="Times in Amity are shown in this zone.")


class PasswordChangeForm(StyledForm):
    current_password = forms.CharField(
        label="Current password", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    new_password = forms.CharField(
        label="New password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 10 characters; not a common password.",
    )
    new_password_again = forms.CharField(
        label="Repeat the new password", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("new_password") and data.get("new_password_again") and data["new_password"] != data["new_password_again"]:
            self.add_error("new_password_again", "The two passwords differ.")
        return data
