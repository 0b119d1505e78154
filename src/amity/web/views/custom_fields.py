"""Settings → Custom fields: the fields owners and admins add to contacts and accounts, with their rules and order.

The pages call the services the API calls (amity.core.custom_fields), so a field defined here is the
same field in forms, lists, filters, exports, imports and the API.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from amity.core import custom_fields
from amity.core.models import FieldDefinition
from amity.core.permissions import Action, ObjectType, Role, denied_fields, denies_sensitive_custom
from amity.customers import selectors
from amity.web.custom_field_forms import OBJECT_TYPES, RULE_GROUPS, CustomFieldForm
from amity.web.forms import apply_errors
from amity.web.views.base import WorkspaceRequest, ensure, render_page, workspace_view

NOUNS = {
    "contact": ("contact", "contacts"),
    "account": ("account", "accounts"),
    "lead": ("lead", "leads"),
    "opportunity": ("deal", "deals"),
    "product": ("product", "products"),
}
# How the settings page names the fields permissions.SENSITIVE_FIELDS declares (a new one shows its API name until added here).
FIELD_LABELS = {"phones": "Phone numbers", "addresses": "Postal addresses"}


def _object_type(value: str | None) -> str:
    return value if value in OBJECT_TYPES else "contact"


def _list_url(request: WorkspaceRequest, object_type: str) -> str:
    return f"{reverse('settings_custom_fields', kwargs={'slug': request.workspace.slug})}?object_type={object_type}"


def _definition(request: WorkspaceRequest, pk: int) -> FieldDefinition:
    return selectors.field_definition_get(actor=request.user, workspace=request.workspace, pk=pk)


@workspace_view
@require_GET
def settings_custom_fields(request: WorkspaceRequest) -> HttpResponse:
    """The custom fields of contacts or of accounts, in their order, with their rules and how many records use each."""
    ensure(request, Action.CHANGE, ObjectType.CUSTOM_FIELD)
    object_type = _object_type(request.GET.get("object_type"))
    definitions = list(
        selectors.field_definition_list(
            actor=request.user, workspace=request.workspace, object_type=object_type, include_archived=True
        ).order_by("position", "id")
    )
    usage = selectors.field_definition_usage(actor=request.user, workspace=request.workspace, definitions=definitions)
    context = {
        "object_type": object_type,
        "object_types": OBJECT_TYPES,
        "rows": [{"definition": definition, "usage": usage.get(definition.pk, 0)} for definition in definitions],
        "noun": NOUNS[object_type],
        "field_access": field_access(object_type, definitions),
    }
    return render_page(request, "web/settings/custom_fields.html", context)


@dataclass(frozen=True)
class RoleAccess:
    """What one role may not see of a record type: the declared fields and those marked sensitive here."""

    role: str
    fields: list[str]


def field_access(object_type: str, definitions: list[FieldDefinition]) -> list[RoleAccess]:
    """Per role kept from something, the fields of `object_type` it cannot see (the settings page's table of field access)."""
    sensitive = [definition.label for definition in definitions if definition.sensitive]
    rows = []
    for role in Role:
        fields = sorted(FIELD_LABELS.get(name, name) for name in denied_fields(role, object_type))
        if denies_sensitive_custom(role, object_type):
            fields += sensitive
        if fields:
            rows.append(RoleAccess(role.label, fields))
    return rows


def _form_page(request: WorkspaceRequest, form: CustomFieldForm, object_type: str, definition: Any = None, usage: int = 0) -> HttpResponse:
    context = {
        "form": form,
        "form_shows": {group: form.shows(group) for group in RULE_GROUPS},
        "definition": definition,
        "object_type": object_type,
        "object_label": OBJECT_TYPES[object_type],
        "noun": NOUNS[object_type],
        "usage": usage,
        "list_url": _list_url(request, object_type),
    }
    return render_page(request, "web/settings/custom_field_form.html", context, status=400 if form.errors else 200)


@workspace_view
@require_http_methods(["GET", "POST"])
def settings_custom_field_create(request: WorkspaceRequest) -> HttpResponse:
    ensure(request, Action.ADD, ObjectType.CUSTOM_FIELD)
    object_type = _object_type(request.GET.get("object_type"))
    form = CustomFieldForm(request.POST or None, initial={"type": FieldDefinition.Type.TEXT}, object_type=object_type)
    if request.method == "POST" and form.is_valid():
        try:
            definition = custom_fields.field_definition_save(
                actor=request.user, workspace=request.workspace, data=form.service_data(object_type)
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"Field “{definition.label}” added to {OBJECT_TYPES[object_type].lower()}.")
            return redirect(_list_url(request, object_type))
    return _form_page(request, form, object_type)


def _initial(definition: FieldDefinition) -> dict[str, Any]:
    names = ["label", "options", "required", "unique", "min_value", "max_value", "max_length", "pattern", "help_text", "sensitive"]
    return {name: getattr(definition, name) for name in names}


@workspace_view
@require_http_methods(["GET", "POST"])
def settings_custom_field_edit(request: WorkspaceRequest, pk: int) -> HttpResponse:
    definition = _definition(request, pk)
    ensure(request, Action.CHANGE, ObjectType.CUSTOM_FIELD)
    form = CustomFieldForm(request.POST or None, initial=_initial(definition), definition=definition)
    if request.method == "POST" and form.is_valid():
        try:
            custom_fields.field_definition_save(
                actor=request.user, workspace=request.workspace, data=form.service_data(), definition=definition
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"Field “{definition.label}” saved.")
            return redirect(_list_url(request, definition.object_type))
    usage = selectors.field_definition_usage(actor=request.user, workspace=request.workspace, definitions=[definition])[definition.pk]
    return _form_page(request, form, definition.object_type, definition, usage)


@workspace_view
@require_POST
def settings_custom_field_move(request: WorkspaceRequest, pk: int) -> HttpResponse:
    definition = _definition(request, pk)
    steps = {"up": -1, "down": 1}
    if request.POST.get("direction") not in steps:
        raise Http404("Move a field up or down.")
    custom_fields.field_definition_move(
        actor=request.user, workspace=request.workspace, definition=definition, step=steps[request.POST["direction"]]
    )
    return redirect(_list_url(request, definition.object_type))


@workspace_view
@require_POST
def settings_custom_field_archive(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """Archive a field (hidden everywhere, values kept) or restore it."""
    definition = _definition(request, pk)
    archive = request.POST.get("archive") == "1"
    custom_fields.field_definition_save(actor=request.user, workspace=request.workspace, data={"archived": archive}, definition=definition)
    if archive:
        messages.success(request, f"Field “{definition.label}” archived: hidden from forms, lists and imports; its values are kept.")
    else:
        messages.success(request, f"Field “{definition.label}” restored.")
    return redirect(_list_url(request, definition.object_type))


@workspace_view
@require_POST
def settings_custom_field_delete(request: WorkspaceRequest, pk: int) -> HttpResponse:
    definition = _definition(request, pk)
    custom_fields.field_definition_delete(actor=request.user, workspace=request.workspace, definition=definition)
    messages.success(request, f"Field “{definition.label}” deleted.")
    return redirect(_list_url(request, definition.object_type))
