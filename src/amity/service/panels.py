"""The "Cases" panel of contact and account pages: open cases first, then the latest, registered in ServiceConfig.ready()."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, F

from amity.core.models import User, Workspace
from amity.core.permissions import Action, ObjectType
from amity.customers.models import Account
from amity.service.models import OPEN_CASES, Case
from amity.service.selectors import CaseFilter, case_list

SHOWN = 5
# The badge colour of each status, shared by the queue, the case page and this panel.
STATUS_TONES: dict[str, str] = {
    Case.Status.NEW: "blue",
    Case.Status.OPEN: "azure",
    Case.Status.WAITING_CUSTOMER: "yellow",
    Case.Status.WAITING_THIRD_PARTY: "orange",
    Case.Status.RESOLVED: "green",
    Case.Status.CLOSED: "secondary",
}


def customer_cases_panel(actor: User, workspace: Workspace, record: Any) -> dict[str, Any]:
    """The record's open cases first, newest first, and how many are open and in all (two queries)."""
    filters = CaseFilter(account_id=record.pk) if isinstance(record, Account) else CaseFilter(contact_id=record.pk)
    cases = case_list(actor=actor, workspace=workspace, filters=filters).select_related(None).select_related("kind")
    shown = list(cases.order_by(F("is_open").desc(), "-created_at", "-id")[:SHOWN])
    counts = cases.order_by().aggregate(open=Count("pk", filter=OPEN_CASES), total=Count("pk"))
    for case in shown:
        case.tone = STATUS_TONES.get(str(case.status), "secondary")  # type: ignore[attr-defined]
    return {
        "cases": shown,
        "open": counts["open"],
        "count": counts["total"],
        "more": counts["total"] - len(shown),
        "filter": f"account={record.pk}" if isinstance(record, Account) else f"contact={record.pk}",
        "empty": not shown,
    }


def register_panel() -> None:
    from amity.web import record_page

    record_page.register(
        record_page.Panel(
            key="cases",
            title="Cases",
            icon="lifebuoy",
            template="web/cases/panel.html",
            context=customer_cases_panel,
            order=20,
            permission=(Action.VIEW, ObjectType.CASE),
            empty_text="No cases yet.",
        )
    )
