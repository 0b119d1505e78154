"""Reading import files: encodings, delimiters and quoting found out; XLSX cells as text; bad files refused in words."""

from __future__ import annotations

import codecs
import datetime as dt
import io
import re
import zipfile
from decimal import Decimal

import openpyxl
import pytest

from amity.imports import reading

# Accents from Latin-1's upper half, a delimiter, a doubled quote and a line break inside quoted cells.
TEXT = 'Name,City,Note\nZoë Müller,Köln,"a, b"\nRenée Ørsted,Besançon,"say ""hi""\nnext line"\nJosé,Málaga,plain\n'
ROWS = [
    (2, ["Zoë Müller", "Köln", "a, b"]),
    (3, ["Renée Ørsted", "Besançon", 'say "hi"\nnext line']),
    (4, ["José", "Málaga", "plain"]),
]


def read(content: bytes, name: str = "people.csv") -> tuple[reading.SourceFile, list[tuple[int, list[str]]]]:
    source = reading.open_source(io.BytesIO(content), name)
    try:
        return source, list(source.rows)
    finally:
        source.close()


@pytest.mark.parametrize(
    ("content", "encoding"),
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8-sig"),
        (codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"), "utf-16"),
        (codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"), "utf-16"),
        (TEXT.encode("utf-16-le"), "utf-16-le"),
        (TEXT.encode("utf-16-be"), "utf-16-be"),
        (TEXT.encode("latin-1"), "cp1252"),
        (TEXT.encode("cp1252"), "cp1252"),
    ],
    ids=["utf-8", "utf-8-bom", "utf-16-le-bom", "utf-16-be-bom", "utf-16-le", "utf-16-be", "latin-1", "cp1252"],
)
def test_every_encoding_reads_the_same_rows(content: bytes, encoding: str) -> None:
    source, rows = read(content)

    assert (source.encoding, source.headers, rows) == (encoding, ["Name", "City", "Note"], ROWS)


def test_windows_1252_characters_outside_latin_1_are_read() -> None:
    source, rows = read("Name;Price;Note\nCafé;€5;“Quoted” — dash\n".encode("cp1252"))

    assert (source.encoding, rows) == ("cp1252", [(2, ["Café", "€5", "“Quoted” — dash"])])


def test_bytes_cp1252_leaves_undefined_are_read_as_latin_1() -> None:
    source, rows = read(b"Name\nA\x81B\n")

    assert (source.encoding, rows) == ("latin-1", [(2, ["A\x81B"])])


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"], ids=["comma", "semicolon", "tab", "pipe"])
def test_the_delimiter_is_found_with_delimiters_and_quotes_inside_cells(delimiter: str) -> None:
    content = TEXT.replace(",", delimiter).replace(f"a{delimiter} b", f"a{delimiter} b, c; d")

    source, rows = read(content.encode())

    assert source.delimiter == delimiter
    assert rows[0] == (2, ["Zoë Müller", "Köln", f"a{delimiter} b, c; d"])
    assert rows[1:] == ROWS[1:]


def test_a_semicolon_file_with_decimal_commas_is_not_read_as_comma_separated() -> None:
    source, rows = read(b"Name;Revenue;Note\nAcme;1,5;x\nGlobex;2,75;y, z\n")

    assert (source.delimiter, rows) == (";", [(2, ["Acme", "1,5", "x"]), (3, ["Globex", "2,75", "y, z"])])


def test_a_single_column_file_is_read_even_with_commas_in_quoted_cells() -> None:
    source, rows = read(b'Name\n"Smith, John"\n"Doe, Jane"\n')

    assert (source.headers, rows) == (["Name"], [(2, ["Smith, John"]), (3, ["Doe, Jane"])])


def test_row_numbers_are_a_spreadsheets_across_blank_lines_crlf_and_multi_line_cells() -> None:
    content = b'Name,Note\r\nA,"two\r\nlines"\r\n\r\n,\r\nB,x\r\n'

    _, rows = read(content)

    assert rows == [(2, ["A", "two\r\nlines"]), (5, ["B", "x"])]


def test_blank_duplicate_and_spaced_headers_get_names_a_mapping_can_use() -> None:
    source, _ = read(b" E-mail ,,Email,E-mail\na,b,c,d\n")

    assert source.headers == ["E-mail", "Column 2", "Email", "E-mail (2)"]


def test_a_quote_never_closed_is_refused_naming_its_row() -> None:
    with pytest.raises(reading.UnreadableFile, match=r"^Row 3 opens a quote \(\"\) that is never closed"):
        read(b'Name,Email\nAda,ada@example.com\n"Bob,bob@example.com\nCy,cy@example.com\n')


def test_a_stray_quote_inside_an_unquoted_cell_is_kept() -> None:
    _, rows = read(b'Name,Screen\nTV,55" wide\n')

    assert rows == [(2, ["TV", '55" wide'])]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        (b"  \r\n\n", "The file is empty."),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(200), "This is an old Excel .xls workbook"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "This is a PDF document, not a CSV or XLSX file."),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "This is a PNG image, not a CSV or XLSX file."),
        (b"Name,Email\nA,a@x.com\n\x00\x00\x07\x00", "The file holds binary data, not text"),
    ],
    ids=["empty", "blank", "xls", "pdf", "png", "nul-bytes"],
)
def test_files_that_are_not_tables_are_refused_in_words(content: bytes, message: str) -> None:
    with pytest.raises(reading.UnreadableFile, match=f"^{re.escape(message[:30])}"):
        read(content)


def test_a_utf_8_file_with_a_latin_1_byte_after_the_sample_fails_with_a_clear_message() -> None:
    content = b"Name\n" + b"a\n" * (reading.SAMPLE_BYTES // 2) + b"Caf\xe9\n"

    with pytest.raises(reading.UnreadableFile, match="Part of the file is not valid utf-8; save it as UTF-8"):
        read(content)


def xlsx(rows: list[list[object]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_xlsx_dates_numbers_booleans_and_empty_cells_become_text() -> None:
    content = xlsx(
        [
            ["Name", "Born", "Visited", "Employees", "Phone", "Ratio", "Active", "Empty", "Total"],
            ["Ada", dt.date(1815, 12, 10), dt.datetime(2024, 5, 1, 9, 30), 42.0, 4915112345678, 0.15, True, None, 19.99 * 3],
            [None, None, None, None, None, None, None, None, None],
            ["  Bob  ", None, None, 3.5, None, Decimal("0.0000001"), False, None, 1234567.891],
        ]
    )

    source, rows = read(content, "people.xlsx")

    assert source.headers == ["Name", "Born", "Visited", "Employees", "Phone", "Ratio", "Active", "Empty", "Total"]
    assert rows == [
        (2, ["Ada", "1815-12-10", "2024-05-01T09:30:00", "42", "4915112345678", "0.15", "yes", "", "59.97"]),
        (4, ["Bob", "", "", "3.5", "", "0.0000001", "no", "", "1234567.891"]),
    ]


def test_an_xlsx_file_is_told_apart_by_its_content_not_its_name() -> None:
    source, rows = read(xlsx([["Email"], ["a@example.com"]]), "export-from-crm.csv")

    assert (source.headers, rows) == (["Email"], [(2, ["a@example.com"])])


def test_a_zip_that_is_not_a_workbook_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "hello")

    with pytest.raises(reading.UnreadableFile, match=r"^The file is not an XLSX workbook we can read\.$"):
        read(buffer.getvalue(), "people.xlsx")


def test_count_and_sample_agree_with_the_rows() -> None:
    assert reading.count_rows(io.BytesIO(TEXT.encode()), "p.csv") == 3
    assert reading.sample_rows(io.BytesIO(TEXT.encode()), "p.csv", limit=2) == (["Name", "City", "Note"], [row for _, row in ROWS[:2]])
