"""What a saved view of the deal list keeps: the list's filters and its sort (the deal list has no column choice)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.dateparse import parse_date

from amity.core.models import FieldDefinition
from amity.sales.selectors import OPPORTUNITY_SORTS

ID_FILTERS = ("pipeline", "owner_id", "team_id", "account")
DATE_FILTERS = ("close_after", "close_before")
PERIODS = ("this_month", "this_quarter", "next_quarter", "custom")
DEAL_FILTERS = (*ID_FILTERS, "period", *DATE_FILTERS)


def clean_deal_filters(params: Mapping[str, Any], definitions: list[FieldDefinition] | None = None) -> dict[str, str]:
    """The deal list's filter parameters, non-empty, as strings; raises a ValidationError naming each bad one."""
    cleaned: dict[str, str] = {}
    errors: dict[str, str] = {}
    for key in DEAL_FILTERS:
        value = str(params.get(key) or "").strip()
        if not value:
            continue
        if key in ID_FILTERS and not value.isdigit():
            errors[key] = "Give the id of one of the workspace's records."
        elif key == "period" and value not in PERIODS:
            errors[key] = f"Choose one of: {', '.join(PERIODS)}."
        elif key in DATE_FILTERS and parse_date(value) is None:
            errors[key] = "Give a date as YYYY-MM-DD."
        cleaned[key] = value
    if errors:
        raise ValidationError(errors)
    return cleaned


def is_deal_sort(sort: str, definitions: list[FieldDefinition] | None = None) -> bool:
    return sort in OPPORTUNITY_SORTS


def deal_sorts() -> Iterable[str]:
    return OPPORTUNITY_SORTS


def deal_columns(definitions: list[FieldDefinition] | None = None) -> Iterable[str]:
    return ()


def register_view_type() -> None:
    """Let people save views of the deal list (SalesConfig.ready())."""
    from amity.customers.listing import ViewRules
    from amity.customers.listing import register_view_type as register

    register("opportunity", ViewRules(clean_filters=clean_deal_filters, is_sort=is_deal_sort, sorts=deal_sorts, columns=deal_columns))
