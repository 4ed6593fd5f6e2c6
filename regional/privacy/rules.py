"""The region's rules for publishing counts of people: pure functions, no database.

Every number of people that leaves the regional layer (KPIs, survey results, the employers'
board) goes through these primitives, with ``k`` the region's minimum group size (its setting,
never below ``MIN_GROUP_SIZE_FLOOR``; ``regional.privacy.api.min_group_size``).

* **Small counts** (``is_small``): a count in ``1..k-1`` is never published. Zero is: it
  describes nobody.
* **Tables and their equations** (``Network``): a metric is a table of cells, one per
  institution, one per municipality (the sum of its institutions) and one for the region (the
  sum of the municipalities). Linked metrics form one table with a second dimension: a total
  and its parts (``mentees = mentees_paired + mentees_without_pair``) hold at every cell. Such a
  table with its equations is a *network*: every cell is an edge, every equation is "what
  flows into a node flows out of it". A hidden cell can be worked out from the published ones
  exactly when its edge is a bridge of the graph formed by the hidden edges (the hidden edges
  carry a non-zero circulation, i.e. stay free, exactly when they lie on a cycle of hidden
  edges). The audit (``protect``) therefore puts every *sensitive* hidden cell (a small count,
  or a count the caller withholds) on a cycle of hidden cells, hiding the cheapest published
  cells that close one (a neighbouring institution before a total, small values first): the
  network form of complementary suppression, exact and linear in the table's size.
* **Bounds** (``Protected.upper_bound``): the largest value a hidden cell can take given the
  published cells and non-negativity, so that a share of a small group can be shown as a
  range that always contains the truth (``share_cell``).
* **Release** (``release_series``): how a series of snapshots of one institution is published
  over time without showing a change smaller than ``k`` between two reports (the differencing
  attack), and without ever publishing a number that the truth contradicts: a group of linked
  counts is *released* (shown as the period's true numbers) unless one of them moved by
  ``1..k-1`` between two visible values since its last release; then the whole group keeps
  showing its last released numbers, labelled with their period, and its current numbers
  count as withheld cells in the period's audit.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

MIN_GROUP_SIZE_FLOOR = 5
DEFAULT_MIN_GROUP_SIZE = 10
SHARE_BAND = 10

# A cell of a table: ("i", institution id), ("m", municipality id) or ("r", 0) for the region.
Cell = tuple[str, int]
REGION: Cell = ("r", 0)
# A cell of one metric key: (key, cell).
KeyCell = tuple[str, Cell]


def check_min_group_size(k: int) -> int:
    if k < MIN_GROUP_SIZE_FLOOR:
        raise ValueError(f"The minimum group size is never below {MIN_GROUP_SIZE_FLOOR}")
    return k


def is_small(value: int, k: int) -> bool:
    """A count that describes between 1 and k - 1 people: never published."""
    return 0 < value < k


# --- tables as networks ---------------------------------------------------------------------


@dataclass(frozen=True)
class Family:
    """Metric keys audited together: ``total`` = the sum of ``parts`` in every cell (an
    institution's, a municipality's, the region's), or a single key (``total`` None, one part)."""

    parts: tuple[str, ...]
    total: str | None = None

    @property
    def keys(self) -> tuple[str, ...]:
        return self.parts if self.total is None else (self.total, *self.parts)


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, x: int) -> int:
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[ra] = rb


class Network:
    """One family of keys across the region as a flow network (see the module's docstring).

    Nodes: a hub; per part key its region node and one node per municipality; per institution
    that reports every key of the family a node joining its parts to its total; for the total
    key its municipality nodes and its region node. Edges (each one cell):

    * part ``p`` of the region: hub → R[p]; of municipality m: R[p] → M[p, m];
    * part ``p`` of institution i: M[p, m] → I[i] (→ hub for a single key, or when i lacks a
      key of the family: the hub absorbs the difference, so the equations stay true);
    * the total of institution i: I[i] → MT[m] (hub → MT[m] when i lacks a key);
      of municipality m: MT[m] → RT; of the region: RT → hub.

    Flow conservation at each node is exactly one equation of the table."""

    HUB = 0

    def __init__(
        self,
        family: Family,
        values: Mapping[int, Mapping[str, int]],
        municipality_of: Mapping[int, int],
    ) -> None:
        self.family = family
        self._node_ids: dict[tuple[object, ...], int] = {("hub",): self.HUB}
        self.ends: list[tuple[int, int]] = []
        self.cells: list[KeyCell] = []
        self.values: list[int] = []
        self.index: dict[KeyCell, int] = {}
        self._adjacency: list[list[tuple[int, int]]] | None = None
        keys = family.keys
        institutions = sorted(i for i, row in values.items() if any(key in row for key in keys))
        totals: dict[KeyCell, int] = {}
        for i in institutions:
            m = municipality_of[i]
            for key in keys:
                if key in values[i]:
                    for cell in (("m", m), REGION):
                        totals[(key, cell)] = totals.get((key, cell), 0) + values[i][key]
        hub = self.HUB
        for part in family.parts:
            if (part, REGION) in totals:
                self._edge((part, REGION), hub, self._node("R", part), totals)
        for m in sorted({municipality_of[i] for i in institutions}):
            for part in family.parts:
                if (part, ("m", m)) in totals:
                    self._edge(
                        (part, ("m", m)), self._node("R", part), self._node("M", part, m), totals
                    )
        total = family.total
        for i in institutions:
            row, m = values[i], municipality_of[i]
            complete = total is not None and all(key in row for key in keys)
            join = self._node("I", i) if complete else hub
            for part in family.parts:
                if part in row:
                    self._edge((part, ("i", i)), self._node("M", part, m), join, {}, row[part])
            if total is not None and total in row:
                self._edge((total, ("i", i)), join, self._node("MT", m), {}, row[total])
        if total is not None:
            for m in sorted({municipality_of[i] for i in institutions}):
                if (total, ("m", m)) in totals:
                    self._edge((total, ("m", m)), self._node("MT", m), self._node("RT"), totals)
            if (total, REGION) in totals:
                self._edge((total, REGION), self._node("RT"), hub, totals)

    def _node(self, *name: object) -> int:
        return self._node_ids.setdefault(name, len(self._node_ids))

    def _edge(
        self,
        cell: KeyCell,
        tail: int,
        head: int,
        totals: Mapping[KeyCell, int],
        value: int | None = None,
    ) -> None:
        self.index[cell] = len(self.cells)
        self.cells.append(cell)
        self.ends.append((tail, head))
        self.values.append(totals[cell] if value is None else value)

    @property
    def node_count(self) -> int:
        return len(self._node_ids)

    def adjacency(self) -> list[list[tuple[int, int]]]:
        """Per node: (neighbour, edge index), edges taken in both directions."""
        if self._adjacency is None:
            self._adjacency = [[] for _ in range(self.node_count)]
            for edge, (tail, head) in enumerate(self.ends):
                self._adjacency[tail].append((head, edge))
                self._adjacency[head].append((tail, edge))
        return self._adjacency

    def equations(self) -> list[tuple[list[KeyCell], list[KeyCell]]]:
        """(cells flowing in, cells flowing out) per node: Σ in = Σ out (for independent
        audits in tests)."""
        into: list[list[KeyCell]] = [[] for _ in range(self.node_count)]
        out: list[list[KeyCell]] = [[] for _ in range(self.node_count)]
        for cell, (tail, head) in zip(self.cells, self.ends, strict=True):
            out[tail].append(cell)
            into[head].append(cell)
        return [(into[n], out[n]) for n in range(self.node_count) if into[n] or out[n]]


def _bridges(node_count: int, ends: Sequence[tuple[int, int]], active: Sequence[bool]) -> set[int]:
    """Bridges (by edge index) of the undirected multigraph of the active edges (iterative
    Tarjan; parallel edges are told apart by index, so two parallel hidden cells form a cycle)."""
    adjacency: list[list[tuple[int, int]]] = [[] for _ in range(node_count)]
    for edge, (tail, head) in enumerate(ends):
        if active[edge]:
            adjacency[tail].append((head, edge))
            adjacency[head].append((tail, edge))
    discovered = [-1] * node_count
    low = [0] * node_count
    clock = 0
    bridges: set[int] = set()
    for start in range(node_count):
        if discovered[start] != -1 or not adjacency[start]:
            continue
        discovered[start] = low[start] = clock
        clock += 1
        stack = [(start, -1, iter(adjacency[start]))]
        while stack:
            node, via, neighbours = stack[-1]
            descended = False
            for nxt, edge in neighbours:
                if edge == via:
                    continue
                if discovered[nxt] == -1:
                    discovered[nxt] = low[nxt] = clock
                    clock += 1
                    stack.append((nxt, edge, iter(adjacency[nxt])))
                    descended = True
                    break
                low[node] = min(low[node], discovered[nxt])
            if descended:
                continue
            stack.pop()
            if stack:
                parent = stack[-1][0]
                low[parent] = min(low[parent], low[node])
                if low[node] > discovered[parent]:
                    bridges.add(via)
    return bridges


# Costs of hiding a published cell to protect another one: an institution's cell (small
# values first; a zero only when nothing else will do, since a hidden zero is the least
# useful protection), then a municipality's total, then the region's. A hidden cell on the
# way costs 1: shorter cycles first.
_LEVEL_COST = {"i": 10, "m": 10**6, "r": 10**12}


def _cost(cell: KeyCell, value: int, k: int) -> int:
    level = cell[1][0]
    return _LEVEL_COST[level] + (value if value > 0 else k) * 10


def _cheapest_cycle(
    network: Network, hidden: Sequence[bool], costs: Sequence[int], edge: int
) -> list[int] | None:
    """The edges of the cheapest path between the ends of ``edge`` that avoids it (Dijkstra
    over every cell: a hidden one costs 1, a published one its cost), or None."""
    start, goal = network.ends[edge]
    adjacency = network.adjacency()
    distance: dict[int, int] = {start: 0}
    came_by: dict[int, tuple[int, int]] = {}
    queue = [(0, start)]
    while queue:
        dist, node = heapq.heappop(queue)
        if node == goal:
            path = []
            while node != start:
                previous, via = came_by[node]
                path.append(via)
                node = previous
            return path
        if dist > distance.get(node, math.inf):
            continue
        for nxt, via in adjacency[node]:
            if via == edge:
                continue
            step = dist + (1 if hidden[via] else costs[via])
            if step < distance.get(nxt, math.inf):
                distance[nxt] = step
                came_by[nxt] = (node, via)
                heapq.heappush(queue, (step, nxt))
    return None


@dataclass
class Protected:
    """A network after the audit: which cells are published, which hidden and why."""

    network: Network
    hidden: set[KeyCell]
    sensitive: set[KeyCell]
    complementary: set[KeyCell] = field(default_factory=set)
    _bounds: dict[KeyCell, int] | None = None

    def value(self, cell: KeyCell) -> int | None:
        """The true value if published; None if hidden or absent."""
        edge = self.network.index.get(cell)
        if edge is None or cell in self.hidden:
            return None
        return self.network.values[edge]

    def has(self, cell: KeyCell) -> bool:
        return cell in self.network.index

    def upper_bound(self, cell: KeyCell) -> int | None:
        """The largest value the cell can take given the published cells (and that no count
        is negative); its value when published; None when nothing published bounds it."""
        if not self.has(cell):
            return None
        if self._bounds is None:
            self._bounds = _upper_bounds(self.network, self.hidden)
        return self._bounds.get(cell)


def _upper_bounds(network: Network, hidden: set[KeyCell]) -> dict[KeyCell, int]:
    """Bounds by propagation over the nodes' equations: an edge flowing out of a node is at
    most what flows in (each in-edge at its value or bound) minus the other published
    out-edges, and symmetrically at the node it flows into. Valid at every step, since every
    count is ≥ 0; a few sweeps reach the fixed point on these shallow networks."""
    edges = range(len(network.cells))
    known = [network.cells[e] not in hidden for e in edges]
    bound: list[float] = [network.values[e] if known[e] else math.inf for e in edges]
    into: list[list[int]] = [[] for _ in range(network.node_count)]
    out: list[list[int]] = [[] for _ in range(network.node_count)]
    for e in edges:
        tail, head = network.ends[e]
        out[tail].append(e)
        into[head].append(e)
    for _sweep in range(6):
        changed = False
        for node in range(network.node_count):
            for side, other in ((out[node], into[node]), (into[node], out[node])):
                # every edge of ``side`` ≤ Σ bound(other) − Σ known(side without it)
                supply = sum(bound[e] for e in other)
                if supply == math.inf:
                    continue
                known_side = sum(network.values[e] for e in side if known[e])
                for e in side:
                    if known[e]:
                        continue
                    candidate = supply - known_side
                    if candidate < bound[e]:
                        bound[e] = candidate
                        changed = True
        if not changed:
            break
    return {network.cells[e]: int(bound[e]) for e in edges if bound[e] != math.inf}


def protect(
    network: Network,
    *,
    k: int,
    published: Iterable[KeyCell] | None = None,
    withheld: Iterable[KeyCell] = (),
) -> Protected:
    """Primary and complementary suppression of one network.

    ``published``: the cells the caller would publish (default: all); the others are hidden
    (but may be derivable: that is fine unless they are sensitive). ``withheld``: cells that
    must stay hidden *and* underivable although not small (an institution's current counts
    while it shows earlier ones). Sensitive: every small count and every withheld cell. The
    result hides, besides them, the cheapest published cells that keep every sensitive cell on
    a cycle of hidden cells, so none can be worked out from what is published."""
    check_min_group_size(k)
    cells, values = network.cells, network.values
    withheld_set = set(withheld)
    wanted = set(cells) if published is None else set(published)
    sensitive = {c for c, v in zip(cells, values, strict=True) if is_small(v, k)} | (
        withheld_set & set(cells)
    )
    hidden = [c not in wanted or c in sensitive for c in cells]
    costs = [_cost(c, v, k) for c, v in zip(cells, values, strict=True)]
    bridges = _bridges(network.node_count, network.ends, hidden)
    components = _UnionFind(network.node_count)
    for edge, (tail, head) in enumerate(network.ends):
        if hidden[edge] and edge not in bridges:
            components.union(tail, head)
    complementary: set[KeyCell] = set()
    level_order = {"i": 0, "m": 1, "r": 2}
    order = sorted(
        (network.index[c] for c in sensitive),
        key=lambda e: (level_order[cells[e][1][0]], cells[e][1][1], cells[e][0]),
    )
    for edge in order:
        tail, head = network.ends[edge]
        if components.find(tail) == components.find(head):
            continue  # already on a cycle of hidden cells
        path = _cheapest_cycle(network, hidden, costs, edge)
        if path is None:  # pragma: no cover - every cell of a network lies on a cycle
            hidden = [True] * len(cells)
            break
        for via in path:
            if not hidden[via]:
                hidden[via] = True
                complementary.add(cells[via])
            a, b = network.ends[via]
            components.union(a, b)
        components.union(tail, head)
    return Protected(
        network=network,
        hidden={c for c, h in zip(cells, hidden, strict=True) if h},
        sensitive=sensitive,
        complementary=complementary,
    )


# --- small dense tables ---------------------------------------------------------------------


def determined(
    unknowns: Sequence[str], equations: Iterable[Mapping[str, int | Fraction]]
) -> set[str]:
    """The unknowns that linear equations over published numbers fix uniquely (exact rational
    elimination; for small tables such as a question's answers). Each equation maps cells to
    coefficients; cells not among ``unknowns`` are published (their terms are constants)."""
    index = {cell: n for n, cell in enumerate(unknowns)}
    rows: list[list[Fraction]] = []
    for equation in equations:
        row = [Fraction(0)] * len(unknowns)
        for cell, coefficient in equation.items():
            if cell in index:
                row[index[cell]] += Fraction(coefficient)
        if any(row):
            rows.append(row)
    pivot_row = 0
    for column in range(len(unknowns)):
        found = next((r for r in range(pivot_row, len(rows)) if rows[r][column] != 0), None)
        if found is None:
            continue
        rows[pivot_row], rows[found] = rows[found], rows[pivot_row]
        pivot = rows[pivot_row][column]
        rows[pivot_row] = [x / pivot for x in rows[pivot_row]]
        for r in range(len(rows)):
            if r != pivot_row and rows[r][column] != 0:
                factor = rows[r][column]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[pivot_row], strict=True)]
        pivot_row += 1
        if pivot_row == len(rows):
            break
    result: set[str] = set()
    for row in rows:
        nonzero = [n for n, x in enumerate(row) if x != 0]
        if len(nonzero) == 1:
            result.add(unknowns[nonzero[0]])
    return result


def suppress_cells(
    counts: Mapping[str, int],
    *,
    k: int,
    equations: Sequence[Mapping[str, int | Fraction]] = (),
) -> set[str]:
    """The cells of a small table to hide: every small count, and then, while one of them can
    be worked out from the published cells through ``equations`` (e.g. "the cells add up to
    the published number of answers"), the smallest published cell of such an equation
    (non-zero first). Returns the hidden cells."""
    check_min_group_size(k)
    small = {cell for cell, value in counts.items() if is_small(value, k)}
    hidden = set(small)
    while True:
        exposed = determined(sorted(hidden), equations) & small
        if not exposed:
            return hidden
        linked = {
            cell
            for equation in equations
            if exposed & set(equation)
            for cell in equation
            if cell in counts and cell not in hidden
        }
        if not linked:  # pragma: no cover - an equation over hidden cells only fixes nothing
            return set(counts)
        hidden.add(min(linked, key=lambda c: (counts[c] == 0, counts[c], c)))


# --- release over time -----------------------------------------------------------------------


def components_of(links: Iterable[Iterable[str]], keys: Iterable[str]) -> list[frozenset[str]]:
    """The groups of keys that are released together: keys joined by any link (an
    indicator's numerator and denominator, a family of linked keys), transitively."""
    all_keys = sorted(set(keys) | {key for link in links for key in link})
    position = {key: n for n, key in enumerate(all_keys)}
    groups = _UnionFind(len(all_keys))
    for link in links:
        members = [position[key] for key in link]
        for other in members[1:]:
            groups.union(members[0], other)
    by_root: dict[int, set[str]] = {}
    for key in all_keys:
        by_root.setdefault(groups.find(position[key]), set()).add(key)
    return sorted((frozenset(v) for v in by_root.values()), key=lambda g: sorted(g))


def small_visible_change(before: int, after: int, k: int) -> bool:
    """A change that two reports would show: both values publishable by size (≥ k) and
    differing by 1..k-1 (a zero, or a small value, is itself published as 0 or hidden)."""
    return before >= k and after >= k and 0 < abs(after - before) < k


def release_series(
    series: Sequence[tuple[str, Mapping[str, int]]],
    components: Sequence[frozenset[str]],
    k: int,
) -> list[dict[frozenset[str], str]]:
    """For each snapshot of one institution (oldest first: (period, values)), the period whose
    numbers each component shows: its own period when released, else the period of the last
    release (the numbers shown then, labelled with that period). A component is released when
    none of its keys changed visibly by less than ``k`` since its last release; the first
    snapshot is always released."""
    check_min_group_size(k)
    result: list[dict[frozenset[str], str]] = []
    last: dict[frozenset[str], tuple[str, Mapping[str, int]]] = {}
    for period, values in series:
        shown: dict[frozenset[str], str] = {}
        for component in components:
            previous = last.get(component)
            held = previous is not None and any(
                key in values
                and key in previous[1]
                and small_visible_change(previous[1][key], values[key], k)
                for key in component
            )
            if held:
                assert previous is not None
                shown[component] = previous[0]
            else:
                last[component] = (period, values)
                shown[component] = period
        result.append(shown)
    return result


# --- shares ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShareCell:
    """A published share or average: ``value``; or a range (``range_low``–``range_high`` %)
    for a share of a small group; or nothing (``suppressed``); ``inconsistent`` when the
    numerator exceeds the denominator (a declared headcount below the counted people: not a
    share that can be published)."""

    value: float | None
    suppressed: bool
    range_low: int | None = None
    range_high: int | None = None
    inconsistent: bool = False

    @property
    def label(self) -> str | None:
        if self.value is not None:
            return f"{self.value:.1f} %"
        if self.range_high is None:
            return None
        return f"{self.range_low or 0}–{self.range_high} %"


def ratio(numerator: int | None, denominator: int | None, *, percent: bool) -> float | None:
    if numerator is None or not denominator:
        return None
    value = numerator / denominator * (100 if percent else 1)
    rounded = round(value, 1 if percent else 2)
    if value > 0 and rounded == 0:  # a small share of a large total is not 0
        rounded = float(f"{value:.2g}")
    return rounded


def share_cell(
    numerator: int | None,
    denominator: int | None,
    *,
    numerator_upper_bound: int | None = None,
    percent: bool = True,
) -> ShareCell:
    """An exact share when both counts are published (and the numerator does not exceed the
    denominator); a range ``0–X %`` when only the denominator is, X the upper bound of the
    hidden numerator given the published numbers, rounded up to a band of 10 points (so the
    range always contains the true share); else nothing."""
    if denominator is None:
        return ShareCell(value=None, suppressed=True)
    if not denominator:
        return ShareCell(value=None, suppressed=False)
    if numerator is not None:
        if percent and numerator > denominator:
            return ShareCell(value=None, suppressed=False, inconsistent=True)
        return ShareCell(value=ratio(numerator, denominator, percent=percent), suppressed=False)
    if not percent or numerator_upper_bound is None:
        return ShareCell(value=None, suppressed=True)
    share = 100 * min(numerator_upper_bound, denominator) / denominator
    high = min(100, max(SHARE_BAND, math.ceil(share / SHARE_BAND) * SHARE_BAND))
    return ShareCell(value=None, suppressed=True, range_low=0, range_high=high)
