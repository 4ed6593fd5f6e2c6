"""The lists answered from plain rows (``config.api.rows``): every row is exactly the object's
detail (the output serializer's JSON), and a list reads its page in a number of queries that
does not grow with the rows (the total comes with the page, related ids and names with the
rows).

The data covers what the formats must get right: null and set dates and date-times, several
curators, mentees and attendees, every consent state, accounts, classes, ratings."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from accounts.services import api_token_issue
from schools.pairs import services as pair_services
from schools.pairs.models import Meeting, PairMentee
from schools.participants import services as participant_services
from schools.participants.models import Participant
from schools.programmes import services as programme_services
from tests import builders
from tests.conftest import SETUP, make_user

LISTS = ["programmes", "participants", "pairs", "meetings"]
# The tenant's lookup (one statement: the domain, its institution, the search path), the token
# with its user, and the page with its total: nothing per row, no count of its own.
QUERIES = 3


def _years_ago(years: int, days: int = 0) -> datetime.date:
    today = timezone.localdate()
    return today.replace(year=today.year - years) + datetime.timedelta(days=days)


class School:
    """Institution A's rows, added in rounds of the same variety (``add``)."""

    def __init__(self, schema_name: str) -> None:
        self.schema_name = schema_name
        self.round = 0
        self.curators = [make_user(schema_name, "curator", f"rows-curator-{n}") for n in range(2)]
        self.coordinator = make_user(schema_name, "coordinator", "rows-coordinator")
        with schema_context(schema_name):
            self.group = participant_services.study_group_create(
                name="5А", curator_id=self.curators[0].pk, actor=SETUP
            )

    def add(self) -> None:
        """A round: two programmes, eight people, two pairs (one a group), three meetings."""
        self.round += 1
        n = self.round
        signed_on = timezone.localdate() - datetime.timedelta(days=3)
        with schema_context(self.schema_name):
            programme_services.programme_create(
                academic_year=2000 + 2 * n,
                title=f"Программа {n}",
                forms=["pupil_pupil", "teacher_teacher"],
                coordinator_id=self.coordinator.pk,
                curator_ids=[c.pk for c in reversed(self.curators)],
                headcount_learners=10 * n,
                with_default_roadmap=False,
                actor=SETUP,
            )
            current = programme_services.programme_create(
                academic_year=2001 + 2 * n,
                title=f"Программа {n}б",
                with_default_roadmap=False,
                actor=SETUP,
            )
            mentor = builders.person(
                last_name=f"Наставникова{n}",
                born=_years_ago(40),
                category="teacher",
                consent_on=signed_on,
            )
            participant_services.mentor_profile_upsert(
                participant_id=mentor.pk, capacity=3, actor=SETUP
            )
            adult = builders.person(
                last_name=f"Взрослая{n}",
                middle_name="",
                born=_years_ago(30),
                category="pupil",
                consent_on=signed_on,
            )
            teen = builders.person(
                last_name=f"Подросток{n}",
                born=_years_ago(15),
                category="pupil",
                consent_on=signed_on,
                study_group_id=self.group.pk,
            )
            child = builders.person(
                last_name=f"Ребёнок{n}",
                born=_years_ago(14, days=10),
                category="pupil",
                consent_on=signed_on,
            )  # turns 14 soon
            for mentee in (adult, teen, child):
                participant_services.mentee_profile_upsert(participant_id=mentee.pk, actor=SETUP)
            withdrawn = builders.person(
                last_name=f"Отозвавшая{n}",
                born=_years_ago(30),
                category="pupil",
                consent_on=signed_on,
            )
            builders.consent(participant=withdrawn, kind="withdrawal", signed_on=signed_on)
            builders.person(
                last_name=f"Безсогласия{n}",
                birth_date_known=False,
                category="pupil",
                consent=False,
                email=f"nobody{n}@alpha.ru",
                phone="+7 900",
            )
            erased = builders.person(
                last_name=f"Стёртая{n}",
                born=_years_ago(20),
                category="pupil",
                consent=False,
            )
            Participant.objects.filter(pk=erased.pk).update(
                erased_at=timezone.now(), erase_after=timezone.localdate()
            )
            with_login = make_user(self.schema_name, "mentee", f"rows-mentee-{n}")
            builders.person(
                last_name=f"Сучётом{n}",
                born=_years_ago(25),
                category="pupil",
                consent=False,
                user_id=with_login.pk,
            )

            group = pair_services.pair_create(
                programme_id=current.pk,
                mentor_participant_id=mentor.pk,
                mentee_participant_ids=[teen.pk, adult.pk],
                form="pupil_pupil",
                started_on=timezone.localdate() - datetime.timedelta(days=60),
                actor=SETUP,
            )
            PairMentee.objects.filter(pair=group, mentee=adult).update(rating=8)
            single = pair_services.pair_create(
                programme_id=current.pk,
                mentor_participant_id=mentor.pk,
                mentee_participant_ids=[child.pk],
                form="pupil_pupil",
                started_on=timezone.localdate() - datetime.timedelta(days=5),
                actor=SETUP,
            )
            held = Meeting.objects.create(
                pair=group,
                kind="organisational",
                starts_at=timezone.now() - datetime.timedelta(days=40, microseconds=n),
                status="held",
                place="Кабинет 12",
                notes="Знакомство",
                outcomes="План на месяц",
                reminder_sent_at=timezone.now() - datetime.timedelta(days=41),
            )
            held.attendees.set([adult.pk, mentor.pk, teen.pk])
            Meeting.objects.create(
                pair=group,
                kind="regular",
                starts_at=timezone.now() + datetime.timedelta(days=3),
                link="https://meet.example.org/a",
            )
            Meeting.objects.create(
                pair=single,
                kind="organisational",
                starts_at=datetime.datetime(2040, 1, 1, 12, 0, tzinfo=datetime.UTC),
                duration_minutes=45,
            )
            pair_services.pair_complete(pair=single, outcome="Готово", mentor_rating=7, actor=SETUP)


@pytest.fixture
def school(tenant_a: Any) -> School:
    made = School(tenant_a.schema_name)
    made.add()
    return made


@pytest.fixture
def coordinator(tenant_a: Any, school: School) -> APIClient:
    with schema_context(tenant_a.schema_name):
        token = api_token_issue(user=school.coordinator)
    return APIClient(
        HTTP_HOST=tenant_a.host,
        HTTP_AUTHORIZATION=f"Token {token.key}",
        HTTP_ACCEPT="application/json",
    )


def _listed(client: APIClient, name: str, **params: Any) -> tuple[dict[str, Any], int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/api/v1/{name}/", params)
    assert response.status_code == 200, response.content[:500]
    return response.json(), len(queries)


@pytest.mark.parametrize("name", LISTS)
def test_a_listed_row_is_the_objects_detail(name: str, coordinator: APIClient) -> None:
    listed, _queries = _listed(coordinator, name, page_size=500)
    assert listed["count"] == len(listed["results"]) > 1
    for row in listed["results"]:
        detail = coordinator.get(f"/api/v1/{name}/{row['id']}/")
        assert detail.status_code == 200
        assert row == detail.json()


def test_the_rows_cover_the_formats(coordinator: APIClient) -> None:
    """The parity above compares what the data has: make sure it has the hard cases."""
    people = _listed(coordinator, "participants", page_size=500)[0]["results"]
    assert {p["consent_state"] for p in people} == {
        "valid",
        "reconsent_due",
        "missing",
        "withdrawn",
        "erased",
    }
    assert {p["age"] for p in people} >= {None, 15, 30}
    assert any(p["user"] for p in people) and any(p["study_group"] for p in people)
    pairs = _listed(coordinator, "pairs")[0]["results"]
    assert sorted(len(p["mentees"]) for p in pairs) == [1, 2]
    assert {p["status"] for p in pairs} == {"active", "completed"}
    assert any(p["last_meeting_at"] for p in pairs) and any(p["ended_on"] for p in pairs)
    meetings = _listed(coordinator, "meetings")[0]["results"]
    assert sorted(len(m["attendees"]) for m in meetings) == [0, 0, 3]
    assert meetings[-1]["starts_at"] == "2040-01-01T15:00:00+03:00"  # the institution's zone
    programmes = _listed(coordinator, "programmes")[0]["results"]
    assert sorted(len(p["curators"]) for p in programmes) == [0, 2]


@pytest.mark.parametrize("name", LISTS)
def test_a_list_reads_its_page_in_queries_that_do_not_grow_with_rows(
    name: str, coordinator: APIClient, school: School
) -> None:
    small, queries_small = _listed(coordinator, name)
    school.add()
    school.add()
    large, queries_large = _listed(coordinator, name)
    assert large["count"] == len(large["results"]) == 3 * small["count"]
    assert queries_small == queries_large == QUERIES


@pytest.mark.parametrize("name", LISTS)
def test_a_page_carries_the_total_of_every_page(
    name: str, coordinator: APIClient, school: School
) -> None:
    whole = _listed(coordinator, name, page_size=500)[0]
    total = whole["count"]
    first, queries = _listed(coordinator, name, page_size=2)
    assert first["count"] == total and queries == QUERIES
    last_number = (total + 1) // 2
    last = _listed(coordinator, name, page_size=2, page=last_number)[0]
    assert last["count"] == total and last["next"] is None
    assert [r["id"] for r in whole["results"]][-len(last["results"]) :] == [
        r["id"] for r in last["results"]
    ]
    assert _listed(coordinator, name, page_size=2, page="last")[0]["results"] == last["results"]
    for beyond in (str(last_number + 1), "0", "x"):
        response = coordinator.get(f"/api/v1/{name}/", {"page_size": "2", "page": beyond})
        assert response.status_code == 404
        assert "Invalid page" in response.json()["detail"]


def test_an_empty_list_has_a_total_of_nothing(coordinator: APIClient) -> None:
    listed, queries = _listed(coordinator, "meetings", kind="final")
    assert listed == {"count": 0, "next": None, "previous": None, "results": []}
    assert queries == QUERIES
    response = coordinator.get("/api/v1/meetings/", {"kind": "final", "page": "2"})
    assert response.status_code == 404


def test_filters_and_the_scope_still_apply(
    tenant_a: Any, coordinator: APIClient, school: School, client_for: Callable[..., Any]
) -> None:
    held = _listed(coordinator, "meetings", status="held")[0]
    assert held["count"] == 1 and held["results"][0]["status"] == "held"
    for state in ("missing", "withdrawn", "reconsent_due"):
        people = _listed(coordinator, "participants", consent_state=state)[0]["results"]
        assert people and {p["consent_state"] for p in people} == {state}
    due = _listed(coordinator, "participants", needs_reconsent="true")[0]["results"]
    assert {p["consent_state"] for p in due} == {"reconsent_due"}
    stale = _listed(coordinator, "pairs", stale="true")[0]
    assert [p["is_stale"] for p in stale["results"]] == [True]
    # A curator sees the people of its class only (the access layer's rule).
    curator = client_for(tenant_a, school.curators[0])
    seen = curator.get("/api/v1/participants/").json()
    assert [p["study_group"] for p in seen["results"]] == [school.group.pk]
