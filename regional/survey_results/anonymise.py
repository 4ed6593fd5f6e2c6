"""Suppression of one institution's survey numbers before they reach the public schema. Pure;
the rules and k are the region's (``regional.privacy``): no number is published that comes
from fewer than k people, and no hidden number can be worked out from the published ones.

* A question answered fewer than k times: nothing but the fact that it was (``suppressed``).
* Otherwise the count and the mean are published (the question is always shown), and the
  distribution:
  - a **single choice** or **yes/no** question cell by cell: small cells are hidden, and so are
    the smallest others while a hidden one could be worked out from the published number of
    answers they add up to (``privacy.suppress_cells``);
  - a **multiple choice** question's cells add up to nothing published: small cells only;
  - a **scale** question all or nothing: with the number of answers and the mean published,
    the cells satisfy two equations, and whole-number answers on a short scale let a reader
    solve for hidden cells far more often than the linear audit can see; so its distribution is
    published only when no cell is small (the count and the mean always are);
  - numbers: count and mean only.

A hidden cell is stored as null, never as 0."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from regional.privacy import api as privacy

SUMMED_KINDS = frozenset({"single_choice", "yes_no"})


@dataclass(frozen=True)
class Cell:
    respondents: int | None
    mean: float | None
    distribution: dict[str, int | None] | None
    suppressed: bool


def suppress_distribution(
    kind: str, counts: Mapping[str, int], k: int
) -> dict[str, int | None] | None:
    if kind == "scale":
        return None if any(privacy.is_small(c, k) for c in counts.values()) else dict(counts)
    equations = [dict.fromkeys(counts, 1)] if kind in SUMMED_KINDS else []
    hidden = privacy.suppress_cells(counts, k=k, equations=equations)
    return {key: (None if key in hidden else count) for key, count in counts.items()}


def suppress_question(
    *,
    kind: str,
    respondents: int,
    mean: float | None,
    distribution: Mapping[str, int] | None,
    k: int,
) -> Cell:
    privacy.check_min_group_size(k)
    if respondents < k:
        return Cell(respondents=None, mean=None, distribution=None, suppressed=True)
    return Cell(
        respondents=respondents,
        mean=None if mean is None else round(mean, 2),
        distribution=None if distribution is None else suppress_distribution(kind, distribution, k),
        suppressed=False,
    )


def combine_distributions(cells: list[Mapping[str, Any] | None]) -> dict[str, int | None] | None:
    """The sum over institutions of the published cells, value by value; a value hidden in any
    institution's cell is hidden (None) in the sum: its true total is not known."""
    published = [c for c in cells if c]
    if not published:
        return None
    total: dict[str, int | None] = {}
    for cell in published:
        for key, count in cell.items():
            before = total.get(key, 0)
            total[key] = None if before is None or count is None else before + int(count)
    return total
