"""XLSX export of a campaign's results: a summary sheet, and for the coordinator a sheet with
every submitted response (open answers included)."""

from __future__ import annotations

from typing import Any

from config import spreadsheets
from config.spreadsheets import XLSX_CONTENT_TYPE
from schools.monitoring import selectors
from schools.monitoring.models import ResponseStatus, SurveyCampaign, SurveyResponse

__all__ = ["XLSX_CONTENT_TYPE", "campaign_xlsx", "question_xlsx"]


def _cell(value: Any, options: dict[str, str] | None = None) -> Any:
    """An answer as people read it: «да»/«нет», the text of a chosen option (never its code,
    such as ``weekly``), several options joined."""
    options = options or {}
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, list):
        return ", ".join(options.get(str(v), str(v)) for v in value)
    if isinstance(value, str) and value in options:
        return options[value]
    return value


def _options(question: Any) -> dict[str, str]:
    return {
        str(o.get("code")): str(o.get("text", ""))
        for o in (question.options or [])
        if isinstance(o, dict) and o.get("code") is not None
    }


def campaign_xlsx(campaign: SurveyCampaign, *, with_answers: bool) -> bytes:
    from openpyxl.styles import Font

    results = selectors.campaign_results(campaign, open_answers=False)
    workbook = spreadsheets.new_workbook()
    summary = workbook.active
    assert summary is not None
    summary.title = "Итоги"
    bold = Font(bold=True)
    append = spreadsheets.append
    append(summary, [campaign.title])
    append(summary, ["Приглашено", results["invited"]])
    append(summary, ["Ответили", results["submitted"]])
    append(summary, ["Доля ответивших, %", results["response_rate"]])
    append(summary, [])
    append(summary, ["№", "Вопрос", "Ответов", "Среднее", "Медиана", "Распределение"], font=bold)
    for number, question in enumerate(results["questions"], start=1):
        spread = "; ".join(
            f"{item['label']}: {item['count']}" for item in question["distribution"] or []
        )
        append(
            summary,
            [
                number,
                question["text"],
                question["answered"],
                question["mean"],
                question["median"],
                spread,
            ],
        )
    if with_answers:
        sheet = workbook.create_sheet("Ответы")
        questions = selectors.questions_in_order(campaign)
        # Headers are the questions' texts (never their codes); times are local.
        append(
            sheet, ["Ответ №", "Участник", "Отправлено", *[q.text for q in questions]], font=bold
        )
        options = {q.code: _options(q) for q in questions}
        for response in (
            SurveyResponse.objects.filter(campaign=campaign, status=ResponseStatus.SUBMITTED)
            .select_related("participant", "user", "invitation")
            .order_by("pk")
        ):
            append(
                sheet,
                [
                    response.pk,
                    response.invitation.respondent_name,
                    response.submitted_at,
                    *[_cell(response.answers.get(q.code), options[q.code]) for q in questions],
                ],
            )
    return spreadsheets.workbook_bytes(workbook)


def question_xlsx(campaign: SurveyCampaign, *, code: str) -> bytes | None:
    """The data of one question's chart (its distribution, answers, mean, median) as XLSX, in
    the active language; None when the campaign's questionnaire has no such counted question."""
    from django.utils.translation import gettext as _
    from openpyxl.styles import Font

    results = selectors.campaign_results(campaign, open_answers=False)
    entry = next((q for q in results["questions"] if q["code"] == code), None)
    if entry is None or entry["distribution"] is None:
        return None
    workbook = spreadsheets.new_workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = spreadsheets.sheet_title(entry["text"] or code)  # the text, not the code
    append = spreadsheets.append
    append(sheet, [campaign.title])
    append(sheet, [entry["text"]])
    append(sheet, [_("Answers"), entry["answered"]])
    if entry["mean"] is not None:
        append(sheet, [_("Mean"), entry["mean"]])
        append(sheet, [_("Median"), entry["median"]])
    append(sheet, [])
    append(sheet, [_("Answer"), _("Number of answers")], font=Font(bold=True))
    for item in entry["distribution"]:
        append(sheet, [item["label"], item["count"]])
    return spreadsheets.workbook_bytes(workbook)
