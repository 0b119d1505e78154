"""The catalog: the products and services a company sells, bundles of them, and price books per currency and customer."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from amity.core.tenancy import WorkspaceScopedModel
from amity.customers.models import Account, Tag


class Product(WorkspaceScopedModel):
    """Something the company sells: a product, a service, or a bundle of other products at one price."""

    class Kind(models.TextChoices):
        PRODUCT = "product", "Product"
        SERVICE = "service", "Service"
        BUNDLE = "bundle", "Bundle"

    sku = models.CharField(max_length=64, help_text="Stock keeping unit: the product's code, unique in the workspace.")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.PRODUCT)
    unit = models.CharField(max_length=30, default="unit", help_text="What one of it is: unit, hour, licence per month, kg…")
    currency = models.CharField(max_length=3, help_text="ISO 4217 code of the list price and cost.")
    list_price = models.DecimalField(max_digits=18, decimal_places=2)
    cost = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    tax_rate = models.DecimalField(max_digits=5, decimal_places=2, default=0, help_text="Percent, e.g. 19.00.")
    tax_category = models.CharField(max_length=40, blank=True, help_text="standard, reduced, exempt… as the tax rules name it.")
    active = models.BooleanField(default=True, help_text="Inactive products stay on past deals but cannot be added to new ones.")
    custom = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "sku"], name="product_unique_sku"),
            models.CheckConstraint(condition=Q(list_price__gte=0), name="product_list_price_not_negative"),
            models.CheckConstraint(condition=Q(tax_rate__gte=0) & Q(tax_rate__lte=100), name="product_tax_rate_percent"),
        ]
        indexes = [
            models.Index(fields=["workspace", "name", "id"], name="product_ws_name"),
            models.Index(fields=["workspace", "-created_at", "-id"], name="product_ws_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.sku})"


class BundleComponent(WorkspaceScopedModel):
    """One product inside a bundle, and how many of it."""

    bundle = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="components")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="in_bundles")
    quantity = models.DecimalField(max_digits=12, decimal_places=3)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["bundle", "product"], name="bundlecomponent_unique"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="bundlecomponent_quantity_positive"),
        ]
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.product_id} in {self.bundle_id}"


class PriceBook(WorkspaceScopedModel):
    """Prices in one currency: the default book of that currency, or one for an account or a segment (a tag)."""

    name = models.CharField(max_length=120)
    description = models.CharField(max_length=500, blank=True)
    currency = models.CharField(max_length=3)
    is_default = models.BooleanField(default=False, help_text="The prices everyone gets in this currency unless a narrower book applies.")
    account = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.CASCADE, related_name="price_books", help_text="Only for this account."
    )
    tag = models.ForeignKey(
        Tag, null=True, blank=True, on_delete=models.CASCADE, related_name="price_books", help_text="Only for accounts with this tag."
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="pricebook_unique_name"),
            models.UniqueConstraint(
                fields=["workspace", "currency"], condition=Q(is_default=True), name="pricebook_one_default_per_currency"
            ),
            models.CheckConstraint(condition=~(Q(account__isnull=False) & Q(tag__isnull=False)), name="pricebook_one_scope"),
            models.CheckConstraint(
                condition=~(Q(is_default=True) & (Q(account__isnull=False) | Q(tag__isnull=False))), name="pricebook_default_is_unscoped"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.currency})"

    @property
    def scope(self) -> str:
        if self.account_id:
            return "account"
        if self.tag_id:
            return "segment"
        return "default" if self.is_default else "general"


class PriceBookEntry(WorkspaceScopedModel):
    """A product's unit price in a price book."""

    price_book = models.ForeignKey(PriceBook, on_delete=models.CASCADE, related_name="entries")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="price_entries")
    unit_price = models.DecimalField(max_digits=18, decimal_places=2)

    class Meta:
        verbose_name_plural = "price book entries"
        constraints = [
            models.UniqueConstraint(fields=["price_book", "product"], name="pricebookentry_unique_product"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="pricebookentry_price_not_negative"),
        ]
        indexes = [models.Index(fields=["workspace", "product"], name="pricebookentry_ws_product")]

    def __str__(self) -> str:
        return f"{self.product_id} at {self.unit_price} in {self.price_book_id}"
