"""One line or one person of a deal at a time: what the deal's page adds, changes and removes.

`opportunity_set_line_items` and `opportunity_set_contacts` replace the whole list (the API's shape);
these change one row and leave the others as they are, by the same rules, audited on the deal.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Sum

from amity.catalog.selectors import products_by_ids, resolve_prices
from amity.core.access import require
from amity.core.errors import FieldErrors
from amity.core.models import User
from amity.core.permissions import Action, ObjectType
from amity.sales.models import LineItem, Opportunity, OpportunityContact
from amity.sales.services.opportunities import MAX_LINES, _clean_line, _record, _snapshot, opportunity_set_contacts

LINE_FIELDS = ("name", "quantity", "unit_price", "discount_percent", "tax_rate")
AT = "line"


def _unprefixed(errors: FieldErrors) -> None:
    """`line.quantity` → `quantity`: one line's errors are named by its own fields."""
    if errors:
        raise ValidationError({key.removeprefix(f"{AT}."): message for key, message in errors.items()})


def _sum_lines(opportunity: Opportunity) -> None:
    """With lines, the deal's amount is their net sum (as when the lines are set all at once)."""
    total = opportunity.line_items.aggregate(net=Sum("net_amount"))["net"]
    if total is not None:
        opportunity.amount = total
        opportunity.save(update_fields=["amount", "updated_at"])


@transaction.atomic
def opportunity_line_add(*, actor: User, opportunity: Opportunity, data: Mapping[str, Any]) -> LineItem:
    """Add one line to a deal: a product of the catalog priced for the deal's account (unless a unit price is given), or free text."""
    require(actor, opportunity.workspace, Action.CHANGE, ObjectType.OPPORTUNITY)
    errors = FieldErrors()
    row = {key: data[key] for key in ("product_id", *LINE_FIELDS) if data.get(key) not in (None, "")}
    product = None
    if "product_id" in row:
        product = products_by_ids(workspace=opportunity.workspace, ids=[row["product_id"]]).get(row["product_id"])
        if product is None:
            errors[f"{AT}.product_id"] = f"No product with id {row['product_id']} in this workspace."
        elif not product.active:
            errors[f"{AT}.product_id"] = f"{product.sku} is inactive; choose another product."
    if opportunity.line_items.count() >= MAX_LINES:
        errors[f"{AT}.product_id"] = f"A deal has at most {MAX_LINES} lines."
    _unprefixed(errors)
    prices = {}
    if product is not None and "unit_price" not in row:
        prices = resolve_prices(
            workspace=opportunity.workspace, product_ids=[product.pk], currency=opportunity.currency, account=opportunity.account
        )
    line = _clean_line(opportunity, row, product, prices, AT, errors)
    _unprefixed(errors)
    assert line is not None
    before = _snapshot(opportunity)
    line.opportunity = opportunity
    line.position = (opportunity.line_items.aggregate(last=Max("position"))["last"] or 0) + 1 if before["line_items"] else 0
    line.save()
    _sum_lines(opportunity)
    _record(actor=actor, opportunity=opportunity, before=before)
    return line


@transaction.atomic
def opportunity_line_update(*, actor: User, line: LineItem, data: Mapping[str, Any]) -> LineItem:
    """Change a line's quantity, unit price, discount, tax rate or name; its product stays (remove the line to change it)."""
    opportunity = line.opportunity
    require(actor, opportunity.workspace, Action.CHANGE, ObjectType.OPPORTUNITY)
    errors = FieldErrors()
    row: dict[str, Any] = {field: getattr(line, field) for field in LINE_FIELDS}
    row |= {key: data[key] for key in LINE_FIELDS if key in data}
    if row.get("unit_price") in (None, ""):
        errors[f"{AT}.unit_price"] = "Give a unit price."
    changed = _clean_line(opportunity, row, line.product, {}, AT, errors)
    _unprefixed(errors)
    assert changed is not None
    before = _snapshot(opportunity)
    for field in (*LINE_FIELDS, "net_amount", "tax_amount", "total_amount"):
        setattr(line, field, getattr(changed, field))
    line.save()
    _sum_lines(opportunity)
    _record(actor=actor, opportunity=opportunity, before=before)
    return line


@transaction.atomic
def opportunity_line_remove(*, actor: User, line: LineItem) -> None:
    """Take a line off a deal; the amount becomes the other lines' sum (the last line leaves the amount as it was)."""
    opportunity = line.opportunity
    require(actor, opportunity.workspace, Action.CHANGE, ObjectType.OPPORTUNITY)
    before = _snapshot(opportunity)
    line.delete()
    _sum_lines(opportunity)
    _record(actor=actor, opportunity=opportunity, before=before)


# --- People ------------------------------------------------------------------------------------------------------


def _people_of(opportunity: Opportunity) -> list[dict[str, Any]]:
    links = opportunity.contact_roles.order_by("id").values("contact_id", "role", "is_primary")
    return [dict(link) for link in links]


def _set_people(*, actor: User, opportunity: Opportunity, people: list[dict[str, Any]], index: int) -> Opportunity:
    """Write the people through opportunity_set_contacts, naming the one changed row's fields plainly."""
    try:
        return opportunity_set_contacts(actor=actor, opportunity=opportunity, contacts=people)
    except ValidationError as error:
        prefix = f"contacts.{index}."
        raise ValidationError({key.removeprefix(prefix): messages for key, messages in error.message_dict.items()}) from None


@transaction.atomic
def opportunity_contact_add(*, actor: User, opportunity: Opportunity, contact_id: Any, role: str, is_primary: bool = False) -> Opportunity:
    """Put a person on a deal with their role (decision maker, influencer…); the primary contact is one person."""
    people = _people_of(opportunity)
    if is_primary:
        for person in people:
            person["is_primary"] = False
    people.append({"contact_id": contact_id, "role": role, "is_primary": is_primary})
    return _set_people(actor=actor, opportunity=opportunity, people=people, index=len(people) - 1)


@transaction.atomic
def opportunity_contact_update(*, actor: User, link: OpportunityContact, role: str, is_primary: bool) -> Opportunity:
    """Change a person's role on a deal, or make them its primary contact."""
    opportunity = link.opportunity
    people = _people_of(opportunity)
    index = next(i for i, person in enumerate(people) if person["contact_id"] == link.contact_id)
    for person in people:
        if is_primary:
            person["is_primary"] = False
    people[index].update(role=role, is_primary=is_primary)
    return _set_people(actor=actor, opportunity=opportunity, people=people, index=index)


@transaction.atomic
def opportunity_contact_remove(*, actor: User, link: OpportunityContact) -> Opportunity:
    """Take a person off a deal; their contact record stays."""
    opportunity = link.opportunity
    people = [person for person in _people_of(opportunity) if person["contact_id"] != link.contact_id]
    return _set_people(actor=actor, opportunity=opportunity, people=people, index=-1)
