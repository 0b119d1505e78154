"""Every change to a lead: create (from any door), edit, bin, restore, bulk changes, and what its interactions change.

A create or update takes the fields as a mapping and either applies all of them or raises one
ValidationError naming every bad field. A lead created without an owner goes through the
assignment rules; every lead is scored by the scoring rules whenever it or its history changes.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from functools import partial
from typing import Any

import phonenumbers
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from amity.core import audit
from amity.core.access import refuse_hidden, require
from amity.core.custom_fields import clean_custom
from amity.core.email_addresses import normalize_email
from amity.core.errors import FieldErrors
from amity.core.models import AuditEntry, Membership, Team, User, Workspace
from amity.core.notifications import NotificationKind, notify, register_kind
from amity.core.permissions import Action, ObjectType
from amity.core.phones import to_e164
from amity.customers import normalize
from amity.customers.services import set_tags
from amity.sales.models import Lead
from amity.sales.services.lead_assignment import choose_owner
from amity.sales.services.lead_scoring import rescore_lead
from amity.search.services import index_records

AUDITED_FIELDS = [
    "first_name", "last_name", "email", "phone", "company", "title", "website", "industry", "country", "region", "city",
    "postcode", "status", "rating", "source", "campaign", "description", "unqualified_reason", "marketing_consent", "owner",
    "team", "external_id", "custom",
]  # fmt: skip
TEXT_LIMITS = {
    "first_name": 100, "last_name": 100, "company": 200, "title": 150, "industry": 100, "region": 100, "city": 100,
    "postcode": 20, "source": 100, "campaign": 200, "unqualified_reason": 200,
}  # fmt: skip
MAX_DESCRIPTION = 20_000
BULK_LIMIT = 1000
# Statuses a person sets; "converted" is set only by converting the lead.
SETTABLE_STATUSES = [status for status in Lead.Status.values if status != Lead.Status.CONVERTED]
COUNTRY = re.compile(r"[A-Z]{2}")

LEAD_ASSIGNED = register_kind(NotificationKind("lead_assigned", "A new lead is assigned to me", icon="user-plus"))


# --- Snapshots for the audit trail ------------------------------------------------------------------------


def _snapshot(lead: Lead) -> dict[str, Any]:
    if lead.pk is None:
        return {}
    values = audit.snapshot(lead, AUDITED_FIELDS)
    values["tags"] = sorted(lead.tags.values_list("name", flat=True))
    return values


def _record(*, actor: User | None, lead: Lead, before: dict[str, Any], action: str | None = None) -> None:
    """Audit what changed and keep the search index current once it commits."""
    changes = audit.diff(before, _snapshot(lead))
    if changes or action:
        audit.record(actor=actor, workspace=lead.workspace, action=action or AuditEntry.Action.UPDATE, obj=lead, changes=changes)
        transaction.on_commit(partial(index_records, object_type="lead", ids=[lead.pk]))


# --- Fields ------------------------------------------------------------------------------------------------


def _text(lead: Lead, data: Mapping[str, Any], errors: FieldErrors) -> None:
    for field, limit in TEXT_LIMITS.items():
        if field in data:
            value = " ".join(str(data[field] or "").split())
            if len(value) > limit:
                errors[field] = f"Use at most {limit} characters."
            setattr(lead, field, value[:limit])
    if "description" in data:
        description = str(data["description"] or "").strip()
        if len(description) > MAX_DESCRIPTION:
            errors["description"] = f"Use at most {MAX_DESCRIPTION:,} characters."
        lead.description = description[:MAX_DESCRIPTION]


def _reach(lead: Lead, data: Mapping[str, Any], errors: FieldErrors) -> None:
    """Email as contacts store it, phone as E.164 (read in the lead's country), website as a bare domain."""
    if "country" in data:
        country = str(data["country"] or "").strip().upper()
        if country and not (COUNTRY.fullmatch(country) and country in phonenumbers.SUPPORTED_REGIONS):
            errors["country"] = "Give the two-letter ISO code of a country, e.g. DE or US."
        lead.country = country[:2]
    if "email" in data:
        raw = str(data["email"] or "").strip()
        try:
            lead.email = normalize_email(raw) if raw else ""
        except ValueError as error:
            errors["email"] = str(error)
    if "phone" in data:
        raw = str(data["phone"] or "").strip()
        try:
            lead.phone = to_e164(raw, lead.country or None) if raw else ""
        except ValueError as error:
            errors["phone"] = str(error)
    if "website" in data:
        raw = str(data["website"] or "").strip()
        try:
            lead.website = normalize.web_domain(raw) if raw else ""
        except ValueError as error:
            errors["website"] = str(error)


def _choices(lead: Lead, data: Mapping[str, Any], errors: FieldErrors) -> None:
    if "status" in data:
        status = data["status"] or Lead.Status.NEW
        if status == Lead.Status.CONVERTED and lead.status != Lead.Status.CONVERTED:
            errors["status"] = "Convert the lead to mark it converted."
        elif status not in Lead.Status.values:
            errors["status"] = f"Choose one of: {', '.join(SETTABLE_STATUSES)}."
        else:
            lead.status = status
    if "rating" in data:
        rating = data["rating"] or ""
        if rating and rating not in Lead.Rating.values:
            errors["rating"] = f"Choose one of: {', '.join(Lead.Rating.values)}."
        lead.rating = rating
    if "marketing_consent" in data:
        consent = data["marketing_consent"]
        if consent not in (True, False, None):
            errors["marketing_consent"] = "Say true, false or null."
        elif consent != lead.marketing_consent:
            lead.marketing_consent = consent
            lead.consent_at = timezone.now() if consent is not None else None


def _links(lead: Lead, workspace: Workspace, data: Mapping[str, Any], errors: FieldErrors) -> None:
    if "owner_id" in data:
        owner_id = data["owner_id"]
        if owner_id is not None and not Membership.objects.filter(workspace=workspace, user_id=owner_id).exists():
            errors["owner_id"] = f"No member with id {owner_id} in this workspace."
        lead.owner_id = owner_id
    if "team_id" in data:
        team_id = data["team_id"]
        if team_id is not None and not Team.objects.filter(workspace=workspace, pk=team_id).exists():
            errors["team_id"] = f"No team with id {team_id} in this workspace."
        lead.team_id = team_id


def _external_id_and_custom(lead: Lead, workspace: Workspace, data: Mapping[str, Any], errors: FieldErrors) -> None:
    if "external_id" in data:
        external_id = str(data["external_id"]).strip() if data["external_id"] not in (None, "") else None
        if external_id and len(external_id) > 100:
            errors["external_id"] = "Use at most 100 characters."
        elif external_id and Lead.objects.filter(workspace=workspace, external_id=external_id).exclude(pk=lead.pk or 0).exists():
            errors["external_id"] = f"Another lead already has the external id {external_id!r}."
        lead.external_id = external_id
    if "custom" in data or lead.pk is None:
        try:
            lead.custom = clean_custom(
                workspace=workspace,
                object_type=ObjectType.LEAD,
                values=dict(data.get("custom") or {}),
                existing=lead.custom,
                model=Lead,
                instance_pk=lead.pk,
            )
        except ValidationError as error:
            errors.add(error)


def clean_lead_fields(lead: Lead, data: Mapping[str, Any], errors: FieldErrors) -> dict[str, Any]:
    """Apply the rules of a lead that need no database (text, email, phone, website, choices, tags); returns the tags to set.

    An import checks thousands of rows with it and asks the database the rest once per batch.
    """
    _text(lead, data, errors)
    _reach(lead, data, errors)
    _choices(lead, data, errors)
    children: dict[str, Any] = {}
    if "tags" in data:
        tag_errors: dict[str, str] = {}
        children["tags"] = normalize.tag_names(data["tags"], tag_errors)
        errors.update(tag_errors)
    return children


def check_lead_named(lead: Lead, errors: FieldErrors) -> None:
    if not (lead.last_name or lead.first_name or lead.email or lead.company):
        errors.setdefault("last_name", "A lead needs a name, an email address or a company.")


def clean_lead(lead: Lead, workspace: Workspace, data: Mapping[str, Any]) -> dict[str, Any]:
    """Apply `data` to an unsaved or existing lead by every rule of a lead. Writes nothing; returns the tags to set."""
    errors = FieldErrors()
    children = clean_lead_fields(lead, data, errors)
    _links(lead, workspace, data, errors)
    _external_id_and_custom(lead, workspace, data, errors)
    check_lead_named(lead, errors)
    errors.raise_if_any()
    return children


# --- Telling the owner --------------------------------------------------------------------------------------


def lead_url(lead: Lead) -> str:
    return reverse("lead_detail", kwargs={"slug": lead.workspace.slug, "pk": lead.pk})


def _notify_owner(lead: Lead, *, actor: User | None, how: str) -> None:
    """The new owner hears of the lead, in the app and by email, unless they gave it to themselves."""
    if lead.owner is None or (actor is not None and lead.owner_id == actor.pk):
        return
    about = " · ".join(part for part in (lead.company, lead.email, lead.source) if part)
    notify(
        workspace=lead.workspace,
        recipient=lead.owner,
        kind=LEAD_ASSIGNED.kind,
        title=f"New lead for you: {lead}",
        body=f"{about}\n{how}".strip(),
        url=lead_url(lead),
    )


# --- Create, update --------------------------------------------------------------------------------------------


def create_lead(
    *, actor: User | None, workspace: Workspace, data: Mapping[str, Any], default_owner: User | None = None, web_form: Any = None
) -> Lead:
    """Create a lead from any door (a person, the API, a web form): owner given, else the assignment rules, else `default_owner`."""
    lead = Lead(workspace=workspace, web_form=web_form)
    children = clean_lead(lead, workspace, data)
    how = ""
    if "owner_id" not in data or data.get("owner_id") is None:
        rule_owner, rule = choose_owner(lead)
        if rule_owner is not None and rule is not None:
            lead.owner, how = rule_owner, f"Assigned by the rule “{rule.name}”."
        else:
            lead.owner = default_owner
    lead.save()
    if "tags" in children:
        set_tags(lead, workspace, children["tags"])
    rescore_lead(lead)
    _record(actor=actor, lead=lead, before={}, action=AuditEntry.Action.CREATE)
    _notify_owner(lead, actor=actor, how=how)
    return lead


@transaction.atomic
def lead_create(*, actor: User, workspace: Workspace, data: Mapping[str, Any]) -> Lead:
    """Add a lead by hand or through the API; without an owner the assignment rules choose one, else it is the creator's."""
    require(actor, workspace, Action.ADD, ObjectType.LEAD)
    refuse_hidden(actor, workspace, ObjectType.LEAD, data)
    return create_lead(actor=actor, workspace=workspace, data=data, default_owner=actor)


def _refuse_converted(lead: Lead) -> None:
    if lead.converted_at is not None:
        raise ValidationError({"status": "This lead was converted; change its contact, account or deal instead."})


@transaction.atomic
def lead_update(*, actor: User, lead: Lead, data: Mapping[str, Any]) -> Lead:
    """Change some fields of a lead; its score follows, and a new owner is told."""
    require(actor, lead.workspace, Action.CHANGE, ObjectType.LEAD)
    refuse_hidden(actor, lead.workspace, ObjectType.LEAD, data)
    _refuse_converted(lead)
    before = _snapshot(lead)
    owner_before = lead.owner_id
    children = clean_lead(lead, lead.workspace, data)
    lead.save()
    if "tags" in children:
        set_tags(lead, lead.workspace, children["tags"])
    rescore_lead(lead)
    _record(actor=actor, lead=lead, before=before)
    if lead.owner_id != owner_before:
        _notify_owner(lead, actor=actor, how=f"Handed over by {actor.display_name}.")
    return lead


# --- Bin, restore, bulk ------------------------------------------------------------------------------------------


@transaction.atomic
def lead_soft_delete(*, actor: User, lead: Lead) -> None:
    """Move a lead to the bin: gone from lists and search, recoverable."""
    require(actor, lead.workspace, Action.DELETE, ObjectType.LEAD)
    if lead.deleted_at is None:
        lead.deleted_at = timezone.now()
        lead.save(update_fields=["deleted_at", "updated_at"])
        audit.record(actor=actor, workspace=lead.workspace, action=AuditEntry.Action.DELETE, obj=lead, changes={"deleted": [False, True]})
        transaction.on_commit(partial(index_records, object_type="lead", ids=[lead.pk]))


@transaction.atomic
def lead_restore(*, actor: User, lead: Lead) -> None:
    """Bring a lead back from the bin."""
    require(actor, lead.workspace, Action.DELETE, ObjectType.LEAD)
    if lead.deleted_at is not None:
        lead.deleted_at = None
        lead.save(update_fields=["deleted_at", "updated_at"])
        audit.record(actor=actor, workspace=lead.workspace, action=AuditEntry.Action.RESTORE, obj=lead, changes={"deleted": [True, False]})
        transaction.on_commit(partial(index_records, object_type="lead", ids=[lead.pk]))


@transaction.atomic
def lead_bulk_save(*, actor: User, workspace: Workspace, rows: Sequence[Mapping[str, Any]]) -> list[Lead]:
    """Create (no `id`) or update (with `id`) up to 1,000 leads: all of them, or none with an error per row."""
    if len(rows) > BULK_LIMIT:
        raise ValidationError({"items": f"Send at most {BULK_LIMIT} leads per call."})
    ids = [row["id"] for row in rows if row.get("id")]
    existing = {lead.pk: lead for lead in Lead.objects.filter(workspace=workspace, deleted_at__isnull=True, pk__in=ids)}
    saved: list[Lead] = []
    errors = FieldErrors()
    for index, row in enumerate(rows):
        data = {key: value for key, value in row.items() if key != "id"}
        try:
            with transaction.atomic():
                if row.get("id") and row["id"] not in existing:
                    raise ValidationError({"id": f"No lead with id {row['id']} in this workspace."})
                lead = existing.get(row.get("id") or 0)
                saved.append(
                    lead_update(actor=actor, lead=lead, data=data) if lead else lead_create(actor=actor, workspace=workspace, data=data)
                )
        except ValidationError as error:
            errors.add(error, prefix=f"items.{index}.")
    errors.raise_if_any()
    return saved


@transaction.atomic
def lead_bulk_assign(*, actor: User, leads: list[Lead], owner: User | None) -> int:
    """Give many leads one owner (converted ones are left as they are)."""
    for lead in leads:
        if lead.converted_at is None:
            lead_update(actor=actor, lead=lead, data={"owner_id": owner.pk if owner else None})
    return len(leads)


@transaction.atomic
def lead_bulk_tag(*, actor: User, leads: list[Lead], add: list[str]) -> int:
    """Add tags to many leads, keeping the tags they have."""
    for lead in leads:
        if lead.converted_at is None:
            current = lead.tags.values_list("name", flat=True)
            lead_update(actor=actor, lead=lead, data={"tags": sorted({*current, *add})})
    return len(leads)


@transaction.atomic
def lead_bulk_delete(*, actor: User, leads: list[Lead]) -> int:
    """Move many leads to the bin."""
    for lead in leads:
        lead_soft_delete(actor=actor, lead=lead)
    return len(leads)


# --- What the timeline changes -------------------------------------------------------------------------------------


def lead_history_changed(*, actor: User | None, lead: Lead, contacted_at: dt.datetime | None = None) -> None:
    """An interaction was logged, changed or removed on the lead: score it again; the first one marks it contacted."""
    if contacted_at is not None and lead.converted_at is None and lead.first_contacted_at is None:
        before = _snapshot(lead)
        lead.first_contacted_at = contacted_at
        fields = ["first_contacted_at", "updated_at"]
        if lead.status == Lead.Status.NEW:
            lead.status = Lead.Status.CONTACTED
            fields.append("status")
        lead.save(update_fields=fields)
        _record(actor=actor, lead=lead, before=before)
    rescore_lead(lead)
