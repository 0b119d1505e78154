"""Reads of accounts and contacts: workspace-scoped, role-filtered, with everything a list shows prefetched."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Prefetch

from amity.core.access import allowed, hidden_fields, require, role_of, visible
from amity.core.custom_field_queries import is_sortable, parse_filters, sort_key
from amity.core.models import FieldDefinition, User, Workspace
from amity.core.ordering import SortKey
from amity.core.permissions import SENSITIVE_CUSTOM_TYPES, Action, ObjectType, Scope, denies_sensitive_custom, visibility
from amity.core.tenancy import get_scoped_or_404
from amity.customers.models import (
    Account,
    AccountContact,
    AccountDomain,
    Address,
    ConsentEvent,
    Contact,
    ContactEmail,
    ContactPhone,
    SavedView,
    Tag,
)

CONTACT_SORTS = {
    "name": ("last_name", "first_name", "id"),
    "-name": ("-last_name", "-first_name", "-id"),
    "email": ("primary_email", "id"),
    "-email": ("-primary_email", "-id"),
    "created_at": ("created_at", "id"),
    "-created_at": ("-created_at", "-id"),
    "updated_at": ("updated_at", "id"),
    "-updated_at": ("-updated_at", "-id"),
}
ACCOUNT_SORTS = {
    "name": ("name", "id"),
    "-name": ("-name", "-id"),
    "created_at": ("created_at", "id"),
    "-created_at": ("-created_at", "-id"),
    "updated_at": ("updated_at", "id"),
    "-updated_at": ("-updated_at", "-id"),
}


@dataclass(frozen=True)
class CustomerFilter:
    """What a list of accounts or contacts can be narrowed by.

    `custom` maps `<key>` or `<key>__gte` / `__lte` / `__contains` to the wanted value (see `core.custom_field_queries`).
    """

    owner_id: int | None = None
    team_id: int | None = None
    lifecycle_stage: str | None = None
    source: str | None = None
    tag: str | None = None
    external_id: str | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None
    updated_after: datetime | None = None
    account_id: int | None = None
    email: str | None = None
    domain: str | None = None
    deleted: bool = False
    custom: dict[str, str] = field(default_factory=dict)


def _custom_conditions(workspace: Workspace, object_type: str, wanted: dict[str, str]) -> list[Any]:
    definitions = FieldDefinition.objects.filter(workspace=workspace, object_type=object_type)
    return [
        custom_filter.condition() for custom_filter in parse_filters(definitions, {f"custom.{name}": raw for name, raw in wanted.items()})
    ]


def record_ordering(*, object_type: str, sort: str, definitions: Iterable[FieldDefinition]) -> Sequence[str | SortKey]:
    """The total ordering of a list for a `sort` parameter: a standard one (`-created_at`) or `custom.<key>` / `-custom.<key>`."""
    standard = CONTACT_SORTS if object_type == ObjectType.CONTACT else ACCOUNT_SORTS
    if sort in standard:
        return standard[sort]
    descending = sort.startswith("-")
    key = sort.removeprefix("-").removeprefix("custom.") if sort.removeprefix("-").startswith("custom.") else None
    definition = next((d for d in definitions if d.key == key and is_sortable(d)), None) if key else None
    if definition is None:
        raise ValidationError({"sort": f"Sort by one of: {', '.join(sorted(standard))}, or custom.<key> (- first for descending)."})
    return (sort_key(definition, descending=descending), "-id" if descending else "id")


def refuse_hidden_criteria(actor: User, workspace: Workspace, object_type: str, *, filters: Iterable[str] = (), sort: str = "") -> None:
    """A list is neither filtered nor sorted by a field hidden from the actor (the rows would tell its values); one error names each."""
    hidden = hidden_fields(actor, workspace, object_type)
    if not hidden:
        return
    errors = {
        name: f"Your role may not see {name.partition('__')[0]}, so it cannot filter this list."
        for name in filters
        if name.partition("__")[0] in hidden
    }
    if sort.removeprefix("-") in hidden:
        errors["sort"] = f"Your role may not see {sort.removeprefix('-')}, so it cannot sort this list."
    if errors:
        raise ValidationError(errors)


def record_ordering_for(*, actor: User, workspace: Workspace, object_type: str, sort: str) -> Sequence[str | SortKey]:
    """`record_ordering` with the workspace's custom fields, fetched only when the sort names one (never one hidden from the actor)."""
    refuse_hidden_criteria(actor, workspace, object_type, sort=sort)
    definitions: Iterable[FieldDefinition] = []
    if sort.removeprefix("-").startswith("custom."):
        definitions = FieldDefinition.objects.filter(workspace=workspace, object_type=object_type)
    return record_ordering(object_type=object_type, sort=sort, definitions=definitions)


def _filtered(records: models.QuerySet[Any], workspace: Workspace, object_type: str, filters: CustomerFilter) -> models.QuerySet[Any]:
    lookups = {
        "owner_id": filters.owner_id,
        "team_id": filters.team_id,
        "lifecycle_stage": filters.lifecycle_stage,
        "source": filters.source,
        "tags__name": filters.tag,
        "external_id": filters.external_id,
        "created_at__gte": filters.created_after,
        "created_at__lt": filters.created_before,
        "updated_at__gte": filters.updated_after,
    }
    records = records.filter(**{key: value for key, value in lookups.items() if value not in (None, "")})
    records = records.filter(deleted_at__isnull=not filters.deleted)
    if filters.custom:
        records = records.filter(*_custom_conditions(workspace, object_type, filters.custom))
    return records


def _deleted_allowed(actor: User, workspace: Workspace, object_type: ObjectType, filters: CustomerFilter) -> None:
    if filters.deleted and not allowed(actor, workspace, Action.DELETE, object_type):
        raise ValidationError({"deleted": "Only those who may delete records can see the deleted ones."})


def contact_list(*, actor: User, workspace: Workspace, filters: CustomerFilter | None = None) -> models.QuerySet[Contact]:
    """Contacts the actor may see, with emails, phones, tags and accounts prefetched (a fixed number of queries)."""
    filters = filters or CustomerFilter()
    _deleted_allowed(actor, workspace, ObjectType.CONTACT, filters)
    refuse_hidden_criteria(actor, workspace, ObjectType.CONTACT, filters=[f"custom.{name}" for name in filters.custom])
    contacts = _filtered(
        visible(Contact.objects.all(), actor=actor, workspace=workspace, object_type=ObjectType.CONTACT),
        workspace,
        ObjectType.CONTACT,
        filters,
    )
    if filters.account_id:
        contacts = contacts.filter(account_contacts__account_id=filters.account_id)
    if filters.email:
        contacts = contacts.filter(
            pk__in=ContactEmail.objects.filter(workspace=workspace, address=filters.email.strip().lower()).values("contact_id")
        )
    if filters.deleted:
        contacts = _with_erased(contacts, workspace)
    return _with_contact_details(contacts, as_lists=True)


def _with_erased(contacts: models.QuerySet[Contact], workspace: Workspace) -> models.QuerySet[Contact]:
    """Mark (`erased`) the binned contacts erased on request: the bin shows them as erased and offers no restore."""
    from amity.customers.privacy.selectors import erased_contacts  # the privacy reads import this module's models

    return contacts.annotate(erased=models.Exists(erased_contacts(workspace).filter(contact_id=models.OuterRef("pk"))))


LISTED = "listed_"


def _with_contact_details(contacts: models.QuerySet[Contact], *, as_lists: bool = False) -> models.QuerySet[Contact]:
    """Prefetch what a contact shows; `as_lists` keeps them as plain lists (`listed_emails`, …), see `related`."""

    def into(name: str) -> str | None:
        return f"{LISTED}{name}" if as_lists else None

    return contacts.prefetch_related(  # type: ignore[type-var]  # django-stubs cannot type a mix of Prefetch objects
        Prefetch("emails", queryset=ContactEmail._default_manager.order_by("-is_primary", "id"), to_attr=into("emails")),
        Prefetch("phones", queryset=ContactPhone._default_manager.order_by("-is_primary", "id"), to_attr=into("phones")),
        Prefetch(
            "account_contacts",
            queryset=AccountContact._default_manager.select_related("account").order_by("id"),
            to_attr=into("account_contacts"),
        ),
        Prefetch("tags", to_attr=into("tags")),
    )


def related(record: Any, name: str) -> list[Any]:
    """A record's related rows (`emails`, `tags`, …) as a list: the ones a list prefetched, else the manager's.

    Lists prefetch into plain lists: Django gives each record of a page its own filtered queryset for every
    prefetched relation otherwise, which at 50 rows and 4 relations costs more than the queries themselves.
    """
    listed = getattr(record, f"{LISTED}{name}", None)
    return listed if listed is not None else list(getattr(record, name).all())


@dataclass(frozen=True)
class ListedDetails:
    """What a page of a list shows of each record's related rows, as plain values keyed by the record's id."""

    emails: dict[int, list[tuple[str, bool]]] = field(default_factory=dict)
    phones: dict[int, list[tuple[str, str, bool]]] = field(default_factory=dict)
    accounts: dict[int, list[tuple[int, str, str, str]]] = field(default_factory=dict)
    domains: dict[int, list[str]] = field(default_factory=dict)
    tags: dict[int, list[str]] = field(default_factory=dict)
    addresses: dict[int, list[dict[str, Any]]] = field(default_factory=dict)


def _grouped(rows: Iterable[tuple[Any, ...]]) -> dict[int, list[Any]]:
    """(owner id, value…) rows as {owner id: [value or (values…), …]} in the order they came."""
    grouped: dict[int, list[Any]] = {}
    for owner_id, *values in rows:
        grouped.setdefault(owner_id, []).append(values[0] if len(values) == 1 else tuple(values))
    return grouped


def contact_list_details(contacts: Sequence[Contact]) -> ListedDetails:
    """Emails, phones, accounts and tags of a page of contacts, read as values in four queries.

    A list page reads them as values rather than prefetched instances: building some 200 related model
    instances per page and walking them through the API's schema cost more than the page's SQL.
    """
    ids = [contact.pk for contact in contacts]
    if not ids:
        return ListedDetails()
    emails = ContactEmail._default_manager.filter(contact_id__in=ids).order_by("-is_primary", "id")
    phones = ContactPhone._default_manager.filter(contact_id__in=ids).order_by("-is_primary", "id")
    links = AccountContact._default_manager.filter(contact_id__in=ids).order_by("id")
    tags = Contact.tags.through._default_manager.filter(contact_id__in=ids)
    return ListedDetails(
        emails=_grouped(emails.values_list("contact_id", "address", "is_primary")),
        phones=_grouped(phones.values_list("contact_id", "number", "kind", "is_primary")),
        accounts=_grouped(links.values_list("contact_id", "account_id", "account__name", "role", "title")),
        tags=_grouped(tags.values_list("contact_id", "tag__name")),
        addresses=_addresses_of("contact_id", ids),
    )


ADDRESS_FIELDS = ("kind", "street", "city", "region", "postcode", "country", "latitude", "longitude")


def _addresses_of(owner: str, ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """The addresses of a page's records, as the API shows them (coordinates as numbers)."""
    grouped: dict[int, list[dict[str, Any]]] = {}
    for row in Address._default_manager.filter(**{f"{owner}__in": ids}).order_by("id").values(owner, *ADDRESS_FIELDS):
        for coordinate in ("latitude", "longitude"):
            row[coordinate] = None if row[coordinate] is None else float(row[coordinate])
        grouped.setdefault(row.pop(owner), []).append(row)
    return grouped


def account_list_details(accounts: Sequence[Account]) -> ListedDetails:
    """Domains and tags of a page of accounts, read as values in two queries (see `contact_list_details`)."""
    ids = [account.pk for account in accounts]
    if not ids:
        return ListedDetails()
    domains = AccountDomain._default_manager.filter(account_id__in=ids).order_by("id")
    tags = Account.tags.through._default_manager.filter(account_id__in=ids)
    return ListedDetails(
        domains=_grouped(domains.values_list("account_id", "domain")),
        tags=_grouped(tags.values_list("account_id", "tag__name")),
        addresses=_addresses_of("account_id", ids),
    )


ADDRESSES_IN_ORDER = Prefetch("addresses", queryset=Address._default_manager.order_by("id"))


def _scoped(actor: User, workspace: Workspace, model: type[Any], *, include_deleted: bool = False) -> models.QuerySet[Any]:
    object_type = ObjectType.ACCOUNT if model is Account else ObjectType.CONTACT
    records = visible(model.objects.all(), actor=actor, workspace=workspace, object_type=object_type)
    return records if include_deleted else records.filter(deleted_at__isnull=True)


def contact_get(*, actor: User, workspace: Workspace, pk: int, include_deleted: bool = False) -> Contact:
    contacts = _scoped(actor, workspace, Contact, include_deleted=include_deleted)
    return get_scoped_or_404(_with_contact_details(contacts).prefetch_related(ADDRESSES_IN_ORDER), pk=pk)


def account_list(*, actor: User, workspace: Workspace, filters: CustomerFilter | None = None) -> models.QuerySet[Account]:
    """Accounts the actor may see, with domains, tags and parent prefetched."""
    filters = filters or CustomerFilter()
    _deleted_allowed(actor, workspace, ObjectType.ACCOUNT, filters)
    refuse_hidden_criteria(actor, workspace, ObjectType.ACCOUNT, filters=[f"custom.{name}" for name in filters.custom])
    accounts = _filtered(
        visible(Account.objects.all(), actor=actor, workspace=workspace, object_type=ObjectType.ACCOUNT),
        workspace,
        ObjectType.ACCOUNT,
        filters,
    )
    if filters.domain:
        accounts = accounts.filter(domains__domain=filters.domain.strip().lower())
    return accounts.select_related("parent").prefetch_related(
        Prefetch("domains", to_attr=f"{LISTED}domains"), Prefetch("tags", to_attr=f"{LISTED}tags")
    )


def account_get(*, actor: User, workspace: Workspace, pk: int, include_deleted: bool = False) -> Account:
    accounts = _scoped(actor, workspace, Account, include_deleted=include_deleted)
    return get_scoped_or_404(accounts.select_related("parent").prefetch_related("domains", "tags", ADDRESSES_IN_ORDER), pk=pk)


# --- A record's own page --------------------------------------------------------------------------------

ADDRESSES = Prefetch("addresses", queryset=Address._default_manager.order_by("kind", "id"))


def contact_profile(*, actor: User, workspace: Workspace, pk: int, include_deleted: bool = False) -> Contact:
    """A contact with everything their page shows (owner, team, emails, phones, accounts, tags, addresses, consent) prefetched."""
    contacts = _with_contact_details(_scoped(actor, workspace, Contact, include_deleted=include_deleted).select_related("owner", "team"))
    consent = Prefetch("consent_events", queryset=ConsentEvent._default_manager.order_by("channel", "purpose", "-occurred_at", "-id"))
    return get_scoped_or_404(contacts.prefetch_related(ADDRESSES, consent), pk=pk)  # type: ignore[type-var]  # a mix of Prefetch objects


def account_profile(*, actor: User, workspace: Workspace, pk: int, include_deleted: bool = False) -> Account:
    """An account with everything its page shows (owner, team, parent, domains, tags, addresses) prefetched."""
    accounts = _scoped(actor, workspace, Account, include_deleted=include_deleted).select_related("parent", "owner", "team")
    return get_scoped_or_404(accounts.prefetch_related("domains", "tags", ADDRESSES), pk=pk)


@dataclass(frozen=True)
class ConsentHistory:
    """The consent log of one channel and purpose, newest first; the current consent is its latest entry."""

    channel: str
    purpose: str
    events: list[ConsentEvent]

    @property
    def current(self) -> ConsentEvent:
        return self.events[0]


def consent_history(contact: Contact) -> list[ConsentHistory]:
    """The contact's consent log per channel and purpose, each newest first (by when it happened, then by entry).

    Reads the events `contact_profile` prefetched (in that order), else asks for them.
    """
    prefetched = getattr(contact, "_prefetched_objects_cache", {}).get("consent_events")
    events = prefetched if prefetched is not None else contact.consent_events.order_by("channel", "purpose", "-occurred_at", "-id")
    groups: dict[tuple[str, str], list[ConsentEvent]] = {}
    for event in events:
        groups.setdefault((event.channel, event.purpose), []).append(event)
    return [ConsentHistory(channel, purpose, log) for (channel, purpose), log in groups.items()]


def current_consent(contact: Contact) -> list[ConsentEvent]:
    """The latest consent event per channel and purpose: what the contact agreed to now."""
    return [history.current for history in consent_history(contact)]


def consent_event_get(*, contact: Contact, pk: int) -> ConsentEvent:
    """One entry of the contact's consent log (the contact was fetched through `contact_get`); any other is a 404."""
    return get_scoped_or_404(contact.consent_events.select_related("recorded_by"), pk=pk)


def consent_events(*, contact: Contact, limit: int) -> list[ConsentEvent]:
    """The contact's consent log, newest first (the contact was fetched through `contact_get`)."""
    return list(contact.consent_events.order_by("-occurred_at", "-id")[:limit])


def account_people(*, actor: User, workspace: Workspace, account: Account, limit: int) -> tuple[list[AccountContact], int]:
    """The first `limit` people who work at an account, by name, with their role there, and how many there are."""
    links = AccountContact.objects.filter(workspace=workspace, account=account, contact__in=_scoped(actor, workspace, Contact))
    people = links.select_related("contact").order_by("contact__last_name", "contact__first_name", "id")
    return list(people[:limit]), links.count()


def account_children(*, actor: User, workspace: Workspace, account: Account, limit: int) -> tuple[list[Account], int]:
    """The first `limit` accounts whose parent this account is, by name, and how many there are."""
    children = _scoped(actor, workspace, Account).filter(parent=account)
    return list(children.order_by("name", "id")[:limit]), children.count()


def records_by_ids(
    *, actor: User, workspace: Workspace, model: type[Account] | type[Contact], ids: list[int], deleted: bool = False
) -> list[Any]:
    """The visible records among `ids`, not deleted (or, with `deleted`, in the bin); an id that is not there is a field error."""
    scoped = _scoped(actor, workspace, model, include_deleted=deleted)
    if deleted:
        scoped = scoped.filter(deleted_at__isnull=False)
    records = list(scoped.filter(pk__in=ids).prefetch_related("tags"))
    missing = sorted(set(ids) - {record.pk for record in records})
    if missing:
        raise ValidationError({"ids": f"No {model._meta.verbose_name_plural} with ids {missing} in this workspace."})
    return records


def field_definition_list(
    *, actor: User, workspace: Workspace, object_type: str | None = None, include_archived: bool = False
) -> models.QuerySet[FieldDefinition]:
    """The custom fields forms, lists and filters show (archived ones too for the settings page and the API).

    Fields marked sensitive are left out for the roles kept from them: no door that lists fields by this offers them.
    """
    definitions = visible(FieldDefinition.objects.all(), actor=actor, workspace=workspace, object_type=ObjectType.CUSTOM_FIELD)
    role = role_of(actor, workspace)
    kept_from = [kind for kind in SENSITIVE_CUSTOM_TYPES if denies_sensitive_custom(role, kind) and object_type in (None, kind)]
    if kept_from:
        definitions = definitions.exclude(sensitive=True, object_type__in=kept_from)
    if not include_archived:
        definitions = definitions.filter(archived_at__isnull=True)
    return definitions.filter(object_type=object_type) if object_type else definitions


def field_definition_get(*, actor: User, workspace: Workspace, pk: int) -> FieldDefinition:
    return get_scoped_or_404(field_definition_list(actor=actor, workspace=workspace, include_archived=True), pk=pk)


def field_definition_usage(*, actor: User, workspace: Workspace, definitions: list[FieldDefinition]) -> dict[int, int]:
    """How many records (those in the bin too) hold a value in each of these custom fields, by field id."""
    require(actor, workspace, Action.VIEW, ObjectType.CUSTOM_FIELD)
    usage: dict[int, int] = {}
    for object_type, model in (("contact", Contact), ("account", Account)):
        keys = {d.key: d.pk for d in definitions if d.object_type == object_type}
        if keys:
            counts = model.objects.filter(workspace=workspace).aggregate(
                **{f"n{pk}": models.Count("pk", filter=models.Q(custom__has_key=key)) for key, pk in keys.items()}
            )
            usage.update({pk: counts[f"n{pk}"] for pk in keys.values()})
    return usage


def tag_names(*, actor: User, workspace: Workspace, limit: int = 200) -> list[str]:
    """The workspace's tag names, alphabetically, for pickers."""
    require(actor, workspace, Action.VIEW, ObjectType.CONTACT)
    return list(Tag.objects.filter(workspace=workspace).order_by("name").values_list("name", flat=True)[:limit])


def saved_view_list(*, actor: User, workspace: Workspace, object_type: str | None = None) -> models.QuerySet[SavedView]:
    """The views the actor may apply: their own, and those shared with the workspace (others' private views never)."""
    require(actor, workspace, Action.VIEW, ObjectType.SAVED_VIEW)
    views = SavedView.objects.filter(workspace=workspace).filter(models.Q(owner=actor) | models.Q(shared=True)).select_related("owner")
    return views.filter(object_type=object_type) if object_type else views


def saved_view_get(*, actor: User, workspace: Workspace, pk: int) -> SavedView:
    return get_scoped_or_404(saved_view_list(actor=actor, workspace=workspace), pk=pk)


def saved_view_manageable(*, actor: User, view: SavedView) -> bool:
    """Whether the actor may change or delete the view: its maker always; owners and admins when it is shared."""
    if view.owner_id == actor.pk:
        return True
    return view.shared and visibility(role_of(actor, view.workspace), ObjectType.SAVED_VIEW) == Scope.ALL
