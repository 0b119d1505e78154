"""Conditions on a lead's fields, as scoring and assignment rules write them: a field, an operator and a value.

Pure functions over an unsaved or saved lead, so that a rule is checked the same way when a
lead is created, changed, or rescored in bulk.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from amity.core.access import refuse_hidden
from amity.core.models import User, Workspace
from amity.core.permissions import ObjectType
from amity.sales.models import Lead, RuleOperator

# The lead fields a rule may test (custom fields are `custom.<key>`); `email_domain` is the part after the @.
RULE_FIELDS: dict[str, str] = {
    "first_name": "First name",
    "last_name": "Last name",
    "email": "Email",
    "email_domain": "Email domain",
    "phone": "Phone",
    "company": "Company",
    "title": "Job title",
    "website": "Website",
    "industry": "Industry",
    "country": "Country",
    "region": "Region",
    "city": "City",
    "postcode": "Postcode",
    "status": "Status",
    "rating": "Rating",
    "source": "Source",
    "campaign": "Campaign",
    "description": "Description",
}
NEEDS_NO_VALUE = {RuleOperator.IS_SET, RuleOperator.IS_NOT_SET}


def field_value(lead: Lead, field: str) -> Any:
    """The value a rule sees: text fields as they are stored, a custom field's stored value, the email's domain."""
    if field.startswith("custom."):
        return (lead.custom or {}).get(field.removeprefix("custom."))
    if field == "email_domain":
        return lead.email.rpartition("@")[2] if "@" in lead.email else ""
    return getattr(lead, field, "")


def _number(value: Any) -> Decimal | None:
    if isinstance(value, dict):  # a money custom field: {"amount": "…", "currency": "…"}
        value = value.get("amount")
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _texts(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(item).strip().lower() for item in value]
    if isinstance(value, bool):
        return ["true" if value else "false"]
    return [str(value).strip().lower()] if value not in (None, "") else []


def matches(lead: Lead, *, field: str, operator: str, value: str) -> bool:
    """Whether the lead's field passes the test; text compares without case, `in` takes comma-separated values."""
    actual = field_value(lead, field)
    texts = _texts(actual)
    wanted = value.strip().lower()
    if operator == RuleOperator.IS_SET:
        return bool(texts)
    if operator == RuleOperator.IS_NOT_SET:
        return not texts
    if operator in (RuleOperator.GT, RuleOperator.LT):
        number, limit = _number(actual), _number(value)
        if number is None or limit is None:
            return False
        return number > limit if operator == RuleOperator.GT else number < limit
    if operator == RuleOperator.EQUALS:
        return wanted in texts
    if operator == RuleOperator.NOT_EQUALS:
        return wanted not in texts
    if operator == RuleOperator.IN:
        options = {part.strip().lower() for part in value.split(",") if part.strip()}
        return any(text in options for text in texts)
    if operator == RuleOperator.CONTAINS:
        return any(wanted in text for text in texts)
    if operator == RuleOperator.STARTS_WITH:
        return any(text.startswith(wanted) for text in texts)
    if operator == RuleOperator.ENDS_WITH:
        return any(text.endswith(wanted) for text in texts)
    return False


def check_condition(*, field: str, operator: str, value: str, custom_keys: set[str], errors: dict[str, str]) -> None:
    """Name what is wrong with a condition (an unknown field, operator, or a missing value) in `errors`."""
    if not (field in RULE_FIELDS or (field.startswith("custom.") and field.removeprefix("custom.") in custom_keys)):
        errors["field"] = f"Choose a lead field ({', '.join(RULE_FIELDS)}) or custom.<key> of a lead custom field."
    if operator not in RuleOperator.values:
        errors["operator"] = f"Choose one of: {', '.join(RuleOperator.values)}."
    elif operator not in NEEDS_NO_VALUE and not value.strip():
        errors["value"] = "Give the value to compare with."
    elif operator in (RuleOperator.GT, RuleOperator.LT) and _number(value) is None:
        errors["value"] = "Give a number to compare with."


def refuse_rule_on_hidden_field(actor: User, workspace: Workspace, field: str) -> None:
    """A role that may not see a lead field may not write a rule on it either: the leads' scores or owners would tell its values."""
    if field:
        refuse_hidden(actor, workspace, ObjectType.LEAD, {field: None})
