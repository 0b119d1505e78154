"""Full-text search of articles (published ones for readers, every working copy for the staff), and suggestions for a case.

Both databases search the same folded text (`Article.search_text` for the published version, `working_search_text`
for the working copy that the staff's list searches: lower case, no accents, as the global search folds it, so
"Lieferzeit" finds "lieferzeit" and "café" finds "cafe"). PostgreSQL matches and ranks it with a `tsvector` (the
'simple' configuration: the folding already did what a language configuration would, and articles come in several
languages) kept in a stored column behind a GIN index for each (computed on write, so ranking many matches reads
them rather than building them); SQLite, which has no such index in Django, matches each word as a
substring of the folded text and ranks title hits above body hits. A knowledge base holds thousands of articles, not
millions, so the SQLite scan stays fast; FTS5 would need a shadow table kept in step by hand for little gain.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField
from django.db import connection, models
from django.db.models import Case as When_
from django.db.models import F, IntegerField, Q, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce

from amity.core.models import Workspace
from amity.core.tenancy import get_scoped_or_404
from amity.search.text import fold
from amity.service.models import Article, Case


@dataclass(frozen=True)
class SearchIndex:
    """The pair of folded columns a search matches: the published version's (readers) or the working copy's (staff)."""

    title: str
    text: str
    newest: str  # the tie-break between equal ranks, newest first
    vector: str  # PostgreSQL: the stored weighted tsvector of both (migration service/0014), GIN-indexed

    def stored_vector(self) -> RawSQL:
        """The stored vector, matched through its GIN index and ranked as it is (title words weigh A, text words B)."""
        return RawSQL(f'"{Article._meta.db_table}"."{self.vector}"', [], output_field=SearchVectorField())


PUBLISHED = SearchIndex("search_title", "search_text", "-published_at", "published_vector")
WORKING_COPY = SearchIndex("working_search_title", "working_search_text", "-updated_at", "working_vector")
MAX_QUERY_WORDS = 8
# Words that say nothing about what a case is about; left out of the suggestions' query.
STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "can",
        "could",
        "do",
        "does",
        "for",
        "from",
        "had",
        "has",
        "have",
        "hello",
        "hi",
        "how",
        "i",
        "if",
        "in",
        "is",
        "it",
        "its",
        "me",
        "my",
        "no",
        "not",
        "of",
        "on",
        "or",
        "our",
        "please",
        "so",
        "thank",
        "thanks",
        "that",
        "the",
        "their",
        "them",
        "there",
        "this",
        "to",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "who",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "regards",
        "best",
        "dear",
        "hallo",
        "bitte",
        "danke",
        "und",
        "der",
        "die",
        "das",
        "ist",
        "ich",
        "ein",
        "eine",
    ]
)


def _words(text: str) -> list[str]:
    """The searchable words of `text`: folded, letters and digits only, each once."""
    words = (re.sub(r"[\W_]", "", word) for word in fold(text).split())
    return list(dict.fromkeys(word for word in words if word))


def _published(workspace: Workspace, *, public_only: bool) -> models.QuerySet[Article]:
    articles = Article.objects.filter(workspace=workspace, status=Article.Status.PUBLISHED, published_version__isnull=False)
    return articles.filter(visibility=Article.Visibility.PUBLIC) if public_only else articles


def _ranked(
    articles: models.QuerySet[Article], words: list[str], *, match_all: bool, index: SearchIndex = PUBLISHED
) -> models.QuerySet[Article]:
    if connection.vendor == "postgresql":
        query = SearchQuery((" & " if match_all else " | ").join(f"{word}:*" for word in words), search_type="raw", config="simple")
        ranked = articles.annotate(vector=index.stored_vector()).filter(vector=query).annotate(rank=SearchRank(F("vector"), query))
        return ranked.order_by("-rank", index.newest, "-id")
    title_hits = [
        When_(When(**{f"{index.title}__contains": word}, then=Value(3)), default=Value(0), output_field=IntegerField()) for word in words
    ]
    text_hits = [
        When_(When(**{f"{index.text}__contains": word}, then=Value(1)), default=Value(0), output_field=IntegerField()) for word in words
    ]
    matches = Q()
    for word in words:
        found = Q(**{f"{index.text}__contains": word})
        matches = (matches & found) if match_all else (matches | found)
    rank = sum(title_hits[1:] + text_hits, start=title_hits[0])
    return articles.filter(matches).annotate(rank=Coalesce(rank, 0)).order_by("-rank", index.newest, "-id")


def search_articles(workspace: Workspace, query: str, *, public_only: bool = True, limit: int = 20) -> list[Article]:
    """Published articles whose title or text holds every word of `query`, best first (for the portal: public ones only).

    One query whatever the number of hits; an empty query gives the most recently published articles.
    """
    articles = _published(workspace, public_only=public_only).select_related("category", "published_version")
    words = _words(query)[:MAX_QUERY_WORDS]
    if not words:
        return list(articles.order_by("-published_at", "-id")[:limit])
    return list(_ranked(articles, words, match_all=True)[:limit])


def staff_search(articles: models.QuerySet[Article], query: str) -> models.QuerySet[Article]:
    """The ones of `articles` whose working copy holds every word of `query`, best first, whatever their status.

    The staff's article list searches its filtered articles with it: drafts, articles in review, internal and archived
    ones too (the status filter narrows it), matched on what the editor holds rather than on the published version.
    """
    words = _words(query)[:MAX_QUERY_WORDS]
    if not words:
        return articles.order_by("-updated_at", "-id")
    return _ranked(articles, words, match_all=True, index=WORKING_COPY)


def public_article(workspace: Workspace, slug: str) -> Article:
    """One public, published article by its slug, for the portal; 404 for a draft, an internal one or another workspace's."""
    articles = _published(workspace, public_only=True).select_related("category", "published_version")
    return get_scoped_or_404(articles, slug=slug)


def suggested_articles(case: Case, *, limit: int = 5) -> list[Article]:
    """Published articles (internal and public) that share the most words with a case's subject and first message."""
    words = [word for word in _words(f"{case.subject} {case.description[:2000]}") if len(word) > 2 and word not in STOP_WORDS]
    if not words:
        return []
    articles = _published(case.workspace, public_only=False).select_related("category", "published_version")
    return list(_ranked(articles, words[: MAX_QUERY_WORDS * 2], match_all=False)[:limit])
