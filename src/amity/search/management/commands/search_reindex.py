"""Rebuild the search index of one workspace or of all, in committed batches."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from amity.core.models import Workspace
from amity.search.registry import record_type
from amity.search.services import BATCH_SIZE, reindex_workspace


class Command(BaseCommand):
    help = "Rebuild global search's index from the records (after an import, a restore, or to repair it)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--workspace", help="The workspace's slug; every workspace when absent.")
        parser.add_argument(
            "--type", action="append", dest="types", help="Only this record type (contact, account, opportunity, product); repeatable."
        )
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)

    def handle(self, *args: Any, **options: Any) -> None:
        workspaces = Workspace.objects.order_by("pk")
        if options["workspace"]:
            workspaces = workspaces.filter(slug=options["workspace"])
            if not workspaces.exists():
                raise CommandError(f"No workspace has the slug {options['workspace']!r}.")
        for workspace in workspaces:
            try:
                counts = reindex_workspace(workspace=workspace, object_types=options["types"], batch_size=options["batch_size"])
            except LookupError as error:
                raise CommandError(str(error)) from None
            summary = ", ".join(f"{count} {record_type(object_type).key}" for object_type, count in counts.items())
            self.stdout.write(f"{workspace.slug}: indexed {summary or 'nothing'}")
