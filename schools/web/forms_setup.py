"""Forms of the programme's set-up and of its orders. They parse the input; the rules live in
``schools.programmes.setup`` and ``schools.documents.orders``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms as djforms
from django.utils.translation import gettext_lazy as _

from config.pages import PageForm
from schools.documents.models import OrderKind
from schools.programmes.models import MentoringForm

DATE_WIDGET = djforms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class SetupForm(PageForm):
    title = djforms.CharField(label=_("Title of the programme"), max_length=300)
    academic_year = djforms.IntegerField(
        label=_("Academic year (its first calendar year)"), min_value=2000, max_value=2100
    )
    forms = djforms.MultipleChoiceField(
        label=_("Forms of mentoring the institution runs"),
        choices=MentoringForm.choices,
        required=False,
        widget=djforms.CheckboxSelectMultiple,
    )
    goals = djforms.CharField(
        label=_("Goals"), required=False, widget=djforms.Textarea(attrs={"rows": 3})
    )
    planned_results = djforms.CharField(
        label=_("Planned results"), required=False, widget=djforms.Textarea(attrs={"rows": 3})
    )
    coordinator = djforms.TypedChoiceField(
        label=_("Coordinator"), required=False, coerce=int, empty_value=None, choices=[]
    )
    director = djforms.TypedChoiceField(
        label=_("Director (approves the programme, the orders and the pairs)"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[],
    )
    curators = djforms.TypedMultipleChoiceField(
        label=_("Curators"),
        required=False,
        coerce=int,
        choices=[],
        widget=djforms.CheckboxSelectMultiple,
        help_text=_("Each curator's classes are set on the page of the classes."),
    )
    headcount_learners = djforms.IntegerField(
        label=_("Learners aged 10 and over"), min_value=0, initial=0
    )
    headcount_teachers = djforms.IntegerField(label=_("Teachers"), min_value=0, initial=0)
    headcount_young_teachers = djforms.IntegerField(
        label=_("Young teachers (up to 3 years of work)"), min_value=0, initial=0
    )

    def __init__(
        self,
        *args: Any,
        coordinators: Sequence[tuple[int, str]],
        directors: Sequence[tuple[int, str]],
        curators: Sequence[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        for name, choices in (
            ("coordinator", [("", "—"), *coordinators]),
            ("director", [("", "—"), *directors]),
            ("curators", list(curators)),
        ):
            field = self.fields[name]
            assert isinstance(field, djforms.ChoiceField)
            field.choices = choices
        for name in ("forms", "curators"):
            self.fields[name].widget.attrs["class"] = "form-check-input"


class OrderPrepareForm(PageForm):
    kind = djforms.ChoiceField(choices=OrderKind.choices, widget=djforms.HiddenInput)
    number = djforms.CharField(label=_("Number"), required=False, max_length=32)
    dated = djforms.DateField(label=_("Date"), required=False, widget=DATE_WIDGET)


class OrderApproveForm(PageForm):
    number = djforms.CharField(label=_("Number of the order"), max_length=32)
    dated = djforms.DateField(label=_("Date of the order"), widget=DATE_WIDGET)
