"""The search-as-you-type pickers: a product for a deal's or a quote's new line, a person to put on a deal or to address
a quote to, and an account for any form that names one (a new deal, a contact's accounts, a price book).

Each endpoint answers the options of web/includes/picker.html (web/includes/picker_options.html) for the
typed `q`: a bounded page, in a bounded number of queries, from the record's own workspace. Another form can
offer a picker the same way: a view that builds PickerOption rows and renders picker_options.html.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from amity.catalog import selectors as catalog_selectors
from amity.core.access import hidden_fields
from amity.core.permissions import Action, ObjectType
from amity.customers.models import Account
from amity.sales import selectors
from amity.sales.models import Opportunity
from amity.sales.selectors.pickers import accounts_matching, contacts_matching, products_matching
from amity.web.templatetags.amity import money
from amity.web.views.base import WorkspaceRequest, ensure, workspace_view

OPTIONS = "web/includes/picker_options.html"


@dataclass(frozen=True)
class PickerOption:
    """One choice of a picker: the value the form posts, the text put in the box, and a line of detail under it."""

    value: int
    label: str
    detail: str = ""
    badge: str = ""
    data: tuple[tuple[str, str], ...] = ()  # (name, value) pairs: data-<name> attributes for the page's script


def _deal(request: WorkspaceRequest, pk: int) -> Opportunity:
    ensure(request, Action.CHANGE, ObjectType.OPPORTUNITY)
    return selectors.opportunity_get(actor=request.user, workspace=request.workspace, pk=pk)


def _answer(request: WorkspaceRequest, options: list[PickerOption], *, empty: str) -> HttpResponse:
    return render(request, OPTIONS, {"options": options, "empty": empty})


def _query(request: WorkspaceRequest) -> str:
    return request.GET.get("q", "")


def _product_options(request: WorkspaceRequest, *, currency: str, account: Account | None) -> list[PickerOption]:
    """Active products whose name or SKU matches, each with the price `account` gets in `currency` (and its data for a script)."""
    products = products_matching(actor=request.user, workspace=request.workspace, query=_query(request))
    prices = catalog_selectors.resolve_prices(
        workspace=request.workspace, product_ids=[p.pk for p in products], currency=currency, account=account
    )
    options = []
    for product in products:
        price = prices.get(product.pk)
        if price is None:
            detail = f"{product.sku} · no {currency} price"
        else:
            source = f" · {price.price_book_name}" if price.price_book_name else ""
            detail = f"{product.sku} · {money(price.unit_price, currency)}{source}"
        data = (("sku", product.sku), ("price", str(price.unit_price) if price else ""), ("tax", f"{product.tax_rate.normalize():f}"))
        options.append(PickerOption(product.pk, product.name, detail, data=data))
    return options


@workspace_view
@require_GET
def deal_pick_product(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """Active products whose name or SKU matches, each with the price the deal's account gets in the deal's currency."""
    deal = _deal(request, pk)
    return _answer(request, _product_options(request, currency=deal.currency, account=deal.account), empty="No active product matches.")


@workspace_view
@require_GET
def quote_pick_product(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """The quote builder's "Add a product": products as on a deal, at the price the quote's account gets in its currency."""
    ensure(request, Action.CHANGE, ObjectType.QUOTE)
    quote = selectors.quote_get(actor=request.user, workspace=request.workspace, pk=pk)
    return _answer(request, _product_options(request, currency=quote.currency, account=quote.account), empty="No active product matches.")


def _person_options(request: WorkspaceRequest, *, account: Account, exclude: Iterable[int] = ()) -> HttpResponse:
    """People whose name (or email, where the role may see it) matches, `account`'s people first and badged with its name."""
    contacts = contacts_matching(
        actor=request.user, workspace=request.workspace, query=_query(request), account_id=account.pk, exclude=exclude
    )
    show_email = "emails" not in hidden_fields(request.user, request.workspace, ObjectType.CONTACT)
    options = [
        PickerOption(
            contact.pk,
            str(contact),
            " · ".join(part for part in (contact.title, contact.primary_email if show_email else "") if part),
            badge=account.name if getattr(contact, "at_account", False) else "",
        )
        for contact in contacts
    ]
    return _answer(request, options, empty="Nobody matches." if _query(request).strip() else "Type part of a name to find someone.")


@workspace_view
@require_GET
def deal_pick_contact(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """People not on the deal yet whose name (or email, where the role may see it) matches, the account's people first."""
    deal = _deal(request, pk)
    return _person_options(request, account=deal.account, exclude=deal.contact_roles.values_list("contact_id", flat=True))


@workspace_view
@require_GET
def quote_pick_contact(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """The quote builder's "Addressed to": people as on a deal, the quote's account's people first (all of them, nothing typed)."""
    ensure(request, Action.CHANGE, ObjectType.QUOTE)
    quote = selectors.quote_get(actor=request.user, workspace=request.workspace, pk=pk)
    return _person_options(request, account=quote.account)


@workspace_view
@require_GET
def pick_account(request: WorkspaceRequest) -> HttpResponse:
    """Any form's account (a new deal's, a contact's, a price book's): accounts found by name (or web domain), best first;
    nothing typed, the first by name. The form posts the id; the service it calls checks it."""
    ensure(request, Action.VIEW, ObjectType.ACCOUNT)
    hits = accounts_matching(actor=request.user, workspace=request.workspace, query=_query(request))
    options = [PickerOption(hit.object_id, hit.title, hit.subtitle) for hit in hits]
    return _answer(request, options, empty="No account matches.")
