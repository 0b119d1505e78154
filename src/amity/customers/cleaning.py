"""The rules of accounts and contacts, applied to many records at once, on plain values.

Every door checks records here: the API and the web UI one record at a time (through
`clean_contact` / `clean_account` in services), an import thousands at a time. Each rule runs
down a column of values, and each question for the database is asked once for the whole batch
(`RecordChecks`), so both doors apply the same rules and give the same errors, and an import
pays neither a model instance nor a query per row.

A record going in is a mapping of fields (the API's shape: `emails` as a list of
{address, primary}, `owner_id`, `custom` as {key: value}, …). What comes out is, per record,
the model fields to set (attnames), the children to write (emails, phones, account links,
tags, domains) and the errors by field.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import Model

from amity.core import bulk
from amity.core.custom_fields import clean_custom_values, unique_clashes
from amity.core.models import FieldDefinition, Membership, Team, Workspace
from amity.customers import normalize
from amity.customers.models import Account, AccountDomain, Channel, Contact, ContactPhone, LifecycleStage
from amity.customers.social import clean_social

CONTACT_TEXT_FIELDS = {"first_name": 100, "last_name": 100, "title": 150, "language": 10, "time_zone": 64, "source": 100}
ACCOUNT_TEXT_FIELDS = {"name": 200, "industry": 100, "source": 100}
# Choice lists computed once: an import checks them a million times.
LIFECYCLE_STAGES = tuple(LifecycleStage.values)
CHANNELS = tuple(Channel.values)
ACCOUNT_SIZES = tuple(Account.Size.values)
PHONE_KINDS = set(ContactPhone.Kind.values)
# What a record's checks need to know of a record being updated (besides its id).
CONTACT_CURRENT_FIELDS = ["first_name", "last_name", "primary_email", "primary_phone", "custom"]
ACCOUNT_CURRENT_FIELDS = ["name", "custom"]

Record = Mapping[str, Any]


class RecordChecks:
    """The questions a batch of records asks the database, each asked once for the whole batch.

    An import subclasses it to add what its earlier rows will create (which a dry run never
    writes) to the answers.
    """

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self._definitions: dict[str, dict[str, FieldDefinition]] = {}

    def members(self, user_ids: set[Any]) -> set[Any]:
        """Of these user ids, those of the workspace's members."""
        return set(Membership.objects.filter(workspace=self.workspace, user_id__in=user_ids).values_list("user_id", flat=True))

    def teams(self, team_ids: set[Any]) -> set[Any]:
        return set(Team.objects.filter(workspace=self.workspace, pk__in=team_ids).values_list("pk", flat=True))

    def external_id_holders(self, model: type[Account] | type[Contact], external_ids: set[str]) -> dict[str, int | None]:
        """The record holding each of these external ids (None: one this batch's caller is about to create)."""
        if not external_ids:
            return {}
        condition, params = bulk.any_of("external_id", sorted(external_ids))
        found = bulk.select_rows(
            f"SELECT external_id, id FROM {model._meta.db_table} WHERE workspace_id = %s AND {condition}", [self.workspace.pk, *params]
        )
        return {str(external_id): pk for external_id, pk in found}

    def domain_holders(self, domains: set[str]) -> dict[str, int | None]:
        """The account holding each of these web domains (None: one about to be created)."""
        return dict(AccountDomain.objects.filter(workspace=self.workspace, domain__in=domains).values_list("domain", "account_id"))

    def known_accounts(self, ids: set[Any]) -> set[Any]:
        return set(Account.objects.filter(workspace=self.workspace, pk__in=ids, deleted_at__isnull=True).values_list("pk", flat=True))

    def custom_definitions(self, object_type: str) -> dict[str, FieldDefinition]:
        """The workspace's custom fields of a record type, fetched once per RecordChecks."""
        if object_type not in self._definitions:
            found = FieldDefinition.objects.filter(workspace=self.workspace, object_type=object_type)
            self._definitions[object_type] = {definition.key: definition for definition in found}
        return self._definitions[object_type]


@dataclass
class Cleaned:
    """Per record: the model fields to set, the children to write, and what was wrong by field."""

    values: list[dict[str, Any]]
    children: list[dict[str, Any]]
    errors: list[dict[str, str]]

    @classmethod
    def empty(cls, count: int) -> Cleaned:
        return cls([{} for _ in range(count)], [{} for _ in range(count)], [{} for _ in range(count)])


def current_values(record: Account | Contact) -> dict[str, Any] | None:
    """What the checks need of a saved record (None for an unsaved one): its id and the fields rules look at."""
    if record.pk is None:
        return None
    fields = CONTACT_CURRENT_FIELDS if isinstance(record, Contact) else ACCOUNT_CURRENT_FIELDS
    return {"pk": record.pk, **{field: getattr(record, field) for field in fields}}


# --- Column rules shared by accounts and contacts -----------------------------------------------------------


def _texts(records: Sequence[Record], limits: dict[str, int], out: Cleaned) -> None:
    for field, limit in limits.items():
        for index, data in enumerate(records):
            if field in data:
                value = " ".join(str(data[field] or "").split())
                if len(value) > limit:
                    out.errors[index][field] = f"Use at most {limit} characters."
                out.values[index][field] = value


def _choices(records: Sequence[Record], field: str, choices: tuple[str, ...], out: Cleaned) -> None:
    message = f"Choose one of: {', '.join(choices)}."
    for index, data in enumerate(records):
        if field in data:
            value = data[field] or ""
            if value and value not in choices:
                out.errors[index][field] = message
            out.values[index][field] = value


def _references(records: Sequence[Record], field: str, known: Callable[[set[Any]], set[Any]], noun: str, out: Cleaned) -> None:
    """owner_id / team_id: None, or the id of one of the workspace's members / teams."""
    wanted = {data[field] for data in records if data.get(field) is not None}
    found = known(wanted) if wanted else set()
    for index, data in enumerate(records):
        if field in data:
            value = data[field]
            if value is not None and value not in found:
                out.errors[index][field] = f"No {noun} with id {value} in this workspace."
            out.values[index][field] = value


def _external_ids(
    records: Sequence[Record], current: Sequence[Record | None], model: type[Account] | type[Contact], checks: RecordChecks, out: Cleaned
) -> None:
    given: dict[int, str | None] = {}
    for index, data in enumerate(records):
        if "external_id" in data:
            raw = data["external_id"]
            given[index] = str(raw).strip() or None if raw not in (None, "") else None
    holders = checks.external_id_holders(model, {value for value in given.values() if value and len(value) <= 100})
    for index, external_id in given.items():
        pk = (current[index] or {}).get("pk")
        if external_id and len(external_id) > 100:
            out.errors[index]["external_id"] = "Use at most 100 characters."
        elif external_id and external_id in holders and holders[external_id] != pk:
            out.errors[index]["external_id"] = external_id_taken(model, external_id)
        out.values[index]["external_id"] = external_id


def _custom(
    records: Sequence[Record], current: Sequence[Record | None], model: type[Account] | type[Contact], checks: RecordChecks, out: Cleaned
) -> None:
    """Custom fields of every record given them, and of every new record (whose required fields must be there)."""
    fields = checks.custom_definitions(str(model._meta.model_name))
    cleaned: list[tuple[dict[str, Any], dict[str, Any], int | None]] = []
    indexes: list[int] = []
    for index, data in enumerate(records):
        existing = current[index]
        if "custom" not in data and existing is not None:
            continue
        given = dict(data.get("custom") or {})
        merged, errors = clean_custom_values(fields=fields, values=given, existing=existing["custom"] if existing else None)
        out.errors[index].update(errors)
        out.values[index]["custom"] = merged
        cleaned.append((merged, given, existing["pk"] if existing else None))
        indexes.append(index)
    if any(definition.unique for definition in fields.values()):
        clashes = unique_clashes(workspace=checks.workspace, model=model, fields=fields, records=cleaned)
        for position, errors in clashes.items():
            for key, message in errors.items():
                out.errors[indexes[position]].setdefault(key, message)


def _common(
    records: Sequence[Record], current: Sequence[Record | None], model: type[Account] | type[Contact], checks: RecordChecks, out: Cleaned
) -> None:
    _choices(records, "lifecycle_stage", LIFECYCLE_STAGES, out)
    _references(records, "owner_id", checks.members, "member", out)
    _references(records, "team_id", checks.teams, "team", out)
    _external_ids(records, current, model, checks, out)
    _custom(records, current, model, checks, out)


def _tags(records: Sequence[Record], out: Cleaned) -> None:
    for index, data in enumerate(records):
        if "tags" in data:
            out.children[index]["tags"] = normalize.tag_names(data["tags"], out.errors[index])


# --- Contacts --------------------------------------------------------------------------------------


def clean_contacts(checks: RecordChecks, records: Sequence[Record], current: Sequence[Record | None]) -> Cleaned:
    """Check contacts by every rule of a contact: `current[i]` is the saved contact `records[i]` updates, or None for a new one."""
    out = Cleaned.empty(len(records))
    _texts(records, CONTACT_TEXT_FIELDS, out)
    _choices(records, "preferred_channel", CHANNELS, out)
    for index, data in enumerate(records):
        if "social" in data:
            out.values[index]["social"] = clean_social(data["social"], out.errors[index])
    _common(records, current, Contact, checks, out)
    _contact_channels(records, out)
    _account_links(records, checks, out)
    _tags(records, out)
    for index, values in enumerate(out.values):
        existing = current[index] or {}
        if not any(values.get(field, existing.get(field)) for field in ("first_name", "last_name", "primary_email", "primary_phone")):
            out.errors[index].setdefault("last_name", "Give at least a name, an email address or a phone number.")
    return out


def _contact_channels(records: Sequence[Record], out: Cleaned) -> None:
    for index, data in enumerate(records):
        if "emails" in data:
            emails = out.children[index]["emails"] = normalize.emails(data["emails"], out.errors[index])
            out.values[index]["primary_email"] = next((email["address"] for email in emails if email["primary"]), "")
        if "phones" in data:
            phones = out.children[index]["phones"] = normalize.phones(data["phones"], out.errors[index], PHONE_KINDS)
            out.values[index]["primary_phone"] = next((phone["number"] for phone in phones if phone["primary"]), "")


def _account_links(records: Sequence[Record], checks: RecordChecks, out: Cleaned) -> None:
    wanted = {link.get("account_id") for data in records for link in data.get("accounts") or []}
    known = checks.known_accounts(wanted) if wanted else set()
    for index, data in enumerate(records):
        if "accounts" in data:
            links = [dict(link) for link in data["accounts"] or []]
            for position, link in enumerate(links):
                if link.get("account_id") not in known:
                    out.errors[index][f"accounts.{position}.account_id"] = f"No account with id {link.get('account_id')} in this workspace."
            out.children[index]["accounts"] = links


# --- Accounts --------------------------------------------------------------------------------------


def clean_accounts(
    checks: RecordChecks,
    records: Sequence[Record],
    current: Sequence[Record | None],
    *,
    parent: Callable[[Record, Record | None, dict[str, str]], Any] | None = None,
) -> Cleaned:
    """Check accounts by every rule of an account; `parent(data, current, errors)` checks a parent_id where one is given."""
    out = Cleaned.empty(len(records))
    _texts(records, ACCOUNT_TEXT_FIELDS, out)
    _choices(records, "size", ACCOUNT_SIZES, out)
    _money(records, out)
    for index, data in enumerate(records):
        if "parent_id" in data and parent is not None:
            out.values[index]["parent"] = parent(data, current[index], out.errors[index])
    _common(records, current, Account, checks, out)
    for index, values in enumerate(out.values):
        if not values.get("name", (current[index] or {}).get("name")):
            out.errors[index]["name"] = "An account needs a name."
    _domains(records, current, checks, out)
    _tags(records, out)
    return out


def _money(records: Sequence[Record], out: Cleaned) -> None:
    for index, data in enumerate(records):
        if "annual_revenue" in data:
            raw = data["annual_revenue"]
            try:
                out.values[index]["annual_revenue"] = Decimal(str(raw)).quantize(Decimal("0.01")) if raw not in (None, "") else None
            except InvalidOperation:
                out.errors[index]["annual_revenue"] = "Enter an amount such as 1250000.00."
        if "revenue_currency" in data:
            currency = str(data["revenue_currency"] or "").upper()
            if currency and (len(currency) != 3 or not currency.isalpha()):
                out.errors[index]["revenue_currency"] = "Use a three-letter currency code such as EUR."
            out.values[index]["revenue_currency"] = currency


def _domains(records: Sequence[Record], current: Sequence[Record | None], checks: RecordChecks, out: Cleaned) -> None:
    for index, data in enumerate(records):
        if "domains" in data:
            out.children[index]["domains"] = normalize.domains(data["domains"], out.errors[index])
    wanted = {domain for children in out.children for domain in children.get("domains", [])}
    holders = checks.domain_holders(wanted) if wanted else {}
    for index, children in enumerate(out.children):
        pk = (current[index] or {}).get("pk")
        for position, domain in enumerate(children.get("domains", [])):
            if domain in holders and holders[domain] != pk:
                out.errors[index][f"domains.{position}"] = domain_taken(domain)


def external_id_taken(model: type[Account] | type[Contact], external_id: str) -> str:
    return f"Another {model._meta.verbose_name} already has the external id {external_id!r}."


def domain_taken(domain: str) -> str:
    return f"{domain} belongs to another account already."


def apply(record: Model, values: Mapping[str, Any]) -> None:
    """Set cleaned values on a model instance (the one-record door)."""
    for field, value in values.items():
        setattr(record, field, value)
