"""Factories that build what each test needs; no shared seeded database."""

from __future__ import annotations

from typing import Any

import factory
from factory.django import DjangoModelFactory

from amity.core import services
from amity.core.models import ApiToken, Membership, Team, User, Workspace
from amity.core.permissions import Role

PASSWORD = "correct-horse-battery"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    full_name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @classmethod
    def _after_postgeneration(cls, instance: User, create: bool, results: Any = None) -> None:
        if create:
            instance.save()


class WorkspaceFactory(DjangoModelFactory):
    class Meta:
        model = Workspace

    name = factory.Sequence(lambda n: f"Workspace {n}")
    slug = factory.Sequence(lambda n: f"workspace-{n}")


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    workspace = factory.SubFactory(WorkspaceFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.SALES


class TeamFactory(DjangoModelFactory):
    class Meta:
        model = Team

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda n: f"Team {n}")


def member(workspace: Workspace, role: str = Role.SALES, **user_fields: Any) -> User:
    """A new user with `role` in `workspace`."""
    user = UserFactory(**user_fields)
    MembershipFactory(workspace=workspace, user=user, role=role)
    return user


def token_for(user: User, workspace: Workspace, name: str = "tests") -> tuple[ApiToken, str]:
    return services.token_create(actor=user, workspace=workspace, name=name)


class AccountFactory(DjangoModelFactory):
    class Meta:
        model = "customers.Account"

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda n: f"Account {n}")


class ContactFactory(DjangoModelFactory):
    class Meta:
        model = "customers.Contact"

    workspace = factory.SubFactory(WorkspaceFactory)
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")


def account_with(workspace: Workspace, name: str, *, domains: tuple[str, ...] = (), **fields: Any) -> Any:
    """An account with its web domains."""
    from amity.customers.models import AccountDomain

    account = AccountFactory(workspace=workspace, name=name, **fields)
    for domain in domains:
        AccountDomain.objects.create(workspace=workspace, account=account, domain=domain)
    return account


def contact_with(
    workspace: Workspace,
    first_name: str,
    last_name: str,
    *,
    emails: tuple[str, ...] = (),
    phones: tuple[str, ...] = (),
    accounts: tuple[Any, ...] = (),
    **fields: Any,
) -> Any:
    """A contact with its emails (the first is primary), phones (E.164) and accounts."""
    from amity.customers.models import AccountContact, ContactEmail, ContactPhone

    contact = ContactFactory(
        workspace=workspace,
        first_name=first_name,
        last_name=last_name,
        primary_email=emails[0] if emails else "",
        primary_phone=phones[0] if phones else "",
        **fields,
    )
    for position, address in enumerate(emails):
        ContactEmail.objects.create(workspace=workspace, contact=contact, address=address, is_primary=position == 0)
    for position, number in enumerate(phones):
        ContactPhone.objects.create(workspace=workspace, contact=contact, number=number, is_primary=position == 0)
    for account in accounts:
        AccountContact.objects.create(workspace=workspace, account=account, contact=contact)
    return contact


def contact_at(account: Any, **fields: Any) -> Any:
    """A contact who works at `account` (linked through AccountContact)."""
    from amity.customers.models import AccountContact

    contact = ContactFactory(workspace=account.workspace, **fields)
    AccountContact.objects.create(workspace=account.workspace, account=account, contact=contact)
    return contact


def new_deal(actor: User, account: Any, name: str, **data: Any) -> Any:
    """A deal of `account` through the service: 1,000 EUR closing at the end of June 2030 unless told otherwise."""
    from amity.sales import services as sales_services

    values = {"name": name, "account_id": account.pk, "currency": "EUR", "amount": "1000", "expected_close_date": "2030-06-30", **data}
    return sales_services.opportunity_create(actor=actor, workspace=account.workspace, data=values)
