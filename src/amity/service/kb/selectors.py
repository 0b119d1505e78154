"""Reads of the knowledge base: articles and categories the actor may see, versions, the review queue, a case's links."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models

from amity.core.access import visible
from amity.core.models import User, Workspace
from amity.core.permissions import ObjectType
from amity.core.tenancy import get_scoped_or_404
from amity.service.models import Article, ArticleCategory, ArticleVersion, Case, CaseArticle

ARTICLE_SORTS = {
    "-updated_at": ("-updated_at", "-id"),
    "updated_at": ("updated_at", "id"),
    "title": ("title", "id"),
    "-title": ("-title", "-id"),
}


@dataclass(frozen=True)
class ArticleFilter:
    status: str | None = None
    visibility: str | None = None
    category_id: int | None = None
    author_id: int | None = None


def articles(*, actor: User, workspace: Workspace, filters: ArticleFilter | None = None) -> models.QuerySet[Article]:
    """Every article of the workspace, drafts included, for those whose role reads the knowledge base."""
    queryset = visible(Article.objects.all(), actor=actor, workspace=workspace, object_type=ObjectType.ARTICLE, owner_field="created_by")
    filters = filters or ArticleFilter()
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.visibility:
        queryset = queryset.filter(visibility=filters.visibility)
    if filters.category_id:
        queryset = queryset.filter(category_id=filters.category_id)
    if filters.author_id:
        queryset = queryset.filter(created_by_id=filters.author_id)
    return queryset.select_related("category", "published_version", "created_by")


def article_get(*, actor: User, workspace: Workspace, pk: int) -> Article:
    return get_scoped_or_404(articles(actor=actor, workspace=workspace), pk=pk)


def article_versions(*, article: Article) -> models.QuerySet[ArticleVersion]:
    return article.versions.select_related("author").order_by("-number")


def article_version_get(*, article: Article, pk: int) -> ArticleVersion:
    return get_scoped_or_404(article_versions(article=article), pk=pk)


def review_queue(*, actor: User, workspace: Workspace) -> models.QuerySet[Article]:
    """Articles waiting for a reviewer, oldest request first."""
    return articles(actor=actor, workspace=workspace).filter(status=Article.Status.IN_REVIEW).order_by("updated_at", "id")


def categories(*, actor: User, workspace: Workspace) -> models.QuerySet[ArticleCategory]:
    return visible(ArticleCategory.objects.all(), actor=actor, workspace=workspace, object_type=ObjectType.ARTICLE, owner_field="workspace")


def category_get(*, actor: User, workspace: Workspace, pk: int) -> ArticleCategory:
    return get_scoped_or_404(categories(actor=actor, workspace=workspace), pk=pk)


def case_articles(*, case: Case) -> list[Article]:
    """The articles linked to a case, last linked first."""
    links = CaseArticle.objects.filter(workspace_id=case.workspace_id, case=case).select_related("article__published_version")
    return [link.article for link in links]
