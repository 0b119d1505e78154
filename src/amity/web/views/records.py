"""A contact's or an account's own page, the 360° view: profile, timeline, upcoming tasks, related records.

The profile on the left is a stack of cards; each card is edited in place (htmx swaps the card for
its form and back) through the same services as the API, so it refuses what the API refuses. The
timeline and quick logging live in `record_activity`; the right-hand column is the panel registry
of `amity.web.record_page`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from amity.core import selectors as core_selectors
from amity.core.access import allowed, hidden_fields
from amity.core.models import FieldDefinition, User
from amity.core.permissions import Action
from amity.core.phones import national
from amity.customers import listing, selectors, services
from amity.customers.models import Account, Channel, ConsentEvent, Contact
from amity.customers.social import profile
from amity.web import record_page
from amity.web.customer_forms import apply_service_errors
from amity.web.record_forms import (
    AccountDetailsForm,
    AccountLinksForm,
    AddressesForm,
    ConsentForm,
    ContactDetailsForm,
    CustomValuesForm,
    ReachForm,
    RowsForm,
    SocialForm,
)
from amity.web.views.base import WorkspaceRequest, ensure, render_page, workspace_view
from amity.web.views.customers import Kind, kind_of
from amity.web.views.privacy import erasure_banner
from amity.web.views.record_activity import (
    PAGE,
    custom_definitions,
    fragment,
    log_permissions,
    record_of,
    timeline_context,
    workspace_members,
)

SECTION_FORM = "web/record/section_form.html"
STAGE_TONES = {"lead": "azure", "opportunity": "purple", "customer": "green", "evangelist": "teal", "churned": "red", "subscriber": "cyan"}
CONSENT_TONES: dict[str, str] = {ConsentEvent.Status.GRANTED: "green", ConsentEvent.Status.WITHDRAWN: "red"}


# --- What the profile shows ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProfileField:
    """One line of a profile card: a label and a value, maybe a link, maybe the form field a click on it edits."""

    label: str
    value: Any = ""
    href: str = ""
    focus: str = ""
    badges: tuple[str, ...] = ()
    tone: str = ""
    moment: datetime | None = None
    icon: str = ""


@dataclass
class Section:
    """A card of the profile; `editable` when it has a form and the actor may change the record."""

    key: str
    title: str
    icon: str
    fields: list[ProfileField] = field(default_factory=list)
    editable: bool = False
    empty_text: str = "Nothing yet."


def detail_urls(workspace_slug: str, object_type: str) -> Callable[[int], str]:
    """A record page's address by id, reversed once (a profile may link to dozens)."""
    template = kind_of(object_type).url("detail", workspace_slug, pk=0)
    return lambda pk: template.replace("/0/", f"/{pk}/")


def _ownership(record: Account | Contact) -> list[ProfileField]:
    stage = record.get_lifecycle_stage_display() if record.lifecycle_stage else ""
    return [
        ProfileField("Owner", record.owner.display_name if record.owner else "", focus="owner_id"),
        ProfileField("Team", record.team.name if record.team else "", focus="team_id"),
        ProfileField("Stage", stage, focus="lifecycle_stage", tone=STAGE_TONES.get(record.lifecycle_stage, "secondary")),
        ProfileField("Tags", badges=tuple(sorted(tag.name for tag in record.tags.all())), focus="tags"),
    ]


def _origin(record: Account | Contact) -> list[ProfileField]:
    return [
        ProfileField("Source", record.source, focus="source"),
        ProfileField("External id", record.external_id or "", focus="external_id"),
        ProfileField("Created", moment=record.created_at),
        ProfileField("Last updated", moment=record.updated_at),
    ]


def _contact_sections(contact: Contact, workspace_slug: str, hidden: frozenset[str]) -> list[Section]:
    channel = contact.get_preferred_channel_display() if contact.preferred_channel else ""
    about = [
        ProfileField("First name", contact.first_name, focus="first_name"),
        ProfileField("Last name", contact.last_name, focus="last_name"),
        ProfileField("Job title", contact.title, focus="title"),
        *_ownership(contact),
        ProfileField("Preferred channel", channel, focus="preferred_channel"),
        ProfileField("Language", contact.language, focus="language"),
        ProfileField("Time zone", contact.time_zone, focus="time_zone"),
        *_origin(contact),
    ]
    emails = [
        ProfileField("Email · primary" if email.is_primary else "Email", email.address, href=f"mailto:{email.address}")
        for email in contact.emails.all()
    ]
    phones = [
        ProfileField(
            f"{phone.get_kind_display()} · primary" if phone.is_primary else phone.get_kind_display(),
            national(phone.number),
            href=f"tel:{phone.number}",
        )
        for phone in contact.phones.all()
    ]
    if "phones" in hidden:  # not rendered at all: the page never holds what the role may not see
        phones = []
    account_url = detail_urls(workspace_slug, "account")
    accounts = [
        ProfileField(
            " · ".join(part for part in (link.role, link.title) if part) or "Works at", link.account.name, href=account_url(link.account_id)
        )
        for link in contact.account_contacts.all()
        if link.account.deleted_at is None
    ]
    social = [
        ProfileField(label, shown, href=address, icon=icon)
        for label, icon, shown, address in (profile(name, handle) for name, handle in (contact.social or {}).items())
    ]
    return [
        Section("details", "About", "user", about),
        _reach_section(emails, phones, phones_hidden="phones" in hidden),
        Section("social", "Social profiles", "share", social, empty_text="No social profiles yet."),
        Section("accounts", "Accounts", "building", accounts, empty_text="Not linked to any account."),
    ]


def _reach_section(emails: list[ProfileField], phones: list[ProfileField], *, phones_hidden: bool) -> Section:
    if phones_hidden:
        return Section("reach", "Email", "address-book", emails, empty_text="No email address yet.")
    return Section("reach", "Email and phone", "address-book", emails + phones, empty_text="No email address or phone number yet.")


def _account_sections(account: Account, workspace_slug: str) -> list[Section]:
    revenue = f"{account.annual_revenue:,.2f} {account.revenue_currency}".strip() if account.annual_revenue is not None else ""
    parent = account.parent if account.parent is not None and account.parent.deleted_at is None else None
    domains = [ProfileField("Web domain", d.domain, href=f"https://{d.domain}", focus="domains") for d in account.domains.all()]
    about = [
        ProfileField("Name", account.name, focus="name"),
        *(domains or [ProfileField("Web domain", "", focus="domains")]),
        ProfileField("Industry", account.industry, focus="industry"),
        ProfileField("Size", account.get_size_display() if account.size else "", focus="size"),
        ProfileField("Annual revenue", revenue, focus="annual_revenue"),
        ProfileField(
            "Parent account",
            parent.name if parent else "",
            href=detail_urls(workspace_slug, "account")(parent.pk) if parent else "",
            focus="parent",
        ),
        *_ownership(account),
        *_origin(account),
    ]
    return [Section("details", "About", "building", about)]


def _custom_section(record: Account | Contact, definitions: list[FieldDefinition], people: dict[int, str]) -> Section:
    columns = listing.columns_for(definitions[0].object_type, definitions)
    values = record.custom or {}
    lines = []
    for definition in definitions:
        value = listing.cell_text(columns[f"custom.{definition.key}"].value(record))
        stored = values.get(definition.key)
        if definition.type == FieldDefinition.Type.USER and str(stored).isdigit():
            value = people.get(int(str(stored)), value)
        lines.append(ProfileField(definition.label, value, focus=f"custom.{definition.key}"))
    return Section("custom", "More fields", "forms", lines)


def _addresses(record: Account | Contact) -> Section:
    lines = [ProfileField(address.get_kind_display(), str(address)) for address in record.addresses.all()]
    return Section("addresses", "Addresses", "map-pin", lines, empty_text="No postal address.")


def _consent(contact: Contact) -> Section:
    """Marketing consent per channel (what was last granted or withdrawn), then any other purpose."""
    current = selectors.current_consent(contact)
    marketing = {event.channel: event for event in current if event.purpose == "marketing"}
    lines = []
    for channel, label in Channel.choices:
        event = marketing.get(channel)
        if event is None:
            lines.append(ProfileField(label, "Not recorded", tone="secondary"))
        else:
            lines.append(
                ProfileField(
                    label, event.get_status_display(), badges=(event.method,) if event.method else (), tone=CONSENT_TONES[event.status]
                )
            )
    lines += [
        ProfileField(f"{event.get_channel_display()} · {event.purpose}", event.get_status_display(), tone=CONSENT_TONES[event.status])
        for event in current
        if event.purpose != "marketing"
    ]
    return Section("consent", "Consent", "shield-check", lines)


def profile_sections(
    spec: Kind,
    record: Account | Contact,
    *,
    definitions: list[FieldDefinition],
    people: dict[int, str],
    can_change: bool,
    workspace_slug: str,
    hidden: frozenset[str] = frozenset(),
) -> list[Section]:
    """Every card of the record's profile, in order; none of the `hidden` fields (custom ones are left out of `definitions`)."""
    if isinstance(record, Contact):
        sections = _contact_sections(record, workspace_slug, hidden)
    else:
        sections = _account_sections(record, workspace_slug)
    if definitions:
        sections.append(_custom_section(record, definitions, people))
    if "addresses" not in hidden:
        sections.append(_addresses(record))
    if isinstance(record, Contact):
        sections.append(_consent(record))
    for section in sections:
        section.editable = can_change and section.key in EDITORS[spec.object_type]
    return sections


def header_facts(record: Account | Contact, hidden: frozenset[str] = frozenset()) -> dict[str, Any]:
    """What the page's heading says next to the name."""
    if isinstance(record, Contact):
        workplace = next((link.account for link in record.account_contacts.all() if link.account.deleted_at is None), None)
        emails, phones = list(record.emails.all()), [] if "phones" in hidden else list(record.phones.all())
        phone = next((phone.number for phone in phones if phone.is_primary), phones[0].number if phones else "")
        return {
            "title": record.title,
            "workplace": workplace,
            "email": next((email.address for email in emails if email.is_primary), emails[0].address if emails else ""),
            "phone": phone,
            "phone_shown": national(phone) if phone else "",
            "initials": "".join(part[0] for part in (record.first_name, record.last_name) if part).upper() or "?",
        }
    domains = [domain.domain for domain in record.domains.all()]
    return {
        "title": " · ".join(part for part in (record.industry, f"{record.get_size_display()} people" if record.size else "") if part),
        "website": domains[0] if domains else "",
        "initials": "".join(word[0] for word in record.name.split()[:2]).upper() or "?",
    }


# --- The page ----------------------------------------------------------------------------------------------


def _profile_context(request: WorkspaceRequest, spec: Kind, record: Account | Contact, members: list[User]) -> dict[str, Any]:
    actor, workspace = request.user, request.workspace
    definitions = custom_definitions(request, spec.object_type)
    hidden = hidden_fields(actor, workspace, spec.object_type)
    people = {member.pk: member.display_name for member in members}
    can_change = record.deleted_at is None and allowed(actor, workspace, Action.CHANGE, spec.permission)
    return {
        "kind": spec,
        "record": record,
        "facts": header_facts(record, hidden),
        "stage_tone": STAGE_TONES.get(record.lifecycle_stage, "secondary"),
        "definitions": definitions,
        "people": people,
        "can_change": can_change,
        "base_url": spec.url("detail", workspace.slug, pk=record.pk),
        "sections": profile_sections(
            spec, record, definitions=definitions, people=people, can_change=can_change, workspace_slug=workspace.slug, hidden=hidden
        ),
    }


@workspace_view
@require_GET
def record_detail(request: WorkspaceRequest, kind: str, pk: int) -> HttpResponse:
    spec = kind_of(kind)
    ensure(request, Action.VIEW, spec.permission)
    actor, workspace = request.user, request.workspace
    record = record_of(request, spec, pk, include_deleted=allowed(actor, workspace, Action.DELETE, spec.permission))
    context = _profile_context(request, spec, record, workspace_members(request))
    erased = erasure_banner(workspace, record)
    context.update(
        timeline_context(request, spec, record, request.GET, people=context["people"], definitions=context["definitions"]),
        can_log=log_permissions(request, live=record.deleted_at is None),
        panels=record_page.shown_panels(spec.object_type, actor=actor, workspace=workspace, record=record),
        can_restore=record.deleted_at is not None and erased is None and allowed(actor, workspace, Action.DELETE, spec.permission),
        erasure=erased,
    )
    return render_page(request, PAGE, context)


# --- Editing a profile card in place ---------------------------------------------------------------------


@dataclass(frozen=True)
class Editor:
    """How one card is edited: the form it shows, and how a valid form is saved."""

    title: str
    build: Callable[[WorkspaceRequest, Any, Any], Any]  # (request, record, POST data or None) -> form
    save: Callable[[WorkspaceRequest, Any, Any], bool]  # (request, record, form) -> saved?
    rows: bool = False


def _choices(request: WorkspaceRequest) -> dict[str, Any]:
    return {
        "people": workspace_members(request),
        "teams": core_selectors.team_list(actor=request.user, workspace=request.workspace).order_by("name"),
    }


def _update(request: WorkspaceRequest, record: Account | Contact, form: Any, data: dict[str, Any] | None) -> bool:
    """Save through the service; its field errors land next to the form's fields and nothing changes."""
    if data is None:
        return False
    try:
        services.record_update(actor=request.user, record=record, data=data)
    except ValidationError as error:
        if isinstance(form, RowsForm):
            form.apply_service_errors(error)
        else:
            apply_service_errors(form, error)
        return False
    return True


def _save_form(request: WorkspaceRequest, record: Account | Contact, form: Any) -> bool:
    return bool(form.is_valid()) and _update(request, record, form, form.service_data())


def _contact_details(request: WorkspaceRequest, contact: Contact, data: Any) -> ContactDetailsForm:
    initial = ContactDetailsForm.initial_for(contact)
    return ContactDetailsForm(data, initial=initial, current_zone=contact.time_zone, **_choices(request))


def _account_details(request: WorkspaceRequest, account: Account, data: Any) -> AccountDetailsForm:
    return AccountDetailsForm(data, initial=AccountDetailsForm.initial_for(account), **_choices(request))


def _custom_values(request: WorkspaceRequest, record: Account | Contact, data: Any) -> CustomValuesForm:
    definitions = custom_definitions(request, "contact" if isinstance(record, Contact) else "account")
    initial = CustomValuesForm.initial_for(record, definitions)
    return CustomValuesForm(data, initial=initial, definitions=definitions, **_choices(request))


def _reach(request: WorkspaceRequest, contact: Contact, data: Any) -> ReachForm:
    with_phones = "phones" not in hidden_fields(request.user, request.workspace, "contact")  # hidden phones are neither shown nor sent
    return (
        ReachForm.from_post(data, with_phones=with_phones) if data is not None else ReachForm.for_contact(contact, with_phones=with_phones)
    )


def _save_reach(request: WorkspaceRequest, contact: Contact, form: ReachForm) -> bool:
    return _update(request, contact, form, form.service_data())


def _social(request: WorkspaceRequest, contact: Contact, data: Any) -> SocialForm:
    return SocialForm.from_post(data) if data is not None else SocialForm.for_contact(contact)


def _save_social(request: WorkspaceRequest, contact: Contact, form: SocialForm) -> bool:
    return _update(request, contact, form, form.service_data())


def _account_links(request: WorkspaceRequest, contact: Contact, data: Any) -> AccountLinksForm:
    return AccountLinksForm.from_post(data) if data is not None else AccountLinksForm.for_contact(contact)


def _save_account_links(request: WorkspaceRequest, contact: Contact, form: AccountLinksForm) -> bool:
    return _update(request, contact, form, form.service_data())


def _addresses_form(request: WorkspaceRequest, record: Account | Contact, data: Any) -> AddressesForm:
    return AddressesForm.from_post(data) if data is not None else AddressesForm.for_record(record)


def _save_addresses(request: WorkspaceRequest, record: Account | Contact, form: AddressesForm) -> bool:
    return _update(request, record, form, form.service_data())


def _consent_form(request: WorkspaceRequest, contact: Contact, data: Any) -> ConsentForm:
    current = {event.channel: event.status for event in selectors.current_consent(contact) if event.purpose == "marketing"}
    return ConsentForm(data, current=current)


@transaction.atomic
def _save_consent(request: WorkspaceRequest, contact: Contact, form: ConsentForm) -> bool:
    """One consent event per changed channel, all or none."""
    if not form.is_valid():
        return False
    if not form.changes():
        form.add_error(None, "Choose granted or withdrawn for at least one channel.")
        return False
    try:
        for channel, status in form.changes().items():
            services.consent_record(
                actor=request.user,
                contact=contact,
                channel=channel,
                status=status,
                method=form.cleaned_data["method"],
                source=form.cleaned_data["source"],
                proof=form.proof(),
            )
    except ValidationError as error:
        transaction.set_rollback(True)
        apply_service_errors(form, error)
        return False
    return True


EDITORS: dict[str, dict[str, Editor]] = {
    "contact": {
        "details": Editor("About", _contact_details, _save_form),
        "reach": Editor("Email and phone", _reach, _save_reach, rows=True),
        "social": Editor("Social profiles", _social, _save_social, rows=True),
        "accounts": Editor("Accounts", _account_links, _save_account_links, rows=True),
        "custom": Editor("More fields", _custom_values, _save_form),
        "addresses": Editor("Addresses", _addresses_form, _save_addresses, rows=True),
        "consent": Editor("Consent to marketing", _consent_form, _save_consent),
    },
    "account": {
        "details": Editor("About", _account_details, _save_form),
        "custom": Editor("More fields", _custom_values, _save_form),
        "addresses": Editor("Addresses", _addresses_form, _save_addresses, rows=True),
    },
}


def _editor(request: WorkspaceRequest, spec: Kind, section: str) -> Editor:
    """The card's editor; a card of a field the role may not see is not there for them."""
    editor = EDITORS[spec.object_type].get(section)
    if editor is None or section in hidden_fields(request.user, request.workspace, spec.object_type):
        raise Http404("No such part of the profile.")
    return editor


def _card(request: WorkspaceRequest, spec: Kind, pk: int, section: str, *, saved: bool = False) -> HttpResponse:
    """The card as it reads now; after a save also the page's heading, and a nudge to the timeline to show the change."""
    record = record_of(request, spec, pk)
    context = _profile_context(request, spec, record, workspace_members(request))
    context.update(section=next(item for item in context["sections"] if item.key == section), saved=saved)
    response = fragment(request, "card_swap", context)
    if saved:
        response["HX-Trigger"] = "amity:timeline-refresh"
    return response


@workspace_view
@require_GET
def profile_section(request: WorkspaceRequest, kind: str, pk: int, section: str) -> HttpResponse:
    """One card of the profile as it reads (what Cancel brings back)."""
    spec = kind_of(kind)
    ensure(request, Action.VIEW, spec.permission)
    _editor(request, spec, section)
    return _card(request, spec, pk, section)


@workspace_view
@require_http_methods(["GET", "POST"])
def profile_section_edit(request: WorkspaceRequest, kind: str, pk: int, section: str) -> HttpResponse:
    """One card of the profile as a form: GET shows it, POST saves it (or adds a row, or says what is wrong)."""
    spec = kind_of(kind)
    ensure(request, Action.VIEW, spec.permission)
    editor = _editor(request, spec, section)
    record = record_of(request, spec, pk)
    ensure(request, Action.CHANGE, spec.permission)
    posted = request.POST if request.method == "POST" else None
    form = editor.build(request, record, posted)
    focus = request.GET.get("focus", "")
    if posted is None and focus in getattr(form, "fields", {}):
        form.fields[focus].widget.attrs["autofocus"] = True  # the field that was clicked
    status = 200
    if posted is not None and posted.get("add"):
        form.add_row(posted["add"])
    elif posted is not None:
        if editor.save(request, record, form):
            if not getattr(request, "htmx", False):
                return redirect(spec.url("detail", request.workspace.slug, pk=pk))
            return _card(request, spec, pk, section, saved=True)
        status = 422
    context = {
        "kind": spec,
        "record": record,
        "section": section,
        "title": editor.title,
        "form": form,
        "rows": editor.rows,
        "base_url": spec.url("detail", request.workspace.slug, pk=pk),
        "parent_name": _parent_name(request, form) if isinstance(form, AccountDetailsForm) else "",
    }
    return render(request, SECTION_FORM, context, status=status)


def _parent_name(request: WorkspaceRequest, form: AccountDetailsForm) -> str:
    """The name of the parent account the form holds (the account's, or the one just chosen), for its picker to show."""
    chosen = str(form["parent_id"].value() or "")
    if not chosen.isdigit():
        return ""
    accounts = selectors.account_list(actor=request.user, workspace=request.workspace)
    return accounts.filter(pk=int(chosen)).values_list("name", flat=True).first() or ""
