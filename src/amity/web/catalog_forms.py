"""Forms of the catalog pages: the product list's filters, the product form (with a bundle's parts), price books and
their prices. They parse what people type into the shapes amity.catalog.services takes; the rules stay there."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.http import QueryDict

from amity.catalog.models import PriceBook, Product
from amity.catalog.selectors import PRODUCT_SORTS, ProductFilter
from amity.core.models import FieldDefinition, User
from amity.web.customer_forms import CustomFieldsMixin
from amity.web.forms import StyledForm
from amity.web.record_forms import custom_initial

PRODUCT_SORT_CHOICES = [
    ("name", "Name"),
    ("sku", "SKU"),
    ("-list_price", "Highest price"),
    ("list_price", "Lowest price"),
    ("-created_at", "Newest first"),
]
ACTIVE_CHOICES = [("", "Any status"), ("yes", "Active"), ("no", "Inactive")]
BLANK_COMPONENT_ROWS = 3


class ProductFilterForm(StyledForm):
    """The filter bar of the product list; field names are the list's query parameters."""

    q = forms.CharField(label="Search", required=False, max_length=100, widget=forms.TextInput(attrs={"placeholder": "Name or SKU"}))
    kind = forms.ChoiceField(label="Kind", required=False, choices=[("", "Any kind"), *Product.Kind.choices])
    active = forms.ChoiceField(label="Status", required=False, choices=ACTIVE_CHOICES)
    tax_category = forms.ChoiceField(label="Category", required=False)
    sort = forms.ChoiceField(label="Sort", required=False, choices=PRODUCT_SORT_CHOICES)

    def __init__(self, *args: Any, categories: Iterable[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["tax_category"].choices = [("", "Any category"), *((name, name) for name in categories)]  # type: ignore[attr-defined]

    def filters(self) -> ProductFilter:
        data = self.cleaned_data if self.is_valid() else {}
        return ProductFilter(
            q=data.get("q") or None,
            kind=data.get("kind") or None,
            active={"yes": True, "no": False}.get(data.get("active") or ""),
            tax_category=data.get("tax_category") or None,
        )

    def chosen_sort(self) -> str:
        sort = (self.cleaned_data.get("sort") if self.is_valid() else "") or "name"
        return sort if sort in PRODUCT_SORTS else "name"

    def filtered(self) -> bool:
        data = self.cleaned_data if self.is_valid() else {}
        return any(data.get(key) for key in ("q", "kind", "active", "tax_category"))


@dataclass
class ComponentRow:
    """One part of a bundle as typed: which product, how many, and what is wrong with it."""

    product_id: str = ""
    quantity: str = "1"
    errors: list[str] = field(default_factory=list)


class ProductForm(CustomFieldsMixin):
    """A product, service or bundle: what it is, what it costs, what it sells for, how it is taxed."""

    sku = forms.CharField(label="SKU", max_length=64, help_text="The product's code, unique in the workspace.")
    name = forms.CharField(label="Name", max_length=200)
    kind = forms.ChoiceField(label="Kind", choices=Product.Kind.choices, widget=forms.Select(attrs={"data-type-select": ""}))
    unit = forms.CharField(label="Unit", max_length=30, initial="unit", help_text="What one of it is: unit, hour, licence per month…")
    list_price = forms.DecimalField(label="List price", min_value=0, max_digits=18, decimal_places=2)
    cost = forms.DecimalField(label="Cost", required=False, min_value=0, max_digits=18, decimal_places=2)
    currency = forms.CharField(label="Currency", max_length=3, initial="EUR", help_text="Of the list price and cost, e.g. EUR.")
    tax_rate = forms.DecimalField(label="Tax rate (%)", min_value=0, max_value=100, max_digits=5, decimal_places=2, initial=0)
    tax_category = forms.CharField(label="Category", required=False, max_length=40, help_text="standard, reduced, exempt…")
    active = forms.BooleanField(label="Active: can be added to deals", required=False, initial=True)
    description = forms.CharField(label="Description", required=False, max_length=10_000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(
        self,
        *args: Any,
        product: Product | None = None,
        parts: Iterable[Product] = (),
        read_only: bool = False,
        definitions: Iterable[FieldDefinition] = (),
        people: Iterable[User] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.add_custom_fields(definitions, people)
        self.product = product
        self.parts = list(parts)
        if product is not None and product.kind == Product.Kind.BUNDLE:
            self.fields["kind"].choices = [(Product.Kind.BUNDLE.value, Product.Kind.BUNDLE.label)]  # type: ignore[attr-defined]
        elif product is not None:
            self.fields["kind"].choices = [c for c in Product.Kind.choices if c[0] != Product.Kind.BUNDLE]  # type: ignore[attr-defined]
        if read_only:
            for form_field in self.fields.values():
                form_field.disabled = True
        self.component_rows = self._component_rows()
        self.component_errors: list[str] = []

    @staticmethod
    def initial_for(product: Product, definitions: Iterable[FieldDefinition] = ()) -> dict[str, Any]:
        values = {name: getattr(product, name) for name in ("sku", "name", "kind", "unit", "list_price", "cost", "currency")}
        values.update(tax_rate=product.tax_rate, tax_category=product.tax_category, active=product.active, description=product.description)
        custom = product.custom or {}
        values.update({f"custom.{d.key}": custom_initial(d, custom.get(d.key)) for d in definitions})
        return values

    def _component_rows(self) -> list[ComponentRow]:
        data = self.data if isinstance(self.data, QueryDict) and self.is_bound else None
        if data is not None:
            pairs = zip(data.getlist("component_product"), data.getlist("component_quantity"), strict=False)
            rows = [ComponentRow(product_id=product_id, quantity=quantity) for product_id, quantity in pairs]
        elif self.product is not None:
            rows = [ComponentRow(str(part.product_id), f"{part.quantity.normalize():f}") for part in self.product.components.all()]
        else:
            rows = []
        filled = [row for row in rows if row.product_id]
        return filled + [ComponentRow() for _ in range(BLANK_COMPONENT_ROWS)]

    def is_bundle(self) -> bool:
        kind = self.data.get("kind") if self.is_bound else (self.product.kind if self.product else self.initial.get("kind"))
        return kind == Product.Kind.BUNDLE

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        values: dict[str, Any] = {
            "sku": data["sku"],
            "name": data["name"],
            "kind": data["kind"],
            "unit": data["unit"],
            "list_price": str(data["list_price"]),
            "cost": str(data["cost"]) if data.get("cost") is not None else None,
            "currency": data["currency"].upper(),
            "tax_rate": str(data["tax_rate"]),
            "tax_category": data["tax_category"],
            "active": data["active"],
            "description": data["description"],
        }
        if self.custom_names:
            values["custom"] = self.custom_values()
        if data["kind"] == Product.Kind.BUNDLE:
            values["components"] = [
                {"product_id": int(row.product_id) if row.product_id.isdigit() else row.product_id, "quantity": row.quantity or "1"}
                for row in self.component_rows
                if row.product_id
            ]
        return values

    def apply_component_errors(self, errors: dict[str, list[str]]) -> None:
        """Put `components.2.quantity` next to the third filled row; `components` above them all."""
        filled = [row for row in self.component_rows if row.product_id]
        for key, messages in errors.items():
            parts = key.split(".")
            if len(parts) >= 2 and parts[0] == "components" and parts[1].isdigit() and int(parts[1]) < len(filled):
                filled[int(parts[1])].errors.extend(messages)
            elif key == "components":
                self.component_errors.extend(messages)


SCOPES = [
    ("default", "Everyone: the default prices of its currency"),
    ("general", "Nobody by itself (kept for reference)"),
    ("account", "One account"),
    ("segment", "Accounts with a tag (a segment)"),
]


class PriceBookForm(StyledForm):
    """A price book: its name and currency, and whom its prices are for."""

    name = forms.CharField(label="Name", max_length=120)
    currency = forms.CharField(label="Currency", max_length=3, initial="EUR")
    scope = forms.ChoiceField(label="Prices for", choices=SCOPES, initial="default", widget=forms.RadioSelect)
    account_id = forms.IntegerField(label="Account", required=False, min_value=1)
    tag = forms.CharField(label="Tag", required=False, widget=forms.TextInput(attrs={"list": "tag-names", "autocomplete": "off"}))
    active = forms.BooleanField(label="Active", required=False, initial=True)
    description = forms.CharField(label="Description", required=False, max_length=500)

    def __init__(self, *args: Any, read_only: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["scope"].widget.attrs["class"] = "form-check-input"
        if read_only:
            for form_field in self.fields.values():
                form_field.disabled = True

    @staticmethod
    def initial_for(book: PriceBook) -> dict[str, Any]:
        return {
            "name": book.name,
            "currency": book.currency,
            "scope": book.scope,
            "account_id": book.account_id,
            "tag": book.tag.name if book.tag_id and book.tag else "",
            "active": book.active,
            "description": book.description,
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("scope") == "account" and not data.get("account_id") and "account_id" not in self.errors:
            self.add_error("account_id", "Choose the account these prices are for.")
        if data.get("scope") == "segment" and not (data.get("tag") or "").strip():
            self.add_error("tag", "Name the tag of the accounts these prices are for.")
        return data

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        scope = data["scope"]
        return {
            "name": data["name"],
            "currency": data["currency"].upper(),
            "is_default": scope == "default",
            "account_id": data["account_id"] if scope == "account" else None,
            "tag": data["tag"].strip() if scope == "segment" else "",
            "active": data["active"],
            "description": data["description"],
        }


class PriceEntryForm(StyledForm):
    """One product's unit price in a book."""

    product_id = forms.TypedChoiceField(label="Product", coerce=int)
    unit_price = forms.DecimalField(label="Unit price", min_value=0, max_digits=18, decimal_places=2)

    def __init__(self, *args: Any, products: Iterable[Product], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "Choose a product…"), *((str(p.pk), f"{p.name} ({p.sku})") for p in products)]
        self.fields["product_id"].choices = choices  # type: ignore[attr-defined]
