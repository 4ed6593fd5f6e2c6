"""Reads of the KPI layer: the employer partner numbers, and the published (anonymised)
dashboard built from the snapshots. Every number leaving this module went through
``anonymise``: counts via suppression, shares via ``share_cell``."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypedDict

from django.core.cache import cache
from django.db.models import Count, Max, QuerySet

from regional.kpis import anonymise
from regional.kpis import metrics as metrics_module
from regional.kpis.anonymise import Published, ShareCell, Table
from regional.kpis.metrics import PERSON_FREE_KEYS, STAGE_CODES, STAGE_NAMES, STAGES
from regional.kpis.models import (
    AggregationRun,
    Indicator,
    IndicatorKind,
    InstitutionSnapshot,
    RegionSettings,
)
from tenants.models import Institution


def employer_partner_metrics(*, institution_id: int) -> dict[str, int]:
    """The employer numbers of one institution, read through ``regional.employers.api``:
    ``employers_partnered`` and ``employers_supplying`` (the employer KPI read the second way:
    the share of institution–employer partnerships that supply mentors) and
    ``employer_mentors_placed``."""
    from regional.employers import api as employers

    return employers.partner_counts(institution_id=institution_id)


def min_group_size() -> int:
    row = RegionSettings.objects.filter(pk=1).first()
    return row.min_group_size if row else anonymise.DEFAULT_MIN_GROUP_SIZE


def indicator_list() -> QuerySet[Indicator]:
    return Indicator.objects.filter(is_active=True)


def aggregation_run_list() -> QuerySet[AggregationRun]:
    return AggregationRun.objects.all()


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
    """The anonymised numbers of one period: for each metric key, the suppressed table."""

    period: str
    k: int
    institutions: list[InstitutionRow]
    municipalities: list[tuple[int, str]]
    tables: dict[str, Published] = field(default_factory=dict)
    effective: dict[int, dict[str, int]] = field(default_factory=dict)

    def table(self, key: str) -> Published | None:
        return self.tables.get(key)


# How long a published period stays in the cache: its snapshots are immutable and the key
# changes with any new one; this only bounds how long a renamed municipality shows its old name.
PUBLISHED_CACHE_SECONDS = 3600


def published_period(period: str, *, k: int | None = None) -> PublishedPeriod:
    """The period's numbers after rule 4 (held small changes along the snapshots up to the
    period) and rules 1–2 (suppression), for every metric key present. Cached: snapshots are
    immutable rows, so the key (the period, k, the count and last id of the snapshots up to the
    period, the institutions' last change) moves with anything that could change the result."""
    k = anonymise.check_min_group_size(k or min_group_size())
    snapshots = InstitutionSnapshot.objects.filter(period__lte=period).aggregate(
        n=Count("pk"), last=Max("pk")
    )
    changed = Institution.objects.aggregate(at=Max("updated_at"))["at"]
    key = ":".join(
        str(part)
        for part in (
            "kpis-published",
            period,
            k,
            snapshots["n"],
            snapshots["last"],
            changed.timestamp() if changed else 0,
        )
    )
    cached = cache.get(key)
    if isinstance(cached, PublishedPeriod):
        return cached
    data = _published_period(period, k=k)
    cache.set(key, data, PUBLISHED_CACHE_SECONDS)
    return data


def _published_period(period: str, *, k: int) -> PublishedPeriod:
    series: dict[int, list[tuple[str, dict[str, int]]]] = defaultdict(list)
    for institution_id, snapshot_period, values in (
        InstitutionSnapshot.objects.filter(period__lte=period)
        .order_by("period", "institution_id")
        .values_list("institution_id", "period", "values")
    ):
        series[institution_id].append((snapshot_period, values))
    effective: dict[int, dict[str, int]] = {}
    for institution_id, rows in series.items():
        if rows[-1][0] != period:
            continue  # no snapshot of this institution for the period
        people = [{key: n for key, n in v.items() if key not in PERSON_FREE_KEYS} for _p, v in rows]
        held = anonymise.effective_series(people, k)[-1]
        effective[institution_id] = {**rows[-1][1], **held}
    institutions = [
        InstitutionRow(
            id=i.pk,
            name=i.short_name or i.name,
            municipality_id=i.municipality_id,
            municipality=i.municipality.name,
        )
        for i in Institution.objects.filter(pk__in=effective)
        .select_related("municipality")
        .order_by("municipality__name", "short_name", "pk")
    ]
    municipality_of = {row.id: row.municipality_id for row in institutions}
    municipalities = sorted(
        {(row.municipality_id, row.municipality) for row in institutions},
        key=lambda m: (m[1], m[0]),
    )
    keys = sorted({key for values in effective.values() for key in values})
    tables: dict[str, Published] = {}
    for key in keys:
        values = {i: v[key] for i, v in effective.items() if key in v}
        table = Table(values=values, municipality_of={i: municipality_of[i] for i in values})
        if key in PERSON_FREE_KEYS:
            tables[key] = Published(table=table, k=k, raw=table.cells())
        else:
            tables[key] = anonymise.suppress(table, k)
    return PublishedPeriod(
        period=period,
        k=k,
        institutions=institutions,
        municipalities=municipalities,
        tables=tables,
        effective=effective,
    )


# --- indicator cells ------------------------------------------------------------------------


def count_cell(published: Published | None, cell: anonymise.Cell) -> dict[str, Any]:
    if published is None or cell not in published.raw:
        return {"value": None, "suppressed": False}
    value = published.value(cell)
    return {"value": value, "suppressed": value is None}


def indicator_cell(
    indicator: Indicator, data: PublishedPeriod, cell: anonymise.Cell
) -> dict[str, Any]:
    """The published value of one indicator for one cell (institution, municipality, region):
    ``value`` (None when suppressed or without data), ``suppressed``, ``range`` (a share of a
    small group), the published numerator and denominator, and whether it meets the target."""
    numerator_table = data.table(indicator.numerator_key)
    numerator = count_cell(numerator_table, cell)
    result: dict[str, Any] = {"numerator": numerator, "denominator": None, "range": None}
    if indicator.kind == IndicatorKind.COUNT:
        result.update(value=numerator["value"], suppressed=numerator["suppressed"])
    else:
        denominator_table = data.table(indicator.denominator_key)
        denominator = count_cell(denominator_table, cell)
        result["denominator"] = denominator
        if numerator_table is None or denominator_table is None or cell not in numerator_table.raw:
            share = ShareCell(value=None, suppressed=False)
        elif denominator["suppressed"]:
            share = ShareCell(value=None, suppressed=True)
        else:
            share = anonymise.share_cell(
                numerator["value"],
                denominator["value"],
                numerator_upper_bound=numerator_table.upper_bound(cell),
                percent=indicator.kind == IndicatorKind.SHARE,
            )
        result.update(value=share.value, suppressed=share.suppressed, range=share.label)
    result["meets_target"] = meets_target(indicator, result["value"])
    return result


def meets_target(indicator: Indicator, value: float | int | None) -> bool | None:
    if value is None or indicator.target_value is None:
        return None
    target = Decimal(indicator.target_value)
    return (
        Decimal(str(value)) >= target
        if indicator.higher_is_better
        else Decimal(str(value)) <= target
    )


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
                "region": indicator_cell(indicator, data, anonymise.REGION),
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


def lagging_institutions(*, period: str) -> list[StageLagging]:
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


# --- time series in one pass (the dashboard pages) -------------------------------------------


def indicator_series(
    *, indicator: Indicator, municipality_id: int | None = None, k: int | None = None
) -> list[dict[str, Any]]:
    """The indicator across every period with snapshots, for the region or one municipality,
    as published: the same points as ``indicator_cell`` of ``published_period(period)`` for
    each period (the tests hold them equal), computed in one pass: the snapshots are read
    once, rule 4 runs once along each institution's snapshots, and only the indicator's own
    keys are suppressed for each period (tables of different keys are independent, and so is
    rule 4 per key). Publishing every period with every key takes tens of seconds with
    hundreds of institutions and a year of periods."""
    k = anonymise.check_min_group_size(k or min_group_size())
    keys = {indicator.numerator_key, indicator.denominator_key} - {""}
    series: dict[int, list[tuple[str, dict[str, int]]]] = defaultdict(list)
    for institution_id, period, values in InstitutionSnapshot.objects.order_by(
        "period", "institution_id"
    ).values_list("institution_id", "period", "values"):
        series[institution_id].append((period, {key: values[key] for key in keys & set(values)}))
    by_period: dict[str, dict[int, dict[str, int]]] = defaultdict(dict)
    for institution_id, rows in series.items():
        people = [{key: n for key, n in v.items() if key not in PERSON_FREE_KEYS} for _p, v in rows]
        for (period, values), held in zip(rows, anonymise.effective_series(people, k), strict=True):
            by_period[period][institution_id] = {**values, **held}
    municipality_of = dict(
        Institution.objects.filter(pk__in=series).values_list("pk", "municipality_id")
    )
    cell: anonymise.Cell = anonymise.REGION if municipality_id is None else ("m", municipality_id)
    points = []
    for period in sorted(by_period):
        effective = by_period[period]
        tables: dict[str, Published] = {}
        for key in keys:
            values = {i: v[key] for i, v in effective.items() if key in v}
            table = Table(values=values, municipality_of={i: municipality_of[i] for i in values})
            tables[key] = (
                Published(table=table, k=k, raw=table.cells())
                if key in PERSON_FREE_KEYS
                else anonymise.suppress(table, k)
            )
        data = PublishedPeriod(
            period=period, k=k, institutions=[], municipalities=[], tables=tables
        )
        points.append({"period": period, **indicator_cell(indicator, data, cell)})
    return points
