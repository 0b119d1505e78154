"""What merging a candidate pair would do, for a person deciding: the two records field by field, and what would move.

The review page and `GET /duplicates/{id}/preview` show the same thing. The choices it proposes
are `merging.proposed_choices` (the survivor's value, or the merged record's where the survivor has
none), the ones automatic merging applies; the merge itself applies whatever is sent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError

from amity.core.models import FieldDefinition, Team, User, Workspace
from amity.customers import merging
from amity.customers import selectors as customer_selectors
from amity.customers.listing import cell_text
from amity.customers.models import Account, Contact, DuplicateCandidate

LABELS = {
    "first_name": "First name", "last_name": "Last name", "title": "Job title", "lifecycle_stage": "Stage", "source": "Source",
    "preferred_channel": "Preferred channel", "language": "Language", "time_zone": "Time zone", "owner_id": "Owner",
    "team_id": "Team", "name": "Name", "industry": "Industry", "size": "Size", "annual_revenue": "Annual revenue",
    "revenue_currency": "Revenue currency",
}  # fmt: skip


@dataclass(frozen=True)
class FieldComparison:
    """One field of the two records: what each holds (as shown), whether they differ, and which side is proposed."""

    name: str  # as the merge takes it: "title", "custom.tier"
    label: str
    survivor: str
    merged: str
    choosable: bool  # False: the merge keeps a value without asking (equal values, or a custom field only one record has)
    proposed: str  # "survivor" or "merged"

    @property
    def differs(self) -> bool:
        return self.survivor != self.merged

    @property
    def sides(self) -> list[tuple[str, str]]:
        return [("survivor", self.survivor), ("merged", self.merged)]


@dataclass(frozen=True)
class KeptFromBoth:
    """What the survivor ends up with from both records, unasked: emails, phones, domains."""

    label: str
    survivor: list[str]
    merged: list[str]


@dataclass
class MergePreview:
    candidate: DuplicateCandidate
    survivor: Contact | Account
    merged: Contact | Account
    fields: list[FieldComparison]
    kept: list[KeptFromBoth]
    moves: list[tuple[str, int]] = field(default_factory=list)  # (relation label, how many) that would move to the survivor

    @property
    def proposed_choices(self) -> dict[str, str]:
        return {row.name: row.proposed for row in self.fields if row.choosable}


def _shown(record: Contact | Account, name: str, people: dict[int, str], teams: dict[int, str]) -> str:
    value = getattr(record, name)
    if value in (None, ""):
        return ""
    if name == "owner_id":
        return people.get(value, "a former member")
    if name == "team_id":
        return teams.get(value, "")
    display = getattr(record, f"get_{name}_display", None)
    return str(display()) if callable(display) else cell_text(value)


def _custom_shown(value: Any, definition: FieldDefinition | None, people: dict[int, str]) -> str:
    if definition is not None and definition.type == FieldDefinition.Type.USER and str(value).isdigit():
        return people.get(int(str(value)), str(value))
    return cell_text(value) if value not in (None, "", []) else ""


def _standard_fields(
    survivor: Contact | Account, merged: Contact | Account, people: dict[int, str], teams: dict[int, str], proposed: dict[str, str]
) -> list[FieldComparison]:
    rows = []
    for name in merging.field_names(survivor):
        mine, theirs = _shown(survivor, name, people, teams), _shown(merged, name, people, teams)
        rows.append(FieldComparison(name, LABELS.get(name, name), mine, theirs, choosable=mine != theirs, proposed=proposed[name]))
    return rows


def _custom_fields(
    survivor: Contact | Account,
    merged: Contact | Account,
    definitions: list[FieldDefinition],
    people: dict[int, str],
    proposed: dict[str, str],
) -> list[FieldComparison]:
    by_key = {definition.key: definition for definition in definitions}
    keys = [d.key for d in definitions] + sorted(({*survivor.custom, *merged.custom}) - set(by_key))
    rows = []
    for key in keys:
        if key not in survivor.custom and key not in merged.custom:
            continue
        definition = by_key.get(key)
        mine = _custom_shown(survivor.custom.get(key), definition, people)
        theirs = _custom_shown(merged.custom.get(key), definition, people)
        # Only a key both hold is a choice: the merge keeps a key only the merged record has, and has nothing to take otherwise.
        both = key in survivor.custom and key in merged.custom
        label = definition.label if definition else key.replace("_", " ").capitalize()
        side = proposed.get(f"custom.{key}", "merged" if key not in survivor.custom else "survivor")
        rows.append(FieldComparison(f"custom.{key}", label, mine, theirs, choosable=both and mine != theirs, proposed=side))
    return rows


def _kept(survivor: Contact | Account, merged: Contact | Account) -> list[KeptFromBoth]:
    if isinstance(survivor, Contact) and isinstance(merged, Contact):
        return [
            KeptFromBoth("Emails", [e.address for e in survivor.emails.all()], [e.address for e in merged.emails.all()]),
            KeptFromBoth("Phones", [p.number for p in survivor.phones.all()], [p.number for p in merged.phones.all()]),
            KeptFromBoth(
                "Accounts",
                [link.account.name for link in survivor.account_contacts.all()],
                [link.account.name for link in merged.account_contacts.all()],
            ),
        ]
    assert isinstance(survivor, Account) and isinstance(merged, Account)
    return [KeptFromBoth("Web domains", [d.domain for d in survivor.domains.all()], [d.domain for d in merged.domains.all()])]


def _record(actor: User, workspace: Workspace, record_type: str, pk: int) -> Contact | Account:
    getter = customer_selectors.contact_get if record_type == "contact" else customer_selectors.account_get
    return getter(actor=actor, workspace=workspace, pk=pk, include_deleted=True)


def merge_preview(*, actor: User, workspace: Workspace, candidate: DuplicateCandidate, survivor_id: int | None = None) -> MergePreview:
    """The pair side by side with `survivor_id` staying (by default the one automatic merging would keep), and what would move."""
    pair = (candidate.left_id, candidate.right_id)
    if survivor_id is None:
        survivor_id = merging.default_survivor(workspace=workspace, record_type=candidate.record_type, ids=pair)
    if survivor_id not in pair:
        raise ValidationError({"survivor_id": f"Choose {pair[0]} or {pair[1]}: the survivor is one of the pair."})
    merged_id = pair[1] if survivor_id == pair[0] else pair[0]
    survivor = _record(actor, workspace, candidate.record_type, survivor_id)
    merged = _record(actor, workspace, candidate.record_type, merged_id)
    definitions = list(
        customer_selectors.field_definition_list(actor=actor, workspace=workspace, object_type=candidate.record_type).order_by(
            "position", "id"
        )
    )
    user_keys = {d.key for d in definitions if d.type == FieldDefinition.Type.USER}
    user_ids = {record.owner_id for record in (survivor, merged) if record.owner_id} | {
        int(str(value))
        for record in (survivor, merged)
        for key, value in record.custom.items()
        if key in user_keys and str(value).isdigit()
    }
    people = {user.pk: user.display_name for user in User.objects.filter(pk__in=user_ids, memberships__workspace=workspace)}
    teams = dict(
        Team.objects.filter(workspace=workspace, pk__in={r.team_id for r in (survivor, merged) if r.team_id}).values_list("pk", "name")
    )
    moves = merging.moves_preview(candidate.record_type, survivor_id, merged_id)
    proposed = merging.proposed_choices(survivor, merged)
    return MergePreview(
        candidate=candidate,
        survivor=survivor,
        merged=merged,
        fields=_standard_fields(survivor, merged, people, teams, proposed)
        + _custom_fields(survivor, merged, definitions, people, proposed),
        kept=_kept(survivor, merged),
        moves=list(moves.items()),
    )


# --- A whole cluster ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClusterField:
    """One field across a cluster's records: each record's value (as shown, survivor first) and the record proposed to give it."""

    name: str
    label: str
    values: list[tuple[int, str]]  # (record id, value as shown)
    choosable: bool
    proposed: int

    @property
    def differs(self) -> bool:
        return len({value for _, value in self.values}) > 1


@dataclass
class ClusterPreview:
    """A cluster side by side with one record staying: its fields across all records, what is kept from all, what moves."""

    record_type: str
    survivor: Contact | Account
    records: list[Contact | Account]  # the survivor first, then the others by id
    pairs: list[DuplicateCandidate]
    fields: list[ClusterField]
    kept: list[tuple[str, list[list[str]]]]  # (what, each record's items), in the order of `records`
    moves: dict[int, list[tuple[str, int]]]  # per record merged: (relation label, how many) that would move

    @property
    def merged(self) -> list[Contact | Account]:
        return self.records[1:]

    @property
    def proposed_choices(self) -> dict[str, int]:
        return {row.name: row.proposed for row in self.fields if row.choosable}


def _cluster_field(name: str, label: str, values: list[tuple[int, str]], held: list[int]) -> ClusterField:
    """`held`: the records that hold the field at all (a custom field only some have); proposed: the survivor's value, else the first."""
    filled = [pk for pk, value in values if value and pk in held]
    proposed = values[0][0] if values[0][1] or not filled else filled[0]
    distinct = {value for pk, value in values if pk in held}
    return ClusterField(name, label, values, choosable=len(held) > 1 and len(distinct) > 1, proposed=proposed)


def _kept_across(records: list[Contact | Account]) -> list[tuple[str, list[list[str]]]]:
    contacts = [record for record in records if isinstance(record, Contact)]
    if contacts:
        return [
            ("Emails", [[e.address for e in contact.emails.all()] for contact in contacts]),
            ("Phones", [[p.number for p in contact.phones.all()] for contact in contacts]),
            ("Accounts", [[link.account.name for link in contact.account_contacts.all()] for contact in contacts]),
        ]
    accounts = [record for record in records if isinstance(record, Account)]
    return [("Web domains", [[d.domain for d in account.domains.all()] for account in accounts])]


def _oldest(workspace: Workspace, record_type: str, ids: list[int]) -> int:
    """The record that stays when nobody chooses: `merging.default_survivor` applied across the group."""
    survivor = ids[0]
    for other in ids[1:]:
        survivor = merging.default_survivor(workspace=workspace, record_type=record_type, ids=(survivor, other))
    return survivor


def cluster_preview(
    *, actor: User, workspace: Workspace, record_type: str, ids: list[int], survivor_id: int | None = None
) -> ClusterPreview:
    """A cluster's records side by side with `survivor_id` staying (by default the oldest), and what each merge would move.

    Another workspace's record (or one the actor may not see) is a 404; a survivor outside the group a field error.
    """
    from amity.customers.dedupe.selectors import cluster_pairs

    if record_type not in ("contact", "account"):
        raise ValidationError({"record_type": "Choose contact or account."})
    ids = sorted(set(ids))
    fetched = {pk: _record(actor, workspace, record_type, pk) for pk in ids}
    if survivor_id is None:
        survivor_id = _oldest(workspace, record_type, ids)
    if survivor_id not in fetched:
        raise ValidationError({"survivor_id": f"Choose one of the group: {', '.join(map(str, ids))}."})
    records = [fetched[survivor_id], *(fetched[pk] for pk in ids if pk != survivor_id)]
    people = {user.pk: user.display_name for user in User.objects.filter(pk__in={r.owner_id for r in records if r.owner_id})}
    teams = dict(Team.objects.filter(workspace=workspace, pk__in={r.team_id for r in records if r.team_id}).values_list("pk", "name"))
    every = [record.pk for record in records]
    fields = [
        _cluster_field(name, LABELS.get(name, name), [(r.pk, _shown(r, name, people, teams)) for r in records], every)
        for name in merging.choosable_fields(record_type)
    ]
    definitions = {d.key: d for d in customer_selectors.field_definition_list(actor=actor, workspace=workspace, object_type=record_type)}
    for key in sorted({key for record in records for key in record.custom}):
        definition = definitions.get(key)
        label = definition.label if definition else key.replace("_", " ").capitalize()
        values = [(r.pk, _custom_shown(r.custom.get(key), definition, people)) for r in records]
        fields.append(_cluster_field(f"custom.{key}", label, values, [r.pk for r in records if key in r.custom]))
    return ClusterPreview(
        record_type=record_type,
        survivor=records[0],
        records=records,
        pairs=cluster_pairs(actor=actor, workspace=workspace, record_type=record_type, ids=ids),
        fields=fields,
        kept=_kept_across(records),
        moves={r.pk: list(merging.moves_preview(record_type, survivor_id, r.pk).items()) for r in records[1:]},
    )
