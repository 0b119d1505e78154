"""Demo quotes, orders, invoices and payments for the demo's won deals: a believable back office.

Each recent won deal with line items had a quote (about a third of them revised once before the
customer accepted), which became an order; older orders are fulfilled and invoiced and most of their
invoices paid (some in two instalments, some only in part, a few overdue); recent orders are still
being delivered; one order was cancelled. Seeded and written in bulk, so it takes a second or two.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch
from django.utils import timezone

from amity.core.models import User, Workspace
from amity.core.permissions import Role
from amity.orders.models import Cancellation, Fulfilment, FulfilmentLine, Invoice, InvoiceLine, Payment, SalesOrder, SalesOrderLine
from amity.sales.models import DocumentSequence, LineItem, Opportunity, Quote, QuoteEvent, QuoteLine
from amity.search.services import index_records

DEALS = 150
REVISED_SHARE = 0.3
TERMS = "Prices exclude delivery outside the city. Delivery within four weeks of the order. Payment by bank transfer."
METHODS = [Payment.Method.BANK_TRANSFER] * 6 + [Payment.Method.CARD, Payment.Method.DIRECT_DEBIT]


class _Books:
    """Numbers per series and year, handed out in the order documents are dated."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self.last: dict[tuple[str, int], int] = defaultdict(int)

    def number(self, prefix: str, on: dt.date) -> str:
        self.last[(prefix, on.year)] += 1
        return f"{prefix}-{on.year}-{self.last[(prefix, on.year)]:04d}"

    def save(self) -> None:
        DocumentSequence.objects.bulk_create(
            DocumentSequence(workspace=self.workspace, prefix=prefix, year=year, last_number=last)
            for (prefix, year), last in self.last.items()
        )


def _deals(workspace: Workspace) -> list[Opportunity]:
    lines = Prefetch("line_items", queryset=LineItem._default_manager.order_by("position", "id"))
    won = Opportunity.objects.filter(workspace=workspace, status="won", closed_at__isnull=False, line_items__isnull=False).distinct()
    deals = list(won.order_by("-closed_at")[:DEALS].prefetch_related(lines, "contact_roles"))
    return sorted(deals, key=lambda deal: deal.closed_at)  # type: ignore[arg-type, return-value]


def load_billing(workspace: Workspace, users: dict[Role, User]) -> None:
    """Give the demo's recent won deals their quotes, orders, invoices and payments (once)."""
    if Quote.objects.filter(workspace=workspace).exists():
        return
    rng = random.Random(4242)
    books = _Books(workspace)
    now = timezone.now()
    today = timezone.localdate()
    rep, manager, supply = users.get(Role.SALES), users.get(Role.MANAGER), users.get(Role.SUPPLY)
    plan: list[dict[str, Any]] = []
    for deal in _deals(workspace):
        accepted_at = deal.closed_at - dt.timedelta(hours=rng.randint(2, 30))  # type: ignore[operator]
        plan.append({"deal": deal, "accepted_at": accepted_at, "revised": rng.random() < REVISED_SHARE})
    if not plan:
        return
    quotes, quote_lines, events = _quotes(workspace, plan, books, rng, rep)
    Quote.objects.bulk_create(quotes)
    for line in quote_lines:
        line.quote_id = line.quote.pk
    QuoteLine.objects.bulk_create(quote_lines)
    for event in events:
        event.quote_id = event.quote.pk
    QuoteEvent.objects.bulk_create(events)
    _back_office(workspace, plan, books, rng, now, today, manager, supply)
    books.save()
    for object_type, model in (("quote", Quote), ("order", SalesOrder), ("invoice", Invoice)):
        index_records(object_type=object_type, ids=model.objects.filter(workspace=workspace).values_list("pk", flat=True))


def _quote(workspace: Workspace, deal: Opportunity, number: str, version: int, created: dt.datetime, owner: User | None) -> Quote:
    primary = next((link for link in deal.contact_roles.all() if link.is_primary), None) or next(iter(deal.contact_roles.all()), None)
    return Quote(
        workspace=workspace,
        number=number,
        version=version,
        title=deal.name,
        opportunity=deal,
        account_id=deal.account_id,
        contact_id=primary.contact_id if primary else None,
        owner=deal.owner or owner,
        currency=deal.currency,
        valid_until=(created + dt.timedelta(days=30)).date(),
        payment_terms_days=30,
        terms=TERMS,
        created_at=created,
        public_token=secrets.token_urlsafe(32),
        sent_at=created + dt.timedelta(hours=3),
        sent_to="buyer@example.com",
    )


def _quotes(
    workspace: Workspace, plan: list[dict[str, Any]], books: _Books, rng: random.Random, rep: User | None
) -> tuple[list[Quote], list[QuoteLine], list[QuoteEvent]]:
    quotes, lines, events = [], [], []
    for item in plan:
        deal, accepted_at = item["deal"], item["accepted_at"]
        first_at = accepted_at - dt.timedelta(days=rng.randint(8, 20))
        number = books.number("Q", first_at.date())
        versions = [(1, first_at)] + ([(2, accepted_at - dt.timedelta(days=rng.randint(2, 6)))] if item["revised"] else [])
        for version, created in versions:
            quote = _quote(workspace, deal, number, version, created, rep)
            last = version == len(versions)
            discount = Decimal(0) if version == 1 else Decimal(rng.choice([5, 7, 10]))
            for line in deal.line_items.all():
                lines.append(_quote_line(workspace, quote, line, discount if last and len(versions) > 1 else line.discount_percent))
            quote_lines = [line for line in lines if line.quote is quote]
            quote.net_amount = sum((line.net_amount for line in quote_lines), Decimal("0.00"))
            quote.tax_amount = sum((line.tax_amount for line in quote_lines), Decimal("0.00"))
            quote.total_amount = quote.net_amount + quote.tax_amount
            quote.subtotal = sum((line.quantity * line.unit_price for line in quote_lines), Decimal("0.00")).quantize(Decimal("0.01"))
            quote.discount_amount = quote.subtotal - quote.net_amount
            events.append(
                QuoteEvent(
                    workspace=workspace, quote=quote, kind="created" if version == 1 else "revised", occurred_at=created, actor=quote.owner
                )
            )
            events.append(
                QuoteEvent(
                    workspace=workspace,
                    quote=quote,
                    kind="sent",
                    occurred_at=created + dt.timedelta(hours=3),
                    actor=quote.owner,
                    note="To buyer@example.com",
                )
            )
            if last:
                quote.status, quote.responded_at = Quote.Status.ACCEPTED, accepted_at
                quote.accepted_by_name = _signer(deal)
                events.append(
                    QuoteEvent(
                        workspace=workspace,
                        quote=quote,
                        kind="accepted",
                        occurred_at=accepted_at,
                        note=f"Accepted by {quote.accepted_by_name}",
                    )
                )
                item["quote"], item["quote_lines"] = quote, quote_lines
            else:
                quote.status = Quote.Status.SUPERSEDED
            quotes.append(quote)
    return quotes, lines, events


def _signer(deal: Opportunity) -> str:
    link = next(iter(deal.contact_roles.all()), None)
    return str(link.contact.full_name) if link is not None and hasattr(link, "contact") else "Purchasing"


def _quote_line(workspace: Workspace, quote: Quote, line: LineItem, discount: Decimal) -> QuoteLine:
    from amity.sales.totals import line_totals

    figures = line_totals(
        quantity=line.quantity, unit_price=line.unit_price, discount_percent=discount, tax_rate=line.tax_rate, currency=quote.currency
    )
    return QuoteLine(
        workspace=workspace,
        quote=quote,
        product_id=line.product_id,
        position=line.position,
        name=line.name,
        sku=line.sku,
        quantity=line.quantity,
        unit_price=line.unit_price,
        discount_percent=discount,
        tax_rate=line.tax_rate,
        net_amount=figures.net,
        tax_amount=figures.tax,
        total_amount=figures.total,
    )


def _back_office(
    workspace: Workspace,
    plan: list[dict[str, Any]],
    books: _Books,
    rng: random.Random,
    now: dt.datetime,
    today: dt.date,
    manager: User | None,
    supply: User | None,
) -> None:
    """Orders from the accepted quotes, then deliveries, invoices and payments as far as each order's age allows."""
    orders, order_lines = [], []
    for item in plan:
        quote: Quote = item["quote"]
        order = SalesOrder(
            workspace=workspace,
            number=books.number("SO", item["accepted_at"].date()),
            account_id=quote.account_id,
            contact_id=quote.contact_id,
            opportunity=item["deal"],
            quote=quote,
            currency=quote.currency,
            ordered_on=item["accepted_at"].date(),
            payment_terms_days=quote.payment_terms_days,
            net_amount=quote.net_amount,
            tax_amount=quote.tax_amount,
            total_amount=quote.total_amount,
            created_at=item["accepted_at"],
        )
        item["order"] = order
        orders.append(order)
        item["order_lines"] = [
            SalesOrderLine(
                workspace=workspace,
                order=order,
                product_id=line.product_id,
                position=line.position,
                name=line.name,
                sku=line.sku,
                quantity=line.quantity,
                unit_price=line.unit_price,
                discount_percent=line.discount_percent,
                tax_rate=line.tax_rate,
                net_amount=line.net_amount,
                tax_amount=line.tax_amount,
                total_amount=line.total_amount,
            )
            for line in item["quote_lines"]
        ]
        order_lines.extend(item["order_lines"])
    SalesOrder.objects.bulk_create(orders)
    for line in order_lines:
        line.order_id = line.order.pk
    SalesOrderLine.objects.bulk_create(order_lines)
    _deliver_and_bill(workspace, plan, books, rng, now, today, manager, supply)


def _deliver_and_bill(
    workspace: Workspace,
    plan: list[dict[str, Any]],
    books: _Books,
    rng: random.Random,
    now: dt.datetime,
    today: dt.date,
    manager: User | None,
    supply: User | None,
) -> None:
    fulfilments, fulfilment_lines, cancellations = [], [], []
    invoices, invoice_lines, payments = [], [], []
    cancelled_one = False
    for item in plan:
        order: SalesOrder = item["order"]
        age = (today - order.ordered_on).days
        if not cancelled_one and 5 <= age <= 40:
            cancelled_one = True
            order.status = SalesOrder.Status.CANCELLED
            cancellations.append(
                Cancellation(
                    workspace=workspace,
                    order=order,
                    scope="whole",
                    reason="The customer's budget was frozen for this year.",
                    quantities={},
                    amount=order.net_amount,
                    created_by=manager,
                    created_at=order.created_at + dt.timedelta(days=3),
                )
            )
            for line in item["order_lines"]:
                line.quantity_cancelled = line.quantity
            continue
        if age < 4:
            continue  # just ordered: nothing delivered yet
        delivered_at = order.created_at + dt.timedelta(days=rng.randint(3, 12))
        partial = age < 25 and rng.random() < 0.5
        fulfilment = Fulfilment(
            workspace=workspace,
            order=order,
            fulfilled_on=delivered_at.date(),
            created_by=supply,
            created_at=delivered_at,
            note="First delivery; the rest follows." if partial else "Delivered and installed.",
        )
        fulfilments.append(fulfilment)
        for line in item["order_lines"]:
            quantity = (line.quantity / 2).quantize(Decimal("1")) if partial and line.quantity > 1 else line.quantity
            if quantity <= 0:
                continue
            line.quantity_fulfilled = quantity
            fulfilment_lines.append(FulfilmentLine(workspace=workspace, fulfilment=fulfilment, order_line=line, quantity=quantity))
        order.status = SalesOrder.Status.PARTIALLY_FULFILLED if partial else SalesOrder.Status.FULFILLED
        if partial:
            continue  # invoiced once complete
        issued = delivered_at + dt.timedelta(days=1)
        invoice = Invoice(
            workspace=workspace,
            number=books.number("INV", issued.date()),
            order=order,
            account_id=order.account_id,
            contact_id=order.contact_id,
            currency=order.currency,
            issue_date=issued.date(),
            due_date=issued.date() + dt.timedelta(days=order.payment_terms_days),
            net_amount=order.net_amount,
            tax_amount=order.tax_amount,
            total_amount=order.total_amount,
            sent_at=issued + dt.timedelta(hours=2),
            sent_to="accounts@example.com",
            created_by=manager,
            created_at=issued,
            status=Invoice.Status.SENT,
        )
        invoices.append(invoice)
        for line in item["order_lines"]:
            line.quantity_invoiced = line.quantity
            invoice_lines.append(
                InvoiceLine(
                    workspace=workspace,
                    invoice=invoice,
                    order_line=line,
                    position=line.position,
                    name=line.name,
                    sku=line.sku,
                    quantity=line.quantity,
                    unit_price=line.unit_price,
                    discount_percent=line.discount_percent,
                    tax_rate=line.tax_rate,
                    net_amount=line.net_amount,
                    tax_amount=line.tax_amount,
                    total_amount=line.total_amount,
                )
            )
        payments.extend(_payments(workspace, invoice, rng, today, manager))
    SalesOrder.objects.bulk_update([item["order"] for item in plan], ["status"])
    SalesOrderLine.objects.bulk_update(
        [line for item in plan for line in item["order_lines"]], ["quantity_fulfilled", "quantity_invoiced", "quantity_cancelled"]
    )
    Cancellation.objects.bulk_create(cancellations)
    Fulfilment.objects.bulk_create(fulfilments)
    for fline in fulfilment_lines:
        fline.fulfilment_id, fline.order_line_id = fline.fulfilment.pk, fline.order_line.pk
    FulfilmentLine.objects.bulk_create(fulfilment_lines)
    Invoice.objects.bulk_create(invoices)
    for iline in invoice_lines:
        iline.invoice_id, iline.order_line_id = iline.invoice.pk, iline.order_line.pk
    InvoiceLine.objects.bulk_create(invoice_lines)
    for payment in payments:
        payment.invoice_id = payment.invoice.pk
    Payment.objects.bulk_create(payments)


def _payments(workspace: Workspace, invoice: Invoice, rng: random.Random, today: dt.date, manager: User | None) -> list[Payment]:
    """Most customers pay within the terms; some in two instalments, some only in part; a few not at all."""
    roll = rng.random()
    days_open = (today - invoice.issue_date).days
    if days_open < 10:
        return []  # just sent
    if roll < 0.08:
        invoice.status = Invoice.Status.OVERDUE if invoice.due_date < today else Invoice.Status.SENT
        return []
    amounts = [invoice.total_amount]
    if roll < 0.2:
        first = (invoice.total_amount * Decimal("0.4")).quantize(Decimal("0.01"))
        amounts = [first] if roll < 0.14 else [first, invoice.total_amount - first]
    paid = []
    for index, amount in enumerate(amounts):
        paid_on = min(today, invoice.issue_date + dt.timedelta(days=rng.randint(7, 28) + 20 * index))
        paid.append(
            Payment(
                workspace=workspace,
                invoice=invoice,
                amount=amount,
                currency=invoice.currency,
                paid_on=paid_on,
                method=rng.choice(METHODS),
                reference=f"TRX{rng.randint(100000, 999999)}",
                created_by=manager,
                created_at=timezone.make_aware(dt.datetime.combine(paid_on, dt.time(10, 0))),
            )
        )
    invoice.amount_paid = sum((payment.amount for payment in paid), Decimal("0.00"))
    if invoice.amount_paid >= invoice.total_amount:
        invoice.status = Invoice.Status.PAID
    else:
        invoice.status = Invoice.Status.OVERDUE if invoice.due_date < today else Invoice.Status.PARTIALLY_PAID
    return paid
