"""``distribution`` and ``question_stats`` count by kind with ``Counter`` (the year's report
counts every answer): the same figures, and the same order of a distribution's values, as the
call of ``_keys`` per answer they replaced, for every kind and odd answers."""

from __future__ import annotations

import itertools
import random
import statistics
from types import SimpleNamespace
from typing import Any

from schools.monitoring import selectors
from schools.monitoring.selectors import QuestionStats, buckets, distribution, question_stats

ODD: list[Any] = [None, "", [], 0, 1, 8, 8.0, 2.5, -1, True, False, "8", "yes", "a", "zz"]
ODD.append(["a", "c"])
ODD += [["x", 1, True], {"a": 1}, "Да", [None], 10, 7]
KINDS = ["scale", "number", "yes_no", "single_choice", "multiple_choice", "short_text"]


def _reference_distribution(question: Any, values: list[Any]) -> dict[str, int]:
    counts = dict.fromkeys(buckets(question), 0)
    for value in values:
        for key in selectors._keys(question.kind, value):
            counts[key] = counts.get(key, 0) + 1
    return counts


def _reference_stats(question: Any, values: list[Any]) -> QuestionStats:
    given = [v for v in values if selectors._answered(v)]
    numbers = (
        [v for v in given if isinstance(v, int | float) and not isinstance(v, bool)]
        if question.kind in selectors.NUMERIC_KINDS
        else []
    )
    return QuestionStats(
        answered=len(given),
        mean=selectors._round(statistics.fmean(numbers)) if numbers else None,
        median=selectors._round(float(statistics.median(numbers))) if numbers else None,
        distribution=_reference_distribution(question, given)
        if question.kind in selectors.COUNTED_KINDS
        else None,
    )


def test_the_counts_are_those_of_a_key_per_answer() -> None:
    options = [{"code": c, "text": c.upper()} for c in ("a", "b", "c")]
    rng = random.Random(17)
    for kind, n in itertools.product(KINDS, (0, 1, 5, 60)):
        question = SimpleNamespace(kind=kind, min_value=1, max_value=10, options=options)
        for _ in range(20):
            values = [rng.choice(ODD) for _ in range(n)]
            assert question_stats(question, values) == _reference_stats(question, values)
            counted = distribution(question, values)
            expected = _reference_distribution(question, values)
            assert list(counted.items()) == list(expected.items()), (kind, values)
