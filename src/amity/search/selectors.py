"""Reading the search index: candidates from the database's own text index, ranked here, checked against access rules.

A query is answered in up to four steps, each one SQL query whatever the size of the workspace:

1. titles that start with the query (a B-tree range on the folded title);
2. records whose text contains every word of the query (PostgreSQL: a pg_trgm GIN index on
   (workspace, type, text) serves `LIKE '%word%'`; SQLite: an FTS5 trigram table of the text and a
   short scope of workspace and type), at most `CANDIDATES` of them;
3. only when those give too few results: each word of the query is corrected against the
   workspace's vocabulary of title words (Jhon → John, Acmee → Acme), and step 2 runs again;
4. the best few are checked with the record type's own access rules (`visible_ids`).

Ranking is done in Python with rapidfuzz, the same on both databases: exact title first, then
titles that start with the query, then words that start with each query word, then substrings,
then typo matches.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import reduce
from operator import and_, or_

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein

from amity.core.access import hidden_fields, role_of, team_member_ids
from amity.core.models import User, Workspace
from amity.core.permissions import Scope, visibility
from amity.core.search import SearchFunction, SearchResult
from amity.search.models import SearchDocument, SearchTerm
from amity.search.registry import RecordType
from amity.search.text import fold, query_tokens, visible_words

CANDIDATES = 200
PREFIX_CANDIDATES = 50
MIN_WORD = 3  # the trigram indexes serve words of three characters or more
BEST_WORD_SCORE = 100.0  # a document whose title does not start with the query scores at most this
TYPO_SIMILARITY = 0.6  # Damerau-Levenshtein similarity: one slip in a four-letter word is 0.75
FTS_TABLE = "search_document_fts"
_PIECE_SEPARATORS = re.compile(r"[.@+_-]")


@dataclass(frozen=True)
class Hit:
    object_id: int
    title: str
    subtitle: str
    score: float


def _owner_filter(actor: User, workspace: Workspace, kind: RecordType) -> Q:
    scope = visibility(role_of(actor, workspace), kind.object_type)
    if scope == Scope.NONE:
        raise PermissionDenied(f"Your role does not allow you to see {kind.object_type}s.")
    if scope == Scope.OWN:
        return Q(owner=actor)
    if scope == Scope.TEAM:
        return Q(owner__in=team_member_ids(actor, workspace))
    return Q()


def _narrowing_piece(token: str) -> str:
    """What the text index is asked for a token: the longest piece of an email or a domain, else the token.

    A text index answers `ana.lopez@acme-industries.com` by intersecting its 35 trigrams, several in every
    document (`.co`, `com`); its longest piece alone is nearly as selective and costs a third. The ranking
    then keeps only documents with the whole token.
    """
    longest = max(_PIECE_SEPARATORS.split(token), key=len)
    return longest if len(longest) >= MIN_WORD else token


def _candidates(documents: QuerySet[SearchDocument], tokens: list[str], *, scope: str) -> list[SearchDocument]:
    """Documents holding every token, found by the tokens' narrowing pieces; by the whole tokens when the pieces are common.

    A piece may be common (`gmail` of `ana@gmail.com`): when it fills all the candidates, the document wanted may
    not be among them, so the whole tokens are asked for instead.
    """
    pieces = [_narrowing_piece(token) for token in tokens]
    found = list(_containing(documents, [[piece] for piece in pieces], scope=scope)[:CANDIDATES])
    if len(found) == CANDIDATES and pieces != tokens:
        found = list(_containing(documents, [[token] for token in tokens], scope=scope)[:CANDIDATES])
    return found


def _quoted(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


@contextmanager
def _through_text_index() -> Iterator[None]:
    """Have PostgreSQL read the candidates through the text index whatever its planner guesses.

    For a common word ("mar": 100,000 of a million contacts) the planner expects to meet 200 matches early
    in a scan of the table or of the workspace index, and does meet them for contacts, but a type stored
    together at the end of the table (accounts, after a large import of contacts) is then found only after
    reading every row before it: 700 ms. The GIN index answers any word of any type in 1 to 50 ms.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('enable_seqscan', 'off', true), set_config('enable_indexscan', 'off', true)")
        yield


def fts_scope(workspace: Workspace, object_type: str) -> str:
    """What SQLite's text index knows of a document's workspace and type (search migration 0003 writes the same)."""
    return f"w{workspace.pk}{object_type[:2]}"


def _containing(documents: QuerySet[SearchDocument], word_groups: Sequence[Sequence[str]], *, scope: str) -> QuerySet[SearchDocument]:
    """Documents whose text holds, for each group, one of its words (a query word or its corrections)."""
    if connection.vendor != "sqlite":
        return documents.filter(reduce(and_, [reduce(or_, [Q(text__contains=word) for word in group]) for group in word_groups]))
    long_groups = [group for group in word_groups if all(len(word) >= MIN_WORD for word in group)]
    short_groups = [group for group in word_groups if group not in long_groups]
    for group in short_groups:
        documents = documents.filter(reduce(or_, [Q(text__contains=word) for word in group]))
    if long_groups:
        words = " AND ".join("(" + " OR ".join(_quoted(word) for word in group) + ")" for group in long_groups)
        expression = f"text : ({words}) AND scope : {_quoted(scope)}"
        # A join, not `id IN (SELECT rowid … MATCH …)`: SQLite then reads the text index's matches one at a time and
        # stops at the LIMIT, where the IN list first collects every match (tens of thousands for "mar" at a million).
        # The unary + keeps the join in that order: without statistics (a database never ANALYZEd, like every new
        # install) SQLite would rather walk the workspace's documents and ask the text index about each: 1.5-5 s for
        # one search of the demo's 4,700 documents, against 30 ms. The ORM cannot join a virtual table, hence extra().
        documents = documents.extra(
            tables=[FTS_TABLE],
            where=[f"+{FTS_TABLE}.rowid = {SearchDocument._meta.db_table}.id", f"{FTS_TABLE} MATCH %s"],
            params=[expression],
        )
    return documents


def _documents(workspace: Workspace, kind: RecordType, owner_filter: Q) -> QuerySet[SearchDocument]:
    return SearchDocument.objects.filter(owner_filter, workspace=workspace, object_type=str(kind.object_type)).only(
        "object_id", "title", "subtitle", "title_key", "text"
    )


def _after(prefix: str) -> str:
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def _word_score(token: str, words: list[str], typos: bool) -> float:
    best = 0.0
    for word in words:
        if word == token:
            return BEST_WORD_SCORE
        if word.startswith(token):
            best = max(best, 90.0)
        elif token in word:
            best = max(best, 75.0)
        elif typos and len(token) >= MIN_WORD:
            best = max(best, 60.0 * DamerauLevenshtein.normalized_similarity(token, word, score_cutoff=TYPO_SIMILARITY))
    return best


def _score(tokens: list[str], query_key: str, document: SearchDocument, typos: bool, hidden: frozenset[str] = frozenset()) -> float:
    words = visible_words(document.text, hidden)
    scores = [_word_score(token, words, typos) for token in tokens]
    if min(scores) == 0:
        return 0.0
    bonus = 40.0 if document.title_key == query_key else 20.0 if document.title_key.startswith(query_key) else 0.0
    return sum(scores) / len(scores) + bonus


def _corrections(workspace: Workspace, tokens: list[str]) -> list[list[str]] | None:
    """Each word with the vocabulary's closest spellings (same first letter, about the same length); None when nothing changes."""
    fixable = [token for token in tokens if len(token) >= MIN_WORD and token.isalpha()]
    if not fixable:
        return None
    ranges = reduce(or_, [Q(term__gte=token[0], term__lt=_after(token[0])) for token in fixable])
    vocabulary = list(SearchTerm.objects.filter(ranges, workspace=workspace).values_list("term", flat=True))
    known = set(vocabulary)
    groups: list[list[str]] = []
    changed = False
    for token in tokens:
        if token not in fixable or token in known or any(term.startswith(token) for term in vocabulary if term[0] == token[0]):
            groups.append([token])
            continue
        nearby = [term for term in vocabulary if term[0] == token[0] and abs(len(term) - len(token)) <= 2]
        matches = process.extract(token, nearby, scorer=DamerauLevenshtein.normalized_similarity, score_cutoff=TYPO_SIMILARITY, limit=3)
        if not matches:
            return None
        top = matches[0][1]
        groups.append([term for term, score, _ in matches if score >= top])
        changed = True
    return groups if changed else None


def folded_text_holding(*, workspace: Workspace, object_type: str, words: Sequence[str]) -> QuerySet[SearchDocument, int]:
    """A subquery of the ids of records of one type whose folded text holds every one of these folded words, anywhere.

    For a filter that must ignore accents and case (`fold`) on both sides, where the database's own `icontains` cannot.
    """
    documents = SearchDocument.objects.filter(workspace=workspace, object_type=str(object_type))
    for word in words:
        documents = documents.filter(text__contains=word)
    return documents.values_list("object_id", flat=True)


def search_index(*, actor: User, workspace: Workspace, kind: RecordType, query: str, limit: int) -> list[Hit]:
    """The best `limit` records of one type for `query` that the actor may open, best first."""
    tokens = query_tokens(query)
    if not tokens or limit < 1:
        return []
    documents = _documents(workspace, kind, _owner_filter(actor, workspace, kind))
    query_key = fold(query) if len(tokens) > 1 or not tokens[0].isdigit() else tokens[0]
    found: dict[int, tuple[SearchDocument, float]] = {}
    # The text index may offer a document for a word of a field hidden from the actor; the ranking does not count it.
    hidden = hidden_fields(actor, workspace, str(kind.object_type))

    def consider(rows: Iterable[SearchDocument], typos: bool) -> None:
        for document in rows:
            score = _score(tokens, query_key, document, typos, hidden)
            if score > 0 and score > found.get(document.object_id, (document, 0.0))[1]:
                found[document.object_id] = (document, score)

    consider(
        documents.filter(title_key__gte=query_key, title_key__lt=_after(query_key), title_key__startswith=query_key)[:PREFIX_CANDIDATES],
        False,
    )
    # A title that starts with the query outranks any document the text step could add (those score at most
    # BEST_WORD_SCORE): with enough of them, the costliest step for a short, common query ("mar") is not needed.
    title_matches = sum(1 for _, score in found.values() if score > BEST_WORD_SCORE)
    if any(len(token) >= MIN_WORD for token in tokens) and title_matches < limit * 2:
        scope = fts_scope(workspace, str(kind.object_type))
        with _through_text_index():
            consider(_candidates(documents, tokens, scope=scope), False)
            if len(found) < limit and (groups := _corrections(workspace, tokens)):
                consider(_containing(documents, groups, scope=scope)[:CANDIDATES], True)
    ranked = sorted(found.values(), key=lambda pair: (-pair[1], pair[0].title_key, pair[0].object_id))[: limit * 2]
    allowed = kind.visible_ids(actor, workspace, [document.object_id for document, _ in ranked]) if ranked else set()
    return [
        Hit(object_id=document.object_id, title=document.title, subtitle=document.subtitle, score=score)
        for document, score in ranked
        if document.object_id in allowed
    ][:limit]


def provider_for(kind: RecordType) -> SearchFunction:
    """The search box's provider function for a registered record type."""

    def search(actor: User, workspace: Workspace, query: str, limit: int) -> list[SearchResult]:
        return [
            SearchResult(title=hit.title, subtitle=hit.subtitle, url=kind.url(workspace, hit.object_id), id=hit.object_id)
            for hit in search_index(actor=actor, workspace=workspace, kind=kind, query=query, limit=limit)
        ]

    return search
