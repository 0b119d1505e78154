"""Inviting, accepting, changing roles, removing people and teams: the rules that protect a workspace."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from amity.core import services
from amity.core.models import ApiToken, AuditEntry, Invitation, Membership, User, Workspace
from amity.core.permissions import Role
from tests.factories import member, token_for


def _link_from_outbox() -> str:
    body = mail.outbox[-1].body
    return next(line.strip() for line in body.splitlines() if "/invitations/" in line)


def test_an_invitation_is_emailed_and_accepted_by_a_new_person(
    owner: User, workspace: Workspace, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_create(actor=owner, workspace=workspace, email="New.Person@Example.com ", role=Role.SUPPORT)

    assert mail.outbox[-1].to == ["new.person@example.com"]
    assert "Acme" in mail.outbox[-1].subject
    token = _link_from_outbox().rstrip("/").rsplit("/", 1)[-1]
    invitation = services.invitation_from_token(token)
    assert invitation is not None

    membership = services.invitation_accept(invitation=invitation, user=None, password="a-long-new-password", full_name="New Person")

    assert membership.role == Role.SUPPORT
    assert membership.user.check_password("a-long-new-password")
    assert services.invitation_from_token(token) is None, "a link works once"


def test_a_tampered_invitation_link_finds_nothing(owner: User, workspace: Workspace) -> None:
    invitation = services.invitation_create(actor=owner, workspace=workspace, email="x@example.com", role=Role.SALES)
    token = services.invitation_link(invitation).rstrip("/").rsplit("/", 1)[-1]
    assert services.invitation_from_token(token[:-2] + "xx") is None


def test_a_weak_password_is_refused_on_acceptance(owner: User, workspace: Workspace) -> None:
    invitation = services.invitation_create(actor=owner, workspace=workspace, email="x@example.com", role=Role.SALES)
    with pytest.raises(ValidationError):
        services.invitation_accept(invitation=invitation, user=None, password="123")
    assert not Membership.objects.filter(user__email="x@example.com").exists()


def test_a_revoked_invitation_cannot_be_accepted(owner: User, workspace: Workspace) -> None:
    invitation = services.invitation_create(actor=owner, workspace=workspace, email="x@example.com", role=Role.SALES)
    services.invitation_revoke(actor=owner, workspace=workspace, invitation=invitation)
    with pytest.raises(ValidationError):
        services.invitation_accept(invitation=invitation, user=None, password="a-long-new-password")


def test_an_admin_cannot_make_an_owner(admin: User, workspace: Workspace) -> None:
    with pytest.raises(PermissionDenied):
        services.invitation_create(actor=admin, workspace=workspace, email="boss@example.com", role=Role.OWNER)
    assert Invitation.objects.count() == 0


def test_the_last_owner_stays(owner: User, workspace: Workspace) -> None:
    membership = Membership.objects.get(user=owner)
    with pytest.raises(ValidationError):
        services.member_change_role(actor=owner, workspace=workspace, membership=membership, role=Role.ADMIN)
    with pytest.raises(ValidationError):
        services.member_remove(actor=owner, workspace=workspace, membership=membership)
    membership.refresh_from_db()
    assert membership.role == Role.OWNER


def test_an_admin_cannot_demote_or_remove_an_owner(owner: User, admin: User, workspace: Workspace) -> None:
    membership = Membership.objects.get(user=owner)
    with pytest.raises(PermissionDenied):
        services.member_change_role(actor=admin, workspace=workspace, membership=membership, role=Role.VIEWER)
    with pytest.raises(PermissionDenied):
        services.member_remove(actor=admin, workspace=workspace, membership=membership)


def test_removing_a_member_revokes_their_tokens_and_is_audited(owner: User, rep: User, workspace: Workspace) -> None:
    token, _ = token_for(rep, workspace)
    services.member_remove(actor=owner, workspace=workspace, membership=Membership.objects.get(user=rep))
    token.refresh_from_db()
    assert token.revoked_at is not None
    entry = AuditEntry.objects.filter(object_type="core.membership", action="delete").get()
    assert entry.actor == owner
    assert entry.changes == {"role": ["sales", None]}


def test_role_change_is_audited_before_and_after(owner: User, rep: User, workspace: Workspace) -> None:
    services.member_change_role(actor=owner, workspace=workspace, membership=Membership.objects.get(user=rep), role=Role.MANAGER)
    entry = AuditEntry.objects.filter(object_type="core.membership", action="update").get()
    assert entry.changes == {"role": ["sales", "manager"]}


def test_a_team_only_takes_members_of_its_workspace(owner: User, workspace: Workspace, other_workspace: Workspace) -> None:
    stranger = member(other_workspace, Role.SALES)
    with pytest.raises(ValidationError) as error:
        services.team_create(actor=owner, workspace=workspace, name="Mixed", members=[stranger])
    assert "members" in error.value.message_dict


def test_a_token_secret_is_shown_once_and_only_its_hash_is_kept(rep: User, workspace: Workspace) -> None:
    token, secret = services.token_create(actor=rep, workspace=workspace, name="Zapier")
    assert secret.startswith("amity_")
    assert secret not in {token.token_hash, token.prefix}
    assert secret.startswith(token.prefix)
    assert ApiToken.objects.filter(token_hash__contains=secret).count() == 0


def test_a_workspace_is_created_with_its_owner_and_a_unique_slug(owner: User) -> None:
    first = services.workspace_create(owner=owner, name="Acme Labs")
    second = services.workspace_create(owner=owner, name="Acme Labs")
    assert (first.slug, second.slug) == ("acme-labs", "acme-labs-2")
    assert Membership.objects.get(workspace=second, user=owner).role == Role.OWNER


def test_an_existing_account_must_sign_in_to_accept(owner: User, rep: User, workspace: Workspace, other_workspace: Workspace) -> None:
    invitation = services.invitation_create(actor=owner, workspace=workspace, email="outsider@example.com", role=Role.SALES)
    outsider = member(other_workspace, Role.OWNER, email="outsider@example.com")

    with pytest.raises(PermissionDenied):
        services.invitation_accept(invitation=invitation, user=None, password="whatever-password-1")

    assert not Membership.objects.filter(workspace=workspace, user=outsider).exists()
    membership = services.invitation_accept(invitation=invitation, user=outsider)
    assert membership.role == Role.SALES
