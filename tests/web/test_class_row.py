"""A class's roster rows and the rows of the papers it returned are written in Python
(``views_classes.roster_row_html``, ``paper_rows_html``): the same markup the pages' template
loops wrote, for every consent state, base, guardian, age band, error and viewer, escaped, in
Russian and in English."""

from __future__ import annotations

import datetime
import itertools
from types import SimpleNamespace
from typing import Any

from django.forms.renderers import DjangoTemplates
from django.template import Context, Template
from django.urls import set_urlconf
from django.utils import timezone, translation

from config.form_renderer import FastTemplates
from schools.participants.models import Participant
from schools.web.forms_classes import ClassPapersForm
from schools.web.labels import consent_labels
from schools.web.views_classes import (
    paper_row_labels,
    paper_rows_html,
    roster_row_html,
    roster_row_labels,
)

# The loop of school/classes_detail.html before the rows were written in Python.
LOOP = Template(
    """{% load i18n %}  {% for p in roster %}
    <tr data-person="{{ p.last_name }}"><td><a href="{% url 'school:participant' p.pk %}">{{ p.full_name }}</a>{% if p.guardian %}<div class="small text-body-secondary">{{ p.guardian.name }}</div>{% endif %}</td><td class="text-nowrap">{{ p.birth_date|date:"d.m.Y"|default:"—" }}</td>
      <td>{% include "school/consent_badge.html" with state=p.consent_state %}</td>
      <td>{% if p.in_mentee_base %}<span class="badge text-bg-info">{% translate "mentee" %}</span> {% endif %}{% if p.in_mentor_base %}<span class="badge text-bg-primary">{% translate "mentor" %}</span>{% endif %}{% if not p.in_mentee_base and not p.in_mentor_base %}<span class="text-body-secondary">—</span>{% endif %}</td>
      {% if can_record %}<td>{% if p.needs_consent %}
        {% if p.has_open_request %}<span class="small text-body-secondary d-block">{% translate "a link is open" %}</span>{% endif %}
        <form method="post" action="{% url 'school:consent-link' p.pk %}" class="d-flex flex-wrap gap-1" data-testid="consent-link-{{ p.pk }}">{% csrf_token %}
          <label class="visually-hidden" for="email-{{ p.pk }}">{% translate "E-mail of the parent (or of the adult participant)" %}</label>
          <input class="form-control form-control-sm" style="max-width: 14rem" type="email" name="email" id="email-{{ p.pk }}" value="{{ p.guardian.email|default:'' }}" placeholder="{% translate 'e-mail, or empty for a link' %}">
          <button class="btn btn-outline-secondary btn-sm" type="submit">{% if p.has_open_request %}{% translate "New link" %}{% else %}{% translate "Consent link" %}{% endif %}</button>
        </form>{% endif %}</td>{% endif %}
    </tr>
  {% empty %}
    <tr><td colspan="5" class="text-body-secondary">{% translate "Nobody is in this class yet." %}</td></tr>
  {% endfor %}"""  # noqa: E501
)
TOKEN = "tok<&>en"
STATES = ["valid", "reconsent_due", "invalid_for_age", "missing", "withdrawn", "erased", ""]


def _roster_row(pk: int, state: str, bases: tuple[bool, ...], guardian: Any, born: bool) -> Any:
    """A row of ``search.class_roster`` as the page annotates it (no person is built)."""
    return SimpleNamespace(
        pk=pk,
        last_name='Иванов<"О\'Нил">',
        full_name='Иванов<"О\'Нил"> Пётр & Ко',
        birth_date=datetime.date(2011, 3, 4) if born else None,
        consent_state=state,
        in_mentee_base=bases[0],
        in_mentor_base=bases[1],
        needs_consent=state not in ("valid", "reconsent_due", "erased"),
        has_open_request=pk % 2 == 0,
        guardian=guardian,
    )


def test_a_roster_row_written_in_python_is_the_template_s() -> None:
    guardians = [None, {"name": "Мама <Анна>", "email": 'a&b@"x".ru', "relation": "mother"}]
    guardians.append({"name": "Папа", "email": "", "relation": "father"})
    cases = itertools.product(
        STATES, itertools.product([False, True], repeat=2), guardians, [True, False]
    )
    people = [_roster_row(pk, *case) for pk, case in enumerate(cases, start=7)]
    set_urlconf("config.urls_tenant")
    try:
        for language, can_record in itertools.product(("ru", "en"), (True, False)):
            with translation.override(language):
                labels = roster_row_labels()
                context = {"consent_labels": consent_labels(), "can_record": can_record}
                for person in people:
                    expected = LOOP.render(
                        Context({**context, "roster": [person], "csrf_token": TOKEN})
                    )
                    written = roster_row_html(
                        person, can_record=can_record, csrf_token=TOKEN, labels=labels
                    )
                    assert "  " + written == expected, (language, can_record, vars(person))
                every = "".join(
                    roster_row_html(p, can_record=can_record, csrf_token=TOKEN, labels=labels)
                    for p in people
                )
                page = LOOP.render(Context({**context, "roster": people, "csrf_token": TOKEN}))
                assert "  " + every == page
    finally:
        set_urlconf(None)


# The loop of school/classes_consents.html before the rows were written in Python.
PAPER_LOOP = Template(
    """{% load i18n %}{% for row in rows %}
      <tr data-person="{{ row.person.last_name }}"{% if row.errors %} class="table-danger"{% endif %}>
        <td><div class="form-check mb-0">{{ row.returned }}<label class="form-check-label" for="{{ row.returned.id_for_label }}">{{ row.person.full_name }}</label></div>
          {% if row.errors %}<div class="invalid-feedback d-block" role="alert">{% for e in row.errors %}{{ e }}{% if not forloop.last %}<br>{% endif %}{% endfor %}</div>{% endif %}</td>
        <td>{{ row.age|default_if_none:"—" }}</td>
        <td>{% if row.guardian_name %}<label class="visually-hidden" for="{{ row.guardian_name.id_for_label }}">{% translate "Parent or legal guardian (full name)" %}</label>{{ row.guardian_name }}{% else %}<span class="small text-body-secondary">{% translate "signs personally" %}</span>{% endif %}</td>
        <td>{% if row.guardian_relation %}<label class="visually-hidden" for="{{ row.guardian_relation.id_for_label }}">{% translate "Relation" %}</label>{{ row.guardian_relation }}{% endif %}</td>
        <td>{% if row.minor_signed %}<div class="form-check mb-0">{{ row.minor_signed }}<label class="visually-hidden" for="{{ row.minor_signed.id_for_label }}">{% translate "The pupil signed too" %}</label></div>{% endif %}</td>
      </tr>
    {% endfor %}"""  # noqa: E501
)


def _pupils(today: datetime.date) -> list[Participant]:
    """Unsaved people of a class: every age band (unknown, under 14, 14–17, 18, adult), ё,
    escaping, a missing patronymic."""
    years = [None, 9, 14, 17, 18, 40, 13]
    names = [
        ('Ёлкина<"О\'Нил">', "Анна", "Семёновна"),
        ("Петров & Ко", "Пётр", ""),
        ("Иванов", "Иван", "Иванович"),
    ]
    return [
        Participant(
            pk=pk,
            last_name=names[pk % 3][0],
            first_name=names[pk % 3][1],
            middle_name=names[pk % 3][2],
            birth_date=None if age is None else datetime.date(today.year - age, 1, 1),
        )
        for pk, age in enumerate(years, start=11)
    ]


GUARDIANS = {
    11: {"name": "Мама <Анна> Ёлкина", "email": "a@b.ru", "relation": "mother"},
    12: {"name": "Папа", "email": "", "relation": "father"},
    13: {"name": "Опекун & Ко", "email": "", "relation": ""},  # no relation: mother offered
}


def _paper_forms(data: dict[str, str] | None, today: datetime.date) -> list[ClassPapersForm]:
    """The same form twice: with Django's templates (the page before) and the project's
    renderer; a bound one validated and given the service's row errors."""
    out = []
    for renderer in (DjangoTemplates(), FastTemplates()):
        people = _pupils(today)
        form = ClassPapersForm(data, people=people, guardians=GUARDIANS, today=today)
        form.renderer = renderer
        if data is not None:
            form.is_valid()
            form.add_row_errors(
                people,
                {0: {"guardian_name": ["Не <то> имя", "и ещё"]}, 3: {"signed_on": ["Поздно"]}},
            )
        out.append(form)
    return out


def test_the_papers_rows_written_in_python_are_the_template_s() -> None:
    today = timezone.localdate()
    posted = {
        "signed_on": "2026-12-01",
        "method": "paper_scan",
        "p11_returned": "on",
        "p12_returned": "on",
        "p12_guardian_name": "Ёжиков <Ю>",
        "p12_guardian_relation": "zzz",  # not a choice: the field's error
        "p13_returned": "on",
        "p13_minor_signed": "",
        "p15_guardian_relation": "father",
    }
    with timezone.override("Europe/Moscow"):
        for language, data in itertools.product(("ru", "en"), (None, posted)):
            with translation.override(language):
                old, new = _paper_forms(data, today)
                expected = PAPER_LOOP.render(Context({"rows": old.rows()}))
                written = paper_rows_html(new.rows(), labels=paper_row_labels())
                assert written == expected, (language, data)
                assert expected.count("<tr ") == 7 and expected.count("<select") == 5
                if data is not None:
                    assert "table-danger" in written and "Не &lt;то&gt; имя<br>и ещё" in written
                    assert 'aria-invalid="true"' in written  # the relation's error
                else:
                    assert "Ёжиков" not in written and "Мама &lt;Анна&gt; Ёлкина" in written
