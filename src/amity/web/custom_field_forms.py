"""The form that defines a custom field in Settings; it parses input, the rules stay in amity.core.custom_fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import RegexValidator
from django.utils.datastructures import MultiValueDict

from amity.core.custom_fields import CHOICE_TYPES, NUMERIC_TYPES, TEXT_TYPES, key_from_label
from amity.core.models import FieldDefinition
from amity.core.permissions import SENSITIVE_CUSTOM_DENIED, SENSITIVE_CUSTOM_TYPES
from amity.web.forms import StyledForm

Type = FieldDefinition.Type
OBJECT_TYPES = {"contact": "Contacts", "account": "Accounts", "lead": "Leads", "opportunity": "Deals", "product": "Products"}
# Which rule inputs each group of types shows (the template hides the others, the form drops their values).
RULE_GROUPS = {
    "options": sorted(CHOICE_TYPES),
    "range": sorted(NUMERIC_TYPES),
    "text": sorted(TEXT_TYPES),
}


class OptionsWidget(forms.Widget):
    """Several `options` inputs, one per choice; the template draws them with their add, remove and move buttons."""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> list[str]:
        if isinstance(data, MultiValueDict):
            return [str(value) for value in data.getlist(name)]
        value = data.get(name)
        return list(value) if isinstance(value, list | tuple) else []


class OptionsField(forms.Field):
    widget = OptionsWidget

    def to_python(self, value: Any) -> list[str]:
        return [str(option).strip() for option in value or [] if str(option).strip()]


class CustomFieldForm(StyledForm):
    label = forms.CharField(label="Label", max_length=120, widget=forms.TextInput(attrs={"data-key-source": "", "autocomplete": "off"}))
    key = forms.CharField(
        label="Key",
        max_length=60,
        required=False,
        validators=[RegexValidator(r"^[a-z][a-z0-9_]*$", "Use lower-case letters, digits and underscores, starting with a letter.")],
        widget=forms.TextInput(attrs={"data-key-target": "", "autocomplete": "off", "spellcheck": "false"}),
        help_text="The name in the API, in exports and in import files. Made from the label; it cannot change later.",
    )
    type = forms.ChoiceField(label="Type", choices=Type.choices, widget=forms.Select(attrs={"data-type-select": ""}))
    options = OptionsField(label="Options", required=False)
    required = forms.BooleanField(label="Required: every record must have a value", required=False)
    unique = forms.BooleanField(label="Unique: no two records may have the same value", required=False)
    min_value = forms.DecimalField(label="Minimum", required=False, max_digits=20, decimal_places=4)
    max_value = forms.DecimalField(label="Maximum", required=False, max_digits=20, decimal_places=4)
    max_length = forms.IntegerField(label="Maximum length", required=False, min_value=1, max_value=10000, help_text="In characters.")
    pattern = forms.CharField(
        label="Pattern",
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": r"e.g. [A-Z]{2}-\d{4}", "spellcheck": "false", "class": "amity-code"}),
        help_text="A regular expression the whole value must match. Say the expected form in the help text: it is the error people see.",
    )
    help_text = forms.CharField(
        label="Help text",
        max_length=300,
        required=False,
        help_text="Shown under the field in forms, e.g. “Two letters, a dash, four digits”.",
    )

    sensitive = forms.BooleanField(
        label="Sensitive: hidden from the roles kept from sensitive fields",
        required=False,
        help_text=f"{', '.join(sorted(role.label for role in SENSITIVE_CUSTOM_DENIED))} will not see it on pages, in lists, "
        "exports, search or the API, nor change it.",
    )

    def __init__(self, *args: Any, definition: FieldDefinition | None = None, object_type: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.definition = definition
        if (definition.object_type if definition else object_type) not in SENSITIVE_CUSTOM_TYPES:
            del self.fields["sensitive"]
        if definition is not None:
            # The key and the type are fixed once a field exists: values are stored under that key, in that type's form.
            del self.fields["key"]
            del self.fields["type"]

    @property
    def chosen_type(self) -> str:
        if self.definition is not None:
            return self.definition.type
        value = self["type"].value()
        return str(value) if value in Type.values else Type.TEXT

    @property
    def option_values(self) -> list[str]:
        values = self["options"].value() if self.is_bound else self.initial.get("options", [])
        return list(values or [])

    def shows(self, group: str) -> bool:
        return self.chosen_type in RULE_GROUPS[group]

    def service_data(self, object_type: str | None = None) -> dict[str, Any]:
        """What field_definition_save takes; rules the chosen type does not have are left out."""
        data = self.cleaned_data
        kind = self.chosen_type
        result: dict[str, Any] = {
            "label": data["label"],
            "required": data["required"],
            "unique": data["unique"],
            "help_text": data["help_text"],
            "options": data["options"] if kind in CHOICE_TYPES else [],
            "min_value": data["min_value"] if kind in NUMERIC_TYPES else None,
            "max_value": data["max_value"] if kind in NUMERIC_TYPES else None,
            "max_length": data["max_length"] if kind in TEXT_TYPES else None,
            "pattern": data["pattern"] if kind in TEXT_TYPES else "",
        }
        if "sensitive" in self.fields:
            result["sensitive"] = data["sensitive"]
        if self.definition is None:
            result.update(object_type=object_type, type=kind, key=data["key"] or key_from_label(data["label"]))
        return result
