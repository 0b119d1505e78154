"""The shared data set of the list, search and 360° scenarios: its rows, its search index, its showcase, and its reuse."""

from __future__ import annotations

from typing import Any

import pytest

from amity.activities.models import Interaction
from amity.activities.selectors import contact_timeline
from amity.core import custom_field_indexes
from amity.core.models import User, Workspace
from amity.core.search import search
from amity.customers.models import Account, AccountContact, Contact, ContactEmail, ContactPhone
from amity.search.models import SearchDocument, SearchTerm
from amity.search.record_types import account_documents, contact_documents
from bench import database
from bench.scenarios import _dataset, load
from bench.scenarios.search import account_queries, queries_by_kind
from bench.session import _seed

SCALE = 0.002  # 2,000 contacts, 400 accounts, 10,000 interactions


@pytest.fixture
def seeded(db: Any) -> dict[str, Any]:
    database.ensure_marker_table()
    state, _ = _seed(load("contact_list"), scale=SCALE, vendor="test")
    return state


def test_the_data_set_has_its_sizes_links_and_custom_field_indexes(seeded: dict[str, Any]) -> None:
    workspace_id = seeded["workspace_id"]
    assert Contact.objects.filter(workspace_id=workspace_id).count() == 2000
    assert Account.objects.filter(workspace_id=workspace_id).count() == 400
    assert ContactEmail.objects.filter(workspace_id=workspace_id).count() == 2000
    assert ContactPhone.objects.filter(workspace_id=workspace_id).count() == 667
    assert AccountContact.objects.filter(workspace_id=workspace_id).count() == 1800
    assert Interaction.objects.filter(workspace_id=workspace_id).count() == 10_000 + _dataset.SHOWCASE["interactions"]
    assert Interaction.contacts.through.objects.filter(contact__workspace_id=workspace_id).count() == 10_350
    contact = Contact.objects.get(pk=seeded["first_contact_id"] + 3)
    assert contact.primary_email == _dataset.email(3, 400) == contact.emails.get().address
    assert contact.primary_phone == _dataset.phone(3) == contact.phones.get().number
    assert contact.accounts.get().name == _dataset.account_name(3)
    for key, kind in [("score", "number"), ("renewal", "date"), ("tier", "choice")]:
        assert custom_field_indexes.index_state(custom_field_indexes.index_name("contact", key, kind)) == "valid"


def test_the_search_index_is_what_the_search_app_would_write(seeded: dict[str, Any]) -> None:
    contact_ids = [seeded["first_contact_id"] + n for n in (0, 3, 9, 1999)]
    account_ids = [seeded["first_account_id"] + a for a in (0, 7, 399)]
    for object_type, documents in [("contact", contact_documents(contact_ids)), ("account", account_documents(account_ids))]:
        assert len(documents) > 1
        for document in documents:
            row = SearchDocument.objects.get(object_type=object_type, object_id=document.object_id)
            assert (row.title, row.subtitle, row.text, row.owner_id) == (
                document.title,
                document.subtitle,
                document.text,
                document.owner_id,
            )
    assert SearchDocument.objects.filter(workspace_id=seeded["workspace_id"]).count() == 2400
    assert SearchTerm.objects.filter(workspace_id=seeded["workspace_id"], term="showcase").exists()


def test_the_search_scenarios_queries_find_people(seeded: dict[str, Any]) -> None:
    workspace = Workspace.objects.get(pk=seeded["workspace_id"])
    owner = User.objects.get(pk=seeded["user_id"])
    queries = queries_by_kind(2000, 400)
    for kind in ["full name", "email", "phone digits", "typo in a name"]:
        query = queries[kind][1]
        groups = search(actor=owner, workspace=workspace, query=query, limit=5)
        assert groups and groups[0].results, f"{kind}: {query} found nothing"


def test_the_pickers_cases_find_people_and_accounts(seeded: dict[str, Any]) -> None:
    from amity.sales.models import Opportunity
    from amity.sales.selectors.pickers import accounts_matching, contacts_matching

    state, _ = _seed(load("search"), scale=SCALE, vendor="test")
    deal = Opportunity.objects.get(pk=state["picker_deal_id"])
    assert deal.account_id == seeded["showcase_account_id"]
    workspace = Workspace.objects.get(pk=seeded["workspace_id"])
    owner = User.objects.get(pk=seeded["user_id"])
    queries = queries_by_kind(2000, 400)
    for kind in ["name prefix", "full name"]:
        for query in queries[kind][:5]:
            found = contacts_matching(actor=owner, workspace=workspace, query=query, account_id=deal.account_id)
            assert found, f"{kind}: {query} found nobody"
    for query in account_queries(400)[:5] + account_queries(400)[-5:]:
        assert accounts_matching(actor=owner, workspace=workspace, query=query), f"{query} found no account"
    again, _ = _seed(load("search"), scale=SCALE, vendor="test")
    assert again["picker_deal_id"] == deal.pk and Opportunity.objects.filter(workspace=workspace).count() == 1


def test_the_showcase_contact_has_exactly_500_timeline_entries(seeded: dict[str, Any]) -> None:
    workspace = Workspace.objects.get(pk=seeded["workspace_id"])
    owner = User.objects.get(pk=seeded["user_id"])
    contact = Contact.objects.get(pk=seeded["showcase_contact_id"])
    kinds: dict[str, int] = {}
    cursor = None
    while True:
        page = contact_timeline(actor=owner, workspace=workspace, contact=contact, kinds=[], channels=[], cursor=cursor, limit=200)
        for item in page.items:
            kinds[item.kind] = kinds.get(item.kind, 0) + 1
        cursor = page.next_cursor
        if not cursor:
            break
    assert kinds == {"interaction": 350, "note": 75, "task": 50, "change": 25}


def test_other_scenarios_reuse_the_data_set_and_a_new_size_replaces_it(seeded: dict[str, Any]) -> None:
    state, figures = _seed(load("search"), scale=SCALE, vendor="test")
    assert figures == []
    assert state["workspace_id"] == seeded["workspace_id"]
    assert Workspace.objects.count() == 1

    bigger, figures = _seed(load("contact_360"), scale=SCALE * 1.5, vendor="test")
    assert figures
    assert not Workspace.objects.filter(pk=seeded["workspace_id"]).exists()
    assert not User.objects.filter(pk=seeded["user_id"]).exists()
    assert not Contact.objects.filter(workspace_id=seeded["workspace_id"]).exists()
    assert Contact.objects.filter(workspace_id=bigger["workspace_id"]).count() == 3000
    assert Interaction.contacts.through.objects.count() == 15_000 + _dataset.SHOWCASE["interactions"]
