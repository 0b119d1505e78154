"""Accepting an invitation from its emailed link."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from amity.core import services
from amity.core.models import Membership
from amity.core.permissions import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def invite(django_capture_on_commit_callbacks):
    """invite(owner, workspace) -> the path of the link in the invitation email."""

    def send(owner, workspace, email="newbie@example.com", role=Role.SALES):
        with django_capture_on_commit_callbacks(execute=True):
            services.invitation_create(actor=owner, workspace=workspace, email=email, role=role)
        body = mail.outbox[-1].body
        return re.search(r"http://testserver(/invitations/\S+/)", body).group(1)

    return send


def test_a_new_person_chooses_a_name_and_password_and_lands_in_the_workspace(client, owner, workspace, invite):
    path = invite(owner, workspace)
    page = client.get(path)
    assert page.status_code == 200
    assert b"Join Acme" in page.content
    assert b"newbie@example.com" in page.content

    mismatch = client.post(path, {"full_name": "Nina New", "password": "a-long-secret-1", "password_again": "another-one-2"})
    assert mismatch.status_code == 400
    assert b"The two passwords differ." in mismatch.content
    weak = client.post(path, {"full_name": "Nina New", "password": "12345678901", "password_again": "12345678901"})
    assert weak.status_code == 400
    assert b"This password is too common." in weak.content or b"entirely numeric" in weak.content
    assert not Membership.objects.filter(user__email="newbie@example.com").exists()

    response = client.post(path, {"full_name": "Nina New", "password": "a-long-secret-1", "password_again": "a-long-secret-1"})
    assert response.status_code == 302
    assert response.url == "/w/acme/"
    membership = Membership.objects.get(workspace=workspace, user__email="newbie@example.com")
    assert membership.role == Role.SALES
    assert membership.user.full_name == "Nina New"
    assert client.get("/w/acme/").status_code == 200  # signed in
    assert client.get(path).status_code == 404  # the link works once


def test_a_signed_in_invitee_just_accepts(client_as, owner, workspace, invite):
    existing = UserFactory(email="newbie@example.com")
    path = invite(owner, workspace)
    client = client_as(existing)
    page = client.get(path)
    assert b"Join Acme" in page.content
    response = client.post(path)
    assert response.url == "/w/acme/"
    assert Membership.objects.get(workspace=workspace, user=existing).role == Role.SALES


def test_an_existing_account_that_is_not_signed_in_must_sign_in_first(client, owner, workspace, invite):
    existing = UserFactory(email="newbie@example.com")
    path = invite(owner, workspace)
    page = client.get(path)
    assert b"Sign in to accept" in page.content
    # Posting a password for someone else's account must not let anyone in.
    client.post(path, {"full_name": "Mallory", "password": "a-long-secret-1", "password_again": "a-long-secret-1"})
    assert not Membership.objects.filter(workspace=workspace, user=existing).exists()
    assert "_auth_user_id" not in client.session


def test_someone_signed_in_as_another_address_is_told_so(client_as, owner, workspace, rep, invite):
    path = invite(owner, workspace)
    response = client_as(rep).post(path)
    assert response.status_code == 403
    assert b"This invitation was sent to" in response.content
    assert not Membership.objects.filter(user__email="newbie@example.com").exists()


def test_a_forged_or_withdrawn_link_is_not_valid(client, owner, workspace, invite):
    assert client.get("/invitations/not-a-real-token/").status_code == 404
    path = invite(owner, workspace)
    invitation = workspace_invitation = services.invitation_from_token(path.split("/")[2])
    services.invitation_revoke(actor=owner, workspace=workspace, invitation=workspace_invitation)
    response = Client().get(path)
    assert response.status_code == 404
    assert b"This invitation is not valid" in response.content
    assert invitation is not None
