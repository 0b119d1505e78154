"""What a scenario is, and the two contexts the harness hands it: one to seed, one to run.

A scenario is a module in bench/scenarios/ that defines one subclass of `Scenario`:

- `seed(ctx)` fills the database (inside one transaction, before the server starts) and returns
  a JSON-able state, e.g. the token to call the API with. It runs only when no seed with the
  same `seed_version` and `seed_params()` is in the database already; otherwise the state
  kept from the earlier run is reused.
- `run(ctx)` measures: `ctx.load(...)` for HTTP load against the running server,
  `ctx.record(...)` for a throughput or any other figure measured by the scenario itself.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar

import httpx
from django.db import models

from bench import database
from bench.load import Request, RequestSource, run_load
from bench.result import Result
from bench.stats import rate, summarize

M = TypeVar("M", bound=models.Model)
EMAIL_DOMAIN = "bench.amity.test"


class Scenario:
    """Base class of every scenario; override `seed` and `run`."""

    name: ClassVar[str] = ""
    description: ClassVar[str] = ""
    seed_version: ClassVar[int] = 1
    concurrency: ClassVar[int] = 8
    duration: ClassVar[float] = 10.0

    def seed_params(self, scale: float) -> dict[str, Any]:
        """The sizes of the seed at this scale (1.0 by default); part of the key that decides reuse."""
        return {}

    def seed(self, ctx: SeedContext) -> dict[str, Any]:
        """Create what `run` needs and return the state it will be given (JSON-able)."""
        return {}

    def run(self, ctx: RunContext) -> None:
        raise NotImplementedError

    def seed_key(self, scale: float) -> str:
        return json.dumps({"version": self.seed_version, **self.seed_params(scale)}, sort_keys=True)


def scaled(size: int, scale: float, *, minimum: int = 1) -> int:
    """A seed size at this scale: `BENCH_SCALE=0.01` turns 1,000,000 contacts into 10,000."""
    return max(minimum, round(size * scale))


@dataclass
class SeedFigure:
    scenario: str
    table: str
    rows: int
    seconds: float


@dataclass
class SeedContext:
    """Handed to `Scenario.seed`: the sizes to seed and helpers to seed them fast."""

    scenario: str
    params: dict[str, Any]
    database: str
    owned_workspaces: list[int] = field(default_factory=list)
    owned_users: list[int] = field(default_factory=list)
    figures: list[SeedFigure] = field(default_factory=list)

    def workspace_with_token(self, *, name: str | None = None, role: str | None = None) -> dict[str, Any]:
        """A new workspace, its owner (or a member with `role`) and an API token; returns their ids and the secret."""
        from amity.core import audit, services
        from amity.core.models import Door, Membership
        from amity.core.permissions import Role

        label = name or f"Bench {self.scenario}"
        with audit.acting_through(Door.SYSTEM, label="bench"):
            owner = self.user(f"{self.scenario}-owner")
            workspace = services.workspace_create(owner=owner, name=label)
            self.owned_workspaces.append(workspace.pk)
            user = owner
            if role and role != Role.OWNER:
                user = self.user(f"{self.scenario}-{role}")
                Membership.objects.create(workspace=workspace, user=user, role=role)
            _, secret = services.token_create(actor=user, workspace=workspace, name="bench")
        return {"workspace_id": workspace.pk, "workspace_slug": workspace.slug, "user_id": user.pk, "token": secret}

    def user(self, handle: str) -> Any:
        """A user of this scenario (removed with its seed); no usable password."""
        from amity.core import services

        user = services.user_create(email=f"{handle}@{EMAIL_DOMAIN}", full_name=handle.replace("-", " ").title())
        self.owned_users.append(user.pk)
        return user

    def bulk_insert(self, model: type[M], objects: Iterable[M], *, batch_size: int = 5000) -> int:
        """Insert many unsaved instances fast (COPY on PostgreSQL, executemany elsewhere); prints rows/s."""
        return self._report(model, *database.bulk_insert(model, objects, batch_size=batch_size))

    def bulk_insert_rows(
        self, model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[Any]], *, batch_size: int = 5000
    ) -> int:
        """Insert plain tuples for the named fields, faster still (no model instances); prints rows/s."""
        return self._report(model, *database.bulk_insert_rows(model, columns, rows, batch_size=batch_size))

    def _report(self, model: type[models.Model], rows: int, seconds: float) -> int:
        table = model._meta.label_lower
        self.figures.append(SeedFigure(self.scenario, table, rows, seconds))
        print(f"  seeded {rows:,} {table} rows in {seconds:.1f} s ({rate(rows, seconds):,.0f} rows/s)", flush=True)
        return rows


@dataclass
class RunContext:
    """Handed to `Scenario.run`: the running server, the seed's state, and the recorders of figures."""

    scenario: str
    database: str
    base_url: str
    state: dict[str, Any]
    params: dict[str, Any]
    concurrency: int
    duration: float
    warmup: float = 1.0
    max_requests: int | None = None
    results: list[Result] = field(default_factory=list)

    def auth_headers(self, token: str | None = None) -> dict[str, str]:
        secret = token or self.state.get("token")
        return {"Authorization": f"Bearer {secret}"} if secret else {}

    def client(self, token: str | None = None) -> httpx.Client:
        """A plain client for set-up calls (walking cursors, creating records); not measured."""
        headers = {**self.auth_headers(token), "User-Agent": f"amity-bench/{self.scenario}/setup"}
        return httpx.Client(base_url=self.base_url, headers=headers, timeout=60)

    def load(
        self,
        case: str,
        requests: RequestSource,
        *,
        token: str | None = None,
        headers: Mapping[str, str] | None = None,
        concurrency: int | None = None,
        duration: float | None = None,
        max_requests: int | None = None,
    ) -> Result:
        """Send `requests` (paths or `Request`s, cycled; or a function of the request number) under concurrent load."""
        concurrency = concurrency or self.concurrency
        print(f"  {self.scenario} / {case}: {concurrency} clients for {duration or self.duration:g} s …", flush=True)
        outcome = run_load(
            base_url=self.base_url,
            source=requests,
            concurrency=concurrency,
            duration=duration or self.duration,
            max_requests=max_requests or self.max_requests,
            warmup=self.warmup,
            headers={**self.auth_headers(token), **(headers or {})},
            user_agent=f"amity-bench/{self.scenario}/{case}",
        )
        summary = summarize(outcome.latencies)
        result = Result(
            scenario=self.scenario,
            case=case,
            database=self.database,
            concurrency=concurrency,
            requests=outcome.requests,
            errors=outcome.errors,
            seconds=round(outcome.elapsed_seconds, 3),
            requests_per_second=rate(outcome.requests, outcome.elapsed_seconds),
            p50_ms=summary.p50_ms if summary else None,
            p95_ms=summary.p95_ms if summary else None,
            p99_ms=summary.p99_ms if summary else None,
            extra={"statuses": dict(outcome.statuses), "warmup_requests": outcome.warmup_requests},
            error_samples=outcome.error_samples,
        )
        self.results.append(result)
        return result

    def record(self, case: str, *, seconds: float, rows: int | None = None, **extra: Any) -> Result:
        """Record a figure measured by the scenario itself: rows/s when `rows` is given, anything else in `extra`."""
        result = Result(
            scenario=self.scenario,
            case=case,
            database=self.database,
            seconds=round(seconds, 3),
            rows=rows,
            rows_per_second=rate(rows, seconds) if rows is not None else None,
            extra=extra,
        )
        self.results.append(result)
        return result


class Stopwatch:
    """`with Stopwatch() as watch: ...` then `watch.seconds`."""

    def __enter__(self) -> Stopwatch:
        self.started = time.perf_counter()
        self.seconds = 0.0
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self.started


__all__ = ["Request", "RunContext", "Scenario", "SeedContext", "Stopwatch", "scaled"]
