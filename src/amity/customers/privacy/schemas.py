"""The privacy API's shapes: erasures, retention rules, their previews and runs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Field, Schema


class ErasureIn(Schema):
    contact_id: int = Field(..., description="The person whose data is erased, everywhere. This cannot be undone.")


class ErasureOut(Schema):
    id: int
    contact_id: int
    status: str = Field(..., description="queued, running, done or failed.")
    progress: float = Field(..., description="From 0 to 1.")
    step: str
    counts: dict[str, int] = Field(..., description="Rows erased or pseudonymized per kind of record.")
    requested_by_id: int | None
    requested_by_label: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    error: str


class RetentionRuleIn(Schema):
    object_type: str = Field(..., description="lead, contact, case or interaction.")
    untouched_months: int = Field(..., description="Records not changed for this many months are let go (1 to 1200).")
    status: str = Field(
        "", description="Only records in this status: a lead's or a case's status, a contact's stage, an interaction's channel."
    )
    action: str = Field(
        ..., description="delete (leads, contacts, interactions), erase (contacts), anonymise (leads, cases, interactions)."
    )
    enabled: bool = Field(False, description="Off until switched on; look at the preview first.")


class RetentionRulePatch(Schema):
    object_type: str | None = None
    untouched_months: int | None = None
    status: str | None = None
    action: str | None = None
    enabled: bool | None = None


class RetentionRuleOut(Schema):
    id: int
    object_type: str
    untouched_months: int
    status: str
    action: str
    enabled: bool
    description: str = Field(..., description="The rule in words.")
    created_at: datetime
    updated_at: datetime
    last_run_at: datetime | None

    @staticmethod
    def resolve_description(rule: Any) -> str:
        return str(rule)


class RetentionPreviewRow(Schema):
    id: int
    name: str
    updated_at: datetime


class RetentionPreviewOut(Schema):
    count: int = Field(..., description="How many records the rule would let go if it ran now.")
    first: list[RetentionPreviewRow] = Field(..., description="The first few of them, oldest id first.")


class RetentionRunOut(Schema):
    id: int
    rule_id: int | None
    rule_label: str
    status: str = Field(..., description="queued, running, done or failed.")
    progress: float
    matched: int
    processed: int
    triggered_by_label: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    error: str
