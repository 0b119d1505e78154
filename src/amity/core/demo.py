"""The demo workspace: one login per role, loaded once and reused by every later `amity demo`.

Later apps add their demo records by appending a loader to DEMO_LOADERS; each loader is given
the workspace and the users and runs only when the workspace is first created.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction

from amity.core import audit, planner, services
from amity.core.models import Door, Membership, User, Workspace
from amity.core.permissions import Role

DEMO_SLUG = "demo"
DEMO_PASSWORD = "amity-demo-pass"
DEMO_DOMAIN = "demo.amity.test"
DEMO_PEOPLE = {
    Role.OWNER: "Olivia Owner",
    Role.ADMIN: "Adam Admin",
    Role.MANAGER: "Maya Manager",
    Role.SALES: "Sam Sales",
    Role.MARKETING: "Mia Marketing",
    Role.SUPPORT: "Sol Support",
    Role.SUPPLY: "Sy Supply",
    Role.VIEWER: "Vic Viewer",
}

DemoLoader = Callable[[Workspace, dict[Role, User]], None]
DEMO_LOADERS: list[DemoLoader] = []


@dataclass
class DemoSummary:
    workspace: Workspace
    created: bool
    logins: list[tuple[str, str]]


def demo_email(role: Role) -> str:
    return f"{role.value}@{DEMO_DOMAIN}"


def _demo_user(role: Role) -> User:
    user = User.objects.filter(email=demo_email(role)).first()
    if user is None:
        user = User.objects.create_user(email=demo_email(role), password=DEMO_PASSWORD, full_name=DEMO_PEOPLE[role])
    return user


@transaction.atomic
def load_demo() -> DemoSummary:
    """Create the demo workspace with a user for every role, unless it exists already."""
    logins = [(role.value, demo_email(role)) for role in Role]
    existing = Workspace.objects.filter(slug=DEMO_SLUG).first()
    if existing is not None:
        return DemoSummary(workspace=existing, created=False, logins=logins)
    with audit.acting_through(Door.SYSTEM, label="demo loader"):
        users = {role: _demo_user(role) for role in Role}
        workspace = services.workspace_create(owner=users[Role.OWNER], name="Northwind Demo")
        Workspace.objects.filter(pk=workspace.pk).update(slug=DEMO_SLUG)
        workspace.slug = DEMO_SLUG
        Membership.objects.bulk_create(Membership(workspace=workspace, user=users[role], role=role) for role in Role if role != Role.OWNER)
        services.team_create(
            actor=users[Role.OWNER], workspace=workspace, name="Sales", manager=users[Role.MANAGER], members=[users[Role.SALES]]
        )
        services.team_create(actor=users[Role.OWNER], workspace=workspace, name="Customer care", members=[users[Role.SUPPORT]])
        # A second workspace so that the switcher has somewhere to go.
        services.workspace_create(owner=users[Role.OWNER], name="Northwind Labs")
        for loader in DEMO_LOADERS:
            loader(workspace, users)
    # The demo is a new database full of rows: let the planner see them before the first page.
    planner.refresh_statistics()
    return DemoSummary(workspace=workspace, created=True, logins=logins)
