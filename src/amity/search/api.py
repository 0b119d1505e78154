"""GET /api/v1/search: the shell's global search, for programs."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Query, Router

from amity.api.auth import actor_and_workspace
from amity.core import search as global_search
from amity.search.schemas import SearchOut, SearchParams

router = Router(tags=["search"])


@router.get("/search", response=SearchOut, summary="Find records by name, email, phone, domain or account, grouped by type")
def search(request: HttpRequest, params: Query[SearchParams]) -> dict[str, Any]:
    actor, workspace = actor_and_workspace(request)
    query = " ".join(params.q.split())
    if len(query) < global_search.MIN_QUERY_LENGTH:
        raise ValidationError({"q": f"Type at least {global_search.MIN_QUERY_LENGTH} characters."})
    types = [name.strip() for name in (params.types or "").split(",") if name.strip()] or None
    if types:
        known = {key.removesuffix("s") for key in global_search.provider_keys()}
        unknown = [name for name in types if name.lower().removesuffix("s") not in known]
        if unknown:
            raise ValidationError({"types": f"Unknown type(s) {', '.join(unknown)}; use: {', '.join(global_search.provider_keys())}."})
    groups = global_search.search(actor=actor, workspace=workspace, query=query, limit=params.limit, types=types)
    return {
        "query": query,
        "groups": [
            {
                "type": group.provider.key,
                "label": group.provider.label,
                "results": [{"id": r.id, "title": r.title, "subtitle": r.subtitle, "url": r.url} for r in group.results],
            }
            for group in groups
        ],
    }
