"""From a batch of file rows to checked records: cells mapped to fields, matched, and checked by the customers' rules.

Rows stay plain values all the way: each row's cells become the mapping the API takes, a
batch is matched against existing records with one query per key (external id, email or
domain), and the whole batch is checked at once by `amity.customers.cleaning`, the same
rules the API and the web UI apply one record at a time.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from amity.core import bulk, custom_fields
from amity.core.email_addresses import normalize_email
from amity.core.models import Membership, User, Workspace
from amity.customers import cleaning, normalize
from amity.customers.models import Account, AccountDomain, Contact
from amity.customers.services import AUDITED_ACCOUNT_FIELDS, AUDITED_CONTACT_FIELDS
from amity.imports import mapping as mappings
from amity.imports.models import Import

TAG_SPLIT = re.compile(r"[;,]")
# How a mapped column's cell goes into a row: most go straight to their field.
PLAIN, EMAIL, PHONE, FULL_NAME, LIST, ACCOUNT, OWNER, CUSTOM = range(8)


def _cell_kind(target: str) -> int:
    if target == "email":
        return EMAIL
    if target in {"phone", "mobile"}:
        return PHONE
    if target == "full_name":
        return FULL_NAME
    if target in {"tags", "domains"}:
        return LIST
    if target == "account":
        return ACCOUNT
    if target == "owner":
        return OWNER
    if target.startswith("custom."):
        return CUSTOM
    return PLAIN


@dataclass(slots=True)
class Row:
    """One row of the file on its way to a record."""

    number: int
    data: dict[str, Any]
    cells: list[str]
    errors: dict[str, str] = field(default_factory=dict)
    external_id: str | None = None
    key: str | None = None  # the normalized email (contacts) or first domain (accounts)
    account_name: str = ""
    match: int | None = None
    match_deleted: bool = False
    match_reason: str = ""
    outcome: str = ""
    message: str = ""
    pk: int | None = None  # the record written: new, or the match updated
    current: dict[str, Any] | None = None  # the matched record's fields, when updating
    values: dict[str, Any] = field(default_factory=dict)  # checked fields to write
    children: dict[str, Any] = field(default_factory=dict)


def split_list(value: str) -> list[str]:
    if "," not in value and ";" not in value:  # one tag, as most cells hold
        return [value]  # cells come stripped and non-empty
    return [part.strip() for part in TAG_SPLIT.split(value) if part.strip()]


def web_domain_or_none(raw: str) -> str | None:
    try:
        return normalize.web_domain(raw)
    except ValueError:
        return None


class Importer:
    """Turns batches of file rows into checked records; one per run of an import."""

    def __init__(self, import_run: Import, headers: list[str]) -> None:
        self.run = import_run
        self.workspace: Workspace = import_run.workspace
        self.actor: User = import_run.created_by  # type: ignore[assignment]  # import_execute refuses a run without one
        self.contacts = import_run.kind == Import.Kind.CONTACTS
        self.model: type[Account] | type[Contact] = Contact if self.contacts else Account
        self.noun = "contact" if self.contacts else "account"
        self.checks = cleaning.RecordChecks(self.workspace)
        self.headers = headers
        self.plan = [
            (index, target, _cell_kind(target)) for index, header in enumerate(headers) if (target := import_run.mapping.get(header, ""))
        ]
        self.member_emails = dict(Membership.objects.filter(workspace=self.workspace).values_list("user__email", "user_id"))
        self.current_fields = (cleaning.CONTACT_CURRENT_FIELDS if self.contacts else cleaning.ACCOUNT_CURRENT_FIELDS) + ["deleted_at"]
        self.unique_custom = {
            key: definition
            for key, definition in self.checks.custom_definitions(mappings.object_type(import_run.kind)).items()
            if definition.unique
        }

    # Rows from cells -------------------------------------------------------------------------------

    def row(self, number: int, cells: list[str]) -> Row:
        """A file row as the mapping the API takes (the columns each error comes from are worked out only for failed rows)."""
        data: dict[str, Any] = {}
        row = Row(number=number, data=data, cells=cells)
        phones: list[dict[str, Any]] = []
        width = len(cells)
        for index, target, kind in self.plan:
            if index >= width or not (value := cells[index]):
                continue
            if kind == PLAIN:
                data[target] = value
            elif kind == EMAIL:
                data["emails"] = [{"address": value, "primary": True}]
            elif kind == PHONE:
                phones.append({"number": value, "kind": "work" if target == "phone" else "mobile"})
            elif kind == FULL_NAME:
                first, _, last = value.rpartition(" ")
                data.setdefault("first_name", first)
                data.setdefault("last_name", last)
            elif kind == LIST:
                data[target] = split_list(value)
            elif kind == ACCOUNT:
                row.account_name = " ".join(value.split())
            elif kind == OWNER:
                owner_id = self.member_emails.get(value.lower())
                if owner_id is None:
                    row.errors["owner_id"] = f"No member with the email {value} in this workspace."
                data["owner_id"] = owner_id
            else:
                data.setdefault("custom", {})[target[7:]] = value
        if phones:
            data["phones"] = phones
        if external_id := data.get("external_id"):
            row.external_id = external_id.strip() or None
        row.key = self._key(data)
        if len(row.account_name) > 200:
            row.errors["account"] = "Use at most 200 characters."
        return row

    def columns(self, row: Row) -> dict[str, str]:
        """Which column of the file each of a row's error keys comes from (error key prefix → column header)."""
        columns: dict[str, str] = {}
        phones = 0
        for index, target, kind in self.plan:
            if index >= len(row.cells) or not row.cells[index]:
                continue
            column = self.headers[index]
            if kind == EMAIL:
                columns["emails"] = column
            elif kind == PHONE:
                columns[f"phones.{phones}"] = column
                phones += 1
            elif kind == FULL_NAME:
                columns.setdefault("first_name", column)
                columns.setdefault("last_name", column)
            elif kind == OWNER:
                columns["owner_id"] = column
            else:
                columns[target] = column
        return columns

    def _key(self, data: Mapping[str, Any]) -> str | None:
        if self.contacts and data.get("emails"):
            try:
                return normalize_email(data["emails"][0]["address"])
            except ValueError:
                return None
        if not self.contacts and data.get("domains"):
            return web_domain_or_none(data["domains"][0])
        return None

    # Matching: one query per key type per batch ------------------------------------------------------------

    def match(self, rows: list[Row]) -> None:
        by_external = self._by_external_id({row.external_id for row in rows if row.external_id})
        keys = {row.key for row in rows if row.key}
        by_key = self._by_email(keys) if self.contacts else self._by_domain(keys)
        key_name = "email" if self.contacts else "domain"
        for row in rows:
            if row.external_id and row.external_id in by_external:
                row.match, row.match_deleted = by_external[row.external_id]
                row.match_reason = f"{self.noun} {row.match} by external id {row.external_id}"
            elif row.key and row.key in by_key:
                row.match, row.match_deleted = by_key[row.key]
                row.match_reason = f"{self.noun} {row.match} by {key_name} {row.key}"

    def _select(
        self, columns: str, condition: str, values: set[str], order: str = "", model: type[Any] | None = None
    ) -> list[tuple[Any, ...]]:
        if not values:
            return []
        table = (model or self.model)._meta.db_table
        where, params = bulk.any_of(condition, sorted(values))
        return bulk.select_rows(f"SELECT {columns} FROM {table} WHERE workspace_id = %s AND {where} {order}", [self.workspace.pk, *params])

    def _by_external_id(self, external_ids: set[str]) -> dict[str, tuple[int, bool]]:
        found = self._select("id, external_id, deleted_at, merged_into_id", "external_id", external_ids)
        # A merged record's external id is an alias of the record it was merged into: the row updates that one.
        return {
            str(external_id): (merged_into, False) if merged_into is not None else (pk, deleted_at is not None)
            for pk, external_id, deleted_at, merged_into in found
        }

    def _by_email(self, emails: set[str]) -> dict[str, tuple[int, bool]]:
        by_email: dict[str, tuple[int, bool]] = {}
        for pk, email in self._select("id, primary_email", "primary_email", emails, "AND deleted_at IS NULL ORDER BY id"):
            by_email.setdefault(email, (pk, False))
        return by_email

    def _by_domain(self, domains: set[str]) -> dict[str, tuple[int, bool]]:
        found = AccountDomain.objects.filter(workspace=self.workspace, domain__in=domains)
        return {
            domain: (pk, deleted_at is not None)
            for domain, pk, deleted_at in found.values_list("domain", "account_id", "account__deleted_at")
        }

    # Checking ---------------------------------------------------------------------------------------

    def check(self, rows: list[Row]) -> None:
        """Decide every row's outcome: skipped, failed (with its errors), updated or created, with its checked values."""
        on_match = self.run.on_match
        for row in rows:
            if row.match and on_match == Import.OnMatch.SKIP:
                row.outcome, row.message = "skipped", f"Matches {row.match_reason}{' (in the bin)' if row.match_deleted else ''}."
        candidates = [row for row in rows if not row.outcome]
        updating = [row for row in candidates if row.match and on_match == Import.OnMatch.UPDATE]
        self._fetch_current(updating)
        cleaner = cleaning.clean_contacts if self.contacts else cleaning.clean_accounts
        cleaned = cleaner(self.checks, [row.data for row in candidates], [row.current for row in candidates])
        for row, values, children, errors in zip(candidates, cleaned.values, cleaned.children, cleaned.errors, strict=True):
            row.values, row.children = values, children
            for key, message in errors.items():
                row.errors.setdefault(key, message)
        self._decide(candidates)
        if self.contacts:
            self._check_companies(candidates)

    def _fetch_current(self, rows: list[Row]) -> None:
        """The fields the rules and the undo need of each record a row updates: one query for the batch."""
        if not rows:
            return
        fields = list(dict.fromkeys(["pk", *self.current_fields, *self.audited_attnames()]))
        found = {
            values["pk"]: values
            for values in self.model.objects.filter(
                workspace=self.workspace, pk__in=bulk.ids_in([row.match for row in rows if row.match is not None])
            ).values(*fields)
        }
        for row in rows:
            row.current = found.get(row.match)
            if row.current is None:
                row.errors["id"] = f"The matching {row.match_reason} is gone."

    def audited_attnames(self) -> list[str]:
        """The fields an update's before-image keeps: the audited ones, and a contact's primary email and phone,
        which the undo puts back with the emails and phones."""
        audited = [*AUDITED_CONTACT_FIELDS, "primary_email", "primary_phone"] if self.contacts else AUDITED_ACCOUNT_FIELDS
        return [bulk.concrete_field(self.model, name).attname for name in audited]

    def _decide(self, rows: list[Row]) -> None:
        """In file order, as if each row were saved before the next is checked: duplicates skipped or refused."""
        on_match = self.run.on_match
        seen: dict[str, int] = {}
        taken_external_ids: set[str] = set()
        taken_domains: set[str] = set()
        taken_custom: dict[str, set[Any]] = {key: set() for key in self.unique_custom}
        for row in rows:
            duplicate = seen.get(row.external_id or "") or seen.get(row.key or "")
            if duplicate and on_match != Import.OnMatch.CREATE and not row.match:
                row.outcome, row.message = "skipped", f"Same {self._key_name(row)} as row {duplicate}, which this import adds."
                continue
            updating = bool(row.match and on_match == Import.OnMatch.UPDATE)
            self._refuse_taken(row, taken_external_ids, taken_domains, taken_custom)
            if row.errors:
                row.outcome = "failed"
                row.message = "; ".join(f"{self.column(row, key)}: {message}" for key, message in row.errors.items())
                continue
            row.outcome = "updated" if updating else "created"
            if not updating:
                for key in (row.external_id, row.key):
                    if key:
                        seen.setdefault(key, row.number)
                if external_id := row.values.get("external_id"):
                    taken_external_ids.add(external_id)
                taken_domains.update(row.children.get("domains", []))
                for key, values in taken_custom.items():
                    if key in row.data.get("custom", {}) and row.values["custom"].get(key) not in (None, "", []):
                        values.add(repr(row.values["custom"][key]))

    def _refuse_taken(self, row: Row, external_ids: set[str], domains: set[str], custom: dict[str, set[Any]]) -> None:
        """What an earlier new row of this batch holds already is taken, as it would be once that row is saved."""
        external_id = row.values.get("external_id")
        if external_id and external_id in external_ids:
            row.errors.setdefault("external_id", cleaning.external_id_taken(self.model, external_id))
        for position, domain in enumerate(row.children.get("domains", [])):
            if domain in domains:
                row.errors.setdefault(f"domains.{position}", cleaning.domain_taken(domain))
        for key, values in custom.items():
            if key in row.data.get("custom", {}) and repr(row.values.get("custom", {}).get(key)) in values:
                row.errors.setdefault(f"custom.{key}", custom_fields.taken_message(self.unique_custom[key]))

    def _check_companies(self, rows: list[Row]) -> None:
        """The Company column: an account found by name, or one to create, checked by the account rules like any other."""
        names = {row.account_name for row in rows if row.account_name and row.outcome in {"created", "updated"}}
        self.company_ids: dict[str, int] = {}
        for pk, name in self._select("id, name", "name", names, "AND deleted_at IS NULL ORDER BY id", model=Account):
            self.company_ids.setdefault(name, pk)
        missing = sorted(names - set(self.company_ids))
        cleaned = cleaning.clean_accounts(self.checks, [{"name": name} for name in missing], [None] * len(missing))
        self.new_companies: dict[str, dict[str, Any]] = {}
        refused: dict[str, str] = {}
        for name, values, errors in zip(missing, cleaned.values, cleaned.errors, strict=True):
            if errors:
                refused[name] = " ".join(errors.values())
            else:
                self.new_companies[name] = values
        for row in rows:
            if row.account_name in refused and row.outcome in {"created", "updated"}:
                row.errors["account"] = f"The account {row.account_name} cannot be created: {refused[row.account_name]}"
                row.outcome, row.message = "failed", f"{self.column(row, 'account')}: {row.errors['account']}"

    def _key_name(self, row: Row) -> str:
        if row.external_id:
            return f"external id {row.external_id}"
        return f"{'email' if self.contacts else 'domain'} {row.key}"

    def column(self, row: Row, key: str) -> str:
        """The file's column an error key comes from (the field's name when no column maps to it)."""
        columns = self.columns(row)
        for prefix in sorted(columns, key=len, reverse=True):
            if key == prefix or key.startswith(f"{prefix}."):
                return columns[prefix]
        if key in {"emails", "phones", "domains"} or key.startswith(("emails.", "domains.")):
            return key.split(".")[0]
        return key
