"""The 360° view of a customer with 500 timeline entries: the web page and the timeline API, of a contact and of its account."""

from __future__ import annotations

from typing import Any

from bench.scenario import RunContext, Scenario, SeedContext
from bench.scenarios import _dataset

PAGE = 50


class Contact360(Scenario):
    name = "contact_360"
    description = "The showcase contact (500 timeline entries) and its account in the shared data set: web 360° pages and timeline API."
    seed_version = 1
    duration = 6.0

    def seed_params(self, scale: float) -> dict[str, Any]:
        return _dataset.params(scale)

    def seed(self, ctx: SeedContext) -> dict[str, Any]:
        return _dataset.ensure(ctx)

    def run(self, ctx: RunContext) -> None:
        slug, contact_id, account_id = ctx.state["workspace_slug"], ctx.state["showcase_contact_id"], ctx.state["showcase_account_id"]
        deep_cursor = _check_timeline(ctx, contact_id)
        cookie = {"Cookie": _session_cookie(ctx.state["user_id"])}
        ctx.load("contact page (web)", [f"/w/{slug}/contacts/{contact_id}/"], headers=cookie)
        ctx.load("contact timeline (API)", [f"/api/v1/contacts/{contact_id}/timeline?limit={PAGE}"])
        ctx.load("contact timeline page 5 (API)", [f"/api/v1/contacts/{contact_id}/timeline?limit={PAGE}&cursor={deep_cursor}"])
        ctx.load("account page (web)", [f"/w/{slug}/accounts/{account_id}/"], headers=cookie)
        ctx.load("account timeline (API)", [f"/api/v1/accounts/{account_id}/timeline?limit={PAGE}"])


def _check_timeline(ctx: RunContext, contact_id: int) -> str:
    """Walk the showcase timeline as a client would: it must hold exactly 500 entries; returns the cursor after the fourth page."""
    entries, cursor, fourth = 0, None, ""
    with ctx.client() as client:
        for page_number in range(1, 100):
            params: dict[str, Any] = {"limit": PAGE, **({"cursor": cursor} if cursor else {})}
            page = client.get(f"/api/v1/contacts/{contact_id}/timeline", params=params).raise_for_status().json()
            entries += len(page["items"])
            cursor = page["next_cursor"]
            fourth = cursor if page_number == 4 else fourth
            if not cursor:
                break
    expected = sum(_dataset.SHOWCASE.values())
    if entries != expected or not fourth:
        raise RuntimeError(f"the showcase timeline holds {entries} entries, not {expected}")
    return str(fourth)


def _session_cookie(user_id: int) -> str:
    """A signed-in browser's session cookie for the data set's owner (a session row, as a login would make)."""
    from django.conf import settings
    from django.test import Client

    from amity.core.models import User

    client = Client()
    client.force_login(User.objects.get(pk=user_id))
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
