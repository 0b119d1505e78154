"""The demo catalog: Northwind sells office furniture, equipment and the services around it.

About forty products and services in euros, four bundles at a lower price than their parts, the
default price books for EUR and USD, and a book for the accounts tagged "Key account".
"""

from __future__ import annotations

from decimal import Decimal

from amity.catalog.models import BundleComponent, PriceBook, PriceBookEntry, Product
from amity.core.models import User, Workspace
from amity.core.permissions import Role
from amity.customers.models import Tag
from amity.search.services import index_records

# sku, name, kind, unit, list price (EUR), cost, tax category
PRODUCTS: list[tuple[str, str, str, str, str, str, str]] = [
    ("DSK-STD-120", "Standing desk 120 cm", "product", "unit", "649.00", "390.00", "standard"),
    ("DSK-STD-160", "Standing desk 160 cm", "product", "unit", "749.00", "450.00", "standard"),
    ("DSK-FIX-140", "Fixed desk 140 cm", "product", "unit", "329.00", "180.00", "standard"),
    ("DSK-BNCH-4", "Bench desk for four", "product", "unit", "1490.00", "870.00", "standard"),
    ("CHR-ERG-01", "Ergonomic chair Flex", "product", "unit", "429.00", "240.00", "standard"),
    ("CHR-ERG-02", "Ergonomic chair Flex Pro", "product", "unit", "589.00", "330.00", "standard"),
    ("CHR-VIS-01", "Visitor chair, stackable", "product", "unit", "119.00", "55.00", "standard"),
    ("CHR-STL-01", "Standing stool", "product", "unit", "189.00", "90.00", "standard"),
    ("TBL-MTG-8", "Meeting table for eight", "product", "unit", "1290.00", "720.00", "standard"),
    ("TBL-MTG-12", "Meeting table for twelve", "product", "unit", "1890.00", "1050.00", "standard"),
    ("TBL-CAF-2", "Café table, round", "product", "unit", "249.00", "120.00", "standard"),
    ("STO-PED-3", "Mobile pedestal, 3 drawers", "product", "unit", "219.00", "110.00", "standard"),
    ("STO-CAB-H", "Tall storage cabinet", "product", "unit", "489.00", "260.00", "standard"),
    ("STO-LCK-6", "Locker block, 6 doors", "product", "unit", "690.00", "380.00", "standard"),
    ("ACU-PNL-S", "Acoustic desk panel", "product", "unit", "159.00", "70.00", "standard"),
    ("ACU-BTH-1", "Phone booth for one", "product", "unit", "6900.00", "4100.00", "standard"),
    ("ACU-BTH-4", "Meeting pod for four", "product", "unit", "14900.00", "9200.00", "standard"),
    ("LGT-DSK-LED", "LED desk lamp", "product", "unit", "99.00", "38.00", "standard"),
    ("LGT-FLR-LED", "LED floor lamp", "product", "unit", "349.00", "160.00", "standard"),
    ("MON-ARM-1", "Monitor arm, single", "product", "unit", "129.00", "52.00", "standard"),
    ("MON-ARM-2", "Monitor arm, dual", "product", "unit", "189.00", "78.00", "standard"),
    ("MON-27-4K", "27-inch 4K monitor", "product", "unit", "399.00", "290.00", "standard"),
    ("DCK-USBC", "USB-C docking station", "product", "unit", "219.00", "140.00", "standard"),
    ("KBD-WL", "Wireless keyboard and mouse", "product", "unit", "89.00", "41.00", "standard"),
    ("CAM-CONF", "Conference camera", "product", "unit", "899.00", "560.00", "standard"),
    ("SPK-CONF", "Conference speakerphone", "product", "unit", "349.00", "190.00", "standard"),
    ("WBD-MOB", "Mobile whiteboard", "product", "unit", "399.00", "200.00", "standard"),
    ("PLT-LRG", "Large office plant", "product", "unit", "149.00", "60.00", "reduced"),
    ("MAT-ANTI", "Anti-fatigue mat", "product", "unit", "79.00", "30.00", "standard"),
    ("CBL-TRAY", "Cable tray", "product", "unit", "39.00", "14.00", "standard"),
    ("SVC-DLV", "Delivery and installation", "service", "hour", "85.00", "50.00", "standard"),
    ("SVC-PLAN", "Workplace planning", "service", "day", "950.00", "500.00", "standard"),
    ("SVC-ERGO", "Ergonomics workshop", "service", "day", "1200.00", "600.00", "standard"),
    ("SVC-MOVE", "Office move management", "service", "day", "780.00", "420.00", "standard"),
    ("SVC-RCY", "Furniture take-back and recycling", "service", "unit", "35.00", "18.00", "standard"),
    ("SVC-MNT-Y", "Maintenance plan, per workstation", "service", "year", "120.00", "45.00", "standard"),
    ("SVC-WAR-3", "Extended warranty, 3 years", "service", "unit", "69.00", "12.00", "standard"),
    ("SVC-RENT-M", "Furniture rental, per workstation", "service", "month", "39.00", "16.00", "standard"),
]
# sku, name, bundle price (EUR), [(component sku, quantity)]
BUNDLES: list[tuple[str, str, str, list[tuple[str, int]]]] = [
    ("BND-WS-ESS", "Workstation Essentials", "1049.00", [("DSK-STD-120", 1), ("CHR-ERG-01", 1), ("MON-ARM-1", 1), ("LGT-DSK-LED", 1)]),
    (
        "BND-WS-PRO",
        "Workstation Pro",
        "1690.00",
        [("DSK-STD-160", 1), ("CHR-ERG-02", 1), ("MON-ARM-2", 1), ("DCK-USBC", 1), ("MAT-ANTI", 1)],
    ),
    ("BND-MTG-RM", "Meeting Room Kit", "2990.00", [("TBL-MTG-8", 1), ("CHR-VIS-01", 8), ("CAM-CONF", 1), ("SPK-CONF", 1)]),
    ("BND-QUIET", "Quiet Corner", "7490.00", [("ACU-BTH-1", 1), ("ACU-PNL-S", 4), ("PLT-LRG", 1)]),
]
USD_RATE = Decimal("1.09")
KEY_ACCOUNT_DISCOUNT = Decimal("0.88")
VAT = {"standard": Decimal("19.00"), "reduced": Decimal("7.00")}


def _usd(price: Decimal) -> Decimal:
    """A US price list in round numbers (…9.00), as a price list would print them."""
    return (price * USD_RATE).quantize(Decimal(10)) - Decimal(1) if price >= 20 else (price * USD_RATE).quantize(Decimal("0.01"))


def load_catalog(workspace: Workspace, users: dict[Role, User]) -> None:
    """Give the demo workspace its products, bundles and price books (once: a workspace with products is left alone)."""
    if Product.objects.filter(workspace=workspace).exists():
        return
    products = Product.objects.bulk_create(
        Product(
            workspace=workspace,
            sku=sku,
            name=name,
            kind=kind,
            unit=unit,
            currency="EUR",
            list_price=Decimal(price),
            cost=Decimal(cost),
            tax_rate=VAT[category],
            tax_category=category,
            description=f"{name}, from the Northwind {('services' if kind == 'service' else 'furniture')} range.",
        )
        for sku, name, kind, unit, price, cost, category in PRODUCTS
    )
    by_sku = {product.sku: product for product in products}
    bundles = Product.objects.bulk_create(
        Product(
            workspace=workspace, sku=sku, name=name, kind=Product.Kind.BUNDLE, currency="EUR", list_price=Decimal(price),
            tax_rate=VAT["standard"], tax_category="standard", description=f"{name}: " + ", ".join(f"{n} × {by_sku[s].name}" for s, n in parts),
        )
        for sku, name, price, parts in BUNDLES
    )  # fmt: skip
    BundleComponent.objects.bulk_create(
        BundleComponent(workspace=workspace, bundle=bundle, product=by_sku[part], quantity=quantity, position=position)
        for bundle, (_, _, _, parts) in zip(bundles, BUNDLES, strict=True)
        for position, (part, quantity) in enumerate(parts)
    )
    everything = [*products, *bundles]
    eur = PriceBook.objects.create(workspace=workspace, name="Standard EUR", currency="EUR", is_default=True, description="List prices.")
    usd = PriceBook.objects.create(workspace=workspace, name="Standard USD", currency="USD", is_default=True, description="US list prices.")
    key_tag, _ = Tag.objects.get_or_create(workspace=workspace, name="Key account")
    key = PriceBook.objects.create(
        workspace=workspace, name="Key accounts EUR", currency="EUR", tag=key_tag, description="12% off furniture for key accounts."
    )
    PriceBookEntry.objects.bulk_create(
        [
            *(PriceBookEntry(workspace=workspace, price_book=eur, product=p, unit_price=p.list_price) for p in everything),
            *(PriceBookEntry(workspace=workspace, price_book=usd, product=p, unit_price=_usd(p.list_price)) for p in everything),
            *(
                PriceBookEntry(
                    workspace=workspace, price_book=key, product=p, unit_price=(p.list_price * KEY_ACCOUNT_DISCOUNT).quantize(Decimal(1))
                )
                for p in everything
                if p.kind != Product.Kind.SERVICE
            ),
        ]
    )
    index_records(object_type="product", ids=[product.pk for product in everything])
