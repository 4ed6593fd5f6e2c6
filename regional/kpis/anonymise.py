"""Anonymisation of the region's numbers before they are published. Pure functions, no database.

The numbers form, for each metric, a table: one cell per institution, grouped by municipality,
with a total per municipality and one for the region (``Table``). Publication follows four
rules, with ``k`` the region's minimum group size (default 10, never below 5):

1. **Primary suppression.** A count in ``1..k-1`` is not published (a cell, a municipality
   total or the region total). Zero is published: it describes nobody.
2. **Complementary suppression.** No suppressed cell may be derivable from what is published.
   The tables' equations are "municipality total = sum of its institutions" and "region total =
   sum of municipality totals". After primary suppression we audit the system exactly (rational
   Gaussian elimination over the suppressed cells as unknowns): while some suppressed cell is
   uniquely determined, we also suppress the smallest published cell of an equation it takes
   part in — the next smallest institution of its municipality first (non-zero preferred),
   else a total. For a municipality with a single suppressed cell this is exactly "suppress
   the next smallest too"; the audit also catches derivations across levels (a municipality
   with one institution, a municipality total recoverable from the region total).
3. **Shares of small groups as ranges.** A share whose numerator is suppressed is shown as a
   range ``0–X %`` (``<X %``), where X is 100 × (the largest value the suppressed numerator can
   take given the published numbers) / denominator, rounded up to a band of 10 points. The range
   is computed from published numbers only, so it tells nothing that the table does not.
4. **Small changes between consecutive snapshots stay hidden.** Each institution's value is
   held at its previously published (effective) value while the new value differs from it by
   less than ``k``; it moves once the difference reaches ``k``. So a published cell changes
   between periods by 0 or by at least ``k``, and a single person joining or leaving never
   shows as a ±1 difference between two reports. Totals are sums of the held values, so tables
   stay consistent. The cost: a published value may lag the raw one by up to ``k - 1``.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TypeVar

K = TypeVar("K", bound=Hashable)

# A cell of a table: ("i", institution id), ("m", municipality id) or ("r", 0) for the region.
Cell = tuple[str, int]
REGION: Cell = ("r", 0)
SHARE_BAND = 10
MIN_GROUP_SIZE_FLOOR = 5
DEFAULT_MIN_GROUP_SIZE = 10


def check_min_group_size(k: int) -> int:
    if k < MIN_GROUP_SIZE_FLOOR:
        raise ValueError(f"The minimum group size is never below {MIN_GROUP_SIZE_FLOOR}")
    return k


@dataclass(frozen=True)
class Table:
    """One metric across the region: institution id → value, institution id → municipality id."""

    values: Mapping[int, int]
    municipality_of: Mapping[int, int]

    def cells(self) -> dict[Cell, int]:
        result: dict[Cell, int] = {("i", i): v for i, v in self.values.items()}
        for institution, value in self.values.items():
            key = ("m", self.municipality_of[institution])
            result[key] = result.get(key, 0) + value
        result[REGION] = sum(self.values.values())
        return result

    def equations(self) -> list[tuple[Cell, list[Cell]]]:
        """(total, parts): municipality totals over institutions, the region over municipalities."""
        members: dict[int, list[Cell]] = {}
        for institution in sorted(self.values):
            members.setdefault(self.municipality_of[institution], []).append(("i", institution))
        result: list[tuple[Cell, list[Cell]]] = [
            (("m", m), parts) for m, parts in sorted(members.items())
        ]
        result.append((REGION, [("m", m) for m in sorted(members)]))
        return result


@dataclass
class Published:
    """A table after suppression: ``value(cell)`` is None where suppressed."""

    table: Table
    k: int
    raw: dict[Cell, int]
    suppressed: set[Cell] = field(default_factory=set)
    primary: set[Cell] = field(default_factory=set)

    def value(self, cell: Cell) -> int | None:
        if cell not in self.raw or cell in self.suppressed:
            return None
        return self.raw[cell]

    def institution(self, institution_id: int) -> int | None:
        return self.value(("i", institution_id))

    def municipality(self, municipality_id: int) -> int | None:
        return self.value(("m", municipality_id))

    def region(self) -> int | None:
        return self.value(REGION)

    def upper_bound(self, cell: Cell) -> int | None:
        """The largest value a suppressed cell can take given the published numbers only (the
        residual of the nearest published total), or None when no published total bounds it."""
        if cell not in self.suppressed:
            return self.value(cell)
        for total, parts in self.table.equations():
            if cell in parts and total not in self.suppressed:
                known = sum(self.raw[p] for p in parts if p not in self.suppressed)
                return self.raw[total] - known
        if cell[0] == "i":
            municipality: Cell = ("m", self.table.municipality_of[cell[1]])
            return self.upper_bound(municipality)
        return None


def _determined(
    unknowns: Sequence[Cell], equations: Iterable[tuple[Cell, list[Cell]]]
) -> set[Cell]:
    """Unknowns that the equations fix uniquely: e_i lies in the row space of the system."""
    index = {cell: n for n, cell in enumerate(unknowns)}
    rows: list[list[Fraction]] = []
    for total, parts in equations:
        row = [Fraction(0)] * len(unknowns)
        if total in index:
            row[index[total]] += 1
        for part in parts:
            if part in index:
                row[index[part]] -= 1
        if any(row):
            rows.append(row)
    # Reduced row echelon form.
    pivot_row = 0
    for col in range(len(unknowns)):
        found = next((r for r in range(pivot_row, len(rows)) if rows[r][col] != 0), None)
        if found is None:
            continue
        rows[pivot_row], rows[found] = rows[found], rows[pivot_row]
        pivot = rows[pivot_row][col]
        rows[pivot_row] = [x / pivot for x in rows[pivot_row]]
        for r in range(len(rows)):
            if r != pivot_row and rows[r][col] != 0:
                factor = rows[r][col]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[pivot_row], strict=True)]
        pivot_row += 1
        if pivot_row == len(rows):
            break
    determined: set[Cell] = set()
    for row in rows:
        nonzero = [n for n, x in enumerate(row) if x != 0]
        if len(nonzero) == 1:
            determined.add(unknowns[nonzero[0]])
    return determined


def _rank(cell: Cell, raw: Mapping[Cell, int], same_level: bool) -> tuple[int, int, int, int]:
    """Order of preference for complementary suppression: the same level (an institution beside
    an institution), non-zero, smallest, then a stable order."""
    level = {"i": 0, "m": 1, "r": 2}[cell[0]]
    return (0 if same_level else 1, 0 if raw[cell] > 0 else 1, raw[cell], level * 10**12 + cell[1])


def suppress(table: Table, k: int) -> Published:
    """Primary and complementary suppression of one table (rules 1 and 2)."""
    check_min_group_size(k)
    raw = table.cells()
    equations = table.equations()
    primary = {cell for cell, value in raw.items() if 0 < value < k}
    suppressed = set(primary)
    while True:
        unknowns = sorted(suppressed)
        determined = _determined(unknowns, equations)
        if not determined:
            break
        target = min(determined)
        candidates: list[tuple[tuple[int, int, int, int], Cell]] = []
        for total, parts in equations:
            members = [total, *parts]
            if target not in members:
                continue
            for cell in members:
                if cell not in suppressed:
                    same = cell[0] == target[0]
                    candidates.append((_rank(cell, raw, same), cell))
        if not candidates:  # every neighbour is hidden already: widen to any published cell
            candidates = [(_rank(c, raw, False), c) for c in raw if c not in suppressed]
        if not candidates:
            break
        suppressed.add(min(candidates)[1])
    return Published(table=table, k=k, raw=raw, suppressed=suppressed, primary=primary)


def hold_small_changes(
    previous: Mapping[K, int] | None, current: Mapping[K, int], k: int
) -> dict[K, int]:
    """Rule 4 for one step: keep the previous effective value while |new − previous| < k."""
    check_min_group_size(k)
    result: dict[K, int] = {}
    for key, value in current.items():
        before = None if previous is None else previous.get(key)
        result[key] = before if before is not None and abs(value - before) < k else value
    return result


def effective_series(series: Sequence[Mapping[K, int]], k: int) -> list[dict[K, int]]:
    """Rule 4 along consecutive snapshots of one institution (oldest first)."""
    result: list[dict[K, int]] = []
    previous: dict[K, int] | None = None
    for current in series:
        previous = hold_small_changes(previous, current, k)
        result.append(previous)
    return result


@dataclass(frozen=True)
class ShareCell:
    value: float | None
    suppressed: bool
    range_low: int | None = None
    range_high: int | None = None

    @property
    def label(self) -> str | None:
        if self.value is not None:
            return f"{self.value:.1f} %"
        if self.range_high is None:
            return None
        if not self.range_low:
            return f"<{self.range_high} %"
        return f"{self.range_low}–{self.range_high} %"


def ratio(numerator: int | None, denominator: int | None, *, percent: bool) -> float | None:
    if numerator is None or not denominator:
        return None
    value = numerator / denominator * (100 if percent else 1)
    return round(value, 1 if percent else 2)


def share_cell(
    numerator: int | None,
    denominator: int | None,
    *,
    numerator_upper_bound: int | None = None,
    percent: bool = True,
) -> ShareCell:
    """Rule 3: an exact share when both counts are published; else a range from the published
    upper bound of the suppressed numerator (None when there is nothing to show)."""
    if denominator is None:
        return ShareCell(value=None, suppressed=True)
    if not denominator:
        return ShareCell(value=None, suppressed=False)
    if numerator is not None:
        return ShareCell(value=ratio(numerator, denominator, percent=percent), suppressed=False)
    if not percent or numerator_upper_bound is None:
        return ShareCell(value=None, suppressed=True)
    high = math.ceil(100 * numerator_upper_bound / denominator / SHARE_BAND) * SHARE_BAND
    return ShareCell(
        value=None, suppressed=True, range_low=0, range_high=max(SHARE_BAND, min(100, high))
    )
