"""Converting a lead: into a contact and an account (matched when they exist), optionally a deal, with its whole history.

Matching never duplicates a customer: the contact is the one with the lead's email address, the
account the one with the lead's web domain (or its email's domain), else the one named exactly
as the lead's company. The lead's interactions, notes and tasks are then linked to the contact,
the account and the deal too, so they show on their timelines; the lead keeps its own links and
its web form submissions, and points to what it became.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from amity.activities.models import Interaction, Note, Task
from amity.core import audit
from amity.core.access import require
from amity.core.models import AuditEntry, User
from amity.core.permissions import Action, ObjectType
from amity.customers import services as customer_services
from amity.customers.models import Account, AccountContact, ConsentEvent, Contact
from amity.sales.models import Lead, Opportunity
from amity.sales.selectors.leads import find_matches
from amity.sales.services.opportunities import opportunity_create
from amity.sales.services.pipelines import sales_setup
from amity.search.services import index_records


@dataclass(frozen=True)
class Conversion:
    lead: Lead
    contact: Contact
    account: Account | None
    opportunity: Opportunity | None
    contact_created: bool
    account_created: bool
    moved: dict[str, int]


def _account_for(actor: User, lead: Lead, chosen: Account | None, wants_deal: bool) -> tuple[Account | None, bool]:
    if chosen is not None:
        return chosen, False
    if not lead.company and not lead.website and not wants_deal:
        return None, False  # a private person without a company: a contact alone
    domain = lead.website
    data: dict[str, Any] = {
        "name": lead.company or lead.full_name or lead.email,
        "industry": lead.industry,
        "owner_id": lead.owner_id,
        "team_id": lead.team_id,
        "source": lead.source,
        "lifecycle_stage": "opportunity" if wants_deal else "lead",
    }
    if domain:
        data["domains"] = [domain]
    return customer_services.account_create(actor=actor, workspace=lead.workspace, data=data), True


def _contact_for(actor: User, lead: Lead, chosen: Contact | None, account: Account | None, wants_deal: bool) -> tuple[Contact, bool]:
    if chosen is not None:
        if account is not None and not AccountContact.objects.filter(contact=chosen, account=account).exists():
            links = [{"account_id": link.account_id, "role": link.role, "title": link.title} for link in chosen.account_contacts.all()]
            links.append({"account_id": account.pk, "role": "", "title": lead.title})
            customer_services.contact_update(actor=actor, contact=chosen, data={"accounts": links})
        return chosen, False
    data: dict[str, Any] = {
        "first_name": lead.first_name,
        "last_name": lead.last_name or ("" if lead.first_name else lead.email or lead.company),
        "title": lead.title,
        "owner_id": lead.owner_id,
        "team_id": lead.team_id,
        "source": lead.source,
        "lifecycle_stage": "opportunity" if wants_deal else "lead",
        "emails": [{"address": lead.email, "primary": True}] if lead.email else [],
        "phones": [{"number": lead.phone, "kind": "work", "primary": True}] if lead.phone else [],
        "tags": sorted(lead.tags.values_list("name", flat=True)),
    }
    if account is not None:
        data["accounts"] = [{"account_id": account.pk, "role": "", "title": lead.title}]
    # Copied from the lead the actor sees: a phone hidden from their role on contacts still goes across.
    return customer_services.contact_create(actor=actor, workspace=lead.workspace, data=data, copied=True), True


def _deal_for(actor: User, lead: Lead, account: Account, contact: Contact, wanted: Mapping[str, Any]) -> Opportunity:
    pipeline = sales_setup(workspace=lead.workspace)
    data: dict[str, Any] = {
        "name": wanted.get("name") or f"{lead.company or lead.full_name or account.name} deal",
        "account_id": account.pk,
        "currency": wanted.get("currency") or "EUR",
        "owner_id": lead.owner_id,
        "team_id": lead.team_id,
        "source": lead.source,
        "contacts": [{"contact_id": contact.pk, "role": "decision_maker", "is_primary": True}],
        "pipeline_id": wanted.get("pipeline_id") or pipeline.pk,
    }
    for name in ("stage_id", "amount", "expected_close_date"):
        if wanted.get(name) is not None:
            data[name] = wanted[name]
    try:
        return opportunity_create(actor=actor, workspace=lead.workspace, data=data)
    except ValidationError as error:  # name the fields as the convert call takes them
        raise ValidationError({f"opportunity.{field}": messages for field, messages in error.message_dict.items()}) from None


def _carry_history(lead: Lead, contact: Contact, account: Account | None, deal: Opportunity | None) -> dict[str, int]:
    """Link the lead's interactions, notes and tasks to what it became (set-based: a few queries whatever the history).

    A link already there is kept: the interactions' links are inserted with conflicts ignored, and a note's or
    task's contact, account and deal are filled in only where empty, in one UPDATE per kind of record.
    """
    interactions = list(Interaction.objects.filter(lead=lead).values_list("pk", flat=True))
    if interactions:
        contact_links = Interaction.contacts.through
        contact_links.objects.bulk_create(
            [contact_links(interaction_id=pk, contact_id=contact.pk) for pk in interactions], ignore_conflicts=True
        )
        if account is not None:
            account_links = Interaction.accounts.through
            account_links.objects.bulk_create(
                [account_links(interaction_id=pk, account_id=account.pk) for pk in interactions], ignore_conflicts=True
            )
        if deal is not None:
            Interaction.objects.filter(lead=lead, opportunity__isnull=True).update(opportunity=deal)
    moved = {"interactions": len(interactions)}
    links: dict[str, Any] = {"contact": Coalesce("contact", Value(contact.pk))}
    if account is not None:
        links["account"] = Coalesce("account", Value(account.pk))
    if deal is not None:
        links["opportunity"] = Coalesce("opportunity", Value(deal.pk))
    for name, model in (("notes", Note), ("tasks", Task)):
        moved[name] = model.objects.filter(lead=lead).update(**links)  # every row of the lead matches: the count moved
    return moved


def _consent_proof(lead: Lead) -> dict[str, Any]:
    """The web form submission that brought the lead in, as received: what shows the person ticked the box."""
    submission = lead.submissions.order_by("-submitted_at", "-id").first()
    if submission is None:
        return {"lead_id": lead.pk}
    return {
        "lead_id": lead.pk,
        "web_form_submission_id": submission.pk,
        "submitted_at": submission.submitted_at.isoformat(),
        "ip_address": submission.ip_address,
        "data": submission.data,
    }


def _copy_consent(actor: User, lead: Lead, contact: Contact, at: dt.datetime) -> bool:
    """The lead's marketing consent by email becomes the contact's, dated when it was given."""
    if lead.marketing_consent is None or not lead.email:
        return False
    form_name = lead.web_form.name if lead.web_form_id and lead.web_form else ""
    form = f" ({form_name})" if form_name else ""
    ConsentEvent.objects.create(
        workspace=lead.workspace,
        contact=contact,
        channel="email",
        purpose="marketing",
        status=ConsentEvent.Status.GRANTED if lead.marketing_consent else ConsentEvent.Status.WITHDRAWN,
        occurred_at=lead.consent_at or at,
        method=f"Lead {lead.pk}{form}"[:100],
        source=(form_name or lead.source)[:200],
        proof=_consent_proof(lead),
        recorded_by=actor,
    )
    return True


def _locked(lead: Lead) -> Lead:
    """The lead's row, locked until commit: two conversions at once convert it once."""
    fresh = Lead.objects.select_for_update(of=("self",)).select_related("workspace", "web_form").get(pk=lead.pk)
    if fresh.converted_at is not None:
        raise ValidationError(
            {"status": f"This lead was converted on {fresh.converted_at:%Y-%m-%d %H:%M} UTC already; open its contact instead."}
        )
    if fresh.deleted_at is not None:
        raise ValidationError({"status": "This lead is in the bin; restore it before converting it."})
    return fresh


@transaction.atomic
def lead_convert(
    *,
    actor: User,
    lead: Lead,
    contact: Contact | None = None,
    account: Account | None = None,
    create_opportunity: bool = False,
    opportunity: Mapping[str, Any] | None = None,
) -> Conversion:
    """Turn a lead into a contact + account (the given or matched ones, else new) and optionally a deal, carrying its history over.

    `contact` and `account` are the records a person chose; when left out the matches are used.
    """
    require(actor, lead.workspace, Action.CHANGE, ObjectType.LEAD)
    lead = _locked(lead)
    matches = find_matches(lead)
    if create_opportunity:
        require(actor, lead.workspace, Action.ADD, ObjectType.OPPORTUNITY)
    chosen_account, account_created = _account_for(actor, lead, account or matches.account, create_opportunity)
    chosen_contact, contact_created = _contact_for(actor, lead, contact or matches.contact, chosen_account, create_opportunity)
    deal = None
    if create_opportunity:
        assert chosen_account is not None  # a deal always gets an account (made from the lead if need be)
        deal = _deal_for(actor, lead, chosen_account, chosen_contact, opportunity or {})
    now = timezone.now()
    moved = _carry_history(lead, chosen_contact, chosen_account, deal)
    consent = _copy_consent(actor, lead, chosen_contact, now)
    before = {"status": lead.status}
    lead.status, lead.converted_at, lead.converted_by = Lead.Status.CONVERTED, now, actor
    lead.converted_contact, lead.converted_account, lead.converted_opportunity = chosen_contact, chosen_account, deal
    lead.save()
    audit.record(
        actor=actor,
        workspace=lead.workspace,
        action=AuditEntry.Action.UPDATE,
        obj=lead,
        changes={
            "status": [before["status"], lead.status],
            "converted_contact": [None, chosen_contact.pk],
            "converted_account": [None, chosen_account.pk if chosen_account else None],
            "converted_opportunity": [None, deal.pk if deal else None],
            "contact_created": [None, contact_created],
            "account_created": [None, account_created],
            "history_moved": [None, moved],
            "consent_copied": [None, consent],
        },
    )
    transaction.on_commit(lambda: index_records(object_type="lead", ids=[lead.pk]))
    return Conversion(
        lead=lead,
        contact=chosen_contact,
        account=chosen_account,
        opportunity=deal,
        contact_created=contact_created,
        account_created=account_created,
        moved=moved,
    )
