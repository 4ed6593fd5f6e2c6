"""Input forms of the questionnaire pages: they parse and check the shape of the input; the
rules (consent, dates, conditions, required answers) live in the monitoring services."""

from __future__ import annotations

import copy
import datetime
import html
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from config.pages import PageForm
from regional.questionnaires.api import GrowthPhase, Purpose, QuestionKind
from schools.monitoring.models import Question, TargetKind
from schools.programmes.models import MentoringForm

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# The target groups a page offers (a list of people is chosen through the API).
PAGE_TARGETS = [c for c in TargetKind.choices if c[0] != TargetKind.EXPLICIT]


class AdoptForm(PageForm):
    template_version = forms.TypedChoiceField(label=_("Regional template"), coerce=int, choices=[])
    title = forms.CharField(
        label=_("Title in the institution"),
        required=False,
        max_length=300,
        help_text=_("Leave empty to keep the template's title."),
    )

    def __init__(self, *args: Any, offers: Sequence[Mapping[str, Any]] = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["template_version"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(o["template_version"], f"{o['title']} (v{o['number']})") for o in offers]


class CampaignForm(PageForm):
    questionnaire = forms.TypedChoiceField(label=_("Questionnaire"), coerce=int, choices=[])
    title = forms.CharField(
        label=_("Title"),
        required=False,
        max_length=300,
        help_text=_("Leave empty to use the questionnaire's title."),
    )
    target_kind = forms.ChoiceField(label=_("Who is surveyed"), choices=PAGE_TARGETS)
    target_form = forms.ChoiceField(
        label=_("Form of mentoring"),
        required=False,
        choices=[("", "—"), *MentoringForm.choices],
        help_text=_("For «all mentees of a form»; for mentors it narrows the group."),
    )
    target_pair = forms.TypedChoiceField(
        label=_("Pair or group"), required=False, coerce=int, empty_value=None, choices=[]
    )
    target_study_group = forms.TypedChoiceField(
        label=_("Study group"), required=False, coerce=int, empty_value=None, choices=[]
    )
    opens_on = forms.DateField(label=_("Opens on"), widget=DATE_WIDGET)
    closes_on = forms.DateField(label=_("Closes on"), widget=DATE_WIDGET)

    def __init__(
        self,
        *args: Any,
        questionnaires: Iterable[tuple[int, str]] = (),
        pairs: Iterable[tuple[int, str]] = (),
        study_groups: Iterable[tuple[int, str]] = (),
        targets: Sequence[tuple[str, Any]] | None = None,
        pairs_url: str | None = None,
        **kwargs: Any,
    ) -> None:
        """``targets``: the audiences offered (all but an explicit list by default); offered
        only a study group (a curator's campaign), the form has no form and pair fields.
        ``pairs_url``: the pairs are not listed in the page but fetched from there once «a
        pair or group» is chosen as the target (a school's hundreds of pairs were most of
        the page's size and time, for a target seldom chosen)."""
        kwargs.setdefault(
            "initial",
            {
                "opens_on": timezone.localdate(),
                "closes_on": timezone.localdate() + datetime.timedelta(days=14),
            },
        )
        super().__init__(*args, **kwargs)
        for name, choices in (
            ("questionnaire", list(questionnaires)),
            ("target_pair", [("", "—"), *pairs]),
            ("target_study_group", [("", "—"), *study_groups]),
        ):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = choices
        if pairs_url is not None and "target_pair" in self.fields:
            self.fields["target_pair"].widget.attrs.update(
                {
                    "hx-get": pairs_url,
                    "hx-trigger": "change from:#id_target_kind once",
                    "hx-swap": "innerHTML",
                    "hx-sync": "this:replace",
                }
            )
        if targets is not None:
            kind = self.fields["target_kind"]
            assert isinstance(kind, forms.ChoiceField)
            kind.choices = list(targets)
            if [code for code, _label in targets] == [TargetKind.STUDY_GROUP]:
                del self.fields["target_form"], self.fields["target_pair"]


# --- answering -----------------------------------------------------------------------------------

YES, NO = "yes", "no"


class AnswerForm(PageForm):
    """One field per question, named by the question's code. Every field is optional here: the
    service decides what is required (conditions hide questions) and its errors are shown next
    to the questions. ``answers()`` gives the values in the shape the service takes."""

    def __init__(self, *args: Any, questions: Sequence[Question], **kwargs: Any) -> None:
        self.questions = list(questions)
        super().__init__(*args, **kwargs)
        for question in self.questions:
            self.fields[question.code] = _answer_field(question)
        # Radios and check boxes keep their Bootstrap class (PageForm styles the rest).
        for field in self.fields.values():
            if isinstance(field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
                field.widget.attrs["class"] = "form-check-input"

    def items(self) -> list[tuple[Question, forms.BoundField, SafeString | None]]:
        """Per question: the question, its bound field and, for a question answered by radios
        or check boxes, those inputs written out (``choice_inputs``; None for the others)."""
        rows: list[tuple[Question, forms.BoundField, SafeString | None]] = []
        for question in self.questions:
            field = self[question.code]
            inputs = None
            if isinstance(field.field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
                inline = question.kind in (QuestionKind.SCALE, QuestionKind.YES_NO)
                inputs = choice_inputs(field, inline=inline)
            rows.append((question, field, inputs))
        return rows

    def answers(self) -> dict[str, Any]:
        given: dict[str, Any] = {}
        for question in self.questions:
            value = self.cleaned_data.get(question.code)
            if value is None or value == "" or value == []:
                continue
            if question.kind == QuestionKind.YES_NO:
                value = value == YES
            elif question.kind == QuestionKind.NUMBER and float(value).is_integer():
                value = int(value)
            given[question.code] = value
        return given


def choice_inputs(field: forms.BoundField, *, inline: bool) -> SafeString:
    """The radios or check boxes of a choice question, each in its Bootstrap box with its label:
    per option the markup of ``{{ choice.tag }}`` (Django's ``input.html``: the same type,
    name, value, id, attributes and checked state as ``ChoiceWidget.create_option`` gives),
    written in Python. Through the widget's template every option is a template render; a
    questionnaire of ten-point scales has a hundred options, which were most of the answering
    page's time. ``tests/web/test_surveys_markup.py`` checks that both write the same."""
    widget = field.field.widget
    assert isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple)
    auto_id = widget.attrs.get("id") or field.auto_id
    attrs = widget.build_attrs(
        widget.attrs, field.build_widget_attrs({"id": auto_id} if auto_id else {})
    )
    # Every option has the field's attributes, its own id in the id's place, then "checked".
    written = {
        name: f" {_escape(name)}" if value is True else f' {_escape(name)}="{_escape(value)}"'
        for name, value in attrs.items()
        if value is not False
    }
    names = list(written)
    cut = names.index("id") if "id" in written else len(names)
    before = "".join(written[name] for name in names[:cut])
    after = "".join(written[name] for name in names[cut + 1 :])
    head = f'<input type="{_escape(widget.input_type)}" name="{_escape(field.html_name)}"'
    box = "form-check form-check-inline me-0" if inline else "form-check"
    chosen = set(widget.format_value(field.value()))
    taken = False
    parts: list[str] = []
    for index, (value, label) in enumerate(widget.choices):
        text = str(value)
        checked = text in chosen and (widget.allow_multiple_selected or not taken)
        taken = taken or checked
        option_id = f"{auto_id}_{index}" if auto_id else None
        id_attr = f' id="{_escape(option_id)}"' if option_id else ""
        parts.append(
            f'<div class="{box}">{head} value="{_escape(text)}"{before}{id_attr}'
            f'{after}{" checked" if checked else ""}><label class="form-check-label" '
            f'for="{_escape(option_id)}">{conditional_escape(str(label))}</label></div>'
        )
    return mark_safe("".join(parts))  # noqa: S308  # every value escaped above


def _escape(value: Any) -> str:
    """``django.utils.html.escape`` without its lazy-string wrapper (called per option)."""
    return html.escape(str(value))


def initial_answers(questions: Sequence[Question], answers: Mapping[str, Any]) -> dict[str, Any]:
    """A saved draft as the form's initial values."""
    initial: dict[str, Any] = {}
    for question in questions:
        value = answers.get(question.code)
        if isinstance(value, bool):
            value = YES if value else NO
        if value is not None:
            initial[question.code] = value
    return initial


# The built field of a question is kept on the question object (``__dict__``) with what it was
# built from, and each form gets a copy of it. The questions of an open campaign's
# questionnaire are the same objects in every request of the process
# (``monitoring.services.questions_of`` keeps them by schema, id and creation time), so their
# fields are built once: building a field (its widget, its choices normalised) cost ten times
# its copy, ≈ 0.6 ms per request for a questionnaire of fourteen questions. A question changed
# since (or copied and changed) no longer equals what its field was built from: built again.
_FIELD = "_answer_field"  # the key in a question's __dict__


def _built_from(question: Question) -> tuple[Any, ...]:
    """Everything of the question ``_field`` reads."""
    return (
        question.kind,
        question.text,
        question.help_text,
        question.min_value,
        question.max_value,
        question.options,
    )


def _answer_field(question: Question) -> forms.Field:
    source = _built_from(question)
    kept: tuple[tuple[Any, ...], forms.Field] | None = question.__dict__.get(_FIELD)
    if kept is None or kept[0] != source:
        kept = question.__dict__[_FIELD] = (copy.deepcopy(source), _field(question))
    return _copy_field(kept[1])


def _copy_field(field: forms.Field) -> forms.Field:
    """``field`` for one form: what ``Field.__deepcopy__`` copies (the widget with its
    attributes, which the form writes — ``mark_errors``, the Bootstrap class —, the error
    messages, the validators), the choices shared: a form never changes them in place."""
    copied = copy.copy(field)
    copied.widget = widget = copy.copy(field.widget)
    widget.attrs = dict(field.widget.attrs)
    copied.error_messages = dict(field.error_messages)
    copied.validators = list(field.validators)
    return copied


def _field(question: Question) -> forms.Field:
    common: dict[str, Any] = {
        "label": question.text,
        "required": False,
        "help_text": question.help_text,
    }
    kind = question.kind
    if kind == QuestionKind.SCALE:
        low, high = question.min_value or 0, question.max_value or 0
        return forms.TypedChoiceField(
            coerce=int,
            empty_value=None,
            choices=[(v, str(v)) for v in range(low, high + 1)],
            widget=forms.RadioSelect,
            **common,
        )
    if kind == QuestionKind.YES_NO:
        return forms.ChoiceField(
            choices=[(YES, _("Yes")), (NO, _("No"))], widget=forms.RadioSelect, **common
        )
    options = [
        (str(o.get("code")), str(o.get("text", o.get("code"))))
        for o in question.options
        if isinstance(o, dict)
    ]
    if kind == QuestionKind.SINGLE_CHOICE:
        return forms.ChoiceField(choices=options, widget=forms.RadioSelect, **common)
    if kind == QuestionKind.MULTIPLE_CHOICE:
        return forms.MultipleChoiceField(
            choices=options, widget=forms.CheckboxSelectMultiple, **common
        )
    if kind == QuestionKind.NUMBER:
        attrs: dict[str, Any] = {"step": "any"}
        if question.min_value is not None:
            attrs["min"] = question.min_value
        if question.max_value is not None:
            attrs["max"] = question.max_value
        return forms.FloatField(widget=forms.NumberInput(attrs=attrs), **common)
    if kind == QuestionKind.LONG_TEXT:
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), strip=True, **common)
    return forms.CharField(strip=True, **common)


# --- a local questionnaire -----------------------------------------------------------------------

QUESTION_ROWS = 8


class LocalQuestionnaireForm(PageForm):
    title = forms.CharField(label=_("Title"), max_length=300)
    purpose = forms.ChoiceField(label=_("Purpose"), choices=Purpose.choices)
    growth_phase = forms.ChoiceField(
        label=_("Growth phase"),
        required=False,
        choices=GrowthPhase.choices,
        help_text=_("Only for a growth questionnaire: answered before or after the programme."),
    )
    intro = forms.CharField(
        label=_("Introduction for respondents"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class QuestionRowForm(PageForm):
    """One question of a local questionnaire; a row without a text is left out."""

    text = forms.CharField(label=_("Question"), required=False, max_length=1000)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=QuestionKind.choices, initial=QuestionKind.SCALE
    )
    required = forms.BooleanField(label=_("Required"), required=False, initial=True)
    min_value = forms.IntegerField(label=_("Minimum"), required=False)
    max_value = forms.IntegerField(label=_("Maximum"), required=False)
    options = forms.CharField(
        label=_("Options (one a line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For single and multiple choice."),
    )

    def question(self, code: str) -> dict[str, Any]:
        data = self.cleaned_data
        lines = [line.strip() for line in (data.get("options") or "").splitlines()]
        return {
            "code": code,
            "text": data["text"],
            "kind": data["kind"],
            "required": bool(data.get("required")),
            "min_value": data.get("min_value"),
            "max_value": data.get("max_value"),
            "options": [
                {"code": f"o{i}", "text": text} for i, text in enumerate(filter(None, lines), 1)
            ],
        }

    def is_blank(self) -> bool:
        return not (self.cleaned_data.get("text") or "").strip()


QuestionRows = forms.formset_factory(QuestionRowForm, extra=QUESTION_ROWS, max_num=QUESTION_ROWS)
