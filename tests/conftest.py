"""Fixtures every app's tests share: workspaces, people in each role, and an API client with a token."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from amity.core.models import User, Workspace
from amity.core.permissions import Role
from tests.factories import WorkspaceFactory, member, token_for
from tests.imap import imap_server  # noqa: F401  (a Dovecot mailbox for the tests that read email)
from tests.mail import smtp_server  # noqa: F401  (a fixture for every test that sends email)

REQUIRE_SERVICES = os.environ.get("AMITY_REQUIRE_SERVICES") == "1"


def skip_or_fail(reason: str) -> None:
    """Skip a test whose service is missing, except in CI where every service must be there."""
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason} (AMITY_REQUIRE_SERVICES=1 forbids skipping)")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _isolated_settings(settings: Any, tmp_path: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default", "email"]}}
    settings.AXES_ENABLED = False
    settings.BASE_URL = "http://testserver"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path / "media"}},
    }


@dataclass
class ApiClient:
    """Django's test client speaking JSON with a bearer token."""

    client: Client
    token: str | None

    def _headers(self, extra: dict[str, str] | None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        return {**headers, **(extra or {})}

    def get(self, path: str, params: dict[str, Any] | None = None, headers: dict[str, str] | None = None) -> Any:
        return self.client.get(path, params or {}, headers=self._headers(headers))

    def _send(self, method: str, path: str, body: Any, headers: dict[str, str] | None) -> Any:
        send = getattr(self.client, method)
        return send(
            path, data=json.dumps(body) if body is not None else "", content_type="application/json", headers=self._headers(headers)
        )

    def post(self, path: str, body: Any = None, headers: dict[str, str] | None = None) -> Any:
        return self._send("post", path, body, headers)

    def patch(self, path: str, body: Any = None, headers: dict[str, str] | None = None) -> Any:
        return self._send("patch", path, body, headers)

    def put(self, path: str, body: Any = None, headers: dict[str, str] | None = None) -> Any:
        return self._send("put", path, body, headers)

    def delete(self, path: str, body: Any = None, headers: dict[str, str] | None = None) -> Any:
        return self._send("delete", path, body, headers)


@pytest.fixture
def workspace(db: Any) -> Workspace:
    return WorkspaceFactory(name="Acme", slug="acme")


@pytest.fixture
def other_workspace(db: Any) -> Workspace:
    return WorkspaceFactory(name="Globex", slug="globex")


@pytest.fixture
def owner(workspace: Workspace) -> User:
    return member(workspace, Role.OWNER, email="owner@acme.test", full_name="Olga Owner")


@pytest.fixture
def admin(workspace: Workspace) -> User:
    return member(workspace, Role.ADMIN, email="admin@acme.test", full_name="Ada Admin")


@pytest.fixture
def rep(workspace: Workspace) -> User:
    return member(workspace, Role.SALES, email="rep@acme.test", full_name="Rita Rep")


@pytest.fixture
def api_as(db: Any) -> Any:
    """api_as(user, workspace) -> an ApiClient holding a fresh token of that user in that workspace."""

    def make(user: User, workspace: Workspace) -> ApiClient:
        _, secret = token_for(user, workspace)
        return ApiClient(Client(), secret)

    return make


@pytest.fixture
def api(api_as: Any, admin: User, workspace: Workspace) -> ApiClient:
    """The API as an admin of the Acme workspace."""
    return api_as(admin, workspace)
