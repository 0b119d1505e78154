"""Writing lists to CSV and XLSX files that are safe to open in a spreadsheet.

A cell that begins with = + - @, a tab or a carriage return could run as a formula when the file is
opened (CSV injection), so every such cell gets a leading single quote. CSV is streamed row by row,
so a million rows never sit in memory; XLSX is built in write-only mode.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_MAX_ROWS = 100_000


def neutralize(value: str) -> str:
    """The cell text, with a leading quote when a spreadsheet could take it for a formula."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


class _Line:
    """A file-like object that hands back what the csv writer writes instead of keeping it."""

    def write(self, text: str) -> str:
        return text


def csv_lines(header: Sequence[str], rows: Iterable[Sequence[str]]) -> Iterator[str]:
    """The CSV file line by line (with a BOM so that Excel reads UTF-8), every cell neutralized."""
    writer = csv.writer(_Line())
    yield "\ufeff" + writer.writerow([neutralize(cell) for cell in header])
    for row in rows:
        yield writer.writerow([neutralize(cell) for cell in row])


def xlsx_bytes(header: Sequence[str], rows: Iterable[Sequence[str]], *, title: str = "Export", max_rows: int = XLSX_MAX_ROWS) -> bytes:
    """An XLSX workbook of one sheet, every cell neutralized and stored as text; at most `max_rows` rows, then a note."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])

    def clean(cell: str) -> str:
        return ILLEGAL_CHARACTERS_RE.sub("", neutralize(cell))

    sheet.append([clean(cell) for cell in header])
    for count, row in enumerate(rows):
        if count >= max_rows:
            sheet.append([f"Only the first {max_rows:,} rows fit in this file; export CSV to get them all."])
            break
        sheet.append([clean(cell) for cell in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
