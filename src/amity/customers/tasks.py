"""Background work of customers: the search for duplicates over a whole workspace, and the automatic merging after it."""

from __future__ import annotations

from amity.core.taskrunner import retrying_task
from amity.customers.automerge import merge_exact_matches
from amity.customers.dedupe.services import mark_scan_failed, run_scan


@retrying_task(max_attempts=2, on_give_up=mark_scan_failed)
def scan_duplicates(scan_id: int) -> int:
    """Find the workspace's duplicate contacts and accounts, keep them for review, merge the exact matches if the workspace asks; with progress."""
    return run_scan(scan_id, then=merge_exact_matches).pairs_found
