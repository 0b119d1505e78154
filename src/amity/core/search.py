"""Global search: one box in the shell, one provider per kind of record.

An app makes its records findable by registering a `SearchProvider` (usually in its
`AppConfig.ready()`): a type key, a label and an icon for the result group, and a function
`(actor, workspace, query, limit) -> list[SearchResult]` that reads through the app's own
selectors, so a result is never something the actor could not open.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.urls import reverse

from amity.core import selectors
from amity.core.access import allowed
from amity.core.models import User, Workspace
from amity.core.permissions import Action, ObjectType

MIN_QUERY_LENGTH = 2
MAX_QUERY_LENGTH = 100


@dataclass(frozen=True)
class SearchResult:
    title: str
    subtitle: str
    url: str | None  # None while the record has no page of its own
    id: int | None = None


SearchFunction = Callable[[User, Workspace, str, int], list[SearchResult]]


@dataclass(frozen=True)
class SearchProvider:
    key: str
    label: str
    icon: str  # a Tabler icon name, e.g. "users"
    search: SearchFunction
    order: int = 100


@dataclass(frozen=True)
class SearchGroup:
    provider: SearchProvider
    results: list[SearchResult]


_providers: dict[str, SearchProvider] = {}


def register(provider: SearchProvider) -> SearchProvider:
    """Add (or replace, by key) a kind of record to the global search."""
    _providers[provider.key] = provider
    return provider


def providers() -> list[SearchProvider]:
    return sorted(_providers.values(), key=lambda provider: (provider.order, provider.label))


def provider_keys() -> list[str]:
    return [provider.key for provider in providers()]


def _type_key(name: str) -> str:
    # "contact" and "contacts" both name the contacts group.
    return name.strip().lower().removesuffix("s")


def search(*, actor: User, workspace: Workspace, query: str, limit: int = 5, types: Collection[str] | None = None) -> list[SearchGroup]:
    """Ask every provider (or those of `types`) for its best `limit` matches; groups with no match are left out."""
    query = " ".join(query.split())[:MAX_QUERY_LENGTH]
    if len(query) < MIN_QUERY_LENGTH:
        return []
    wanted = {_type_key(name) for name in types} if types else None
    groups = []
    for provider in providers():
        if wanted is not None and _type_key(provider.key) not in wanted:
            continue
        try:
            results = provider.search(actor, workspace, query, limit)
        except PermissionDenied:
            continue
        if results:
            groups.append(SearchGroup(provider=provider, results=results[:limit]))
    return groups


# --- Core's own providers: members and teams -----------------------------------------------------


def _search_members(actor: User, workspace: Workspace, query: str, limit: int) -> list[SearchResult]:
    memberships = selectors.membership_list(actor=actor, workspace=workspace).filter(
        Q(user__full_name__icontains=query) | Q(user__email__icontains=query)
    )
    url = reverse("settings_members", kwargs={"slug": workspace.slug})
    return [
        SearchResult(
            title=membership.user.display_name,
            subtitle=f"{membership.user.email} · {membership.get_role_display()}",
            url=f"{url}#member-{membership.pk}",
            id=membership.pk,
        )
        for membership in memberships.order_by("user__full_name", "user__email")[:limit]
    ]


def _search_teams(actor: User, workspace: Workspace, query: str, limit: int) -> list[SearchResult]:
    teams = selectors.team_list(actor=actor, workspace=workspace).filter(name__icontains=query).order_by("name")[:limit]
    may_edit = allowed(actor, workspace, Action.CHANGE, ObjectType.TEAM)
    results = []
    for team in teams:
        count = len(team.members.all())
        manager = f" · managed by {team.manager.display_name}" if team.manager else ""
        if may_edit:
            url = reverse("settings_team_edit", kwargs={"slug": workspace.slug, "pk": team.pk})
        else:
            url = reverse("settings_teams", kwargs={"slug": workspace.slug}) + f"#team-{team.pk}"
        results.append(SearchResult(title=team.name, subtitle=f"{count} member{'s' if count != 1 else ''}{manager}", url=url, id=team.pk))
    return results


register(SearchProvider(key="members", label="Members", icon="user", search=_search_members, order=10))
register(SearchProvider(key="teams", label="Teams", icon="users-group", search=_search_teams, order=20))
