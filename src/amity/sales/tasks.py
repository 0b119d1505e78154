"""Background work of sales: scoring every lead again after the scoring rules changed, and the alert for a large
deal moved backward, sent after the move commits."""

from __future__ import annotations

from amity.core.taskrunner import retrying_task
from amity.sales import alerts
from amity.sales.services.lead_scoring import mark_rescore_failed, run_rescore


@retrying_task(max_attempts=3, on_give_up=mark_rescore_failed)
def rescore_leads(rescore_id: int) -> int:
    """Score every lead of a workspace by the current rules, batch by batch, with the run's progress kept current."""
    return run_rescore(rescore_id).changed


@retrying_task()
def alert_deal_moved_backward(*, stage_change_id: int) -> int:
    """Tell a large deal's owner and their managers that it moved back a stage (once, however often this runs)."""
    return alerts.alert_moved_backward(stage_change_id=stage_change_id)
