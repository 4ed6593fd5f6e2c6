"""The programme's annual report (годовой отчёт о реализации программы наставничества), DOCX:
the year's figures, charts, the two parts of the monitoring (programme quality; growth of the
participants) and the best cases (their published, anonymised text). Read through the apps'
public interfaces; numbers and anonymised texts only — no learner is named."""

from __future__ import annotations

import datetime

from django.utils import timezone

from config.charts import bar_chart_png
from config.office import (
    academic_year_ru,
    date_plain_ru,
    docx_bytes,
    institution,
    institution_header,
    new_document,
    picture,
    table,
)
from schools.monitoring import api as monitoring_api
from schools.pairs import api as pairs_api
from schools.programmes import api as programmes_api


def _heading(document: object, text: str) -> None:
    paragraph = document.add_paragraph()  # type: ignore[attr-defined]
    paragraph.add_run(text).bold = True


def annual_report_docx(*, programme_id: int, day: datetime.date | None = None) -> bytes:
    programme = programmes_api.programme_get(programme_id=programme_id)
    if programme is None:
        raise LookupError(programme_id)
    year = academic_year_ru(programme.academic_year)
    labels = dict(programmes_api.MentoringForm.choices)
    figures = pairs_api.programme_figures(programme_id=programme.id)
    parts = monitoring_api.monitoring_parts(
        programme_id=programme.id, academic_year=programme.academic_year
    )
    document = new_document()
    institution_header(document, institution())
    title = document.add_paragraph()
    title.add_run(
        f"Отчёт о реализации программы наставничества «{programme.title}» за {year} учебный год"
    ).bold = True
    document.add_paragraph(
        f"Составлен {date_plain_ru(day or timezone.localdate())}. Формы наставничества: "
        + (", ".join(str(labels.get(f, f)).lower() for f in programme.forms) or "—")
        + "."
    )

    _heading(document, "1. Показатели года")
    table(
        document,
        ["Показатель", "Значение"],
        [
            ["Наставнических пар и групп сформировано", str(figures["pairs"])],
            ["из них завершено с результатом", str(figures["completed"])],
            ["продолжают работу в следующем году", str(figures["continued"])],
            ["завершено досрочно", str(figures["ended_early"])],
            ["действуют", str(figures["active"])],
            ["Наставников", str(figures["mentors"])],
            ["Наставляемых", str(figures["mentees"])],
            ["Встреч проведено", str(figures["meetings_held"])],
            [
                "Целей индивидуальных планов достигнуто",
                f"{figures['goals_done']} из {figures['goals']}",
            ],
        ],
    )
    by_form = figures["by_form"]
    if by_form:
        picture(
            document,
            bar_chart_png(
                [str(labels.get(code, code)) for code in by_form],
                list(by_form.values()),
                title="Пары и группы по формам наставничества",
            ),
            width_cm=15,
        )

    _heading(document, "2. Мониторинг: качество реализации программы")
    quality = parts["quality"]
    if quality["items"]:
        document.add_paragraph(
            f"Чек-лист куратора: анкет {quality['campaigns']}, ответили {quality['respondents']}."
        )
        table(
            document,
            ["Параметр", "Результат"],
            [
                [
                    item["text"],
                    f"да — {item['value']} %"
                    if item["kind"] == "yes_share"
                    else f"{item['value']} из 10",
                ]
                for item in quality["items"]
            ],
        )
    else:
        document.add_paragraph("Чек-лист куратора в этом году не заполнялся.")
    satisfaction = [s for s in parts["satisfaction"] if s["mean"] is not None]
    if satisfaction:
        table(
            document,
            ["Анкета удовлетворённости", "Приглашено", "Ответили", "Средняя оценка (1–10)"],
            [
                [s["title"], str(s["invited"]), str(s["respondents"]), f"{s['mean']:g}"]
                for s in satisfaction
            ],
        )
        picture(
            document,
            bar_chart_png(
                [s["title"] for s in satisfaction],
                [s["mean"] for s in satisfaction],
                title="Удовлетворённость участников (средняя оценка, 1–10)",
                maximum=10,
            ),
            width_cm=15,
        )
    else:
        document.add_paragraph("Анкеты удовлетворённости в этом году не проводились.")

    _heading(document, "3. Мониторинг: влияние программы на участников (рост)")
    grown = parts["growth"]
    if grown and grown["questions"]:
        document.add_paragraph(
            f"Сравнение анкет «{grown['before']}» и «{grown['after']}»: ответили оба раза "
            f"{grown['people']} участников; средний прирост — "
            f"{grown['mean_change'] if grown['mean_change'] is not None else '—'} балла."
        )
        table(
            document,
            ["Параметр", "До", "После", "Изменение", "Выросли / без изменений / снизились"],
            [
                [
                    q["text"],
                    f"{q['mean_before']:g}" if q["mean_before"] is not None else "—",
                    f"{q['mean_after']:g}" if q["mean_after"] is not None else "—",
                    f"{q['mean_change']:+g}" if q["mean_change"] is not None else "—",
                    f"{q['improved']} / {q['unchanged']} / {q['declined']}",
                ]
                for q in grown["questions"]
            ],
        )
        picture(
            document,
            bar_chart_png(
                [q["text"] for q in grown["questions"]],
                [q["mean_change"] or 0 for q in grown["questions"]],
                title="Изменение оценок после программы (баллы)",
            ),
            width_cm=15,
        )
    else:
        document.add_paragraph(
            "Анкеты роста участников «до» и «после» программы в этом году не сопоставлены."
        )

    _heading(document, "4. Лучшие практики")
    cases = pairs_api.success_stories_published()
    if not cases:
        document.add_paragraph("Опубликованных кейсов нет.")
    for case in cases[:5]:
        paragraph = document.add_paragraph()
        paragraph.add_run(case["title"]).bold = True
        document.add_paragraph(case["text"])

    document.add_paragraph()
    document.add_paragraph("Координатор программы наставничества\t______________")
    director = programmes_api.programme_director_name(programme)
    document.add_paragraph(f"Директор\t______________\t{director or '/______________/'}")
    return docx_bytes(document)
