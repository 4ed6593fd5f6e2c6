"""``regional.employers.api``: the numbers the KPIs read, and the placed specialists an
institution's matching reads."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from accounts.actor import actor_for
from accounts.models import Role
from regional.employers import api, services
from tests.conftest import SETUP
from tests.regional.employers.conftest import create_employer, create_mentor

pytestmark = pytest.mark.django_db


def request(institution, mentor, mentees=1):
    return services.mentor_request_create(
        institution=institution,
        employer_mentor_id=mentor.pk,
        form="employer_student",
        mentees_count=mentees,
        level="grade-7",
        need_code="career_guidance",
        actor=SETUP,
    )


def test_partner_counts_per_institution(tenants, user_in, django_capture_on_commit_callbacks):
    staff = user_in("public", Role.REGIONAL_STAFF, "employers-api-staff")
    supplier, idle = create_employer("ООО «Поставщик»"), create_employer("ООО «Партнёр»")
    m = tenants.municipality.pk
    first, second = (create_mentor(supplier, municipalities=[m]) for _ in range(2))
    idle_mentor = create_mentor(idle, municipalities=[m])
    with django_capture_on_commit_callbacks(execute=False):
        services.mentor_request_approve(
            mentor_request=request(tenants.a, first), actor=actor_for(staff)
        )
        services.mentor_request_approve(
            mentor_request=request(tenants.a, second, 2), actor=actor_for(staff)
        )
        ended = services.mentor_request_approve(
            mentor_request=request(tenants.b, first), actor=actor_for(staff)
        )
    request(tenants.a, idle_mentor)  # pending: a partnership, no supply
    services.placement_end(placement=ended, actor=SETUP)

    assert api.partner_counts(institution_id=tenants.a.pk) == {
        "employers_partnered": 2,
        "employers_supplying": 1,
        "employer_mentors_placed": 2,
    }
    assert api.partner_counts(institution_id=tenants.b.pk) == {
        "employers_partnered": 1,
        "employers_supplying": 0,
        "employer_mentors_placed": 0,
    }
    everyone = api.partner_counts_by_institution()
    assert everyone[tenants.a.pk] == api.partner_counts(institution_id=tenants.a.pk)
    assert api.partner_counts(institution_id=tenants.a.pk + 10_000) == dict.fromkeys(
        api.PARTNER_KEYS, 0
    )

    placed_a = api.placed_mentors(institution_id=tenants.a.pk)
    assert [(p["employer_mentor_id"], p["mentees_active"]) for p in placed_a] == [
        (first.pk, 1),
        (second.pk, 2),
    ]
    placed_b = api.placed_mentors(institution_id=tenants.b.pk)
    assert [
        (p["employer_mentor_id"], p["mentees_active"], p["placements_active"]) for p in placed_b
    ] == [(first.pk, 0, 0)]
    with schema_context(tenants.a.schema_name):
        assert api.placed_mentors_here() == placed_a
    with schema_context(tenants.b.schema_name):
        assert api.placed_mentors_here() == placed_b
    assert api.placed_mentors_here() == []  # public schema
