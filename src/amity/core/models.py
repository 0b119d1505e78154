"""Workspaces (tenants), people and what they may do, and the audit trail of every change."""

from __future__ import annotations

import hashlib
import zoneinfo
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone

from amity.core.permissions import ROLE_CHOICES, Role
from amity.core.tenancy import WorkspaceScopedModel


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in to Amity; email is the login."""

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=200, blank=True)
    time_zone = models.CharField(max_length=64, default="UTC")
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="May use the operators' admin site.")
    date_joined = models.DateTimeField(default=timezone.now)
    last_workspace = models.ForeignKey("core.Workspace", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []  # type: ignore[misc]  # the stubs declare it a ClassVar; Django reads it as one

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.full_name or self.email

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        """The user's time zone, in which times are shown to them (UTC when theirs is unknown)."""
        try:
            return zoneinfo.ZoneInfo(self.time_zone or "UTC")
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return zoneinfo.ZoneInfo("UTC")

    @property
    def initials(self) -> str:
        parts = (self.full_name or self.email).replace("@", " ").split()
        return "".join(part[0] for part in parts[:2]).upper()


class Workspace(models.Model):
    """A tenant: one company's data, its members and their roles."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=60, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.name


class Membership(WorkspaceScopedModel):
    """A user's place in a workspace, with the role that says what they may do there."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=ROLE_CHOICES)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "user"], name="membership_unique_user")]
        indexes = [models.Index(fields=["workspace", "role"])]

    def __str__(self) -> str:
        return f"{self.user} ({self.role}) in {self.workspace}"

    @property
    def is_owner(self) -> bool:
        return self.role == Role.OWNER


class Team(WorkspaceScopedModel):
    """A group of members with a manager; record visibility 'team' follows it."""

    name = models.CharField(max_length=120)
    manager = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="managed_teams")
    members = models.ManyToManyField(User, blank=True, related_name="teams")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="team_unique_name")]

    def __str__(self) -> str:
        return self.name


def hash_secret(secret: str) -> str:
    """Tokens are long random strings, so a fast hash is enough to make a stolen table useless."""
    return hashlib.sha256(secret.encode()).hexdigest()


class Invitation(WorkspaceScopedModel):
    """An emailed offer to join a workspace with a role; accepted through a one-time link."""

    email = models.EmailField()
    role = models.CharField(max_length=20, choices=ROLE_CHOICES)
    invited_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["workspace", "email"])]

    def __str__(self) -> str:
        return f"Invitation of {self.email} to {self.workspace}"

    @property
    def status(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"


class ApiToken(WorkspaceScopedModel):
    """A bearer token for the API, bound to one user in one workspace; only its hash is kept."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, help_text="The first characters, to recognise a token in lists.")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "API token"
        indexes = [models.Index(fields=["workspace", "user"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class Door(models.TextChoices):
    WEB = "web", "Web"
    API = "api", "API"
    CLI = "cli", "Command line"
    TASK = "task", "Background task"
    IMPORT = "import", "Import"
    SYSTEM = "system", "System"


class AuditEntry(WorkspaceScopedModel):
    """One change to one record: who made it, when, through which door, and each field before and after."""

    class Action(models.TextChoices):
        CREATE = "create", "Created"
        UPDATE = "update", "Updated"
        DELETE = "delete", "Deleted"
        RESTORE = "restore", "Restored"
        MERGE = "merge", "Merged"
        ACCESS = "access", "Accessed"

    created_at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    token = models.ForeignKey(ApiToken, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor_label = models.CharField(max_length=200, help_text="Who, as shown: a user's email, or the task's name.")
    door = models.CharField(max_length=10, choices=Door.choices)
    action = models.CharField(max_length=10, choices=Action.choices)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=40)
    object_repr = models.CharField(max_length=200)
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name_plural = "audit entries"
        indexes = [
            models.Index(fields=["workspace", "-id"], name="audit_ws_recent"),
            models.Index(fields=["workspace", "object_type", "object_id", "-id"], name="audit_ws_object"),
            models.Index(fields=["workspace", "object_type", "-id"], name="audit_ws_type"),
            models.Index(fields=["workspace", "actor", "-id"], name="audit_ws_actor"),
        ]

    def __str__(self) -> str:
        return f"{self.actor_label} {self.action} {self.object_type} {self.object_repr}"


class IdempotencyRecord(models.Model):
    """The stored answer to a POST made with an Idempotency-Key, replayed when the key comes again."""

    scope = models.CharField(max_length=64, help_text="Hash of the credential that made the request.")
    key = models.CharField(max_length=200)
    fingerprint = models.CharField(max_length=64, help_text="Hash of method, path and body.")
    status_code = models.PositiveSmallIntegerField(null=True)
    content_type = models.CharField(max_length=100, blank=True)
    body = models.BinaryField(default=b"")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="idempotency_unique_key")]

    def __str__(self) -> str:
        return f"Idempotency-Key {self.key}"


class WorkerHeartbeat(models.Model):
    """The last time each background worker said it was alive (read by /healthz)."""

    worker_id = models.CharField(max_length=100, unique=True)
    backend = models.CharField(max_length=40)
    started_at = models.DateTimeField(default=timezone.now)
    seen_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.backend})"


class TaskFailure(models.Model):
    """A background task that raised: kept so an admin sees the error and whether it will be retried."""

    workspace = models.ForeignKey(Workspace, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    task_name = models.CharField(max_length=200)
    arguments = models.JSONField(default=dict)
    attempt = models.PositiveSmallIntegerField()
    max_attempts = models.PositiveSmallIntegerField()
    error = models.TextField()
    traceback = models.TextField(blank=True)
    retry_at = models.DateTimeField(null=True, blank=True, help_text="Empty when no attempt is left.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["workspace", "-id"], name="taskfailure_ws_recent")]

    def __str__(self) -> str:
        return f"{self.task_name} attempt {self.attempt}: {self.error[:80]}"

    @property
    def will_retry(self) -> bool:
        return self.retry_at is not None


class FieldDefinition(WorkspaceScopedModel):
    """A custom field an admin adds to a record type (contacts, accounts, …); values live in each record's `custom` JSON."""

    class Type(models.TextChoices):
        TEXT = "text", "Text"
        LONG_TEXT = "long_text", "Long text"
        NUMBER = "number", "Number"
        MONEY = "money", "Money"
        DATE = "date", "Date"
        DATETIME = "datetime", "Date and time"
        BOOLEAN = "boolean", "Yes / no"
        CHOICE = "choice", "Single choice"
        MULTI_CHOICE = "multi_choice", "Multiple choice"
        URL = "url", "Web address"
        EMAIL = "email", "Email"
        PHONE = "phone", "Phone"
        USER = "user", "User"

    object_type = models.CharField(max_length=40)
    key = models.SlugField(max_length=60, help_text="The name in the API and in imports, e.g. `contract_value`.")
    label = models.CharField(max_length=120)
    type = models.CharField(max_length=20, choices=Type.choices)
    options = models.JSONField(default=list, blank=True, help_text="The allowed values of a choice field.")
    required = models.BooleanField(default=False)
    unique = models.BooleanField(default=False)
    min_value = models.DecimalField(max_digits=20, decimal_places=4, null=True, blank=True)
    max_value = models.DecimalField(max_digits=20, decimal_places=4, null=True, blank=True)
    max_length = models.PositiveIntegerField(null=True, blank=True)
    pattern = models.CharField(
        max_length=200, blank=True, help_text="A regular expression a text value must match in full, e.g. `[A-Z]{2}-\\d{4}`."
    )
    help_text = models.CharField(max_length=300, blank=True, help_text="Shown under the field in forms.")
    position = models.PositiveSmallIntegerField(default=0)
    sensitive = models.BooleanField(
        default=False, help_text="Hidden from the roles kept from sensitive fields (permissions.SENSITIVE_CUSTOM_DENIED)."
    )
    archived_at = models.DateTimeField(null=True, blank=True, help_text="Hidden from forms, lists and imports; values are kept.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "object_type", "key"], name="fielddefinition_unique_key")]
        ordering = ["object_type", "position", "id"]

    def __str__(self) -> str:
        return f"{self.object_type}.{self.key}"


class Notification(WorkspaceScopedModel):
    """A message to one person in the app (a mention, a due task, an alert), unread until they open it."""

    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=40, help_text="What it is about, e.g. `mention` or `task_reminder`.")
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True, help_text="Where to go to see it, relative to the site.")
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    in_app = models.BooleanField(default=True, help_text="Shown in the app; off when the person only wants it by email.")
    email_pending = models.BooleanField(default=False, help_text="Waiting for the person's next email digest.")
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["workspace", "recipient", "-id"], name="notification_ws_recipient"),
            models.Index(fields=["workspace", "recipient"], condition=models.Q(read_at__isnull=True), name="notification_ws_unread"),
            models.Index(
                fields=["workspace", "recipient", "id"], condition=models.Q(email_pending=True), name="notification_email_pending"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id}: {self.title}"


class NotificationPreference(WorkspaceScopedModel):
    """How one person wants to hear about things in one workspace: per kind in the app and by email, and how often mail comes."""

    class Digest(models.TextChoices):
        IMMEDIATE = "immediate", "Immediately"
        HOURLY = "hourly", "Hourly"
        DAILY = "daily", "Daily"
        NEVER = "never", "Never"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notification_preferences")
    digest = models.CharField(max_length=10, choices=Digest.choices, default=Digest.IMMEDIATE)
    channels = models.JSONField(
        default=dict, blank=True, help_text='Per kind: {"in_app": bool, "email": bool}; a missing kind keeps its default.'
    )
    last_digest_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "user"], name="notification_preference_unique_user")]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.digest}"


class AlertRule(WorkspaceScopedModel):
    """A workspace's setting of one alert rule: on or off, and its parameters (the rule's defaults fill the gaps)."""

    kind = models.CharField(max_length=40)
    enabled = models.BooleanField(default=True)
    params = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "kind"], name="alert_rule_unique_kind")]

    def __str__(self) -> str:
        return f"{self.kind} ({'on' if self.enabled else 'off'})"


class AlertState(WorkspaceScopedModel):
    """An alert that went out for a record and whose condition still holds, so it goes out once until it clears."""

    kind = models.CharField(max_length=40)
    record_id = models.BigIntegerField()
    run = models.CharField(max_length=32, help_text="The evaluation that claimed it, to tell its own claims from a racing worker's.")
    alerted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "kind", "record_id"], name="alert_state_unique_record")]
        indexes = [models.Index(fields=["workspace", "kind", "run"], name="alert_state_run")]

    def __str__(self) -> str:
        return f"{self.kind} #{self.record_id}"
