"""Custom field values: checked and normalized on every write, whichever door they come through.

Values are stored in a record's `custom` JSON column in a form that sorts and filters the same
on SQLite and PostgreSQL: numbers and money amounts as decimal strings, dates as ISO strings,
users as ids, multiple choices as lists.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

import regex
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models, transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.text import slugify

from amity.core import audit, tasks
from amity.core.access import require
from amity.core.custom_field_queries import is_sortable
from amity.core.email_addresses import normalize_email
from amity.core.models import AuditEntry, FieldDefinition, Membership, User, Workspace
from amity.core.permissions import SENSITIVE_CUSTOM_TYPES, Action, ObjectType
from amity.core.phones import to_e164

Type = FieldDefinition.Type
# An admin's pattern runs on every value written: the `regex` module stops one that would take too long.
PATTERN_TIMEOUT_SECONDS = 0.05
KEY_FORMAT = re.compile(r"[a-z][a-z0-9_]{0,59}")
TEXT_TYPES = {Type.TEXT, Type.LONG_TEXT}
NUMERIC_TYPES = {Type.NUMBER, Type.MONEY}
CHOICE_TYPES = {Type.CHOICE, Type.MULTI_CHOICE}
# Letters that Unicode does not decompose into a plain one, as people spell them in ASCII (app.js does the same).
SPELLED_OUT = str.maketrans(
    {"ß": "ss", "æ": "ae", "Æ": "AE", "ø": "o", "Ø": "O", "œ": "oe", "Œ": "OE", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D"}
)


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
    if definition.pattern and not _matches(definition.pattern, text):
        expected = definition.help_text or f"the pattern {definition.pattern}"
        raise ValueError(f"Does not have the expected form: {expected}")
    return text


def _matches(pattern: str, text: str) -> bool:
    try:
        return regex.fullmatch(pattern, text, timeout=PATTERN_TIMEOUT_SECONDS) is not None
    except TimeoutError:
        raise ValueError("Could not be checked against the field's pattern in time; ask an admin to simplify it.") from None


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
    return normalize_email(str(value))


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


NORMALIZERS: dict[str, Any] = {
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


def clean_custom_values(
    *, fields: dict[str, FieldDefinition], values: dict[str, Any], existing: dict[str, Any] | None = None, field_prefix: str = "custom"
) -> tuple[dict[str, Any], dict[str, str]]:
    """`values` merged into `existing`, each normalized, required fields checked: (merged, errors by `custom.<key>`).

    `fields` are the workspace's definitions for the record type, fetched once by the caller (an
    import checks a million rows against one fetch). Uniqueness is asked of the database for many
    records at once, by `unique_clashes`.
    """
    errors: dict[str, str] = {}
    merged = dict(existing or {})
    for key, raw in values.items():
        definition = fields.get(key)
        if definition is None:
            errors[f"{field_prefix}.{key}"] = "There is no such custom field."
            continue
        if definition.archived_at is not None:
            if raw != merged.get(key) and not (_empty(raw) and key not in merged):
                errors[f"{field_prefix}.{key}"] = f"{definition.label} is archived; restore it in Settings to change its values."
            continue
        if _empty(raw):
            merged.pop(key, None)
            continue
        try:
            merged[key] = NORMALIZERS[definition.type](definition, raw)  # str-keyed: no enum built per value
        except ValueError as error:
            errors[f"{field_prefix}.{key}"] = str(error)
    for key, definition in fields.items():
        if definition.archived_at is not None:
            continue
        if definition.required and _empty(merged.get(key)) and f"{field_prefix}.{key}" not in errors:
            errors[f"{field_prefix}.{key}"] = f"{definition.label} is required."
    return merged, errors


def unique_clashes(
    *,
    workspace: Workspace,
    model: type[models.Model],
    fields: dict[str, FieldDefinition],
    records: list[tuple[dict[str, Any], dict[str, Any], int | None]],
    field_prefix: str = "custom",
) -> dict[int, dict[str, str]]:
    """Errors by record index for unique fields whose new value another record holds already.

    `records` are (merged custom values, the values given, the record's id or None); one query
    per unique field for all of them.
    """
    clashes: dict[int, dict[str, str]] = {}
    for key, definition in fields.items():
        if not definition.unique:
            continue
        wanted = {index: merged[key] for index, (merged, given, _) in enumerate(records) if key in given and not _empty(merged.get(key))}
        if not wanted:
            continue
        holders = _holders(workspace, model, key, list(wanted.values()))
        for index, value in wanted.items():
            pk = records[index][2]
            if holders.get(_hashable(value), set()) - {pk}:
                clashes.setdefault(index, {})[f"{field_prefix}.{key}"] = taken_message(definition)
    return clashes


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
    """One record's custom values merged into `existing` and checked, uniqueness included; one ValidationError names every bad field."""
    fields = {definition.key: definition for definition in definitions(workspace, object_type)}
    merged, errors = clean_custom_values(fields=fields, values=values, existing=existing, field_prefix=field_prefix)
    if model is not None and not errors:
        records = [(merged, values, instance_pk)]
        errors.update(
            unique_clashes(workspace=workspace, model=model, fields=fields, records=records, field_prefix=field_prefix).get(0, {})
        )
    if errors:
        raise ValidationError(errors)
    return merged


def taken_message(definition: FieldDefinition) -> str:
    return f"Another record already has this {definition.label}."


def _hashable(value: Any) -> Any:
    return value if isinstance(value, str | int | bool) else repr(value)


def _holders(workspace: Workspace, model: type[models.Model], key: str, values: list[Any]) -> dict[Any, set[int]]:
    """Which records hold each value of the custom field `key`: one query for scalar values, one per value otherwise."""
    records = model._default_manager.filter(workspace=workspace)
    holders: dict[Any, set[int]] = {}
    scalars = list({value for value in values if isinstance(value, str | int | bool)})
    if scalars:
        for pk, value in records.filter(**{f"custom__{key}__in": scalars}).values_list("pk", f"custom__{key}"):
            holders.setdefault(value, set()).add(pk)
    for value in values:
        if not isinstance(value, str | int | bool):
            holders[repr(value)] = set(records.filter(**{f"custom__{key}": value}).values_list("pk", flat=True))
    return holders


CUSTOM_FIELD_OBJECT_TYPES = {"contact", "account", "opportunity", "product", "lead"}


def filter_lookups(workspace: Workspace, object_type: str, wanted: dict[str, str]) -> dict[str, Any]:
    """ORM lookups on the `custom` column for `?custom.<key>=<value>` list filters; an unknown key is a field error."""
    fields = {d.key: d for d in FieldDefinition.objects.filter(workspace=workspace, object_type=object_type, key__in=list(wanted))}
    lookups: dict[str, Any] = {}
    for key, value in wanted.items():
        definition = fields.get(key)
        if definition is None:
            raise ValidationError({f"custom.{key}": "There is no such custom field."})
        if definition.type == Type.MULTI_CHOICE:
            lookups[f"custom__{key}__contains"] = value
        elif definition.type == Type.BOOLEAN:
            lookups[f"custom__{key}"] = value.lower() in {"true", "yes", "1"}
        elif definition.type == Type.USER:
            lookups[f"custom__{key}"] = int(value) if value.isdigit() else -1
        elif definition.type == Type.MONEY:
            lookups[f"custom__{key}__amount"] = value
        else:
            lookups[f"custom__{key}"] = value
    return lookups


EDITABLE_DEFINITION_FIELDS = [
    "label", "options", "required", "unique", "min_value", "max_value", "max_length", "pattern", "help_text", "position", "sensitive"
]  # fmt: skip
AUDITED_DEFINITION_FIELDS = [*EDITABLE_DEFINITION_FIELDS, "archived_at"]


def key_from_label(label: str) -> str:
    """The key a new field gets from its label: `Contract value (€)` → `contract_value`."""
    key = slugify(label.translate(SPELLED_OUT)).replace("-", "_")[:60].strip("_")
    if not key or not key[0].isalpha():
        key = f"field_{key}".rstrip("_")[:60]
    return key


def _rule_errors(definition: FieldDefinition) -> dict[str, str]:
    """Rules that do not fit the field's type, or that contradict each other."""
    errors: dict[str, str] = {}
    kind = definition.type
    if kind in CHOICE_TYPES and not definition.options:
        errors["options"] = "A choice field needs at least one option."
    if kind not in CHOICE_TYPES and definition.options:
        errors["options"] = "Only single and multiple choice fields have options."
    if kind not in NUMERIC_TYPES:
        for name in ("min_value", "max_value"):
            if getattr(definition, name) is not None:
                errors[name] = "Only number and money fields have a minimum and a maximum."
    elif definition.min_value is not None and definition.max_value is not None and definition.min_value > definition.max_value:
        errors["max_value"] = "The maximum is smaller than the minimum."
    if kind not in TEXT_TYPES:
        if definition.max_length is not None:
            errors["max_length"] = "Only text fields have a maximum length."
        if definition.pattern:
            errors["pattern"] = "Only text fields have a pattern."
    elif definition.pattern:
        try:
            regex.compile(definition.pattern)
        except regex.error as error:
            errors["pattern"] = f"This is not a regular expression: {error}."
    return errors


def _definition_errors(workspace: Workspace, definition: FieldDefinition) -> dict[str, str]:
    errors: dict[str, str] = {}
    if definition.object_type not in CUSTOM_FIELD_OBJECT_TYPES:
        errors["object_type"] = f"Choose one of: {', '.join(sorted(CUSTOM_FIELD_OBJECT_TYPES))}."
    if definition.type not in Type.values:
        errors["type"] = f"Choose one of: {', '.join(Type.values)}."
    elif not errors:
        errors.update(_rule_errors(definition))
    if definition.sensitive and definition.object_type not in SENSITIVE_CUSTOM_TYPES:
        *others, last = (f"{kind}s" for kind in sorted(SENSITIVE_CUSTOM_TYPES))
        kinds = f"{', '.join(others)} and {last}" if others else last
        errors["sensitive"] = f"Only fields of {kinds} can be sensitive."
    if definition._state.adding and not KEY_FORMAT.fullmatch(definition.key or ""):
        errors["key"] = "Use lower-case letters, digits and underscores, starting with a letter (at most 60)."
    clash = FieldDefinition.objects.filter(workspace=workspace, object_type=definition.object_type, key=definition.key)
    if clash.exclude(pk=definition.pk or 0).exists():
        errors["key"] = "Another field of this record type has this key."
    return errors


def _next_position(workspace: Workspace, object_type: str) -> int:
    """A new field goes after the others of its record type."""
    highest = FieldDefinition.objects.filter(workspace=workspace, object_type=object_type).aggregate(models.Max("position"))[
        "position__max"
    ]
    return 0 if highest is None else min(highest + 1, 32767)


def _clean_options(options: Any) -> list[str]:
    """Options trimmed, blanks dropped, each once, in the order given."""
    return list(dict.fromkeys(str(option).strip() for option in options or [] if str(option).strip()))


@transaction.atomic
def field_definition_save(
    *, actor: User, workspace: Workspace, data: dict[str, Any], definition: FieldDefinition | None = None
) -> FieldDefinition:
    """Define a custom field, or change one; the key, type and record type of an existing field stay fixed.

    `data` may say `archived: true` to hide the field from forms, lists and imports (values are kept), or false to restore it.
    """
    require(actor, workspace, Action.CHANGE if definition else Action.ADD, ObjectType.CUSTOM_FIELD)
    creating = definition is None
    definition = definition or FieldDefinition(workspace=workspace)
    before = audit.snapshot(definition, AUDITED_DEFINITION_FIELDS) if not creating else {}
    for name in [*(["object_type", "key", "type"] if creating else []), *EDITABLE_DEFINITION_FIELDS]:
        if name in data and not (name == "position" and data[name] is None):
            setattr(definition, name, data[name])
    if creating and data.get("position") is None:
        definition.position = _next_position(workspace, definition.object_type)
    if "archived" in data:
        definition.archived_at = (definition.archived_at or timezone.now()) if data["archived"] else None
    definition.options = _clean_options(definition.options)
    definition.pattern = (definition.pattern or "").strip()
    definition.help_text = (definition.help_text or "").strip()
    errors = _definition_errors(workspace, definition)
    if errors:
        raise ValidationError(errors)
    definition.full_clean()
    definition.save()
    action = AuditEntry.Action.CREATE if creating else AuditEntry.Action.UPDATE
    after = audit.snapshot(definition, AUDITED_DEFINITION_FIELDS)
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
def field_definition_move(*, actor: User, workspace: Workspace, definition: FieldDefinition, step: int) -> FieldDefinition:
    """Move a field up (step -1) or down (+1) among its record type's fields, in forms, lists and imports alike."""
    require(actor, workspace, Action.CHANGE, ObjectType.CUSTOM_FIELD)
    siblings = list(
        FieldDefinition.objects.select_for_update()
        .filter(workspace=workspace, object_type=definition.object_type)
        .order_by("position", "id")
    )
    index = next(n for n, sibling in enumerate(siblings) if sibling.pk == definition.pk)
    before = siblings[index].position
    siblings.insert(max(0, min(len(siblings) - 1, index + step)), siblings.pop(index))
    moved = []
    for position, sibling in enumerate(siblings):
        if sibling.position != position:
            sibling.position = position
            moved.append(sibling)
    FieldDefinition.objects.bulk_update(moved, ["position"])
    definition.position = next(sibling.position for sibling in siblings if sibling.pk == definition.pk)
    if definition.position != before:
        audit.record(
            actor=actor,
            workspace=workspace,
            action=AuditEntry.Action.UPDATE,
            obj=definition,
            changes={"position": [before, definition.position]},
        )
    return definition


@transaction.atomic
def field_definition_delete(*, actor: User, workspace: Workspace, definition: FieldDefinition) -> None:
    """Remove a custom field definition; values already stored stay in the records' history but are no longer shown."""
    require(actor, workspace, Action.DELETE, ObjectType.CUSTOM_FIELD)
    audit.record(actor=actor, workspace=workspace, action=AuditEntry.Action.DELETE, obj=definition, changes={"key": [definition.key, None]})
    definition.delete()
    _sync_index_after_commit(definition)
