"""The issue's "Done when": 40 simultaneous requests from 4 institutions for a mentor with
capacity 5 give exactly 5 placements; the rest get a clear "capacity exhausted" answer.

Real PostgreSQL and committed data: each approval runs in its own thread with its own
database connection, all released at once by a barrier, through the HTTP API. The test cleans
up after itself (it uses no ``db`` fixture, so nothing is rolled back for it)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from rest_framework.test import APIClient

from accounts.models import Role
from regional.employers import services
from regional.employers.models import Employer, EmployerMentor, MentorRequest, Placement
from tenants.models import Institution
from tests.conftest import SETUP, make_user
from tests.regional.employers.conftest import create_employer, create_mentor

THREADS = 40
CAPACITY = 5


@pytest.fixture
def four_institutions(committed: None, tenants: Any) -> Iterator[list[Institution]]:
    """A and B, and two more institutions that exist as rows only (approval never enters a
    school's schema: the account task is sent after commit and is recorded here instead)."""
    extra = [
        Institution.objects.create(
            schema_name=f"race_{slug}",
            slug=f"race-{slug}",
            name=f"Школа {slug}",
            short_name=f"Школа {slug}",
            kind="school",
            municipality=tenants.municipality,
            status="active",
        )
        for slug in ("gamma", "delta")
    ]
    try:
        yield [tenants.a, tenants.b, *extra]
    finally:
        Institution.objects.filter(pk__in=[i.pk for i in extra]).delete()


def test_forty_simultaneous_approvals_for_capacity_five_make_exactly_five_placements(
    four_institutions: list[Institution], monkeypatch: pytest.MonkeyPatch
) -> None:
    sent: list[dict[str, Any]] = []
    lock = threading.Lock()

    def record(task: Any, *, schema_name: str | None = None, **kwargs: Any) -> None:
        with lock:
            sent.append({"schema_name": schema_name, **kwargs})

    monkeypatch.setattr(services, "enqueue_on_commit", record)
    employer = create_employer("ООО «Гонка»")
    user = make_user("public", Role.EMPLOYER, "race-employer")
    services.employer_member_add(employer=employer, user=user, actor=SETUP)
    mentor = create_mentor(employer, capacity=CAPACITY, remote=True)
    try:
        # the requests as rows (two of the institutions have no schema, hence no catalogue)
        requests = [
            MentorRequest.objects.create(
                institution=four_institutions[i % 4],
                employer_mentor=mentor,
                form="employer_pupil",
                mentees_count=1,
                level="grade-7",
                need_code="career_guidance",
                need_name="Профориентация",
                requested_by_id=1,
                requested_by_role=Role.COORDINATOR,
            )
            for i in range(THREADS)
        ]
        session = APIClient(HTTP_HOST=settings.BASE_DOMAIN)
        session.force_login(user, backend="accounts.backends.InstitutionAwareBackend")
        cookies = session.cookies
        barrier = threading.Barrier(THREADS)
        answers: list[tuple[int, dict[str, Any]]] = []

        def approve(request_id: int) -> None:
            try:
                client = APIClient(HTTP_HOST=settings.BASE_DOMAIN)
                client.cookies = cookies
                barrier.wait(timeout=30)
                response = client.post(f"/api/v1/mentor-requests/{request_id}/approve/")
                with lock:
                    answers.append((response.status_code, response.json()))
            finally:
                connection.close()

        threads = [threading.Thread(target=approve, args=(r.pk,)) for r in requests]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)

        codes = sorted(code for code, _body in answers)
        assert len(answers) == THREADS
        assert codes.count(201) == CAPACITY, codes
        assert codes.count(409) == THREADS - CAPACITY, codes
        for code, body in answers:
            if code == 409:
                assert "Capacity exhausted" in body["detail"]
        mentor.refresh_from_db()
        assert mentor.capacity_used == CAPACITY
        assert Placement.objects.filter(employer_mentor=mentor).count() == CAPACITY
        statuses = list(
            MentorRequest.objects.filter(employer_mentor=mentor).values_list("status", flat=True)
        )
        assert statuses.count("approved") == CAPACITY
        assert statuses.count("pending") == THREADS - CAPACITY
        # one account task per placement, each for the placed institution's schema
        placements = {
            p.pk: p.institution.schema_name
            for p in Placement.objects.filter(employer_mentor=mentor).select_related("institution")
        }
        assert {s["placement_id"]: s["schema_name"] for s in sent} == placements
    finally:
        Placement.objects.filter(employer_mentor=mentor).delete()
        MentorRequest.objects.filter(employer_mentor=mentor).delete()
        EmployerMentor.objects.filter(pk=mentor.pk).delete()
        Employer.objects.filter(pk=employer.pk).delete()
        # not User.delete(): its collector walks tenant-only relations absent from public
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM accounts_user WHERE id = %s", [user.pk])
