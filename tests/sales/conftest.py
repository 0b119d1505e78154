"""Fixtures of the sales and catalog tests: an account with people, the default pipeline, a few products."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from amity.catalog import services as catalog_services
from amity.catalog.models import Product
from amity.core.models import User, Workspace
from amity.core.permissions import Role
from amity.customers.models import Account, Contact
from amity.sales import services
from amity.sales.models import LostReason, Pipeline, Stage
from tests.factories import AccountFactory, contact_at, member


@pytest.fixture
def manager(workspace: Workspace) -> User:
    return member(workspace, Role.MANAGER, email="manager@acme.test", full_name="Mona Manager")


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
def pipeline(workspace: Workspace) -> Pipeline:
    return services.sales_setup(workspace=workspace)


def stage(pipeline: Pipeline, name: str) -> Stage:
    return pipeline.stages.get(name=name)


@pytest.fixture
def lost_reason(pipeline: Pipeline) -> LostReason:
    return LostReason.objects.get(workspace=pipeline.workspace, name="Price too high")


@pytest.fixture
def desk(owner: User, workspace: Workspace) -> Product:
    return catalog_services.product_create(
        actor=owner,
        workspace=workspace,
        data={"sku": "DSK-1", "name": "Standing desk", "currency": "EUR", "list_price": "649.00", "tax_rate": "19"},
    )


@pytest.fixture
def chair(owner: User, workspace: Workspace) -> Product:
    return catalog_services.product_create(
        actor=owner,
        workspace=workspace,
        data={"sku": "CHR-1", "name": "Chair", "currency": "EUR", "list_price": "429.00", "tax_rate": "19"},
    )


@pytest.fixture
def deal(rep: User, workspace: Workspace, account: Account, pipeline: Pipeline) -> Any:
    return services.opportunity_create(
        actor=rep, workspace=workspace, data={"name": "Initech office", "account_id": account.pk, "currency": "EUR", "amount": "12000"}
    )


@pytest.fixture
def rep_api(api_as: Any, rep: User, workspace: Workspace) -> Any:
    return api_as(rep, workspace)


ZERO = Decimal("0.00")
