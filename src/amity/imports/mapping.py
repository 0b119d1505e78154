"""Which column of a file goes to which field: suggested from the headers, overridable by the user.

A mapping is {column header: field}; an empty field ignores the column. Custom fields are
`custom.<key>`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from amity.core.models import FieldDefinition, Workspace

CONTACT_FIELDS: dict[str, str] = {
    "first_name": "First name",
    "last_name": "Last name",
    "full_name": "Full name (split into first and last)",
    "title": "Job title",
    "email": "Email (primary)",
    "phone": "Phone (work)",
    "mobile": "Phone (mobile)",
    "account": "Company (account name; created if new)",
    "language": "Language",
    "time_zone": "Time zone",
    "preferred_channel": "Preferred channel",
    "lifecycle_stage": "Lifecycle stage",
    "source": "Source",
    "external_id": "External ID",
    "tags": "Tags (separated by ; or ,)",
    "owner": "Owner (a member's email)",
}
ACCOUNT_FIELDS: dict[str, str] = {
    "name": "Name",
    "domains": "Web domains (separated by ; or ,)",
    "industry": "Industry",
    "size": "Size",
    "annual_revenue": "Annual revenue",
    "revenue_currency": "Revenue currency",
    "lifecycle_stage": "Lifecycle stage",
    "source": "Source",
    "external_id": "External ID",
    "tags": "Tags (separated by ; or ,)",
    "owner": "Owner (a member's email)",
}
LEAD_FIELDS: dict[str, str] = {
    "first_name": "First name",
    "last_name": "Last name",
    "full_name": "Full name (split into first and last)",
    "email": "Email",
    "phone": "Phone",
    "company": "Company",
    "title": "Job title",
    "website": "Website (web domain)",
    "industry": "Industry",
    "country": "Country (ISO code, e.g. DE)",
    "region": "Region (state, province)",
    "city": "City",
    "postcode": "Postcode",
    "status": "Status",
    "rating": "Rating (hot, warm, cold)",
    "source": "Source",
    "campaign": "Campaign",
    "description": "Description",
    "marketing_consent": "Marketing consent (yes or no)",
    "external_id": "External ID",
    "tags": "Tags (separated by ; or ,)",
    "owner": "Owner (a member's email; empty: the assignment rules choose)",
}
STANDARD_FIELDS: dict[str, dict[str, str]] = {"contacts": CONTACT_FIELDS, "accounts": ACCOUNT_FIELDS, "leads": LEAD_FIELDS}
# The sensitive field (permissions.SENSITIVE_FIELDS) an import field writes, when its name differs.
WRITES: dict[str, dict[str, str]] = {"contacts": {"phone": "phones", "mobile": "phones"}}

# Header spellings people use, squashed to lower-case letters and digits.
SYNONYMS: dict[str, dict[str, list[str]]] = {
    "contacts": {
        "first_name": ["firstname", "first", "givenname", "forename", "vorname", "prenom"],
        "last_name": ["lastname", "last", "surname", "familyname", "nachname", "nom"],
        "full_name": ["name", "fullname", "contactname", "contact", "person"],
        "title": ["title", "jobtitle", "position", "role", "function"],
        "email": ["email", "emailaddress", "mail", "emailadresse", "workemail", "primaryemail", "courriel"],
        "phone": ["phone", "phonenumber", "telephone", "tel", "workphone", "businessphone", "officephone"],
        "mobile": ["mobile", "mobilephone", "cell", "cellphone", "handy"],
        "account": ["company", "companyname", "organisation", "organization", "account", "accountname", "employer", "firma"],
        "language": ["language", "lang", "locale"],
        "time_zone": ["timezone", "tz"],
        "preferred_channel": ["preferredchannel", "channel"],
        "lifecycle_stage": ["lifecyclestage", "stage", "lifecycle"],
        "source": ["source", "leadsource", "origin"],
        "external_id": ["externalid", "id", "externalkey", "crmid", "recordid", "contactid"],
        "tags": ["tags", "tag", "labels", "label"],
        "owner": ["owner", "owneremail", "contactowner", "assignedto"],
    },
    "accounts": {
        "name": ["name", "company", "companyname", "organisation", "organization", "account", "accountname"],
        "domains": ["domain", "domains", "website", "web", "url", "homepage", "webaddress", "site"],
        "industry": ["industry", "sector", "branche"],
        "size": ["size", "employees", "companysize", "headcount"],
        "annual_revenue": ["annualrevenue", "revenue", "turnover"],
        "revenue_currency": ["currency", "revenuecurrency"],
        "lifecycle_stage": ["lifecyclestage", "stage", "lifecycle"],
        "source": ["source", "origin"],
        "external_id": ["externalid", "id", "externalkey", "crmid", "recordid", "accountid"],
        "tags": ["tags", "tag", "labels", "label"],
        "owner": ["owner", "owneremail", "accountowner", "assignedto"],
    },
    "leads": {
        "first_name": ["firstname", "first", "givenname", "forename", "vorname", "prenom"],
        "last_name": ["lastname", "last", "surname", "familyname", "nachname", "nom"],
        "full_name": ["name", "fullname", "leadname", "contactname", "contact", "person"],
        "email": ["email", "emailaddress", "mail", "emailadresse", "workemail", "courriel"],
        "phone": ["phone", "phonenumber", "telephone", "tel", "mobile", "mobilephone", "workphone", "businessphone"],
        "company": ["company", "companyname", "organisation", "organization", "account", "accountname", "employer", "firma"],
        "title": ["title", "jobtitle", "position", "role", "function"],
        "website": ["website", "web", "url", "domain", "homepage", "webaddress", "site"],
        "industry": ["industry", "sector", "branche"],
        "country": ["country", "countrycode", "land", "pays"],
        "region": ["region", "state", "province", "county"],
        "city": ["city", "town", "ort", "ville"],
        "postcode": ["postcode", "postalcode", "zip", "zipcode", "plz"],
        "status": ["status", "leadstatus"],
        "rating": ["rating", "leadrating", "temperature"],
        "source": ["source", "leadsource", "origin"],
        "campaign": ["campaign", "campaignname", "utmcampaign"],
        "description": ["description", "notes", "note", "comments", "comment", "message"],
        "marketing_consent": ["marketingconsent", "consent", "optin", "newsletter", "emailoptin"],
        "external_id": ["externalid", "id", "externalkey", "crmid", "recordid", "leadid"],
        "tags": ["tags", "tag", "labels", "label"],
        "owner": ["owner", "owneremail", "leadowner", "assignedto"],
    },
}


def squash(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", header.lower().replace("e-mail", "email"))


def object_type(kind: str) -> str:
    return {"contacts": "contact", "accounts": "account", "leads": "lead"}[kind]


def _definitions(kind: str, workspace: Workspace) -> QuerySet[FieldDefinition]:
    """The custom fields a column can go to: archived ones are not offered."""
    return FieldDefinition.objects.filter(workspace=workspace, object_type=object_type(kind), archived_at__isnull=True)


def writes_hidden(kind: str, field: str, hidden: frozenset[str]) -> bool:
    """Whether an import field writes one of the `hidden` fields (those the importing member's role may not see)."""
    return WRITES.get(kind, {}).get(field, field) in hidden


def fields_for(kind: str, workspace: Workspace, hidden: frozenset[str] = frozenset()) -> dict[str, str]:
    """Every field a column of this kind of import can go to, with its label; none of the `hidden` fields."""
    standard = STANDARD_FIELDS[kind]
    custom = {
        f"custom.{definition.key}": f"{definition.label} (custom field)"
        for definition in _definitions(kind, workspace).order_by("position", "id")
    }
    return {field: label for field, label in {**standard, **custom}.items() if not writes_hidden(kind, field, hidden)}


def suggest(kind: str, headers: list[str], workspace: Workspace, hidden: frozenset[str] = frozenset()) -> dict[str, str]:
    """A field for each header that looks like one, each field used once, never a `hidden` one; '' for a column to ignore."""
    lookup: dict[str, str] = {}
    for definition in _definitions(kind, workspace):
        lookup.setdefault(squash(definition.key), f"custom.{definition.key}")
        lookup.setdefault(squash(definition.label), f"custom.{definition.key}")
    for field, spellings in SYNONYMS[kind].items():
        for spelling in spellings:
            lookup.setdefault(spelling, field)
    used: set[str] = set()
    suggestion: dict[str, str] = {}
    for header in headers:
        field = lookup.get(squash(header), "")
        if field in used or writes_hidden(kind, field, hidden):
            field = ""
        suggestion[header] = field
        used.add(field)
    return suggestion


def resolve(
    kind: str,
    headers: list[str],
    workspace: Workspace,
    overrides: Mapping[str, str] | None,
    *,
    complete: bool = True,
    hidden: frozenset[str] = frozenset(),
) -> dict[str, str]:
    """The suggestion with the user's choices laid over it; unknown columns or fields are refused by name.

    With `complete`, the mapping must also be enough to make a record (see `check_complete`); an upload
    that waits for the user to map its columns is not held to that yet.
    """
    known = fields_for(kind, workspace, hidden)
    mapping = suggest(kind, headers, workspace, hidden)
    errors: dict[str, str] = {}
    for column, field in (overrides or {}).items():
        field = (field or "").strip()
        if column not in mapping:
            errors[f"mapping.{column}"] = f"The file has no column {column!r}; its columns are: {', '.join(headers)}."
        elif field and writes_hidden(kind, field, hidden):
            errors[f"mapping.{column}"] = f"Your role may not see {WRITES.get(kind, {}).get(field, field)}, so it cannot import {field!r}."
        elif field and field not in known:
            errors[f"mapping.{column}"] = f"There is no field {field!r} for {kind}; choose one of: {', '.join(known)}."
        else:
            if field:
                for other, taken in mapping.items():
                    if taken == field and other != column:
                        mapping[other] = ""
            mapping[column] = field
    if errors:
        raise ValidationError(errors)
    if complete:
        check_complete(kind, mapping)
    return mapping


def check_complete(kind: str, mapping: Mapping[str, str]) -> None:
    """Refuse a mapping that could not make a single record: a contact needs a name, email or phone; an account a name;
    a lead a name, an email or a company."""
    targets = set(mapping.values())
    if kind == "contacts" and not targets & {"first_name", "last_name", "full_name", "email", "phone", "mobile"}:
        raise ValidationError({"mapping": "Map at least one column to a name, an email or a phone of the contact."})
    if kind == "accounts" and "name" not in targets and "external_id" not in targets and "domains" not in targets:
        raise ValidationError({"mapping": "Map a column to the account's name."})
    if kind == "leads" and not targets & {"first_name", "last_name", "full_name", "email", "company", "external_id"}:
        raise ValidationError({"mapping": "Map at least one column to a name, an email or a company of the lead."})
