"""The staff's search of the knowledge base (every working copy, drafts included) beside the portal's (published public
articles only), on SQLite and PostgreSQL alike; and articles linked to a case or sent in its replies on the customer's
timeline."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from amity.activities.timeline import timeline_page
from amity.core.models import User, Workspace
from amity.core.permissions import Role
from amity.customers.models import Contact
from amity.service import services as case_services
from amity.service.kb import search, selectors, services
from amity.service.models import Article, Case, CaseArticle
from tests.factories import contact_with, member


@pytest.fixture
def editor(workspace: Workspace) -> User:
    return member(workspace, Role.MANAGER, email="erin@acme.test", full_name="Erin Editor")


def _article(agent: User, workspace: Workspace, title: str, body: str, *, visibility: str = "public") -> Article:
    return services.article_create(actor=agent, workspace=workspace, data={"title": title, "body": body, "visibility": visibility})


def _publish(agent: User, editor: User, article: Article) -> Article:
    services.article_submit(actor=agent, article=article)
    return services.article_publish(actor=editor, article=article)


def _staff(agent: User, workspace: Workspace, query: str, **filters: Any) -> list[str]:
    articles = selectors.articles(actor=agent, workspace=workspace, filters=selectors.ArticleFilter(**filters))
    return [article.title for article in search.staff_search(articles, query)]


def test_the_staff_search_finds_drafts_reviews_and_internal_articles_and_filters_by_status(
    agent: User, editor: User, workspace: Workspace, other_workspace: Workspace
) -> None:
    _article(agent, workspace, "Chair draft", "How to oil a **chair**.")
    services.article_submit(actor=agent, article=_article(agent, workspace, "Chair in review", "Wheels of a chair."))
    _publish(agent, editor, _article(agent, workspace, "Café chair care", "Wipe it.", visibility="internal"))
    _publish(agent, editor, _article(agent, workspace, "Desks", "A chair fits under every desk."))
    other_writer = member(other_workspace, Role.SUPPORT, email="olga@globex.test")
    _article(other_writer, other_workspace, "Globex chair draft", "Chair.")

    found = _staff(agent, workspace, "chair")
    assert set(found[:3]) == {"Café chair care", "Chair in review", "Chair draft"} and found[3:] == ["Desks"]  # title hits first
    assert _staff(agent, workspace, "chair", status="draft") == ["Chair draft"]
    assert _staff(agent, workspace, "chair", status="in_review") == ["Chair in review"]
    assert _staff(agent, workspace, "cafe chair", visibility="internal") == ["Café chair care"]
    assert _staff(agent, workspace, "oil chair") == ["Chair draft"]  # every word, in the text (not the Markdown marks)
    assert _staff(agent, workspace, "nothing") == []
    assert [article.title for article in search.search_articles(workspace, "chair", public_only=True)] == ["Desks"]
    assert [article.title for article in search.search_articles(workspace, "chair", public_only=False)] == ["Café chair care", "Desks"]


def test_the_staff_search_reads_the_working_copy_and_the_portal_the_published_version(
    agent: User, editor: User, workspace: Workspace
) -> None:
    article = _publish(agent, editor, _article(agent, workspace, "Delivery", "Three to five working days."))
    services.article_update(actor=agent, article=article, data={"body": "Two to four working days by courier."})

    assert _staff(agent, workspace, "courier") == ["Delivery"]
    assert search.search_articles(workspace, "courier") == []
    assert [hit.title for hit in search.search_articles(workspace, "five")] == ["Delivery"]
    assert _staff(agent, workspace, "five") == []

    first = article.versions.get(number=1)
    services.article_restore_version(actor=agent, article=article, version=first)
    assert _staff(agent, workspace, "five") == ["Delivery"] and _staff(agent, workspace, "courier") == []


def test_the_staff_search_runs_one_query(agent: User, workspace: Workspace, django_assert_num_queries: Any) -> None:
    for number in range(5):
        _article(agent, workspace, f"Assembly {number}", "Unpack the box.")
    articles = selectors.articles(actor=agent, workspace=workspace)

    with django_assert_num_queries(1):
        found = [(article.title, article.category, article.created_by) for article in search.staff_search(articles, "unpack")]

    assert len(found) == 5


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the stored search vectors are PostgreSQL's")
def test_postgresql_ranks_by_the_stored_vectors_instead_of_building_them_per_row(agent: User, editor: User, workspace: Workspace) -> None:
    _publish(agent, editor, _article(agent, workspace, "Returns", "Send a damaged chair back within 30 days."))
    case = case_services.case_open(actor=None, workspace=workspace, data={"subject": "Damaged chair", "requester_email": "x@example.com"})

    with CaptureQueriesContext(connection) as queries:
        suggested = search.suggested_articles(case)
        staff = _staff(agent, workspace, "damaged")

    assert [article.title for article in suggested] == ["Returns"] and staff == ["Returns"]
    sql = " ".join(query["sql"] for query in queries.captured_queries)
    assert "published_vector" in sql and "working_vector" in sql and "to_tsvector" not in sql


def _timeline(agent: User, workspace: Workspace, contact: Contact) -> list[Any]:
    page = timeline_page(workspace=workspace, actor=agent, contact_ids=[contact.pk], kinds=["case_article"])
    return page.items


def test_an_article_linked_to_a_case_shows_on_the_customers_timeline(
    agent: User, editor: User, workspace: Workspace, case: Case, customer: Contact
) -> None:
    article = _publish(agent, editor, _article(agent, workspace, "Loose chair arm", "Tighten the screws."))
    services.case_article_link(actor=agent, case=case, article=article)

    [item] = _timeline(agent, workspace, customer)

    assert item.title == f"Article linked to {case.number}: Loose chair arm"
    assert item.actor_name == "Sam Agent" and item.extra == {"number": case.number, "article_id": article.pk, "sent": False}
    assert item.summary == "Public article · case “Chair arm came loose”"
    stranger = contact_with(workspace, "Bill", "Lumbergh", emails=("bill@initech.test",))
    assert _timeline(agent, workspace, stranger) == []
    services.case_article_unlink(actor=agent, case=case, article=article)
    assert _timeline(agent, workspace, customer) == []


def test_an_article_sent_in_a_reply_joins_the_case_and_the_timeline(
    agent: User, editor: User, workspace: Workspace, case: Case, customer: Contact
) -> None:
    sent = _publish(agent, editor, _article(agent, workspace, "Loose chair arm", "Tighten the screws."))
    linked = _publish(agent, editor, _article(agent, workspace, "Spare parts", "We ship them."))
    internal = _publish(agent, editor, _article(agent, workspace, "Agents only", "Secret.", visibility="internal"))
    services.case_article_link(actor=agent, case=case, article=linked)
    body = (
        f"Hello Peter,\n\nhttps://acme.test/portal/acme/help/{sent.slug}/ and /portal/acme/help/{linked.slug}/\n"
        f"/portal/acme/help/{internal.slug}/ /portal/globex/help/other/ /portal/acme/help/no-such-article/"
    )

    message = case_services.case_reply(actor=agent, case=case, body=body)

    links = {link.article_id: link.message_id for link in CaseArticle.objects.filter(case=case)}
    assert links == {sent.pk: message.pk, linked.pk: message.pk}  # the internal one has no help page to send
    titles = [item.title for item in _timeline(agent, workspace, customer)]
    assert sorted(titles) == [
        f"Article sent in a reply on {case.number}: Loose chair arm",
        f"Article sent in a reply on {case.number}: Spare parts",
    ]


def test_the_timeline_of_a_customer_of_another_workspace_holds_none_of_these(
    agent: User, editor: User, workspace: Workspace, other_workspace: Workspace, case: Case
) -> None:
    article = _publish(agent, editor, _article(agent, workspace, "Loose chair arm", "Tighten the screws."))
    services.case_article_link(actor=agent, case=case, article=article)
    outsider = member(other_workspace, Role.SUPPORT, email="olga@globex.test")
    their_contact = contact_with(other_workspace, "Peter", "Gibbons", emails=("peter@initech.test",))

    assert _timeline(outsider, other_workspace, their_contact) == []
    assert timeline_page(workspace=other_workspace, actor=outsider, contact_ids=[case.contact_id or 0], kinds=["case_article"]).items == []


def test_the_contacts_timeline_api_lists_linked_articles(
    api_as: Any, agent: User, editor: User, workspace: Workspace, case: Case, customer: Contact
) -> None:
    article = _publish(agent, editor, _article(agent, workspace, "Loose chair arm", "Tighten the screws."))
    services.case_article_link(actor=agent, case=case, article=article)

    items = api_as(agent, workspace).get(f"/api/v1/contacts/{customer.pk}/timeline").json()["items"]

    assert [item["kind"] for item in items if item["kind"] == "case_article"] == ["case_article"]


def test_the_api_list_searches_drafts_too_with_its_filters(
    api_as: Any, agent: User, editor: User, workspace: Workspace, django_assert_max_num_queries: Any
) -> None:
    _article(agent, workspace, "Oiling a chair", "Oil the wheels.")
    _publish(agent, editor, _article(agent, workspace, "Chair assembly", "Screw the arms on."))
    client = api_as(agent, workspace)

    with django_assert_max_num_queries(8):
        found = client.get("/api/v1/kb/articles?q=chair").json()
    drafts = client.get("/api/v1/kb/articles?q=chair&status=draft").json()

    assert sorted(item["title"] for item in found["items"]) == ["Chair assembly", "Oiling a chair"] and found["next_cursor"] is None
    assert [item["title"] for item in drafts["items"]] == ["Oiling a chair"]
    assert [hit["title"] for hit in client.get("/api/v1/kb/search?q=chair").json()] == ["Chair assembly"]
