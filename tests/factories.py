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
    last_name = factory.Sequence(lambda n: f"Person{n}")


def contact_at(account: Any, **fields: Any) -> Any:
    """A contact who works at `account` (linked through AccountContact)."""
    from amity.customers.models import AccountContact

    contact = ContactFactory(workspace=account.workspace, **fields)
    AccountContact.objects.create(workspace=account.workspace, account=account, contact=contact)
    return contact
