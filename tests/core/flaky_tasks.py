"""Tasks used by the task-runner tests: module level, as the Tasks API requires."""

from __future__ import annotations

from django.core.cache import cache

from amity.core.taskrunner import retrying_task


@retrying_task(max_attempts=3)
def fail_twice_then_succeed(*, workspace_id: int, key: str) -> str:
    """Raise on the first two attempts, succeed on the third."""
    attempts = cache.get_or_set(key, 0) + 1
    cache.set(key, attempts)
    if attempts < 3:
        raise ConnectionError(f"attempt {attempts} could not reach the mail server")
    return "done"


@retrying_task(max_attempts=2)
def always_fail(*, workspace_id: int) -> None:
    """Never succeeds, so that its attempts run out."""
    raise ValueError("the partner API answered 500")
