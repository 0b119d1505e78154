"""Helpers for the web UI's tests: a signed-in test client and a way to count what a request changed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from amity.core.models import ApiToken, AuditEntry, Invitation, Membership, Team, User, Workspace


@pytest.fixture
def client_as(db: Any) -> Callable[[User], Client]:
    """client_as(user) -> a Django test client signed in as that user."""

    def make(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


def snapshot(*workspaces: Workspace) -> dict[str, int]:
    """How many rows each table holds in these workspaces, to prove a refused request changed nothing."""
    counts = {}
    for model in (Membership, Team, ApiToken, Invitation, AuditEntry):
        counts[model.__name__] = model.objects.filter(workspace__in=workspaces).count()
    counts["revoked tokens"] = ApiToken.objects.filter(workspace__in=workspaces, revoked_at__isnull=False).count()
    counts["team members"] = Team.members.through.objects.filter(team__workspace__in=workspaces).count()
    counts["workspace names"] = hash(tuple(Workspace.objects.filter(pk__in=[w.pk for w in workspaces]).values_list("name", flat=True)))
    counts["roles"] = hash(tuple(Membership.objects.filter(workspace__in=workspaces).order_by("pk").values_list("role", flat=True)))
    return counts


@pytest.fixture
def queries_of(db: Any) -> Callable[[Client, str], int]:
    """queries_of(client, path) -> how many SQL queries a GET of the page took."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(client: Client, path: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path).status_code == 200
        return len(captured.captured_queries)

    return count


@pytest.fixture
def pipeline(workspace: Workspace) -> Any:
    """The workspace's default Sales pipeline (New, Qualified, Proposal, Negotiation, Won, Lost)."""
    from amity.sales import services

    return services.sales_setup(workspace=workspace)


@pytest.fixture
def initech(workspace: Workspace) -> Any:
    from tests.factories import AccountFactory

    return AccountFactory(workspace=workspace, name="Initech")


from tests.service.conftest import agent, case, customer, customer_account, run_on_commit  # noqa: E402, F401  (the case pages use them)
