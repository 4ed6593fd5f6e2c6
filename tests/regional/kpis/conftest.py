"""Data in the institutions' schemas for the KPI tests, made through the school apps' own
services (tests may; the regional code may not)."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from regional.kpis import metrics
from tests import builders
from tests.conftest import SETUP

# The period of the tests: this month, so that "the programme running now" is the programme of
# the period's academic year.
PERIOD = timezone.localdate().strftime("%Y-%m")
ACADEMIC_YEAR = metrics.academic_year_of(metrics.period_date(PERIOD))

# Surnames that must never reach the public schema.
SURNAMES = ["Засекреченко", "Тайнова", "Невидимов", "Скрытова"]


def years_ago(years: int) -> datetime.date:
    day = metrics.period_date(PERIOD)
    return day.replace(year=day.year - years) - datetime.timedelta(days=40)


def fill_institution(
    schema_name: str,
    *,
    learner_mentees: int,
    learner_mentors: int = 0,
    headcount_learners: int = 100,
    surname: str = "Иванов",
) -> dict[str, int]:
    """A programme with a headcount, and mentees and mentors with consent."""
    from schools.programmes.models import Programme

    with schema_context(schema_name):
        Programme.objects.get_or_create(
            academic_year=ACADEMIC_YEAR,
            defaults={
                "title": "Программа",
                "headcount_learners": headcount_learners,
                "headcount_teachers": 20,
                "headcount_young_teachers": 4,
            },
        )
        ids = [
            builders.person(
                last_name=f"{surname}{n}",
                first_name="Пётр",
                category="student",
                born=years_ago(19),
                email=f"kpi-{uuid.uuid4().hex[:10]}@example.com",
                mentee=n < learner_mentees,
                mentor_capacity=None if n < learner_mentees else 2,
            ).pk
            for n in range(learner_mentees + learner_mentors)
        ]
    return {"people": len(ids)}


@pytest.fixture
def run_in_process(db: None, django_capture_on_commit_callbacks: Any) -> Iterator[Any]:
    """Start a run without a broker and execute each institution's task in this process."""
    from regional.kpis import services
    from regional.kpis.models import AggregationItem
    from regional.kpis.tasks import aggregate_institution

    def _run(period: str = PERIOD) -> Any:
        with django_capture_on_commit_callbacks(execute=False):
            run = services.aggregation_run_start(actor=SETUP, period=period)
        for item in AggregationItem.objects.filter(run=run).select_related("institution"):
            with schema_context(item.institution.schema_name):
                aggregate_institution.apply(
                    kwargs={"run_id": run.pk, "institution_id": item.institution_id}
                )
        run.refresh_from_db()
        return run

    yield _run
