"""The import's background task: run it from its last committed batch, again after a failure."""

from __future__ import annotations

from amity.core.taskrunner import retrying_task
from amity.imports import leads, services


def _give_up(import_id: int, *, error: Exception) -> None:
    services.import_give_up(import_id=import_id, error=error)


@retrying_task(max_attempts=3, on_give_up=_give_up)
def run_import(import_id: int) -> None:
    """Import a file's rows; a retry goes on after the last batch that landed, so no batch is written twice."""
    try:
        services.import_execute(import_id=import_id)
    except Exception as error:
        services.import_note_error(import_id=import_id, error=error)
        raise


@retrying_task(max_attempts=3)
def follow_up_lead_batch(batch_id: int) -> None:
    """Assign an imported batch's new leads by the assignment rules and score its leads (safe to run again)."""
    leads.lead_import_followup(batch_id=batch_id)


def _give_up_indexing(import_id: int, *, error: Exception) -> None:
    services.import_index_give_up(import_id=import_id, error=error)


@retrying_task(max_attempts=3, on_give_up=_give_up_indexing)
def index_import_for_search(import_id: int) -> None:
    """Index for search what an import wrote; a retry goes on after the last batch indexed."""
    services.import_index_for_search(import_id=import_id)


@retrying_task(max_attempts=1)
def requeue_stalled_imports() -> None:
    """Periodic: queue again the imports (and their search indexing) a killed worker left half-way."""
    services.requeue_stalled()
