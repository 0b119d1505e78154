"""The catalog pages: products (list, new, edit, a bundle's parts) and price books (list, new, a book with its prices).

They read through amity.catalog.selectors and write through amity.catalog.services, the doors the
API's /products and /price-books use too. Everyone who sees the catalog reads these pages; the
roles that may change it (owners, admins, managers) get the forms.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from amity.api.pagination import Page
from amity.catalog import selectors, services
from amity.catalog.models import PriceBook, Product
from amity.core import selectors as core_selectors
from amity.core.access import allowed
from amity.core.permissions import Action, ObjectType
from amity.customers import selectors as customer_selectors
from amity.web.catalog_forms import PriceBookForm, PriceEntryForm, ProductFilterForm, ProductForm
from amity.web.customer_forms import apply_service_errors
from amity.web.forms import error_text
from amity.web.views.base import WorkspaceRequest, ensure, keyset_page, render_page, workspace_view
from amity.web.views.record_activity import custom_definitions

PAGE_SIZE = 50
FILTER_KEYS = ("q", "kind", "active", "tax_category", "sort")


def _page(queryset: Any, request: WorkspaceRequest, ordering: tuple[str, ...]) -> Page[Any]:
    return keyset_page(queryset, ordering=ordering, cursor=request.GET.get("cursor"), limit=PAGE_SIZE)


def _query(params: QueryDict, keys: tuple[str, ...], **changes: str) -> str:
    query = {key: params.get(key, "") for key in keys} | changes
    return urlencode({key: value for key, value in query.items() if value})


def _grants(request: WorkspaceRequest, object_type: ObjectType) -> dict[str, bool]:
    return {
        "can_add": allowed(request.user, request.workspace, Action.ADD, object_type),
        "can_change": allowed(request.user, request.workspace, Action.CHANGE, object_type),
    }


# --- Products ---------------------------------------------------------------------------------------------------


@workspace_view
@require_GET
def product_list(request: WorkspaceRequest) -> HttpResponse:
    """Products, services and bundles: search by name or SKU, filter by kind, status and category, 50 at a time."""
    ensure(request, Action.VIEW, ObjectType.PRODUCT)
    categories = selectors.product_tax_categories(actor=request.user, workspace=request.workspace)
    form = ProductFilterForm(request.GET, categories=categories)
    products = selectors.product_list(actor=request.user, workspace=request.workspace, filters=form.filters())
    page = _page(products, request, selectors.PRODUCT_SORTS[form.chosen_sort()])
    context = {
        "form": form,
        "products": page.items,
        "next_url": f"?{_query(request.GET, FILTER_KEYS, cursor=page.next_cursor)}" if page.next_cursor else "",
        "filtered": form.filtered(),
        **_grants(request, ObjectType.PRODUCT),
    }
    return render_page(request, "web/catalog/products.html", context, partial="rows" if request.GET.get("cursor") else None)


def _product_form(request: WorkspaceRequest, product: Product | None, *, read_only: bool = False) -> ProductForm:
    include = [part.product_id for part in product.components.all()] if product is not None else []
    parts = selectors.product_choices(actor=request.user, workspace=request.workspace, bundles=False, include=include)
    posted = request.POST if request.method == "POST" else None
    definitions = custom_definitions(request, ObjectType.PRODUCT)
    initial = (
        ProductForm.initial_for(product, definitions) if product is not None else {"kind": request.GET.get("kind") or Product.Kind.PRODUCT}
    )
    people = (
        core_selectors.member_people(actor=request.user, workspace=request.workspace) if any(d.type == "user" for d in definitions) else []
    )
    return ProductForm(posted, initial=initial, product=product, parts=parts, read_only=read_only, definitions=definitions, people=people)


def _save_product(request: WorkspaceRequest, form: ProductForm, product: Product | None) -> Product | None:
    try:
        if product is None:
            return services.product_create(actor=request.user, workspace=request.workspace, data=form.service_data())
        return services.product_update(actor=request.user, product=product, data=form.service_data())
    except ValidationError as error:
        apply_service_errors(form, error)
        if hasattr(error, "error_dict"):
            form.apply_component_errors(error.message_dict)
        return None


def _product_page(request: WorkspaceRequest, form: ProductForm, product: Product | None, status: int) -> HttpResponse:
    context = {"form": form, "product": product, **_grants(request, ObjectType.PRODUCT)}
    return render_page(request, "web/catalog/product_form.html", context, status=status)


@workspace_view
@require_http_methods(["GET", "POST"])
def product_create(request: WorkspaceRequest) -> HttpResponse:
    """A new product, service or bundle (a bundle lists the products it is made of)."""
    ensure(request, Action.ADD, ObjectType.PRODUCT)
    form = _product_form(request, None)
    if request.method == "POST" and form.is_valid():
        product = _save_product(request, form, None)
        if product is not None:
            messages.success(request, f"{product.get_kind_display()} “{product.name}” added to the catalog.")
            return redirect("product_list", request.workspace.slug)
    return _product_page(request, form, None, 422 if form.errors or form.component_errors else 200)


@workspace_view
@require_http_methods(["GET", "POST"])
def product_detail(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """A product's page: its form for those who may change the catalog, the same fields read-only for everyone else."""
    ensure(request, Action.VIEW, ObjectType.PRODUCT)
    product = selectors.product_get(actor=request.user, workspace=request.workspace, pk=pk)
    if request.method == "POST":
        ensure(request, Action.CHANGE, ObjectType.PRODUCT)
    read_only = not allowed(request.user, request.workspace, Action.CHANGE, ObjectType.PRODUCT)
    form = _product_form(request, product, read_only=read_only)
    if request.method == "POST" and form.is_valid() and _save_product(request, form, product) is not None:
        messages.success(request, f"“{product.name}” saved.")
        return redirect("product_detail", request.workspace.slug, pk)
    return _product_page(request, form, product, 422 if form.errors or form.component_errors else 200)


# --- Price books ------------------------------------------------------------------------------------------------


@workspace_view
@require_GET
def price_book_list(request: WorkspaceRequest) -> HttpResponse:
    """Price books with their currency, whom they are for and how many prices they hold."""
    ensure(request, Action.VIEW, ObjectType.PRICE_BOOK)
    currency = (request.GET.get("currency") or "").strip()[:3]
    books = selectors.price_book_list(actor=request.user, workspace=request.workspace, currency=currency or None)
    page = _page(books, request, ("name", "id"))
    context = {
        "books": page.items,
        "currency": currency.upper(),
        "next_url": f"?{_query(request.GET, ('currency',), cursor=page.next_cursor)}" if page.next_cursor else "",
        **_grants(request, ObjectType.PRICE_BOOK),
    }
    return render_page(request, "web/catalog/price_books.html", context, partial="rows" if request.GET.get("cursor") else None)


def _save_book(request: WorkspaceRequest, form: PriceBookForm, book: PriceBook | None) -> PriceBook | None:
    data = form.service_data()  # the account's id as the picker chose it: the service checks it is one of this workspace
    try:
        if book is None:
            return services.price_book_create(actor=request.user, workspace=request.workspace, data=data)
        return services.price_book_update(actor=request.user, book=book, data=data)
    except ValidationError as error:
        apply_service_errors(form, error)
        return None


def _pickers(request: WorkspaceRequest, book: PriceBook | None) -> dict[str, Any]:
    """The tags to suggest, and the name of the chosen account for its picker to show (the book's, or the one sent back)."""
    chosen = request.POST.get("account_id", "") if request.method == "POST" else str(book.account_id or "") if book else ""
    accounts = customer_selectors.account_list(actor=request.user, workspace=request.workspace)
    account_name = accounts.filter(pk=int(chosen)).values_list("name", flat=True).first() if chosen.isdigit() else None
    return {
        "account_name": account_name or "",
        "tag_names": customer_selectors.tag_names(actor=request.user, workspace=request.workspace),
    }


@workspace_view
@require_http_methods(["GET", "POST"])
def price_book_create(request: WorkspaceRequest) -> HttpResponse:
    """A new price book: the default of a currency, or one for an account or a segment."""
    ensure(request, Action.ADD, ObjectType.PRICE_BOOK)
    form = PriceBookForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        book = _save_book(request, form, None)
        if book is not None:
            messages.success(request, f"Price book “{book.name}” created; add its prices below.")
            return redirect("price_book_detail", request.workspace.slug, book.pk)
    context = {"form": form, "book": None, **_pickers(request, None)}
    return render_page(request, "web/catalog/price_book_form.html", context, status=422 if form.errors else 200)


@workspace_view
@require_http_methods(["GET", "POST"])
def price_book_edit(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """Rename a price book, change whom it is for, make it its currency's default."""
    ensure(request, Action.CHANGE, ObjectType.PRICE_BOOK)
    book = selectors.price_book_get(actor=request.user, workspace=request.workspace, pk=pk)
    form = PriceBookForm(request.POST if request.method == "POST" else None, initial=PriceBookForm.initial_for(book))
    if request.method == "POST" and form.is_valid() and _save_book(request, form, book) is not None:
        messages.success(request, f"Price book “{book.name}” saved.")
        return redirect("price_book_detail", request.workspace.slug, pk)
    context = {"form": form, "book": book, **_pickers(request, book)}
    return render_page(request, "web/catalog/price_book_form.html", context, status=422 if form.errors else 200)


def _book_page(request: WorkspaceRequest, book: PriceBook, entry_form: PriceEntryForm, status: int = 200) -> HttpResponse:
    entries = selectors.price_book_entries(actor=request.user, workspace=request.workspace, book=book)
    page = _page(entries, request, ("product_id", "id"))
    context = {
        "book": book,
        "entries": page.items,
        "entry_form": entry_form,
        "next_url": f"?{urlencode({'cursor': page.next_cursor})}" if page.next_cursor else "",
        **_grants(request, ObjectType.PRICE_BOOK),
    }
    return render_page(
        request, "web/catalog/price_book.html", context, status=status, partial="rows" if request.GET.get("cursor") else None
    )


def _entry_form(request: WorkspaceRequest, data: QueryDict | None = None) -> PriceEntryForm:
    products = selectors.product_choices(actor=request.user, workspace=request.workspace)
    return PriceEntryForm(data, products=products, prefix="entry")


@workspace_view
@require_GET
def price_book_detail(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """A price book's page: whom it prices for, and its prices (added, changed and removed here)."""
    ensure(request, Action.VIEW, ObjectType.PRICE_BOOK)
    book = selectors.price_book_get(actor=request.user, workspace=request.workspace, pk=pk)
    return _book_page(request, book, _entry_form(request))


@workspace_view
@require_POST
def price_book_entry_set(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """Add a product's price to the book, or change it (the same form: a product priced already gets the new price)."""
    ensure(request, Action.CHANGE, ObjectType.PRICE_BOOK)
    book = selectors.price_book_get(actor=request.user, workspace=request.workspace, pk=pk)
    form = _entry_form(request, request.POST)
    if form.is_valid():
        entry = {"product_id": form.cleaned_data["product_id"], "unit_price": str(form.cleaned_data["unit_price"])}
        try:
            services.price_book_set_prices(actor=request.user, book=book, entries=[entry])
        except ValidationError as error:
            for key, problems in error.message_dict.items():
                form.add_error("unit_price" if key.endswith("unit_price") else "product_id", problems)
        else:
            messages.success(request, "Price saved.")
            return redirect("price_book_detail", request.workspace.slug, pk)
    return _book_page(request, book, form, status=422)


@workspace_view
@require_POST
def price_book_entry_remove(request: WorkspaceRequest, pk: int, product_pk: int) -> HttpResponse:
    """Take a product out of the book: it is priced by the next book in line again."""
    ensure(request, Action.CHANGE, ObjectType.PRICE_BOOK)
    book = selectors.price_book_get(actor=request.user, workspace=request.workspace, pk=pk)
    entry = selectors.price_book_entry_get(actor=request.user, workspace=request.workspace, book=book, product_id=product_pk)
    try:
        services.price_book_remove_price(actor=request.user, entry=entry)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, f"{entry.product.name} taken out of {book.name}.")
    return redirect("price_book_detail", request.workspace.slug, pk)
