"""Converting 10,000 leads through the API, each into a contact, an account and a deal, with its history carried over.

Every run starts from fresh leads: what an earlier run converted (the leads, their contacts,
accounts and deals) is removed, and 10,000 × scale leads are inserted, each with two
interactions on its timeline; a tenth of them share a company name and a web domain with an
existing account, so conversion both matches and creates. Then concurrent clients each take the
next lead and `POST /api/v1/leads/{id}/convert` with a deal, once per lead (no warm-up: a lead
converts only once). leads/s is the measured conversions per second of wall time.
"""

from __future__ import annotations

from typing import Any

from bench.load import Request
from bench.scenario import RunContext, Scenario, SeedContext, scaled

MATCHED_SHARE = 10  # one lead in ten belongs to a company that is already an account


class LeadConversion(Scenario):
    name = "lead_conversion"
    description = "POST /api/v1/leads/{id}/convert for 10,000 leads (contact + account matched or made, a deal, history carried)"
    duration = 1200.0  # bounded by the number of leads (10,000 take 10–15 minutes on 2 cores), not by time
    seed_version = 1

    def seed_params(self, scale: float) -> dict[str, Any]:
        return {"leads": scaled(10_000, scale, minimum=200)}

    def seed(self, ctx: SeedContext) -> dict[str, Any]:
        from amity.core import audit
        from amity.core.models import Door, User, Workspace
        from amity.customers import services as customers
        from amity.sales.services import sales_setup

        state = ctx.workspace_with_token()
        workspace = Workspace.objects.get(pk=state["workspace_id"])
        owner = User.objects.get(pk=state["user_id"])
        sales_setup(workspace=workspace)
        with audit.acting_through(Door.SYSTEM, label="bench"):
            for number in range(0, 1000, MATCHED_SHARE):
                customers.account_create(
                    actor=owner, workspace=workspace, data={"name": f"Company {number}", "domains": [f"company{number}.example"]}
                )
        return state

    def run(self, ctx: RunContext) -> None:
        leads = _fresh_leads(ctx.state["workspace_id"], ctx.state["user_id"], ctx.params["leads"])
        ctx.warmup = 0  # a warm-up would convert leads that the measured requests then find converted
        body = {"create_opportunity": True, "opportunity": {"amount": "12000", "currency": "EUR"}}
        result = ctx.load(
            "POST /leads/{id}/convert",
            lambda number: Request(path=f"/api/v1/leads/{leads[number]}/convert", method="POST", json=body),
            max_requests=len(leads),
        )
        result.extra["leads_per_second"] = result.requests_per_second
        print(
            f"  lead_conversion: {result.requests:,} leads converted, {result.requests_per_second or 0:.1f} leads/s, "
            f"p50 {result.p50_ms or 0:.0f} ms, p95 {result.p95_ms or 0:.0f} ms, {result.errors} errors",
            flush=True,
        )


def _fresh_leads(workspace_id: int, owner_id: int, count: int) -> list[int]:
    """Forget an earlier run's conversions, then insert `count` new leads with two interactions each; their ids in order."""
    from django.db import transaction
    from django.utils import timezone

    from amity.activities.models import Interaction
    from amity.customers.models import Account, AccountDomain, Contact
    from amity.sales.models import Lead, Opportunity

    with transaction.atomic():
        Interaction.objects.filter(workspace_id=workspace_id).delete()
        Opportunity.objects.filter(workspace_id=workspace_id).delete()
        Lead.objects.filter(workspace_id=workspace_id).delete()
        Contact.objects.filter(workspace_id=workspace_id).delete()
        seeded = AccountDomain.objects.filter(workspace_id=workspace_id).values("account_id")
        Account.objects.filter(workspace_id=workspace_id).exclude(pk__in=seeded).delete()
        now = timezone.now()
        leads = Lead.objects.bulk_create(
            [
                Lead(
                    workspace_id=workspace_id,
                    first_name="Lead",
                    last_name=f"Number {number}",
                    email=f"lead{number}@company{number}.example",
                    company=f"Company {number}",
                    website=f"company{number}.example" if number % MATCHED_SHARE == 0 else "",
                    title="Head of Facilities",
                    source="Bench",
                    owner_id=owner_id,
                    created_at=now,
                )
                for number in range(count)
            ],
            batch_size=2000,
        )
        Interaction.objects.bulk_create(
            [
                Interaction(workspace_id=workspace_id, lead=lead, channel=channel, direction="out", subject="Hello", occurred_at=now)
                for lead in leads
                for channel in ("email", "phone")
            ],
            batch_size=2000,
        )
    return [lead.pk for lead in leads]
