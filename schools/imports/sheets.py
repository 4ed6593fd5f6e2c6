"""The spreadsheets of an import the coordinator downloads: the template to fill in (every
column described, the catalogue's names listed) and the rows a check refused, each with its
errors next to it, to fix and upload again. Written through the safe writer
(``config.spreadsheets``): a value never becomes a formula."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from openpyxl.styles import Font

from config import spreadsheets
from schools.imports.models import ImportBatch, ImportKind
from schools.imports.reading import FileProblem, open_sheet
from schools.imports.xlsx import CATEGORY_LABELS, FORM_LABELS

ERRORS_HEADER = "Ошибки"


@dataclass(frozen=True)
class ColumnHelp:
    header: str
    required: str  # «да», «нет» or when
    what: str
    example: str


COMMON_HELP = (
    ColumnHelp(
        "ФИО",
        "да",
        "Фамилия, имя и отчество (при наличии) через пробел. Можно вместо неё три колонки: "
        "«Фамилия», «Имя», «Отчество».",
        "Васильев Роман Семёнович",
    ),
    ColumnHelp(
        "Дата рождения",
        "да, для обучающихся",
        "ДД.ММ.ГГГГ или дата Excel. По ней отличают однофамильцев и определяют, кто "
        "подписывает согласие.",
        "14.03.2013",
    ),
    ColumnHelp(
        "Категория",
        "да (или выберите категорию всех при загрузке)",
        "Одно из: " + ", ".join(CATEGORY_LABELS.values()) + ".",
        "ученик",
    ),
    ColumnHelp(
        "Класс/Группа",
        "нет",
        "Класс или учебная группа; новый класс создаётся сам, регистр и пробелы не важны.",
        "7Б",
    ),
    ColumnHelp("E-mail", "нет", "Адрес электронной почты участника.", "roman@example.ru"),
    ColumnHelp("Телефон", "нет", "Номер телефона в любом виде, 10 цифр после +7 или 8.", ""),
)
MENTEE_HELP = (
    ColumnHelp(
        "Запрос",
        "нет",
        "Запрос наставляемого своими словами.",
        "Хочу подготовиться к олимпиаде по математике",
    ),
    ColumnHelp(
        "Потребности",
        "нет",
        "Названия из каталога запросов и компетенций (лист «Каталог»), несколько — через «;». "
        "Запятая остаётся внутри названия; регистр, ё/е и лишние пробелы не важны.",
        "Подготовка к олимпиадам и конкурсам; Профориентация, выбор профессии",
    ),
    ColumnHelp(
        "Форма наставничества",
        "нет",
        "Одно из: " + ", ".join(FORM_LABELS.values()) + ".",
        "студент – ученик",
    ),
)
MENTOR_HELP = (
    ColumnHelp(
        "Компетенции",
        "нет",
        "Названия из каталога запросов и компетенций (лист «Каталог»), несколько — через «;». "
        "Запятая остаётся внутри названия; регистр, ё/е и лишние пробелы не важны.",
        "Методика преподавания, подготовка уроков; Работа с родителями",
    ),
    ColumnHelp("Опыт", "нет", "Стаж в годах числом или опыт своими словами.", "12"),
    ColumnHelp(
        "Часов в месяц", "нет", "Сколько часов в месяц наставник готов уделять (0–200).", "6"
    ),
    ColumnHelp(
        "Количество наставляемых",
        "нет",
        "Сколько наставляемых наставник может взять (1–50).",
        "2",
    ),
)
HELP_BY_KIND: dict[str, tuple[ColumnHelp, ...]] = {
    ImportKind.PARTICIPANTS: COMMON_HELP,
    ImportKind.MENTEES: COMMON_HELP + MENTEE_HELP,
    ImportKind.MENTORS: COMMON_HELP + MENTOR_HELP,
}
TEMPLATE_TITLES: dict[str, str] = {
    ImportKind.PARTICIPANTS: "Участники",
    ImportKind.MENTEES: "Наставляемые",
    ImportKind.MENTORS: "Наставники",
}


def template_filename(kind: str) -> str:
    return f"shablon-{kind}"


def template_xlsx(*, kind: str, catalogue: list[dict[str, Any]]) -> bytes:
    """The template of an import of ``kind``: the first sheet holds only the headers (the
    importer reads the first sheet); «Описание колонок» says what each column takes, with an
    example; for mentees and mentors «Каталог» lists the names to write (``catalogue``: the
    active entries, as ``participants.api.topic_rows`` gives them)."""
    bold = Font(bold=True)
    help_rows = HELP_BY_KIND[kind]
    workbook = spreadsheets.new_workbook(write_only=True)
    sheet = workbook.create_sheet(title=spreadsheets.sheet_title(TEMPLATE_TITLES[kind]))
    sheet.column_dimensions["A"].width = 34
    spreadsheets.append(sheet, [column.header for column in help_rows], font=bold)
    described = workbook.create_sheet(title="Описание колонок")
    described.column_dimensions["A"].width = 26
    described.column_dimensions["C"].width = 70
    described.column_dimensions["D"].width = 40
    spreadsheets.append(described, ["Колонка", "Обязательна", "Что писать", "Пример"], font=bold)
    for column in help_rows:
        spreadsheets.append(
            described, [column.header, column.required, column.what, column.example], wrap=True
        )
    spreadsheets.append(described, [])
    spreadsheets.append(
        described,
        [
            "Строки",
            "",
            "Одна строка — один человек. Строки над таблицей (название списка) можно оставить. "
            "Строки с ошибками можно не загружать: загрузите остальные и скачайте строки с "
            "ошибками отдельным файлом.",
            "",
        ],
        wrap=True,
    )
    if kind != ImportKind.PARTICIPANTS:
        names = workbook.create_sheet(title="Каталог")
        names.column_dimensions["A"].width = 60
        names.column_dimensions["B"].width = 60
        spreadsheets.append(names, ["Название", "Пишут также"], font=bold)
        for entry in catalogue:
            if entry.get("is_active", True):
                spreadsheets.append(names, [entry["name"], "; ".join(entry.get("synonyms") or ())])
    return spreadsheets.workbook_bytes(workbook)


def _row_errors(batch: ImportBatch) -> dict[int, str]:
    """Row number → its errors in one line, from the batch's report."""
    out: dict[int, str] = {}
    for row in (batch.report or {}).get("rows") or []:
        messages = [
            f"{error.get('column')}: {error.get('message')}"
            if error.get("column")
            else str(error.get("message"))
            for error in row.get("errors") or []
        ]
        out[int(row["row"])] = "; ".join(messages)
    return out


def has_rejected_rows(batch: ImportBatch) -> bool:
    return bool((batch.report or {}).get("rows")) and bool((batch.report or {}).get("header_row"))


def rejected_rows(batch: ImportBatch) -> tuple[list[str], Iterator[list[Any]]]:
    """The header row of the batch's file with «Ошибки» added, and the rows the check refused
    as the user wrote them, each with its errors in the last column (rows listed in the
    report; the report lists the first rows with errors, ``preview.REPORT_ROW_LIMIT``)."""
    errors = _row_errors(batch)
    header_number = int((batch.report or {}).get("header_row") or 0)
    handle = batch.file.open("rb")
    try:
        sheet = open_sheet(handle)
    except FileProblem:
        handle.close()
        raise
    rows = iter(sheet.rows)
    header: list[Any] = []
    for number, cells in rows:
        if number == header_number:
            header = list(cells)
            break
    while header and (header[-1] is None or str(header[-1]).strip() == ""):
        header.pop()
    width = len(header)

    def body() -> Iterator[list[Any]]:
        try:
            for number, cells in rows:
                if number in errors:
                    values = list(cells[:width]) + [None] * (width - len(cells))
                    yield [*values, errors[number]]
        finally:
            handle.close()

    headers = ["" if value is None else str(value) for value in header]
    return [*headers, ERRORS_HEADER], body()


def rejected_rows_xlsx(batch: ImportBatch) -> bytes:
    header, rows = rejected_rows(batch)
    return spreadsheets.table_bytes("Строки с ошибками", header, rows)
