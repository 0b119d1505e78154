"""Custom field values: checked and normalized on every write, whichever door they come through.

Values are stored in a record's `custom` JSON column in a form that sorts and filters the same
on SQLite and PostgreSQL: numbers and money amounts as decimal strings, dates as ISO strings,
users as ids, multiple choices as lists.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import models, transaction
from django.utils.dateparse import parse_date, parse_datetime

from amity.core import audit, tasks
from amity.core.access import require
from amity.core.custom_field_queries import is_sortable
from amity.core.models import AuditEntry, FieldDefinition, Membership, User, Workspace
from amity.core.permissions import Action, ObjectType
from amity.core.phones import to_e164

Type = FieldDefinition.Type


def definitions(workspace: Workspace, object_type: str) -> list[FieldDefinition]:
    return list(FieldDefinition.objects.filter(workspace=workspace, object_type=object_type))


def _decimal(value: Any) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError("Enter a number.") from None
    if not number.is_finite():
        raise ValueError("Enter a number.")
    return number


def _check_range(definition: FieldDefinition, number: Decimal) -> None:
    if definition.min_value is not None and number < definition.min_value:
        raise ValueError(f"Must be at least {definition.min_value.normalize()}.")
    if definition.max_value is not None and number > definition.max_value:
        raise ValueError(f"Must be at most {definition.max_value.normalize()}.")


def _text(definition: FieldDefinition, value: Any) -> str:
    text = str(value).strip()
    limit = definition.max_length or (10000 if definition.type == Type.LONG_TEXT else 500)
    if len(text) > limit:
        raise ValueError(f"Use at most {limit} characters.")
    return text


def _number(definition: FieldDefinition, value: Any) -> str:
    number = _decimal(value)
    _check_range(definition, number)
    return str(number)


def _money(definition: FieldDefinition, value: Any) -> dict[str, str]:
    if not isinstance(value, dict) or "amount" not in value or "currency" not in value:
        raise ValueError('Give {"amount": "12.50", "currency": "EUR"}.')
    currency = str(value["currency"]).upper()
    if len(currency) != 3 or not currency.isalpha():
        raise ValueError("The currency is a three-letter code such as EUR.")
    amount = _decimal(value["amount"]).quantize(Decimal("0.01"))
    _check_range(definition, amount)
    return {"amount": str(amount), "currency": currency}


def _date(definition: FieldDefinition, value: Any) -> str:
    parsed = value if isinstance(value, dt.date) else parse_date(str(value))
    if parsed is None:
        raise ValueError("Enter a date as YYYY-MM-DD.")
    return parsed.isoformat()


def _datetime(definition: FieldDefinition, value: Any) -> str:
    parsed = value if isinstance(value, dt.datetime) else parse_datetime(str(value))
    if parsed is None or parsed.tzinfo is None:
        raise ValueError("Enter a date and time with its time zone, e.g. 2026-05-01T09:30:00Z.")
    return parsed.astimezone(dt.UTC).isoformat()


def _boolean(definition: FieldDefinition, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    lowered = str(value).strip().lower()
    if lowered in {"true", "yes", "1", "y"}:
        return True
    if lowered in {"false", "no", "0", "n"}:
        return False
    raise ValueError("Enter yes or no.")


def _choice(definition: FieldDefinition, value: Any) -> str:
    text = str(value).strip()
    if text not in definition.options:
        raise ValueError(f"Choose one of: {', '.join(definition.options)}.")
    return text


def _multi_choice(definition: FieldDefinition, value: Any) -> list[str]:
    items = value if isinstance(value, list) else [part for part in str(value).split(";") if part.strip()]
    return sorted({_choice(definition, item) for item in items})


def _url(definition: FieldDefinition, value: Any) -> str:
    text = str(value).strip()
    try:
        URLValidator(schemes=["http", "https"])(text)
    except ValidationError:
        raise ValueError("Enter a web address starting with http:// or https://.") from None
    return text


def _email(definition: FieldDefinition, value: Any) -> str:
    text = str(value).strip().lower()
    try:
        validate_email(text)
    except ValidationError:
        raise ValueError("Enter a valid email address.") from None
    return text


def _phone(definition: FieldDefinition, value: Any) -> str:
    return to_e164(str(value))


def _user(definition: FieldDefinition, value: Any) -> int:
    try:
        user_id = int(value)
    except (TypeError, ValueError):
        raise ValueError("Give a user's id.") from None
    if not Membership.objects.filter(workspace_id=definition.workspace_id, user_id=user_id).exists():
        raise ValueError(f"No member with id {user_id} in this workspace.")
    return user_id


NORMALIZERS = {
    Type.TEXT: _text,
    Type.LONG_TEXT: _text,
    Type.NUMBER: _number,
    Type.MONEY: _money,
    Type.DATE: _date,
    Type.DATETIME: _datetime,
    Type.BOOLEAN: _boolean,
    Type.CHOICE: _choice,
    Type.MULTI_CHOICE: _multi_choice,
    Type.URL: _url,
    Type.EMAIL: _email,
    Type.PHONE: _phone,
    Type.USER: _user,
}


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def clean_custom(
    *,
    workspace: Workspace,
    object_type: str,
    values: dict[str, Any],
    existing: dict[str, Any] | None = None,
    model: type[models.Model] | None = None,
    instance_pk: int | None = None,
    field_prefix: str = "custom",
    fields: dict[str, FieldDefinition] | None = None,
) -> dict[str, Any]:
    """Merge `values` into `existing`, normalizing each and checking required and unique rules.

    `fields` are the workspace's definitions for `object_type` when the caller fetched them
    already (an import checks a million rows against one fetch). Raises one ValidationError
    naming every bad field (`custom.<key>`).
    """
    if fields is None:
        fields = {definition.key: definition for definition in definitions(workspace, object_type)}
    errors: dict[str, str] = {}
    merged = dict(existing or {})
    for key, raw in values.items():
        definition = fields.get(key)
        if definition is None:
            errors[f"{field_prefix}.{key}"] = "There is no such custom field."
            continue
        if _empty(raw):
            merged.pop(key, None)
            continue
        try:
            merged[key] = NORMALIZERS[Type(definition.type)](definition, raw)
        except ValueError as error:
            errors[f"{field_prefix}.{key}"] = str(error)
    for key, definition in fields.items():
        if definition.required and _empty(merged.get(key)) and f"{field_prefix}.{key}" not in errors:
            errors[f"{field_prefix}.{key}"] = f"{definition.label} is required."
        if definition.unique and model is not None and not _empty(merged.get(key)) and key in values:
            clash = model._default_manager.filter(workspace=workspace, **{f"custom__{key}": merged[key]}).exclude(pk=instance_pk)
            if clash.exists():
                errors[f"{field_prefix}.{key}"] = f"Another record already has this {definition.label}."
    if errors:
        raise ValidationError(errors)
    return merged


CUSTOM_FIELD_OBJECT_TYPES = {"contact", "account"}


def _definition_errors(workspace: Workspace, data: dict[str, Any], instance_pk: int | None) -> dict[str, str]:
    errors: dict[str, str] = {}
    if data.get("object_type") not in CUSTOM_FIELD_OBJECT_TYPES:
        errors["object_type"] = f"Choose one of: {', '.join(sorted(CUSTOM_FIELD_OBJECT_TYPES))}."
    if data.get("type") not in Type.values:
        errors["type"] = f"Choose one of: {', '.join(Type.values)}."
    if data.get("type") in {Type.CHOICE, Type.MULTI_CHOICE} and not data.get("options"):
        errors["options"] = "A choice field needs at least one option."
    clash = FieldDefinition.objects.filter(workspace=workspace, object_type=data.get("object_type"), key=data.get("key")).exclude(
        pk=instance_pk or 0
    )
    if clash.exists():
        errors["key"] = "Another field of this record type has this key."
    return errors


@transaction.atomic
def field_definition_save(
    *, actor: User, workspace: Workspace, data: dict[str, Any], definition: FieldDefinition | None = None
) -> FieldDefinition:
    """Define a custom field, or change one; the key and record type of an existing field stay fixed."""
    require(actor, workspace, Action.CHANGE if definition else Action.ADD, ObjectType.CUSTOM_FIELD)
    creating = definition is None
    definition = definition or FieldDefinition(workspace=workspace)
    before = audit.snapshot(definition, EDITABLE_DEFINITION_FIELDS) if not creating else {}
    if not creating:
        data = {**data, "object_type": definition.object_type, "key": definition.key, "type": definition.type}
    errors = _definition_errors(workspace, data, definition.pk)
    if errors:
        raise ValidationError(errors)
    for name in ["object_type", "key", "type", *EDITABLE_DEFINITION_FIELDS]:
        if name in data:
            setattr(definition, name, data[name])
    definition.options = [str(option).strip() for option in definition.options if str(option).strip()]
    definition.full_clean()
    definition.save()
    action = AuditEntry.Action.CREATE if creating else AuditEntry.Action.UPDATE
    after = audit.snapshot(definition, EDITABLE_DEFINITION_FIELDS)
    audit.record(actor=actor, workspace=workspace, action=action, obj=definition, changes=audit.diff(before, after))
    if creating:
        _sync_index_after_commit(definition)
    return definition


def _sync_index_after_commit(definition: FieldDefinition) -> None:
    """Build (or drop) the field's list index in the background: on a million records it takes a while."""
    if is_sortable(definition):
        arguments = (definition.object_type, definition.key, definition.type)
        transaction.on_commit(lambda: tasks.sync_custom_field_index.enqueue(*arguments))


@transaction.atomic
def field_definition_delete(*, actor: User, workspace: Workspace, definition: FieldDefinition) -> None:
    """Remove a custom field definition; values already stored stay in the records' history but are no longer shown."""
    require(actor, workspace, Action.DELETE, ObjectType.CUSTOM_FIELD)
    audit.record(actor=actor, workspace=workspace, action=AuditEntry.Action.DELETE, obj=definition, changes={"key": [definition.key, None]})
    definition.delete()
    _sync_index_after_commit(definition)


EDITABLE_DEFINITION_FIELDS = ["label", "options", "required", "unique", "min_value", "max_value", "max_length", "position"]
