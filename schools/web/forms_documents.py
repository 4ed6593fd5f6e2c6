"""Input forms of the documents page and of the development plan on the pair page. They only
parse the input; the rules live in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from config.pages import PageForm
from schools.pairs.models import GoalStatus
from schools.participants.models import ConsentPurpose

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class OrderForm(PageForm):
    """The number and date printed on an order (both may be left blank to write by hand)."""

    prefix = "order"
    number = forms.CharField(label=_("Order number"), required=False, max_length=40)
    day = forms.DateField(label=_("Order date"), required=False, widget=DATE_WIDGET)


class EncouragementForm(OrderForm):
    prefix = "encouragement"
    top = forms.IntegerField(
        label=_("Only the best mentors (how many)"),
        min_value=1,
        max_value=500,
        required=False,
        help_text=_("Leave empty to list every mentor of a completed pair or group."),
    )


class ConsentFormsForm(PageForm):
    """Consent forms for a whole study group (or everyone the user sees) in one ZIP."""

    prefix = "consents"
    study_group = forms.ChoiceField(label=_("Class or study group"), required=False)
    purpose = forms.ChoiceField(label=_("Purpose"), choices=ConsentPurpose.choices)
    only_missing = forms.BooleanField(
        label=_("Only people without a valid consent"), required=False, initial=True
    )

    def __init__(self, *args: Any, groups: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["study_group"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("Everyone I can see")), *[(str(pk), n) for pk, n in groups]]


class ThankYouLettersForm(PageForm):
    """Thank-you letters to the mentors of the current programme's pairs (one per person), in
    one ZIP."""

    prefix = "letters"
    which = forms.ChoiceField(
        label=_("Pairs"),
        choices=[
            ("completed", _("Completed pairs")),
            ("all", _("Active and completed pairs")),
        ],
    )


class GoalForm(PageForm):
    """A goal of a development plan with its tasks."""

    title = forms.CharField(label=_("Goal"), max_length=300)
    tasks = forms.CharField(
        label=_("Tasks"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    deadline = forms.DateField(label=_("Deadline"), required=False, widget=DATE_WIDGET)
    progress = forms.IntegerField(
        label=_("Progress, %"), min_value=0, max_value=100, initial=0, required=False
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=GoalStatus.choices, initial=GoalStatus.PLANNED
    )

    def clean_progress(self) -> int:
        value = self.cleaned_data.get("progress")
        return 0 if value is None else int(value)
