"""Properties of the privacy primitives on random tables (pure functions, no database): the
network audit against an independent one (floating-point ranks over the tables' equations,
written out here), the bounds, the release rule and the shares."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from regional.privacy.api import (
    REGION,
    Family,
    Network,
    Protected,
    check_min_group_size,
    components_of,
    protect,
    release_series,
    share_cell,
)

# Small values are frequent on purpose: that is where suppression works.
VALUE = st.one_of(st.integers(0, 12), st.integers(0, 400))
FAMILIES = [
    Family(parts=("a",)),
    Family(parts=("paired", "without"), total="mentees"),
    Family(parts=("f1", "f2", "f3"), total="pairs"),
]


@st.composite
def tables(draw: st.DrawFn) -> tuple[Family, dict[int, dict[str, int]], dict[int, int], int]:
    k = draw(st.integers(5, 15))
    family = draw(st.sampled_from(FAMILIES))
    municipalities = draw(st.integers(1, 4))
    count = draw(st.integers(1, 10))
    values: dict[int, dict[str, int]] = {}
    for i in range(1, count + 1):
        row = {part: draw(VALUE) for part in family.parts}
        if family.total is not None:
            row[family.total] = sum(row.values())
        values[i] = row
    municipality_of = {i: draw(st.integers(1, municipalities)) for i in values}
    return family, values, municipality_of, k


def cells_and_equations(
    family: Family, values: dict[int, dict[str, int]], municipality_of: dict[int, int]
) -> tuple[dict[tuple[str, tuple[str, int]], int], list[dict[tuple[str, tuple[str, int]], int]]]:
    """The table's cells with their true values and its equations (cell → coefficient, = 0),
    written out from the definition: municipality = Σ institutions, region = Σ municipalities
    for every key; total = Σ parts in every cell."""
    cells: dict[tuple[str, tuple[str, int]], int] = {}
    for i, row in values.items():
        for key, value in row.items():
            cells[(key, ("i", i))] = value
            own = ("m", municipality_of[i])
            cells[(key, own)] = cells.get((key, own), 0) + value
            cells[(key, REGION)] = cells.get((key, REGION), 0) + value
    equations: list[dict[tuple[str, tuple[str, int]], int]] = []
    for key in family.keys:
        for m in set(municipality_of.values()):
            equation = {(key, ("m", m)): 1}
            for i in values:
                if municipality_of[i] == m:
                    equation[(key, ("i", i))] = -1
            equations.append(equation)
        equation = {(key, REGION): 1}
        for m in set(municipality_of.values()):
            equation[(key, ("m", m))] = -1
        equations.append(equation)
    if family.total is not None:
        places = {cell for _key, cell in cells}
        for place in places:
            equation = {(family.total, place): 1}
            for part in family.parts:
                equation[(part, place)] = -1
            equations.append(equation)
    return cells, equations


def derivable(
    unknown: list[tuple[str, tuple[str, int]]],
    equations: list[dict[tuple[str, tuple[str, int]], int]],
) -> set[tuple[str, tuple[str, int]]]:
    """Unknowns whose unit vector lies in the row space of the equations restricted to the
    unknowns (numpy ranks, independent of the module's graph method)."""
    if not unknown:
        return set()
    index = {cell: n for n, cell in enumerate(unknown)}
    matrix = np.array(
        [[float(eq.get(cell, 0)) for cell in unknown] for eq in equations], dtype=float
    ).reshape(len(equations), len(unknown))
    rank = np.linalg.matrix_rank(matrix) if matrix.size else 0
    result = set()
    for cell in unknown:
        unit = np.zeros((1, len(unknown)))
        unit[0, index[cell]] = 1
        extended = np.vstack([matrix, unit]) if matrix.size else unit
        if np.linalg.matrix_rank(extended) == rank:
            result.add(cell)
    return result


@settings(max_examples=200, deadline=None)
@given(tables(), st.data())
def test_no_sensitive_cell_can_be_worked_out_and_published_cells_are_true(case, data):
    family, values, municipality_of, k = case
    network = Network(family, values, municipality_of)
    cells, equations = cells_and_equations(family, values, municipality_of)
    assert set(network.cells) == set(cells)
    withheld = data.draw(st.sets(st.sampled_from(sorted(cells)), max_size=3))
    unpublished = data.draw(st.sets(st.sampled_from(sorted(family.keys)), max_size=1))
    protected = protect(
        network,
        k=k,
        published=[c for c in cells if c[0] not in unpublished],
        withheld=withheld,
    )
    for cell, value in cells.items():
        shown = protected.value(cell)
        if shown is not None:
            assert shown == value  # a published number is the true number
            assert value == 0 or value >= k  # never a small count
            assert cell not in withheld and cell[0] not in unpublished
    sensitive = {c for c, v in cells.items() if 0 < v < k} | withheld
    unknown = sorted(c for c in cells if protected.value(c) is None)
    assert not (derivable(unknown, equations) & sensitive)


@settings(max_examples=200, deadline=None)
@given(tables())
def test_upper_bounds_contain_the_truth_and_come_from_published_numbers(case):
    family, values, municipality_of, k = case
    network = Network(family, values, municipality_of)
    protected = protect(network, k=k)
    for cell in network.cells:
        bound = protected.upper_bound(cell)
        true = network.values[network.index[cell]]
        if bound is not None:
            assert bound >= true
        if protected.value(cell) is not None:
            assert bound == true
    # the bounds read the published cells only: whatever the hidden cells hold, they are equal
    other = Network(family, values, municipality_of)
    for cell in protected.hidden:
        other.values[other.index[cell]] = 10**6
    again = Protected(network=other, hidden=set(protected.hidden), sensitive=set())
    assert all(again.upper_bound(c) == protected.upper_bound(c) for c in network.cells)


def test_a_single_small_cell_is_hidden_with_its_smallest_neighbour():
    values = {1: {"a": 3}, 2: {"a": 40}, 3: {"a": 25}, 4: {"a": 60}}
    protected = protect(Network(FAMILIES[0], values, {1: 1, 2: 1, 3: 1, 4: 2}), k=10)
    assert protected.value(("a", ("i", 1))) is None
    assert protected.value(("a", ("i", 3))) is None  # the next smallest of the municipality
    assert protected.value(("a", ("i", 2))) == 40 and protected.value(("a", ("i", 4))) == 60
    assert protected.value(("a", ("m", 1))) == 68 and protected.value(("a", REGION)) == 128


def test_a_lone_institution_is_protected_across_levels():
    values = {1: {"a": 4}, 2: {"a": 30}, 3: {"a": 50}}
    protected = protect(Network(FAMILIES[0], values, {1: 1, 2: 2, 3: 2}), k=10)
    assert protected.value(("a", ("i", 1))) is None
    assert protected.value(("a", ("m", 1))) is None
    assert protected.value(("a", REGION)) is None or protected.value(("a", ("m", 2))) is None


def test_one_paired_mentee_cannot_be_read_off_with_and_without_a_pair():
    """41 of 42 mentees without a pair would say that exactly one is paired (the issue's case):
    the linked keys are audited together, so one of them is hidden with a neighbour."""
    family = FAMILIES[1]
    values = {
        1: {"mentees": 42, "paired": 1, "without": 41},
        2: {"mentees": 30, "paired": 12, "without": 18},
        3: {"mentees": 25, "paired": 11, "without": 14},
    }
    protected = protect(
        Network(family, values, {1: 1, 2: 1, 3: 1}),
        k=10,
        published=[
            c for c in Network(family, values, {1: 1, 2: 1, 3: 1}).cells if c[0] != "paired"
        ],
    )
    shown = {c: protected.value(c) for c in (("mentees", ("i", 1)), ("without", ("i", 1)))}
    assert None in shown.values()


def test_zero_is_published():
    protected = protect(Network(FAMILIES[0], {1: {"a": 0}, 2: {"a": 0}}, {1: 1, 2: 1}), k=10)
    assert protected.value(("a", ("i", 1))) == 0 and protected.value(("a", REGION)) == 0


def test_minimum_group_size_is_never_below_five():
    with pytest.raises(ValueError):
        protect(Network(FAMILIES[0], {1: {"a": 1}}, {1: 1}), k=4)
    with pytest.raises(ValueError):
        release_series([("2026-01", {"a": 1})], [frozenset({"a"})], 3)
    assert check_min_group_size(5) == 5


@settings(max_examples=200, deadline=None)
@given(
    st.integers(5, 15),
    st.lists(
        st.fixed_dictionaries({key: st.integers(0, 120) for key in ("a", "b", "c")}),
        min_size=1,
        max_size=10,
    ),
)
def test_release_shows_true_numbers_and_no_small_visible_change(k, series):
    periods = [f"2026-{n:02d}" for n in range(1, len(series) + 1)]
    components = components_of([("a", "b")], ["a", "b", "c"])
    released = release_series(list(zip(periods, series, strict=True)), components, k)
    truth = dict(zip(periods, series, strict=True))
    for component in components:
        shown = [(step[component], truth[step[component]]) for step in released]
        for period, (as_of, _values) in zip(periods, shown, strict=True):
            assert as_of <= period
        # a group shows one real snapshot: all its keys of the same period
        for (_p1, before), (_p2, after) in itertools.pairwise(shown):
            for key in component:
                change = abs(after[key] - before[key])
                visible = before[key] >= k and after[key] >= k
                assert change == 0 or change >= k or not visible
    assert released[0] == dict.fromkeys(components, periods[0])


def test_share_cells():
    assert share_cell(35, 50).value == 70.0
    assert share_cell(None, 50, numerator_upper_bound=3).label == "0–10 %"
    assert share_cell(None, 50, numerator_upper_bound=9).label == "0–20 %"
    assert share_cell(None, 30, numerator_upper_bound=6).label == "0–20 %"  # 20 % exactly
    assert share_cell(None, None).suppressed
    assert share_cell(5, 0).value is None
    over = share_cell(37, 30)
    assert over.value is None and over.inconsistent and not over.suppressed
    assert share_cell(None, 30, numerator_upper_bound=45).label == "0–100 %"
