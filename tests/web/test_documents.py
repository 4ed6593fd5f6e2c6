"""The documents page: orders and single forms download at once, sets of documents become a
job with a progress bar and a ZIP; bad input re-renders the page with 400 and errors next to
the fields; everything is looked up in the caller's scope (another institution's ids, and a
curator's foreign groups and jobs, answer 404 or are refused)."""

from __future__ import annotations

import datetime
import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django_tenants.utils import schema_context, tenant_context

from accounts.actor import actor_for
from accounts.models import Role
from schools.documents import services as document_services
from schools.documents.models import DocumentJob, JobKind, JobStatus
from schools.participants import api as participants_api
from schools.participants import selectors as participant_selectors
from schools.participants import services as participant_services
from tests.conftest import SETUP, make_user
from tests.web.conftest import School, page_client

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


def _client(tenant: Any, school: School, role: str, language: str = "en") -> Any:
    return page_client(tenant.host, school.users[role], tenant.schema_name, language)


def _new_jobs(school: School) -> Any:
    """Jobs made by the test (the page data already holds a finished one)."""
    return DocumentJob.objects.exclude(pk=school.ids["documentjob"])


def _group_with_people(schema: str, name: str, count: int, curator: Any = None) -> int:
    with schema_context(schema):
        group = participant_services.study_group_get_or_create(name=name, actor=SETUP)
        if curator is not None:
            group.curator = curator
            group.save(update_fields=["curator"])
        for i in range(count):
            participants_api.participant_create(
                last_name=f"{name}-Фамилия{i}",
                first_name="Иван",
                birth_date=datetime.date(2011, 2, 1 + i),
                category="pupil",
                study_group_id=group.pk,
                actor=SETUP,
            )
        return group.pk


def test_the_page_lists_every_kind_of_document(tenant_a, school: School) -> None:
    response = _client(tenant_a, school, Role.COORDINATOR).get("/documents/")
    assert response.status_code == 200
    body = response.content.decode()
    for text in ("Orders", "Thank-you letters", "Consent forms", "/api/v1/exports/"):
        assert text in body, text


def test_consent_forms_of_a_group_become_a_job_with_progress_and_a_zip(
    tenant_a, school: School, django_capture_on_commit_callbacks
) -> None:
    group_id = _group_with_people(tenant_a.schema_name, "8Б", 3)
    client = _client(tenant_a, school, Role.COORDINATOR)
    with django_capture_on_commit_callbacks(execute=False) as enqueued:
        response = client.post(
            "/documents/consent-forms/",
            {
                "consents-study_group": str(group_id),
                "consents-purpose": "personal_data",
                "consents-only_missing": "on",
            },
        )
    assert response.status_code == 302
    assert len(enqueued) == 1
    with schema_context(tenant_a.schema_name):
        job = _new_jobs(school).get()
        assert job.title == "Consent forms: 8Б" and job.total == 3
    assert response["Location"] == f"/documents/jobs/{job.pk}/"

    page = client.get(f"/documents/jobs/{job.pk}/")
    assert page.status_code == 200
    assert f'hx-get="/documents/jobs/{job.pk}/progress/"' in page.content.decode()
    progress = client.get(f"/documents/jobs/{job.pk}/progress/", HTTP_HX_REQUEST="true")
    assert progress.status_code == 200 and "HX-Refresh" not in progress
    assert client.get(f"/documents/jobs/{job.pk}/download/").status_code == 404  # not ready

    with tenant_context(tenant_a):
        assert document_services.document_job_run(job_id=job.pk) == JobStatus.DONE
    done = client.get(f"/documents/jobs/{job.pk}/progress/", HTTP_HX_REQUEST="true")
    assert done["HX-Refresh"] == "true"
    page = client.get(f"/documents/jobs/{job.pk}/")
    assert f"/documents/jobs/{job.pk}/download/" in page.content.decode()
    download = client.get(f"/documents/jobs/{job.pk}/download/")
    assert download.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    assert len(archive.namelist()) == 3


def test_a_failed_job_shows_its_reason(tenant_a, school: School) -> None:
    with tenant_context(tenant_a):
        job = document_services.document_job_create(
            kind=JobKind.CONSENT_FORMS, title="x", item_ids=[99_999_999], actor=SETUP
        )
        document_services.document_job_run(job_id=job.pk)
    body = _client(tenant_a, school, Role.COORDINATOR).get(f"/documents/jobs/{job.pk}/")
    assert "no longer exists" in body.content.decode()


def test_an_empty_choice_is_a_400_with_the_error_next_to_the_form(tenant_a, school: School) -> None:
    group_id = _group_with_people(tenant_a.schema_name, "9В", 0)
    response = _client(tenant_a, school, Role.COORDINATOR).post(
        "/documents/consent-forms/",
        {"consents-study_group": str(group_id), "consents-purpose": "personal_data"},
    )
    assert response.status_code == 400
    assert "There is nothing to generate for this choice." in response.content.decode()
    with schema_context(tenant_a.schema_name):
        assert not _new_jobs(school).exists()


def test_a_bad_order_date_is_a_400_with_the_error_next_to_the_field(
    tenant_a, school: School
) -> None:
    response = _client(tenant_a, school, Role.COORDINATOR).get(
        "/documents/approval-order/", {"order-day": "31.02.2026"}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="id_order-day-errors"' in body and 'aria-invalid="true"' in body


def test_orders_and_a_consent_form_download_as_docx(tenant_a, school: School) -> None:
    client = _client(tenant_a, school, Role.DIRECTOR)
    order = client.get("/documents/approval-order/", {"order-number": "12-о"})
    assert order.status_code == 200 and order["Content-Type"] == DOCX
    assert "order-pairs-" in order["Content-Disposition"]
    encouragement = client.get("/documents/encouragement-order/", {"encouragement-top": "5"})
    assert encouragement.status_code == 200 and encouragement["Content-Type"] == DOCX
    form = client.get(f"/documents/consent-forms/{school.ids['participant']}/")
    assert form.status_code == 200 and form["Content-Type"] == DOCX


def test_thank_you_letters_of_the_programme(tenant_a, school: School) -> None:
    client = _client(tenant_a, school, Role.COORDINATOR)
    none_completed = client.post("/documents/thank-you-letters/", {"letters-which": "completed"})
    assert none_completed.status_code == 400  # the only pair is still active
    response = client.post("/documents/thank-you-letters/", {"letters-which": "all"})
    assert response.status_code == 302
    with schema_context(tenant_a.schema_name):
        job = _new_jobs(school).get()
        # One letter per person: the job names the mentors (the pair's is the "participant").
        assert job.kind == JobKind.THANK_YOU_LETTERS
        assert job.item_ids == [school.ids["participant"]]


def test_a_curator_works_with_its_own_groups_and_jobs_only(tenant_a, school: School) -> None:
    curator = school.users[Role.CURATOR]
    own = _group_with_people(tenant_a.schema_name, "10А", 2, curator=curator)
    other = _group_with_people(tenant_a.schema_name, "10Б", 2)
    client = _client(tenant_a, school, Role.CURATOR)
    page = client.get("/documents/").content.decode()
    assert "10А" in page and "10Б" not in page

    refused = client.post(
        "/documents/consent-forms/",
        {"consents-study_group": str(other), "consents-purpose": "personal_data"},
    )
    assert refused.status_code == 400  # not a choice for this curator
    assert 'id="id_consents-study_group-errors"' in refused.content.decode()

    everyone = client.post("/documents/consent-forms/", {"consents-purpose": "personal_data"})
    assert everyone.status_code == 302
    with schema_context(tenant_a.schema_name):
        job = _new_jobs(school).get()
        own_ids = set(
            participant_selectors.participant_list()
            .filter(study_group_id=own)
            .values_list("pk", flat=True)
        )
        assert set(job.item_ids) == own_ids  # only the people of the curator's group
        coordinators_job = document_services.document_job_create(
            kind=JobKind.CONSENT_FORMS, title="x", item_ids=[min(own_ids)], actor=SETUP
        )
        foreign_person = participant_selectors.participant_list().filter(study_group_id=other)[0]
    assert client.get(f"/documents/jobs/{job.pk}/").status_code == 200
    assert client.get(f"/documents/jobs/{coordinators_job.pk}/").status_code == 404
    assert client.get(f"/documents/consent-forms/{foreign_person.pk}/").status_code == 404


def test_another_institutions_ids_are_not_found(tenant_a, tenant_b, school: School) -> None:
    b_user = make_user(tenant_b.schema_name, Role.COORDINATOR, "b-docs-coord")
    with tenant_context(tenant_b):
        person = participant_services.participant_create(
            last_name="Чужой",
            first_name="Б",
            birth_date=datetime.date(2010, 1, 1),
            category="pupil",
            actor=SETUP,
        )
        job = document_services.document_job_create(
            kind=JobKind.CONSENT_FORMS, title="B", item_ids=[person.pk], actor=actor_for(b_user)
        )
        document_services.document_job_run(job_id=job.pk)
    client = _client(tenant_a, school, Role.COORDINATOR)
    for path in (
        f"/documents/consent-forms/{person.pk}/",
        f"/documents/jobs/{job.pk}/",
        f"/documents/jobs/{job.pk}/progress/",
        f"/documents/jobs/{job.pk}/download/",
    ):
        assert client.get(path).status_code == 404, path


@pytest.mark.parametrize("role", [Role.MENTOR, Role.MENTEE, Role.PARENT])
def test_people_outside_the_staff_are_refused(tenant_a, school: School, role: str) -> None:
    client = _client(tenant_a, school, role)
    assert client.get("/documents/").status_code == 403
    assert client.post("/documents/thank-you-letters/", {"letters-which": "all"}).status_code == 403
    with schema_context(tenant_a.schema_name):
        assert not _new_jobs(school).exists()
