"""The project's form renderer (``FORM_RENDERER``): Django's templates, except that the widgets
whose template is a single ``<input>`` or a ``<select>`` of plain options are written in
Python, byte for byte as Django's templates write them.

Django renders every widget through two or three templates (``text.html`` includes
``input.html``, which includes ``attrs.html``; a select includes ``select_option.html`` per
option): ≈ 0.1–0.4 ms a control, and a form of a class's pupils or a pair's plan has dozens.
The markup here is the templates' own (``django/forms/templates/django/forms/widgets``); a
widget with another template, a value Django's templates would call, or an option with its own
template is left to the templates. ``tests/config/test_form_renderer.py`` compares both for
every kind of input, value, attribute and choice, in Russian and English."""

from __future__ import annotations

from collections.abc import Callable
from html import escape as html_escape
from typing import Any

from django.forms.renderers import DjangoTemplates
from django.template import Context
from django.template.base import render_value_in_context
from django.utils.safestring import SafeData, SafeString, mark_safe

_WIDGETS = "django/forms/widgets/"
# The templates that are ``{% include "django/forms/widgets/input.html" %}`` and nothing else
# (``file.html`` too, but a file input is left to Django: it is rare and has no value).
INPUT_TEMPLATES = frozenset(
    f"{_WIDGETS}{name}.html"
    for name in (
        "input",
        "checkbox",
        "color",
        "date",
        "datetime",
        "email",
        "hidden",
        "number",
        "password",
        "search",
        "tel",
        "text",
        "time",
        "url",
    )
)
SELECT_TEMPLATE = f"{_WIDGETS}select.html"
OPTION_TEMPLATE = f"{_WIDGETS}select_option.html"

# ``{{ value }}`` as a template writes it (localised, escaped): a template of the form
# renderer has no time zone or localisation of its own (``use_tz``, ``use_l10n`` None).
_CONTEXT = Context(autoescape=True)


def _shown(value: Any) -> str:
    """``{{ value }}``; plain text escaped as Django's ``escape`` does (``html.escape``) without
    its lazy wrappers (a few calls per control)."""
    if type(value) is str:
        return html_escape(value)
    return str(render_value_in_context(value, _CONTEXT))


def _formatted(value: Any) -> str:
    """``{{ value|stringformat:'s' }}``: safe text stays as it is, anything else is escaped (the
    text ``%`` makes is a plain ``str``: ``escape`` is ``html.escape``)."""
    if isinstance(value, SafeData):
        return str(value)
    return html_escape("%s" % (str(value) if isinstance(value, tuple) else value))


def _callable(value: Any) -> bool:
    # a template calls what it can call (``{{ widget.value }}`` of a callable is its result)
    return callable(value) and not getattr(value, "do_not_call_in_templates", False)


def _attrs(attrs: dict[str, Any]) -> str | None:
    """``attrs.html``; None when a template would call a value."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        if _callable(value) or _callable(name):
            return None
        shown = _shown(name)
        parts.append(f" {shown}" if value is True else f' {shown}="{_formatted(value)}"')
    return "".join(parts)


def input_html(widget: dict[str, Any]) -> SafeString | None:
    """``input.html`` for the ``widget`` of a widget's context; None: left to the template."""
    value = widget["value"]
    attrs = _attrs(widget["attrs"])
    if attrs is None or _callable(value) or _callable(widget["type"]) or _callable(widget["name"]):
        return None
    shown_value = "" if value is None else f' value="{_formatted(value)}"'
    kind, name = _shown(widget["type"]), _shown(widget["name"])
    html = f'<input type="{kind}" name="{name}"{shown_value}{attrs}>'
    return mark_safe(html)  # noqa: S308  # every value escaped above


def select_html(widget: dict[str, Any]) -> SafeString | None:
    """``select.html`` with ``select_option.html`` for each option (optgroups too); None: left to
    the templates (an option with its own template, a value a template would call)."""
    attrs = _attrs(widget["attrs"])
    if attrs is None or _callable(widget["name"]):
        return None
    parts = [f'<select name="{_shown(widget["name"])}"{attrs}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if _callable(group_name):
            return None
        if group_name:
            parts.append(f'\n  <optgroup label="{_shown(group_name)}">')
        for option in group_choices:
            option_attrs = _attrs(option["attrs"])
            value, label = option["value"], option["label"]
            if (
                option["template_name"] != OPTION_TEMPLATE
                or option_attrs is None
                or _callable(value)
                or _callable(label)
            ):
                return None
            # the option's template ends in a new line, kept where it is included
            parts.append(
                f'\n  <option value="{_formatted(value)}"{option_attrs}>{_shown(label)}</option>\n'
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return mark_safe("".join(parts))  # noqa: S308  # every value escaped above


_WRITERS: dict[str, Callable[[dict[str, Any]], SafeString | None]] = {
    **dict.fromkeys(INPUT_TEMPLATES, input_html),
    SELECT_TEMPLATE: select_html,
}


class FastTemplates(DjangoTemplates):
    """Django's form renderer, with inputs and selects written in Python (see the module)."""

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        write = _WRITERS.get(template_name)
        if write is not None and request is None and isinstance(context.get("widget"), dict):
            html = write(context["widget"])
            if html is not None:
                return html
        return super().render(template_name, context, request)
