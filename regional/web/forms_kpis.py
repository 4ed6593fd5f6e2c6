"""Input forms of the KPI dashboard pages (shape only; the rules live in regional.kpis)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from config.pages import PageForm


class DashboardFilterForm(PageForm):
    """What the dashboard shows: the period, the municipality (or the whole region) and the
    indicator of the municipality comparison and the time series. Read from the query string."""

    period = forms.ChoiceField(label=_("Period"), required=False)
    municipality = forms.TypedChoiceField(
        label=_("Municipality"), coerce=int, required=False, empty_value=None
    )
    indicator = forms.ChoiceField(label=_("Indicator"), required=False)

    def __init__(
        self,
        *args: Any,
        periods: list[str],
        municipalities: list[tuple[int, str]],
        indicators: list[tuple[str, str]],
        whole_region: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.whole_region = whole_region
        self._set_choices("period", [(p, p) for p in reversed(periods)])
        region = [("", _("The whole region"))] if whole_region else []
        self._set_choices("municipality", [*region, *[(m, n) for m, n in municipalities]])
        self._set_choices("indicator", indicators)

    def _set_choices(self, name: str, choices: list[Any]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices


class AggregateForm(PageForm):
    period = forms.CharField(
        label=_("Period"),
        max_length=10,
        required=False,
        help_text=_(
            "YYYY-MM or YYYY-MM-DD; empty: this month. An open period is recorded again (the "
            "latest run replaces the draft); a closed one stays as it is."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # the hint under the field (the template gives it this id); errors take its place
        self.fields["period"].widget.attrs["aria-describedby"] = (
            f"{self['period'].id_for_label}-help"
        )


class PeriodCloseForm(PageForm):
    period = forms.CharField(max_length=10, widget=forms.HiddenInput)


class RatingForm(PageForm):
    period = forms.ChoiceField(label=_("Period"), required=False)

    def __init__(self, *args: Any, periods: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["period"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(p, p) for p in reversed(periods)]
