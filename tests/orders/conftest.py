"""Fixtures of the back-office tests: a deal with two catalog lines, its quote sent to the customer, and helpers."""

from __future__ import annotations

from typing import Any

import pytest

from amity.core.models import User, Workspace
from amity.core.permissions import Role
from amity.customers.models import Account, Contact
from amity.orders.models import SalesOrder
from amity.sales import services
from amity.sales.models import Opportunity, Quote
from tests.factories import member
from tests.sales.conftest import account, chair, contact, desk, manager, pipeline  # noqa: F401
from tests.web.conftest import client_as  # noqa: F401


@pytest.fixture
def supply(workspace: Workspace) -> User:
    return member(workspace, Role.SUPPLY, email="supply@acme.test", full_name="Sam Supply")


@pytest.fixture
def deal(rep: User, account: Account, contact: Contact, pipeline: Any, desk: Any, chair: Any) -> Opportunity:  # noqa: F811
    """Initech's office deal: 10 desks at 10% off and 10 chairs, 19% tax; Peter is the primary contact."""
    return services.opportunity_create(
        actor=rep,
        workspace=account.workspace,
        data={
            "name": "Initech office",
            "account_id": account.pk,
            "currency": "EUR",
            "contacts": [{"contact_id": contact.pk, "role": "decision_maker", "is_primary": True}],
            "line_items": [
                {"product_id": desk.pk, "quantity": "10", "discount_percent": "10"},
                {"product_id": chair.pk, "quantity": "10"},
            ],
        },
    )


@pytest.fixture
def quote(rep: User, deal: Opportunity) -> Quote:
    return services.quote_create_from_opportunity(actor=rep, opportunity=deal)


@pytest.fixture
def sent_quote(rep: User, quote: Quote, django_capture_on_commit_callbacks: Any) -> Quote:
    """The quote, emailed to Peter (the email goes out once the transaction commits)."""
    with django_capture_on_commit_callbacks(execute=True):
        return services.quote_send(actor=rep, quote=quote, to="peter@initech.test")


@pytest.fixture
def order(sent_quote: Quote) -> SalesOrder:
    services.quote_accept(token=sent_quote.public_token or "", name="Peter Gibbons")
    return SalesOrder.objects.get(quote=sent_quote)
