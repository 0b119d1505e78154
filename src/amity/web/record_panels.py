"""The panels every contact and account page has: upcoming tasks and the records around it.

They go through `amity.web.record_page` like any later app's panel does.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from amity.activities import selectors as activities
from amity.core.access import allowed
from amity.core.models import User, Workspace
from amity.core.permissions import Action, ObjectType
from amity.customers import selectors as customers
from amity.customers.models import Account, Contact
from amity.customers.privacy import selectors as privacy
from amity.web import record_page

SHOWN = 5  # rows per panel; a link or a count says when there are more


def upcoming_tasks(actor: User, workspace: Workspace, record: Account | Contact) -> dict[str, Any]:
    """Open tasks about the record (for an account, also about its people), soonest due first."""
    tasks, count = activities.open_tasks_about(
        actor=actor,
        workspace=workspace,
        contact=record if isinstance(record, Contact) else None,
        account=record if isinstance(record, Account) else None,
        limit=SHOWN,
    )
    return {
        "tasks": tasks,
        "count": count,
        "more": count - len(tasks),
        "empty": not tasks,
        "now": timezone.now(),
        "can_complete": allowed(actor, workspace, Action.CHANGE, ObjectType.TASK) and record.deleted_at is None,
    }


def contact_accounts(actor: User, workspace: Workspace, contact: Contact) -> dict[str, Any]:
    """The organizations a person works for, with their role and title there (prefetched with the contact)."""
    links = [link for link in contact.account_contacts.all() if link.account.deleted_at is None]
    return {"links": links, "count": len(links), "empty": not links}


def account_people(actor: User, workspace: Workspace, account: Account) -> dict[str, Any]:
    links, count = customers.account_people(actor=actor, workspace=workspace, account=account, limit=SHOWN * 2)
    return {"links": links, "count": count, "more": count - len(links), "empty": not links}


def account_hierarchy(actor: User, workspace: Workspace, account: Account) -> dict[str, Any]:
    children, count = customers.account_children(actor=actor, workspace=workspace, account=account, limit=SHOWN * 2)
    parent = account.parent if account.parent is not None and account.parent.deleted_at is None else None
    return {"parent": parent, "children": children, "more": count - len(children), "empty": parent is None and not children}


def consent_log(actor: User, workspace: Workspace, contact: Contact) -> dict[str, Any]:
    """Every grant and withdrawal per channel and purpose, with the current state (the latest), from the prefetched log."""
    history = customers.consent_history(contact)
    return {"history": history, "count": sum(len(item.events) for item in history), "empty": not history}


def privacy_actions(actor: User, workspace: Workspace, contact: Contact) -> dict[str, Any]:
    """The person's data to download, and their erasure: to start, or how the last one went."""
    return {
        "erasure": privacy.latest_erasure_of(actor=actor, workspace=workspace, contact_id=contact.pk),
        "can_erase": allowed(actor, workspace, Action.ADD, ObjectType.PRIVACY_REQUEST),
    }


def register_builtin_panels() -> None:
    record_page.register(
        record_page.Panel(
            key="tasks",
            title="Upcoming tasks",
            icon="checkbox",
            template="web/record/panels/tasks.html",
            context=upcoming_tasks,
            order=10,
            permission=(Action.VIEW, ObjectType.TASK),
            empty_text="No open tasks. Add one with Task above.",
        )
    )
    record_page.register(
        record_page.Panel(
            key="accounts",
            title="Accounts",
            icon="building",
            template="web/record/panels/accounts.html",
            context=contact_accounts,
            kinds=frozenset({"contact"}),
            order=20,
            permission=(Action.VIEW, ObjectType.ACCOUNT),
            empty_text="Not linked to any account.",
        )
    )
    record_page.register(
        record_page.Panel(
            key="people",
            title="People",
            icon="users",
            template="web/record/panels/people.html",
            context=account_people,
            kinds=frozenset({"account"}),
            order=20,
            permission=(Action.VIEW, ObjectType.CONTACT),
            empty_text="Nobody works here yet.",
        )
    )
    record_page.register(
        record_page.Panel(
            key="hierarchy",
            title="Parent and subsidiaries",
            icon="hierarchy-2",
            template="web/record/panels/hierarchy.html",
            context=account_hierarchy,
            kinds=frozenset({"account"}),
            order=30,
            empty_text="No parent or subsidiary accounts.",
        )
    )
    record_page.register(
        record_page.Panel(
            key="consent_log",
            title="Consent log",
            icon="shield-check",
            template="web/record/panels/consent_log.html",
            context=consent_log,
            kinds=frozenset({"contact"}),
            order=80,
            permission=(Action.VIEW, ObjectType.CONTACT),
            empty_text="No consent recorded yet. Record one with Edit on the Consent card.",
        )
    )
    record_page.register(
        record_page.Panel(
            key="privacy",
            title="Privacy",
            icon="shield-lock",
            template="web/record/panels/privacy.html",
            context=privacy_actions,
            kinds=frozenset({"contact"}),
            order=90,
            permission=(Action.VIEW, ObjectType.PRIVACY_REQUEST),
        )
    )
