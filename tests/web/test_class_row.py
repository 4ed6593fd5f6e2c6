"""A class's roster rows are written in Python (``views_classes.roster_row_html``): the same
markup the page's template loop wrote, for every consent state, base, guardian and viewer,
escaped, in Russian and in English."""

from __future__ import annotations

import datetime
import itertools
from types import SimpleNamespace
from typing import Any

from django.template import Context, Template
from django.urls import set_urlconf
from django.utils import translation

from schools.web.labels import consent_labels
from schools.web.views_classes import roster_row_html, roster_row_labels

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
