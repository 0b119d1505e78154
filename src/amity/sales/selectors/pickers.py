"""Reads behind the search-as-you-type pickers: a few matching products or people, workspace-scoped and role-filtered.

Each answers a bounded page (PICK_LIMIT) in a fixed number of queries, whatever the catalog's or the address book's size.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models
from django.db.models import Exists, OuterRef, Q

from amity.catalog.models import Product
from amity.core.access import hidden_fields, visible
from amity.core.models import User, Workspace
from amity.core.permissions import ObjectType
from amity.customers.models import AccountContact, Contact

PICK_LIMIT = 20
# Longer input is no better a search and only costs the database more.
QUERY_MAX = 100


def _words(query: str) -> list[str]:
    return query.strip()[:QUERY_MAX].split()[:5]


def products_matching(*, actor: User, workspace: Workspace, query: str, limit: int = PICK_LIMIT) -> list[Product]:
    """Active products whose name or SKU holds every word typed, by name (the first `limit`)."""
    products = visible(Product.objects.all(), actor=actor, workspace=workspace, object_type=ObjectType.PRODUCT).filter(active=True)
    for word in _words(query):
        products = products.filter(Q(name__icontains=word) | Q(sku__icontains=word))
    return list(products.order_by("name", "id")[:limit])


def contacts_matching(
    *,
    actor: User,
    workspace: Workspace,
    query: str,
    account_id: int | None = None,
    exclude: Iterable[int] = (),
    limit: int = PICK_LIMIT,
) -> list[Contact]:
    """Live people whose name (or email, for roles that may see it) holds every word typed, the account's people first.

    Each contact carries `at_account` (whether they belong to `account_id`).
    """
    contacts = visible(Contact.objects.all(), actor=actor, workspace=workspace, object_type=ObjectType.CONTACT)
    contacts = contacts.filter(deleted_at__isnull=True).exclude(pk__in=exclude)
    with_email = "emails" not in hidden_fields(actor, workspace, ObjectType.CONTACT)
    for word in _words(query):
        matches = Q(first_name__icontains=word) | Q(last_name__icontains=word)
        if with_email:
            matches |= Q(primary_email__icontains=word)
        contacts = contacts.filter(matches)
    at_account: Exists | models.Value = (
        Exists(AccountContact.objects.filter(account_id=account_id, contact_id=OuterRef("pk"))) if account_id else models.Value(False)
    )
    contacts = contacts.annotate(at_account=at_account).order_by("-at_account", "last_name", "first_name", "id")
    return list(contacts[:limit])


def picked_names(*, actor: User, workspace: Workspace, product_id: int | None, contact_id: int | None) -> dict[str, str]:
    """The names of a chosen product and person, for a picker to show again when its form comes back with errors."""
    names: dict[str, str] = {}
    if product_id:
        products = visible(Product.objects.all(), actor=actor, workspace=workspace, object_type=ObjectType.PRODUCT)
        names["product"] = products.filter(pk=product_id).values_list("name", flat=True).first() or ""
    if contact_id:
        contacts = visible(Contact.objects.all(), actor=actor, workspace=workspace, object_type=ObjectType.CONTACT)
        contact = contacts.filter(pk=contact_id).only("first_name", "last_name").first()
        names["contact"] = str(contact) if contact else ""
    return names
