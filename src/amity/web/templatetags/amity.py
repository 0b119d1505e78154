"""Small template helpers of the web UI."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone
from django.utils.timesince import timesince

register = template.Library()


@register.filter
def ago(moment: dt.datetime | None) -> str:
    """'just now', '5 minutes ago', '2 days ago'."""
    if moment is None:
        return ""
    if timezone.now() - moment < dt.timedelta(minutes=1):
        return "just now"
    return f"{timesince(moment)} ago"


@register.filter
def cell(value: object) -> str:
    """A list cell: dates as '3 May 2026' in the user's zone, everything else as exports write it."""
    from django.utils.formats import date_format

    from amity.customers.listing import cell_text

    if isinstance(value, dt.datetime):
        return date_format(timezone.localtime(value), "j M Y")
    return cell_text(value)
