"""Jobs that recover by themselves (config.jobs, ADR 0008): a job its task left behind is failed
with the reason, or sent again; the page offers to start it again; asking again for the same
document set restarts a stuck one."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django_tenants.utils import schema_context

from accounts.models import Role
from config import jobs
from config.outbox.models import OutboxMessage
from schools.documents import services as documents
from schools.documents.models import DocumentJob, JobKind, JobStatus
from schools.imports import services as imports
from schools.imports.models import ImportBatch, ImportStatus
from schools.matching import services as matching
from schools.matching.models import MatchRun, RunStatus
from tests.conftest import SETUP
from tests.web.conftest import School, page_client


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture(autouse=True)
def _english() -> Any:
    """The reasons are stored in the language active when the sweep ran (the worker's: ru)."""
    with translation.override("en"):
        yield


def _age(model: Any, pk: int, field: str = "created_at") -> None:
    model.objects.filter(pk=pk).update(**{field: timezone.now() - timedelta(hours=1)})


def _task_rows(task_name: str, **kwargs: Any) -> Any:
    lookups = {f"kwargs__{k}": v for k, v in kwargs.items()}
    return OutboxMessage.objects.filter(task_name=task_name, **lookups).order_by("id")


def _document_job(ids: list[int]) -> DocumentJob:
    return documents.document_job_create(
        kind=JobKind.CONSENT_FORMS, title="x", item_ids=ids, actor=SETUP
    )


def test_every_job_app_registers_a_sweeper() -> None:
    assert {"documents", "matching", "imports", "kpis", "monitoring"} <= set(jobs.sweepers())


def test_a_document_set_whose_task_was_abandoned_fails_with_the_reason(tenant_a: Any) -> None:
    with schema_context(tenant_a.schema_name):
        job = _document_job([1, 2])
        _age(DocumentJob, job.pk)
        assert jobs.task_state("documents.document_job_run", job_id=job.pk) == jobs.PENDING
        assert documents.document_jobs_sweep() == 0  # its task is still to run: left alone
        _task_rows("documents.document_job_run", job_id=job.pk).update(
            finished_at=timezone.now(), outcome="abandoned"
        )
        assert jobs.sweep_all()["documents"] == 1
        job.refresh_from_db()
        assert job.status == JobStatus.FAILED and "interrupted" in job.error


def test_a_job_never_sent_through_the_outbox_is_sent_again(tenant_a: Any) -> None:
    with schema_context(tenant_a.schema_name):
        job = DocumentJob.objects.create(kind=JobKind.CONSENT_FORMS, title="old", item_ids=[1])
        _age(DocumentJob, job.pk)
        assert documents.document_jobs_sweep() == 1
        assert jobs.task_state("documents.document_job_run", job_id=job.pk) == jobs.PENDING
        job.refresh_from_db()
        assert job.status == JobStatus.QUEUED


def test_asking_again_for_a_stuck_document_set_restarts_it(tenant_a: Any) -> None:
    with schema_context(tenant_a.schema_name):
        job = _document_job([3, 4])
        assert _document_job([3, 4]).pk == job.pk  # still to run: the same job, nothing new
        assert _task_rows("documents.document_job_run", job_id=job.pk).count() == 1
        DocumentJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, progress=50)
        _task_rows("documents.document_job_run", job_id=job.pk).update(
            finished_at=timezone.now(), outcome="abandoned"
        )
        again = _document_job([3, 4])
        assert again.pk == job.pk and again.status == JobStatus.QUEUED and again.progress == 0
        assert jobs.task_state("documents.document_job_run", job_id=job.pk) == jobs.PENDING


def test_the_job_page_offers_to_generate_a_failed_set_again(tenant_a: Any, school: School) -> None:
    with schema_context(tenant_a.schema_name):
        job = _document_job([5])
        DocumentJob.objects.filter(pk=job.pk).update(
            status=JobStatus.FAILED, error=documents.interrupted_message()
        )
    client = page_client(tenant_a.host, school.users[Role.COORDINATOR], tenant_a.schema_name, "ru")
    page = client.get(f"/documents/jobs/{job.pk}/").content.decode()
    assert "The generation was interrupted" in page and "Сформировать снова" in page
    assert f"/documents/jobs/{job.pk}/retry/" in page
    assert client.post(f"/documents/jobs/{job.pk}/retry/").status_code == 302
    with schema_context(tenant_a.schema_name):
        job.refresh_from_db()
        assert job.status == JobStatus.QUEUED and job.error == ""
        assert _task_rows("documents.document_job_run", job_id=job.pk).count() == 2


def test_a_matching_run_whose_task_failed_is_failed_with_the_reason(
    tenant_a: Any, school: School
) -> None:
    with schema_context(tenant_a.schema_name):
        from schools.programmes.models import Programme

        programme = Programme.objects.get(pk=school.ids["programme"])
        run = MatchRun.objects.create(programme=programme, status=RunStatus.RUNNING, progress=10)
        _age(MatchRun, run.pk)
        OutboxMessage.objects.create(
            task_name="matching.run_execute",
            schema_name=tenant_a.schema_name,
            kwargs={"run_id": run.pk},
            finished_at=timezone.now(),
            outcome="abandoned",
        )
        assert matching.runs_sweep() == 1
        run.refresh_from_db()
        assert run.status == RunStatus.FAILED and "interrupted" in run.error


def test_an_import_whose_task_was_lost_is_back_to_its_preview_to_be_imported_again(
    tenant_a: Any,
) -> None:
    with schema_context(tenant_a.schema_name):
        batch = ImportBatch.objects.create(
            kind="participants", original_name="x.xlsx", status=ImportStatus.IMPORTING
        )
        _age(ImportBatch, batch.pk, "updated_at")
        OutboxMessage.objects.create(
            task_name="imports.import_batch_commit",
            schema_name=tenant_a.schema_name,
            kwargs={"batch_id": batch.pk},
            finished_at=timezone.now(),
            outcome="failed",
            error="OperationalError",
        )
        assert imports.batches_sweep() == 1
        batch.refresh_from_db()
        assert batch.status == ImportStatus.PREVIEWED and batch.report["interrupted"]


def test_a_kpi_run_whose_institution_task_was_lost_finishes_with_the_reason_and_starts_again(
    tenants: Any, db: None, django_capture_on_commit_callbacks: Any
) -> None:
    from regional.kpis import services as kpis
    from regional.kpis.models import AggregationItem, AggregationRun
    from tests.conftest import make_user

    with django_capture_on_commit_callbacks(execute=False):
        run = kpis.aggregation_run_start(actor=SETUP, period="2020-04")
    for item in AggregationItem.objects.filter(run=run).exclude(institution=tenants.a):
        kpis.aggregation_item_finish(run_id=run.pk, institution_id=item.institution_id, ok=True)
    _age(AggregationRun, run.pk, "started_at")
    with schema_context(tenants.b.schema_name):
        assert kpis.items_sweep() == 0  # B is done: nothing to do there
    with schema_context(tenants.a.schema_name):
        assert kpis.items_sweep() == 0  # A's task is still pending
        _task_rows("kpis.aggregate_institution", run_id=run.pk, institution_id=tenants.a.pk).update(
            finished_at=timezone.now(), outcome="abandoned"
        )
        assert kpis.items_sweep() == 1
    run.refresh_from_db()
    assert run.status == "finished_with_errors" and run.failed_count == 1
    assert AggregationItem.objects.get(run=run, institution=tenants.a).error == kpis.LOST_TASK

    user = make_user("public", Role.REGIONAL_STAFF, "kpi-recovery")
    client = page_client("nastavnik.test", user, "public", "en")
    page = client.get(f"/kpis/runs/{run.pk}/").content.decode()
    assert "its work was interrupted" in page and "Школа Альфа" in page
    assert 'data-testid="run-again"' in page and 'value="2020-04"' in page
    with django_capture_on_commit_callbacks(execute=False):
        again = client.post("/kpis/runs/", {"period": "2020-04"})
    assert again.status_code == 302
    assert AggregationRun.objects.filter(period="2020-04", status="running").exists()


def _lease(task_name: str, **kwargs: Any) -> None:
    """A worker holds the task's lease: it works on the job right now."""
    _task_rows(task_name, **kwargs).update(
        claimed_by="w", lease_until=timezone.now() + timedelta(minutes=1)
    )


def test_a_document_set_not_generated_yet_is_cancelled_and_can_be_started_again(
    tenant_a: Any,
) -> None:
    with schema_context(tenant_a.schema_name):
        busy = _document_job([6])
        _lease("documents.document_job_run", job_id=busy.pk)
        with pytest.raises(ValidationError, match="being generated right now"):
            documents.document_job_cancel(job_id=busy.pk, actor=SETUP)

        job = _document_job([7])
        cancelled = documents.document_job_cancel(job_id=job.pk, actor=SETUP)
        assert cancelled.status == JobStatus.FAILED and cancelled.error.startswith("Cancelled")
        # its task, delivered afterwards, does nothing
        assert documents.document_job_run(job_id=job.pk) == JobStatus.FAILED

        retried = documents.document_job_retry(job_id=job.pk, actor=SETUP)
        assert retried.status == JobStatus.QUEUED


def test_a_matching_run_not_computed_yet_is_cancelled(tenant_a: Any, school: School) -> None:
    from schools.programmes.models import Programme

    with schema_context(tenant_a.schema_name):
        programme = Programme.objects.get(pk=school.ids["programme"])
        run = MatchRun.objects.create(programme=programme, status=RunStatus.QUEUED)
        OutboxMessage.objects.create(
            task_name="matching.run_execute",
            schema_name=tenant_a.schema_name,
            kwargs={"run_id": run.pk},
        )
        _lease("matching.run_execute", run_id=run.pk)
        with pytest.raises(ValidationError, match="being computed right now"):
            matching.match_run_cancel(run_id=run.pk, actor=SETUP)
        _task_rows("matching.run_execute", run_id=run.pk).update(lease_until=None)
        cancelled = matching.match_run_cancel(run_id=run.pk, actor=SETUP)
        assert cancelled.status == RunStatus.FAILED and cancelled.error.startswith("Cancelled")
        assert matching.run_execute(run_id=run.pk, resume=True) is False  # its task: nothing


def test_an_import_waiting_for_its_worker_is_cancelled_back_to_its_preview(
    tenant_a: Any,
) -> None:
    with schema_context(tenant_a.schema_name):
        importing = ImportBatch.objects.create(
            kind="participants", original_name="a.xlsx", status=ImportStatus.IMPORTING
        )
        OutboxMessage.objects.create(
            task_name="imports.import_batch_commit",
            schema_name=tenant_a.schema_name,
            kwargs={"batch_id": importing.pk},
        )
        _lease("imports.import_batch_commit", batch_id=importing.pk)
        with pytest.raises(ValidationError, match="being processed right now"):
            imports.import_batch_cancel(batch_id=importing.pk, actor=SETUP)
        _task_rows("imports.import_batch_commit", batch_id=importing.pk).update(lease_until=None)
        assert (
            imports.import_batch_cancel(batch_id=importing.pk, actor=SETUP).status
            == ImportStatus.PREVIEWED
        )
        assert imports.import_batch_run_commit(batch_id=importing.pk).status == (
            ImportStatus.PREVIEWED  # its task, delivered afterwards, imports nothing
        )

        checking = ImportBatch.objects.create(
            kind="participants", original_name="b.xlsx", status=ImportStatus.UPLOADED
        )
        failed = imports.import_batch_cancel(batch_id=checking.pk, actor=SETUP)
        assert failed.status == ImportStatus.FAILED
        assert failed.report["file_errors"][-1]["code"] == "cancelled"


def test_the_pages_offer_to_cancel_a_job_no_worker_is_on(tenant_a: Any, school: School) -> None:
    from schools.programmes.models import Programme

    with schema_context(tenant_a.schema_name):
        job = _document_job([8])
        run = MatchRun.objects.create(
            programme=Programme.objects.get(pk=school.ids["programme"]), status=RunStatus.QUEUED
        )
        batch = ImportBatch.objects.create(
            kind="participants", original_name="c.xlsx", status=ImportStatus.IMPORTING
        )
    client = page_client(tenant_a.host, school.users[Role.COORDINATOR], tenant_a.schema_name, "ru")
    for page_url, cancel_url, testid in (
        (f"/documents/jobs/{job.pk}/", f"/documents/jobs/{job.pk}/cancel/", "job-cancel"),
        (f"/matching/runs/{run.pk}/", f"/matching/runs/{run.pk}/cancel/", "run-cancel"),
        (f"/imports/{batch.pk}/", f"/imports/{batch.pk}/cancel/", "import-cancel"),
    ):
        page = client.get(page_url).content.decode()
        assert f'data-testid="{testid}"' in page and "Отменить" in page, page_url
        assert client.post(cancel_url).status_code == 302
    page = client.get(f"/documents/jobs/{job.pk}/").content.decode()
    assert "Отменено" in page and "Сформировать снова" in page
    page = client.get(f"/matching/runs/{run.pk}/").content.decode()
    assert "Отменено" in page and 'data-testid="run-cancel"' not in page
    with schema_context(tenant_a.schema_name):
        batch.refresh_from_db()
        assert batch.status == ImportStatus.PREVIEWED

    # a job a worker holds right now offers no cancel, and a forged one is refused
    with schema_context(tenant_a.schema_name):
        busy = _document_job([9])
        _lease("documents.document_job_run", job_id=busy.pk)
    assert (
        'data-testid="job-cancel"' not in client.get(f"/documents/jobs/{busy.pk}/").content.decode()
    )
    client.post(f"/documents/jobs/{busy.pk}/cancel/")
    with schema_context(tenant_a.schema_name):
        busy.refresh_from_db()
        assert busy.status == JobStatus.QUEUED
