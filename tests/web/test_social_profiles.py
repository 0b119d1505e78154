"""The Social profiles card of a contact's page: shown as links, edited in place by the rules the API uses."""

from __future__ import annotations

from typing import Any

import pytest

from amity.core.models import AuditEntry
from amity.core.permissions import Role
from amity.customers import services
from amity.customers.models import Contact
from tests.factories import member

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def ada(admin: Any, workspace: Any) -> Contact:
    return services.contact_create(
        actor=admin,
        workspace=workspace,
        data={"first_name": "Ada", "last_name": "Lovelace", "social": {"linkedin": "ada-lovelace", "skype": "ada.l"}},
    )


def test_the_card_links_each_profile(client_as: Any, rep: Any, ada: Contact) -> None:
    content = client_as(rep).get(f"/w/acme/contacts/{ada.pk}/").content.decode()
    card = content.split('id="profile-social"')[1].split("</section>")[0]
    assert "Social profiles" in card and f'hx-get="/w/acme/contacts/{ada.pk}/profile/social/edit/"' in card
    assert '<i class="ti ti-brand-linkedin me-1" aria-hidden="true"></i>LinkedIn' in card
    assert '<a href="https://www.linkedin.com/in/ada-lovelace" target="_blank" rel="noopener noreferrer">ada-lovelace</a>' in card
    assert "Skype" in card and "ada.l" in card  # a network the API wrote, shown without a link


def test_profiles_are_edited_in_place_and_normalized(client_as: Any, rep: Any, ada: Contact) -> None:
    client = client_as(rep)
    url = f"/w/acme/contacts/{ada.pk}/profile/social/edit/"
    form = client.get(url, headers=HTMX).content.decode()
    assert 'name="social-handle" value="ada-lovelace"' in form and '<option value="skype" selected>Skype</option>' in form
    added = client.post(
        url, {"social-network": ["linkedin", "skype"], "social-handle": ["ada-lovelace", "ada.l"], "add": "social"}, headers=HTMX
    )
    assert added.content.decode().count('name="social-handle"') == 3 and '<option value="x" selected>' in added.content.decode()

    data = {"social-network": ["linkedin", "skype", "x"], "social-handle": ["https://www.linkedin.com/in/countess-ada/", "", "@ada_l"]}
    saved = client.post(url, data, headers=HTMX)
    assert saved.status_code == 200 and saved["HX-Trigger"] == "amity:timeline-refresh"
    assert '<a href="https://x.com/ada_l" target="_blank" rel="noopener noreferrer">@ada_l</a>' in saved.content.decode()
    ada.refresh_from_db()
    assert ada.social == {"linkedin": "countess-ada", "x": "ada_l"}  # a cleared line is removed
    change = AuditEntry.objects.filter(object_type="customers.contact", action="update").latest("pk")
    assert change.door == "web" and change.changes["social"][1] == {"linkedin": "countess-ada", "x": "ada_l"}


def test_a_bad_handle_is_named_on_its_line_and_nothing_changes(client_as: Any, rep: Any, ada: Contact) -> None:
    client = client_as(rep)
    url = f"/w/acme/contacts/{ada.pk}/profile/social/edit/"
    before = AuditEntry.objects.count()
    bad = client.post(url, {"social-network": ["linkedin", "x"], "social-handle": ["ada-lovelace", "not a handle!"]}, headers=HTMX)
    assert bad.status_code == 422
    content = bad.content.decode()
    assert 'value="not a handle!"' in content and "X handles look like @name" in content
    assert content.index("X handles") > content.index('value="not a handle!"')  # under its own line
    twice = client.post(url, {"social-network": ["linkedin", "linkedin"], "social-handle": ["ada", "ada-l"]}, headers=HTMX)
    assert twice.status_code == 422 and "Give one profile per network." in twice.content.decode()
    ada.refresh_from_db()
    assert ada.social == {"linkedin": "ada-lovelace", "skype": "ada.l"} and AuditEntry.objects.count() == before


def test_a_viewer_and_another_workspace_change_nothing(
    client_as: Any, viewer_of: Any, admin: Any, other_workspace: Any, ada: Contact
) -> None:
    viewer = viewer_of(ada.workspace)
    page = client_as(viewer).get(f"/w/acme/contacts/{ada.pk}/").content.decode()
    assert "ada-lovelace" in page and "/profile/social/edit/" not in page
    data = {"social-network": ["x"], "social-handle": ["hacked"]}
    assert client_as(viewer).post(f"/w/acme/contacts/{ada.pk}/profile/social/edit/", data, headers=HTMX).status_code == 403

    stranger = member(other_workspace, Role.OWNER)
    theirs = services.contact_create(actor=stranger, workspace=other_workspace, data={"first_name": "Hank", "social": {"x": "hank"}})
    for slug in ("acme", "globex"):
        base = f"/w/{slug}/contacts/{theirs.pk}/profile/social/"
        assert client_as(admin).get(base, headers=HTMX).status_code == 404
        assert client_as(admin).get(base + "edit/", headers=HTMX).status_code == 404
        assert client_as(admin).post(base + "edit/", data, headers=HTMX).status_code == 404
    assert client_as(admin).get(f"/w/acme/accounts/{ada.pk}/profile/social/edit/").status_code == 404  # accounts have no such card
    ada.refresh_from_db()
    theirs.refresh_from_db()
    assert ada.social == {"linkedin": "ada-lovelace", "skype": "ada.l"} and theirs.social == {"x": "hank"}


@pytest.fixture
def viewer_of() -> Any:
    return lambda workspace: member(workspace, Role.VIEWER, email="vic@acme.test")
