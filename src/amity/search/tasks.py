"""Background work of global search: bringing the rows of related records up to date after a change."""

from __future__ import annotations

from amity.core.taskrunner import retrying_task
from amity.search import services


@retrying_task()
def reindex_related(*, object_type: str, ids: list[int]) -> dict[str, int]:
    """Update the search rows that show these records' names, e.g. an account's people and deals after a rename.

    In the background: an account may have thousands of people, and the rename itself should not wait for them.
    """
    return services.index_related(object_type=object_type, ids=ids)
