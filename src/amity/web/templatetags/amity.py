"""Small template helpers of the web UI."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import template
from django.utils import timezone
from django.utils.timesince import timesince, timeuntil

from amity.web.flash import action_of

register = template.Library()


@register.filter
def message_action(message: Any) -> dict[str, str] | None:
    """A flash message's button (amity.web.flash), if it has one."""
    return action_of(message)


@register.filter
def ago(moment: dt.datetime | None, depth: int = 2) -> str:
    """'just now', '5 minutes ago', '2 months, 1 week ago' ('2 months ago' with a depth of 1), 'in 3 days'."""
    if moment is None:
        return ""
    since = timezone.now() - moment
    if abs(since) < dt.timedelta(minutes=1):
        return "just now"
    if since < dt.timedelta(0):
        return f"in {timeuntil(moment, depth=depth)}"
    return f"{timesince(moment, depth=depth)} ago"


@register.filter
def cell(value: object) -> str:
    """A list cell: dates as '3 May 2026' in the user's zone, everything else as exports write it."""
    from django.utils.formats import date_format

    from amity.customers.listing import cell_text

    if isinstance(value, dt.datetime):
        return date_format(timezone.localtime(value), "j M Y")
    return cell_text(value)


@register.filter
def money(value: Decimal | str | None, currency: str) -> str:
    """An amount written the way its currency is: '€12,000.00', '¥5,000'."""
    from amity.core.money import display

    if value is None or value == "":
        return ""
    return display(value, currency)


@register.filter
def duration(seconds: int) -> str:
    """'3 d 4 h', '2 h 5 min': how long something lasted, in its two largest units."""
    from amity.web.timeline_entries import duration as short_duration

    days, rest = divmod(int(seconds), 86400)
    if not days:
        return short_duration(rest)
    hours = rest // 3600
    return f"{days} d {hours} h" if hours else f"{days} d"


@register.filter
def index(sequence: Any, position: int) -> Any:
    """`rows|index:2`: the item at a position of a list, or None past its end."""
    try:
        return sequence[position]
    except (IndexError, TypeError, KeyError):
        return None
