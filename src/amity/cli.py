"""The `amity` command: run, operate and administer Amity from a shell.

Every subcommand prints a clear error and exits non-zero on bad input: 2 for wrong arguments
(argparse), 1 for input the application refuses (a taken email, an unknown workspace…).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "amity.settings")


def _setup_django() -> None:
    import django

    django.setup()


def _fail(message: str) -> int:
    print(f"amity: error: {message}", file=sys.stderr)
    return 1


def _explain(error: Exception) -> str:
    from django.core.exceptions import ValidationError

    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        return "; ".join(f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items())
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error)


# --- Commands --------------------------------------------------------------------------------


def cmd_migrate(args: argparse.Namespace) -> int:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=1 if args.verbose else 0)
    print("Database is up to date.")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from amity.runner import serve_command

    os.execvp(sys.executable, serve_command(host=args.host, port=args.port, workers=args.workers))


def cmd_worker(args: argparse.Namespace) -> int:
    from amity.runner import run_worker

    return run_worker(queues=args.queues)


def cmd_demo(args: argparse.Namespace) -> int:
    from amity.runner import run_demo

    return run_demo(host=args.host, port=args.port, serve=not args.no_serve)


def cmd_createuser(args: argparse.Namespace) -> int:
    from amity.core import audit, services
    from amity.core.models import Door

    with audit.acting_through(Door.CLI):
        user = services.user_create(email=args.email, password=args.password, full_name=args.name or "")
        if args.superuser:
            user.is_staff = user.is_superuser = True
            user.save(update_fields=["is_staff", "is_superuser"])
    print(user.email)
    return 0


def _user(email: str) -> Any:
    from amity.core.models import User

    user = User.objects.filter(email=email.strip().lower()).first()
    if user is None:
        raise LookupError(f"no user with the email {email!r}; create one with `amity createuser {email}`")
    return user


def _workspace(slug: str) -> Any:
    from amity.core.models import Workspace

    workspace = Workspace.objects.filter(slug=slug).first()
    if workspace is None:
        raise LookupError(f"no workspace with the slug {slug!r}")
    return workspace


def _acting_member(workspace: Any, email: str | None) -> Any:
    """The member a command acts as: the one named with --user, else the workspace's first owner."""
    from amity.core.models import Membership

    if email:
        return _user(email)
    owner = Membership.objects.filter(workspace=workspace, role="owner").select_related("user").order_by("pk").first()
    if owner is None:
        raise LookupError(f"the workspace {workspace.slug!r} has no owner; name a member with --user")
    return owner.user


def cmd_workspace_create(args: argparse.Namespace) -> int:
    from amity.core import audit, services
    from amity.core.models import Door

    with audit.acting_through(Door.CLI):
        workspace = services.workspace_create(owner=_user(args.owner), name=args.name)
    print(workspace.slug)
    return 0


def cmd_workspace_list(args: argparse.Namespace) -> int:
    from amity.core.models import Workspace

    for workspace in Workspace.objects.order_by("slug"):
        print(f"{workspace.slug}\t{workspace.name}")
    return 0


def cmd_token_create(args: argparse.Namespace) -> int:
    from amity.core import audit, services
    from amity.core.access import membership_of
    from amity.core.models import Door

    user, workspace = _user(args.user), _workspace(args.workspace)
    if membership_of(user, workspace) is None:
        raise LookupError(f"{user.email} is not a member of the workspace {workspace.slug!r}")
    with audit.acting_through(Door.CLI):
        _, secret = services.token_create(actor=user, workspace=workspace, name=args.name)
    print(secret)
    return 0


def _mapping_option(pairs: list[str]) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for pair in pairs:
        column, separator, field = pair.partition("=")
        if not separator or not column.strip():
            raise LookupError(f"--map takes COLUMN=field (an empty field ignores the column), not {pair!r}")
        mapping[column.strip()] = field.strip()
    return mapping


def cmd_import(args: argparse.Namespace) -> int:
    import time
    from pathlib import Path

    from django.core.files import File

    from amity.core import audit
    from amity.core.models import Door
    from amity.imports import services
    from amity.imports.models import Import

    path = Path(args.file)
    if not path.is_file():
        raise LookupError(f"no file at {args.file}")
    workspace = _workspace(args.workspace)
    user = _acting_member(workspace, args.user)
    started = time.monotonic()

    def progress(run: Import) -> None:
        elapsed = max(time.monotonic() - started, 1e-6)
        share = run.processed / run.total if run.total else 0
        print(
            f"\r  {share:4.0%} {run.processed:,}/{run.total or 0:,} rows  {run.processed / elapsed:,.0f} rows/s",
            end="",
            file=sys.stderr,
            flush=True,
        )

    with audit.acting_through(Door.CLI), path.open("rb") as stream:
        import_run = services.import_create(
            actor=user,
            workspace=workspace,
            kind=args.kind,
            file=File(stream),
            file_name=path.name,
            mapping=_mapping_option(args.map),
            on_match=args.on_match,
            all_or_nothing=args.all_or_nothing,
            dry_run=args.dry_run,
            start=False,
        )
    Import.objects.filter(pk=import_run.pk).update(status=Import.Status.QUEUED)
    import_run = services.import_execute(import_id=import_run.pk, on_progress=progress)
    print(file=sys.stderr)
    if import_run.indexing_for_search:  # here rather than by a worker, so that search finds them when the command ends

        def indexed(run: Import) -> None:
            print(f"\r  indexing for search {run.search_indexed:,}/{run.search_total:,} records", end="", file=sys.stderr, flush=True)

        import_run = services.import_index_for_search(import_id=import_run.pk, on_progress=indexed)
        print(file=sys.stderr)
    print(f"Import {import_run.pk} {import_run.status}: {import_run.message}")
    if import_run.failed:
        print(f"Errors by row: amity import log {import_run.pk}, or GET /api/v1/imports/{import_run.pk}/errors")
    return 0 if import_run.status == Import.Status.DONE else 1


def cmd_import_log(args: argparse.Namespace) -> int:
    from amity.imports.models import Import
    from amity.imports.selectors import import_log_lines

    import_run = Import.objects.filter(pk=args.import_id).first()
    if import_run is None:
        raise LookupError(f"no import with the id {args.import_id}")
    for line in import_log_lines(import_run=import_run):
        sys.stdout.write(line)
    return 0


def cmd_dedupe(args: argparse.Namespace) -> int:
    import json

    from amity.customers.dedupe import selectors, services
    from amity.customers.models import DuplicateScan

    workspace = _workspace(args.workspace)
    scan = services.scan_create(workspace=workspace, record_type=args.type or "")

    def progress(run: DuplicateScan) -> None:
        print(f"\r  {run.progress:4.0%} {run.step[:70]:<70}", end="", file=sys.stderr, flush=True)

    scan = services.run_scan(scan.pk, on_progress=progress)
    print(f"\r  scanned {scan.records:,} records: {scan.pairs_found:,} candidate pairs{' ' * 40}", file=sys.stderr, flush=True)
    for record_type in [args.type] if args.type else ["contact", "account"]:
        for cluster in selectors.clusters(workspace_id=workspace.pk, record_type=record_type, threshold=args.threshold):
            records = [{"type": record.type, "id": record.id, "external_id": record.external_id} for record in cluster.records]
            if args.json:
                print(json.dumps({"score": cluster.score, "records": records, "reasons": cluster.reasons}))
            else:
                ids = ", ".join(
                    f"{record.type} {record.id}" + (f" ({record.external_id})" if record.external_id else "") for record in cluster.records
                )
                print(f"{cluster.score:.2f}  {ids}  — {'; '.join(cluster.reasons)}")
    return 0


def _privacy_contact(args: argparse.Namespace) -> tuple[Any, Any, Any]:
    """(member, workspace, contact) of a privacy command; a contact of another workspace is not found."""
    from django.http import Http404

    from amity.customers import selectors

    workspace = _workspace(args.workspace)
    actor = _acting_member(workspace, args.user)
    try:
        contact = selectors.contact_get(actor=actor, workspace=workspace, pk=args.contact, include_deleted=True)
    except Http404:
        raise LookupError(f"no contact with the id {args.contact} in the workspace {workspace.slug}") from None
    return actor, workspace, contact


def cmd_privacy_export(args: argparse.Namespace) -> int:
    from amity.core import audit
    from amity.core.models import Door
    from amity.customers.privacy import export

    actor, workspace, contact = _privacy_contact(args)
    with audit.acting_through(Door.CLI):
        data = export.subject_export(actor=actor, workspace=workspace, contact=contact)
    body = export.report_file(data, args.format).content
    if args.output:
        with open(args.output, "wb") as output:
            output.write(body)
        print(f"Wrote {args.output} ({len(body):,} bytes).", file=sys.stderr)
    else:
        sys.stdout.buffer.write(body)
        sys.stdout.flush()
    return 0


def cmd_privacy_erase(args: argparse.Namespace) -> int:
    from amity.core import audit
    from amity.core.models import Door
    from amity.customers.models import Erasure
    from amity.customers.privacy import erasure

    actor, workspace, contact = _privacy_contact(args)
    print(f"Erasing {contact.first_name} {contact.last_name} (contact {contact.pk}) cannot be undone:")
    for line in erasure.erasure_plan(contact):
        fields = f" ({', '.join(line.fields)})" if line.fields else ""
        print(f"  {line.fate:<13} {line.title}: {line.rows} row{'s' if line.rows != 1 else ''}{fields}")
    if not args.yes:
        typed = input(f"Type the person's name or {erasure.CONFIRMATION_WORD} to confirm: ")
        if not erasure.confirmation_matches(contact, typed):
            return _fail("not confirmed; nothing was erased")

    def progress(run: Erasure) -> None:
        print(f"\r  {run.progress:4.0%} {run.step[:70]:<70}", end="", file=sys.stderr, flush=True)

    with audit.acting_through(Door.CLI):
        started = erasure.erasure_record(actor=actor, workspace=workspace, contact=contact)
        done = erasure.run_erasure(started.pk, on_progress=progress)
    touched = sum(done.counts.values())
    print(f"\r  erased: {touched:,} rows in {len(done.counts)} kinds of record (erasure {done.pk}){' ' * 30}", file=sys.stderr)
    return 0


def cmd_privacy_retention(args: argparse.Namespace) -> int:
    from amity.core import audit
    from amity.core.models import Door
    from amity.customers.models import RetentionRun
    from amity.customers.privacy import retention, selectors

    workspace = _workspace(args.workspace)
    actor = _acting_member(workspace, args.user)
    rules = list(selectors.retention_rule_list(actor=actor, workspace=workspace).filter(enabled=True).order_by("id"))
    if not rules:
        print("No retention rule is switched on.")
    for rule in rules:
        if not args.run:
            count, first = selectors.retention_preview(actor=actor, workspace=workspace, rule=rule)
            print(f"{rule} (rule {rule.pk}): {count:,} record{'s' if count != 1 else ''} would go")
            for row in first:
                print(f"  {row.pk}\t{row}\tlast changed {row.updated_at:%Y-%m-%d}")
            continue

        def progress(run: RetentionRun) -> None:
            print(f"\r  {run.progress:4.0%} {run.processed:,}/{run.matched:,} {run.rule_label[:60]}", end="", file=sys.stderr, flush=True)

        with audit.acting_through(Door.CLI):
            run = retention.run_retention_now(retention.retention_run_start(actor=actor, rule=rule).pk, on_progress=progress)
        print(f"\r{rule} (rule {rule.pk}): {run.processed:,} of {run.matched:,} let go, {run.status}{' ' * 20}", file=sys.stderr)
        print(f"{rule.pk}\t{run.status}\t{run.processed}")
    return 0


def _score(value: str) -> float:
    number = float(value)
    if not 0 <= number <= 1:
        raise argparse.ArgumentTypeError("must be from 0 to 1")
    return number


def cmd_manage(args: argparse.Namespace) -> int:
    from django.core.management import execute_from_command_line

    execute_from_command_line(["amity manage", *args.arguments])
    return 0


# --- Parser ----------------------------------------------------------------------------------


def _port(value: str) -> int:
    port = int(value)
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError("a port is a number from 1 to 65535")
    return port


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return number


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="amity", description="Amity CRM: run, operate and administer it.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, handler: Callable[[argparse.Namespace], int], help: str, *, django: bool = True) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help, description=help)
        sub.set_defaults(handler=handler, needs_django=django)
        return sub

    default_port = int(os.environ.get("PORT", "8000"))
    demo = add("demo", cmd_demo, "Migrate, load the demo workspace, and run the web server and a worker.")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=_port, default=default_port)
    demo.add_argument("--no-serve", action="store_true", help="Only prepare the database and demo data.")

    serve = add("serve", cmd_serve, "Run the web server (gunicorn).", django=False)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=_port, default=default_port)
    serve.add_argument("--workers", type=_positive, default=2, help="Processes (default: 2).")

    worker = add("worker", cmd_worker, "Run a background worker for the configured task backend.")
    worker.add_argument("--queues", default="default,email", help="Comma-separated queues (default: default,email).")

    migrate = add("migrate", cmd_migrate, "Create or update the database tables.")
    migrate.add_argument("--verbose", action="store_true")

    createuser = add("createuser", cmd_createuser, "Create a user who can sign in.")
    createuser.add_argument("email")
    createuser.add_argument("--password", help="Without one, the user sets it through a password-reset email.")
    createuser.add_argument("--name", help="Full name.")
    createuser.add_argument("--superuser", action="store_true", help="May also use the operators' admin site at /admin/.")

    workspace = add("workspace", lambda args: 0, "Create or list workspaces.")
    workspace_commands = workspace.add_subparsers(dest="workspace_command", required=True, metavar="ACTION")
    workspace_create = workspace_commands.add_parser("create", help="Create a workspace; prints its slug.")
    workspace_create.add_argument("name")
    workspace_create.add_argument("--owner", required=True, help="Email of an existing user who will own it.")
    workspace_create.set_defaults(handler=cmd_workspace_create)
    workspace_commands.add_parser("list", help="List workspaces: slug and name.").set_defaults(handler=cmd_workspace_list)

    token = add("token", lambda args: 0, "Manage API tokens.")
    token_commands = token.add_subparsers(dest="token_command", required=True, metavar="ACTION")
    token_create = token_commands.add_parser("create", help="Create an API token; prints only the token.")
    token_create.add_argument("--workspace", required=True, help="Workspace slug.")
    token_create.add_argument("--user", required=True, help="Email of a member of the workspace.")
    token_create.add_argument("--name", default="Command line", help="What the token is for.")
    token_create.set_defaults(handler=cmd_token_create)

    importer = add("import", lambda args: 0, "Import contacts, accounts or leads from a CSV or XLSX file, or print an import's log.")
    import_commands = importer.add_subparsers(dest="import_command", required=True, metavar="KIND")
    for kind in ("contacts", "accounts", "leads"):
        sub = import_commands.add_parser(kind, help=f"Import {kind} from FILE, showing progress; prints a summary.")
        sub.add_argument("file", metavar="FILE", help="A CSV (any common encoding and delimiter) or XLSX file with a header row.")
        sub.add_argument("--workspace", required=True, help="Workspace slug.")
        sub.add_argument("--map", action="append", default=[], metavar="COLUMN=field", help="Map a column to a field ('' ignores it).")
        sub.add_argument(
            "--on-match", choices=["skip", "update", "create"], default="skip", help="What to do with rows that match a record."
        )
        sub.add_argument("--dry-run", action="store_true", help="Check and report every row; write nothing.")
        sub.add_argument("--all-or-nothing", action="store_true", help="Import nothing if any row is bad.")
        sub.add_argument("--user", help="Import as this member (default: the workspace's first owner).")
        sub.set_defaults(handler=cmd_import, kind=kind)
    import_log = import_commands.add_parser("log", help="Print an import's log (every row's outcome) as CSV.")
    import_log.add_argument("import_id", type=int)
    import_log.set_defaults(handler=cmd_import_log)

    dedupe = add("dedupe", cmd_dedupe, "Look for duplicate contacts and accounts; prints the clusters with their scores.")
    dedupe.add_argument("--workspace", required=True, help="Workspace slug.")
    dedupe.add_argument("--json", action="store_true", help="One JSON object per line per cluster.")
    dedupe.add_argument("--threshold", type=_score, default=0.8, help="The least score that joins two records (default: 0.8).")
    dedupe.add_argument("--type", choices=["contact", "account"], help="Only contacts or only accounts (default: both).")

    privacy = add("privacy", lambda args: 0, "A person's data, erasure on request, and the retention rules.")
    privacy_commands = privacy.add_subparsers(dest="privacy_command", required=True, metavar="ACTION")
    privacy_export = privacy_commands.add_parser("export", help="Everything held about one person, as JSON, HTML or PDF.")
    privacy_export.add_argument("--format", choices=["json", "html", "pdf"], default="json")
    privacy_export.add_argument("--output", metavar="FILE", help="Write the report here (default: standard output).")
    privacy_export.set_defaults(handler=cmd_privacy_export)
    privacy_erase = privacy_commands.add_parser("erase", help="Erase one person's data everywhere, showing progress. Cannot be undone.")
    privacy_erase.add_argument("--yes", action="store_true", help="Do not ask to type the person's name to confirm.")
    privacy_erase.set_defaults(handler=cmd_privacy_erase)
    privacy_retention = privacy_commands.add_parser("retention", help="What the switched-on retention rules would let go, or apply them.")
    mode = privacy_retention.add_mutually_exclusive_group()
    mode.add_argument("--preview", action="store_true", help="Print what each rule would let go now (the default).")
    mode.add_argument("--run", action="store_true", help="Apply each rule now, showing progress.")
    privacy_retention.set_defaults(handler=cmd_privacy_retention)
    for sub in (privacy_export, privacy_erase, privacy_retention):
        sub.add_argument("--workspace", required=True, help="Workspace slug.")
        sub.add_argument("--user", help="Act as this member (default: the workspace's first owner).")
    for sub in (privacy_export, privacy_erase):
        sub.add_argument("--contact", required=True, type=int, help="The contact's id.")

    manage = add("manage", cmd_manage, "Run a Django management command (e.g. `amity manage check --deploy`).", django=False)
    manage.add_argument("arguments", nargs=argparse.REMAINDER)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.needs_django:
        _setup_django()
    try:
        return int(args.handler(args) or 0)
    except KeyboardInterrupt:
        return 130
    except LookupError as error:
        return _fail(str(error).strip("'\""))
    except Exception as error:
        from django.core.exceptions import PermissionDenied, ValidationError

        if isinstance(error, ValidationError):
            return _fail(_explain(error))
        if isinstance(error, PermissionDenied):
            return _fail(str(error) or "your role does not allow this")
        raise


if __name__ == "__main__":
    sys.exit(main())
