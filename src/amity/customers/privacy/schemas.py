"""The privacy API's shapes: erasures in and out."""

from __future__ import annotations

from datetime import datetime

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
