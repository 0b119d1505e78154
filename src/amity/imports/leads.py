"""Importing leads: file rows checked by the lead rules, matched by external id or email, written a batch at a time.

A row becomes the mapping `POST /api/v1/leads` takes and is checked by the same rules
(`sales.services.leads.clean_lead_fields`); what needs the database (owners, external ids,
unique custom fields, matches) is asked once per batch. New leads are inserted with one
`bulk_create` per batch, updated ones with one `bulk_update`; each updated lead's fields and
tags as they were go into the batch's before-image for the undo. Leads are scored and, when the
file gave no owner, assigned by the workspace's rules afterwards, in the background
(`lead_import_followup`), so a big file does not wait for them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from amity.core import audit, bulk
from amity.core.custom_fields import clean_custom_values, taken_message, unique_clashes
from amity.core.email_addresses import normalize_email
from amity.core.errors import FieldErrors
from amity.core.models import FieldDefinition, Membership, User, Workspace
from amity.core.notifications import Message, notify_many
from amity.core.permissions import ObjectType
from amity.customers.services import tag_ids
from amity.imports.checking import Row, split_list
from amity.imports.models import Import, ImportBatch
from amity.sales.models import Lead
from amity.sales.services import leads as lead_services
from amity.sales.services.lead_assignment import active_assignment_rules, choose_owner
from amity.sales.services.lead_scoring import active_rules, rescore_batch
from amity.search import services as search

# What an update's before-image keeps: the audited fields and when consent was given.
BEFORE_FIELDS = [*lead_services.AUDITED_FIELDS, "consent_at"]
CONSENT_WORDS = {
    "yes": True, "y": True, "true": True, "1": True, "granted": True, "opted in": True, "optin": True, "x": True,
    "no": False, "n": False, "false": False, "0": False, "refused": False, "opted out": False, "optout": False,
}  # fmt: skip


@dataclass(slots=True)
class LeadRow(Row):
    """A file row on its way to a lead: the lead checked (new, or the match with the row's values applied)."""

    lead: Lead | None = None


class LeadImporter:
    """Turns batches of file rows into checked leads; one per run of an import."""

    contacts = False
    model = Lead
    noun = "lead"

    def __init__(self, import_run: Import, headers: list[str]) -> None:
        self.run = import_run
        self.workspace: Workspace = import_run.workspace
        self.actor: User = import_run.created_by  # type: ignore[assignment]  # import_execute refuses a run without one
        self.headers = headers
        self.plan = [(index, target) for index, header in enumerate(headers) if (target := import_run.mapping.get(header, ""))]
        self.member_emails = dict(Membership.objects.filter(workspace=self.workspace).values_list("user__email", "user_id"))
        self.custom_fields = {
            definition.key: definition
            for definition in FieldDefinition.objects.filter(workspace=self.workspace, object_type=ObjectType.LEAD)
        }

    # Rows from cells -------------------------------------------------------------------------------

    def row(self, number: int, cells: list[str]) -> LeadRow:
        """A file row as the mapping the leads API takes."""
        data: dict[str, Any] = {}
        row = LeadRow(number=number, data=data, cells=cells)
        width = len(cells)
        for index, target in self.plan:
            if index >= width or not (value := cells[index]):
                continue
            if target == "full_name":
                first, _, last = value.rpartition(" ")
                data.setdefault("first_name", first)
                data.setdefault("last_name", last)
            elif target == "tags":
                data["tags"] = split_list(value)
            elif target == "owner":
                owner_id = self.member_emails.get(value.lower())
                if owner_id is None:
                    row.errors["owner_id"] = f"No member with the email {value} in this workspace."
                data["owner_id"] = owner_id
            elif target == "marketing_consent":
                consent = CONSENT_WORDS.get(value.strip().lower())
                if consent is None:
                    row.errors["marketing_consent"] = "Say yes or no (or leave it empty when it was not asked)."
                data["marketing_consent"] = consent
            elif target.startswith("custom."):
                data.setdefault("custom", {})[target[7:]] = value
            else:
                data[target] = value
        row.external_id = (data.get("external_id") or "").strip() or None
        if row.external_id:
            data["external_id"] = row.external_id
        if data.get("email"):
            try:
                row.key = normalize_email(data["email"])
            except ValueError:
                row.key = None
        return row

    def columns(self, row: Row) -> dict[str, str]:
        """Which column of the file each of a row's error keys comes from."""
        columns: dict[str, str] = {}
        for index, target in self.plan:
            if index >= len(row.cells) or not row.cells[index]:
                continue
            column = self.headers[index]
            if target == "full_name":
                columns.setdefault("first_name", column)
                columns.setdefault("last_name", column)
            elif target == "owner":
                columns["owner_id"] = column
            else:
                columns[target] = column
        return columns

    def column(self, row: Row, key: str) -> str:
        """The file's column an error key comes from (the field's name when no column maps to it)."""
        columns = self.columns(row)
        for prefix in sorted(columns, key=len, reverse=True):
            if key == prefix or key.startswith(f"{prefix}."):
                return columns[prefix]
        return key

    # Matching: one query per key per batch -----------------------------------------------------------

    def match(self, rows: list[Row]) -> None:
        external_ids = sorted({row.external_id for row in rows if row.external_id})
        emails = sorted({row.key for row in rows if row.key})
        leads = Lead.objects.filter(workspace=self.workspace)
        by_external = {
            external_id: (pk, deleted_at is not None)
            for pk, external_id, deleted_at in leads.filter(external_id__in=external_ids).values_list("pk", "external_id", "deleted_at")
        }
        by_email: dict[str, tuple[int, bool]] = {}
        found = leads.filter(email__in=emails, deleted_at__isnull=True).order_by("pk").values_list("pk", "email") if emails else []
        for pk, email in found:
            by_email.setdefault(email, (pk, False))
        for row in rows:
            if row.external_id and row.external_id in by_external:
                row.match, row.match_deleted = by_external[row.external_id]
                row.match_reason = f"lead {row.match} by external id {row.external_id}"
            elif row.key and row.key in by_email:
                row.match, row.match_deleted = by_email[row.key]
                row.match_reason = f"lead {row.match} by email {row.key}"

    # Checking ---------------------------------------------------------------------------------------

    def check(self, rows: list[Any]) -> None:
        """Decide every row's outcome: skipped, failed (with its errors), updated or created, with its lead checked."""
        on_match = self.run.on_match
        for row in rows:
            if row.match and on_match == Import.OnMatch.SKIP:
                row.outcome, row.message = "skipped", f"Matches {row.match_reason}{' (in the bin)' if row.match_deleted else ''}."
        candidates: list[LeadRow] = [row for row in rows if not row.outcome]
        updating = {row.match for row in candidates if row.match and on_match == Import.OnMatch.UPDATE}
        existing = {lead.pk: lead for lead in Lead.objects.filter(workspace=self.workspace, pk__in=bulk.ids_in(sorted(updating)))}
        tags_before = _tag_names(list(existing)) if existing else {}
        for row in candidates:
            if row.match and on_match == Import.OnMatch.UPDATE:
                lead = existing.get(row.match)
                if lead is None:
                    row.errors.setdefault("id", f"The matching {row.match_reason} is gone.")
                    continue
                if lead.converted_at is not None:
                    row.outcome, row.message = "skipped", f"Matches {row.match_reason}, which was converted: it is left as it is."
                    continue
                row.current = {**audit.snapshot(lead, BEFORE_FIELDS), "deleted_at": audit.jsonable(lead.deleted_at)}
                if "tags" in row.data:
                    row.current["tags"] = tags_before.get(lead.pk, [])
            else:
                lead = Lead(workspace=self.workspace)
            self._clean(row, lead)
        candidates = [row for row in candidates if not row.outcome]
        self._refuse_taken_in_database(candidates)
        self._decide(candidates)

    def _clean(self, row: LeadRow, lead: Lead) -> None:
        errors = FieldErrors(row.errors)
        row.children = lead_services.clean_lead_fields(lead, row.data, errors)
        if "owner_id" in row.data:
            lead.owner_id = row.data["owner_id"]
        if "external_id" in row.data:
            if len(row.data["external_id"]) > 100:
                errors.setdefault("external_id", "Use at most 100 characters.")
            lead.external_id = row.data["external_id"][:100]
        if "custom" in row.data or lead.pk is None:
            lead.custom, custom_errors = clean_custom_values(
                fields=self.custom_fields, values=row.data.get("custom", {}), existing=lead.custom
            )
            for key, message in custom_errors.items():
                errors.setdefault(key, message)
        lead_services.check_lead_named(lead, errors)
        row.errors = dict(errors)
        row.lead = lead

    def _refuse_taken_in_database(self, rows: list[LeadRow]) -> None:
        """External ids and unique custom values that another lead holds already: one query per question for the batch."""
        wanted = {row.lead.external_id for row in rows if row.lead and row.lead.external_id and "external_id" in row.data}
        holders = dict(
            Lead.objects.filter(workspace=self.workspace, external_id__in=sorted(wanted)).values_list("external_id", "pk") if wanted else []
        )
        for row in rows:
            lead = row.lead
            if lead and "external_id" in row.data and lead.external_id in holders and holders[lead.external_id] != lead.pk:
                row.errors.setdefault("external_id", f"Another lead already has the external id {lead.external_id!r}.")
        checked = [row for row in rows if row.lead is not None]
        clashes = unique_clashes(
            workspace=self.workspace,
            model=Lead,
            fields=self.custom_fields,
            records=[(row.lead.custom, row.data.get("custom", {}), row.lead.pk) for row in checked if row.lead],
        )
        for index, errors in clashes.items():
            for key, message in errors.items():
                checked[index].errors.setdefault(key, message)

    def _decide(self, rows: list[LeadRow]) -> None:
        """In file order, as if each row were saved before the next is checked: duplicates skipped or refused."""
        on_match = self.run.on_match
        seen: dict[str, int] = {}
        taken_external_ids: set[str] = set()
        unique = [key for key, definition in self.custom_fields.items() if definition.unique]
        taken_custom: dict[str, set[str]] = {key: set() for key in unique}
        for row in rows:
            duplicate = seen.get(row.external_id or "") or seen.get(row.key or "")
            if duplicate and on_match != Import.OnMatch.CREATE and not row.match:
                key_name = f"external id {row.external_id}" if row.external_id else f"email {row.key}"
                row.outcome, row.message = "skipped", f"Same {key_name} as row {duplicate}, which this import adds."
                continue
            lead = row.lead
            assert lead is not None
            if lead.external_id and lead.external_id in taken_external_ids and "external_id" in row.data:
                row.errors.setdefault("external_id", f"Another lead already has the external id {lead.external_id!r}.")
            for key, values in taken_custom.items():
                if key in row.data.get("custom", {}) and repr(lead.custom.get(key)) in values:
                    row.errors.setdefault(f"custom.{key}", taken_message(self.custom_fields[key]))
            if row.errors:
                row.outcome = "failed"
                row.message = "; ".join(f"{self.column(row, key)}: {message}" for key, message in row.errors.items())
                continue
            row.outcome = "updated" if row.match and on_match == Import.OnMatch.UPDATE else "created"
            if row.outcome == "created":
                for match_key in (row.external_id, row.key):
                    if match_key:
                        seen.setdefault(match_key, row.number)
            if lead.external_id:
                taken_external_ids.add(lead.external_id)
            for key, values in taken_custom.items():
                if key in row.data.get("custom", {}) and lead.custom.get(key) not in (None, "", []):
                    values.add(repr(lead.custom[key]))


def _tag_names(lead_ids: list[int]) -> dict[int, list[str]]:
    """Each lead's tag names, sorted: one query."""
    names: dict[int, list[str]] = defaultdict(list)
    found = Lead.tags.through.objects.filter(lead_id__in=bulk.ids_in(lead_ids)).values_list("lead_id", "tag__name")
    for lead_id, name in found:
        names[lead_id].append(name)
    return {lead_id: sorted(values) for lead_id, values in names.items()}


class LeadWriter:
    """Writes the checked rows of each batch of one lead import."""

    def __init__(self, importer: LeadImporter) -> None:
        self.importer = importer
        self.workspace = importer.workspace

    def write(self, rows: list[Any], result: Any) -> None:
        now = timezone.now()
        new: list[LeadRow] = [row for row in rows if row.outcome == "created"]
        for row in new:
            assert row.lead is not None
            row.lead.created_at = row.lead.updated_at = now
        created = Lead.objects.bulk_create([row.lead for row in new if row.lead], batch_size=1000)
        for row, lead in zip(new, created, strict=True):
            row.pk = lead.pk
        result.created_ids = [row.pk for row in new if row.pk is not None]
        changed: list[LeadRow] = [row for row in rows if row.outcome == "updated"]
        if changed:
            self._update(changed, now, result)
        self._set_tags([row for row in [*new, *changed] if "tags" in row.children])
        search.index_records(object_type="lead", ids=[row.pk for row in [*new, *changed] if row.pk is not None])

    def _update(self, rows: list[LeadRow], now: Any, result: Any) -> None:
        leads = []
        fields = {"updated_at", "deleted_at"}
        for row in rows:
            lead = row.lead
            assert lead is not None and row.current is not None
            row.pk = lead.pk
            lead.deleted_at, lead.updated_at = None, now
            fields.update(_given_fields(row))
            leads.append(lead)
        Lead.objects.bulk_update(leads, sorted(fields), batch_size=1000)
        for row in rows:
            assert row.lead is not None and row.current is not None
            after = {**audit.snapshot(row.lead, BEFORE_FIELDS), "deleted_at": None}
            if "tags" in row.children:
                after["tags"] = sorted(row.children["tags"], key=str.lower)
            result.before[str(row.pk)] = row.current
            result.changes[str(row.pk)] = audit.diff(row.current, after)

    def _set_tags(self, rows: list[LeadRow]) -> None:
        through = Lead.tags.through
        bulk.delete_rows(through, "lead_id", [row.pk for row in rows if row.outcome == "updated"])
        ids = tag_ids(self.workspace, [name for row in rows for name in row.children["tags"]])
        pairs = {(row.pk, ids[name.lower()]) for row in rows for name in row.children["tags"]}
        bulk.insert_rows(through, ["lead_id", "tag_id"], sorted(pairs))


def _given_fields(row: LeadRow) -> set[str]:
    """The lead's fields a row sets: those it gave, its owner, and when consent changed."""
    fields = {name for name in row.data if name not in {"tags", "owner_id"}}
    if "owner_id" in row.data:
        fields.add("owner")
    if "marketing_consent" in row.data:
        fields.add("consent_at")
    return fields


# --- Undo ---------------------------------------------------------------------------------------


def restore(workspace: Workspace, before: dict[str, dict[str, Any]], now: Any) -> list[int]:
    """Give the leads one batch updated their earlier fields and tags back; returns the ids restored."""
    if not before:
        return []
    leads = list(Lead.objects.filter(workspace=workspace, pk__in=bulk.ids_in(sorted(int(pk) for pk in before))))
    fields: set[str] = {"updated_at"}
    with_tags: dict[int, list[str]] = {}
    for lead in leads:
        image = before[str(lead.pk)]
        for name, value in image.items():
            if name == "tags":
                with_tags[lead.pk] = value
                continue
            field = bulk.concrete_field(Lead, name)
            setattr(lead, field.attname, None if value is None else field.to_python(value))
            fields.add(name)
        lead.updated_at = now
    Lead.objects.bulk_update(leads, sorted(fields), batch_size=1000)
    through = Lead.tags.through
    bulk.delete_rows(through, "lead_id", sorted(with_tags))
    ids = tag_ids(workspace, [name for names in with_tags.values() for name in names])
    pairs = sorted({(pk, ids[name.lower()]) for pk, names in with_tags.items() for name in names})
    bulk.insert_rows(through, ["lead_id", "tag_id"], pairs)
    return [lead.pk for lead in leads]


# --- After a batch lands: assignment and scores, in the background -----------------------------------


@transaction.atomic
def lead_import_followup(*, batch_id: int) -> int:
    """Assign a landed batch's new leads that came without an owner by the rules (else to the importer), and score its leads.

    Safe to run twice: only leads still without an owner are assigned, and scoring is idempotent.
    Each new owner hears once per batch how many leads they got. Returns how many were assigned.
    """
    batch = ImportBatch.objects.select_related("import_run__created_by", "workspace").filter(pk=batch_id).first()
    if batch is None or batch.import_run.status == Import.Status.UNDONE:
        return 0
    importer = batch.import_run.created_by
    leads = (
        Lead.objects.filter(workspace=batch.workspace, pk__in=bulk.ids_in(batch.created_ids), owner__isnull=True, deleted_at__isnull=True)
        .select_related("workspace")
        .order_by("pk")
    )
    rules = active_assignment_rules(batch.workspace_id)
    given: dict[int, list[Lead]] = defaultdict(list)
    for lead in leads:
        owner, _ = choose_owner(lead, rules) if rules else (None, None)
        owner_id = owner.pk if owner is not None else (importer.pk if importer else None)
        if owner_id is not None:
            lead.owner_id = owner_id
            given[owner_id].append(lead)
    for owner_id, owned in given.items():  # still without an owner: a second run of this task gives none twice
        Lead.objects.filter(pk__in=bulk.ids_in([lead.pk for lead in owned]), owner__isnull=True).update(owner_id=owner_id)
    ids = [*batch.created_ids, *map(int, batch.before)]
    rescore_batch(batch.workspace_id, ids, active_rules(batch.workspace_id))
    search.index_records(object_type="lead", ids=[lead.pk for leads_ in given.values() for lead in leads_])
    _tell_owners(batch, given, importer)
    return sum(len(leads_) for leads_ in given.values())


def _tell_owners(batch: ImportBatch, given: dict[int, list[Lead]], importer: User | None) -> None:
    """Each owner the rules gave leads hears once per batch (the importer, who gets the rest, is not told)."""
    notify_many(
        workspace=batch.workspace,
        messages=[
            Message(
                owner_id,
                lead_services.LEAD_ASSIGNED.kind,
                f"New lead for you: {leads[0]}" if len(leads) == 1 else f"{len(leads):,} new leads for you",
                f"Assigned by the assignment rules, from the import of {batch.import_run.file_name}.",
                lead_services.lead_url(leads[0]),
            )
            for owner_id, leads in given.items()
            if importer is None or owner_id != importer.pk
        ],
    )
