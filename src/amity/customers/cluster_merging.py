"""Merging a whole cluster at once: every other record of the group merged into the one chosen to stay, in one transaction.

Each step is an ordinary `merging.merge_records` (audited, undoable from the merges list, the latest first),
taking the open pair of the two records as its candidate where there is one. A field's value is chosen across
all members: it is taken at the step that merges the record it comes from, and kept at every other step.
The steps share a `Merge.group`, so that `undo_cluster` undoes them all at once, the latest first, or none.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

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
    group = uuid.uuid4()
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
                group=group,
            )
        )
    return merges


# --- Undoing a whole cluster merge ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupState:
    """Where a cluster merge stands: how many of its steps are still merged, and the latest of them (the one undone first)."""

    pending: int
    latest_pending_id: int | None
    steps: int


def group_states(merges: Sequence[Merge]) -> dict[int, GroupState]:
    """For each merge of `merges` that was a step of a cluster merge, its group's state; one query for a page of merges."""
    groups = {merge.group for merge in merges if merge.group is not None}
    if not groups:
        return {}
    workspace_ids = {merge.workspace_id for merge in merges}
    rows = Merge.objects.filter(workspace_id__in=workspace_ids, group__in=groups).values_list("pk", "group", "undone_at")
    by_group: dict[uuid.UUID, list[tuple[int, bool]]] = {}
    for pk, group, undone_at in rows:
        if group is not None:
            by_group.setdefault(group, []).append((pk, undone_at is None))
    states: dict[uuid.UUID, GroupState] = {}
    for group, steps in by_group.items():
        pending = sorted((pk for pk, merged in steps if merged), reverse=True)
        states[group] = GroupState(pending=len(pending), latest_pending_id=pending[0] if pending else None, steps=len(steps))
    return {merge.pk: states[merge.group] for merge in merges if merge.group in states}


@transaction.atomic
def undo_cluster(*, actor: User, merge: Merge) -> list[Merge]:
    """Undo every merge of the cluster merge `merge` was a step of, the latest first: all of them, or (ValidationError) none."""
    merging.require_merge(actor, merge.workspace, merge.record_type)
    if merge.group is None:
        raise ValidationError({"merge": "This merge was not one of a cluster merge: undo it on its own."})
    steps = list(Merge.objects.select_for_update().filter(workspace_id=merge.workspace_id, group=merge.group).order_by("-pk"))
    pending = [step for step in steps if step.undone_at is None]
    if not pending:
        raise ValidationError({"merge": "This cluster merge was undone already."})
    undone = []
    for step in pending:
        try:
            undone.append(merging.undo_merge(actor=actor, merge=step))
        except ValidationError as error:
            # Raised out of this transaction: the steps undone before it are put back as they were.
            reason = " ".join(error.messages)
            raise ValidationError(
                {"merge": f"The merge of {step.merged_name} (#{step.merged_id}) cannot be undone, so none was: {reason}"}
            ) from error
    return undone
