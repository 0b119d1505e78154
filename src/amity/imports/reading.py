"""Reading CSV and XLSX files as rows of text: encodings, delimiters and quoting found out, rows streamed.

Rows are numbered as a spreadsheet shows them: the header is row 1, the first record row 2,
and a record with a quoted line break in a cell counts as one row.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

SAMPLE_BYTES = 1 << 20
DELIMITERS = [",", ";", "\t", "|"]
XLSX_MAGIC = b"PK\x03\x04"
# Files people upload by mistake, told apart by their first bytes, with what to tell them.
NOT_TABLES = {
    b"\xd0\xcf\x11\xe0": "This is an old Excel .xls workbook (or another Office 97 file): save it as .xlsx or CSV and upload that.",
    b"%PDF": "This is a PDF document, not a CSV or XLSX file.",
    b"\x89PNG": "This is a PNG image, not a CSV or XLSX file.",
    b"\xff\xd8\xff": "This is a JPEG image, not a CSV or XLSX file.",
    b"GIF8": "This is a GIF image, not a CSV or XLSX file.",
    b"\x1f\x8b": "This is a gzip archive, not a CSV or XLSX file: unpack it first.",
}

csv.field_size_limit(10 * 1024 * 1024)


class UnreadableFile(ValueError):
    """The file is not a CSV or XLSX file we can read; the message says why in the user's words."""


def detect_encoding(head: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 (with a BOM, or without one if every other byte is zero), else Windows-1252/Latin-1."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if len(head) >= 4:
        even_zeros, odd_zeros = head[0::2].count(0), head[1::2].count(0)
        half = len(head) // 2
        if odd_zeros > half * 0.4 and even_zeros < half * 0.1:
            return "utf-16-le"
        if even_zeros > half * 0.4 and odd_zeros < half * 0.1:
            return "utf-16-be"
    try:
        head.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as error:
        if error.start >= len(head) - 3 and len(head) >= SAMPLE_BYTES:  # a character cut at the end of the sample
            return "utf-8"
    try:
        head.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"


def _consistent_columns(sample: str, delimiter: str) -> tuple[int, int]:
    """How many of the first rows have the same number (>1) of columns as the header, and that number."""
    rows = list(csv.reader(io.StringIO(sample), delimiter=delimiter))[:50]
    if len(rows) > 2:
        rows = rows[:-1]  # the last may be cut by the sample's end
    if not rows or len(rows[0]) < 2:
        return 0, 0
    width = len(rows[0])
    return sum(1 for row in rows if len(row) == width), width


def detect_delimiter(sample: str) -> str:
    """The delimiter csv.Sniffer finds, if rows then agree on their width; else the one that splits rows most consistently."""
    try:
        sniffed = csv.Sniffer().sniff(sample[:65536], delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        sniffed = None
    scores = {delimiter: _consistent_columns(sample, delimiter) for delimiter in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: scores[d])
    if sniffed in scores and scores[sniffed][0] >= scores[best][0] and scores[sniffed][1] > 1:
        return sniffed
    return best if scores[best][0] else ","


@dataclass
class SourceFile:
    """An opened import file: its headers and a stream of its rows."""

    headers: list[str]
    rows: Iterator[tuple[int, list[str]]]
    encoding: str | None = None
    delimiter: str | None = None
    closer: Any = None

    def close(self) -> None:
        if self.closer is not None:
            self.closer.close()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        # Excel keeps 15 significant digits and stores 19.99*3 as 59.970000000000006: show what Excel shows.
        return format(Decimal(format(value, ".15g")), "f")
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value).strip()


def _headers(raw: list[str]) -> list[str]:
    """Headers trimmed, blanks named after their position, duplicates numbered, so that a mapping can name each column."""
    headers: list[str] = []
    for index, header in enumerate(raw):
        name = " ".join(str(header or "").split()) or f"Column {index + 1}"
        candidate, n = name, 2
        while candidate in headers:
            candidate, n = f"{name} ({n})", n + 1
        headers.append(candidate)
    return headers


class _QuoteCount:
    """The lines of a text stream, counting the double quotes that pass, to notice a quote never closed."""

    def __init__(self, lines: Iterator[str]) -> None:
        self.lines = lines
        self.quotes = 0

    def __iter__(self) -> _QuoteCount:
        return self

    def __next__(self) -> str:
        line = next(self.lines)
        self.quotes += line.count('"')
        return line


def _csv_rows(reader: Any, quotes: _QuoteCount) -> Iterator[tuple[int, list[str]]]:
    """Records with their row numbers; a quote left open (which swallows the rest of the file into one cell) is refused."""
    number = 1
    lines_before = reader.line_num
    pending: tuple[int, list[str]] | None = None
    last_lines = 0
    for row in reader:
        number += 1
        last_lines, lines_before = reader.line_num - lines_before, reader.line_num
        if pending is not None:
            yield pending
            pending = None
        cells = list(map(str.strip, row))
        if any(cells):
            pending = number, cells
    if last_lines > 1 and quotes.quotes % 2:
        raise UnreadableFile(
            f'Row {number} opens a quote (") that is never closed, so the rest of the file would be read as one cell. '
            "Close the quote and upload the file again."
        )
    if pending is not None:
        yield pending


def _xlsx_rows(rows: Iterator[tuple[Any, ...]]) -> Iterator[tuple[int, list[str]]]:
    for number, row in enumerate(rows, start=2):
        cells = [_cell(value) for value in row]
        if any(cells):
            yield number, cells


def open_source(stream: IO[bytes], name: str = "") -> SourceFile:
    """Open a CSV or XLSX file (told apart by content, not by name) for reading its rows once."""
    head = stream.read(SAMPLE_BYTES)
    stream.seek(0)
    if head.startswith(XLSX_MAGIC) or name.lower().endswith(".xlsx"):
        return _open_xlsx(stream)
    if not head.strip():
        raise UnreadableFile("The file is empty.")
    _refuse_binary(head)
    encoding = detect_encoding(head)
    if b"\x00" in head and not encoding.startswith("utf-16"):
        raise UnreadableFile("The file holds binary data, not text: upload a CSV file (or an XLSX workbook).")
    text = io.TextIOWrapper(stream, encoding=encoding, newline="")
    sample = head.decode(encoding, errors="ignore")
    delimiter = detect_delimiter(sample)
    quotes = _QuoteCount(text)
    reader = csv.reader(quotes, delimiter=delimiter, quotechar='"', doublequote=True, skipinitialspace=False, strict=False)
    try:
        header = next(reader)
    except StopIteration:
        raise UnreadableFile("The file is empty.") from None
    except UnicodeDecodeError:
        raise UnreadableFile(f"The file is not valid {encoding}; save it as UTF-8 and try again.") from None
    except csv.Error as error:
        raise UnreadableFile(f"The file is not a CSV file we can read: {error}.") from None
    return SourceFile(
        headers=_headers(header),
        rows=_decode_guard(_csv_rows(reader, quotes), encoding),
        encoding=encoding,
        delimiter=delimiter,
        closer=text,
    )


def _refuse_binary(head: bytes) -> None:
    for magic, message in NOT_TABLES.items():
        if head.startswith(magic):
            raise UnreadableFile(message)


def _decode_guard(rows: Iterator[tuple[int, list[str]]], encoding: str) -> Iterator[tuple[int, list[str]]]:
    try:
        yield from rows
    except UnicodeDecodeError:
        raise UnreadableFile(f"Part of the file is not valid {encoding}; save it as UTF-8 and try again.") from None
    except csv.Error as error:
        raise UnreadableFile(f"The file is not a CSV file we can read: {error}.") from None


def _open_xlsx(stream: IO[bytes]) -> SourceFile:
    from zipfile import BadZipFile

    import openpyxl

    try:
        workbook = openpyxl.load_workbook(stream, read_only=True, data_only=True)
    except (BadZipFile, KeyError, OSError, ValueError):
        raise UnreadableFile("The file is not an XLSX workbook we can read.") from None
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    try:
        header = next(rows)
    except StopIteration:
        workbook.close()
        raise UnreadableFile("The first sheet of the workbook is empty.") from None
    return SourceFile(headers=_headers([_cell(value) for value in header]), rows=_xlsx_rows(rows), closer=workbook)


def count_rows(stream: IO[bytes], name: str = "") -> int:
    """The number of record rows (not counting the header or blank rows), read at C speed."""
    source = open_source(stream, name)
    try:
        return sum(1 for _ in source.rows)
    finally:
        source.close()


def sample_rows(stream: IO[bytes], name: str = "", limit: int = 5) -> tuple[list[str], list[list[str]]]:
    """The headers and the first rows, for a preview."""
    source = open_source(stream, name)
    try:
        rows = []
        for _, cells in source.rows:
            rows.append(cells)
            if len(rows) >= limit:
                break
        return source.headers, rows
    finally:
        source.close()
