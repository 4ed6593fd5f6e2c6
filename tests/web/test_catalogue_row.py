"""The catalogue's entries are written in Python (``views_catalogue.catalogue_row_html``): the
same markup the page's template loop wrote, for active and retired entries, with and without
what covers them and other wordings, escaped, in Russian and in English."""

from __future__ import annotations

import itertools
from types import SimpleNamespace
from typing import Any

from django.template import Context, Template
from django.utils import translation

from schools.web.views_catalogue import _row_labels, catalogue_row_html

# The loop of school/catalogue.html before the rows were written in Python.
LOOP = Template(
    """{% load i18n %}{% for t in entries %}
        <li class="list-group-item{% if not t.is_active %} text-body-secondary{% endif %}" id="topic-{{ t.pk }}" data-topic="{{ t.code }}">
          <div class="d-flex flex-wrap justify-content-between gap-2">
            <span><a href="{{ t.url }}" class="fw-semibold">{{ t.name }}</a>{% if not t.is_active %} <span class="badge text-bg-secondary">{% translate "retired" %}</span>{% endif %}</span>
            <span class="small">{{ t.asked_text }} · {{ t.offered_text }}</span>
          </div>
          {% with cover=t.coverage.all %}{% if cover %}<div class="small">{% translate "Also covered by:" %} {% for c in cover %}{{ c.covered_by.name }}{% if not forloop.last %}, {% endif %}{% endfor %}</div>{% endif %}{% endwith %}
          {% if t.synonyms %}<div class="small text-body-secondary">{% translate "Also written as:" %} {{ t.synonyms|join:", " }}</div>{% endif %}
        </li>{% endfor %}"""  # noqa: E501
)


class _Coverage:
    def __init__(self, names: list[str]) -> None:
        self.rows = [SimpleNamespace(covered_by=SimpleNamespace(name=n)) for n in names]

    def all(self) -> list[Any]:
        return self.rows


def _topic(active: bool, cover: list[str], synonyms: list[str] | None) -> Any:
    return SimpleNamespace(
        pk=12,
        code="olymp-<b>",
        name='Олимпиады <«физика»> & "химия"',
        is_active=active,
        url="/bases/catalogue/12/?a=1&b=2",
        asked_text="просят 3 наставляемых",
        offered_text="предлагают 1 <наставник>",
        coverage=_Coverage(cover),
        synonyms=synonyms,
    )


def test_a_catalogue_row_written_in_python_is_the_template_s() -> None:
    cases = list(
        itertools.product(
            [True, False],
            [[], ["Наука"], ["Наука <и> техника", 'Право & "общество"']],
            [None, [], ["олимпиады"], ["<подтянуть>", "оценки & баллы"]],
        )
    )
    for language in ("ru", "en"):
        with translation.override(language):
            labels = _row_labels()
            for active, cover, synonyms in cases:
                topic = _topic(active, cover, synonyms)
                expected = LOOP.render(Context({"entries": [topic]}))
                written = catalogue_row_html(topic, cover, labels)
                assert written == expected, (language, topic)
            every = [_topic(*case) for case in cases]
            rows = "".join(
                catalogue_row_html(t, c, labels)
                for t, (_a, c, _s) in zip(every, cases, strict=True)
            )
            assert rows == LOOP.render(Context({"entries": every}))
