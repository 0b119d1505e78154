"""Reads behind the search-as-you-type pickers: a few matching products, people or accounts, workspace-scoped and role-filtered.

Each answers a bounded page (PICK_LIMIT) in a bounded number of queries, whatever the catalog's or the address book's size:
products in a fixed number; people and accounts in at most the search index's steps (amity.search.selectors) plus two.
Words are matched with accents and case aside on both sides (`search.text.fold`): "jose" finds "José", as the search box does.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Exists, OuterRef, Q

from amity.catalog.models import Product
from amity.core.access import hidden_fields, visible
from amity.core.models import User, Workspace
from amity.core.permissions import ObjectType
from amity.customers.models import Account, AccountContact, Contact
from amity.search.registry import record_type
from amity.search.selectors import Hit, folded_text_holding, search_index
from amity.search.text import fold

PICK_LIMIT = 20
# Longer input is no better a search and only costs the database more.
QUERY_MAX = 100
# Ids the search index proposes for the person picker: the every-word rule then keeps some (a person found by the name
# of their account or by a typo is not kept), so it proposes more than a page.
SEARCH_HITS = 3 * PICK_LIMIT


def _words(query: str) -> list[str]:
    return query.strip()[:QUERY_MAX].split()[:5]


def products_matching(*, actor: User, workspace: Workspace, query: str, limit: int = PICK_LIMIT) -> list[Product]:
    """Active products whose name or SKU holds every word typed, accents and case aside ("cafe" finds "Café"), by name.

    A word is looked for in the product's folded name and SKU, which the search index keeps (`search.text.fold`), and in
    its own name and SKU as typed (a product saved a moment ago and not yet indexed is found by those).
    """
    products = visible(Product.objects.all(), actor=actor, workspace=workspace, object_type=ObjectType.PRODUCT).filter(active=True)
    for word in _words(query):
        either = Q(name__icontains=word) | Q(sku__icontains=word)
        if folded := fold(word):
            either |= Q(pk__in=folded_text_holding(workspace=workspace, object_type=ObjectType.PRODUCT, words=[folded]))
        products = products.filter(either)
    return list(products.order_by("name", "id")[:limit])


def _every_word(words: list[str], *, with_email: bool) -> Q:
    """People whose first name, last name or (when the role may see it) email holds each word as typed."""
    matches = Q()
    for word in words:
        either = Q(first_name__icontains=word) | Q(last_name__icontains=word)
        if with_email:
            either |= Q(primary_email__icontains=word)
        matches &= either
    return matches


def _holds_every_word(contact: Contact, folded_words: list[str], *, with_email: bool) -> bool:
    """The every-word rule with accents and case aside: each folded word is in the folded first name, last name or email."""
    fields = [fold(contact.first_name), fold(contact.last_name)] + ([fold(contact.primary_email or "")] if with_email else [])
    return all(any(word in field for field in fields) for word in folded_words)


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
    with_email = "emails" not in hidden_fields(actor, workspace, ObjectType.CONTACT)
    account_people = AccountContact.objects.filter(account_id=account_id or 0).values("contact_id")  # 0: no account, nobody
    found: list[Contact] = []
    if account_id:
        at_account = people.filter(_every_word(words, with_email=with_email), pk__in=account_people)
        found = list(at_account.order_by("last_name", "first_name", "id")[:limit])
    for contact in found:
        contact.at_account = True  # type: ignore[attr-defined]
    if len(found) == limit or not words:
        return found
    # The search index folds ("jose" finds "José"); so does the rule, on the few people it proposes, here in Python.
    hits = search_index(actor=actor, workspace=workspace, kind=record_type(ObjectType.CONTACT), query=" ".join(words), limit=SEARCH_HITS)
    rank = {hit.object_id: position for position, hit in enumerate(hits)}
    rank = {pk: position for pk, position in rank.items() if pk not in {contact.pk for contact in found}}
    proposed = people.filter(pk__in=list(rank)).annotate(at_account=Exists(account_people.filter(contact_id=OuterRef("pk"))))
    folded_words = [folded for word in words if (folded := fold(word))]
    kept = [contact for contact in proposed if _holds_every_word(contact, folded_words, with_email=with_email)] if rank else []
    # The account's people first (those the as-typed rule missed, "José" for "jose"), then the others, best first.
    others = sorted(kept, key=lambda contact: (not contact.at_account, rank[contact.pk]))
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
