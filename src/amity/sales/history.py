"""Time spent in each stage, from a deal's stage changes: each stay lasts until the next change, the last one until now or the close."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from amity.sales.models import StageChange


@dataclass(frozen=True)
class StageStay:
    """One stay of a deal in a stage."""

    change: StageChange
    entered_at: dt.datetime
    left_at: dt.datetime | None  # None: still there
    seconds: int


def stage_stays(changes: Sequence[StageChange], *, now: dt.datetime) -> list[StageStay]:
    """Each change in time order with how long the deal stayed; a closed (won/lost) stage's stay ends when it was entered."""
    stays = []
    for index, change in enumerate(changes):
        following = changes[index + 1] if index + 1 < len(changes) else None
        if following is not None:
            left_at: dt.datetime | None = following.changed_at
        elif change.to_kind != "open":
            left_at = change.changed_at  # a closed deal is not "in" its closing stage; the clock stops there
        else:
            left_at = None
        seconds = int(((left_at or now) - change.changed_at).total_seconds())
        stays.append(StageStay(change=change, entered_at=change.changed_at, left_at=left_at, seconds=max(seconds, 0)))
    return stays


def seconds_by_stage(stays: Sequence[StageStay]) -> dict[str, int]:
    """Total time per stage name (a deal can come back to a stage), in the order the stages were first entered."""
    totals: dict[str, int] = {}
    for stay in stays:
        totals[stay.change.to_stage_name] = totals.get(stay.change.to_stage_name, 0) + stay.seconds
    return totals
