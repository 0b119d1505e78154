"""Forms that correct a logged interaction, note or task in place on the timeline.

Each starts from the entry as it is and hands its service (amity.activities.services) only what
was changed, so a rich text written through the API keeps its formatting unless its text is
edited here, and the audit log lists exactly the fields someone changed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from django import forms
from django.utils import timezone
from django.utils.formats import date_format

from amity.activities.models import Channel, Direction, Interaction, Note, Task
from amity.web.record_forms import REMINDERS, LogForm, html_to_text, local_datetime_field, text_to_html

KEEP_REMINDER = "keep"


def _minute(moment: dt.datetime | None) -> dt.datetime | None:
    """A time as the form shows it (to the minute), so that leaving it alone is not a change."""
    return moment.replace(second=0, microsecond=0) if moment else None


class EntryForm(LogForm):
    """What the three edit forms share: field ids of their own (several can be open at once) and the service's errors."""

    renames: ClassVar[dict[str, str]] = {"reminder_at": "reminder"}

    def __init__(self, *args: Any, entry_id: str, **kwargs: Any) -> None:
        super().__init__(*args, auto_id=f"{entry_id}-%s", **kwargs)

    def apply_service_errors(self, error: Any) -> None:
        if hasattr(error, "error_dict"):
            error.error_dict = {self.renames.get(key, key): value for key, value in error.error_dict.items()}
        super().apply_service_errors(error)

    def changed(self, name: str) -> bool:
        return name in self.changed_data


class InteractionEditForm(EntryForm):
    what, label, icon = "interaction", "Edit interaction", "pencil"
    channel = forms.ChoiceField(label="Channel", choices=Channel.choices)
    direction = forms.ChoiceField(label="Direction", choices=Direction.choices)
    occurred_at = local_datetime_field("When")
    duration_minutes = forms.IntegerField(label="Duration (minutes)", required=False, min_value=0, max_value=7 * 24 * 60)
    subject = forms.CharField(label="Subject", required=False, max_length=300)
    outcome = forms.CharField(label="Outcome", required=False, max_length=200)
    body = forms.CharField(label="Notes", required=False, max_length=100_000, widget=forms.Textarea(attrs={"rows": 3}))

    @staticmethod
    def initial_for(interaction: Interaction) -> dict[str, Any]:
        seconds = interaction.duration_seconds
        return {
            "channel": interaction.channel,
            "direction": interaction.direction,
            "occurred_at": _minute(interaction.occurred_at),
            "duration_minutes": round(seconds / 60) if seconds is not None else None,
            "subject": interaction.subject,
            "outcome": interaction.outcome,
            "body": html_to_text(interaction.body),
        }

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        fields: dict[str, Any] = {
            name: data[name] for name in ("channel", "direction", "occurred_at", "subject", "outcome") if self.changed(name)
        }
        if self.changed("duration_minutes"):
            minutes = data["duration_minutes"]
            fields["duration_seconds"] = minutes * 60 if minutes is not None else None
        if self.changed("body"):
            fields["body"] = text_to_html(data["body"])
        return fields


class NoteEditForm(EntryForm):
    what, label, icon = "note", "Edit note", "pencil"
    body = forms.CharField(
        label="Note",
        max_length=100_000,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "Type @ to mention a colleague", "data-mentions": "", "autofocus": True}),
    )

    @staticmethod
    def initial_for(note: Note) -> dict[str, Any]:
        return {"body": html_to_text(note.body)}

    def service_kwargs(self) -> dict[str, Any]:
        return {"body": text_to_html(self.cleaned_data["body"])} if self.changed("body") else {}


class TaskEditForm(EntryForm):
    what, label, icon = "task", "Edit task", "pencil"
    title = forms.CharField(label="Task", max_length=300, widget=forms.TextInput(attrs={"autofocus": True}))
    due_at = local_datetime_field("Due")
    priority = forms.ChoiceField(label="Priority", choices=Task.Priority.choices)
    status = forms.ChoiceField(label="Status", choices=Task.Status.choices)
    assignee_id = forms.ChoiceField(label="Assigned to")
    reminder = forms.ChoiceField(label="Reminder", required=False, choices=REMINDERS)
    description = forms.CharField(label="Details", required=False, max_length=100_000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, task: Task, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.task = task
        people = [(str(person.pk), person.display_name) for person in self.members]
        if task.assignee_id is not None and str(task.assignee_id) not in dict(people):
            people.append((str(task.assignee_id), "A former member"))  # saving other fields keeps them assigned
        assignee = self.fields["assignee_id"]
        assert isinstance(assignee, forms.ChoiceField)
        assignee.choices = people
        if self.initial.get("reminder") == KEEP_REMINDER and task.reminder_at is not None:
            reminder = self.fields["reminder"]
            assert isinstance(reminder, forms.ChoiceField)
            reminder.choices = [*REMINDERS, (KEEP_REMINDER, f"As set: {date_format(timezone.localtime(task.reminder_at), 'j M Y, H:i')}")]

    @staticmethod
    def initial_for(task: Task) -> dict[str, Any]:
        reminder = ""
        if task.reminder_at is not None:
            minutes = (task.due_at - task.reminder_at).total_seconds() / 60
            reminder = next((value for value, _ in REMINDERS if value and float(value) == minutes), KEEP_REMINDER)
        return {
            "title": task.title,
            "due_at": _minute(task.due_at),
            "priority": task.priority,
            "status": task.status,
            "assignee_id": str(task.assignee_id or ""),
            "reminder": reminder,
            "description": html_to_text(task.description),
        }

    def assignee(self) -> Any:
        wanted = self.cleaned_data.get("assignee_id")
        return next((person for person in self.members if str(person.pk) == wanted), self.task.assignee)

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        fields: dict[str, Any] = {name: data[name] for name in ("title", "due_at", "priority") if self.changed(name)}
        if self.changed("assignee_id"):
            fields["assignee"] = self.assignee()
        if self.changed("description"):
            fields["description"] = text_to_html(data["description"])
        if self.changed("reminder") or (self.changed("due_at") and data["reminder"] != KEEP_REMINDER):
            reminder = data["reminder"]
            fields["reminder_at"] = (
                self.task.reminder_at
                if reminder == KEEP_REMINDER
                else data["due_at"] - dt.timedelta(minutes=int(reminder))
                if reminder
                else None
            )
        return fields

    def new_status(self) -> str | None:
        """The status chosen, when it differs from the task's (done, cancelled and open again each have their service)."""
        return str(self.cleaned_data["status"]) if self.changed("status") else None


ENTRY_FORMS: dict[str, type[EntryForm]] = {"interaction": InteractionEditForm, "note": NoteEditForm, "task": TaskEditForm}
