"""Merging a duplicate contact or account into the one that stays, and undoing it.

Everything that points at the merged record moves to the survivor: the relations are read from
the model's `_meta.related_objects` (plus its tags), so a new foreign key is moved too, but only
once it is listed in `RELATIONS` — `merge_records` refuses to run over a relation it was never
told about, and a test compares the list with the models. A row that would break a unique
constraint on the survivor (the same account membership, the same email address, the same tag)
stays on the merged record: the survivor has it already, and undo has nothing to put back.

The merged record is soft-deleted with `merged_into_id` pointing at the survivor: its id and
external id keep resolving there, and undo brings it back. Its other open duplicate pairs follow it
to the survivor (`merge_pairs`), and undo puts them back. Each relation moves with one select and
one bulk update, whatever the number of rows.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from amity.core import audit
from amity.core.access import require
from amity.core.models import AuditEntry, User, Workspace
from amity.core.permissions import Action, ObjectType
from amity.customers import merge_pairs
from amity.customers.dedupe import services as dedupe
from amity.customers.models import Account, Contact, ContactEmail, ContactPhone, DedupeKey, DuplicateCandidate, Merge

UNDO_WINDOW = dt.timedelta(days=30)

# Every relation pointing at a contact or an account, as "app.Model.field". A new one must be added here
# (tests/customers/test_merging.py fails until it is), so that a merge never leaves rows on the merged record.
RELATIONS: dict[str, frozenset[str]] = {
    "contact": frozenset(
        {
            "customers.ContactEmail.contact",
            "customers.ContactPhone.contact",
            "customers.Address.contact",
            "customers.AccountContact.contact",
            "customers.ConsentEvent.contact",
            "activities.Interaction.contacts",
            "activities.Note.contact",
            "activities.Task.contact",
            "sales.OpportunityContact.contact",
            "sales.Lead.converted_contact",
            "sales.Quote.contact",
            "orders.SalesOrder.contact",
            "orders.Invoice.contact",
            "service.Case.contact",
            "service.PortalAccess.contact",
            "customers.Contact.tags",
        }
    ),
    "account": frozenset(
        {
            "customers.Account.parent",
            "customers.AccountDomain.account",
            "customers.Address.account",
            "customers.AccountContact.account",
            "activities.Interaction.accounts",
            "activities.Note.account",
            "activities.Task.account",
            "catalog.PriceBook.account",
            "sales.Opportunity.account",
            "sales.Lead.converted_account",
            "sales.Quote.account",
            "orders.SalesOrder.account",
            "orders.Invoice.account",
            "service.Case.account",
            "customers.Account.tags",
        }
    ),
}

# What each relation is called where people see what moved (the review page, the merges list).
RELATION_NAMES: dict[str, str] = {
    "customers.ContactEmail.contact": "email addresses",
    "customers.ContactPhone.contact": "phone numbers",
    "customers.Address.contact": "addresses",
    "customers.AccountContact.contact": "account memberships",
    "customers.ConsentEvent.contact": "consent records",
    "activities.Interaction.contacts": "interactions",
    "activities.Note.contact": "notes",
    "activities.Task.contact": "tasks",
    "sales.OpportunityContact.contact": "deals",
    "sales.Lead.converted_contact": "converted leads",
    "sales.Quote.contact": "quotes",
    "orders.SalesOrder.contact": "orders",
    "orders.Invoice.contact": "invoices",
    "service.Case.contact": "cases",
    "service.PortalAccess.contact": "portal access",
    "customers.Contact.tags": "tags",
    "customers.Account.parent": "child accounts",
    "customers.AccountDomain.account": "web domains",
    "customers.Address.account": "addresses",
    "customers.AccountContact.account": "people",
    "activities.Interaction.accounts": "interactions",
    "activities.Note.account": "notes",
    "activities.Task.account": "tasks",
    "catalog.PriceBook.account": "price books",
    "sales.Opportunity.account": "deals",
    "sales.Lead.converted_account": "converted leads",
    "sales.Quote.account": "quotes",
    "orders.SalesOrder.account": "orders",
    "orders.Invoice.account": "invoices",
    "service.Case.account": "cases",
    "customers.Account.tags": "tags",
}

RELATION_SINGULARS = {
    "addresses": "address",
    "email addresses": "email address",
    "portal access": "portal access",
    "people": "person",
    "web domains": "web domain",
}

# Rows the survivor has already in all but id, beyond the models' own unique constraints: the same address twice is one.
SAME_ROW_FIELDS: dict[type[models.Model], tuple[str, ...]] = {ContactEmail: ("address",), ContactPhone: ("number",)}

CONTACT_FIELDS = (
    "first_name",
    "last_name",
    "title",
    "lifecycle_stage",
    "source",
    "preferred_channel",
    "language",
    "time_zone",
    "owner_id",
    "team_id",
)
ACCOUNT_FIELDS = ("name", "industry", "size", "annual_revenue", "revenue_currency", "lifecycle_stage", "source", "owner_id", "team_id")


@dataclass(frozen=True)
class Link:
    """One way rows point at a record: `model.field` is a foreign key to it (for a many-to-many, on the through table)."""

    label: str
    model: type[models.Model]
    field: str

    @property
    def column(self) -> str:
        return f"{self.field}_id"


def model_of(record_type: str) -> type[Contact] | type[Account]:
    return Contact if record_type == "contact" else Account


def links(record_type: str) -> list[Link]:
    """The rows to move, found from the model: foreign keys to it, many-to-many through tables, and its own tags."""
    model = model_of(record_type)
    found: list[Link] = []
    for relation in model._meta.related_objects:
        related: type[models.Model] = relation.related_model  # type: ignore[assignment]  # resolved once the apps are loaded
        label = f"{related._meta.label}.{relation.field.name}"
        if relation.many_to_many:
            through: type[models.Model] = relation.through  # type: ignore[attr-defined]
            if not through._meta.auto_created:
                continue  # an explicit through model (AccountContact, OpportunityContact) is a foreign key of its own
            fk = next(f for f in through._meta.fields if f.is_relation and f.related_model is model)
            found.append(Link(label, through, fk.name))
        else:
            found.append(Link(label, related, relation.field.name))
    tags_through: type[models.Model] = model._meta.get_field("tags").remote_field.through  # type: ignore[assignment]
    fk = next(f for f in tags_through._meta.fields if f.is_relation and f.related_model is model)
    found.append(Link(f"{model._meta.label}.tags", tags_through, fk.name))
    return found


def unknown_relations(record_type: str) -> set[str]:
    return {link.label for link in links(record_type)} - RELATIONS[record_type]


def _attname(model: type[models.Model], name: str) -> str:
    return str(model._meta.get_field(name).attname)  # type: ignore[union-attr]


def _same_row_fields(link: Link) -> list[tuple[str, ...]]:
    """Field sets (without the record's own) that must not repeat for one record: unique constraints that include it."""
    sets: list[tuple[str, ...]] = []
    for constraint in link.model._meta.constraints:
        fields = getattr(constraint, "fields", ())
        if isinstance(constraint, models.UniqueConstraint) and link.field in fields:
            sets.append(tuple(_attname(link.model, f) for f in fields if f not in (link.field, "workspace")))
    for together in link.model._meta.unique_together:
        if link.field in together:
            sets.append(tuple(_attname(link.model, f) for f in together if f != link.field))
    if link.model in SAME_ROW_FIELDS:
        sets.append(SAME_ROW_FIELDS[link.model])
    return sets


def _taken(manager: Any, link: Link, survivor_id: int, fields: tuple[str, ...]) -> set[tuple[Any, ...]]:
    """The values of `fields` the survivor's rows have; for a one-per-record constraint (no fields), {()} if it has a row."""
    survivors_rows = manager.filter(**{link.column: survivor_id})
    if not fields:
        return {()} if survivors_rows.exists() else set()
    return set(survivors_rows.values_list(*fields))


def _movable(link: Link, merged_id: int, survivor_id: int) -> list[int]:
    """The ids of this relation's rows a merge moves: the merged record's, less those the survivor has already (one query, plus one per unique field set)."""
    manager = link.model._default_manager
    rows = manager.filter(**{link.column: merged_id})
    if link.model is Account and link.field == "parent":
        rows = rows.exclude(pk=survivor_id)  # the survivor does not become its own parent
    conflicts = _same_row_fields(link)
    if not conflicts:
        ids = list(rows.values_list("pk", flat=True))
    else:
        wanted = [f for fields in conflicts for f in fields]
        candidates = list(rows.values("pk", *wanted))
        taken = {fields: _taken(manager, link, survivor_id, fields) for fields in conflicts}
        ids = [row["pk"] for row in candidates if not any(tuple(row[f] for f in fields) in taken[fields] for fields in conflicts)]
    return ids


def _move(link: Link, merged_id: int, survivor_id: int) -> list[int]:
    """Point this relation's movable rows from the merged record to the survivor."""
    ids = _movable(link, merged_id, survivor_id)
    if ids:
        link.model._default_manager.filter(pk__in=ids).update(**{link.column: survivor_id})
    return ids


def moves_preview(record_type: str, survivor_id: int, merged_id: int) -> dict[str, int]:
    """How many rows of each relation a merge of these two would move to the survivor (the same rule as the merge), none moved."""
    return {link.label: len(ids) for link in links(record_type) if (ids := _movable(link, merged_id, survivor_id))}


def relation_name(label: str) -> str:
    """A relation's label ("activities.Note.contact") in words for a person: "notes"."""
    return RELATION_NAMES.get(label, label.split(".")[1].lower())


def counted(label: str, count: int) -> str:
    """How many rows of a relation, in words: "1 note", "3 notes", "1 portal access"."""
    name = relation_name(label)
    if count == 1:
        name = RELATION_SINGULARS.get(name, name.removesuffix("s"))
    return f"{count} {name}"


def choosable_fields(record_type: str) -> tuple[str, ...]:
    """The fields a merge of this type lets a person choose the value of (custom fields aside)."""
    return _field_names(record_type)


def _field_names(record_type: str) -> tuple[str, ...]:
    return CONTACT_FIELDS if record_type == "contact" else ACCOUNT_FIELDS


def field_names(record: Contact | Account) -> tuple[str, ...]:
    """The fields a merge lets a person choose the value of (custom fields aside)."""
    return _field_names("contact" if isinstance(record, Contact) else "account")


def _empty(value: Any) -> bool:
    return value in (None, "", [], {})


def proposed_choices(survivor: Contact | Account, merged: Contact | Account) -> dict[str, str]:
    """The sides proposed when nobody chooses: the survivor's value, or the merged record's where the survivor has none."""
    choices = {
        name: "merged" if _empty(getattr(survivor, name)) and not _empty(getattr(merged, name)) else "survivor"
        for name in field_names(survivor)
    }
    for key in survivor.custom.keys() & merged.custom.keys():
        choices[f"custom.{key}"] = "merged" if _empty(survivor.custom[key]) and not _empty(merged.custom[key]) else "survivor"
    return choices


SAME_MOMENT = dt.timedelta(minutes=1)


def default_survivor(*, workspace: Workspace, record_type: str, ids: tuple[int, int]) -> int:
    """The record that stays when nobody chooses: the older; of two created within a minute (one import), the more complete."""
    model = model_of(record_type)
    names = _field_names(record_type)
    rows = list(model.objects.filter(workspace=workspace, pk__in=ids).values("pk", "created_at", "custom", *names))
    if len(rows) < 2:
        return min(ids)

    def filled(row: dict[str, Any]) -> int:
        return sum(row[name] not in (None, "") for name in names) + sum(value not in (None, "", []) for value in row["custom"].values())

    first, second = sorted(rows, key=lambda row: (row["created_at"], row["pk"]))
    if second["created_at"] - first["created_at"] < SAME_MOMENT and filled(second) > filled(first):
        return int(second["pk"])
    return int(first["pk"])


def _clean_choices(record_type: str, choices: Mapping[str, str], merged: Contact | Account) -> dict[str, str]:
    """Check the chosen sides: each key a field (or custom.<key>), each value "survivor" or "merged"."""
    allowed = set(_field_names(record_type)) | {f"custom.{key}" for key in merged.custom}
    errors: dict[str, str] = {}
    for name, side in choices.items():
        if name not in allowed:
            errors[name] = f"Not a field that can be chosen: pick one of {', '.join(sorted(allowed))}."
        elif side not in ("survivor", "merged"):
            errors[name] = 'Choose "survivor" or "merged".'
    if errors:
        raise ValidationError(errors)
    return dict(choices)


def _take_values(survivor: Contact | Account, merged: Contact | Account, choices: Mapping[str, str]) -> dict[str, Any]:
    """Copy the merged record's values the person chose onto the survivor; return the survivor's values they replaced."""
    before: dict[str, Any] = {}
    for name, side in choices.items():
        if side != "merged":
            continue
        if name.startswith("custom."):
            key = name.removeprefix("custom.")
            before.setdefault("custom", dict(survivor.custom))
            survivor.custom = {**survivor.custom, key: merged.custom.get(key)}
        else:
            value = getattr(survivor, name)
            before[name] = str(value) if value is not None and not isinstance(value, (int, str)) else value
            setattr(survivor, name, getattr(merged, name))
    # A custom field the survivor lacks is kept from the merged record without being asked.
    missing = {key: value for key, value in merged.custom.items() if key not in survivor.custom}
    if missing:
        before.setdefault("custom", dict(survivor.custom))
        survivor.custom = {**survivor.custom, **missing}
    return before


def _primary_email(contact: Contact) -> None:
    email = ContactEmail.objects.filter(contact=contact).order_by("-is_primary", "id").values_list("address", flat=True).first()
    phone = ContactPhone.objects.filter(contact=contact).order_by("-is_primary", "id").values_list("number", flat=True).first()
    contact.primary_email, contact.primary_phone = email or "", phone or ""


def require_merge(actor: User, workspace: Workspace, record_type: str) -> None:
    """Refuse (PermissionDenied) whoever may not merge records of this type."""
    # Merging removes a record from the lists: whoever may delete a contact (or an account) may merge one into another.
    require(actor, workspace, Action.CHANGE, ObjectType.DUPLICATE)
    require(actor, workspace, Action.DELETE, ObjectType.CONTACT if record_type == "contact" else ObjectType.ACCOUNT)


def _reindex(workspace: Workspace, record_type: str, keep: int, drop: int | None) -> None:
    from amity.search.services import index_records, remove_records

    index_records(object_type=record_type, ids=[keep])
    if drop is not None:
        remove_records(workspace=workspace, object_type=record_type, ids=[drop])


@transaction.atomic
def merge_records(
    *,
    actor: User | None,
    workspace: Workspace,
    record_type: str,
    survivor_id: int,
    merged_id: int,
    choices: Mapping[str, str] | None = None,
    candidate: DuplicateCandidate | None = None,
    automatic: bool = False,
    group: uuid.UUID | None = None,
) -> Merge:
    """Merge `merged_id` into `survivor_id`: move everything linked, keep the chosen values, soft-delete the merged record; audited."""
    if actor is not None:
        require_merge(actor, workspace, record_type)
    unknown = unknown_relations(record_type)
    if unknown:
        raise RuntimeError(f"Merging does not know these relations yet: {', '.join(sorted(unknown))}.")
    if survivor_id == merged_id:
        raise ValidationError({"survivor_id": "A record cannot be merged into itself."})
    model = model_of(record_type)
    live = model.objects.select_for_update().filter(workspace=workspace, deleted_at__isnull=True)
    found = {record.pk: record for record in live.filter(pk__in=[survivor_id, merged_id])}
    if survivor_id not in found or merged_id not in found:
        raise ValidationError({"survivor_id": "Both records must exist and not be deleted or merged already."})
    survivor, merged = found[survivor_id], found[merged_id]
    updated_before = survivor.updated_at
    before = _take_values(survivor, merged, _clean_choices(record_type, choices or {}, merged))
    moved = {link.label: ids for link in links(record_type) if (ids := _move(link, merged_id, survivor_id))}
    if isinstance(survivor, Contact):
        before |= {"primary_email": survivor.primary_email, "primary_phone": survivor.primary_phone}
        _primary_email(survivor)
    survivor.save()
    merged.deleted_at = timezone.now()
    merged.merged_into_id = survivor_id
    merged.save(update_fields=["deleted_at", "merged_into_id", "updated_at"])
    if candidate is not None:
        candidate.status = DuplicateCandidate.Status.MERGED
        candidate.decided_by, candidate.decided_at = actor, timezone.now()
        candidate.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    pairs = merge_pairs.carry_pairs(workspace, record_type, survivor_id, merged_id, actor)
    merge = Merge.objects.create(
        workspace=workspace,
        record_type=record_type,
        survivor_id=survivor_id,
        merged_id=merged_id,
        merged_name=str(merged)[:300],
        candidate=candidate,
        moved=moved,
        survivor_before=before,
        pairs=pairs,
        survivor_updated_at=survivor.updated_at,
        survivor_updated_before=updated_before,
        automatic=automatic,
        group=group,
        merged_by=actor,
    )
    DedupeKey.objects.filter(workspace=workspace, record_type=record_type, record_id=merged_id).delete()
    dedupe.index_records(workspace_id=workspace.pk, record_type=record_type, ids=[survivor_id])
    counts = {label: len(ids) for label, ids in moved.items()}
    audit.record(
        actor=actor,
        workspace=workspace,
        action=AuditEntry.Action.MERGE,
        obj=survivor,
        changes={"merged": [merged_id, survivor_id], "moved": counts},
    )
    audit.record(
        actor=actor, workspace=workspace, action=AuditEntry.Action.DELETE, obj=merged, changes={"merged_into": [None, survivor_id]}
    )
    transaction.on_commit(partial(_reindex, workspace, record_type, survivor_id, merged_id))
    return merge


def merge_candidate(*, actor: User, candidate: DuplicateCandidate, survivor_id: int, choices: Mapping[str, str] | None = None) -> Merge:
    """Merge a candidate pair: the survivor is one of its two records, the other is merged into it."""
    if candidate.status != DuplicateCandidate.Status.OPEN:
        raise ValidationError({"status": f"This pair is {candidate.status} already."})
    if survivor_id not in (candidate.left_id, candidate.right_id):
        raise ValidationError({"survivor_id": f"Choose {candidate.left_id} or {candidate.right_id}: the survivor is one of the pair."})
    merged_id = candidate.right_id if survivor_id == candidate.left_id else candidate.left_id
    return merge_records(
        actor=actor,
        workspace=candidate.workspace,
        record_type=candidate.record_type,
        survivor_id=survivor_id,
        merged_id=merged_id,
        choices=choices,
        candidate=candidate,
    )


def why_not_undoable(merge: Merge, now: dt.datetime | None = None) -> str | None:
    """Why this merge cannot be undone, in words for the person asking; None when it can."""
    return undo_blockers([merge], now)[merge.pk]


def undo_blockers(merges: Sequence[Merge], now: dt.datetime | None = None) -> dict[int, str | None]:
    """Why each merge cannot be undone (None when it can), for a page of merges in three queries per record type."""
    now = now or timezone.now()
    reasons: dict[int, str | None] = {}
    pending: list[Merge] = []
    for merge in merges:
        if merge.undone_at is not None:
            reasons[merge.pk] = "This merge was undone already."
        elif now - merge.created_at > UNDO_WINDOW:
            reasons[merge.pk] = f"A merge can be undone for {UNDO_WINDOW.days} days; this one is older."
        else:
            pending.append(merge)
    for record_type in {merge.record_type for merge in pending}:
        of_type = [merge for merge in pending if merge.record_type == record_type]
        reasons |= _undo_blockers_of_type(record_type, of_type)
    return reasons


def _undo_blockers_of_type(record_type: str, merges: list[Merge]) -> dict[int, str | None]:
    model = model_of(record_type)
    workspace_ids = {merge.workspace_id for merge in merges}
    survivor_ids = {merge.survivor_id for merge in merges}
    survivors = {
        row["pk"]: row
        for row in model.objects.filter(workspace_id__in=workspace_ids, pk__in=survivor_ids).values("pk", "updated_at", "deleted_at")
    }
    merged_into = dict(
        model.objects.filter(workspace_id__in=workspace_ids, pk__in={merge.merged_id for merge in merges}).values_list(
            "pk", "merged_into_id"
        )
    )
    merged_since = set(
        Merge.objects.filter(
            workspace_id__in=workspace_ids, record_type=record_type, merged_id__in=survivor_ids, undone_at__isnull=True
        ).values_list("pk", "merged_id")
    )
    reasons: dict[int, str | None] = {}
    for merge in merges:
        survivor = survivors.get(merge.survivor_id)
        if survivor is None or survivor["deleted_at"] is not None:
            reasons[merge.pk] = "The record that stayed has been deleted since."
        elif survivor["updated_at"] != merge.survivor_updated_at:
            reasons[merge.pk] = "The record that stayed was changed after the merge; undoing would lose or mix up those changes."
        elif merged_into.get(merge.merged_id) != merge.survivor_id:
            reasons[merge.pk] = "The merged record no longer exists (it was purged from the bin)."
        elif any(merged_id == merge.survivor_id and pk != merge.pk for pk, merged_id in merged_since):
            reasons[merge.pk] = "The record that stayed was merged into another one since; undo that merge first."
        else:
            reasons[merge.pk] = None
    return reasons


@transaction.atomic
def undo_merge(*, actor: User, merge: Merge) -> Merge:
    """Bring the merged record back and move back exactly what the merge moved; refuse (ValidationError) when that is no longer exact."""
    merge = Merge.objects.select_for_update().get(pk=merge.pk)
    require_merge(actor, merge.workspace, merge.record_type)
    reason = why_not_undoable(merge)
    if reason:
        raise ValidationError({"merge": reason})
    by_label = {link.label: link for link in links(merge.record_type)}
    for label, ids in merge.moved.items():
        link = by_label[label]
        link.model._default_manager.filter(pk__in=ids, **{link.column: merge.survivor_id}).update(**{link.column: merge.merged_id})
    model = model_of(merge.record_type)
    survivor = model.objects.get(pk=merge.survivor_id)
    for name, value in merge.survivor_before.items():
        setattr(survivor, name, value)
    survivor.save()
    if merge.survivor_updated_before is not None:
        # Back as it was before the merge, last change included: the merge before this one (a cluster's) can be undone next.
        model.objects.filter(pk=survivor.pk).update(updated_at=merge.survivor_updated_before)
    model.objects.filter(pk=merge.merged_id).update(deleted_at=None, merged_into_id=None, updated_at=timezone.now())
    if merge.candidate_id:
        DuplicateCandidate.objects.filter(pk=merge.candidate_id).update(
            status=DuplicateCandidate.Status.OPEN, decided_by=None, decided_at=None
        )
    merge_pairs.restore_pairs(merge)
    merge.undone_at, merge.undone_by = timezone.now(), actor
    merge.save(update_fields=["undone_at", "undone_by"])
    dedupe.index_records(workspace_id=merge.workspace_id, record_type=merge.record_type, ids=[merge.survivor_id, merge.merged_id])
    merged = model.objects.get(pk=merge.merged_id)
    audit.record(
        actor=actor,
        workspace=merge.workspace,
        action=AuditEntry.Action.RESTORE,
        obj=merged,
        changes={"unmerged_from": [merge.survivor_id, None]},
    )
    transaction.on_commit(partial(_reindex, merge.workspace, merge.record_type, merge.survivor_id, None))
    transaction.on_commit(partial(_reindex, merge.workspace, merge.record_type, merge.merged_id, None))
    return merge


def resolve_id(model: type[Contact] | type[Account], workspace_id: int, pk: int) -> int | None:
    """The record an old id stands for now: follows merges (a chain of them, too); None when the id is not a merged record."""
    seen: set[int] = set()
    current = pk
    while current not in seen:
        seen.add(current)
        target = model.objects.filter(workspace_id=workspace_id, pk=current).values_list("merged_into_id", flat=True).first()
        if target is None:
            return current if current != pk else None
        current = target
    return None
