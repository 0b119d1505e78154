"""Background work of the core: indexes behind custom fields."""

from __future__ import annotations

from amity.core import custom_field_indexes
from amity.core.taskrunner import retrying_task


@retrying_task()
def sync_custom_field_index(object_type: str, key: str, field_type: str) -> str:
    """Build the index that keeps lists sorted and filtered by a custom field fast, or drop it once no workspace has the field.

    It takes the field's record type, key and type rather than its id: one index serves every workspace
    with that field, and after a deletion there is no id left to look up.
    """
    return custom_field_indexes.sync_index(object_type=object_type, key=key, field_type=field_type)
