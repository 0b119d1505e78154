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
from django.db import models
from django.utils.dateparse import parse_date, parse_datetime

from amity.core.models import FieldDefinition, Membership, Workspace
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
) -> dict[str, Any]:
    """Merge `values` into `existing`, normalizing each and checking required and unique rules.

    Raises one ValidationError naming every bad field (`custom.<key>`).
    """
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
