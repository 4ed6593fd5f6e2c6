"""Writing lists to XLSX: streamed rows (openpyxl write-only mode), Russian headers, dates
formatted as ДД.ММ.ГГГГ, so that an exported file can be imported back."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import quote

from django.http import HttpResponse
from django.utils import timezone

from config import spreadsheets
from config.spreadsheets import XLSX_CONTENT_TYPE

__all__ = ["CATEGORY_LABELS", "FORM_LABELS", "XLSX_CONTENT_TYPE", "workbook_bytes", "xlsx_response"]

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
    """One streamed sheet through the safe writer (``config.spreadsheets``): text stays text."""
    return spreadsheets.table_bytes(title, headers, rows)


def xlsx_response(
    filename: str, title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]
) -> HttpResponse:
    response = HttpResponse(workbook_bytes(title, headers, rows), content_type=XLSX_CONTENT_TYPE)
    stamped = f"{filename}-{timezone.localdate():%Y-%m-%d}.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(stamped)}"
    response["Cache-Control"] = "no-store"  # personal data: never kept by proxies
    return response
