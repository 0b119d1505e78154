"""What the imports API takes and gives."""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Schema


class ImportOut(Schema):
    id: int
    kind: str
    file_name: str
    status: str
    message: str
    mapping: dict[str, str]
    on_match: str
    all_or_nothing: bool
    dry_run: bool
    total: int | None
    processed: int
    progress: float = Field(description="0.0 to 1.0")
    created: int
    updated: int
    skipped: int
    failed: int
    rows_per_second: float | None
    resumable: bool = Field(
        description="An error stopped it (or its search indexing) part-way; POST …/resume goes on after the batches that landed."
    )
    search_status: str = Field(
        description="Indexing what it wrote for search, after the import: '' (nothing to index), pending, indexing, done or failed. "
        "Until done, the records are in lists and filters but not all in search."
    )
    search_total: int = Field(description="Records to index for search.")
    search_indexed: int = Field(description="Records indexed for search so far.")
    search_progress: float = Field(description="0.0 to 1.0")
    created_by_id: int | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    undone_at: datetime | None


class ImportPreviewOut(Schema):
    headers: list[str]
    suggested_mapping: dict[str, str]
    fields: dict[str, str] = Field(description="Every field a column can go to, with its label.")
    rows: list[list[str]]


class ImportStartIn(Schema):
    mapping: dict[str, str] | None = Field(None, description="Column header → field; '' ignores the column. Omitted: as suggested.")
    on_match: str | None = Field(None, description="skip, update or create")
    all_or_nothing: bool | None = None
    dry_run: bool | None = None


class ImportErrorOut(Schema):
    id: int
    row: int
    field: str
    message: str
