"""Reads behind the search-as-you-type pickers: a few matching products, people or accounts, workspace-scoped and role-filtered.

Each answers a bounded page (PICK_LIMIT) in a bounded number of queries, whatever the catalog's or the address book's size:
products in a fixed number; people and accounts in at most the search index's steps (amity.search.selectors) plus two.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q

from amity.catalog.models import Product
from amity.core.access import hidden_fields, visible
from amity.core.models import User, Workspace
from amity.core.permissions import ObjectType
from amity.customers.models import Account, AccountContact, Contact
from amity.search.registry import record_type
from amity.search.selectors import Hit, search_index

PICK_LIMIT = 20
# Longer input is no better a search and only costs the database more.
QUERY_MAX = 100
# Ids the search index proposes for the person picker: the every-word rule then keeps some (a person found by the name
# of their account or by a typo is not kept), so it proposes more than a page.
SEARCH_HITS = 3 * PICK_LIMIT


def _words(query: str) -> list[str]:
    return query.strip()[:QUERY_MAX].split()[:5]


def products_matching(*, actor: User, workspace: Workspace, query: str, limit: int = PICK_LIMIT) -> list[Product]:
    """Active products whose name or SKU holds every word typed, by name (the first `limit`)."""
    products = visible(Product.objects.all(), actor=actor, workspace=workspace, object_type=ObjectType.PRODUCT).filter(active=True)
    for word in _words(query):
        products = products.filter(Q(name__icontains=word) | Q(sku__icontains=word))
    return list(products.order_by("name", "id")[:limit])


def _every_word(words: list[str], *, with_email: bool) -> Q:
    """People whose first name, last name or (when the role may see it) email holds each word."""
    matches = Q()
    for word in words:
        either = Q(first_name__icontains=word) | Q(last_name__icontains=word)
        if with_email:
            either |= Q(primary_email__icontains=word)
        matches &= either
    return matches


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

    The account's people come from AccountContact (an account has few; its index finds them); everyone else from the
    search index, which proposes a bounded set of ids, then the every-word rule above decides on those ids. So no query
    reads the whole address book, and a word of a field the role may not see (an email) finds nobody. Nothing typed:
    the account's people only (among a million, the first 20 by name would be nobody in particular).
    Each contact carries `at_account` (whether they belong to `account_id`).
    """
    people = visible(Contact.objects.all(), actor=actor, workspace=workspace, object_type=ObjectType.CONTACT)
    people = people.filter(deleted_at__isnull=True).exclude(pk__in=exclude)
    words = _words(query)
    matches = _every_word(words, with_email="emails" not in hidden_fields(actor, workspace, ObjectType.CONTACT))
    found: list[Contact] = []
    if account_id:
        at_account = people.filter(matches, pk__in=AccountContact.objects.filter(account_id=account_id).values("contact_id"))
        found = list(at_account.order_by("last_name", "first_name", "id")[:limit])
    for contact in found:
        contact.at_account = True  # type: ignore[attr-defined]
    if len(found) == limit or not words:
        return found
    hits = search_index(actor=actor, workspace=workspace, kind=record_type(ObjectType.CONTACT), query=" ".join(words), limit=SEARCH_HITS)
    rank = {hit.object_id: position for position, hit in enumerate(hits)}
    rank = {pk: position for pk, position in rank.items() if pk not in {contact.pk for contact in found}}
    others = sorted(people.filter(matches, pk__in=list(rank)), key=lambda contact: rank[contact.pk]) if rank else []
    for contact in others:
        contact.at_account = False  # type: ignore[attr-defined]
    return found + others[: limit - len(found)]


def accounts_matching(*, actor: User, workspace: Workspace, query: str, limit: int = PICK_LIMIT) -> list[Hit]:
    """Live accounts found by name (or web domain) through the search index, best first; nothing typed: the first by name.

    Both read an index: the search's (a prefix range on the folded name, then its text index), or (workspace, name).
    """
    words = _words(query)
    if words:
        return search_index(actor=actor, workspace=workspace, kind=record_type(ObjectType.ACCOUNT), query=" ".join(words), limit=limit)
    accounts = visible(Account.objects.all(), actor=actor, workspace=workspace, object_type=ObjectType.ACCOUNT)
    first = accounts.filter(deleted_at__isnull=True).order_by("name", "id").values_list("pk", "name", "industry")[:limit]
    return [Hit(object_id=pk, title=name, subtitle=industry, score=0.0) for pk, name, industry in first]


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
