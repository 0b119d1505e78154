"""Every change to accounts and contacts: normalized, validated as a whole, atomic and audited.

A create or update takes the fields as a mapping (the API's and the import's shape alike) and
either applies all of them or raises one ValidationError naming every bad field.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone

from amity.core import audit
from amity.core.access import hidden_fields, refuse_hidden, require
from amity.core.custom_fields import definitions as custom_definitions
from amity.core.models import AuditEntry, User, Workspace
from amity.core.permissions import Action, ObjectType
from amity.customers import cleaning, listing
from amity.customers.addresses import address_lines, clean_addresses, write_addresses
from amity.customers.cleaning import RecordChecks
from amity.customers.dedupe import loading as dedupe_loading
from amity.customers.dedupe import services as dedupe
from amity.customers.models import (
    Account,
    AccountContact,
    AccountDomain,
    Channel,
    ConsentEvent,
    Contact,
    ContactEmail,
    ContactPhone,
    SavedView,
    Tag,
)
from amity.customers.selectors import refuse_hidden_criteria, saved_view_manageable
from amity.search.registry import record_types_showing
from amity.search.services import index_records
from amity.search.tasks import reindex_related

AUDITED_CONTACT_FIELDS = [
    "first_name", "last_name", "title", "preferred_channel", "language", "time_zone", "lifecycle_stage",
    "source", "external_id", "owner", "team", "custom", "social",
]  # fmt: skip
AUDITED_ACCOUNT_FIELDS = [
    "name", "industry", "size", "annual_revenue", "revenue_currency", "parent", "lifecycle_stage",
    "source", "external_id", "owner", "team", "custom",
]  # fmt: skip


# --- Shared by accounts and contacts ------------------------------------------------------------------


def tag_ids(workspace: Workspace, names: Iterable[str]) -> dict[str, int]:
    """The workspace's tag id for each name, by lower-cased name; missing tags are created with the first spelling given."""
    wanted = {name.lower(): name for name in reversed(list(names))}
    if not wanted:
        return {}
    existing = Tag.objects.filter(workspace=workspace).annotate(lowered=Lower("name")).filter(lowered__in=list(wanted))
    ids = dict(existing.order_by("-pk").values_list("lowered", "pk"))
    missing = [Tag(workspace=workspace, name=name) for lowered, name in sorted(wanted.items()) if lowered not in ids]
    if missing:
        Tag.objects.bulk_create(missing, ignore_conflicts=True)
        created = Tag.objects.filter(workspace=workspace, name__in=[tag.name for tag in missing])
        ids.update((name.lower(), pk) for name, pk in created.values_list("name", "pk"))
    return ids


def set_tags(record: Any, workspace: Workspace, names: list[str]) -> None:
    """Give a record (an account, a contact, a deal…) exactly these tags, creating the workspace's missing ones."""
    ids = tag_ids(workspace, names)
    record.tags.set(sorted({ids[name.lower()] for name in names}))


def _snapshot(record: Account | Contact, fields: list[str]) -> dict[str, Any]:
    values = audit.snapshot(record, fields) if record.pk else dict.fromkeys(fields)
    values["tags"] = sorted(record.tags.values_list("name", flat=True)) if record.pk else []
    return values


def _raise(errors: dict[str, str]) -> None:
    if errors:
        raise ValidationError(errors)


# --- Contacts ------------------------------------------------------------------------------------


def write_contact_children(contact: Contact, workspace: Workspace, children: dict[str, Any], *, creating: bool = False) -> None:
    """Replace the kinds of child `children` holds (a contact just created has none to delete)."""
    if "emails" in children:
        if not creating:
            contact.emails.all().delete()
        ContactEmail.objects.bulk_create(
            ContactEmail(workspace=workspace, contact=contact, address=e["address"], is_primary=e["primary"]) for e in children["emails"]
        )
    if "phones" in children:
        if not creating:
            contact.phones.all().delete()
        ContactPhone.objects.bulk_create(
            ContactPhone(workspace=workspace, contact=contact, number=p["number"], kind=p["kind"], is_primary=p["primary"])
            for p in children["phones"]
        )
    if "accounts" in children:
        if not creating:
            contact.account_contacts.all().delete()
        AccountContact.objects.bulk_create(
            AccountContact(
                workspace=workspace,
                contact=contact,
                account_id=link["account_id"],
                role=str(link.get("role") or "")[:100],
                title=str(link.get("title") or "")[:150],
            )
            for link in children["accounts"]
        )
    if "tags" in children and (children["tags"] or not creating):
        set_tags(contact, workspace, children["tags"])


def _created_snapshot(record: Account | Contact, fields: list[str], children: dict[str, Any], addresses: Any) -> dict[str, Any]:
    """What a record just created holds, for its audit entry, from what was written: no reads back but the tags' spellings."""
    values = audit.snapshot(record, fields)
    values["tags"] = sorted(record.tags.values_list("name", flat=True)) if children.get("tags") else []
    values["addresses"] = address_lines(record) if addresses else []
    if isinstance(record, Contact):
        values["emails"] = sorted(email["address"] for email in children.get("emails", []))
        values["phones"] = sorted(phone["number"] for phone in children.get("phones", []))
        values["accounts"] = sorted(link["account_id"] for link in children.get("accounts", []))
    else:
        values["domains"] = sorted(children.get("domains", []))
    return values


def _contact_children_snapshot(contact: Contact) -> dict[str, Any]:
    if contact.pk is None:
        return {"emails": [], "phones": [], "accounts": []}
    return {
        "emails": sorted(contact.emails.values_list("address", flat=True)),
        "phones": sorted(contact.phones.values_list("number", flat=True)),
        "accounts": sorted(contact.account_contacts.values_list("account_id", flat=True)),
    }


def clean_contact(contact: Contact, checks: RecordChecks, data: Mapping[str, Any]) -> dict[str, Any]:
    """Apply `data` to an unsaved or existing contact by every rule of a contact; return the children to write.

    Raises one ValidationError naming every bad field; writes nothing.
    """
    cleaned = cleaning.clean_contacts(checks, [data], [cleaning.current_values(contact)])
    cleaning.apply(contact, cleaned.values[0])
    _raise(cleaned.errors[0])
    return cleaned.children[0]


def _record_change(*, actor: User, record: Account | Contact, creating: bool, changes: dict[str, Any]) -> None:
    """Audit a create or a real change, and keep the search index current once it commits."""
    if creating or changes:
        action = AuditEntry.Action.CREATE if creating else AuditEntry.Action.UPDATE
        audit.record(actor=actor, workspace=record.workspace, action=action, obj=record, changes=changes)
        reindex_after_commit(record, with_related=not creating and "name" in changes)  # a new record is nobody's yet


def reindex_after_commit(record: Account | Contact, *, with_related: bool = False) -> None:
    """Keep the record's search row current; with_related, also those that show its name (an account's people and deals), in the background."""
    object_type = "contact" if isinstance(record, Contact) else "account"
    transaction.on_commit(partial(index_records, object_type=object_type, ids=[record.pk]))
    if with_related and record_types_showing(object_type):
        transaction.on_commit(partial(reindex_related.enqueue, object_type=object_type, ids=[record.pk]))


def _cleaned_with_addresses(
    data: Mapping[str, Any], clean: Callable[[Mapping[str, Any]], dict[str, Any]]
) -> tuple[dict[str, Any], list[dict[str, Any]] | None]:
    """The record's children by `clean` and its addresses (None: not sent), or one error naming every bad field of both."""
    errors: dict[str, list[str]] = {}
    addresses = None
    if "addresses" in data:
        try:
            addresses = clean_addresses(data["addresses"] or [])
        except ValidationError as error:
            errors.update(error.message_dict)
    try:
        children = clean({key: value for key, value in data.items() if key != "addresses"})
    except ValidationError as error:
        errors = {**error.message_dict, **errors}
    if errors:
        raise ValidationError(errors)
    return children, addresses


def _save_contact(
    *, actor: User, workspace: Workspace, contact: Contact, data: Mapping[str, Any], allow_duplicates: bool = True
) -> Contact:
    creating = contact.pk is None
    before = {**_snapshot(contact, AUDITED_CONTACT_FIELDS), **_contact_children_snapshot(contact), "addresses": address_lines(contact)}
    children, addresses = _cleaned_with_addresses(data, partial(clean_contact, contact, RecordChecks(workspace)))
    contact.workspace = workspace
    if creating and not allow_duplicates:
        dedupe.check_entry(workspace_id=workspace.pk, record=dedupe_loading.unsaved_person(contact, children, addresses))
    contact.save()
    write_contact_children(contact, workspace, children, creating=creating)
    if addresses is not None:
        write_addresses(contact, workspace, addresses)
    dedupe.index_records(workspace_id=workspace.pk, record_type="contact", ids=[contact.pk])
    if creating:
        after = _created_snapshot(contact, AUDITED_CONTACT_FIELDS, children, addresses)
    else:
        after = {**_snapshot(contact, AUDITED_CONTACT_FIELDS), **_contact_children_snapshot(contact), "addresses": address_lines(contact)}
    _record_change(actor=actor, record=contact, creating=creating, changes=audit.diff(before, after))
    return contact


@transaction.atomic
def contact_create(
    *, actor: User, workspace: Workspace, data: Mapping[str, Any], allow_duplicates: bool = True, copied: bool = False
) -> Contact:
    """Add a person, with their emails, phones, accounts, tags and custom fields.

    With `allow_duplicates=False` (the API's and the web form's default) a person who probably exists
    already is not created: `DuplicatesFound` names the likely duplicates. A field hidden from the actor's
    role is refused (403), unless the data is `copied` from a record they see (a lead being converted).
    """
    require(actor, workspace, Action.ADD, ObjectType.CONTACT)
    if not copied:
        refuse_hidden(actor, workspace, ObjectType.CONTACT, data)
    contact = Contact(workspace=workspace, owner=actor)
    return _save_contact(actor=actor, workspace=workspace, contact=contact, data=data, allow_duplicates=allow_duplicates)


@transaction.atomic
def contact_update(*, actor: User, contact: Contact, data: Mapping[str, Any]) -> Contact:
    """Change some fields of a person; fields not given stay as they are."""
    require(actor, contact.workspace, Action.CHANGE, ObjectType.CONTACT)
    refuse_hidden(actor, contact.workspace, ObjectType.CONTACT, data)
    return _save_contact(actor=actor, workspace=contact.workspace, contact=contact, data=data)


CONSENT_PURPOSE_MAX = 60
CONSENT_METHOD_MAX = 100
CONSENT_SOURCE_MAX = 200
CONSENT_PROOF_MAX_BYTES = 20_000
CLOCK_SKEW = timedelta(minutes=5)


@transaction.atomic
def consent_record(
    *,
    actor: User,
    contact: Contact,
    channel: str,
    status: str,
    purpose: str = "marketing",
    method: str = "",
    occurred_at: datetime | None = None,
    source: str = "",
    proof: Mapping[str, Any] | None = None,
) -> ConsentEvent:
    """Record that a person granted or withdrew consent to be contacted on a channel for a purpose; the log keeps every event."""
    require(actor, contact.workspace, Action.CHANGE, ObjectType.CONTACT)
    purpose, method = " ".join(purpose.split()).lower(), " ".join(method.split())
    errors: dict[str, str] = {}
    if channel not in Channel.values:
        errors["channel"] = f"Choose one of: {', '.join(Channel.values)}."
    if status not in ConsentEvent.Status.values:
        errors["status"] = f"Choose one of: {', '.join(ConsentEvent.Status.values)}."
    if not purpose or len(purpose) > CONSENT_PURPOSE_MAX:
        errors["purpose"] = f"Name the purpose in 1 to {CONSENT_PURPOSE_MAX} characters, e.g. marketing."
    if len(method) > CONSENT_METHOD_MAX:
        errors["method"] = f"Use at most {CONSENT_METHOD_MAX} characters."
    source = " ".join(source.split())
    if len(source) > CONSENT_SOURCE_MAX:
        errors["source"] = f"Use at most {CONSENT_SOURCE_MAX} characters."
    proof = dict(proof or {})
    if len(json.dumps(proof, default=str)) > CONSENT_PROOF_MAX_BYTES:
        errors["proof"] = f"Keep the proof under {CONSENT_PROOF_MAX_BYTES:,} bytes: a document's reference rather than the document."
    occurred_at = occurred_at or timezone.now()
    if timezone.is_naive(occurred_at):
        errors["occurred_at"] = "Give the time with its offset from UTC, e.g. 2026-11-23T14:05:00Z."
    elif occurred_at > timezone.now() + CLOCK_SKEW:
        errors["occurred_at"] = "Consent cannot be recorded for a time in the future."
    _raise(errors)
    previous = (
        contact.consent_events.filter(channel=channel, purpose=purpose)
        .order_by("-occurred_at", "-id")
        .values_list("status", flat=True)
        .first()
    )
    event = ConsentEvent.objects.create(
        workspace=contact.workspace,
        contact=contact,
        channel=channel,
        purpose=purpose,
        status=status,
        method=method,
        source=source,
        proof=proof,
        occurred_at=occurred_at,
        recorded_by=actor,
    )
    audit.record(
        actor=actor,
        workspace=contact.workspace,
        action=AuditEntry.Action.UPDATE,
        obj=contact,
        changes={f"consent ({channel}, {purpose})": [previous, status]},
    )
    return event


# --- Accounts ------------------------------------------------------------------------------------


def clean_account(account: Account, checks: RecordChecks, data: Mapping[str, Any]) -> dict[str, Any]:
    """Apply `data` to an unsaved or existing account by every rule of an account; return the children to write.

    Raises one ValidationError naming every bad field; writes nothing.
    """
    cleaned = cleaning.clean_accounts(checks, [data], [cleaning.current_values(account)], parent=partial(_parent, account))
    cleaning.apply(account, cleaned.values[0])
    _raise(cleaned.errors[0])
    return cleaned.children[0]


def _parent(account: Account, data: Mapping[str, Any], current: Mapping[str, Any] | None, errors: dict[str, str]) -> Account | None:
    """A parent in the same workspace, and never the account itself or one of its descendants."""
    parent_id = data["parent_id"]
    if parent_id is None:
        return None
    parent = Account.objects.filter(workspace=account.workspace, pk=parent_id).first()
    if parent is None:
        errors["parent_id"] = f"No account with id {parent_id} in this workspace."
        return account.parent
    ancestor: Account | None = parent
    for _ in range(100):
        if ancestor is None:
            break
        if account.pk is not None and ancestor.pk == account.pk:
            errors["parent_id"] = "An account cannot be its own parent or ancestor."
            return account.parent
        ancestor = ancestor.parent
    return parent


def _save_account(
    *, actor: User, workspace: Workspace, account: Account, data: Mapping[str, Any], allow_duplicates: bool = True
) -> Account:
    creating = account.pk is None
    before = {
        **_snapshot(account, AUDITED_ACCOUNT_FIELDS),
        "domains": sorted(account.domains.values_list("domain", flat=True)) if account.pk else [],
        "addresses": address_lines(account),
    }
    children, addresses = _cleaned_with_addresses(data, partial(clean_account, account, RecordChecks(workspace)))
    account.workspace = workspace
    if creating and not allow_duplicates:
        unsaved = dedupe_loading.unsaved_organization(account, children.get("domains", []), addresses)
        dedupe.check_entry(workspace_id=workspace.pk, record=unsaved)
    account.save()
    if addresses is not None:
        write_addresses(account, workspace, addresses)
    if "domains" in children:
        if not creating:
            account.domains.all().delete()
        AccountDomain.objects.bulk_create(
            AccountDomain(workspace=workspace, account=account, domain=domain) for domain in children["domains"]
        )
    if "tags" in children and (children["tags"] or not creating):
        set_tags(account, workspace, children["tags"])
    dedupe.index_records(workspace_id=workspace.pk, record_type="account", ids=[account.pk])
    if creating:
        after = _created_snapshot(account, AUDITED_ACCOUNT_FIELDS, children, addresses)
    else:
        after = {
            **_snapshot(account, AUDITED_ACCOUNT_FIELDS),
            "domains": sorted(account.domains.values_list("domain", flat=True)),
            "addresses": address_lines(account),
        }
    _record_change(actor=actor, record=account, creating=creating, changes=audit.diff(before, after))
    return account


@transaction.atomic
def account_create(*, actor: User, workspace: Workspace, data: Mapping[str, Any], allow_duplicates: bool = True) -> Account:
    """Add an organization, with its domains, parent, tags and custom fields; see `contact_create` for `allow_duplicates`."""
    require(actor, workspace, Action.ADD, ObjectType.ACCOUNT)
    refuse_hidden(actor, workspace, ObjectType.ACCOUNT, data)
    account = Account(workspace=workspace, owner=actor)
    return _save_account(actor=actor, workspace=workspace, account=account, data=data, allow_duplicates=allow_duplicates)


@transaction.atomic
def account_update(*, actor: User, account: Account, data: Mapping[str, Any]) -> Account:
    """Change some fields of an organization; fields not given stay as they are."""
    require(actor, account.workspace, Action.CHANGE, ObjectType.ACCOUNT)
    refuse_hidden(actor, account.workspace, ObjectType.ACCOUNT, data)
    return _save_account(actor=actor, workspace=account.workspace, account=account, data=data)


# --- Deletion, restore and bulk changes ----------------------------------------------------------------


def _object_type(record: Account | Contact) -> ObjectType:
    return ObjectType.ACCOUNT if isinstance(record, Account) else ObjectType.CONTACT


@transaction.atomic
def record_soft_delete(*, actor: User, record: Account | Contact) -> None:
    """Move a record to the bin: hidden everywhere, recoverable by an admin."""
    require(actor, record.workspace, Action.DELETE, _object_type(record))
    if record.deleted_at is None:
        record.deleted_at = timezone.now()
        record.save(update_fields=["deleted_at", "updated_at"])
        audit.record(
            actor=actor, workspace=record.workspace, action=AuditEntry.Action.DELETE, obj=record, changes={"deleted": [False, True]}
        )
        reindex_after_commit(record, with_related=True)


class ErasedContact(ValidationError):
    """Raised instead of restoring a contact erased at the data subject's request: only its pseudonymised row would come back."""


def _refuse_erased(record: Account | Contact) -> None:
    from amity.customers.privacy.selectors import erasure_of_contact  # privacy reads import the customer models

    if not isinstance(record, Contact):
        return
    erasure = erasure_of_contact(workspace=record.workspace, contact_id=record.pk)
    if erasure is None:
        return
    when = erasure.created_at if erasure.finished_at is None else erasure.finished_at
    raise ErasedContact(
        {
            "id": f"Contact {record.pk} was erased at the data subject's request on {when:%d %b %Y}; it cannot be restored "
            "(only the pseudonymised row would come back)."
        }
    )


@transaction.atomic
def record_restore(*, actor: User, record: Account | Contact) -> None:
    """Bring a soft-deleted record back; a contact erased on request is refused (ErasedContact) and stays as it is."""
    require(actor, record.workspace, Action.DELETE, _object_type(record))
    _refuse_erased(record)
    if record.deleted_at is not None:
        record.deleted_at = None
        record.save(update_fields=["deleted_at", "updated_at"])
        audit.record(
            actor=actor, workspace=record.workspace, action=AuditEntry.Action.RESTORE, obj=record, changes={"deleted": [True, False]}
        )
        reindex_after_commit(record, with_related=True)


BULK_LIMIT = 1000


@transaction.atomic
def bulk_save(*, actor: User, workspace: Workspace, model: type[Account] | type[Contact], rows: Sequence[Mapping[str, Any]]) -> list[Any]:
    """Create (no `id`) or update (with `id`) up to 1,000 records: all of them, or none with an error per row."""
    if len(rows) > BULK_LIMIT:
        raise ValidationError({"items": f"Send at most {BULK_LIMIT} records per call."})
    existing = {
        record.pk: record
        for record in model.objects.filter(
            workspace=workspace, deleted_at__isnull=True, pk__in=[row["id"] for row in rows if row.get("id")]
        )
    }
    saved: list[Any] = []
    errors: dict[str, str] = {}
    for index, row in enumerate(rows):
        data = {key: value for key, value in row.items() if key != "id"}
        try:
            with transaction.atomic():
                row_id = row.get("id")
                record = existing.get(row_id) if row_id else None
                saved.append(_bulk_one(actor=actor, workspace=workspace, model=model, record=record, row_id=row_id, data=data))
        except ValidationError as error:
            errors.update({f"items.{index}.{field}": " ".join(messages) for field, messages in error.message_dict.items()})
    _raise(errors)
    return saved


def _bulk_one(
    *, actor: User, workspace: Workspace, model: type[Account] | type[Contact], record: Any, row_id: Any, data: Mapping[str, Any]
) -> Any:
    if row_id and record is None:
        raise ValidationError({"id": f"No {model._meta.verbose_name} with id {row_id} in this workspace."})
    if record is not None:
        return record_update(actor=actor, record=record, data=data)
    if model is Contact:
        return contact_create(actor=actor, workspace=workspace, data=data)
    return account_create(actor=actor, workspace=workspace, data=data)


def record_update(*, actor: User, record: Account | Contact, data: Mapping[str, Any]) -> Account | Contact:
    """Update an account or a contact, whichever it is."""
    if isinstance(record, Contact):
        return contact_update(actor=actor, contact=record, data=data)
    return account_update(actor=actor, account=record, data=data)


@transaction.atomic
def bulk_assign_owner(*, actor: User, records: list[Account] | list[Contact], owner: User | None) -> int:
    """Give many records one owner."""
    for record in records:
        record_update(actor=actor, record=record, data={"owner_id": owner.pk if owner else None})
    return len(records)


@transaction.atomic
def bulk_tag(*, actor: User, records: list[Account] | list[Contact], add: list[str]) -> int:
    """Add tags to many records, keeping the tags they have."""
    for record in records:
        record_update(actor=actor, record=record, data={"tags": sorted({*record.tags.values_list("name", flat=True), *add})})
    return len(records)


@transaction.atomic
def bulk_soft_delete(*, actor: User, records: list[Account] | list[Contact]) -> int:
    """Move many records to the bin at once."""
    for record in records:
        record_soft_delete(actor=actor, record=record)
    return len(records)


@transaction.atomic
def bulk_restore(*, actor: User, records: list[Account] | list[Contact]) -> int:
    """Bring many records back from the bin at once."""
    for record in records:
        record_restore(actor=actor, record=record)
    return len(records)


# --- Saved views -------------------------------------------------------------------------------------


def _hidden_view_choices(actor: User, workspace: Workspace, view: SavedView, data: Mapping[str, Any]) -> dict[str, str]:
    """A view cannot show, filter or sort by a field hidden from the actor's role (one error names each)."""
    hidden = hidden_fields(actor, workspace, view.object_type)
    if not hidden:
        return {}
    errors: dict[str, str] = {}
    try:
        refuse_hidden_criteria(actor, workspace, view.object_type, filters=data.get("filters") or {}, sort=str(data.get("sort") or ""))
    except ValidationError as error:
        errors.update({(key if key == "sort" else f"filters.{key}"): " ".join(messages) for key, messages in error.message_dict.items()})
    refused = [key for key in data.get("columns") or [] if key in listing.hidden_columns(view.object_type, hidden)]
    if refused:
        errors["columns"] = f"Your role may not see {', '.join(refused)}, so a view of yours cannot show it."
    return errors


def _apply_view(view: SavedView, workspace: Workspace, data: Mapping[str, Any], actor: User) -> None:
    errors: dict[str, str] = {}
    if "name" in data:
        view.name = " ".join(str(data["name"] or "").split())
        if not view.name or len(view.name) > 120:
            errors["name"] = "A view's name has 1 to 120 characters."
    if "shared" in data:
        view.shared = bool(data["shared"])
    definitions = list(custom_definitions(workspace, view.object_type))
    rules = listing.VIEW_TYPES[view.object_type]
    if "filters" in data:
        try:
            view.filters = rules.clean_filters(dict(data["filters"] or {}), definitions)
        except ValidationError as error:
            errors.update({f"filters.{field}": " ".join(messages) for field, messages in error.message_dict.items()})
    if "sort" in data:
        sort = str(data["sort"] or "")
        if sort and not rules.is_sort(sort, definitions):
            choices = ", ".join(sorted(rules.sorts()))
            errors["sort"] = f"Sort by one of: {choices}, or custom.<key> of a sortable custom field (- first for descending)."
        view.sort = sort
    if "columns" in data:
        available = set(rules.columns(definitions))
        columns = [str(key) for key in data["columns"] or []]
        unknown = [key for key in columns if key not in available]
        if unknown:
            errors["columns"] = f"No such column: {', '.join(unknown)}."
        view.columns = list(dict.fromkeys(columns))
    if (
        view.name
        and SavedView.objects.filter(workspace=workspace, owner_id=view.owner_id, object_type=view.object_type, name__iexact=view.name)
        .exclude(pk=view.pk)
        .exists()
    ):
        errors["name"] = f"You already have a view named {view.name!r}."
    errors.update(_hidden_view_choices(actor, workspace, view, data))
    _raise(errors)


AUDITED_VIEW_FIELDS = ["name", "shared", "filters", "sort", "columns"]


@transaction.atomic
def saved_view_create(*, actor: User, workspace: Workspace, data: Mapping[str, Any]) -> SavedView:
    """Save a list's filters, sort and columns under a name, for oneself or for the whole workspace."""
    require(actor, workspace, Action.ADD, ObjectType.SAVED_VIEW)
    object_type = data.get("object_type")
    if object_type not in listing.VIEW_TYPES:
        raise ValidationError({"object_type": f"Choose one of: {', '.join(listing.VIEW_TYPES)}."})
    view = SavedView(workspace=workspace, owner=actor, object_type=object_type)
    _apply_view(view, workspace, {"name": "", "filters": {}, "sort": "", "columns": [], **data}, actor)
    view.save()
    audit.record(
        actor=actor, workspace=workspace, action=AuditEntry.Action.CREATE, obj=view,
        changes=audit.diff({}, audit.snapshot(view, AUDITED_VIEW_FIELDS)),
    )  # fmt: skip
    return view


@transaction.atomic
def saved_view_update(*, actor: User, view: SavedView, data: Mapping[str, Any]) -> SavedView:
    """Rename a view, share or unshare it, or replace what it shows."""
    require(actor, view.workspace, Action.CHANGE, ObjectType.SAVED_VIEW)
    if not saved_view_manageable(actor=actor, view=view):
        raise PermissionDenied("Only the person who made this view, or an admin when it is shared, may change it.")
    before = audit.snapshot(view, AUDITED_VIEW_FIELDS)
    _apply_view(view, view.workspace, {key: value for key, value in data.items() if key != "object_type"}, actor)
    view.save()
    changes = audit.diff(before, audit.snapshot(view, AUDITED_VIEW_FIELDS))
    if changes:
        audit.record(actor=actor, workspace=view.workspace, action=AuditEntry.Action.UPDATE, obj=view, changes=changes)
    return view


@transaction.atomic
def saved_view_delete(*, actor: User, view: SavedView) -> None:
    """Remove a saved view; the records it listed are untouched."""
    require(actor, view.workspace, Action.DELETE, ObjectType.SAVED_VIEW)
    if not saved_view_manageable(actor=actor, view=view):
        raise PermissionDenied("Only the person who made this view, or an admin when it is shared, may delete it.")
    audit.record(actor=actor, workspace=view.workspace, action=AuditEntry.Action.DELETE, obj=view, changes={"name": [view.name, None]})
    view.delete()
