"""Service levels: business time (opening hours, public holidays, closing days) and the due times of a case's targets.

A policy's targets are counted in the business time of its calendar (a case opened on Friday at 16:30 with a
four-hour first-response target is due on Monday at 12:30). The resolution clock stops while a case waits on
the customer and goes on, by the business time that was left, when they answer.
"""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo
from collections.abc import Iterator

import holidays

from amity.service.models import BusinessCalendar, Case, SlaPolicy

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
LOOKAHEAD_DAYS = 3 * 366  # a target further away than this is not a target


@functools.lru_cache(maxsize=256)
def _public_holidays(country: str, year: int) -> frozenset[dt.date]:
    try:
        return frozenset(holidays.country_holidays(country, years=year).keys())
    except NotImplementedError:  # a country the library does not know: no public holidays
        return frozenset()


def _closed(calendar: BusinessCalendar, day: dt.date) -> bool:
    if day.isoformat() in (calendar.closed_days or []):
        return True
    return bool(calendar.holiday_country) and day in _public_holidays(calendar.holiday_country.upper(), day.year)


def _windows(calendar: BusinessCalendar, start: dt.datetime) -> Iterator[tuple[dt.datetime, dt.datetime]]:
    """The calendar's open periods from the day of `start` on, as aware datetimes in its zone."""
    zone = zoneinfo.ZoneInfo(calendar.time_zone or "UTC")
    day = start.astimezone(zone).date()
    for _ in range(LOOKAHEAD_DAYS):
        if not _closed(calendar, day):
            for opens, closes in (calendar.hours or {}).get(DAYS[day.weekday()], []):
                begin = dt.datetime.combine(day, dt.time.fromisoformat(opens), zone)
                end = dt.datetime.combine(day, dt.time.fromisoformat(closes), zone)
                if end > begin:
                    yield begin, end
        day += dt.timedelta(days=1)


def add_business_minutes(calendar: BusinessCalendar | None, start: dt.datetime, minutes: int) -> dt.datetime:
    """The moment `minutes` of business time after `start` (plain minutes without a calendar)."""
    return add_business_time(calendar, start, dt.timedelta(minutes=minutes))


def add_business_time(calendar: BusinessCalendar | None, start: dt.datetime, remaining: dt.timedelta) -> dt.datetime:
    """The moment `remaining` business time after `start`."""
    if calendar is None:
        return start + remaining
    for begin, end in _windows(calendar, start):
        begin = max(begin, start)
        if end <= begin:
            continue
        if remaining <= end - begin:
            return (begin + remaining).astimezone(dt.UTC)
        remaining -= end - begin
    raise ValueError("The calendar has no opening hours in the next three years.")


def business_minutes_between(calendar: BusinessCalendar | None, start: dt.datetime, end: dt.datetime) -> int:
    """How much business time lies between two moments, in whole minutes (0 if `end` is not after `start`)."""
    return int(business_time_between(calendar, start, end).total_seconds() // 60)


def business_time_between(calendar: BusinessCalendar | None, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
    """How much business time lies between two moments."""
    if end <= start:
        return dt.timedelta()
    if calendar is None:
        return end - start
    total = dt.timedelta()
    for begin, close in _windows(calendar, start):
        if begin >= end:
            break
        overlap = min(close, end) - max(begin, start)
        if overlap > dt.timedelta():
            total += overlap
    return total


def policy_for(case: Case) -> SlaPolicy | None:
    """The first active policy, in order, whose kind, priority and customer tier match the case."""
    tiers: set[str] = set()
    if case.account_id:
        tiers = {name.lower() for name in case.account.tags.values_list("name", flat=True)}  # type: ignore[union-attr]
    for policy in (
        SlaPolicy.objects.filter(workspace_id=case.workspace_id, active=True).select_related("calendar").order_by("position", "id")
    ):
        if policy.kind_id and policy.kind_id != case.kind_id:
            continue
        if policy.priority and policy.priority != case.priority:
            continue
        if policy.customer_tier and policy.customer_tier.lower() not in tiers:
            continue
        return policy
    return None


def apply_policy(case: Case) -> None:
    """Set the case's policy and due times from when it was opened (call again when its kind, priority or account change)."""
    policy = policy_for(case)
    case.sla_policy = policy
    if policy is None:
        case.first_response_due_at = case.resolution_due_at = None
        return
    calendar = policy.calendar
    opened = case.created_at
    case.first_response_due_at = (
        add_business_minutes(calendar, opened, policy.first_response_minutes) if policy.first_response_minutes else None
    )
    case.resolution_due_at = add_business_minutes(calendar, opened, policy.resolution_minutes) if policy.resolution_minutes else None


def on_status_change(case: Case, before: str, now: dt.datetime) -> None:
    """Stop the resolution clock while the case waits on the customer; when it goes on, move the due time by the pause."""
    waiting = Case.Status.WAITING_CUSTOMER
    if case.status == waiting and before != waiting:
        case.sla_paused_at = now
    elif before == waiting and case.status != waiting and case.sla_paused_at is not None:
        if case.resolution_due_at is not None and case.sla_paused_at < case.resolution_due_at:
            calendar = case.sla_policy.calendar if case.sla_policy_id and case.sla_policy else None
            left = business_time_between(calendar, case.sla_paused_at, case.resolution_due_at)
            case.resolution_due_at = add_business_time(calendar, now, left)
        case.sla_paused_at = None


def timers(case: Case, now: dt.datetime) -> list[dict[str, object]]:
    """What the case page shows of its targets: each with its due time, and whether it is met, close, or breached."""
    shown = []
    targets = (
        ("First response", case.first_response_due_at, case.first_response_at),
        ("Resolution", case.resolution_due_at, case.resolved_at),
    )
    for label, due, done in targets:
        if due is None:
            continue
        paused = label == "Resolution" and case.sla_paused_at is not None and done is None
        if done is not None:
            state = "met" if done <= due else "breached"
        elif paused:
            state = "paused"
        elif now > due:
            state = "breached"
        else:
            warn = case.sla_policy.warn_before_minutes if case.sla_policy else 30
            state = "due_soon" if due - now <= dt.timedelta(minutes=warn) else "running"
        shown.append({"label": label, "due": due, "done": done, "state": state})
    return shown
