"""Demo cases: a year of service requests, complaints, returns and questions across channels, with their conversations.

Most are resolved or closed after a reply or two; a few dozen are still open, waiting on the customer
or on a supplier; returns carry RMA numbers and the order line they concern. Written in bulk.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
from collections import defaultdict

from django.utils import timezone

from amity.core.models import User, Workspace
from amity.core.permissions import Role
from amity.customers.models import Contact
from amity.orders.models import SalesOrderLine
from amity.sales.models import DocumentSequence
from amity.search.services import index_records
from amity.service import sla
from amity.service.models import AgentProfile, BusinessCalendar, Case, CaseAssignmentRule, CaseKind, CaseMessage, Queue, SlaPolicy
from amity.service.services.cases import TOKEN_ALPHABET
from amity.service.services.setup import service_setup

CASES = 360
STORIES = {
    "service_request": [
        ("Chair arm came loose", "One arm of the chair we bought wobbles and came off this morning. Can someone come and fix it?"),
        ("Installation appointment", "We would like the new desks assembled on site next week. Which days are possible?"),
        ("Replacement key for the cabinet", "We lost the key to one of the filing cabinets. Can you send a replacement?"),
    ],
    "complaint": [
        (
            "Delivery arrived two weeks late",
            "Our order arrived two weeks after the promised date and nobody told us. This is not acceptable.",
        ),
        ("Scratched desk tops", "Three of the desk tops were scratched when they were unpacked. We expect a replacement."),
        ("Invoice amount is wrong", "The invoice charges 12 chairs, we only received 10."),
    ],
    "product_return": [
        ("Return of wrong colour chairs", "We received the chairs in grey instead of blue and would like to return them."),
        ("Return: desk does not fit", "The standing desk is too wide for our room. We would like to send it back."),
    ],
    "information_request": [
        ("Spare parts available?", "Do you sell replacement castors for the task chairs?"),
        ("Warranty period", "How long is the warranty on the standing desks, and what does it cover?"),
        ("Bulk discount", "Do you offer a discount for orders of more than 50 chairs?"),
    ],
}
REPLIES = [
    "Thank you for letting us know. We are sorry for the trouble and have arranged what is needed; you will hear from us within two days.",
    "Thanks for your message. Could you send us a photo and your order number so we can sort this out quickly?",
    "We have checked this with our warehouse: a replacement is on its way and should arrive by the end of the week.",
    "Good question: yes, we do. I have attached the details and prices; let me know if you would like to order.",
]
CHANNELS = [Case.Channel.EMAIL] * 6 + [Case.Channel.PHONE] * 2 + [Case.Channel.WEB, Case.Channel.PORTAL, Case.Channel.CHAT]


def load_cases(workspace: Workspace, users: dict[Role, User]) -> None:
    """Give the demo workspace a year of cases with their conversations (once)."""
    if Case.objects.filter(workspace=workspace).exists():
        return
    service_setup(workspace=workspace)
    _service_levels(workspace, users)
    rng = random.Random(5)
    kinds = {kind.key: kind for kind in CaseKind.objects.filter(workspace=workspace)}
    support = Queue.objects.get(workspace=workspace, is_default=True)
    returns = Queue.objects.create(workspace=workspace, name="Returns", position=1)
    agents = [user for role, user in users.items() if role in (Role.SUPPORT, Role.MANAGER)] or list(users.values())
    support.members.set(agents)
    returns.members.set(agents)
    _routing(workspace, returns, agents)
    contacts = list(Contact.objects.filter(workspace=workspace, deleted_at__isnull=True, primary_email__gt="").order_by("pk")[:800])
    first_accounts = dict(
        Contact.accounts.through.objects.filter(workspace=workspace, contact__in=contacts)
        .order_by("contact_id", "id")
        .values_list("contact_id", "account_id")
    )
    lines = list(SalesOrderLine.objects.filter(workspace=workspace).select_related("order").order_by("pk")[:300])
    if not contacts:
        return
    now = timezone.now()
    numbers: dict[tuple[str, int], int] = defaultdict(int)
    cases, conversations = [], []
    for index in range(CASES):
        opened = now - dt.timedelta(days=365 * (1 - index / CASES) ** 1.3, hours=rng.uniform(0, 8))
        key = rng.choices(list(STORIES), weights=[4, 2, 1, 3])[0]
        subject, text = rng.choice(STORIES[key])
        contact = rng.choice(contacts)
        line = rng.choice(lines) if key == "product_return" and lines else None
        age = (now - opened).days
        status = _status(rng, age)
        numbers[("CS", opened.year)] += 1
        case = Case(
            workspace=workspace,
            number=f"CS-{opened.year}-{numbers[('CS', opened.year)]:04d}",
            reply_token="".join(rng.choice(TOKEN_ALPHABET) for _ in range(8)),
            kind=kinds[key],
            subject=subject,
            description=text,
            status=status,
            channel=rng.choice(CHANNELS),
            queue=returns if key == "product_return" else support,
            assignee=rng.choice(agents) if status != Case.Status.NEW else None,
            contact=contact,
            account_id=line.order.account_id if line else first_accounts.get(contact.pk),
            order=line.order if line else None,
            order_line=line,
            product_id=line.product_id if line else None,
            created_at=opened,
        )
        case.set_priority(rng.choices(Case.Priority.values, weights=[2, 6, 3, 1])[0])
        if line:
            numbers[("RMA", opened.year)] += 1
            case.rma_number = f"RMA-{opened.year}-{numbers[('RMA', opened.year)]:04d}"
        sla.apply_policy(case)
        conversations.append(_conversation(rng, case, text, opened, now))
        cases.append(case)
    Case.objects.bulk_create(cases)
    messages = [message for case, conversation in zip(cases, conversations, strict=True) for message in _bind(case, conversation)]
    CaseMessage.objects.bulk_create(messages)
    DocumentSequence.objects.bulk_create(
        DocumentSequence(workspace=workspace, prefix=prefix, year=year, last_number=last) for (prefix, year), last in numbers.items()
    )
    index_records(object_type="case", ids=[case.pk for case in cases])
    from amity.service.kb_demo import load_articles, load_surveys

    load_articles(workspace, users)
    load_surveys(workspace, now)


def _routing(workspace: Workspace, returns: Queue, agents: list[User]) -> None:
    """Returns go to the Returns queue's agents with the returns skill; everything else least-loaded in its queue."""
    AgentProfile.objects.bulk_create(
        AgentProfile(
            workspace=workspace,
            user=agent,
            skills=["returns"] if number % 2 == 0 else ["billing"],
            languages=["en", "de"][: 1 + number % 2],
        )
        for number, agent in enumerate(agents)
    )
    CaseAssignmentRule.objects.create(
        workspace=workspace, name="Returns desk", position=0, kinds=["product_return"], route_to_queue=returns, required_skill="returns"
    )
    CaseAssignmentRule.objects.create(
        workspace=workspace, name="Everything else", position=1, method=CaseAssignmentRule.Method.LEAST_LOADED
    )


def _service_levels(workspace: Workspace, users: dict[Role, User]) -> None:
    """An office calendar and two policies: urgent cases answered within an hour, the rest within a working day."""
    office = BusinessCalendar.objects.create(
        workspace=workspace, name="Office hours", time_zone="Europe/Berlin", holiday_country="DE", is_default=True
    )
    manager = users.get(Role.MANAGER)
    SlaPolicy.objects.create(
        workspace=workspace, name="Urgent", position=0, priority=Case.Priority.URGENT, first_response_minutes=60,
        resolution_minutes=480, calendar=office, escalate_to=manager, raise_priority_on_breach=False,
    )  # fmt: skip
    SlaPolicy.objects.create(
        workspace=workspace,
        name="Standard",
        position=1,
        first_response_minutes=480,
        resolution_minutes=2400,
        calendar=office,
        escalate_to=manager,
    )


def _status(rng: random.Random, age_days: int) -> str:
    if age_days > 20:
        return rng.choices([Case.Status.CLOSED, Case.Status.RESOLVED], weights=[9, 1])[0]
    return rng.choice(list(Case.Status.values))


def _conversation(rng: random.Random, case: Case, text: str, opened: dt.datetime, now: dt.datetime) -> list[CaseMessage]:
    """The case's messages, and its timestamps set to match them (first response, resolution, last message)."""
    customer = CaseMessage(kind=CaseMessage.Kind.CUSTOMER, channel=case.channel, body=f"<p>{text}</p>", occurred_at=opened)
    customer.from_address = case.contact.primary_email if case.contact else ""
    customer.message_id = f"<demo.{secrets.token_hex(6)}@customer.example>" if case.channel == Case.Channel.EMAIL else None
    conversation = [customer]
    at = opened
    if case.status != Case.Status.NEW:
        at = min(now, at + dt.timedelta(hours=rng.choice([0.5, 1, 2, 3, 5, 9, 20, 30])))
        reply = CaseMessage(
            kind=CaseMessage.Kind.REPLY, channel=Case.Channel.EMAIL, author=case.assignee, body=f"<p>{rng.choice(REPLIES)}</p>"
        )
        reply.occurred_at = reply.sent_at = at
        reply.to_addresses = [customer.from_address] if customer.from_address else []
        conversation.append(reply)
        case.first_response_at = at
        if rng.random() < 0.3:
            at = min(now, at + dt.timedelta(hours=rng.uniform(1, 12)))
            conversation.append(
                CaseMessage(
                    kind=CaseMessage.Kind.NOTE,
                    author=case.assignee,
                    body="<p>Checked with the warehouse; replacement booked.</p>",
                    occurred_at=at,
                )
            )
    if case.status in (Case.Status.RESOLVED, Case.Status.CLOSED):
        case.resolved_at = min(now, at + dt.timedelta(hours=rng.uniform(2, 72)))
        case.closed_at = case.resolved_at + dt.timedelta(days=3) if case.status == Case.Status.CLOSED else None
        if case.closed_at and case.closed_at > now:
            case.closed_at = now
    case.last_message_at = conversation[-1].occurred_at
    case.updated_at = max(moment for moment in (case.last_message_at, case.resolved_at, case.closed_at) if moment)
    return conversation


def _bind(case: Case, conversation: list[CaseMessage]) -> list[CaseMessage]:
    for message in conversation:
        message.workspace_id, message.case, message.contact = case.workspace_id, case, case.contact
    return conversation
