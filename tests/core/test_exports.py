"""Exported cells never run as formulas in a spreadsheet."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from amity.core.exports import csv_lines, neutralize, xlsx_bytes


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+441234", "'+441234"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("Ada = great", "Ada = great"),
        ("", ""),
    ],
)
def test_cells_that_look_like_formulas_are_quoted(cell: str, expected: str) -> None:
    assert neutralize(cell) == expected


def test_csv_and_xlsx_neutralize_every_cell() -> None:
    rows = [["=1+1", "plain"], ["@me", "ok"]]
    text = "".join(csv_lines(["Name", "-Note"], rows)).removeprefix("\ufeff")
    assert list(csv.reader(io.StringIO(text))) == [["Name", "'-Note"], ["'=1+1", "plain"], ["'@me", "ok"]]

    sheet = load_workbook(io.BytesIO(xlsx_bytes(["Name", "-Note"], rows))).active
    assert [[cell.value for cell in row] for row in sheet.iter_rows()] == [["Name", "'-Note"], ["'=1+1", "plain"], ["'@me", "ok"]]


def test_xlsx_stops_at_its_row_limit_and_says_so() -> None:
    sheet = load_workbook(io.BytesIO(xlsx_bytes(["N"], ([str(n)] for n in range(5)), max_rows=3))).active
    values = [row[0].value for row in sheet.iter_rows()]
    assert values[:4] == ["N", "0", "1", "2"]
    assert "export CSV" in values[4]
