"""The operators' admin site: read-mostly views of the timeline's records."""

from __future__ import annotations

from django.contrib import admin

from amity.activities.models import Interaction, Note, Task


@admin.register(Interaction)
class InteractionAdmin(admin.ModelAdmin):
    list_display = ["occurred_at", "channel", "direction", "subject", "workspace"]
    list_filter = ["channel", "direction"]
    raw_id_fields = ["workspace", "created_by", "contacts", "accounts", "users"]


@admin.register(Note)
class NoteAdmin(admin.ModelAdmin):
    list_display = ["created_at", "author", "contact", "account", "workspace"]
    raw_id_fields = ["workspace", "author", "contact", "account", "mentions"]


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ["title", "due_at", "status", "priority", "assignee", "workspace"]
    list_filter = ["status", "priority"]
    raw_id_fields = ["workspace", "assignee", "created_by", "contact", "account"]
