"""The workspace home, the shell around every page, and the global search."""

from __future__ import annotations

import pytest

from amity.core import services
from amity.core.models import Membership, User
from amity.core.permissions import Role
from tests.factories import TeamFactory, member

pytestmark = pytest.mark.django_db


def test_home_shows_counts_and_recent_activity_to_an_owner(client_as, owner, admin, workspace):
    services.team_create(actor=owner, workspace=workspace, name="Field sales")
    response = client_as(owner).get("/w/acme/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "Welcome, Olga Owner" in content
    assert "Recent activity" in content
    assert "Field sales" in content
    assert response.context["member_count"] == 2
    assert response.context["team_count"] == 1


def test_home_offers_a_start_to_roles_that_may_not_read_the_audit_log(client_as, rep, workspace):
    response = client_as(rep).get("/w/acme/")
    assert response.status_code == 200
    assert "recent_activity" not in response.context
    assert b"Get started" in response.content
    # The navigation lists only pages the role may open.
    assert b"/w/acme/settings/audit-log/" not in response.content
    assert b"/w/acme/settings/workspace/" not in response.content
    assert b"/w/acme/settings/members/" in response.content


def test_opening_a_workspace_remembers_it(client_as, owner, workspace):
    client_as(owner).get("/w/acme/")
    owner.refresh_from_db()
    assert owner.last_workspace == workspace


def test_the_shell_lists_my_workspaces_in_the_switcher(client_as, owner, workspace, other_workspace):
    Membership.objects.create(workspace=other_workspace, user=owner, role=Role.VIEWER)
    content = client_as(owner).get("/w/acme/").content.decode()
    assert 'href="/w/globex/"' in content
    assert "New workspace" in content
    assert 'hx-get="/w/acme/search"' in content


def test_a_workspace_i_am_not_in_does_not_exist(client_as, owner, other_workspace):
    member(other_workspace, Role.OWNER)
    response = client_as(owner).get("/w/globex/")
    assert response.status_code == 404
    assert b"We could not find that page" in response.content
    assert client_as(owner).get("/w/no-such-place/").status_code == 404


def test_search_finds_members_and_teams_grouped_by_type(client_as, owner, rep, workspace):
    TeamFactory(workspace=workspace, name="Rita's pod")
    response = client_as(owner).get("/w/acme/search", {"q": "rit"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    content = response.content.decode()
    assert "<html" not in content  # only the fragment
    assert "Members" in content and "Teams" in content
    assert "Rita Rep" in content and "Rita&#x27;s pod" in content
    assert f"/w/acme/settings/members/#member-{Membership.objects.get(user=rep).pk}" in content


def test_search_needs_two_letters_and_says_when_nothing_matches(client_as, owner, workspace):
    client = client_as(owner)
    short = client.get("/w/acme/search", {"q": "o"}, headers={"HX-Request": "true"})
    assert b"Type at least 2 letters" in short.content
    none = client.get("/w/acme/search", {"q": "zzzz"}, headers={"HX-Request": "true"})
    assert "Nothing matches “zzzz”".encode() in none.content


def test_search_never_finds_another_workspace(client_as, owner, workspace, other_workspace):
    member(other_workspace, Role.OWNER, full_name="Olaf Outsider", email="olaf@globex.test")
    TeamFactory(workspace=other_workspace, name="Olaf's team")
    response = client_as(owner).get("/w/acme/search", {"q": "ola"}, headers={"HX-Request": "true"})
    assert b"Olaf" not in response.content
    assert client_as(owner).get("/w/globex/search", {"q": "ola"}).status_code == 404


def test_search_full_page_without_htmx(client_as, owner, workspace):
    response = client_as(owner).get("/w/acme/search", {"q": "olga"})
    assert response.status_code == 200
    assert b"<html" in response.content
    assert b"Olga Owner" in response.content


def test_every_user_has_a_display_name(db):
    assert User(email="x@example.com").display_name == "x@example.com"
