"""The HTML a company pastes into its website for a web form: a plain form that posts to the form's public address.

It needs no script: the browser posts the form across origins (the endpoint is CSRF-exempt and
keyed by the form's unguessable token) and shows our thank-you page or goes to the form's
redirect address. A script may instead post it with fetch and `Accept: application/json`.
"""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from amity.core.models import FieldDefinition
from amity.core.permissions import ObjectType
from amity.sales.models import WebForm
from amity.sales.services.web_forms import CONSENT, FORM_FIELDS, HONEYPOT

INPUT_TYPES = {"email": "email", "phone": "tel", "website": "url", "description": "textarea"}
CUSTOM_INPUT_TYPES = {"number": "number", "date": "date", "email": "email", "url": "url", "phone": "tel", "long_text": "textarea"}


def public_url(form: WebForm) -> str:
    return f"{settings.BASE_URL}{reverse('lead_form_submit', kwargs={'token': form.token})}"


def form_inputs(form: WebForm) -> list[dict[str, object]]:
    """Each shown field with its label, input type, whether it is required, and its choices (for a custom choice field)."""
    keys = [name.removeprefix("custom.") for name in form.fields if name.startswith("custom.")]
    definitions = FieldDefinition.objects.filter(workspace_id=form.workspace_id, object_type=ObjectType.LEAD, key__in=keys) if keys else []
    custom = {f"custom.{definition.key}": definition for definition in definitions}
    inputs = []
    for name in form.fields:
        definition = custom.get(name)
        if definition is None and name not in FORM_FIELDS:
            continue  # a custom field removed since the form was made
        inputs.append(
            {
                "name": name,
                "id": f"amity-{form.pk}-{name.replace('.', '-')}",
                "label": definition.label if definition else FORM_FIELDS[name],
                "type": CUSTOM_INPUT_TYPES.get(definition.type, "text") if definition else INPUT_TYPES.get(name, "text"),
                "choices": list(definition.options or []) if definition and definition.type == "choice" else [],
                "required": name in form.required,
            }
        )
    return inputs


def snippet(form: WebForm) -> str:
    """The copy-paste HTML of the form."""
    context = {"form": form, "action": public_url(form), "inputs": form_inputs(form), "honeypot": HONEYPOT, "consent": CONSENT}
    return render_to_string("sales/web_form_snippet.html", context).strip() + "\n"
