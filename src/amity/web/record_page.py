"""The panels of a contact's or an account's page: the one place where other apps add to the 360° view.

The page shows the profile on the left and the timeline in the middle (apps add timeline entries
through `amity.activities.timeline`). The right-hand column is a stack of *panels*: upcoming tasks,
related records, and whatever later apps bring (opportunities, orders, cases). An app adds a panel
once, in its `AppConfig.ready()`, and never edits the page:

    from amity.web import record_page

    record_page.register(
        record_page.Panel(
            key="opportunities",
            title="Open deals",
            icon="currency-dollar",
            template="sales/panels/opportunities.html",
            context=open_deals_panel,            # (actor, workspace, record) -> dict for the template
            kinds=frozenset({"contact", "account"}),
            order=30,                            # lower comes first; the built-in panels use 10 and 20
            permission=(Action.VIEW, ObjectType.OPPORTUNITY),
        )
    )

The rules a panel keeps:

- `context(actor, workspace, record)` reads through selectors (workspace-scoped, role-filtered)
  and runs a fixed number of queries whatever the size of the data: fetch the first few rows
  and a count, never a query per row. The page's query-budget test covers every registered panel.
- It may raise PermissionDenied: the panel is then left out, as it is when `permission` is not
  granted. The template receives the page's context plus `panel` and `data` (the dict returned).
- The keys `count` (a number shown in the panel's heading) and `empty` (true hides the body behind
  the panel's `empty_text`) in `data` are understood by the frame every panel is drawn in.
- After a change on the page, a response can ask the browser to redraw one panel by sending the
  htmx event `amity:panel-<key>` (`HX-Trigger` header); the frame reloads itself from
  `/w/<slug>/<contacts|accounts>/<id>/panels/<key>/`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied

from amity.core.access import allowed
from amity.core.models import User, Workspace
from amity.core.permissions import Action, ObjectType

RECORD_KINDS = frozenset({"contact", "account"})
PanelContext = Callable[[User, Workspace, Any], dict[str, Any]]


@dataclass(frozen=True)
class Panel:
    """A box in the right-hand column of contact and account pages."""

    key: str
    title: str
    template: str
    context: PanelContext
    kinds: frozenset[str] = RECORD_KINDS
    order: int = 100
    permission: tuple[Action, ObjectType] | None = None
    icon: str = "layout-grid"
    empty_text: str = "Nothing here yet."

    def __post_init__(self) -> None:
        if not self.key.replace("_", "").isalnum():
            raise ValueError(f"A panel key is letters, digits and underscores: {self.key!r}.")
        unknown = self.kinds - RECORD_KINDS
        if unknown:
            raise ValueError(f"Panels go on {', '.join(sorted(RECORD_KINDS))} pages, not {', '.join(sorted(unknown))}.")


@dataclass(frozen=True)
class ShownPanel:
    """A panel with what its context callable returned for one record."""

    panel: Panel
    data: dict[str, Any]


_panels: dict[str, Panel] = {}


def register(panel: Panel) -> None:
    """Add a panel to contact and/or account pages; registering the same key again replaces it."""
    _panels[panel.key] = panel


def unregister(key: str) -> None:
    _panels.pop(key, None)


def panels(kind: str) -> list[Panel]:
    """The panels of one kind of page, in their order."""
    return sorted((panel for panel in _panels.values() if kind in panel.kinds), key=lambda panel: (panel.order, panel.key))


def panel(kind: str, key: str) -> Panel | None:
    found = _panels.get(key)
    return found if found is not None and kind in found.kinds else None


def show(panel: Panel, *, actor: User, workspace: Workspace, record: Any) -> ShownPanel | None:
    """The panel with its data for this record, or None when the actor may not see it."""
    if panel.permission is not None and not allowed(actor, workspace, *panel.permission):
        return None
    try:
        return ShownPanel(panel=panel, data=panel.context(actor, workspace, record))
    except PermissionDenied:
        return None


def shown_panels(kind: str, *, actor: User, workspace: Workspace, record: Any) -> list[ShownPanel]:
    """Every panel of the page the actor may see, with its data."""
    shown = (show(panel, actor=actor, workspace=workspace, record=record) for panel in panels(kind))
    return [item for item in shown if item is not None]
