"""The knowledge base: drafts, review, publishing, versions, search on both databases, suggestions and links from cases."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from amity.core.models import AuditEntry, User, Workspace
from amity.core.permissions import Role
from amity.service.kb import search, services
from amity.service.models import Article, Case, CaseArticle
from tests.factories import member


@pytest.fixture
def editor(workspace: Workspace) -> User:
    return member(workspace, Role.MANAGER, email="erin@acme.test", full_name="Erin Editor")


def _published(agent: User, editor: User, workspace: Workspace, title: str, body: str, visibility: str = "public") -> Article:
    article = services.article_create(actor=agent, workspace=workspace, data={"title": title, "body": body, "visibility": visibility})
    services.article_submit(actor=agent, article=article)
    return services.article_publish(actor=editor, article=article)


def test_a_draft_is_reviewed_sent_back_and_published_with_its_versions(agent: User, editor: User, workspace: Workspace) -> None:
    article = services.article_create(
        actor=agent, workspace=workspace, data={"title": "Tightening a loose chair arm", "body": "<p>Use a 4 mm hex key.</p>"}
    )
    assert (article.status, article.slug, article.published_version_id) == ("draft", "tightening-a-loose-chair-arm", None)
    with pytest.raises(PermissionDenied):
        services.article_publish(actor=agent, article=article)

    services.article_submit(actor=agent, article=article)
    services.article_request_changes(actor=editor, article=article, note="Say which screws.")
    article.refresh_from_db()
    assert (article.status, article.review_note) == ("draft", "Say which screws.")

    services.article_update(actor=agent, article=article, data={"body": "<p>Tighten the two M6 screws with a 4 mm hex key.</p>"})
    services.article_submit(actor=agent, article=article)
    services.article_publish(actor=editor, article=article)
    article.refresh_from_db()
    assert article.status == "published" and article.published_version is not None
    assert article.published_version.body == "<p>Tighten the two M6 screws with a 4 mm hex key.</p>"
    assert list(article.versions.values_list("number", flat=True)) == [2, 1]
    assert AuditEntry.objects.filter(object_id=str(article.pk), object_type="service.article").count() == 6


def test_changes_to_a_published_article_wait_for_approval_and_an_old_version_can_come_back(
    agent: User, editor: User, workspace: Workspace
) -> None:
    article = _published(agent, editor, workspace, "Delivery times", "<p>Three to five working days.</p>")
    first = article.published_version
    assert first is not None
    services.article_update(actor=agent, article=article, data={"body": "<p>Two to four working days.</p>"})
    article.refresh_from_db()
    assert article.published_version_id == first.pk  # readers still see the approved text
    assert [hit.pk for hit in search.search_articles(workspace, "five")] == [article.pk]

    services.article_restore_version(actor=agent, article=article, version=first)
    article.refresh_from_db()
    assert (
        article.body == "<p>Three to five working days.</p>" and article.versions.values_list("note", flat=True)[0] == "Restored version 1"
    )


def test_bad_input_names_the_field_and_writes_nothing(agent: User, workspace: Workspace) -> None:
    with pytest.raises(ValidationError) as error:
        services.article_create(actor=agent, workspace=workspace, data={"title": " ", "body": "<script>x</script>", "visibility": "all"})
    assert set(error.value.message_dict) == {"title", "body", "visibility"}
    assert Article.objects.count() == 0


def test_search_ranks_title_hits_first_folds_accents_and_keeps_internal_articles_from_the_portal(
    agent: User, editor: User, workspace: Workspace
) -> None:
    returns = _published(agent, editor, workspace, "Returning a chair", "<p>Print the label and book a pickup.</p>")
    label = _published(agent, editor, workspace, "Printing labels", "<p>Any returning parcel needs one.</p>")
    internal = _published(agent, editor, workspace, "Refunds for returning café chairs", "<p>Agents only.</p>", visibility="internal")
    services.article_create(actor=agent, workspace=workspace, data={"title": "Returning drafts", "body": "<p>Not yet.</p>"})

    assert [hit.pk for hit in search.search_articles(workspace, "returning", public_only=True)] == [returns.pk, label.pk]
    assert [hit.pk for hit in search.search_articles(workspace, "cafe", public_only=False)] == [internal.pk]
    assert search.search_articles(workspace, "cafe", public_only=True) == []
    assert [hit.pk for hit in search.search_articles(workspace, "label pickup")] == [returns.pk]


def test_suggestions_for_a_case_come_from_its_subject_and_message_in_one_query(
    agent: User, editor: User, workspace: Workspace, case: Case, django_assert_num_queries: Any
) -> None:
    arm = _published(agent, editor, workspace, "Chair arm is loose", "<p>Tighten the screws under the arm.</p>")
    _published(agent, editor, workspace, "Paying by invoice", "<p>Invoices are due in 30 days.</p>")
    case = Case.objects.select_related("workspace").get(pk=case.pk)
    with django_assert_num_queries(1):
        suggested = search.suggested_articles(case)
    assert [article.pk for article in suggested] == [arm.pk]


def test_an_article_is_linked_once_and_goes_into_a_reply(agent: User, editor: User, workspace: Workspace, case: Case) -> None:
    article = _published(agent, editor, workspace, "Chair arm is loose", "<p>Tighten the screws.</p>")
    services.case_article_link(actor=agent, case=case, article=article)
    services.case_article_link(actor=agent, case=case, article=article)
    assert CaseArticle.objects.filter(case=case).count() == 1
    assert services.article_reply_text(article, public_url="https://help.acme.test/a/1") == (
        "Chair arm is loose\n\nTighten the screws.\n\nhttps://help.acme.test/a/1"
    )
    draft = services.article_create(actor=agent, workspace=workspace, data={"title": "Draft", "body": "<p>x</p>"})
    with pytest.raises(ValidationError):
        services.case_article_link(actor=agent, case=case, article=draft)


def test_the_api_lists_articles_in_constant_queries_and_searches(
    api_as: Any, agent: User, editor: User, workspace: Workspace, django_assert_max_num_queries: Any
) -> None:
    for number in range(6):
        _published(agent, editor, workspace, f"Assembly guide {number}", "<p>Step one: unpack.</p>")
    client = api_as(agent, workspace)
    with django_assert_max_num_queries(8):
        page = client.get("/api/v1/kb/articles?limit=3").json()
    assert len(page["items"]) == 3 and page["next_cursor"]
    assert len(client.get(f"/api/v1/kb/articles?limit=3&cursor={page['next_cursor']}").json()["items"]) == 3
    hits = client.get("/api/v1/kb/search?q=unpack").json()
    assert len(hits) == 6 and hits[0]["title"].startswith("Assembly guide")
    response = client.post("/api/v1/kb/articles", {"title": "", "body": "<p>x</p>"})
    assert response.status_code == 422 and "title" in response.content.decode()
