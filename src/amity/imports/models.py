"""Imports of contacts, accounts and leads from CSV and XLSX files: the file, its mapping, its progress, and every row's outcome."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from amity.core.models import User
from amity.core.tenancy import WorkspaceScopedModel


class Import(WorkspaceScopedModel):
    """One file of contacts, accounts or leads brought into a workspace, batch by batch, with a report and an undo."""

    class Kind(models.TextChoices):
        CONTACTS = "contacts", "Contacts"
        ACCOUNTS = "accounts", "Accounts"
        LEADS = "leads", "Leads"

    class OnMatch(models.TextChoices):
        SKIP = "skip", "Skip the row"
        UPDATE = "update", "Update the existing record"
        CREATE = "create", "Create another record"

    class Status(models.TextChoices):
        UPLOADED = "uploaded", "Uploaded, not started"
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"
        UNDONE = "undone", "Undone"

    class SearchStatus(models.TextChoices):
        NONE = "", "Nothing to index"
        PENDING = "pending", "Waiting to be indexed for search"
        INDEXING = "indexing", "Indexing for search"
        DONE = "done", "Indexed for search"
        FAILED = "failed", "Indexing for search failed"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    file = models.FileField(upload_to="imports/", max_length=300)
    file_name = models.CharField(max_length=200, help_text="The name of the file as uploaded.")
    mapping = models.JSONField(default=dict, blank=True, help_text="Column header → field; an empty field ignores the column.")
    on_match = models.CharField(max_length=10, choices=OnMatch.choices, default=OnMatch.SKIP)
    all_or_nothing = models.BooleanField(default=False, help_text="Import nothing if any row is bad.")
    dry_run = models.BooleanField(default=False, help_text="Check every row and report, but write nothing.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.UPLOADED)
    message = models.CharField(max_length=500, blank=True, help_text="Why it failed, or a summary.")
    batch_size = models.PositiveIntegerField(default=5000)
    last_batch = models.IntegerField(default=-1, help_text="The last batch committed; a restarted import goes on after it.")
    total = models.PositiveIntegerField(null=True, blank=True, help_text="Rows in the file, once counted.")
    processed = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    undone_at = models.DateTimeField(null=True, blank=True)
    # Search indexing runs after the import, in its own task, so that the import's batches write only the records.
    search_status = models.CharField(
        max_length=10, choices=SearchStatus.choices, default=SearchStatus.NONE, blank=True, help_text="Indexing what it wrote for search."
    )
    search_total = models.PositiveIntegerField(default=0, help_text="Records the import wrote that search must index.")
    search_indexed = models.PositiveIntegerField(default=0)
    last_indexed_batch = models.IntegerField(default=-1, help_text="The last batch indexed for search; indexing goes on after it.")
    progress_at = models.DateTimeField(
        null=True, blank=True, help_text="When the import or its search indexing last moved on: the sweeper requeues a stalled one."
    )

    class Meta:
        indexes = [models.Index(fields=["workspace", "-created_at", "-id"], name="import_ws_recent")]

    def __str__(self) -> str:
        return f"Import of {self.kind} from {self.file_name}"

    @property
    def progress(self) -> float:
        """The share of rows processed, 0.0 to 1.0."""
        if self.status in {self.Status.DONE, self.Status.UNDONE}:
            return 1.0
        return min(1.0, self.processed / self.total) if self.total else 0.0

    @property
    def resumable(self) -> bool:
        """Stopped by an error part-way (its rows or their search indexing): starting it again goes on after the last batch done."""
        stopped = self.status == self.Status.FAILED and self.total is not None and self.processed < self.total
        return stopped or self.search_status == self.SearchStatus.FAILED

    @property
    def indexing_for_search(self) -> bool:
        """What it wrote is in lists and filters already, but not yet (all) in search."""
        return self.search_status in {self.SearchStatus.PENDING, self.SearchStatus.INDEXING}

    @property
    def search_progress(self) -> float:
        """The share of the records it wrote that search has indexed, 0.0 to 1.0."""
        if self.search_status == self.SearchStatus.DONE:
            return 1.0
        return min(1.0, self.search_indexed / self.search_total) if self.search_total else 0.0

    @property
    def rows_per_second(self) -> float | None:
        if not self.started_at or not self.processed:
            return None
        seconds = ((self.finished_at or timezone.now()) - self.started_at).total_seconds()
        return round(self.processed / seconds, 1) if seconds > 0 else None


class ImportBatch(WorkspaceScopedModel):
    """One committed batch of an import: every row's outcome, written in the same transaction as the rows."""

    import_run = models.ForeignKey(Import, on_delete=models.CASCADE, related_name="batches")
    number = models.PositiveIntegerField()
    first_row = models.PositiveIntegerField()
    last_row = models.PositiveIntegerField()
    outcomes = models.JSONField(default=list, help_text="[row, outcome, record id, message] per row.")
    created_ids = models.JSONField(default=list, help_text="Records this batch created (for undo).")
    created_account_ids = models.JSONField(default=list, help_text="Accounts a contact import created for its Company column.")
    before = models.JSONField(default=dict, help_text="Each updated record's fields before the import (for undo).")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["import_run", "number"], name="importbatch_unique_number")]

    def __str__(self) -> str:
        return f"Batch {self.number} of import {self.import_run_id}"


class ImportRowError(WorkspaceScopedModel):
    """What was wrong with one field of one row of an import."""

    import_run = models.ForeignKey(Import, on_delete=models.CASCADE, related_name="errors")
    row = models.PositiveIntegerField(help_text="The row in the file; the header is row 1.")
    field = models.CharField(max_length=200, help_text="The column (and the field it maps to).")
    message = models.CharField(max_length=500)

    class Meta:
        indexes = [models.Index(fields=["import_run", "row", "id"], name="importerror_row")]

    def __str__(self) -> str:
        return f"Row {self.row}: {self.field}: {self.message}"
