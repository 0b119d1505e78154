"""Background work of customers: the search for duplicates over a whole workspace."""

from __future__ import annotations

from amity.core.taskrunner import retrying_task
from amity.customers.dedupe.services import mark_scan_failed, run_scan


@retrying_task(max_attempts=2, on_give_up=mark_scan_failed)
def scan_duplicates(scan_id: int) -> int:
    """Find the workspace's duplicate contacts and accounts, keep them as candidates for review, with the scan's progress kept current."""
    return run_scan(scan_id).pairs_found
