"""The 360° page of a contact and of an account: what the profile shows, editing it in place, who may, and what it costs."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from amity.activities import services as activities
from amity.activities.models import Interaction, Note, Task
from amity.core.models import AuditEntry, FieldDefinition
from amity.core.permissions import Role
from amity.customers import services
from amity.customers.models import Account, Address, ConsentEvent, Contact
from tests.factories import member

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def viewer(workspace: Any) -> Any:
    return member(workspace, Role.VIEWER, email="viewer@acme.test", full_name="Vic Viewer")


@pytest.fixture
def initech(admin: Any, workspace: Any) -> Account:
    parent = services.account_create(actor=admin, workspace=workspace, data={"name": "Initrode Holdings"})
    return services.account_create(
        actor=admin,
        workspace=workspace,
        data={"name": "Initech", "domains": ["initech.test"], "industry": "Software", "size": "50-249", "parent_id": parent.pk},
    )


@pytest.fixture
def peter(admin: Any, workspace: Any, initech: Account) -> Contact:
    FieldDefinition.objects.create(
        workspace=workspace, object_type="contact", key="tier", label="Tier", type="choice", options=["gold", "silver"]
    )
    contact = services.contact_create(
        actor=admin,
        workspace=workspace,
        data={
            "first_name": "Peter", "last_name": "Gibbons", "title": "Programmer", "lifecycle_stage": "lead", "tags": ["TPS"],
            "emails": [{"address": "peter@initech.test"}, {"address": "peter@home.test"}],
            "phones": [{"number": "+44 20 7946 0958", "kind": "work"}, {"number": "+1 202 555 0143", "kind": "mobile"}],
            "accounts": [{"account_id": initech.pk, "role": "Engineer", "title": "Senior programmer"}],
            "custom": {"tier": "gold"},
        },
    )  # fmt: skip
    Address.objects.create(workspace=workspace, contact=contact, kind="home", street="1 Main St", city="Austin", country="US")
    ConsentEvent.objects.create(workspace=workspace, contact=contact, channel="email", status="granted", method="web form")
    ConsentEvent.objects.create(
        workspace=workspace, contact=contact, channel="sms", status="withdrawn", occurred_at=timezone.now() - timedelta(days=1)
    )
    return contact


def page(client: Any, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, response.content[:500]
    return response.content.decode()


# --- What the page shows -------------------------------------------------------------------------------------


def test_a_contacts_page_shows_the_whole_profile(client_as: Any, rep: Any, peter: Contact, initech: Account) -> None:
    content = page(client_as(rep), f"/w/acme/contacts/{peter.pk}/")

    assert "Peter Gibbons" in content and "Programmer" in content and f'href="/w/acme/accounts/{initech.pk}/">Initech</a>' in content
    assert "Owned by Ada Admin" in content and ">Lead<" in content and "TPS" in content
    assert 'href="mailto:peter@initech.test"' in content and 'href="tel:+442079460958"' in content
    assert "020 7946 0958" in content and "Work · primary" in content  # national format, with its kind
    assert "(202) 555-0143" in content and ">Mobile<" in content
    assert "Engineer · Senior programmer" in content
    assert ">Tier<" in content and "gold" in content
    assert "1 Main St, Austin, US" in content
    assert "Granted" in content and "web form" in content and "Withdrawn" in content and "Not recorded" in content
    for action in ("Log call", "Log meeting", "Note", "Task"):
        assert f"</i>{action}</button>" in content
    assert 'id="panel-tasks"' in content and 'id="panel-accounts"' in content


def test_an_accounts_page_shows_its_people_parent_and_subsidiaries(
    client_as: Any, rep: Any, admin: Any, workspace: Any, peter: Contact, initech: Account
) -> None:
    subsidiary = services.account_create(actor=admin, workspace=workspace, data={"name": "Initech Labs", "parent_id": initech.pk})
    content = page(client_as(rep), f"/w/acme/accounts/{initech.pk}/")

    assert 'href="https://initech.test"' in content and "Software" in content and "50–249 people" in content
    assert f'href="/w/acme/contacts/{peter.pk}/">Peter Gibbons</a>' in content
    assert "Initrode Holdings" in content and f'href="/w/acme/accounts/{subsidiary.pk}/"' in content
    assert 'id="panel-people"' in content and 'id="panel-hierarchy"' in content and 'id="panel-accounts"' not in content


# --- Editing the profile in place ----------------------------------------------------------------------------


def test_a_click_on_a_field_opens_its_card_as_a_form_focused_on_it(client_as: Any, rep: Any, peter: Contact) -> None:
    response = client_as(rep).get(f"/w/acme/contacts/{peter.pk}/profile/details/edit/", {"focus": "title"}, headers=HTMX)
    content = response.content.decode()
    assert response.status_code == 200
    title_input = re.search(r'<input[^>]*name="title"[^>]*>', content)
    assert title_input and 'value="Programmer"' in title_input[0] and "autofocus" in title_input[0]
    assert f'hx-post="/w/acme/contacts/{peter.pk}/profile/details/edit/"' in content

    cancel = client_as(rep).get(f"/w/acme/contacts/{peter.pk}/profile/details/", headers=HTMX).content.decode()
    assert 'id="profile-details"' in cancel and "<form" not in cancel


def test_saving_a_card_changes_only_its_fields_through_the_service(client_as: Any, rep: Any, admin: Any, peter: Contact) -> None:
    data = {
        "first_name": "Pete", "last_name": "Gibbons", "title": "Manager", "owner_id": str(rep.pk), "lifecycle_stage": "customer",
        "tags": "TPS, Flair", "language": "en", "time_zone": "Europe/London",
    }  # fmt: skip
    response = client_as(rep).post(f"/w/acme/contacts/{peter.pk}/profile/details/edit/", data, headers=HTMX)

    assert response.status_code == 200
    assert response["HX-Trigger"] == "amity:timeline-refresh"
    content = response.content.decode()
    assert 'id="record-heading"' in content and 'hx-swap-oob="true"' in content and "Pete Gibbons" in content
    peter.refresh_from_db()
    assert (peter.first_name, peter.title, peter.owner_id, peter.lifecycle_stage, peter.time_zone) == (
        "Pete",
        "Manager",
        rep.pk,
        "customer",
        "Europe/London",
    )
    assert sorted(peter.tags.values_list("name", flat=True)) == ["Flair", "TPS"]
    assert peter.custom == {"tier": "gold"} and peter.emails.count() == 2  # other cards untouched
    entry = AuditEntry.objects.filter(object_type="customers.contact", object_id=str(peter.pk), action="update").get()
    assert entry.door == "web" and entry.actor == rep and entry.changes["title"] == ["Programmer", "Manager"]


def test_a_bad_value_is_named_by_its_field_and_nothing_changes(client_as: Any, rep: Any, workspace: Any, peter: Contact) -> None:
    nameless = services.contact_create(actor=rep, workspace=workspace, data={"emails": [{"address": "who@initech.test"}]})
    before = AuditEntry.objects.count()
    response = client_as(rep).post(
        f"/w/acme/contacts/{peter.pk}/profile/details/edit/", {"first_name": "", "last_name": "", "external_id": "x" * 101}, headers=HTMX
    )
    assert response.status_code == 422
    content = response.content.decode()
    assert "Ensure this value has at most 100 characters" in content and "is-invalid" in content
    response = client_as(rep).post(
        f"/w/acme/contacts/{nameless.pk}/profile/reach/edit/", {"emails-address": [""], "phones-number": [""]}, headers=HTMX
    )
    assert response.status_code == 422 and "Give at least a name, an email address or a phone number." in response.content.decode()
    response = client_as(rep).post(
        f"/w/acme/contacts/{peter.pk}/profile/reach/edit/",
        {
            "emails-address": ["peter@initech.test", "not an email"],
            "emails-primary": "0",
            "phones-number": ["+44 20 7946 0958"],
            "phones-kind": ["work"],
        },
        headers=HTMX,
    )
    assert response.status_code == 422
    rows = response.content.decode().split('name="emails-address"')
    assert "Enter a valid email address." in rows[2] and "Enter a valid email address." not in rows[1]  # on the row it belongs to
    peter.refresh_from_db()
    assert peter.first_name == "Peter" and peter.emails.count() == 2 and nameless.emails.count() == 1
    assert AuditEntry.objects.count() == before


def test_emails_and_phones_keep_their_kind_and_primary(client_as: Any, rep: Any, peter: Contact) -> None:
    client = client_as(rep)
    form = client.get(f"/w/acme/contacts/{peter.pk}/profile/reach/edit/", headers=HTMX).content.decode()
    assert 'value="+44 20 7946 0958"' in form and form.count('name="emails-address"') == 3  # two and a blank line
    more = client.post(
        f"/w/acme/contacts/{peter.pk}/profile/reach/edit/", {"emails-address": ["a@b.test"], "add": "emails"}, headers=HTMX
    ).content.decode()
    assert more.count('name="emails-address"') == 2 and 'value="a@b.test"' in more

    response = client.post(
        f"/w/acme/contacts/{peter.pk}/profile/reach/edit/",
        {
            "emails-address": ["peter@initech.test", "", "new@initech.test"], "emails-primary": "2",
            "phones-number": ["+44 20 7946 0958", "+1 202 555 0143"], "phones-kind": ["work", "home"], "phones-primary": "1",
        },
        headers=HTMX,
    )  # fmt: skip
    assert response.status_code == 200
    peter.refresh_from_db()
    assert peter.primary_email == "new@initech.test" and peter.primary_phone == "+12025550143"
    assert sorted(peter.phones.values_list("number", "kind")) == [("+12025550143", "home"), ("+442079460958", "work")]


def test_addresses_are_edited_in_place_and_bad_ones_named_on_their_row(client_as: Any, rep: Any, peter: Contact, initech: Account) -> None:
    client = client_as(rep)
    url = f"/w/acme/contacts/{peter.pk}/profile/addresses/edit/"
    form = client.get(url, headers=HTMX).content.decode()
    assert 'value="1 Main St"' in form and form.count('name="addresses-street"') == 2  # the address and a blank one

    rows = {
        "addresses-kind": ["home", "office"], "addresses-street": ["1 Main St", ""], "addresses-city": ["Austin", "Oslo"],
        "addresses-postcode": ["", ""], "addresses-region": ["TX", ""], "addresses-country": ["US", "NO"],
        "addresses-latitude": ["", "95"], "addresses-longitude": ["", "10.75"],
    }  # fmt: skip
    wrong = client.post(url, rows, headers=HTMX)
    assert wrong.status_code == 422
    second_row = wrong.content.decode().split('name="addresses-street"')[2]
    assert "Enter a number between -90 and 90." in second_row
    assert list(peter.addresses.values_list("city", flat=True)) == ["Austin"]

    saved = client.post(url, {**rows, "addresses-latitude": ["", "59.9139"]}, headers=HTMX)
    assert saved.status_code == 200 and "Oslo" in saved.content.decode()
    assert sorted(peter.addresses.values_list("city", "region", "latitude")) == [("Austin", "TX", None), ("Oslo", "", Decimal("59.913900"))]
    account_url = f"/w/acme/accounts/{initech.pk}/profile/addresses/edit/"
    assert client.post(account_url, {"addresses-kind": ["billing"], "addresses-postcode": ["10115"]}, headers=HTMX).status_code == 200
    assert list(initech.addresses.values_list("kind", "postcode")) == [("billing", "10115")]


def test_consent_is_granted_or_withdrawn_per_channel_from_the_page(client_as: Any, rep: Any, viewer: Any, peter: Contact) -> None:
    url = f"/w/acme/contacts/{peter.pk}/profile/consent/edit/"
    form = client_as(rep).get(url, headers=HTMX).content.decode()
    assert "No change (granted)" in form and "No change (withdrawn)" in form and "No change (not recorded)" in form

    nothing = client_as(rep).post(url, {"email": "", "method": "Phone call"}, headers=HTMX)
    assert nothing.status_code == 422 and "at least one channel" in nothing.content.decode()
    saved = client_as(rep).post(url, {"email": "withdrawn", "post": "granted", "method": "Phone call"}, headers=HTMX)

    assert saved.status_code == 200
    latest = {event.channel: (event.status, event.method, event.recorded_by_id) for event in peter.consent_events.order_by("id")}
    assert latest["email"] == ("withdrawn", "Phone call", rep.pk) and latest["post"] == ("granted", "Phone call", rep.pk)
    assert client_as(viewer).post(url, {"email": "granted"}, headers=HTMX).status_code == 403
    assert peter.consent_events.count() == 4


def test_accounts_chosen_with_the_picker_with_role_and_title(
    client_as: Any, rep: Any, admin: Any, workspace: Any, other_workspace: Any, peter: Contact, initech: Account
) -> None:
    client = client_as(rep)
    url = f"/w/acme/contacts/{peter.pk}/profile/accounts/edit/"
    holdings = Account.objects.get(workspace=workspace, name="Initrode Holdings")
    form = client.get(url, headers=HTMX).content.decode()
    assert 'value="Initech"' in form and f'name="accounts-account_id" id="account-link-1" value="{initech.pk}"' in form
    assert 'value="Senior programmer"' in form and 'hx-get="/w/acme/pick/accounts/"' in form
    assert "account-names" not in form  # no list of the first 200 names any more

    typed_only = client.post(
        url, {"accounts-account_id": [str(initech.pk), ""], "q": ["Initech", "Nowhere Inc"], "accounts-role": ["", ""], "accounts-title": ["", ""]},
        headers=HTMX,
    )  # fmt: skip
    assert typed_only.status_code == 422 and "Choose “Nowhere Inc” from the suggestions, or clear the line." in typed_only.content.decode()
    outsider = services.account_create(
        actor=member(other_workspace, Role.OWNER, email="o@globex.test"), workspace=other_workspace, data={"name": "Globex"}
    )
    elsewhere = client.post(
        url, {"accounts-account_id": [str(outsider.pk)], "q": ["Globex"], "accounts-role": [""], "accounts-title": [""]}, headers=HTMX
    )
    assert elsewhere.status_code == 422 and f"No account with id {outsider.pk} in this workspace." in elsewhere.content.decode()
    assert 'value="Globex"' in elsewhere.content.decode()  # the row shows what was typed again
    assert list(peter.account_contacts.values_list("account__name", flat=True)) == ["Initech"]  # nothing changed

    data = {
        "accounts-account_id": [str(holdings.pk), ""],
        "q": ["Initrode Holdings", ""],
        "accounts-role": ["Consultant", ""],
        "accounts-title": ["Advisor", ""],
    }
    assert client.post(url, data, headers=HTMX).status_code == 200
    assert list(peter.account_contacts.values_list("account__name", "role", "title")) == [("Initrode Holdings", "Consultant", "Advisor")]


def test_an_accounts_details_with_its_parent_from_the_account_picker(
    client_as: Any, rep: Any, initech: Account, other_workspace: Any
) -> None:
    client = client_as(rep)
    url = f"/w/acme/accounts/{initech.pk}/profile/details/edit/"
    form = client.get(url, headers=HTMX).content.decode()
    assert 'value="Initrode Holdings"' in form and 'value="initech.test"' in form
    assert f'name="parent_id" id="id_parent_id" value="{initech.parent_id}"' in form and "account-names" not in form
    outsider = services.account_create(
        actor=member(other_workspace, Role.OWNER, email="o2@globex.test"), workspace=other_workspace, data={"name": "Globex"}
    )
    elsewhere = client.post(url, {"name": "Initech", "parent_id": str(outsider.pk)}, headers=HTMX)
    assert elsewhere.status_code == 422 and f"No account with id {outsider.pk} in this workspace." in elsewhere.content.decode()
    data = {
        "name": "Initech Corp",
        "domains": "initech.test, initech.example",
        "annual_revenue": "1250000.50",
        "revenue_currency": "usd",
        "parent_id": "",
    }
    assert client.post(url, data, headers=HTMX).status_code == 200
    initech.refresh_from_db()
    assert (initech.name, initech.parent_id, str(initech.annual_revenue), initech.revenue_currency) == (
        "Initech Corp",
        None,
        "1250000.50",
        "USD",
    )

    cycle = client.post(url, {"name": "Initech Corp", "parent_id": str(initech.pk)}, headers=HTMX)
    assert cycle.status_code == 422 and "An account cannot be its own parent or ancestor." in cycle.content.decode()
    assert "1,250,000.50 USD" in page(client, f"/w/acme/accounts/{initech.pk}/")


def test_custom_fields_are_checked_by_their_definitions(client_as: Any, rep: Any, workspace: Any, peter: Contact) -> None:
    FieldDefinition.objects.create(workspace=workspace, object_type="contact", key="seats", label="Seats", type="number", min_value=1)
    client = client_as(rep)
    url = f"/w/acme/contacts/{peter.pk}/profile/custom/edit/"
    assert 'value="gold" selected' in client.get(url, headers=HTMX).content.decode()
    bad = client.post(url, {"custom.tier": "silver", "custom.seats": "0"}, headers=HTMX)
    assert bad.status_code == 422 and "Must be at least 1." in bad.content.decode()
    assert client.post(url, {"custom.tier": "silver", "custom.seats": "12"}, headers=HTMX).status_code == 200
    peter.refresh_from_db()
    assert peter.custom == {"tier": "silver", "seats": "12"}


# --- Who may do what ----------------------------------------------------------------------------------------


def test_a_viewer_reads_the_page_but_changes_nothing(client_as: Any, viewer: Any, peter: Contact, initech: Account) -> None:
    Task.objects.create(workspace=peter.workspace, title="Call Peter", contact=peter, assignee=viewer, due_at=timezone.now())
    client = client_as(viewer)
    content = page(client, f"/w/acme/contacts/{peter.pk}/")
    assert "Peter Gibbons" in content and "Call Peter" in content
    assert "/profile/details/edit/" not in content and "/log/" not in content and "/complete/" not in content
    assert 'aria-label="Mark Call Peter done"' not in content

    before = (AuditEntry.objects.count(), Interaction.objects.count(), Note.objects.count(), Task.objects.filter(status="open").count())
    assert client.get(f"/w/acme/contacts/{peter.pk}/profile/details/edit/", headers=HTMX).status_code == 403
    assert client.post(f"/w/acme/contacts/{peter.pk}/profile/details/edit/", {"first_name": "Hacked"}, headers=HTMX).status_code == 403
    for what in ("call", "meeting", "note", "task"):
        assert client.post(f"/w/acme/contacts/{peter.pk}/log/{what}/", {"body": "x", "title": "x"}, headers=HTMX).status_code == 403
    task = Task.objects.get()
    assert client.post(f"/w/acme/contacts/{peter.pk}/tasks/{task.pk}/complete/", headers=HTMX).status_code == 403
    assert (
        AuditEntry.objects.count(),
        Interaction.objects.count(),
        Note.objects.count(),
        Task.objects.filter(status="open").count(),
    ) == before
    peter.refresh_from_db()
    assert peter.first_name == "Peter"


def test_a_record_in_the_bin_is_shown_to_admins_but_not_changed(client_as: Any, admin: Any, rep: Any, peter: Contact) -> None:
    services.record_soft_delete(actor=admin, record=peter)
    content = page(client_as(admin), f"/w/acme/contacts/{peter.pk}/")
    assert "is in the bin" in content and "Restore" in content and "/profile/details/edit/" not in content and "/log/" not in content
    assert client_as(admin).get(f"/w/acme/contacts/{peter.pk}/profile/details/edit/").status_code == 404
    assert client_as(admin).post(f"/w/acme/contacts/{peter.pk}/log/note/", {"body": "Hello"}).status_code == 404
    assert client_as(rep).get(f"/w/acme/contacts/{peter.pk}/").status_code == 404


def test_every_url_of_another_workspaces_record_is_a_404(client_as: Any, admin: Any, other_workspace: Any, peter: Contact) -> None:
    stranger = member(other_workspace, Role.OWNER)
    their_account = services.account_create(actor=stranger, workspace=other_workspace, data={"name": "Globex"})
    theirs = services.contact_create(
        actor=stranger, workspace=other_workspace, data={"first_name": "Hank", "accounts": [{"account_id": their_account.pk}]}
    )
    their_task = activities.task_create(actor=stranger, workspace=other_workspace, title="Theirs", contact=theirs)
    my_task = activities.task_create(actor=admin, workspace=peter.workspace, title="Mine", contact=peter)
    client = client_as(admin)
    before = (AuditEntry.objects.count(), Interaction.objects.count(), Note.objects.count(), Task.objects.filter(status="done").count())

    for kind, record in (("contacts", theirs), ("accounts", their_account)):
        for slug in ("acme", "globex"):
            base = f"/w/{slug}/{kind}/{record.pk}/"
            for path in ("", "timeline/", "profile/details/", "profile/details/edit/", "log/call/", "log/task/", "panels/tasks/"):
                assert client.get(base + path, headers=HTMX).status_code == 404, base + path
            for path in ("profile/addresses/edit/", "profile/consent/edit/"):
                assert client.post(base + path, {"addresses-city": ["X"], "email": "granted"}, headers=HTMX).status_code == 404
            for path in ("profile/details/edit/", "log/call/", "log/note/", "log/task/", f"tasks/{their_task.pk}/complete/"):
                assert (
                    client.post(base + path, {"first_name": "X", "body": "X", "title": "X", "name": "X"}, headers=HTMX).status_code == 404
                )
    # A task of another workspace, or of another record, cannot be completed through my record's page.
    assert client.post(f"/w/acme/contacts/{peter.pk}/tasks/{their_task.pk}/complete/", headers=HTMX).status_code == 404
    other_contact = services.contact_create(actor=admin, workspace=peter.workspace, data={"first_name": "Samir"})
    assert client.post(f"/w/acme/contacts/{other_contact.pk}/tasks/{my_task.pk}/complete/", headers=HTMX).status_code == 404
    assert Address.objects.filter(contact=theirs).count() == 0 and ConsentEvent.objects.filter(contact=theirs).count() == 0
    assert (
        AuditEntry.objects.count() - 1,
        Interaction.objects.count(),
        Note.objects.count(),
        Task.objects.filter(status="done").count(),
    ) == before


def test_unknown_parts_of_the_page_are_404s(client_as: Any, rep: Any, peter: Contact, initech: Account) -> None:
    client = client_as(rep)
    assert client.get(f"/w/acme/contacts/{peter.pk}/profile/nothing/edit/").status_code == 404
    assert client.get(f"/w/acme/accounts/{initech.pk}/profile/reach/edit/").status_code == 404  # accounts have no phones
    assert client.get(f"/w/acme/contacts/{peter.pk}/log/fax/").status_code == 404
    assert client.get(f"/w/acme/contacts/{peter.pk}/panels/people/").status_code == 404  # an account's panel


# --- What it costs ------------------------------------------------------------------------------------------


def _grow(actor: Any, workspace: Any, contact: Contact, account: Account, entries: int) -> None:
    """About `entries` timeline entries of every kind, more emails, phones, accounts and tasks."""
    now = timezone.now()
    for n in range(entries // 4):
        at = now - timedelta(hours=n + 1)
        interaction = Interaction.objects.create(
            workspace=workspace, channel="phone" if n % 2 else "email", occurred_at=at, subject=f"I{n}", created_by=actor
        )
        interaction.contacts.add(contact)
        interaction.accounts.add(account)
        Note.objects.create(
            workspace=workspace, body=f"<p>N{n} @[{actor.full_name}](user:{actor.pk})</p>", contact=contact, author=actor, created_at=at
        )
        Task.objects.create(
            workspace=workspace, title=f"T{n}", contact=contact, assignee=actor, due_at=now + timedelta(days=n), created_at=at
        )
        AuditEntry.objects.create(
            workspace=workspace, actor=actor, actor_label=actor.email, door="web", action="update", object_type="customers.contact",
            object_id=str(contact.pk), object_repr=str(contact), changes={"lifecycle_stage": ["lead", "customer"], "owner": [None, actor.pk]}, created_at=at,
        )  # fmt: skip
        n_account = services.account_create(
            actor=actor, workspace=workspace, data={"name": f"Sub {contact.pk}-{n}", "parent_id": account.pk}
        )
        services.contact_create(
            actor=actor,
            workspace=workspace,
            data={"first_name": f"Colleague {n}", "accounts": [{"account_id": account.pk}, {"account_id": n_account.pk}]},
        )
    emails = [{"address": f"p{n}-{entries}@initech.test"} for n in range(entries // 10 + 1)]
    phones = [{"number": f"+4420794609{n:02d}", "kind": "work"} for n in range(entries // 10 + 1)]
    links = [{"account_id": pk} for pk in Account.objects.filter(workspace=workspace).values_list("pk", flat=True)]
    services.contact_update(actor=actor, contact=contact, data={"emails": emails, "phones": phones, "accounts": links})


@pytest.mark.parametrize("kind", ["contacts", "accounts"])
def test_the_page_and_its_timeline_run_a_constant_number_of_queries(
    client_as: Any, rep: Any, workspace: Any, peter: Contact, initech: Account, kind: str, django_assert_max_num_queries: Any
) -> None:
    client = client_as(rep)
    record = peter if kind == "contacts" else initech
    paths = [f"/w/acme/{kind}/{record.pk}/", f"/w/acme/{kind}/{record.pk}/timeline/?kind=interaction&kind=note&kind=task&kind=change"]

    def count(path: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path, headers=HTMX if "timeline" in path else {})
            assert response.status_code == 200
        return len(captured.captured_queries)

    _grow(rep, workspace, peter, initech, 5)
    client.get(paths[0])
    few = [count(path) for path in paths]
    _grow(rep, workspace, peter, initech, 60)
    assert [count(path) for path in paths] == few
    # The profile, the timeline (a window per source) and every registered panel (deals, billing, cases…).
    with django_assert_max_num_queries(48):
        client.get(paths[0])
