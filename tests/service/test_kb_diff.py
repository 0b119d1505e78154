"""The version history's difference: lines kept, removed and added, replaced lines word by word, long stretches folded."""

from __future__ import annotations

from amity.service.kb.diff import DiffLine, text_diff


def test_a_replaced_line_is_compared_word_by_word() -> None:
    assert text_diff("Three to five days.", "Two to five days.") == [
        DiffLine("removed", ((True, "Three"), (False, " to five days."))),
        DiffLine("added", ((True, "Two"), (False, " to five days."))),
    ]


def test_lines_only_in_one_version_are_whole_additions_or_removals() -> None:
    assert text_diff("Keep\nDrop", "Keep\nNew one\nAnother") == [
        DiffLine("same", ((False, "Keep"),)),
        DiffLine("removed", ((True, "Drop"),)),
        DiffLine("added", ((True, "New one"),)),
        DiffLine("added", ((True, "Another"),)),
    ]


def test_long_unchanged_stretches_fold_into_one_line() -> None:
    old = "\n".join(f"line {n}" for n in range(10))
    lines = text_diff(old, f"{old}\nline 10")

    assert [line.kind for line in lines] == ["skipped", "same", "same", "added"]
    assert lines[0].skipped == 8


def test_no_change_is_all_same_lines_folded() -> None:
    assert text_diff("a\nb\nc", "a\nb\nc") == [DiffLine("skipped", (), 3)]
