"""The roadmap's rows are written in Python (``views_records.activity_row_html``); the row
template stays for a row with its deadline form. Both write the same markup for every kind of
row and viewer."""

from __future__ import annotations

import itertools
from typing import Any

from django.template.loader import render_to_string

from schools.web.views_records import activity_row_html

LABELS = {
    "overdue": "просрочено",
    "done": "Выполнено",
    "edit": "Изменить",
    "reschedule": "Перенести",
    "open_form": "Открыть форму",
}


def _row(status: str, overdue: bool, summary: str, roles: list[str], can_mark: bool) -> Any:
    return {
        "pk": 7,
        "title": 'Совещание <«наставников»> & "план"',
        "summary": summary,
        "status": status,
        "status_label": {"done": "Выполнено", "cancelled": "Отменено"}.get(status, "План"),
        "is_overdue": overdue,
        "deadline_text": "01.10.2026",
        "completed_text": "02.10.2026" if status == "done" else "",
        "role_labels": roles,
        "can_mark": can_mark,
        "done_url": "/programme/activities/7/done/",
        "edit_url": "/programme/activities/7/edit/",
        "reschedule_url": "/programme/activities/7/reschedule/?a=1&b=<2>",
    }


def test_a_roadmap_row_written_in_python_is_the_row_template() -> None:
    cases = itertools.product(
        ["planned", "in_progress", "done", "cancelled"],
        [False, True],  # overdue
        ["", "Краткое <содержание> & «итог»"],
        [[], ["Координатор", "Куратор <класса>"]],
        [False, True],  # the row's own can_mark (a curator responsible for it)
        [(False, False), (False, True), (True, True)],  # the page's can_edit, can_mark
    )
    for status, overdue, summary, roles, row_mark, (can_edit, can_mark) in cases:
        row = _row(status, overdue, summary, roles, row_mark)
        expected = render_to_string(
            "school/records_activity_row.html",
            {"a": row, "can_edit": can_edit, "can_mark": can_mark, "row_labels": LABELS},
        )
        written = activity_row_html(row, can_edit=can_edit, can_mark=can_mark, labels=LABELS)
        assert written == expected, (status, overdue, summary, roles, row_mark, can_edit)
