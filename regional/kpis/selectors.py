"""Reads of the KPI layer: the employer partner numbers, and the published (anonymised)
dashboard built from the snapshots. Every number leaving this module went through
``publication`` (the rules of ``regional.privacy``, ADR 0005)."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypedDict, TypeVar

from django.contrib.postgres.aggregates import ArrayAgg
from django.core.cache import cache
from django.db.models import Count, IntegerField, Max, OuterRef, QuerySet, Subquery
from django.db.models.fields.json import KT
from django.db.models.functions import Cast

from regional.kpis import metrics as metrics_module
from regional.kpis import publication
from regional.kpis.metrics import PERSON_FREE_KEYS, STAGE_CODES, STAGE_NAMES, STAGES
from regional.kpis.models import AggregationRun, Indicator, InstitutionSnapshot, Period
from regional.kpis.publication import IndicatorSpec, PeriodPublication
from regional.privacy import api as privacy
from regional.privacy.api import REGION, Cell
from tenants.models import Institution


def min_group_size() -> int:
    """The region's k (``regional.privacy``: the single source)."""
    return privacy.min_group_size()


def indicator_list() -> QuerySet[Indicator]:
    return Indicator.objects.filter(is_active=True)


def aggregation_run_list() -> QuerySet[AggregationRun]:
    return AggregationRun.objects.all()


def period_state(period: str) -> Period | None:
    """The reporting period's row (open: a draft each run replaces; closed: final)."""
    return Period.objects.filter(code=period).first()


def snapshot_periods() -> list[str]:
    return sorted(set(InstitutionSnapshot.objects.values_list("period", flat=True)))


def latest_period() -> str | None:
    periods = snapshot_periods()
    return periods[-1] if periods else None


@dataclass
class InstitutionRow:
    id: int
    name: str
    municipality_id: int
    municipality: str


@dataclass
class PublishedPeriod:
    """The published numbers of one period (``publication.PeriodPublication``) with the
    institutions and municipalities that reported, for the pages and the API."""

    period: str
    k: int
    institutions: list[InstitutionRow]
    municipalities: list[tuple[int, str]]
    publication: PeriodPublication

    def indicator(self, indicator: Indicator, cell: Cell) -> dict[str, Any]:
        return self.publication.indicator(indicator_spec(indicator), cell)


def indicator_spec(indicator: Indicator) -> IndicatorSpec:
    return IndicatorSpec(
        code=indicator.code,
        kind=indicator.kind,
        numerator_key=indicator.numerator_key,
        denominator_key=indicator.denominator_key,
        target_value=indicator.target_value,
        higher_is_better=indicator.higher_is_better,
    )


# How long a published history stays in the cache: the key changes with any snapshot written
# or re-recorded, any institution or indicator changed; this only bounds stale names.
PUBLISHED_CACHE_SECONDS = 3600


def _data_state() -> tuple[Any, ...]:
    """What a publication depends on besides k and the indicators (two small queries): the
    snapshots written or re-recorded, the institutions changed."""
    return _data_state_and_periods(periods=False)[0]


def _data_state_and_periods(*, periods: bool = True) -> tuple[tuple[Any, ...], list[str]]:
    """``_data_state`` and, with ``periods``, the periods with snapshots (``snapshot_periods``)
    read by the same statement."""
    extra: dict[str, Any] = (
        {"periods": ArrayAgg("period", distinct=True, order_by="period")} if periods else {}
    )
    snapshots = InstitutionSnapshot.objects.aggregate(
        n=Count("pk"), last=Max("pk"), recorded=Max("recorded_at"), **extra
    )
    changed = Institution.objects.aggregate(at=Max("updated_at"))["at"]
    recorded = snapshots["recorded"]
    state = (
        snapshots["n"],
        snapshots["last"],
        recorded.timestamp() if recorded else 0,
        changed.timestamp() if changed else 0,
    )
    return state, list(snapshots.get("periods") or [])


def _cache_key(
    until: str | None,
    k: int,
    indicators: list[IndicatorSpec],
    state: tuple[Any, ...] | None = None,
) -> str:
    # Every field of the specs: a cell's ``meets_target`` moves with the target too.
    signature = hashlib.sha256(
        repr(
            sorted(
                (
                    i.code,
                    i.kind,
                    i.numerator_key,
                    i.denominator_key,
                    str(i.target_value),
                    i.higher_is_better,
                )
                for i in indicators
            )
        ).encode()
    ).hexdigest()[:16]
    state = _data_state() if state is None else state
    return ":".join(str(part) for part in ("kpis-history", until or "all", k, *state, signature))


def published_history(
    *, until: str | None = None, k: int | None = None
) -> dict[str, PeriodPublication]:
    """Every period's publication up to ``until`` (default: all), oldest first. Cached under a
    key that moves with anything that could change the result (snapshots written or
    re-recorded, institutions, the active indicators, k)."""
    k = privacy.check_min_group_size(k or min_group_size())
    specs = [indicator_spec(i) for i in indicator_list()]
    key = _cache_key(until, k, specs)
    cached = cache.get(key)
    if isinstance(cached, dict):
        return cached
    snapshots: dict[int, list[tuple[str, dict[str, int]]]] = defaultdict(list)
    queryset = InstitutionSnapshot.objects.order_by("period", "institution_id")
    if until is not None:
        queryset = queryset.filter(period__lte=until)
    for institution_id, period, values in queryset.values_list(
        "institution_id", "period", "values"
    ):
        snapshots[institution_id].append((period, values))
    municipality_of = dict(
        Institution.objects.filter(pk__in=snapshots).values_list("pk", "municipality_id")
    )
    history = publication.publish_history(
        snapshots=snapshots,
        municipality_of=municipality_of,
        indicators=specs,
        families=metrics_module.FAMILIES,
        person_free=PERSON_FREE_KEYS,
        k=k,
        until=until,
    )
    cache.set(key, history, PUBLISHED_CACHE_SECONDS)
    return history


def _empty_publication(period: str, k: int) -> PeriodPublication:
    return PeriodPublication(
        period=period,
        k=k,
        institutions=frozenset(),
        municipality_of={},
        person_free=frozenset(PERSON_FREE_KEYS),
    )


def published_period(period: str, *, k: int | None = None) -> PublishedPeriod:
    """The period's published numbers (``publication``: release, audit, cells)."""
    history = published_history(until=period, k=k)
    data = history.get(period)
    if data is None:  # no snapshot for the period: an empty publication
        data = _empty_publication(period, privacy.check_min_group_size(k or min_group_size()))
    institutions = [
        InstitutionRow(
            id=i.pk,
            name=i.short_name or i.name,
            municipality_id=i.municipality_id,
            municipality=i.municipality.name,
        )
        for i in Institution.objects.filter(pk__in=data.institutions)
        .select_related("municipality")
        .order_by("municipality__name", "short_name", "pk")
    ]
    municipalities = sorted(
        {(row.municipality_id, row.municipality) for row in institutions},
        key=lambda m: (m[1], m[0]),
    )
    return PublishedPeriod(
        period=period,
        k=data.k,
        institutions=institutions,
        municipalities=municipalities,
        publication=data,
    )


# --- the dashboard's pieces, precomputed once per state of the data ---------------------------
#
# A region of 2,000 institutions publishes tens of thousands of cells per period; a page shows
# a few hundred of them. Each piece a page reads (the region's and the municipalities' cells,
# a page of the institutions table, a series, the laggards) is computed once per state of the
# data (``published_state``: the snapshots, the institutions, the indicators, k) and cached on
# its own, so that a request loads what it shows and not the region's whole history.


def published_state(k: int | None = None) -> str:
    """The signature of everything a publication depends on (two small queries): a cache key
    prefix that changes with any snapshot written or re-recorded, any institution or active
    indicator changed, and k."""
    k = privacy.check_min_group_size(k or min_group_size())
    return _cache_key(None, k, [indicator_spec(i) for i in indicator_list()])


@dataclass(frozen=True)
class PublishedView:
    """What a page of published numbers reads first, once per request: the periods with
    snapshots, k, the active indicators and ``state`` (``published_state``: the prefix of the
    cached pieces' keys). The dashboard read the indicators five times and k four times."""

    periods: list[str]
    k: int
    indicators: list[Indicator]
    state: str


def published_view() -> PublishedView:
    """``PublishedView`` in four statements (k, the indicators, the snapshots' state with
    their periods, the institutions' last change)."""
    k = privacy.check_min_group_size(min_group_size())
    indicators = list(indicator_list())
    data_state, periods = _data_state_and_periods()
    state = _cache_key(None, k, [indicator_spec(i) for i in indicators], data_state)
    return PublishedView(periods=periods, k=k, indicators=indicators, state=state)


_T = TypeVar("_T")


def _cached(key: str, compute: Callable[[], _T]) -> _T:
    value: _T | None = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, PUBLISHED_CACHE_SECONDS)
    return value


@dataclass
class PublishedSummary:
    """A period's publication as the dashboard reads it: the institutions and municipalities
    that reported, and the published cells of the region and of every municipality for every
    active indicator (those of an institution: ``published_institution_cells``). A cell it does
    not hold (a municipality without a report) is read from the whole publication."""

    period: str
    k: int
    institutions: list[InstitutionRow]
    municipalities: list[tuple[int, str]]
    cells: dict[Cell, dict[str, dict[str, Any]]]

    def indicator(self, indicator: Indicator, cell: Cell) -> dict[str, Any]:
        held = self.cells.get(cell, {}).get(indicator.code)
        if held is not None:
            return held
        return published_period(self.period, k=self.k).indicator(indicator, cell)


def published_summary(
    period: str, *, k: int | None = None, state: str | None = None
) -> PublishedSummary:
    """``PublishedSummary`` of the period, cached per ``published_state``."""
    k = privacy.check_min_group_size(k or min_group_size())
    state = state or published_state(k)

    def compute() -> PublishedSummary:
        data = published_period(period, k=k)
        indicators = list(indicator_list())
        scopes: list[Cell] = [REGION, *(("m", m_id) for m_id, _name in data.municipalities)]
        return PublishedSummary(
            period=period,
            k=data.k,
            institutions=data.institutions,
            municipalities=data.municipalities,
            cells={
                scope: {i.code: data.indicator(i, scope) for i in indicators} for scope in scopes
            },
        )

    return _cached(f"{state}:summary:{period}", compute)


# What the dashboard's tables read a period's cells from: the whole publication (the XLSX
# downloads) or the summary (the page).
Published = PublishedPeriod | PublishedSummary


def published_institution_cells(
    period: str,
    *,
    institution_ids: list[int],
    indicators: list[Indicator],
    k: int | None = None,
    state: str | None = None,
) -> dict[int, dict[str, dict[str, Any]]]:
    """The published cells of these institutions for these indicators (institution id →
    indicator code → the cell of ``indicator_cell``), cached per ``published_state``: a page of
    the institutions table."""
    k = privacy.check_min_group_size(k or min_group_size())
    state = state or published_state(k)
    codes = [i.code for i in indicators]
    digest = hashlib.sha256(repr((institution_ids, codes)).encode()).hexdigest()[:16]

    def compute() -> dict[int, dict[str, dict[str, Any]]]:
        data = published_period(period, k=k)
        return {
            pk: {i.code: data.indicator(i, ("i", pk)) for i in indicators} for pk in institution_ids
        }

    return _cached(f"{state}:icells:{period}:{digest}", compute)


# --- indicator cells ------------------------------------------------------------------------


def indicator_cell(
    indicator: Indicator, data: PublishedPeriod | PublishedSummary, cell: Cell
) -> dict[str, Any]:
    """The published value of one indicator for one cell (institution, municipality, region):
    ``value`` (None when suppressed or without data), ``suppressed``, ``range`` (a share of a
    small group), ``inconsistent``, the published numerator and denominator, ``as_of`` (the
    earlier period an institution's held numbers are from) and whether it meets the target."""
    return data.indicator(indicator, cell)


def meets_target(indicator: Indicator, value: float | int | None) -> bool | None:
    return publication.meets_target(indicator_spec(indicator), value)


def indicator_info(indicator: Indicator) -> dict[str, Any]:
    return {
        "code": indicator.code,
        "name": indicator.name,
        "group": indicator.group,
        "kind": indicator.kind,
        "definition": indicator.definition,
        "target_value": indicator.target_value,
        "target_year": indicator.target_year,
    }


def dashboard_summary(period: str) -> dict[str, Any]:
    """Region and municipality totals against targets."""
    data = published_period(period)
    indicators = []
    for indicator in indicator_list():
        indicators.append(
            {
                **indicator_info(indicator),
                "region": indicator_cell(indicator, data, REGION),
                "municipalities": [
                    {
                        "id": m_id,
                        "name": name,
                        **indicator_cell(indicator, data, ("m", m_id)),
                    }
                    for m_id, name in data.municipalities
                ],
            }
        )
    return {
        "period": period,
        "min_group_size": data.k,
        "institutions": len(data.institutions),
        "indicators": indicators,
    }


def dashboard_institutions(period: str) -> dict[str, Any]:
    """The per-institution table: one row per institution, one cell per indicator."""
    data = published_period(period)
    indicators = list(indicator_list())
    rows = [
        {
            "id": row.id,
            "name": row.name,
            "municipality_id": row.municipality_id,
            "municipality": row.municipality,
            "cells": {i.code: indicator_cell(i, data, ("i", row.id)) for i in indicators},
        }
        for row in data.institutions
    ]
    return {
        "period": period,
        "min_group_size": data.k,
        "indicators": [indicator_info(i) for i in indicators],
        "institutions": rows,
    }


class LaggingInstitution(TypedDict):
    id: int  # tenants.Institution id (public schema)
    name: str  # the institution's short name (or name)
    municipality_id: int
    municipality: str
    overdue_activities: int  # open roadmap activities of the stage past their deadline


class StageLagging(TypedDict):
    stage: int  # 1..6
    code: str  # "preparation", "mentee_base", "mentor_base", "matching", "work", "completion"
    name: str  # the stage's name in the active language
    institutions_reporting: int  # institutions with stage data in the period's snapshots
    expected: int  # of those, institutions for which the stage is due on the period's day
    completed: int  # of those, institutions that completed the stage (due or not)
    lagging: list[LaggingInstitution]  # due and not completed; by municipality, name, id


def lagging_institutions(*, period: str, state: str | None = None) -> list[StageLagging]:
    """Institutions behind the expected stage on the period's day, per stage.

    ``period`` is ``YYYY-MM`` or ``YYYY-MM-DD`` (the snapshots' period; ValueError otherwise).
    Returns six entries, stages 1 to 6 in order, even when no institution reports (then
    ``institutions_reporting`` is 0 and ``lagging`` empty)::

        [{"stage": 1, "code": "preparation", "name": "Preparing the conditions",
          "institutions_reporting": 12, "expected": 12, "completed": 9,
          "lagging": [{"id": 7, "name": "School No. 1", "municipality_id": 2,
                       "municipality": "Stavropol", "overdue_activities": 3}, ...]}, ...]

    An institution is *expected* to have completed a stage once every roadmap deadline of the
    stage (cancelled activities aside) lies before the period's day, and *lags* on it while the
    stage is expected and not marked done. Read from the period's snapshots (keys
    ``stage_<n>_done``, ``stage_<n>_due``, ``stage_<n>_overdue_activities``); institutions
    without a programme for the period's academic year, or without a snapshot for the period,
    report no stage data. Numbers and institution names only: stage flags and activity counts
    count no people, so nothing here needs suppression."""
    metrics_module.period_date(period)
    rows: list[StageLagging] = _cached(
        f"{state or published_state()}:lagging:{period}", lambda: _lagging(period)
    )
    return [StageLagging(**{**row, "name": str(STAGE_NAMES[row["stage"]])}) for row in rows]


def _lagging(period: str) -> list[StageLagging]:
    snapshots = dict(
        InstitutionSnapshot.objects.filter(period=period).values_list("institution_id", "values")
    )
    institutions = {
        i.pk: i for i in Institution.objects.filter(pk__in=snapshots).select_related("municipality")
    }

    def sort_key(row: LaggingInstitution) -> tuple[str, str, int]:
        return (row["municipality"], row["name"], row["id"])

    result: list[StageLagging] = []
    for n in STAGES:
        done_key, due_key = f"stage_{n}_done", f"stage_{n}_due"
        reporting = {
            i: values
            for i, values in snapshots.items()
            if done_key in values and due_key in values and i in institutions
        }
        lagging: list[LaggingInstitution] = []
        for i, values in reporting.items():
            if values[due_key] and not values[done_key]:
                institution = institutions[i]
                lagging.append(
                    LaggingInstitution(
                        id=i,
                        name=institution.short_name or institution.name,
                        municipality_id=institution.municipality_id,
                        municipality=institution.municipality.name,
                        overdue_activities=int(values.get(f"stage_{n}_overdue_activities", 0)),
                    )
                )
        result.append(
            StageLagging(
                stage=n,
                code=STAGE_CODES[n],
                name=str(STAGE_NAMES[n]),
                institutions_reporting=len(reporting),
                expected=sum(1 for values in reporting.values() if values[due_key]),
                completed=sum(1 for values in reporting.values() if values[done_key]),
                lagging=sorted(lagging, key=sort_key),
            )
        )
    return result


def dashboard_lagging(period: str) -> dict[str, Any]:
    """Institutions lagging on each stage (``lagging_institutions``), for the dashboard API."""
    stages = lagging_institutions(period=period)
    return {
        "period": period,
        "available": any(stage["institutions_reporting"] for stage in stages),
        "stages": stages,
    }


# --- time series ------------------------------------------------------------------------------


def indicator_series(
    *,
    indicator: Indicator,
    municipality_id: int | None = None,
    k: int | None = None,
    state: str | None = None,
) -> list[dict[str, Any]]:
    """The indicator across every period with snapshots, for the region or one municipality,
    as published: for each period the same cell as ``indicator_cell`` of
    ``published_period(period)`` (one history, computed once and cached)."""
    k = privacy.check_min_group_size(k or min_group_size())
    spec = indicator_spec(indicator)
    cell: Cell = REGION if municipality_id is None else ("m", municipality_id)

    def compute() -> list[dict[str, Any]]:
        history = published_history(k=k)
        return [
            {"period": period, **data.indicator(spec, cell)} for period, data in history.items()
        ]

    state = state or published_state(k)
    return _cached(f"{state}:series:{spec.code}:{municipality_id}", compute)


STAGES_TOTAL = len(STAGES)


def with_stages_done(institutions: QuerySet[Institution]) -> QuerySet[Institution]:
    """``institutions`` annotated with ``stages_done``: the roadmap stages completed as of the
    institution's latest snapshot (None before its first). A process fact, not a count of
    people: published as it is, like the laggards."""
    latest = (
        InstitutionSnapshot.objects.filter(institution=OuterRef("pk"))
        .order_by("-period")
        .annotate(done=Cast(KT("values__stages_done"), IntegerField()))
        .values("done")[:1]
    )
    return institutions.annotate(stages_done=Subquery(latest))


def institution_stages(*, institution_id: int) -> dict[str, Any] | None:
    """The roadmap stages of the institution as its latest snapshot recorded them: per stage
    done, due (its deadlines passed) and its overdue activities; None before its first."""
    snapshot = (
        InstitutionSnapshot.objects.filter(institution_id=institution_id)
        .order_by("-period")
        .only("period", "values")
        .first()
    )
    if snapshot is None or "stages_total" not in snapshot.values:
        return None
    values = snapshot.values
    return {
        "period": snapshot.period,
        "done": values.get("stages_done", 0),
        "total": values.get("stages_total", STAGES_TOTAL),
        "stages": [
            {
                "n": n,
                "name": str(STAGE_NAMES[n]),
                "done": bool(values.get(f"stage_{n}_done")),
                "due": bool(values.get(f"stage_{n}_due")),
                "overdue_activities": values.get(f"stage_{n}_overdue_activities", 0),
            }
            for n in STAGES
        ],
    }


def institution_history(*, institution_id: int, periods: int = 12) -> dict[str, Any]:
    """The federal indicators of one institution as published, period by period (the latest
    ``periods``): the same cells the dashboard shows (hidden, a range, or held with the
    period they are from). The rows are cached on their own, under the keys of the periods'
    publications (which move with the snapshots, the institutions, the indicators and k) and
    the indicators shown: the page unpickled the whole region's publication of every period
    (four histories: half of its time) to read one institution's cells."""
    active = list(indicator_list())
    indicators = [i for i in active if i.group == "federal"] or active
    reported = list(
        InstitutionSnapshot.objects.filter(institution_id=institution_id)
        .order_by("-period")
        .values_list("period", flat=True)[:periods]
    )
    chosen = list(reversed(reported))
    if not chosen:
        return {"indicators": indicators, "rows": []}
    k = privacy.check_min_group_size(min_group_size())
    specs = [indicator_spec(i) for i in active]
    state = _data_state()
    keys = {period: _cache_key(period, k, specs, state) for period in chosen}
    shown = [indicator_spec(i) for i in indicators]
    own_key = (
        "kpis-institution-history:"
        + hashlib.sha256(repr((institution_id, list(keys.values()), shown)).encode()).hexdigest()
    )
    rows = cache.get(own_key)
    if not isinstance(rows, list):
        cell = ("i", institution_id)
        rows = [
            {"period": period, "cells": [data.indicator(spec, cell) for spec in shown]}
            for period, data in _period_publications(keys, k).items()
        ]
        cache.set(own_key, rows, PUBLISHED_CACHE_SECONDS)
    return {"indicators": indicators, "rows": rows}


def _period_publications(keys: dict[str, str], k: int) -> dict[str, PeriodPublication]:
    """Each period's publication as ``published_period(period).publication`` is, read with
    the state of the data, k and the indicators looked up once (``keys``: each period's cache
    key) and the cached histories fetched in one go (one institution's page showed 12 periods
    at 6 queries each)."""
    cached = cache.get_many(list(keys.values()))
    found: dict[str, PeriodPublication] = {}
    for period, key in keys.items():
        history = cached.get(key)
        if not isinstance(history, dict):
            history = published_history(until=period, k=k)
        found[period] = history.get(period) or _empty_publication(period, k)
    return found


def _attainment(indicator: Indicator, value: float) -> float:
    """How far a published value is towards the indicator's target, from 0 to 1."""
    target = float(indicator.target_value or 0)
    if indicator.higher_is_better:
        return 1.0 if target <= 0 else max(0.0, min(value / target, 1.0))
    if value <= target:
        return 1.0
    return max(0.0, min(target / value, 1.0)) if value > 0 else 1.0


def _rated(indicators: list[Indicator], cells: list[dict[str, Any]]) -> dict[str, Any]:
    scores = [
        _attainment(indicator, float(cell["value"]))
        for indicator, cell in zip(indicators, cells, strict=True)
        if cell.get("value") is not None
    ]
    return {
        "cells": cells,
        "counted": len(scores),
        "score": round(100 * sum(scores) / len(scores), 1) if scores else None,
    }


def rating(period: str, *, view: PublishedView | None = None) -> dict[str, Any]:
    """Institutions and municipalities ranked by the federal indicators that have a target:
    each published value's attainment of its target (value ÷ target, at most 1; the other way
    round for an indicator where lower is better), averaged over the indicators published for
    it; hidden values are left out (and the number counted shown), so the rating never rests
    on a number the region does not publish. Highest score first; unrated rows last.

    Cached under the publication's state (``view``: read once by the page) and the rated
    indicators with their targets: the whole region, numbers and institution names only;
    the page narrows it to the user's scope after."""
    view = view or published_view()
    indicators = [i for i in view.indicators if i.group == "federal" and i.target_value is not None]
    rated = repr([(i.code, i.kind, str(i.target_value), i.higher_is_better) for i in indicators])
    digest = hashlib.sha256(rated.encode()).hexdigest()[:16]
    return _cached(
        f"{view.state}:rating:{period}:{digest}",
        lambda: _rating(period, k=view.k, indicators=indicators),
    )


def _rating(period: str, *, k: int, indicators: list[Indicator]) -> dict[str, Any]:
    data = published_period(period, k=k)

    def ranked(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        rows.sort(key=lambda r: (r["score"] is None, -(r["score"] or 0), r["name"]))
        place = 0
        for row in rows:
            if row["score"] is not None:
                place += 1
                row["place"] = place
            else:
                row["place"] = None
        return rows

    institutions = ranked(
        [
            {
                "id": row.id,
                "name": row.name,
                "municipality_id": row.municipality_id,
                "municipality": row.municipality,
                **_rated(indicators, [indicator_cell(i, data, ("i", row.id)) for i in indicators]),
            }
            for row in data.institutions
        ]
    )
    municipalities = ranked(
        [
            {
                "id": m_id,
                "name": name,
                **_rated(indicators, [indicator_cell(i, data, ("m", m_id)) for i in indicators]),
            }
            for m_id, name in data.municipalities
        ]
    )
    return {
        "period": period,
        "indicators": indicators,
        "institutions": institutions,
        "municipalities": municipalities,
    }
