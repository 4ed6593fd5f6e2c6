"""``FastSelect`` (the pages' plain selects) writes the options Django's ``Select`` writes: the
same values, labels (escaped), selection and attributes, without a template per option."""

from __future__ import annotations

import re
from typing import Any

from django import forms

from config.pages import FastSelect, PageForm

CHOICES = [("", "—"), (1, "Иванов <b>Пётр</b>"), (2, 'Б & "в"'), (3, "Ёлкина")]


class _Page(PageForm):
    person = forms.TypedChoiceField(label="Person", choices=CHOICES, coerce=int, required=False)
    kind = forms.ChoiceField(label="Kind", choices=[("a", "A"), ("b", "B")])


class _Plain(forms.Form):
    person = forms.TypedChoiceField(label="Person", choices=CHOICES, coerce=int, required=False)
    kind = forms.ChoiceField(label="Kind", choices=[("a", "A"), ("b", "B")])


def _options(html: str) -> list[tuple[str, bool, str]]:
    return [
        (value, bool(selected), label)
        for value, selected, label in re.findall(
            r'<option value="([^"]*)"( selected)?>([^<]*)</option>', html
        )
    ]


def _attributes(html: str) -> set[str]:
    opening = re.match(r"<select([^>]*)>", html)
    assert opening is not None, html
    return set(re.findall(r'\s([\w-]+(?:="[^"]*")?)', opening.group(1)))


def test_a_page_forms_plain_select_is_fast_and_says_the_same() -> None:
    page, plain = _Page({"person": "2", "kind": "x"}), _Plain({"person": "2", "kind": "x"})
    assert not page.is_valid() and not plain.is_valid()
    assert isinstance(page.fields["person"].widget, FastSelect)
    for name in ("person", "kind"):
        fast, django = str(page[name]), str(plain[name])
        assert _options(fast) == _options(django), name
        # the same attributes, plus the page's styling and the error marks
        assert _attributes(django) - {'aria-describedby="id_kind_error"'} <= _attributes(fast)
    assert _options(str(page["person"]))[2] == ("2", True, "Б &amp; &quot;в&quot;")
    assert "&lt;b&gt;" in str(page["person"])
    assert 'aria-invalid="true"' in str(page["kind"]) and "is-invalid" in str(page["kind"])


def test_choices_set_after_the_form_is_made_are_rendered() -> None:
    form = _Page()
    field = form.fields["kind"]
    assert isinstance(field, forms.ChoiceField)
    field.choices = [("z", "Зэт")]
    assert _options(str(form["kind"])) == [("z", False, "Зэт")]


def test_option_groups_are_left_to_django() -> None:
    form = _Page(initial={"kind": "b"})
    field = form.fields["kind"]
    assert isinstance(field, forms.ChoiceField)
    field.choices = [("Group", [("a", "A"), ("b", "B")])]
    html = str(form["kind"])
    assert '<optgroup label="Group">' in html and ("b", True, "B") in _options(html)


def test_the_options_are_escaped_as_conditional_escape_does() -> None:
    """Labels and values escaped as ``conditional_escape`` escapes them (``'`` included), a
    label marked safe left as it is."""
    from django.utils.html import conditional_escape
    from django.utils.safestring import mark_safe

    labels = ["О'Брайен & <сын>", mark_safe("<i>Безопасно</i>"), '"кавычки"', "Ёлкина"]
    widget = FastSelect()
    widget.choices = [("a'<&\"", labels[0]), *[(i, label) for i, label in enumerate(labels)]]
    html = str(widget.render("x", None))
    for label in labels:
        assert f">{conditional_escape(label)}</option>" in html
    assert 'value="a&#x27;&lt;&amp;&quot;"' in html


def test_escaped_is_conditional_escape_for_every_kind_of_value() -> None:
    """``config.pages.escaped`` (the pages' long lists of choices and checkboxes) writes what
    ``conditional_escape`` writes: plain, safe and lazy text, numbers, None."""
    from django.utils.html import conditional_escape
    from django.utils.safestring import mark_safe
    from django.utils.translation import gettext_lazy

    from config.pages import escaped

    values: list[Any] = [
        "О'Брайен & <сын>",
        mark_safe("<i>Ёж</i>"),
        gettext_lazy("Class"),
        7,
        None,
        "",
    ]
    for value in values:
        assert escaped(value) == str(conditional_escape(value)), value
