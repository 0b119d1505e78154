"""Settings → Custom fields: define, change, reorder, archive and delete fields; who may; nothing leaks between workspaces."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from amity.core import custom_fields
from amity.core.models import AuditEntry, FieldDefinition
from amity.core.permissions import Role
from amity.customers import services
from amity.customers.models import Contact
from tests.factories import member

pytestmark = pytest.mark.django_db

LIST = "/w/acme/settings/custom-fields/"
NEW = "/w/acme/settings/custom-fields/new/?object_type=contact"


def define(workspace: Any, actor: Any, **data: Any) -> FieldDefinition:
    return custom_fields.field_definition_save(actor=actor, workspace=workspace, data={"object_type": "contact", "type": "text", **data})


def test_an_admin_creates_a_single_choice_field_with_its_key_made_from_the_label(client_as: Any, admin: Any) -> None:
    response = client_as(admin).post(
        NEW,
        {"label": "Customer tier (€)", "key": "", "type": "choice", "options": ["Gold", " ", "Silver", "Gold", "Bronze"], "required": "on", "help_text": "Set by finance"},
    )  # fmt: skip

    assert response.status_code == 302 and response["Location"] == f"{LIST}?object_type=contact"
    field = FieldDefinition.objects.get()
    assert (field.key, field.type, field.options, field.required, field.help_text) == (
        "customer_tier", "choice", ["Gold", "Silver", "Bronze"], True, "Set by finance"
    )  # fmt: skip
    assert AuditEntry.objects.filter(object_type="core.fielddefinition", action="create").count() == 1


def test_rules_the_type_does_not_have_are_dropped_and_bad_rules_are_named(client_as: Any, admin: Any) -> None:
    client = client_as(admin)

    number = client.post(NEW, {"label": "Seats", "type": "number", "min_value": "1", "max_value": "500", "pattern": "x+", "options": ["a"]})
    bad_range = client.post(NEW, {"label": "Score", "type": "number", "min_value": "10", "max_value": "1"})
    bad_pattern = client.post(NEW, {"label": "Code", "type": "text", "pattern": "[A-Z"})
    no_options = client.post(NEW, {"label": "Tier", "type": "choice"})
    bad_key = client.post(NEW, {"label": "Ok", "key": "1-bad", "type": "text"})

    seats = FieldDefinition.objects.get()
    assert number.status_code == 302
    assert (seats.min_value, seats.max_value, seats.pattern, seats.options) == (Decimal("1"), Decimal("500"), "", [])
    assert bad_range.status_code == 400 and "The maximum is smaller than the minimum." in bad_range.content.decode()
    assert bad_pattern.status_code == 400 and "This is not a regular expression" in bad_pattern.content.decode()
    assert no_options.status_code == 400 and "A choice field needs at least one option." in no_options.content.decode()
    assert bad_key.status_code == 400 and "Use lower-case letters, digits and underscores" in bad_key.content.decode()
    assert FieldDefinition.objects.count() == 1


def test_a_taken_key_is_refused(client_as: Any, admin: Any, workspace: Any) -> None:
    define(workspace, admin, key="tier", label="Tier")

    response = client_as(admin).post(NEW, {"label": "Tier", "type": "text"})

    assert response.status_code == 400
    assert "Another field of this record type has this key." in response.content.decode()


def test_editing_keeps_the_key_and_type_and_changes_the_rest(client_as: Any, admin: Any, workspace: Any) -> None:
    field = define(workspace, admin, key="code", label="Code", max_length=20)
    client = client_as(admin)

    page = client.get(f"{LIST}{field.pk}/").content.decode()
    response = client.post(
        f"{LIST}{field.pk}/",
        {"label": "Contract code", "key": "hacked", "type": "number", "pattern": r"[A-Z]{2}-\d{4}", "help_text": "Two letters, a dash, four digits", "max_length": "7"},
    )  # fmt: skip

    field.refresh_from_db()
    assert 'name="key"' not in page and 'name="type"' not in page and "<code>code</code>" in page
    assert response.status_code == 302
    assert (field.key, field.type, field.label, field.pattern, field.max_length) == ("code", "text", "Contract code", r"[A-Z]{2}-\d{4}", 7)


def test_the_pattern_and_help_text_reach_the_contact_form(client_as: Any, admin: Any, workspace: Any) -> None:
    define(workspace, admin, key="code", label="Contract code", pattern=r"[A-Z]{2}-\d{4}", help_text="Two letters, a dash, four digits")
    client = client_as(admin)

    form = client.get("/w/acme/contacts/new/").content.decode()
    refused = client.post("/w/acme/contacts/new/", {"first_name": "Ada", "custom.code": "ab-12"})
    accepted = client.post("/w/acme/contacts/new/", {"first_name": "Ada", "custom.code": "AB-1234"})

    assert "Two letters, a dash, four digits" in form
    assert refused.status_code == 400
    assert "Does not have the expected form: Two letters, a dash, four digits" in refused.content.decode()
    assert accepted.status_code == 302 and Contact.objects.get().custom == {"code": "AB-1234"}


def test_fields_are_listed_in_order_and_moved_up_and_down(client_as: Any, admin: Any, workspace: Any) -> None:
    first, _, third = (define(workspace, admin, key=key, label=key.title()) for key in ("alpha", "beta", "gamma"))
    FieldDefinition.objects.create(workspace=workspace, object_type="account", key="sector", label="Sector", type="text")
    client = client_as(admin)

    client.post(f"{LIST}{third.pk}/move/", {"direction": "up"})
    client.post(f"{LIST}{first.pk}/move/", {"direction": "up"})  # already first: stays
    response = client.get(LIST)

    assert [row["definition"].key for row in response.context["rows"]] == ["alpha", "gamma", "beta"]
    assert [row["definition"].key for row in client.get(f"{LIST}?object_type=account").context["rows"]] == ["sector"]
    assert list(FieldDefinition.objects.filter(object_type="contact").order_by("position").values_list("key", flat=True)) == [
        "alpha", "gamma", "beta"
    ]  # fmt: skip
    assert form_custom_labels(client) == ["Alpha", "Gamma", "Beta"]


def form_custom_labels(client: Any) -> list[str]:
    form = client.get("/w/acme/contacts/new/").context["form"]
    return [field.label for field in form.custom_fields]


def test_archiving_hides_a_field_everywhere_and_keeps_its_values_until_restored(client_as: Any, admin: Any, workspace: Any) -> None:
    tier = define(workspace, admin, key="tier", label="Tier", type="choice", options=["gold", "silver"], required=True)
    ada = services.contact_create(actor=admin, workspace=workspace, data={"first_name": "Ada", "custom": {"tier": "gold"}})
    client = client_as(admin)

    page = client.get(f"{LIST}{tier.pk}/").content.decode()
    client.post(f"{LIST}{tier.pk}/archive/", {"archive": "1"})
    form_labels = form_custom_labels(client)
    listing = client.get("/w/acme/contacts/?columns=custom.tier").content.decode()
    created = client.post("/w/acme/contacts/new/", {"first_name": "Grace"})  # the archived field is required no more
    settings_page = client.get(LIST).content.decode()

    assert "The values of the 1 contact that have one are kept" in page
    assert form_labels == [] and "Tier" not in listing
    assert created.status_code == 302
    assert "Archived" in settings_page
    ada.refresh_from_db()
    assert ada.custom == {"tier": "gold"}

    client.post(f"{LIST}{tier.pk}/archive/", {"archive": "0"})
    tier.refresh_from_db()
    assert tier.archived_at is None and form_custom_labels(client) == ["Tier"]


def test_deleting_warns_how_many_records_hold_a_value(client_as: Any, admin: Any, workspace: Any) -> None:
    tier = define(workspace, admin, key="tier", label="Tier")
    for name in ("Ada", "Grace"):
        services.contact_create(actor=admin, workspace=workspace, data={"first_name": name, "custom": {"tier": "x"}})
    services.contact_create(actor=admin, workspace=workspace, data={"first_name": "Alan"})
    client = client_as(admin)

    page = client.get(f"{LIST}{tier.pk}/").content.decode()
    listing = client.get(LIST).content.decode()
    response = client.post(f"{LIST}{tier.pk}/delete/")

    assert "2 contacts have a value in it." in page and "This cannot be undone." in page
    assert "2 contacts</td>" in listing
    assert response.status_code == 302 and FieldDefinition.objects.count() == 0
    assert AuditEntry.objects.filter(object_type="core.fielddefinition", action="delete").count() == 1


@pytest.mark.parametrize("count", [2, 20])
def test_the_list_takes_a_constant_number_of_queries(
    client_as: Any, admin: Any, workspace: Any, django_assert_max_num_queries: Any, count: int
) -> None:
    for n in range(count):
        define(workspace, admin, key=f"field_{n}", label=f"Field {n}")
    client = client_as(admin)

    with django_assert_max_num_queries(10):
        assert client.get(LIST).status_code == 200


# --- Who may --------------------------------------------------------------------------------------

PAGES = ["", "new/", "{pk}/", "{pk}/move/", "{pk}/archive/", "{pk}/delete/"]


@pytest.mark.parametrize("page", PAGES)
def test_every_page_of_another_workspace_is_a_404_and_changes_nothing(client_as: Any, admin: Any, other_workspace: Any, page: str) -> None:
    stranger = member(other_workspace, Role.OWNER)
    theirs = define(other_workspace, stranger, key="tier", label="Tier")
    client = client_as(admin)
    path = page.format(pk=theirs.pk)

    assert client.get(f"/w/globex/settings/custom-fields/{path}").status_code == 404
    assert (
        client.post(
            f"/w/globex/settings/custom-fields/{path}", {"label": "Hacked", "type": "text", "direction": "up", "archive": "1"}
        ).status_code
        == 404
    )
    if "{pk}" in page:
        assert client.get(f"{LIST}{path}").status_code in {404, 405}
        assert client.post(f"{LIST}{path}", {"label": "Hacked", "type": "text", "direction": "up", "archive": "1"}).status_code == 404
    theirs.refresh_from_db()
    assert (theirs.label, theirs.archived_at) == ("Tier", None)
    assert FieldDefinition.objects.count() == 1


@pytest.mark.parametrize("role", [Role.VIEWER, Role.MANAGER, Role.SALES])
def test_only_owners_and_admins_manage_custom_fields(client_as: Any, admin: Any, workspace: Any, role: Role) -> None:
    field = define(workspace, admin, key="tier", label="Tier")
    person = member(workspace, role)
    client = client_as(person)

    assert client.get(LIST).status_code == 403
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, {"label": "New", "type": "text"}).status_code == 403
    assert client.post(f"{LIST}{field.pk}/", {"label": "Hacked"}).status_code == 403
    assert client.post(f"{LIST}{field.pk}/move/", {"direction": "down"}).status_code == 403
    assert client.post(f"{LIST}{field.pk}/archive/", {"archive": "1"}).status_code == 403
    assert client.post(f"{LIST}{field.pk}/delete/").status_code == 403
    assert "/settings/custom-fields/" not in client.get("/w/acme/settings/members/").content.decode()
    field.refresh_from_db()
    assert (field.label, field.archived_at, FieldDefinition.objects.count()) == ("Tier", None, 1)


def test_the_settings_navigation_links_custom_fields_for_an_owner(client_as: Any, owner: Any) -> None:
    assert 'href="/w/acme/settings/custom-fields/"' in client_as(owner).get("/w/acme/settings/members/").content.decode()
