"""Background work of the timeline: reminders of due tasks."""

from __future__ import annotations

from amity.activities import services
from amity.core.taskrunner import retrying_task


@retrying_task(max_attempts=1)
def send_due_reminders() -> int:
    """Send every task reminder whose time has come (the worker's scheduler enqueues this every minute).

    No retry of its own: the next minute's run picks up whatever this one did not finish.
    """
    return services.send_due_reminders()
