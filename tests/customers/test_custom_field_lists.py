"""Lists sorted and filtered by custom fields: the order (missing values last, ties by id), cursors, ranges, and the index behind them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection

from amity.core import custom_field_indexes
from amity.core.custom_field_queries import sort_key
from amity.core.models import FieldDefinition, Workspace
from amity.customers import selectors
from amity.customers.models import Contact
from tests.factories import contact_with

pytestmark = pytest.mark.django_db


def define(workspace: Workspace, key: str, field_type: str, **extra: Any) -> FieldDefinition:
    return FieldDefinition.objects.create(workspace=workspace, object_type="contact", key=key, label=key.title(), type=field_type, **extra)


def person(workspace: Workspace, name: str, **custom: Any) -> Contact:
    return contact_with(workspace, name, "Person", custom=custom)


def walk(api: Any, params: dict[str, Any], *, limit: int) -> list[str]:
    """Every page of the list, following next_cursor: the first names in order."""
    seen: list[str] = []
    cursor = None
    for _ in range(100):  # more pages than any test has rows: a cursor that does not move on fails the test
        response = api.get("/api/v1/contacts", {**params, "limit": limit, **({"cursor": cursor} if cursor else {})})
        assert response.status_code == 200, response.content
        page = response.json()
        seen += [item["first_name"] for item in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            return seen
    raise AssertionError(f"the cursor never reached the end: {seen[:20]}")


@pytest.fixture
def seats(workspace: Workspace) -> dict[str, Contact]:
    define(workspace, "seats", "number")
    values = {"a": "12", "b": "3", "c": None, "d": "12", "e": "-1.5", "f": None, "g": "100", "h": "1E+2"}
    return {name: person(workspace, name, **({"seats": value} if value is not None else {})) for name, value in values.items()}


def expected(people: dict[str, Contact], value: Any, *, descending: bool) -> list[str]:
    """The order a list must give: by value (ties by id in the same direction), then the records without one, by id."""
    present = [(value(c), c.pk, name) for name, c in people.items() if value(c) is not None]
    missing = [(c.pk, name) for name, c in people.items() if value(c) is None]
    present.sort(reverse=descending)
    missing.sort(reverse=descending)
    return [name for *_, name in present] + [name for _, name in missing]


@pytest.mark.parametrize("limit", [1, 2, 3, 50])
@pytest.mark.parametrize("descending", [False, True])
def test_sorting_by_a_number_puts_missing_values_last_and_breaks_ties_by_id(
    api: Any, seats: dict[str, Contact], limit: int, descending: bool
) -> None:
    order = walk(api, {"sort": f"{'-' if descending else ''}custom.seats"}, limit=limit)
    number = lambda contact: Decimal(contact.custom["seats"]) if "seats" in contact.custom else None  # noqa: E731
    assert order == expected(seats, number, descending=descending)
    assert order[-2:] == (["f", "c"] if descending else ["c", "f"])
    assert order.index("b") < order.index("a") if not descending else order.index("a") < order.index("b")  # 3 < 12, as numbers


@pytest.mark.parametrize(
    ("field_type", "values", "sort_value"),
    [
        ("text", {"a": "banana", "b": "Apple", "c": None, "d": "cherry", "e": "apple"}, lambda v: v.lower()),
        ("date", {"a": "2026-03-01", "b": "2025-12-31", "c": None, "d": "2026-03-01"}, lambda v: v),
        (
            "datetime",
            {"a": "2026-03-01T10:00:00+02:00", "b": "2026-03-01T08:30:00Z", "c": None, "d": "2026-03-01T08:00:00.5+00:00"},
            lambda v: v,
        ),
        ("boolean", {"a": True, "b": False, "c": None, "d": True}, lambda v: v),
        ("choice", {"a": "silver", "b": "gold", "c": None, "d": "bronze"}, lambda v: v),
    ],
)
@pytest.mark.parametrize("descending", [False, True])
def test_sorting_by_each_sortable_type_through_every_page(
    api: Any, workspace: Workspace, field_type: str, values: dict[str, Any], sort_value: Any, descending: bool
) -> None:
    define(workspace, "thing", field_type, options=["bronze", "gold", "silver"] if field_type == "choice" else [])
    people = {name: person(workspace, name) for name in values}
    for name, value in values.items():
        if value is not None:
            assert api.patch(f"/api/v1/contacts/{people[name].pk}", {"custom": {"thing": value}}).status_code == 200
    stored = {name: Contact.objects.get(pk=contact.pk) for name, contact in people.items()}
    order = walk(api, {"sort": f"{'-' if descending else ''}custom.thing"}, limit=2)
    value = lambda contact: sort_value(contact.custom["thing"]) if "thing" in contact.custom else None  # noqa: E731
    assert order == expected(stored, value, descending=descending)


def test_sorting_by_money_compares_amounts(api: Any, workspace: Workspace) -> None:
    define(workspace, "deal", "money")
    for name, amount in [("a", "9.99"), ("b", "100.00"), ("c", None), ("d", "20")]:
        person(workspace, name)
        if amount:
            contact = Contact.objects.get(first_name=name)
            assert (
                api.patch(f"/api/v1/contacts/{contact.pk}", {"custom": {"deal": {"amount": amount, "currency": "EUR"}}}).status_code == 200
            )
    assert walk(api, {"sort": "custom.deal"}, limit=2) == ["a", "d", "b", "c"]
    assert walk(api, {"sort": "-custom.deal"}, limit=50) == ["b", "d", "a", "c"]


def test_a_custom_sort_combines_with_filters_and_is_refused_for_unknown_or_unsortable_fields(
    api: Any, workspace: Workspace, seats: dict[str, Contact]
) -> None:
    Contact.objects.filter(pk__in=[seats["a"].pk, seats["g"].pk, seats["c"].pk]).update(lifecycle_stage="lead")
    assert walk(api, {"sort": "-custom.seats", "lifecycle_stage": "lead"}, limit=1) == ["g", "a", "c"]
    define(workspace, "colours", "multi_choice", options=["red", "blue"])
    for sort in ["custom.nope", "-custom.colours", "custom."]:
        response = api.get("/api/v1/contacts", {"sort": sort})
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "sort"
        assert "custom.<key>" in response.json()["errors"][0]["message"]


def test_a_cursor_of_a_custom_sort_is_refused_by_another_sort(api: Any, seats: dict[str, Contact]) -> None:
    cursor = api.get("/api/v1/contacts", {"sort": "custom.seats", "limit": 2}).json()["next_cursor"]
    response = api.get("/api/v1/contacts", {"sort": "custom.seats", "limit": 2, "cursor": cursor})
    assert response.status_code == 200
    assert api.get("/api/v1/contacts", {"sort": "name", "cursor": cursor}).json()["errors"][0]["field"] == "cursor"


# --- Filters ------------------------------------------------------------------------------------


def firsts(api: Any, params: dict[str, Any]) -> list[str]:
    response = api.get("/api/v1/contacts", {"sort": "created_at", **params})
    assert response.status_code == 200, response.content
    return [item["first_name"] for item in response.json()["items"]]


def test_number_ranges_are_inclusive_and_compare_numbers(api: Any, seats: dict[str, Contact]) -> None:
    assert firsts(api, {"custom.seats__gte": "12"}) == ["a", "d", "g", "h"]
    assert firsts(api, {"custom.seats__gte": "3", "custom.seats__lte": "12.0"}) == ["a", "b", "d"]
    assert firsts(api, {"custom.seats__lte": "-1"}) == ["e"]
    assert firsts(api, {"custom.seats": "100.00"}) == ["g", "h"]  # 100 and 1E+2 are the same number


def test_money_date_and_time_ranges(api: Any, workspace: Workspace) -> None:
    define(workspace, "deal", "money")
    define(workspace, "renewal", "date")
    define(workspace, "met", "datetime")
    rows = [
        ("a", {"amount": "10", "currency": "EUR"}, "2026-01-31", "2026-02-01T23:30:00+00:00"),
        ("b", {"amount": "250.50", "currency": "USD"}, "2026-02-01", "2026-02-02T00:30:00+01:00"),
        ("c", None, None, None),
    ]
    for name, deal, renewal, met in rows:
        contact = person(workspace, name)
        custom = {key: value for key, value in {"deal": deal, "renewal": renewal, "met": met}.items() if value}
        if custom:
            assert api.patch(f"/api/v1/contacts/{contact.pk}", {"custom": custom}).status_code == 200
    assert firsts(api, {"custom.deal__gte": "100"}) == ["b"]
    assert firsts(api, {"custom.deal__lte": "250.5"}) == ["a", "b"]
    assert firsts(api, {"custom.renewal__gte": "2026-02-01"}) == ["b"]
    assert firsts(api, {"custom.renewal__lte": "2026-01-31"}) == ["a"]
    # b met at 2026-02-01T23:30 UTC too: a day bound covers the whole (UTC) day.
    assert firsts(api, {"custom.met__lte": "2026-02-01"}) == ["a", "b"]
    assert firsts(api, {"custom.met": "2026-02-01"}) == ["a", "b"]
    assert firsts(api, {"custom.met__gte": "2026-02-01T23:45:00+00:00"}) == []
    assert firsts(api, {"custom.met__gte": "2026-02-02T00:29:00+01:00"}) == ["a", "b"]


def test_text_contains_choices_any_of_and_case_insensitive_equality(api: Any, workspace: Workspace) -> None:
    define(workspace, "region", "text")
    define(workspace, "tier", "choice", options=["gold", "silver", "bronze"])
    define(workspace, "colours", "multi_choice", options=["red", "blue", "green"])
    define(workspace, "vip", "boolean")
    data = [
        ("a", {"region": "North West", "tier": "gold", "colours": ["red"], "vip": True}),
        ("b", {"region": "south", "tier": "silver", "colours": ["blue", "green"], "vip": False}),
        ("c", {"tier": "bronze"}),
    ]
    for name, custom in data:
        person(workspace, name, **custom)
    assert firsts(api, {"custom.region__contains": "west"}) == ["a"]
    assert firsts(api, {"custom.region": "SOUTH"}) == ["b"]
    assert firsts(api, {"custom.tier": "gold;bronze"}) == ["a", "c"]
    assert firsts(api, {"custom.colours": "green;red"}) == ["a", "b"]
    assert firsts(api, {"custom.colours": "blue"}) == ["b"]
    assert firsts(api, {"custom.vip": "no"}) == ["b"]
    response = api.client.get("/api/v1/contacts?custom.tier=silver&custom.tier=bronze&sort=created_at", headers=api._headers(None))
    assert [item["first_name"] for item in response.json()["items"]] == ["b", "c"]


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"custom.seats__gte": "many"}, "custom.seats__gte", "Enter a number."),
        ({"custom.seats__lte": "NaN"}, "custom.seats__lte", "Enter a number."),
        ({"custom.renewal__gte": "01/02/2026"}, "custom.renewal__gte", "Enter a date as YYYY-MM-DD."),
        ({"custom.tier__gte": "gold"}, "custom.tier__gte", "Tier cannot be filtered this way; use custom.tier."),
        ({"custom.tier": "platinum"}, "custom.tier", "Choose from: gold, silver."),
        ({"custom.seats__between": "1"}, "custom.seats__between", "Seats cannot be filtered this way"),
        ({"custom.nope__gte": "1"}, "custom.nope__gte", "There is no such custom field."),
        ({"custom.met__gte": "2026-02-01T10:00"}, "custom.met__gte", "with its time zone"),
    ],
)
def test_a_bad_filter_is_a_problem_naming_the_parameter(
    api: Any, workspace: Workspace, params: dict[str, str], field: str, message: str
) -> None:
    define(workspace, "seats", "number")
    define(workspace, "renewal", "date")
    define(workspace, "met", "datetime")
    define(workspace, "tier", "choice", options=["gold", "silver"])
    response = api.get("/api/v1/contacts", params)
    assert response.status_code == 422
    assert response.headers["Content-Type"].startswith("application/problem+json")
    [error] = response.json()["errors"]
    assert error["field"] == field
    assert message in error["message"]


@pytest.mark.parametrize("rows", [3, 30])
def test_a_custom_sorted_filtered_list_costs_the_same_queries_at_any_size(
    rows: int, api: Any, workspace: Workspace, django_assert_max_num_queries: Any
) -> None:
    define(workspace, "seats", "number")
    for number in range(rows):
        contact_with(
            workspace, f"P{number}", "X", emails=(f"p{number}@acme.test",), custom={"seats": str(number % 7)} if number % 3 else {}
        )
    with django_assert_max_num_queries(13):  # the page spans the values and the records without one
        items = api.get("/api/v1/contacts", {"sort": "-custom.seats", "custom.seats__lte": "100", "limit": 50}).json()["items"]
    assert len(items) == len([n for n in range(rows) if n % 3])
    with django_assert_max_num_queries(13):
        assert len(api.get("/api/v1/contacts", {"sort": "custom.seats", "limit": 50}).json()["items"]) == rows


def test_accounts_sort_by_their_own_custom_fields(api: Any, workspace: Workspace) -> None:
    FieldDefinition.objects.create(workspace=workspace, object_type="account", key="rank", label="Rank", type="number")
    for name, rank in [("Acme", "2"), ("Globex", None), ("Initech", "1")]:
        assert api.post("/api/v1/accounts", {"name": name, **({"custom": {"rank": rank}} if rank else {})}).status_code == 201
    names = [item["name"] for item in api.get("/api/v1/accounts", {"sort": "custom.rank", "custom.rank__gte": "0"}).json()["items"]]
    assert names == ["Initech", "Acme"]
    assert [item["name"] for item in api.get("/api/v1/accounts", {"sort": "-custom.rank"}).json()["items"]] == ["Acme", "Initech", "Globex"]


# --- The index behind a sortable field ------------------------------------------------------------


def plan(queryset: Any) -> str:
    """The database's plan of a query, as text."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")  # a handful of rows: make the planner show which index it *can* use
            cursor.execute(f"EXPLAIN {sql}", params)
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return "\n".join(str(row[-1]) for row in cursor.fetchall())


def test_defining_a_sortable_field_builds_its_index_and_deleting_the_last_one_drops_it(
    api: Any, workspace: Workspace, other_workspace: Workspace, owner: Any, django_capture_on_commit_callbacks: Any
) -> None:
    name = custom_field_indexes.index_name("contact", "seats", "number")
    body = {"object_type": "contact", "key": "seats", "label": "Seats", "type": "number"}
    with django_capture_on_commit_callbacks(execute=True):
        created = api.post("/api/v1/custom-fields", body).json()
    assert custom_field_indexes.index_state(name) == "valid"
    FieldDefinition.objects.create(workspace=other_workspace, **body)
    with django_capture_on_commit_callbacks(execute=True):
        assert api.delete(f"/api/v1/custom-fields/{created['id']}").status_code == 204
    assert custom_field_indexes.index_state(name) == "valid"  # the other workspace still sorts by it
    FieldDefinition.objects.filter(workspace=other_workspace).delete()
    assert custom_field_indexes.sync_index(object_type="contact", key="seats", field_type="number") == "dropped"
    assert custom_field_indexes.index_state(name) == "missing"


def test_a_field_that_does_not_sort_gets_no_index(api: Any, django_capture_on_commit_callbacks: Any) -> None:
    body = {"object_type": "contact", "key": "colours", "label": "Colours", "type": "multi_choice", "options": ["red"]}
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert api.post("/api/v1/custom-fields", body).status_code == 201
    assert callbacks == []
    assert custom_field_indexes.index_for("contact", "colours", "multi_choice") is None


@pytest.mark.parametrize(
    ("field_type", "params"),
    [
        ("number", {"custom.k__gte": "5"}),
        ("money", {"custom.k__lte": "5"}),
        ("date", {"custom.k__gte": "2026-01-01"}),
        ("text", {"custom.k": "x"}),
    ],
)
def test_the_list_query_reads_the_fields_index_for_sorting_and_filtering(
    workspace: Workspace, admin: Any, field_type: str, params: dict[str, str]
) -> None:
    definition = define(workspace, "k", field_type)
    assert custom_field_indexes.sync_index(object_type="contact", key="k", field_type=field_type) == "created"
    name = custom_field_indexes.index_name("contact", "k", field_type)
    contacts = selectors.contact_list(actor=admin, workspace=workspace)
    key = sort_key(definition, descending=True)
    keys = contacts.prefetch_related(None).annotate(**{key.alias: key.expression}).values_list(key.alias, "pk")
    assert name in plan(keys.filter(**{f"{key.alias}__isnull": False}).order_by(key.name, "-id")[:51])
    filtered = selectors.contact_list(
        actor=admin, workspace=workspace, filters=selectors.CustomerFilter(custom={k.removeprefix("custom."): v for k, v in params.items()})
    )
    assert name in plan(filtered.order_by("id")[:51])


def test_lists_prefetch_into_plain_lists_and_a_single_record_into_its_managers(workspace: Workspace, admin: Any) -> None:
    contact = contact_with(workspace, "Ada", "Lovelace", emails=("ada@engines.test",), phones=("+442079460958",))
    [listed] = selectors.contact_list(actor=admin, workspace=workspace)
    assert [email.address for email in listed.listed_emails] == ["ada@engines.test"]  # no queryset per row
    assert [email.address for email in selectors.related(listed, "emails")] == ["ada@engines.test"]
    single = selectors.contact_get(actor=admin, workspace=workspace, pk=contact.pk)
    assert not hasattr(single, "listed_emails")
    assert [phone.number for phone in selectors.related(single, "phones")] == ["+442079460958"]
