"""Pure checks of questionnaire content and of answers to it.

They read plain attributes only (``code``, ``kind``, ``min_value``, ...), so they work on
model instances, on the historical models of a data migration and on unsaved objects alike.
Each returns ``{field_or_code: [messages]}``; an empty dict means "valid"."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from django.utils.translation import gettext as _

from regional.questionnaires.models import (
    CHOICE_KINDS,
    CODE_RE,
    CONDITION_SOURCE_KINDS,
    NO,
    YES,
    QuestionKind,
)

Errors = dict[str, list[str]]

SHORT_TEXT_MAX = 500
LONG_TEXT_MAX = 10_000
SCALE_MAX_STEPS = 100
MIN_OPTIONS = 2
MAX_OPTIONS = 50

_code_re = re.compile(CODE_RE)


class QuestionLike(Protocol):
    order: int
    code: str
    text: str
    kind: str
    required: bool
    min_value: int | None
    max_value: int | None
    min_label: str
    max_label: str
    options: Any
    condition_question: str
    condition_value: str


def _add(errors: Errors, key: str, message: str) -> None:
    errors.setdefault(key, []).append(message)


def option_codes(options: Any) -> list[str]:
    if not isinstance(options, list):
        return []
    return [o["code"] for o in options if isinstance(o, dict) and isinstance(o.get("code"), str)]


def question_problems(question: QuestionLike) -> Errors:
    """What is wrong with one question on its own (its earlier siblings are not looked at)."""
    errors: Errors = {}
    if not isinstance(question.code, str) or not _code_re.match(question.code):
        _add(
            errors,
            "code",
            _("Use lowercase Latin letters, digits and underscores, starting with a letter."),
        )
    if not (question.text or "").strip():
        _add(errors, "text", _("The question needs a text."))
    if question.kind not in QuestionKind.values:
        _add(errors, "kind", _("Unknown kind of question."))
        return errors
    kind = question.kind
    low, high = question.min_value, question.max_value
    if kind == QuestionKind.SCALE:
        if low is None or high is None:
            _add(errors, "max_value", _("A scale needs a minimum and a maximum."))
        elif low >= high:
            _add(errors, "max_value", _("The maximum of a scale must be above its minimum."))
        elif high - low > SCALE_MAX_STEPS:
            _add(
                errors,
                "max_value",
                _("A scale may have at most %(n)d steps.") % {"n": SCALE_MAX_STEPS},
            )
    elif kind == QuestionKind.NUMBER:
        if low is not None and high is not None and low > high:
            _add(errors, "max_value", _("The maximum must not be below the minimum."))
    elif low is not None or high is not None:
        _add(errors, "min_value", _("Only scales and numbers have a minimum and a maximum."))
    if kind != QuestionKind.SCALE and (question.min_label or question.max_label):
        _add(errors, "min_label", _("Only a scale has labelled ends."))
    if kind in CHOICE_KINDS:
        errors.update(_options_problems(question.options))
    elif question.options:
        _add(errors, "options", _("Only choice questions have options."))
    if bool(question.condition_question) != bool(question.condition_value):
        _add(
            errors,
            "condition_value",
            _("A condition needs both the question and the value it must equal."),
        )
    return errors


def _options_problems(options: Any) -> Errors:
    errors: Errors = {}
    if not isinstance(options, list) or not (MIN_OPTIONS <= len(options) <= MAX_OPTIONS):
        _add(
            errors,
            "options",
            _("A choice question needs from %(low)d to %(high)d options.")
            % {"low": MIN_OPTIONS, "high": MAX_OPTIONS},
        )
        return errors
    seen: set[str] = set()
    for option in options:
        if not isinstance(option, dict) or set(option) - {"code", "text"}:
            _add(errors, "options", _('Each option is {"code": ..., "text": ...}.'))
            continue
        code, text = option.get("code"), option.get("text")
        if not isinstance(code, str) or not _code_re.match(code):
            _add(
                errors,
                "options",
                _("Option code %(code)r: use lowercase Latin letters, digits and underscores.")
                % {"code": code},
            )
        elif code in seen:
            _add(errors, "options", _("Option code %(code)r is repeated.") % {"code": code})
        else:
            seen.add(code)
        if not isinstance(text, str) or not text.strip():
            _add(errors, "options", _("Each option needs a text."))
    return errors


def condition_problems(question: QuestionLike, earlier: Sequence[QuestionLike]) -> Errors:
    """The condition of ``question`` must name an earlier yes/no or single-choice question and
    one of its possible answers."""
    if not question.condition_question:
        return {}
    source = next((q for q in earlier if q.code == question.condition_question), None)
    if source is None:
        return {
            "condition_question": [
                _("The condition must refer to an earlier question of the same version.")
            ]
        }
    if source.kind not in CONDITION_SOURCE_KINDS:
        return {
            "condition_question": [
                _("A condition may refer only to a yes/no or single-choice question.")
            ]
        }
    allowed = [YES, NO] if source.kind == QuestionKind.YES_NO else option_codes(source.options)
    if question.condition_value not in allowed:
        return {
            "condition_value": [
                _("The value must be one of: %(values)s.") % {"values": ", ".join(allowed)}
            ]
        }
    return {}


def version_problems(questions: Sequence[QuestionLike]) -> Errors:
    """Everything that keeps a version from being published, keyed by question code (or
    ``questions`` for the version as a whole)."""
    errors: Errors = {}
    ordered = sorted(questions, key=lambda q: q.order)
    if not ordered:
        return {"questions": [_("A questionnaire needs at least one question.")]}
    seen: set[str] = set()
    for index, question in enumerate(ordered):
        key = question.code or f"#{question.order}"
        problems = question_problems(question)
        problems.update(condition_problems(question, ordered[:index]))
        if question.code in seen:
            problems.setdefault("code", []).append(_("This code is used twice."))
        seen.add(question.code)
        for field, messages in problems.items():
            errors.setdefault(key, []).extend(f"{field}: {m}" for m in messages)
    return errors


def _is_empty(value: Any) -> bool:
    return (
        value is None
        or value == ""
        or value == []
        or (isinstance(value, str) and not value.strip())
    )


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def answer_problem(question: QuestionLike, value: Any) -> str | None:
    """Why ``value`` is not an acceptable answer to ``question`` (which is shown and answered)."""
    kind = question.kind
    low, high = question.min_value, question.max_value
    if kind == QuestionKind.SCALE:
        if not isinstance(value, int) or isinstance(value, bool):
            return _("Choose a whole number on the scale.")
        if low is not None and high is not None and not (low <= value <= high):
            return _("Choose a value from %(low)d to %(high)d.") % {"low": low, "high": high}
    elif kind == QuestionKind.NUMBER:
        if not _is_number(value) or not math.isfinite(value):
            return _("Enter a number.")
        if low is not None and value < low:
            return _("Enter a number not below %(low)d.") % {"low": low}
        if high is not None and value > high:
            return _("Enter a number not above %(high)d.") % {"high": high}
    elif kind == QuestionKind.YES_NO:
        if not isinstance(value, bool):
            return _("Answer yes (true) or no (false).")
    elif kind == QuestionKind.SINGLE_CHOICE:
        if not isinstance(value, str):
            return _("Choose one option.")
        if value not in option_codes(question.options):
            return _("Unknown option %(code)r.") % {"code": value}
    elif kind == QuestionKind.MULTIPLE_CHOICE:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return _("Choose a list of options.")
        unknown = [v for v in value if v not in option_codes(question.options)]
        if unknown:
            return _("Unknown option %(code)r.") % {"code": unknown[0]}
        if len(set(value)) != len(value):
            return _("An option is chosen twice.")
    elif kind in (QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT):
        limit = SHORT_TEXT_MAX if kind == QuestionKind.SHORT_TEXT else LONG_TEXT_MAX
        if not isinstance(value, str):
            return _("Enter a text.")
        if len(value) > limit:
            return _("At most %(n)d characters.") % {"n": limit}
    return None


def _condition_met(question: QuestionLike, given: Mapping[str, Any]) -> bool:
    if not question.condition_question:
        return True
    answer = given.get(question.condition_question)
    if isinstance(answer, bool):
        answer = YES if answer else NO
    return answer == question.condition_value


def answers_problems(questions: Sequence[QuestionLike], answers: Mapping[str, Any]) -> Errors:
    """Per question code: what is wrong with ``answers`` to these questions.

    A question hidden by its condition needs no answer and must not have one; a question whose
    controlling question is itself hidden is hidden too."""
    errors: Errors = {}
    if not isinstance(answers, Mapping):
        return {"answers": [_("Answers are an object of question codes and values.")]}
    known = {q.code for q in questions}
    for code in answers:
        if code not in known:
            _add(errors, str(code), _("There is no such question in this questionnaire."))
    shown: dict[str, Any] = {}  # valid answers to the questions shown so far
    undecided: set[str] = set()  # questions whose visibility a wrong answer leaves open
    for question in sorted(questions, key=lambda q: q.order):
        value = answers.get(question.code)
        if question.condition_question in undecided or question.condition_question in errors:
            # Its controlling answer is wrong: that error is reported; this one waits for it.
            undecided.add(question.code)
            continue
        if not _condition_met(question, shown):
            if not _is_empty(value):
                _add(
                    errors,
                    question.code,
                    _("This question is hidden by the answer to %(code)r and takes no answer.")
                    % {"code": question.condition_question},
                )
            continue
        if _is_empty(value):
            if question.required:
                _add(errors, question.code, _("This question requires an answer."))
            continue
        problem = answer_problem(question, value)
        if problem:
            _add(errors, question.code, problem)
        else:
            shown[question.code] = value
    return errors
