"""Background work of privacy: carrying out an erasure, and the retention rules' daily sweep."""

from __future__ import annotations

from amity.core.taskrunner import retrying_task
from amity.customers.privacy import retention
from amity.customers.privacy.erasure import mark_erasure_failed, run_erasure


@retrying_task(max_attempts=3, on_give_up=mark_erasure_failed)
def erase_contact(erasure_id: int) -> str:
    """Erase one person's data everywhere, keeping the erasure's progress current (safe to run again: every step is)."""
    return run_erasure(erasure_id).status


@retrying_task(max_attempts=3, on_give_up=retention.mark_run_failed)
def run_retention(run_id: int) -> str:
    """Apply one retention rule now, as a member asked (a run already done is left alone)."""
    return retention.run_retention_now(run_id).status


@retrying_task(max_attempts=1)
def apply_retention_rules() -> int:
    """Apply the enabled retention rules that are due (the worker's scheduler enqueues this every minute; each rule runs daily)."""
    return len(retention.apply_due_rules())
