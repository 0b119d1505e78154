"""The record types global search indexes; an app registers each of its findable types once.

A `RecordType` says how to turn records into index rows (`documents`), which records should be
in the index at all (`live_ids`), which ids an actor may open (`visible_ids`, through the app's
own access rules), and where a result links to. Registering one also adds its result group to
the shell's search box and to GET /api/v1/search (amity.core.search).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.urls import NoReverseMatch, reverse

from amity.core import search as global_search
from amity.core.models import User, Workspace
from amity.core.permissions import ObjectType


@dataclass(frozen=True)
class Document:
    """One record as the index sees it."""

    object_id: int
    workspace_id: int
    owner_id: int | None
    title: str
    subtitle: str
    text: str


@dataclass(frozen=True)
class RecordType:
    key: str  # the result group's key in the API, e.g. "contacts"
    object_type: ObjectType  # the permission type, also the type stored in the index, e.g. "contact"
    label: str
    icon: str
    order: int
    # Records by id -> their documents; records missing, deleted or not to be found are simply left out.
    documents: Callable[[Iterable[int]], list[Document]]
    # Ids of every record of a workspace that belongs in the index, for a rebuild.
    live_ids: Callable[[Workspace], models.QuerySet[Any, int]]
    # Of these ids, those the actor may open (workspace, role visibility, not deleted).
    visible_ids: Callable[[User, Workspace, list[int]], set[int]]
    # The address of a record's page, or None while it has none.
    url: Callable[[Workspace, int], str | None]
    # Other types' records whose names this type's documents show (a contact shows its accounts' names):
    # {their object type: ids of those records -> ids of this type's records that show them}. When such
    # a record is renamed, deleted or restored, `search.services.index_related` brings those rows up to date.
    shows: Mapping[str, Callable[[list[int]], Iterable[int]]] = field(default_factory=dict)


def page_url(name: str) -> Callable[[Workspace, int], str | None]:
    """A record type's `url`: the page named `name` (with the workspace's slug and the record's pk), or None while it has none."""

    def url(workspace: Workspace, pk: int) -> str | None:
        try:
            return reverse(name, kwargs={"slug": workspace.slug, "pk": pk})
        except NoReverseMatch:  # the record's page comes with its app's web UI
            return None

    return url


_types: dict[str, RecordType] = {}


def register(record_type: RecordType) -> RecordType:
    """Make a type of record findable: index it and show its results in the search box and the API."""
    from amity.search import selectors

    _types[str(record_type.object_type)] = record_type
    global_search.register(
        global_search.SearchProvider(
            key=record_type.key,
            label=record_type.label,
            icon=record_type.icon,
            order=record_type.order,
            search=selectors.provider_for(record_type),
        )
    )
    return record_type


def record_type(object_type: str) -> RecordType:
    try:
        return _types[str(object_type)]
    except KeyError:
        raise LookupError(f"{object_type!r} is not a searchable record type; known: {', '.join(sorted(_types))}.") from None


def record_types() -> list[RecordType]:
    return sorted(_types.values(), key=lambda item: item.order)


def record_types_showing(object_type: str) -> list[RecordType]:
    """The record types whose documents show the names of records of `object_type`."""
    return [kind for kind in record_types() if str(object_type) in kind.shows]
