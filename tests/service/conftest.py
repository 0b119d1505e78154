"""Fixtures of the service tests: an agent, a customer with an email at an account, and a case of theirs."""

from __future__ import annotations

from typing import Any

import pytest

from amity.core.models import User, Workspace
from amity.core.permissions import Role
from amity.customers.models import Account, Contact
from amity.service import services
from amity.service.models import Case
from tests.factories import account_with, contact_with, member


@pytest.fixture
def agent(workspace: Workspace) -> User:
    return member(workspace, Role.SUPPORT, email="sam@acme.test", full_name="Sam Agent")


@pytest.fixture
def customer_account(workspace: Workspace) -> Account:
    return account_with(workspace, "Initech", domains=("initech.test",))


@pytest.fixture
def customer(workspace: Workspace, customer_account: Account) -> Contact:
    return contact_with(workspace, "Peter", "Gibbons", emails=("peter@initech.test",), accounts=(customer_account,))


@pytest.fixture
def case(agent: User, workspace: Workspace, customer: Contact) -> Case:
    return services.case_open(
        actor=agent,
        workspace=workspace,
        data={"subject": "Chair arm came loose", "kind": "complaint", "contact_id": customer.pk, "description": "It wobbles."},
    )


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks: Any) -> Any:
    """Run what a service queued for after its commit (the tests' transaction never commits)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
