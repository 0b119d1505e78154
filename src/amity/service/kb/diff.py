"""What changed between two versions of an article, line by line and word by word, for the version history.

The text compared is what a reader reads (`rendering.article_text` of the Markdown, one line per paragraph, heading
or list item), so a diff shows changed sentences rather than changed Markdown marks or tags. A replaced line is compared word by word as well, so a fixed
typo lights up one word and not the whole paragraph. `difflib` from the standard library does the matching.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from amity.service.kb.rendering import article_text
from amity.service.models import ArticleVersion

CONTEXT_LINES = 2  # unchanged lines kept around a change; longer unchanged stretches fold into one "…" line


@dataclass(frozen=True)
class DiffLine:
    """One line of the diff: `kind` is same, added, removed or skipped; `parts` are (changed?, text) runs of the line."""

    kind: str
    parts: tuple[tuple[bool, str], ...]
    skipped: int = 0


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _word_runs(old: str, new: str) -> tuple[tuple[tuple[bool, str], ...], tuple[tuple[bool, str], ...]]:
    """The two lines split into runs of words, each marked changed or not."""
    old_words, new_words = re.split(r"(\s+)", old), re.split(r"(\s+)", new)
    old_runs: list[tuple[bool, str]] = []
    new_runs: list[tuple[bool, str]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old_words, new_words, autojunk=False).get_opcodes():
        if i2 > i1:
            old_runs.append((tag != "equal", "".join(old_words[i1:i2])))
        if j2 > j1:
            new_runs.append((tag != "equal", "".join(new_words[j1:j2])))
    return tuple(old_runs), tuple(new_runs)


def _folded(lines: list[DiffLine]) -> list[DiffLine]:
    """Unchanged stretches longer than the context around them become one line saying how many were left out."""
    changed = [index for index, line in enumerate(lines) if line.kind != "same"]
    keep = {index for at in changed for index in range(at - CONTEXT_LINES, at + CONTEXT_LINES + 1)}
    folded: list[DiffLine] = []
    for index, line in enumerate(lines):
        if index in keep or line.kind != "same":
            folded.append(line)
        elif folded and folded[-1].kind == "skipped":
            folded[-1] = DiffLine("skipped", (), folded[-1].skipped + 1)
        else:
            folded.append(DiffLine("skipped", (), 1))
    return folded


def text_diff(old: str, new: str, *, fold: bool = True) -> list[DiffLine]:
    """The lines of `new` against those of `old`: kept, removed, added; replaced lines paired word by word."""
    old_lines, new_lines = _lines(old), _lines(new)
    lines: list[DiffLine] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False).get_opcodes():
        if tag == "equal":
            lines.extend(DiffLine("same", ((False, line),)) for line in old_lines[i1:i2])
            continue
        pairs = min(i2 - i1, j2 - j1) if tag == "replace" else 0
        for offset in range(pairs):
            removed, added = _word_runs(old_lines[i1 + offset], new_lines[j1 + offset])
            lines.extend([DiffLine("removed", removed), DiffLine("added", added)])
        lines.extend(DiffLine("removed", ((True, line),)) for line in old_lines[i1 + pairs : i2])
        lines.extend(DiffLine("added", ((True, line),)) for line in new_lines[j1 + pairs : j2])
    return _folded(lines) if fold else lines


def version_diff(older: ArticleVersion, newer: ArticleVersion) -> dict[str, list[DiffLine]]:
    """The title's and the text's changes from one version of an article to another."""
    return {"title": text_diff(older.title, newer.title, fold=False), "body": text_diff(article_text(older.body), article_text(newer.body))}
