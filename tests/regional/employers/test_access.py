"""Who sees the employers' rows, asked of the access layer (``regional/employers/access.py``)
directly as well as through the doors.

The API and the pages name the roles they serve (the regional centre and the employers on the
regional host; an institution's staff on its own host), so a scope that keeps every other role
out is never reached through a door, and removing it would leave the door tests green
(``tests/access_mutants.py --scopes``). Services and future pages call these functions too."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db.models import QuerySet
from django_tenants.utils import tenant_context

from accounts.actor import Actor, actor_for
from accounts.models import Role
from regional.employers import access
from regional.employers.models import MentorRequest
from tests.conftest import make_user
from tests.regional.employers.test_api import request_mentor

pytestmark = pytest.mark.django_db

ROWS: dict[str, Callable[[Actor], QuerySet[Any]]] = {
    "employers": access.employers_visible_to,
    "employer-mentors": access.employer_mentors_visible_to,
    "mentor-requests": access.mentor_requests_visible_to,
    "placements": access.placements_visible_to,
}


@pytest.fixture
def placed(tenant_a, employer, employer_user, mentor_of, client_for) -> Any:
    """An employer's offer, requested by institution A and approved: one row of each kind."""
    coordinator = make_user(tenant_a.schema_name, Role.COORDINATOR, "emp-scope-coordinator")
    mentor = mentor_of(employer, capacity=3)
    created = request_mentor(client_for(tenant_a, coordinator), mentor, mentees=1)
    assert created.status_code == 201, created.json()
    approved = client_for(None, employer_user).post(
        f"/api/v1/mentor-requests/{created.json()['id']}/approve/"
    )
    assert approved.status_code == 201, approved.json()
    return mentor


def test_a_municipal_account_sees_no_employer_offer_request_or_placement(
    placed, regional_staff, client_for
):
    """A municipal education department oversees institutions, not the employers: their
    specialists' offers and contacts are the regional centre's and the employer's only."""
    municipal = make_user("public", Role.MUNICIPAL, "emp-scope-municipal")
    staff, outsider = (actor_for(u, schema="public") for u in (regional_staff, municipal))
    assert {name: scope(staff).exists() for name, scope in ROWS.items()} == dict.fromkeys(
        ROWS, True
    )
    assert {name: scope(outsider).exists() for name, scope in ROWS.items()} == dict.fromkeys(
        ROWS, False
    )
    api = client_for(None, municipal)
    assert {name: api.get(f"/api/v1/{name}/").status_code for name in ROWS} == dict.fromkeys(
        ROWS, 403
    )


@pytest.mark.parametrize("role", [Role.MENTOR, Role.MENTEE, Role.PARENT])
def test_an_institutions_people_outside_its_staff_see_no_requestable_mentor(
    tenant_a, placed, client_for, role
):
    """The catalogue of employers' mentors is for the staff who ask for one; the school's
    mentors, mentees and parents neither browse it nor see the school's requests."""
    user = make_user(tenant_a.schema_name, role, f"emp-scope-{role}")
    coordinator = make_user(tenant_a.schema_name, Role.COORDINATOR, f"emp-scope-coord-{role}")
    with tenant_context(tenant_a):
        staff, person = actor_for(coordinator), actor_for(user)
        assert access.requestable_mentors_visible_to(staff).filter(pk=placed.pk).exists()
        assert access.institution_requests_visible_to(staff).exists()
        assert not access.requestable_mentors_visible_to(person).exists()
        assert not access.institution_requests_visible_to(person).exists()
    api = client_for(tenant_a, user)
    assert api.get("/api/v1/employer-mentors/").status_code == 403
    assert api.get("/api/v1/mentor-requests/").status_code == 403


def test_another_institutions_staff_see_none_of_its_requests(tenant_b, placed, client_for):
    """A request names the institution that asked: another institution's coordinator neither
    reads it nor withdraws it (one answer: not found)."""
    coordinator = make_user(tenant_b.schema_name, Role.COORDINATOR, "emp-scope-coordinator-b")
    with tenant_context(tenant_b):
        assert not access.institution_requests_visible_to(actor_for(coordinator)).exists()
    asked = MentorRequest.objects.get()
    api = client_for(tenant_b, coordinator)
    assert api.get("/api/v1/mentor-requests/").json()["results"] == []
    assert api.post(f"/api/v1/mentor-requests/{asked.pk}/cancel/").status_code == 404
    assert MentorRequest.objects.get().status == asked.status
