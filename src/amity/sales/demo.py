"""Two years of demo deals: Northwind sells furniture and services to the demo accounts.

The default pipeline and a "Renewals" one; about a thousand deals created over two years, the
older ones mostly won or lost (with reasons), the recent ones still open; each with a plausible
stage history (days to weeks per stage), line items from the demo catalog at its prices, and the
account's people in their roles. Seeded, so every demo tells the same story; written in bulk.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from decimal import Decimal

from django.utils import timezone

from amity.catalog.models import PriceBookEntry, Product
from amity.core.models import Team, User, Workspace
from amity.core.permissions import Role
from amity.customers.models import Account, AccountContact
from amity.sales.models import (
    ForecastCategory,
    LineItem,
    LostReason,
    Opportunity,
    OpportunityContact,
    Pipeline,
    Stage,
    StageChange,
    default_stage_category,
)
from amity.sales.services import sales_setup
from amity.sales.totals import line_totals
from amity.search.services import index_records

DEALS = 1000
RENEWAL_SHARE = 0.35  # of the deals won more than a year ago
RENEWAL_STAGES = [
    ("Renewal due", 60, "open"),
    ("In talks", 75, "open"),
    ("Verbal yes", 90, "open"),
    ("Renewed", 100, "won"),
    ("Churned", 0, "lost"),
]
# Days a deal typically stays in each open stage of the sales pipeline (low, high).
STAY_DAYS = {"New": (1, 8), "Qualified": (4, 18), "Proposal": (6, 28), "Negotiation": (4, 21)}
RENEWAL_STAY_DAYS = (5, 25)
DEAL_NAMES = [
    "Office fit-out",
    "New workstations",
    "Meeting rooms",
    "Quiet zones",
    "Ergonomics upgrade",
    "Second floor",
    "Hybrid office",
    "HQ move",
]
COMPETITORS = ["Globex Office", "Initrode Interiors", "Vandelay Furnishings", "Hooli Workspace"]
NEXT_STEPS = [
    "Send the revised proposal",
    "Site visit with facilities",
    "Call the CFO about budget",
    "Book a showroom visit",
    "Send references",
]
LOST_WEIGHTS = {"Price too high": 30, "Chose a competitor": 25, "No budget": 15, "No decision": 15, "Bad timing": 10, "Missing feature": 5}
ROLES = [
    OpportunityContact.Role.DECISION_MAKER,
    OpportunityContact.Role.CHAMPION,
    OpportunityContact.Role.INFLUENCER,
    OpportunityContact.Role.USER,
]


class _Demo:
    """What the generator needs at hand, fetched once."""

    def __init__(self, workspace: Workspace, users: dict[Role, User]) -> None:
        self.workspace = workspace
        self.rng = random.Random(4)
        self.now = timezone.now()
        self.sellers = [users[Role.SALES]] * 5 + [users[Role.MANAGER]] * 2 + [users[Role.OWNER]]
        self.team = Team.objects.filter(workspace=workspace, name="Sales").first()
        self.accounts = list(Account.objects.filter(workspace=workspace, deleted_at__isnull=True).order_by("pk").values_list("pk", "name"))
        self.people: dict[int, list[int]] = defaultdict(list)
        for account_id, contact_id in (
            AccountContact.objects.filter(workspace=workspace).order_by("pk").values_list("account_id", "contact_id")
        ):
            self.people[account_id].append(contact_id)
        self.products = list(Product.objects.filter(workspace=workspace, active=True).order_by("sku"))
        self.prices: dict[tuple[str, int], Decimal] = {}
        for currency, product_id, price in PriceBookEntry.objects.filter(workspace=workspace, price_book__is_default=True).values_list(
            "price_book__currency", "product_id", "unit_price"
        ):
            self.prices[(currency, product_id)] = price
        self.reasons = {reason.name: reason for reason in LostReason.objects.filter(workspace=workspace)}
        self.stages: dict[int, list[Stage]] = {}
        self.deals: list[Opportunity] = []
        self.histories: list[list[tuple[Stage, dt.datetime]]] = []
        self.lines: list[list[LineItem]] = []
        self.roles: list[list[OpportunityContact]] = []

    def days(self, low: int, high: int) -> dt.timedelta:
        return dt.timedelta(days=self.rng.randint(low, high), hours=self.rng.randint(0, 23), minutes=self.rng.randint(0, 59))

    def line_items(self, currency: str) -> list[LineItem]:
        priced = [product for product in self.products if (currency, product.pk) in self.prices] or self.products
        chosen = self.rng.sample(priced, k=min(len(priced), self.rng.choice([1, 1, 2, 2, 3, 4])))
        lines = []
        for position, product in enumerate(chosen):
            quantity = Decimal(
                self.rng.choice([1, 2, 4, 6, 10, 12, 20, 25, 40]) if product.kind != Product.Kind.SERVICE else self.rng.randint(1, 12)
            )
            price = self.prices.get((currency, product.pk), product.list_price)
            discount = Decimal(self.rng.choice([0, 0, 0, 5, 10, 15]))
            totals = line_totals(
                quantity=quantity, unit_price=price, discount_percent=discount, tax_rate=product.tax_rate, currency=currency
            )
            lines.append(
                LineItem(
                    workspace=self.workspace, product=product, position=position, name=product.name, sku=product.sku, quantity=quantity,
                    unit_price=price, discount_percent=discount, tax_rate=product.tax_rate, net_amount=totals.net,
                    tax_amount=totals.tax, total_amount=totals.total,
                )
            )  # fmt: skip
        return lines

    def path(
        self, open_stages: list[Stage], closing: Stage | None, created: dt.datetime, stays: dict[str, tuple[int, int]]
    ) -> list[tuple[Stage, dt.datetime]]:
        """The stages a deal entered and when, never later than now; a closed deal ends in `closing`."""
        history = [(open_stages[0], created)]
        at = created
        reach = len(open_stages) if closing is not None and closing.kind == Stage.Kind.WON else self.rng.randint(1, len(open_stages))
        for stage in [*open_stages[1:reach], *([closing] if closing else [])]:
            low, high = stays.get(history[-1][0].name, RENEWAL_STAY_DAYS)
            at = at + self.days(low, high)
            if at >= self.now:
                break
            history.append((stage, at))
        return history

    def add(
        self, *, pipeline: Pipeline, name: str, account_id: int, created: dt.datetime, outcome: str, stays: dict[str, tuple[int, int]]
    ) -> Opportunity:
        if pipeline.pk not in self.stages:
            self.stages[pipeline.pk] = list(pipeline.stages.order_by("position", "id"))
        stages = self.stages[pipeline.pk]
        open_stages = [stage for stage in stages if stage.kind == Stage.Kind.OPEN]
        closing = next((stage for stage in stages if stage.kind == outcome), None)
        history = self.path(open_stages, closing, created, stays)
        last, entered = history[-1]
        currency = "USD" if self.rng.random() < 0.2 else "EUR"
        lines = self.line_items(currency)
        seller = self.rng.choice(self.sellers)
        closed = last.kind != Stage.Kind.OPEN
        reason_names, weights = list(LOST_WEIGHTS), list(LOST_WEIGHTS.values())
        deal = Opportunity(
            workspace=self.workspace, name=name, account_id=account_id, pipeline=pipeline, stage=last, status=last.kind,
            amount=sum((line.net_amount for line in lines), Decimal("0.00")), currency=currency, probability=last.probability,
            expected_close_date=(entered if closed else self.now + self.days(-12, 90)).date(), owner=seller,
            team=self.team if seller.pk != self.sellers[-1].pk else None, closed_at=entered if closed else None, stage_changed_at=entered,
            competitors=self.rng.sample(COMPETITORS, k=self.rng.choice([0, 0, 1, 2])), source=self.rng.choice(["Website", "Referral", "Trade show", "Outbound"]),
            next_step="" if closed else self.rng.choice(NEXT_STEPS), created_at=created,
            lost_reason=self.reasons.get(self.rng.choices(reason_names, weights)[0]) if last.kind == Stage.Kind.LOST else None,
            forecast_category=_category(last),
        )  # fmt: skip
        people = self.people.get(account_id, [])
        self.deals.append(deal)
        self.histories.append(history)
        self.lines.append(lines)
        self.roles.append(
            [
                OpportunityContact(workspace=self.workspace, contact_id=contact_id, role=ROLES[index % len(ROLES)], is_primary=index == 0)
                for index, contact_id in enumerate(self.rng.sample(people, k=min(len(people), self.rng.randint(1, 2))))
            ]
        )
        return deal

    def save(self) -> None:
        Opportunity.objects.bulk_create(self.deals, batch_size=500)
        changes, lines, roles = [], [], []
        for deal, history, deal_lines, deal_roles in zip(self.deals, self.histories, self.lines, self.roles, strict=True):
            previous: Stage | None = None
            for stage, at in history:
                changes.append(
                    StageChange(
                        workspace=self.workspace, opportunity=deal, from_stage=previous, to_stage=stage, from_stage_name=previous.name if previous else "",
                        to_stage_name=stage.name, to_kind=stage.kind, changed_at=at, changed_by=deal.owner, amount=deal.amount,
                        currency=deal.currency, probability=stage.probability,
                    )
                )  # fmt: skip
                previous = stage
            for line in deal_lines:
                line.opportunity = deal
            for role in deal_roles:
                role.opportunity = deal
            lines.extend(deal_lines)
            roles.extend(deal_roles)
        StageChange.objects.bulk_create(changes, batch_size=2000)
        LineItem.objects.bulk_create(lines, batch_size=2000)
        OpportunityContact.objects.bulk_create(roles, batch_size=2000)


def _category(stage: Stage) -> str:
    """The forecast category a deal in `stage` has: its stage's (won → closed, lost → omitted)."""
    return {Stage.Kind.WON.value: ForecastCategory.CLOSED, Stage.Kind.LOST.value: ForecastCategory.OMITTED}.get(
        stage.kind, stage.forecast_category
    )


def _renewals(workspace: Workspace) -> Pipeline:
    pipeline = Pipeline.objects.create(workspace=workspace, name="Renewals", position=1)
    Stage.objects.bulk_create(
        Stage(
            workspace=workspace,
            pipeline=pipeline,
            name=name,
            probability=probability,
            kind=kind,
            position=position,
            forecast_category=default_stage_category(kind, probability),
        )
        for position, (name, probability, kind) in enumerate(RENEWAL_STAGES)
    )
    return pipeline


def load_sales(workspace: Workspace, users: dict[Role, User]) -> None:
    """Give the demo workspace its pipelines and two years of deals (once: a workspace with deals is left alone)."""
    if Opportunity.objects.filter(workspace=workspace).exists():
        return
    sales = sales_setup(workspace=workspace)
    renewals = Pipeline.objects.filter(workspace=workspace, name="Renewals").first() or _renewals(workspace)
    demo = _Demo(workspace, users)
    if not demo.accounts:
        return
    won_long_ago: list[Opportunity] = []
    for number in range(DEALS):
        created = demo.now - dt.timedelta(days=730 * (number + 0.5) / DEALS, hours=demo.rng.randint(0, 23))
        age_days = (demo.now - created).days
        roll = demo.rng.random()
        outcome = (
            ("won" if roll < 0.38 else "lost" if roll < 0.85 else "open")
            if age_days > 100
            else ("won" if roll < 0.1 else "lost" if roll < 0.2 else "open")
        )
        account_id, account_name = demo.rng.choice(demo.accounts)
        deal = demo.add(
            pipeline=sales,
            name=f"{account_name} – {demo.rng.choice(DEAL_NAMES)}",
            account_id=account_id,
            created=created,
            outcome=outcome,
            stays=STAY_DAYS,
        )
        if deal.status == "won" and age_days > 400:
            won_long_ago.append(deal)
    for deal in won_long_ago[: int(len(won_long_ago) * RENEWAL_SHARE)]:
        renewal_start = (deal.closed_at or deal.created_at) + dt.timedelta(days=330)
        if renewal_start > demo.now - dt.timedelta(days=1):
            continue
        roll = demo.rng.random()
        outcome = "won" if roll < 0.65 else "lost" if roll < 0.8 else "open"
        name = f"{deal.name.split(' – ')[0]} – renewal {renewal_start.year}"
        demo.add(pipeline=renewals, name=name, account_id=deal.account_id, created=renewal_start, outcome=outcome, stays={})
    demo.save()
    index_records(object_type="opportunity", ids=[deal.pk for deal in demo.deals])


def load_alerts(workspace: Workspace, users: dict[Role, User]) -> None:
    """Raise the demo's alerts the way the worker would, so the bell is not empty; a few are already read.

    A large deal of the rep's is moved back a stage by the owner, so the rep and their manager see that alert too.
    Nothing is mailed: the demo's people have no inboxes.
    """
    from amity.core import alerts
    from amity.core.models import Notification
    from amity.sales.alerts import alert_moved_backward
    from amity.sales.services import opportunity_move_stage

    big = (
        Opportunity.objects.filter(workspace=workspace, status=Opportunity.Status.OPEN, owner=users[Role.SALES], stage__position__gte=2)
        .select_related("stage")
        .order_by("-amount")
        .first()
    )
    if big is not None and big.amount >= 10000:
        earlier = big.pipeline.stages.filter(kind=Stage.Kind.OPEN, position__lt=big.stage.position).order_by("-position").first()
        if earlier is not None:
            opportunity_move_stage(actor=users[Role.OWNER], opportunity=big, stage=earlier)
            change = StageChange.objects.filter(opportunity=big).latest("id")
            alert_moved_backward(stage_change_id=change.pk)
    alerts.evaluate_workspace(workspace=workspace)
    Notification.objects.filter(workspace=workspace).update(email_pending=False)
    oldest = Notification.objects.filter(workspace=workspace).order_by("id").values_list("pk", flat=True)[:3]
    Notification.objects.filter(pk__in=list(oldest)).update(read_at=timezone.now())
