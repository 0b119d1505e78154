"""Forms of the contact and account pages: the list's filter bar and the new-record forms, custom fields included.

They parse what people type into the shapes amity.customers.services takes; the rules stay there.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict

from amity.core.custom_field_queries import ANY_OF_SEPARATOR
from amity.core.models import FieldDefinition, Team, User
from amity.customers.listing import filterable_definitions
from amity.customers.models import Account, LifecycleStage
from amity.web.forms import DateInput, StyledForm

Type = FieldDefinition.Type
BOOLEAN_CHOICES = [("", "Any"), ("true", "Yes"), ("false", "No")]


def _people_choices(people: Iterable[User], empty: str) -> list[tuple[str, str]]:
    return [("", empty), *((str(person.pk), person.display_name) for person in people)]


def _team_choices(teams: Iterable[Team], empty: str) -> list[tuple[str, str]]:
    return [("", empty), *((str(team.pk), team.name) for team in teams)]


class CustomerFilterForm(StyledForm):
    """The filter bar of a list; field names are the list's filter parameters (`owner_id`, `custom.tier`)."""

    owner_id = forms.ChoiceField(label="Owner", required=False)
    team_id = forms.ChoiceField(label="Team", required=False)
    lifecycle_stage = forms.ChoiceField(label="Stage", required=False, choices=[("", "Any stage"), *LifecycleStage.choices])
    tag = forms.CharField(label="Tag", required=False, widget=forms.TextInput(attrs={"list": "tag-names", "placeholder": "Any tag"}))
    source = forms.CharField(label="Source", required=False, widget=forms.TextInput(attrs={"placeholder": "e.g. web form"}))
    created_after = forms.DateField(label="Created from", required=False, widget=DateInput)
    created_before = forms.DateField(label="Created to", required=False, widget=DateInput)

    def __init__(
        self,
        filters: Mapping[str, str],
        *,
        people: Iterable[User],
        teams: Iterable[Team],
        definitions: Iterable[FieldDefinition],
        **kwargs: Any,
    ) -> None:
        custom = [(name, field) for definition in filterable_definitions(definitions) for name, field in _custom_filter_fields(definition)]
        super().__init__(_bound_data(filters, {name for name, field in custom if isinstance(field, forms.MultipleChoiceField)}), **kwargs)
        self._choices("owner_id", _people_choices(people, "Anyone"))
        self._choices("team_id", _team_choices(teams, "Any team"))
        self.custom_names: list[str] = []
        for name, field in custom:
            self.fields[name] = field
            self.custom_names.append(name)
        self._style()

    def _choices(self, name: str, choices: list[tuple[str, str]]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices

    def _style(self) -> None:
        for name in self.custom_names:
            widget = self.fields[name].widget
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    @property
    def standard_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("owner_id", "team_id", "lifecycle_stage", "tag", "source", "created_after", "created_before")]

    @property
    def custom_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.custom_names]

    @property
    def active_count(self) -> int:
        return sum(1 for value in (self.data or {}).values() if value)


def _bound_data(filters: Mapping[str, str], several: set[str]) -> QueryDict:
    """The list's filters as form data; a filter on several choices (`gold;silver`) becomes a list."""
    data = QueryDict(mutable=True)
    for name, value in filters.items():
        data.setlist(name, value.split(ANY_OF_SEPARATOR) if name in several else [value])
    return data


def _custom_filter_fields(definition: FieldDefinition) -> list[tuple[str, forms.Field]]:
    """The filter bar's fields for a custom field, named as the list's parameters: a range, any of some choices, or contains."""
    name, label = f"custom.{definition.key}", definition.label
    if definition.type == Type.BOOLEAN:
        return [(name, forms.ChoiceField(label=label, required=False, choices=BOOLEAN_CHOICES))]
    if definition.type in {Type.CHOICE, Type.MULTI_CHOICE}:
        widget = forms.SelectMultiple(attrs={"size": min(3, len(definition.options)), "title": "Any of the chosen values"})
        choices = [(option, option) for option in definition.options]
        return [(name, forms.MultipleChoiceField(label=f"{label} (any of)", required=False, choices=choices, widget=widget))]
    if definition.type in {Type.DATE, Type.DATETIME}:
        return [
            (f"{name}__gte", forms.DateField(label=f"{label} from", required=False, widget=DateInput)),
            (f"{name}__lte", forms.DateField(label=f"{label} to", required=False, widget=DateInput)),
        ]
    if definition.type in {Type.NUMBER, Type.MONEY}:
        return [
            (f"{name}__gte", forms.DecimalField(label=f"{label} from", required=False, widget=forms.NumberInput(attrs={"step": "any"}))),
            (f"{name}__lte", forms.DecimalField(label=f"{label} to", required=False, widget=forms.NumberInput(attrs={"step": "any"}))),
        ]
    return [(f"{name}__contains", forms.CharField(label=label, required=False, widget=forms.TextInput(attrs={"placeholder": "Contains…"})))]


# --- New records -----------------------------------------------------------------------------------


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.replace(",", "\n").splitlines() if line.strip()]


def _record_custom_field(definition: FieldDefinition, people: Iterable[User]) -> forms.Field:
    field = _record_custom_input(definition, people)
    field.help_text = definition.help_text or field.help_text
    return field


def _record_custom_input(definition: FieldDefinition, people: Iterable[User]) -> forms.Field:
    label, required = definition.label, definition.required
    if definition.type == Type.BOOLEAN:
        return forms.ChoiceField(label=label, required=required, choices=[("", "—"), ("true", "Yes"), ("false", "No")])
    if definition.type == Type.CHOICE:
        return forms.ChoiceField(label=label, required=required, choices=[("", "—"), *((o, o) for o in definition.options)])
    if definition.type == Type.MULTI_CHOICE:
        return forms.MultipleChoiceField(
            label=label, required=required, choices=[(o, o) for o in definition.options], widget=forms.CheckboxSelectMultiple
        )
    if definition.type == Type.USER:
        return forms.ChoiceField(label=label, required=required, choices=_people_choices(people, "—"))
    if definition.type == Type.DATE:
        return forms.CharField(label=label, required=required, widget=DateInput)
    if definition.type == Type.LONG_TEXT:
        return forms.CharField(label=label, required=required, widget=forms.Textarea(attrs={"rows": 3}))
    help_text = {Type.MONEY: "An amount and a currency, e.g. 1200 EUR.", Type.DATETIME: "e.g. 2026-05-01T09:30:00Z"}.get(
        Type(definition.type), ""
    )
    return forms.CharField(label=label, required=required, help_text=help_text)


class CustomFieldsMixin(StyledForm):
    """A form that carries the workspace's custom fields of a record type, named `custom.<key>`."""

    custom_names: list[str]
    definitions: dict[str, FieldDefinition]

    def add_custom_fields(self, definitions: Iterable[FieldDefinition], people: Iterable[User]) -> None:
        self.custom_names = []
        self.definitions = {d.key: d for d in definitions}
        for definition in self.definitions.values():
            name = f"custom.{definition.key}"
            self.fields[name] = _record_custom_field(definition, people)
            self.custom_names.append(name)
        self.apply_styles()  # the custom fields came after StyledForm styled the declared ones

    @property
    def custom_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.custom_names]

    def custom_values(self) -> dict[str, Any]:
        """The custom fields' values as the services take them (a money field's "1200 EUR" as amount and currency)."""
        custom: dict[str, Any] = {}
        for name in self.custom_names:
            key = name.removeprefix("custom.")
            value = self.cleaned_data.get(name)
            if self.definitions[key].type == Type.MONEY and value:
                amount, _, currency = str(value).strip().partition(" ")
                value = {"amount": amount, "currency": currency.strip()}
            custom[key] = value
        return custom


class CustomerRecordForm(CustomFieldsMixin):
    """What contacts and accounts share: tags, owner, team, stage, source, and the custom fields."""

    tags = forms.CharField(label="Tags", required=False, help_text="Separate tags with commas.")
    owner_id = forms.ChoiceField(label="Owner", required=False)
    team_id = forms.ChoiceField(label="Team", required=False)
    lifecycle_stage = forms.ChoiceField(label="Stage", required=False, choices=[("", "—"), *LifecycleStage.choices])
    source = forms.CharField(label="Source", required=False, max_length=100)

    def __init__(
        self,
        *args: Any,
        people: Iterable[User],
        teams: Iterable[Team],
        definitions: Iterable[FieldDefinition],
        hidden: frozenset[str] = frozenset(),
        **kwargs: Any,
    ) -> None:
        people = list(people)
        super().__init__(*args, **kwargs)
        for name in hidden & set(self.fields):  # a field the role may not see is neither shown nor sent
            del self.fields[name]
        for name, choices in (("owner_id", _people_choices(people, "Nobody")), ("team_id", _team_choices(teams, "No team"))):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = choices
        self.add_custom_fields(definitions, people)

    def common_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        custom = self.custom_values()
        return {
            "tags": _lines(data.get("tags") or ""),
            "owner_id": int(data["owner_id"]) if data.get("owner_id") else None,
            "team_id": int(data["team_id"]) if data.get("team_id") else None,
            "lifecycle_stage": data.get("lifecycle_stage") or "",
            "source": data.get("source") or "",
            "custom": custom,
        }


class ContactForm(CustomerRecordForm):
    first_name = forms.CharField(label="First name", required=False, max_length=100)
    last_name = forms.CharField(label="Last name", required=False, max_length=100)
    title = forms.CharField(label="Job title", required=False, max_length=150)
    emails = forms.CharField(
        label="Email addresses", required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text="One per line; the first is primary."
    )
    phones = forms.CharField(
        label="Phone numbers",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="One per line, with the country code (+44 …); the first is primary.",
    )
    account_id = forms.IntegerField(
        label="Account",
        required=False,
        min_value=1,
        help_text="The organization they work for; add more on their page.",
    )
    field_order = ["first_name", "last_name", "title", "emails", "phones", "account_id"]

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "first_name": data["first_name"],
            "last_name": data["last_name"],
            "title": data["title"],
            "emails": [{"address": address} for address in _lines(data["emails"])],
            **(
                {"phones": [{"number": n, "kind": "mobile"} for n in _lines(data["phones"].replace(",", "\n"))]} if "phones" in data else {}
            ),
            "accounts": [{"account_id": data["account_id"]}] if data.get("account_id") else [],
            **self.common_data(),
        }


class AccountForm(CustomerRecordForm):
    name = forms.CharField(label="Name", max_length=200)
    domains = forms.CharField(label="Web domains", required=False, help_text="e.g. acme.com; separate several with commas.")
    industry = forms.CharField(label="Industry", required=False, max_length=100)
    size = forms.ChoiceField(label="Size", required=False, choices=[("", "—"), *Account.Size.choices])
    annual_revenue = forms.DecimalField(label="Annual revenue", required=False, max_digits=18, decimal_places=2)
    revenue_currency = forms.CharField(label="Currency", required=False, max_length=3, widget=forms.TextInput(attrs={"placeholder": "EUR"}))
    field_order = ["name", "domains", "industry", "size", "annual_revenue", "revenue_currency"]

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "domains": _lines(data["domains"]),
            "industry": data["industry"],
            "size": data["size"],
            "annual_revenue": data["annual_revenue"],
            "revenue_currency": data["revenue_currency"],
            **self.common_data(),
        }


def form_field_of(key: str) -> str:
    """The form field a service error belongs to: `emails.1.address` -> `emails`, `custom.tier` -> `custom.tier`."""
    parts = key.split(".")
    if parts[0] == "custom" and len(parts) > 1:
        return f"custom.{parts[1]}"
    return {"owner": "owner_id", "team": "team_id", "accounts": "account_id"}.get(parts[0], parts[0])


def apply_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's field errors next to the form's fields (`emails.0.address` next to Email addresses)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for key, errors in error.error_dict.items():
        name = form_field_of(key)
        for message in errors:
            form.add_error(name if name in form.fields else None, message)
    if isinstance(form, StyledForm):
        form.mark_invalid()
