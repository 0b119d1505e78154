"""Demo leads: three hundred people who asked Northwind about furniture over the last months.

They came from the website's form, trade fairs, referrals, LinkedIn and cold outreach; the older
ones were called, emailed or met (their interactions are on their timelines), some qualified, some
dropped, and a couple of dozen converted through the real conversion, so their contacts, accounts
and deals carry their history. The workspace gets scoring rules, assignment rules (Germany to one
rep, everyone else in turn to the sales team) and a "Contact us" web form. Seeded: the same story
every time.
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from amity.activities.models import Interaction
from amity.catalog.models import Product
from amity.core.models import Team, User, Workspace
from amity.core.permissions import Role
from amity.sales.models import Lead
from amity.sales.services import (
    assignment_rule_create,
    lead_convert,
    opportunity_set_line_items,
    scoring_rule_create,
    web_form_create,
)
from amity.sales.services.lead_scoring import active_rules, rescore_batch
from amity.search.services import index_records

LEADS = 300
CONVERTED = 24
FIRST = ["Anna", "Ben", "Chloé", "David", "Emma", "Felix", "Greta", "Hugo", "Ines", "Jonas", "Kara", "Liam", "Mara", "Noah", "Olga", "Paul"]
LAST = ["Becker", "Dubois", "Evans", "Fischer", "García", "Hansen", "Ivanova", "Jansen", "Kowalski", "Larsen", "Moreau", "Novak", "Olsen"]
COMPANIES = [
    ("Brightwork Studios", "brightwork.example", "Design"),
    ("Cobalt Logistics", "cobalt-logistics.example", "Logistics"),
    ("Deltaform Architects", "deltaform.example", "Architecture"),
    ("Evergreen Clinics", "evergreen-clinics.example", "Healthcare"),
    ("Fjord Analytics", "fjord-analytics.example", "Software"),
    ("Granite Law", "granitelaw.example", "Legal"),
    ("Harbor Coworking", "harbor-cowork.example", "Real estate"),
    ("Ion Robotics", "ion-robotics.example", "Manufacturing"),
    ("Juniper Schools", "juniper-schools.example", "Education"),
    ("Kestrel Insurance", "kestrel.example", "Insurance"),
]
TITLES = ["Office Manager", "Head of Facilities", "COO", "CEO", "Workplace Lead", "Procurement Manager", "HR Director", "Assistant"]
PLACES = [
    ("DE", "Berlin", "10115"),
    ("DE", "Hamburg", "20095"),
    ("AT", "Vienna", "1010"),
    ("FR", "Paris", "75001"),
    ("GB", "London", "EC1A"),
    ("NL", "Amsterdam", "1012"),
]
SOURCES = {"Web form": 35, "Trade fair": 20, "Referral": 15, "LinkedIn": 15, "Cold outreach": 15}
STATUSES = {"new": 30, "contacted": 30, "qualified": 20, "unqualified": 20}


def _rules(workspace: Workspace, admin: User, reps: list[User], team: Team | None) -> None:
    rules = [
        {
            "name": "Decision maker",
            "kind": "field",
            "field": "title",
            "operator": "in",
            "value": "CEO, COO, Head of Facilities",
            "points": 20,
        },
        {"name": "Referred", "kind": "field", "field": "source", "operator": "equals", "value": "Referral", "points": 15},
        {
            "name": "Free mail address",
            "kind": "field",
            "field": "email_domain",
            "operator": "in",
            "value": "gmail.com, outlook.com",
            "points": -10,
        },
        {"name": "Replied by email", "kind": "engagement", "channel": "email", "direction": "in", "points": 5, "max_times": 4},
        {"name": "Met us", "kind": "engagement", "channel": "meeting", "points": 15},
        {"name": "Took a call", "kind": "engagement", "channel": "phone", "points": 5, "max_times": 3},
    ]
    for rule in rules:
        scoring_rule_create(actor=admin, workspace=workspace, data=rule)
    if reps:
        assignment_rule_create(actor=admin, workspace=workspace, data={"name": "Germany", "countries": ["DE"], "assign_to_id": reps[0].pk})
    if team is not None:
        assignment_rule_create(actor=admin, workspace=workspace, data={"name": "Everyone else, in turn", "team_id": team.pk})
    web_form_create(
        actor=admin,
        workspace=workspace,
        data={
            "name": "Contact us",
            "fields": ["first_name", "last_name", "email", "phone", "company", "country", "description"],
            "required": ["last_name", "email"],
            "consent_text": "Yes, send me Northwind's newsletter (at most once a month).",
            "source": "Web form",
            "campaign": "Website",
            "thank_you_message": "Thank you! One of our workplace consultants will call you within a day.",
        },
    )


def _lead(rng: random.Random, workspace: Workspace, number: int, owners: list[User], now: dt.datetime) -> Lead:
    company, domain, industry = rng.choice(COMPANIES)
    first, last = rng.choice(FIRST), rng.choice(LAST)
    country, city, postcode = rng.choice(PLACES)
    free_mail = rng.random() < 0.15
    email = f"{first}.{last}{number}@{'gmail.com' if free_mail else domain}".lower().replace("é", "e").replace("í", "i")
    created = now - dt.timedelta(days=rng.triangular(0, 180, 10), minutes=rng.randint(0, 1440))
    status = rng.choices(list(STATUSES), weights=list(STATUSES.values()))[0]
    return Lead(
        workspace=workspace,
        first_name=first,
        last_name=last,
        email=email,
        phone=f"+4930{rng.randint(1000000, 9999999)}" if rng.random() < 0.6 else "",
        company=company,
        title=rng.choice(TITLES),
        website="" if free_mail else domain,
        industry=industry,
        country=country,
        city=city,
        postcode=postcode,
        status=status,
        rating=rng.choice(["hot", "warm", "warm", "cold", ""]),
        source=rng.choices(list(SOURCES), weights=list(SOURCES.values()))[0],
        campaign=rng.choice(["", "Spring fair 2026", "Hybrid office guide"]),
        owner=rng.choice(owners) if status != "new" or rng.random() < 0.7 else None,
        unqualified_reason="No budget this year" if status == "unqualified" else "",
        marketing_consent=rng.choice([True, None, None]),
        created_at=created,
        first_contacted_at=created + dt.timedelta(hours=rng.randint(1, 72)) if status != "new" else None,
    )


def _history(rng: random.Random, leads: list[Lead], now: dt.datetime) -> list[Interaction]:
    """Calls, emails and meetings with the leads that were worked."""
    interactions = []
    for lead in leads:
        if lead.first_contacted_at is None:
            continue
        at = lead.first_contacted_at
        for _ in range(rng.randint(1, 5)):
            channel, direction, subject = rng.choice(
                [
                    ("phone", "out", "Intro call"),
                    ("email", "out", "Our workplace guide"),
                    ("email", "in", "Re: Our workplace guide"),
                    ("meeting", "out", "Showroom visit"),
                ]
            )
            interactions.append(
                Interaction(
                    workspace=lead.workspace,
                    lead=lead,
                    channel=channel,
                    direction=direction,
                    subject=subject,
                    occurred_at=min(at, now),
                    created_by=lead.owner,
                )
            )
            at += dt.timedelta(days=rng.randint(1, 12))
    return Interaction.objects.bulk_create(interactions, batch_size=500)


def load_leads(workspace: Workspace, users: dict[Role, User]) -> None:
    """Scoring and assignment rules, a web form, 300 leads with their history, and two dozen conversions."""
    rng = random.Random(4)
    admin = users.get(Role.ADMIN) or users[Role.OWNER]
    reps = [user for role, user in users.items() if role in (Role.SALES, Role.MANAGER)]
    team = Team.objects.filter(workspace=workspace).order_by("pk").first()
    _rules(workspace, admin, reps, team)
    now = timezone.now()
    owners = reps or [admin]
    leads = Lead.objects.bulk_create([_lead(rng, workspace, number, owners, now) for number in range(LEADS)], batch_size=500)
    _history(rng, leads, now)
    rules = active_rules(workspace.pk)
    ids = [lead.pk for lead in leads]
    for start in range(0, len(ids), 500):
        rescore_batch(workspace.pk, ids[start : start + 500], rules)
    qualified = list(Lead.objects.filter(workspace=workspace, status="qualified").order_by("-score", "pk")[:CONVERTED])
    desks = list(Product.objects.filter(workspace=workspace, active=True, kind="product").order_by("sku")[:6])
    for index, lead in enumerate(qualified):
        actor = lead.owner if lead.owner in reps else admin
        wants_deal = index % 3 != 2
        result = lead_convert(
            actor=actor, lead=lead, create_opportunity=wants_deal, opportunity={"currency": "EUR"} if wants_deal else None
        )
        if result.opportunity is not None and desks:  # priced from the catalog, as the demo's other deals are
            items = [{"product_id": rng.choice(desks).pk, "quantity": rng.randint(4, 40)}]
            opportunity_set_line_items(actor=actor, opportunity=result.opportunity, items=items)
    index_records(object_type="lead", ids=ids)
