"""The settings pages: what each role may see and do, the errors a form shows, and nothing leaking between workspaces."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from amity.core import services
from amity.core.models import ApiToken, AuditEntry, Invitation, Membership, TaskFailure, Team, hash_secret
from amity.core.permissions import Role
from tests.factories import TeamFactory, member, token_for
from tests.web.conftest import snapshot

pytestmark = pytest.mark.django_db

PAGES = [
    "/w/{slug}/settings/workspace/",
    "/w/{slug}/settings/members/",
    "/w/{slug}/settings/teams/",
    "/w/{slug}/settings/teams/new/",
    "/w/{slug}/settings/tokens/",
    "/w/{slug}/settings/audit-log/",
    "/w/{slug}/settings/tasks/",
    "/w/{slug}/settings/profile/",
    "/w/{slug}/",
    "/w/{slug}/search?q=ab",
]


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_for_an_owner(client_as, owner, workspace, page):
    response = client_as(owner).get(page.format(slug="acme"))
    assert response.status_code == 200
    assert b"<title>" in response.content


@pytest.mark.parametrize("page", PAGES)
def test_every_page_of_another_workspace_is_a_404_and_changes_nothing(client_as, owner, workspace, other_workspace, page):
    member(other_workspace, Role.OWNER)
    before = snapshot(workspace, other_workspace)
    client = client_as(owner)
    assert client.get(page.format(slug="globex")).status_code == 404
    assert client.post(page.format(slug="globex"), {"name": "Hacked", "email": "x@example.com", "role": "admin"}).status_code == 404
    assert snapshot(workspace, other_workspace) == before


@pytest.mark.parametrize(
    ("page", "status"),
    [
        ("/w/acme/settings/", 302),
        ("/w/acme/settings/workspace/", 403),
        ("/w/acme/settings/members/", 200),
        ("/w/acme/settings/teams/", 200),
        ("/w/acme/settings/teams/new/", 403),
        ("/w/acme/settings/tokens/", 200),
        ("/w/acme/settings/audit-log/", 403),
        ("/w/acme/settings/tasks/", 403),
        ("/w/acme/settings/profile/", 200),
    ],
)
def test_a_sales_rep_sees_only_what_the_role_allows(client_as, rep, page, status):
    response = client_as(rep).get(page)
    assert response.status_code == status
    if status == 403:
        assert b"Your role does not allow this" in response.content


def test_settings_opens_on_the_workspace_page_for_admins(client_as, admin):
    assert client_as(admin).get("/w/acme/settings/").url == "/w/acme/settings/workspace/"


# --- Workspace ---------------------------------------------------------------------------------


def test_renaming_the_workspace(client_as, owner, workspace):
    client = client_as(owner)
    blank = client.post("/w/acme/settings/workspace/", {"name": ""})
    assert blank.status_code == 400
    assert b"This field is required." in blank.content
    response = client.post("/w/acme/settings/workspace/", {"name": "Acme Corporation"}, follow=True)
    assert response.status_code == 200
    assert b"The workspace is now called Acme Corporation." in response.content
    workspace.refresh_from_db()
    assert workspace.name == "Acme Corporation"
    assert AuditEntry.objects.filter(workspace=workspace, object_type="core.workspace", action="update", door="web").count() == 1


def test_a_rep_cannot_rename_the_workspace(client_as, rep, workspace):
    before = snapshot(workspace)
    assert client_as(rep).post("/w/acme/settings/workspace/", {"name": "Mine now"}).status_code == 403
    assert snapshot(workspace) == before


# --- Members and invitations --------------------------------------------------------------------------


def test_members_page_lists_people_and_pending_invitations(client_as, owner, rep, workspace):
    services.invitation_create(actor=owner, workspace=workspace, email="soon@example.com", role=Role.VIEWER)
    content = client_as(owner).get("/w/acme/settings/members/").content.decode()
    assert "Rita Rep" in content and "rep@acme.test" in content
    assert "soon@example.com" in content
    assert "Send invitation" in content


def test_a_rep_sees_members_but_no_controls(client_as, rep, owner):
    content = client_as(rep).get("/w/acme/settings/members/").content.decode()
    assert "Olga Owner" in content
    assert "Send invitation" not in content
    assert "settings_member_role" not in content and "/role/" not in content
    assert "/remove/" not in content


def test_inviting_someone_sends_the_email(client_as, admin, workspace, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_as(admin).post("/w/acme/settings/members/", {"email": "New@Example.com", "role": "sales"})
    assert response.status_code == 302
    assert Invitation.objects.get(workspace=workspace).email == "new@example.com"
    assert mail.outbox[0].to == ["new@example.com"]


def test_invitation_errors_show_next_to_the_field(client_as, admin, rep, workspace):
    client = client_as(admin)
    bad_email = client.post("/w/acme/settings/members/", {"email": "not-an-email", "role": "sales"})
    assert bad_email.status_code == 400
    assert b"Enter a valid email address." in bad_email.content
    already = client.post("/w/acme/settings/members/", {"email": "rep@acme.test", "role": "sales"})
    assert already.status_code == 400
    assert b"This person is already a member of the workspace." in already.content
    # An admin cannot hand out the owner role: it is not even a choice.
    owner_role = client.post("/w/acme/settings/members/", {"email": "boss@example.com", "role": "owner"})
    assert owner_role.status_code == 400
    assert not Invitation.objects.exists()


def test_a_rep_cannot_invite(client_as, rep, workspace):
    assert client_as(rep).post("/w/acme/settings/members/", {"email": "friend@example.com", "role": "sales"}).status_code == 403
    assert not Invitation.objects.exists()


def test_changing_a_role(client_as, owner, rep, workspace):
    membership = Membership.objects.get(user=rep)
    response = client_as(owner).post(f"/w/acme/settings/members/{membership.pk}/role/", {"role": "manager"})
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.role == Role.MANAGER


def test_the_last_owner_keeps_the_role_and_is_told_why(client_as, owner, workspace):
    membership = Membership.objects.get(user=owner)
    response = client_as(owner).post(f"/w/acme/settings/members/{membership.pk}/role/", {"role": "admin"})
    assert response.status_code == 400
    assert b"A workspace needs at least one owner" in response.content
    membership.refresh_from_db()
    assert membership.role == Role.OWNER


def test_an_admin_cannot_touch_an_owner(client_as, admin, owner, workspace):
    membership = Membership.objects.get(user=owner)
    before = snapshot(workspace)
    client = client_as(admin)
    assert client.post(f"/w/acme/settings/members/{membership.pk}/role/", {"role": "viewer"}).status_code == 403
    assert client.post(f"/w/acme/settings/members/{membership.pk}/remove/").status_code == 403
    assert snapshot(workspace) == before


def test_removing_a_member_revokes_their_tokens(client_as, owner, rep, workspace):
    token, _ = token_for(rep, workspace)
    membership = Membership.objects.get(user=rep)
    response = client_as(owner).post(f"/w/acme/settings/members/{membership.pk}/remove/", follow=True)
    assert b"Rita Rep was removed from Acme." in response.content
    assert not Membership.objects.filter(user=rep, workspace=workspace).exists()
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_a_rep_cannot_remove_anyone(client_as, rep, admin, workspace):
    membership = Membership.objects.get(user=admin)
    before = snapshot(workspace)
    assert client_as(rep).post(f"/w/acme/settings/members/{membership.pk}/remove/").status_code == 403
    assert snapshot(workspace) == before


def test_withdrawing_an_invitation(client_as, owner, workspace):
    invitation = services.invitation_create(actor=owner, workspace=workspace, email="soon@example.com", role=Role.VIEWER)
    response = client_as(owner).post(f"/w/acme/settings/invitations/{invitation.pk}/revoke/", follow=True)
    assert b"The invitation of soon@example.com was withdrawn." in response.content
    invitation.refresh_from_db()
    assert invitation.status == "revoked"


def test_member_actions_on_another_workspace_are_404s_and_change_nothing(client_as, owner, workspace, other_workspace):
    stranger = member(other_workspace, Role.SALES)
    their_owner = member(other_workspace, Role.OWNER)
    their_membership = Membership.objects.get(user=stranger)
    their_invitation = services.invitation_create(actor=their_owner, workspace=other_workspace, email="x@globex.test", role=Role.SALES)
    before = snapshot(workspace, other_workspace)
    client = client_as(owner)
    # B's ids through A's address, and B's address itself.
    for slug in ("acme", "globex"):
        assert client.post(f"/w/{slug}/settings/members/{their_membership.pk}/role/", {"role": "viewer"}).status_code == 404
        assert client.post(f"/w/{slug}/settings/members/{their_membership.pk}/remove/").status_code == 404
        assert client.post(f"/w/{slug}/settings/invitations/{their_invitation.pk}/revoke/").status_code == 404
    assert snapshot(workspace, other_workspace) == before


# --- Teams --------------------------------------------------------------------------------------


def test_creating_editing_and_deleting_a_team(client_as, owner, rep, admin, workspace):
    client = client_as(owner)
    response = client.post("/w/acme/settings/teams/new/", {"name": "Field sales", "manager": admin.pk, "members": [rep.pk]})
    assert response.status_code == 302
    team = Team.objects.get(workspace=workspace)
    assert team.manager == admin
    assert list(team.members.all()) == [rep]
    page = client.get("/w/acme/settings/teams/").content.decode()
    assert "Field sales" in page and "Ada Admin" in page

    edit = client.post(f"/w/acme/settings/teams/{team.pk}/", {"name": "Inside sales", "manager": "", "members": [rep.pk, admin.pk]})
    assert edit.status_code == 302
    team.refresh_from_db()
    assert (team.name, team.manager, team.members.count()) == ("Inside sales", None, 2)

    client.post(f"/w/acme/settings/teams/{team.pk}/delete/")
    assert not Team.objects.exists()
    assert AuditEntry.objects.filter(object_type="core.team").count() == 3


def test_team_form_errors(client_as, owner, workspace, other_workspace):
    TeamFactory(workspace=workspace, name="Field sales")
    outsider = member(other_workspace, Role.SALES)
    client = client_as(owner)
    duplicate = client.post("/w/acme/settings/teams/new/", {"name": "field SALES"})
    assert duplicate.status_code == 400
    assert b"A team with this name already exists." in duplicate.content
    stranger = client.post("/w/acme/settings/teams/new/", {"name": "Mixed", "members": [outsider.pk]})
    assert stranger.status_code == 400
    assert b"Select a valid choice." in stranger.content
    assert Team.objects.filter(workspace=workspace).count() == 1


def test_a_manager_may_edit_but_not_create_or_delete_teams(client_as, workspace):
    manager = member(workspace, Role.MANAGER)
    team = TeamFactory(workspace=workspace, name="Field sales")
    client = client_as(manager)
    assert client.get(f"/w/acme/settings/teams/{team.pk}/").status_code == 200
    assert client.get("/w/acme/settings/teams/new/").status_code == 403
    assert client.post(f"/w/acme/settings/teams/{team.pk}/delete/").status_code == 403
    assert Team.objects.filter(pk=team.pk).exists()


def test_a_rep_cannot_change_teams(client_as, rep, workspace):
    team = TeamFactory(workspace=workspace, name="Field sales")
    before = snapshot(workspace)
    client = client_as(rep)
    assert client.post("/w/acme/settings/teams/new/", {"name": "Mine"}).status_code == 403
    assert client.post(f"/w/acme/settings/teams/{team.pk}/", {"name": "Mine"}).status_code == 403
    assert client.post(f"/w/acme/settings/teams/{team.pk}/delete/").status_code == 403
    assert snapshot(workspace) == before


def test_team_pages_of_another_workspace_are_404s(client_as, owner, workspace, other_workspace):
    their_team = TeamFactory(workspace=other_workspace, name="Theirs")
    before = snapshot(workspace, other_workspace)
    client = client_as(owner)
    for slug in ("acme", "globex"):
        assert client.get(f"/w/{slug}/settings/teams/{their_team.pk}/").status_code == 404
        assert client.post(f"/w/{slug}/settings/teams/{their_team.pk}/", {"name": "Ours"}).status_code == 404
        assert client.post(f"/w/{slug}/settings/teams/{their_team.pk}/delete/").status_code == 404
    assert snapshot(workspace, other_workspace) == before


# --- API tokens -----------------------------------------------------------------------------------


def test_creating_a_token_shows_its_secret_once(client_as, rep, workspace):
    client = client_as(rep)
    blank = client.post("/w/acme/settings/tokens/", {"name": " "})
    assert blank.status_code == 400
    assert not ApiToken.objects.exists()
    response = client.post("/w/acme/settings/tokens/", {"name": "Invoicing sync"})
    assert response.status_code == 201
    secret = response.context["secret"]
    assert secret.startswith("amity_")
    assert secret.encode() in response.content
    assert b"the only time it is shown" in response.content
    token = ApiToken.objects.get()
    assert token.token_hash == hash_secret(secret) and token.user == rep
    assert secret.encode() not in client.get("/w/acme/settings/tokens/").content
    assert token.prefix.encode() in client.get("/w/acme/settings/tokens/").content


def test_revoking_a_token(client_as, rep, workspace):
    token, _ = token_for(rep, workspace, name="Old script")
    response = client_as(rep).post(f"/w/acme/settings/tokens/{token.pk}/revoke/", follow=True)
    assert b"Token Old script revoked" in response.content
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_a_rep_sees_only_their_own_tokens_and_cannot_revoke_others(client_as, rep, admin, workspace):
    admins_token, _ = token_for(admin, workspace, name="Admin's robot")
    client = client_as(rep)
    assert b"Admin&#x27;s robot" not in client.get("/w/acme/settings/tokens/").content
    assert client.post(f"/w/acme/settings/tokens/{admins_token.pk}/revoke/").status_code == 404
    admins_token.refresh_from_db()
    assert admins_token.revoked_at is None


def test_an_admin_sees_everyones_tokens(client_as, rep, admin, workspace):
    token_for(rep, workspace, name="Rep's robot")
    content = client_as(admin).get("/w/acme/settings/tokens/").content.decode()
    assert "Rep&#x27;s robot" in content and "All tokens in this workspace" in content


def test_tokens_of_another_workspace_are_404s(client_as, owner, workspace, other_workspace):
    their_owner = member(other_workspace, Role.OWNER)
    their_token, _ = token_for(their_owner, other_workspace)
    before = snapshot(workspace, other_workspace)
    for slug in ("acme", "globex"):
        assert client_as(owner).post(f"/w/{slug}/settings/tokens/{their_token.pk}/revoke/").status_code == 404
    assert snapshot(workspace, other_workspace) == before


# --- Audit log ------------------------------------------------------------------------------------


def test_audit_log_shows_each_change_before_and_after(client_as, owner, workspace):
    services.workspace_rename(actor=owner, workspace=workspace, name="Acme Corporation")
    content = client_as(owner).get("/w/acme/settings/audit-log/").content.decode()
    assert '<span class="before">Acme</span>' in content
    assert '<span class="after">Acme Corporation</span>' in content
    assert "owner@acme.test" in content


def test_audit_log_filters(client_as, owner, admin, workspace):
    services.workspace_rename(actor=owner, workspace=workspace, name="By owner")
    services.team_create(actor=admin, workspace=workspace, name="By admin")
    client = client_as(owner)
    by_admin = client.get("/w/acme/settings/audit-log/", {"actor": admin.pk})
    assert [entry.actor_id for entry in by_admin.context["page"].items] == [admin.pk]
    teams = client.get("/w/acme/settings/audit-log/", {"object_type": "core.team", "action": "create"})
    assert [entry.object_repr for entry in teams.context["page"].items] == ["By admin"]
    today = timezone.localdate()
    future = client.get("/w/acme/settings/audit-log/", {"since": (today + dt.timedelta(days=1)).isoformat()})
    assert future.context["page"].items == []
    assert b"No change matches these filters" in future.content
    backwards = client.get("/w/acme/settings/audit-log/", {"since": today.isoformat(), "until": (today - dt.timedelta(days=2)).isoformat()})
    assert backwards.status_code == 400
    assert b"The end date is before the start date." in backwards.content


def test_audit_log_loads_more_with_htmx(client_as, owner, workspace):
    for index in range(60):
        services.workspace_rename(actor=owner, workspace=workspace, name=f"Name {index}")
    client = client_as(owner)
    first = client.get("/w/acme/settings/audit-log/", {"action": "update"})
    assert len(first.context["page"].items) == 50
    cursor = first.context["page"].next_cursor
    assert cursor
    more = client.get("/w/acme/settings/audit-log/", {"action": "update", "cursor": cursor}, headers={"HX-Request": "true"})
    assert more.status_code == 200
    assert b"<html" not in more.content and b"<tr" in more.content
    assert len(more.context["page"].items) == 10
    assert more.context["page"].next_cursor is None
    assert b"Load more" not in more.content
    assert b"Name 0" in more.content


def test_audit_log_refuses_a_forged_cursor(client_as, owner, workspace):
    response = client_as(owner).get("/w/acme/settings/audit-log/", {"cursor": "forged"})
    assert response.status_code == 400
    assert b"This cursor is not one we gave out" in response.content


def test_audit_log_never_shows_another_workspace(client_as, owner, workspace, other_workspace):
    their_owner = member(other_workspace, Role.OWNER)
    services.workspace_rename(actor=their_owner, workspace=other_workspace, name="Secret Globex plan")
    assert b"Secret Globex plan" not in client_as(owner).get("/w/acme/settings/audit-log/").content


# --- Background tasks ---------------------------------------------------------------------------------


def test_failed_tasks_show_error_attempt_and_next_retry(client_as, owner, workspace, other_workspace):
    retry_at = timezone.now() + dt.timedelta(minutes=5)
    TaskFailure.objects.create(
        workspace=workspace,
        task_name="amity.core.emails.send_email",
        attempt=2,
        max_attempts=5,
        error="SMTPError: refused",
        retry_at=retry_at,
    )
    TaskFailure.objects.create(workspace=workspace, task_name="amity.core.emails.send_email", attempt=5, max_attempts=5, error="gone")
    TaskFailure.objects.create(workspace=other_workspace, task_name="theirs", attempt=1, max_attempts=5, error="Globex secret")
    content = client_as(owner).get("/w/acme/settings/tasks/").content.decode()
    assert "SMTPError: refused" in content
    assert "2 of 5" in content
    assert "Gave up" in content
    assert "Globex secret" not in content


def test_no_failed_tasks_says_so(client_as, owner):
    assert b"No failed tasks" in client_as(owner).get("/w/acme/settings/tasks/").content


# --- Profile ------------------------------------------------------------------------------------------


def test_saving_my_profile(client_as, rep):
    client = client_as(rep)
    bad = client.post("/w/acme/settings/profile/", {"form": "profile", "full_name": "Rita", "time_zone": "Mars/Olympus"})
    assert bad.status_code == 400
    assert b"Select a valid choice." in bad.content
    response = client.post("/w/acme/settings/profile/", {"form": "profile", "full_name": "Rita R.", "time_zone": "Europe/Paris"})
    assert response.status_code == 302
    rep.refresh_from_db()
    assert (rep.full_name, rep.time_zone) == ("Rita R.", "Europe/Paris")


def test_changing_my_password(client_as, rep):
    client = client_as(rep)
    wrong = client.post(
        "/w/acme/settings/profile/",
        {"form": "password", "current_password": "nope", "new_password": "fresh-secret-99", "new_password_again": "fresh-secret-99"},
    )
    assert wrong.status_code == 400
    assert b"This is not your current password." in wrong.content
    weak = client.post(
        "/w/acme/settings/profile/",
        {"form": "password", "current_password": "correct-horse-battery", "new_password": "short", "new_password_again": "short"},
    )
    assert weak.status_code == 400
    assert b"too short" in weak.content
    ok = client.post(
        "/w/acme/settings/profile/",
        {
            "form": "password",
            "current_password": "correct-horse-battery",
            "new_password": "fresh-secret-99",
            "new_password_again": "fresh-secret-99",
        },
    )
    assert ok.status_code == 302
    rep.refresh_from_db()
    assert rep.check_password("fresh-secret-99")
    assert client.get("/w/acme/").status_code == 200  # still signed in
