"""Every change to a deal: create, edit, move through stages, win, lose, reopen, bin; its lines and its people.

A create or update takes the fields as a mapping (the API's and a later import's shape alike) and
either applies all of them or raises one ValidationError naming every bad field. Every stage a
deal enters is written to its stage history, whichever door moved it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from amity.catalog.models import Product
from amity.catalog.selectors import products_by_ids, resolve_prices
from amity.core import audit, money
from amity.core.access import require
from amity.core.custom_fields import clean_custom
from amity.core.errors import FieldErrors
from amity.core.models import AuditEntry, Membership, Team, User, Workspace
from amity.core.permissions import Action, ObjectType
from amity.customers import normalize
from amity.customers.models import Account, Contact
from amity.customers.services import set_tags
from amity.sales.alerts import is_backward
from amity.sales.models import (
    OPEN_CATEGORIES,
    ForecastCategory,
    LineItem,
    LostReason,
    Opportunity,
    OpportunityContact,
    Pipeline,
    Stage,
    StageChange,
)
from amity.sales.services.pipelines import sales_setup
from amity.sales.tasks import alert_deal_moved_backward
from amity.sales.totals import line_totals
from amity.search.services import index_records

AUDITED_FIELDS = [
    "name", "account", "pipeline", "stage", "status", "amount", "currency", "expected_close_date", "probability", "owner",
    "team", "next_step", "description", "competitors", "source", "lost_reason", "lost_note", "closed_at", "external_id", "custom",
    "forecast_category",
]  # fmt: skip
TEXT_LIMITS = {"name": 200, "next_step": 300, "source": 100, "lost_note": 1000}
DEFAULT_CLOSE_IN = dt.timedelta(days=30)
MAX_LINES = 200
MAX_CONTACTS = 50
MAX_COMPETITORS = 20
BULK_LIMIT = 1000


# --- Snapshots for the audit trail -----------------------------------------------------------------------


def _line_summary(line: LineItem) -> str:
    # `:f` keeps 10 as "10" (Decimal("10.00").normalize() alone writes "1E+1").
    return f"{line.quantity.normalize():f} × {line.sku or line.name} @ {line.unit_price} -{line.discount_percent.normalize():f}% +{line.tax_rate.normalize():f}% tax"


def _snapshot(opportunity: Opportunity, *, created: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The deal's audited fields and children; for a deal just created, its children as `created` holds them (nothing read back
    but what it was given: tags, for their spellings, and line items)."""
    if opportunity.pk is None:
        return {}
    values = audit.snapshot(opportunity, AUDITED_FIELDS)
    created = created if created is not None else {"tags": True, "line_items": True, "contacts": None}
    values["tags"] = sorted(opportunity.tags.values_list("name", flat=True)) if created.get("tags") else []
    roles: list[tuple[int, str]]
    if created.get("contacts") is None:
        roles = list(opportunity.contact_roles.order_by("contact_id").values_list("contact_id", "role"))
    else:
        roles = sorted((role.contact_id, role.role) for role in created["contacts"])
    values["contacts"] = [f"{pk}:{role}" for pk, role in roles]
    lines = opportunity.line_items.order_by("position", "id") if created.get("line_items") else []
    values["line_items"] = [_line_summary(line) for line in lines]
    return values


def _record(
    *, actor: User | None, opportunity: Opportunity, before: dict[str, Any], action: str | None = None, created: Any = None
) -> None:
    """Audit what changed and keep the search index current once it commits."""
    changes = audit.diff(before, _snapshot(opportunity, created=created))
    if changes or action:
        audit.record(
            actor=actor,
            workspace=opportunity.workspace,
            action=action or AuditEntry.Action.UPDATE,
            obj=opportunity,
            changes=changes,
        )
        transaction.on_commit(partial(index_records, object_type="opportunity", ids=[opportunity.pk]))


# --- Stages ------------------------------------------------------------------------------------------------------


def _enter_stage(
    opportunity: Opportunity,
    stage: Stage,
    *,
    at: dt.datetime,
    lost_reason: LostReason | None = None,
    lost_note: str | None = None,
    probability: int | None = None,
) -> None:
    """Put the deal in `stage` by the rules of its kind (unsaved): closed stages close it, a lost one needs a reason."""
    if stage.pipeline_id != opportunity.pipeline_id:
        raise ValidationError({"stage_id": "This stage belongs to another pipeline."})
    was_closed = opportunity.status != Opportunity.Status.OPEN if opportunity.pk else False
    opportunity.stage = stage
    opportunity.status = stage.kind
    opportunity.stage_changed_at = at
    if stage.kind == Stage.Kind.OPEN:
        opportunity.closed_at = None
        opportunity.lost_reason = None
        opportunity.lost_note = ""
        opportunity.probability = stage.probability if probability is None else probability
        if not opportunity.forecast_category_chosen or opportunity.forecast_category not in OPEN_CATEGORIES:
            opportunity.forecast_category = _stage_category(stage)
            opportunity.forecast_category_chosen = False
        return
    opportunity.probability = stage.probability  # a won deal is not 40% likely
    # A closed deal is counted as what it is, whatever the rep thought of it.
    opportunity.forecast_category = ForecastCategory.CLOSED if stage.kind == Stage.Kind.WON else ForecastCategory.OMITTED
    opportunity.forecast_category_chosen = False
    if not was_closed or opportunity.closed_at is None:
        opportunity.closed_at = at
    if stage.kind == Stage.Kind.WON:
        opportunity.lost_reason = None
        opportunity.lost_note = ""
        return
    opportunity.lost_reason = lost_reason or opportunity.lost_reason
    if lost_note is not None:
        opportunity.lost_note = lost_note.strip()[:1000]
    if opportunity.lost_reason is None:
        raise ValidationError({"lost_reason_id": "Say why the deal was lost: choose a lost reason."})


def _stage_category(stage: Stage) -> str:
    """The category an open deal gets in `stage`: the stage's, unless that is a closed deal's."""
    return stage.forecast_category if stage.forecast_category in OPEN_CATEGORIES else ForecastCategory.PIPELINE


def _forecast_category(opportunity: Opportunity, value: Any, errors: FieldErrors) -> None:
    """The rep's own category for an open deal; none (null) gives it back its stage's."""
    if opportunity.status != Opportunity.Status.OPEN:
        forced = ForecastCategory.CLOSED if opportunity.status == Opportunity.Status.WON else ForecastCategory.OMITTED
        if value not in (None, forced):
            errors["forecast_category"] = f"A {opportunity.status} deal is forecast as {forced.label.lower()}; reopen it to change that."
        return
    if value is None:
        opportunity.forecast_category = _stage_category(opportunity.stage)
        opportunity.forecast_category_chosen = False
    elif value not in OPEN_CATEGORIES:
        errors["forecast_category"] = f"An open deal's category is one of: {', '.join(OPEN_CATEGORIES)}."
    else:
        opportunity.forecast_category = value
        opportunity.forecast_category_chosen = True


def _write_stage_change(opportunity: Opportunity, previous: Stage | None, *, actor: User | None) -> StageChange:
    stage = opportunity.stage
    return StageChange.objects.create(
        workspace=opportunity.workspace,
        opportunity=opportunity,
        from_stage=previous,
        to_stage=stage,
        from_stage_name=previous.name if previous else "",
        to_stage_name=stage.name,
        to_kind=stage.kind,
        changed_at=opportunity.stage_changed_at,
        changed_by=actor,
        amount=opportunity.amount,
        currency=opportunity.currency,
        probability=opportunity.probability,
    )


def _lost_reason(workspace: Workspace, reason_id: Any, errors: FieldErrors) -> LostReason | None:
    if reason_id in (None, ""):
        return None
    reason = LostReason.objects.filter(workspace=workspace, pk=reason_id if isinstance(reason_id, int) else -1, active=True).first()
    if reason is None:
        errors["lost_reason_id"] = f"No active lost reason with id {reason_id} in this workspace."
    return reason


def _stage_of(workspace: Workspace, stage_id: Any, errors: FieldErrors) -> Stage | None:
    stage = Stage.objects.filter(workspace=workspace, pk=stage_id if isinstance(stage_id, int) else -1).first()
    if stage is None:
        errors["stage_id"] = f"No stage with id {stage_id} in this workspace."
    return stage


def _first_stage(pipeline: Pipeline, kind: str) -> Stage:
    stage = pipeline.stages.filter(kind=kind).order_by("position", "id").first()
    if stage is None:
        raise ValidationError({"stage_id": f"The pipeline {pipeline.name!r} has no {kind} stage."})
    return stage


# --- Fields --------------------------------------------------------------------------------------------------------


def _text(opportunity: Opportunity, data: Mapping[str, Any], errors: FieldErrors) -> None:
    for field, limit in TEXT_LIMITS.items():
        if field in data and field != "lost_note":
            value = " ".join(str(data[field] or "").split())
            if len(value) > limit:
                errors[field] = f"Use at most {limit} characters."
            setattr(opportunity, field, value)
    if "description" in data:
        opportunity.description = str(data["description"] or "").strip()[:20_000]


def _links(opportunity: Opportunity, workspace: Workspace, data: Mapping[str, Any], errors: FieldErrors) -> None:
    if "account_id" in data:
        account = Account.objects.filter(workspace=workspace, pk=data["account_id"] or -1, deleted_at__isnull=True).first()
        if account is None:
            errors["account_id"] = f"No account with id {data['account_id']} in this workspace."
        else:
            opportunity.account = account
    if "owner_id" in data:
        owner_id = data["owner_id"]
        if owner_id is not None and not Membership.objects.filter(workspace=workspace, user_id=owner_id).exists():
            errors["owner_id"] = f"No member with id {owner_id} in this workspace."
        opportunity.owner_id = owner_id
    if "team_id" in data:
        team_id = data["team_id"]
        if team_id is not None and not Team.objects.filter(workspace=workspace, pk=team_id).exists():
            errors["team_id"] = f"No team with id {team_id} in this workspace."
        opportunity.team_id = team_id


def _money_fields(opportunity: Opportunity, data: Mapping[str, Any], errors: FieldErrors, has_lines: bool) -> None:
    if "currency" in data:
        currency = errors.check(money.currency_code, data["currency"])
        if currency and has_lines and currency != opportunity.currency:
            errors["currency"] = "The deal has line items in its currency; remove them before changing the currency."
        elif currency:
            opportunity.currency = currency
    if "amount" in data:
        if has_lines:
            errors["amount"] = "The amount is the sum of the deal's line items; change those instead."
        else:
            opportunity.amount = errors.check(money.amount, data["amount"] if data["amount"] is not None else 0, field="amount") or Decimal(
                0
            )


def _plain_fields(opportunity: Opportunity, workspace: Workspace, data: Mapping[str, Any], errors: FieldErrors) -> None:
    if "expected_close_date" in data:
        if data["expected_close_date"] is None:
            errors["expected_close_date"] = "A deal needs an expected close date."
        else:
            opportunity.expected_close_date = data["expected_close_date"]
    if "competitors" in data:
        names = list(dict.fromkeys(" ".join(str(name).split())[:100] for name in data["competitors"] or [] if str(name).strip()))
        if len(names) > MAX_COMPETITORS:
            errors["competitors"] = f"Name at most {MAX_COMPETITORS} competitors."
        opportunity.competitors = names
    if "external_id" in data:
        external_id = str(data["external_id"]).strip() if data["external_id"] not in (None, "") else None
        if external_id and len(external_id) > 100:
            errors["external_id"] = "Use at most 100 characters."
        elif (
            external_id
            and Opportunity.objects.filter(workspace=workspace, external_id=external_id).exclude(pk=opportunity.pk or 0).exists()
        ):
            errors["external_id"] = f"Another deal already has the external id {external_id!r}."
        opportunity.external_id = external_id
    if "custom" in data or opportunity.pk is None:
        try:
            opportunity.custom = clean_custom(
                workspace=workspace,
                object_type=ObjectType.OPPORTUNITY,
                values=dict(data.get("custom") or {}),
                existing=opportunity.custom,
                model=Opportunity,
                instance_pk=opportunity.pk,
            )
        except ValidationError as error:
            errors.add(error)


def _pipeline_and_stage(
    opportunity: Opportunity, workspace: Workspace, data: Mapping[str, Any], errors: FieldErrors, at: dt.datetime
) -> bool:
    """Apply pipeline, stage, probability and the lost reason; True when the deal enters a stage."""
    pipeline_id, stage_id = data.get("pipeline_id"), data.get("stage_id")
    previous_pipeline = opportunity.pipeline_id if opportunity.pk else None
    if pipeline_id is not None:
        pipeline = Pipeline.objects.filter(workspace=workspace, pk=pipeline_id).first()
        if pipeline is None:
            errors["pipeline_id"] = f"No pipeline with id {pipeline_id} in this workspace."
            return False
        opportunity.pipeline = pipeline
    elif opportunity.pk is None:
        opportunity.pipeline = sales_setup(workspace=workspace)
    stage = _stage_of(workspace, stage_id, errors) if stage_id is not None else None
    if "stage_id" in errors:
        return False
    if stage is None and opportunity.pk is not None and opportunity.pipeline_id == previous_pipeline:
        if "probability" in data:
            _probability(opportunity, data["probability"], errors)
        return False
    if stage is None:
        if opportunity.pk is not None:
            errors["stage_id"] = "Choose a stage of the new pipeline."
            return False
        stage = _first_stage(opportunity.pipeline, Stage.Kind.OPEN)
    if opportunity.pk is not None and stage.pk == opportunity.stage_id:
        if "probability" in data:
            _probability(opportunity, data["probability"], errors)
        return False
    reason = _lost_reason(workspace, data.get("lost_reason_id"), errors)
    probability = data.get("probability")
    if probability is not None and not (isinstance(probability, int) and 0 <= probability <= 100):
        errors["probability"] = "A probability is a whole percent from 0 to 100."
        probability = None
    try:
        _enter_stage(opportunity, stage, at=at, lost_reason=reason, lost_note=data.get("lost_note"), probability=probability)
    except ValidationError as error:
        errors.add(error)
    return True


def _probability(opportunity: Opportunity, value: Any, errors: FieldErrors) -> None:
    if opportunity.status != Opportunity.Status.OPEN:
        errors["probability"] = "A won or lost deal's probability is its stage's; reopen it to change it."
    elif not (isinstance(value, int) and 0 <= value <= 100):
        errors["probability"] = "A probability is a whole percent from 0 to 100."
    else:
        opportunity.probability = value


def clean_opportunity(
    opportunity: Opportunity, workspace: Workspace, data: Mapping[str, Any], *, at: dt.datetime
) -> tuple[bool, dict[str, Any]]:
    """Apply `data` to an unsaved or existing deal by every rule of a deal. Writes nothing.

    Returns whether the deal enters a new stage, and the children to write after it is saved
    (tags, contacts, line items). Raises one ValidationError naming every bad field.
    """
    errors = FieldErrors()
    has_lines = opportunity.pk is not None and opportunity.line_items.exists()
    _text(opportunity, data, errors)
    _links(opportunity, workspace, data, errors)
    _money_fields(opportunity, data, errors, has_lines)
    _plain_fields(opportunity, workspace, data, errors)
    moved = _pipeline_and_stage(opportunity, workspace, data, errors, at)
    if "forecast_category" in data and "stage_id" not in errors:
        _forecast_category(opportunity, data["forecast_category"], errors)
    if not moved and opportunity.status == Opportunity.Status.LOST and ("lost_reason_id" in data or "lost_note" in data):
        if "lost_reason_id" in data:
            opportunity.lost_reason = _lost_reason(workspace, data["lost_reason_id"], errors)
            if opportunity.lost_reason is None and "lost_reason_id" not in errors:
                errors["lost_reason_id"] = "A lost deal keeps a lost reason."
        if "lost_note" in data:
            opportunity.lost_note = str(data["lost_note"] or "").strip()[:1000]
    if not opportunity.name:
        errors.setdefault("name", "A deal needs a name.")
    if opportunity.account_id is None:
        errors.setdefault("account_id", "A deal belongs to an account.")
    if not opportunity.currency:
        errors.setdefault("currency", "Give the deal's currency, e.g. EUR.")
    children: dict[str, Any] = {}
    if "tags" in data:
        tag_errors: dict[str, str] = {}
        children["tags"] = normalize.tag_names(data["tags"], tag_errors)
        errors.update(tag_errors)
    if data.get("contacts") is not None:
        children["contacts"] = _clean_contacts(workspace, data["contacts"], errors)
    if data.get("line_items") and "amount" in data:
        errors["amount"] = "Give the line items or the amount, not both: the amount is the lines' sum."
    errors.raise_if_any()
    if data.get("line_items") is not None:
        children["line_items"] = data["line_items"]  # checked once the deal is saved: prices depend on its account and currency
    return moved, children


# --- Contacts and their roles ---------------------------------------------------------------------------------------


def _clean_contacts(workspace: Workspace, raw: Sequence[Mapping[str, Any]], errors: FieldErrors) -> list[OpportunityContact]:
    rows = [dict(row) for row in raw]
    if len(rows) > MAX_CONTACTS:
        errors["contacts"] = f"Name at most {MAX_CONTACTS} people per deal."
        return []
    wanted = [row.get("contact_id") for row in rows]
    known = set(
        Contact.objects.filter(
            workspace=workspace, deleted_at__isnull=True, pk__in=[pk for pk in wanted if isinstance(pk, int)]
        ).values_list("pk", flat=True)
    )
    roles: list[OpportunityContact] = []
    seen: set[int] = set()
    for index, row in enumerate(rows):
        contact_id = row.get("contact_id")
        role = row.get("role") or OpportunityContact.Role.OTHER
        if contact_id not in known:
            errors[f"contacts.{index}.contact_id"] = f"No contact with id {contact_id} in this workspace."
        elif contact_id in seen:
            errors[f"contacts.{index}.contact_id"] = "This person is on the deal already."
        if role not in OpportunityContact.Role.values:
            errors[f"contacts.{index}.role"] = f"Choose one of: {', '.join(OpportunityContact.Role.values)}."
        if isinstance(contact_id, int):
            seen.add(contact_id)
            roles.append(OpportunityContact(workspace=workspace, contact_id=contact_id, role=role, is_primary=bool(row.get("is_primary"))))
    if sum(role.is_primary for role in roles) > 1:
        errors["contacts"] = "Only one person is the primary contact of a deal."
    return roles


def _write_contacts(opportunity: Opportunity, roles: list[OpportunityContact], *, creating: bool = False) -> None:
    if not creating:  # a deal just opened has no people to take off
        opportunity.contact_roles.all().delete()
    for role in roles:
        role.opportunity = opportunity
    OpportunityContact.objects.bulk_create(roles)


# --- Line items ---------------------------------------------------------------------------------------------------


def _clean_lines(opportunity: Opportunity, raw: Sequence[Mapping[str, Any]]) -> list[LineItem]:
    """The deal's new lines, priced and totalled; a missing unit price comes from the customer's price books."""
    rows = [dict(row) for row in raw]
    if len(rows) > MAX_LINES:
        raise ValidationError({"line_items": f"A deal has at most {MAX_LINES} lines."})
    workspace, errors = opportunity.workspace, FieldErrors()
    products = products_by_ids(workspace=workspace, ids=[row.get("product_id") for row in rows])
    on_deal = set(opportunity.line_items.values_list("product_id", flat=True)) if opportunity.pk else set()
    unpriced = [row["product_id"] for row in rows if row.get("product_id") in products and row.get("unit_price") is None]
    prices = (
        resolve_prices(workspace=workspace, product_ids=unpriced, currency=opportunity.currency, account=opportunity.account)
        if unpriced
        else {}
    )
    lines = []
    for index, row in enumerate(rows):
        at = f"line_items.{index}"
        product: Product | None = None
        if row.get("product_id") is not None:
            product = products.get(row["product_id"])
            if product is None:
                errors[f"{at}.product_id"] = f"No product with id {row['product_id']} in this workspace."
                continue
            if not product.active and product.pk not in on_deal:
                errors[f"{at}.product_id"] = f"{product.sku} is inactive; choose another product."
        line = _clean_line(opportunity, row, product, prices, at, errors)
        if line is not None:
            line.position = index
            lines.append(line)
    errors.raise_if_any()
    return lines


def _clean_line(
    opportunity: Opportunity, row: dict[str, Any], product: Product | None, prices: dict[int, Any], at: str, errors: FieldErrors
) -> LineItem | None:
    name = " ".join(str(row.get("name") or (product.name if product else "")).split())[:200]
    if not name:
        errors[f"{at}.name"] = "Name the item, or choose a product."
    quantity = errors.check(money.amount, row.get("quantity", 1), field=f"{at}.quantity", places=Decimal("0.001"))
    if quantity is not None and quantity <= 0:
        errors[f"{at}.quantity"] = "Must be more than 0."
    unit_price = row.get("unit_price")
    if unit_price is None and product is not None:
        resolved = prices.get(product.pk)
        if resolved is None:
            errors[f"{at}.unit_price"] = f"No price book prices {product.sku} in {opportunity.currency}; give a unit price."
        unit_price = resolved.unit_price if resolved else None
    elif unit_price is None:
        errors[f"{at}.unit_price"] = "Give a unit price."
    price = errors.check(money.amount, unit_price, field=f"{at}.unit_price") if unit_price is not None else None
    discount = errors.check(_percent, row.get("discount_percent"), field=f"{at}.discount_percent")
    tax_rate = errors.check(
        _percent, row["tax_rate"] if row.get("tax_rate") is not None else (product.tax_rate if product else 0), field=f"{at}.tax_rate"
    )
    if quantity is None or quantity <= 0 or price is None or discount is None or tax_rate is None or not name:
        return None
    totals = line_totals(quantity=quantity, unit_price=price, discount_percent=discount, tax_rate=tax_rate, currency=opportunity.currency)
    return LineItem(
        workspace=opportunity.workspace,
        product=product,
        name=name,
        sku=product.sku if product else "",
        quantity=quantity,
        unit_price=price,
        discount_percent=discount,
        tax_rate=tax_rate,
        net_amount=totals.net,
        tax_amount=totals.tax,
        total_amount=totals.total,
    )


def _percent(value: Any, *, field: str) -> Decimal:
    number = money.amount(value if value not in (None, "") else 0, field=field)
    if number > 100:
        raise ValidationError({field: "Must be at most 100."})
    return number


def _write_lines(opportunity: Opportunity, lines: list[LineItem]) -> None:
    """Replace the deal's lines; with lines, the deal's amount is their net sum."""
    opportunity.line_items.all().delete()
    for line in lines:
        line.opportunity = opportunity
    LineItem.objects.bulk_create(lines)
    if lines:
        opportunity.amount = sum((line.net_amount for line in lines), Decimal("0.00"))
        opportunity.save(update_fields=["amount", "updated_at"])


# --- Create, update -------------------------------------------------------------------------------------------------


def _save(*, actor: User, workspace: Workspace, opportunity: Opportunity, data: Mapping[str, Any]) -> Opportunity:
    creating = opportunity.pk is None
    before = _snapshot(opportunity)
    previous_stage = opportunity.stage if not creating else None
    at = opportunity.created_at if creating else timezone.now()  # a new deal enters its first stage when it is created
    moved, children = clean_opportunity(opportunity, workspace, data, at=at)
    opportunity.workspace = workspace
    opportunity.save()
    if "line_items" in children:
        _write_lines(opportunity, _clean_lines(opportunity, children["line_items"]))
    if moved:
        _write_stage_change(opportunity, previous_stage, actor=actor)
    if "tags" in children:
        set_tags(opportunity, workspace, children["tags"])
    if "contacts" in children:
        _write_contacts(opportunity, children["contacts"], creating=creating)
    created = {"tags": children.get("tags"), "line_items": children.get("line_items"), "contacts": children.get("contacts", [])}
    _record(
        actor=actor,
        opportunity=opportunity,
        before=before,
        action=AuditEntry.Action.CREATE if creating else None,
        created=created if creating else None,
    )
    return opportunity


@transaction.atomic
def opportunity_create(*, actor: User, workspace: Workspace, data: Mapping[str, Any]) -> Opportunity:
    """Open a deal with an account: in the default pipeline's first stage unless told otherwise."""
    require(actor, workspace, Action.ADD, ObjectType.OPPORTUNITY)
    opportunity = Opportunity(workspace=workspace, owner=actor, expected_close_date=timezone.localdate() + DEFAULT_CLOSE_IN)
    return _save(actor=actor, workspace=workspace, opportunity=opportunity, data=data)


@transaction.atomic
def opportunity_update(*, actor: User, opportunity: Opportunity, data: Mapping[str, Any]) -> Opportunity:
    """Change some fields of a deal; a new `stage_id` moves it (and is written to its stage history)."""
    require(actor, opportunity.workspace, Action.CHANGE, ObjectType.OPPORTUNITY)
    return _save(actor=actor, workspace=opportunity.workspace, opportunity=opportunity, data=data)


# --- Moving through the pipeline ------------------------------------------------------------------------------------


@transaction.atomic
def opportunity_move_stage(
    *,
    actor: User,
    opportunity: Opportunity,
    stage: Stage,
    lost_reason: LostReason | None = None,
    lost_note: str | None = None,
    probability: int | None = None,
) -> Opportunity:
    """Move a deal to another stage of its pipeline; a lost stage needs a reason. Moving to the stage it is in changes nothing."""
    require(actor, opportunity.workspace, Action.CHANGE, ObjectType.OPPORTUNITY)
    if stage.pk == opportunity.stage_id:
        return opportunity
    if lost_reason is not None and (lost_reason.workspace_id != opportunity.workspace_id or not lost_reason.active):
        raise ValidationError({"lost_reason_id": "Choose an active lost reason of this workspace."})
    if probability is not None and not 0 <= probability <= 100:
        raise ValidationError({"probability": "A probability is a whole percent from 0 to 100."})
    before = _snapshot(opportunity)
    previous = opportunity.stage
    _enter_stage(opportunity, stage, at=timezone.now(), lost_reason=lost_reason, lost_note=lost_note, probability=probability)
    opportunity.save()
    change = _write_stage_change(opportunity, previous, actor=actor)
    _record(actor=actor, opportunity=opportunity, before=before)
    if is_backward(previous, stage):
        transaction.on_commit(partial(alert_deal_moved_backward.enqueue, stage_change_id=change.pk))
    return opportunity


@transaction.atomic
def opportunity_set_forecast_category(*, actor: User, opportunity: Opportunity, category: str | None) -> Opportunity:
    """Put an open deal in a forecast category (pipeline, best case, commit, omitted); none gives it its stage's again."""
    require(actor, opportunity.workspace, Action.CHANGE, ObjectType.OPPORTUNITY)
    errors = FieldErrors()
    before = _snapshot(opportunity)
    _forecast_category(opportunity, category, errors)
    errors.raise_if_any()
    opportunity.save(update_fields=["forecast_category", "forecast_category_chosen", "updated_at"])
    _record(actor=actor, opportunity=opportunity, before=before)
    return opportunity


def opportunity_win(*, actor: User, opportunity: Opportunity) -> Opportunity:
    """Mark a deal won: it moves to its pipeline's (first) won stage."""
    return opportunity_move_stage(actor=actor, opportunity=opportunity, stage=_first_stage(opportunity.pipeline, Stage.Kind.WON))


def opportunity_lose(*, actor: User, opportunity: Opportunity, lost_reason: LostReason, lost_note: str = "") -> Opportunity:
    """Mark a deal lost, saying why: it moves to its pipeline's (first) lost stage."""
    stage = _first_stage(opportunity.pipeline, Stage.Kind.LOST)
    return opportunity_move_stage(actor=actor, opportunity=opportunity, stage=stage, lost_reason=lost_reason, lost_note=lost_note)


def opportunity_reopen(*, actor: User, opportunity: Opportunity, stage: Stage | None = None) -> Opportunity:
    """Open a won or lost deal again: in the given open stage, else the open stage it was last in."""
    if opportunity.status == Opportunity.Status.OPEN:
        raise ValidationError({"status": "This deal is open already."})
    if stage is not None and stage.kind != Stage.Kind.OPEN:
        raise ValidationError({"stage_id": "Reopen a deal into an open stage."})
    if stage is None:
        last_open = (
            StageChange.objects.filter(opportunity=opportunity, to_kind=Stage.Kind.OPEN, to_stage__pipeline=opportunity.pipeline_id)
            .order_by("-changed_at", "-id")
            .select_related("to_stage")
            .first()
        )
        stage = last_open.to_stage if last_open and last_open.to_stage else _first_stage(opportunity.pipeline, Stage.Kind.OPEN)
    return opportunity_move_stage(actor=actor, opportunity=opportunity, stage=stage)


# --- Lines and people ---------------------------------------------------------------------------------------------


@transaction.atomic
def opportunity_set_line_items(*, actor: User, opportunity: Opportunity, items: Sequence[Mapping[str, Any]]) -> Opportunity:
    """Replace a deal's line items; its amount becomes their net sum. A line without a unit price is priced from the catalog."""
    require(actor, opportunity.workspace, Action.CHANGE, ObjectType.OPPORTUNITY)
    before = _snapshot(opportunity)
    _write_lines(opportunity, _clean_lines(opportunity, items))
    _record(actor=actor, opportunity=opportunity, before=before)
    return opportunity


@transaction.atomic
def opportunity_set_contacts(*, actor: User, opportunity: Opportunity, contacts: Sequence[Mapping[str, Any]]) -> Opportunity:
    """Replace the people on a deal and their roles (decision maker, influencer, champion, user, other)."""
    require(actor, opportunity.workspace, Action.CHANGE, ObjectType.OPPORTUNITY)
    errors = FieldErrors()
    roles = _clean_contacts(opportunity.workspace, contacts, errors)
    errors.raise_if_any()
    before = _snapshot(opportunity)
    _write_contacts(opportunity, roles)
    _record(actor=actor, opportunity=opportunity, before=before)
    return opportunity


# --- Bin, restore and bulk changes ----------------------------------------------------------------------------------


@transaction.atomic
def opportunity_soft_delete(*, actor: User, opportunity: Opportunity) -> None:
    """Move a deal to the bin: gone from lists, boards and timelines, recoverable."""
    require(actor, opportunity.workspace, Action.DELETE, ObjectType.OPPORTUNITY)
    if opportunity.deleted_at is None:
        opportunity.deleted_at = timezone.now()
        opportunity.save(update_fields=["deleted_at", "updated_at"])
        audit.record(
            actor=actor,
            workspace=opportunity.workspace,
            action=AuditEntry.Action.DELETE,
            obj=opportunity,
            changes={"deleted": [False, True]},
        )
        transaction.on_commit(partial(index_records, object_type="opportunity", ids=[opportunity.pk]))


@transaction.atomic
def opportunity_restore(*, actor: User, opportunity: Opportunity) -> None:
    """Bring a deal back from the bin."""
    require(actor, opportunity.workspace, Action.DELETE, ObjectType.OPPORTUNITY)
    if opportunity.deleted_at is not None:
        opportunity.deleted_at = None
        opportunity.save(update_fields=["deleted_at", "updated_at"])
        audit.record(
            actor=actor,
            workspace=opportunity.workspace,
            action=AuditEntry.Action.RESTORE,
            obj=opportunity,
            changes={"deleted": [True, False]},
        )
        transaction.on_commit(partial(index_records, object_type="opportunity", ids=[opportunity.pk]))


@transaction.atomic
def bulk_save(*, actor: User, workspace: Workspace, rows: Sequence[Mapping[str, Any]]) -> list[Opportunity]:
    """Create (no `id`) or update (with `id`) up to 1,000 deals: all of them, or none with an error per row."""
    if len(rows) > BULK_LIMIT:
        raise ValidationError({"items": f"Send at most {BULK_LIMIT} deals per call."})
    ids = [row["id"] for row in rows if row.get("id")]
    existing = {
        deal.pk: deal
        for deal in Opportunity.objects.filter(workspace=workspace, deleted_at__isnull=True, pk__in=ids).select_related("stage", "pipeline")
    }
    saved: list[Opportunity] = []
    errors = FieldErrors()
    for index, row in enumerate(rows):
        data = {key: value for key, value in row.items() if key != "id"}
        try:
            with transaction.atomic():
                if row.get("id") and row["id"] not in existing:
                    raise ValidationError({"id": f"No deal with id {row['id']} in this workspace."})
                deal = existing.get(row.get("id") or 0)
                saved.append(
                    opportunity_update(actor=actor, opportunity=deal, data=data)
                    if deal
                    else opportunity_create(actor=actor, workspace=workspace, data=data)
                )
        except ValidationError as error:
            errors.add(error, prefix=f"items.{index}.")
    errors.raise_if_any()
    return saved


@transaction.atomic
def bulk_assign_owner(*, actor: User, opportunities: list[Opportunity], owner: User | None) -> int:
    """Give many deals one owner."""
    for opportunity in opportunities:
        opportunity_update(actor=actor, opportunity=opportunity, data={"owner_id": owner.pk if owner else None})
    return len(opportunities)


@transaction.atomic
def bulk_tag(*, actor: User, opportunities: list[Opportunity], add: list[str]) -> int:
    """Add tags to many deals, keeping the tags they have."""
    for opportunity in opportunities:
        current = opportunity.tags.values_list("name", flat=True)
        opportunity_update(actor=actor, opportunity=opportunity, data={"tags": sorted({*current, *add})})
    return len(opportunities)


@transaction.atomic
def bulk_soft_delete(*, actor: User, opportunities: list[Opportunity]) -> int:
    """Move many deals to the bin at once."""
    for opportunity in opportunities:
        opportunity_soft_delete(actor=actor, opportunity=opportunity)
    return len(opportunities)
