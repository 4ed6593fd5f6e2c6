"""Reading the tables schools keep: XLSX (read-only, streamed) and CSV in whatever encoding and
delimiter the office software chose. Yields raw rows; the meaning of columns is in
``columns.py``."""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from django.utils.translation import gettext as _

XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary .xls (and .doc)
CSV_DELIMITERS = (";", ",", "\t")
# Rows read at most before giving up looking for the header row (title rows above it).
HEADER_SEARCH_ROWS = 15
# An XLSX sheet's rows end at the first run of this many blank rows. A sheet formatted down to
# Excel's last row (1,048,576) declares that many rows and stores an empty cell in each: read
# to the end, it cost 45 s of a worker for a list of six people. No school's list has a
# thousand blank rows between two people.
BLANK_ROWS_END = 1000


class FileProblem(Exception):
    """The file as a whole cannot be read; ``message`` is shown to the user."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class Sheet:
    """The rows of one table: ``rows`` yields (row number as the user sees it, cells)."""

    file_format: str
    encoding: str
    delimiter: str
    rows: Iterator[tuple[int, list[Any]]]


def sniff_format(head: bytes) -> str:
    """``xlsx`` or ``csv`` from the first bytes, whatever the file is called."""
    if not head.strip(b"\r\n\t \xef\xbb\xbf"):
        raise FileProblem(_("The file is empty."), code="empty")
    if head.startswith(XLSX_MAGIC):
        return "xlsx"
    if head.startswith(OLE_MAGIC):
        raise FileProblem(
            _(
                "This is an old Excel 97–2003 (.xls) file. Save it as .xlsx or .csv and "
                "upload again."
            ),
            code="xls",
        )
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "csv"
    if b"\x00" in head or head.startswith((b"%PDF", b"\x89PNG", b"\xff\xd8")):
        raise FileProblem(
            _("The file is not a table. Upload an .xlsx or .csv file."), code="not_a_table"
        )
    return "csv"


def open_sheet(handle: IO[bytes]) -> Sheet:
    """Open an XLSX or CSV file for reading rows. ``handle`` must be seekable."""
    head = handle.read(4096)
    handle.seek(0)
    file_format = sniff_format(head)
    if file_format == "xlsx":
        return _open_xlsx(handle)
    return _open_csv(handle)


def _open_xlsx(handle: IO[bytes]) -> Sheet:
    from openpyxl import load_workbook

    from config.spreadsheets import UnsafeSpreadsheet, check_xlsx

    try:
        # the archive's directory is checked before any XML is parsed (expansion bombs)
        check_xlsx(handle)
    except UnsafeSpreadsheet as problem:
        raise FileProblem(problem.message, code=problem.code) from problem
    try:
        workbook = load_workbook(handle, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise FileProblem(
            _("The file looks like .xlsx but cannot be opened: it is damaged or not a workbook."),
            code="bad_xlsx",
        ) from exc
    worksheet = workbook.worksheets[0] if workbook.worksheets else None
    if worksheet is None:
        workbook.close()
        raise FileProblem(_("The workbook has no sheets."), code="empty")

    def rows() -> Iterator[tuple[int, list[Any]]]:
        blank_run = 0
        try:
            for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
                if all(value is None or str(value).strip() == "" for value in values):
                    blank_run += 1
                    if blank_run >= BLANK_ROWS_END:
                        return  # the rest is formatting, not people (the file is not read on)
                else:
                    blank_run = 0
                yield number, list(values)
        finally:
            workbook.close()

    return Sheet(file_format="xlsx", encoding="", delimiter="", rows=rows())


def decode_text(data: bytes) -> tuple[str, str]:
    """The text of a CSV file and the encoding it was in: UTF-8 (with or without BOM),
    UTF-16 with BOM (Excel's "Unicode text"), else Windows-1251."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="strict"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1251"), "cp1251"
    except UnicodeDecodeError as exc:
        raise FileProblem(
            _("The file's encoding is not recognised. Save it as CSV UTF-8 and upload again."),
            code="encoding",
        ) from exc


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the first lines into the same, largest number of cells."""
    lines = [line for line in text.splitlines()[:HEADER_SEARCH_ROWS] if line.strip()]
    best, best_score = ";", -1
    for delimiter in CSV_DELIMITERS:
        counts = [len(next(csv.reader([line], delimiter=delimiter))) for line in lines]
        widest = max(counts, default=1)
        if widest <= 1:
            continue
        # prefer the delimiter most lines agree on, then the widest split
        score = sum(1 for count in counts if count == widest) * 1000 + widest
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _open_csv(handle: IO[bytes]) -> Sheet:
    text, encoding = decode_text(handle.read())
    if not text.strip():
        raise FileProblem(_("The file is empty."), code="empty")
    if "\x00" in text:
        raise FileProblem(
            _("The file is not a table. Upload an .xlsx or .csv file."), code="not_a_table"
        )
    delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)

    def rows() -> Iterator[tuple[int, list[Any]]]:
        try:
            for number, values in enumerate(reader, start=1):
                yield number, list(values)
        except csv.Error as exc:
            raise FileProblem(
                _("The CSV file is malformed near line %(line)s.") % {"line": reader.line_num},
                code="bad_csv",
            ) from exc

    return Sheet(file_format="csv", encoding=encoding, delimiter=delimiter, rows=rows())
