"""Writing a checked batch: new records with COPY (PostgreSQL) or executemany (SQLite), updates set-based.

No model instances: a new record is one tuple per table (the record, its emails, phones, account
link and tags), written with ids taken up front; updated records get one UPDATE … FROM a staging
table (PostgreSQL) or one executemany (SQLite), and their children are replaced with one DELETE
and one insert per table. Everything runs inside the batch's transaction, so a batch lands whole
or not at all. Search rows are not written here: the import's search indexing task writes them
after the import (`services.import_index_for_search`), from the batches' ids.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils import timezone

from amity.core import audit, bulk
from amity.customers.models import Account, AccountContact, AccountDomain, ContactEmail, ContactPhone
from amity.customers.services import tag_ids
from amity.imports.checking import Importer, Row


@dataclass
class BatchResult:
    outcomes: list[list[Any]] = field(default_factory=list)
    errors: list[tuple[int, str, str]] = field(default_factory=list)
    created_ids: list[int] = field(default_factory=list)
    created_account_ids: list[int] = field(default_factory=list)
    before: dict[str, Any] = field(default_factory=dict)
    changes: dict[str, Any] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=lambda: {"created": 0, "updated": 0, "skipped": 0, "failed": 0})


class RecordTable:
    """How new records' checked values become rows of their table: every concrete column, defaults filled in."""

    def __init__(self, model: type[models.Model]) -> None:
        fields = [field for field in model._meta.concrete_fields if not getattr(field, "generated", False)]
        self.model = model
        self.columns = [field.attname for field in fields]
        self.converters: dict[str, Callable[[Any], Any]] = {
            field.attname: convert for field in fields if (convert := bulk.converter(field)) is not None
        }
        self.defaults = {
            field.attname: None if field.has_default() and callable(field.default) else field.get_default() for field in fields
        }
        self.defaults.update((field.attname, {}) for field in fields if field.get_internal_type() == "JSONField")

    def insert(self, records: Iterable[tuple[int | None, dict[str, Any]]], *, defaults: dict[str, Any], fixed: dict[str, Any]) -> None:
        """Insert (id, checked values) records: `defaults` fill what the values leave out, `fixed` (the workspace, the
        times) override them. Columns given once for the batch are converted once; the others for each row."""
        base = {**self.defaults, **defaults}
        forced = {column: self._converted(column, value) for column, value in fixed.items()}
        per_row = [
            (index, self.converters[column])
            for index, column in enumerate(self.columns)
            if column in self.converters and column not in fixed
        ]
        columns = self.columns
        rows = []
        for pk, values in records:
            merged = {**base, **values, **forced, "id": pk}
            row = [merged[column] for column in columns]
            for index, convert in per_row:
                row[index] = convert(row[index])
            rows.append(row)
        bulk.insert_rows(self.model, columns, rows)

    def _converted(self, column: str, value: Any) -> Any:
        convert = self.converters.get(column)
        return value if convert is None else convert(value)


class Writer:
    """Writes the checked rows of each batch of one import run."""

    def __init__(self, importer: Importer) -> None:
        self.importer = importer
        self.workspace_id = importer.workspace.pk
        self.model = importer.model
        self.records = RecordTable(importer.model)
        self.accounts = RecordTable(Account)
        self.audited = importer.audited_attnames()

    def write(self, rows: list[Row], result: BatchResult) -> None:
        now = timezone.now()
        account_ids = self._companies(result, now) if self.importer.contacts else {}
        new = [row for row in rows if row.outcome == "created"]
        for row, pk in zip(new, bulk.allocate_ids(self.model, len(new)), strict=True):
            row.pk = pk
        self._create(new, account_ids, now)
        result.created_ids = [row.pk for row in new if row.pk is not None]
        changed = [row for row in rows if row.outcome == "updated"]
        for row in changed:
            row.pk = row.match
        if changed:
            self._update(changed, account_ids, now, result)

    # New records ----------------------------------------------------------------------------------

    def _stamps(self, now: Any) -> dict[str, dict[str, Any]]:
        """What every new record of a batch gets: the importer as owner unless a row names one, the workspace and
        the batch's time, whatever a row says."""
        return {
            "defaults": {"owner_id": self.importer.actor.pk},
            "fixed": {"workspace_id": self.workspace_id, "created_at": now, "updated_at": now},
        }

    def _companies(self, result: BatchResult, now: Any) -> dict[str, int]:
        """Account ids by name for the Company column; the accounts checked as new are created now."""
        new_companies = self.importer.new_companies
        names = sorted(new_companies)
        created = dict(zip(names, bulk.allocate_ids(Account, len(names)), strict=True))
        ids = {**self.importer.company_ids, **created}
        self.accounts.insert(((created[name], new_companies[name]) for name in names), **self._stamps(now))
        result.created_account_ids = list(created.values())
        return ids

    def _create(self, new: list[Row], account_ids: dict[str, int], now: Any) -> None:
        self.records.insert(((row.pk, row.values) for row in new), **self._stamps(now))
        if self.importer.contacts:
            self._contact_children(new, account_ids)
            self._link_accounts(new, account_ids, set())
        else:
            bulk.insert_rows(
                AccountDomain,
                ["workspace_id", "account_id", "domain"],
                [(self.workspace_id, row.pk, domain) for row in new for domain in row.children.get("domains", [])],
            )
        self._set_tags([row for row in new if "tags" in row.children], replace=False)

    def _contact_children(self, rows: list[Row], account_ids: dict[str, int]) -> None:
        workspace_id = self.workspace_id
        bulk.insert_rows(
            ContactEmail,
            ["workspace_id", "contact_id", "address", "is_primary"],
            [(workspace_id, row.pk, email["address"], email["primary"]) for row in rows for email in row.children.get("emails", [])],
        )
        bulk.insert_rows(
            ContactPhone,
            ["workspace_id", "contact_id", "number", "kind", "is_primary"],
            [
                (workspace_id, row.pk, phone["number"], phone["kind"], phone["primary"])
                for row in rows
                for phone in row.children.get("phones", [])
            ],
        )

    def _link_accounts(self, rows: list[Row], account_ids: dict[str, int], existing: set[tuple[int, int]]) -> None:
        """Link each contact to its Company's account, unless it is linked already."""
        links = {(account_ids[row.account_name], row.pk) for row in rows if row.account_name and row.pk is not None}
        bulk.insert_rows(
            AccountContact,
            ["workspace_id", "account_id", "contact_id", "role", "title"],
            [(self.workspace_id, account_id, contact_id, "", "") for account_id, contact_id in sorted(links - existing)],
        )

    def _set_tags(self, rows: list[Row], *, replace: bool) -> None:
        through = self.model.tags.through
        owner_column = f"{self.model._meta.model_name}_id"
        if replace:
            bulk.delete_rows(through, owner_column, [row.pk for row in rows])
        ids = tag_ids(self.importer.workspace, [name for row in rows for name in row.children["tags"]])
        pairs = {(row.pk, ids[name.lower()]) for row in rows for name in row.children["tags"]}
        bulk.insert_rows(through, [owner_column, "tag_id"], sorted(pairs))

    # Updates --------------------------------------------------------------------------------------

    def _update(self, rows: list[Row], account_ids: dict[str, int], now: Any, result: BatchResult) -> None:
        """Change the matched records in one statement per table, keeping each one's earlier values for the undo."""
        before = self._before(rows)
        fields = sorted({name for row in rows for name in row.values})
        converters = [bulk.converter(bulk.concrete_field(self.model, name)) for name in fields]
        updated_at = bulk.db_datetime(now)
        values = []
        for row in rows:
            merged = {**(row.current or {}), **row.values}
            values.append(
                (
                    row.pk,
                    *[merged[name] if convert is None else convert(merged[name]) for name, convert in zip(fields, converters, strict=True)],
                    None,
                    updated_at,
                )
            )
        bulk.update_rows(self.model, [*fields, "deleted_at", "updated_at"], values)
        self._replace_children(rows, account_ids, before)
        after = self._after(rows, account_ids, before)
        for row in rows:
            key = str(row.pk)
            result.before[key] = before[key]
            result.changes[key] = audit.diff(before[key], {name: value for name, value in after[key].items() if name in before[key]})

    def _replace_children(self, rows: list[Row], account_ids: dict[str, int], before: dict[str, dict[str, Any]]) -> None:
        if self.importer.contacts:
            for model, key in ((ContactEmail, "emails"), (ContactPhone, "phones")):
                bulk.delete_rows(model, "contact", [row.pk for row in rows if key in row.children])
            self._contact_children(rows, account_ids)
            existing = {(link["account_id"], int(pk)) for pk, values in before.items() for link in values.get("accounts", [])}
            self._link_accounts(rows, account_ids, existing)
        else:
            with_domains = [row for row in rows if "domains" in row.children]
            bulk.delete_rows(AccountDomain, "account", [row.pk for row in with_domains])
            bulk.insert_rows(
                AccountDomain,
                ["workspace_id", "account_id", "domain"],
                [(self.workspace_id, row.pk, domain) for row in with_domains for domain in row.children["domains"]],
            )
        self._set_tags([row for row in rows if "tags" in row.children], replace=True)

    def _before(self, rows: list[Row]) -> dict[str, dict[str, Any]]:
        """Each record's audited fields and the children this import replaces, as they were: what the undo puts back."""
        names = [bulk.concrete_field(self.model, attname).name for attname in self.audited]
        before: dict[str, dict[str, Any]] = {}
        for row in rows:
            current = row.current or {}
            before[str(row.pk)] = {
                **{name: audit.jsonable(current[attname]) for name, attname in zip(names, self.audited, strict=True)},
                "deleted_at": audit.jsonable(current["deleted_at"]),
            }
        for key, children in self._children_of(rows).items():
            for pk, values in children.items():
                before[str(pk)][key] = values
        return before

    def _children_of(self, rows: list[Row]) -> dict[str, dict[int, Any]]:
        """The current children of the records, for the kinds of child each row replaces: one query per kind."""

        def wanted(kind: str) -> list[int]:
            return [row.pk for row in rows if row.pk is not None and _CHILD_GIVEN[kind](row)]

        children: dict[str, dict[int, Any]] = {}
        children["tags"] = _names(
            self.model.tags.through.objects.filter(**{f"{self.importer.noun}_id__in": bulk.ids_in(wanted("tags"))})
            .order_by("pk")
            .values_list(f"{self.importer.noun}_id", "tag__name")
        )
        if self.importer.contacts:
            children["emails"] = _grouped(
                ContactEmail.objects.filter(contact_id__in=bulk.ids_in(wanted("emails")))
                .order_by("pk")
                .values_list("contact_id", "address", "is_primary"),
                lambda address, primary: {"address": address, "primary": primary},
            )
            children["phones"] = _grouped(
                ContactPhone.objects.filter(contact_id__in=bulk.ids_in(wanted("phones")))
                .order_by("pk")
                .values_list("contact_id", "number", "kind", "is_primary"),
                lambda number, kind, primary: {"number": number, "kind": kind, "primary": primary},
            )
            children["accounts"] = _grouped(
                AccountContact.objects.filter(contact_id__in=bulk.ids_in(wanted("accounts")))
                .order_by("pk")
                .values_list("contact_id", "account_id", "role", "title"),
                lambda account_id, role, title: {"account_id": account_id, "role": role, "title": title},
            )
        else:
            children["domains"] = _names(
                AccountDomain.objects.filter(account_id__in=bulk.ids_in(wanted("domains"))).values_list("account_id", "domain")
            )
        for kind, found in children.items():
            for pk in wanted(kind):
                found.setdefault(pk, [])
        return children

    def _after(self, rows: list[Row], account_ids: dict[str, int], before: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        """The same shape as `_before`, from the values just written."""
        names = [bulk.concrete_field(self.model, attname).name for attname in self.audited]
        tag_names = _names(
            self.model.tags.through.objects.filter(
                **{f"{self.importer.noun}_id__in": bulk.ids_in([row.pk for row in rows if row.pk is not None and "tags" in row.children])}
            )
            .order_by("pk")
            .values_list(f"{self.importer.noun}_id", "tag__name")
        )
        after: dict[str, dict[str, Any]] = {}
        for row in rows:
            merged = {**(row.current or {}), **row.values}
            values = {name: audit.jsonable(merged[attname]) for name, attname in zip(names, self.audited, strict=True)}
            values["deleted_at"] = None
            values["tags"] = tag_names.get(row.pk or 0, [])
            children = row.children
            values["emails"] = [{"address": email["address"], "primary": email["primary"]} for email in children.get("emails", [])]
            values["phones"] = [
                {"number": phone["number"], "kind": phone["kind"], "primary": phone["primary"]} for phone in children.get("phones", [])
            ]
            values["domains"] = sorted(children.get("domains", []))
            links = before[str(row.pk)].get("accounts", [])
            if row.account_name and all(link["account_id"] != account_ids[row.account_name] for link in links):
                links = [*links, {"account_id": account_ids[row.account_name], "role": "", "title": ""}]
            values["accounts"] = links
            after[str(row.pk)] = values
        return after


_CHILD_GIVEN: dict[str, Callable[[Row], bool]] = {
    "tags": lambda row: "tags" in row.data,
    "emails": lambda row: "emails" in row.data,
    "phones": lambda row: "phones" in row.data,
    "accounts": lambda row: bool(row.account_name),
    "domains": lambda row: "domains" in row.data,
}


def _grouped(found: Iterable[tuple[Any, ...]], shape: Callable[..., Any]) -> dict[int, list[Any]]:
    """Rows of (owner id, *values) as {owner id: [shape(*values), …]} in the order given."""
    grouped: dict[int, list[Any]] = defaultdict(list)
    for owner_id, *values in found:
        grouped[owner_id].append(shape(*values))
    return grouped


def _names(found: Iterable[tuple[int, str]]) -> dict[int, list[str]]:
    """Rows of (owner id, name) as {owner id: sorted names}: sorted here, as the API's snapshots are, whatever the collation."""
    return {owner_id: sorted(names) for owner_id, names in _grouped(found, lambda name: name).items()}
