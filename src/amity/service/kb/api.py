"""The knowledge-base API: /api/v1/kb/articles and /api/v1/kb/categories, search, review and a case's articles."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status

from amity.api.auth import actor_and_workspace
from amity.api.pagination import Page, PageParams, page_of, paginate, sort_ordering
from amity.core.access import require
from amity.core.permissions import Action, ObjectType
from amity.service import selectors as case_selectors
from amity.service.kb import search, selectors, services
from amity.service.kb.schemas import (
    ArticleFilterIn,
    ArticleHitOut,
    ArticleIn,
    ArticleOut,
    ArticlePatch,
    CaseArticleIn,
    CategoryIn,
    CategoryOut,
    ReviewNoteIn,
    VersionOut,
)

router = Router(tags=["knowledge base"])


@router.get("/kb/categories", response=list[CategoryOut], summary="Knowledge-base categories")
def list_categories(request: HttpRequest) -> Any:
    actor, workspace = actor_and_workspace(request)
    return list(selectors.categories(actor=actor, workspace=workspace))


@router.post("/kb/categories", response={201: CategoryOut}, summary="Add a category")
def create_category(request: HttpRequest, payload: CategoryIn) -> Any:
    actor, workspace = actor_and_workspace(request)
    return Status(201, services.category_save(actor=actor, workspace=workspace, **payload.model_dump()))


@router.patch("/kb/categories/{category_id}", response=CategoryOut, summary="Rename a category")
def update_category(request: HttpRequest, category_id: int, payload: CategoryIn) -> Any:
    actor, workspace = actor_and_workspace(request)
    category = selectors.category_get(actor=actor, workspace=workspace, pk=category_id)
    return services.category_save(actor=actor, workspace=workspace, category=category, **payload.model_dump())


@router.get("/kb/articles", response=page_of(ArticleOut), summary="Articles, drafts included, with filters or searched")
def list_articles(request: HttpRequest, page: Query[PageParams], filters: Query[ArticleFilterIn]) -> Any:
    actor, workspace = actor_and_workspace(request)
    ordering = sort_ordering(filters.sort, allowed=selectors.ARTICLE_SORTS, default="-updated_at")
    criteria = selectors.ArticleFilter(**filters.model_dump(exclude={"sort", "q"}))
    queryset = selectors.articles(actor=actor, workspace=workspace, filters=criteria)
    if filters.q and filters.q.strip():  # the staff's search, as the article list's search box: ranked, no further pages
        return Page(items=list(search.staff_search(queryset, filters.q)[: page.limit]), next_cursor=None)
    return paginate(queryset, ordering=ordering, cursor=page.cursor, limit=page.limit)


@router.get("/kb/search", response=list[ArticleHitOut], summary="Search published articles (best first)")
def search_published(request: HttpRequest, q: str = "", public_only: bool = False, limit: int = 20) -> Any:
    actor, workspace = actor_and_workspace(request)
    require(actor, workspace, Action.VIEW, ObjectType.ARTICLE)
    return search.search_articles(workspace, q[:200], public_only=public_only, limit=max(1, min(limit, 50)))


@router.post("/kb/articles", response={201: ArticleOut}, summary="Write an article (a draft)")
def create_article(request: HttpRequest, payload: ArticleIn) -> Any:
    actor, workspace = actor_and_workspace(request)
    return Status(201, services.article_create(actor=actor, workspace=workspace, data=payload.model_dump()))


@router.get("/kb/articles/{article_id}", response=ArticleOut)
def get_article(request: HttpRequest, article_id: int) -> Any:
    actor, workspace = actor_and_workspace(request)
    return selectors.article_get(actor=actor, workspace=workspace, pk=article_id)


@router.patch("/kb/articles/{article_id}", response=ArticleOut, summary="Change the working copy of an article")
def update_article(request: HttpRequest, article_id: int, payload: ArticlePatch) -> Any:
    actor, workspace = actor_and_workspace(request)
    article = selectors.article_get(actor=actor, workspace=workspace, pk=article_id)
    return services.article_update(actor=actor, article=article, data=payload.model_dump(exclude_unset=True))


def _transition(request: HttpRequest, article_id: int, service: Any, **kwargs: Any) -> Any:
    actor, workspace = actor_and_workspace(request)
    article = selectors.article_get(actor=actor, workspace=workspace, pk=article_id)
    return service(actor=actor, article=article, **kwargs)


@router.post("/kb/articles/{article_id}/submit", response=ArticleOut, summary="Send for review")
def submit_article(request: HttpRequest, article_id: int) -> Any:
    return _transition(request, article_id, services.article_submit)


@router.post("/kb/articles/{article_id}/publish", response=ArticleOut, summary="Approve and publish")
def publish_article(request: HttpRequest, article_id: int) -> Any:
    return _transition(request, article_id, services.article_publish)


@router.post("/kb/articles/{article_id}/request-changes", response=ArticleOut, summary="Send back to the writer")
def request_changes(request: HttpRequest, article_id: int, payload: ReviewNoteIn) -> Any:
    return _transition(request, article_id, services.article_request_changes, note=payload.note)


@router.post("/kb/articles/{article_id}/archive", response=ArticleOut, summary="Archive")
def archive_article(request: HttpRequest, article_id: int) -> Any:
    return _transition(request, article_id, services.article_archive)


@router.post("/kb/articles/{article_id}/unarchive", response=ArticleOut, summary="Bring back from the archive")
def unarchive_article(request: HttpRequest, article_id: int) -> Any:
    return _transition(request, article_id, services.article_unarchive)


@router.get("/kb/articles/{article_id}/versions", response=list[VersionOut], summary="Version history, newest first")
def list_versions(request: HttpRequest, article_id: int) -> Any:
    actor, workspace = actor_and_workspace(request)
    article = selectors.article_get(actor=actor, workspace=workspace, pk=article_id)
    return list(selectors.article_versions(article=article)[:200])


@router.post("/kb/articles/{article_id}/versions/{version_id}/restore", response=ArticleOut, summary="Restore an older version")
def restore_version(request: HttpRequest, article_id: int, version_id: int) -> Any:
    actor, workspace = actor_and_workspace(request)
    article = selectors.article_get(actor=actor, workspace=workspace, pk=article_id)
    version = selectors.article_version_get(article=article, pk=version_id)
    return services.article_restore_version(actor=actor, article=article, version=version)


@router.get("/cases/{case_id}/articles", response=list[ArticleHitOut], tags=["cases"], summary="Articles linked to a case")
def list_case_articles(request: HttpRequest, case_id: int) -> Any:
    actor, workspace = actor_and_workspace(request)
    case = case_selectors.case_get(actor=actor, workspace=workspace, pk=case_id)
    return selectors.case_articles(case=case)


@router.get("/cases/{case_id}/suggested-articles", response=list[ArticleHitOut], tags=["cases"], summary="Articles that may answer a case")
def list_suggested_articles(request: HttpRequest, case_id: int) -> Any:
    actor, workspace = actor_and_workspace(request)
    case = case_selectors.case_get(actor=actor, workspace=workspace, pk=case_id)
    return search.suggested_articles(case)


@router.post("/cases/{case_id}/articles", response={201: ArticleHitOut}, tags=["cases"], summary="Link an article to a case")
def link_case_article(request: HttpRequest, case_id: int, payload: CaseArticleIn) -> Any:
    actor, workspace = actor_and_workspace(request)
    case = case_selectors.case_get(actor=actor, workspace=workspace, pk=case_id)
    article = selectors.article_get(actor=actor, workspace=workspace, pk=payload.article_id)
    services.case_article_link(actor=actor, case=case, article=article)
    return Status(201, article)


@router.delete("/cases/{case_id}/articles/{article_id}", response={204: None}, tags=["cases"], summary="Unlink an article")
def unlink_case_article(request: HttpRequest, case_id: int, article_id: int) -> Any:
    actor, workspace = actor_and_workspace(request)
    case = case_selectors.case_get(actor=actor, workspace=workspace, pk=case_id)
    article = selectors.article_get(actor=actor, workspace=workspace, pk=article_id)
    services.case_article_unlink(actor=actor, case=case, article=article)
    return Status(204, None)
