"""The portal's help: public, published articles searched and read by anyone; drafts, internal and other workspaces' articles never."""

from __future__ import annotations

import pytest
from django.test import Client

from amity.core.models import Workspace
from amity.core.permissions import Role
from amity.service.kb import services as kb
from amity.service.models import Article
from amity.service.portal.models import PortalAccess
from tests.factories import member
from tests.service.portal.conftest import sign_in


def _article(workspace: Workspace, title: str, *, visibility: str = "public", publish: bool = True) -> Article:
    editor = member(workspace, Role.MANAGER)
    article = kb.article_create(
        actor=editor, workspace=workspace, data={"title": title, "body": f"<p>{title}: how it works.</p>", "visibility": visibility}
    )
    if publish:
        kb.article_submit(actor=editor, article=article)
        article = kb.article_publish(actor=editor, article=article)
    return article


@pytest.fixture
def shelf(workspace: Workspace) -> dict[str, Article]:
    return {
        "refund": _article(workspace, "When will I get my refund?"),
        "internal": _article(workspace, "Refund approval for agents", visibility="internal"),
        "draft": _article(workspace, "Refund draft", publish=False),
    }


def test_anyone_searches_the_public_articles(shelf: dict[str, Article], workspace: Workspace, other_workspace: Workspace) -> None:
    _article(other_workspace, "Refund elsewhere")

    page = Client().get("/portal/acme/help/?q=refund")

    assert page.status_code == 200
    html = page.content.decode()
    assert "When will I get my refund?" in html and "1 article for" in html
    assert "for agents" not in html and "Refund draft" not in html and "elsewhere" not in html
    assert "Sign in" in html


def test_an_article_reads_in_full_and_hidden_ones_are_404(shelf: dict[str, Article], other_workspace: Workspace) -> None:
    client = Client()
    theirs = _article(other_workspace, "Their refund")

    assert "how it works." in client.get(f"/portal/acme/help/{shelf['refund'].slug}/").content.decode()
    assert client.get(f"/portal/acme/help/{shelf['internal'].slug}/").status_code == 404
    assert client.get(f"/portal/acme/help/{shelf['draft'].slug}/").status_code == 404
    assert client.get(f"/portal/acme/help/{theirs.slug}/").status_code == 404


def test_a_signed_in_customer_sees_help_in_the_portal_nav(shelf: dict[str, Article], workspace: Workspace, invited: PortalAccess) -> None:
    client = sign_in(workspace, invited)

    html = client.get("/portal/acme/help/").content.decode()

    assert 'href="/portal/acme/help/"' in html and "Sign out" in html
    assert "When will I get my refund?" in html
