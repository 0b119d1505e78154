"""Background work of sales: the alert for a large deal moved backward, sent after the move commits."""

from __future__ import annotations

from amity.core.taskrunner import retrying_task
from amity.sales import alerts


@retrying_task()
def alert_deal_moved_backward(*, stage_change_id: int) -> int:
    """Tell a large deal's owner and their managers that it moved back a stage (once, however often this runs)."""
    return alerts.alert_moved_backward(stage_change_id=stage_change_id)
