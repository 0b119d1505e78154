"""Every change to a quote: build it from a deal, edit a draft, revise, send, and the customer's accept or decline.

A quote is edited only while it is a draft; once sent, a change is a new version (`quote_revise`),
which supersedes the one before. The customer answers through the quote's link: accepting turns the
quote into a sales order in the same transaction, so an accepted quote without its order never exists.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping, Sequence
from decimal import Decimal
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from amity.catalog.models import Product
from amity.catalog.selectors import products_by_ids, resolve_prices
from amity.core import audit, money
from amity.core.access import require
from amity.core.errors import FieldErrors
from amity.core.models import AuditEntry, User, Workspace
from amity.core.permissions import Action, ObjectType
from amity.customers.models import Account, Contact
from amity.sales.models import Opportunity, Quote, QuoteEvent, QuoteLine
from amity.sales.numbering import next_number
from amity.sales.totals import deal_totals, line_totals
from amity.search.services import index_records

AUDITED_FIELDS = [
    "number",
    "version",
    "title",
    "opportunity",
    "account",
    "contact",
    "status",
    "currency",
    "valid_until",
    "payment_terms_days",
    "terms",
    "notes",
    "total_amount",
    "sent_to",
    "accepted_by_name",
    "decline_reason",
]
DEFAULT_VALIDITY = dt.timedelta(days=30)
MAX_LINES = 200
TOKEN_BYTES = 32


# --- Audit ------------------------------------------------------------------------------------------------------------


def _line_summary(line: QuoteLine) -> str:
    return f"{line.quantity.normalize()} × {line.sku or line.name} @ {line.unit_price} -{line.discount_percent.normalize()}% +{line.tax_rate.normalize()}% tax"


def _snapshot(quote: Quote) -> dict[str, Any]:
    if quote.pk is None:
        return {}
    values = audit.snapshot(quote, AUDITED_FIELDS)
    values["lines"] = [_line_summary(line) for line in quote.lines.order_by("position", "id")]
    return values


def _record(*, actor: User | None, quote: Quote, before: dict[str, Any], action: str = AuditEntry.Action.UPDATE) -> None:
    """Audit what changed and keep the search index current once it commits."""
    changes = audit.diff(before, _snapshot(quote))
    if changes or action != AuditEntry.Action.UPDATE:
        audit.record(actor=actor, workspace=quote.workspace, action=action, obj=quote, changes=changes)
    _reindex_after_commit(quote.pk)


def _reindex_after_commit(*quote_ids: int | None) -> None:
    """Global search shows each quote's current version with its status and total (a deleted or superseded one drops out)."""
    ids = [pk for pk in quote_ids if pk is not None]
    transaction.on_commit(partial(index_records, object_type="quote", ids=ids))


def _event(quote: Quote, kind: str, *, actor: User | None, note: str = "", at: dt.datetime | None = None) -> QuoteEvent:
    return QuoteEvent.objects.create(
        workspace=quote.workspace, quote=quote, kind=kind, actor=actor, note=note[:1000], occurred_at=at or timezone.now()
    )


# --- Lines --------------------------------------------------------------------------------------------------------------


def _percent(value: Any, *, field: str) -> Decimal:
    number = money.amount(value if value not in (None, "") else 0, field=field)
    if number > 100:
        raise ValidationError({field: "Must be at most 100."})
    return number


def clean_lines(
    *, workspace: Workspace, rows: Sequence[Mapping[str, Any]], currency: str, account: Account | None, known_products: set[int]
) -> list[QuoteLine]:
    """Priced, totalled (unsaved) quote lines from rows; a product line without a unit price gets the customer's catalog price.

    Raises one ValidationError naming every bad cell as `lines.<index>.<field>`.
    """
    if len(rows) > MAX_LINES:
        raise ValidationError({"lines": f"A quote has at most {MAX_LINES} lines."})
    return _clean_rows(workspace, [dict(row) for row in rows], currency, account, known_products)


def _clean_rows(
    workspace: Workspace, rows: list[dict[str, Any]], currency: str, account: Account | None, known_products: set[int]
) -> list[QuoteLine]:
    errors = FieldErrors()
    products = products_by_ids(workspace=workspace, ids=[row.get("product_id") for row in rows])
    unpriced = [row["product_id"] for row in rows if row.get("product_id") in products and row.get("unit_price") in (None, "")]
    prices = resolve_prices(workspace=workspace, product_ids=unpriced, currency=currency, account=account) if unpriced else {}
    lines = []
    for index, row in enumerate(rows):
        at = f"lines.{index}"
        product: Product | None = None
        if row.get("product_id") not in (None, ""):
            product = products.get(row["product_id"])
            if product is None:
                errors[f"{at}.product_id"] = f"No product with id {row['product_id']} in this workspace."
                continue
            if not product.active and product.pk not in known_products:
                errors[f"{at}.product_id"] = f"{product.sku} is inactive; choose another product."
        line = _clean_line(row, product, prices, currency, at, errors)
        if line is not None:
            line.workspace = workspace
            line.position = index
            lines.append(line)
    errors.raise_if_any()
    return lines


def _clean_line(
    row: dict[str, Any], product: Product | None, prices: dict[int, Any], currency: str, at: str, errors: FieldErrors
) -> QuoteLine | None:
    name = " ".join(str(row.get("name") or (product.name if product else "")).split())[:200]
    if not name:
        errors[f"{at}.name"] = "Name the item, or choose a product."
    description = str(row.get("description") or "").strip()
    if len(description) > 1000:
        errors[f"{at}.description"] = "Use at most 1000 characters."
    quantity = errors.check(money.amount, row.get("quantity", 1), field=f"{at}.quantity", places=Decimal("0.001"))
    if quantity is not None and quantity <= 0:
        errors[f"{at}.quantity"] = "Must be more than 0."
    unit_price = row.get("unit_price")
    if unit_price in (None, "") and product is not None:
        resolved = prices.get(product.pk)
        if resolved is None:
            errors[f"{at}.unit_price"] = f"No price book prices {product.sku} in {currency}; give a unit price."
        unit_price = resolved.unit_price if resolved else None
    elif unit_price in (None, ""):
        errors[f"{at}.unit_price"] = "Give a unit price."
        unit_price = None
    price = errors.check(money.amount, unit_price, field=f"{at}.unit_price") if unit_price is not None else None
    discount = errors.check(_percent, row.get("discount_percent"), field=f"{at}.discount_percent")
    tax_source = row.get("tax_rate") if row.get("tax_rate") not in (None, "") else (product.tax_rate if product else 0)
    tax_rate = errors.check(_percent, tax_source, field=f"{at}.tax_rate")
    if quantity is None or quantity <= 0 or price is None or discount is None or tax_rate is None or not name:
        return None
    totals = line_totals(quantity=quantity, unit_price=price, discount_percent=discount, tax_rate=tax_rate, currency=currency)
    return QuoteLine(
        product=product,
        name=name,
        sku=product.sku if product else str(row.get("sku") or "")[:64],
        description=description[:1000],
        quantity=quantity,
        unit_price=price,
        discount_percent=discount,
        tax_rate=tax_rate,
        net_amount=totals.net,
        tax_amount=totals.tax,
        total_amount=totals.total,
    )


def _write_lines(quote: Quote, lines: list[QuoteLine]) -> None:
    """Replace the quote's lines and set its totals from them (each line rounded first, as the PDF prints them)."""
    quote.lines.all().delete()
    for line in lines:
        line.quote = quote
    QuoteLine.objects.bulk_create(lines)
    totals = deal_totals(
        line_totals(
            quantity=line.quantity,
            unit_price=line.unit_price,
            discount_percent=line.discount_percent,
            tax_rate=line.tax_rate,
            currency=quote.currency,
        )
        for line in lines
    )
    quote.subtotal, quote.discount_amount, quote.net_amount = totals.subtotal, totals.discount, totals.net
    quote.tax_amount, quote.total_amount = totals.tax, totals.total
    quote.save(update_fields=["subtotal", "discount_amount", "net_amount", "tax_amount", "total_amount", "updated_at"])


def _rows_of(lines: Sequence[Any]) -> list[dict[str, Any]]:
    """Rows that copy lines (a deal's or an older version's) exactly: product, text, quantity, price, discount, tax."""
    return [
        {
            "product_id": line.product_id,
            "name": line.name,
            "sku": line.sku,
            "description": getattr(line, "description", ""),
            "quantity": line.quantity,
            "unit_price": line.unit_price,
            "discount_percent": line.discount_percent,
            "tax_rate": line.tax_rate,
        }
        for line in lines
    ]


# --- Fields -----------------------------------------------------------------------------------------------------------


def _apply(quote: Quote, workspace: Workspace, data: Mapping[str, Any], errors: FieldErrors) -> None:
    """Apply the plain fields of `data` to a draft (unsaved or saved), collecting every bad one."""
    if "title" in data:
        quote.title = " ".join(str(data["title"] or "").split())
        if len(quote.title) > 200:
            errors["title"] = "Use at most 200 characters."
    if "account_id" in data:
        account = Account.objects.filter(workspace=workspace, pk=data["account_id"] or -1, deleted_at__isnull=True).first()
        if account is None:
            errors["account_id"] = f"No account with id {data['account_id']} in this workspace."
        else:
            quote.account = account
    if "contact_id" in data:
        contact_id = data["contact_id"]
        if contact_id is not None and not Contact.objects.filter(workspace=workspace, pk=contact_id, deleted_at__isnull=True).exists():
            errors["contact_id"] = f"No contact with id {contact_id} in this workspace."
        else:
            quote.contact_id = contact_id
    if "currency" in data:
        currency = errors.check(money.currency_code, data["currency"])
        if currency and quote.pk and currency != quote.currency and quote.lines.exists():
            errors["currency"] = "The quote has lines priced in its currency; remove them before changing the currency."
        elif currency:
            quote.currency = currency
    if "valid_until" in data:
        if data["valid_until"] is None:
            errors["valid_until"] = "A quote needs a date it is valid until."
        elif data["valid_until"] < timezone.localdate():
            errors["valid_until"] = "The validity date has passed; choose today or a later day."
        else:
            quote.valid_until = data["valid_until"]
    if "payment_terms_days" in data:
        days = data["payment_terms_days"]
        if not isinstance(days, int) or not 0 <= days <= 365:
            errors["payment_terms_days"] = "Give the payment terms in days, from 0 to 365."
        else:
            quote.payment_terms_days = days
    for field, limit in (("terms", 10_000), ("notes", 5_000)):
        if field in data:
            text = str(data[field] or "").strip()
            if len(text) > limit:
                errors[field] = f"Use at most {limit} characters."
            setattr(quote, field, text[:limit])


def _check_complete(quote: Quote, errors: FieldErrors) -> None:
    if not quote.title:
        errors.setdefault("title", "A quote needs a title.")
    if quote.account_id is None:
        errors.setdefault("account_id", "A quote is billed to an account.")
    if not quote.currency:
        errors.setdefault("currency", "Give the quote's currency, e.g. EUR.")


def _must_be_draft(quote: Quote) -> None:
    if quote.status != Quote.Status.DRAFT:
        raise ValidationError({"status": f"{quote.label} is {quote.get_status_display().lower()}; revise it to make changes."})


# --- Create, edit, delete -------------------------------------------------------------------------------------------


@transaction.atomic
def quote_create(*, actor: User, workspace: Workspace, data: Mapping[str, Any]) -> Quote:
    """Start a draft quote for an account (and optionally a deal) with its lines; it gets the workspace's next number."""
    require(actor, workspace, Action.ADD, ObjectType.QUOTE)
    errors = FieldErrors()
    quote = Quote(workspace=workspace, owner=actor, valid_until=timezone.localdate() + DEFAULT_VALIDITY)
    if data.get("opportunity_id") is not None:
        deal = Opportunity.objects.filter(workspace=workspace, pk=data["opportunity_id"], deleted_at__isnull=True).first()
        if deal is None:
            errors["opportunity_id"] = f"No deal with id {data['opportunity_id']} in this workspace."
        else:
            quote.opportunity, quote.account, quote.currency, quote.title = deal, deal.account, deal.currency, deal.name
    _apply(quote, workspace, data, errors)
    _check_complete(quote, errors)
    errors.raise_if_any()
    lines = clean_lines(
        workspace=workspace, rows=data.get("lines") or [], currency=quote.currency, account=quote.account, known_products=set()
    )
    quote.number = next_number(workspace=workspace, prefix="Q")
    quote.save()
    _write_lines(quote, lines)
    _event(quote, QuoteEvent.Kind.CREATED, actor=actor)
    _record(actor=actor, quote=quote, before={}, action=AuditEntry.Action.CREATE)
    return quote


def quote_create_from_opportunity(*, actor: User, opportunity: Opportunity, data: Mapping[str, Any] | None = None) -> Quote:
    """A draft quote for a deal: its account, currency, primary contact and a copy of its line items (editable on the quote)."""
    data = dict(data or {})
    primary = next((link for link in opportunity.contact_roles.all() if link.is_primary), None) or opportunity.contact_roles.first()
    data.setdefault("contact_id", primary.contact_id if primary else None)
    data["opportunity_id"] = opportunity.pk
    if data.get("lines") is None:
        data["lines"] = _rows_of(list(opportunity.line_items.order_by("position", "id")))
    return quote_create(actor=actor, workspace=opportunity.workspace, data=data)


@transaction.atomic
def quote_update(*, actor: User, quote: Quote, data: Mapping[str, Any]) -> Quote:
    """Change a draft's fields and, when `lines` is given, replace its lines."""
    require(actor, quote.workspace, Action.CHANGE, ObjectType.QUOTE)
    _must_be_draft(quote)
    before = _snapshot(quote)
    errors = FieldErrors()
    if "opportunity_id" in data:
        errors["opportunity_id"] = "A quote stays with the deal it was made for."
    _apply(quote, quote.workspace, data, errors)
    _check_complete(quote, errors)
    lines = None
    if data.get("lines") is not None:
        known = set(quote.lines.exclude(product=None).values_list("product_id", flat=True))
        lines = errors.check(
            clean_lines, workspace=quote.workspace, rows=data["lines"], currency=quote.currency, account=quote.account, known_products=known
        )
    errors.raise_if_any()
    quote.save()
    if lines is not None:
        _write_lines(quote, lines)
    _record(actor=actor, quote=quote, before=before)
    return quote


@transaction.atomic
def quote_delete(*, actor: User, quote: Quote) -> None:
    """Throw away a draft that was never sent; a revision's draft gives the version before it back its place."""
    require(actor, quote.workspace, Action.DELETE, ObjectType.QUOTE)
    _must_be_draft(quote)
    previous = Quote.objects.filter(workspace=quote.workspace, number=quote.number, version=quote.version - 1).first()
    audit.record(
        actor=actor, workspace=quote.workspace, action=AuditEntry.Action.DELETE, obj=quote, changes={"status": [quote.status, None]}
    )
    deleted_id = quote.pk
    quote.delete()
    if previous is not None and previous.status == Quote.Status.SUPERSEDED:
        previous.status = Quote.Status.SENT if previous.sent_at else Quote.Status.DRAFT
        previous.save(update_fields=["status", "updated_at"])
    _reindex_after_commit(deleted_id, previous.pk if previous is not None else None)


# --- Versions -----------------------------------------------------------------------------------------------------------


@transaction.atomic
def quote_revise(*, actor: User, quote: Quote) -> Quote:
    """Make the next version of a quote (a draft with the same number and lines) and supersede this one.

    The older version stays readable; its customer link now says a newer version exists.
    """
    require(actor, quote.workspace, Action.CHANGE, ObjectType.QUOTE)
    quote = Quote.objects.select_for_update().get(pk=quote.pk)
    if quote.status in (Quote.Status.ACCEPTED, Quote.Status.SUPERSEDED):
        raise ValidationError({"status": f"{quote.label} is {quote.get_status_display().lower()}; it cannot be revised."})
    if quote.status == Quote.Status.DRAFT:
        raise ValidationError({"status": f"{quote.label} is still a draft; edit it instead."})
    before = _snapshot(quote)
    revision = Quote.objects.get(pk=quote.pk)
    revision.pk = None
    revision.version = quote.version + 1
    revision.status = Quote.Status.DRAFT
    revision.owner = actor
    revision.public_token = None
    revision.sent_at = revision.responded_at = None
    revision.sent_to = revision.accepted_by_name = revision.decline_reason = ""
    revision.created_at = timezone.now()
    revision.valid_until = max(quote.valid_until, timezone.localdate() + DEFAULT_VALIDITY)
    revision._state.adding = True
    revision.save()
    _write_lines(
        revision,
        clean_lines(
            workspace=quote.workspace,
            rows=_rows_of(list(quote.lines.all())),
            currency=quote.currency,
            account=quote.account,
            known_products={line.product_id for line in quote.lines.all() if line.product_id},
        ),
    )
    quote.status = Quote.Status.SUPERSEDED
    quote.save(update_fields=["status", "updated_at"])
    _event(revision, QuoteEvent.Kind.REVISED, actor=actor, note=f"Replaces version {quote.version}.")
    _record(actor=actor, quote=quote, before=before)
    _record(actor=actor, quote=revision, before={}, action=AuditEntry.Action.CREATE)
    return revision


# --- Sending ------------------------------------------------------------------------------------------------------------


@transaction.atomic
def quote_send(*, actor: User, quote: Quote, to: str, message: str = "") -> Quote:
    """Email the quote as a PDF with the customer's link to accept or decline it; the worker sends it after commit.

    A sent quote can be sent again (to someone else, or as a reminder): the link stays the same.
    """
    require(actor, quote.workspace, Action.CHANGE, ObjectType.QUOTE)
    quote = Quote.objects.select_for_update().select_related("workspace").get(pk=quote.pk)
    if quote.status not in (Quote.Status.DRAFT, Quote.Status.SENT):
        raise ValidationError(
            {"status": f"{quote.label} is {quote.get_status_display().lower()}; only a draft or a sent quote can be sent."}
        )
    address = str(to or "").strip()
    try:
        validate_email(address)
    except ValidationError:
        raise ValidationError({"to": "Give the email address to send the quote to."}) from None
    if len(message) > 5000:
        raise ValidationError({"message": "Use at most 5000 characters."})
    if not quote.lines.exists():
        raise ValidationError({"lines": "Add at least one line before sending the quote."})
    if quote.is_past_validity():
        raise ValidationError({"valid_until": "The quote's validity date has passed; move it to today or later first."})
    before = _snapshot(quote)
    quote.status = Quote.Status.SENT
    quote.public_token = quote.public_token or secrets.token_urlsafe(TOKEN_BYTES)
    quote.sent_at = timezone.now()
    quote.sent_to = address
    quote.save()
    _event(quote, QuoteEvent.Kind.SENT, actor=actor, note=f"To {address}")
    _record(actor=actor, quote=quote, before=before)
    from amity.sales.tasks import send_quote_email

    transaction.on_commit(partial(send_quote_email.enqueue, quote_id=quote.pk, to=address, message=message))
    return quote


# --- The customer's answer ------------------------------------------------------------------------------------------


def _answerable(token: str, *, for_update: bool = True) -> Quote:
    """The quote behind a customer link, locked; a link that is not ours is a 404 (Quote.DoesNotExist)."""
    quotes = Quote.objects.select_related("workspace", "account", "opportunity")
    if for_update:
        quotes = quotes.select_for_update(of=("self",))
    return quotes.get(public_token=token) if token else quotes.get(pk=0)


def quote_by_token(*, token: str) -> Quote:
    """The quote a customer's link points to, for its public page (raises Quote.DoesNotExist for a link that is not ours)."""
    return _answerable(token, for_update=False)


def _check_open_for_answer(quote: Quote) -> None:
    if quote.status == Quote.Status.SENT and quote.is_past_validity():
        raise ValidationError({"status": f"This quote expired on {quote.valid_until:%d %B %Y}; ask us for a new one."})
    if quote.status != Quote.Status.SENT:
        messages: dict[str, str] = {
            Quote.Status.ACCEPTED: "This quote has been accepted already.",
            Quote.Status.DECLINED: "This quote has been declined.",
            Quote.Status.EXPIRED: f"This quote expired on {quote.valid_until:%d %B %Y}; ask us for a new one.",
            Quote.Status.SUPERSEDED: "A newer version of this quote replaces it; use the link in our latest email.",
        }
        raise ValidationError({"status": messages.get(quote.status, "This quote cannot be answered.")})


@transaction.atomic
def quote_accept(*, token: str, name: str, ip: str = "") -> Quote:
    """The customer accepts a sent quote by typing their name: it becomes a sales order in the same transaction."""
    quote = _answerable(token)
    _check_open_for_answer(quote)
    signature = " ".join(str(name or "").split())
    if len(signature) < 2:
        raise ValidationError({"name": "Type your full name to accept the quote."})
    if len(signature) > 200:
        raise ValidationError({"name": "Use at most 200 characters."})
    before = _snapshot(quote)
    quote.status = Quote.Status.ACCEPTED
    quote.accepted_by_name = signature
    quote.responded_at = timezone.now()
    quote.save()
    _event(quote, QuoteEvent.Kind.ACCEPTED, actor=None, note=f"Accepted by {signature}" + (f" from {ip}" if ip else ""))
    with audit.acting_through(audit.current().door, label=f"customer: {signature}"):
        _record(actor=None, quote=quote, before=before)
        from amity.orders.services import order_create_from_quote

        order_create_from_quote(quote=quote, actor=None)
    return quote


@transaction.atomic
def quote_decline(*, token: str, reason: str) -> Quote:
    """The customer declines a sent quote, saying why."""
    quote = _answerable(token)
    _check_open_for_answer(quote)
    text = str(reason or "").strip()
    if not text:
        raise ValidationError({"reason": "Tell us why, so we can make a better offer."})
    if len(text) > 1000:
        raise ValidationError({"reason": "Use at most 1000 characters."})
    before = _snapshot(quote)
    quote.status = Quote.Status.DECLINED
    quote.decline_reason = text
    quote.responded_at = timezone.now()
    quote.save()
    _event(quote, QuoteEvent.Kind.DECLINED, actor=None, note=text)
    with audit.acting_through(audit.current().door, label="customer"):
        _record(actor=None, quote=quote, before=before)
    return quote


def expire_quotes(*, today: dt.date | None = None) -> int:
    """Mark every sent quote whose validity date has passed as expired (the worker runs this every minute); returns how many."""
    today = today or timezone.localdate()
    expired = 0
    for quote_id in Quote.objects.filter(status=Quote.Status.SENT, valid_until__lt=today).values_list("pk", flat=True)[:500]:
        with transaction.atomic():
            # The claim is the conditional UPDATE: two workers racing expire a quote once.
            if Quote.objects.filter(pk=quote_id, status=Quote.Status.SENT).update(status=Quote.Status.EXPIRED, updated_at=timezone.now()):
                quote = Quote.objects.select_related("workspace").get(pk=quote_id)
                _event(quote, QuoteEvent.Kind.EXPIRED, actor=None, note=f"Valid until {quote.valid_until:%Y-%m-%d}")
                audit.record(
                    actor=None,
                    workspace=quote.workspace,
                    action=AuditEntry.Action.UPDATE,
                    obj=quote,
                    changes={"status": [Quote.Status.SENT, Quote.Status.EXPIRED]},
                )
                _reindex_after_commit(quote.pk)
                expired += 1
    return expired
