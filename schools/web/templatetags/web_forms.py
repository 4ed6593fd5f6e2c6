"""Template helpers of the institution's pages that write long lists of controls in Python
(a template loop costs ≈ 0.1 ms a control, and a group meeting lists every person of the
bases)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from config.pages import escaped

register = template.Library()


@register.simple_tag
def checkbox_boxes(field: Any) -> SafeString:
    """The checkboxes of a multiple-choice bound field, one ``div.form-check`` each, as
    ``school/checkbox_list.html`` wrote them (its errors mark every box invalid; a disabled
    field disables every box)."""
    invalid = " is-invalid" if field.errors else ""
    disabled = " disabled" if field.field.disabled else ""
    name = escaped(field.html_name)
    given = field.value() or ()
    selected = {str(v) for v in ([given] if isinstance(given, str | int) else given)}
    auto_id = field.auto_id
    start = f'<div class="form-check">\n    <input class="form-check-input{invalid}" '
    parts = []
    for index, (value, label) in enumerate(field.field.choices):
        text = "" if value is None else str(value)
        box_id = escaped(f"{auto_id}_{index}") if auto_id else ""
        checked = " checked" if text in selected else ""
        parts.append(
            f'{start}type="checkbox" name="{name}" value="{escaped(text)}" id="{box_id}"'
            f'{checked}{disabled}>\n    <label class="form-check-label" for="{box_id}">'
            f"{escaped(str(label))}</label>\n  </div>"
        )
    return mark_safe("".join(parts))  # noqa: S308  # every value escaped above


@register.simple_tag
def inline_boxes(field: Any) -> SafeString:
    """The boxes of a multiple-choice bound field as ``school/records_field.html``'s loop
    wrote them (a ``div.form-check-inline`` each: the box's tag and its label), in Python:
    the loop's lookups per box were most of a profile's or a catalogue entry's form."""
    e = conditional_escape
    return mark_safe(  # noqa: S308  # every value escaped here or by the widget
        "".join(
            f'<div class="form-check form-check-inline">{box.tag()}<label class="form-check-label"'
            f' for="{e(box.id_for_label)}">{e(box.choice_label)}</label></div>\n  '
            for box in field
        )
    )


_BADGE_CLASSES = {"valid": "text-bg-success", "reconsent_due": "text-bg-warning"}
# (language, state) → the badge: the labels are the catalogue's, fixed for the process.
_BADGES: dict[tuple[str | None, str], SafeString] = {}


@register.simple_tag
def consent_badge(state: str) -> SafeString:
    """A person's consent state as a badge, as ``school/consent_badge.html`` writes it (a list
    of fifty people rendered that template once per row: a loop over every label each)."""
    key = (get_language(), state)
    badge = _BADGES.get(key)
    if badge is None:
        from schools.web.labels import consent_labels

        label = consent_labels().get(state)
        if label is None:
            return mark_safe("")  # nothing to show for a state with no label (none kept)
        css = _BADGE_CLASSES.get(state, "text-bg-danger")
        badge = format_html('<span class="badge {}" data-consent="{}">{}</span>', css, state, label)
        _BADGES[key] = badge
    return badge
