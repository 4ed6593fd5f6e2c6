"""Input forms of the catalogue pages (requests and competences, and what covers a request)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from config.pages import PageForm
from schools.participants.models import TopicAudience, TopicGroup


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class TopicForm(PageForm):
    """A new entry of the catalogue."""

    name = forms.CharField(label=_("Name"), max_length=200)
    group = forms.ChoiceField(label=_("Section"), choices=TopicGroup.choices)
    audience = forms.ChoiceField(label=_("For whom"), choices=TopicAudience.choices)
    synonyms = forms.CharField(
        label=_("Other wordings"),
        required=False,
        max_length=5000,
        widget=forms.Textarea({"rows": 3}),
        help_text=_(
            "One per line: how requests and competences are written in questionnaires and files "
            "(«олимпиады», «подтянуть оценки»). They are recognised as this entry."
        ),
    )
    code = forms.SlugField(
        label=_("Code"),
        required=False,
        max_length=50,
        help_text=_("Latin letters, digits and hyphens; made up if left empty."),
    )

    def clean_synonyms(self) -> list[str]:
        return _lines(self.cleaned_data.get("synonyms", ""))


class TopicEditForm(PageForm):
    """An entry of the catalogue: its wording, section, audience, other wordings, the entries
    that also cover it as a request, and whether it is offered."""

    name = forms.CharField(label=_("Name"), max_length=200)
    group = forms.ChoiceField(label=_("Section"), choices=TopicGroup.choices)
    audience = forms.ChoiceField(label=_("For whom"), choices=TopicAudience.choices)
    synonyms = forms.CharField(
        label=_("Other wordings"),
        required=False,
        max_length=5000,
        widget=forms.Textarea({"rows": 4}),
        help_text=_("One per line; recognised as this entry in imports and forms."),
    )
    covered_by = forms.TypedMultipleChoiceField(
        label=_("Also covered by the competences"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "A mentor with one of these competences can help with this request too (the entry "
            "itself always covers it)."
        ),
    )
    is_active = forms.BooleanField(
        label=_("Offered in profiles and imports"),
        required=False,
        help_text=_("A retired entry stays on the profiles that carry it and still counts."),
    )

    def __init__(self, *args: Any, others: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["covered_by"]
        assert isinstance(field, forms.TypedMultipleChoiceField)
        field.choices = others
        field.widget.attrs["class"] = "form-check-input"

    def clean_synonyms(self) -> list[str]:
        return _lines(self.cleaned_data.get("synonyms", ""))
