"""Background work of the sales app: scoring every lead again after the scoring rules changed."""

from __future__ import annotations

from amity.core.taskrunner import retrying_task
from amity.sales.services.lead_scoring import mark_rescore_failed, run_rescore


@retrying_task(max_attempts=3, on_give_up=mark_rescore_failed)
def rescore_leads(rescore_id: int) -> int:
    """Score every lead of a workspace by the current rules, batch by batch, with the run's progress kept current."""
    return run_rescore(rescore_id).changed
