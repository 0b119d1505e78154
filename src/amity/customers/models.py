"""Accounts (organizations) and contacts (people): who the customers are, and how to reach them."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from amity.core.models import Team, User
from amity.core.tenancy import WorkspaceScopedModel, unchecked_workspace


class LifecycleStage(models.TextChoices):
    SUBSCRIBER = "subscriber", "Subscriber"
    LEAD = "lead", "Lead"
    OPPORTUNITY = "opportunity", "Opportunity"
    CUSTOMER = "customer", "Customer"
    EVANGELIST = "evangelist", "Evangelist"
    CHURNED = "churned", "Churned"
    OTHER = "other", "Other"


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    PHONE = "phone", "Phone"
    SMS = "sms", "SMS"
    POST = "post", "Post"


class Tag(WorkspaceScopedModel):
    """A label people put on accounts and contacts to group them."""

    workspace = models.ForeignKey("core.Workspace", on_delete=models.CASCADE, related_name="+", db_index=False)  # see tag_unique_name
    name = models.CharField(max_length=60)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="tag_unique_name")]

    def __str__(self) -> str:
        return self.name


class CustomerRecord(WorkspaceScopedModel):
    """What accounts and contacts share: an owner, a team, tags, a stage, custom fields, an external key, soft deletion."""

    # No index of its own: every index of both tables starts with the workspace, and one index fewer per imported record.
    workspace = models.ForeignKey("core.Workspace", on_delete=models.CASCADE, related_name="+", db_index=False)
    owner = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    lifecycle_stage = models.CharField(max_length=20, choices=LifecycleStage.choices, blank=True)
    source = models.CharField(max_length=100, blank=True)
    # NULL, not "", when absent: the unique constraint must let many records have no external key.
    external_id = models.CharField(max_length=100, null=True, blank=True, help_text="The record's key in the system it came from.")  # noqa: DJ001
    custom = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True, help_text="Set when soft-deleted; an admin can restore it.")
    # Not a foreign key: a pointer to the record this one was merged into, followed by look-ups of the old id.
    merged_into_id = models.BigIntegerField(null=True, blank=True, help_text="Set when merged into another record (soft-deleted too).")

    class Meta:
        abstract = True


class Account(CustomerRecord):
    """An organization the company sells to or works with."""

    class Size(models.TextChoices):
        MICRO = "1-9", "1–9"
        SMALL = "10-49", "10–49"
        MEDIUM = "50-249", "50–249"
        LARGE = "250-999", "250–999"
        ENTERPRISE = "1000+", "1,000+"

    name = models.CharField(max_length=200)
    industry = models.CharField(max_length=100, blank=True)
    size = models.CharField(max_length=10, choices=Size.choices, blank=True)
    annual_revenue = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    revenue_currency = models.CharField(max_length=3, blank=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children")
    tags = models.ManyToManyField(Tag, blank=True, related_name="accounts")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "external_id"], condition=Q(external_id__isnull=False), name="account_unique_external_id"
            ),
        ]
        indexes = [
            models.Index(fields=["workspace", "name", "id"], name="account_ws_name"),
            models.Index(fields=["workspace", "-created_at", "-id"], name="account_ws_recent"),
            models.Index(fields=["workspace", "owner", "id"], name="account_ws_owner"),
        ]

    def __str__(self) -> str:
        return self.name


class AccountDomain(WorkspaceScopedModel):
    """A web domain of an account (acme.com), used to match people and imports to it."""

    workspace = unchecked_workspace(db_index=False)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="domains")
    domain = models.CharField(max_length=253)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "domain"], name="accountdomain_unique")]

    def __str__(self) -> str:
        return self.domain


class Contact(CustomerRecord):
    """A person: a buyer, a user of the product, a decision maker."""

    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    title = models.CharField(max_length=150, blank=True)
    primary_email = models.CharField(max_length=254, blank=True, help_text="Copied from the primary email, for lists and sorting.")
    primary_phone = models.CharField(max_length=20, blank=True, help_text="Copied from the primary phone (E.164).")
    preferred_channel = models.CharField(max_length=10, choices=Channel.choices, blank=True)
    language = models.CharField(max_length=10, blank=True)
    time_zone = models.CharField(max_length=64, blank=True)
    social = models.JSONField(default=dict, blank=True, help_text='Handles by network, e.g. {"linkedin": "…"}.')
    accounts: models.ManyToManyField[Account, AccountContact] = models.ManyToManyField(
        Account, through="AccountContact", related_name="contacts"
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="contacts")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "external_id"], condition=Q(external_id__isnull=False), name="contact_unique_external_id"
            ),
        ]
        indexes = [
            models.Index(fields=["workspace", "last_name", "first_name", "id"], name="contact_ws_name"),
            models.Index(fields=["workspace", "-created_at", "-id"], name="contact_ws_recent"),
            models.Index(fields=["workspace", "owner", "id"], name="contact_ws_owner"),
            models.Index(fields=["workspace", "primary_email"], name="contact_ws_email"),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return " ".join(part for part in [self.first_name, self.last_name] if part) or self.primary_email or f"Contact {self.pk}"


class ContactEmail(WorkspaceScopedModel):
    """One email address of a contact, lower-cased; one of them is primary."""

    workspace = unchecked_workspace(db_index=False)
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="emails")
    address = models.CharField(max_length=254)
    is_primary = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["workspace", "address"], name="contactemail_ws_address")]

    def __str__(self) -> str:
        return self.address


class ContactPhone(WorkspaceScopedModel):
    """One phone number of a contact, stored as E.164."""

    class Kind(models.TextChoices):
        MOBILE = "mobile", "Mobile"
        WORK = "work", "Work"
        HOME = "home", "Home"
        FAX = "fax", "Fax"
        OTHER = "other", "Other"

    workspace = unchecked_workspace(db_index=False)
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="phones")
    number = models.CharField(max_length=20)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.MOBILE)
    is_primary = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["workspace", "number"], name="contactphone_ws_number")]

    def __str__(self) -> str:
        return self.number


class Address(WorkspaceScopedModel):
    """A postal address of an account or a contact, optionally with coordinates."""

    class Kind(models.TextChoices):
        BILLING = "billing", "Billing"
        SHIPPING = "shipping", "Shipping"
        OFFICE = "office", "Office"
        HOME = "home", "Home"
        OTHER = "other", "Other"

    account = models.ForeignKey(Account, null=True, blank=True, on_delete=models.CASCADE, related_name="addresses")
    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.CASCADE, related_name="addresses")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.OFFICE)
    street = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    region = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166 two-letter code.")
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(account__isnull=False, contact__isnull=True) | Q(account__isnull=True, contact__isnull=False),
                name="address_belongs_to_one_record",
            )
        ]
        verbose_name_plural = "addresses"

    def __str__(self) -> str:
        return ", ".join(part for part in [self.street, self.postcode, self.city, self.country] if part)


class AccountContact(WorkspaceScopedModel):
    """A person's place at an organization: their role and title there."""

    workspace = unchecked_workspace()
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="account_contacts")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="account_contacts")
    role = models.CharField(max_length=100, blank=True)
    title = models.CharField(max_length=150, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "contact"], name="accountcontact_unique")]

    def __str__(self) -> str:
        return f"{self.contact} at {self.account}"


class ConsentEvent(WorkspaceScopedModel):
    """One grant or withdrawal of consent to be contacted on a channel; current consent is the latest event."""

    class Status(models.TextChoices):
        GRANTED = "granted", "Granted"
        WITHDRAWN = "withdrawn", "Withdrawn"

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="consent_events")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    purpose = models.CharField(max_length=60, default="marketing")
    status = models.CharField(max_length=10, choices=Status.choices)
    occurred_at = models.DateTimeField(default=timezone.now)
    method = models.CharField(max_length=100, blank=True, help_text="How it was given or withdrawn: web form, phone call, import…")
    source = models.CharField(max_length=200, blank=True, help_text="Where it came from: a form's name, a campaign, a letter's reference.")
    proof = models.JSONField(
        default=dict, blank=True, help_text='What shows it was given: the form submission as received, or {"document": "reference"}.'
    )
    recorded_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["workspace", "contact", "channel", "-occurred_at"], name="consent_ws_contact")]

    def __str__(self) -> str:
        return f"{self.contact_id} {self.channel} {self.status}"


class SavedView(WorkspaceScopedModel):
    """A named list setup (filters, sort, columns) of contacts, accounts or deals: private to its owner, or shared with the workspace."""

    class RecordType(models.TextChoices):
        CONTACT = "contact", "Contacts"
        ACCOUNT = "account", "Accounts"
        OPPORTUNITY = "opportunity", "Deals"

    name = models.CharField(max_length=120)
    object_type = models.CharField(max_length=20, choices=RecordType.choices)
    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+", help_text="Who made it; only they see it unless shared.")
    shared = models.BooleanField(default=False, help_text="Visible to everyone in the workspace.")
    filters = models.JSONField(default=dict, blank=True, help_text='The list\'s filters, e.g. {"lifecycle_stage": "lead"}.')
    sort = models.CharField(max_length=80, blank=True, help_text="e.g. -created_at, or custom.tier to sort by a custom field.")
    columns = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["workspace", "object_type", "owner"], name="savedview_ws_type_owner")]

    def __str__(self) -> str:
        return self.name


class RecordType(models.TextChoices):
    """The two kinds of customer record that can be duplicates of their own kind."""

    CONTACT = "contact", "Contact"
    ACCOUNT = "account", "Account"


class DuplicateScan(WorkspaceScopedModel):
    """A run of the background search for duplicates over a workspace's contacts and accounts, with its progress."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    record_type = models.CharField(max_length=10, choices=RecordType.choices, blank=True, help_text="Blank: contacts and accounts.")
    progress = models.FloatField(default=0.0, help_text="From 0 to 1.")
    step = models.CharField(max_length=200, blank=True, help_text="What the scan is doing now.")
    records = models.PositiveIntegerField(default=0, help_text="How many records it compared.")
    pairs_found = models.PositiveIntegerField(default=0)
    auto_merged = models.PositiveIntegerField(default=0, help_text="Pairs merged automatically after the scan (the workspace's setting).")
    requested_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=1000, blank=True)

    class Meta:
        indexes = [models.Index(fields=["workspace", "-created_at", "-id"], name="duplicatescan_ws_recent")]

    def __str__(self) -> str:
        return f"Duplicate scan {self.pk}: {self.status}"


class DuplicateCandidate(WorkspaceScopedModel):
    """Two contacts (or two accounts) that may be one: how sure we are, why, and what a person decided."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DISMISSED = "dismissed", "Dismissed"
        MERGED = "merged", "Merged"
        CLOSED = "closed", "Closed"  # one of the two was merged into a record already paired with the other

    record_type = models.CharField(max_length=10, choices=RecordType.choices)
    left_id = models.BigIntegerField(help_text="The older record (the smaller id).")
    right_id = models.BigIntegerField()
    score = models.FloatField(help_text="From 0 to 1: how likely the two are one.")
    reasons = models.JSONField(default=list)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    scan = models.ForeignKey(DuplicateScan, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "record_type", "left_id", "right_id"], name="duplicatecandidate_unique_pair"),
            models.CheckConstraint(condition=Q(left_id__lt=models.F("right_id")), name="duplicatecandidate_ordered_pair"),
        ]
        indexes = [models.Index(fields=["workspace", "status", "-score", "id"], name="duplicatecandidate_ws_rank")]

    def __str__(self) -> str:
        return f"{self.record_type} {self.left_id} ~ {self.right_id} ({self.score:.2f})"


class DedupeKey(WorkspaceScopedModel):
    """One blocking key of a contact or an account (its hash), so that a new record finds its likely duplicates in one lookup."""

    # No index of its own (dedupekey_ws_hash starts with the workspace) and no constraint in the database: a first scan
    # writes eight million of these rows for a million contacts, and PostgreSQL's check of each against the workspace
    # was 40 % of that write (7.5 of 17 s per million rows). The rows are derived data that every scan syncs; Django
    # still deletes them with their workspace.
    workspace = models.ForeignKey("core.Workspace", on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False)
    record_type = models.CharField(max_length=10, choices=RecordType.choices)
    record_id = models.BigIntegerField()
    key_hash = models.BigIntegerField()

    class Meta:
        indexes = [
            # With the record's id, so that the on-entry lookup reads the index alone.
            models.Index(fields=["workspace", "record_type", "key_hash", "record_id"], name="dedupekey_ws_hash"),
            models.Index(fields=["record_type", "record_id"], name="dedupekey_record"),
        ]

    def __str__(self) -> str:
        return f"{self.record_type} {self.record_id}: {self.key_hash}"


class Merge(WorkspaceScopedModel):
    """One record merged into another: what moved (ids per relation) and what the survivor had before, so undo is exact."""

    record_type = models.CharField(max_length=10, choices=RecordType.choices)
    survivor_id = models.BigIntegerField()
    merged_id = models.BigIntegerField()
    merged_name = models.CharField(max_length=300, blank=True)
    candidate = models.ForeignKey(DuplicateCandidate, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    moved = models.JSONField(default=dict, help_text='Ids moved to the survivor per relation, e.g. {"activities.Note.contact": [4, 9]}.')
    survivor_before = models.JSONField(default=dict, help_text="The survivor's field values the merge replaced.")
    pairs = models.JSONField(
        default=list,
        blank=True,
        help_text="The merged record's other open pairs the merge repointed to the survivor or closed, for undo: "
        '[{"id": 7, "before": [3, 9], "after": [2, 9], "status": "open"}].',
    )
    survivor_updated_at = models.DateTimeField(
        null=True, blank=True, help_text="The survivor right after the merge: a later edit blocks undo."
    )
    survivor_updated_before = models.DateTimeField(
        null=True, blank=True, help_text="The survivor right before the merge: undo puts it back, so an earlier merge can be undone next."
    )
    automatic = models.BooleanField(default=False)
    group = models.UUIDField(
        null=True, blank=True, help_text="The cluster merge this was one step of: its merges share it and are undone together."
    )
    merged_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        indexes = [
            models.Index(fields=["workspace", "-created_at", "-id"], name="merge_ws_recent"),
            models.Index(fields=["workspace", "group"], name="merge_ws_group"),
            # The survivor's timeline: its merges, newest first.
            models.Index(fields=["workspace", "record_type", "survivor_id", "-created_at"], name="merge_ws_survivor"),
        ]

    def __str__(self) -> str:
        return f"{self.record_type} {self.merged_id} merged into {self.survivor_id}"


class DedupeSettings(WorkspaceScopedModel):
    """A workspace's choices about duplicates: whether pairs matched on an exact key are merged without review, and above what score."""

    workspace = models.OneToOneField("core.Workspace", on_delete=models.CASCADE, related_name="+")
    auto_merge = models.BooleanField(default=False, help_text="Merge exact-key matches at or above the threshold after each scan.")
    auto_merge_threshold = models.FloatField(default=0.95, help_text="From 0.8 to 1: the least score merged without review.")
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name_plural = "dedupe settings"

    def __str__(self) -> str:
        return f"Automatic merging {'on' if self.auto_merge else 'off'} at {self.auto_merge_threshold:.2f}"


class Erasure(WorkspaceScopedModel):
    """A person's data erased on their request: who asked it done, when, of which contact, and how many rows it touched.

    It holds no personal data (the contact's id and counts only), so it stays as the proof the erasure was done.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    contact_id = models.BigIntegerField(help_text="The erased contact's id; the row stays, pseudonymized.")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    progress = models.FloatField(default=0.0, help_text="From 0 to 1.")
    step = models.CharField(max_length=200, blank=True, help_text="What the erasure is doing now.")
    counts = models.JSONField(default=dict, blank=True, help_text='Rows erased or pseudonymized per kind, e.g. {"emails": 2}.')
    requested_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    requested_by_label = models.CharField(max_length=200, blank=True, help_text="Who asked, as shown, kept if the user leaves.")
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=1000, blank=True)

    class Meta:
        indexes = [models.Index(fields=["workspace", "-created_at", "-id"], name="erasure_ws_recent")]

    def __str__(self) -> str:
        return f"Erasure {self.pk} of contact {self.contact_id}: {self.status}"


class RetentionRule(WorkspaceScopedModel):
    """A standing order to let records go once untouched for long enough, e.g. "delete leads untouched for 24 months"."""

    class ObjectType(models.TextChoices):
        LEAD = "lead", "Leads"
        CONTACT = "contact", "Contacts"
        CASE = "case", "Cases"
        INTERACTION = "interaction", "Interactions"

    class RuleAction(models.TextChoices):
        DELETE = "delete", "Delete (to the bin)"
        ERASE = "erase", "Erase the person everywhere"
        ANONYMISE = "anonymise", "Anonymise (keep the row, remove the personal text)"

    object_type = models.CharField(max_length=20, choices=ObjectType.choices)
    untouched_months = models.PositiveIntegerField(help_text="Records not changed for this many months are let go.")
    status = models.CharField(max_length=40, blank=True, help_text="Only records in this status (lead or case status, contact stage).")
    action = models.CharField(max_length=10, choices=RuleAction.choices)
    enabled = models.BooleanField(default=False, help_text="Off until someone has looked at the preview and switched it on.")
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", help_text="The worker applies the rule as this member."
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    last_run_at = models.DateTimeField(null=True, blank=True, help_text="When the worker last applied it (its claim on the next run).")

    class Meta:
        indexes = [models.Index(fields=["enabled", "last_run_at"], name="retention_rule_due")]

    def __str__(self) -> str:
        status = f" in status {self.status}" if self.status else ""
        return f"{self.get_action_display().split(' (')[0]} {self.get_object_type_display().lower()}{status} untouched for {self.untouched_months} months"


class RetentionRun(WorkspaceScopedModel):
    """One application of a retention rule: how many records matched and how many were let go, with its progress."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    rule = models.ForeignKey(RetentionRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="runs")
    rule_label = models.CharField(max_length=300, help_text="The rule as it read when it ran (kept if the rule is deleted).")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    progress = models.FloatField(default=0.0, help_text="From 0 to 1.")
    matched = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    triggered_by_label = models.CharField(max_length=200, blank=True, help_text="Who ran it: a member, or the worker's schedule.")
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=1000, blank=True)

    class Meta:
        indexes = [models.Index(fields=["workspace", "-created_at", "-id"], name="retention_run_ws_recent")]

    def __str__(self) -> str:
        return f"{self.rule_label}: {self.processed} of {self.matched}"
