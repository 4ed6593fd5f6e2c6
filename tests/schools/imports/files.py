"""Spreadsheets in the shapes schools keep, generated in the tests (no binary fixtures)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

LAST_NAMES = [
    "Иванов", "Петров", "Сидоров", "Смирнов", "Кузнецов", "Попов", "Васильев", "Соколов",
    "Михайлов", "Новиков", "Фёдоров", "Морозов", "Волков", "Алексеев", "Лебедев", "Семёнов",
    "Егоров", "Павлов", "Козлов", "Степанов",
]  # fmt: skip
FIRST_NAMES = [
    "Александр", "Дмитрий", "Максим", "Сергей", "Андрей", "Алексей", "Артём", "Илья",
    "Кирилл", "Михаил", "Никита", "Матвей", "Роман", "Егор", "Арсений",
]  # fmt: skip
MIDDLE_NAMES = [
    "Александрович", "Дмитриевич", "Сергеевич", "Андреевич", "Алексеевич", "Игоревич",
    "Олегович", "Викторович",
]  # fmt: skip
CLASSES = ["5А", "5Б", "6А", "6В", "7А", "8Б", "9А", "10А", "11Б"]


def name_and_birth(index: int) -> tuple[str, str, str, date]:
    """A distinct person per index (name + birth date never repeat)."""
    last = LAST_NAMES[index % len(LAST_NAMES)]
    first = FIRST_NAMES[(index // len(LAST_NAMES)) % len(FIRST_NAMES)]
    middle = MIDDLE_NAMES[(index // (len(LAST_NAMES) * len(FIRST_NAMES))) % len(MIDDLE_NAMES)]
    birth = (
        date(2009, 1, 1)
        + timedelta(days=index % 1800, weeks=0)
        + timedelta(days=(index // 1800) * 3)
    )
    return last, first, middle, birth


def school_rows(count: int, *, start: int = 0, as_text_dates: bool = True) -> list[list[Any]]:
    """Rows «ФИО; Дата рождения; Класс; Категория; E-mail; Телефон» of pupils."""
    rows = []
    for index in range(start, start + count):
        last, first, middle, birth = name_and_birth(index)
        rows.append(
            [
                f"{last} {first} {middle}",
                birth.strftime("%d.%m.%Y") if as_text_dates else birth,
                CLASSES[index % len(CLASSES)],
                "ученик",
                f"pupil{index}@school.ru" if index % 3 == 0 else "",
                f"8 (918) 555-{index % 100:02d}-{index % 97:02d}" if index % 4 == 0 else "",
            ]
        )
    return rows


SCHOOL_HEADERS = ["ФИО", "Дата рождения", "Класс", "Категория", "E-mail", "Телефон"]


def xlsx_bytes(
    headers: Sequence[str], rows: Sequence[Sequence[Any]], *, title: str | None = None
) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    if title:
        sheet.append([title])
        sheet.append([])
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    for cell in sheet["B"]:
        if isinstance(cell.value, date):
            cell.number_format = "DD.MM.YYYY"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def csv_bytes(
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    encoding: str = "utf-8",
    delimiter: str = ";",
) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def upload(content: bytes, name: str = "spisok.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")
