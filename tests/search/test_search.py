"""Global search over contacts and accounts: what finds a record, in which order, and who may see it."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from amity.core import search as global_search
from amity.core.models import User, Workspace
from amity.core.permissions import GRANTS, Action, Grant, ObjectType, Role, Scope
from amity.search import services
from amity.search.models import SearchDocument
from tests.factories import account_with, contact_with, member

pytestmark = pytest.mark.django_db


def titles(actor: User, workspace: Workspace, query: str, kind: str = "contacts", limit: int = 5) -> list[str]:
    groups = global_search.search(actor=actor, workspace=workspace, query=query, limit=limit)
    return [result.title for group in groups if group.provider.key == kind for result in group.results]


@pytest.fixture
def acme_records(workspace: Workspace) -> dict[str, Any]:
    acme = account_with(workspace, "Acme", domains=("acme.com",), industry="Manufacturing")
    globex = account_with(workspace, "Globex Corporation", domains=("globex.example",))
    john = contact_with(
        workspace, "John", "Smith", emails=("john.smith@acme.com", "jsmith@gmail.com"), phones=("+14155550123",), accounts=(acme,)
    )
    jane = contact_with(workspace, "Jane", "Doe", emails=("jane@globex.example",), phones=("+442079460958",), accounts=(globex,))
    johnny = contact_with(workspace, "Johnny", "Appleseed", emails=("johnny@orchard.test",))
    services.reindex_workspace(workspace=workspace)
    return {"acme": acme, "globex": globex, "john": john, "jane": jane, "johnny": johnny}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Joh", "John Smith"),  # first-name prefix
        ("smi", "John Smith"),  # last-name prefix
        ("John Smith", "John Smith"),  # full name
        ("john.smith@acme.com", "John Smith"),  # email
        ("JSMITH@gmail", "John Smith"),  # a second email, any case
        ("globex.exam", "Jane Doe"),  # part of an email's domain
        ("(415) 555-0123", "John Smith"),  # phone typed in national format
        ("415 555 0123", "John Smith"),
        ("+1 415-555-0123", "John Smith"),
        ("020 7946 0958", "Jane Doe"),  # a UK number in its national format
        ("Globex", "Jane Doe"),  # the name of the contact's account
        ("Jhon Smiht", "John Smith"),  # typos
        ("Zoë", None),  # nothing
    ],
)
def test_contacts_are_found_by(query: str, expected: str | None, acme_records: Any, owner: User, workspace: Workspace) -> None:
    found = titles(owner, workspace, query)
    if expected is None:
        assert found == []
    else:
        assert found[0] == expected, found


@pytest.mark.parametrize(
    ("query", "expected"),
    [("Acme", "Acme"), ("acme.com", "Acme"), ("globex.example", "Globex Corporation"), ("corpor", "Globex Corporation"), ("Acmee", "Acme")],
)
def test_accounts_are_found_by_name_and_domain(query: str, expected: str, acme_records: Any, owner: User, workspace: Workspace) -> None:
    assert titles(owner, workspace, query, kind="accounts")[0] == expected


def test_results_come_grouped_by_type_with_a_subtitle(acme_records: Any, owner: User, workspace: Workspace) -> None:
    groups = global_search.search(actor=owner, workspace=workspace, query="acme")

    assert [group.provider.key for group in groups] == ["contacts", "accounts", "members"]  # owner@acme.test is a member
    contact = groups[0].results[0]
    assert (contact.title, contact.subtitle, contact.id) == ("John Smith", "john.smith@acme.com · Acme", acme_records["john"].pk)
    account = groups[1].results[0]
    assert (account.title, account.subtitle) == ("Acme", "acme.com · Manufacturing")


def test_exact_matches_rank_first(workspace: Workspace, owner: User) -> None:
    for first, last in [("Annabel", "Johnson"), ("John", "Johnston"), ("Johnathan", "Smith"), ("John", "Smith"), ("Jon", "Smith")]:
        contact_with(workspace, first, last)
    account_with(workspace, "Acme Rockets")
    account_with(workspace, "Acme")
    account_with(workspace, "Acmeville Bank")
    services.reindex_workspace(workspace=workspace)

    assert titles(owner, workspace, "john smith")[:2] == ["John Smith", "Johnathan Smith"]
    assert titles(owner, workspace, "acme", kind="accounts") == ["Acme", "Acme Rockets", "Acmeville Bank"]
    assert titles(owner, workspace, "Acmee", kind="accounts")[0] == "Acme"


def test_another_workspaces_records_never_show(acme_records: Any, owner: User, workspace: Workspace, other_workspace: Workspace) -> None:
    contact_with(other_workspace, "John", "Smith", emails=("john.smith@acme.com",), phones=("+14155550123",))
    account_with(other_workspace, "Acme", domains=("acme.org",))
    services.reindex_workspace(workspace=other_workspace)

    assert titles(owner, workspace, "John Smith") == ["John Smith"]
    assert titles(owner, workspace, "acme.org", kind="accounts") == []
    assert titles(owner, workspace, "Acme", kind="accounts") == ["Acme"]
    assert len(titles(owner, workspace, "Jhon Smiht")) == 1


def test_soft_deleted_records_never_show(acme_records: Any, owner: User, workspace: Workspace) -> None:
    john = acme_records["john"]
    john.deleted_at = timezone.now()
    john.save(update_fields=["deleted_at"])

    # Even before the index hears of it, the result is checked against the record.
    assert titles(owner, workspace, "John Smith") == []

    services.index_records(object_type="contact", ids=[john.pk])
    assert not SearchDocument.objects.filter(object_type="contact", object_id=john.pk).exists()

    services.reindex_workspace(workspace=workspace)
    assert not SearchDocument.objects.filter(object_type="contact", object_id=john.pk).exists()
    assert titles(owner, workspace, "smith") == []


def test_the_index_follows_updates_and_deletes(acme_records: Any, owner: User, workspace: Workspace) -> None:
    from amity.customers.models import ContactEmail

    jane = acme_records["jane"]
    jane.last_name = "Whitaker"
    jane.save(update_fields=["last_name"])
    ContactEmail.objects.create(workspace=workspace, contact=jane, address="jw@initech.test")
    services.index_records(object_type="contact", ids=[jane.pk])

    assert titles(owner, workspace, "Whitaker") == ["Jane Whitaker"]
    assert titles(owner, workspace, "initech") == ["Jane Whitaker"]
    assert titles(owner, workspace, "Jane Doe") == []

    jane_pk = jane.pk
    jane.delete()
    services.index_records(object_type="contact", ids=[jane_pk])
    assert titles(owner, workspace, "Whitaker") == []

    acme = acme_records["acme"]
    services.remove_records(workspace=workspace, object_type="account", ids=[acme.pk])
    assert titles(owner, workspace, "acme.com", kind="accounts") == []


def test_roles_see_only_the_records_their_role_shows(
    acme_records: Any, workspace: Workspace, owner: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    viewer = member(workspace, Role.VIEWER, email="viewer@acme.test")
    acme_records["jane"].owner = viewer
    acme_records["jane"].save(update_fields=["owner"])
    services.index_records(object_type="contact", ids=[acme_records["jane"].pk])

    monkeypatch.setitem(GRANTS[Role.VIEWER], ObjectType.CONTACT, Grant(frozenset({Action.VIEW}), Scope.OWN))
    assert titles(viewer, workspace, "globex") == ["Jane Doe"]
    assert titles(viewer, workspace, "john") == []
    assert titles(owner, workspace, "john") == ["John Smith", "Johnny Appleseed"]

    monkeypatch.setitem(GRANTS[Role.VIEWER], ObjectType.CONTACT, Grant(frozenset()))
    groups = global_search.search(actor=viewer, workspace=workspace, query="globex")
    assert [group.provider.key for group in groups] == ["accounts"]


def test_a_search_costs_the_same_queries_with_few_or_many_records(
    workspace: Workspace, owner: User, django_assert_max_num_queries: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(query: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            global_search.search(actor=owner, workspace=workspace, query=query)
        return len(captured.captured_queries)

    acme = account_with(workspace, "Acme", domains=("acme.com",))
    contact_with(workspace, "John", "Smith", emails=("john@acme.com",), accounts=(acme,))
    services.reindex_workspace(workspace=workspace)
    count("acme")  # warm the membership cache
    few = {query: count(query) for query in ["acme", "jhon smiht", "jo"]}
    for n in range(30):
        account = account_with(workspace, f"Acme {n}", domains=(f"acme{n}.com",))
        contact_with(workspace, "John", f"Smith{n}", emails=(f"john{n}@acme.com",), accounts=(account,))
    services.reindex_workspace(workspace=workspace)

    # More rows never cost more queries (a query with enough plain matches even skips the typo step).
    many = {query: count(query) for query in few}
    assert all(many[query] <= few[query] for query in few), (few, many)
    # About five per record type with rows (contacts, accounts), fewer for the empty ones (deals, products, leads,
    # quotes, orders, invoices), whatever the rows; PostgreSQL adds a statement per record type that keeps its planner
    # on the text index (and, in a test, a savepoint around it).
    with django_assert_max_num_queries(35 if connection.vendor == "sqlite" else 70):
        global_search.search(actor=owner, workspace=workspace, query="jhon smiht")


def test_a_rebuild_reports_what_it_indexed(acme_records: Any, workspace: Workspace) -> None:
    seen: list[tuple[str, int]] = []
    counts = services.reindex_workspace(workspace=workspace, batch_size=2, progress=lambda kind, done: seen.append((kind, done)))

    assert counts == {"contact": 3, "account": 2, "opportunity": 0, "product": 0, "lead": 0, "quote": 0, "order": 0, "invoice": 0}
    assert seen == [("contact", 2), ("contact", 3), ("account", 2)]
    assert SearchDocument.objects.filter(workspace=workspace).count() == 5


def test_the_reindex_command(acme_records: Any, workspace: Workspace) -> None:
    from io import StringIO

    from django.core.management import call_command

    SearchDocument.objects.all().delete()
    out = StringIO()
    call_command("search_reindex", "--workspace", workspace.slug, stdout=out)

    assert out.getvalue() == "acme: indexed 3 contacts, 2 accounts, 0 opportunities, 0 products, 0 leads, 0 quotes, 0 orders, 0 invoices\n"
    assert SearchDocument.objects.filter(workspace=workspace).count() == 5


def test_an_account_is_found_behind_more_contacts_than_the_candidates(owner: User, workspace: Workspace) -> None:
    from amity.search.selectors import CANDIDATES

    for number in range(CANDIDATES + 20):
        contact_with(workspace, "Mara", f"Marsden{number}")
    account_with(workspace, "Marsden Holdings", domains=("marsden.example",))
    services.reindex_workspace(workspace=workspace)
    assert titles(owner, workspace, "marsden", kind="accounts") == ["Marsden Holdings"]
    assert len(titles(owner, workspace, "marsden", limit=10)) == 10


def test_sqlites_text_index_knows_each_documents_workspace_and_type(acme_records: Any, workspace: Workspace) -> None:
    from django.db import connection

    from amity.search.selectors import fts_scope

    if connection.vendor != "sqlite":
        pytest.skip("the text index with a scope is SQLite's (PostgreSQL's GIN index holds the columns themselves)")
    document = SearchDocument.objects.get(object_type="account", object_id=acme_records["acme"].pk)
    with connection.cursor() as cursor:
        cursor.execute("SELECT scope FROM search_document_fts WHERE rowid = %s", [document.pk])
        assert cursor.fetchone() == (fts_scope(workspace, "account"),)
        SearchDocument.objects.filter(pk=document.pk).update(object_type="opportunity")
        cursor.execute("SELECT scope FROM search_document_fts WHERE rowid = %s", [document.pk])
        assert cursor.fetchone() == (fts_scope(workspace, "opportunity"),)


def test_an_email_at_a_common_domain_is_found_among_many(owner: User, workspace: Workspace) -> None:
    from amity.search.selectors import CANDIDATES

    for number in range(CANDIDATES + 10):
        contact_with(workspace, "Pat", f"Person{number}", emails=(f"pat{number}@bigmail.example",))
    contact_with(workspace, "Ana", "Lopez", emails=("ana.lopez@bigmail.example",))
    services.reindex_workspace(workspace=workspace)
    assert titles(owner, workspace, "ana.lopez@bigmail.example") == ["Ana Lopez"]
    assert titles(owner, workspace, "pat7@bigmail.example") == ["Pat Person7"]


def test_a_short_query_with_enough_title_matches_skips_the_text_step(owner: User, workspace: Workspace) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for number in range(12):
        contact_with(workspace, "Mara", f"Quinn{number}")
    contact_with(workspace, "Olga", "Amarov")  # "mar" inside a word: ranks below every title that starts with it
    services.reindex_workspace(workspace=workspace)
    with CaptureQueriesContext(connection) as captured:
        found = titles(owner, workspace, "mar", limit=5)
    assert found == ["Mara Quinn0", "Mara Quinn1", "Mara Quinn10", "Mara Quinn11", "Mara Quinn2"]
    text_step = "search_document_fts" if connection.vendor == "sqlite" else "LIKE '%"
    contact_text_queries = [
        query["sql"]
        for query in captured.captured_queries
        if "'contact'" in query["sql"] and text_step in query["sql"].partition("WHERE")[2]
    ]
    assert contact_text_queries == []  # accounts, with no title starting with "mar", still take the text step
    assert titles(owner, workspace, "amarov") == ["Olga Amarov"]


@pytest.mark.parametrize("owner_only", [False, True])
def test_sqlite_reads_the_text_index_first_even_without_statistics(
    owner_only: bool, acme_records: Any, owner: User, workspace: Workspace
) -> None:
    """A database never ANALYZEd (every new install) must not walk the workspace's documents asking the text index about each."""
    from django.db import connection
    from django.db.models import Q

    from amity.search.registry import record_type
    from amity.search.selectors import _containing, _documents, fts_scope

    if connection.vendor != "sqlite":
        pytest.skip("the join with the text index is SQLite's")
    documents = _documents(workspace, record_type("contact"), Q(owner=owner) if owner_only else Q())
    query = _containing(documents, [["smith"]], scope=fts_scope(workspace, "contact"))[:200]
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
        assert cursor.fetchone() == (0,), "this test is about a database without statistics"
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = [row[-1] for row in cursor.fetchall()]
    assert plan[0].startswith("SCAN search_document_fts VIRTUAL TABLE"), plan
    assert "USING INTEGER PRIMARY KEY" in plan[1], plan
