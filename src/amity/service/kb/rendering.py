"""An article's text: written in Markdown, shown as clean HTML, read as plain text.

One path for every reader: `article_html` renders the Markdown source with markdown-it-py (CommonMark, plus tables
and strikethrough) and cleans the result with nh3 and the tags the rest of Amity keeps, so the portal, the staff
page, the editor's live preview and the version diff all show the same thing. Markdown lets HTML through; that is
how articles written before the Markdown editor (stored as HTML) keep rendering as they did: their tags pass through
the renderer and the cleaner keeps the formatting and drops anything that runs, exactly as the old HTML cleaner did.
`article_text` reads the same HTML as plain text (search, diffs, the reply an agent inserts, summaries).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import nh3
from markdown_it import MarkdownIt

from amity.activities.services import ALLOWED_TAGS

MARKDOWN = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
PARAGRAPH_TAGS = frozenset({"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table", "ul", "ol", "hr"})
SPACES = re.compile(r"\s+")
EXTRA_LINES = re.compile(r"\n{3,}")  # a code block's own last newline meets the paragraph break after it
EXTRA_SPACE = re.compile(r" +\| ")  # the space between two table cells' tags meets the separator


def article_html(source: str) -> str:
    """The article's Markdown as the HTML readers see: formatting kept; scripts, event handlers, javascript: links removed."""
    # The same cleaning as amity.activities.services.sanitize, without its limit on the input (rendered HTML is longer).
    return nh3.clean(
        MARKDOWN.render(source), tags=ALLOWED_TAGS, link_rel="noopener noreferrer nofollow", url_schemes={"http", "https", "mailto", "tel"}
    ).strip()


class _PlainText(HTMLParser):
    """Cleaned article HTML as text: blank lines between paragraphs, list items on their own lines with - or 1."""

    def __init__(self, *, links: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.links = links
        self.out: list[str] = []
        self.breaks = 0  # newlines owed before the next words
        self.prefix = ""  # what the next words start with: a list marker or a cell separator
        self.lists: list[int | None] = []  # per open list: the last number of an <ol>, None for <ul>
        self.cells = 0
        self.in_pre = 0
        self.link: tuple[str, int] | None = None  # an open link's address and where its text starts

    def _owe(self, breaks: int) -> None:
        self.breaks = max(self.breaks, breaks)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in PARAGRAPH_TAGS:
            self._owe(1 if self.lists else 2)
        if tag in ("ul", "ol"):
            self.lists.append(0 if tag == "ol" else None)
        elif tag == "li":
            self._owe(1)
            number = self.lists[-1] if self.lists else None
            if number is not None:
                self.lists[-1] = number + 1
            self.prefix = "  " * max(len(self.lists) - 1, 0) + (f"{number + 1}. " if number is not None else "- ")
        elif tag == "tr":
            self._owe(1)
            self.cells = 0
        elif tag in ("td", "th"):
            self.prefix, self.cells = (" | " if self.cells else ""), self.cells + 1
        elif tag == "br":
            self.out.append("\n")
        elif tag == "pre":
            self.in_pre += 1
        elif tag == "a" and self.links:
            self.link = (dict(attrs).get("href") or "", len(self.out))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("ul", "ol") and self.lists:
            self.lists.pop()
        elif tag == "pre":
            self.in_pre = max(self.in_pre - 1, 0)
        elif tag == "a" and self.link:
            address, start = self.link[0].removeprefix("mailto:"), self.link[1]
            if address and address not in "".join(self.out[start:]):
                self.out.append(f" ({address})")
            self.link = None
        if tag in PARAGRAPH_TAGS:
            self._owe(1 if self.lists else 2)

    def handle_data(self, data: str) -> None:
        text = data if self.in_pre else SPACES.sub(" ", data)
        if not text.strip():
            if self.out and not self.breaks and not self.out[-1].endswith((" ", "\n")):
                self.out.append(" ")
            return
        if self.breaks and self.out:
            self.out.append("\n" * self.breaks)
        starts_line = not self.out or self.out[-1].endswith("\n")
        self.out.append(self.prefix + (text.lstrip() if starts_line and not self.in_pre else text))
        self.breaks, self.prefix = 0, ""

    def text(self) -> str:
        lines = "\n".join(line.rstrip() for line in "".join(self.out).strip().split("\n"))
        return EXTRA_SPACE.sub(" | ", EXTRA_LINES.sub("\n\n", lines))


def _html_text(html: str, *, links: bool = False) -> str:
    """Cleaned HTML as plain text; with `links`, each link's address follows its words in brackets."""
    reader = _PlainText(links=links)
    reader.feed(nh3.clean(html, tags=ALLOWED_TAGS))
    reader.close()
    return reader.text()


def article_text(source: str, *, links: bool = False) -> str:
    """The words of an article's Markdown as a reader reads them (search, diffs, summaries; replies with `links`)."""
    return _html_text(article_html(source), links=links)
