"""The demo's knowledge base and survey answers: published articles in categories, a year of CSAT answers."""

from __future__ import annotations

from typing import Any

from amity.core.demo import load_demo
from amity.service.kb.search import search_articles, suggested_articles
from amity.service.models import Article, ArticleCategory, Case, Survey


def test_the_demo_has_a_searchable_knowledge_base_and_survey_answers(db: Any) -> None:
    workspace = load_demo().workspace

    assert ArticleCategory.objects.filter(workspace=workspace).count() == 5
    assert Article.objects.filter(workspace=workspace, status="published").count() == 25
    assert next(article.title for article in search_articles(workspace, "refund", public_only=True)) == "When will I get my refund?"
    loose_arm = Case.objects.filter(workspace=workspace, subject__icontains="arm").first()
    if loose_arm:
        assert suggested_articles(loose_arm)
    answered = Survey.objects.filter(workspace=workspace, score__isnull=False)
    assert answered.count() > 100 and answered.filter(score__lte=2).exists()
    assert answered.dates("answered_at", "month").count() >= 6
