"""The agent's queue and a case's page over 500,000 cases, the service reports, knowledge-base search, and email intake.

The seed writes 500,000 × scale cases over two years (a twentieth still open) in two queues for 12
agents, each with a customer message and an agent's reply, first-response and resolution targets and
times (most met, some missed), a satisfaction survey for every fourth resolved case (two in five
answered), with COPY / executemany; and 2,000 × scale knowledge-base articles written and published
through the services (most public). The run loads the queue's "All open", "Mine" and a queue's tab as
an agent (web), its live refresh when nothing changed (the 204 every open queue asks for every ten
seconds), a case's page (with its suggested articles), the API's list of open cases, the service report
over 30 days and over a year, the satisfaction report over 90 days, the portal's help search and the
staff's article search, and then posts fresh raw emails to POST /api/v1/inbound-email: every third one
answers an existing case by its subject tag, the others open new cases (messages/s is the intake rate).
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any
from urllib.parse import quote_plus

from django.utils import timezone

from bench.load import Request
from bench.scenario import RunContext, Scenario, SeedContext, scaled
from bench.scenarios._deals import session_cookie

AGENTS = 12
CASE_COLUMNS = [
    "workspace", "number", "reply_token", "kind", "subject", "description", "status", "priority", "priority_rank", "channel",
    "queue", "assignee", "requester_email", "language", "tags", "created_at", "updated_at", "last_message_at",
    "first_response_due_at", "first_response_at", "resolution_due_at", "resolved_at", "closed_at",
]  # fmt: skip
SURVEY_COLUMNS = ["workspace", "case", "agent", "kind", "email", "token", "sent_at", "score", "comment", "answered_at", "created_at"]
SURVEYED_EVERY = 4  # resolved cases; two in five surveys are answered
TOPICS = [
    "reset your password", "change the delivery address", "return a damaged item", "track an order", "cancel an order",
    "update payment details", "download an invoice", "set up two-factor sign-in", "export your data", "invite a colleague",
    "claim the warranty", "exchange a size", "pay by bank transfer", "apply a discount code", "close your account",
]  # fmt: skip
PRODUCTS = ["Aurora desk", "Basalt chair", "Cirrus lamp", "Dune shelf", "Ember kettle", "Fjord bottle", "Granite mug", "Harbor bag"]
SEARCHES = ["password", "return damaged", "track order", "invoice download", "warranty kettle", "discount code", "address delivery"]
MESSAGE_COLUMNS = [
    "workspace", "case", "kind", "channel", "author", "from_address", "from_name", "to_addresses", "subject", "body",
    "in_reply_to", "automated", "occurred_at",
]  # fmt: skip


class CaseQueue(Scenario):
    name = "case_queue"
    description = "The case queue (web, live refresh), a case page and the cases API over 500,000 cases; email intake by webhook"
    seed_version = 2
    duration = 8.0

    def seed_params(self, scale: float) -> dict[str, Any]:
        return {"cases": scaled(500_000, scale, minimum=2000), "articles": scaled(2_000, scale, minimum=200)}

    def seed(self, ctx: SeedContext) -> dict[str, Any]:
        from amity.core.models import Membership, Workspace
        from amity.core.permissions import Role
        from amity.service.models import Case, CaseKind, CaseMessage, Queue, Survey
        from amity.service.services import service_setup

        state = ctx.workspace_with_token(name="Bench cases", role=Role.SUPPORT)
        workspace = Workspace.objects.get(pk=state["workspace_id"])
        service_setup(workspace=workspace)
        agents = [state["user_id"]]
        for number in range(AGENTS - 1):
            agent = ctx.user(f"cases-agent-{number}")
            Membership.objects.create(workspace=workspace, user=agent, role=Role.SUPPORT)
            agents.append(agent.pk)
        queues = [Queue.objects.get(workspace=workspace, is_default=True).pk, Queue.objects.create(workspace=workspace, name="Returns").pk]
        kinds = list(CaseKind.objects.filter(workspace=workspace).values_list("pk", flat=True))
        count = ctx.params["cases"]
        ctx.bulk_insert_rows(Case, CASE_COLUMNS, _cases(workspace.pk, count, agents, queues, kinds))
        first = Case.objects.filter(workspace=workspace).order_by("pk").values_list("pk", flat=True).first() or 0
        ctx.bulk_insert_rows(CaseMessage, MESSAGE_COLUMNS, _messages(workspace.pk, first, count, agents))
        ctx.bulk_insert_rows(Survey, SURVEY_COLUMNS, _surveys(workspace.pk, first, count, agents, kinds))
        _publish_articles(workspace, ctx.params["articles"])
        open_case = Case.objects.filter(workspace=workspace, status="open", assignee_id=state["user_id"]).order_by("-pk").first()
        assert open_case is not None
        return state | {"queue_id": queues[1], "case_id": open_case.pk, "tag": open_case.subject_tag}

    def run(self, ctx: RunContext) -> None:
        slug = ctx.state["workspace_slug"]
        agent = {"Cookie": session_cookie(ctx.state["user_id"])}
        ctx.load("queue, all open (web)", [f"/w/{slug}/cases/?view=open"], headers=agent)
        ctx.load("queue, mine (web)", [f"/w/{slug}/cases/?view=mine"], headers=agent)
        ctx.load("queue, a queue by priority (web)", [f"/w/{slug}/cases/?view=queue-{ctx.state['queue_id']}&sort=priority"], headers=agent)
        with ctx.client() as client:
            page = client.get(f"/w/{slug}/cases/?view=open", headers=agent).raise_for_status().text
        stamp = page.split("stamp=")[1].split('"')[0]
        ctx.load("queue, live refresh unchanged (204)", [f"/w/{slug}/cases/live/?view=open&sort=-updated_at&stamp={stamp}"], headers=agent)
        ctx.load("case page (web)", [f"/w/{slug}/cases/{ctx.state['case_id']}/"], headers=agent)
        ctx.load("GET /api/v1/cases open", ["/api/v1/cases?status=open_any&limit=50"])
        ctx.load("service report, 30 days (web)", [f"/w/{slug}/cases/report/"], headers=agent)
        ctx.load("service report, a year (web)", [f"/w/{slug}/cases/report/?days=365"], headers=agent)
        ctx.load("satisfaction report, 90 days (web)", [f"/w/{slug}/cases/report/satisfaction/?days=90"], headers=agent)
        searches = [quote_plus(words) for words in SEARCHES]
        ctx.load("help search (portal)", [f"/portal/{slug}/help/?q={words}" for words in searches])
        ctx.load("article search, staff (web)", [f"/w/{slug}/kb/?q={words}" for words in searches], headers=agent)
        run_id = random.randrange(10**9)
        result = ctx.load(
            "POST /api/v1/inbound-email",
            lambda number: Request(
                path="/api/v1/inbound-email",
                method="POST",
                content=_email(run_id, number, ctx.state["tag"]),
                headers={"Content-Type": "message/rfc822"},
            ),
        )
        result.extra["messages_per_second"] = result.requests_per_second


def _cases(workspace_id: int, count: int, agents: list[int], queues: list[int], kinds: list[int]) -> Any:
    rng = random.Random(7)
    now = timezone.now().replace(microsecond=0)
    priorities = [("low", 4), ("normal", 3), ("normal", 3), ("high", 2), ("urgent", 1)]
    for number in range(count):
        opened = now - timedelta(minutes=int((count - number) * 2 * 365 * 24 * 60 / count))
        still_open = number >= count - count // 20
        status = rng.choice(["new", "open", "waiting_customer"]) if still_open else "closed"
        priority, rank = rng.choice(priorities)
        token = "".join(rng.choice("abcdefghjkmnpqrstuvwxyz23456789") for _ in range(8))
        answered = opened + timedelta(minutes=rng.choice([20, 45, 90, 150, 300])) if status != "new" else None
        resolved = opened + timedelta(hours=rng.choice([3, 8, 20, 30, 60])) if status == "closed" else None
        yield (
            workspace_id, f"CS-{opened.year}-{number + 1:07d}", token, kinds[number % len(kinds)], f"Bench case {number}", "", status,
            priority, rank, "email", queues[number % 2], agents[number % len(agents)] if status != "new" else None,
            f"customer{number % 50_000}@bench.example", "", [], opened, opened + timedelta(hours=2), opened + timedelta(hours=2),
            opened + timedelta(hours=4), answered, opened + timedelta(hours=48), resolved, resolved,
        )  # fmt: skip


def _surveys(workspace_id: int, first_case: int, count: int, agents: list[int], kinds: list[int]) -> Any:
    """Every fourth resolved case's survey, sent when it was resolved; two in five answered, mostly satisfied."""
    rng = random.Random(11)
    now = timezone.now().replace(microsecond=0)
    resolved = count - count // 20
    for number in range(0, resolved, SURVEYED_EVERY):
        sent = now - timedelta(minutes=int((count - number) * 2 * 365 * 24 * 60 / count)) + timedelta(hours=30)
        score = rng.choice([5, 5, 4, 4, 3, 2, 1, 5, 4, 5]) if number % 5 < 2 else None
        yield (
            workspace_id, first_case + number, agents[number % len(agents)], kinds[number % len(kinds)],
            f"customer{number % 50_000}@bench.example", f"bench{number:010d}", sent, score, "",
            sent + timedelta(hours=5) if score else None, sent,
        )  # fmt: skip


def _publish_articles(workspace: Any, count: int) -> None:
    """Articles written and published through the knowledge base's services, as an owner would (folded search text, versions)."""
    from amity.core import audit
    from amity.core.models import Door, Membership
    from amity.core.permissions import Role
    from amity.service.kb import services as kb

    owner = Membership.objects.get(workspace=workspace, role=Role.OWNER).user
    rng = random.Random(13)
    with audit.acting_through(Door.SYSTEM, label="bench"):
        for number in range(count):
            topic, product = TOPICS[number % len(TOPICS)], PRODUCTS[(number // len(TOPICS)) % len(PRODUCTS)]
            body = (
                f"# How to {topic}\n\nThis applies to the {product} and every order placed since {2020 + number % 6}.\n\n"
                f"1. Sign in to your account.\n2. Open **Orders** and pick the {product}.\n3. Choose *{topic.capitalize()}* "
                f"and follow the steps.\n\nStill stuck? Reply to your case and quote reference {number}."
            )
            visibility = "internal" if rng.random() < 0.2 else "public"
            data = {"title": f"How to {topic} ({product}, {number})", "body": body, "visibility": visibility}
            article = kb.article_create(actor=owner, workspace=workspace, data=data)
            kb.article_publish(actor=owner, article=article)


def _messages(workspace_id: int, first_case: int, count: int, agents: list[int]) -> Any:
    now = timezone.now().replace(microsecond=0)
    for number in range(count):
        case_id, at = first_case + number, now - timedelta(minutes=int((count - number) * 2 * 365 * 24 * 60 / count))
        yield (
            workspace_id,
            case_id,
            "customer",
            "email",
            None,
            f"customer{number % 50_000}@bench.example",
            "",
            [],
            "Help",
            "<p>Hello</p>",
            "",
            False,
            at,
        )
        yield (
            workspace_id,
            case_id,
            "reply",
            "email",
            agents[number % len(agents)],
            "",
            "",
            [],
            "Re: Help",
            "<p>On it.</p>",
            "",
            False,
            at + timedelta(hours=2),
        )


def _email(run_id: int, number: int, tag: str) -> bytes:
    subject = f"Re: Bench case {tag}" if number % 3 == 0 else f"Question {number}"
    return (
        f"From: Bench Customer <buyer{number % 997}@bench.example>\r\nTo: support@bench.example\r\nSubject: {subject}\r\n"
        f"Message-ID: <bench-{run_id}-{number}@bench.example>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        f"Hello,\r\n\r\nthis is message {number}.\r\n"
    ).encode()
