"""XLSX export of a campaign's results: a summary sheet, and for the coordinator a sheet with
every submitted response (open answers included)."""

from __future__ import annotations

import io
from typing import Any

from schools.monitoring import selectors
from schools.monitoring.models import ResponseStatus, SurveyCampaign, SurveyResponse

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _cell(value: Any) -> Any:
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return value


def campaign_xlsx(campaign: SurveyCampaign, *, with_answers: bool) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    results = selectors.campaign_results(campaign, open_answers=False)
    workbook = Workbook()
    summary = workbook.active
    assert summary is not None
    summary.title = "Итоги"
    bold = Font(bold=True)
    summary.append([campaign.title])
    summary.append(["Приглашено", results["invited"]])
    summary.append(["Ответили", results["submitted"]])
    summary.append(["Доля ответивших, %", results["response_rate"]])
    summary.append([])
    summary.append(["Код", "Вопрос", "Ответов", "Среднее", "Медиана", "Распределение"])
    for cell in summary[summary.max_row]:
        cell.font = bold
    for question in results["questions"]:
        spread = "; ".join(
            f"{item['label']}: {item['count']}" for item in question["distribution"] or []
        )
        summary.append(
            [
                question["code"],
                question["text"],
                question["answered"],
                question["mean"],
                question["median"],
                spread,
            ]
        )
    if with_answers:
        sheet = workbook.create_sheet("Ответы")
        questions = selectors.questions_in_order(campaign)
        sheet.append(["Ответ №", "Участник", "Отправлено", *[q.code for q in questions]])
        for cell in sheet[1]:
            cell.font = bold
        for response in (
            SurveyResponse.objects.filter(campaign=campaign, status=ResponseStatus.SUBMITTED)
            .select_related("participant")
            .order_by("pk")
        ):
            sheet.append(
                [
                    response.pk,
                    response.participant.full_name,
                    response.submitted_at.replace(tzinfo=None) if response.submitted_at else None,
                    *[_cell(response.answers.get(q.code)) for q in questions],
                ]
            )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def question_xlsx(campaign: SurveyCampaign, *, code: str) -> bytes | None:
    """The data of one question's chart (its distribution, answers, mean, median) as XLSX, in
    the active language; None when the campaign's questionnaire has no such counted question."""
    from django.utils.translation import gettext as _
    from openpyxl import Workbook
    from openpyxl.styles import Font

    results = selectors.campaign_results(campaign, open_answers=False)
    entry = next((q for q in results["questions"] if q["code"] == code), None)
    if entry is None or entry["distribution"] is None:
        return None
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = code[:31]
    bold = Font(bold=True)
    sheet.append([campaign.title])
    sheet.append([entry["text"]])
    sheet.append([_("Answers"), entry["answered"]])
    if entry["mean"] is not None:
        sheet.append([_("Mean"), entry["mean"]])
        sheet.append([_("Median"), entry["median"]])
    sheet.append([])
    sheet.append([_("Answer"), _("Number of answers")])
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    for item in entry["distribution"]:
        sheet.append([item["label"], item["count"]])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
