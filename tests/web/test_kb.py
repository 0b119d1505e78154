"""The knowledge-base pages: the list (filters, search, pages), an article, the editor and its preview, review, history, categories."""

from __future__ import annotations

from typing import Any

import pytest

from amity.core.models import AuditEntry, User, Workspace
from amity.core.permissions import Role
from amity.service.kb import services
from amity.service.models import Article, ArticleCategory, ArticleVersion
from tests.factories import member

HTMX = {"HX-Request": "true"}


@pytest.fixture
def editor(workspace: Workspace) -> User:
    return member(workspace, Role.MANAGER, email="erin@acme.test", full_name="Erin Editor")


def _draft(actor: User, workspace: Workspace, title: str, body: str = "<p>Text.</p>", **data: Any) -> Article:
    return services.article_create(actor=actor, workspace=workspace, data={"title": title, "body": body, **data})


def _published(writer: User, editor: User, workspace: Workspace, title: str, body: str, **data: Any) -> Article:
    article = _draft(writer, workspace, title, body, **data)
    services.article_submit(actor=writer, article=article)
    return services.article_publish(actor=editor, article=article)


def test_the_list_filters_by_status_visibility_category_and_writer(client_as: Any, agent: User, editor: User, workspace: Workspace) -> None:
    shelf = services.category_save(actor=editor, workspace=workspace, name="Returns")
    _draft(agent, workspace, "Agent's internal draft")
    _published(editor, editor, workspace, "Editor's public answer", "<p>Send it back.</p>", visibility="public", category_id=shelf.pk)
    client = client_as(agent)

    def titles(query: str) -> list[str]:
        html = client.get(f"/w/acme/kb/{query}").content.decode()
        return [title for title in ("Agent's internal draft", "Editor's public answer") if title.replace("'", "&#x27;") in html]

    assert titles("") == ["Agent's internal draft", "Editor's public answer"]
    assert titles("?status=draft") == ["Agent's internal draft"]
    assert titles("?status=published") == ["Editor's public answer"]
    assert titles("?visibility=public") == ["Editor's public answer"]
    assert titles(f"?category={shelf.pk}") == ["Editor's public answer"]
    assert titles(f"?author={agent.pk}") == ["Agent's internal draft"]
    assert titles("?status=bogus&author=x") == ["Agent's internal draft", "Editor's public answer"]


def test_the_search_finds_every_article_best_first_and_keeps_the_status_filter(
    client_as: Any, agent: User, editor: User, workspace: Workspace
) -> None:
    _published(agent, editor, workspace, "Returns", "<p>How to send a chair back.</p>")
    _published(agent, editor, workspace, "Chair assembly", "<p>Screw the arms on.</p>")
    _draft(agent, workspace, "Oiling a chair", "Oil the **wheels**.")
    client = client_as(agent)

    html = client.get("/w/acme/kb/?q=chair").content.decode()

    assert html.index("Chair assembly") < html.index("Returns")  # a title hit ranks above a body hit
    assert "Oiling a chair" in html and "best match first" in html
    drafts = client.get("/w/acme/kb/?q=chair&status=draft").content.decode()
    assert "Oiling a chair" in drafts and "Chair assembly" not in drafts
    assert 'id="kb-status"' in drafts and '<option value="draft" selected>' in drafts
    assert "Oiling a chair" in client.get("/w/acme/kb/?q=wheels").content.decode()  # the text, without its Markdown marks


def test_the_editor_writes_markdown_with_a_toolbar_and_a_live_preview(client_as: Any, agent: User, workspace: Workspace) -> None:
    client = client_as(agent)

    editor_page = client.get("/w/acme/kb/new/").content.decode()
    for button in ("Heading", "Bold", "Italic", "Link", "Bulleted list", "Numbered list", "Code", "Quote"):
        assert f'aria-label="{button}"' in editor_page
    assert "data-markdown-editor" in editor_page and "Markdown:" in editor_page

    preview = client.post("/w/acme/kb/preview/", {"body": "## Steps\n\n1. **Tighten**\n\n[x](javascript:alert(1))"}, headers=HTMX)
    html = preview.content.decode()
    assert "<h2>Steps</h2>" in html and "<li><strong>Tighten</strong></li>" in html and 'href="javascript' not in html

    client.post("/w/acme/kb/new/", {"title": "Arm", "visibility": "internal", "category_id": "", "body": "Use a *hex* key."})
    article = Article.objects.get(workspace=workspace, title="Arm")
    assert article.body == "Use a *hex* key."
    assert "<p>Use a <em>hex</em> key.</p>" in client.get(f"/w/acme/kb/{article.pk}/").content.decode()
    assert "Use a *hex* key.</textarea>" in client.get(f"/w/acme/kb/{article.pk}/edit/").content.decode()


def test_the_help_pages_show_the_markdown_rendered_and_summarised(agent: User, editor: User, workspace: Workspace, client: Any) -> None:
    article = _published(agent, editor, workspace, "Keys", "## Which key\n\nThe **4 mm** hex key.", visibility="public")

    listed = client.get("/portal/acme/help/").content.decode()
    page = client.get(f"/portal/acme/help/{article.slug}/").content.decode()

    assert "Which key The 4 mm hex key." in listed and "**" not in listed
    assert "<h2>Which key</h2>" in page and "<strong>4 mm</strong>" in page


def test_the_list_pages_with_a_constant_number_of_queries(
    client_as: Any, agent: User, editor: User, workspace: Workspace, queries_of: Any
) -> None:
    shelf = services.category_save(actor=editor, workspace=workspace, name="Care")
    for number in range(2):
        _published(agent, editor, workspace, f"Article {number}", "<p>Text.</p>", category_id=shelf.pk)
    client = client_as(agent)
    client.get("/w/acme/kb/")
    few = queries_of(client, "/w/acme/kb/")
    for number in range(2, 60):
        _published(agent if number % 2 else editor, editor, workspace, f"Article {number}", "<p>Text.</p>", category_id=shelf.pk)

    assert queries_of(client, "/w/acme/kb/") == few
    html = client.get("/w/acme/kb/").content.decode()
    assert html.count('href="/w/acme/kb/') >= 50 and "Load more" in html
    cursor = html.split("cursor=")[1].split('"')[0]
    more = client.get(f"/w/acme/kb/?cursor={cursor}", headers=HTMX).content.decode()
    assert "Article 0" in more and "<html" not in more


def test_writing_an_article_with_preview_then_review_and_publish(client_as: Any, agent: User, editor: User, workspace: Workspace) -> None:
    writer = client_as(agent)
    preview = writer.post("/w/acme/kb/preview/", {"body": "<h2>Steps</h2><p onclick='x()'>Tighten</p><script>x()</script>"}, headers=HTMX)
    assert preview.status_code == 200
    assert "<h2>Steps</h2><p>Tighten</p>" in preview.content.decode() and "script" not in preview.content.decode()

    response = writer.post(
        "/w/acme/kb/new/", {"title": "Loose arm", "visibility": "public", "category_id": "", "body": "<p>Tighten it.</p>"}
    )
    article = Article.objects.get(workspace=workspace, title="Loose arm")
    assert response.status_code == 302 and response["Location"] == f"/w/acme/kb/{article.pk}/"
    assert "Send for review" in writer.get(f"/w/acme/kb/{article.pk}/").content.decode()
    writer.post(f"/w/acme/kb/{article.pk}/submit/")
    assert writer.get("/w/acme/kb/review/").status_code == 403  # writers do not review

    reviewer = client_as(editor)
    queue = reviewer.get("/w/acme/kb/review/").content.decode()
    assert "Loose arm" in queue
    reviewer.post(f"/w/acme/kb/{article.pk}/publish/", {"next": "review"})
    article.refresh_from_db()
    assert article.status == "published" and article.published_version is not None
    assert "Nothing to review" in reviewer.get("/w/acme/kb/review/").content.decode()


def test_a_reviewer_sends_an_article_back_with_a_comment(client_as: Any, agent: User, editor: User, workspace: Workspace) -> None:
    article = _draft(agent, workspace, "Delivery")
    services.article_submit(actor=agent, article=article)

    refused = client_as(editor).post(f"/w/acme/kb/{article.pk}/request-changes/", {"note": "  "})
    article.refresh_from_db()
    assert refused.status_code == 302 and article.status == "in_review"

    client_as(editor).post(f"/w/acme/kb/{article.pk}/request-changes/", {"note": "Give the days."})
    article.refresh_from_db()
    assert (article.status, article.review_note) == ("draft", "Give the days.")
    assert "Give the days." in client_as(agent).get(f"/w/acme/kb/{article.pk}/").content.decode()


def test_the_editor_shows_the_services_errors_and_saves_nothing(client_as: Any, agent: User, workspace: Workspace) -> None:
    response = client_as(agent).post("/w/acme/kb/new/", {"title": "Empty", "visibility": "public", "body": "<script>x()</script>"})

    assert response.status_code == 422
    assert "Write the article." in response.content.decode()
    assert not Article.objects.filter(workspace=workspace).exists()


def test_editing_keeps_versions_and_the_history_shows_the_difference(client_as: Any, agent: User, workspace: Workspace) -> None:
    article = _draft(agent, workspace, "Delivery", "<p>Three to five working days.</p><p>By courier.</p>")
    client = client_as(agent)
    client.post(
        f"/w/acme/kb/{article.pk}/edit/",
        {
            "title": "Delivery times",
            "visibility": "internal",
            "category_id": "",
            "body": "<p>Two to four working days.</p><p>By courier.</p>",
        },
    )

    html = client.get(f"/w/acme/kb/{article.pk}/history/").content.decode()

    assert "<del>Three</del> to <del>five</del> working days." in html
    assert "<ins>Two</ins> to <ins>four</ins> working days." in html
    assert "Delivery<ins> times</ins>" in html
    assert "By courier." in html  # kept as context
    first = article.versions.get(number=1)
    client.post(f"/w/acme/kb/{article.pk}/versions/{first.pk}/restore/")
    article.refresh_from_db()
    assert (article.title, article.versions.count()) == ("Delivery", 3)


def test_categories_are_added_and_renamed_by_those_who_publish(client_as: Any, agent: User, editor: User, workspace: Workspace) -> None:
    assert client_as(agent).post("/w/acme/kb/categories/", {"name": "Returns", "position": 1}).status_code == 403
    client_as(editor).post("/w/acme/kb/categories/", {"name": "Returns", "position": 1})
    shelf = ArticleCategory.objects.get(workspace=workspace)
    clash = client_as(editor).post("/w/acme/kb/categories/", {"name": "returns", "position": 2})
    assert clash.status_code == 422 and "already a category" in clash.content.decode()

    client_as(editor).post(f"/w/acme/kb/categories/{shelf.pk}/", {"edit-name": "Returns and refunds", "edit-position": 3})
    shelf.refresh_from_db()
    assert (shelf.name, shelf.position) == ("Returns and refunds", 3)
    assert "Returns and refunds" in client_as(agent).get("/w/acme/kb/categories/").content.decode()


def test_a_salesperson_reads_but_does_not_write(client_as: Any, rep: User, agent: User, workspace: Workspace) -> None:
    article = _draft(agent, workspace, "Delivery")
    client = client_as(rep)

    assert client.get(f"/w/acme/kb/{article.pk}/").status_code == 200
    assert client.get("/w/acme/kb/new/").status_code == 403
    assert client.post(f"/w/acme/kb/{article.pk}/edit/", {"title": "Mine", "visibility": "public", "body": "<p>x</p>"}).status_code == 403
    assert client.post(f"/w/acme/kb/{article.pk}/submit/").status_code == 403
    article.refresh_from_db()
    assert (article.title, article.status) == ("Delivery", "draft")


@pytest.mark.parametrize(
    ("method", "suffix"),
    [
        ("get", ""),
        ("get", "edit/"),
        ("post", "edit/"),
        ("get", "history/"),
        ("post", "submit/"),
        ("post", "publish/"),
        ("post", "archive/"),
        ("post", "request-changes/"),
    ],
)
def test_another_workspaces_article_is_a_404_and_nothing_changes(
    client_as: Any, admin: User, other_workspace: Workspace, method: str, suffix: str
) -> None:
    theirs_writer = member(other_workspace, Role.MANAGER, email="m@globex.test")
    theirs = _draft(theirs_writer, other_workspace, "Theirs")
    services.article_submit(actor=theirs_writer, article=theirs)
    audit = AuditEntry.objects.filter(workspace=other_workspace).count()

    form = {"title": "Mine", "visibility": "public", "body": "<p>x</p>", "note": "no"}
    response = getattr(client_as(admin), method)(f"/w/acme/kb/{theirs.pk}/{suffix}", form)

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert (theirs.title, theirs.status) == ("Theirs", "in_review")
    assert AuditEntry.objects.filter(workspace=other_workspace).count() == audit


def test_another_workspaces_version_and_category_are_404s(
    client_as: Any, admin: User, workspace: Workspace, other_workspace: Workspace
) -> None:
    theirs_writer = member(other_workspace, Role.MANAGER, email="m@globex.test")
    theirs = _draft(theirs_writer, other_workspace, "Theirs")
    shelf = services.category_save(actor=theirs_writer, workspace=other_workspace, name="Theirs")
    mine = _draft(admin, workspace, "Mine")
    their_version = ArticleVersion.objects.get(article=theirs)
    client = client_as(admin)

    assert client.post(f"/w/acme/kb/{mine.pk}/versions/{their_version.pk}/restore/").status_code == 404
    assert client.post(f"/w/acme/kb/{theirs.pk}/versions/{their_version.pk}/restore/").status_code == 404
    assert client.post(f"/w/acme/kb/categories/{shelf.pk}/", {"edit-name": "Stolen", "edit-position": 0}).status_code == 404
    assert (
        client.post("/w/acme/kb/new/", {"title": "X", "visibility": "public", "category_id": str(shelf.pk), "body": "<p>x</p>"}).status_code
        == 422
    )
    shelf.refresh_from_db()
    assert shelf.name == "Theirs" and mine.versions.count() == 1
