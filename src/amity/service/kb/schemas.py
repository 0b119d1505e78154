"""What the knowledge-base API takes in and gives out."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema

from amity.service.kb.rendering import article_html

BODY_HELP = "Markdown (CommonMark with tables); HTML in it is kept but cleaned: scripts, event handlers and javascript: links are removed."
BODY_HTML_HELP = "The body rendered from Markdown and cleaned, as readers see it."


class CategoryIn(Schema):
    name: str = Field(..., max_length=80)
    description: str = Field("", max_length=250)
    position: int = Field(0, ge=0, le=32767)


class CategoryOut(Schema):
    id: int
    name: str
    slug: str
    description: str
    position: int


class ArticleIn(Schema):
    title: str = Field(..., max_length=200)
    body: str = Field(..., max_length=100_000, description=BODY_HELP)
    visibility: str = Field("internal", description="internal (agents only) or public (customers too, once published).")
    category_id: int | None = None


class ArticlePatch(Schema):
    title: str | None = Field(None, max_length=200)
    body: str | None = Field(None, max_length=100_000, description=BODY_HELP)
    visibility: str | None = None
    category_id: int | None = None


class ArticleFilterIn(Schema):
    status: str | None = Field(None, description="draft, in_review, published or archived.")
    visibility: str | None = None
    category_id: int | None = None
    author_id: int | None = Field(None, description="Who wrote the first draft.")
    q: str | None = Field(
        None, max_length=200, description="Words in the working copy (drafts included): the best matches, ranked, on one page."
    )
    sort: str | None = None


class ArticleOut(Schema):
    id: int
    slug: str
    title: str
    body: str = Field(..., description="The working copy's Markdown.")
    body_html: str = Field("", description=BODY_HTML_HELP)
    status: str
    visibility: str
    category_id: int | None
    published_version_id: int | None
    review_note: str
    created_at: dt.datetime
    updated_at: dt.datetime
    published_at: dt.datetime | None

    @staticmethod
    def resolve_body_html(article: Any) -> str:
        return article_html(article.body)


class ArticleHitOut(Schema):
    id: int
    slug: str
    title: str = Field(..., alias="published_version.title")
    visibility: str
    category_id: int | None
    published_at: dt.datetime | None


class VersionOut(Schema):
    id: int
    number: int
    title: str
    body: str = Field(..., description="This version's Markdown.")
    body_html: str = Field("", description=BODY_HTML_HELP)
    author_id: int | None
    note: str
    created_at: dt.datetime

    @staticmethod
    def resolve_body_html(version: Any) -> str:
        return article_html(version.body)


class ReviewNoteIn(Schema):
    note: str = Field(..., max_length=2000)


class CaseArticleIn(Schema):
    article_id: int
