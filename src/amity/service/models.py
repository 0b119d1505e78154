"""Customer service: cases (service requests, complaints, returns, questions), the queues they wait in, and their conversations."""

from __future__ import annotations

from django.db import models
from django.db.models import ExpressionWrapper, Q
from django.utils import timezone

from amity.catalog.models import Product
from amity.core.models import User
from amity.core.tenancy import WorkspaceScopedModel
from amity.customers.models import Account, Contact
from amity.orders.models import SalesOrder, SalesOrderLine


class CaseKind(WorkspaceScopedModel):
    """What a case is about: a service request, a complaint, a product return, a question; admins add their own."""

    key = models.SlugField(max_length=40)
    name = models.CharField(max_length=80)
    is_return = models.BooleanField(default=False, help_text="Cases of this kind get an RMA number and return instructions.")
    instructions = models.TextField(
        blank=True, help_text="Told to the customer when a case of this kind is opened (e.g. how to send goods back)."
    )
    position = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["workspace", "key"], name="casekind_unique_key")]

    def __str__(self) -> str:
        return self.name


class Queue(WorkspaceScopedModel):
    """Where cases wait for an agent: e.g. Support, Returns, Billing; each may have its own email address."""

    name = models.CharField(max_length=80)
    email_address = models.EmailField(blank=True, help_text="Mail to this address opens cases in this queue.")
    members = models.ManyToManyField(User, blank=True, related_name="+", help_text="The agents who work this queue.")
    is_default = models.BooleanField(default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="queue_unique_name")]

    def __str__(self) -> str:
        return self.name


class AgentProfile(WorkspaceScopedModel):
    """What the assignment rules know of an agent in a workspace: skills, languages, whether they take new cases, how many."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    skills = models.JSONField(default=list, blank=True, help_text='What they are good at, e.g. ["billing", "returns"].')
    languages = models.JSONField(default=list, blank=True, help_text='Languages they answer in, as codes, e.g. ["en", "de"].')
    available = models.BooleanField(default=True, help_text="Off while away: the rules give them no new cases.")
    max_open_cases = models.PositiveIntegerField(
        null=True, blank=True, help_text="No new cases beyond this many open ones; no limit if empty."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "user"], name="agentprofile_unique_user")]

    def __str__(self) -> str:
        return f"Agent {self.user_id}"


class CaseAssignmentRule(WorkspaceScopedModel):
    """Who gets a new case that came without an assignee: the first active rule whose conditions all hold wins.

    Conditions (each empty means any): the case's kind, queue, priority and language. The rule may
    move the case to another queue, then picks an agent among its pool (the given agents, or else the
    members of the case's queue), keeping those who are available, below their limit, have the
    required skill and, if asked, speak the case's language: in turn (round-robin), the one with the
    fewest open cases (least-loaded), or always one person.
    """

    class Method(models.TextChoices):
        ROUND_ROBIN = "round_robin", "Round-robin"
        LEAST_LOADED = "least_loaded", "Least open cases"
        AGENT = "agent", "One agent"

    name = models.CharField(max_length=120)
    position = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)
    kinds = models.JSONField(default=list, blank=True, help_text="Case kind keys; any kind if empty.")
    queue = models.ForeignKey(
        Queue, null=True, blank=True, on_delete=models.CASCADE, related_name="+", help_text="Cases in this queue; any if empty."
    )
    priorities = models.JSONField(default=list, blank=True)
    languages = models.JSONField(default=list, blank=True, help_text="The case's language must be one of them; any if empty.")
    route_to_queue = models.ForeignKey(
        Queue, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", help_text="Move the case here first."
    )
    method = models.CharField(max_length=14, choices=Method.choices, default=Method.ROUND_ROBIN)
    agent = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", help_text="For the one-agent method."
    )
    agents = models.ManyToManyField(User, blank=True, related_name="+", help_text="The pool; the queue's members if empty.")
    required_skill = models.CharField(max_length=60, blank=True)
    match_language = models.BooleanField(default=False, help_text="Only agents who speak the case's language.")
    turn = models.PositiveIntegerField(default=0, help_text="How many cases the rule has handed out.")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


def default_hours() -> dict[str, list[list[str]]]:
    return {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}


class BusinessCalendar(WorkspaceScopedModel):
    """When the service desk works: opening hours per weekday in a time zone, public holidays of a country, and own closing days."""

    name = models.CharField(max_length=80)
    time_zone = models.CharField(max_length=64, default="UTC")
    hours = models.JSONField(default=default_hours, help_text='Per weekday a list of [from, to] times, e.g. {"mon": [["09:00", "17:00"]]}.')
    holiday_country = models.CharField(max_length=2, blank=True, help_text="Public holidays of this country (ISO code) are closed days.")
    closed_days = models.JSONField(default=list, blank=True, help_text="Further closed days, as YYYY-MM-DD.")
    is_default = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="businesscalendar_unique_name")]

    def __str__(self) -> str:
        return self.name


class BreachAssignee(models.TextChoices):
    """Who works a case once it has missed a target."""

    KEEP = "keep", "Whoever works it now"
    ESCALATION_PERSON = "escalation_person", "The person told of breaches"
    ROUTE = "route", "Another free agent, by the routing rules"


class SlaPolicy(WorkspaceScopedModel):
    """Response and resolution targets for the cases it matches (by kind, priority and customer tier), in business time."""

    name = models.CharField(max_length=80)
    position = models.PositiveSmallIntegerField(default=0, help_text="The first matching active policy applies.")
    kind = models.ForeignKey("CaseKind", null=True, blank=True, on_delete=models.CASCADE, related_name="+", help_text="Any kind if empty.")
    priority = models.CharField(max_length=10, blank=True, help_text="Any priority if empty.")
    customer_tier = models.CharField(max_length=60, blank=True, help_text="A tag of the customer's account (e.g. gold); any if empty.")
    first_response_minutes = models.PositiveIntegerField(null=True, blank=True)
    resolution_minutes = models.PositiveIntegerField(null=True, blank=True)
    warn_before_minutes = models.PositiveIntegerField(default=30)
    calendar = models.ForeignKey(BusinessCalendar, null=True, blank=True, on_delete=models.SET_NULL, related_name="policies")
    escalate_to = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", help_text="Told of every breach."
    )
    raise_priority_on_breach = models.BooleanField(default=False)
    breach_queue = models.ForeignKey(
        Queue, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", help_text="A breached case moves to this queue."
    )
    breach_assignee = models.CharField(max_length=20, choices=BreachAssignee.choices, default=BreachAssignee.KEEP)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "id"]

    @staticmethod
    def acts_on_breach(prefix: str = "") -> Q:
        """Policies that change a case when it misses a target (rather than only telling people), as a filter."""
        return (
            Q(**{f"{prefix}raise_priority_on_breach": True})
            | Q(**{f"{prefix}breach_queue__isnull": False})
            | ~Q(**{f"{prefix}breach_assignee": BreachAssignee.KEEP})
        )

    def breach_actions(self) -> list[str]:
        """What a breach does besides alerting whoever works the case, in words, for the settings page."""
        actions = [f"tell {self.escalate_to.display_name}"] if self.escalate_to else []
        if self.raise_priority_on_breach:
            actions.append("raise the priority")
        if self.breach_queue:
            actions.append(f"move to {self.breach_queue.name}")
        if self.breach_assignee != BreachAssignee.KEEP:
            actions.append(f"give it to {self.get_breach_assignee_display().lower()}")
        return actions

    def __str__(self) -> str:
        return self.name


class Case(WorkspaceScopedModel):
    """One customer's request, complaint, return or question, from first message to closing."""

    class Status(models.TextChoices):
        NEW = "new", "New"
        OPEN = "open", "Open"
        WAITING_CUSTOMER = "waiting_customer", "Waiting on customer"
        WAITING_THIRD_PARTY = "waiting_third_party", "Waiting on third party"
        RESOLVED = "resolved", "Resolved"
        CLOSED = "closed", "Closed"

    class Priority(models.TextChoices):
        LOW = "low", "Low"
        NORMAL = "normal", "Normal"
        HIGH = "high", "High"
        URGENT = "urgent", "Urgent"

    class Channel(models.TextChoices):
        EMAIL = "email", "Email"
        WEB = "web", "Web form"
        PORTAL = "portal", "Portal"
        PHONE = "phone", "Phone"
        CHAT = "chat", "Chat"
        SOCIAL = "social", "Social"
        API = "api", "API"
        AGENT = "agent", "Agent"

    OPEN_STATUSES = (Status.NEW, Status.OPEN, Status.WAITING_CUSTOMER, Status.WAITING_THIRD_PARTY)
    # Sorting by priority needs an order the letters do not have.
    PRIORITY_RANK = {Priority.URGENT: 1, Priority.HIGH: 2, Priority.NORMAL: 3, Priority.LOW: 4}

    number = models.CharField(max_length=32)
    reply_token = models.CharField(max_length=16, help_text="Put in the subject of every email so replies find the case.")
    rma_number = models.CharField(max_length=32, null=True, blank=True)  # noqa: DJ001  (NULL keeps the unique constraint free)
    kind = models.ForeignKey(CaseKind, on_delete=models.PROTECT, related_name="cases")
    subject = models.CharField(max_length=250)
    description = models.TextField(blank=True)
    status = models.CharField(max_length=24, choices=Status.choices, default=Status.NEW)
    # Kept by the database from the status (an UPDATE of the status alone keeps it true); the queue's indexes use it.
    is_open = models.GeneratedField(
        expression=ExpressionWrapper(Q(status__in=OPEN_STATUSES), output_field=models.BooleanField()),
        output_field=models.BooleanField(),
        db_persist=True,
    )
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    priority_rank = models.PositiveSmallIntegerField(default=3)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.AGENT)
    queue = models.ForeignKey(Queue, null=True, blank=True, on_delete=models.SET_NULL, related_name="cases")
    assignee = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="cases")
    account = models.ForeignKey(Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="cases")
    order = models.ForeignKey(SalesOrder, null=True, blank=True, on_delete=models.SET_NULL, related_name="cases")
    order_line = models.ForeignKey(SalesOrderLine, null=True, blank=True, on_delete=models.SET_NULL, related_name="cases")
    product = models.ForeignKey(Product, null=True, blank=True, on_delete=models.SET_NULL, related_name="cases")
    requester_email = models.EmailField(blank=True, help_text="Where replies go when the case has no contact yet.")
    language = models.CharField(max_length=10, blank=True)
    tags = models.JSONField(default=list, blank=True)
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_cases")
    sla_policy = models.ForeignKey(SlaPolicy, null=True, blank=True, on_delete=models.SET_NULL, related_name="cases")
    first_response_due_at = models.DateTimeField(null=True, blank=True)
    resolution_due_at = models.DateTimeField(null=True, blank=True)
    sla_paused_at = models.DateTimeField(
        null=True, blank=True, help_text="The resolution clock stops while the case waits on the customer."
    )
    escalated_at = models.DateTimeField(null=True, blank=True)
    first_response_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    last_message_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "number"], name="case_unique_number"),
            models.UniqueConstraint(fields=["workspace", "reply_token"], name="case_unique_token"),
            models.UniqueConstraint(fields=["workspace", "rma_number"], name="case_unique_rma"),
        ]
        indexes = [
            models.Index(fields=["workspace", "-updated_at", "-id"], name="case_ws_recent"),
            models.Index(fields=["workspace", "status", "-updated_at", "-id"], name="case_ws_status"),
            # The agent's queue reads open cases (a twentieth of them after a year) in order. A status IN over four values
            # cannot walk an index in order (it sorted 25,000 rows of 500,000 for each first page, 70 ms on SQLite), and
            # SQLite cannot use a partial index for a query with parameters: hence the stored `is_open` in these.
            models.Index(fields=["workspace", "is_open", "queue", "assignee"], name="case_open_counts"),  # the tab counts
            models.Index(fields=["workspace", "is_open", "-updated_at", "-id"], name="case_open_recent"),
            models.Index(fields=["workspace", "queue", "is_open", "-updated_at", "-id"], name="case_open_queue"),
            models.Index(fields=["workspace", "assignee", "is_open", "-updated_at", "-id"], name="case_open_assignee"),
            models.Index(fields=["workspace", "is_open", "priority_rank", "-updated_at", "-id"], name="case_open_priority"),
            models.Index(fields=["workspace", "queue", "is_open", "priority_rank", "-updated_at", "-id"], name="case_open_queue_priority"),
            models.Index(fields=["workspace", "priority_rank", "-updated_at", "-id"], name="case_ws_priority"),
            models.Index(fields=["workspace", "contact", "-created_at"], name="case_ws_contact"),
            models.Index(fields=["workspace", "account", "-created_at"], name="case_ws_account"),
            models.Index(fields=["workspace", "order", "-created_at"], name="case_ws_order"),
            models.Index(fields=["workspace", "first_response_due_at"], name="case_ws_response_due"),
            models.Index(fields=["workspace", "resolution_due_at"], name="case_ws_resolution_due"),
            # The service report's cohort: the cases opened in a range (PostgreSQL scanned all 500,000 for 30 days).
            models.Index(fields=["workspace", "created_at"], name="case_ws_created"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.subject}"

    def set_priority(self, priority: str) -> None:
        """Change the priority and the rank the queue sorts by (save both)."""
        self.priority = priority
        self.priority_rank = self.PRIORITY_RANK.get(priority, 3)  # type: ignore[call-overload]

    @property
    def subject_tag(self) -> str:
        """What goes into an email subject so that a reply finds this case: "[CS-2026-0042 #k3x9q2]"."""
        return f"[{self.number} #{self.reply_token}]"


# Open cases, for filters. Django writes `is_open=True` as a bare column, which SQLite cannot match to an index;
# `is_open IN (true)` it matches like an equality (so does PostgreSQL).
OPEN_CASES = Q(is_open__in=[True])


class CaseMessage(WorkspaceScopedModel):
    """One message of a case's conversation: what the customer wrote, an agent's public reply, or an internal note."""

    class Kind(models.TextChoices):
        CUSTOMER = "customer", "From the customer"
        REPLY = "reply", "Reply"
        NOTE = "note", "Internal note"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    channel = models.CharField(max_length=10, choices=Case.Channel.choices, default=Case.Channel.AGENT)
    author = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    from_address = models.CharField(max_length=320, blank=True)
    from_name = models.CharField(max_length=200, blank=True)
    to_addresses = models.JSONField(default=list, blank=True)
    subject = models.CharField(max_length=250, blank=True)
    body = models.TextField(help_text="Sanitized HTML or plain text.")
    # Email threading: our own Message-ID for replies, the sender's for messages that came in.
    message_id = models.CharField(max_length=250, null=True, blank=True)  # noqa: DJ001
    in_reply_to = models.CharField(max_length=250, blank=True)
    mentions = models.ManyToManyField(User, blank=True, related_name="+")
    automated = models.BooleanField(default=False, help_text="An auto-reply (out of office, delivery report): kept, never answered.")
    occurred_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True, help_text="When the reply left by email.")

    class Meta:
        ordering = ["occurred_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "message_id"], condition=Q(message_id__isnull=False), name="casemessage_unique_message_id"
            )
        ]
        indexes = [
            models.Index(fields=["workspace", "case", "occurred_at", "id"], name="casemessage_ws_case"),
            models.Index(fields=["workspace", "contact", "-occurred_at"], name="casemessage_ws_contact"),
            # Every email in asks how much one sender wrote lately (loops) and how often they were acknowledged.
            models.Index(fields=["workspace", "from_address", "occurred_at"], name="casemessage_ws_sender"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.case_id}"


class CaseAttachment(WorkspaceScopedModel):
    """A file that came with a message (an email's attachment, a photo uploaded in the portal)."""

    message = models.ForeignKey(CaseMessage, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="case-attachments/%Y/%m/")
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=120, blank=True)
    size = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return self.filename


class Mailbox(WorkspaceScopedModel):
    """An IMAP mailbox the worker reads new mail from; each message opens a case in the mailbox's queue or joins one."""

    queue = models.ForeignKey(Queue, null=True, blank=True, on_delete=models.SET_NULL, related_name="mailboxes")
    host = models.CharField(max_length=200)
    port = models.PositiveIntegerField(default=993)
    use_ssl = models.BooleanField(default=True)
    username = models.CharField(max_length=254)
    password = models.CharField(max_length=500, help_text="Kept to sign in to the mailbox; never shown again.")
    folder = models.CharField(max_length=200, default="INBOX")
    active = models.BooleanField(default=True)
    last_uid = models.PositiveBigIntegerField(default=0, help_text="The last message read (IMAP UID); later ones are new.")
    uid_validity = models.PositiveBigIntegerField(default=0)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"{self.username}@{self.host}"


class IgnoredEmail(WorkspaceScopedModel):
    """An email that came in and was deliberately not turned into a case message: a mail loop or our own mail."""

    message_id = models.CharField(max_length=250, blank=True)
    from_address = models.CharField(max_length=320, blank=True)
    subject = models.CharField(max_length=250, blank=True)
    reason = models.CharField(max_length=200)
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["workspace", "-received_at"], name="ignoredemail_ws_recent")]

    def __str__(self) -> str:
        return f"{self.from_address}: {self.reason}"


class CannedResponse(WorkspaceScopedModel):
    """A reply agents use again and again, with placeholders such as {customer_first_name} and {case_number}."""

    name = models.CharField(max_length=120)
    body = models.TextField()
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="cannedresponse_unique_name")]

    def __str__(self) -> str:
        return self.name


class Macro(WorkspaceScopedModel):
    """Several changes applied to a case at once: a status, priority, queue, assignee, tags, and optionally a reply or note."""

    name = models.CharField(max_length=120)
    status = models.CharField(max_length=24, blank=True)
    priority = models.CharField(max_length=10, blank=True)
    queue = models.ForeignKey(Queue, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    assignee = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    assign_to_me = models.BooleanField(default=False)
    add_tags = models.JSONField(default=list, blank=True)
    reply = models.ForeignKey(CannedResponse, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="macro_unique_name")]

    def __str__(self) -> str:
        return self.name


# --- Knowledge base -----------------------------------------------------------------------------------------------------


class ArticleCategory(WorkspaceScopedModel):
    """A shelf of the knowledge base: e.g. Orders and delivery, Returns, Assembly and care."""

    name = models.CharField(max_length=80)
    slug = models.SlugField(max_length=80)
    description = models.CharField(max_length=250, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name", "id"]
        constraints = [models.UniqueConstraint(fields=["workspace", "slug"], name="articlecategory_unique_slug")]

    def __str__(self) -> str:
        return self.name


class Article(WorkspaceScopedModel):
    """A knowledge-base article: written as a draft, reviewed, published for agents only or for customers too."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_REVIEW = "in_review", "In review"
        PUBLISHED = "published", "Published"
        ARCHIVED = "archived", "Archived"

    class Visibility(models.TextChoices):
        INTERNAL = "internal", "Agents only"
        PUBLIC = "public", "Public"

    category = models.ForeignKey(ArticleCategory, null=True, blank=True, on_delete=models.SET_NULL, related_name="articles")
    slug = models.SlugField(max_length=120)
    # The working copy: what the editor shows; a published article keeps serving `published_version` until the next approval.
    title = models.CharField(max_length=200)
    body = models.TextField(help_text="Markdown.")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.INTERNAL)
    published_version = models.ForeignKey(
        "ArticleVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", help_text="What readers see."
    )
    # Folded text of the published version (title, then body): the index of the full-text search on both databases.
    search_title = models.CharField(max_length=200, blank=True)
    search_text = models.TextField(blank=True)
    # The same for the working copy: the staff's search of the article list matches it, drafts and internal ones included.
    working_search_title = models.CharField(max_length=200, blank=True)
    working_search_text = models.TextField(blank=True)
    review_note = models.TextField(blank=True, help_text="What the reviewer asked to change.")
    submitted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "slug"], name="article_unique_slug")]
        indexes = [
            models.Index(fields=["workspace", "status", "-updated_at", "-id"], name="article_ws_status"),
            models.Index(fields=["workspace", "category", "-updated_at"], name="article_ws_category"),
        ]

    def __str__(self) -> str:
        return self.title


class ArticleVersion(WorkspaceScopedModel):
    """One saved state of an article: every save of the draft and every publication keeps its text, author and time."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    body = models.TextField()
    author = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(max_length=250, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["article", "number"], name="articleversion_unique_number")]

    def __str__(self) -> str:
        return f"{self.article_id} v{self.number}"


class CaseArticle(WorkspaceScopedModel):
    """An article linked to a case: it answered the case, or was sent in a reply."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="article_links")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="case_links")
    linked_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    linked_at = models.DateTimeField(default=timezone.now)
    # The reply that sent the article's help-page link to the customer (empty when an agent only linked it).
    message = models.ForeignKey("CaseMessage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-linked_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["case", "article"], name="casearticle_unique")]
        indexes = [models.Index(fields=["workspace", "article"], name="casearticle_ws_article")]

    def __str__(self) -> str:
        return f"{self.case_id} ↔ {self.article_id}"


# --- Satisfaction surveys -----------------------------------------------------------------------------------------------


class Survey(WorkspaceScopedModel):
    """The satisfaction survey sent once after a case is resolved: a score from 1 to 5 and an optional comment."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="survey")
    # Who and what the answer is about, copied when sent so that the report stays right if the case changes later.
    agent = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.ForeignKey(CaseKind, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    email = models.EmailField()
    token = models.CharField(max_length=32, help_text="Picked at random; the links in the email are signed with it.")
    sent_at = models.DateTimeField(null=True, blank=True)
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    comment = models.TextField(blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["token"], name="survey_unique_token"),
            models.CheckConstraint(condition=Q(score__isnull=True) | Q(score__gte=1, score__lte=5), name="survey_score_1_to_5"),
        ]
        indexes = [
            models.Index(fields=["workspace", "-answered_at", "-id"], name="survey_ws_answered"),
            models.Index(fields=["workspace", "agent", "answered_at"], name="survey_ws_agent"),
        ]

    def __str__(self) -> str:
        return f"Survey of {self.case_id}"


# The portal's and returns' tables live beside their code; importing them here registers them with the app.
from amity.service.portal.models import (  # noqa: E402, F401
    PortalAccess,
    PortalBranding,
    PortalLink,
    PortalSession,
    PortalSignInRequest,
    ReturnRequest,
)
