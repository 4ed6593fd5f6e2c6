"""Aggregation inside the institutions' schemas, run in this process (fast), and what reaches
the public schema."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from accounts.actor import actor_for
from accounts.models import Role
from config.db import tenant_connection
from regional.kpis import services
from regional.kpis.models import (
    AggregationItem,
    AggregationRun,
    Indicator,
    InstitutionSnapshot,
    RunStatus,
)
from regional.privacy import api as privacy
from regional.privacy.models import RegionSettings
from tests.conftest import SETUP, make_user
from tests.regional.kpis.conftest import PERIOD, SURNAMES, fill_institution


def test_seeded_catalogue_has_the_federal_kpis_with_targets(db):
    federal = {i.code: i for i in Indicator.objects.filter(group="federal")}
    assert set(federal) == {
        "learner_mentees_share",
        "learner_mentors_share",
        "young_teacher_mentees_share",
        "employer_mentors_share",
        "employer_partners_supplying_share",
    }
    assert federal["learner_mentees_share"].target_value == 70
    assert federal["learner_mentors_share"].target_value == 10
    assert federal["employer_mentors_share"].numerator_key == "employer_specialist_mentors"
    assert Indicator.objects.filter(code="satisfaction_index").exists()
    assert RegionSettings.objects.get(pk=1).min_group_size == 10


def test_minimum_group_size_never_below_five(db):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        privacy.region_settings_update(min_group_size=4, actor=SETUP)
    assert privacy.region_settings_update(min_group_size=5, actor=SETUP) == 5
    assert privacy.min_group_size() == 5


def test_run_writes_one_snapshot_per_institution_with_numbers_only(tenants, run_in_process):
    fill_institution(tenants.a.schema_name, learner_mentees=12, surname=SURNAMES[0])
    fill_institution(tenants.b.schema_name, learner_mentees=3, surname=SURNAMES[1])
    run = run_in_process()
    assert run.status == RunStatus.FINISHED
    assert (run.ok_count, run.failed_count) == (run.institutions_total, 0)
    a = InstitutionSnapshot.objects.get(period=PERIOD, institution=tenants.a)
    b = InstitutionSnapshot.objects.get(period=PERIOD, institution=tenants.b)
    assert a.values["learner_mentees_10_plus"] == 12
    assert a.values["headcount_learners"] == 100
    assert a.values["mentees_without_pair"] == 12
    assert b.values["learner_mentees_10_plus"] == 3
    assert all(isinstance(v, int) for v in a.values.values())


def test_re_running_an_open_period_replaces_its_draft_until_it_is_closed(
    tenants, run_in_process, regional_staff
):
    from django.core.exceptions import ValidationError

    from regional.kpis.models import Period

    fill_institution(tenants.a.schema_name, learner_mentees=11)
    run_in_process()
    before = InstitutionSnapshot.objects.get(period=PERIOD, institution=tenants.a)
    assert before.values["learner_mentees_10_plus"] == 11
    fill_institution(tenants.a.schema_name, learner_mentees=5, surname="Новый")  # data moves on
    second = run_in_process()
    after = InstitutionSnapshot.objects.get(period=PERIOD, institution=tenants.a)
    assert after.pk == before.pk and after.values["learner_mentees_10_plus"] == 16
    assert after.run_id == second.pk and after.recorded_at > before.recorded_at
    assert InstitutionSnapshot.objects.filter(period=PERIOD).count() == second.institutions_total

    period = services.period_close(period=PERIOD, actor=actor_for(regional_staff, schema="public"))
    assert period.is_closed and period.closed_by_id == regional_staff.pk
    with pytest.raises(ValidationError) as refused:
        services.aggregation_run_start(actor=SETUP, period=PERIOD)
    assert "closed" in str(refused.value)
    # a run already on its way when the period closed writes nothing
    assert not services.snapshot_record(
        run_id=None,
        period=PERIOD,
        institution_id=tenants.a.pk,
        academic_year=after.academic_year,
        values={"mentors": 99},
    )
    assert InstitutionSnapshot.objects.get(pk=after.pk).values == after.values
    with pytest.raises(ValidationError):
        services.period_close(period=PERIOD, actor=SETUP)  # already closed
    assert Period.objects.get(code=PERIOD).is_closed


def test_a_future_period_is_refused(db):
    import datetime

    from django.core.exceptions import ValidationError
    from django.utils import timezone

    from regional.kpis.models import Period

    next_month = (timezone.localdate().replace(day=1) + datetime.timedelta(days=32)).strftime(
        "%Y-%m"
    )
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    for period in (next_month, tomorrow):
        with pytest.raises(ValidationError) as refused:
            services.aggregation_run_start(actor=SETUP, period=period)
        assert "future" in str(refused.value)
        assert not Period.objects.filter(code=period).exists()
    assert services.period_validate(timezone.localdate().isoformat())


def test_a_period_is_not_closed_while_its_run_is_running(db):
    from django.core.exceptions import ValidationError

    from regional.kpis.models import Period

    with pytest.raises(ValidationError):
        services.period_close(period="2020-01", actor=SETUP)  # nothing to close
    Period.objects.create(code="2020-02")
    AggregationRun.objects.create(period="2020-02", institutions_total=3)
    InstitutionSnapshot.objects.create(
        period="2020-02", institution_id=_any_institution(), academic_year=2019, values={}
    )
    with pytest.raises(ValidationError) as refused:
        services.period_close(period="2020-02", actor=SETUP)
    assert "running" in str(refused.value)


def _any_institution() -> int:
    from tenants.models import Institution

    first = Institution.objects.values_list("pk", flat=True).first()
    assert first is not None
    return first


def test_a_failing_institution_is_retried_and_reported_while_others_succeed(
    tenants, run_in_process, monkeypatch, settings
):
    from regional.kpis import metrics

    settings.KPI_RETRY_DELAY = 0
    real = metrics.institution_metrics

    def flaky(**kwargs):
        if tenant_connection().schema_name == tenants.b.schema_name:
            raise RuntimeError("institution B's database is unwell")
        return real(**kwargs)

    monkeypatch.setattr(metrics, "institution_metrics", flaky)
    run = run_in_process()
    assert run.status == RunStatus.FINISHED_WITH_ERRORS
    a = AggregationItem.objects.get(run=run, institution=tenants.a)
    b = AggregationItem.objects.get(run=run, institution=tenants.b)
    assert (a.status, a.attempts) == ("ok", 1)
    assert (b.status, b.attempts, b.error) == ("failed", 4, "RuntimeError")
    assert run.failed_count == 1 and run.ok_count == run.institutions_total - 1
    assert InstitutionSnapshot.objects.filter(period=PERIOD, institution=tenants.a).exists()
    assert not InstitutionSnapshot.objects.filter(period=PERIOD, institution=tenants.b).exists()


def test_a_transient_failure_is_retried_to_success(tenants, run_in_process, monkeypatch, settings):
    from regional.kpis import metrics

    settings.KPI_RETRY_DELAY = 0
    real = metrics.institution_metrics
    calls = {"b": 0}

    def once(**kwargs):
        if tenant_connection().schema_name == tenants.b.schema_name:
            calls["b"] += 1
            if calls["b"] == 1:
                raise ConnectionError("blip")
        return real(**kwargs)

    monkeypatch.setattr(metrics, "institution_metrics", once)
    run = run_in_process()
    b = AggregationItem.objects.get(run=run, institution=tenants.b)
    assert (b.status, b.attempts) == ("ok", 2)
    assert run.status == RunStatus.FINISHED


def test_employer_partner_metrics(tenants, run_in_process, django_capture_on_commit_callbacks):
    from regional.employers import services as employer_services
    from regional.employers.models import MentorRequest
    from tests.regional.employers.conftest import create_employer, create_mentor

    supplying = create_mentor(create_employer("ООО «Поставщик»"), municipalities=[])
    idle = create_mentor(create_employer("ООО «Партнёр»"), municipalities=[])
    for mentor in (supplying, idle):
        MentorRequest.objects.create(
            institution=tenants.a,
            employer_mentor=mentor,
            form="employer_student",
            mentees_count=1,
            topic="Практика",
            requested_by_id=1,
            requested_by_role="coordinator",
        )
    request = MentorRequest.objects.get(employer_mentor=supplying)
    staff = make_user("public", Role.REGIONAL_STAFF, "kpi-approver")
    with django_capture_on_commit_callbacks(execute=False):
        employer_services.mentor_request_approve(mentor_request=request, actor=actor_for(staff))
    run_in_process()
    values = InstitutionSnapshot.objects.get(period=PERIOD, institution=tenants.a).values
    assert values["employers_partnered"] == 2
    assert values["employers_supplying"] == 1
    assert values["employer_mentors_placed"] == 1


def test_the_scheduled_entry_runs_in_public(db):
    from django.conf import settings as django_settings

    entry = django_settings.CELERY_BEAT_SCHEDULE["kpis-aggregate-region"]
    assert entry["task"] == "kpis.aggregate_region" and entry["tenant_schemas"] == ["public"]


def test_one_institutions_aggregation_is_a_fixed_handful_of_queries(
    tenants, db, django_capture_on_commit_callbacks
):
    """The task of one institution (as a worker runs it) issues the same few queries for a
    small and a larger institution: the institution's time zone, the attempt with the run's
    read, the metrics in the schema, the employer numbers, one statement writing the snapshot
    and the run's progress (a regional run over 2,000 institutions costs 2,000 times that,
    bench/aggregation.py)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django_tenants.utils import schema_context

    from regional.kpis.tasks import aggregate_institution

    def queries_of_one_run() -> int:
        with django_capture_on_commit_callbacks(execute=False):
            run = services.aggregation_run_start(actor=SETUP, period=PERIOD)
        with schema_context(tenants.a.schema_name), CaptureQueriesContext(connection) as seen:
            aggregate_institution.apply(kwargs={"run_id": run.pk, "institution_id": tenants.a.pk})
        assert AggregationItem.objects.get(run=run, institution=tenants.a).status == "ok"
        # Statements that are not queries: the schema's search path, the savepoints of the
        # test's transaction (in a worker: BEGIN and COMMIT).
        return sum(
            1
            for query in seen.captured_queries
            if not query["sql"].startswith(("SET search_path", "SAVEPOINT", "RELEASE SAVEPOINT"))
        )

    fill_institution(tenants.a.schema_name, learner_mentees=3, learner_mentors=1)
    small = queries_of_one_run()
    fill_institution(tenants.a.schema_name, learner_mentees=25, learner_mentors=5, surname="Ещё")
    larger = queries_of_one_run()
    assert (
        InstitutionSnapshot.objects.get(period=PERIOD, institution=tenants.a).values[
            "learner_mentees_10_plus"
        ]
        == 28
    )
    assert small == larger <= 9, (small, larger)


@pytest.mark.parametrize("role", [Role.MUNICIPAL, Role.EMPLOYER])
def test_only_the_regional_centre_starts_a_run_or_closes_a_period(tenants, db, role):
    from regional.kpis.models import AggregationRun

    outsider = actor_for(make_user("public", role, f"kpi-acl-{role}"), schema="public")
    with pytest.raises(PermissionDenied):
        services.aggregation_run_start(period="2020-03", actor=outsider)
    with pytest.raises(PermissionDenied):
        services.period_close(period="2020-03", actor=outsider)
    assert not AggregationRun.objects.filter(period="2020-03").exists()


def test_the_write_statement_counts_once_and_respects_a_closed_or_missing_period(
    tenants, db, django_capture_on_commit_callbacks, monkeypatch
):
    """The one statement that writes an institution's snapshot and its progress in the run: a
    second delivery of a task counts its attempt but not the institution again; a period
    closed while the run was on its way gets no snapshot (the institution is still done); a
    period whose row is gone is recreated by the general path."""
    from django.utils import timezone
    from django_tenants.utils import schema_context

    from regional.kpis import metrics
    from regional.kpis.models import Period, PeriodStatus
    from regional.kpis.tasks import aggregate_institution

    fill_institution(tenants.a.schema_name, learner_mentees=2)

    def start() -> AggregationRun:
        with django_capture_on_commit_callbacks(execute=False):
            return services.aggregation_run_start(actor=SETUP, period=PERIOD)

    def task(run: AggregationRun, institution: Any) -> None:
        with schema_context(institution.schema_name):
            aggregate_institution.apply(kwargs={"run_id": run.pk, "institution_id": institution.pk})

    run = start()
    others = run.institutions_total - 2
    task(run, tenants.a)
    task(run, tenants.a)  # delivered twice
    item = AggregationItem.objects.get(run=run, institution=tenants.a)
    assert (item.status, item.attempts) == ("ok", 2)
    run.refresh_from_db()
    assert (run.ok_count, run.status) == (1, RunStatus.RUNNING)
    snapshot = InstitutionSnapshot.objects.get(period=PERIOD, institution=tenants.a)
    assert snapshot.run_id == run.pk and snapshot.values["learner_mentees_10_plus"] == 2

    real = metrics.institution_metrics

    def closing_meanwhile(**kwargs: Any) -> dict[str, int]:
        values = real(**kwargs)  # the period was open when the task read the run
        Period.objects.filter(code=PERIOD).update(
            status=PeriodStatus.CLOSED, closed_at=timezone.now()
        )
        return values

    monkeypatch.setattr(metrics, "institution_metrics", closing_meanwhile)
    task(run, tenants.b)
    monkeypatch.undo()
    assert not InstitutionSnapshot.objects.filter(period=PERIOD, institution=tenants.b).exists()
    assert AggregationItem.objects.get(run=run, institution=tenants.b).status == "ok"
    run.refresh_from_db()
    assert run.ok_count == 2
    if not others:  # the last institution completes the run
        assert run.status == RunStatus.FINISHED and run.finished_at is not None

    Period.objects.filter(code=PERIOD).update(status=PeriodStatus.OPEN, closed_at=None)
    second = start()
    Period.objects.filter(code=PERIOD).delete()  # the row is gone
    task(second, tenants.a)
    assert Period.objects.filter(code=PERIOD, status=PeriodStatus.OPEN).exists()
    assert InstitutionSnapshot.objects.get(period=PERIOD, institution=tenants.a).run_id == second.pk
    assert AggregationItem.objects.get(run=second, institution=tenants.a).status == "ok"
    second.refresh_from_db()
    assert second.ok_count == 1
