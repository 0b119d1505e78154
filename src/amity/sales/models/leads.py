"""Leads: people who may become customers, how hot they are, who works them, where they came from and what they became.

Beside the lead itself live the rules an admin sets for them: scoring rules (points for field
values and for engagement), assignment rules (who gets a new lead) and web forms (how a
company's website captures them), with every form submission kept as proof.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from amity.core.models import Team, User
from amity.core.tenancy import WorkspaceScopedModel
from amity.customers.models import Account, Contact, Tag


class Lead(WorkspaceScopedModel):
    """Someone who showed interest but is not a customer yet: qualified, worked and then converted or dropped."""

    class Status(models.TextChoices):
        NEW = "new", "New"
        CONTACTED = "contacted", "Contacted"
        QUALIFIED = "qualified", "Qualified"
        UNQUALIFIED = "unqualified", "Unqualified"
        CONVERTED = "converted", "Converted"

    class Rating(models.TextChoices):
        HOT = "hot", "Hot"
        WARM = "warm", "Warm"
        COLD = "cold", "Cold"

    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    email = models.CharField(max_length=254, blank=True, help_text="Stripped and lower-cased, as contacts' emails.")
    phone = models.CharField(max_length=20, blank=True, help_text="E.164.")
    company = models.CharField(max_length=200, blank=True)
    title = models.CharField(max_length=150, blank=True)
    website = models.CharField(max_length=253, blank=True, help_text="The company's web domain, e.g. acme.com.")
    industry = models.CharField(max_length=100, blank=True)
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166 code, e.g. DE.")
    region = models.CharField(max_length=100, blank=True, help_text="State, province or county.")
    city = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=20, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NEW)
    rating = models.CharField(max_length=4, choices=Rating.choices, blank=True)
    source = models.CharField(max_length=100, blank=True, help_text="Web form, trade fair, referral, …")
    campaign = models.CharField(max_length=200, blank=True)
    score = models.IntegerField(default=0, help_text="Computed from the workspace's scoring rules.")
    description = models.TextField(blank=True)
    unqualified_reason = models.CharField(max_length=200, blank=True)
    marketing_consent = models.BooleanField(null=True, blank=True, help_text="Granted (true), refused (false) or not asked (null).")
    consent_at = models.DateTimeField(null=True, blank=True)
    owner = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    tags = models.ManyToManyField(Tag, blank=True, related_name="leads")
    # NULL, not "", when absent: the unique constraint must let many leads have no external key.
    external_id = models.CharField(max_length=100, null=True, blank=True, help_text="The lead's key in the system it came from.")  # noqa: DJ001
    custom = models.JSONField(default=dict, blank=True)
    web_form = models.ForeignKey("sales.WebForm", null=True, blank=True, on_delete=models.SET_NULL, related_name="leads")
    first_contacted_at = models.DateTimeField(null=True, blank=True, help_text="When an interaction was first logged on it.")
    converted_at = models.DateTimeField(null=True, blank=True)
    converted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    converted_contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="converted_leads")
    converted_account = models.ForeignKey(Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="converted_leads")
    converted_opportunity = models.ForeignKey(
        "sales.Opportunity", null=True, blank=True, on_delete=models.SET_NULL, related_name="converted_leads"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True, help_text="Set when soft-deleted; it can be restored.")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "external_id"], condition=Q(external_id__isnull=False), name="lead_unique_external_id"
            ),
        ]
        indexes = [
            models.Index(fields=["workspace", "-created_at", "-id"], name="lead_ws_recent"),
            models.Index(fields=["workspace", "-score", "-id"], name="lead_ws_score"),
            models.Index(fields=["workspace", "status", "-created_at", "-id"], name="lead_ws_status"),
            models.Index(fields=["workspace", "owner", "status"], name="lead_ws_owner"),
            models.Index(fields=["workspace", "last_name", "first_name", "id"], name="lead_ws_name"),
            models.Index(fields=["workspace", "email"], name="lead_ws_email"),
            models.Index(fields=["workspace", "company", "id"], name="lead_ws_company"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email or self.company or f"Lead {self.pk}"

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)

    @property
    def is_converted(self) -> bool:
        return self.converted_at is not None


class RuleOperator(models.TextChoices):
    EQUALS = "equals", "is"
    NOT_EQUALS = "not_equals", "is not"
    CONTAINS = "contains", "contains"
    STARTS_WITH = "starts_with", "starts with"
    ENDS_WITH = "ends_with", "ends with"
    IN = "in", "is one of"
    GT = "gt", "is more than"
    LT = "lt", "is less than"
    IS_SET = "is_set", "is filled in"
    IS_NOT_SET = "is_not_set", "is empty"


class LeadScoringRule(WorkspaceScopedModel):
    """Points a lead gains or loses: for a field's value (a title, a country, a custom field) or for each interaction of a kind."""

    class Kind(models.TextChoices):
        FIELD = "field", "Field value"
        ENGAGEMENT = "engagement", "Engagement"

    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    field = models.CharField(max_length=80, blank=True, help_text="A lead field, or custom.<key> for a custom field.")
    operator = models.CharField(max_length=12, choices=RuleOperator.choices, blank=True)
    value = models.CharField(max_length=500, blank=True, help_text="For `is one of`, values separated by commas.")
    channel = models.CharField(max_length=20, blank=True, help_text="For engagement: the interaction's channel (any if empty).")
    direction = models.CharField(max_length=10, blank=True, help_text="For engagement: in, out or internal (any if empty).")
    max_times = models.PositiveSmallIntegerField(null=True, blank=True, help_text="For engagement: count at most this many interactions.")
    points = models.SmallIntegerField()
    active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(points__gte=-1000) & Q(points__lte=1000), name="leadscoringrule_points_range"),
        ]

    def __str__(self) -> str:
        return self.name


class LeadAssignmentRule(WorkspaceScopedModel):
    """Who gets a new lead that came without an owner: the first active rule whose conditions all hold wins.

    A rule's conditions are a territory (countries, regions, postcode prefixes) and/or one field
    condition; no condition matches every lead. It gives the lead to one person, or in turn to the
    members of a team (round-robin: the rule's counter is bumped in the database, so two leads
    arriving at once never go to the same person by accident).
    """

    name = models.CharField(max_length=120)
    position = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)
    countries = models.JSONField(default=list, blank=True, help_text="ISO codes; the lead's country must be one of them.")
    regions = models.JSONField(default=list, blank=True, help_text="The lead's region must be one of them (any case).")
    postcode_prefixes = models.JSONField(default=list, blank=True, help_text="The lead's postcode must start with one of them.")
    field = models.CharField(max_length=80, blank=True)
    operator = models.CharField(max_length=12, choices=RuleOperator.choices, blank=True)
    value = models.CharField(max_length=500, blank=True)
    assign_to = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", help_text="Round-robin among its members."
    )
    turn = models.PositiveIntegerField(default=0, help_text="How many leads the round-robin has handed out.")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class LeadRescore(WorkspaceScopedModel):
    """A run of the background task that scores every lead again after the rules changed, with its progress."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    changed = models.PositiveIntegerField(default=0, help_text="How many leads' scores changed.")
    requested_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=1000, blank=True)

    class Meta:
        indexes = [models.Index(fields=["workspace", "-created_at", "-id"], name="leadrescore_ws_recent")]

    def __str__(self) -> str:
        return f"Rescore {self.pk}: {self.done}/{self.total}"

    @property
    def percent(self) -> int:
        return 100 if self.status == self.Status.DONE else (self.done * 100 // self.total if self.total else 0)


class WebForm(WorkspaceScopedModel):
    """A form a company pastes into its website: which fields it asks, what it says after, and where its leads go."""

    name = models.CharField(max_length=120)
    token = models.CharField(max_length=64, unique=True, help_text="The unguessable key in the form's public address.")
    fields = models.JSONField(default=list, help_text="The lead fields shown, in order.")
    required = models.JSONField(default=list, blank=True, help_text="The fields that must be filled in.")
    submit_label = models.CharField(max_length=60, default="Send")
    thank_you_message = models.CharField(max_length=1000, default="Thank you! We will be in touch soon.")
    redirect_url = models.URLField(max_length=500, blank=True, help_text="Send the visitor here after a submission instead.")
    consent_text = models.CharField(max_length=500, blank=True, help_text="If set, a checkbox asking for marketing consent.")
    owner = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", help_text="Else the assignment rules."
    )
    source = models.CharField(max_length=100, default="Web form")
    campaign = models.CharField(max_length=200, blank=True)
    tags = models.JSONField(default=list, blank=True)
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="webform_unique_name")]

    def __str__(self) -> str:
        return self.name


class WebFormSubmission(WorkspaceScopedModel):
    """One submission of a web form, as received: the proof of where a lead came from (and of its consent)."""

    form = models.ForeignKey(WebForm, on_delete=models.CASCADE, related_name="submissions")
    lead = models.ForeignKey(Lead, null=True, blank=True, on_delete=models.SET_NULL, related_name="submissions")
    data = models.JSONField(default=dict, help_text="The fields as submitted.")
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=500, blank=True)
    referrer = models.CharField(max_length=500, blank=True)
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["workspace", "form", "-submitted_at", "-id"], name="webformsub_ws_form"),
            models.Index(fields=["workspace", "lead"], name="webformsub_ws_lead"),
        ]

    def __str__(self) -> str:
        return f"{self.form_id} at {self.submitted_at:%Y-%m-%d %H:%M}"
