"""Articles in Markdown: rendered with markdown-it-py and cleaned with nh3 for every reader, older HTML bodies still
rendering as before, the plain text of search, diffs and replies, the API's `body` and `body_html`."""

from __future__ import annotations

import importlib
import re
from typing import Any

import pytest
from django.apps import apps

from amity.activities.services import sanitize
from amity.core.models import User, Workspace
from amity.core.permissions import Role
from amity.service.kb import services
from amity.service.kb.diff import version_diff
from amity.service.kb.rendering import article_html, article_text
from amity.service.models import Article
from tests.factories import member

ARTICLE = """## Before you start

You need the **hex key** from the box and *ten minutes*.

1. Turn the chair over.
2. Tighten the two screws.

- [Order a new key](https://shop.acme.test/keys)
- Write to <help@acme.test>

Use `M6` screws:

```
M6 x 20 mm
```

> Never overtighten."""


@pytest.fixture
def editor(workspace: Workspace) -> User:
    return member(workspace, Role.MANAGER, email="erin@acme.test", full_name="Erin Editor")


def test_markdown_renders_headings_emphasis_lists_links_code_and_quotes() -> None:
    html = article_html(ARTICLE)

    assert html.startswith("<h2>Before you start</h2>")
    assert "<p>You need the <strong>hex key</strong> from the box and <em>ten minutes</em>.</p>" in html
    assert "<ol>\n<li>Turn the chair over.</li>\n<li>Tighten the two screws.</li>\n</ol>" in html
    assert '<li><a href="https://shop.acme.test/keys" rel="noopener noreferrer nofollow">Order a new key</a></li>' in html
    assert '<a href="mailto:help@acme.test" rel="noopener noreferrer nofollow">help@acme.test</a>' in html
    assert "<p>Use <code>M6</code> screws:</p>" in html and "<pre><code>M6 x 20 mm\n</code></pre>" in html
    assert "<blockquote>\n<p>Never overtighten.</p>\n</blockquote>" in html
    assert "<table>" in article_html("| Size | Key |\n| --- | --- |\n| M6 | 4 mm |")


@pytest.mark.parametrize(
    "attack",
    [
        "<script>alert(1)</script>Hello",
        "Hello <script src='https://evil.test/x.js'></script>",
        "[Hello](javascript:alert(1))",
        "[Hello](JaVaScRiPt:alert(1))",
        '<a href="javascript:alert(1)">Hello</a>',
        "<img src=x onerror=alert(1)>Hello",
        '<p onclick="alert(1)" onmouseover="alert(2)">Hello</p>',
        '<svg onload="alert(1)"><circle/></svg>Hello',
        '<iframe src="https://evil.test"></iframe>Hello',
        "<style>body{display:none}</style>Hello",
        "![Hello](javascript:alert(1))",
        "[Hello](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    ],
)
def test_anything_that_runs_is_removed_from_what_readers_get(attack: str) -> None:
    html = article_html(attack)

    tags = re.findall(r"<[^>]+>", html)
    assert [tag for tag in tags if re.search(r"\son\w+\s*=|javascript:|data:|^<(script|iframe|style|svg|img)", tag, re.IGNORECASE)] == []
    assert "<script" not in html and "alert(1)</" not in html  # no script and no script's text
    assert "Hello" in html  # the words stay (a refused link as its harmless text)


LEGACY_BODIES = [
    "<p>Use a 4 mm hex key.</p>",
    "<h2>Returns</h2><p>Send it <strong>back</strong> within 30 days.</p><ul><li>Print the label.</li><li>Book a pickup.</li></ul>",
    "<h2>What you need</h2>\n<p>The hex key from the box.</p>\n<h2>Steps</h2>\n<ul><li>Tighten the arm screws.</li></ul>",
    "<p>Three to five working days.</p>\n\n<p>By courier, *tracked*.</p>",
    '<table><thead><tr><th>Size</th></tr></thead><tbody><tr><td>M6</td></tr></tbody></table><p><a href="https://acme.test">Shop</a></p>',
    "<p>Call <em>us</em> &amp; ask.<br>We answer.</p>",
]


@pytest.mark.parametrize("body", LEGACY_BODIES)
def test_bodies_written_in_html_before_markdown_render_as_they_did(body: str) -> None:
    assert article_html(body).replace("\n", "") == sanitize(body).replace("\n", "")


def test_plain_text_reads_like_the_article_for_search_diffs_and_replies() -> None:
    assert article_text(ARTICLE, links=True) == (
        "Before you start\n\n"
        "You need the hex key from the box and ten minutes.\n\n"
        "1. Turn the chair over.\n2. Tighten the two screws.\n\n"
        "- Order a new key (https://shop.acme.test/keys)\n- Write to help@acme.test\n\n"
        "Use M6 screws:\n\nM6 x 20 mm\n\nNever overtighten."
    )
    assert "https://" not in article_text(ARTICLE)  # search and diffs read the words only
    assert article_text(LEGACY_BODIES[1]) == "Returns\n\nSend it back within 30 days.\n\n- Print the label.\n- Book a pickup."


def test_an_article_keeps_its_markdown_and_publishes_searchable_text(agent: User, editor: User, workspace: Workspace) -> None:
    article = services.article_create(actor=agent, workspace=workspace, data={"title": "Chair arm", "body": ARTICLE.replace("\n", "\r\n")})
    assert article.body == ARTICLE  # the source, line endings made plain; rendered when shown
    services.article_publish(actor=editor, article=article)
    article.refresh_from_db()
    assert "hex key" in article.search_text and "**" not in article.search_text and "##" not in article.search_text


def test_an_article_whose_markdown_shows_nothing_is_refused(agent: User, workspace: Workspace) -> None:
    for body in ("<script>x()</script>", "   ", "<img src=x onerror=alert(1)>"):
        with pytest.raises(Exception) as error:
            services.article_create(actor=agent, workspace=workspace, data={"title": "Empty", "body": body})
        assert error.value.message_dict == {"body": ["Write the article."]}  # type: ignore[attr-defined]
    assert not Article.objects.exists()


def test_the_version_diff_compares_the_rendered_words(agent: User, workspace: Workspace) -> None:
    article = services.article_create(
        actor=agent, workspace=workspace, data={"title": "Delivery", "body": "## Times\n\nThree to **five** days."}
    )
    services.article_update(actor=agent, article=article, data={"body": "## Times\n\nThree to **six** days."})
    older, newer = article.versions.order_by("number")

    body = version_diff(older, newer)["body"]

    assert [(line.kind, "".join(text for _, text in line.parts)) for line in body] == [
        ("same", "Times"),
        ("removed", "Three to five days."),
        ("added", "Three to six days."),
    ]


def test_a_legacy_html_version_and_a_markdown_one_compare_by_their_words(agent: User, workspace: Workspace) -> None:
    article = services.article_create(
        actor=agent, workspace=workspace, data={"title": "Delivery", "body": "<p>Three days.</p><ul><li>By courier.</li></ul>"}
    )
    services.article_update(actor=agent, article=article, data={"body": "Three days.\n\n- By post."})
    older, newer = article.versions.order_by("number")

    kinds = [(line.kind, "".join(text for _, text in line.parts)) for line in version_diff(older, newer)["body"]]

    assert kinds == [("same", "Three days."), ("removed", "- By courier."), ("added", "- By post.")]


def test_the_migration_indexes_the_working_copies_written_before_it(agent: User, workspace: Workspace) -> None:
    article = services.article_create(
        actor=agent, workspace=workspace, data={"title": "Café chairs", "body": "<p>Wipe with a <b>damp</b> cloth.</p>"}
    )
    Article.objects.filter(pk=article.pk).update(working_search_title="", working_search_text="")
    migration = importlib.import_module("amity.service.migrations.0011_kb_markdown_search_and_sent_articles")

    migration.index_working_copies(apps, None)

    article.refresh_from_db()
    assert (article.working_search_title, article.working_search_text) == ("cafe chairs", "cafe chairs wipe with a damp cloth")


def test_the_api_takes_markdown_and_gives_it_back_with_its_html(api_as: Any, agent: User, workspace: Workspace) -> None:
    client = api_as(agent, workspace)

    created = client.post("/api/v1/kb/articles", {"title": "Keys", "body": "Use the **hex** key.\n\n<script>x()</script>"})
    assert created.status_code == 201
    assert created.json()["body"] == "Use the **hex** key.\n\n<script>x()</script>"  # the writer's source, shown escaped
    assert created.json()["body_html"] == "<p>Use the <strong>hex</strong> key.</p>"
    article_id = created.json()["id"]

    changed = client.patch(f"/api/v1/kb/articles/{article_id}", {"body": "- one\n- two"}).json()
    assert (changed["body"], changed["body_html"]) == ("- one\n- two", "<ul>\n<li>one</li>\n<li>two</li>\n</ul>")
    versions = client.get(f"/api/v1/kb/articles/{article_id}/versions").json()
    assert [version["body_html"] for version in versions] == [
        "<ul>\n<li>one</li>\n<li>two</li>\n</ul>",
        "<p>Use the <strong>hex</strong> key.</p>",
    ]
    refused = client.post("/api/v1/kb/articles", {"title": "Nothing", "body": "<script>x()</script>"})
    assert refused.status_code == 422 and "Write the article." in refused.content.decode()
    assert Article.objects.filter(workspace=workspace).count() == 1
