"""What the API takes in and gives out for pipelines, lost reasons and deals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Field, Schema

from amity.sales.totals import deal_totals, line_totals

# --- Pipelines and lost reasons ------------------------------------------------------------------------------


class StageIn(Schema):
    id: int | None = Field(None, description="An existing stage's id keeps it (and its deals); leave it out for a new stage.")
    name: str = Field(..., min_length=1, max_length=80)
    probability: int | None = Field(
        None, ge=0, le=100, description="Default win probability in percent (won 100, lost 0, open 50 if left out)."
    )
    kind: str = Field("open", description="open, won or lost")
    forecast_category: str | None = Field(
        None,
        description="What deals entering the stage are forecast as: pipeline, best_case, commit or omitted for open stages "
        "(by probability if left out); won stages are closed and lost ones omitted.",
    )


class StageOut(Schema):
    id: int
    name: str
    position: int
    probability: int
    kind: str
    forecast_category: str


class PipelineIn(Schema):
    name: str = Field(..., min_length=1, max_length=120)
    is_default: bool = False
    position: int = Field(0, ge=0, le=1000)
    stages: list[StageIn] = Field(..., min_length=1, max_length=30, description="In order; at least one open, one won and one lost stage.")


class PipelinePatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=120)
    is_default: bool | None = None
    position: int | None = Field(None, ge=0, le=1000)
    stages: list[StageIn] | None = Field(None, min_length=1, max_length=30, description="The whole new list, in order.")


class PipelineOut(Schema):
    id: int
    name: str
    is_default: bool
    position: int
    stages: list[StageOut]
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_stages(pipeline: Any) -> list[Any]:
        return list(pipeline.stages.all())


class LostReasonIn(Schema):
    name: str = Field(..., min_length=1, max_length=120)
    position: int = Field(0, ge=0, le=1000)
    active: bool = True


class LostReasonPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=120)
    position: int | None = Field(None, ge=0, le=1000)
    active: bool | None = None


class LostReasonOut(Schema):
    id: int
    name: str
    position: int
    active: bool


# --- Deals ----------------------------------------------------------------------------------------------------------


class ContactRoleIn(Schema):
    contact_id: int
    role: str = Field("other", description="decision_maker, influencer, champion, user or other")
    is_primary: bool = False


class ContactRoleOut(Schema):
    contact_id: int
    name: str = Field(..., alias="contact.full_name")
    role: str
    is_primary: bool


class LineItemIn(Schema):
    product_id: int | None = Field(None, description="A catalog product; leave it out for a free-text line with a name and a unit price.")
    name: str | None = Field(None, max_length=200, description="The product's name if left out.")
    quantity: Decimal = Field(Decimal(1), gt=0)
    unit_price: Decimal | None = Field(None, description="The customer's price from the price books if left out.")
    discount_percent: Decimal = Field(Decimal(0), ge=0, le=100)
    tax_rate: Decimal | None = Field(None, ge=0, le=100, description="Percent; the product's tax rate if left out.")


class LineItemOut(Schema):
    id: int
    product_id: int | None
    name: str
    sku: str
    quantity: Decimal
    unit_price: Decimal
    discount_percent: Decimal
    tax_rate: Decimal
    net_amount: Decimal
    tax_amount: Decimal
    total_amount: Decimal


class TotalsOut(Schema):
    subtotal: Decimal = Field(..., description="Quantity × unit price over all lines, before discounts.")
    discount: Decimal
    net: Decimal = Field(..., description="After discounts, before tax: the deal's amount.")
    tax: Decimal
    total: Decimal


class _OpportunityFields(Schema):
    pipeline_id: int | None = Field(None, description="The default pipeline if left out.")
    stage_id: int | None = Field(None, description="The pipeline's first open stage if left out.")
    amount: Decimal | None = Field(None, description="Net of discounts, before tax; the line items' sum when there are any.")
    expected_close_date: dt.date | None = None
    probability: int | None = Field(None, ge=0, le=100, description="The stage's default if left out.")
    owner_id: int | None = None
    team_id: int | None = None
    next_step: str | None = Field(None, max_length=300)
    description: str | None = Field(None, max_length=20_000)
    competitors: list[str] | None = Field(None, max_length=20)
    source: str | None = Field(None, max_length=100)
    lost_reason_id: int | None = Field(None, description="Required to create or put a deal in a lost stage.")
    lost_note: str | None = Field(None, max_length=1000)
    external_id: str | None = None
    custom: dict[str, Any] | None = None
    tags: list[str] | None = Field(None, max_length=100)
    contacts: list[ContactRoleIn] | None = Field(None, max_length=50)
    forecast_category: str | None = Field(
        None, description="pipeline, best_case, commit or omitted for an open deal; null gives it its stage's category again."
    )


class OpportunityIn(_OpportunityFields):
    name: str = Field(..., min_length=1, max_length=200)
    account_id: int
    currency: str = Field(..., description="ISO 4217 code, e.g. EUR.")
    line_items: list[LineItemIn] | None = Field(None, max_length=200)


class OpportunityPatch(_OpportunityFields):
    name: str | None = Field(None, min_length=1, max_length=200)
    account_id: int | None = None
    currency: str | None = None


class OpportunityBulkItem(OpportunityPatch):
    id: int | None = Field(
        None, description="Give an id to update that deal; leave it out to create one (then name, account_id, currency)."
    )
    line_items: list[LineItemIn] | None = Field(None, max_length=200)


class OpportunityOut(Schema):
    id: int
    name: str
    account_id: int
    account_name: str = Field(..., alias="account.name")
    pipeline_id: int
    stage_id: int
    stage_name: str = Field(..., alias="stage.name")
    status: str
    amount: Decimal
    currency: str
    probability: int
    weighted_amount: Decimal
    forecast_category: str = Field(..., description="pipeline, best_case, commit, closed (won) or omitted.")
    forecast_category_chosen: bool = Field(..., description="True when the rep chose it rather than taking the stage's.")
    expected_close_date: dt.date
    owner_id: int | None
    team_id: int | None
    next_step: str
    description: str
    competitors: list[str]
    source: str
    lost_reason_id: int | None
    lost_reason: str | None
    lost_note: str
    closed_at: dt.datetime | None
    stage_changed_at: dt.datetime
    external_id: str | None
    custom: dict[str, Any]
    tags: list[str]
    contacts: list[ContactRoleOut]
    line_items: list[LineItemOut]
    totals: TotalsOut
    created_at: dt.datetime
    updated_at: dt.datetime
    deleted_at: dt.datetime | None

    @staticmethod
    def resolve_lost_reason(opportunity: Any) -> str | None:
        return opportunity.lost_reason.name if opportunity.lost_reason_id else None

    @staticmethod
    def resolve_tags(opportunity: Any) -> list[str]:
        return sorted(tag.name for tag in opportunity.tags.all())

    @staticmethod
    def resolve_contacts(opportunity: Any) -> list[Any]:
        return list(opportunity.contact_roles.all())

    @staticmethod
    def resolve_line_items(opportunity: Any) -> list[Any]:
        return list(opportunity.line_items.all())

    @staticmethod
    def resolve_totals(opportunity: Any) -> dict[str, Decimal]:
        lines = [
            line_totals(
                quantity=line.quantity,
                unit_price=line.unit_price,
                discount_percent=line.discount_percent,
                tax_rate=line.tax_rate,
                currency=opportunity.currency,
            )
            for line in opportunity.line_items.all()
        ]
        if not lines:  # a deal without lines: its amount, as given
            return {
                "subtotal": opportunity.amount,
                "discount": Decimal("0.00"),
                "net": opportunity.amount,
                "tax": Decimal("0.00"),
                "total": opportunity.amount,
            }
        return vars(deal_totals(lines))


class OpportunityBulkIn(Schema):
    items: list[OpportunityBulkItem] = Field(..., min_length=1, max_length=1000)


class OpportunityBulkOut(Schema):
    items: list[OpportunityOut]


class OpportunityFilterIn(Schema):
    sort: str | None = Field(None, description="-created_at (default), name, amount, expected_close_date, updated_at, each also with -.")
    owner_id: int | None = None
    team_id: int | None = None
    pipeline_id: int | None = None
    stage_id: int | None = None
    status: str | None = Field(None, description="open, won or lost")
    account_id: int | None = None
    contact_id: int | None = None
    close_after: dt.date | None = Field(None, description="Expected close on or after this day.")
    close_before: dt.date | None = Field(None, description="Expected close on or before this day.")
    amount_min: Decimal | None = None
    amount_max: Decimal | None = None
    currency: str | None = None
    tag: str | None = None
    external_id: str | None = None
    created_after: dt.datetime | None = None
    created_before: dt.datetime | None = None
    updated_after: dt.datetime | None = None
    deleted: bool = False


class StageMoveIn(Schema):
    stage_id: int
    lost_reason_id: int | None = Field(None, description="Required when the stage is a lost stage.")
    lost_note: str | None = Field(None, max_length=1000)
    probability: int | None = Field(None, ge=0, le=100, description="For an open stage; the stage's default if left out.")


class LoseIn(Schema):
    lost_reason_id: int
    lost_note: str = Field("", max_length=1000)


class ReopenIn(Schema):
    stage_id: int | None = Field(None, description="An open stage; the one it was last in if left out.")


class LineItemsIn(Schema):
    items: list[LineItemIn] = Field(..., max_length=200, description="The deal's whole new list of lines ([] removes them all).")


class ContactRolesIn(Schema):
    contacts: list[ContactRoleIn] = Field(..., max_length=50, description="The deal's whole new list of people.")


class StageStayOut(Schema):
    id: int
    from_stage_id: int | None
    from_stage: str
    to_stage_id: int | None
    to_stage: str
    kind: str
    changed_at: dt.datetime
    changed_by_id: int | None
    changed_by: str
    amount: Decimal
    currency: str
    probability: int
    left_at: dt.datetime | None = Field(..., description="When it left this stage; null while it is still there (or for a won/lost stage).")
    duration_seconds: int


class StageTotalOut(Schema):
    stage: str
    seconds: int


class StageHistoryOut(Schema):
    items: list[StageStayOut]
    time_in_stage: list[StageTotalOut] = Field(
        ..., description="Total time per stage (a deal can return to a stage), in order of first entry."
    )
