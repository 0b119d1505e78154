"""The web lists sorted by a custom field's column and filtered by ranges, text and several choices."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from amity.core import custom_field_indexes
from amity.core.models import FieldDefinition, Workspace
from amity.customers import services
from amity.customers.models import Contact, SavedView

pytestmark = pytest.mark.django_db

LIST = "/w/acme/contacts/"


@pytest.fixture
def contacts(workspace: Workspace, admin: Any) -> dict[str, Contact]:
    FieldDefinition.objects.create(workspace=workspace, object_type="contact", key="seats", label="Seats", type="number")
    FieldDefinition.objects.create(workspace=workspace, object_type="contact", key="renewal", label="Renewal", type="date")
    FieldDefinition.objects.create(workspace=workspace, object_type="contact", key="region", label="Region", type="text")
    FieldDefinition.objects.create(
        workspace=workspace, object_type="contact", key="tier", label="Tier", type="choice", options=["gold", "silver", "bronze"]
    )
    rows = {
        "Ada": {"seats": "12", "renewal": "2026-03-01", "region": "North West", "tier": "gold"},
        "Grace": {"seats": "3", "renewal": "2026-01-15", "region": "South", "tier": "silver"},
        "Alan": {},
        "Edsger": {"seats": "40", "tier": "bronze"},
    }
    return {
        name: services.contact_create(actor=admin, workspace=workspace, data={"first_name": name, "last_name": "X", "custom": custom})
        for name, custom in rows.items()
    }


def first_names(response: Any) -> list[str]:
    return [row["record"].first_name for row in response.context["rows"]]


def test_a_custom_column_heading_sorts_the_list_both_ways_with_empty_cells_last(
    client_as: Any, admin: Any, contacts: dict[str, Contact]
) -> None:
    client = client_as(admin)
    page = client.get(f"{LIST}?columns=custom.seats")
    seats = next(header for header in page.context["headers"] if header["key"] == "custom.seats")
    assert seats["sort"] == "" and "sort=custom.seats" in seats["url"]
    ascending = client.get(seats["url"])
    assert first_names(ascending) == ["Grace", "Ada", "Edsger", "Alan"]
    header = next(header for header in ascending.context["headers"] if header["key"] == "custom.seats")
    assert header["sort"] == "asc" and header["aria"] == "ascending" and "sort=-custom.seats" in header["url"]
    assert first_names(client.get(header["url"])) == ["Edsger", "Ada", "Grace", "Alan"]
    assert b'aria-sort="ascending"' in ascending.content


def test_a_list_sorted_by_a_custom_field_loads_more_through_its_cursor(
    client_as: Any, admin: Any, workspace: Workspace, contacts: dict[str, Contact], monkeypatch: Any
) -> None:
    monkeypatch.setattr("amity.web.views.customers.PAGE_SIZE", 3)
    client = client_as(admin)
    first = client.get(f"{LIST}?sort=-custom.seats")
    assert first_names(first) == ["Edsger", "Ada", "Grace"]
    more = client.get(LIST, {"sort": "-custom.seats", "cursor": first.context["page"].next_cursor}, headers={"HX-Request": "true"})
    rows = more.content.decode()
    assert f'id="contact-{contacts["Alan"].pk}"' in rows
    assert rows.count('<tr id="contact-') == 1 and "load-more" not in rows


def test_the_filter_bar_offers_ranges_text_and_several_choices(client_as: Any, admin: Any, contacts: dict[str, Contact]) -> None:
    client = client_as(admin)
    page = client.get(LIST)
    html = page.content.decode()
    for name in ["custom.seats__gte", "custom.seats__lte", "custom.renewal__gte", "custom.renewal__lte", "custom.region__contains"]:
        assert f'name="{name}"' in html
    assert '<select name="custom.tier"' in html and "multiple" in html.split('<select name="custom.tier"')[1].split(">")[0]
    assert first_names(client.get(f"{LIST}?custom.seats__gte=4&custom.seats__lte=40&sort=name")) == ["Ada", "Edsger"]
    assert first_names(client.get(f"{LIST}?custom.renewal__lte=2026-02-01")) == ["Grace"]
    assert first_names(client.get(f"{LIST}?custom.region__contains=WEST")) == ["Ada"]
    both = client.get(f"{LIST}?custom.tier=gold&custom.tier=bronze&sort=name")
    assert first_names(both) == ["Ada", "Edsger"]
    assert both.context["state"].filters == {"custom.tier": "gold;bronze"}
    selected = both.content.decode().split('<select name="custom.tier"')[1].split("</select>")[0]
    assert '<option value="gold" selected>' in selected and '<option value="bronze" selected>' in selected
    assert '<option value="silver">' in selected


def test_a_bad_range_is_named_and_ignored(client_as: Any, admin: Any, contacts: dict[str, Contact]) -> None:
    response = client_as(admin).get(f"{LIST}?custom.seats__gte=lots&custom.renewal__lte=2026-02-01")
    assert response.status_code == 400
    assert response.context["form"].errors["custom.seats__gte"] == ["Enter a number."]
    assert first_names(response) == ["Grace"]  # the good filter still applies


def test_a_saved_view_keeps_a_custom_sort_and_ranges(
    client_as: Any, admin: Any, workspace: Workspace, contacts: dict[str, Contact]
) -> None:
    client = client_as(admin)
    state = "sort=-custom.seats&custom.seats__gte=4&custom.tier=gold&custom.tier=bronze&columns=custom.seats"
    assert client.post("/w/acme/contacts/views/", {"name": "Big", "state": state}).status_code == 302
    view = SavedView.objects.get(name="Big")
    assert view.sort == "-custom.seats"
    assert view.filters == {"custom.seats__gte": "4", "custom.tier": "gold;bronze"}
    assert first_names(client.get(f"{LIST}?view={view.pk}")) == ["Edsger", "Ada"]


def test_a_saved_view_refuses_a_sort_by_a_field_that_does_not_sort(api: Any, workspace: Workspace) -> None:
    FieldDefinition.objects.create(workspace=workspace, object_type="contact", key="notes", label="Notes", type="long_text")
    body = {"name": "V", "object_type": "contact", "sort": "custom.notes"}
    response = api.post("/api/v1/saved-views", body)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "sort"
    assert not SavedView.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_index_is_built_outside_a_transaction_concurrently_on_postgresql(workspace: Workspace) -> None:
    FieldDefinition.objects.create(workspace=workspace, object_type="contact", key="score", label="Score", type="number")
    assert not connection.in_atomic_block
    assert custom_field_indexes.sync_index(object_type="contact", key="score", field_type="number") == "created"
    assert custom_field_indexes.sync_index(object_type="contact", key="score", field_type="number") == "exists"
    name = custom_field_indexes.index_name("contact", "score", "number")
    assert custom_field_indexes.index_state(name) == "valid"
    FieldDefinition.objects.all().delete()
    assert custom_field_indexes.sync_index(object_type="contact", key="score", field_type="number") == "dropped"
    assert custom_field_indexes.index_state(name) == "missing"
