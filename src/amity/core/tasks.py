"""Background work of the core: indexes behind custom fields, alert rules, notification digests and planner statistics."""

from __future__ import annotations

from amity.core import alerts, custom_field_indexes, notifications, planner
from amity.core.taskrunner import retrying_task


@retrying_task()
def sync_custom_field_index(object_type: str, key: str, field_type: str) -> str:
    """Build the index that keeps lists sorted and filtered by a custom field fast, or drop it once no workspace has the field.

    It takes the field's record type, key and type rather than its id: one index serves every workspace
    with that field, and after a deletion there is no id left to look up.
    """
    return custom_field_indexes.sync_index(object_type=object_type, key=key, field_type=field_type)


@retrying_task(max_attempts=1)
def evaluate_alert_rules() -> int:
    """Raise the alerts whose conditions now hold in every workspace (the worker's scheduler enqueues this every 15 minutes).

    No retry of its own: the next run finds whatever this one did not, and alerted records are remembered.
    """
    return alerts.evaluate_all()


@retrying_task(max_attempts=1)
def send_due_digests() -> int:
    """Mail every notification digest that is due (hourly, daily, and immediate ones a first attempt missed); every minute."""
    return notifications.send_due_digests()


@retrying_task()
def send_notification_digests(*, workspace_id: int, user_ids: list[int]) -> int:
    """Mail these people what waits for their digest, now (they want mail immediately); each person's mail is claimed on its own."""
    return sum(notifications.send_digest(workspace_id=workspace_id, user_id=user_id) for user_id in user_ids)


@retrying_task(max_attempts=1)
def refresh_planner_statistics() -> bool:
    """Give SQLite's planner fresh statistics (hourly, and when a worker starts); PostgreSQL keeps its own."""
    return planner.refresh_statistics()
