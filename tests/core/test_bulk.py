"""Writing many rows without model instances, on whichever database the suite runs (SQLite or PostgreSQL)."""

from __future__ import annotations

import pytest

from amity.core import bulk
from amity.core.models import Workspace
from amity.customers.models import Contact, Tag
from amity.search.models import SearchDocument

pytestmark = pytest.mark.django_db


def test_insert_rows_writes_more_rows_than_one_statement_takes(workspace: Workspace) -> None:
    count = bulk.SQLITE_MAX_PARAMETERS // 2 + 7  # two columns: more than one multi-row statement on SQLite
    ids = bulk.allocate_ids(Tag, count)

    bulk.insert_rows(Tag, ["id", "workspace_id", "name"], [(pk, workspace.pk, f"tag {pk}") for pk in ids])

    assert Tag.objects.filter(workspace=workspace).count() == count
    assert Tag.objects.get(pk=ids[-1]).name == f"tag {ids[-1]}"
    assert bulk.allocate_ids(Tag, 1)[0] > ids[-1]  # ids are never handed out twice


def test_update_rows_sets_each_rows_own_values(workspace: Workspace) -> None:
    ada = Contact.objects.create(workspace=workspace, first_name="Ada", custom={"tier": "gold"})
    grace = Contact.objects.create(workspace=workspace, first_name="Grace")
    untouched = Contact.objects.create(workspace=workspace, first_name="Alan")

    bulk.update_rows(
        Contact,
        ["first_name", "custom"],
        [(ada.pk, "Augusta", bulk.json_value({"tier": "silver"})), (grace.pk, "Amazing Grace", bulk.json_value({}))],
    )

    assert dict(Contact.objects.values_list("first_name", "custom")) == {
        "Augusta": {"tier": "silver"},
        "Amazing Grace": {},
        "Alan": {},
    }
    untouched.refresh_from_db()
    assert untouched.first_name == "Alan"


def test_upsert_rows_inserts_new_rows_and_updates_existing_ones(workspace: Workspace) -> None:
    columns = ["workspace_id", "object_type", "object_id", "title", "subtitle", "title_key", "text", "updated_at"]
    now = bulk.db_datetime(workspace.created_at)
    bulk.insert_rows(SearchDocument, columns, [(workspace.pk, "contact", 1, "Old", "", "old", "old", now)])

    bulk.upsert_rows(
        SearchDocument,
        columns,
        [(workspace.pk, "contact", 1, "New", "", "new", "new", now), (workspace.pk, "contact", 2, "Two", "", "two", "two", now)],
        unique=["workspace", "object_type", "object_id"],
        update=["title", "title_key", "text"],
    )

    assert dict(SearchDocument.objects.values_list("object_id", "title")) == {1: "New", 2: "Two"}


def test_delete_rows_and_any_of_take_a_list_as_one_parameter(workspace: Workspace) -> None:
    tags = [Tag.objects.create(workspace=workspace, name=name) for name in ("a", "b", "c")]

    bulk.delete_rows(Tag, "id", [tags[0].pk, tags[2].pk])
    condition, params = bulk.any_of("name", ["b", "c"])

    assert list(Tag.objects.values_list("name", flat=True)) == ["b"]
    assert bulk.select_rows(f"SELECT name FROM customers_tag WHERE {condition}", params) == [("b",)]
