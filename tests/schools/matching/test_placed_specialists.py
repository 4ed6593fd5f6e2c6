"""Employers' specialists placed at an institution by the region are mentor candidates there,
with the capacity their active placements at that institution hold."""

from __future__ import annotations

import datetime
from collections import Counter

import pytest
from django_tenants.utils import schema_context

from accounts.actor import actor_for
from accounts.models import Role
from regional.employers import services as employer_services
from regional.employers.tasks import placement_tenant_account_create
from schools.matching import candidates, engine
from schools.participants import api as participants
from schools.participants import services as participant_services
from schools.participants.models import Participant
from tests import builders
from tests.conftest import SETUP
from tests.regional.employers.conftest import create_employer, create_mentor

pytestmark = pytest.mark.django_db

EMAIL = "specialist-orlov@agro.ru"


# The institution records the specialist's consent, as for any adult mentor, on this day.
SIGNED_ON = datetime.date(2026, 9, 1)


@pytest.fixture
def place(tenants, user_in, django_capture_on_commit_callbacks):
    """Approve a request of institution ``institution`` for ``mentor`` and run the task that
    creates the account in the institution's schema (as the worker would)."""
    approver = user_in("public", Role.REGIONAL_STAFF, "placement-approver")

    def _place(institution, mentor, mentees):
        request = employer_services.mentor_request_create(
            institution=institution,
            employer_mentor_id=mentor.pk,
            form="employer_student",
            mentees_count=mentees,
            level="grade-9",
            need_code="projects",
            actor=SETUP,
        )
        with django_capture_on_commit_callbacks(execute=False):
            placement = employer_services.mentor_request_approve(
                mentor_request=request, actor=actor_for(approver)
            )
        with schema_context(institution.schema_name):
            result = placement_tenant_account_create.apply(kwargs={"placement_id": placement.pk})
            result.get()
        return placement

    return _place


@pytest.fixture
def mentor(tenants):
    return create_mentor(
        create_employer("ООО «Агротех»"),
        contact_email=EMAIL,
        capacity=6,
        municipalities=[tenants.municipality.pk],
    )


def mentor_in(programme_id: int, participant_id: int) -> engine.MentorIn:
    return candidates.mentors_by_id([participant_id], programme_id=programme_id)[participant_id]


def specialist_id() -> int:
    return Participant.objects.get(email=EMAIL).pk


def test_placed_specialist_is_a_candidate_with_the_placed_capacity(tenants, mentor, place):
    from schools.programmes.models import Programme

    first = place(tenants.a, mentor, 2)
    second = place(tenants.a, mentor, 1)
    with schema_context(tenants.a.schema_name):
        programme = Programme.objects.create(
            academic_year=2041, title="П", forms=["employer_student"], status="active"
        )
        person = Participant.objects.get(email=EMAIL)
        assert person.category == "employer_specialist"
        builders.consent(participant=person, signed_on=SIGNED_ON)
        # Two placements at this institution: 3 mentees together, in the profile too.
        assert person.mentor_profile.capacity == 3
        assert mentor_in(programme.pk, person.pk).capacity == 3

        students = []
        for n in range(4):
            student = builders.person(
                last_name=f"Студентов{n}",
                first_name="Илья",
                category="student",
                born=datetime.date(2007, 1, 1),
                consent_on=SIGNED_ON,
                mentee=True,
            )
            students.append(student.pk)
        problem = candidates.problem_build(
            programme_id=programme.pk, forms=["employer_student"], weights={}
        )
        assert person.pk in {m.id for m in problem.mentors}
        result = engine.match_optimal(problem)
        per_mentor = Counter(a.mentor_id for a in result.assignments)
        assert per_mentor[person.pk] == 3  # the placed capacity, not more
        assert {a.mentee_id for a in result.assignments} <= set(students)

    employer_services.placement_end(placement=first, actor=SETUP)
    with schema_context(tenants.a.schema_name):
        assert mentor_in(programme.pk, specialist_id()).capacity == 1
    employer_services.placement_cancel(placement=second, actor=SETUP)
    with schema_context(tenants.a.schema_name):
        assert mentor_in(programme.pk, specialist_id()).capacity == 0
        problem = candidates.problem_build(
            programme_id=programme.pk, forms=["employer_student"], weights={}
        )
        assert not any(
            a.mentor_id == specialist_id() for a in engine.match_optimal(problem).assignments
        )


def test_capacity_is_per_institution(tenants, mentor, place):
    place(tenants.a, mentor, 2)
    place(tenants.b, mentor, 4)
    from schools.programmes.models import Programme

    for institution, expected in ((tenants.a, 2), (tenants.b, 4)):
        with schema_context(institution.schema_name):
            programme = Programme.objects.create(academic_year=2042, title="П", status="active")
            assert mentor_in(programme.pk, specialist_id()).capacity == expected


def test_a_specialist_the_institution_recorded_itself_keeps_its_capacity(tenants, mentor, place):
    """Only specialists placed at *this* institution take their capacity from placements."""
    from schools.programmes.models import Programme

    place(tenants.b, mentor, 4)
    with schema_context(tenants.a.schema_name):
        programme = Programme.objects.create(academic_year=2043, title="П", status="active")
        own = participant_services.participant_create(
            last_name="Орлов",
            first_name="Игорь",
            middle_name="Петрович",
            category="employer_specialist",
            email=EMAIL,
            actor=SETUP,
        )
        participants.mentor_profile_upsert(participant_id=own.pk, capacity=2, actor=SETUP)
        assert mentor_in(programme.pk, own.pk).capacity == 2


def test_ending_a_placement_brings_the_profile_capacity_in_line(
    tenants, mentor, place, django_capture_on_commit_callbacks
):
    """Ending one of two placements enqueues the sync in the institution's schema; after it
    the specialist's mentor profile holds what the remaining placement holds."""
    first = place(tenants.a, mentor, 2)
    place(tenants.a, mentor, 1)
    with schema_context(tenants.a.schema_name):
        assert Participant.objects.get(email=EMAIL).mentor_profile.capacity == 3
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        employer_services.placement_end(placement=first, actor=SETUP)
    assert len(callbacks) == 1
    with schema_context(tenants.a.schema_name):
        from regional.employers.tasks import placement_tenant_capacity_sync

        assert placement_tenant_capacity_sync.apply(kwargs={"placement_id": first.pk}).get()
        assert Participant.objects.get(email=EMAIL).mentor_profile.capacity == 1
        # Idempotent: a second run changes nothing.
        assert not placement_tenant_capacity_sync.apply(kwargs={"placement_id": first.pk}).get()
