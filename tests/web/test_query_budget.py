"""List pages cost the same number of queries with 1 row or 20 (and stay under a budget)."""

from __future__ import annotations

import pytest

from amity.core import services
from amity.core.permissions import Role
from tests.factories import TeamFactory, member, token_for

pytestmark = pytest.mark.django_db


def add_members(workspace, owner, count):
    for _ in range(count):
        person = member(workspace, Role.SALES)
        services.invitation_create(actor=owner, workspace=workspace, email=f"guest-{person.pk}@example.com", role=Role.VIEWER)


def add_teams(workspace, owner, count):
    for _ in range(count):
        team = TeamFactory(workspace=workspace, manager=member(workspace))
        team.members.add(member(workspace), member(workspace))


def add_tokens(workspace, owner, count):
    for _ in range(count):
        token_for(member(workspace), workspace, name="robot")


def add_audit_entries(workspace, owner, count):
    for _ in range(count):
        services.token_create(actor=owner, workspace=workspace, name="audited")


@pytest.mark.parametrize(
    ("path", "grow", "budget"),
    [
        ("/w/acme/settings/members/", add_members, 14),
        ("/w/acme/settings/teams/", add_teams, 12),
        ("/w/acme/settings/tokens/", add_tokens, 10),
        ("/w/acme/settings/audit-log/", add_audit_entries, 12),
    ],
)
def test_list_pages_do_not_query_per_row(client_as, owner, workspace, queries_of, django_assert_max_num_queries, path, grow, budget):
    client = client_as(owner)
    grow(workspace, owner, 1)
    client.get(path)  # warm the session and caches
    few = queries_of(client, path)
    grow(workspace, owner, 20)
    many = queries_of(client, path)
    assert many == few
    with django_assert_max_num_queries(budget):
        client.get(path)
