"""Identity resolution over 1,000,000 contacts with known duplicates: the full run's time, peak memory, precision and recall,
and the on-entry check's latency.

The seed is `_people.People`: each contact's external id says which person it is (`p<person>-<row>`), so the clusters
that `amity dedupe --json` prints are scored against the truth pair by pair. The full run is the command itself, in a
process of its own (its peak memory is that process's). The on-entry check is timed in this process on 300 new records,
half of them people typed in again.
"""

from __future__ import annotations

import itertools
import json
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.scenario import RunContext, Scenario, SeedContext, scaled
from bench.scenarios import _people
from bench.scenarios._dataset import CONTACT_COLUMNS, _insert_numbered
from bench.stats import summarize

ENTRY_CHECKS = 300


def _entity(external_id: str) -> int:
    return int(external_id.split("-", 1)[0].removeprefix("p"))


class Dedupe(Scenario):
    name = "dedupe"
    description = "amity dedupe over 1,000,000 contacts with known duplicates (seconds, peak memory, precision, recall); on-entry p95"
    seed_version = 1

    def seed_params(self, scale: float) -> dict[str, Any]:
        return {"contacts": scaled(1_000_000, scale, minimum=2000)}

    def seed(self, ctx: SeedContext) -> dict[str, Any]:
        from django.utils import timezone

        from amity.core.phones import to_e164
        from amity.customers.models import Account, AccountContact, Address, Contact, ContactEmail, ContactPhone

        state = ctx.workspace_with_token(name="Bench dedupe")
        workspace_id, owner_id = state["workspace_id"], state["user_id"]
        people = _people.People()
        rows = list(people.rows(ctx.params["contacts"]))
        now = timezone.now().replace(microsecond=0)
        companies = {company[0]: index for index, company in enumerate(people.companies)}
        account_columns = [
            "workspace",
            "name",
            "industry",
            "size",
            "revenue_currency",
            "lifecycle_stage",
            "source",
            "custom",
            "created_at",
            "updated_at",
            "owner",
        ]
        first_account = _insert_numbered(
            ctx, Account, account_columns,
            ((workspace_id, name, "", "", "", "", "bench", {}, now, now, owner_id) for name, *_ in people.companies), len(people.companies),
        )  # fmt: skip
        phones = [to_e164(row.phone) if row.phone else "" for row in rows]
        contacts: Any = (
            (workspace_id, row.first_name, row.last_name, "", row.email.lower(), phones[n], "", "", "", {}, "", "bench",
             f"p{row.entity}-{n}", {}, now, now, None, owner_id, None)
            for n, row in enumerate(rows)
        )  # fmt: skip
        first = _insert_numbered(ctx, Contact, CONTACT_COLUMNS, contacts, len(rows))
        ctx.bulk_insert_rows(
            ContactEmail,
            ["workspace", "contact", "address", "is_primary"],
            ((workspace_id, first + n, row.email.lower(), True) for n, row in enumerate(rows) if row.email),
        )
        ctx.bulk_insert_rows(
            ContactPhone,
            ["workspace", "contact", "number", "kind", "is_primary"],
            ((workspace_id, first + n, phones[n], "mobile", True) for n in range(len(rows)) if phones[n]),
        )
        ctx.bulk_insert_rows(
            Address,
            ["workspace", "contact", "kind", "street", "city", "region", "postcode", "country"],
            ((workspace_id, first + n, "home", row.street, row.city, "", row.postcode, "US") for n, row in enumerate(rows) if row.street),
        )
        ctx.bulk_insert_rows(
            AccountContact,
            ["workspace", "account", "contact", "role", "title"],
            ((workspace_id, first_account + companies[row.company], first + n, "", "") for n, row in enumerate(rows) if row.company),
        )
        return {**state, "first_contact": first, "contacts": len(rows)}

    def run(self, ctx: RunContext) -> None:
        from amity.core.models import Workspace
        from amity.customers.models import DedupeKey, DuplicateCandidate

        workspace = Workspace.objects.get(pk=ctx.state["workspace_id"])
        # The first scan after an import has no key index and no pairs yet; a reused seed has both from the last run.
        DedupeKey.objects.filter(workspace=workspace).delete()
        DuplicateCandidate.objects.filter(workspace=workspace).delete()
        self._full_run(ctx, workspace.slug, "full run (amity dedupe)")
        self._full_run(ctx, workspace.slug, "rescan, nothing changed")
        self._on_entry(ctx, workspace.pk)

    def _full_run(self, ctx: RunContext, slug: str, label: str) -> None:
        """`amity dedupe --json --type contact` in its own process: seconds, its peak memory, and the clusters against the truth."""
        from amity.customers.models import Contact

        print(f"  {ctx.scenario} / {label} over {ctx.state['contacts']:,} contacts …", flush=True)
        command = [str(Path(sys.executable).parent / "amity"), "dedupe", "--workspace", slug, "--json", "--type", "contact"]
        started = time.perf_counter()
        finished = subprocess.run(command, capture_output=True, text=True, check=True)
        seconds = time.perf_counter() - started
        # The largest child so far: for the rescan this is the larger of the two runs' peaks.
        peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        found: set[tuple[int, int]] = set()
        for line in finished.stdout.splitlines():
            ids = sorted(record["id"] for record in json.loads(line)["records"])
            found.update(itertools.combinations(ids, 2))
        entities = dict(Contact.objects.filter(workspace_id=ctx.state["workspace_id"]).values_list("pk", "external_id").iterator(50_000))
        by_entity: dict[int, list[int]] = {}
        for pk, external_id in entities.items():
            by_entity.setdefault(_entity(external_id or "p-1"), []).append(pk)
        truth = {pair for members in by_entity.values() for pair in itertools.combinations(sorted(members), 2)}
        precision, recall = _people.precision_recall(found, truth)
        print(f"    {seconds:.1f} s, peak {peak_mib:,.0f} MiB, precision {precision:.4f}, recall {recall:.4f}", flush=True)
        ctx.record(
            label,
            seconds=seconds,
            rows=ctx.state["contacts"],
            peak_mib=round(peak_mib),
            precision=round(precision, 4),
            recall=round(recall, 4),
            true_pairs=len(truth),
            found_pairs=len(found),
            clusters=len(finished.stdout.splitlines()),
        )

    def _on_entry(self, ctx: RunContext, workspace_id: int) -> None:
        """The check a create runs before saving: new people and people typed in again, one at a time."""
        from amity.customers.dedupe import services
        from amity.customers.dedupe.records import person

        people = _people.People(seed=99)
        existing = list(
            itertools.islice(
                _people.People().rows(ctx.state["contacts"]), 0, ctx.state["contacts"], max(1, ctx.state["contacts"] // ENTRY_CHECKS)
            )
        )
        again = [people.duplicate(row) for row in existing[: ENTRY_CHECKS // 2]]
        fresh = list(itertools.islice(people.rows(10 * ENTRY_CHECKS), ENTRY_CHECKS // 2))
        latencies, flagged = [], 0
        for n, row in enumerate(again + fresh):
            record = person(
                id=0, first_name=row.first_name, last_name=row.last_name, emails=[row.email] if row.email else [],
                phones=[row.phone] if row.phone else [], employers=[row.company] if row.company else [],
                addresses=[(row.street, row.postcode, row.city)] if row.street else [],
            )  # fmt: skip
            started = time.perf_counter()
            matches = services.matches_for(workspace_id=workspace_id, record=record)
            latencies.append(time.perf_counter() - started)
            flagged += bool(matches) and n < len(again)
        summary = summarize(latencies)
        assert summary is not None
        print(f"    on entry: p50 {summary.p50_ms:.1f} ms, p95 {summary.p95_ms:.1f} ms; {flagged}/{len(again)} repeats flagged", flush=True)
        ctx.record(
            "on-entry check",
            seconds=sum(latencies),
            rows=len(latencies),
            p50_ms=summary.p50_ms,
            p95_ms=summary.p95_ms,
            repeats_flagged=f"{flagged}/{len(again)}",
        )
