"""The regional report as an XLSX workbook in the shape of a ministry report.

A Russian office document (like the institutions' DOCX orders): its text is Russian, not
translated UI strings. Sheets: the region against the targets, municipalities, institutions,
and (when given) the institutions lagging on each stage.
Suppressed cells read «*» (or the share's range) and a note explains why."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from django.conf import settings
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from config import spreadsheets
from config.spreadsheets import XLSX_CONTENT_TYPE

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

__all__ = ["XLSX_CONTENT_TYPE", "regional_report"]
SUPPRESSED = "*"
KIND_RU = {"share": "%", "count": "ед.", "average": "среднее"}


def _value(cell: dict[str, Any] | None) -> Any:
    """A number as published; «*» or a share's range when hidden; an institution's held
    numbers with the period they are from (ADR 0005)."""
    if cell is None:
        return "нет данных"
    if cell.get("value") is not None:
        value = cell["value"]
    elif cell.get("inconsistent"):
        value = "проверьте численность"
    elif cell.get("suppressed"):
        value = cell.get("range") or SUPPRESSED
    else:
        return "нет данных"
    if cell.get("as_of"):
        return f"{value} (на {cell['as_of']})"
    return value


def _count(cell: dict[str, Any] | None) -> Any:
    if not cell:
        return ""
    return _value(cell)


def _met(cell: dict[str, Any]) -> str:
    return {True: "да", False: "нет"}.get(cell.get("meets_target"), "—")  # type: ignore[arg-type]


def _header(sheet: Worksheet, row: int, titles: list[str]) -> None:
    for column, title in enumerate(titles, start=1):
        spreadsheets.put(
            sheet, row=row, column=column, value=title, font=Font(bold=True), wrap=True
        )
    for column in range(1, len(titles) + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 18 if column > 2 else 40


def _title(sheet: Worksheet, text: str, period: str, k: int) -> None:
    spreadsheets.put(sheet, row=1, column=1, value=text, font=Font(bold=True, size=12))
    spreadsheets.put(
        sheet, row=2, column=1, value=f"{settings.REGIONAL_CENTRE_NAME}; период: {period}"
    )
    spreadsheets.put(
        sheet,
        row=3,
        column=1,
        value=(
            f"{SUPPRESSED} — значение не публикуется: группа меньше {k} человек "
            "(или скрыто, чтобы его нельзя было вычислить из итогов). «(на ГГГГ-ММ)» — "
            f"организация показывает прежние данные: они изменились менее чем на {k} человек."
        ),
    )


def regional_report(
    summary: dict[str, Any],
    table: dict[str, Any],
    lagging: Sequence[Mapping[str, Any]] | None = None,
) -> bytes:
    """``summary`` and ``table`` as built by ``selectors.dashboard_summary`` and
    ``selectors.dashboard_institutions`` for the same period; ``lagging`` (optional) as
    ``selectors.lagging_institutions`` gives it, for a sheet of institutions behind schedule."""
    period, k = summary["period"], summary["min_group_size"]
    workbook = spreadsheets.new_workbook()
    region = workbook.active
    assert region is not None
    region.title = "Показатели региона"
    _title(region, "Сведения о внедрении целевой модели наставничества", period, k)
    _header(
        region,
        5,
        [
            "№ п/п",
            "Наименование показателя",
            "Единица измерения",
            "Числитель",
            "Знаменатель",
            "Фактическое значение",
            "Целевое значение",
            "Год достижения",
            "Достигнуто",
            "Методика расчёта",
        ],
    )
    for n, indicator in enumerate(summary["indicators"], start=1):
        cell = indicator["region"]
        spreadsheets.append(
            region,
            [
                n,
                indicator["name"],
                KIND_RU.get(indicator["kind"], ""),
                _count(cell.get("numerator")),
                _count(cell.get("denominator")),
                _value(cell),
                float(indicator["target_value"]) if indicator["target_value"] is not None else "",
                indicator["target_year"] or "",
                _met(cell),
                indicator["definition"],
            ],
        )

    municipalities = workbook.create_sheet("По муниципалитетам")
    _title(municipalities, "Показатели по муниципальным образованиям", period, k)
    _header(
        municipalities,
        5,
        ["№ п/п", "Муниципальное образование", *[i["name"] for i in summary["indicators"]]],
    )
    by_municipality: dict[int, dict[str, Any]] = {}
    names: dict[int, str] = {}
    for indicator in summary["indicators"]:
        for m in indicator["municipalities"]:
            names[m["id"]] = m["name"]
            by_municipality.setdefault(m["id"], {})[indicator["code"]] = m
    for n, (m_id, cells) in enumerate(by_municipality.items(), start=1):
        spreadsheets.append(
            municipalities,
            [n, names[m_id], *[_value(cells.get(i["code"])) for i in summary["indicators"]]],
        )

    institutions = workbook.create_sheet("По организациям")
    _title(institutions, "Показатели по образовательным организациям", period, k)
    _header(
        institutions,
        5,
        [
            "№ п/п",
            "Образовательная организация",
            "Муниципальное образование",
            *[i["name"] for i in table["indicators"]],
        ],
    )
    for n, row in enumerate(table["institutions"], start=1):
        spreadsheets.append(
            institutions,
            [
                n,
                row["name"],
                row["municipality"],
                *[_value(row["cells"].get(i["code"])) for i in table["indicators"]],
            ],
        )
    _monitoring_sheet(workbook, summary, table, period, k)
    if lagging is not None:
        _lagging_sheet(workbook, lagging, period, k)
    return spreadsheets.workbook_bytes(workbook)


MONITORING_SHEET = "Мониторинг ЦМН"


def _monitoring_sheet(
    workbook: Workbook, summary: dict[str, Any], table: dict[str, Any], period: str, k: int
) -> None:
    """The federal monitoring's layout: one row per level (region, municipality, institution)
    and indicator, with its unit, published numerator, denominator and value, the target and
    whether it is met, and the period — for a filter or a pivot table in Excel."""
    sheet = workbook.create_sheet(MONITORING_SHEET)
    _title(sheet, "Мониторинг внедрения целевой модели наставничества", period, k)
    _header(
        sheet,
        5,
        [
            "Период",
            "Уровень",
            "Муниципальное образование",
            "Образовательная организация",
            "Показатель",
            "Единица измерения",
            "Числитель",
            "Знаменатель",
            "Фактическое значение",
            "Целевое значение",
            "Год достижения",
            "Достигнуто",
        ],
    )

    def row(
        level: str, municipality: str, institution: str, info: dict[str, Any], cell: Any
    ) -> None:
        cell = cell or {}
        target = info["target_value"]
        spreadsheets.append(
            sheet,
            [
                period,
                level,
                municipality,
                institution,
                info["name"],
                KIND_RU.get(info["kind"], ""),
                _count(cell.get("numerator")),
                _count(cell.get("denominator")),
                _value(cell) if cell else "нет данных",
                float(target) if target is not None else "",
                info["target_year"] or "",
                _met(cell),
            ],
        )

    for info in summary["indicators"]:
        row("регион", "", "", info, info["region"])
    for info in summary["indicators"]:
        for m in info["municipalities"]:
            row("муниципалитет", m["name"], "", info, m)
    infos = {info["code"]: info for info in table["indicators"]}
    for institution in table["institutions"]:
        for code, info in infos.items():
            row(
                "организация",
                institution["municipality"],
                institution["name"],
                info,
                institution["cells"].get(code),
            )


def _lagging_sheet(
    workbook: Workbook, lagging: Sequence[Mapping[str, Any]], period: str, k: int
) -> None:
    sheet = workbook.create_sheet("Отставание по этапам")
    _title(sheet, "Образовательные организации, отстающие от сроков этапов", period, k)
    _header(
        sheet,
        5,
        [
            "Этап",
            "Образовательная организация",
            "Муниципальное образование",
            "Просроченные мероприятия",
            "Срок этапа истёк (организаций)",
            "Этап завершён (организаций)",
        ],
    )
    for stage in lagging:
        label = f"{stage['stage']}. {STAGE_NAMES_RU[stage['stage']]}"
        totals = [stage["expected"], stage["completed"]]
        if not stage["lagging"]:
            spreadsheets.append(sheet, [label, "—", "", "", *totals])
        for row in stage["lagging"]:
            spreadsheets.append(
                sheet,
                [label, row["name"], row["municipality"], row["overdue_activities"], *totals],
            )


# The stage names as the roadmap documents write them (Russian, like the rest of the report).
STAGE_NAMES_RU = {
    1: "Подготовка условий",
    2: "Формирование базы наставляемых",
    3: "Формирование базы наставников",
    4: "Отбор наставников и формирование пар и групп",
    5: "Организация работы пар и групп",
    6: "Завершение программы",
}
