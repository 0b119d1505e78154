"""The timeline's records: what happened with a customer (interactions), what people wrote (notes) and what they must do (tasks)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from amity.core.models import User
from amity.core.tenancy import WorkspaceScopedModel
from amity.customers.models import Account, Contact


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    PHONE = "phone", "Phone call"
    MEETING = "meeting", "Meeting"
    CHAT = "chat", "Chat"
    SMS = "sms", "SMS"
    WEB = "web", "Web form or visit"
    SOCIAL = "social", "Social message"
    LETTER = "letter", "Letter"
    IN_PERSON = "in_person", "In person"


class Direction(models.TextChoices):
    INBOUND = "in", "Inbound"
    OUTBOUND = "out", "Outbound"
    INTERNAL = "internal", "Internal"


class Interaction(WorkspaceScopedModel):
    """One thing that happened with customers on a channel: a call, an email, a meeting, a visit."""

    channel = models.CharField(max_length=20, choices=Channel.choices)
    direction = models.CharField(max_length=10, choices=Direction.choices, default=Direction.OUTBOUND)
    occurred_at = models.DateTimeField(default=timezone.now)
    duration_seconds = models.PositiveIntegerField(null=True, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    body = models.TextField(blank=True, help_text="Sanitized HTML.")
    outcome = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    contacts = models.ManyToManyField(Contact, blank=True, related_name="interactions", help_text="The customers who took part.")
    accounts = models.ManyToManyField(Account, blank=True, related_name="interactions", help_text="The organizations it concerns.")
    users = models.ManyToManyField(User, blank=True, related_name="interactions", help_text="The colleagues who took part.")
    opportunity = models.ForeignKey(
        "sales.Opportunity",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="interactions",
        help_text="The deal it was about.",
    )
    lead = models.ForeignKey(
        "sales.Lead", null=True, blank=True, on_delete=models.SET_NULL, related_name="interactions", help_text="The lead it was with."
    )

    class Meta:
        indexes = [
            models.Index(fields=["workspace", "-occurred_at", "-id"], name="interaction_ws_recent"),
            models.Index(fields=["workspace", "channel", "-occurred_at", "-id"], name="interaction_ws_channel"),
            models.Index(fields=["workspace", "lead", "-occurred_at", "-id"], name="interaction_ws_lead"),
        ]

    def __str__(self) -> str:
        return self.subject or f"{self.get_channel_display()} ({self.get_direction_display().lower()})"


class Note(WorkspaceScopedModel):
    """Something a colleague wrote about a customer; @mentions tell the people named."""

    body = models.TextField(help_text="Sanitized HTML.")
    author = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.CASCADE, related_name="notes")
    account = models.ForeignKey(Account, null=True, blank=True, on_delete=models.CASCADE, related_name="notes")
    mentions = models.ManyToManyField(User, blank=True, related_name="mentioned_in_notes")
    opportunity = models.ForeignKey("sales.Opportunity", null=True, blank=True, on_delete=models.SET_NULL, related_name="notes")
    lead = models.ForeignKey("sales.Lead", null=True, blank=True, on_delete=models.SET_NULL, related_name="notes")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["workspace", "contact", "-created_at", "-id"], name="note_ws_contact"),
            models.Index(fields=["workspace", "account", "-created_at", "-id"], name="note_ws_account"),
            models.Index(fields=["workspace", "-created_at", "-id"], name="note_ws_recent"),
            models.Index(fields=["workspace", "lead", "-created_at", "-id"], name="note_ws_lead"),
        ]

    def __str__(self) -> str:
        return f"Note {self.pk}"


class Task(WorkspaceScopedModel):
    """Something someone must do by a time, about a customer, with an optional reminder."""

    class Priority(models.TextChoices):
        LOW = "low", "Low"
        NORMAL = "normal", "Normal"
        HIGH = "high", "High"
        URGENT = "urgent", "Urgent"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Cancelled"

    title = models.CharField(max_length=300)
    description = models.TextField(blank=True, help_text="Sanitized HTML.")
    due_at = models.DateTimeField()
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    assignee = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="assigned_tasks")
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.CASCADE, related_name="tasks")
    account = models.ForeignKey(Account, null=True, blank=True, on_delete=models.CASCADE, related_name="tasks")
    opportunity = models.ForeignKey("sales.Opportunity", null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks")
    lead = models.ForeignKey("sales.Lead", null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks")
    reminder_at = models.DateTimeField(null=True, blank=True, help_text="When to remind the assignee, in the app and by email.")
    reminded_at = models.DateTimeField(null=True, blank=True, help_text="When the reminder went out; set once, so it goes once.")
    completed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["workspace", "assignee", "status", "due_at", "id"], name="task_ws_assignee"),
            models.Index(fields=["workspace", "due_at", "id"], name="task_ws_due"),
            models.Index(fields=["workspace", "-created_at", "-id"], name="task_ws_recent"),
            models.Index(fields=["workspace", "contact", "-created_at", "-id"], name="task_ws_contact"),
            models.Index(fields=["workspace", "account", "-created_at", "-id"], name="task_ws_account"),
            models.Index(fields=["workspace", "lead", "-created_at", "-id"], name="task_ws_lead"),
            models.Index(fields=["reminder_at"], condition=models.Q(reminded_at__isnull=True), name="task_reminder_due"),
        ]

    def __str__(self) -> str:
        return self.title
