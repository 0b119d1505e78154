"""A sort column computed by an expression rather than read from a field: a custom field's value, for one.

Lists page through rows with keyset cursors (`amity.api.pagination`); a `SortKey` in an ordering tells
the pager to annotate the expression, to compare cursor values with it, and to put the rows where it is
missing (NULL) after all the others whichever the direction, as people expect of an empty cell.
It lives here, not in the API package, because the lists' vocabulary (`customers.listing`) names sorts too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


def _as_is(value: Any) -> Any:
    return value


@dataclass(frozen=True)
class SortKey:
    """Sort by `expression` (annotated as `alias`), missing values last in both directions."""

    alias: str
    expression: Any = field(compare=False)
    descending: bool = False
    # How a value read back from a cursor (JSON) becomes one the expression is compared with.
    parse: Callable[[Any], Any] = field(default=_as_is, compare=False)

    @property
    def name(self) -> str:
        return f"-{self.alias}" if self.descending else self.alias
