"""The "Deals" panel of contact and account pages: their open deals with stage and amount, registered in SalesConfig.ready()."""

from __future__ import annotations

from typing import Any

from amity.core.access import allowed
from amity.core.models import User, Workspace
from amity.core.permissions import Action, ObjectType
from amity.customers.models import Account, Contact
from amity.sales.models import Opportunity
from amity.sales.selectors import OpportunityFilter, opportunities_filtered

SHOWN = 5


def open_deals(actor: User, workspace: Workspace, record: Account | Contact) -> dict[str, Any]:
    """The record's open deals, soonest close first, and how many there are (two queries)."""
    filters = OpportunityFilter(
        status=Opportunity.Status.OPEN,
        account_id=record.pk if isinstance(record, Account) else None,
        contact_id=record.pk if isinstance(record, Contact) else None,
    )
    deals = opportunities_filtered(actor=actor, workspace=workspace, filters=filters)
    shown = list(deals.select_related("stage").order_by("expected_close_date", "id")[:SHOWN])
    count = len(shown) if len(shown) < SHOWN else deals.count()
    return {
        "deals": shown,
        "count": count,
        "more": count - len(shown),
        "empty": False,  # the footer links show even without deals
        "account_id": record.pk if isinstance(record, Account) else None,
        "can_add": allowed(actor, workspace, Action.ADD, ObjectType.OPPORTUNITY) and record.deleted_at is None,
    }


def register_panel() -> None:
    from amity.web import record_page

    record_page.register(
        record_page.Panel(
            key="deals",
            title="Open deals",
            icon="currency-dollar",
            template="web/deals/panel.html",
            context=open_deals,
            order=15,
            permission=(Action.VIEW, ObjectType.OPPORTUNITY),
            empty_text="No open deals.",
        )
    )
