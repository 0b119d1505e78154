"""What the API takes in and gives out for leads, their conversion, scoring and assignment rules, and web forms."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Field, Schema

from amity.customers.schemas import HIDDEN_NOTE

# --- Leads --------------------------------------------------------------------------------------------------------


class _LeadFields(Schema):
    title: str | None = Field(None, max_length=150)
    phone: str | None = Field(None, max_length=40, description="Stored as E.164; a national number is read in the lead's country.")
    website: str | None = Field(None, max_length=300, description="Stored as a bare domain, e.g. acme.com.")
    industry: str | None = Field(None, max_length=100)
    country: str | None = Field(None, max_length=2, description="ISO 3166 code, e.g. DE.")
    region: str | None = Field(None, max_length=100)
    city: str | None = Field(None, max_length=100)
    postcode: str | None = Field(None, max_length=20)
    status: str | None = Field(None, description="new, contacted, qualified or unqualified (converted: convert it).")
    rating: str | None = Field(None, description="hot, warm, cold, or empty.")
    source: str | None = Field(None, max_length=100)
    campaign: str | None = Field(None, max_length=200)
    description: str | None = Field(None, max_length=20_000)
    unqualified_reason: str | None = Field(None, max_length=200)
    marketing_consent: bool | None = Field(None, description="true: granted, false: refused; copied to the contact on conversion.")
    owner_id: int | None = Field(None, description="Left out: the assignment rules choose, else the creator.")
    team_id: int | None = None
    external_id: str | None = None
    custom: dict[str, Any] | None = None
    tags: list[str] | None = Field(None, max_length=100)


class LeadIn(_LeadFields):
    first_name: str = Field("", max_length=100)
    last_name: str = Field("", max_length=100)
    email: str = Field("", max_length=254)
    company: str = Field("", max_length=200)


class LeadPatch(_LeadFields):
    first_name: str | None = Field(None, max_length=100)
    last_name: str | None = Field(None, max_length=100)
    email: str | None = Field(None, max_length=254)
    company: str | None = Field(None, max_length=200)


class LeadBulkItem(LeadPatch):
    id: int | None = Field(None, description="Give an id to update that lead; leave it out to create one.")


class LeadBulkIn(Schema):
    items: list[LeadBulkItem] = Field(..., min_length=1, max_length=1000)


class LeadOut(Schema):
    id: int
    first_name: str
    last_name: str
    full_name: str
    email: str
    phone: str = Field("", description=HIDDEN_NOTE)
    company: str
    title: str
    website: str
    industry: str
    country: str
    region: str
    city: str
    postcode: str
    status: str
    rating: str
    source: str
    campaign: str
    score: int
    description: str
    unqualified_reason: str
    marketing_consent: bool | None
    consent_at: dt.datetime | None
    owner_id: int | None
    owner_name: str
    team_id: int | None
    external_id: str | None
    custom: dict[str, Any]
    tags: list[str]
    web_form_id: int | None
    first_contacted_at: dt.datetime | None
    converted_at: dt.datetime | None
    converted_contact_id: int | None
    converted_account_id: int | None
    converted_opportunity_id: int | None
    created_at: dt.datetime
    updated_at: dt.datetime
    deleted_at: dt.datetime | None

    @staticmethod
    def resolve_owner_name(lead: Any) -> str:
        return lead.owner.display_name if lead.owner_id and lead.owner else ""

    @staticmethod
    def resolve_tags(lead: Any) -> list[str]:
        return sorted(tag.name for tag in lead.tags.all())


class LeadBulkOut(Schema):
    items: list[LeadOut]


class LeadFilterIn(Schema):
    sort: str | None = Field(None, description="-created_at (default), score, last_name, company, updated_at, each also with -.")
    status: str | None = Field(None, description="new, contacted, qualified, unqualified or converted")
    rating: str | None = Field(None, description="hot, warm or cold")
    owner_id: int | None = None
    unassigned: bool = Field(False, description="Only leads nobody owns.")
    team_id: int | None = None
    source: str | None = None
    campaign: str | None = None
    country: str | None = None
    score_min: int | None = None
    score_max: int | None = None
    tag: str | None = None
    email: str | None = None
    external_id: str | None = None
    web_form_id: int | None = None
    q: str | None = Field(None, max_length=100, description="Name, company or email starting with this.")
    created_after: dt.datetime | None = None
    created_before: dt.datetime | None = None
    updated_after: dt.datetime | None = None
    deleted: bool = False


# --- Conversion ------------------------------------------------------------------------------------------------------


class ConvertDealIn(Schema):
    name: str | None = Field(None, max_length=200, description="The company's name and “deal” if left out.")
    pipeline_id: int | None = Field(None, description="The default pipeline if left out.")
    stage_id: int | None = Field(None, description="The pipeline's first open stage if left out.")
    amount: Decimal | None = Field(None, ge=0)
    currency: str | None = Field(None, description="ISO 4217; EUR if left out.")
    expected_close_date: dt.date | None = None


class ConvertIn(Schema):
    contact_id: int | None = Field(None, description="Use this contact; left out, the one with the lead's email, else a new one.")
    account_id: int | None = Field(None, description="Use this account; left out, the one with its domain or company name, else a new one.")
    create_opportunity: bool = False
    opportunity: ConvertDealIn | None = None


class MatchContactOut(Schema):
    id: int
    name: str
    email: str


class MatchAccountOut(Schema):
    id: int
    name: str
    matched_by: str = Field(..., description="domain or name")


class ConvertPreviewOut(Schema):
    contact: MatchContactOut | None = Field(..., description="The existing contact the lead would become; null: a new one.")
    account: MatchAccountOut | None = Field(..., description="The existing account it would join; null: a new one (if it has a company).")
    interactions: int
    notes: int
    tasks: int


class ConvertOut(Schema):
    lead: LeadOut
    contact_id: int
    contact_created: bool
    account_id: int | None
    account_created: bool
    opportunity_id: int | None
    moved: dict[str, int] = Field(..., description="How many interactions, notes and tasks now show on the new records too.")


# --- Scoring and assignment rules -----------------------------------------------------------------------------------


class ScoringRuleIn(Schema):
    name: str = Field(..., min_length=1, max_length=120)
    kind: str = Field(..., description="field or engagement")
    field: str = Field("", max_length=80, description="For field rules: a lead field or custom.<key>.")
    operator: str = Field("", description="equals, not_equals, contains, starts_with, ends_with, in, gt, lt, is_set, is_not_set")
    value: str = Field("", max_length=500)
    channel: str = Field("", description="For engagement rules: email, phone, meeting, … (empty: any).")
    direction: str = Field("", description="For engagement rules: in, out or internal (empty: any).")
    max_times: int | None = Field(None, ge=1, le=1000, description="For engagement rules: count at most this many interactions.")
    points: int = Field(..., ge=-1000, le=1000)
    active: bool = True
    position: int = Field(0, ge=0, le=1000)


class ScoringRulePatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=120)
    kind: str | None = None
    field: str | None = Field(None, max_length=80)
    operator: str | None = None
    value: str | None = Field(None, max_length=500)
    channel: str | None = None
    direction: str | None = None
    max_times: int | None = Field(None, ge=1, le=1000)
    points: int | None = Field(None, ge=-1000, le=1000)
    active: bool | None = None
    position: int | None = Field(None, ge=0, le=1000)


class ScoringRuleOut(Schema):
    id: int
    name: str
    kind: str
    field: str
    operator: str
    value: str
    channel: str
    direction: str
    max_times: int | None
    points: int
    active: bool
    position: int


class RescoreOut(Schema):
    id: int
    status: str
    total: int
    done: int
    changed: int
    percent: int
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    error: str


class AssignmentRuleIn(Schema):
    name: str = Field(..., min_length=1, max_length=120)
    position: int | None = Field(None, ge=0, le=1000, description="At the end if left out.")
    active: bool = True
    countries: list[str] = Field(default_factory=list, max_length=200)
    regions: list[str] = Field(default_factory=list, max_length=200)
    postcode_prefixes: list[str] = Field(default_factory=list, max_length=200)
    field: str = Field("", max_length=80)
    operator: str = ""
    value: str = Field("", max_length=500)
    assign_to_id: int | None = Field(None, description="Give matching leads to this member…")
    team_id: int | None = Field(None, description="…or in turn to this team's members (round-robin).")


class AssignmentRulePatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=120)
    position: int | None = Field(None, ge=0, le=1000)
    active: bool | None = None
    countries: list[str] | None = Field(None, max_length=200)
    regions: list[str] | None = Field(None, max_length=200)
    postcode_prefixes: list[str] | None = Field(None, max_length=200)
    field: str | None = Field(None, max_length=80)
    operator: str | None = None
    value: str | None = Field(None, max_length=500)
    assign_to_id: int | None = None
    team_id: int | None = None


class AssignmentRuleOut(Schema):
    id: int
    name: str
    position: int
    active: bool
    countries: list[str]
    regions: list[str]
    postcode_prefixes: list[str]
    field: str
    operator: str
    value: str
    assign_to_id: int | None
    team_id: int | None
    turn: int


class ReorderIn(Schema):
    ids: list[int] = Field(..., max_length=500, description="Every rule's id, in the new order.")


# --- Web forms ----------------------------------------------------------------------------------------------------------


class WebFormIn(Schema):
    name: str = Field(..., min_length=1, max_length=120)
    fields: list[str] = Field(["first_name", "last_name", "email", "company"], max_length=60, description="Lead fields shown, in order.")
    required: list[str] = Field(["email"], max_length=60)
    submit_label: str = Field("Send", max_length=60)
    thank_you_message: str = Field("Thank you! We will be in touch soon.", max_length=1000)
    redirect_url: str = Field("", max_length=500)
    consent_text: str = Field("", max_length=500, description="If given, the form asks for marketing consent with this text.")
    owner_id: int | None = Field(None, description="Every lead goes to this member; left out, the assignment rules choose.")
    source: str = Field("Web form", max_length=100)
    campaign: str = Field("", max_length=200)
    tags: list[str] = Field(default_factory=list, max_length=20)
    active: bool = True


class WebFormPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=120)
    fields: list[str] | None = Field(None, max_length=60)
    required: list[str] | None = Field(None, max_length=60)
    submit_label: str | None = Field(None, max_length=60)
    thank_you_message: str | None = Field(None, max_length=1000)
    redirect_url: str | None = Field(None, max_length=500)
    consent_text: str | None = Field(None, max_length=500)
    owner_id: int | None = None
    source: str | None = Field(None, max_length=100)
    campaign: str | None = Field(None, max_length=200)
    tags: list[str] | None = Field(None, max_length=20)
    active: bool | None = None
    new_token: bool = Field(False, description="Give the form a new public address; the old snippet stops working.")


class WebFormOut(Schema):
    id: int
    name: str
    token: str
    public_url: str
    snippet: str = Field(..., description="The HTML to paste into a website.")
    fields: list[str]
    required: list[str]
    submit_label: str
    thank_you_message: str
    redirect_url: str
    consent_text: str
    owner_id: int | None
    source: str
    campaign: str
    tags: list[str]
    active: bool
    submission_count: int
    created_at: dt.datetime
    updated_at: dt.datetime


class WebFormSubmissionOut(Schema):
    id: int
    form_id: int
    lead_id: int | None
    data: dict[str, Any]
    ip_address: str | None
    user_agent: str
    referrer: str
    submitted_at: dt.datetime
