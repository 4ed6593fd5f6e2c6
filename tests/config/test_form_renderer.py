"""The project's form renderer (``config.form_renderer.FastTemplates``) writes inputs and plain
selects in Python: the bytes Django's templates write, for every kind of input, value,
attribute (escaped, safe, lazy, true, false, none), choice (option groups, numbers and dates
localised, ё) and selection, in Russian and English; what it does not know is left to them."""

from __future__ import annotations

import datetime
import decimal
import itertools
from typing import Any

import pytest
from django import forms
from django.conf import settings
from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from config.form_renderer import FastTemplates, input_html, select_html

DJANGO = DjangoTemplates()
FAST = FastTemplates()

ATTRS: list[dict[str, Any]] = [
    {},
    {"class": "form-control is-invalid", "aria-invalid": "true", "aria-describedby": "id_x_err"},
    {"required": True, "disabled": False, "data-none": None, "id": "id_p7_guardian_name"},
    {"placeholder": 'Ёлкина <"О\'Нил"> & Ко', "data-safe": mark_safe("<i>ё</i>"), "maxlength": 300},
    {"title": gettext_lazy("Relation"), "data-n": 1.5, "data-day": datetime.date(2026, 12, 7)},
]
VALUES: list[Any] = [
    None,
    "",
    "Пётр Иванович",
    'a<b & "c"',
    mark_safe("<b>safe</b>"),
    0,
    12,
    1.5,
    decimal.Decimal("2.50"),
    datetime.date(2011, 3, 4),
    datetime.datetime(2026, 12, 7, 23, 30, tzinfo=datetime.UTC),
    gettext_lazy("Mother"),
    ("a", 1),
]
INPUTS: list[forms.Widget] = [
    forms.TextInput(),
    forms.EmailInput(),
    forms.URLInput(),
    forms.NumberInput(),
    forms.PasswordInput(render_value=True),
    forms.HiddenInput(),
    forms.SearchInput(),
    forms.TelInput(),
    forms.ColorInput(),
    forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    forms.DateTimeInput(),
    forms.TimeInput(),
    forms.CheckboxInput(),
    forms.CheckboxInput(check_test=lambda value: value == "yes"),
]
CHOICES: list[list[Any]] = [
    [("", "—"), ("mother", gettext_lazy("Mother")), ("father", "Отец <б>"), ("other", "Ёж")],
    [(1, 1), (2, 2.5), (3, datetime.date(2026, 9, 1)), (None, "none"), ("4&5", mark_safe("<i>"))],
    [
        ("", "—"),
        ("Группа «А»", [("a1", "А1"), ("a2", 'A "2"')]),
        (gettext_lazy("Mother"), [(10, "десять")]),
        ("solo", "Соло"),
    ],
    [],
]
SELECTED: list[Any] = [None, "", "mother", "father", 2, "2", ["a1", 10], ["4&5", None], "absent"]


@pytest.fixture(params=["ru", "en"])
def language(request: pytest.FixtureRequest) -> Any:
    with translation.override(request.param):
        yield request.param


def test_the_project_renders_its_forms_with_it() -> None:
    assert settings.FORM_RENDERER == "config.form_renderer.FastTemplates"
    assert isinstance(get_default_renderer(), FastTemplates)


@pytest.mark.usefixtures("language")
@pytest.mark.parametrize("widget", INPUTS, ids=lambda w: type(w).__name__)
def test_every_input_is_the_one_django_wrote(widget: forms.Widget) -> None:
    for value, attrs in itertools.product(VALUES, ATTRS):
        for localized in (False, True):
            widget.is_localized = localized
            django = widget.render("p7_guardian_name", value, attrs=attrs, renderer=DJANGO)
            fast = widget.render("p7_guardian_name", value, attrs=attrs, renderer=FAST)
            assert fast == django, (type(widget).__name__, value, attrs, localized)
            context = widget.get_context("p7_guardian_name", value, attrs)
            assert input_html(context["widget"]) is not None


@pytest.mark.usefixtures("language")
@pytest.mark.parametrize("multiple", [False, True])
def test_every_select_is_the_one_django_wrote(multiple: bool) -> None:
    kind = forms.SelectMultiple if multiple else forms.Select
    for choices, selected, attrs in itertools.product(CHOICES, SELECTED, ATTRS):
        widget = kind(attrs={"class": "form-select form-select-sm"}, choices=choices)
        django = widget.render("p7_guardian_relation", selected, attrs=attrs, renderer=DJANGO)
        fast = widget.render("p7_guardian_relation", selected, attrs=attrs, renderer=FAST)
        assert fast == django, (choices, selected, attrs)
        context = widget.get_context("p7_guardian_relation", selected, attrs)
        assert select_html(context["widget"]) is not None
    boolean = forms.NullBooleanSelect()
    for value in (None, True, False, "unknown", "true"):
        assert boolean.render("b", value, renderer=FAST) == boolean.render(
            "b", value, renderer=DJANGO
        )


def test_a_form_s_fields_are_the_same_page(language: str) -> None:
    class _Form(forms.Form):
        name = forms.CharField(label="Имя", max_length=300)
        relation = forms.ChoiceField(choices=CHOICES[0], required=False)
        signed = forms.BooleanField(required=False, initial=True)
        day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    bound = _Form({"name": "Ёлкина <Анна>", "relation": "zzz", "day": "07.12.2026"})
    bound.is_valid()
    for form in (_Form(initial={"day": datetime.date(2026, 12, 7)}), bound):
        form.renderer = DJANGO
        django = [str(form[name]) for name in form.fields]
        form.renderer = FAST
        assert [str(form[name]) for name in form.fields] == django, language


def test_what_it_does_not_know_is_left_to_the_templates() -> None:
    def value() -> str:
        return "called"

    widget = {"type": "text", "name": "x", "value": value, "attrs": {}}
    assert input_html(widget) is None
    assert input_html({**widget, "value": "x", "attrs": {"data-x": value}}) is None
    assert (
        FAST.render("django/forms/widgets/input.html", {"widget": widget})
        == DJANGO.render("django/forms/widgets/input.html", {"widget": widget})
        == '<input type="text" name="x" value="called">'
    )
    select = forms.Select(choices=[("a", "A")])
    select.option_template_name = "django/forms/widgets/input_option.html"
    context = select.get_context("s", "a", None)
    assert select_html(context["widget"]) is None
    assert select.render("s", "a", renderer=FAST) == select.render("s", "a", renderer=DJANGO)
    textarea = forms.Textarea()
    assert textarea.render("t", "ё<", renderer=FAST) == textarea.render("t", "ё<", renderer=DJANGO)
    radios = forms.RadioSelect(choices=CHOICES[0])
    assert radios.render("r", "father", renderer=FAST) == radios.render(
        "r", "father", renderer=DJANGO
    )
