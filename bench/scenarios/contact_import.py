"""Importing a large contact CSV through the import service, beside raw COPY / executemany of the same rows."""

from __future__ import annotations

import csv
import itertools
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from bench.scenario import RunContext, Scenario, SeedContext, Stopwatch, scaled

T = TypeVar("T")

COLUMNS = ["First name", "Last name", "Email", "Phone", "Company", "Title", "Tags", "Tier", "External ID"]
FIRST_NAMES = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "John", "Margaret", "Ken", "Radia", "Tim"]
TITLES = ["", "CEO", "CTO", "Head of Sales", "Buyer", "Engineer", "Office Manager", "VP Marketing"]
TAGS = ["", "imported", "newsletter", "trade fair", "partner", "vip"]
TIERS = ["", "gold", "silver", "bronze"]
AREAS = [202, 212, 415, 617, 312, 713, 206, 303]


def phone(n: int) -> str:
    """A valid number as people type them: international, US national in three styles, UK; on every third row."""
    if n % 3:
        return ""
    area, exchange, line = AREAS[n % 8], 200 + (n * 7919) % 800, (n * 104729) % 10000
    styles = [f"+1 {area} {exchange} {line:04d}", f"({area}) {exchange}-{line:04d}", f"{area}.{exchange}.{line:04d}"]
    return f"+44 20 7946 {line % 1000:04d}" if n % 12 == 9 else styles[n % 4 % 3]


def write_csv(path: Path, rows: int) -> None:
    """People with a name, a unique email (some in mixed case), a phone on every third row, one of 5,000 companies,
    a title, a tag, a custom field and an external id: the columns a CRM export has."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for n in range(rows):
            first, last = FIRST_NAMES[n % len(FIRST_NAMES)], f"Family{n % 9973}"
            email = f"{first}.{last}.{n}@example{n % 1000}.com"
            writer.writerow(
                [
                    first,
                    last,
                    email if n % 5 else email.lower(),
                    phone(n),
                    f"Company {n % 5000}",
                    TITLES[n % len(TITLES)],
                    TAGS[n % len(TAGS)],
                    TIERS[n % len(TIERS)],
                    f"crm-{n:07d}",
                ]
            )


UPDATE_ROWS = 200_000  # the update case re-imports the first rows of the file (all of them below this size)
CASES = ("import", "update", "undo", "raw")


def wanted_cases() -> set[str]:
    """The cases to run: all, or those named in BENCH_IMPORT_CASES (e.g. `import,raw`), to A/B one change quickly."""
    named = {case.strip() for case in os.environ.get("BENCH_IMPORT_CASES", "").split(",") if case.strip()}
    unknown = named - set(CASES)
    if unknown:
        raise SystemExit(f"BENCH_IMPORT_CASES: unknown case(s) {', '.join(sorted(unknown))}; choose from {', '.join(CASES)}")
    return named or set(CASES)


class ContactImport(Scenario):
    name = "contact_import"
    description = (
        "Import a CSV of contacts (checks, matching, COPY/multi-row writes, search index), re-import part of it as updates and undo "
        "that, vs raw COPY/executemany of the same rows"
    )
    seed_version = 2

    def seed_params(self, scale: float) -> dict[str, Any]:
        return {"rows": scaled(1_000_000, scale, minimum=1000)}

    def seed(self, ctx: SeedContext) -> dict[str, Any]:
        from amity.core.models import FieldDefinition

        state = ctx.workspace_with_token()
        FieldDefinition.objects.create(
            workspace_id=state["workspace_id"], object_type="contact", key="tier", label="Tier", type="choice", options=TIERS[1:]
        )
        return state

    def run(self, ctx: RunContext) -> None:
        from amity.core.models import User, Workspace

        rows = ctx.params["rows"]
        cases = wanted_cases()
        user = User.objects.get(pk=ctx.state["user_id"])
        workspace = Workspace.objects.get(pk=ctx.state["workspace_id"])
        _forget(workspace.pk)  # an earlier run that was stopped half-way
        with tempfile.TemporaryDirectory() as directory:
            path = Path(directory) / "contacts.csv"
            write_csv(path, rows)
            _import(ctx, "import (service)", user, workspace, path, on_match="skip")
            if cases & {"update", "undo"}:
                updates = Path(directory) / "updates.csv"
                with path.open(encoding="utf-8") as source, updates.open("w", encoding="utf-8") as target:
                    target.writelines(line for _, line in zip(range(UPDATE_ROWS + 1), source, strict=False))
                update_run = _import(ctx, "update import (service)", user, workspace, updates, on_match="update")
                if "undo" in cases:
                    _undo(ctx, "undo of the update import", user, update_run)
            if "raw" in cases:
                _raw(ctx, path, rows)
        _forget(workspace.pk)


def _import(ctx: RunContext, case: str, user: Any, workspace: Any, path: Path, *, on_match: str) -> Any:
    """Time `import_execute` on the file, in this process as a worker runs it; rows/s with the CPU it took and the load."""
    from django.core.files import File

    from amity.imports import services
    from amity.imports.models import Import

    with path.open("rb") as stream:
        import_run = services.import_create(
            actor=user, workspace=workspace, kind="contacts", file=File(stream), file_name=path.name, on_match=on_match, start=False
        )
    Import.objects.filter(pk=import_run.pk).update(status=Import.Status.QUEUED)
    print(f"  {ctx.scenario} / {case} …", flush=True)
    import_run, costs = _measured(lambda: services.import_execute(import_id=import_run.pk))
    ctx.record(
        case,
        rows=import_run.processed,
        created=import_run.created,
        updated=import_run.updated,
        failed=import_run.failed,
        status=import_run.status,
        **costs.figures(import_run.processed),
    )
    if import_run.search_status == "pending":  # search indexing after the import, as the worker does it
        import_run, costs = _measured(lambda: services.import_index_for_search(import_id=import_run.pk))
        ctx.record(
            f"{case.removesuffix(' (service)')}: search indexing after it (task)",
            rows=import_run.search_indexed,
            status=import_run.search_status,
            **costs.figures(import_run.search_indexed),
        )
    return import_run


@dataclass(frozen=True)
class Costs:
    """What one measured call took: wall seconds, this process's CPU, the database server's CPU and the load around it."""

    seconds: float
    cpu: float
    server_cpu: float | None
    load: str

    def figures(self, rows: int) -> dict[str, Any]:
        return {
            "seconds": self.seconds,
            "cpu_seconds": round(self.cpu, 1),
            "rows_per_cpu_second": round(rows / self.cpu) if self.cpu else None,
            "server_cpu_seconds": round(self.server_cpu, 1) if self.server_cpu is not None else None,
            "load": self.load,
        }


def _measured(call: Callable[[], T]) -> tuple[T, Costs]:
    load_before = os.getloadavg()[0]
    server = _server_cpu()
    cpu = time.process_time()
    with Stopwatch() as watch:
        result = call()
    costs = Costs(watch.seconds, time.process_time() - cpu, _cpu_since(server), f"{load_before:.1f}→{os.getloadavg()[0]:.1f}")
    return result, costs


def _cpu_since(start: float | None) -> float | None:
    """The server's CPU seconds since `start` (a `_server_cpu()` reading), or None where it cannot be read."""
    now = _server_cpu()
    return now - start if now is not None and start is not None else None


def _server_cpu() -> float | None:
    """PostgreSQL: the CPU seconds (user + system) of this connection's server process so far, read from /proc.

    The server runs on this machine in the bench; where its process cannot be read (another host, another OS), None.
    """
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime and stime, fields 14 and 15 of stat


def _undo(ctx: RunContext, case: str, user: Any, import_run: Any) -> None:
    """Time `import_undo` of an update import: every record it changed gets its earlier fields and children back."""
    from amity.imports import services

    print(f"  {ctx.scenario} / {case} …", flush=True)
    _, costs = _measured(lambda: services.import_undo(actor=user, import_run=import_run))
    ctx.record(case, rows=import_run.updated, **costs.figures(import_run.updated))


def _raw(ctx: RunContext, path: Path, rows: int) -> None:
    """The floor: the same file parsed by `csv` into a plain table without indexes, in one transaction."""
    from django.db import connection, transaction

    columns = ", ".join(f"c{n} text" for n in range(len(COLUMNS)))
    insert = f"INSERT INTO bench_import_staging VALUES ({', '.join(['%s'] * len(COLUMNS))})"
    with Stopwatch() as raw, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE bench_import_staging ({columns})")
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.reader(handle)
            next(reader)
            if connection.vendor == "postgresql":
                with cursor.cursor.copy("COPY bench_import_staging FROM STDIN") as copy:
                    for row in reader:
                        copy.write_row(row)
            else:
                while batch := list(itertools.islice(reader, 5000)):
                    cursor.executemany(insert, batch)
        cursor.execute("DROP TABLE bench_import_staging")
    ctx.record("raw COPY" if connection.vendor == "postgresql" else "raw executemany", seconds=raw.seconds, rows=rows)


def _forget(workspace_id: int) -> None:
    """Remove what the imports wrote, so that every run imports into an empty workspace."""
    from django.db import connection, transaction

    through = {
        "customers_contact_tags": "contact_id IN (SELECT id FROM customers_contact WHERE workspace_id = %s)",
        "customers_account_tags": "account_id IN (SELECT id FROM customers_account WHERE workspace_id = %s)",
    }
    tables = [
        "search_searchdocument",
        "search_searchterm",
        "customers_accountcontact",
        "customers_contactemail",
        "customers_contactphone",
        "customers_contact",
        "customers_accountdomain",
        "customers_account",
        "customers_tag",
        "imports_importrowerror",
        "imports_importbatch",
        "imports_import",
        "core_auditentry",
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        for table, condition in through.items():
            cursor.execute(f"DELETE FROM {table} WHERE {condition}", [workspace_id])
        for table in tables:
            cursor.execute(f"DELETE FROM {table} WHERE workspace_id = %s", [workspace_id])
