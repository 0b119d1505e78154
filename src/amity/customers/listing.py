"""What a list of contacts or accounts can show and be narrowed by: its columns and its filter parameters.

The web lists, their exports and saved views all speak this one vocabulary, so a view saved in the
browser filters and exports the same rows, and a column means the same thing on screen and in a file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_date

from amity.core import custom_field_queries
from amity.core.models import FieldDefinition
from amity.core.ordering import SortKey
from amity.core.phones import national
from amity.customers.models import LifecycleStage
from amity.customers.selectors import ACCOUNT_SORTS, CONTACT_SORTS, CustomerFilter, record_ordering, related

OBJECT_TYPES = ("contact", "account")
SORTS: dict[str, Mapping[str, Any]] = {"contact": CONTACT_SORTS, "account": ACCOUNT_SORTS}
DEFAULT_SORT = "-created_at"
STANDARD_FILTERS = ("owner_id", "team_id", "lifecycle_stage", "source", "tag", "created_after", "created_before")
# Custom field types the filter bar offers (the API filters on these and on users too).
FILTERABLE_TYPES = custom_field_queries.FILTERABLE_TYPES - {FieldDefinition.Type.USER}


@dataclass(frozen=True)
class Column:
    """One column of a list: its key (`email`, `custom.tier`), its heading, how to read it, and the sort it offers."""

    key: str
    label: str
    value: Callable[[Any], Any]
    sort: str | None = None
    shown: Callable[[Any], Any] | None = None  # how the screen shows it, when that differs from the export
    reads: str = ""  # the field it shows, as permissions.SENSITIVE_FIELDS names it, when that is not its key

    @property
    def field(self) -> str:
        return self.reads or self.key

    def display(self, record: Any) -> Any:
        return (self.shown or self.value)(record)


def _names(items: Iterable[Any]) -> list[str]:
    return [str(item) for item in items]


def _contact_columns() -> list[Column]:
    return [
        Column("name", "Name", lambda c: c.full_name, "name"),
        Column("email", "Email", lambda c: c.primary_email, "email"),
        Column(
            "phone",
            "Phone",
            lambda c: c.primary_phone,
            shown=lambda c: national(c.primary_phone) if c.primary_phone else "",
            reads="phones",
        ),
        Column("title", "Title", lambda c: c.title),
        Column("accounts", "Accounts", lambda c: sorted(link.account.name for link in related(c, "account_contacts"))),
        Column("owner", "Owner", lambda c: c.owner.display_name if c.owner else ""),
        Column("team", "Team", lambda c: c.team.name if c.team else ""),
        Column("lifecycle_stage", "Stage", lambda c: c.get_lifecycle_stage_display() if c.lifecycle_stage else ""),
        Column("source", "Source", lambda c: c.source),
        Column("tags", "Tags", lambda c: sorted(_names(related(c, "tags")))),
        Column("external_id", "External id", lambda c: c.external_id or ""),
        Column("language", "Language", lambda c: c.language),
        Column("created_at", "Created", lambda c: c.created_at, "created_at"),
        Column("updated_at", "Updated", lambda c: c.updated_at, "updated_at"),
    ]


def _account_columns() -> list[Column]:
    return [
        Column("name", "Name", lambda a: a.name, "name"),
        Column("domains", "Domains", lambda a: _names(d.domain for d in related(a, "domains"))),
        Column("industry", "Industry", lambda a: a.industry),
        Column("size", "Size", lambda a: a.get_size_display() if a.size else ""),
        Column(
            "annual_revenue", "Annual revenue", lambda a: f"{a.annual_revenue} {a.revenue_currency}".strip() if a.annual_revenue else ""
        ),
        Column("parent", "Parent", lambda a: a.parent.name if a.parent else ""),
        Column("owner", "Owner", lambda a: a.owner.display_name if a.owner else ""),
        Column("team", "Team", lambda a: a.team.name if a.team else ""),
        Column("lifecycle_stage", "Stage", lambda a: a.get_lifecycle_stage_display() if a.lifecycle_stage else ""),
        Column("source", "Source", lambda a: a.source),
        Column("tags", "Tags", lambda a: sorted(_names(related(a, "tags")))),
        Column("external_id", "External id", lambda a: a.external_id or ""),
        Column("created_at", "Created", lambda a: a.created_at, "created_at"),
        Column("updated_at", "Updated", lambda a: a.updated_at, "updated_at"),
    ]


DEFAULT_COLUMNS = {
    "contact": ["name", "email", "phone", "accounts", "owner", "lifecycle_stage", "tags", "created_at"],
    "account": ["name", "domains", "industry", "owner", "lifecycle_stage", "tags", "created_at"],
}


def _custom_value(key: str) -> Callable[[Any], Any]:
    def read(record: Any) -> Any:
        value = (record.custom or {}).get(key)
        if isinstance(value, dict) and "amount" in value:
            return f"{value['amount']} {value.get('currency', '')}".strip()
        return value

    return read


def columns_for(object_type: str, definitions: Iterable[FieldDefinition], hidden: frozenset[str] = frozenset()) -> dict[str, Column]:
    """Every column a list of `object_type` can show: the standard ones, then one per custom field; none of the `hidden` fields."""
    standard = _contact_columns() if object_type == "contact" else _account_columns()
    custom = [
        Column(f"custom.{d.key}", d.label, _custom_value(d.key), f"custom.{d.key}" if custom_field_queries.is_sortable(d) else None)
        for d in definitions
    ]
    return {column.key: column for column in [*standard, *custom] if column.field not in hidden}


def hidden_columns(object_type: str, hidden: frozenset[str]) -> set[str]:
    """The keys of the standard columns that show one of the `hidden` fields (custom ones are `custom.<key>` already)."""
    standard = _contact_columns() if object_type == "contact" else _account_columns()
    return {column.key for column in standard if column.field in hidden} | {name for name in hidden if name.startswith("custom.")}


def chosen_columns(keys: Iterable[str], available: Mapping[str, Column], object_type: str) -> list[Column]:
    """The columns asked for, in the order given, ignoring unknown ones; the defaults when none is left. Name always comes first."""
    picked = [available[key] for key in dict.fromkeys(keys) if key in available and key != "name"]
    if not picked:
        picked = [available[key] for key in DEFAULT_COLUMNS[object_type] if key != "name" and key in available]
    return [available["name"], *picked]


def cell_text(value: Any) -> str:
    """A cell as text, the same on screen and in exports: lists joined, booleans as Yes/No, times in the current zone."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, list | tuple):
        return ", ".join(cell_text(item) for item in value)
    return str(value)


def filterable_definitions(definitions: Iterable[FieldDefinition]) -> list[FieldDefinition]:
    return [d for d in definitions if d.type in FILTERABLE_TYPES]


def _start_of_day(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min), timezone.get_current_timezone())


def _day(params: Mapping[str, Any], key: str, errors: dict[str, str]) -> dt.date | None:
    raw = str(params.get(key) or "").strip()
    if not raw:
        return None
    day = parse_date(raw) if len(raw) == 10 else None
    if day is None:
        errors[key] = "Enter a date as YYYY-MM-DD."
    return day


def _int(params: Mapping[str, Any], key: str, errors: dict[str, str]) -> int | None:
    raw = str(params.get(key) or "").strip()
    if not raw:
        return None
    if not raw.isdigit():
        errors[key] = "Choose one of the offered values."
        return None
    return int(raw)


def clean_filters(params: Mapping[str, Any], definitions: Iterable[FieldDefinition]) -> dict[str, str]:
    """Only the filter parameters, non-empty, as strings; raises a ValidationError naming each bad one.

    Custom field filters (`custom.<key>`, `custom.<key>__gte`, …) come back normalized (`12.50`, `2026-05-01`,
    several choices joined by `;`), as URLs and saved views keep them.
    """
    errors: dict[str, str] = {}
    cleaned: dict[str, str] = {}
    custom: dict[str, str] = {}
    for key, raw in params.items():
        value = str(raw if raw is not None else "").strip()
        if not value:
            continue
        if key in STANDARD_FILTERS:
            cleaned[key] = value
        elif key.startswith("custom."):
            custom[key] = value
    try:
        for custom_filter in custom_field_queries.parse_filters(filterable_definitions(definitions), custom):
            cleaned[custom_filter.parameter] = custom_filter.text()
    except ValidationError as error:
        errors.update({field: " ".join(messages) for field, messages in error.message_dict.items()})
    if cleaned.get("lifecycle_stage") and cleaned["lifecycle_stage"] not in LifecycleStage.values:
        errors["lifecycle_stage"] = f"Choose one of: {', '.join(LifecycleStage.values)}."
    _customer_filter(cleaned, errors)
    if errors:
        raise ValidationError(errors)
    return cleaned


def _customer_filter(cleaned: Mapping[str, str], errors: dict[str, str], *, deleted: bool = False) -> CustomerFilter:
    after, before = _day(cleaned, "created_after", errors), _day(cleaned, "created_before", errors)
    if after and before and after > before:
        errors["created_before"] = "The end date is before the start date."
    return CustomerFilter(
        owner_id=_int(cleaned, "owner_id", errors),
        team_id=_int(cleaned, "team_id", errors),
        lifecycle_stage=cleaned.get("lifecycle_stage") or None,
        source=cleaned.get("source") or None,
        tag=cleaned.get("tag") or None,
        created_after=_start_of_day(after) if after else None,
        # The end date is included: everything created before the next midnight.
        created_before=_start_of_day(before + dt.timedelta(days=1)) if before else None,
        deleted=deleted,
        custom={key.removeprefix("custom."): value for key, value in cleaned.items() if key.startswith("custom.")},
    )


def customer_filter(cleaned: Mapping[str, str], *, deleted: bool = False) -> CustomerFilter:
    """The selectors' filter for parameters that `clean_filters` accepted."""
    errors: dict[str, str] = {}
    result = _customer_filter(cleaned, errors, deleted=deleted)
    if errors:
        raise ValidationError(errors)
    return result


def is_sort(sort: str, object_type: str, definitions: Iterable[FieldDefinition]) -> bool:
    """Whether a list of `object_type` can be sorted by `sort` (a standard sort or a sortable custom field)."""
    try:
        record_ordering(object_type=object_type, sort=sort, definitions=definitions)
    except ValidationError:
        return False
    return True


def sort_or_default(sort: str | None, object_type: str, definitions: Iterable[FieldDefinition]) -> str:
    return sort if sort and is_sort(sort, object_type, definitions) else DEFAULT_SORT


def ordering(sort: str, object_type: str, definitions: Iterable[FieldDefinition]) -> Sequence[str | SortKey]:
    """The keyset ordering of a sort that `sort_or_default` accepted."""
    return record_ordering(object_type=object_type, sort=sort, definitions=definitions)


# --- Saved views of other lists ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ViewRules:
    """What a saved view of one kind of list may keep: its filters (cleaned or refused), its sorts and its columns.

    Contacts and accounts are registered here; another app registers its own list (deals) from its AppConfig.ready().
    """

    clean_filters: Callable[[Mapping[str, Any], list[FieldDefinition]], dict[str, str]]
    is_sort: Callable[[str, list[FieldDefinition]], bool]
    sorts: Callable[[], Iterable[str]]
    columns: Callable[[list[FieldDefinition]], Iterable[str]]


def _customer_rules(object_type: str) -> ViewRules:
    return ViewRules(
        clean_filters=clean_filters,
        is_sort=lambda sort, definitions: is_sort(sort, object_type, definitions),
        sorts=lambda: SORTS[object_type],
        columns=lambda definitions: columns_for(object_type, definitions),
    )


VIEW_TYPES: dict[str, ViewRules] = {object_type: _customer_rules(object_type) for object_type in OBJECT_TYPES}


def register_view_type(object_type: str, rules: ViewRules) -> None:
    """Let people save views of another list (its object type must be one of SavedView.RecordType)."""
    VIEW_TYPES[object_type] = rules
