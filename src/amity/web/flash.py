"""Flash messages that carry one action, e.g. "Merged. [Undo]": the action is a button posting to an address of ours.

Django's messages keep text and tags only; the action rides in the tags as `action|<path>|<label>` and
`messages.html` draws it as a small form (a POST, with the CSRF token of the page showing it).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest

PREFIX = "action|"


def success_with_action(request: HttpRequest, text: str, *, url: str, label: str) -> None:
    """A success message with a button that posts to `url` (a path of this site)."""
    if not url.startswith("/") or "|" in url or "|" in label:
        raise ValueError("An action is a path of this site and a label without '|'.")
    messages.success(request, text, extra_tags=f"{PREFIX}{url}|{label}")


def action_of(message: Any) -> dict[str, str] | None:
    """The message's action as {"url", "label"}, or None when it has none."""
    tags = str(getattr(message, "extra_tags", "") or "")
    if not tags.startswith(PREFIX):
        return None
    url, _, label = tags.removeprefix(PREFIX).partition("|")
    return {"url": url, "label": label}
