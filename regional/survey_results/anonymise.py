"""Suppression of one institution's numbers before they reach the public schema. Pure.

The rule is the KPIs' (``REGIONAL_MIN_GROUP_SIZE`` = k, default 10, never below 5): no number
is published that comes from fewer than k people.

* A question answered fewer than k times: nothing but the fact that it was (``suppressed``).
* Otherwise the count and the mean are published. The distribution of a **scale** is published
  only when every non-empty value has at least k answers: with the mean and the total, two
  hidden cells could be solved for, so it is all or nothing.
* A **single choice** or **yes/no** distribution (cells add up to the published count): cells
  of 1..k-1 are hidden; when exactly one cell would be hidden it could be derived from the
  total, so the next smallest non-empty cell is hidden too (complementary suppression).
* A **multiple choice** distribution (cells do not add up to anything published): cells of
  1..k-1 are hidden.
* Numbers: count and mean only, no distribution."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

MIN_GROUP_SIZE_FLOOR = 5
DEFAULT_MIN_GROUP_SIZE = 10
SUMMED_KINDS = frozenset({"single_choice", "yes_no"})


def check_min_group_size(k: int) -> int:
    if k < MIN_GROUP_SIZE_FLOOR:
        raise ValueError(f"The minimum group size is never below {MIN_GROUP_SIZE_FLOOR}")
    return k


@dataclass(frozen=True)
class Cell:
    respondents: int | None
    mean: float | None
    distribution: dict[str, int | None] | None
    suppressed: bool


def _small(count: int, k: int) -> bool:
    return 0 < count < k


def suppress_distribution(
    kind: str, counts: Mapping[str, int], k: int
) -> dict[str, int | None] | None:
    if kind == "scale":
        if any(_small(c, k) for c in counts.values()):
            return None
        return dict(counts)
    hidden = {key for key, c in counts.items() if _small(c, k)}
    if kind in SUMMED_KINDS and len(hidden) == 1:
        others = sorted((c, key) for key, c in counts.items() if key not in hidden and c > 0)
        if others:
            hidden.add(others[0][1])
    return {key: (None if key in hidden else c) for key, c in counts.items()}


def suppress_question(
    *,
    kind: str,
    respondents: int,
    mean: float | None,
    distribution: Mapping[str, int] | None,
    k: int,
) -> Cell:
    check_min_group_size(k)
    if respondents < k:
        return Cell(respondents=None, mean=None, distribution=None, suppressed=True)
    return Cell(
        respondents=respondents,
        mean=None if mean is None else round(mean, 2),
        distribution=None if distribution is None else suppress_distribution(kind, distribution, k),
        suppressed=False,
    )


def combine_distributions(cells: list[Mapping[str, Any] | None]) -> dict[str, int] | None:
    """The sum over institutions of the published values (hidden values count as absent)."""
    published = [c for c in cells if c]
    if not published:
        return None
    total: dict[str, int] = {}
    for cell in published:
        for key, count in cell.items():
            total[key] = total.get(key, 0) + (count or 0)
    return total
