"""What the region publishes of its institutions' snapshots, period by period. Pure: plain
data in (the snapshots, the municipalities, the indicators), plain data out; the rules
themselves are ``regional.privacy``'s (ADR 0005).

For each period, in order:

1. **Release.** Each institution's keys form groups that are published together: the
   numerator and denominator of every indicator, and each family of linked keys (a total and
   its parts). Along the institution's snapshots a group is *released* (shows the period's own
   numbers) unless one of its keys moved by ``1..k-1`` between two visible values since its
   last release; then it keeps showing the numbers of its last release, labelled with that
   period (``as_of``), exactly as they were published then (hidden cells stay hidden).
2. **Audit.** For each family of keys that an indicator publishes, the period's true numbers
   of every institution that reported form a network (``privacy.Network``): institutions,
   municipality totals and the region total, with the family's identity in every cell. Small
   counts and withheld numbers are sensitive; the audit hides them
   and the cheapest published cells that keep each of them underivable
   (``privacy.protect``). Totals are always the period's true totals (or hidden).
3. **Cells.** A count shows its true value (of its period, or of ``as_of``) or "hidden"; a
   share both counts of one period, or a range ``0–X %`` from published numbers only, or
   nothing; never above 100 %.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from regional.privacy import api as privacy

Cell = privacy.Cell
REGION = privacy.REGION


@dataclass(frozen=True)
class IndicatorSpec:
    """What publication needs of an indicator (``models.Indicator`` as plain data)."""

    code: str
    kind: str  # "share", "count" or "average"
    numerator_key: str
    denominator_key: str = ""
    target_value: Decimal | None = None
    higher_is_better: bool = True

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(key for key in (self.numerator_key, self.denominator_key) if key)


@dataclass
class PeriodPublication:
    """The published numbers of one period (see the module's docstring)."""

    period: str
    k: int
    institutions: frozenset[int]
    municipality_of: Mapping[int, int]
    person_free: frozenset[str]
    protected: dict[str, privacy.Protected] = field(default_factory=dict)
    raw_free: dict[privacy.KeyCell, int] = field(default_factory=dict)
    # institution id → key → the period whose numbers the key's group shows
    shown_period: dict[int, dict[str, str]] = field(default_factory=dict)
    history: dict[str, PeriodPublication] = field(default_factory=dict, repr=False)

    def _as_of(self, key: str, cell: Cell) -> str | None:
        if cell[0] != "i":
            return None
        shown = self.shown_period.get(cell[1], {}).get(key, self.period)
        return None if shown == self.period else shown

    def count(self, key: str, cell: Cell) -> dict[str, Any]:
        """``{"value", "suppressed", "as_of"}``: the published count (None when hidden or when
        the cell has no data, ``suppressed`` telling which), and the earlier period it is from
        when the institution shows held numbers."""
        as_of = self._as_of(key, cell) if key not in self.person_free else None
        if as_of is not None:
            return {**self.history[as_of].count(key, cell), "as_of": as_of}
        if key in self.person_free:
            value = self.raw_free.get((key, cell))
            return {"value": value, "suppressed": False, "as_of": None}
        protected = self.protected.get(key)
        if protected is None or not protected.has((key, cell)):
            return {"value": None, "suppressed": False, "as_of": None}
        value = protected.value((key, cell))
        return {"value": value, "suppressed": value is None, "as_of": None}

    def upper_bound(self, key: str, cell: Cell) -> int | None:
        if key in self.person_free:
            return self.raw_free.get((key, cell))
        protected = self.protected.get(key)
        return None if protected is None else protected.upper_bound((key, cell))

    def has(self, key: str, cell: Cell) -> bool:
        if key in self.person_free:
            return (key, cell) in self.raw_free
        protected = self.protected.get(key)
        return protected is not None and protected.has((key, cell))

    def indicator(self, spec: IndicatorSpec, cell: Cell) -> dict[str, Any]:
        """The published value of one indicator in one cell: ``value`` (None when hidden or
        without data), ``suppressed``, ``range`` (a share of a small group), ``inconsistent``
        (the numerator exceeds the denominator), the published ``numerator`` and
        ``denominator`` counts, ``as_of`` (the earlier period of held numbers, else None) and
        whether the value ``meets_target``."""
        as_of = self._as_of(spec.numerator_key, cell)
        if as_of is not None and spec.numerator_key not in self.person_free:
            return {**self.history[as_of].indicator(spec, cell), "as_of": as_of}
        numerator = self.count(spec.numerator_key, cell)
        result: dict[str, Any] = {
            "numerator": numerator,
            "denominator": None,
            "range": None,
            "inconsistent": False,
            "as_of": None,
        }
        if spec.kind == "count":
            result.update(value=numerator["value"], suppressed=numerator["suppressed"])
        else:
            denominator = self.count(spec.denominator_key, cell)
            result["denominator"] = denominator
            if not self.has(spec.numerator_key, cell) or not self.has(spec.denominator_key, cell):
                share = privacy.ShareCell(value=None, suppressed=False)
            elif denominator["suppressed"]:
                share = privacy.ShareCell(value=None, suppressed=True)
            else:
                share = privacy.share_cell(
                    numerator["value"],
                    denominator["value"],
                    numerator_upper_bound=self.upper_bound(spec.numerator_key, cell),
                    percent=spec.kind == "share",
                )
            result.update(
                value=share.value,
                suppressed=share.suppressed,
                range=share.label if share.value is None else None,
                inconsistent=share.inconsistent,
            )
        result["meets_target"] = meets_target(spec, result["value"])
        return result


def meets_target(spec: IndicatorSpec, value: float | int | None) -> bool | None:
    if value is None or spec.target_value is None:
        return None
    target = Decimal(spec.target_value)
    actual = Decimal(str(value))
    return actual >= target if spec.higher_is_better else actual <= target


def families_for(keys: Iterable[str], declared: Sequence[privacy.Family]) -> list[privacy.Family]:
    """The families to audit for ``keys``: each declared family that holds one of them, and
    every other key alone."""
    wanted = set(keys)
    families = [f for f in declared if wanted & set(f.keys)]
    covered = {key for f in families for key in f.keys}
    return families + [privacy.Family(parts=(key,)) for key in sorted(wanted - covered)]


def publish_history(
    *,
    snapshots: Mapping[int, Sequence[tuple[str, Mapping[str, int]]]],
    municipality_of: Mapping[int, int],
    indicators: Sequence[IndicatorSpec],
    families: Sequence[privacy.Family],
    person_free: Iterable[str],
    k: int,
    until: str | None = None,
) -> dict[str, PeriodPublication]:
    """Every period's publication, oldest first, up to ``until`` (inclusive; default: all).

    ``snapshots``: institution id → [(period, values)] oldest first. Institutions without a
    municipality in ``municipality_of`` are left out."""
    privacy.check_min_group_size(k)
    free = frozenset(person_free)
    published_keys = {key for spec in indicators for key in spec.keys} - free
    audited = families_for(published_keys, families)
    audited_keys = {key for family in audited for key in family.keys}
    links: list[Iterable[str]] = [
        [key for key in spec.keys if key not in free] for spec in indicators
    ]
    links += [family.keys for family in audited]
    components = privacy.components_of([link for link in links if link], audited_keys)
    component_of = {key: c for c in components for key in c}

    series = {
        i: [(p, v) for p, v in rows if until is None or p <= until]
        for i, rows in snapshots.items()
        if i in municipality_of
    }
    by_period: dict[str, dict[int, tuple[Mapping[str, int], dict[frozenset[str], str]]]] = {}
    reported = {i: dict(rows) for i, rows in series.items()}
    for institution, rows in series.items():
        releases = privacy.release_series(rows, components, k)
        for (period, row), shown in zip(rows, releases, strict=True):
            by_period.setdefault(period, {})[institution] = (row, shown)

    history: dict[str, PeriodPublication] = {}
    for period in sorted(by_period):
        rows_of = by_period[period]
        values = {i: row[0] for i, row in rows_of.items()}
        shown_period = {
            i: {key: shown[component_of[key]] for key in audited_keys if key in component_of}
            for i, (_v, shown) in rows_of.items()
        }
        # The current numbers of a held group that moved visibly by less than k since the
        # numbers it shows: the period's totals must not give them away (the others moved by
        # 0 or by k or more, which the rule lets a reader see).
        withheld = {
            (key, ("i", i))
            for i, keys in shown_period.items()
            for key, shown in keys.items()
            if shown != period
            and key in values[i]
            and key in reported[i][shown]
            and privacy.small_visible_change(reported[i][shown][key], values[i][key], k)
        }
        publication = PeriodPublication(
            period=period,
            k=k,
            institutions=frozenset(values),
            municipality_of=municipality_of,
            person_free=free,
            shown_period=shown_period,
            history=history,
        )
        for family in audited:
            network = privacy.Network(family, values, municipality_of)
            protected = privacy.protect(
                network,
                k=k,
                published=[cell for cell in network.cells if cell[0] in published_keys],
                withheld=withheld,
            )
            for key in family.keys:
                publication.protected[key] = protected
        for i, own in values.items():
            for key, value in own.items():
                if key in free:
                    for cell in (("i", i), ("m", municipality_of[i]), REGION):
                        publication.raw_free[(key, cell)] = (
                            publication.raw_free.get((key, cell), 0) + value
                        )
        history[period] = publication
    return history
