"""The employer portal, the supply and demand board and the institutions' mentor catalogue:
forms with errors next to the fields (400), the scopes (another employer's or institution's
ids are 404), capacity held and returned, the role rules."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client

from accounts.actor import actor_for
from accounts.models import Role, User
from regional.employers import services
from regional.employers.models import (
    EmployerMentor,
    MentorRequest,
    Placement,
    PlacementStatus,
    RequestStatus,
)
from tenants.models import Institution, Municipality
from tests.conftest import SETUP, make_user
from tests.web.areas.employers import make_offer
from tests.web.conftest import page_client

PUBLIC_HOST = "nastavnik.test"


def employer_client(mentor: EmployerMentor, username: str) -> tuple[Client, User]:
    user = make_user("public", Role.EMPLOYER, username)
    services.employer_member_add(employer=mentor.employer, user=user, actor=SETUP)
    return page_client(PUBLIC_HOST, user, "public", "en"), user


def ask(institution: Institution, mentor: EmployerMentor, count: int = 1, need: str = "projects"):
    return services.mentor_request_create(
        institution=institution,
        employer_mentor_id=mentor.pk,
        form="employer_pupil",
        mentees_count=count,
        level="grade-7",
        need_code=need,
        actor=SETUP,
    )


def offer_data(municipality: Municipality, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "last_name": "Соколова",
        "first_name": "Елена",
        "middle_name": "Викторовна",
        "position": "Технолог",
        "bio": "Пищевые технологии.",
        "competences": "Технология, химия;  технология",
        "forms": ["employer_pupil"],
        "municipalities": [str(municipality.pk)],
        "capacity": "3",
        "status": "active",
        "available_from": "",
        "available_to": "",
        "contact_email": "sokolova@food.example.org",
    }
    data.update(overrides)
    return data


@pytest.fixture
def mentor(tenant_a: Institution) -> EmployerMentor:
    return make_offer(tenant_a)


@pytest.fixture
def other_mentor(tenant_a: Institution) -> EmployerMentor:
    """An offer of another employer (same municipality)."""
    return make_offer(tenant_a, last_name="Чужой", contact_email="other@else.example.org")


# --- offers -------------------------------------------------------------------------------


def test_employer_publishes_an_offer(mentor, tenants):
    client, _user = employer_client(mentor, "emp-publish")
    response = client.post("/employer/offers/new/", offer_data(tenants.municipality))
    assert response.status_code == 302
    created = EmployerMentor.objects.get(last_name="Соколова")
    assert created.employer_id == mentor.employer_id
    assert created.competences == ["Технология", "химия"]
    assert list(created.municipalities.values_list("pk", flat=True)) == [tenants.municipality.pk]
    page = client.get("/employer/offers/").content.decode()
    assert "Соколова Елена Викторовна" in page
    assert "0 of 3" in page


def test_bad_offer_is_refused_with_errors_next_to_the_fields(mentor, tenants):
    client, _user = employer_client(mentor, "emp-bad")
    before = EmployerMentor.objects.count()
    response = client.post(
        "/employer/offers/new/",
        offer_data(
            tenants.municipality,
            forms=[],
            municipalities=[],
            capacity="0",
            contact_email="not-an-email",
            available_from="2027-05-01",
            available_to="2027-01-01",
        ),
    )
    assert response.status_code == 400
    body = response.content.decode()
    form = response.context["form"]
    assert set(form.errors) >= {
        "forms",
        "municipalities",
        "capacity",
        "contact_email",
        "available_to",
    }
    assert "Choose the municipalities the specialist reaches, or mark remote work." in body
    assert 'id="id_capacity-errors"' in body and 'aria-invalid="true"' in body
    assert EmployerMentor.objects.count() == before


def test_a_user_without_an_employer_cannot_publish(tenants, db):
    user = make_user("public", Role.EMPLOYER, "emp-nobody")
    client = page_client(PUBLIC_HOST, user, "public", "en")
    assert "not linked to an employer" in client.get("/employer/offers/new/").content.decode()
    response = client.post("/employer/offers/new/", offer_data(tenants.municipality))
    assert response.status_code == 404
    assert not EmployerMentor.objects.filter(last_name="Соколова").exists()


def test_employer_edits_own_offer_not_anothers(mentor, other_mentor, tenants, tenant_a):
    client, _user = employer_client(mentor, "emp-edit")
    assert client.get(f"/employer/offers/{mentor.pk}/").status_code == 200
    for method in ("get", "post"):
        response = getattr(client, method)(
            f"/employer/offers/{other_mentor.pk}/", offer_data(tenants.municipality)
        )
        assert response.status_code == 404
    assert EmployerMentor.objects.get(pk=other_mentor.pk).last_name == "Чужой"
    assert "Чужой" not in client.get("/employer/offers/").content.decode()
    # the capacity never goes below the places taken
    services.mentor_request_approve(
        mentor_request=ask(tenant_a, mentor, count=3), actor=actor_for(_user)
    )
    response = client.post(
        f"/employer/offers/{mentor.pk}/", offer_data(tenants.municipality, capacity="2")
    )
    assert response.status_code == 400
    assert "Capacity cannot be below the 3 mentee(s) already placed." in response.content.decode()
    assert EmployerMentor.objects.get(pk=mentor.pk).capacity == 4
    response = client.post(
        f"/employer/offers/{mentor.pk}/",
        offer_data(tenants.municipality, capacity="6", remote="on", municipalities=[]),
    )
    assert response.status_code == 302
    mentor.refresh_from_db()
    assert (mentor.capacity, mentor.capacity_used, mentor.remote) == (6, 3, True)
    assert mentor.last_name == "Соколова"  # a full edit of the profile


# --- requests and placements ----------------------------------------------------------------


def test_employer_approves_and_declines_own_requests_only(mentor, other_mentor, tenant_a):
    client, _user = employer_client(mentor, "emp-decide")
    mine = ask(tenant_a, mentor, count=2, need="projects")
    declined = ask(tenant_a, mentor, count=1, need="projects")
    theirs = ask(tenant_a, other_mentor, count=1, need="olympiads")
    page = client.get("/employer/requests/").content.decode()
    assert "Проектная и исследовательская" in page and "олимпиадам" not in page
    for action in ("approve", "decline"):
        response = client.post(f"/employer/requests/{theirs.pk}/{action}/")
        assert response.status_code == 404
    assert MentorRequest.objects.get(pk=theirs.pk).status == RequestStatus.PENDING

    response = client.post(f"/employer/requests/{mine.pk}/approve/", follow=True)
    assert response.status_code == 200
    assert "Approved:" in response.content.decode()
    placement = Placement.objects.get(request=mine)
    assert placement.mentees_count == 2
    assert EmployerMentor.objects.get(pk=mentor.pk).capacity_used == 2

    response = client.post(
        f"/employer/requests/{declined.pk}/decline/", {"reason": "Нет свободного времени"}
    )
    assert response.status_code == 302
    declined.refresh_from_db()
    assert (declined.status, declined.decision_reason) == (
        RequestStatus.REJECTED,
        "Нет свободного времени",
    )


def test_approving_beyond_capacity_says_capacity_exhausted(mentor, tenant_a, tenant_b):
    client, user = employer_client(mentor, "emp-full")
    first = ask(tenant_a, mentor, count=3)
    second = ask(tenant_b, mentor, count=2)  # fitted when asked; the first takes the room
    services.mentor_request_approve(mentor_request=first, actor=actor_for(user))
    page = client.get("/employer/requests/").content.decode()
    assert "Capacity exhausted: not enough free places." in page
    response = client.post(f"/employer/requests/{second.pk}/approve/", follow=True)
    body = response.content.decode()
    assert "Capacity exhausted:" in body and "1 free place(s), the request needs 2" in body
    assert MentorRequest.objects.get(pk=second.pk).status == RequestStatus.PENDING
    assert not Placement.objects.filter(request=second).exists()
    assert EmployerMentor.objects.get(pk=mentor.pk).capacity_used == 3


def test_ending_and_cancelling_placements_return_capacity(mentor, other_mentor, tenant_a):
    client, user = employer_client(mentor, "emp-close")
    one = services.mentor_request_approve(
        mentor_request=ask(tenant_a, mentor, 2), actor=actor_for(user)
    )
    two = services.mentor_request_approve(
        mentor_request=ask(tenant_a, mentor, 1), actor=actor_for(user)
    )
    theirs = services.mentor_request_approve(
        mentor_request=ask(tenant_a, other_mentor, 1), actor=SETUP
    )
    page = client.get("/employer/placements/")
    assert page.context["totals"]["active"] == 2 and page.context["totals"]["mentees"] == 3
    assert "Школа Альфа" in page.content.decode()
    for action in ("end", "cancel"):
        assert client.post(f"/employer/placements/{theirs.pk}/{action}/").status_code == 404
    assert Placement.objects.get(pk=theirs.pk).status == PlacementStatus.ACTIVE

    assert client.post(f"/employer/placements/{one.pk}/end/").status_code == 302
    assert client.post(f"/employer/placements/{two.pk}/cancel/").status_code == 302
    assert Placement.objects.get(pk=one.pk).status == PlacementStatus.ENDED
    assert Placement.objects.get(pk=two.pk).status == PlacementStatus.CANCELLED
    assert EmployerMentor.objects.get(pk=mentor.pk).capacity_used == 0
    again = client.post(f"/employer/placements/{one.pk}/end/", follow=True)
    assert "This placement is no longer active." in again.content.decode()


def test_employer_home_summary(mentor, tenant_a):
    client, user = employer_client(mentor, "emp-home")
    services.mentor_request_approve(mentor_request=ask(tenant_a, mentor, 3), actor=actor_for(user))
    ask(tenant_a, mentor, 1)
    home = client.get("/").content.decode()
    assert 'hx-get="/employer/summary/"' in home
    summary = client.get("/employer/summary/", HTTP_HX_REQUEST="true")
    assert summary.context["capacity_free"] == 1
    assert summary.context["pending"] == 1
    assert summary.context["placements_active"] == 1
    assert summary.context["mentees_placed"] == 3


def test_regional_staff_approve_any_employers_request(mentor, tenant_a, db):
    staff = make_user("public", Role.REGIONAL_STAFF, "staff-approver")
    client = page_client(PUBLIC_HOST, staff, "public", "en")
    request = ask(tenant_a, mentor, 1)
    assert client.post(f"/employer/requests/{request.pk}/approve/").status_code == 302
    assert Placement.objects.filter(request=request).exists()


# --- the board ----------------------------------------------------------------------------


def test_board_shows_supply_and_demand_and_downloads_xlsx(mentor, tenant_a, tenants):
    from openpyxl import load_workbook

    from regional.privacy import api as privacy

    privacy.region_settings_update(min_group_size=5, actor=SETUP)
    make_offer(
        tenant_a,
        last_name="Удалённая",
        remote=True,
        municipalities=[],
        capacity=2,
        competences=['=HYPERLINK("http://evil")'],
    )
    ask(tenant_a, mentor, 3)
    staff = make_user("public", Role.REGIONAL_STAFF, "staff-board")
    client = page_client(PUBLIC_HOST, staff, "public", "en")
    response = client.get("/board/")
    assert response.status_code == 200
    body = response.content.decode()
    assert tenants.municipality.name in body and "Remote (whole region)" not in body
    assert "Each place taken is counted once" in body
    assert 'id="board-data"' in body and "chart.umd.min.js" in body
    rows = {row["label"]: row for row in response.context["board"]["by_municipality"]}
    here = rows[tenants.municipality.name]
    # both mentors reach it (one remotely): 4 + 2 free places within reach
    assert (here["mentors_reaching"], here["capacity_free_reaching"]) == (2, 6)
    # 3 mentees asked for, fewer than k = 5: hidden, and the region's total with it
    assert here["pending_mentees"] is None and here["pending_requests"] == 1
    assert response.context["board"]["region"]["pending_mentees"] is None
    assert ">3<" not in body.split('data-testid="board-municipalities"')[1].split("</table>")[0]

    export = client.get("/board/export.xlsx")
    assert export.status_code == 200
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(export.content))
    sheet = book.worksheets[0]
    values = {row[0]: row[1:] for row in sheet.iter_rows(min_row=2, values_only=True)}
    # within reach: mentors, free places; taken here, pending requests, mentees requested
    assert values[tenants.municipality.name] == (2, 6, 0, 1, "hidden: small group")
    competences = {row[0].value: row[0].data_type for row in book.worksheets[1].iter_rows()}
    assert competences['=hyperlink("http://evil")'] == "s"  # text, not a formula

    employer_user = make_user("public", Role.EMPLOYER, "emp-board")
    employer_page = page_client(PUBLIC_HOST, employer_user, "public", "en")
    assert employer_page.get("/board/").status_code == 403
    assert employer_page.get("/board/export.xlsx").status_code == 403


def test_the_board_reads_a_fixed_number_of_queries_and_counts_every_request(
    mentor, tenant_a, tenants
):
    """More mentors and requests: the same queries (the totals summed from the mentors read,
    the placements counted with their places, each request's competences read with it);
    the region's figures are those of the rows."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from regional.privacy import api as privacy

    privacy.region_settings_update(min_group_size=5, actor=SETUP)
    client = page_client(PUBLIC_HOST, make_user("public", Role.REGIONAL_STAFF, "staff-q"), "public")

    def board() -> tuple[int, Any]:
        client.get("/board/")
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/board/")
        assert response.status_code == 200
        return len(queries), response.context["board"]

    before, _board = board()
    for i in range(3):
        extra = make_offer(tenant_a, last_name=f"Доп{i}", competences=[f"Навык{i}"], capacity=6)
        ask(tenant_a, extra, 5)
    ask(tenant_a, mentor, 1)
    after, data = board()
    assert before == after
    active = EmployerMentor.objects.filter(status="active")
    region = data["region"]
    assert region["mentors"] == active.count()
    assert region["capacity_total"] == sum(m.capacity for m in active)
    assert region["active_placements"] == Placement.objects.filter(status="active").count()
    assert region["pending_requests"] == 4 and region["pending_mentees"] == 16
    competences = {row["competence"]: row for row in data["by_competence"]}
    assert competences["навык1"]["pending_requests"] == 1
    assert competences["навык1"]["pending_mentees"] == 5


# --- the catalogue on the institution host ------------------------------------------------------


def school_client(institution: Institution, role: str, username: str) -> tuple[Client, User]:
    user = make_user(institution.schema_name, role, username)
    return page_client(institution.host, user, institution.schema_name, "en"), user


def test_catalogue_search_and_scope(mentor, tenant_a, tenant_b, db):
    far = Municipality.objects.create(name="Дальний район")
    make_offer(tenant_a, last_name="Далёкий", municipalities=[far.pk])
    make_offer(tenant_a, last_name="Пауза", status="paused")
    make_offer(tenant_a, last_name="Химик", competences=["Химия"], remote=True, municipalities=[])
    ask(tenant_b, mentor, 1, need="career_guidance")
    client, _user = school_client(tenant_a, Role.DIRECTOR, "dir-cat")
    page = client.get("/employer-mentors/").content.decode()
    assert "Кравцов" in page and "Химик" in page
    assert "Далёкий" not in page and "Пауза" not in page
    assert "Тема школы Бета" not in page  # another institution's request
    assert f"/employer-mentors/{mentor.pk}/request/" not in page  # a director does not request
    found = client.get("/employer-mentors/", {"competence": "хими", "free": "on"})
    names = [m.last_name for m in found.context["mentors"]]
    assert names == ["Химик"]
    elsewhere = client.get("/employer-mentors/", {"municipality": str(far.pk), "free": "on"})
    assert sorted(m.last_name for m in elsewhere.context["mentors"]) == ["Далёкий", "Химик"]


def test_request_a_mentor_with_errors_then_success(mentor, tenant_a):
    client, user = school_client(tenant_a, Role.COORDINATOR, "coord-ask")
    url = f"/employer-mentors/{mentor.pk}/request/"
    assert f'href="{url}"' in client.get("/employer-mentors/").content.decode()
    assert client.get(url).status_code == 200
    page = client.get(url).content.decode()
    assert 'name="topic"' not in page and "Профориентация" in page  # the catalogue, no text
    bad = client.post(url, {"form": "teacher_teacher", "mentees_count": "0", "level": "x"})
    assert bad.status_code == 400
    assert set(bad.context["form"].errors) == {"form", "mentees_count", "level", "need_code"}
    good = {"form": "employer_pupil", "level": "grade-7", "need_code": "career_guidance"}
    too_many = client.post(url, {**good, "mentees_count": "9"})
    assert too_many.status_code == 400
    assert "The mentor has only 4 free place(s)." in too_many.content.decode()
    assert 'id="id_mentees_count-errors"' in too_many.content.decode()
    assert not MentorRequest.objects.filter(employer_mentor=mentor).exists()

    ok = client.post(url, {**good, "mentees_count": "2"})
    assert ok.status_code == 302
    created = MentorRequest.objects.get(employer_mentor=mentor)
    assert (created.level, created.need_code) == ("grade-7", "career_guidance")
    assert created.need_name == "Профориентация, выбор профессии"
    assert created.topic == "Профориентация, выбор профессии · grade 7"
    assert (created.institution_id, created.requested_by_id, created.status) == (
        tenant_a.pk,
        user.pk,
        RequestStatus.PENDING,
    )
    page = client.get("/employer-mentors/").content.decode()
    assert f'data-testid="our-request-{created.pk}"' in page


def test_request_pages_refuse_out_of_scope_ids_and_roles(mentor, tenant_a, tenant_b, db):
    paused = make_offer(tenant_a, last_name="Пауза", status="paused")
    theirs = ask(tenant_b, mentor, 1)
    client, _user = school_client(tenant_a, Role.CURATOR, "cur-scope")
    assert client.get(f"/employer-mentors/{paused.pk}/request/").status_code == 404
    assert client.post(f"/employer-mentors/{paused.pk}/request/", {}).status_code == 404
    assert client.post(f"/employer-mentors/requests/{theirs.pk}/cancel/").status_code == 404
    assert MentorRequest.objects.get(pk=theirs.pk).status == RequestStatus.PENDING

    director, _d = school_client(tenant_a, Role.DIRECTOR, "dir-scope")
    response = director.post(
        f"/employer-mentors/{mentor.pk}/request/",
        {
            "form": "employer_pupil",
            "mentees_count": "1",
            "level": "grade-7",
            "need_code": "projects",
        },
    )
    assert response.status_code == 403
    assert not MentorRequest.objects.filter(institution=tenant_a).exists()


def test_institution_withdraws_and_sees_its_placement(mentor, tenant_a, db):
    client, _user = school_client(tenant_a, Role.COORDINATOR, "coord-withdraw")
    pending = ask(tenant_a, mentor, 1, need="career_guidance")
    approved = ask(tenant_a, mentor, 2, need="career_guidance")
    decider = make_user("public", Role.REGIONAL_ADMIN, "admin-decider")
    services.mentor_request_approve(mentor_request=approved, actor=actor_for(decider))
    assert client.post(f"/employer-mentors/requests/{pending.pk}/cancel/").status_code == 302
    assert MentorRequest.objects.get(pk=pending.pk).status == RequestStatus.CANCELLED
    page = client.get("/employer-mentors/").content.decode()
    assert "kravtsov@agro.example.org" in page  # the contact once the placement is active
