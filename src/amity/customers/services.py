"""Every change to accounts and contacts: normalized, validated as a whole, atomic and audited.

A create or update takes the fields as a mapping (the API's and the import's shape alike) and
either applies all of them or raises one ValidationError naming every bad field.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from functools import partial
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from amity.core import audit
from amity.core.access import require
from amity.core.custom_fields import clean_custom
from amity.core.custom_fields import definitions as custom_definitions
from amity.core.models import AuditEntry, FieldDefinition, Membership, Team, User, Workspace
from amity.core.permissions import Action, ObjectType
from amity.customers import listing, normalize
from amity.customers.models import (
    Account,
    AccountContact,
    AccountDomain,
    Channel,
    Contact,
    ContactEmail,
    ContactPhone,
    CustomerRecord,
    LifecycleStage,
    SavedView,
    Tag,
)
from amity.customers.selectors import saved_view_manageable
from amity.search.services import index_records

CONTACT_TEXT_FIELDS = {"first_name": 100, "last_name": 100, "title": 150, "language": 10, "time_zone": 64, "source": 100}
ACCOUNT_TEXT_FIELDS = {"name": 200, "industry": 100, "source": 100}
AUDITED_CONTACT_FIELDS = [
    "first_name", "last_name", "title", "preferred_channel", "language", "time_zone", "lifecycle_stage",
    "source", "external_id", "owner", "team", "custom", "social",
]  # fmt: skip
AUDITED_ACCOUNT_FIELDS = [
    "name", "industry", "size", "annual_revenue", "revenue_currency", "parent", "lifecycle_stage",
    "source", "external_id", "owner", "team", "custom",
]  # fmt: skip


# Choice lists computed once: an import checks them a million times.
LIFECYCLE_STAGES = tuple(LifecycleStage.values)
CHANNELS = tuple(Channel.values)
ACCOUNT_SIZES = tuple(Account.Size.values)
PHONE_KINDS = set(ContactPhone.Kind.values)


# --- What checking a record asks the database ------------------------------------------------------


class RecordChecks:
    """The questions a record's checks ask the database, one query each.

    The API and the web UI use this; an import subclasses it to answer from what it fetched
    once per batch, so that both doors apply the same rules at very different speeds.
    """

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace

    def is_member(self, user_id: int) -> bool:
        return Membership.objects.filter(workspace=self.workspace, user_id=user_id).exists()

    def is_team(self, team_id: int) -> bool:
        return Team.objects.filter(workspace=self.workspace, pk=team_id).exists()

    def external_id_taken(self, model: type[Account] | type[Contact], external_id: str, pk: int | None) -> bool:
        return model.objects.filter(workspace=self.workspace, external_id=external_id).exclude(pk=pk or 0).exists()

    def domains_taken(self, domains: list[str], account_pk: int | None) -> list[str]:
        taken = AccountDomain.objects.filter(workspace=self.workspace, domain__in=domains).exclude(account_id=account_pk or 0)
        return list(taken.values_list("domain", flat=True))

    def known_accounts(self, ids: set[Any]) -> set[Any]:
        return set(Account.objects.filter(workspace=self.workspace, pk__in=ids, deleted_at__isnull=True).values_list("pk", flat=True))

    def custom_definitions(self, object_type: str) -> dict[str, FieldDefinition] | None:
        """None: let clean_custom fetch them itself."""
        return None


# --- Field checks shared by accounts and contacts ---------------------------------------------------


def _text(record: Model, data: Mapping[str, Any], limits: dict[str, int], errors: dict[str, str]) -> None:
    for field, limit in limits.items():
        if field in data:
            value = " ".join(str(data[field] or "").split())
            if len(value) > limit:
                errors[field] = f"Use at most {limit} characters."
            setattr(record, field, value)


def _choice(record: Model, data: Mapping[str, Any], field: str, choices: Iterable[str], errors: dict[str, str]) -> None:
    if field in data:
        value = data[field] or ""
        if value and value not in choices:
            allowed = list(choices)
            errors[field] = f"Choose one of: {', '.join(allowed)}."
        setattr(record, field, value)


def _owner_and_team(record: CustomerRecord, checks: RecordChecks, data: Mapping[str, Any], errors: dict[str, str]) -> None:
    if "owner_id" in data:
        owner_id = data["owner_id"]
        if owner_id is not None and not checks.is_member(owner_id):
            errors["owner_id"] = f"No member with id {owner_id} in this workspace."
        record.owner_id = owner_id
    if "team_id" in data:
        team_id = data["team_id"]
        if team_id is not None and not checks.is_team(team_id):
            errors["team_id"] = f"No team with id {team_id} in this workspace."
        record.team_id = team_id


def _external_id(record: Account | Contact, checks: RecordChecks, data: Mapping[str, Any], errors: dict[str, str]) -> None:
    if "external_id" not in data:
        return
    external_id = str(data["external_id"]).strip() if data["external_id"] not in (None, "") else None
    if external_id and len(external_id) > 100:
        errors["external_id"] = "Use at most 100 characters."
    elif external_id and checks.external_id_taken(type(record), external_id, record.pk):
        errors["external_id"] = f"Another {type(record)._meta.verbose_name} already has the external id {external_id!r}."
    record.external_id = external_id


def _common(record: Account | Contact, checks: RecordChecks, data: Mapping[str, Any], object_type: str, errors: dict[str, str]) -> None:
    workspace = checks.workspace
    _choice(record, data, "lifecycle_stage", LIFECYCLE_STAGES, errors)
    _owner_and_team(record, checks, data, errors)
    _external_id(record, checks, data, errors)
    definitions = checks.custom_definitions(object_type)
    if "custom" in data:
        try:
            record.custom = clean_custom(
                workspace=workspace,
                object_type=object_type,
                values=dict(data["custom"] or {}),
                existing=record.custom,
                model=type(record),
                instance_pk=record.pk,
                fields=definitions,
            )
        except ValidationError as error:
            errors.update({field: " ".join(messages) for field, messages in error.message_dict.items()})
    elif record.pk is None:
        try:
            record.custom = clean_custom(workspace=workspace, object_type=object_type, values={}, model=type(record), fields=definitions)
        except ValidationError as error:
            errors.update({field: " ".join(messages) for field, messages in error.message_dict.items()})


def set_tags(record: Account | Contact, workspace: Workspace, names: list[str]) -> None:
    """Give a record exactly these tags, creating the workspace's missing ones."""
    existing = {tag.name.lower(): tag for tag in Tag.objects.filter(workspace=workspace, name__in=names)}
    missing = [Tag(workspace=workspace, name=name) for name in names if name.lower() not in existing]
    Tag.objects.bulk_create(missing, ignore_conflicts=True)
    record.tags.set(Tag.objects.filter(workspace=workspace, name__in=names))


def _snapshot(record: Account | Contact, fields: list[str]) -> dict[str, Any]:
    values = audit.snapshot(record, fields) if record.pk else dict.fromkeys(fields)
    values["tags"] = sorted(record.tags.values_list("name", flat=True)) if record.pk else []
    return values


def _raise(errors: dict[str, str]) -> None:
    if errors:
        raise ValidationError(errors)


# --- Contacts ------------------------------------------------------------------------------------


def _contact_children(contact: Contact, checks: RecordChecks, data: Mapping[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    """Check emails, phones, accounts and tags; return what to write once the contact row is saved."""
    children: dict[str, Any] = {}
    if "emails" in data:
        children["emails"] = normalize.emails(data["emails"], errors)
        contact.primary_email = next((e["address"] for e in children["emails"] if e["primary"]), "")
    if "phones" in data:
        children["phones"] = normalize.phones(data["phones"], errors, PHONE_KINDS)
        contact.primary_phone = next((p["number"] for p in children["phones"] if p["primary"]), "")
    if "accounts" in data:
        links = [dict(link) for link in data["accounts"] or []]
        wanted = {link.get("account_id") for link in links}
        known = checks.known_accounts(wanted)
        for index, link in enumerate(links):
            if link.get("account_id") not in known:
                errors[f"accounts.{index}.account_id"] = f"No account with id {link.get('account_id')} in this workspace."
        children["accounts"] = links
    if "tags" in data:
        children["tags"] = normalize.tag_names(data["tags"], errors)
    return children


def write_contact_children(contact: Contact, workspace: Workspace, children: dict[str, Any]) -> None:
    if "emails" in children:
        contact.emails.all().delete()
        ContactEmail.objects.bulk_create(
            ContactEmail(workspace=workspace, contact=contact, address=e["address"], is_primary=e["primary"]) for e in children["emails"]
        )
    if "phones" in children:
        contact.phones.all().delete()
        ContactPhone.objects.bulk_create(
            ContactPhone(workspace=workspace, contact=contact, number=p["number"], kind=p["kind"], is_primary=p["primary"])
            for p in children["phones"]
        )
    if "accounts" in children:
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
    if "tags" in children:
        set_tags(contact, workspace, children["tags"])


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
    errors: dict[str, str] = {}
    _text(contact, data, CONTACT_TEXT_FIELDS, errors)
    _choice(contact, data, "preferred_channel", CHANNELS, errors)
    if "social" in data:
        contact.social = {str(network): str(handle)[:200] for network, handle in dict(data["social"] or {}).items() if handle}
    _common(contact, checks, data, ObjectType.CONTACT, errors)
    children = _contact_children(contact, checks, data, errors)
    if not (contact.first_name or contact.last_name or contact.primary_email or contact.primary_phone):
        errors.setdefault("last_name", "Give at least a name, an email address or a phone number.")
    _raise(errors)
    return children


def _record_change(*, actor: User, record: Account | Contact, creating: bool, changes: dict[str, Any]) -> None:
    """Audit a create or a real change, and keep the search index current once it commits."""
    if creating or changes:
        action = AuditEntry.Action.CREATE if creating else AuditEntry.Action.UPDATE
        audit.record(actor=actor, workspace=record.workspace, action=action, obj=record, changes=changes)
        reindex_after_commit(record, with_contacts="name" in changes)


def reindex_after_commit(record: Account | Contact, *, with_contacts: bool = False) -> None:
    """Search finds contacts by their accounts' names too, so an account's change reaches its people."""
    if isinstance(record, Contact):
        transaction.on_commit(partial(index_records, object_type="contact", ids=[record.pk]))
        return
    transaction.on_commit(partial(index_records, object_type="account", ids=[record.pk]))
    if with_contacts:
        contact_ids = list(AccountContact.objects.filter(account=record).values_list("contact_id", flat=True))
        transaction.on_commit(partial(index_records, object_type="contact", ids=contact_ids))


def _save_contact(*, actor: User, workspace: Workspace, contact: Contact, data: Mapping[str, Any]) -> Contact:
    creating = contact.pk is None
    before = {**_snapshot(contact, AUDITED_CONTACT_FIELDS), **_contact_children_snapshot(contact)}
    children = clean_contact(contact, RecordChecks(workspace), data)
    contact.workspace = workspace
    contact.save()
    write_contact_children(contact, workspace, children)
    after = {**_snapshot(contact, AUDITED_CONTACT_FIELDS), **_contact_children_snapshot(contact)}
    _record_change(actor=actor, record=contact, creating=creating, changes=audit.diff(before, after))
    return contact


@transaction.atomic
def contact_create(*, actor: User, workspace: Workspace, data: Mapping[str, Any]) -> Contact:
    """Add a person, with their emails, phones, accounts, tags and custom fields."""
    require(actor, workspace, Action.ADD, ObjectType.CONTACT)
    return _save_contact(actor=actor, workspace=workspace, contact=Contact(workspace=workspace, owner=actor), data=data)


@transaction.atomic
def contact_update(*, actor: User, contact: Contact, data: Mapping[str, Any]) -> Contact:
    """Change some fields of a person; fields not given stay as they are."""
    require(actor, contact.workspace, Action.CHANGE, ObjectType.CONTACT)
    return _save_contact(actor=actor, workspace=contact.workspace, contact=contact, data=data)


# --- Accounts ------------------------------------------------------------------------------------


def clean_account(account: Account, checks: RecordChecks, data: Mapping[str, Any]) -> dict[str, Any]:
    """Apply `data` to an unsaved or existing account by every rule of an account; return the children to write.

    Raises one ValidationError naming every bad field; writes nothing.
    """
    workspace = checks.workspace
    errors: dict[str, str] = {}
    _text(account, data, ACCOUNT_TEXT_FIELDS, errors)
    _choice(account, data, "size", ACCOUNT_SIZES, errors)
    if "annual_revenue" in data:
        try:
            account.annual_revenue = (
                Decimal(str(data["annual_revenue"])).quantize(Decimal("0.01")) if data["annual_revenue"] not in (None, "") else None
            )
        except InvalidOperation:
            errors["annual_revenue"] = "Enter an amount such as 1250000.00."
    if "revenue_currency" in data:
        currency = str(data["revenue_currency"] or "").upper()
        if currency and (len(currency) != 3 or not currency.isalpha()):
            errors["revenue_currency"] = "Use a three-letter currency code such as EUR."
        account.revenue_currency = currency
    if "parent_id" in data:
        _set_parent(account, workspace, data["parent_id"], errors)
    _common(account, checks, data, ObjectType.ACCOUNT, errors)
    if not account.name:
        errors["name"] = "An account needs a name."
    children: dict[str, Any] = {}
    if "domains" in data:
        children["domains"] = normalize.domains(data["domains"], errors)
        for domain in checks.domains_taken(children["domains"], account.pk):
            errors[f"domains.{children['domains'].index(domain)}"] = f"{domain} belongs to another account already."
    if "tags" in data:
        children["tags"] = normalize.tag_names(data["tags"], errors)
    _raise(errors)
    return children


def _set_parent(account: Account, workspace: Workspace, parent_id: int | None, errors: dict[str, str]) -> None:
    """A parent in the same workspace, and never the account itself or one of its descendants."""
    if parent_id is None:
        account.parent = None
        return
    parent = Account.objects.filter(workspace=workspace, pk=parent_id).first()
    if parent is None:
        errors["parent_id"] = f"No account with id {parent_id} in this workspace."
        return
    ancestor: Account | None = parent
    for _ in range(100):
        if ancestor is None:
            break
        if account.pk is not None and ancestor.pk == account.pk:
            errors["parent_id"] = "An account cannot be its own parent or ancestor."
            return
        ancestor = ancestor.parent
    account.parent = parent


def _save_account(*, actor: User, workspace: Workspace, account: Account, data: Mapping[str, Any]) -> Account:
    creating = account.pk is None
    before = {
        **_snapshot(account, AUDITED_ACCOUNT_FIELDS),
        "domains": sorted(account.domains.values_list("domain", flat=True)) if account.pk else [],
    }
    children = clean_account(account, RecordChecks(workspace), data)
    account.workspace = workspace
    account.save()
    if "domains" in children:
        account.domains.all().delete()
        AccountDomain.objects.bulk_create(
            AccountDomain(workspace=workspace, account=account, domain=domain) for domain in children["domains"]
        )
    if "tags" in children:
        set_tags(account, workspace, children["tags"])
    after = {**_snapshot(account, AUDITED_ACCOUNT_FIELDS), "domains": sorted(account.domains.values_list("domain", flat=True))}
    _record_change(actor=actor, record=account, creating=creating, changes=audit.diff(before, after))
    return account


@transaction.atomic
def account_create(*, actor: User, workspace: Workspace, data: Mapping[str, Any]) -> Account:
    """Add an organization, with its domains, parent, tags and custom fields."""
    require(actor, workspace, Action.ADD, ObjectType.ACCOUNT)
    return _save_account(actor=actor, workspace=workspace, account=Account(workspace=workspace, owner=actor), data=data)


@transaction.atomic
def account_update(*, actor: User, account: Account, data: Mapping[str, Any]) -> Account:
    """Change some fields of an organization; fields not given stay as they are."""
    require(actor, account.workspace, Action.CHANGE, ObjectType.ACCOUNT)
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
        reindex_after_commit(record, with_contacts=True)


@transaction.atomic
def record_restore(*, actor: User, record: Account | Contact) -> None:
    """Bring a soft-deleted record back."""
    require(actor, record.workspace, Action.DELETE, _object_type(record))
    if record.deleted_at is not None:
        record.deleted_at = None
        record.save(update_fields=["deleted_at", "updated_at"])
        audit.record(
            actor=actor, workspace=record.workspace, action=AuditEntry.Action.RESTORE, obj=record, changes={"deleted": [True, False]}
        )
        reindex_after_commit(record, with_contacts=True)


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


def _apply_view(view: SavedView, workspace: Workspace, data: Mapping[str, Any]) -> None:
    errors: dict[str, str] = {}
    if "name" in data:
        view.name = " ".join(str(data["name"] or "").split())
        if not view.name or len(view.name) > 120:
            errors["name"] = "A view's name has 1 to 120 characters."
    if "shared" in data:
        view.shared = bool(data["shared"])
    definitions = custom_definitions(workspace, view.object_type)
    if "filters" in data:
        try:
            view.filters = listing.clean_filters(dict(data["filters"] or {}), definitions)
        except ValidationError as error:
            errors.update({f"filters.{field}": " ".join(messages) for field, messages in error.message_dict.items()})
    if "sort" in data:
        sort = str(data["sort"] or "")
        if sort and not listing.is_sort(sort, view.object_type, definitions):
            choices = ", ".join(sorted(listing.SORTS[view.object_type]))
            errors["sort"] = f"Sort by one of: {choices}, or custom.<key> of a sortable custom field (- first for descending)."
        view.sort = sort
    if "columns" in data:
        available = listing.columns_for(view.object_type, definitions)
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
    _raise(errors)


AUDITED_VIEW_FIELDS = ["name", "shared", "filters", "sort", "columns"]


@transaction.atomic
def saved_view_create(*, actor: User, workspace: Workspace, data: Mapping[str, Any]) -> SavedView:
    """Save a list's filters, sort and columns under a name, for oneself or for the whole workspace."""
    require(actor, workspace, Action.ADD, ObjectType.SAVED_VIEW)
    object_type = data.get("object_type")
    if object_type not in listing.OBJECT_TYPES:
        raise ValidationError({"object_type": f"Choose one of: {', '.join(listing.OBJECT_TYPES)}."})
    view = SavedView(workspace=workspace, owner=actor, object_type=object_type)
    _apply_view(view, workspace, {"name": "", "filters": {}, "sort": "", "columns": [], **data})
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
    _apply_view(view, view.workspace, {key: value for key, value in data.items() if key != "object_type"})
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
