"""Input forms of the employers' mentor catalogue (shape only; the rules live in the employers
services)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from config.pages import PageForm
from regional.employers.mentoring_forms import MENTORING_FORM_CHOICES
from regional.employers.models import LEVEL_CHOICES
from tenants.selectors import municipality_list


class CatalogueSearchForm(PageForm):
    """Filters of the catalogue (GET): nothing is required, bad values are ignored."""

    competence = forms.CharField(label=_("Competence"), max_length=100, required=False)
    form = forms.ChoiceField(
        label=_("Form of mentoring"),
        required=False,
        choices=[("", _("Any form")), *MENTORING_FORM_CHOICES],
    )
    municipality = forms.TypedChoiceField(
        label=_("Municipality"), coerce=int, required=False, empty_value=None
    )
    free = forms.BooleanField(label=_("Only with free places"), required=False)

    def __init__(self, *args: Any, own_municipality: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["municipality"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(m.pk, m.name) for m in municipality_list()]
        self.own_municipality = own_municipality

    def filters(self) -> dict[str, Any]:
        """Keyword arguments for the catalogue selector (defaults where the input is bad)."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return {
            "competence": data.get("competence") or None,
            "form": data.get("form") or None,
            "municipality_id": data.get("municipality") or self.own_municipality,
            "with_free_capacity": bool(data.get("free", True)) if self.is_bound else True,
        }


class MentorRequestForm(PageForm):
    """What the mentees need, said without naming anybody: the form, their grade or course,
    a need from the institution's catalogue and how many they are (no free text)."""

    form = forms.ChoiceField(label=_("Form of mentoring"))
    level = forms.ChoiceField(label=_("Grade or course"), choices=LEVEL_CHOICES)
    need_code = forms.ChoiceField(
        label=_("Need"), help_text=_("From your institution's catalogue of needs.")
    )
    mentees_count = forms.IntegerField(label=_("Number of mentees"), min_value=1, max_value=1000)

    def __init__(
        self, *args: Any, forms_of_mentor: list[str], needs: dict[str, str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(MENTORING_FORM_CHOICES)
        field = self.fields["form"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(code, labels.get(code, code)) for code in forms_of_mentor]
        need = self.fields["need_code"]
        assert isinstance(need, forms.ChoiceField)
        need.choices = [("", "—"), *sorted(needs.items(), key=lambda item: item[1])]
