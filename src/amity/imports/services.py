"""Importing contacts and accounts: upload, start, run batch by batch, and undo.

Each row is checked by the same rules as the API (`clean_contact` / `clean_account` in
amity.customers.services), with the database questions those rules ask answered from one
query per batch. New records are written with COPY (PostgreSQL) or executemany (SQLite),
children included, in one transaction per batch together with the batch's report, its audit
entry and the import's progress: a batch lands completely or not at all, and a restarted
import goes on after the last batch that landed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import partial
from itertools import islice
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db import transaction
from django.utils import timezone

from amity.core import audit
from amity.core.access import require
from amity.core.models import AuditEntry, Door, FieldDefinition, Membership, Team, User, Workspace
from amity.core.permissions import Action, ObjectType
from amity.customers import normalize
from amity.customers.models import Account, AccountContact, AccountDomain, Contact, ContactEmail, ContactPhone, Tag
from amity.customers.services import (
    AUDITED_ACCOUNT_FIELDS,
    AUDITED_CONTACT_FIELDS,
    RecordChecks,
    clean_account,
    clean_contact,
    set_tags,
    write_contact_children,
)
from amity.imports import mapping as mappings
from amity.imports import reading, writing
from amity.imports.models import Import, ImportBatch, ImportRowError
from amity.search.services import index_records

ProgressCallback = Callable[[Import], None]
TAG_SPLIT = re.compile(r"[;,]")


# --- Upload and start -------------------------------------------------------------------------------


def _object_type(kind: str) -> ObjectType:
    return ObjectType.CONTACT if kind == Import.Kind.CONTACTS else ObjectType.ACCOUNT


def _check_options(kind: str, on_match: str) -> None:
    errors = {}
    if kind not in Import.Kind.values:
        errors["kind"] = f"Choose one of: {', '.join(Import.Kind.values)}."
    if on_match not in Import.OnMatch.values:
        errors["on_match"] = f"Choose one of: {', '.join(Import.OnMatch.values)}."
    if errors:
        raise ValidationError(errors)


def preview(import_run: Import, rows: int = 5) -> dict[str, Any]:
    """The file's columns, the suggested mapping, every field a column can go to, and the first rows."""
    with import_run.file.open("rb") as stream:
        headers, sample = reading.sample_rows(stream, import_run.file_name, limit=rows)
    return {
        "headers": headers,
        "suggested_mapping": mappings.suggest(import_run.kind, headers, import_run.workspace),
        "fields": mappings.fields_for(import_run.kind, import_run.workspace),
        "rows": sample,
    }


@transaction.atomic
def import_create(
    *,
    actor: User,
    workspace: Workspace,
    kind: str,
    file: File[Any],
    file_name: str,
    mapping: Mapping[str, str] | None = None,
    on_match: str = Import.OnMatch.SKIP,
    all_or_nothing: bool = False,
    dry_run: bool = False,
    start: bool = True,
) -> Import:
    """Keep an uploaded file, check that it can be read and mapped, and (unless told to wait) queue its import."""
    _check_options(kind, on_match)
    require(actor, workspace, Action.ADD, ObjectType.IMPORT)
    require(actor, workspace, Action.ADD, _object_type(kind))
    import_run = Import(
        workspace=workspace,
        kind=kind,
        file_name=(file_name or "import")[-200:],
        on_match=on_match,
        all_or_nothing=all_or_nothing,
        dry_run=dry_run,
        created_by=actor,
    )
    import_run.file.save(f"{workspace.pk}/{import_run.file_name}", file, save=False)
    try:
        with import_run.file.open("rb") as stream:
            headers, _ = reading.sample_rows(stream, import_run.file_name, limit=1)
    except reading.UnreadableFile as error:
        import_run.file.delete(save=False)
        raise ValidationError({"file": str(error)}) from None
    import_run.mapping = mappings.resolve(kind, headers, workspace, mapping, complete=start)
    import_run.save()
    audit.record(
        actor=actor, workspace=workspace, action=AuditEntry.Action.CREATE, obj=import_run, changes={"file": [None, import_run.file_name]}
    )
    if start:
        _queue(import_run)
    return import_run


@transaction.atomic
def import_start(
    *,
    actor: User,
    import_run: Import,
    mapping: Mapping[str, str] | None = None,
    on_match: str | None = None,
    all_or_nothing: bool | None = None,
    dry_run: bool | None = None,
) -> Import:
    """Start an uploaded import, with the mapping and options the user settled on after the preview."""
    require(actor, import_run.workspace, Action.ADD, ObjectType.IMPORT)
    if import_run.status != Import.Status.UPLOADED:
        raise ValidationError({"status": "This import has already been started."})
    _check_options(import_run.kind, on_match or import_run.on_match)
    with import_run.file.open("rb") as stream:
        headers, _ = reading.sample_rows(stream, import_run.file_name, limit=1)
    if mapping is not None:
        import_run.mapping = mappings.resolve(import_run.kind, headers, import_run.workspace, mapping)
    mappings.check_complete(import_run.kind, import_run.mapping)
    import_run.on_match = on_match or import_run.on_match
    import_run.all_or_nothing = import_run.all_or_nothing if all_or_nothing is None else all_or_nothing
    import_run.dry_run = import_run.dry_run if dry_run is None else dry_run
    import_run.save()
    _queue(import_run)
    return import_run


def _queue(import_run: Import) -> None:
    from amity.imports.tasks import run_import  # the task module imports this one

    import_run.status = Import.Status.QUEUED
    import_run.save(update_fields=["status", "mapping", "on_match", "all_or_nothing", "dry_run"])
    transaction.on_commit(partial(run_import.enqueue, import_run.pk))


# --- Checking rows against what one query per batch fetched ---------------------------------------------------


class BatchChecks(RecordChecks):
    """RecordChecks answered from sets fetched once per import or per batch, plus what this batch adds."""

    def __init__(self, workspace: Workspace, definitions: dict[str, FieldDefinition]) -> None:
        super().__init__(workspace)
        self.definitions = definitions
        self.members = set(Membership.objects.filter(workspace=workspace).values_list("user_id", flat=True))
        self.teams = set(Team.objects.filter(workspace=workspace).values_list("pk", flat=True))
        self.external_ids: dict[str, int | None] = {}
        self.domains: dict[str, int | None] = {}

    def is_member(self, user_id: int) -> bool:
        return user_id in self.members

    def is_team(self, team_id: int) -> bool:
        return team_id in self.teams

    def external_id_taken(self, model: type[Account] | type[Contact], external_id: str, pk: int | None) -> bool:
        return external_id in self.external_ids and self.external_ids[external_id] != pk

    def domains_taken(self, domains: list[str], account_pk: int | None) -> list[str]:
        return [domain for domain in domains if domain in self.domains and self.domains[domain] != account_pk]

    def known_accounts(self, ids: set[Any]) -> set[Any]:
        return set(ids)  # the import sets account ids itself, from names it looked up or created

    def custom_definitions(self, object_type: str) -> dict[str, FieldDefinition] | None:
        return self.definitions


@dataclass
class Row:
    number: int
    data: dict[str, Any]
    columns: dict[str, str]  # error key prefix → column header
    errors: dict[str, str] = field(default_factory=dict)
    external_id: str | None = None
    key: str | None = None  # the normalized email (contacts) or first domain (accounts)
    account_name: str = ""
    match: int | None = None
    match_deleted: bool = False
    match_reason: str = ""
    outcome: str = ""
    message: str = ""
    record: Any = None
    children: dict[str, Any] = field(default_factory=dict)
    before: dict[str, Any] = field(default_factory=dict)


@dataclass
class BatchResult:
    outcomes: list[list[Any]] = field(default_factory=list)
    errors: list[tuple[int, str, str]] = field(default_factory=list)
    created_ids: list[int] = field(default_factory=list)
    created_account_ids: list[int] = field(default_factory=list)
    before: dict[str, Any] = field(default_factory=dict)
    changes: dict[str, Any] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=lambda: {"created": 0, "updated": 0, "skipped": 0, "failed": 0})


def _split(value: str) -> list[str]:
    return [part.strip() for part in TAG_SPLIT.split(value) if part.strip()]


class Importer:
    """Turns batches of file rows into checked records and writes them; one per run of an import."""

    def __init__(self, import_run: Import, headers: list[str]) -> None:
        self.run = import_run
        self.workspace = import_run.workspace
        self.actor = import_run.created_by
        self.contacts = import_run.kind == Import.Kind.CONTACTS
        self.model: type[Account] | type[Contact] = Contact if self.contacts else Account
        definitions = {
            d.key: d for d in FieldDefinition.objects.filter(workspace=self.workspace, object_type=mappings.object_type(import_run.kind))
        }
        self.checks = BatchChecks(self.workspace, definitions)
        self.plan = [(index, import_run.mapping.get(header, "")) for index, header in enumerate(headers)]
        self.plan = [(index, target) for index, target in self.plan if target]
        self.headers = headers
        self.member_emails = dict(Membership.objects.filter(workspace=self.workspace).values_list("user__email", "user_id"))
        self.audited = AUDITED_CONTACT_FIELDS if self.contacts else AUDITED_ACCOUNT_FIELDS

    # Rows from cells -------------------------------------------------------------------------------

    def row(self, number: int, cells: list[str]) -> Row:
        data: dict[str, Any] = {}
        columns: dict[str, str] = {}
        row = Row(number=number, data=data, columns=columns)
        phones: list[dict[str, Any]] = []
        for index, target in self.plan:
            value = cells[index] if index < len(cells) else ""
            if not value:
                continue
            column = self.headers[index]
            if target == "email":
                data["emails"] = [{"address": value, "primary": True}]
                columns["emails"] = column
            elif target in {"phone", "mobile"}:
                columns[f"phones.{len(phones)}"] = column
                phones.append({"number": value, "kind": "work" if target == "phone" else "mobile"})
            elif target == "full_name":
                first, _, last = value.rpartition(" ")
                data.setdefault("first_name", first)
                data.setdefault("last_name", last)
                columns.setdefault("first_name", column)
                columns.setdefault("last_name", column)
            elif target in {"tags", "domains"}:
                data[target] = _split(value)
                columns[target] = column
            elif target == "account":
                row.account_name = " ".join(value.split())
                columns["account"] = column
            elif target == "owner":
                columns["owner_id"] = column
                owner_id = self.member_emails.get(value.lower())
                if owner_id is None:
                    row.errors["owner_id"] = f"No member with the email {value} in this workspace."
                data["owner_id"] = owner_id
            elif target.startswith("custom."):
                data.setdefault("custom", {})[target.removeprefix("custom.")] = value
                columns[target] = column
            else:
                data[target] = value
                columns[target] = column
        if phones:
            data["phones"] = phones
        row.external_id = str(data["external_id"]).strip() or None if data.get("external_id") else None
        row.key = self._key(data)
        if len(row.account_name) > 200:
            row.errors["account"] = "Use at most 200 characters."
        return row

    def _key(self, data: Mapping[str, Any]) -> str | None:
        try:
            if self.contacts and data.get("emails"):
                return normalize.email_address(data["emails"][0]["address"])
            if not self.contacts and data.get("domains"):
                return normalize.web_domain(data["domains"][0])
        except ValueError:
            return None
        return None

    # Matching: one query per key type per batch ------------------------------------------------------------

    def match(self, rows: list[Row]) -> None:
        external_ids = {row.external_id for row in rows if row.external_id}
        keys = {row.key for row in rows if row.key}
        by_external: dict[str, tuple[int, bool]] = {
            str(external_id): (pk, deleted_at is not None)
            for pk, external_id, deleted_at in self.model.objects.filter(
                workspace=self.workspace, external_id__in=external_ids
            ).values_list("pk", "external_id", "deleted_at")
        }
        self.checks.external_ids = {external_id: pk for external_id, (pk, _) in by_external.items()}
        by_key: dict[str, tuple[int, bool]] = {}
        if self.contacts:
            found = Contact.objects.filter(workspace=self.workspace, primary_email__in=keys, deleted_at__isnull=True).order_by("pk")
            for pk, email in found.values_list("pk", "primary_email"):
                by_key.setdefault(email, (pk, False))
            self.checks.domains = {}
        else:
            all_domains = {normalize_quietly(d) for row in rows for d in row.data.get("domains", [])} - {None}
            found_domains = AccountDomain.objects.filter(workspace=self.workspace, domain__in=all_domains)
            self.checks.domains = dict(found_domains.values_list("domain", "account_id"))
            for domain, pk, deleted_at in found_domains.values_list("domain", "account_id", "account__deleted_at"):
                by_key[domain] = (pk, deleted_at is not None)
        kind = "contact" if self.contacts else "account"
        for row in rows:
            if row.external_id and row.external_id in by_external:
                row.match, row.match_deleted = by_external[row.external_id]
                row.match_reason = f"{kind} {row.match} by external id {row.external_id}"
            elif row.key and row.key in by_key:
                row.match, row.match_deleted = by_key[row.key]
                row.match_reason = f"{kind} {row.match} by {'email' if self.contacts else 'domain'} {row.key}"

    # Checking ---------------------------------------------------------------------------------------

    def clean(self, rows: list[Row]) -> None:
        on_match = self.run.on_match
        to_update = [row.match for row in rows if row.match and on_match == Import.OnMatch.UPDATE]
        existing = self.model.objects.filter(workspace=self.workspace).in_bulk(to_update)
        seen: dict[str, int] = {}
        for row in rows:
            if row.match and on_match == Import.OnMatch.SKIP:
                row.outcome, row.message = "skipped", f"Matches {row.match_reason}{' (in the bin)' if row.match_deleted else ''}."
                continue
            duplicate = seen.get(row.external_id or "") or seen.get(row.key or "")
            if duplicate and on_match != Import.OnMatch.CREATE and not row.match:
                row.outcome, row.message = "skipped", f"Same {self._key_name(row)} as row {duplicate}, which this import adds."
                continue
            updating = bool(row.match and on_match == Import.OnMatch.UPDATE)
            record: Any = existing.get(row.match) if updating else self.model(workspace=self.workspace, owner=self.actor)
            if updating and record is None:
                row.errors["id"] = f"The matching {row.match_reason} is gone."
            if not row.errors:
                row.record = record
                if updating:
                    row.before = self._before(record, row.data)
                    record.deleted_at = None
                try:
                    if self.contacts:
                        row.children = clean_contact(record, self.checks, row.data)
                    else:
                        row.children = clean_account(record, self.checks, row.data)
                except ValidationError as error:
                    row.errors.update({key: " ".join(messages) for key, messages in error.message_dict.items()})
            if row.errors:
                row.outcome = "failed"
                row.message = "; ".join(f"{self._column(row, key)}: {message}" for key, message in row.errors.items())
                continue
            row.outcome = "updated" if updating else "created"
            if not updating:
                for key in (row.external_id, row.key):
                    if key:
                        seen.setdefault(key, row.number)
                if row.external_id:
                    self.checks.external_ids[row.external_id] = None
                for domain in row.children.get("domains", []):
                    self.checks.domains[domain] = None

    def _key_name(self, row: Row) -> str:
        if row.external_id:
            return f"external id {row.external_id}"
        return f"{'email' if self.contacts else 'domain'} {row.key}"

    def _column(self, row: Row, key: str) -> str:
        for prefix in sorted(row.columns, key=len, reverse=True):
            if key == prefix or key.startswith(f"{prefix}."):
                return row.columns[prefix]
        if key in {"emails", "phones", "domains"} or key.startswith(("emails.", "domains.")):
            return key.split(".")[0]
        return key

    def _before(self, record: Account | Contact, data: Mapping[str, Any]) -> dict[str, Any]:
        before = {**audit.snapshot(record, self.audited), "deleted_at": audit.snapshot(record, ["deleted_at"])["deleted_at"]}
        if "tags" in data:
            before["tags"] = sorted(record.tags.values_list("name", flat=True))
        if isinstance(record, Contact):
            if "emails" in data:
                before["emails"] = [{"address": e.address, "primary": e.is_primary} for e in record.emails.all()]
            if "phones" in data:
                before["phones"] = [{"number": p.number, "kind": p.kind, "primary": p.is_primary} for p in record.phones.all()]
            if "accounts" in data:
                before["accounts"] = [{"account_id": link.account_id} for link in record.account_contacts.all()]
        elif "domains" in data:
            before["domains"] = sorted(record.domains.values_list("domain", flat=True))
        return before

    # Writing ---------------------------------------------------------------------------------------

    def write(self, rows: list[Row], result: BatchResult) -> None:
        new = [row for row in rows if row.outcome == "created"]
        changed = [row for row in rows if row.outcome == "updated"]
        account_ids = self._accounts_for(rows, result) if self.contacts else {}
        ids = writing.allocate_ids(self.model, len(new))
        now = timezone.now()
        for row, pk in zip(new, ids, strict=True):
            row.record.pk = row.record.id = pk
            row.record.created_at = row.record.updated_at = now
        columns, values = writing.record_rows(self.model, [row.record for row in new])
        writing.write_rows(self.model, columns, values)
        if self.contacts:
            self._contact_children(new, account_ids)
        else:
            writing.write_rows(
                AccountDomain,
                ["workspace_id", "account_id", "domain"],
                [(self.workspace.pk, row.record.pk, domain) for row in new for domain in row.children.get("domains", [])],
            )
        self._tags(new)
        result.created_ids = [row.record.pk for row in new]
        for row in changed:
            self._update(row, account_ids)
            result.before[str(row.record.pk)] = row.before
            after = {key: value for key, value in self._before(row.record, row.data).items() if key in row.before}
            result.changes[str(row.record.pk)] = audit.diff(row.before, after)

    def _accounts_for(self, rows: list[Row], result: BatchResult) -> dict[str, int]:
        """Account ids by name for the Company column, creating (by the account rules) those that do not exist yet."""
        names = {row.account_name for row in rows if row.account_name and row.outcome in {"created", "updated"}}
        if not names:
            return {}
        found = Account.objects.filter(workspace=self.workspace, name__in=names, deleted_at__isnull=True).order_by("pk")
        ids: dict[str, int] = {}
        for pk, name in found.values_list("pk", "name"):
            ids.setdefault(name, pk)
        missing = []
        for name in sorted(names - set(ids)):
            account = Account(workspace=self.workspace, owner=self.actor)
            clean_account(account, RecordChecks(self.workspace), {"name": name})
            missing.append(account)
        for account in Account.objects.bulk_create(missing):
            ids[account.name] = account.pk
            result.created_account_ids.append(account.pk)
        return ids

    def _contact_children(self, new: list[Row], account_ids: dict[str, int]) -> None:
        workspace_id = self.workspace.pk
        writing.write_rows(
            ContactEmail,
            ["workspace_id", "contact_id", "address", "is_primary"],
            [(workspace_id, row.record.pk, e["address"], e["primary"]) for row in new for e in row.children.get("emails", [])],
        )
        writing.write_rows(
            ContactPhone,
            ["workspace_id", "contact_id", "number", "kind", "is_primary"],
            [(workspace_id, row.record.pk, p["number"], p["kind"], p["primary"]) for row in new for p in row.children.get("phones", [])],
        )
        writing.write_rows(
            AccountContact,
            ["workspace_id", "account_id", "contact_id", "role", "title"],
            [(workspace_id, account_ids[row.account_name], row.record.pk, "", "") for row in new if row.account_name],
        )

    def _tags(self, new: list[Row]) -> None:
        names = {name for row in new for name in row.children.get("tags", [])}
        if not names:
            return
        existing = dict(Tag.objects.filter(workspace=self.workspace, name__in=names).values_list("name", "pk"))
        by_lower = {name.lower(): pk for name, pk in existing.items()}
        missing = [Tag(workspace=self.workspace, name=name) for name in sorted(names) if name.lower() not in by_lower]
        for tag in Tag.objects.bulk_create(missing):
            by_lower.setdefault(tag.name.lower(), tag.pk)
        through = self.model.tags.through
        owner_column = f"{self.model._meta.model_name}_id"
        pairs = {(row.record.pk, by_lower[name.lower()]) for row in new for name in row.children.get("tags", [])}
        writing.write_rows(through, [owner_column, "tag_id"], sorted(pairs))

    def _update(self, row: Row, account_ids: dict[str, int]) -> None:
        record = row.record
        record.save()
        if self.contacts:
            if row.account_name:
                links = {link.account_id for link in record.account_contacts.all()} | {account_ids[row.account_name]}
                row.children["accounts"] = [{"account_id": pk} for pk in sorted(links)]
            write_contact_children(record, self.workspace, row.children)
        else:
            if "domains" in row.children:
                record.domains.all().delete()
                AccountDomain.objects.bulk_create(
                    AccountDomain(workspace=self.workspace, account=record, domain=d) for d in row.children["domains"]
                )
            if "tags" in row.children:
                set_tags(record, self.workspace, row.children["tags"])


def normalize_quietly(raw: str) -> str | None:
    try:
        return normalize.web_domain(raw)
    except ValueError:
        return None


# --- Running ----------------------------------------------------------------------------------------


def _batches(rows: Iterator[tuple[int, list[str]]], size: int) -> Iterator[list[tuple[int, list[str]]]]:
    while batch := list(islice(rows, size)):
        yield batch


class _Rollback(Exception):
    """Raised to undo an all-or-nothing import that found a bad row."""


def import_execute(*, import_id: int, on_progress: ProgressCallback | None = None) -> Import:
    """Run an import from where it stopped: each batch of rows checked, written and reported in one transaction.

    Safe to call again after a crash or a kill: the batches that landed are skipped.
    """
    import_run = Import.objects.select_related("workspace", "created_by").get(pk=import_id)
    if import_run.status not in {Import.Status.QUEUED, Import.Status.RUNNING}:
        return import_run
    if import_run.created_by is None:
        return _finish(import_run, Import.Status.FAILED, "The person who started this import has left.")
    with audit.acting_through(Door.IMPORT, label=f"import {import_run.pk} by {import_run.created_by.email}"):
        try:
            _prepare(import_run)
            if import_run.all_or_nothing and not import_run.dry_run:
                return _run_all_or_nothing(import_run, on_progress)
            return _run_batches(import_run, on_progress)
        except reading.UnreadableFile as error:
            return _finish(import_run, Import.Status.FAILED, str(error))


def _prepare(import_run: Import) -> None:
    if import_run.total is None:
        with import_run.file.open("rb") as stream:
            import_run.total = reading.count_rows(stream, import_run.file_name)
    import_run.status = Import.Status.RUNNING
    import_run.started_at = import_run.started_at or timezone.now()
    import_run.save(update_fields=["total", "status", "started_at"])


def _rows(import_run: Import, stream: Any) -> tuple[list[str], Iterator[list[tuple[int, list[str]]]]]:
    source = reading.open_source(stream, import_run.file_name)
    return source.headers, _batches(source.rows, import_run.batch_size)


def _run_batches(import_run: Import, on_progress: ProgressCallback | None) -> Import:
    with import_run.file.open("rb") as stream:
        headers, batches = _rows(import_run, stream)
        importer = Importer(import_run, headers)
        for number, batch in enumerate(batches):
            if number <= import_run.last_batch:
                continue
            with transaction.atomic():
                result = _process(importer, batch, write=not import_run.dry_run)
                _commit_batch(import_run, number, batch, result)
            if on_progress:
                on_progress(import_run)
    return _finish(import_run, Import.Status.DONE, _summary(import_run))


def _run_all_or_nothing(import_run: Import, on_progress: ProgressCallback | None) -> Import:
    errors: list[tuple[int, str, str]] = []
    failed = 0
    try:
        with transaction.atomic(), import_run.file.open("rb") as stream:
            headers, batches = _rows(import_run, stream)
            importer = Importer(import_run, headers)
            for number, batch in enumerate(batches):
                result = _process(importer, batch, write=not errors)
                errors.extend(result.errors)
                failed += result.counts["failed"]
                _commit_batch(import_run, number, batch, result)
                if on_progress:
                    on_progress(import_run)
            if errors:
                raise _Rollback
    except _Rollback:
        import_run.refresh_from_db()
        with transaction.atomic():
            ImportRowError.objects.bulk_create(
                ImportRowError(workspace=import_run.workspace, import_run=import_run, row=row, field=column[:200], message=message[:500])
                for row, column, message in errors
            )
            import_run.created = import_run.updated = import_run.skipped = 0
            import_run.failed = failed
            import_run.processed = import_run.total or 0
            import_run.save(update_fields=["created", "updated", "skipped", "failed", "processed"])
        return _finish(import_run, Import.Status.FAILED, f"{failed:,} rows had errors, so nothing was imported (all or nothing).")
    return _finish(import_run, Import.Status.DONE, _summary(import_run))


def _process(importer: Importer, batch: list[tuple[int, list[str]]], *, write: bool) -> BatchResult:
    rows = [importer.row(number, cells) for number, cells in batch]
    importer.match(rows)
    importer.clean(rows)
    result = BatchResult()
    if write:
        importer.write(rows, result)
    for row in rows:
        record_id = row.record.pk if row.record is not None and row.outcome in {"created", "updated"} and write else row.match
        result.outcomes.append([row.number, row.outcome, record_id, row.message])
        result.counts[row.outcome] += 1
        for key, message in row.errors.items():
            result.errors.append((row.number, importer._column(row, key), message))
    return result


def _commit_batch(import_run: Import, number: int, batch: list[tuple[int, list[str]]], result: BatchResult) -> None:
    """Write the batch's report, its audit entry and the import's progress (inside the batch's transaction)."""
    workspace = import_run.workspace
    ImportBatch.objects.create(
        workspace=workspace,
        import_run=import_run,
        number=number,
        first_row=batch[0][0],
        last_row=batch[-1][0],
        outcomes=result.outcomes,
        created_ids=result.created_ids,
        created_account_ids=result.created_account_ids,
        before=result.before,
    )
    if not import_run.all_or_nothing or import_run.dry_run:
        ImportRowError.objects.bulk_create(
            ImportRowError(workspace=workspace, import_run=import_run, row=row, field=column[:200], message=message[:500])
            for row, column, message in result.errors
        )
    if not import_run.dry_run and (result.created_ids or result.changes):
        audit.record(
            actor=import_run.created_by,
            workspace=workspace,
            action=AuditEntry.Action.UPDATE,
            obj=import_run,
            changes={
                "batch": number,
                "rows": [batch[0][0], batch[-1][0]],
                "model": import_run.kind,
                "created_ids": result.created_ids,
                "created_account_ids": result.created_account_ids,
                "updated": result.changes,
            },
        )
    if not import_run.dry_run:
        _reindex_after_commit(import_run, [*result.created_ids, *map(int, result.changes)], result.created_account_ids)
    import_run.last_batch = number
    import_run.processed += len(batch)
    for outcome, count in result.counts.items():
        setattr(import_run, outcome, getattr(import_run, outcome) + count)
    import_run.save(update_fields=["last_batch", "processed", "created", "updated", "skipped", "failed"])


def _summary(import_run: Import) -> str:
    verb = "would be " if import_run.dry_run else ""
    return (
        f"{import_run.processed:,} rows: {import_run.created:,} {verb}created, {import_run.updated:,} {verb}updated, "
        f"{import_run.skipped:,} skipped, {import_run.failed:,} failed{' (dry run: nothing was written)' if import_run.dry_run else ''}."
    )


def _finish(import_run: Import, status: str, message: str) -> Import:
    import_run.status = status
    import_run.message = message[:500]
    import_run.finished_at = timezone.now()
    import_run.save(update_fields=["status", "message", "finished_at"])
    return import_run


def import_note_error(*, import_id: int, error: Exception) -> None:
    """Say on the import why it stopped; it stays running, so the task's retry goes on after the last batch that landed."""
    Import.objects.filter(pk=import_id, status__in=[Import.Status.QUEUED, Import.Status.RUNNING]).update(
        message=f"Stopped by an error, will retry: {type(error).__name__}: {error}"[:500]
    )


def _reindex_after_commit(import_run: Import, record_ids: list[int], account_ids: list[int]) -> None:
    """Keep search current with what a batch wrote (or undid), once its transaction commits."""
    object_type = "contact" if import_run.kind == Import.Kind.CONTACTS else "account"
    if record_ids:
        transaction.on_commit(partial(index_records, object_type=object_type, ids=record_ids))
    if account_ids:
        transaction.on_commit(partial(index_records, object_type="account", ids=account_ids))


# --- Undo -------------------------------------------------------------------------------------------


@transaction.atomic
def import_undo(*, actor: User, import_run: Import) -> Import:
    """Take an import back: the records it created go to the bin, the records it updated get their earlier values back."""
    workspace = import_run.workspace
    require(actor, workspace, Action.CHANGE, ObjectType.IMPORT)
    if import_run.dry_run or import_run.status not in {Import.Status.DONE, Import.Status.FAILED}:
        raise ValidationError({"status": "Only a finished import that wrote records can be undone."})
    model: type[Account] | type[Contact] = Contact if import_run.kind == Import.Kind.CONTACTS else Account
    now = timezone.now()
    created = restored = 0
    for batch in import_run.batches.order_by("-number"):
        created += model.objects.filter(workspace=workspace, pk__in=batch.created_ids, deleted_at__isnull=True).update(
            deleted_at=now, updated_at=now
        )
        Account.objects.filter(workspace=workspace, pk__in=batch.created_account_ids, deleted_at__isnull=True).update(
            deleted_at=now, updated_at=now
        )
        _reindex_after_commit(import_run, [*batch.created_ids, *map(int, batch.before)], batch.created_account_ids)
        records = model.objects.filter(workspace=workspace).in_bulk([int(pk) for pk in batch.before])
        for pk, before in batch.before.items():
            record = records.get(int(pk))
            if record is not None:
                _restore(record, before)
                restored += 1
    import_run.status = Import.Status.UNDONE
    import_run.undone_at = now
    import_run.save(update_fields=["status", "undone_at"])
    audit.record(
        actor=actor,
        workspace=workspace,
        action=AuditEntry.Action.DELETE,
        obj=import_run,
        changes={"undone": [False, True], "binned": created, "restored": restored},
    )
    return import_run


def _restore(record: Account | Contact, before: dict[str, Any]) -> None:
    children = {key: before.pop(key) for key in ["emails", "phones", "accounts", "tags", "domains"] if key in before}
    for name, value in before.items():
        model_field: Any = record._meta.get_field(name)
        setattr(record, model_field.attname, model_field.to_python(value) if value is not None else None)
    record.save()
    if isinstance(record, Contact):
        write_contact_children(record, record.workspace, children)
    else:
        if "domains" in children:
            record.domains.all().delete()
            AccountDomain.objects.bulk_create(
                AccountDomain(workspace=record.workspace, account=record, domain=d) for d in children["domains"]
            )
        if "tags" in children:
            set_tags(record, record.workspace, children["tags"])


# --- Upload limits and repeats (the web UI and the API share these) ----------------------------------


def check_upload_size(file: File[Any]) -> None:
    """Refuse an uploaded file larger than AMITY_IMPORT_MAX_MB before anything is stored (the command line has no limit)."""
    limit = settings.IMPORT_MAX_BYTES
    if file.size is not None and file.size > limit:
        raise ValidationError(
            {"file": f"The file is {file.size / 1048576:,.1f} MB; an import takes files of up to {limit / 1048576:,.0f} MB."}
        )


def import_again(*, actor: User, import_run: Import, dry_run: bool = False, start: bool = True) -> Import:
    """A new import of the same file with the same mapping and options: the real run after a dry run, or a fresh mapping."""
    with import_run.file.open("rb") as stream:
        return import_create(
            actor=actor,
            workspace=import_run.workspace,
            kind=import_run.kind,
            file=File(stream),
            file_name=import_run.file_name,
            mapping=import_run.mapping,
            on_match=import_run.on_match,
            all_or_nothing=import_run.all_or_nothing,
            dry_run=dry_run,
            start=start,
        )
