"""A contact's social profiles: handles or profile addresses in, one normalized handle per network out, the same from every door."""

from __future__ import annotations

from typing import Any

import pytest

from amity.core.models import AuditEntry
from amity.customers.cleaning import RecordChecks, clean_contacts
from amity.customers.models import Contact
from amity.customers.social import clean_social, profile

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ({"linkedin": "https://www.linkedin.com/in/ada-lovelace/?trk=public"}, {"linkedin": "ada-lovelace"}),
        ({"LinkedIn": "linkedin.com/in/ada-lovelace"}, {"linkedin": "ada-lovelace"}),
        ({"linkedin": " ada-lovelace "}, {"linkedin": "ada-lovelace"}),
        ({"twitter": "@ada_l"}, {"x": "ada_l"}),
        ({"x": "https://twitter.com/ada_l"}, {"x": "ada_l"}),
        ({"github": "github.com/ada"}, {"github": "ada"}),
        ({"youtube": "https://www.youtube.com/@adalovelace"}, {"youtube": "adalovelace"}),
        ({"mastodon": "@ada@Mastodon.Social"}, {"mastodon": "ada@mastodon.social"}),
        ({"mastodon": "https://hachyderm.io/@ada"}, {"mastodon": "ada@hachyderm.io"}),
        ({"bluesky": "@Ada.bsky.social"}, {"bluesky": "ada.bsky.social"}),
        ({"skype": " ada.l ", "github": ""}, {"skype": "ada.l"}),  # an unknown network keeps its text; an empty handle is dropped
        (None, {}),
    ],
)
def test_handles_and_profile_addresses_are_stored_as_handles(given: Any, stored: dict[str, str]) -> None:
    errors: dict[str, str] = {}
    assert clean_social(given, errors) == stored
    assert errors == {}


@pytest.mark.parametrize(
    ("given", "field", "message"),
    [
        ({"x": "not a handle!"}, "social.x", "X handles look like @name"),
        ({"linkedin": "https://example.com/in/ada"}, "social.linkedin", "the address of a profile on linkedin.com"),
        ({"mastodon": "ada"}, "social.mastodon", "@name@mastodon.social"),
        ({"Bad name": "ada"}, "social", "lower-case letters"),
        ({"twitter": "ada", "x": "ada2"}, "social.x", "one handle per network"),
        ({"skype": "a" * 201}, "social.skype", "at most 200"),
        ("ada", "social", "by network"),
    ],
)
def test_a_bad_handle_is_named_by_its_network(given: Any, field: str, message: str) -> None:
    errors: dict[str, str] = {}
    clean_social(given, errors)
    assert message in errors[field]


def test_a_handle_is_shown_with_its_network_and_profile_address() -> None:
    assert profile("linkedin", "ada-lovelace") == ("LinkedIn", "brand-linkedin", "ada-lovelace", "https://www.linkedin.com/in/ada-lovelace")
    assert profile("x", "ada_l") == ("X", "brand-x", "@ada_l", "https://x.com/ada_l")
    assert profile("mastodon", "ada@hachyderm.io")[3] == "https://hachyderm.io/@ada"
    assert profile("skype", "ada.l") == ("Skype", "world", "ada.l", "")  # an unknown network has no address to link to


def test_imports_check_social_handles_by_the_same_rules(workspace: Any) -> None:
    cleaned = clean_contacts(
        RecordChecks(workspace),
        [{"last_name": "A", "social": {"twitter": "@ada"}}, {"last_name": "B", "social": {"x": "a b"}}],
        [None, None],
    )
    assert cleaned.values[0]["social"] == {"x": "ada"} and cleaned.errors[0] == {}
    assert set(cleaned.errors[1]) == {"social.x"}


def test_the_api_normalizes_handles_and_names_a_bad_one(api: Any) -> None:
    created = api.post("/api/v1/contacts", {"first_name": "Ada", "social": {"LinkedIn": "https://www.linkedin.com/in/ada-lovelace/"}})
    assert created.status_code == 201, created.content
    contact = created.json()
    assert contact["social"] == {"linkedin": "ada-lovelace"}

    refused = api.patch(f"/api/v1/contacts/{contact['id']}", {"social": {"x": "https://x.com/no such handle!"}})
    assert refused.status_code == 422
    assert [error["field"] for error in refused.json()["errors"]] == ["social.x"]
    assert Contact.objects.get(pk=contact["id"]).social == {"linkedin": "ada-lovelace"}

    patched = api.patch(f"/api/v1/contacts/{contact['id']}", {"social": {"linkedin": "ada-lovelace", "twitter": "@ada"}})
    assert patched.json()["social"] == {"linkedin": "ada-lovelace", "x": "ada"}
    change = AuditEntry.objects.filter(object_type="customers.contact", action="update").latest("pk")
    assert change.changes["social"] == [{"linkedin": "ada-lovelace"}, {"linkedin": "ada-lovelace", "x": "ada"}]
