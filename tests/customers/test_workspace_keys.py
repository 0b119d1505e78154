"""The workspace keys of what an import writes: no constraint on the rows written beside a record, no index on the
workspace alone where another index starts with it, and the queries by workspace still reading an index.

Also the migrations that made them so, run back and forth on this database.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

from amity.core.models import Workspace
from amity.customers import selectors
from amity.customers.models import Account, AccountContact, AccountDomain, Contact, ContactEmail, ContactPhone, Tag
from amity.search.models import SearchDocument, SearchTerm
from amity.search.services import index_records
from tests.factories import WorkspaceFactory, account_with, contact_with

pytestmark = pytest.mark.django_db

WITHOUT_CONSTRAINT = [
    "customers_accountcontact",
    "customers_accountdomain",
    "customers_contactemail",
    "customers_contactphone",
    "search_searchdocument",
    "search_searchterm",
]
WITHOUT_OWN_INDEX = [
    "customers_account",
    "customers_accountdomain",
    "customers_contact",
    "customers_contactemail",
    "customers_contactphone",
    "customers_tag",
    "search_searchdocument",
    "search_searchterm",
]


def _constraints(table: str) -> dict[str, Any]:
    with connection.cursor() as cursor:
        return connection.introspection.get_constraints(cursor, table)


def _workspace_constraint(table: str) -> bool:
    return any(details["foreign_key"] == ("core_workspace", "id") for details in _constraints(table).values())


def _workspace_index(table: str) -> bool:
    return any(
        details["index"] and details["columns"] == ["workspace_id"] and not details["unique"] for details in _constraints(table).values()
    )


def _schema() -> dict[str, tuple[bool, bool]]:
    return {table: (_workspace_constraint(table), _workspace_index(table)) for table in sorted({*WITHOUT_CONSTRAINT, *WITHOUT_OWN_INDEX})}


def test_rows_written_beside_a_record_have_no_workspace_constraint_and_no_index_on_the_workspace_alone() -> None:
    assert {table for table in WITHOUT_CONSTRAINT if _workspace_constraint(table)} == set()
    assert {table for table in WITHOUT_OWN_INDEX if _workspace_index(table)} == set()
    assert _workspace_constraint("customers_contact") and _workspace_constraint("customers_account")  # the records keep theirs
    assert _workspace_index("customers_accountcontact")  # no other index of it starts with the workspace
    for table in ("customers_contactemail", "customers_contactphone", "customers_accountcontact"):  # still no child without its contact
        assert any(details["foreign_key"] == ("customers_contact", "id") for details in _constraints(table).values()), table


def test_deleting_a_workspace_still_deletes_the_rows_without_a_constraint(workspace: Workspace, other_workspace: Workspace) -> None:
    for each in (workspace, other_workspace):
        account = account_with(each, "Acme", domains=("acme.example",))
        contact = contact_with(each, "Ada", "Lovelace", emails=("ada@acme.example",), phones=("+12025550143",), accounts=(account,))
        contact.tags.add(Tag.objects.create(workspace=each, name="vip"))
        index_records(object_type="contact", ids=[contact.pk])
        index_records(object_type="account", ids=[account.pk])
    models = [Account, AccountContact, AccountDomain, Contact, ContactEmail, ContactPhone, Tag, SearchDocument, SearchTerm]
    assert all(model.objects.filter(workspace=workspace).exists() for model in models)

    workspace.delete()

    assert [model.__name__ for model in models if model.objects.filter(workspace_id=workspace.pk).exists()] == []
    assert all(model.objects.filter(workspace=other_workspace).exists() for model in models)


def _plan(queryset: Any) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")  # a handful of rows: show which index the planner *can* use
            cursor.execute(f"EXPLAIN {sql}", params)
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return "\n".join(str(row[-1]) for row in cursor.fetchall())


# Any index of contacts that starts with the workspace: the planner picks among them by its statistics, and a custom
# field's index (`core.custom_field_indexes`: workspace, value, id), left by an earlier test on PostgreSQL, is one too.
CONTACT_INDEXES = ["contact_ws_", "cf_contact"]


def test_the_queries_by_workspace_read_an_index_that_starts_with_it(workspace: Workspace, admin: Any) -> None:
    # The unique keys made with their tables are SQLite's automatic indexes (sqlite_autoindex_<table>_N).
    other = WorkspaceFactory()
    for each in (workspace, other):
        contact = contact_with(each, "Ada", "Lovelace", emails=("ada@example.com",), phones=("+12025550143",))
        index_records(object_type="contact", ids=[contact.pk])
    contacts = selectors.contact_list(actor=admin, workspace=workspace).prefetch_related(None)
    queries = {
        "contact list, newest first": (contacts.order_by("-created_at", "-id")[:51], CONTACT_INDEXES),
        "contact list by name": (contacts.order_by("last_name", "first_name", "id")[:51], CONTACT_INDEXES),
        "contacts counted": (Contact.objects.filter(workspace=workspace, deleted_at__isnull=True).values("pk"), CONTACT_INDEXES),
        "account list by name": (
            Account.objects.filter(workspace=workspace, deleted_at__isnull=True).order_by("name", "id")[:51],
            ["account_ws_", "cf_account"],
        ),
        "tags": (Tag.objects.filter(workspace=workspace).order_by("name"), ["tag_unique_name", "autoindex_customers_tag"]),
        "email look-up": (ContactEmail.objects.filter(workspace=workspace, address="ada@example.com"), ["contactemail_ws_address"]),
        "phone look-up": (ContactPhone.objects.filter(workspace=workspace, number="+12025550143"), ["contactphone_ws_number"]),
        "domain look-up": (
            AccountDomain.objects.filter(workspace=workspace, domain="acme.example"),
            ["accountdomain_unique", "autoindex_customers_accountdomain"],
        ),
        "a workspace's emails (its deletion)": (ContactEmail.objects.filter(workspace_id__in=[workspace.pk]), ["contactemail_ws_address"]),
        "search rows of a type": (
            SearchDocument.objects.filter(workspace=workspace, object_type="contact"),
            ["searchdocument_unique_object", "searchdocument_ws_title", "searchdocument_text_trgm", "autoindex_search_searchdocument"],
        ),
        "search terms": (
            SearchTerm.objects.filter(workspace=workspace, term__startswith="ada"),
            ["searchterm_unique", "autoindex_search_searchterm"],
        ),
    }
    unindexed = {
        name: plan for name, (queryset, indexes) in queries.items() if not any(index in (plan := _plan(queryset)) for index in indexes)
    }
    assert unindexed == {}


# --- The migrations, back and forth -------------------------------------------------------------------------

BEFORE = [("customers", "0013_merge_group"), ("search", "0003_scoped_text_index")]
AFTER = [("customers", "0015_no_single_column_workspace_indexes"), ("search", "0005_no_single_column_workspace_indexes")]


def _migrate(targets: list[tuple[str, str]]) -> None:
    for app, name in targets:
        call_command("migrate", app, name, interactive=False, verbosity=0)


def _search_triggers() -> set[str]:
    if connection.vendor != "sqlite":
        return set()
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'search_searchdocument'")
        return {name for (name,) in cursor.fetchall()}


def test_the_migrations_drop_the_constraints_and_indexes_and_give_them_back(transactional_db: Any) -> None:
    triggers = _search_triggers()
    assert connection.vendor != "sqlite" or triggers == {
        "search_document_fts_insert",
        "search_document_fts_delete",
        "search_document_fts_update",
    }
    after = _schema()
    try:
        _migrate(BEFORE)
        before = _schema()
        assert before == dict.fromkeys(before, (True, True))  # every table had both
        assert _search_triggers() == triggers
    finally:
        _migrate(AFTER)
        # Going back also unapplied the later migrations of other apps that depend on these (sales 0007 on customers
        # 0015): put every app back at its latest, as later tests expect.
        call_command("migrate", interactive=False, verbosity=0)
    assert _schema() == after
    assert _search_triggers() == triggers  # the rebuilt table keeps the text index in step
    workspace = WorkspaceFactory()
    contact = contact_with(workspace, "Augusta", "King", emails=("augusta@example.com",))
    index_records(object_type="contact", ids=[contact.pk])
    document = SearchDocument.objects.get(workspace=workspace, object_type="contact", object_id=contact.pk)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT rowid FROM search_document_fts WHERE search_document_fts MATCH %s", ['"augusta"'])
            assert cursor.fetchall() == [(document.pk,)]
