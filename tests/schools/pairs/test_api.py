"""The pairs API end to end: forming pairs, the approval order, plans written by mentor and
mentee, meetings and attendance, stale pairs, completion, ranking and documents — and who may
do what (a role matrix)."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context
from docx import Document

from schools.pairs import api, services
from schools.pairs.models import DevelopmentPlan, Meeting, Pair, PlanGoal
from tests import builders
from tests.conftest import SETUP
from tests.schools.pairs.conftest import World


def docx_tables(content: bytes) -> list[list[list[str]]]:
    document = Document(io.BytesIO(content))
    return [[[c.text for c in row.cells] for row in t.rows] for t in document.tables]


def docx_text(content: bytes) -> str:
    return "\n".join(p.text for p in Document(io.BytesIO(content)).paragraphs)


@pytest.fixture
def as_role(tenant_a: Any, world: World, client_for: Any) -> Any:
    def client(role: str) -> Any:
        made = client_for(tenant_a, world.users[role])
        made.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # assertions read the English msgids
        return made

    return client


# --- who sees which pairs -------------------------------------------------------------------------

VISIBLE_PAIRS = {
    "coordinator": 2,
    "curator": 2,
    "director": 2,
    "deputy": 2,
    "mentor": 1,
    "mentee": 1,
    "parent": 1,
    "other_mentor": 1,
    "other_mentee": 1,
}


@pytest.mark.parametrize("role", list(VISIBLE_PAIRS))
def test_role_matrix_for_pairs(role, as_role, world):
    client = as_role(role)
    listed = client.get("/api/v1/pairs/")
    assert listed.status_code == 200
    assert listed.json()["count"] == VISIBLE_PAIRS[role]
    detail = client.get(f"/api/v1/pairs/{world.pair.pk}/")
    sees_world_pair = role in (
        "coordinator",
        "curator",
        "director",
        "deputy",
        "mentor",
        "mentee",
        "parent",
    )
    assert detail.status_code == (200 if sees_world_pair else 404)
    # Only the coordinator forms and ends pairs; nothing changes for anyone else.
    ended = client.post(f"/api/v1/pairs/{world.pair.pk}/end-early/", {"reason": "x"})
    if role == "coordinator":
        assert ended.status_code == 200
    else:
        assert ended.status_code in (403, 404)
        with schema_context("alpha"):
            assert Pair.objects.get(pk=world.pair.pk).status == "active"
    order = client.get(f"/api/v1/pairs/order.docx?programme={world.programme.pk}")
    staff = role in ("coordinator", "curator", "director", "deputy")
    assert order.status_code == (200 if staff else 403)


def test_coordinator_forms_a_pair_and_bad_input_is_refused(as_role, world, in_a):
    mentor = builders.person(last_name="Волкова", email=builders.unique_email(), mentor_capacity=1)
    mentee = builders.person(last_name="Зайцев", email=builders.unique_email())
    no_consent = builders.person(last_name="Лисин", email=builders.unique_email(), consent=False)
    client = as_role("coordinator")
    body = {
        "programme": world.programme.pk,
        "mentor": mentor.pk,
        "mentees": [mentee.pk],
        "form": "teacher_teacher",
    }
    created = client.post("/api/v1/pairs/", body, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["mentees"][0]["full_name"] == mentee.full_name
    assert created.json()["is_stale"] is False
    bad = client.post("/api/v1/pairs/", {**body, "mentees": [no_consent.pk]}, format="json")
    assert bad.status_code == 400
    errors = bad.json()["errors"]
    assert "consent" in errors["mentees"][0] and "capacity" in errors["mentor"][0]
    assert as_role("mentor").post("/api/v1/pairs/", body, format="json").status_code == 403


def test_approval_order_docx_lists_the_pairs(as_role, world, in_a):
    response = as_role("director").get(
        f"/api/v1/pairs/order.docx?programme={world.programme.pk}&number=15-о&date=2040-09-10"
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    text = docx_text(response.content)
    assert "Школа Альфа" in text and "ПРИКАЗ" in text and "№ 15-о" in text
    assert "«10» сентября 2040 г." in text and "Об утверждении наставнических пар" in text
    assert world.programme.title in text and "Директор" in text
    (table,) = docx_tables(response.content)
    assert table[0] == ["№", "Форма наставничества", "Наставник", "Наставляемые", "Дата начала"]
    # Each name with the class or position beside it: «Соколова Анна Петровна (педагог)».
    rows = {row[2].split(" (")[0]: row for row in table[1:]}
    assert len(rows) == 2
    assert rows[world.mentor.full_name][1] == "педагог – педагог"
    assert rows[world.mentor.full_name][3] == f"{world.mentee.full_name} (педагог)"
    missing = as_role("coordinator").get("/api/v1/pairs/order.docx")
    assert missing.status_code == 400 and "programme" in missing.json()["errors"]


# --- development plans ----------------------------------------------------------------------------


def test_plan_is_written_by_the_mentor_and_read_by_the_mentee_and_others(as_role, world):
    """The mentor (and the coordinator) write the plan's summary and goals; the mentee, its
    parent and the staff read them (README: «the mentor edits its goals»)."""
    with schema_context("alpha"):
        plan = DevelopmentPlan.objects.get(pair=world.pair)
    mentor, mentee = as_role("mentor"), as_role("mentee")
    assert (
        mentor.patch(
            f"/api/v1/development-plans/{plan.pk}/", {"summary": "Подготовка к аттестации"}
        ).status_code
        == 200
    )
    goal = mentor.post(
        "/api/v1/plan-goals/",
        {"plan": plan.pk, "title": "Открытый урок", "deadline": "2040-12-01", "progress": 20},
        format="json",
    )
    assert goal.status_code == 201, goal.json()
    goal_id = goal.json()["id"]
    assert (
        mentor.patch(f"/api/v1/plan-goals/{goal_id}/", {"status": "done"}, format="json").json()[
            "progress"
        ]
        == 100
    )
    read = as_role("parent").get(f"/api/v1/development-plans/{plan.pk}/")
    assert read.status_code == 200 and read.json()["progress"] == 100
    assert mentee.get(f"/api/v1/plan-goals/{goal_id}/").status_code == 200
    assert as_role("coordinator").get("/api/v1/development-plans/").json()["count"] == 2
    # The mentee reads the goals but writes none of them ...
    written = mentee.post("/api/v1/plan-goals/", {"plan": plan.pk, "title": "x"}, format="json")
    assert written.status_code == 403
    assert mentee.patch(f"/api/v1/plan-goals/{goal_id}/", {"title": "x"}).status_code == 403
    assert mentee.delete(f"/api/v1/plan-goals/{goal_id}/").status_code == 403
    # ... while the plan's summary is written in the mentee's own words too.
    summary = {"summary": "Хочу провести открытый урок"}
    assert mentee.patch(f"/api/v1/development-plans/{plan.pk}/", summary).status_code == 200
    # Refusals: other people's plans are not found; readers may not write.
    other = as_role("other_mentor")
    assert other.patch(f"/api/v1/development-plans/{plan.pk}/", {"summary": "x"}).status_code == 404
    assert other.patch(f"/api/v1/plan-goals/{goal_id}/", {"title": "x"}).status_code == 404
    refused = other.post("/api/v1/plan-goals/", {"plan": plan.pk, "title": "x"}, format="json")
    assert refused.status_code == 400
    for role in ("parent", "director", "curator"):
        assert (
            as_role(role)
            .patch(f"/api/v1/development-plans/{plan.pk}/", {"summary": "x"})
            .status_code
            == 403
        )
    bad = mentor.patch(f"/api/v1/plan-goals/{goal_id}/", {"progress": 150}, format="json")
    assert bad.status_code == 400
    with schema_context("alpha"):
        assert DevelopmentPlan.objects.get(pk=plan.pk).summary == "Хочу провести открытый урок"
        assert PlanGoal.objects.get(pk=goal_id).title == "Открытый урок"
    # The coordinator may correct a plan too.
    coordinator = as_role("coordinator")
    assert coordinator.patch(f"/api/v1/plan-goals/{goal_id}/", {"title": "Урок"}).status_code == 200
    assert mentor.delete(f"/api/v1/plan-goals/{goal_id}/").status_code == 204


# --- meetings ------------------------------------------------------------------------------


def test_meetings_follow_the_methodology_and_attendance_is_recorded(as_role, world):
    mentor = as_role("mentor")
    start = timezone.now() - datetime.timedelta(days=2)
    first = mentor.post(
        "/api/v1/meetings/",
        {
            "pair": world.pair.pk,
            "kind": "organisational",
            "starts_at": start.isoformat(),
            "place": "Каб. 12",
        },
        format="json",
    )
    assert first.status_code == 201, first.json()
    again = mentor.post(
        "/api/v1/meetings/",
        {
            "pair": world.pair.pk,
            "kind": "organisational",
            "starts_at": start.isoformat(),
            "place": "x",
        },
        format="json",
    )
    assert again.status_code == 400 and "kind" in again.json()["errors"]
    too_early = mentor.post(
        "/api/v1/meetings/",
        {
            "pair": world.pair.pk,
            "kind": "trial",
            "starts_at": (start - datetime.timedelta(hours=1)).isoformat(),
            "link": "https://meet.example.ru/x",
        },
        format="json",
    )
    assert too_early.status_code == 400 and "starts_at" in too_early.json()["errors"]
    no_place = mentor.post(
        "/api/v1/meetings/",
        {"pair": world.pair.pk, "kind": "regular", "starts_at": start.isoformat()},
        format="json",
    )
    assert no_place.status_code == 400
    meeting_id = first.json()["id"]
    stranger = person_id(world, "other")
    bad = mentor.post(
        f"/api/v1/meetings/{meeting_id}/attendance/", {"attendees": [stranger]}, format="json"
    )
    assert bad.status_code == 400
    held = mentor.post(
        f"/api/v1/meetings/{meeting_id}/attendance/",
        {"attendees": [world.mentor.pk, world.mentee.pk], "outcomes": "Договорились о целях"},
        format="json",
    )
    assert held.status_code == 200 and held.json()["status"] == "held"
    assert sorted(held.json()["attendees"]) == sorted([world.mentor.pk, world.mentee.pk])
    # The mentee reads but does not plan meetings; another mentor cannot touch this pair.
    assert as_role("mentee").get(f"/api/v1/meetings/{meeting_id}/").status_code == 200
    assert (
        as_role("mentee")
        .post("/api/v1/meetings/", {"pair": world.pair.pk}, format="json")
        .status_code
        == 403
    )
    assert as_role("other_mentor").get(f"/api/v1/meetings/{meeting_id}/").status_code == 404
    foreign = as_role("other_mentor").post(
        "/api/v1/meetings/",
        {"pair": world.pair.pk, "kind": "regular", "starts_at": start.isoformat(), "place": "x"},
        format="json",
    )
    assert foreign.status_code == 400 and "pair" in foreign.json()["errors"]


def person_id(world: World, which: str) -> int:
    with schema_context("alpha"):
        from schools.participants.api import Participant

        return Participant.objects.get(last_name="Смирнов").pk


def test_pairs_without_a_meeting_for_30_days_are_flagged(as_role, world):
    with schema_context("alpha"):
        Pair.objects.filter(pk=world.pair.pk).update(
            started_on=timezone.localdate() - datetime.timedelta(days=45)
        )
    client = as_role("coordinator")
    stale = client.get("/api/v1/pairs/?stale=true").json()
    assert [p["id"] for p in stale["results"]] == [world.pair.pk]
    assert stale["results"][0]["is_stale"] is True
    with schema_context("alpha"):
        meeting = Meeting.objects.create(
            pair_id=world.pair.pk,
            kind="organisational",
            starts_at=timezone.now() - datetime.timedelta(days=31),
            place="Каб. 1",
            status="held",
        )
    assert client.get("/api/v1/pairs/?stale=true").json()["count"] == 1  # 31 days ago
    with schema_context("alpha"):
        Meeting.objects.filter(pk=meeting.pk).update(
            starts_at=timezone.now() - datetime.timedelta(days=3)
        )
    assert client.get("/api/v1/pairs/?stale=true").json()["count"] == 0
    fresh = client.get(f"/api/v1/pairs/{world.pair.pk}/").json()
    assert fresh["is_stale"] is False and fresh["last_meeting_at"] is not None
    assert client.get("/api/v1/pairs/?stale=false").json()["count"] == 2


# --- completion ----------------------------------------------------------------------------


def test_completion_ranking_and_documents(as_role, world):
    mentor, mentee = as_role("mentor"), as_role("mentee")
    with schema_context("alpha"):
        services.meeting_create(
            pair=world.pair,
            kind="final",
            starts_at=timezone.now() - datetime.timedelta(hours=2),
            place="Актовый зал",
            actor=SETUP,
        )
        Meeting.objects.filter(pair=world.pair).update(status="held")
    done = mentor.post(
        f"/api/v1/pairs/{world.pair.pk}/complete/",
        {"outcome": "Наставляемый прошёл аттестацию", "mentor_rating": 9},
        format="json",
    )
    assert done.status_code == 200, done.json()
    assert done.json()["status"] == "completed" and done.json()["ended_on"]
    assert mentee.post(f"/api/v1/pairs/{world.pair.pk}/rate/", {"rating": 10}).status_code == 200
    assert mentee.post(f"/api/v1/pairs/{world.pair.pk}/rate/", {"rating": 11}).status_code == 400
    assert (
        as_role("mentee")
        .post(f"/api/v1/pairs/{world.pair.pk}/complete/", {"outcome": "x"})
        .status_code
        == 403
    )
    again = mentor.post(f"/api/v1/pairs/{world.pair.pk}/complete/", {"outcome": "x"})
    assert again.status_code == 400

    ranking = as_role("director").get(f"/api/v1/pairs/ranking/?programme={world.programme.pk}")
    assert ranking.status_code == 200
    top = ranking.json()[0]
    assert top["mentor_id"] == world.mentor.pk and top["rank"] == 1
    assert top["completed_pairs"] == 1 and top["mentee_rating_avg"] == 10.0
    assert top["meetings_held"] == 1 and top["mentor_rating_avg"] == 9.0
    assert as_role("mentor").get("/api/v1/pairs/ranking/").status_code == 403

    order = as_role("coordinator").get(
        f"/api/v1/pairs/encouragement-order.docx?programme={world.programme.pk}"
    )
    assert order.status_code == 200
    assert "О поощрении участников наставнической деятельности" in docx_text(order.content)
    mentors, mentees = docx_tables(order.content)
    assert [row[1] for row in mentors[1:]] == [world.mentor.full_name]  # only completed pairs
    assert [row[1] for row in mentees[1:]] == [world.mentee.full_name]

    letter = as_role("coordinator").get(
        f"/api/v1/pairs/{world.pair.pk}/thank-you-letter.docx?addressee=ООО «Агро»"
    )
    assert letter.status_code == 200
    text = docx_text(letter.content)
    assert "БЛАГОДАРСТВЕННОЕ ПИСЬМО" in text and "Уважаемая Анна Петровна!" in text
    assert "Соколовой Анне Петровне" in text  # the addressee, in the dative
    assert "ООО «Агро»" in text


def test_success_story_is_published_without_names(as_role, world):
    client = as_role("coordinator")
    with schema_context("alpha"):  # a learner in no pair, named in the story
        from schools.participants import api as participants_api

        participants_api.participant_create(
            last_name="Вишневская",
            first_name="Злата",
            birth_date=datetime.date(2012, 4, 1),
            category="pupil",
            actor=SETUP,
        )
    story = (
        f"{world.mentor.full_name} помогла {world.mentee.last_name}у подготовиться к олимпиаде. "
        "Злате Вишневской тоже понравилось. "
        "Пишите: sokolova@alpha.ru, +7 (928) 123-45-67."
    )
    created = client.post(
        "/api/v1/practice-cases/",
        {
            "programme": world.programme.pk,
            "pair": world.pair.pk,
            "form": "teacher_teacher",
            "title": f"История {world.mentee.last_name}а",
            "text": story,
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert (
        as_role("curator")
        .post(f"/api/v1/practice-cases/{created.json()['id']}/publish/")
        .status_code
        == 403
    )
    case_id = created.json()["id"]
    # nothing goes out before the coordinator has seen the prepared copy
    refused = client.post(f"/api/v1/practice-cases/{case_id}/publish/")
    assert refused.status_code == 400 and "preview" in refused.json()["errors"]
    prepared = client.post(f"/api/v1/practice-cases/{case_id}/prepare/")
    assert prepared.status_code == 202 and prepared.json()["preview_status"] == "pending"
    with schema_context("alpha"):  # what the worker does
        assert services.practice_case_anonymise(case_id=case_id)
    ready = client.get(f"/api/v1/practice-cases/{case_id}/").json()
    assert ready["preview_status"] == "ready" and ready["preview_current"] is True
    kinds = {item["kind"] for item in ready["preview_hidden"]}
    assert {"email", "phone"} <= kinds and kinds & {"name", "person"}
    published = client.post(f"/api/v1/practice-cases/{case_id}/publish/")
    assert published.status_code == 200 and published.json()["status"] == "published"
    with schema_context("alpha"):
        (copy,) = api.success_stories_published()
    assert set(copy) == {"title", "text", "form", "published_at"}
    flat = (copy["title"] + " " + copy["text"]).lower()
    for word in (
        *world.mentor.full_name.split(),
        world.mentee.last_name,
        "Вишневск",
        "Злат",
        "sokolova",
        "928",
    ):
        assert word.lower()[:5] not in flat, (word, flat)
    assert "олимпиаде" in copy["text"]
    assert as_role("mentor").get("/api/v1/practice-cases/").status_code == 403
