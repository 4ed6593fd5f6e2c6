"""Template helpers of the institution's pages that write long lists of controls in Python
(a template loop costs ≈ 0.1 ms a control, and a group meeting lists every person of the
bases)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.simple_tag
def checkbox_boxes(field: Any) -> SafeString:
    """The checkboxes of a multiple-choice bound field, one ``div.form-check`` each, as
    ``school/checkbox_list.html`` wrote them (its errors mark every box invalid; a disabled
    field disables every box)."""
    invalid = " is-invalid" if field.errors else ""
    disabled = " disabled" if field.field.disabled else ""
    name = conditional_escape(field.html_name)
    given = field.value() or ()
    selected = {str(v) for v in ([given] if isinstance(given, str | int) else given)}
    auto_id = field.auto_id
    parts = []
    for index, (value, label) in enumerate(field.field.choices):
        text = "" if value is None else str(value)
        box_id = conditional_escape(f"{auto_id}_{index}") if auto_id else ""
        checked = " checked" if text in selected else ""
        parts.append(
            f'<div class="form-check">\n    <input class="form-check-input{invalid}" '
            f'type="checkbox" name="{name}" value="{conditional_escape(text)}" id="{box_id}"'
            f'{checked}{disabled}>\n    <label class="form-check-label" for="{box_id}">'
            f"{conditional_escape(str(label))}</label>\n  </div>"
        )
    return mark_safe("".join(parts))  # noqa: S308  # every value escaped above
