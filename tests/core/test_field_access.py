"""Field-level access: every sensitive field, for every role kept from it, through every door.

The cases are read from the declaration in amity.core.permissions (SENSITIVE_FIELDS, and custom fields
marked sensitive for SENSITIVE_CUSTOM_TYPES × SENSITIVE_CUSTOM_DENIED), so a field or a role added there
is checked here without a new test: only a sample value must be given in SAMPLES (a test says so).
Each door is also checked for a role that sees the field, so that none of these tests can pass by
showing nothing to anybody.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.test import Client

from amity.core import custom_fields
from amity.core.access import hidden_fields
from amity.core.models import FieldDefinition, User, Workspace
from amity.core.permissions import SENSITIVE_CUSTOM_DENIED, SENSITIVE_CUSTOM_TYPES, SENSITIVE_FIELDS, Action, ObjectType, Role, can
from amity.customers import listing, services
from amity.customers.models import Account, Contact
from amity.imports import services as import_services
from amity.sales import services as sales_services
from amity.sales.models import Lead
from amity.search.services import index_records
from tests.factories import member

pytestmark = pytest.mark.django_db

CUSTOM_KEY = "health_note"


@dataclass(frozen=True)
class Sample:
    """A value of one field: the write that sets it, text that shows it wherever it appears, and a query that finds it (if any)."""

    write: dict[str, Any]
    shows: str
    query: str = ""
    filters: dict[str, str] = field(default_factory=dict)  # a list filter on the field, when the lists offer one
    imported_as: str = ""  # the import field that writes it, when imports offer one


SAMPLES: dict[tuple[str, str], Sample] = {
    ("contact", "phones"): Sample(
        write={"phones": [{"number": "+49 30 9876543", "primary": True}]}, shows="9876543", query="+49309876543", imported_as="phone"
    ),
    ("lead", "phone"): Sample(write={"phone": "+49 30 9876543"}, shows="9876543", query="+49309876543", imported_as="phone"),
    ("contact", "addresses"): Sample(
        write={"addresses": [{"kind": "home", "street": "Geheimweg 17", "city": "Berlin"}]}, shows="Geheimweg"
    ),
    **{
        (str(object_type), f"custom.{CUSTOM_KEY}"): Sample(
            write={"custom": {CUSTOM_KEY: "Peanut allergy"}},
            shows="Peanut allergy",
            filters={f"custom.{CUSTOM_KEY}__contains": "Peanut"},
            imported_as=f"custom.{CUSTOM_KEY}",
        )
        for object_type in SENSITIVE_CUSTOM_TYPES
    },
}
BASE = {
    "contact": {"first_name": "Hanna", "last_name": "Hidden"},
    "account": {"name": "Hidden Holdings"},
    "lead": {"first_name": "Hanna", "last_name": "Hidden", "company": "Hidden Holdings", "status": "new"},
}
PATHS = {"contact": "contacts", "account": "accounts", "lead": "leads"}


def _cases() -> list[tuple[str, str, str]]:
    """Every (record type, field, role kept from it), but for roles that see no record of the type at all (nothing to hide)."""
    cases = [(str(kind), name, str(role)) for kind, fields in SENSITIVE_FIELDS.items() for name, roles in fields.items() for role in roles]
    cases += [(str(kind), f"custom.{CUSTOM_KEY}", str(role)) for kind in SENSITIVE_CUSTOM_TYPES for role in SENSITIVE_CUSTOM_DENIED]
    return sorted(case for case in cases if can(case[2], Action.VIEW, ObjectType(case[0])))


CASES = _cases()


def test_every_declared_field_has_a_sample_value() -> None:
    missing = sorted({(kind, name) for kind, name, _ in CASES} - set(SAMPLES))
    assert not missing, f"Give a sample value in SAMPLES for {missing}"
    assert CASES, "the declaration hides nothing: this test would check nothing"


@dataclass
class Setup:
    workspace: Workspace
    owner: User
    denied: User
    record: Account | Contact | Lead
    sample: Sample
    kind: str
    name: str

    def get(self, user: User, path: str) -> Any:
        client = Client()
        client.force_login(user)
        return client.get(f"/w/{self.workspace.slug}/{PATHS[self.kind]}/{path}")

    def api(self, user: User, method: str, path: str, body: Any = None) -> Any:
        from tests.factories import token_for

        _, secret = token_for(user, self.workspace)
        client = Client()
        kwargs: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
        if body is not None:
            kwargs.update(data=json.dumps(body), content_type="application/json")
        return getattr(client, method)(f"/api/v1/{path}", **kwargs)


@pytest.fixture(params=CASES, ids=["-".join(case) for case in CASES])
def setup(request: Any, workspace: Workspace, owner: User) -> Setup:
    kind, name, role = request.param
    for object_type in SENSITIVE_CUSTOM_TYPES:
        custom_fields.field_definition_save(
            actor=owner,
            workspace=workspace,
            data={"object_type": str(object_type), "key": CUSTOM_KEY, "label": "Health note", "type": "text", "sensitive": True},
        )
    sample = SAMPLES[(kind, name)]
    record: Account | Contact | Lead
    if kind == "lead":
        record = sales_services.lead_create(actor=owner, workspace=workspace, data={**BASE[kind], **sample.write})
        sales_services.lead_update(actor=owner, lead=record, data={"source": "Fair"})  # a later change on the timeline too
    else:
        create = services.contact_create if kind == "contact" else services.account_create
        record = create(actor=owner, workspace=workspace, data={**BASE[kind], **sample.write})
        services.record_update(actor=owner, record=record, data={"source": "Fair"})
    index_records(object_type=kind, ids=[record.pk])
    denied = member(workspace, role, email=f"{role}@acme.test")
    return Setup(workspace, owner, denied, record, sample, kind, name)


def test_a_role_that_sees_no_record_of_the_type_is_refused_before_any_field(workspace: Workspace) -> None:
    left_out = sorted(
        (str(kind), str(role))
        for kind, fields in SENSITIVE_FIELDS.items()
        for roles in fields.values()
        for role in roles
        if not can(role, Action.VIEW, kind)
    )
    assert left_out == [("lead", "supply")]
    supply = member(workspace, Role.SUPPLY, email="supply@acme.test")
    client = Client()
    client.force_login(supply)
    assert client.get(f"/w/{workspace.slug}/leads/").status_code == 403


def test_the_role_is_told_the_field_is_hidden(setup: Setup) -> None:
    assert setup.name in hidden_fields(setup.denied, setup.workspace, setup.kind)
    assert setup.name not in hidden_fields(setup.owner, setup.workspace, setup.kind)


def test_the_record_page_does_not_render_it(setup: Setup) -> None:
    assert setup.sample.shows in setup.get(setup.owner, f"{setup.record.pk}/").content.decode()
    page = setup.get(setup.denied, f"{setup.record.pk}/")
    assert page.status_code == 200
    assert setup.sample.shows not in page.content.decode()


def test_its_card_cannot_be_opened_for_editing(setup: Setup) -> None:
    if setup.name not in {"addresses"}:
        pytest.skip("only addresses have a card of their own")
    assert setup.get(setup.owner, f"{setup.record.pk}/profile/{setup.name}/edit/").status_code == 200
    assert setup.get(setup.denied, f"{setup.record.pk}/profile/{setup.name}/edit/").status_code == 404


def _every_column(setup: Setup) -> str:
    definitions = FieldDefinition.objects.filter(workspace=setup.workspace, object_type=setup.kind)
    return "&".join(f"columns={key}" for key in listing.columns_for(setup.kind, definitions))


def _needs_column(setup: Setup) -> None:
    if setup.kind == "lead":
        pytest.skip("the lead list shows no phone (nor custom fields) and has no export: see test_the_lead_list_never_shows_it")
    if not listing.hidden_columns(setup.kind, frozenset({setup.name})):
        pytest.skip("no list column shows this field")


def test_the_lead_list_never_shows_it(setup: Setup) -> None:
    if setup.kind != "lead":
        pytest.skip("contacts and accounts: test_the_list_and_its_exports_leave_it_out")
    for user in (setup.owner, setup.denied):
        page = setup.get(user, "")
        assert page.status_code == 200 and "Hanna Hidden" in page.content.decode()
        assert setup.sample.shows not in page.content.decode()


def test_the_list_and_its_exports_leave_it_out(setup: Setup) -> None:
    _needs_column(setup)
    columns = _every_column(setup)
    assert setup.sample.shows in setup.get(setup.owner, f"?{columns}").content.decode()
    assert setup.sample.shows not in setup.get(setup.denied, f"?{columns}").content.decode()
    for user, present in ((setup.owner, True), (setup.denied, False)):
        export = b"".join(setup.get(user, f"export.csv?{columns}").streaming_content).decode()
        assert (setup.sample.shows in export) is present


def test_the_list_cannot_be_filtered_or_sorted_by_it(setup: Setup) -> None:
    if not setup.sample.filters:
        pytest.skip("the lists offer no filter on this field")
    if setup.kind == "lead":
        pytest.skip("the lead list filters by no custom field and sorts by none: see test_the_lead_api_cannot_be_filtered_by_it")
    query = "&".join(f"{key}={value}" for key, value in setup.sample.filters.items())
    assert setup.get(setup.owner, f"?{query}").status_code == 200
    page = setup.get(setup.denied, f"?{query}")
    assert page.status_code == 400
    assert f"may not see {setup.name}" in page.content.decode()
    answer = setup.api(setup.denied, "get", f"{PATHS[setup.kind]}?{query}")
    assert answer.status_code == 422
    assert [error["field"] for error in answer.json()["errors"]] == list(setup.sample.filters)
    answer = setup.api(setup.denied, "get", f"{PATHS[setup.kind]}?sort=-{setup.name}")
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "sort"
    assert setup.api(setup.owner, "get", f"{PATHS[setup.kind]}?sort=-{setup.name}").status_code == 200


def test_the_lead_api_cannot_be_filtered_by_it(setup: Setup) -> None:
    if setup.kind != "lead" or not setup.name.startswith("custom."):
        pytest.skip("the lead API filters by custom fields only (`?custom.<key>=value`)")
    query = f"leads?{urlencode({setup.name: setup.sample.shows})}"
    found = setup.api(setup.owner, "get", query)
    assert found.status_code == 200 and [item["id"] for item in found.json()["items"]] == [setup.record.pk]
    answer = setup.api(setup.denied, "get", query)
    assert answer.status_code == 422
    assert [error["field"] for error in answer.json()["errors"]] == [setup.name]
    assert setup.sample.shows not in answer.content.decode()


def test_a_saved_view_cannot_show_it(setup: Setup) -> None:
    _needs_column(setup)
    column = next(iter(listing.hidden_columns(setup.kind, frozenset({setup.name}))))
    body = {"name": "Mine", "object_type": setup.kind, "columns": ["name", column], "filters": setup.sample.filters}
    answer = setup.api(setup.denied, "post", "saved-views", body)
    assert answer.status_code == 422
    assert {"columns", *(f"filters.{key}" for key in setup.sample.filters)} == {error["field"] for error in answer.json()["errors"]}
    assert setup.api(setup.owner, "post", "saved-views", body).status_code == 201


def _api_field(name: str) -> tuple[str, str | None]:
    return ("custom", name.removeprefix("custom.")) if name.startswith("custom.") else (name, None)


def test_the_api_omits_it_from_records_and_lists(setup: Setup) -> None:
    top, custom_key = _api_field(setup.name)
    path = f"{PATHS[setup.kind]}/{setup.record.pk}"
    for user, present in ((setup.owner, True), (setup.denied, False)):
        one = setup.api(user, "get", path)
        listed = setup.api(user, "get", PATHS[setup.kind])
        assert one.status_code == listed.status_code == 200
        row = next(item for item in listed.json()["items"] if item["id"] == setup.record.pk)
        for body in (one.json(), row):
            assert ((custom_key in body["custom"]) if custom_key else (top in body)) is present
        assert (setup.sample.shows in one.content.decode()) is present
        assert (setup.sample.shows in listed.content.decode()) is present


def test_the_api_refuses_to_write_it_and_changes_nothing(setup: Setup) -> None:
    path = f"{PATHS[setup.kind]}/{setup.record.pk}"
    before = setup.api(setup.owner, "get", path).json()
    answer = setup.api(setup.denied, "patch", path, {**setup.sample.write, "source": "Changed"})
    if setup.denied.memberships.get().role in {Role.SUPPLY, Role.VIEWER}:
        assert answer.status_code == 403  # they change no record at all
    else:
        assert answer.status_code == 403
        assert setup.name in answer.json()["detail"]
    assert setup.api(setup.owner, "get", path).json() == before


def test_search_neither_finds_by_it_nor_shows_it(setup: Setup) -> None:
    query = setup.sample.query or setup.sample.shows
    group = PATHS[setup.kind]

    def found(user: User) -> list[int]:
        answer = setup.api(user, "get", f"search?q={query}")
        assert answer.status_code == 200
        assert user == setup.owner or setup.sample.shows not in json.dumps(answer.json()["groups"])
        return [result["id"] for item in answer.json()["groups"] if item["type"] == group for result in item["results"]]

    if setup.sample.query:  # the field is indexed: the owner finds the record by it
        assert found(setup.owner) == [setup.record.pk]
    assert found(setup.denied) == []


def test_the_timeline_shows_no_value_of_it(setup: Setup) -> None:
    path = f"{PATHS[setup.kind]}/{setup.record.pk}/timeline"
    assert setup.sample.shows in setup.api(setup.owner, "get", path).content.decode()
    answer = setup.api(setup.denied, "get", path)
    assert answer.status_code == 200
    assert setup.sample.shows not in answer.content.decode()
    assert "Fair" in answer.content.decode()  # the rest of the history is still there


def test_a_logged_call_shows_no_number_on_the_timeline(setup: Setup) -> None:
    """A logged call keeps no number (only direction, outcome, duration, subject and notes): no timeline can show one."""
    if setup.name not in {"phones", "phone"}:
        pytest.skip("only phone numbers could be a call's number")
    link = {"lead_id": setup.record.pk} if setup.kind == "lead" else {"contact_ids": [setup.record.pk]}
    logged = setup.api(setup.owner, "post", "interactions", {"channel": "phone", "outcome": "Connected", **link})
    assert logged.status_code == 201, logged.content
    for user in (setup.owner, setup.denied):
        timeline = setup.api(user, "get", f"{PATHS[setup.kind]}/{setup.record.pk}/timeline?kind=interaction")
        assert timeline.status_code == 200 and "Connected" in timeline.content.decode()
        assert setup.sample.shows not in timeline.content.decode()
    page = setup.get(setup.denied, f"{setup.record.pk}/")
    assert "Connected" in page.content.decode() and setup.sample.shows not in page.content.decode()


def test_an_import_neither_offers_nor_takes_it(setup: Setup) -> None:
    if not setup.sample.imported_as:
        pytest.skip("imports offer no column for this field")
    kind = PATHS[setup.kind]
    header = "Phone" if setup.sample.imported_as == "phone" else "Health note"
    csv = f"Name,{header}\nNora New,{setup.sample.shows}\n".encode()

    def upload(user: User, mapping: dict[str, str] | None) -> Any:
        file = ContentFile(csv, name="people.csv")
        return import_services.import_create(
            actor=user, workspace=setup.workspace, kind=kind, file=file, file_name="people.csv", mapping=mapping, start=False
        )

    offered = upload(setup.owner, None)
    assert offered.mapping[header] == setup.sample.imported_as
    if setup.denied.memberships.get().role in {Role.SUPPLY, Role.VIEWER}:
        with pytest.raises(PermissionDenied):
            upload(setup.denied, None)
        return
    quiet = upload(setup.denied, None)
    assert quiet.mapping[header] == ""  # not suggested: the column is left out
    assert setup.sample.imported_as not in import_services.preview(quiet)["fields"]
    with pytest.raises(ValidationError) as refused:
        upload(setup.denied, {header: setup.sample.imported_as})
    assert list(refused.value.message_dict) == [f"mapping.{header}"]
    assert setup.name in refused.value.message_dict[f"mapping.{header}"][0]


# --- A contact shown on another record's page ----------------------------------------------------------------------


@pytest.mark.parametrize("denied", [True, False])
def test_a_case_page_shows_its_contacts_email_only_to_roles_that_may_see_emails(
    workspace: Workspace, owner: User, monkeypatch: Any, denied: bool
) -> None:
    """No role is kept from contacts' emails today; the case page follows the declaration when one is."""
    from amity.service import services as service_services
    from tests.factories import contact_with

    agent = member(workspace, Role.SUPPORT, email="sam@acme.test")
    if denied:
        rule = {**SENSITIVE_FIELDS[ObjectType.CONTACT], "emails": frozenset({Role.SUPPORT})}
        monkeypatch.setitem(SENSITIVE_FIELDS, ObjectType.CONTACT, rule)
    peter = contact_with(workspace, "Peter", "Gibbons", emails=("peter-private@initech.test",))
    case = service_services.case_open(
        actor=agent, workspace=workspace, data={"subject": "Chair arm came loose", "kind": "complaint", "contact_id": peter.pk}
    )
    client = Client()
    client.force_login(agent)

    page = client.get(f"/w/{workspace.slug}/cases/{case.pk}/")

    assert page.status_code == 200
    html = page.content.decode()
    assert "Peter Gibbons" in html
    assert ("peter-private@initech.test" in html) is not denied
