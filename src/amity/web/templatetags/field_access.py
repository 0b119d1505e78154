"""Field-level access in templates that show another record's fields (a case's contact, a deal's people).

`{% load field_access %}{% hidden_fields_of "contact" as contact_hidden %}` gives the fields of that record type the
signed-in user's role may not see (core.access.hidden_fields, once per request); `{% if "emails" not in contact_hidden %}`.
"""

from __future__ import annotations

from typing import Any

from django import template

from amity.core.access import hidden_fields

register = template.Library()


@register.simple_tag(takes_context=True)
def hidden_fields_of(context: dict[str, Any], object_type: str) -> frozenset[str]:
    request = context["request"]
    return hidden_fields(request.user, request.workspace, object_type)
