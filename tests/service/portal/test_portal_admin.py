"""Settings → Customer portal and its API: the portal's colour, its users with disable and invite again."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from amity.core.models import AuditEntry, User, Workspace
from amity.core.permissions import Role
from amity.customers.models import Account, Contact
from amity.service.portal import services as portal
from amity.service.portal.models import PortalAccess, PortalBranding
from tests.factories import contact_at, member
from tests.mail import Inbox
from tests.service.portal.conftest import with_email

PAGE = "/w/{slug}/settings/portal/"


def test_an_admin_sets_the_portal_colour_and_the_portal_wears_it(admin: User, workspace: Workspace, client_as: Any) -> None:
    client = client_as(admin)

    bad = client.post(PAGE.format(slug=workspace.slug), {"colour": "teal"})
    assert bad.status_code == 422 and "six hex digits" in bad.content.decode() and not PortalBranding.objects.exists()

    saved = client.post(PAGE.format(slug=workspace.slug), {"colour": "#0F766E"})

    assert saved.status_code == 302
    assert PortalBranding.objects.get(workspace=workspace).colour == "#0f766e"
    assert "--amity-brand: #0f766e" in client.get(f"/portal/{workspace.slug}/brand.css").content.decode()
    entry = AuditEntry.objects.filter(object_type="service.portalbranding").get()
    assert entry.actor == admin and entry.changes == {"colour": [None, "#0f766e"]}
    page = client.get(PAGE.format(slug=workspace.slug)).content.decode()
    assert 'value="#0f766e"' in page and f"/portal/{workspace.slug}/" in page


def test_the_portal_users_list_filters_by_status_in_constant_queries(
    admin: User, workspace: Workspace, account: Account, client_as: Any
) -> None:
    client = client_as(admin)

    def invite(count: int) -> None:
        for number in range(count):
            person = with_email(contact_at(account, first_name=f"Person{number}", last_name="Portal"), f"p{number}-{count}@initech.test")
            portal.portal_invite(actor=admin, contact=person)

    invite(2)
    client.get(PAGE.format(slug=workspace.slug))  # warm caches
    with CaptureQueriesContext(connection) as few:
        client.get(PAGE.format(slug=workspace.slug))
    invite(12)
    with CaptureQueriesContext(connection) as many:
        page = client.get(PAGE.format(slug=workspace.slug)).content.decode()

    assert len(many) == len(few) and page.count('id="portal-user-') == 14
    disabled = PortalAccess.objects.order_by("id").first()
    assert disabled is not None
    client.post(f"/w/{workspace.slug}/settings/portal/users/{disabled.pk}/disable/")
    only_disabled = client.get(PAGE.format(slug=workspace.slug) + "?status=disabled").content.decode()
    assert only_disabled.count('id="portal-user-') == 1 and f'id="portal-user-{disabled.pk}"' in only_disabled


def test_disable_and_invite_again_from_the_list(
    admin: User, workspace: Workspace, invited: PortalAccess, client_as: Any, smtp_server: Inbox, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_as(admin)

    client.post(f"/w/{workspace.slug}/settings/portal/users/{invited.pk}/disable/")
    invited.refresh_from_db()
    assert invited.status == PortalAccess.Status.DISABLED
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/w/{workspace.slug}/settings/portal/users/{invited.pk}/invite/")

    invited.refresh_from_db()
    assert invited.status == PortalAccess.Status.INVITED and invited.invited_by == admin
    assert [message["To"] for message in smtp_server.parsed()][-1] == "peter@initech.test"


def test_roles_without_the_desk_settings_and_other_workspaces_are_refused(
    workspace: Workspace, other_workspace: Workspace, invited: PortalAccess, client_as: Any
) -> None:
    sales = member(workspace, Role.SALES, email="rep@acme.test")
    stranger = member(other_workspace, Role.OWNER, email="boss@globex.test")

    assert client_as(sales).get(PAGE.format(slug=workspace.slug)).status_code == 403
    assert client_as(sales).post(PAGE.format(slug=workspace.slug), {"colour": "#000000"}).status_code == 403
    for action in ("disable", "invite"):
        response = client_as(stranger).post(f"/w/{other_workspace.slug}/settings/portal/users/{invited.pk}/{action}/")
        assert response.status_code == 404
    invited.refresh_from_db()
    assert invited.status == PortalAccess.Status.INVITED and not PortalBranding.objects.exists()


def test_the_api_lists_invites_and_disables_portal_users_and_sets_the_colour(
    admin: User, workspace: Workspace, peter: Contact, api_as: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = api_as(admin, workspace)

    with django_capture_on_commit_callbacks(execute=True):
        created = client.post("/api/v1/portal-users", {"contact_id": peter.pk})
    missing = client.post("/api/v1/portal-users", {"contact_id": 999_999})
    disabled = client.post(f"/api/v1/portal-users/{created.json()['id']}/disable", {})
    listed = client.get("/api/v1/portal-users?status=disabled").json()
    colour = client.put("/api/v1/portal-branding", {"colour": "#AA3300"})
    bad_colour = client.put("/api/v1/portal-branding", {"colour": "red"})

    assert created.status_code == 201 and created.json()["email"] == "peter@initech.test" and created.json()["status"] == "invited"
    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "contact_id"
    assert disabled.json()["status"] == "disabled"
    assert [row["contact_id"] for row in listed["items"]] == [peter.pk]
    assert colour.json()["colour"] == "#aa3300" and colour.json()["url"].endswith(f"/portal/{workspace.slug}/")
    assert bad_colour.status_code == 422 and bad_colour.json()["errors"][0]["field"] == "colour"
    assert client.get("/api/v1/portal-branding").json()["colour"] == "#aa3300"
