"""Background tasks that retry with backoff and leave a visible trace when they fail.

`retrying_task` wraps the Tasks API's `@task`: when the function raises, the failure is kept
as a `TaskFailure` row (an admin reads it under Settings → Background tasks) and, while
attempts remain, the task is enqueued again after an exponentially growing delay. This works
the same on the database backend and on RQ, because it only uses `enqueue` and `run_after`.
"""

from __future__ import annotations

import functools
import logging
import traceback
from collections.abc import Callable
from datetime import timedelta
from typing import Any, ParamSpec, TypeVar

from django.conf import settings
from django.utils import timezone
from django_tasks import task
from django_tasks.base import Task

from amity.core import audit
from amity.core.models import Door, TaskFailure

P = ParamSpec("P")
T = TypeVar("T")
logger = logging.getLogger(__name__)


def retry_delay(attempt: int) -> timedelta:
    """10 s, 20 s, 40 s, … after the first, second, third failure (base set by AMITY_TASK_RETRY_BASE_SECONDS)."""
    return timedelta(seconds=settings.TASK_RETRY_BASE_SECONDS * 2 ** (attempt - 1))


def retrying_task(
    *, queue_name: str = "default", max_attempts: int | None = None, on_give_up: Callable[..., None] | None = None
) -> Callable[[Callable[..., T]], Task[Any, T]]:
    """`@task` with retries; `on_give_up(*args, error=…, **kwargs)` runs once the last attempt has failed."""

    def decorate(function: Callable[..., T]) -> Task[Any, T]:
        @functools.wraps(function)
        def run(*args: Any, attempt: int = 1, **kwargs: Any) -> T:
            limit = max_attempts or settings.TASK_MAX_ATTEMPTS
            try:
                with audit.acting_through(Door.TASK, label=f"task {function.__name__}"):
                    return function(*args, **kwargs)
            except Exception as error:
                retry_at = timezone.now() + retry_delay(attempt) if attempt < limit else None
                _keep_failure(function, args, kwargs, attempt, limit, error, retry_at)
                if retry_at is not None:
                    runner.using(run_after=retry_at).enqueue(*args, attempt=attempt + 1, **kwargs)
                elif on_give_up is not None:
                    on_give_up(*args, error=error, **kwargs)
                raise

        runner: Task[Any, T] = task(queue_name=queue_name)(run)
        return runner

    return decorate


def _keep_failure(
    function: Callable[..., Any],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    attempt: int,
    limit: int,
    error: Exception,
    retry_at: Any,
) -> None:
    workspace_id = kwargs.get("workspace_id")
    logger.warning("task %s failed (attempt %s of %s): %s", function.__qualname__, attempt, limit, error)
    TaskFailure.objects.create(
        workspace_id=workspace_id,
        task_name=f"{function.__module__}.{function.__qualname__}",
        arguments={"args": list(args), "kwargs": kwargs},
        attempt=attempt,
        max_attempts=limit,
        error=f"{type(error).__name__}: {error}"[:2000],
        traceback="".join(traceback.format_exception(error))[-8000:],
        retry_at=retry_at,
    )
