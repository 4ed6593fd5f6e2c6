"""Bulk generation jobs: asked for once per set, enqueued on commit, built into a ZIP in the
institution's own storage, idempotent, and failing with a clear message.

The task is run directly inside the schema (as the worker does with the schema from the
message); test_worker.py runs one through the real worker."""

from __future__ import annotations

import datetime
import io
import zipfile
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django_tenants.utils import tenant_context

from schools.documents import services, tasks
from schools.documents.models import DocumentJob, JobKind, JobStatus
from schools.participants import api as participants_api
from schools.participants import services as participant_services
from tests import builders
from tests.conftest import SETUP


def _people(count: int, group: str = "7А") -> list[int]:
    group_id = participant_services.study_group_get_or_create(name=group, actor=SETUP).pk
    return [
        participant_services.participant_create(
            last_name=f"Ученикова{i}",
            first_name="Анна",
            birth_date=datetime.date(2012, 1, 1 + i),
            category="pupil",
            study_group_id=group_id,
            actor=SETUP,
        ).pk
        for i in range(count)
    ]


def _zip_names(job: DocumentJob) -> list[str]:
    with job.file.open("rb") as handle:
        return sorted(zipfile.ZipFile(io.BytesIO(handle.read())).namelist())


def test_a_set_of_consent_forms_is_built_once_into_a_zip(
    tenant_a: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with tenant_context(tenant_a):
        ids = _people(7)
        with django_capture_on_commit_callbacks(execute=False) as enqueued:
            job = services.document_job_create(
                kind=JobKind.CONSENT_FORMS,
                title="Согласия: 7А",
                item_ids=ids,
                options={"purpose": "personal_data"},
                actor=SETUP,
            )
            again = services.document_job_create(
                kind=JobKind.CONSENT_FORMS,
                title="Согласия: 7А",
                item_ids=list(reversed(ids)),
                options={"purpose": "personal_data"},
                actor=SETUP,
            )
        assert again.pk == job.pk  # the same set while queued: the same job
        assert len(enqueued) == 1
        assert job.status == JobStatus.QUEUED and job.progress == 0 and job.total == 7

        assert tasks.document_job_run_task(job_id=job.pk) == JobStatus.DONE
        job.refresh_from_db()
        assert job.status == JobStatus.DONE and job.progress == 100 and job.done_count == 7
        assert job.file.name.startswith("documents/")
        # TenantFileSystemStorage: the file sits in the institution's own folder
        assert f"/{tenant_a.schema_name}/documents/" in job.file.path
        names = _zip_names(job)
        assert len(names) == 7 and names[0] == "001 Ученикова0 Анна.docx"
        first_file = job.file.name

        # delivered twice: nothing is built again
        assert tasks.document_job_run_task(job_id=job.pk) == JobStatus.DONE
        job.refresh_from_db()
        assert job.file.name == first_file

        # once done, asking again makes a new job (the people may have changed)
        with django_capture_on_commit_callbacks(execute=False) as enqueued_again:
            newer = services.document_job_create(
                kind=JobKind.CONSENT_FORMS,
                title="Согласия: 7А",
                item_ids=ids,
                options={"purpose": "personal_data"},
                actor=SETUP,
            )
        assert newer.pk != job.pk and len(enqueued_again) == 1


def test_an_interrupted_job_starts_over(tenant_a: Any) -> None:
    with tenant_context(tenant_a):
        ids = _people(2)
        job = services.document_job_create(
            kind=JobKind.CONSENT_FORMS, title="x", item_ids=ids, actor=SETUP
        )
        DocumentJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, progress=50)
        assert services.document_job_run(job_id=job.pk) == JobStatus.DONE
        job.refresh_from_db()
        assert job.progress == 100 and len(_zip_names(job)) == 2


def test_a_person_gone_since_the_request_fails_the_job_with_a_reason(tenant_a: Any) -> None:
    with tenant_context(tenant_a):
        ids = _people(2)
        job = services.document_job_create(
            kind=JobKind.CONSENT_FORMS, title="x", item_ids=[*ids, 99_999_999], actor=SETUP
        )
        assert services.document_job_run(job_id=job.pk) == JobStatus.FAILED
        job.refresh_from_db()
        assert job.status == JobStatus.FAILED and not job.file
        assert "no longer exists" in job.error


@pytest.mark.parametrize(
    ("kind", "ids", "field"),
    [("nonsense", [1], "kind"), (JobKind.CONSENT_FORMS, [], "item_ids")],
)
def test_bad_requests_are_refused_with_nothing_written(
    tenant_a: Any, kind: str, ids: list[int], field: str
) -> None:
    with tenant_context(tenant_a):
        with pytest.raises(ValidationError) as error:
            services.document_job_create(kind=kind, title="x", item_ids=ids, actor=SETUP)
        assert field in error.value.message_dict
        assert not DocumentJob.objects.exists()


def test_thank_you_letters_of_pairs(tenant_a: Any) -> None:
    from schools.pairs import api as pairs_api
    from schools.programmes import services as programme_services
    from schools.programmes.selectors import current_academic_year

    with tenant_context(tenant_a):
        programme = programme_services.programme_create(
            actor=SETUP,
            academic_year=current_academic_year(),
            title="Программа",
            forms=["teacher_teacher"],
        )
        people = []
        for name in ("Наставникова", "Наставляемов"):
            # No patronymic: the form's file is named «Наставникова Вера».
            person = builders.person(names=f"{name} Вера", born=datetime.date(1985, 1, 1))
            people.append(person)
        participants_api.mentor_profile_upsert(participant_id=people[0].pk, capacity=1, actor=SETUP)
        pair_id = pairs_api.pair_create(
            programme_id=programme.pk,
            mentor_participant_id=people[0].pk,
            mentee_participant_ids=[people[1].pk],
            form="teacher_teacher",
            actor=SETUP,
        )
        job = services.document_job_create(
            kind=JobKind.THANK_YOU_LETTERS, title="Письма", item_ids=[pair_id], actor=SETUP
        )
        assert services.document_job_run(job_id=job.pk) == JobStatus.DONE
        job.refresh_from_db()
        assert _zip_names(job) == ["001 Наставникова Вера.docx"]
