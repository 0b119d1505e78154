"""Forms of the case pages: opening a case, its properties, and the queue's filters."""

from __future__ import annotations

from typing import Any

from django import forms

from amity.core.models import User
from amity.service.models import Case, CaseKind, Queue
from amity.web.forms import StyledForm


def _kind_choices(kinds: list[CaseKind]) -> list[tuple[str, str]]:
    return [(kind.key, kind.name) for kind in kinds]


def _people_choices(people: list[User], blank: str) -> list[tuple[str, str]]:
    return [("", blank), *((str(person.pk), person.display_name) for person in people)]


class CaseCreateForm(StyledForm):
    """A case an agent opens by hand: from a call, a walk-in, a letter."""

    subject = forms.CharField(max_length=250)
    customer_email = forms.EmailField(label="Customer's email", required=False, help_text="Finds the contact; replies go here.")
    kind = forms.ChoiceField(choices=[])
    priority = forms.ChoiceField(choices=Case.Priority.choices, initial=Case.Priority.NORMAL)
    channel = forms.ChoiceField(label="Came in by", choices=Case.Channel.choices, initial=Case.Channel.PHONE)
    queue_id = forms.ChoiceField(label="Queue", choices=[])
    assignee_id = forms.ChoiceField(label="Assignee", choices=[], required=False)
    description = forms.CharField(
        label="What the customer said", widget=forms.Textarea(attrs={"rows": 5}), required=False, max_length=20000
    )

    def __init__(self, *args: Any, kinds: list[CaseKind], queues: list[Queue], people: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = _kind_choices(kinds)  # type: ignore[attr-defined]
        self.fields["queue_id"].choices = [(str(queue.pk), queue.name) for queue in queues]  # type: ignore[attr-defined]
        self.fields["assignee_id"].choices = _people_choices(people, "Nobody yet")  # type: ignore[attr-defined]
        default = next((queue for queue in queues if queue.is_default), None)
        if default and not self.is_bound:
            self.initial.setdefault("queue_id", str(default.pk))


class CasePropertiesForm(StyledForm):
    """The right-hand properties of a case page, saved as one change."""

    status = forms.ChoiceField(choices=Case.Status.choices)
    priority = forms.ChoiceField(choices=Case.Priority.choices)
    kind = forms.ChoiceField(choices=[])
    queue_id = forms.ChoiceField(label="Queue", choices=[], required=False)
    assignee_id = forms.ChoiceField(label="Assignee", choices=[], required=False)

    def __init__(self, *args: Any, kinds: list[CaseKind], queues: list[Queue], people: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = _kind_choices(kinds)  # type: ignore[attr-defined]
        self.fields["queue_id"].choices = [("", "No queue"), *((str(queue.pk), queue.name) for queue in queues)]  # type: ignore[attr-defined]
        self.fields["assignee_id"].choices = _people_choices(people, "Nobody")  # type: ignore[attr-defined]

    @staticmethod
    def initial_for(case: Case) -> dict[str, Any]:
        return {
            "status": case.status,
            "priority": case.priority,
            "kind": case.kind.key,
            "queue_id": str(case.queue_id or ""),
            "assignee_id": str(case.assignee_id or ""),
        }

    def changes(self) -> dict[str, Any]:
        """What the services take: the fields other than status, with ids as numbers or None."""
        data = self.cleaned_data
        return {
            "priority": data["priority"],
            "kind": data["kind"],
            "queue_id": int(data["queue_id"]) if data["queue_id"] else None,
            "assignee_id": int(data["assignee_id"]) if data["assignee_id"] else None,
        }
