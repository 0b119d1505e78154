"""The case page's Articles card (link and unlink, htmx) and its satisfaction answer; the report's Satisfaction tab."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from amity.core.models import AuditEntry, User, Workspace
from amity.core.permissions import Role
from amity.service import services as case_services
from amity.service import surveys
from amity.service.kb import services
from amity.service.models import Article, Case, CaseArticle, Survey
from tests.factories import member

HTMX = {"HX-Request": "true"}


@pytest.fixture
def editor(workspace: Workspace) -> User:
    return member(workspace, Role.MANAGER, email="erin@acme.test", full_name="Erin Editor")


def _published(editor: User, workspace: Workspace, title: str, visibility: str = "public") -> Article:
    article = services.article_create(
        actor=editor, workspace=workspace, data={"title": title, "body": "<p>Tighten the arm screws.</p>", "visibility": visibility}
    )
    return services.article_publish(actor=editor, article=article)


def test_an_agent_links_a_suggested_article_and_unlinks_it(
    client_as: Any, agent: User, editor: User, workspace: Workspace, case: Case
) -> None:
    article = _published(editor, workspace, "Loose chair arm")
    client = client_as(agent)
    page = client.get(f"/w/acme/cases/{case.pk}/").content.decode()
    assert 'id="case-suggested-articles"' in page and "Link “Loose chair arm” to the case" in page

    card = client.post(f"/w/acme/cases/{case.pk}/articles/", {"article_id": article.pk}, headers=HTMX)

    assert card.status_code == 200
    html = card.content.decode()
    assert 'id="case-linked-articles"' in html and 'id="case-suggested-articles"' not in html and "<html" not in html
    assert list(CaseArticle.objects.filter(case=case).values_list("article_id", flat=True)) == [article.pk]
    assert AuditEntry.objects.filter(object_id=str(case.pk), changes__article=[None, "Loose chair arm"]).count() == 1

    client.post(f"/w/acme/cases/{case.pk}/articles/{article.pk}/unlink/", headers=HTMX)
    assert not CaseArticle.objects.filter(case=case).exists()


def test_a_draft_cannot_be_linked_and_a_plain_post_comes_back_to_the_page(
    client_as: Any, agent: User, workspace: Workspace, case: Case
) -> None:
    draft = services.article_create(actor=agent, workspace=workspace, data={"title": "Chair draft", "body": "<p>x</p>"})

    refused = client_as(agent).post(f"/w/acme/cases/{case.pk}/articles/", {"article_id": draft.pk}, headers=HTMX)
    plain = client_as(agent).post(f"/w/acme/cases/{case.pk}/articles/", {"article_id": draft.pk})

    assert refused.status_code == 422 and "Link a published article" in refused.content.decode()
    assert plain.status_code == 302 and plain["Location"] == f"/w/acme/cases/{case.pk}/"
    assert not CaseArticle.objects.exists()


def test_a_viewer_sees_linked_articles_but_cannot_link(client_as: Any, agent: User, editor: User, workspace: Workspace, case: Case) -> None:
    article = _published(editor, workspace, "Loose chair arm")
    services.case_article_link(actor=agent, case=case, article=article)
    viewer = member(workspace, Role.VIEWER, email="vic@acme.test")

    page = client_as(viewer).get(f"/w/acme/cases/{case.pk}/").content.decode()
    refused = client_as(viewer).post(f"/w/acme/cases/{case.pk}/articles/{article.pk}/unlink/")

    assert "Loose chair arm" in page and "Unlink" not in page
    assert refused.status_code == 403 and CaseArticle.objects.filter(case=case).exists()


@pytest.mark.parametrize("which", ["case", "article"])
def test_another_workspaces_case_or_article_is_a_404_and_nothing_changes(
    client_as: Any, agent: User, editor: User, workspace: Workspace, other_workspace: Workspace, case: Case, which: str
) -> None:
    theirs_editor = member(other_workspace, Role.MANAGER, email="m@globex.test")
    their_article = _published(theirs_editor, other_workspace, "Theirs")
    their_case = case_services.case_open(
        actor=None, workspace=other_workspace, data={"subject": "Theirs", "requester_email": "x@example.com"}
    )
    mine = _published(editor, workspace, "Mine")
    target_case, article = (their_case, mine) if which == "case" else (case, their_article)
    client = client_as(agent)

    linked = client.post(f"/w/acme/cases/{target_case.pk}/articles/", {"article_id": article.pk}, headers=HTMX)
    unlinked = client.post(f"/w/acme/cases/{target_case.pk}/articles/{article.pk}/unlink/", headers=HTMX)

    assert (linked.status_code, unlinked.status_code) == (404, 404)
    assert not CaseArticle.objects.exists()


def test_the_case_page_shows_the_survey_answer(client_as: Any, agent: User, workspace: Workspace, case: Case) -> None:
    Case.objects.filter(pk=case.pk).update(assignee=agent)
    survey = Survey.objects.create(
        workspace=workspace, case=case, agent=agent, kind=case.kind, email="peter@initech.test", token="t" * 32, sent_at=timezone.now()
    )
    client = client_as(agent)
    assert "no answer yet" in client.get(f"/w/acme/cases/{case.pk}/").content.decode()

    surveys.survey_answer(survey=survey, score=4)
    surveys.survey_comment(survey=survey, comment="Quick & kind.")
    html = client.get(f"/w/acme/cases/{case.pk}/").content.decode()

    assert "4 / 5 · Good" in html and "Quick &amp; kind." in html and 'aria-label="4 out of 5"' in html


def test_the_case_page_costs_the_same_with_linked_articles(
    client_as: Any, agent: User, editor: User, workspace: Workspace, case: Case, queries_of: Any
) -> None:
    client = client_as(agent)
    services.case_article_link(actor=agent, case=case, article=_published(editor, workspace, "Chair arm one"))
    client.get(f"/w/acme/cases/{case.pk}/")
    few = queries_of(client, f"/w/acme/cases/{case.pk}/")
    for number in range(6):
        services.case_article_link(actor=agent, case=case, article=_published(editor, workspace, f"Chair arm {number + 2}"))

    assert queries_of(client, f"/w/acme/cases/{case.pk}/") == few


def test_the_satisfaction_tab_shows_the_figures_in_constant_queries(
    client_as: Any, agent: User, workspace: Workspace, case: Case, queries_of: Any
) -> None:
    def answered(score: int) -> None:
        fresh = case_services.case_open(actor=None, workspace=workspace, data={"subject": "Help", "requester_email": "x@example.com"})
        Survey.objects.create(
            workspace=workspace,
            case=fresh,
            agent=agent,
            email="x@example.com",
            token=f"{fresh.pk:032d}",
            sent_at=timezone.now(),
            score=score,
        )

    answered(5)
    answered(2)
    client = client_as(agent)
    client.get("/w/acme/cases/report/satisfaction/")
    few = queries_of(client, "/w/acme/cases/report/satisfaction/")
    for score in (5, 4, 4, 3, 1, 5, 5):
        answered(score)

    assert queries_of(client, "/w/acme/cases/report/satisfaction/") == few
    html = client.get("/w/acme/cases/report/satisfaction/?days=7").content.decode()
    assert 'data-kpi="sent">9<' in html and 'data-kpi="csat">66.7%<' in html and 'id="chart-csat"' in html
    bad = client.get(f"/w/acme/cases/report/satisfaction/?start={dt.date.today()}&end=2000-01-01").content.decode()
    assert "Start on or before the end day." in bad
