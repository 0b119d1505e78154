"""Forms of a contact's or an account's page: the profile's cards edited in place, and quick logging.

They parse what people type into the shapes amity.customers.services and amity.activities.services
take; every rule stays in those services, so the page refuses exactly what the API refuses.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from html import unescape
from typing import Any, ClassVar

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.html import linebreaks

from amity.activities.models import Direction, Task
from amity.core.models import FieldDefinition, User
from amity.core.phones import international
from amity.customers.addresses import COUNTRIES
from amity.customers.models import Account, Address, Channel, ConsentEvent, Contact, ContactPhone
from amity.customers.social import NETWORKS, profile
from amity.web.customer_forms import AccountForm, CustomerRecordForm, apply_service_errors
from amity.web.forms import StyledForm, time_zone_choices

Type = FieldDefinition.Type
COMMON_FIELDS = ("tags", "owner_id", "team_id", "lifecycle_stage", "source")
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format=DATETIME_FORMAT)


def local_datetime_field(label: str, **kwargs: Any) -> forms.DateTimeField:
    """A date and time typed in the user's zone (the view activates it) and stored in UTC."""
    return forms.DateTimeField(label=label, widget=DateTimeInput, input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M"], **kwargs)


# --- The profile's cards ------------------------------------------------------------------------------


def custom_initial(definition: FieldDefinition, value: Any) -> Any:
    """A stored custom value as its form field shows it (the reverse of CustomerRecordForm.common_data)."""
    if value is None:
        return None
    if definition.type == Type.BOOLEAN:
        return "true" if value else "false"
    if definition.type == Type.MONEY and isinstance(value, dict):
        return f"{value.get('amount', '')} {value.get('currency', '')}".strip()
    if definition.type == Type.MULTI_CHOICE:
        return list(value) if isinstance(value, list) else [value]
    return str(value)


def _common_initial(record: Account | Contact) -> dict[str, Any]:
    return {
        "tags": ", ".join(sorted(tag.name for tag in record.tags.all())),
        "owner_id": str(record.owner_id or ""),
        "team_id": str(record.team_id or ""),
        "lifecycle_stage": record.lifecycle_stage,
        "source": record.source,
        "external_id": record.external_id or "",
    }


def _without_custom(data: dict[str, Any]) -> dict[str, Any]:
    """A card without custom fields must not send `custom`: that would re-check required fields it does not show."""
    return {key: value for key, value in data.items() if key != "custom"}


class ContactDetailsForm(CustomerRecordForm):
    """A person's name, job and how they are looked after: everything but channels, accounts and custom fields."""

    first_name = forms.CharField(label="First name", required=False, max_length=100)
    last_name = forms.CharField(label="Last name", required=False, max_length=100)
    title = forms.CharField(label="Job title", required=False, max_length=150)
    preferred_channel = forms.ChoiceField(label="Preferred channel", required=False, choices=[("", "—"), *Channel.choices])
    language = forms.CharField(label="Language", required=False, max_length=10, widget=forms.TextInput(attrs={"placeholder": "e.g. en"}))
    time_zone = forms.ChoiceField(label="Time zone", required=False)
    external_id = forms.CharField(label="External id", required=False, max_length=100)
    field_order = ["first_name", "last_name", "title", "owner_id", "team_id", "lifecycle_stage", "tags", "preferred_channel"]

    def __init__(self, *args: Any, current_zone: str = "", **kwargs: Any) -> None:
        super().__init__(*args, definitions=[], **kwargs)
        zones = [("", "—"), *time_zone_choices()]
        if current_zone and current_zone not in dict(zones):
            zones.append((current_zone, current_zone))  # keep a zone an import wrote, so saving other fields keeps it
        zone_field = self.fields["time_zone"]
        assert isinstance(zone_field, forms.ChoiceField)
        zone_field.choices = zones

    @staticmethod
    def initial_for(contact: Contact) -> dict[str, Any]:
        return {
            **_common_initial(contact),
            "first_name": contact.first_name,
            "last_name": contact.last_name,
            "title": contact.title,
            "preferred_channel": contact.preferred_channel,
            "language": contact.language,
            "time_zone": contact.time_zone,
        }

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        own = ("first_name", "last_name", "title", "preferred_channel", "language", "time_zone", "external_id")
        return {**_without_custom(self.common_data()), **{name: data[name] for name in own}}


class AccountDetailsForm(AccountForm):
    """An organization's name, domains, size, revenue, parent and how it is looked after."""

    parent_id = forms.IntegerField(
        label="Parent account", required=False, min_value=1, help_text="The organization this one belongs to; empty the box for none."
    )
    external_id = forms.CharField(label="External id", required=False, max_length=100)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, definitions=[], **kwargs)

    @staticmethod
    def initial_for(account: Account) -> dict[str, Any]:
        return {
            **_common_initial(account),
            "name": account.name,
            "domains": ", ".join(domain.domain for domain in account.domains.all()),
            "industry": account.industry,
            "size": account.size,
            "annual_revenue": account.annual_revenue,
            "revenue_currency": account.revenue_currency,
            "parent_id": account.parent_id,
        }

    def service_data(self) -> dict[str, Any]:
        return {
            **_without_custom(super().service_data()),
            "parent_id": self.cleaned_data.get("parent_id"),  # chosen with the account picker; the service checks it
            "external_id": self.cleaned_data["external_id"],
        }


class CustomValuesForm(CustomerRecordForm):
    """The workspace's custom fields of a record, and nothing else."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in COMMON_FIELDS:
            del self.fields[name]

    @staticmethod
    def initial_for(record: Account | Contact, definitions: Iterable[FieldDefinition]) -> dict[str, Any]:
        custom = record.custom or {}
        return {f"custom.{d.key}": custom_initial(d, custom.get(d.key)) for d in definitions}

    def service_data(self) -> dict[str, Any]:
        return {"custom": self.common_data()["custom"]}


# --- Cards of rows: a contact's emails and phones, and the accounts they work for ------------------


@dataclass
class Row:
    """One line of a card of rows, what was typed in it, and what is wrong with it."""

    values: dict[str, str]
    primary: bool = False
    errors: dict[str, str] = field(default_factory=dict)

    def blank(self, key: str) -> bool:
        return not self.values.get(key, "").strip()


class RowsForm:
    """A card of rows (a row per email, per phone, per account) that the service checks as lists.

    `rows` maps a group (`emails`) to its rows; only non-blank rows are sent, so a service error
    about `emails.2.address` is found again on the row it came from.
    """

    groups: ClassVar[dict[str, str]]  # group -> the row key that must not be blank
    extra_rows: ClassVar[int] = 1

    def __init__(self, rows: dict[str, list[Row]]) -> None:
        self.rows = rows
        self.non_field_errors: list[str] = []
        self._sent: dict[str, list[Row]] = {}

    @property
    def errors(self) -> bool:
        return bool(self.non_field_errors) or any(row.errors for rows in self.rows.values() for row in rows)

    def add_row(self, group: str) -> None:
        if group in self.rows:
            self.rows[group].append(Row(values={}))

    def _with_blank_rows(self) -> RowsForm:
        for group in self.groups:
            for _ in range(self.extra_rows):
                self.add_row(group)
        return self

    def sent(self, group: str) -> list[Row]:
        """The group's non-blank rows, in the order the service sees them."""
        if group not in self._sent:
            self._sent[group] = [row for row in self.rows[group] if not row.blank(self.groups[group])]
        return self._sent[group]

    def apply_service_errors(self, error: ValidationError) -> None:
        """`emails.1.address` lands on the second sent email row; anything else above the rows."""
        if not hasattr(error, "error_dict"):
            self.non_field_errors += error.messages
            return
        for key, messages in error.message_dict.items():
            text = " ".join(messages)
            group, _, rest = key.partition(".")
            index, _, name = rest.partition(".")
            sent = self.sent(group) if group in self.groups else []
            if index.isdigit() and int(index) < len(sent):
                sent[int(index)].errors[name or self.groups[group]] = text
            else:
                self.non_field_errors.append(text)


def _rows_from_post(post: Mapping[str, Any], group: str, keys: Iterable[str]) -> list[Row]:
    columns = {key: post.getlist(f"{group}-{key}") for key in keys}  # type: ignore[attr-defined]
    count = max((len(values) for values in columns.values()), default=0)
    primary = str(post.get(f"{group}-primary", ""))
    return [
        Row(
            values={key: str(values[index]) if index < len(values) else "" for key, values in columns.items()},
            primary=primary == str(index),
        )
        for index in range(count)
    ]


class ReachForm(RowsForm):
    """A contact's email addresses and phone numbers, a row each, one of each primary."""

    groups: ClassVar[dict[str, str]] = {"emails": "address", "phones": "number"}
    PHONE_KINDS = ContactPhone.Kind.choices

    @classmethod
    def for_contact(cls, contact: Contact, *, with_phones: bool = True) -> ReachForm:
        """The form of the contact's addresses, and of its phones unless they are hidden from the role (then left as they are)."""
        rows = {"emails": [Row(values={"address": email.address}, primary=email.is_primary) for email in contact.emails.all()]}
        if with_phones:
            rows["phones"] = [
                Row(values={"number": international(phone.number), "kind": phone.kind}, primary=phone.is_primary)
                for phone in contact.phones.all()
            ]
        return cls(rows)._with_blank_rows()  # type: ignore[return-value]

    @classmethod
    def from_post(cls, post: Mapping[str, Any], *, with_phones: bool = True) -> ReachForm:
        rows = {"emails": _rows_from_post(post, "emails", ["address"])}
        if with_phones:
            rows["phones"] = _rows_from_post(post, "phones", ["number", "kind"])
        return cls(rows)

    def service_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "emails": [{"address": row.values["address"].strip(), "primary": row.primary} for row in self.sent("emails")]
        }
        if "phones" in self.rows:
            data["phones"] = [
                {"number": row.values["number"].strip(), "kind": row.values.get("kind") or "mobile", "primary": row.primary}
                for row in self.sent("phones")
            ]
        return data


class SocialForm(RowsForm):
    """A contact's social profiles, a row each: the network and the handle or the profile's address."""

    groups: ClassVar[dict[str, str]] = {"social": "handle"}

    def __init__(self, rows: dict[str, list[Row]]) -> None:
        super().__init__(rows)
        known = [(name, network.label) for name, network in NETWORKS.items()]
        others = sorted({row.values.get("network", "") for row in rows["social"]} - set(NETWORKS) - {""})
        self.NETWORKS = known + [(name, profile(name, "")[0]) for name in others]  # keep a network the API wrote

    @classmethod
    def for_contact(cls, contact: Contact) -> SocialForm:
        rows = [Row(values={"network": name, "handle": handle}) for name, handle in (contact.social or {}).items()]
        return cls({"social": rows})._with_blank_rows()  # type: ignore[return-value]

    @classmethod
    def from_post(cls, post: Mapping[str, Any]) -> SocialForm:
        return cls({"social": _rows_from_post(post, "social", ["network", "handle"])})

    def add_row(self, group: str) -> None:
        if group in self.rows:
            taken = {row.values.get("network") for row in self.rows[group]}
            self.rows[group].append(Row(values={"network": next((name for name in NETWORKS if name not in taken), "")}))

    def service_data(self) -> dict[str, Any] | None:
        """{"social": {network: handle}}, or None after marking a network given twice on its second row."""
        handles: dict[str, str] = {}
        for row in self.sent("social"):
            network = row.values.get("network", "")
            if network in handles:
                row.errors["handle"] = "Give one profile per network."
            handles[network] = row.values["handle"].strip()
        return None if self.errors else {"social": handles}

    def apply_service_errors(self, error: ValidationError) -> None:
        """`social.linkedin` lands on the LinkedIn row; anything else above the rows."""
        rows = {row.values.get("network", ""): row for row in self.sent("social")}
        for key, messages in getattr(error, "message_dict", {"": error.messages}).items():
            row = rows.get(key.partition(".")[2]) if key.startswith("social.") else None
            if row is not None:
                row.errors["handle"] = " ".join(messages)
            else:
                self.non_field_errors += messages


ADDRESS_KEYS = ("kind", "street", "city", "region", "postcode", "country", "latitude", "longitude")


class AddressesForm(RowsForm):
    """A record's postal addresses, a row each; a row with nothing but its kind is left out."""

    groups: ClassVar[dict[str, str]] = {"addresses": "street"}
    KINDS = Address.Kind.choices
    COUNTRIES = sorted(COUNTRIES.items(), key=lambda item: item[1])

    @classmethod
    def for_record(cls, record: Account | Contact) -> AddressesForm:
        rows = [
            Row(values={key: "" if getattr(address, key) is None else str(getattr(address, key)) for key in ADDRESS_KEYS})
            for address in record.addresses.order_by("id")
        ]
        return cls({"addresses": rows})._with_blank_rows()  # type: ignore[return-value]

    @classmethod
    def from_post(cls, post: Mapping[str, Any]) -> AddressesForm:
        return cls({"addresses": _rows_from_post(post, "addresses", ADDRESS_KEYS)})

    def add_row(self, group: str) -> None:
        if group in self.rows:
            self.rows[group].append(Row(values={"kind": Address.Kind.OFFICE}))

    def sent(self, group: str) -> list[Row]:
        if group not in self._sent:
            self._sent[group] = [row for row in self.rows[group] if any(row.values.get(key, "").strip() for key in ADDRESS_KEYS[1:])]
        return self._sent[group]

    def service_data(self) -> dict[str, Any]:
        return {"addresses": [{key: row.values.get(key, "").strip() or None for key in ADDRESS_KEYS} for row in self.sent("addresses")]}


class ConsentForm(StyledForm):
    """Grant or withdraw marketing consent per channel, saying how; a channel left on "No change" stays as it is."""

    UNCHANGED = ""

    def __init__(self, *args: Any, current: Mapping[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for channel, label in Channel.choices:
            now = dict(ConsentEvent.Status.choices).get(current.get(channel, ""), "not recorded").lower()
            self.fields[channel] = forms.ChoiceField(
                label=label,
                required=False,
                choices=[(self.UNCHANGED, f"No change ({now})"), *ConsentEvent.Status.choices],
            )
        self.fields["method"] = forms.CharField(
            label="How", required=False, max_length=100, widget=forms.TextInput(attrs={"placeholder": "e.g. Phone call, signed form"})
        )
        self.fields["source"] = forms.CharField(
            label="Source", required=False, max_length=200, widget=forms.TextInput(attrs={"placeholder": "e.g. Spring fair 2026"})
        )
        self.fields["document"] = forms.CharField(
            label="Proof",
            required=False,
            max_length=200,
            widget=forms.TextInput(attrs={"placeholder": "e.g. Signed form, scan ref. 2026-114"}),
        )
        self.apply_styles()

    def changes(self) -> dict[str, str]:
        """{channel: new status} for the channels set to something other than "No change"."""
        return {channel: self.cleaned_data[channel] for channel in Channel.values if self.cleaned_data.get(channel)}

    def proof(self) -> dict[str, str]:
        """The document reference typed in, as the event's proof (a web form's submission is kept by the form itself)."""
        document = self.cleaned_data.get("document", "").strip()
        return {"document": document} if document else {}


class AccountLinksForm(RowsForm):
    """The organizations a person works for, each chosen with the account picker, with their role and title at each.

    A row posts the chosen account's id (`accounts-account_id`) and the picker's box its text (`q`, one per row, in the
    rows' order): the text shows the row again after an error, and tells a name typed but never chosen from a blank row.
    """

    groups: ClassVar[dict[str, str]] = {"accounts": "account_id"}

    @classmethod
    def for_contact(cls, contact: Contact) -> AccountLinksForm:
        rows = [
            Row(values={"account_id": str(link.account_id), "name": link.account.name, "role": link.role, "title": link.title})
            for link in contact.account_contacts.all()
            if link.account.deleted_at is None
        ]
        return cls({"accounts": rows})._with_blank_rows()  # type: ignore[return-value]

    @classmethod
    def from_post(cls, post: Mapping[str, Any]) -> AccountLinksForm:
        rows = _rows_from_post(post, "accounts", ["account_id", "role", "title"])
        typed = post.getlist("q")  # type: ignore[attr-defined]
        for index, row in enumerate(rows):
            row.values["name"] = str(typed[index]).strip() if index < len(typed) else ""
        return cls({"accounts": rows})

    def sent(self, group: str) -> list[Row]:
        """The rows with an account chosen, or a name typed in the box (which the service data refuses)."""
        if group not in self._sent:
            self._sent[group] = [row for row in self.rows[group] if not (row.blank("account_id") and row.blank("name"))]
        return self._sent[group]

    def service_data(self) -> dict[str, Any] | None:
        """The links to save, or None after marking each row whose typed name was not chosen from the suggestions."""
        links = []
        for row in self.sent("accounts"):
            chosen = row.values["account_id"].strip()
            if not chosen:
                row.errors["account_id"] = f"Choose “{row.values['name']}” from the suggestions, or clear the line."
                continue
            # Not an id at all (a hand-made post) is no account: the service says so, as of any unknown id.
            links.append(
                {
                    "account_id": int(chosen) if chosen.isdigit() else 0,
                    "role": row.values.get("role", ""),
                    "title": row.values.get("title", ""),
                }
            )
        return None if self.errors else {"accounts": links}


# --- Quick logging ---------------------------------------------------------------------------------------------

CALL_OUTCOMES = ["Connected", "Left a voicemail", "No answer", "Busy", "Wrong number"]
REMINDERS = [("", "No reminder"), ("0", "At the due time"), ("15", "15 minutes before"), ("60", "1 hour before"), ("1440", "1 day before")]


def text_to_html(text: str) -> str:
    """What someone typed in a plain text box, as the paragraphs the services store (escaped; they sanitize again)."""
    return linebreaks(text.strip(), autoescape=True) if text.strip() else ""


BREAKS = re.compile(r"<br\s*/?>|</(?:p|div|li|h[1-6]|blockquote|pre|tr)>", re.IGNORECASE)
TAGS = re.compile(r"<[^>]*>")


def html_to_text(html: str) -> str:
    """Stored HTML as text to edit in a plain box: a line per break, a blank line between paragraphs (text_to_html reversed)."""
    text = BREAKS.sub(lambda match: "\n" if match[0].lower().startswith("<br") else "\n\n", html)
    lines = [line.strip() for line in unescape(TAGS.sub("", text)).splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def just_now_or(moment: dt.datetime) -> dt.datetime:
    """The time as typed, or, when it is this very minute (the form's default), this very second: what was logged just
    now then sorts above everything that happened earlier in the minute."""
    now = timezone.now()
    return now if moment == now.replace(second=0, microsecond=0) else moment


def _with_choices(form: forms.Form, name: str, choices: list[tuple[str, str]]) -> None:
    chosen = form.fields[name]
    assert isinstance(chosen, forms.ChoiceField)
    chosen.choices = choices


class LogForm(StyledForm):
    """What every quick-log form shares: which service it calls is the view's business."""

    what: ClassVar[str]
    label: ClassVar[str]
    icon: ClassVar[str]

    def __init__(self, *args: Any, people: Iterable[Contact] = (), members: Iterable[User] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.people = list(people)  # on an account's page, its people a call or meeting can be with
        self.members = list(members)  # colleagues to mention in a note, or to give a task to
        if "contact_id" in self.fields:
            if self.people:
                _with_choices(self, "contact_id", [("", "Nobody in particular"), *((str(p.pk), p.full_name) for p in self.people)])
            else:
                del self.fields["contact_id"]

    def chosen_contact(self) -> Contact | None:
        wanted = self.cleaned_data.get("contact_id")
        return next((person for person in self.people if str(person.pk) == wanted), None)

    def apply_service_errors(self, error: ValidationError) -> None:
        renames = {"duration_seconds": "duration_minutes", "contact_ids": "contact_id"}
        if hasattr(error, "error_dict"):
            error = ValidationError({renames.get(key, key): value for key, value in error.error_dict.items()})
        apply_service_errors(self, error)


class InteractionLogForm(LogForm):
    """A call or a meeting that happened (or happens) with the customer."""

    channel: ClassVar[str]
    occurred_at = local_datetime_field("When")
    duration_minutes = forms.IntegerField(label="Duration (minutes)", required=False, min_value=0, max_value=7 * 24 * 60)
    subject = forms.CharField(label="Subject", required=False, max_length=300)
    body = forms.CharField(label="Notes", required=False, max_length=100_000, widget=forms.Textarea(attrs={"rows": 3}))
    contact_id = forms.ChoiceField(label="With", required=False)

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        minutes = data.get("duration_minutes")
        return {
            "channel": self.channel,
            "direction": data.get("direction") or Direction.OUTBOUND,
            "occurred_at": just_now_or(data["occurred_at"]),
            "duration_seconds": minutes * 60 if minutes is not None else None,
            "subject": data["subject"],
            "body": text_to_html(data["body"]),
            "outcome": data.get("outcome") or "",
        }


class CallLogForm(InteractionLogForm):
    what, label, icon, channel = "call", "Log a call", "phone", "phone"
    direction = forms.ChoiceField(
        label="Direction",
        choices=[(Direction.OUTBOUND, "Outbound"), (Direction.INBOUND, "Inbound")],
        initial=Direction.OUTBOUND,
        widget=forms.RadioSelect,
    )
    outcome = forms.ChoiceField(label="Outcome", required=False, choices=[("", "—"), *((o, o) for o in CALL_OUTCOMES)])
    field_order = ["direction", "outcome", "occurred_at", "duration_minutes", "contact_id", "subject", "body"]


class MeetingLogForm(InteractionLogForm):
    what, label, icon, channel = "meeting", "Log a meeting", "calendar-event", "meeting"
    outcome = forms.CharField(
        label="Outcome", required=False, max_length=200, widget=forms.TextInput(attrs={"placeholder": "e.g. Agreed on a pilot"})
    )
    subject = forms.CharField(
        label="Subject",
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs={"autofocus": True, "placeholder": "e.g. Product demo"}),
    )
    field_order = ["subject", "occurred_at", "duration_minutes", "contact_id", "outcome", "body"]


class NoteLogForm(LogForm):
    what, label, icon = "note", "Write a note", "note"
    body = forms.CharField(
        label="Note",
        max_length=100_000,
        widget=forms.Textarea(
            attrs={"rows": 4, "placeholder": "Write a note… type @ to mention a colleague", "data-mentions": "", "autofocus": True}
        ),
    )

    def service_kwargs(self) -> dict[str, Any]:
        return {"body": text_to_html(self.cleaned_data["body"])}


class TaskLogForm(LogForm):
    what, label, icon = "task", "Add a task", "checkbox"
    title = forms.CharField(
        label="Task", max_length=300, widget=forms.TextInput(attrs={"placeholder": "e.g. Send the proposal", "autofocus": True})
    )
    due_at = local_datetime_field("Due")
    priority = forms.ChoiceField(label="Priority", choices=Task.Priority.choices, initial=Task.Priority.NORMAL)
    assignee_id = forms.ChoiceField(label="Assigned to")
    reminder = forms.ChoiceField(label="Reminder", required=False, choices=REMINDERS)
    description = forms.CharField(label="Details", required=False, max_length=100_000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _with_choices(self, "assignee_id", [(str(person.pk), person.display_name) for person in self.members])

    def assignee(self) -> User | None:
        wanted = self.cleaned_data.get("assignee_id")
        return next((person for person in self.members if str(person.pk) == wanted), None)

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        reminder = data.get("reminder")
        return {
            "title": data["title"],
            "due_at": data["due_at"],
            "priority": data["priority"],
            "assignee": self.assignee(),
            "description": text_to_html(data["description"]),
            "reminder_at": data["due_at"] - dt.timedelta(minutes=int(reminder)) if reminder else None,
        }


LOG_FORMS: dict[str, type[LogForm]] = {form.what: form for form in (CallLogForm, MeetingLogForm, NoteLogForm, TaskLogForm)}


def log_initial(what: str, actor: User) -> dict[str, Any]:
    """Defaults that make two clicks enough: now for what happened, tomorrow 9:00 for a task, oneself as assignee."""
    now = timezone.localtime().replace(second=0, microsecond=0)
    if what == "task":
        tomorrow = (now + dt.timedelta(days=1)).replace(hour=9, minute=0)
        return {"due_at": tomorrow, "assignee_id": str(actor.pk)}
    if what == "meeting":
        return {"occurred_at": now, "duration_minutes": 30}
    return {"occurred_at": now}
