"""Signing in and out, throttling, password reset, landing and creating a workspace."""

from __future__ import annotations

import re

import pytest
from axes.utils import reset as axes_reset
from django.core import mail
from django.urls import reverse

from amity.core.models import Membership, Workspace
from amity.core.permissions import Role
from tests.factories import PASSWORD, UserFactory, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def axes_on(settings):
    settings.AXES_ENABLED = True
    axes_reset()
    yield
    axes_reset()


def test_login_page_renders_with_the_form(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert b'name="username"' in response.content
    assert b"Forgot your password?" in response.content


def test_signing_in_lands_in_the_last_workspace(client, owner, workspace, other_workspace):
    Membership.objects.create(workspace=other_workspace, user=owner, role=Role.VIEWER)
    owner.last_workspace = other_workspace
    owner.save()
    response = client.post(reverse("login"), {"username": "OWNER@acme.test", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == "/w/globex/"
    assert response.status_code == 200


def test_wrong_password_shows_an_error_and_signs_nobody_in(client, owner):
    response = client.post(reverse("login"), {"username": "owner@acme.test", "password": "wrong-password"})
    assert response.status_code == 200
    assert b"That email and password do not match an account" in response.content
    assert "_auth_user_id" not in client.session


def test_too_many_failures_lock_the_login_with_a_clear_message(client, owner, axes_on, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert client.post(reverse("login"), {"username": "owner@acme.test", "password": "nope-nope"}).status_code == 200
    locked = client.post(reverse("login"), {"username": "owner@acme.test", "password": "nope-nope"})
    assert locked.status_code == 429
    assert b"Too many failed sign-in attempts. Try again in 15 minutes." in locked.content
    # Even the right password is refused while the lock lasts.
    again = client.post(reverse("login"), {"username": "owner@acme.test", "password": PASSWORD})
    assert again.status_code == 429
    assert "_auth_user_id" not in client.session


def test_logout_needs_a_post(client_as, owner):
    client = client_as(owner)
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response.url == reverse("login")
    assert client.get("/w/acme/").status_code == 302


def test_pages_ask_anonymous_visitors_to_sign_in(client, workspace):
    response = client.get("/w/acme/settings/members/")
    assert response.status_code == 302
    assert response.url.startswith("/login?next=")


def test_password_reset_from_email_to_new_password(client, owner):
    response = client.post(reverse("password_reset"), {"email": "owner@acme.test"})
    assert response.status_code == 302
    assert response.url == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["owner@acme.test"]
    assert message.subject == "Reset your Amity password"
    path = re.search(r"http://testserver(/password-reset/\S+/)", message.body).group(1)

    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200
    assert b"Choose a new password" in form_page.content
    set_url = form_page.redirect_chain[-1][0]
    too_short = client.post(set_url, {"new_password1": "short", "new_password2": "short"})
    assert too_short.status_code == 200
    assert b"too short" in too_short.content
    done = client.post(set_url, {"new_password1": "a-brand-new-secret", "new_password2": "a-brand-new-secret"})
    assert done.status_code == 302
    assert done.url == reverse("password_reset_complete")
    owner.refresh_from_db()
    assert owner.check_password("a-brand-new-secret")
    assert client.get(path).status_code == 200  # the used link now says it no longer works
    assert b"This link no longer works" in client.get(path, follow=True).content


def test_password_reset_for_an_unknown_email_sends_nothing_and_says_the_same(client, db):
    response = client.post(reverse("password_reset"), {"email": "nobody@nowhere.test"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_home_without_a_workspace_offers_to_create_the_first(client_as):
    loner = UserFactory(email="loner@example.com")
    client = client_as(loner)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url == reverse("workspace_create")
    page = client.get(response.url)
    assert b"Create your first workspace" in page.content


def test_creating_a_workspace_makes_me_its_owner(client_as):
    loner = UserFactory(email="loner@example.com")
    client = client_as(loner)
    blank = client.post(reverse("workspace_create"), {"name": "   "})
    assert blank.status_code == 400
    assert b"This field is required" in blank.content or b"A workspace needs a name" in blank.content
    assert not Workspace.objects.exists()
    response = client.post(reverse("workspace_create"), {"name": "Initech"})
    workspace = Workspace.objects.get()
    assert response.url == f"/w/{workspace.slug}/"
    assert Membership.objects.get(workspace=workspace).role == Role.OWNER


def test_a_member_of_several_workspaces_lands_in_the_first_without_history(client_as, workspace):
    person = member(workspace, Role.VIEWER)
    response = client_as(person).get(reverse("home"))
    assert response.url == "/w/acme/"
