"""Fixtures of the timeline's tests: customers in Acme, and people in the roles that work with them."""

from __future__ import annotations

from typing import Any

import pytest

from amity.core.models import User, Workspace
from amity.core.permissions import Role
from amity.customers.models import Account, Contact
from tests.core.test_processes import amity_env, prepared  # noqa: F401 - the real-process fixtures, for the reminder worker test
from tests.factories import AccountFactory, ContactFactory, contact_at, member


@pytest.fixture
def manager(workspace: Workspace) -> User:
    return member(workspace, Role.MANAGER, email="manager@acme.test", full_name="Mona Manager")


@pytest.fixture
def viewer(workspace: Workspace) -> User:
    return member(workspace, Role.VIEWER, email="viewer@acme.test", full_name="Vic Viewer")


@pytest.fixture
def colleague(workspace: Workspace) -> User:
    return member(workspace, Role.SALES, email="colleague@acme.test", full_name="Carl Colleague")


@pytest.fixture
def account(workspace: Workspace) -> Account:
    return AccountFactory(workspace=workspace, name="Initech")


@pytest.fixture
def contact(account: Account) -> Contact:
    return contact_at(account, first_name="Peter", last_name="Gibbons")


@pytest.fixture
def other_contact(other_workspace: Workspace) -> Contact:
    return ContactFactory(workspace=other_workspace, first_name="Hank", last_name="Scorpio")


@pytest.fixture
def rep_api(api_as: Any, rep: User, workspace: Workspace) -> Any:
    return api_as(rep, workspace)
