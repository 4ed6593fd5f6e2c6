"""Input forms of the questionnaire pages of the regional layer (shape only: the rules of
templates and questions live in ``regional.questionnaires.services`` and ``validation``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from config.pages import PageForm
from regional.questionnaires.models import (
    MENTORING_FORM_CODES,
    GrowthPhase,
    Purpose,
    QuestionKind,
    TargetRole,
)

# The labels of the forms of mentoring (the msgids of ``schools.programmes.MentoringForm``;
# a regional page does not import a school app's models).
FORM_LABELS: dict[str, Any] = {
    "student_student": _("Student – student"),
    "pupil_pupil": _("Pupil – pupil"),
    "teacher_teacher": _("Teacher – teacher"),
    "teacher_student": _("Teacher/master – student"),
    "student_pupil": _("Student – pupil"),
    "employer_pupil": _("Employer – pupil"),
    "employer_student": _("Employer – student"),
}


def form_choices() -> list[tuple[str, Any]]:
    return [(code, FORM_LABELS.get(code, code)) for code in MENTORING_FORM_CODES]


class Checkboxes(forms.CheckboxSelectMultiple):
    def __init__(self) -> None:
        super().__init__(attrs={"class": "form-check-input"})


class TemplateCreateForm(PageForm):
    title = forms.CharField(label=_("Title"), max_length=300)
    code = forms.SlugField(
        label=_("Code"),
        max_length=80,
        help_text=_("Latin letters, digits, hyphens and underscores; it never changes."),
    )
    purpose = forms.ChoiceField(label=_("Purpose"), choices=Purpose.choices)
    growth_phase = forms.ChoiceField(
        label=_("Growth phase"),
        choices=GrowthPhase.choices,
        required=False,
        help_text=_("Only for a growth questionnaire: before or after the programme."),
    )
    target_roles = forms.MultipleChoiceField(
        label=_("Who answers"), choices=TargetRole.choices, widget=Checkboxes()
    )
    target_forms = forms.MultipleChoiceField(
        label=_("Forms of mentoring"),
        choices=form_choices,
        required=False,
        widget=Checkboxes(),
        help_text=_("None chosen: every form."),
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea({"rows": 2})
    )
    intro = forms.CharField(
        label=_("Introduction for respondents"),
        required=False,
        widget=forms.Textarea({"rows": 2}),
    )


class TemplateUpdateForm(PageForm):
    """What a template is called and who answers it (code, purpose and phase never change)."""

    title = forms.CharField(label=_("Title"), max_length=300)
    target_roles = forms.MultipleChoiceField(
        label=_("Who answers"), choices=TargetRole.choices, widget=Checkboxes()
    )
    target_forms = forms.MultipleChoiceField(
        label=_("Forms of mentoring"),
        choices=form_choices,
        required=False,
        widget=Checkboxes(),
        help_text=_("None chosen: every form."),
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea({"rows": 2})
    )


class VersionForm(PageForm):
    intro = forms.CharField(
        label=_("Introduction for respondents"),
        required=False,
        widget=forms.Textarea({"rows": 2}),
    )
    change_note = forms.CharField(
        label=_("What changed"), required=False, widget=forms.Textarea({"rows": 2})
    )


class QuestionForm(PageForm):
    """One question. Options are typed one a line as ``code: text``."""

    text = forms.CharField(label=_("Question"), widget=forms.Textarea({"rows": 2}))
    code = forms.CharField(
        label=_("Code"),
        max_length=63,
        help_text=_("Lowercase Latin letters, digits and underscores, e.g. motivation."),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=QuestionKind.choices)
    required = forms.BooleanField(label=_("An answer is required"), required=False)
    help_text = forms.CharField(label=_("Hint for respondents"), required=False, max_length=1000)
    min_value = forms.IntegerField(label=_("Minimum"), required=False)
    max_value = forms.IntegerField(label=_("Maximum"), required=False)
    min_label = forms.CharField(label=_("Label of the minimum"), required=False, max_length=100)
    max_label = forms.CharField(label=_("Label of the maximum"), required=False, max_length=100)
    options = forms.CharField(
        label=_("Options"),
        required=False,
        widget=forms.Textarea({"rows": 3}),
        help_text=_("For a choice: one option a line, as code: text (e.g. often: Often)."),
    )
    condition_question = forms.ChoiceField(
        label=_("Show only if the answer to"), required=False, choices=[]
    )
    condition_value = forms.CharField(
        label=_("equals"),
        required=False,
        max_length=63,
        help_text=_("yes or no, or the code of an option."),
    )
    position = forms.IntegerField(
        label=_("Position"),
        required=False,
        min_value=1,
        help_text=_("Empty: at the end (a new question) or where it is."),
    )

    def __init__(self, *args: Any, sources: list[tuple[str, str]] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        field = self.fields["condition_question"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("(always shown)")), *sources]

    def clean_options(self) -> list[dict[str, str]]:
        options = []
        for number, line in enumerate(self.cleaned_data["options"].splitlines(), start=1):
            if not line.strip():
                continue
            code, colon, text = line.partition(":")
            if not colon:
                raise forms.ValidationError(
                    _("Line %(n)d: write the option as code: text.") % {"n": number}
                )
            options.append({"code": code.strip(), "text": text.strip()})
        return options

    def question_fields(self) -> dict[str, Any]:
        """The cleaned values in the shape of ``services.QUESTION_FIELDS``."""
        data = dict(self.cleaned_data)
        data.pop("position", None)
        for name in ("code", "text", "help_text", "min_label", "max_label", "condition_value"):
            data[name] = (data.get(name) or "").strip()
        data["condition_question"] = data.get("condition_question") or ""
        return data


def options_text(options: Any) -> str:
    """A question's options as the form shows them."""
    if not isinstance(options, list):
        return ""
    return "\n".join(
        f"{o.get('code', '')}: {o.get('text', '')}" for o in options if isinstance(o, dict)
    )


class ResultsFilterForm(PageForm):
    template_code = forms.ChoiceField(label=_("Questionnaire"), required=False, choices=[])
    academic_year = forms.TypedChoiceField(
        label=_("Academic year"), required=False, coerce=int, empty_value=None, choices=[]
    )

    def __init__(
        self,
        *args: Any,
        templates: list[tuple[str, str]],
        years: list[int],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        template_field = self.fields["template_code"]
        year_field = self.fields["academic_year"]
        assert isinstance(template_field, forms.ChoiceField)
        assert isinstance(year_field, forms.ChoiceField)
        template_field.choices = templates
        year_field.choices = [(y, f"{y}/{y + 1}") for y in years]


class PracticeFilterForm(PageForm):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    form = forms.ChoiceField(label=_("Form of mentoring"), required=False, choices=[])
    municipality = forms.TypedChoiceField(
        label=_("Municipality"), required=False, coerce=int, empty_value=None, choices=[]
    )

    def __init__(self, *args: Any, municipalities: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field = self.fields["form"]
        municipality_field = self.fields["municipality"]
        assert isinstance(form_field, forms.ChoiceField)
        assert isinstance(municipality_field, forms.ChoiceField)
        form_field.choices = [("", _("Every form")), *form_choices()]
        municipality_field.choices = [("", _("Every municipality")), *municipalities]
