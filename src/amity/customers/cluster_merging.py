"""Merging a whole cluster at once: every other record of the group merged into the one chosen to stay, in one transaction.

Each step is an ordinary `merging.merge_records` (audited, undoable from the merges list, the latest first),
taking the open pair of the two records as its candidate where there is one. A field's value is chosen across
all members: it is taken at the step that merges the record it comes from, and kept at every other step.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.core.exceptions import ValidationError
from django.db import transaction

from amity.core.models import User, Workspace
from amity.customers import merging
from amity.customers.models import Account, Contact, DuplicateCandidate, Merge

CLUSTER_MAX = 20  # records merged at once at most: a larger group is not one person, it needs its pairs reviewed


def _connected(ids: Sequence[int], pairs: Sequence[tuple[int, int]]) -> set[int]:
    """The ids reachable from the first through the pairs (a group is one only when all are)."""
    reached, frontier = {ids[0]}, [ids[0]]
    while frontier:
        current = frontier.pop()
        for left, right in pairs:
            other = right if left == current else left if right == current else None
            if other is not None and other not in reached:
                reached.add(other)
                frontier.append(other)
    return reached


def _check_group(workspace: Workspace, record_type: str, survivor_id: int, merged_ids: Sequence[int]) -> list[tuple[int, int]]:
    if not merged_ids:
        raise ValidationError({"merged_ids": "Name at least one record to merge into the survivor."})
    if survivor_id in merged_ids:
        raise ValidationError({"merged_ids": f"The survivor ({survivor_id}) cannot also be merged into itself."})
    if len(set(merged_ids)) != len(merged_ids):
        raise ValidationError({"merged_ids": "Name each record once."})
    if len(merged_ids) + 1 > CLUSTER_MAX:
        raise ValidationError({"merged_ids": f"Merge at most {CLUSTER_MAX} records at once; review a larger group pair by pair."})
    ids = [survivor_id, *merged_ids]
    pairs = list(
        DuplicateCandidate.objects.filter(
            workspace=workspace, record_type=record_type, status=DuplicateCandidate.Status.OPEN, left_id__in=ids, right_id__in=ids
        ).values_list("left_id", "right_id")
    )
    apart = sorted(set(ids) - _connected(ids, pairs))
    if apart:
        raise ValidationError(
            {"merged_ids": f"{', '.join(map(str, apart))} not joined to the others by an open pair: review it on its own."}
        )
    return pairs


def _record_id(value: object) -> int | None:
    """A record id as sent: an integer, or its digits as a form posts them; None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def clean_field_choices(
    choices: Mapping[str, object], records: Mapping[int, Contact | Account], ids: Sequence[int], record_type: str
) -> dict[str, int]:
    """The record each field is taken from, checked: a choosable field (or a custom field of the group), a record of the group
    that holds it. Refuses (ValidationError naming each bad field) rather than leave a choice out or put another in its place."""
    standard = set(merging.choosable_fields(record_type))
    held = {key for record in records.values() for key in record.custom}
    listed = ", ".join(map(str, ids))
    errors: dict[str, str] = {}
    cleaned: dict[str, int] = {}
    for name, value in choices.items():
        key = name.removeprefix("custom.") if name.startswith("custom.") else None
        record_id = _record_id(value)
        if key is None and name not in standard:
            errors[name] = f"Not a field that can be chosen: pick one of {', '.join(sorted(standard))} or custom.<key>."
        elif key is not None and key not in held:
            errors[name] = f"No record of the group has the custom field {key}."
        elif record_id is None or record_id not in ids:
            errors[name] = f"Choose one of the group's records: {listed}."
        elif key is not None and key not in records[record_id].custom:
            holders = ", ".join(str(pk) for pk in ids if key in records[pk].custom)
            errors[name] = f"Record {record_id} has no value of {key} to give: choose one of {holders}."
        else:
            cleaned[name] = record_id
    if errors:
        raise ValidationError(errors)
    return cleaned


def _step_choices(choices: Mapping[str, int], merged: Contact | Account, merged_id: int) -> dict[str, str]:
    """The sides of one step: "merged" for the fields chosen from this record, "survivor" for the rest it has."""
    return {
        name: "merged" if record_id == merged_id else "survivor"
        for name, record_id in choices.items()
        if not name.startswith("custom.") or name.removeprefix("custom.") in merged.custom
    }


@transaction.atomic
def merge_cluster(
    *,
    actor: User,
    workspace: Workspace,
    record_type: str,
    survivor_id: int,
    merged_ids: Sequence[int],
    choices: Mapping[str, object] | None = None,
) -> list[Merge]:
    """Merge every record of a cluster into the survivor, with each field's value from the record chosen; all or none.

    `choices` names, per field, the record (an id, or its digits as a form posts them) whose value the survivor keeps.
    """
    if record_type not in ("contact", "account"):
        raise ValidationError({"record_type": "Choose contact or account."})
    merging.require_merge(actor, workspace, record_type)
    merged_ids = list(merged_ids)
    _check_group(workspace, record_type, survivor_id, merged_ids)
    model = merging.model_of(record_type)
    records = model.objects.filter(workspace=workspace, deleted_at__isnull=True).in_bulk([survivor_id, *merged_ids])
    gone = sorted({survivor_id, *merged_ids} - set(records))
    if gone:
        raise ValidationError({"merged_ids": f"{', '.join(map(str, gone))} deleted or merged already."})
    chosen = clean_field_choices(choices or {}, records, [survivor_id, *merged_ids], record_type)
    merges = []
    for merged_id in merged_ids:
        low, high = sorted((survivor_id, merged_id))
        candidate = DuplicateCandidate.objects.filter(
            workspace=workspace, record_type=record_type, left_id=low, right_id=high, status=DuplicateCandidate.Status.OPEN
        ).first()
        merges.append(
            merging.merge_records(
                actor=actor,
                workspace=workspace,
                record_type=record_type,
                survivor_id=survivor_id,
                merged_id=merged_id,
                choices=_step_choices(chosen, records[merged_id], merged_id),
                candidate=candidate,
            )
        )
    return merges
