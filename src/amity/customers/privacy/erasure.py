"""Erasure on request: a person's data removed or pseudonymized everywhere, non-personal records and aggregates kept.

What happens to each table is written once, in `SCRUBS`: rows that are only the person's (emails, phones,
addresses, attachments, derived index rows) are deleted; rows the business still needs (the contact itself,
deals, orders, invoices, cases, the timeline) stay, with their personal text replaced, so counts, revenue
and history by date remain. The erasure runs in the background; its `Erasure` row keeps who asked, when,
which contact id and how many rows were touched, and nothing personal.
"""

from __future__ import annotations

from collections.abc import Callable
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
from amity.customers.models import Contact, Erasure
from amity.customers.privacy.records import (
    DERIVED,
    PERSONAL_DATA,
    SECTIONS,
    Source,
    Subject,
    audit_entries,
    audit_entries_about,
    touched_records,
)

ERASED = "[erased]"
ERASED_NAME = ("Erased", "person")

# How each section is erased: "delete" the rows, "keep" them as they are (nothing personal of their own), or
# a dict of field values written over the personal ones. A callable gets the erasure time.
Scrub = str | dict[str, Any]
SCRUBS: dict[str, Scrub] = {
    "contact": {
        "first_name": ERASED_NAME[0],
        "last_name": ERASED_NAME[1],
        "title": "",
        "primary_email": "",
        "primary_phone": "",
        "preferred_channel": "",
        "language": "",
        "time_zone": "",
        "social": {},
        "custom": {},
        "external_id": None,
        "source": "",
    },
    "emails": "delete",
    "phones": "delete",
    "addresses": "delete",
    "accounts": {"title": ""},
    "consent": {"method": "", "source": "", "proof": {}},
    "interactions": {"subject": ERASED, "body": "", "outcome": ""},
    "notes": {"body": ERASED},
    "tasks": {"title": ERASED, "description": ""},
    "deals": "keep",
    "leads": {
        "first_name": ERASED_NAME[0],
        "last_name": ERASED_NAME[1],
        "email": "",
        "phone": "",
        "title": "",
        "city": "",
        "postcode": "",
        "region": "",
        "description": "",
        "unqualified_reason": "",
        "custom": {},
        "external_id": None,
    },
    "web_form_submissions": {"data": {}, "ip_address": None, "user_agent": "", "referrer": ""},
    "quotes": {"sent_to": "", "accepted_by_name": ""},
    "orders": "keep",
    "invoices": "keep",
    "cases": {"subject": ERASED, "description": "", "requester_email": ""},
    "case_messages": {"subject": "", "body": ERASED, "from_address": "", "from_name": "", "to_addresses": []},
    "case_attachments": "delete_files",
    "returns": {"reason": ERASED},
    "surveys": {"email": "", "comment": ""},
    "portal_access": "delete",  # its sign-in links and API sessions go with it
    "merges": {"merged_name": ERASED, "survivor_before": {}},
    "search": "delete",
    "duplicate_keys": "delete",
    "duplicate_candidates": "delete",
    "notifications": {"title": ERASED, "body": ""},
}
SOFT_DELETED = {"contact", "leads"}  # out of every list and search once erased; their rows stay for what links to them
CONFIRMATION_WORD = "ERASE"


@dataclass(frozen=True)
class PlanLine:
    """What an erasure does to one kind of the person's records: how many rows, and removed, emptied or kept."""

    section: str
    title: str
    rows: int
    fate: str  # "removed", "pseudonymised" or "kept"
    fields: tuple[str, ...] = ()  # for "pseudonymised": the fields replaced or emptied


def _fate(scrub: Scrub) -> str:
    if scrub == "keep":
        return "kept"
    return "pseudonymised" if isinstance(scrub, dict) else "removed"


def _field_labels(model: type, scrub: Scrub) -> tuple[str, ...]:
    if not isinstance(scrub, dict):
        return ()
    return tuple(str(model._meta.get_field(name).verbose_name) for name in scrub)  # type: ignore[attr-defined]


def erasure_plan(contact: Contact) -> list[PlanLine]:
    """What erasing this person would do, table by table, read from `SCRUBS` and the records registry (nothing is changed)."""
    subject = Subject.of(contact)
    lines = [
        PlanLine(
            section=source.section,
            title=source.section.replace("_", " ").capitalize(),
            rows=source.find(subject).count(),
            fate=_fate(SCRUBS[source.section]),
            fields=_field_labels(source.model, SCRUBS[source.section]),
        )
        for source in [*PERSONAL_DATA, *DERIVED]
    ]
    history = audit_entries(subject, touched_records(subject)).count()
    lines.append(PlanLine("audit_entries", "Audit log entries", history, "pseudonymised", ("old and new values", "record name")))
    return lines


def confirmation_matches(contact: Contact, typed: str) -> bool:
    """Whether what was typed to confirm an erasure is the person's name or the word ERASE (spaces and case aside)."""
    given = " ".join(typed.split()).casefold()
    name = " ".join(f"{contact.first_name} {contact.last_name}".split()).casefold()
    return given == CONFIRMATION_WORD.casefold() or (bool(name) and given == name)


@transaction.atomic
def erasure_request(*, actor: User, workspace: Workspace, contact: Contact) -> Erasure:
    """Erase a person's data everywhere, in the background; the returned erasure shows its progress."""
    from amity.customers.privacy.tasks import erase_contact  # the task module imports this one

    erasure = erasure_record(actor=actor, workspace=workspace, contact=contact)
    transaction.on_commit(partial(erase_contact.enqueue, erasure.pk))
    return erasure


@transaction.atomic
def erasure_record(*, actor: User, workspace: Workspace, contact: Contact) -> Erasure:
    """The erasure of a person, queued and audited, for `run_erasure` to carry out (now, or in the background)."""
    require(actor, workspace, Action.ADD, ObjectType.PRIVACY_REQUEST)
    if Erasure.objects.filter(
        workspace=workspace, contact_id=contact.pk, status__in=[Erasure.Status.QUEUED, Erasure.Status.RUNNING]
    ).exists():
        raise ValidationError({"contact_id": "An erasure of this person is already under way."})
    erasure = Erasure.objects.create(workspace=workspace, contact_id=contact.pk, requested_by=actor, requested_by_label=actor.email)
    audit.record(actor=actor, workspace=workspace, action=AuditEntry.Action.CREATE, obj=erasure, changes={"contact_id": [None, contact.pk]})
    return erasure


def _apply(source: Source, ids: list[int], now: Any) -> int:
    """Erase one section's rows (already chosen by id) as `SCRUBS` says; returns how many rows it touched."""
    scrub = SCRUBS[source.section]
    rows = source.model._default_manager.filter(pk__in=ids)  # type: ignore[attr-defined]
    if scrub == "keep" or not ids:
        return 0
    if scrub == "delete":
        return int(rows.delete()[0])
    if scrub == "delete_files":
        for attachment in rows:
            attachment.file.delete(save=False)
        return int(rows.delete()[0])
    assert isinstance(scrub, dict)
    values = dict(scrub)
    if source.section in SOFT_DELETED:
        rows.filter(deleted_at__isnull=True).update(deleted_at=now)
    return int(rows.update(**values))


def anonymise(*, workspace: Workspace, chosen: dict[str, list[int]]) -> dict[str, int]:
    """Pseudonymise these rows of these sections as `SCRUBS` says, and the audit log's values about them, without a whole person."""
    from amity.search.services import index_records

    now = timezone.now()
    counts = {section: _apply(SECTIONS[section], ids, now) for section, ids in chosen.items()}
    touched = {SECTIONS[section].model._meta.label_lower: ids for section, ids in chosen.items()}  # type: ignore[attr-defined]
    counts["audit_entries"] = _scrub_audit(audit_entries_about(workspace, touched))
    for section, object_type in (("leads", "lead"), ("cases", "case")):
        if chosen.get(section):
            index_records(object_type=object_type, ids=chosen[section])
    return counts


def _scrub_audit(entries: models.QuerySet[AuditEntry]) -> int:
    """Keep each entry's who, when, what kind and which fields; replace every value and the record's name."""
    count = 0
    for entry in entries.only("pk", "changes"):
        changes = {
            key: [None if value is None else ERASED for value in (pair if isinstance(pair, list) else [pair])]
            for key, pair in (entry.changes or {}).items()
        }
        AuditEntry.objects.filter(pk=entry.pk).update(changes=changes, object_repr=" ".join(ERASED_NAME))
        count += 1
    return count


def run_erasure(erasure_id: int, *, on_progress: Callable[[Erasure], None] | None = None) -> Erasure:
    """Carry out one erasure: choose every row of the person first, then erase section by section, keeping progress."""
    erasure = Erasure.objects.select_related("workspace").get(pk=erasure_id)
    if erasure.status == Erasure.Status.DONE:
        return erasure
    Erasure.objects.filter(pk=erasure.pk).update(
        status=Erasure.Status.RUNNING, started_at=timezone.now(), progress=0.0, step="finding the data"
    )
    contact = Contact._default_manager.get(workspace=erasure.workspace, pk=erasure.contact_id)
    subject = Subject.of(contact)
    # Choose first, change after: the notifications and audit entries are found by the name and ids being erased.
    sources = [*PERSONAL_DATA, *DERIVED]
    chosen = {source.section: list(source.find(subject).values_list("pk", flat=True)) for source in sources}
    history = list(audit_entries(subject, touched_records(subject)).values_list("pk", flat=True))
    now = timezone.now()
    counts: dict[str, int] = {}
    for position, source in enumerate(sources):
        with transaction.atomic():
            counts[source.section] = _apply(source, chosen[source.section], now)
        _report(erasure.pk, (position + 1) / (len(sources) + 1), f"erased {source.section.replace('_', ' ')}", counts, on_progress)
    with transaction.atomic():
        counts["audit_entries"] = _scrub_audit(AuditEntry.objects.filter(pk__in=history))
        contact.tags.clear()
        _reindex(subject, chosen)
        audit.record(
            actor=erasure.requested_by,
            workspace=erasure.workspace,
            action=AuditEntry.Action.DELETE,
            obj=contact,
            changes={"privacy_erasure": [None, erasure.pk]},
            object_repr=" ".join(ERASED_NAME),
        )
        Erasure.objects.filter(pk=erasure.pk).update(
            status=Erasure.Status.DONE, progress=1.0, step="done", counts=counts, finished_at=timezone.now()
        )
    erasure.refresh_from_db()
    return erasure


def _reindex(subject: Subject, chosen: dict[str, list[int]]) -> None:
    """Bring the search index in line: the person and their leads drop out; cases, quotes and deals lose the erased text."""
    from amity.sales.models import OpportunityContact
    from amity.search.services import index_records, index_related

    deals = list(OpportunityContact._default_manager.filter(pk__in=chosen["deals"]).values_list("opportunity_id", flat=True))
    for object_type, ids in {
        "contact": [subject.contact.pk],
        "lead": chosen["leads"],
        "case": chosen["cases"],
        "quote": chosen["quotes"],
        "opportunity": deals,
    }.items():
        if ids:
            index_records(object_type=object_type, ids=ids)
    index_related(object_type="contact", ids=[subject.contact.pk])


def _report(erasure_id: int, progress: float, step: str, counts: dict[str, int], on_progress: Callable[[Erasure], None] | None) -> None:
    Erasure.objects.filter(pk=erasure_id).update(progress=round(progress, 3), step=step, counts=counts)
    if on_progress:
        on_progress(Erasure.objects.get(pk=erasure_id))


def mark_erasure_failed(erasure_id: int, *, error: BaseException, **_: Any) -> None:
    Erasure.objects.filter(pk=erasure_id).update(status=Erasure.Status.FAILED, error=str(error)[:1000], finished_at=timezone.now())
