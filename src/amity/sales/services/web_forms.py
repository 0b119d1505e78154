"""Web forms: the admin's forms, and a visitor's submission turned into a lead, with the proof kept.

A submission reaches `web_form_submit` from the public, CSRF-exempt endpoint keyed by the form's
token. Spam is stopped before anything is written: a filled-in honeypot field is accepted
silently and dropped (a bot learns nothing), and more than a few submissions from one address or
too many to one form within a window are refused with `RateLimited` (counters in Django's cache,
shared by every web process when the cache is Redis).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction

from amity.core import audit
from amity.core.access import require
from amity.core.errors import FieldErrors
from amity.core.models import AuditEntry, Door, FieldDefinition, Membership, User, Workspace
from amity.core.permissions import Action, ObjectType
from amity.customers import normalize
from amity.sales.models import Lead, WebForm, WebFormSubmission
from amity.sales.services.leads import create_lead

# The lead fields a form may ask for, with the label a visitor sees; custom fields are `custom.<key>`.
FORM_FIELDS: dict[str, str] = {
    "first_name": "First name",
    "last_name": "Last name",
    "email": "Email",
    "phone": "Phone",
    "company": "Company",
    "title": "Job title",
    "website": "Website",
    "industry": "Industry",
    "country": "Country (2-letter code)",
    "region": "Region",
    "city": "City",
    "postcode": "Postcode",
    "description": "Message",
}
HONEYPOT = "amity_hp"  # a field people never see and bots fill in
CONSENT = "consent"
FORM_AUDITED = ["name", "fields", "required", "submit_label", "thank_you_message", "redirect_url", "consent_text", "owner", "source",
                "campaign", "tags", "active"]  # fmt: skip


class RateLimited(Exception):
    """Too many submissions from one address, or to one form, within the window."""


@dataclass(frozen=True)
class Submitted:
    """What a submission became: a lead, or nothing when the honeypot caught a bot."""

    lead: Lead | None
    submission: WebFormSubmission | None


# --- Forms -----------------------------------------------------------------------------------------------------


def _custom_definitions(workspace: Workspace) -> dict[str, FieldDefinition]:
    definitions = FieldDefinition.objects.filter(workspace=workspace, object_type=ObjectType.LEAD, archived_at__isnull=True)
    return {f"custom.{definition.key}": definition for definition in definitions}


def field_labels(workspace: Workspace) -> dict[str, str]:
    """Every field a form may show: the lead's own, then the workspace's lead custom fields."""
    return FORM_FIELDS | {key: definition.label for key, definition in _custom_definitions(workspace).items()}


def _field_list(value: Any, field: str, known: dict[str, str], errors: FieldErrors) -> list[str]:
    items = [str(item) for item in (value or [])] if isinstance(value, list | tuple) else None
    if items is None:
        errors[field] = "Give a list of field names."
        return []
    unknown = [item for item in items if item not in known]
    if unknown:
        errors[field] = f"Unknown fields {', '.join(unknown)}; choose from: {', '.join(known)}."
    return list(dict.fromkeys(item for item in items if item in known))


def _clean_form(form: WebForm, data: Mapping[str, Any]) -> None:
    errors = FieldErrors()
    known = field_labels(form.workspace)
    for name in ("name", "submit_label", "thank_you_message", "consent_text", "source", "campaign"):
        if name in data:
            setattr(form, name, " ".join(str(data[name] or "").split()))
    if "active" in data:
        form.active = bool(data["active"])
    if "fields" in data:
        form.fields = _field_list(data["fields"], "fields", known, errors)
    if "required" in data:
        form.required = _field_list(data["required"], "required", known, errors)
    if "tags" in data:
        tag_errors: dict[str, str] = {}
        form.tags = normalize.tag_names(data["tags"], tag_errors)
        errors.update(tag_errors)
    if "redirect_url" in data:
        form.redirect_url = str(data["redirect_url"] or "").strip()
        if form.redirect_url:
            try:
                URLValidator(schemes=["http", "https"])(form.redirect_url)
            except ValidationError:
                errors["redirect_url"] = "Give a full http(s) address, e.g. https://acme.com/thanks."
    if "owner_id" in data:
        owner_id = data["owner_id"]
        if owner_id is not None and not Membership.objects.filter(workspace=form.workspace, user_id=owner_id).exists():
            errors["owner_id"] = f"No member with id {owner_id} in this workspace."
        form.owner_id = owner_id
    if not form.name:
        errors["name"] = "Name the form."
    elif WebForm.objects.filter(workspace=form.workspace, name=form.name).exclude(pk=form.pk or 0).exists():
        errors["name"] = "Another form has this name."
    if not form.fields:
        errors.setdefault("fields", "Show at least one field.")
    if not {"email", "last_name", "company"} & set(form.fields):
        errors.setdefault("fields", "Ask at least for an email, a last name or a company, or the lead cannot be told apart.")
    missing = [name for name in form.required if name not in form.fields]
    if missing:
        errors.setdefault("required", f"Only shown fields can be required; not shown: {', '.join(missing)}.")
    for name, limit in (("submit_label", 60), ("thank_you_message", 1000), ("consent_text", 500), ("source", 100), ("campaign", 200)):
        if len(getattr(form, name)) > limit:
            errors.setdefault(name, f"Use at most {limit} characters.")
    errors.raise_if_any()


@transaction.atomic
def web_form_create(*, actor: User, workspace: Workspace, data: Mapping[str, Any]) -> WebForm:
    """Add a web form, with a fresh unguessable token for its public address."""
    require(actor, workspace, Action.ADD, ObjectType.WEB_FORM)
    form = WebForm(
        workspace=workspace, created_by=actor, token=secrets.token_urlsafe(24), fields=["first_name", "last_name", "email", "company"]
    )
    _clean_form(form, data)
    form.save()
    changes = {name: [None, value] for name, value in audit.snapshot(form, FORM_AUDITED).items()}
    audit.record(actor=actor, workspace=workspace, action=AuditEntry.Action.CREATE, obj=form, changes=changes)
    return form


@transaction.atomic
def web_form_update(*, actor: User, form: WebForm, data: Mapping[str, Any], new_token: bool = False) -> WebForm:
    """Change a web form; `new_token` gives it a new public address (the old snippet stops working)."""
    require(actor, form.workspace, Action.CHANGE, ObjectType.WEB_FORM)
    before = audit.snapshot(form, FORM_AUDITED)
    _clean_form(form, data)
    changes = audit.diff(before, audit.snapshot(form, FORM_AUDITED))
    if new_token:
        form.token = secrets.token_urlsafe(24)
        changes["token"] = ["…", "…"]  # the audit says it changed, never what it is
    form.save()
    if changes:
        audit.record(actor=actor, workspace=form.workspace, action=AuditEntry.Action.UPDATE, obj=form, changes=changes)
    return form


@transaction.atomic
def web_form_delete(*, actor: User, form: WebForm) -> None:
    """Remove a web form; its leads keep their submissions' data, the public address stops answering."""
    require(actor, form.workspace, Action.DELETE, ObjectType.WEB_FORM)
    changes = {name: [value, None] for name, value in audit.snapshot(form, FORM_AUDITED).items()}
    audit.record(actor=actor, workspace=form.workspace, action=AuditEntry.Action.DELETE, obj=form, changes=changes)
    form.delete()


# --- Submissions ---------------------------------------------------------------------------------------------------


def _within_limit(key: str, limit: int, window: int) -> bool:
    """Count one more hit on `key` in a fixed window; False once the count passes `limit`."""
    if cache.add(key, 1, timeout=window):
        return limit >= 1
    try:
        return cache.incr(key) <= limit
    except ValueError:  # expired between add and incr: start a new window
        cache.add(key, 1, timeout=window)
        return True


def check_rate(form: WebForm, ip_address: str | None) -> None:
    """Refuse a submission over the per-address or per-form limit (settings LEAD_FORM_LIMIT_PER_IP / _PER_FORM: count, seconds)."""
    per_ip, ip_window = settings.LEAD_FORM_LIMIT_PER_IP
    per_form, form_window = settings.LEAD_FORM_LIMIT_PER_FORM
    if not _within_limit(f"amity:leadform:{form.pk}:ip:{ip_address or '-'}", per_ip, ip_window):
        raise RateLimited("Too many submissions from your address; please try again later.")
    if not _within_limit(f"amity:leadform:{form.pk}:all", per_form, form_window):
        raise RateLimited("This form is receiving too many submissions; please try again later.")


def _lead_data(form: WebForm, posted: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The lead's fields from what was posted (only the form's fields), and the submission as kept."""
    errors = FieldErrors()
    labels = field_labels(form.workspace)
    kept: dict[str, Any] = {}
    data: dict[str, Any] = {"custom": {}}
    for name in form.fields:
        value = str(posted.get(name) or "").strip()[:20_000]
        if not value and name in form.required:
            errors[name] = f"{labels.get(name, name)} is required."
        if not value:
            continue
        kept[name] = value
        if name.startswith("custom."):
            data["custom"][name.removeprefix("custom.")] = value
        else:
            data[name] = value
    if form.consent_text:
        granted = str(posted.get(CONSENT) or "") in {"on", "yes", "true", "1"}
        kept[CONSENT] = granted
        data["marketing_consent"] = granted
    errors.raise_if_any()
    if not data["custom"]:
        del data["custom"]
    return data, kept


@transaction.atomic
def web_form_submit(
    *, form: WebForm, posted: Mapping[str, str], ip_address: str | None = None, user_agent: str = "", referrer: str = ""
) -> Submitted:
    """A visitor sent the form: check for spam, make the lead (assigned, scored, its owner told) and keep the submission."""
    if not form.active:
        raise ValidationError({"form": "This form no longer takes submissions."})
    check_rate(form, ip_address)
    if str(posted.get(HONEYPOT) or "").strip():
        return Submitted(lead=None, submission=None)
    data, kept = _lead_data(form, posted)
    data.update(source=form.source, campaign=form.campaign, tags=form.tags)
    if form.owner_id is not None:
        data["owner_id"] = form.owner_id
    with audit.acting_through(Door.WEB, label=f"web form {form.name}"[:200]):
        lead = create_lead(actor=None, workspace=form.workspace, data=data, web_form=form)
        submission = WebFormSubmission.objects.create(
            workspace=form.workspace,
            form=form,
            lead=lead,
            data=kept,
            ip_address=ip_address,
            user_agent=user_agent[:500],
            referrer=referrer[:500],
        )
    return Submitted(lead=lead, submission=submission)
