"""Importing a large contact CSV through the import service, beside raw COPY / executemany of the same rows."""

from __future__ import annotations

import csv
import tempfile
from pathlib import Path
from typing import Any

from bench.scenario import RunContext, Scenario, SeedContext, Stopwatch, scaled

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


class ContactImport(Scenario):
    name = "contact_import"
    description = "Import a CSV of contacts (validation, matching by email, COPY/executemany) vs raw COPY/executemany of the same rows"
    seed_version = 1

    def seed_params(self, scale: float) -> dict[str, Any]:
        return {"rows": scaled(1_000_000, scale, minimum=1000)}

    def seed(self, ctx: SeedContext) -> dict[str, Any]:
        return ctx.workspace_with_token()

    def run(self, ctx: RunContext) -> None:
        from django.core.files import File
        from django.db import connection, transaction

        from amity.core.models import User, Workspace
        from amity.imports import services
        from amity.imports.models import Import

        rows = ctx.params["rows"]
        with tempfile.TemporaryDirectory() as directory:
            path = Path(directory) / "contacts.csv"
            write_csv(path, rows)
            user = User.objects.get(pk=ctx.state["user_id"])
            workspace = Workspace.objects.get(pk=ctx.state["workspace_id"])
            with path.open("rb") as stream:
                import_run = services.import_create(
                    actor=user, workspace=workspace, kind="contacts", file=File(stream), file_name=path.name, start=False
                )
            Import.objects.filter(pk=import_run.pk).update(status=Import.Status.QUEUED)
            with Stopwatch() as watch:
                import_run = services.import_execute(import_id=import_run.pk)
            ctx.record(
                "import (service)", seconds=watch.seconds, rows=import_run.processed, created=import_run.created, status=import_run.status
            )

            with Stopwatch() as raw, transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    "CREATE TEMPORARY TABLE bench_import_staging (first_name text, last_name text, email text, phone text, company text, tags text)"
                )
                with path.open(newline="", encoding="utf-8") as handle:
                    reader = csv.reader(handle)
                    next(reader)
                    if connection.vendor == "postgresql":
                        with cursor.cursor.copy("COPY bench_import_staging FROM STDIN") as copy:
                            for row in reader:
                                copy.write_row(row)
                    else:
                        batch: list[list[str]] = []
                        for row in reader:
                            batch.append(row)
                            if len(batch) == 5000:
                                cursor.executemany("INSERT INTO bench_import_staging VALUES (%s, %s, %s, %s, %s, %s)", batch)
                                batch = []
                        cursor.executemany("INSERT INTO bench_import_staging VALUES (%s, %s, %s, %s, %s, %s)", batch)
                cursor.execute("DROP TABLE bench_import_staging")
            ctx.record("raw COPY" if connection.vendor == "postgresql" else "raw executemany", seconds=raw.seconds, rows=rows)
        _forget(workspace.pk)


def _forget(workspace_id: int) -> None:
    """Remove what the import wrote, so that every run imports into an empty workspace."""
    from django.db import connection, transaction

    tables = [
        "customers_contact_tags",
        "customers_accountcontact",
        "customers_contactemail",
        "customers_contactphone",
        "customers_contact",
        "customers_account",
        "customers_tag",
        "imports_importrowerror",
        "imports_importbatch",
        "imports_import",
        "core_auditentry",
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        for table in tables:
            if table == "customers_contact_tags":
                cursor.execute(
                    "DELETE FROM customers_contact_tags WHERE contact_id IN (SELECT id FROM customers_contact WHERE workspace_id = %s)",
                    [workspace_id],
                )
            else:
                cursor.execute(f"DELETE FROM {table} WHERE workspace_id = %s", [workspace_id])
