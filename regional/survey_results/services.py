"""Writes of the anonymous survey results: one institution's rows replaced at once."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone

from regional.survey_results.anonymise import suppress_question
from regional.survey_results.models import RegionalQuestionResult
from regional.survey_results.selectors import min_group_size


@transaction.atomic
def institution_results_replace(
    *, institution_id: int, rows: Iterable[Mapping[str, Any]], k: int | None = None
) -> int:
    """Replace the institution's published rows by ``rows`` (``schools.monitoring.api.
    regional_aggregates()``), suppressed with the region's minimum group size. Only codes and
    numbers are read from ``rows``. Returns the number of rows stored."""
    k = k or min_group_size()
    now = timezone.now()
    built = []
    for row in rows:
        cell = suppress_question(
            kind=str(row["question_kind"]),
            respondents=int(row["respondents"]),
            mean=row.get("mean"),
            distribution=row.get("distribution"),
            k=k,
        )
        built.append(
            RegionalQuestionResult(
                institution_id=institution_id,
                template_code=str(row["template_code"]),
                template_version_id=int(row["template_version_id"]),
                academic_year=int(row["academic_year"]),
                question_code=str(row["question_code"]),
                question_kind=str(row["question_kind"]),
                respondents=cell.respondents,
                mean=cell.mean,
                distribution=cell.distribution,
                suppressed=cell.suppressed,
                min_group_size=k,
                published_at=now,
            )
        )
    RegionalQuestionResult.objects.filter(institution_id=institution_id).delete()
    RegionalQuestionResult.objects.bulk_create(built)
    return len(built)
