"""Employers and their mentors: roles, the catalogue from a school's host, requests, approvals
holding capacity, placements returning it, and the regional board."""

from __future__ import annotations

import pytest

from accounts.models import Role
from regional.employers.models import EmployerMentor, MentorRequest, Placement
from tenants.models import Municipality
from tests.regional.employers.conftest import create_employer, create_employer_user, valid_inn

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator_a(tenant_a, user_in):
    return user_in(tenant_a.schema_name, Role.COORDINATOR, "coord-a")


@pytest.fixture
def coordinator_b(tenant_b, user_in):
    return user_in(tenant_b.schema_name, Role.COORDINATOR, "coord-b")


def request_mentor(client, mentor, *, mentees=1, form="employer_pupil", need="career_guidance"):
    return client.post(
        "/api/v1/mentor-requests/",
        {
            "employer_mentor": mentor.pk,
            "form": form,
            "mentees_count": mentees,
            "level": "grade-7",
            "need_code": need,
        },
        format="json",
    )


# --- employers and roles ----------------------------------------------------------------------


def test_regional_staff_manage_employers_and_inn_is_validated(regional_staff, client_for):
    client = client_for(None, regional_staff)
    bad = client.post("/api/v1/employers/", {"name": "ООО Ромашка", "inn": "1234567890"})
    assert bad.status_code == 400 and "inn" in bad.json()["errors"]
    created = client.post(
        "/api/v1/employers/", {"name": "ООО Ромашка", "inn": valid_inn(42), "sector": "АПК"}
    )
    assert created.status_code == 201, created.json()
    employer_id = created.json()["id"]
    again = client.post("/api/v1/employers/", {"name": "Дубль", "inn": valid_inn(42)})
    assert again.status_code == 400
    patched = client.patch(f"/api/v1/employers/{employer_id}/", {"sector": "Агропром"})
    assert patched.status_code == 200 and patched.json()["sector"] == "Агропром"


def test_employer_user_sees_only_own_employer_and_mentors(
    employer, employer_user, mentor_of, regional_staff, client_for
):
    other = create_employer("АО «Другой»")
    own_mentor = mentor_of(employer)
    other_mentor = mentor_of(other, last_name="Чужой")
    client = client_for(None, employer_user)
    assert [e["id"] for e in client.get("/api/v1/employers/").json()["results"]] == [employer.pk]
    assert client.get(f"/api/v1/employers/{other.pk}/").status_code == 404
    assert client.post("/api/v1/employers/", {"name": "X", "inn": valid_inn(7)}).status_code == 403
    mentors = client.get("/api/v1/employer-mentors/").json()["results"]
    assert [m["id"] for m in mentors] == [own_mentor.pk]
    assert client.get(f"/api/v1/employer-mentors/{other_mentor.pk}/").status_code == 404
    assert (
        client.patch(f"/api/v1/employer-mentors/{other_mentor.pk}/", {"capacity": 9}).status_code
        == 404
    )
    staff = client_for(None, regional_staff)
    assert len(staff.get("/api/v1/employer-mentors/").json()["results"]) == 2
    assert len(staff.get("/api/v1/employers/").json()["results"]) == 2


def test_employer_creates_mentors_only_for_itself(employer, employer_user, tenants, client_for):
    other = create_employer("АО «Другой»")
    client = client_for(None, employer_user)
    body = {
        "employer": employer.pk,
        "last_name": "Сидорова",
        "first_name": "Анна",
        "position": "Инженер-технолог",
        "competences": ["Технология", " технология ", "Робототехника"],
        "forms": ["employer_student"],
        "municipalities": [tenants.municipality.pk],
        "capacity": 3,
        "contact_email": "sidorova@zavod.ru",
    }
    created = client.post("/api/v1/employer-mentors/", body, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["competences"] == ["Технология", "Робототехника"]
    assert created.json()["capacity_free"] == 3
    foreign = client.post(
        "/api/v1/employer-mentors/", {**body, "employer": other.pk}, format="json"
    )
    assert foreign.status_code == 400 and "employer" in foreign.json()["errors"]
    zero = client.post("/api/v1/employer-mentors/", {**body, "capacity": 0}, format="json")
    assert zero.status_code == 400
    no_forms = client.post("/api/v1/employer-mentors/", {**body, "forms": []}, format="json")
    assert no_forms.status_code == 400


def test_school_users_reach_the_catalogue_only_through_their_own_host(
    tenant_a, coordinator_a, employer, mentor_of, client_for
):
    mentor_of(employer)
    # On the regional host a school's account does not exist.
    regional = client_for(None, None)
    assert regional.get("/api/v1/employer-mentors/").status_code in (401, 403)
    school = client_for(tenant_a, coordinator_a)
    assert school.get("/api/v1/employer-mentors/").status_code == 200
    # employer-side routes do not exist on a school's host
    assert school.get("/api/v1/placements/").status_code == 404
    assert school.get("/api/v1/employers/").status_code == 404


def test_mentor_and_mentee_roles_cannot_browse_the_catalogue(tenant_a, user_in, client_for):
    mentee = user_in(tenant_a.schema_name, Role.MENTEE, "mentee-a")
    assert client_for(tenant_a, mentee).get("/api/v1/employer-mentors/").status_code == 403


# --- the catalogue ----------------------------------------------------------------------------


def test_catalogue_filters(tenant_a, coordinator_a, employer, mentor_of, client_for):
    far = Municipality.objects.create(name="Дальний район")
    here = mentor_of(employer, competences=["Агрономия"], forms=["employer_pupil"])
    remote = mentor_of(
        employer,
        last_name="Удалённый",
        municipalities=[far.pk],
        remote=True,
        competences=["Программирование"],
        forms=["employer_student"],
    )
    elsewhere = mentor_of(employer, last_name="Дальний", municipalities=[far.pk])
    mentor_of(employer, last_name="Пауза", status="paused")
    full = mentor_of(employer, last_name="Занятый", capacity=1)
    EmployerMentor.objects.filter(pk=full.pk).update(capacity_used=1)
    client = client_for(tenant_a, coordinator_a)

    def ids(query: str = "") -> set[int]:
        response = client.get(f"/api/v1/employer-mentors/{query}")
        assert response.status_code == 200, response.content
        return {m["id"] for m in response.json()["results"]}

    assert ids() == {here.pk, remote.pk}
    assert ids("?competence=агроном") == {here.pk}
    assert ids("?form=employer_student") == {remote.pk}
    assert ids(f"?municipality={far.pk}") == {remote.pk, elsewhere.pk}
    assert ids("?free=false") == {here.pk, remote.pk, full.pk}
    detail = client.get(f"/api/v1/employer-mentors/{here.pk}/").json()
    assert detail["capacity_free"] == 5 and "contact_email" not in detail


# --- requests, approval, placements -------------------------------------------------------------


def test_request_is_stored_with_the_institution_and_only_it_sees_it(
    tenant_a, tenant_b, coordinator_a, coordinator_b, employer, employer_user, mentor_of, client_for
):
    mentor = mentor_of(employer)
    created = request_mentor(client_for(tenant_a, coordinator_a), mentor, mentees=2)
    assert created.status_code == 201, created.json()
    stored = MentorRequest.objects.get(pk=created.json()["id"])
    assert stored.institution_id == tenant_a.pk
    assert (stored.requested_by_id, stored.requested_by_role) == (coordinator_a.pk, "coordinator")
    b_client = client_for(tenant_b, coordinator_b)
    assert b_client.get("/api/v1/mentor-requests/").json()["results"] == []
    assert b_client.get(f"/api/v1/mentor-requests/{stored.pk}/").status_code == 404
    assert b_client.post(f"/api/v1/mentor-requests/{stored.pk}/cancel/").status_code == 404
    # the employer sees it (numbers and the institution, no personal data)
    seen = client_for(None, employer_user).get("/api/v1/mentor-requests/").json()["results"]
    assert [r["id"] for r in seen] == [stored.pk]
    assert "requested_by_id" not in seen[0]


def test_bad_requests_are_refused(tenant_a, coordinator_a, employer, mentor_of, client_for):
    mentor = mentor_of(employer, capacity=2)
    client = client_for(tenant_a, coordinator_a)
    too_many = request_mentor(client, mentor, mentees=3)
    assert too_many.status_code == 400 and "mentees_count" in too_many.json()["errors"]
    wrong_form = request_mentor(client, mentor, form="pupil_pupil")
    assert wrong_form.status_code == 400 and "form" in wrong_form.json()["errors"]
    paused = mentor_of(employer, status="paused")
    assert request_mentor(client, paused).status_code == 400
    far = Municipality.objects.create(name="Дальний район")
    unreachable = mentor_of(employer, municipalities=[far.pk])
    assert request_mentor(client, unreachable).status_code == 400
    assert MentorRequest.objects.count() == 0


def test_approve_holds_capacity_and_refuses_twice_and_when_exhausted(
    tenant_a,
    tenant_b,
    coordinator_a,
    coordinator_b,
    employer,
    employer_user,
    mentor_of,
    client_for,
    django_capture_on_commit_callbacks,
):
    mentor = mentor_of(employer, capacity=3)
    first = request_mentor(client_for(tenant_a, coordinator_a), mentor, mentees=2).json()["id"]
    second = request_mentor(client_for(tenant_b, coordinator_b), mentor, mentees=2).json()["id"]
    client = client_for(None, employer_user)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        approved = client.post(f"/api/v1/mentor-requests/{first}/approve/")
    assert approved.status_code == 201, approved.json()
    assert approved.json()["mentees_count"] == 2 and approved.json()["status"] == "active"
    assert len(callbacks) == 1  # the tenant account task, sent after commit
    mentor.refresh_from_db()
    assert mentor.capacity_used == 2
    twice = client.post(f"/api/v1/mentor-requests/{first}/approve/")
    assert twice.status_code == 400
    exhausted = client.post(f"/api/v1/mentor-requests/{second}/approve/")
    assert exhausted.status_code == 409
    assert "Capacity exhausted" in exhausted.json()["detail"]
    mentor.refresh_from_db()
    assert mentor.capacity_used == 2
    assert MentorRequest.objects.get(pk=second).status == "pending"
    assert Placement.objects.count() == 1
    # the school sees the approval, the placement and now the mentor's contact
    mine = client_for(tenant_a, coordinator_a).get(f"/api/v1/mentor-requests/{first}/").json()
    assert mine["status"] == "approved" and mine["placement"]["status"] == "active"
    assert mine["mentor_contact_email"] == mentor.contact_email


def test_another_employer_cannot_decide_and_regional_staff_can(
    tenant_a, coordinator_a, employer, mentor_of, regional_staff, client_for
):
    mentor = mentor_of(employer)
    request_id = request_mentor(client_for(tenant_a, coordinator_a), mentor).json()["id"]
    stranger = create_employer_user(create_employer("АО «Другой»"))
    assert (
        client_for(None, stranger)
        .post(f"/api/v1/mentor-requests/{request_id}/approve/")
        .status_code
        == 404
    )
    rejected = client_for(None, regional_staff).post(
        f"/api/v1/mentor-requests/{request_id}/reject/", {"reason": "Нет мест"}
    )
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    assert (
        client_for(None, regional_staff)
        .post(f"/api/v1/mentor-requests/{request_id}/approve/")
        .status_code
        == 400
    )


def test_institution_cancels_a_pending_request_only(
    tenant_a, coordinator_a, employer, employer_user, mentor_of, client_for
):
    mentor = mentor_of(employer)
    school = client_for(tenant_a, coordinator_a)
    pending = request_mentor(school, mentor).json()["id"]
    assert school.post(f"/api/v1/mentor-requests/{pending}/cancel/").json()["status"] == "cancelled"
    approved = request_mentor(school, mentor).json()["id"]
    client_for(None, employer_user).post(f"/api/v1/mentor-requests/{approved}/approve/")
    assert school.post(f"/api/v1/mentor-requests/{approved}/cancel/").status_code == 400


def test_capacity_cannot_drop_below_what_placements_hold(
    tenant_a, coordinator_a, employer, employer_user, mentor_of, client_for
):
    mentor = mentor_of(employer, capacity=5)
    request_id = request_mentor(client_for(tenant_a, coordinator_a), mentor, mentees=3).json()["id"]
    client = client_for(None, employer_user)
    client.post(f"/api/v1/mentor-requests/{request_id}/approve/")
    too_low = client.patch(f"/api/v1/employer-mentors/{mentor.pk}/", {"capacity": 2})
    assert too_low.status_code == 400 and "capacity" in too_low.json()["errors"]
    mentor.refresh_from_db()
    assert mentor.capacity == 5
    exact = client.patch(f"/api/v1/employer-mentors/{mentor.pk}/", {"capacity": 3, "bio": "Новое"})
    assert exact.status_code == 200 and exact.json()["capacity_free"] == 0
    assert exact.json()["bio"] == "Новое" and exact.json()["capacity_used"] == 3


@pytest.mark.parametrize("how", ["end", "cancel"])
def test_end_and_cancel_return_capacity_once(
    how, tenant_a, coordinator_a, employer, employer_user, mentor_of, client_for
):
    mentor = mentor_of(employer, capacity=4)
    request_id = request_mentor(client_for(tenant_a, coordinator_a), mentor, mentees=3).json()["id"]
    client = client_for(None, employer_user)
    placement_id = client.post(f"/api/v1/mentor-requests/{request_id}/approve/").json()["id"]
    placements = client.get("/api/v1/placements/").json()["results"]
    assert [(p["id"], p["mentees_count"]) for p in placements] == [(placement_id, 3)]
    closed = client.post(f"/api/v1/placements/{placement_id}/{how}/")
    assert closed.status_code == 200
    assert closed.json()["status"] == {"end": "ended", "cancel": "cancelled"}[how]
    assert closed.json()["ended_on"]
    mentor.refresh_from_db()
    assert mentor.capacity_used == 0
    again = client.post(f"/api/v1/placements/{placement_id}/{how}/")
    assert again.status_code == 400
    mentor.refresh_from_db()
    assert mentor.capacity_used == 0


def test_check_constraint_stops_overbooking_even_without_the_service(employer, mentor_of):
    from django.db import IntegrityError, transaction

    mentor = mentor_of(employer, capacity=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        EmployerMentor.objects.filter(pk=mentor.pk).update(capacity_used=3)
    with pytest.raises(IntegrityError), transaction.atomic():
        EmployerMentor.objects.filter(pk=mentor.pk).update(capacity_used=-1)


# --- the regional board ---------------------------------------------------------------------


def test_board_shows_supply_and_demand_in_numbers(
    tenants, tenant_a, coordinator_a, employer, employer_user, mentor_of, regional_staff, client_for
):
    a = mentor_of(employer, capacity=5, competences=["Агрономия"])
    mentor_of(employer, capacity=2, competences=["IT"], remote=True, municipalities=[])
    school = client_for(tenant_a, coordinator_a)
    approved = request_mentor(school, a, mentees=2).json()["id"]
    request_mentor(school, a, mentees=1)
    client_for(None, employer_user).post(f"/api/v1/mentor-requests/{approved}/approve/")
    assert client_for(None, employer_user).get("/api/v1/employer-board/").status_code == 403
    board = client_for(None, regional_staff).get("/api/v1/employer-board/")
    assert board.status_code == 200, board.content
    data = board.json()
    assert data["region"] == {
        "mentors": 2,
        "capacity_total": 7,
        "capacity_used": None,  # 2 mentees placed: fewer than k, hidden
        "capacity_free": None,  # (it would give the used places away)
        "pending_requests": 1,
        "pending_mentees": None,
        "active_placements": 1,
    }
    rows = {r["municipality_id"]: r for r in data["by_municipality"]}
    here = rows[tenants.municipality.pk]
    # the remote mentor reaches every municipality; a place taken counts where it is used
    assert (here["mentors_reaching"], here["capacity_free_reaching"]) == (2, 5)
    assert (here["places_taken"], here["pending_requests"], here["pending_mentees"]) == (
        None,
        1,
        None,
    )
    assert all(r["places_taken"] in (0, None) for r in data["by_municipality"])
    competences = {r["competence"]: r for r in data["by_competence"]}
    assert competences["агрономия"]["pending_mentees"] is None  # 1 mentee: hidden
    assert competences["it"]["capacity_total"] == 2
    assert "Орлов" not in board.content.decode()
