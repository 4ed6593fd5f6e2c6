"""Writing lists to XLSX: streamed rows (openpyxl write-only mode), Russian headers, dates
formatted as ДД.ММ.ГГГГ, so that an exported file can be imported back."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any
from urllib.parse import quote

from django.http import HttpResponse
from django.utils import timezone

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Category and form codes as schools write them (the words the importer reads back).
CATEGORY_LABELS = {
    "pupil": "ученик",
    "student": "студент",
    "teacher": "педагог",
    "master": "мастер",
    "young_specialist": "молодой специалист",
    "alumnus": "выпускник",
    "parent": "родитель",
    "employer_specialist": "специалист предприятия",
}
FORM_LABELS = {
    "student_student": "студент – студент",
    "pupil_pupil": "ученик – ученик",
    "teacher_teacher": "педагог – педагог",
    "teacher_student": "педагог – студент",
    "student_pupil": "студент – ученик",
    "employer_pupil": "работодатель – ученик",
    "employer_student": "работодатель – студент",
}


def workbook_bytes(title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    bold = Font(bold=True)
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        cells: list[Any] = []
        for value in row:
            if isinstance(value, datetime):
                value = timezone.localtime(value).replace(tzinfo=None) if value.tzinfo else value
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = "DD.MM.YYYY HH:MM"
                cells.append(cell)
            elif isinstance(value, date):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = "DD.MM.YYYY"
                cells.append(cell)
            elif isinstance(value, list | tuple | set):
                cells.append(", ".join(str(v) for v in value))
            else:
                cells.append(value)
        sheet.append(cells)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def xlsx_response(
    filename: str, title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]
) -> HttpResponse:
    response = HttpResponse(workbook_bytes(title, headers, rows), content_type=XLSX_CONTENT_TYPE)
    stamped = f"{filename}-{timezone.localdate():%Y-%m-%d}.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(stamped)}"
    response["Cache-Control"] = "no-store"  # personal data: never kept by proxies
    return response
