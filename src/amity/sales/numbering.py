"""Document numbers (Q-2026-0042, SO-2026-0007, INV-2026-0131): one series per workspace, kind and year, without gaps.

The counter is bumped with an UPDATE inside the caller's transaction. The UPDATE takes the row's
write lock (on PostgreSQL the row, on SQLite the database), so two documents written at once get
two consecutive numbers, and a transaction that rolls back gives its number back.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from amity.core.models import Workspace
from amity.sales.models import DocumentSequence


def next_number(*, workspace: Workspace, prefix: str, on: dt.date | None = None) -> str:
    """The next number of a series, e.g. `next_number(prefix="Q")` → "Q-2026-0042". Call it inside the writing transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Take a document number inside the transaction that writes the document.")
    year = (on or timezone.localdate()).year
    series = DocumentSequence.objects.filter(workspace=workspace, prefix=prefix, year=year)
    if not series.update(last_number=F("last_number") + 1):
        try:
            with transaction.atomic():
                DocumentSequence.objects.create(workspace=workspace, prefix=prefix, year=year, last_number=1)
        except IntegrityError:  # another transaction opened the series first: take the next number of it
            series.update(last_number=F("last_number") + 1)
    number = series.values_list("last_number", flat=True).get()
    return f"{prefix}-{year}-{number:04d}"
