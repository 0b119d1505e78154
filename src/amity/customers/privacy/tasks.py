"""Background work of privacy: carrying out an erasure, and the retention rules' daily sweep."""

from __future__ import annotations

from amity.core.taskrunner import retrying_task
from amity.customers.privacy.erasure import mark_erasure_failed, run_erasure


@retrying_task(max_attempts=3, on_give_up=mark_erasure_failed)
def erase_contact(erasure_id: int) -> str:
    """Erase one person's data everywhere, keeping the erasure's progress current (safe to run again: every step is)."""
    return run_erasure(erasure_id).status
