"""Input forms of the best-practice pages of an institution (shape only: the rules live in
``schools.pairs.services``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from config.pages import PageForm
from schools.programmes.models import MentoringForm


class PracticeCaseForm(PageForm):
    title = forms.CharField(label=_("Title"), max_length=300)
    form = forms.ChoiceField(label=_("Form of mentoring"), choices=MentoringForm.choices)
    text = forms.CharField(
        label=_("The case"),
        widget=forms.Textarea({"rows": 8}),
        help_text=_(
            "What the pair or group did and what came of it. Do not name learners: write "
            '"the mentee", "a 7th-grade pupil".'
        ),
    )


class PracticeSearchForm(PageForm):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    form = forms.ChoiceField(label=_("Form of mentoring"), required=False, choices=[])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["form"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("Every form")), *MentoringForm.choices]
