"""``FastCheckboxes`` (the pages' groups of checkboxes) writes each box's ``<input>`` as
Django's ``CheckboxSelectMultiple`` does through its templates: the same bytes for ticked,
invalid, disabled and escaped boxes, and the same page where ``school/records_field.html``
loops over the boxes."""

from __future__ import annotations

import copy

import pytest
from django import forms
from django.template import Context, Template
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from config.pages import FastCheckboxes, PageForm

# school/records_field.html before its boxes were written by ``inline_boxes``.
RECORDS_FIELD = Template(
    """{% load i18n %}{# A field of the records forms: a group of checkboxes as a fieldset, others as usual. #}
{% if field.field.widget.allow_multiple_selected and field.field.widget.input_type == "checkbox" %}
<fieldset class="mb-3"{% if field.errors %} aria-describedby="{{ field.auto_id }}-errors"{% endif %}>
  <legend class="form-label fs-6 mb-1">{{ field.label }}</legend>
  {% for box in field %}<div class="form-check form-check-inline">{{ box.tag }}<label class="form-check-label" for="{{ box.id_for_label }}">{{ box.choice_label }}</label></div>
  {% empty %}<p class="small text-body-secondary mb-0">{% translate "The catalogue is empty." %}</p>{% endfor %}
  {% if field.help_text %}<div class="form-text">{{ field.help_text }}</div>{% endif %}
  {% if field.errors %}<div class="invalid-feedback d-block" id="{{ field.auto_id }}-errors" role="alert">{% for e in field.errors %}{{ e }}{% if not forloop.last %}<br>{% endif %}{% endfor %}</div>{% endif %}
</fieldset>
{% else %}{% include "partials/field.html" %}{% endif %}
"""  # noqa: E501
)
CHOICES = [(1, "Иванов <b>Пётр</b>"), (2, 'Б & "в"'), (3, mark_safe("<i>Ёлкина</i>")), ("x&y", "Z")]


class _Page(PageForm):
    topics = forms.MultipleChoiceField(
        label="Темы", choices=CHOICES, widget=forms.CheckboxSelectMultiple, required=True
    )
    typed = forms.TypedMultipleChoiceField(
        label="Числа", coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["typed"]
        assert isinstance(field, forms.TypedMultipleChoiceField)
        field.choices = [(pk, f"№{pk}") for pk in range(5)]
        field.widget.attrs["class"] = "form-check-input"


def _forms() -> list[_Page]:
    disabled = _Page(initial={"topics": ["2"]}, prefix="d")
    disabled.fields["topics"].disabled = True
    invalid = _Page({"typed": ["2", "9"]})
    invalid.is_valid()
    return [_Page(initial={"topics": [2, "x&y"], "typed": [3]}), invalid, disabled]


def _as_django(form: _Page) -> _Page:
    """The same form with Django's own widget (its attributes as the page set them)."""
    plain = copy.deepcopy(form)
    for field in plain.fields.values():
        fast = field.widget
        assert isinstance(fast, FastCheckboxes)
        widget = forms.CheckboxSelectMultiple(attrs=fast.attrs)
        widget.choices = fast.choices
        widget.is_required = fast.is_required
        field.widget = widget
    return plain


@pytest.mark.parametrize("index", range(3))
def test_every_box_is_the_one_django_wrote(index: int) -> None:
    form = _forms()[index]
    plain = _as_django(form)
    for name in form.fields:
        assert isinstance(form.fields[name].widget, FastCheckboxes)
        ours = [box.tag() for box in form[name]]
        django = [box.tag() for box in plain[name]]
        assert ours == django and len(ours) in (4, 5), name
        assert [str(box) for box in form[name]] == [str(box) for box in plain[name]]
        assert str(form[name]) == str(plain[name])


@pytest.mark.parametrize("index", range(3))
def test_the_records_field_is_the_same_page(index: int) -> None:
    form = _forms()[index]
    plain = _as_django(form)
    pages = {}
    for name in form.fields:
        ours = render_to_string("school/records_field.html", {"field": form[name]})
        django = render_to_string("school/records_field.html", {"field": plain[name]})
        assert ours == django, name
        pages[name] = ours
    assert "&lt;b&gt;" in pages["topics"] and "<i>Ёлкина</i>" in pages["topics"]


def test_the_marks_are_written() -> None:
    invalid, disabled = _forms()[1], _forms()[2]
    html = "".join(box.tag() for box in invalid["typed"])
    assert 'aria-invalid="true"' in html and "is-invalid" in html and " checked" in html
    assert all(" disabled" in box.tag() for box in disabled["topics"])
    assert 'value="x&amp;y"' in "".join(box.tag() for box in _forms()[0]["topics"])


@pytest.mark.parametrize("index", range(3))
def test_the_records_field_writes_what_its_loop_wrote(index: int) -> None:
    form = _forms()[index]
    plain = _as_django(form)
    for name in form.fields:
        for field in (form[name], plain[name]):
            expected = RECORDS_FIELD.render(Context({"field": field}))
            assert render_to_string("school/records_field.html", {"field": field}) == expected
    empty = _Page()
    empty.fields["topics"].choices = []  # type: ignore[attr-defined]
    html = render_to_string("school/records_field.html", {"field": empty["topics"]})
    assert html == RECORDS_FIELD.render(Context({"field": empty["topics"]}))
    assert "The catalogue is empty." in html
