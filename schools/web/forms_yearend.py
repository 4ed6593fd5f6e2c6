"""Forms of the year-end pages. They only parse the input; the rules live in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from config.pages import PageForm


class PrintSlipsForm(PageForm):
    """Printed invitations of one class (or of every class the user works with)."""

    prefix = "print"
    study_group = forms.ChoiceField(label=_("Class or study group"), required=False)
    only_pending = forms.BooleanField(
        label=_("Only people who have not answered"), required=False, initial=True
    )

    def __init__(self, *args: Any, groups: list[tuple[Any, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["study_group"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("Every class")), *[(str(pk), name) for pk, name in groups]]


class PairCompleteForm(PageForm):
    """Completing a pair or group with its result (stage 6)."""

    prefix = "complete"
    outcome = forms.CharField(
        label=_("Result of the pair or group"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        help_text=_("What was achieved: goals of the plan, the mentee's progress, products."),
    )
    mentor_rating = forms.IntegerField(
        label=_("Mentor's final rating (1–10)"), min_value=1, max_value=10, required=False
    )


class PairEndEarlyForm(PageForm):
    prefix = "end"
    reason = forms.CharField(
        label=_("Reason for ending early"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )


class ReassignForm(PageForm):
    """A mentee of the pair goes to another pair or group, or to another mentor."""

    prefix = "reassign"
    mentee = forms.ChoiceField(label=_("Mentee"))
    to_pair = forms.ChoiceField(label=_("To the pair or group"), required=False)
    to_mentor = forms.ChoiceField(label=_("Or to a new pair with the mentor"), required=False)
    reason = forms.CharField(label=_("Reason"), max_length=2000)

    def __init__(
        self,
        *args: Any,
        mentees: list[tuple[int, str]],
        pairs: list[tuple[int, str]],
        mentors: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        choices = {
            "mentee": [(str(pk), name) for pk, name in mentees],
            "to_pair": [("", "—"), *[(str(pk), name) for pk, name in pairs]],
            "to_mentor": [("", "—"), *[(str(pk), name) for pk, name in mentors]],
        }
        for name, values in choices.items():
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = values

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("to_pair")) == bool(data.get("to_mentor")):
            self.add_error("to_pair", _("Choose either a pair or group, or a mentor."))
        return data


class TimeZoneForm(PageForm):
    """The institution's time zone: meetings, documents, e-mails and exports use it."""

    time_zone = forms.ChoiceField(label=_("Time zone"))

    def __init__(self, *args: Any, current: str = "", **kwargs: Any) -> None:
        from tenants.api import RUSSIAN_TIME_ZONES

        super().__init__(*args, **kwargs)
        choices = list(RUSSIAN_TIME_ZONES)
        if current and current not in dict(choices):
            choices.append((current, current))  # a zone set before (or outside Russia) stays
        field = self.fields["time_zone"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices
