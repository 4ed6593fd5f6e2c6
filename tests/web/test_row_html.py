"""Rows and blank forms the pages write in Python (or once per language) instead of a template
loop: the pairs table (``views.pair_rows_html``), a matching run's proposals
(``views.proposal_rows_html``), a group meeting's attendees
(``views_groupmeeting.attendee_rows_html``) and the new questionnaire's blank fields
(``views_surveys.questionnaire_blank_fields``). Each writes the markup its template wrote;
the old loops are kept here to compare with."""

from __future__ import annotations

import datetime
import itertools
from typing import Any

from django.template import Context, Template
from django.template.loader import render_to_string
from django.utils import timezone, translation

from schools.web.forms_surveys import LocalQuestionnaireForm, QuestionRows
from schools.web.views import (
    pair_rows_html,
    proposal_rows_html,
    proposal_status_html,
    proposal_status_row,
    proposal_words,
)
from schools.web.views_groupmeeting import attendee_rows_html
from schools.web.views_surveys import _BLANK_FIELDS, questionnaire_blank_fields

# The loop of ``school/pairs_table.html`` before its rows were written in Python.
PAIRS_LOOP = Template(
    """{% load i18n %}{% translate "no meetings lately" as stale %}{% for pair in pairs %}<tr>
    <td><a href="{{ pair.url }}">{{ pair.mentor }}</a></td>
    <td>{{ pair.mentees }}</td>
    <td>{{ pair.form }}</td>
    <td>{{ pair.status }}{% if pair.is_stale %} <span class="badge text-bg-warning">"""
    """{{ stale }}</span>{% endif %}</td>
    <td>{{ pair.last_meeting_at|date:"d.m.Y"|default:"—" }}</td>
  </tr>{% endfor %}"""
)

# The loop of ``school/groupmeeting_detail.html`` before its rows were written in Python.
ATTENDEES_LOOP = Template(
    """{% load i18n %}{% for row in attendee_page %}
    <li class="list-group-item d-flex flex-wrap justify-content-between gap-2">"""
    """<span>{{ row.name }}</span>
      <span>{% if row.stated %}<span class="badge text-bg-success">"""
    """{% translate "has chosen" %}</span>{% else %}<span class="badge text-bg-light">"""
    """{% translate "not yet" %}</span>{% endif %}{% if edit_form and held %} """
    """<a class="small ms-2" href="{% url 'school:group-meeting-preferences' meeting.pk %}"""
    """?person={{ row.pk }}">{% translate "Enter the paper form" %}"""
    """<span class="visually-hidden">: {{ row.name }}</span></a>{% endif %}</span></li>
  {% endfor %}"""
)

# The loop of ``school/matching_run.html`` before its rows were written in Python.
PROPOSALS_LOOP = Template(
    """{% load i18n %}{% translate "why" as why %}"""
    """{% translate "Open the reasons" as open_reasons %}{% translate "by hand" as by_hand %}"""
    """{% translate "Approved: pair formed" as approved %}"""
    """{% for p in proposals %}<tr>
    {% if can_decide %}<td>{% if not p.pair_id and p.status != "rejected" %}"""
    """<input class="form-check-input" type="checkbox" name="proposal" value="{{ p.pk }}" """
    """form="approve-selected" id="approve-{{ p.pk }}" aria-label="{{ p.approve_label }}">"""
    """{% endif %}</td>{% endif %}
    <td>{{ p.mentor }}{% if p.made_by_hand %} <span class="badge text-bg-info">{{ by_hand }}"""
    """</span>{% endif %}</td><td><a href="{{ p.url }}">{{ p.mentee }}</a></td>
    <td><details hx-get="{{ p.url }}" hx-trigger="toggle once" data-testid="proposal-why">"""
    """<summary><strong>{{ p.score }}</strong> <span class="small">{{ why }}</span></summary>"""
    """<div class="reasons small"><a href="{{ p.url }}">{{ open_reasons }}</a></div></details>"""
    """</td>
    <td>{% if p.pair_id %}<span class="badge text-bg-success">{{ approved }}</span>{% else %}"""
    """{% include "school/matching_proposal_status.html" with proposal=p %}{% endif %}</td>
  </tr>{% endfor %}"""
)
CSRF = '<input type="hidden" name="csrfmiddlewaretoken" value="TOKEN">'


def _pair(n: int, *, stale: bool, when: Any) -> dict[str, Any]:
    return {
        "url": f"/pairs/{n}/?a=1&b=<2>",
        "mentor": 'Иванов <b>Пётр</b> & "Ко"',
        "mentees": "Ёлкина Анна, О'Нил Мария",
        "form": "Учитель — учитель",
        "status": "Активна <&>",
        "is_stale": stale,
        "last_meeting_at": when,
    }


def test_the_pairs_rows_written_in_python_are_the_template_s(settings) -> None:
    late = datetime.datetime(2026, 10, 1, 22, 30, tzinfo=datetime.UTC)  # the next day in Moscow
    whens = [None, late, datetime.date(2026, 9, 1)]
    for language, zone in itertools.product(("ru", "en"), ("Europe/Moscow", "Asia/Vladivostok")):
        rows = [
            _pair(n, stale=stale, when=when)
            for n, (stale, when) in enumerate(itertools.product((False, True), whens))
        ]
        with translation.override(language), timezone.override(zone):
            expected = PAIRS_LOOP.render(Context({"pairs": rows}))
            assert pair_rows_html(rows) == expected
    assert pair_rows_html([]) == ""


def test_the_attendee_rows_written_in_python_are_the_template_s(tenant_a) -> None:
    from django.urls import reverse
    from django_tenants.utils import schema_context

    rows = [
        {"pk": 5, "name": 'Иванов <b>Пётр</b> & "Ко"', "stated": 2},
        {"pk": 6, "name": "О'Нил Мария", "stated": 0},
    ]
    meeting = {"pk": 41}
    with schema_context(tenant_a.schema_name):
        url = reverse("school:group-meeting-preferences", args=[41])
        for language, edit_form, held in itertools.product(
            ("ru", "en"), (None, "form"), (False, True)
        ):
            with translation.override(language):
                expected = ATTENDEES_LOOP.render(
                    Context(
                        {
                            "attendee_page": rows,
                            "edit_form": edit_form,
                            "held": held,
                            "meeting": meeting,
                        }
                    )
                )
                paper_form_url = url if edit_form and held else None
                written = attendee_rows_html(rows, paper_form_url=paper_form_url)
                assert written == expected, (language, edit_form, held)


def test_the_blank_questionnaire_fields_are_written_once_per_language() -> None:
    _BLANK_FIELDS.clear()
    written = {}
    for language in ("ru", "en", "ru"):
        with translation.override(language):
            fresh = render_to_string(
                "school/surveys_questionnaire_fields.html",
                {"form": LocalQuestionnaireForm(), "rows": QuestionRows(prefix="q")},
            )
            assert questionnaire_blank_fields() == fresh
            written[language] = questionnaire_blank_fields()
    assert set(_BLANK_FIELDS) == {"ru", "en"} and written["ru"] != written["en"]
    assert written["ru"].count('data-testid="question-row-') == 8
    assert 'name="q-TOTAL_FORMS"' in written["ru"]


def test_the_proposal_rows_written_in_python_are_the_template_s(tenant_a) -> None:
    from django_tenants.utils import schema_context

    statuses = ("proposed", "accepted", "changed", "rejected", "superseded")
    with schema_context(tenant_a.schema_name):
        rows = [
            {
                **proposal_status_row(pk=n, status=status),
                "url": f"/matching/proposals/{n}/?a=1&b=<2>",
                "mentor": 'Иванов <b>Пётр</b> & "Ко"',
                "mentee": "О'Нил Мария",
                "approve_label": 'Утвердить пару <«О\'Нил»> & "сейчас"',
                "score": "72,5",
                "made_by_hand": by_hand,
                "pair_id": pair_id,
            }
            for n, (status, by_hand, pair_id) in enumerate(
                itertools.product(statuses, (False, True), (None, 9)), 1
            )
        ]
        for language, can_decide in itertools.product(("ru", "en"), (False, True)):
            with translation.override(language):
                context = {"proposals": rows, "can_decide": can_decide, "csrf_token": "TOKEN"}
                expected = PROPOSALS_LOOP.render(Context(context))
                words = proposal_words()
                written = proposal_rows_html(
                    rows, can_decide=can_decide, csrf_input=CSRF, words=words
                )
                assert written == expected, (language, can_decide)
                for row in rows:  # the fragment HTMX puts back after a decision
                    fragment = render_to_string(
                        "school/matching_proposal_status.html",
                        {"proposal": row, "can_decide": can_decide, "csrf_token": "TOKEN"},
                    )
                    ours = proposal_status_html(
                        row, can_decide=can_decide, csrf_input=CSRF, words=words
                    )
                    assert ours == fragment, (row["status"], can_decide)
    assert proposal_rows_html([], can_decide=True, csrf_input=CSRF, words=words) == ""


# ``school/stage_tracker.html`` before the staff's home wrote its cards in Python.
TRACKER_LOOP = Template(
    """{% load i18n %}<ol class="list-unstyled row g-3" data-testid="stage-tracker">
{% for report in reports %}
  <li class="col-12 col-md-6 col-xl-4"><div class="card h-100 stage-{{ report.state }}">"""
    """<div class="card-body">
    <div class="d-flex justify-content-between align-items-start gap-2">
      <h3 class="h6 mb-1"><a class="link-body-emphasis" href="{% url 'school:programme' %}"""
    """#stage-{{ report.stage }}">{{ report.stage }}. {{ report.title }}</a></h3>
      <span class="badge {% if report.state == 'done' %}text-bg-success{% elif report.state """
    """== 'in_progress' %}text-bg-primary{% else %}text-bg-secondary{% endif %}">"""
    """{% if report.state == 'done' %}{% translate "Done" %}{% elif report.state == """
    """'in_progress' %}{% translate "In progress" %}{% else %}{% translate "Not started" %}"""
    """{% endif %}</span>
    </div>
    {% if report.activities.total %}<div class="small text-body-secondary mb-1">"""
    """{% blocktranslate with done=report.activities.done total=report.activities.total %}"""
    """Roadmap: {{ done }} of {{ total }} done{% endblocktranslate %}"""
    """{% if report.activities.overdue %} · <span class="text-danger">{% blocktranslate with """
    """count=report.activities.overdue %}overdue: {{ count }}{% endblocktranslate %}</span>"""
    """{% endif %}</div>{% endif %}
    {% if report.missing %}<ul class="small mb-0 ps-3">{% for item in report.missing %}"""
    """<li>{{ item.message }}</li>{% endfor %}</ul>{% endif %}
  </div></div></li>
{% endfor %}
</ol>
"""
)


def test_the_stage_tracker_written_in_python_is_the_template_s(tenant_a, settings) -> None:
    """Every state, a roadmap with and without activities and overdue ones, nothing or
    several things missing (with characters to escape), numbers in the thousands, in Russian
    and English, with and without the thousands' separator: the same markup."""
    from django_tenants.utils import schema_context

    from schools.programmes.stages import ActivityCounts, MissingItem, StageReport
    from schools.web.views import stage_tracker_html

    missing = [
        MissingItem(code="a", message='Нет «кураторов» & <b>"приказов"</b>'),
        MissingItem(code="b", message="It's 3 < 4", count=3),
    ]
    counts = [
        ActivityCounts(),
        ActivityCounts(total=5, done=2, cancelled=1, in_progress=1),
        ActivityCounts(total=1234, done=1001, overdue=1500),
    ]
    reports = [
        StageReport(
            stage=stage,
            title=f"Этап <{stage}> & «{state}»",
            state=state,
            missing=missing[: stage % 3],
            activities=activities,
        )
        for stage, (state, activities) in enumerate(
            itertools.product(("not_started", "in_progress", "done", "odd"), counts), start=1
        )
    ]
    with schema_context(tenant_a.schema_name):
        for language, separator in itertools.product(("ru", "en"), (False, True)):
            settings.USE_THOUSAND_SEPARATOR = separator
            with translation.override(language):
                for shown in (reports, reports[:1], []):
                    expected = TRACKER_LOOP.render(Context({"reports": shown}))
                    assert stage_tracker_html(shown) == expected, (language, separator)


def test_the_roadmap_stages_written_in_python_are_the_template_s(tenant_a, settings) -> None:
    """A roadmap stage without the form to add an activity, written in Python, is what
    ``school/records_stage.html`` (still the page's for a stage showing the form) writes: every
    state and no report, counts with and without overdue ones (in the thousands, with and
    without the separator), things missing or not, rows or none, for an editor, a curator
    who may mark and a reader, in Russian and English."""
    from django.utils.safestring import mark_safe
    from django_tenants.utils import schema_context

    from schools.programmes.models import Stage
    from schools.programmes.stages import ActivityCounts, MissingItem, StageReport
    from schools.web.views_records import roadmap_stage_words, stage_section_html

    rows = [{"html": mark_safe('<tr id="activity-1"><td>A & <b>B</b></td></tr>\n')}]
    items = []
    for number, (state, counts, missing, activities) in enumerate(
        itertools.product(
            ("not_started", "in_progress", "done", None),
            (
                ActivityCounts(),
                ActivityCounts(total=3, done=1),
                ActivityCounts(total=1234, overdue=1001),
            ),
            ([], [MissingItem(code="a", message='Нет «приказов» & <b>"кураторов"</b>')]),
            ([], rows * 2),
        )
    ):
        stage = list(Stage)[number % 6]
        report = (
            None
            if state is None
            else StageReport(
                stage=stage.value, title="", state=state, missing=missing, activities=counts
            )
        )
        items.append(
            {"stage": stage, "report": report, "activities": activities, "create_form": None}
        )
    with schema_context(tenant_a.schema_name):
        for language, separator, (can_edit, can_mark) in itertools.product(
            ("ru", "en"), (False, True), ((True, True), (False, True), (False, False))
        ):
            settings.USE_THOUSAND_SEPARATOR = separator
            with translation.override(language):
                words = roadmap_stage_words()
                for item in items:
                    expected = render_to_string(
                        "school/records_stage.html",
                        {"item": item, "can_edit": can_edit, "can_mark": can_mark},
                    )
                    written = stage_section_html(
                        item, can_edit=can_edit, can_mark=can_mark, words=words
                    )
                    assert written == expected, (language, separator, can_edit, item)
