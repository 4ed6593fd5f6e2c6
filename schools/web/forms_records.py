"""Input forms of the records pages (the bases, roadmap activities, a parent's consents). They
parse and check the shape of the input; the rules live in the services they are passed to."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from config.pages import PageForm
from schools.participants.models import (
    SCORE_MAX,
    SCORE_MIN,
    ConsentPurpose,
    RequestSource,
    SelectionCriterion,
)
from schools.programmes.models import (
    RESPONSIBLE_ROLE_CHOICES,
    ActivityStatus,
    MentoringForm,
    Stage,
)

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class TagChoicesForm(PageForm):
    """A form with a multiple choice of catalogue tags: ``tags`` are (code, name) pairs."""

    tag_field = ""

    def __init__(self, *args: Any, tags: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields[self.tag_field]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = tags
        field.widget.attrs["class"] = "form-check-input"  # one checkbox per tag


class MentorProfileForm(TagChoicesForm):
    tag_field = "competence_codes"

    competence_codes = forms.MultipleChoiceField(
        label=_("Competences"), required=False, widget=forms.CheckboxSelectMultiple
    )
    capacity = forms.IntegerField(label=_("Capacity (mentees at most)"), min_value=1, max_value=50)
    hours_per_month = forms.IntegerField(
        label=_("Time resource, hours per month"), required=False, min_value=0, max_value=200
    )
    experience_years = forms.IntegerField(
        label=_("Years of experience"), required=False, min_value=0, max_value=80
    )
    experience = forms.CharField(
        label=_("Experience"), required=False, max_length=5000, widget=forms.Textarea({"rows": 2})
    )
    motivation = forms.CharField(
        label=_("Motivation"), required=False, max_length=5000, widget=forms.Textarea({"rows": 2})
    )
    training = forms.CharField(
        label=_("Training taken"),
        required=False,
        max_length=5000,
        widget=forms.Textarea({"rows": 2}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for criterion in SelectionCriterion:
            self.fields[f"score_{criterion.value}"] = forms.IntegerField(
                label=criterion.label,
                required=False,
                min_value=SCORE_MIN,
                max_value=SCORE_MAX,
                widget=forms.NumberInput(attrs={"class": "form-control", "inputmode": "numeric"}),
            )

    def score_fields(self) -> list[forms.BoundField]:
        return [self[f"score_{c.value}"] for c in SelectionCriterion]

    def main_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if not name.startswith("score_")]

    def service_arguments(self) -> dict[str, Any]:
        """The arguments of ``mentor_profile_upsert``: empty numbers are left as they are
        (the service reads None as "unchanged"), the scores replace the whole set."""
        data = self.cleaned_data
        scores = {
            c.value: data[f"score_{c.value}"]
            for c in SelectionCriterion
            if data.get(f"score_{c.value}") is not None
        }
        return {
            "competence_codes": data["competence_codes"],
            "capacity": data["capacity"],
            "hours_per_month": data["hours_per_month"],
            "experience_years": data["experience_years"],
            "experience": data["experience"],
            "motivation": data["motivation"],
            "training": data["training"],
            "selection_scores": scores,
        }

    @classmethod
    def initial_of(cls, profile: Any) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "competence_codes": [t.code for t in profile.competences.all()],
            "capacity": profile.capacity,
            "hours_per_month": profile.hours_per_month,
            "experience_years": profile.experience_years,
            "experience": profile.experience,
            "motivation": profile.motivation,
            "training": profile.training,
        }
        for criterion, score in (profile.selection_scores or {}).items():
            initial[f"score_{criterion}"] = score
        return initial


class MenteeProfileForm(TagChoicesForm):
    tag_field = "need_codes"

    need_codes = forms.MultipleChoiceField(
        label=_("Needs"), required=False, widget=forms.CheckboxSelectMultiple
    )
    request = forms.CharField(
        label=pgettext_lazy("noun", "Request"),
        required=False,
        max_length=5000,
        widget=forms.Textarea({"rows": 2}),
    )
    preferred_form = forms.ChoiceField(
        label=_("Preferred form of mentoring"),
        required=False,
        choices=[("", "—"), *MentoringForm.choices],
    )
    raised_by = forms.ChoiceField(label=_("Request raised by"), choices=RequestSource.choices)

    @classmethod
    def initial_of(cls, profile: Any) -> dict[str, Any]:
        return {
            "need_codes": [t.code for t in profile.needs.all()],
            "request": profile.request,
            "preferred_form": profile.preferred_form,
            "raised_by": profile.raised_by,
        }


class ActivityForm(PageForm):
    """Add or edit a roadmap activity."""

    stage = forms.TypedChoiceField(label=_("Stage"), coerce=int, choices=Stage.choices)
    title = forms.CharField(label=_("Activity"), max_length=500)
    content = forms.CharField(
        label=_("Content"), required=False, widget=forms.Textarea({"rows": 2})
    )
    deadline = forms.DateField(label=_("Deadline"), widget=DATE_WIDGET)
    responsible_roles = forms.MultipleChoiceField(
        label=_("Responsible roles"),
        required=False,
        choices=RESPONSIBLE_ROLE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
    )
    status = forms.ChoiceField(label=_("Status"), choices=ActivityStatus.choices)
    completed_on = forms.DateField(
        label=_("Completed on"),
        required=False,
        widget=DATE_WIDGET,
        help_text=_("Only for a done activity; today if left empty."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["responsible_roles"].widget.attrs["class"] = "form-check-input"

    @classmethod
    def initial_of(cls, activity: Any) -> dict[str, Any]:
        return {
            "stage": activity.stage,
            "title": activity.title,
            "content": activity.content,
            "deadline": activity.deadline,
            "responsible_roles": list(activity.responsible_roles),
            "status": activity.status,
            "completed_on": activity.completed_on,
        }


class RescheduleForm(PageForm):
    deadline = forms.DateField(label=_("New deadline"), widget=DATE_WIDGET)


class WithdrawalForm(PageForm):
    """A parent withdraws a consent given for their child: which one, and a confirmation."""

    purpose = forms.ChoiceField(label=_("Consent to withdraw"), choices=ConsentPurpose.choices)
    confirm = forms.BooleanField(
        label=_("I understand that the withdrawal cannot be undone by this page"),
        error_messages={"required": _("Tick the box to confirm the withdrawal.")},
    )

    def __init__(self, *args: Any, purposes: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["purpose"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = purposes
        if purposes:
            field.initial = purposes[0][0]
