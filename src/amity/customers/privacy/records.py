"""Where a person's data lives: every table that holds something about one contact, and how to find their rows.

Export and erasure both walk `PERSONAL_DATA`, so a table known here is exported and erased alike. A test
fails when a model with a foreign key to Contact or Lead is added without being named here (as personal
data, or in `NOT_PERSONAL` with the reason).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from amity.activities.models import Interaction, Note, Task
from amity.core.models import AuditEntry, Notification, Workspace
from amity.customers.models import (
    AccountContact,
    Address,
    ConsentEvent,
    Contact,
    ContactEmail,
    ContactPhone,
    DedupeKey,
    DuplicateCandidate,
    Merge,
)
from amity.orders.models import Invoice, SalesOrder
from amity.sales.models import Lead, OpportunityContact, Quote, WebFormSubmission
from amity.search.models import SearchDocument
from amity.service.models import Case, CaseAttachment, CaseMessage, Survey
from amity.service.portal.models import PortalAccess, ReturnRequest


@dataclass
class Subject:
    """One person as the workspace knows them: the contact, their email addresses and the leads that were them."""

    workspace: Workspace
    contact: Contact
    emails: list[str]
    lead_ids: list[int] = field(default_factory=list)
    case_ids: list[int] = field(default_factory=list)

    @classmethod
    def of(cls, contact: Contact) -> Subject:
        """Gather the person's emails, then the leads (converted into them, or never converted but with one of their emails)."""
        emails = sorted(
            {address.lower() for address in contact.emails.values_list("address", flat=True)} | ({contact.primary_email.lower()} - {""})
        )
        leads = Lead._default_manager.filter(workspace_id=contact.workspace_id).filter(Q(converted_contact=contact) | Q(email__in=emails))
        cases = Case._default_manager.filter(workspace_id=contact.workspace_id).filter(
            Q(contact=contact) | Q(requester_email__in=emails) if emails else Q(contact=contact)
        )
        return cls(
            workspace=contact.workspace,
            contact=contact,
            emails=emails,
            lead_ids=list(leads.values_list("pk", flat=True)),
            case_ids=list(cases.values_list("pk", flat=True)),
        )


Finder = Callable[[Subject], QuerySet]


def _in_workspace(model: type, subject: Subject) -> QuerySet:
    return model._default_manager.filter(workspace=subject.workspace)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Source:
    """One table of personal data: the section of the export it fills and how the person's rows are found."""

    section: str
    model: type
    find: Finder


def _by_contact(model: type) -> Finder:
    return lambda subject: _in_workspace(model, subject).filter(contact=subject.contact)


PERSONAL_DATA: list[Source] = [
    Source("contact", Contact, lambda s: _in_workspace(Contact, s).filter(pk=s.contact.pk)),
    Source("emails", ContactEmail, _by_contact(ContactEmail)),
    Source("phones", ContactPhone, _by_contact(ContactPhone)),
    Source("addresses", Address, _by_contact(Address)),
    Source("accounts", AccountContact, _by_contact(AccountContact)),
    Source("consent", ConsentEvent, _by_contact(ConsentEvent)),
    Source(
        "interactions",
        Interaction,
        lambda s: _in_workspace(Interaction, s).filter(Q(contacts=s.contact) | Q(lead_id__in=s.lead_ids)).distinct(),
    ),
    Source("notes", Note, lambda s: _in_workspace(Note, s).filter(Q(contact=s.contact) | Q(lead_id__in=s.lead_ids))),
    Source("tasks", Task, lambda s: _in_workspace(Task, s).filter(Q(contact=s.contact) | Q(lead_id__in=s.lead_ids))),
    Source("deals", OpportunityContact, _by_contact(OpportunityContact)),
    Source("leads", Lead, lambda s: _in_workspace(Lead, s).filter(pk__in=s.lead_ids)),
    Source("web_form_submissions", WebFormSubmission, lambda s: _in_workspace(WebFormSubmission, s).filter(lead_id__in=s.lead_ids)),
    Source("quotes", Quote, _by_contact(Quote)),
    Source("orders", SalesOrder, _by_contact(SalesOrder)),
    Source("invoices", Invoice, _by_contact(Invoice)),
    Source("cases", Case, lambda s: _in_workspace(Case, s).filter(pk__in=s.case_ids)),
    Source(
        "case_messages",
        CaseMessage,
        lambda s: _in_workspace(CaseMessage, s).filter(Q(case_id__in=s.case_ids) | Q(contact=s.contact)),
    ),
    Source(
        "case_attachments",
        CaseAttachment,
        lambda s: _in_workspace(CaseAttachment, s).filter(Q(message__case_id__in=s.case_ids) | Q(message__contact=s.contact)),
    ),
    Source("returns", ReturnRequest, lambda s: _in_workspace(ReturnRequest, s).filter(case_id__in=s.case_ids)),
    Source("surveys", Survey, lambda s: _in_workspace(Survey, s).filter(case_id__in=s.case_ids)),
    Source("portal_access", PortalAccess, _by_contact(PortalAccess)),
    Source(
        "merges",
        Merge,
        lambda s: _in_workspace(Merge, s).filter(record_type="contact").filter(Q(survivor_id=s.contact.pk) | Q(merged_id=s.contact.pk)),
    ),
]

# Derived copies: not exported as the person's data (they repeat it), but erased with it.
DERIVED: list[Source] = [
    Source(
        "search",
        SearchDocument,
        lambda s: _in_workspace(SearchDocument, s).filter(
            Q(object_type="contact", object_id=s.contact.pk) | Q(object_type="lead", object_id__in=s.lead_ids)
        ),
    ),
    Source("duplicate_keys", DedupeKey, lambda s: _in_workspace(DedupeKey, s).filter(record_type="contact", record_id=s.contact.pk)),
    Source(
        "duplicate_candidates",
        DuplicateCandidate,
        lambda s: (
            _in_workspace(DuplicateCandidate, s).filter(record_type="contact").filter(Q(left_id=s.contact.pk) | Q(right_id=s.contact.pk))
        ),
    ),
    Source("notifications", Notification, lambda s: _notifications(s)),
]

# Every source by its section: a retention rule anonymises a section's rows without a whole person.
SECTIONS: dict[str, Source] = {source.section: source for source in [*PERSONAL_DATA, *DERIVED]}

# Tables that point at a contact or lead but hold nothing personal of their own; why, for the reader.
NOT_PERSONAL: dict[str, str] = {
    "activities.Interaction_contacts": "the link table of interactions and their people; the interactions are personal data",
    "sales.Opportunity_contacts": "the link table behind OpportunityContact",
    "sales.Opportunity": "a deal is the company's; its link to the person is OpportunityContact",
    "customers.Contact_tags": "the contact's tags: exported with the contact, cleared on erasure",
    "sales.Lead_tags": "labels the workspace chose, not the person's data; the lead itself is erased",
}


def _notifications(subject: Subject) -> QuerySet:
    """Notifications that name the person or link to their page (reminders of a call, mentions on their record)."""
    name = " ".join(part for part in (subject.contact.first_name, subject.contact.last_name) if part)
    about = Q(url__contains=f"/contacts/{subject.contact.pk}")
    if name:
        about |= Q(title__icontains=name) | Q(body__icontains=name)
    for email in subject.emails:
        about |= Q(title__icontains=email) | Q(body__icontains=email)
    return _in_workspace(Notification, subject).filter(about)


def audit_entries(subject: Subject, touched: dict[str, list[int]]) -> QuerySet[AuditEntry]:
    """The audit log's entries about the person's records: the values they hold are the person's data too."""
    return audit_entries_about(subject.workspace, touched)


def audit_entries_about(workspace: Workspace, touched: dict[str, list[int]]) -> QuerySet[AuditEntry]:
    """The audit log's entries about these records (ids by `app.model`)."""
    about = Q(pk__in=[])
    for label, ids in touched.items():
        if ids:
            about |= Q(object_type=label, object_id__in=[str(pk) for pk in ids])
    return AuditEntry._default_manager.filter(workspace=workspace).filter(about)


def touched_records(subject: Subject) -> dict[str, list[int]]:
    """Every personal row of the person by table (`app.model`), as ids: what the audit log may speak of."""
    return {source.model._meta.label_lower: list(source.find(subject).values_list("pk", flat=True)) for source in PERSONAL_DATA}  # type: ignore[attr-defined]
