"""Property tests of the anonymisation rules (pure functions, no database)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from regional.kpis import anonymise
from regional.kpis.anonymise import REGION, Table

# Small values are frequent on purpose: that is where suppression works.
VALUE = st.one_of(st.integers(0, 12), st.integers(0, 400))


@st.composite
def tables(draw: st.DrawFn) -> tuple[Table, int]:
    k = draw(st.integers(5, 15))
    municipalities = draw(st.integers(1, 5))
    count = draw(st.integers(1, 14))
    values = {i: draw(VALUE) for i in range(1, count + 1)}
    municipality_of = {i: draw(st.integers(1, municipalities)) for i in values}
    return Table(values=values, municipality_of=municipality_of), k


def published_cells(published: anonymise.Published) -> dict[anonymise.Cell, int]:
    return {c: v for c in published.raw if (v := published.value(c)) is not None}


@settings(max_examples=400, deadline=None)
@given(tables())
def test_no_published_count_between_1_and_k_minus_1(case):
    table, k = case
    published = anonymise.suppress(table, k)
    for cell, value in published_cells(published).items():
        assert value == 0 or value >= k, (cell, value)
        assert value == published.raw[cell]  # published numbers are true numbers


def _matrix(table: Table, unknowns: list[anonymise.Cell]) -> np.ndarray:
    rows = []
    for total, parts in table.equations():
        row = [0.0] * len(unknowns)
        for n, cell in enumerate(unknowns):
            if cell == total:
                row[n] += 1
            if cell in parts:
                row[n] -= 1
        rows.append(row)
    return np.array(rows, dtype=float).reshape(len(rows), len(unknowns))


@settings(max_examples=400, deadline=None)
@given(tables())
def test_no_suppressed_cell_is_recoverable_from_published_totals(case):
    """Independent audit (floating-point rank, not the module's exact elimination): a
    suppressed cell is recoverable from the row/column sums iff its unit vector lies in the
    row space of the equations restricted to the suppressed cells."""
    table, k = case
    published = anonymise.suppress(table, k)
    unknowns = sorted(published.suppressed)
    if not unknowns:
        return
    matrix = _matrix(table, unknowns)
    rank = np.linalg.matrix_rank(matrix) if matrix.size else 0
    for n, cell in enumerate(unknowns):
        unit = np.zeros((1, len(unknowns)))
        unit[0, n] = 1
        extended = np.vstack([matrix, unit]) if matrix.size else unit
        assert np.linalg.matrix_rank(extended) > rank, f"{cell} is derivable"


@settings(max_examples=300, deadline=None)
@given(tables())
def test_no_group_with_a_published_total_hides_exactly_one_cell(case):
    table, k = case
    published = anonymise.suppress(table, k)
    for total, parts in table.equations():
        if total in published.suppressed:
            continue
        hidden = [p for p in parts if p in published.suppressed]
        assert len(hidden) != 1, (total, hidden)


@settings(max_examples=300, deadline=None)
@given(tables(), st.integers(1, 2000))
def test_share_ranges_are_true_and_come_from_published_numbers(case, denominator):
    table, k = case
    published = anonymise.suppress(table, k)
    for institution, value in table.values.items():
        cell = ("i", institution)
        if cell not in published.suppressed:
            continue
        bound = published.upper_bound(cell)
        if bound is None:
            continue
        assert bound >= value
        share = anonymise.share_cell(None, denominator, numerator_upper_bound=bound)
        assert share.value is None and share.suppressed
        assert share.range_high is not None
        assert 100 * value / denominator <= share.range_high or share.range_high == 100
        assert share.label is not None and share.label.startswith("<")


def test_single_cell_is_suppressed_with_its_next_smallest_neighbour():
    table = Table(values={1: 3, 2: 40, 3: 25, 4: 60}, municipality_of={1: 1, 2: 1, 3: 1, 4: 2})
    published = anonymise.suppress(table, 10)
    assert published.institution(1) is None
    assert published.institution(3) is None  # the next smallest in the municipality
    assert published.institution(2) == 40 and published.institution(4) == 60
    assert published.municipality(1) == 68 and published.region() == 128


def test_lone_institution_of_a_municipality_is_protected_across_levels():
    table = Table(values={1: 4, 2: 30, 3: 50}, municipality_of={1: 1, 2: 2, 3: 2})
    published = anonymise.suppress(table, 10)
    assert published.institution(1) is None and published.municipality(1) is None
    # the region total minus the other municipality must not give it away
    assert published.region() is None or published.municipality(2) is None


def test_zero_is_published():
    published = anonymise.suppress(Table(values={1: 0, 2: 0}, municipality_of={1: 1, 2: 1}), 10)
    assert published.institution(1) == 0 and published.region() == 0


@settings(max_examples=300, deadline=None)
@given(
    st.integers(5, 15),
    st.lists(
        st.dictionaries(st.sampled_from("abc"), st.integers(0, 300), min_size=3, max_size=3),
        min_size=1,
        max_size=12,
    ),
)
def test_changes_smaller_than_k_never_show_between_consecutive_snapshots(k, raw_series):
    effective = anonymise.effective_series(raw_series, k)
    for before, after in itertools.pairwise(effective):
        for key in after:
            change = abs(after[key] - before[key])
            assert change == 0 or change >= k
    for raw, shown in zip(raw_series, effective, strict=True):
        for key in raw:
            assert abs(raw[key] - shown[key]) < k  # held values lag by less than k


def test_minimum_group_size_is_never_below_five():
    with pytest.raises(ValueError):
        anonymise.suppress(Table(values={1: 1}, municipality_of={1: 1}), 4)
    with pytest.raises(ValueError):
        anonymise.hold_small_changes(None, {"a": 1}, 3)


def test_share_cells():
    assert anonymise.share_cell(35, 50).value == 70.0
    assert anonymise.share_cell(None, 50, numerator_upper_bound=3).label == "<10 %"
    assert anonymise.share_cell(None, 50, numerator_upper_bound=9).label == "<20 %"
    assert anonymise.share_cell(None, None).suppressed
    assert anonymise.share_cell(5, 0).value is None
    assert REGION == ("r", 0)
