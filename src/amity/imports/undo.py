"""Putting back what an update import changed: each batch's before-images restored set-based.

A batch's before-image holds, per record it updated, the audited fields as they were and the
children (emails, phones, account links, tags, domains) of the kinds that row replaced. The
fields go back with one UPDATE per batch, the children with one DELETE and one insert per
kind, so undoing 200,000 updated contacts costs a few statements per 5,000 of them, not a
save and five queries per record.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Model

from amity.core import bulk
from amity.core.models import Workspace
from amity.customers.models import Account, AccountContact, AccountDomain, Contact, ContactEmail, ContactPhone
from amity.customers.services import tag_ids

CHILD_KEYS = ("emails", "phones", "accounts", "tags", "domains")


def restore(model: type[Account] | type[Contact], workspace: Workspace, before: Mapping[str, dict[str, Any]], now: Any) -> int:
    """Give the records of one batch their earlier fields and children back; returns how many were still there to restore."""
    if not before:
        return 0
    condition, params = bulk.any_of("id", [int(pk) for pk in before])
    found = {
        pk
        for (pk,) in bulk.select_rows(
            f"SELECT id FROM {model._meta.db_table} WHERE workspace_id = %s AND {condition}", [workspace.pk, *params]
        )
    }
    images = {int(pk): image for pk, image in before.items() if int(pk) in found}
    _restore_fields(model, images, now)
    if model is Contact:
        _restore_contact_children(workspace, images)
    else:
        _restore_rows(AccountDomain, "account_id", ["domain"], images, "domains", lambda domain: (domain,), workspace)
    _restore_tags(model, workspace, images)
    return len(images)


def _restore_fields(model: type[Model], images: dict[int, dict[str, Any]], now: Any) -> None:
    names = sorted({name for image in images.values() for name in image if name not in CHILD_KEYS})
    fields = [bulk.concrete_field(model, name) for name in names]
    converters = [bulk.converter(field) for field in fields]
    updated_at = bulk.db_datetime(now)
    rows = []
    for pk, image in sorted(images.items()):
        values = []
        for name, field, convert in zip(names, fields, converters, strict=True):
            value = image.get(name)
            value = field.to_python(value) if value is not None else None
            values.append(value if convert is None else convert(value))
        rows.append((pk, *values, updated_at))
    bulk.update_rows(model, [field.attname for field in fields] + ["updated_at"], rows)


def _restore_contact_children(workspace: Workspace, images: dict[int, dict[str, Any]]) -> None:
    _restore_rows(
        ContactEmail,
        "contact_id",
        ["address", "is_primary"],
        images,
        "emails",
        lambda email: (email["address"], email["primary"]),
        workspace,
    )
    _restore_rows(
        ContactPhone,
        "contact_id",
        ["number", "kind", "is_primary"],
        images,
        "phones",
        lambda phone: (phone["number"], phone["kind"], phone["primary"]),
        workspace,
    )
    _restore_rows(
        AccountContact,
        "contact_id",
        ["account_id", "role", "title"],
        images,
        "accounts",
        lambda link: (link["account_id"], str(link.get("role") or "")[:100], str(link.get("title") or "")[:150]),
        workspace,
    )


def _restore_rows(
    model: type[Model], owner: str, columns: list[str], images: dict[int, dict[str, Any]], key: str, shape: Any, workspace: Workspace
) -> None:
    """Replace one kind of child of every record whose image holds that kind, in one DELETE and one insert."""
    owners = sorted(pk for pk, image in images.items() if key in image)
    bulk.delete_rows(model, owner, owners)
    bulk.insert_rows(
        model, ["workspace_id", owner, *columns], [(workspace.pk, pk, *shape(child)) for pk in owners for child in images[pk][key]]
    )


def _restore_tags(model: type[Account] | type[Contact], workspace: Workspace, images: dict[int, dict[str, Any]]) -> None:
    through = model.tags.through
    owner = f"{model._meta.model_name}_id"
    owners = sorted(pk for pk, image in images.items() if "tags" in image)
    bulk.delete_rows(through, owner, owners)
    ids = tag_ids(workspace, [name for pk in owners for name in images[pk]["tags"]])
    pairs = sorted({(pk, ids[name.lower()]) for pk in owners for name in images[pk]["tags"]})
    bulk.insert_rows(through, [owner, "tag_id"], pairs)
