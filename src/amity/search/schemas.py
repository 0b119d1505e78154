"""What GET /api/v1/search takes and gives: results grouped by type."""

from __future__ import annotations

from ninja import Field, Schema

from amity.core.search import MAX_QUERY_LENGTH, MIN_QUERY_LENGTH

MAX_RESULTS_PER_TYPE = 50


class SearchParams(Schema):
    q: str = Field(
        ..., min_length=MIN_QUERY_LENGTH, max_length=MAX_QUERY_LENGTH, description="What to look for: a name, email, phone, domain…"
    )
    types: str | None = Field(None, description="Comma-separated types to search, e.g. `contacts,accounts`; all when absent.")
    limit: int = Field(5, ge=1, le=MAX_RESULTS_PER_TYPE, description="Results per type.")


class SearchResultOut(Schema):
    id: int | None
    title: str
    subtitle: str
    url: str | None = Field(None, description="The record's page in the web app, when it has one.")


class SearchGroupOut(Schema):
    type: str = Field(..., description="The kind of record: contacts, accounts, members, teams…")
    label: str
    results: list[SearchResultOut]


class SearchOut(Schema):
    query: str
    groups: list[SearchGroupOut]
