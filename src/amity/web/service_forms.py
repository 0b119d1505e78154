"""Forms of Settings → Case routing, Service desk and Service levels; the rules they feed live in amity.service.services."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms

from amity.core.models import User
from amity.service.models import (
    AgentProfile,
    BreachAssignee,
    BusinessCalendar,
    CannedResponse,
    Case,
    CaseAssignmentRule,
    CaseKind,
    Macro,
    Mailbox,
    Queue,
    SlaPolicy,
)
from amity.service.services.editing import PLACEHOLDER_NAMES
from amity.web.customer_forms import _people_choices
from amity.web.forms import StyledForm

WEEKDAYS = [
    ("mon", "Monday"),
    ("tue", "Tuesday"),
    ("wed", "Wednesday"),
    ("thu", "Thursday"),
    ("fri", "Friday"),
    ("sat", "Saturday"),
    ("sun", "Sunday"),
]


def _words(text: str) -> list[str]:
    return [part.strip() for part in text.replace("\n", ",").split(",") if part.strip()]


def _id(value: Any) -> int | None:
    return int(value) if str(value or "").isdigit() else None


def _queue_choices(queues: Iterable[Queue], empty: str) -> list[tuple[str, str]]:
    return [("", empty), *((str(queue.pk), queue.name) for queue in queues)]


class RoutingRuleForm(StyledForm):
    """A routing rule: which new cases (kind, queue, priority, language) go to whom and how."""

    name = forms.CharField(label="Name", max_length=120)
    kinds = forms.MultipleChoiceField(
        label="Kinds", required=False, widget=forms.CheckboxSelectMultiple, help_text="Any kind if none is ticked."
    )
    queue_id = forms.ChoiceField(label="In queue", required=False)
    priorities = forms.MultipleChoiceField(
        label="Priorities",
        required=False,
        choices=Case.Priority.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Any if none is ticked.",
    )
    languages = forms.CharField(label="Languages", required=False, help_text="Codes such as de, fr; any if empty.")
    route_to_queue_id = forms.ChoiceField(label="Move to queue", required=False)
    method = forms.ChoiceField(label="Give it to", choices=CaseAssignmentRule.Method.choices)
    agent_id = forms.ChoiceField(label="Agent", required=False, help_text="For the one-agent method.")
    agent_ids = forms.MultipleChoiceField(
        label="Pool", required=False, widget=forms.CheckboxSelectMultiple, help_text="The queue's agents if none is ticked."
    )
    required_skill = forms.CharField(label="Skill needed", required=False, max_length=60)
    match_language = forms.BooleanField(label="Only agents who speak the case's language", required=False)

    def __init__(self, *args: Any, kinds: Iterable[CaseKind], queues: Iterable[Queue], people: Iterable[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        queues, people = list(queues), list(people)
        self.fields["kinds"].choices = [(kind.key, kind.name) for kind in kinds]  # type: ignore[attr-defined]
        self.fields["queue_id"].choices = _queue_choices(queues, "Any queue")  # type: ignore[attr-defined]
        self.fields["route_to_queue_id"].choices = _queue_choices(queues, "Keep its queue")  # type: ignore[attr-defined]
        self.fields["agent_id"].choices = _people_choices(people, "Nobody")  # type: ignore[attr-defined]
        self.fields["agent_ids"].choices = [(str(person.pk), person.display_name) for person in people]  # type: ignore[attr-defined]

    @staticmethod
    def initial_of(rule: CaseAssignmentRule) -> dict[str, Any]:
        return {
            "name": rule.name,
            "kinds": rule.kinds,
            "queue_id": rule.queue_id or "",
            "priorities": rule.priorities,
            "languages": ", ".join(rule.languages),
            "route_to_queue_id": rule.route_to_queue_id or "",
            "method": rule.method,
            "agent_id": rule.agent_id or "",
            "agent_ids": [str(agent.pk) for agent in rule.agents.all()],
            "required_skill": rule.required_skill,
            "match_language": rule.match_language,
        }

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "kinds": data["kinds"],
            "queue_id": _id(data["queue_id"]),
            "priorities": data["priorities"],
            "languages": _words(data["languages"]),
            "route_to_queue_id": _id(data["route_to_queue_id"]),
            "method": data["method"],
            "agent_id": _id(data["agent_id"]),
            "agent_ids": [int(pk) for pk in data["agent_ids"]],
            "required_skill": data["required_skill"],
            "match_language": data["match_language"],
        }


class AgentForm(StyledForm):
    """One agent's routing profile, a row of the agents table."""

    skills = forms.CharField(label="Skills", required=False, widget=forms.TextInput(attrs={"placeholder": "e.g. billing, returns"}))
    languages = forms.CharField(label="Languages", required=False, widget=forms.TextInput(attrs={"placeholder": "e.g. en, de"}))
    max_open_cases = forms.IntegerField(label="Most open cases", required=False, min_value=1, max_value=10_000)
    available = forms.BooleanField(label="Takes new cases", required=False)

    @staticmethod
    def initial_of(profile: AgentProfile) -> dict[str, Any]:
        return {
            "skills": ", ".join(profile.skills),
            "languages": ", ".join(profile.languages),
            "max_open_cases": profile.max_open_cases,
            "available": profile.available,
        }

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "skills": _words(data["skills"]),
            "languages": _words(data["languages"]),
            "max_open_cases": data["max_open_cases"],
            "available": data["available"],
        }


class QueueForm(StyledForm):
    name = forms.CharField(label="Name", max_length=80)
    email_address = forms.EmailField(label="Address", required=False, help_text="Mail to this address opens cases in this queue.")
    member_ids = forms.MultipleChoiceField(label="Agents", required=False, widget=forms.CheckboxSelectMultiple)
    is_default = forms.BooleanField(label="Default queue for new cases", required=False)

    def __init__(self, *args: Any, people: Iterable[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member_ids"].choices = [(str(person.pk), person.display_name) for person in people]  # type: ignore[attr-defined]

    @staticmethod
    def initial_of(queue: Queue) -> dict[str, Any]:
        members = [str(member.pk) for member in queue.members.all()]
        return {"name": queue.name, "email_address": queue.email_address, "member_ids": members, "is_default": queue.is_default}

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "email_address": data["email_address"],
            "member_ids": [int(pk) for pk in data["member_ids"]],
            "is_default": data["is_default"],
        }


class CaseKindForm(StyledForm):
    name = forms.CharField(label="Name", max_length=80)
    is_return = forms.BooleanField(label="A return: give it an RMA number", required=False)
    instructions = forms.CharField(
        label="Instructions for the customer",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Shown and emailed when a case of this kind is opened; {rma} becomes the RMA number.",
    )
    active = forms.BooleanField(label="In use", required=False, initial=True)

    @staticmethod
    def initial_of(kind: CaseKind) -> dict[str, Any]:
        return {"name": kind.name, "is_return": kind.is_return, "instructions": kind.instructions, "active": kind.active}

    def service_data(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class SlaPolicyForm(StyledForm):
    name = forms.CharField(label="Name", max_length=80)
    position = forms.IntegerField(label="Order", min_value=0, max_value=1000, initial=0, help_text="The first matching policy applies.")
    kind_id = forms.ChoiceField(label="Kind", required=False)
    priority = forms.ChoiceField(label="Priority", required=False, choices=[("", "Any priority"), *Case.Priority.choices])
    customer_tier = forms.CharField(label="Customer tier", required=False, max_length=60, help_text="A tag of the account, e.g. gold.")
    first_response_minutes = forms.IntegerField(label="First response within (business minutes)", required=False, min_value=1)
    resolution_minutes = forms.IntegerField(label="Resolution within (business minutes)", required=False, min_value=1)
    warn_before_minutes = forms.IntegerField(label="Warn this many minutes before", min_value=1, max_value=10_080, initial=30)
    calendar_id = forms.ChoiceField(label="Calendar", required=False)
    escalate_to_id = forms.ChoiceField(label="Tell of every breach", required=False)
    raise_priority_on_breach = forms.BooleanField(label="Raise the priority on a breach", required=False)
    breach_queue_id = forms.ChoiceField(label="On a breach, move to", required=False)
    breach_assignee = forms.ChoiceField(
        label="On a breach, give it to", required=False, choices=BreachAssignee.choices, initial=BreachAssignee.KEEP
    )
    active = forms.BooleanField(label="In use", required=False, initial=True)

    def __init__(
        self,
        *args: Any,
        kinds: Iterable[CaseKind],
        calendars: Iterable[BusinessCalendar],
        people: Iterable[User],
        queues: Iterable[Queue],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind_id"].choices = [("", "Any kind"), *((str(kind.pk), kind.name) for kind in kinds)]  # type: ignore[attr-defined]
        calendar_choices = [("", "The default calendar"), *((str(calendar.pk), calendar.name) for calendar in calendars)]
        self.fields["calendar_id"].choices = calendar_choices  # type: ignore[attr-defined]
        self.fields["escalate_to_id"].choices = _people_choices(people, "Nobody more")  # type: ignore[attr-defined]
        self.fields["breach_queue_id"].choices = [("", "Its own queue"), *((str(queue.pk), queue.name) for queue in queues)]  # type: ignore[attr-defined]

    @staticmethod
    def initial_of(policy: SlaPolicy) -> dict[str, Any]:
        return {
            "name": policy.name,
            "position": policy.position,
            "kind_id": policy.kind_id or "",
            "priority": policy.priority,
            "customer_tier": policy.customer_tier,
            "first_response_minutes": policy.first_response_minutes,
            "resolution_minutes": policy.resolution_minutes,
            "warn_before_minutes": policy.warn_before_minutes,
            "calendar_id": policy.calendar_id or "",
            "escalate_to_id": policy.escalate_to_id or "",
            "raise_priority_on_breach": policy.raise_priority_on_breach,
            "breach_queue_id": policy.breach_queue_id or "",
            "breach_assignee": policy.breach_assignee,
            "active": policy.active,
        }

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        for name in ("kind_id", "calendar_id", "escalate_to_id", "breach_queue_id"):
            data[name] = _id(data[name])
        data["breach_assignee"] = data["breach_assignee"] or BreachAssignee.KEEP
        return data


class CalendarForm(StyledForm):
    """A business calendar: its zone, holidays and closed days, and per weekday up to two opening spans."""

    name = forms.CharField(label="Name", max_length=80)
    time_zone = forms.CharField(label="Time zone", max_length=64, initial="UTC", help_text="e.g. Europe/Berlin")
    holiday_country = forms.CharField(label="Public holidays of", required=False, max_length=2, help_text="A country code, e.g. DE.")
    closed_days = forms.CharField(label="Closed days", required=False, help_text="YYYY-MM-DD, separated by commas.")
    is_default = forms.BooleanField(label="Default calendar", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for day, label in WEEKDAYS:
            self.fields[f"hours_{day}"] = forms.CharField(
                label=label, required=False, widget=forms.TextInput(attrs={"placeholder": "Closed"}), help_text=""
            )
        self.apply_styles()

    def weekday_fields(self) -> list[forms.BoundField]:
        return [self[f"hours_{day}"] for day, _ in WEEKDAYS]

    @staticmethod
    def initial_of(calendar: BusinessCalendar) -> dict[str, Any]:
        hours = {f"hours_{day}": ", ".join(f"{start}-{end}" for start, end in calendar.hours.get(day, [])) for day, _ in WEEKDAYS}
        return {
            "name": calendar.name,
            "time_zone": calendar.time_zone,
            "holiday_country": calendar.holiday_country,
            "closed_days": ", ".join(calendar.closed_days),
            "is_default": calendar.is_default,
            **hours,
        }

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        hours: dict[str, list[list[str]]] = {}
        for day, _ in WEEKDAYS:
            spans = [span.replace(" ", "").split("-", 1) for span in _words(data[f"hours_{day}"])]
            if spans:
                hours[day] = [span if len(span) == 2 else [span[0], ""] for span in spans]
        return {
            "name": data["name"],
            "time_zone": data["time_zone"].strip(),
            "holiday_country": data["holiday_country"].strip().upper(),
            "closed_days": _words(data["closed_days"]),
            "is_default": data["is_default"],
            "hours": hours,
        }


class MailboxForm(StyledForm):
    """An IMAP mailbox the worker reads; the password is asked for once and never shown again."""

    host = forms.CharField(label="IMAP server", max_length=200, widget=forms.TextInput(attrs={"placeholder": "imap.example.com"}))
    port = forms.IntegerField(label="Port", min_value=1, max_value=65535, initial=993)
    use_ssl = forms.BooleanField(label="TLS (IMAPS)", required=False, initial=True)
    username = forms.CharField(label="User name", max_length=254)
    password = forms.CharField(
        label="Password",
        required=False,
        max_length=500,
        widget=forms.PasswordInput(render_value=False),
        help_text="Leave empty to keep it.",
    )
    folder = forms.CharField(label="Folder", max_length=200, initial="INBOX")
    queue_id = forms.ChoiceField(label="New cases go to", required=False)
    active = forms.BooleanField(label="Read it", required=False, initial=True)

    def __init__(self, *args: Any, queues: Iterable[Queue], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["queue_id"].choices = _queue_choices(queues, "The default queue")  # type: ignore[attr-defined]

    @staticmethod
    def initial_of(mailbox: Mailbox) -> dict[str, Any]:
        fields = ("host", "port", "use_ssl", "username", "folder", "active")
        return {**{name: getattr(mailbox, name) for name in fields}, "queue_id": mailbox.queue_id or ""}

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["queue_id"] = _id(data["queue_id"])
        if not data["password"]:
            del data["password"]  # unchanged
        return data


class CannedResponseForm(StyledForm):
    name = forms.CharField(label="Name", max_length=120)
    body = forms.CharField(
        label="Text",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Placeholders: " + ", ".join("{" + name + "}" for name in PLACEHOLDER_NAMES) + ".",
    )

    @staticmethod
    def initial_of(response: CannedResponse) -> dict[str, Any]:
        return {"name": response.name, "body": response.body}

    def service_data(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class MacroForm(StyledForm):
    """A macro: the changes one click makes to a case."""

    name = forms.CharField(label="Name", max_length=120)
    status = forms.ChoiceField(label="Set status", required=False, choices=[("", "Leave as is"), *Case.Status.choices])
    priority = forms.ChoiceField(label="Set priority", required=False, choices=[("", "Leave as is"), *Case.Priority.choices])
    queue_id = forms.ChoiceField(label="Move to queue", required=False)
    assignee_id = forms.ChoiceField(label="Assign to", required=False)
    assign_to_me = forms.BooleanField(label="Assign to whoever applies it", required=False)
    add_tags = forms.CharField(label="Add tags", required=False, help_text="Separated by commas.")
    reply_id = forms.ChoiceField(label="Send reply", required=False)
    note = forms.CharField(label="Add internal note", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(
        self, *args: Any, queues: Iterable[Queue], people: Iterable[User], responses: Iterable[CannedResponse], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["queue_id"].choices = _queue_choices(queues, "Leave as is")  # type: ignore[attr-defined]
        self.fields["assignee_id"].choices = _people_choices(people, "Leave as is")  # type: ignore[attr-defined]
        self.fields["reply_id"].choices = [("", "No reply"), *((str(response.pk), response.name) for response in responses)]  # type: ignore[attr-defined]

    @staticmethod
    def initial_of(macro: Macro) -> dict[str, Any]:
        return {
            "name": macro.name,
            "status": macro.status,
            "priority": macro.priority,
            "queue_id": macro.queue_id or "",
            "assignee_id": macro.assignee_id or "",
            "assign_to_me": macro.assign_to_me,
            "add_tags": ", ".join(macro.add_tags),
            "reply_id": macro.reply_id or "",
            "note": macro.note,
        }

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        for name in ("queue_id", "assignee_id", "reply_id"):
            data[name] = _id(data[name])
        data["add_tags"] = _words(data["add_tags"])
        return data


class PortalBrandingForm(StyledForm):
    colour = forms.CharField(
        label="Colour",
        max_length=7,
        widget=forms.TextInput(attrs={"type": "color", "data-colour-preview": "#portal-preview"}),
        help_text="Of the portal's header and buttons. Pick one with enough contrast for white text.",
    )
