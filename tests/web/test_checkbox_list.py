"""``school/checkbox_list.html`` writes its boxes in Python (``checkbox_boxes``): the same
controls Django's own loop over the field wrote — names, values, ids, labels (escaped),
ticks and the invalid mark."""

from __future__ import annotations

import re

from django import forms
from django.template import Context, Template
from django.template.loader import render_to_string

PEOPLE = [(1, "Иванов <b>Пётр</b>"), (2, 'Б & "в"'), (3, "Ёлкина Анна")]
LOOP = Template(
    """{% for box in field %}<input type="checkbox" name="{{ field.html_name }}" """
    """value="{{ box.data.value }}" id="{{ box.id_for_label }}"{% if box.data.selected %} """
    """checked{% endif %}><label for="{{ box.id_for_label }}">{{ box.choice_label }}</label>"""
    """{% endfor %}"""
)


class _Form(forms.Form):
    attendees = forms.MultipleChoiceField(
        label="Кто пришёл", choices=PEOPLE, widget=forms.CheckboxSelectMultiple
    )


def _boxes(html: str) -> list[tuple[str, ...]]:
    inputs = re.findall(r'<input[^>]*name="([^"]*)" value="([^"]*)" id="([^"]*)"( checked)?>', html)
    labels = re.findall(r'<label[^>]*for="([^"]*)">([^<]*)</label>', html)
    return [(*i, *label) for i, label in zip(inputs, labels, strict=True)]


def test_the_boxes_are_the_ones_django_wrote() -> None:
    for form in (
        _Form(prefix="x", initial={"attendees": ["2"]}),
        _Form({"attendees": ["1", "3"]}),
        _Form({}),
    ):
        form.is_valid()
        field = form["attendees"]
        ours = render_to_string("school/checkbox_list.html", {"field": field})
        django = LOOP.render(Context({"field": field}))
        assert _boxes(ours) == _boxes(django) and len(_boxes(ours)) == 3
        assert ("is-invalid" in ours) == bool(field.errors)
    assert "&lt;b&gt;" in ours and "&quot;в&quot;" in ours


def test_no_choices_says_nobody() -> None:
    form = _Form()
    form.fields["attendees"].choices = []  # type: ignore[attr-defined]
    html = render_to_string("school/checkbox_list.html", {"field": form["attendees"]})
    assert "Nobody to choose yet." in html and "<input" not in html
