"""The answering page writes the radios and check boxes of its choice questions in Python
(``forms_surveys.choice_inputs``): exactly the markup the template's loop over Django's
widgets wrote — types, names, values, ids, labels (escaped), the checked state and the
invalid marks — for a new form, a saved draft and a refused submission."""

from __future__ import annotations

from typing import Any

from django import forms
from django.template import Context, Template

from schools.monitoring.models import Question
from schools.web.forms_surveys import AnswerForm, initial_answers

# The template's loop before: one render of the widget's template per option.
LOOP = Template(
    """{% for question, field, inputs in items %}{% for choice in field %}<div class="form-check"""
    """{% if question.kind == 'scale' or question.kind == 'yes_no' %} form-check-inline me-0"""
    """{% endif %}">{{ choice.tag }}<label class="form-check-label" """
    """for="{{ choice.id_for_label }}">{{ choice.choice_label }}</label></div>{% endfor %}|"""
    """{% endfor %}"""
)
FAST = Template("{% for question, field, inputs in items %}{{ inputs }}|{% endfor %}")

QUESTIONS = [
    Question(order=1, code="s_help", text="Помощь", kind="scale", min_value=1, max_value=10),
    Question(order=2, code="agree", text="Согласны?", kind="yes_no"),
    Question(
        order=3,
        code="often",
        text="Как часто?",
        kind="single_choice",
        options=[
            {"code": "weekly", "text": "Раз в <b>неделю</b>"},
            {"code": "m", "text": 'А & "Б"'},
        ],
    ),
    Question(
        order=4,
        code="topics",
        text="Темы",
        kind="multiple_choice",
        options=[{"code": c, "text": f"Тема {c}"} for c in ("a", "b", "c")],
    ),
]


def _both(form: AnswerForm) -> tuple[str, str]:
    items: list[Any] = form.items()
    fast = FAST.render(Context({"items": items}))
    loop = LOOP.render(Context({"items": items}))
    return fast, loop


def test_a_new_form_and_a_draft_are_written_as_the_widgets_wrote_them() -> None:
    fast, loop = _both(AnswerForm(questions=QUESTIONS))
    assert fast == loop
    assert fast.count("<input") == 10 + 2 + 2 + 3 and "checked" not in fast
    assert "Раз в &lt;b&gt;неделю&lt;/b&gt;" in fast and "А &amp; &quot;Б&quot;" in fast
    draft = {"s_help": 7, "agree": False, "often": "m", "topics": ["a", "c"]}
    fast, loop = _both(AnswerForm(questions=QUESTIONS, initial=initial_answers(QUESTIONS, draft)))
    assert fast == loop
    assert fast.count(" checked>") == 1 + 1 + 1 + 2
    assert 'value="7" class="form-check-input" id="id_s_help_6" checked>' in fast


def test_a_refused_submission_keeps_the_answers_and_marks_the_questions() -> None:
    form = AnswerForm(
        {"s_help": "11", "agree": "yes", "often": "weekly", "topics": ["b", "zz"]},
        questions=QUESTIONS,
    )
    assert not form.is_valid()
    form.add_error("agree", "Неверно")
    form.mark_errors()
    fast, loop = _both(form)
    assert fast == loop
    assert 'aria-invalid="true"' in fast and "is-invalid" in fast
    assert 'value="yes" class="form-check-input is-invalid"' in fast


def test_the_questions_of_a_new_form_are_written_once_and_never_stale(monkeypatch) -> None:
    """A class answering at once gets the same new form: written once per process, keyed by
    everything it shows, so a changed question is written again; a draft is never shared."""
    import copy

    from schools.web import views_surveys

    monkeypatch.setattr(views_surveys, "_NEW_FORMS", {})
    first = views_surveys._questions_html(AnswerForm(questions=QUESTIONS), editable=True)
    assert len(views_surveys._NEW_FORMS) == 1
    again = views_surveys._questions_html(AnswerForm(questions=QUESTIONS), editable=True)
    assert again is first
    assert first.count("<fieldset") == len(QUESTIONS) and " disabled" not in first

    changed = [copy.copy(q) for q in QUESTIONS]
    changed[2].options = [{"code": "weekly", "text": "Каждую неделю"}]
    other = views_surveys._questions_html(AnswerForm(questions=changed), editable=True)
    assert "Каждую неделю" in other and "Каждую неделю" not in first
    closed = views_surveys._questions_html(AnswerForm(questions=QUESTIONS), editable=False)
    assert closed.count(" disabled>") == len(QUESTIONS)

    draft = AnswerForm(questions=QUESTIONS, initial=initial_answers(QUESTIONS, {"s_help": 7}))
    with_draft = views_surveys._questions_html(draft, editable=True)
    assert " checked>" in with_draft and " checked>" not in first
    assert len(views_surveys._NEW_FORMS) == 3  # the draft's form is not kept


def test_a_questions_field_is_built_once_and_each_form_has_its_own_copy() -> None:
    """The questions of an open campaign are the same objects in every request of a process:
    their fields are built once (``forms_surveys._answer_field``), and what one form writes
    into its fields (the invalid marks) never reaches another form."""
    questions = [
        Question(order=1, code="s", text="Шкала", kind="scale", min_value=1, max_value=5),
        Question(order=2, code="yn", text="Да?", kind="yes_no"),
    ]
    fresh = [
        Question(**{f.attname: getattr(q, f.attname) for f in Question._meta.fields})
        for q in questions
    ]
    refused = AnswerForm({"s": "9", "yn": "maybe"}, questions=questions)
    assert not refused.is_valid()
    refused.mark_errors()
    assert refused.fields["s"].widget.attrs["aria-invalid"] == "true"
    again = AnswerForm(questions=questions)
    assert again.fields["s"] is not refused.fields["s"]
    assert again.fields["s"].widget is not refused.fields["s"].widget
    assert "aria-invalid" not in again.fields["s"].widget.attrs
    assert again.fields["s"].widget.attrs["class"] == "form-check-input"
    # the same fields as built anew for other question objects: the same page
    assert _both(again) == _both(AnswerForm(questions=fresh))
    _source, first = questions[0].__dict__["_answer_field"]
    AnswerForm(questions=questions)
    assert questions[0].__dict__["_answer_field"][1] is first  # not built again
    assert "aria-invalid" not in first.widget.attrs
    # a question changed in place is built again
    questions[0].max_value = 3
    scale = AnswerForm(questions=questions).fields["s"]
    assert isinstance(scale, forms.ChoiceField)
    assert [v for v, _label in list(scale.widget.choices)] == [1, 2, 3]
    assert questions[0].__dict__["_answer_field"][1] is not first
