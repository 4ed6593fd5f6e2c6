"""Reads of the anonymous survey results: the region's view across institutions and an
institution's view of the others (aggregated only)."""

from __future__ import annotations

import statistics
from collections import defaultdict
from typing import Any

from django.db.models import QuerySet

from regional.privacy import api as privacy
from regional.survey_results.anonymise import combine_distributions
from regional.survey_results.models import RegionalQuestionResult

# An institution sees the others' numbers only when at least this many published theirs: the
# aggregate of one other institution would be that institution's own result.
MIN_PEER_INSTITUTIONS = 2


def min_group_size() -> int:
    """The region's k (``regional.privacy``: the single source, the region's setting)."""
    return privacy.min_group_size()


def result_list() -> QuerySet[RegionalQuestionResult]:
    return RegionalQuestionResult.objects.select_related("institution")


def _summary(rows: list[RegionalQuestionResult]) -> dict[str, Any]:
    published = [r for r in rows if not r.suppressed and r.respondents]
    means = [r.mean for r in published if r.mean is not None]
    weighted = [(r.mean, r.respondents) for r in published if r.mean is not None and r.respondents]
    answers = sum(w for _m, w in weighted)
    return {
        "question_code": rows[0].question_code,
        "question_kind": rows[0].question_kind,
        "institutions": len({r.institution_id for r in rows}),
        "institutions_published": len({r.institution_id for r in published}),
        "institutions_suppressed": len({r.institution_id for r in rows if r.suppressed}),
        "respondents": sum(r.respondents or 0 for r in published),
        "mean": round(sum(m * w for m, w in weighted) / answers, 2) if answers else None,
        "institution_mean_min": round(min(means), 2) if means else None,
        "institution_mean_median": round(statistics.median(means), 2) if means else None,
        "institution_mean_max": round(max(means), 2) if means else None,
        "distribution": combine_distributions([r.distribution for r in published]),
    }


def _grouped(
    queryset: QuerySet[RegionalQuestionResult],
) -> dict[tuple[str, int, str], list[RegionalQuestionResult]]:
    groups: dict[tuple[str, int, str], list[RegionalQuestionResult]] = defaultdict(list)
    for row in queryset.order_by(
        "template_code", "academic_year", "question_code", "institution_id"
    ):
        groups[(row.template_code, row.academic_year, row.question_code)].append(row)
    return groups


def regional_summary(
    *, template_code: str | None = None, academic_year: int | None = None
) -> list[dict[str, Any]]:
    """Per template, academic year and question: how many institutions published, the
    weighted mean over the published ones, the spread of institutions' means and the summed
    published distribution. Template versions are merged: question codes are stable."""
    queryset = RegionalQuestionResult.objects.all()
    if template_code:
        queryset = queryset.filter(template_code=template_code)
    if academic_year:
        queryset = queryset.filter(academic_year=academic_year)
    return [
        {"template_code": code, "academic_year": year, **_summary(rows)}
        for (code, year, _q), rows in _grouped(queryset).items()
    ]


def peer_summary(
    *, template_code: str, academic_year: int, exclude_institution_id: int
) -> dict[str, dict[str, Any]]:
    """What an institution may see of the others: per question code the same summary as the
    region's, over the OTHER institutions' published rows, and only when at least
    ``MIN_PEER_INSTITUTIONS`` of them published; else the question maps to None."""
    queryset = RegionalQuestionResult.objects.filter(
        template_code=template_code, academic_year=academic_year
    ).exclude(institution_id=exclude_institution_id)
    out: dict[str, dict[str, Any]] = {}
    for (_c, _y, question_code), rows in _grouped(queryset).items():
        summary = _summary(rows)
        if summary["institutions_published"] < MIN_PEER_INSTITUTIONS:
            out[question_code] = {
                "question_code": question_code,
                "enough_institutions": False,
                "institutions_published": None,
                "respondents": None,
                "mean": None,
                "institution_mean_min": None,
                "institution_mean_median": None,
                "institution_mean_max": None,
                "distribution": None,
            }
        else:
            out[question_code] = {
                "question_code": question_code,
                "enough_institutions": True,
                **{
                    k: summary[k]
                    for k in (
                        "institutions_published",
                        "respondents",
                        "mean",
                        "institution_mean_min",
                        "institution_mean_median",
                        "institution_mean_max",
                        "distribution",
                    )
                },
            }
    return out
