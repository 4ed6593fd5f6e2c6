"""A pair's meetings, the group meeting with its preferences, and guardianships on the pages
of institution A: what the API lets each role do, the pages let them do too, with the errors
next to the fields."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.models import Role, User
from schools.matching import services as matching_services
from schools.matching.models import GroupMeeting, MatchProposal, Preference
from schools.pairs import services as pair_services
from schools.pairs.models import Meeting, Pair
from schools.participants import api as participants
from schools.participants import services as participant_services
from schools.participants.models import Guardianship
from schools.programmes import services as programme_services
from schools.programmes.selectors import current_academic_year
from tests import builders
from tests.conftest import SETUP, make_user
from tests.web.conftest import page_client

TODAY = timezone.localdate()


@dataclass
class World:
    schema: str
    host: str
    users: dict[str, User]
    programme: Any
    mentor: Any
    mentees: list[Any]
    pair: Pair


def build_world(tenant: Any) -> World:
    """A teacher mentoring a group of two pupils of 7А; 7А has a curator; logins for the
    mentor, one mentee, the coordinator, 7А's curator and another curator."""
    schema = tenant.schema_name
    users = {
        "coordinator": make_user(schema, Role.COORDINATOR, "mt-coordinator"),
        "curator": make_user(schema, Role.CURATOR, "mt-curator"),
        "other_curator": make_user(schema, Role.CURATOR, "mt-curator-2"),
        "mentor": make_user(schema, Role.MENTOR, "mt-mentor"),
        "mentee": make_user(schema, Role.MENTEE, "mt-mentee"),
        "director": make_user(schema, Role.DIRECTOR, "mt-director"),
    }
    with schema_context(schema):
        programme = programme_services.programme_create(
            actor=SETUP,
            academic_year=current_academic_year(),
            title="Программа наставничества",
            forms=["pupil_pupil", "teacher_teacher"],
        )
        group = participant_services.study_group_get_or_create(name="7А", actor=SETUP)
        participant_services.study_group_update(
            group=group, curator_id=users["curator"].pk, actor=SETUP
        )
        mentor = builders.person(
            last_name="Иванова",
            first_name="Мария",
            category="teacher",
            born=datetime.date(1980, 3, 1),
            user_id=users["mentor"].pk,
            middle_name="",
        )
        mentees = [
            builders.person(
                last_name="Петров",
                first_name="Олег",
                category="pupil",
                born=TODAY.replace(year=TODAY.year - 13),
                study_group_id=group.pk,
                user_id=users["mentee"].pk,
                middle_name="",
                guardian="Родитель",
            ),
            builders.person(
                last_name="Сидорова",
                first_name="Анна",
                category="pupil",
                born=TODAY.replace(year=TODAY.year - 13),
                study_group_id=group.pk,
                middle_name="",
                guardian="Родитель",
            ),
        ]
        participants.mentor_profile_upsert(participant_id=mentor.pk, capacity=3, actor=SETUP)
        pair = pair_services.pair_create(
            programme_id=programme.pk,
            mentor_participant_id=mentor.pk,
            mentee_participant_ids=[m.pk for m in mentees],
            form=programme.forms[0],
            started_on=TODAY - datetime.timedelta(days=30),
            actor=SETUP,
        )
    return World(schema, tenant.host, users, programme, mentor, mentees, pair)


def client(world: World, who: str, language: str = "en") -> Any:
    return page_client(world.host, world.users[who], world.schema, language)


def _meeting(world: World, *, days: int, kind: str = "organisational") -> Meeting:
    with schema_context(world.schema):
        return pair_services.meeting_create(
            pair=world.pair,
            kind=kind,
            starts_at=timezone.now() + datetime.timedelta(days=days),
            place="Кабинет 12",
            actor=SETUP,
        )


# --- meetings ------------------------------------------------------------------------------------


def test_mentor_marks_a_planned_meeting_held_with_who_attended(tenant_a):
    world = build_world(tenant_a)
    meeting = _meeting(world, days=-2)
    mentor = client(world, "mentor")
    pair_page = mentor.get(f"/pairs/{world.pair.pk}/").content.decode()
    assert f"/meetings/{meeting.pk}/held/" in pair_page  # a past planned meeting: mark it held
    form = mentor.get(f"/meetings/{meeting.pk}/held/").content.decode()
    for person in (world.mentor, *world.mentees):  # each member of the group
        assert person.full_name in form
    # nobody named: the error is next to the list of people
    refused = mentor.post(f"/meetings/{meeting.pk}/held/", {"held-outcomes": "x"})
    assert refused.status_code == 400
    assert 'id="id_held-attendees-errors"' in refused.content.decode()
    came = [world.mentor.pk, world.mentees[0].pk]  # the second pupil was ill
    done = mentor.post(
        f"/meetings/{meeting.pk}/held/",
        {"held-attendees": came, "held-outcomes": "Составили план", "held-notes": "Хорошо"},
    )
    assert done.status_code == 302
    with schema_context(world.schema):
        meeting.refresh_from_db()
        assert meeting.status == "held" and meeting.outcomes == "Составили план"
        assert sorted(p.pk for p in meeting.attendees.all()) == sorted(came)
    page = mentor.get(f"/pairs/{world.pair.pk}/").content.decode()
    assert "Составили план" in page and f"/meetings/{meeting.pk}/held/" not in page


def test_the_pair_page_names_who_attended_in_name_order_members_or_not(tenant_a):
    """The attendees are named from the pair's people read with the pair (their ids come with
    the meetings); someone no longer in the pair (a mentee re-assigned since) is still named."""
    world = build_world(tenant_a)
    meeting = _meeting(world, days=-2)
    with schema_context(world.schema):
        gone = builders.person(
            last_name="Абрамов",
            first_name="Глеб",
            category="pupil",
            born=TODAY.replace(year=TODAY.year - 13),
            middle_name="",
            guardian="Родитель",
        )
        pair_services.meeting_record_attendance(
            meeting=meeting, participant_ids=[world.mentees[0].pk, world.mentor.pk], actor=SETUP
        )
        meeting.attendees.add(gone)
    page = client(world, "coordinator").get(f"/pairs/{world.pair.pk}/").content.decode()
    assert "Абрамов Глеб, Иванова Мария, Петров Олег</div>" in page
    assert "Петров Олег, Сидорова Анна</div>" not in page  # the second pupil did not come


def test_a_meeting_in_the_future_cannot_be_marked_held(tenant_a):
    world = build_world(tenant_a)
    meeting = _meeting(world, days=3)
    response = client(world, "mentor").post(
        f"/meetings/{meeting.pk}/held/", {"held-attendees": [world.mentor.pk]}
    )
    assert response.status_code == 400
    assert "The meeting has not taken place yet." in response.content.decode()
    with schema_context(world.schema):
        meeting.refresh_from_db()
        assert meeting.status == "planned"


def test_move_a_meeting_and_cancel_another(tenant_a):
    world = build_world(tenant_a)
    first = _meeting(world, days=2)
    mentor = client(world, "mentor")
    moved_to = (timezone.localtime() + datetime.timedelta(days=5)).replace(
        hour=15, minute=30, second=0, microsecond=0
    )
    body = {
        "meeting-kind": "organisational",
        "meeting-starts_at": moved_to.strftime("%Y-%m-%dT%H:%M"),
        "meeting-duration_minutes": "45",
        "meeting-place": "",
        "meeting-link": "",
        "meeting-notes": "",
    }
    # neither a place nor a link: the error is next to the place
    refused = mentor.post(f"/meetings/{first.pk}/edit/", body)
    assert refused.status_code == 400 and 'id="id_meeting-place-errors"' in refused.content.decode()
    saved = mentor.post(
        f"/meetings/{first.pk}/edit/", {**body, "meeting-link": "https://meet.example.ru/x"}
    )
    assert saved.status_code == 302
    with schema_context(world.schema):
        first.refresh_from_db()
        assert first.starts_at == moved_to and first.duration_minutes == 45
    trial = _meeting(world, days=8, kind="trial")
    assert mentor.post(f"/meetings/{trial.pk}/cancel/").status_code == 302
    with schema_context(world.schema):
        trial.refresh_from_db()
        assert trial.status == "cancelled"


def test_who_may_write_meetings_follows_the_api(tenant_a):
    """The coordinator, the pair's mentor and the curator of the pupils' class; not another
    curator, the director or a mentee (they see the pair but may not write)."""
    world = build_world(tenant_a)
    meeting = _meeting(world, days=-1)
    for who in ("coordinator", "curator", "mentor"):
        assert client(world, who).get(f"/meetings/{meeting.pk}/edit/").status_code == 200, who
    for who in ("other_curator", "director", "mentee"):
        response = client(world, who).post(
            f"/meetings/{meeting.pk}/held/", {"held-attendees": [world.mentor.pk]}
        )
        assert response.status_code == 403, who
        api = client(world, who).post(
            f"/api/v1/meetings/{meeting.pk}/attendance/",
            {"attendees": [world.mentor.pk]},
            content_type="application/json",
        )
        assert api.status_code == 403, who
    with schema_context(world.schema):
        meeting.refresh_from_db()
        assert meeting.status == "planned"
    # the curator of 7А marks it held through the API too: one rule behind both doors
    api = client(world, "curator").post(
        f"/api/v1/meetings/{meeting.pk}/attendance/",
        {"attendees": [world.mentor.pk]},
        content_type="application/json",
    )
    assert api.status_code == 200, api.content


def test_the_calendar_link_is_shown_once_and_answers_icalendar(tenant_a):
    world = build_world(tenant_a)
    _meeting(world, days=2)
    mentee = client(world, "mentee")
    page = mentee.get(f"/pairs/{world.pair.pk}/").content.decode()
    assert 'data-testid="calendar"' in page and "/api/v1/calendar/" not in page
    issued = mentee.post("/calendar-link/", {"pair": world.pair.pk})
    assert issued.status_code == 302 and issued["Location"].endswith(
        f"/pairs/{world.pair.pk}/#calendar"
    )
    page = mentee.get(f"/pairs/{world.pair.pk}/").content.decode()
    start = page.index("/api/v1/calendar/")
    path = page[start : page.index('"', start)]
    assert "webcal://" in page
    again = mentee.get(f"/pairs/{world.pair.pk}/").content.decode()
    assert path not in again and 'data-testid="calendar-on"' in again  # shown once
    feed = page_client(world.host, None, world.schema).get(path)
    assert feed.status_code == 200 and feed["Content-Type"].startswith("text/calendar")
    assert "LOCATION:Кабинет 12" in feed.content.decode().replace("\r\n ", "")  # unfolded
    assert mentee.post("/calendar-link/revoke/", {"pair": world.pair.pk}).status_code == 302
    assert page_client(world.host, None, world.schema).get(path).status_code == 404


# --- the group meeting and preferences -----------------------------------------------------------


def test_group_meeting_preferences_feed_the_matching_score(tenant_a):
    """The coordinator plans the group meeting and marks it held; the mentor and a mentee
    choose each other on their own pages; a new matching run scores the pair higher."""
    world = build_world(tenant_a)
    mentor_user = make_user(world.schema, Role.MENTOR, "mt-mentor-2")
    young_user = make_user(world.schema, Role.MENTEE, "mt-mentee-2")
    with schema_context(world.schema):
        # a second mentor and a mentee to match (the pupils are already paired)
        mentor = builders.person(
            last_name="Козлов",
            first_name="Игорь",
            category="teacher",
            born=datetime.date(1975, 1, 1),
            user_id=mentor_user.pk,
            middle_name="",
        )
        participants.mentor_profile_upsert(
            participant_id=mentor.pk, competence_codes=["career_guidance"], capacity=2, actor=SETUP
        )
        young = builders.person(
            last_name="Лебедева",
            first_name="Дарья",
            category="teacher",
            born=datetime.date(2001, 2, 2),
            is_young_specialist=True,
            user_id=young_user.pk,
            middle_name="",
        )
        participants.mentee_profile_upsert(
            participant_id=young.pk, need_codes=["career_guidance"], actor=SETUP
        )
        before = matching_services.run_create(programme=world.programme, actor=SETUP)
        proposal = MatchProposal.objects.get(run=before, mentee_id=young.pk)
        assert proposal.mentor_id == mentor.pk
        score_before = proposal.score
    world.users["mentor2"], world.users["young"] = mentor_user, young_user

    coordinator = client(world, "coordinator")
    tomorrow = TODAY + datetime.timedelta(days=1)
    planned = coordinator.post(
        "/matching/group-meetings/",
        {"group-held_on": tomorrow.isoformat(), "group-place": "Актовый зал"},
    )
    assert planned.status_code == 302
    with schema_context(world.schema):
        meeting = GroupMeeting.objects.get(programme=world.programme)
    # not before its day: the error is next to the list of people
    early = coordinator.post(
        f"/matching/group-meetings/{meeting.pk}/held/", {"attended-attendees": [mentor.pk]}
    )
    assert early.status_code == 400
    assert 'id="id_attended-attendees-errors"' in early.content.decode()
    moved = coordinator.post(
        f"/matching/group-meetings/{meeting.pk}/edit/",
        {"group-held_on": TODAY.isoformat(), "group-place": "Актовый зал"},
    )
    assert moved.status_code == 302
    held = coordinator.post(
        f"/matching/group-meetings/{meeting.pk}/held/",
        {"attended-attendees": [mentor.pk, young.pk, world.mentor.pk]},
    )
    assert held.status_code == 302

    # the young teacher's own page offers the mentors who came (not other mentees)
    mine = client(world, "young")
    form = mine.get(f"/matching/group-meetings/{meeting.pk}/preferences/").content.decode()
    assert "Козлов Игорь" in form and "Лебедева" not in form.split("<form", 1)[1]
    twice = mine.post(
        f"/matching/group-meetings/{meeting.pk}/preferences/",
        {"prefs-choice_1": mentor.pk, "prefs-choice_2": mentor.pk},
    )
    assert twice.status_code == 400 and 'id="id_prefs-choice_2-errors"' in twice.content.decode()
    saved = mine.post(
        f"/matching/group-meetings/{meeting.pk}/preferences/",
        {"prefs-choice_1": mentor.pk, "prefs-avoid": [world.mentor.pk]},
    )
    assert saved.status_code == 302
    answered = client(world, "mentor2").post(
        f"/matching/group-meetings/{meeting.pk}/preferences/", {"prefs-choice_1": young.pk}
    )
    assert answered.status_code == 302
    # a mentee who did not come has no such page
    absent = client(world, "mentee").get(f"/matching/group-meetings/{meeting.pk}/preferences/")
    assert absent.status_code == 404
    with schema_context(world.schema):
        stated = set(
            Preference.objects.filter(meeting=meeting).values_list(
                "from_participant_id", "to_participant_id", "kind", "rank"
            )
        )
        assert stated == {
            (young.pk, mentor.pk, "prefer", 1),
            (young.pk, world.mentor.pk, "avoid", None),
            (mentor.pk, young.pk, "prefer", 1),
        }
        after = matching_services.run_create(programme=world.programme, actor=SETUP)
        proposal = MatchProposal.objects.get(run=after, mentee_id=young.pk)
        points = {c["code"]: c["points"] for c in proposal.breakdown["criteria"]}
        assert points["preference"] > 0
        assert proposal.score > score_before
    # the coordinator records a paper form on someone's behalf: the same choices, named
    on_behalf = coordinator.get(
        f"/matching/group-meetings/{meeting.pk}/preferences/?person={young.pk}"
    ).content.decode()
    assert f'name="person" value="{young.pk}"' in on_behalf
    assert "Козлов Игорь" in on_behalf.split("<form", 1)[1]
    # the coordinator sees who has chosen, and corrects who came on its own page
    detail = coordinator.get(f"/matching/group-meetings/{meeting.pk}/").content.decode()
    assert "has chosen" in detail and "not yet" in detail
    assert f"/matching/group-meetings/{meeting.pk}/held/" in detail
    assert 'name="attended-attendees"' not in detail
    form = coordinator.get(f"/matching/group-meetings/{meeting.pk}/held/").content.decode()
    assert f'name="attended-attendees" value="{young.pk}" id="id_attended-attendees_' in form
    director = client(world, "director")
    assert director.get(f"/matching/group-meetings/{meeting.pk}/held/").status_code == 403


# --- guardianships -------------------------------------------------------------------------------


def test_coordinator_links_and_unlinks_a_parent_and_an_adult_is_refused(tenant_a):
    world = build_world(tenant_a)
    child = world.mentees[1]
    with schema_context(world.schema):
        parent = participant_services.participant_create(
            last_name="Сидорова", first_name="Елена", category="parent", actor=SETUP
        )
    coordinator = client(world, "coordinator")
    page = coordinator.get(f"/participants/{child.pk}/guardians/").content.decode()
    assert "Сидорова Елена" not in page  # the parents are searched for, not all listed
    page = coordinator.get(f"/participants/{child.pk}/guardians/?find=сидорова").content.decode()
    assert f'<option value="{parent.pk}">Сидорова Елена</option>' in page
    page = coordinator.get(
        f"/participants/{child.pk}/guardians/?find=Никтоненайден"
    ).content.decode()
    assert "Сидорова Елена" not in page and 'data-testid="guardian-none"' in page
    missing = coordinator.post(
        f"/participants/{child.pk}/guardians/", {"guardian-relation": "mother"}
    )
    assert (
        missing.status_code == 400 and 'id="id_guardian-parent-errors"' in missing.content.decode()
    )
    linked = coordinator.post(
        f"/participants/{child.pk}/guardians/",
        {"guardian-parent": parent.pk, "guardian-relation": "mother"},
    )
    assert linked.status_code == 302
    with schema_context(world.schema):
        link = Guardianship.objects.get(parent=parent, child=child)
    # an adult "child" is refused with the reason
    adult = coordinator.post(
        f"/participants/{world.mentor.pk}/guardians/",
        {"guardian-parent": parent.pk, "guardian-relation": "mother"},
    )
    assert adult.status_code == 400 and "is an adult" in adult.content.decode()
    # another class's curator does not see the child; the pupils' curator may unlink
    assert (
        client(world, "other_curator").post(f"/guardianships/{link.pk}/delete/").status_code == 404
    )
    assert client(world, "director").post(f"/guardianships/{link.pk}/delete/").status_code == 403
    assert client(world, "curator").post(f"/guardianships/{link.pk}/delete/").status_code == 302
    with schema_context(world.schema):
        assert not Guardianship.objects.filter(pk=link.pk).exists()


def test_the_api_links_a_parent_and_refuses_an_adult(tenant_a):
    """POST /api/v1/guardianships/ answered 500 for every valid body (issue #11)."""
    world = build_world(tenant_a)
    with schema_context(world.schema):
        parent = participant_services.participant_create(
            last_name="Петрова", first_name="Нина", category="parent", actor=SETUP
        )
    api = client(world, "coordinator")
    created = api.post(
        "/api/v1/guardianships/",
        {"parent": parent.pk, "child": world.mentees[0].pk, "relation": "mother"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    refused = api.post(
        "/api/v1/guardianships/",
        {"parent": parent.pk, "child": world.mentor.pk, "relation": "mother"},
        content_type="application/json",
    )
    assert refused.status_code == 400 and "child" in refused.json()["errors"]


# --- the pair's own ratings, plan summary and goals ---------------------------------------------


def test_members_rate_the_work_and_write_the_plan_summary(tenant_a):
    from schools.pairs.models import DevelopmentPlan, PairMentee, PlanGoal

    world = build_world(tenant_a)
    mentee = client(world, "mentee")
    page = mentee.get(f"/pairs/{world.pair.pk}/").content.decode()
    assert 'data-testid="pair-rating"' in page
    too_high = mentee.post(f"/pairs/{world.pair.pk}/rate/", {"rate-rating": "11"})
    assert too_high.status_code == 400
    assert 'id="id_rate-rating-errors"' in too_high.content.decode()
    assert mentee.post(f"/pairs/{world.pair.pk}/rate/", {"rate-rating": "9"}).status_code == 302
    assert (
        client(world, "mentor")
        .post(f"/pairs/{world.pair.pk}/rate/", {"rate-rating": "8"})
        .status_code
        == 302
    )
    assert (
        client(world, "director")
        .post(f"/pairs/{world.pair.pk}/rate/", {"rate-rating": "1"})
        .status_code
        == 403
    )
    with schema_context(world.schema):
        world.pair.refresh_from_db()
        assert world.pair.mentor_rating == 8
        assert PairMentee.objects.get(pair=world.pair, mentee=world.mentees[0]).rating == 9
        plan = DevelopmentPlan.objects.get(pair=world.pair, mentee=world.mentees[0])
        other = DevelopmentPlan.objects.get(pair=world.pair, mentee=world.mentees[1])
        goal = pair_services.plan_goal_create(
            actor=SETUP, plan=plan, title="Подготовиться к олимпиаде"
        )
    saved = mentee.post(
        f"/plans/{plan.pk}/summary/", {f"summary-{plan.pk}-summary": "Хочу на олимпиаду"}
    )
    assert saved.status_code == 302
    # the other pupil's plan is out of this mentee's sight; the director sees it, may not write
    other_path = f"/plans/{other.pk}/summary/"
    assert mentee.post(other_path, {f"summary-{other.pk}-summary": "x"}).status_code == 404
    assert (
        client(world, "director").post(other_path, {f"summary-{other.pk}-summary": "x"}).status_code
        == 403
    )
    # a goal is removed by the mentor (the page's rule for goals), not by the mentee
    assert mentee.post(f"/plan-goals/{goal.pk}/delete/").status_code == 403
    assert client(world, "mentor").post(f"/plan-goals/{goal.pk}/delete/").status_code == 302
    with schema_context(world.schema):
        plan.refresh_from_db()
        assert plan.summary == "Хочу на олимпиаду"
        assert not PlanGoal.objects.filter(pk=goal.pk).exists()


def test_coordinator_sets_the_weights_of_the_score(tenant_a):
    from schools.matching.models import MatchingSettings

    world = build_world(tenant_a)
    body = {
        "weights-preference": "60",
        "weights-needs": "20",
        "weights-form": "10",
        "weights-time": "5",
        "weights-peer": "5",
        "weights-min_needs_covered": "1",
        "weights-hours_per_mentee": "4",
    }
    coordinator = client(world, "coordinator")
    refused = coordinator.post("/matching/weights/", {**body, "weights-preference": "-1"})
    assert refused.status_code == 400
    assert 'id="id_weights-preference-errors"' in refused.content.decode()
    assert coordinator.post("/matching/weights/", body).status_code == 302
    assert client(world, "curator").get("/matching/weights/").status_code == 200
    assert client(world, "curator").post("/matching/weights/", body).status_code == 403
    with schema_context(world.schema):
        weights = MatchingSettings.objects.get(programme=world.programme).weights
        assert weights["preference"] == 60 and weights["needs"] == 20


def test_coordinator_invites_a_curator_by_email(tenant_a):
    from accounts.models import Invitation

    world = build_world(tenant_a)
    coordinator = client(world, "coordinator")
    bad = coordinator.post(
        "/invitations/", {"invite-email": "not-an-address", "invite-role": "curator"}
    )
    assert bad.status_code == 400 and 'id="id_invite-email-errors"' in bad.content.decode()
    sent = coordinator.post(
        "/invitations/",
        {
            "invite-email": "kurator@alpha.ru",
            "invite-role": "curator",
            "invite-last_name": "Орлова",
        },
    )
    assert sent.status_code == 302
    with schema_context(world.schema):
        invitation = Invitation.objects.get(email="kurator@alpha.ru")
        assert invitation.role == "curator"
    assert client(world, "curator").get("/invitations/").status_code == 403


def test_a_curator_marks_done_only_the_roadmap_activities_it_is_responsible_for(tenant_a):
    from schools.programmes import services as programmes
    from schools.programmes.models import RoadmapActivity

    world = build_world(tenant_a)
    with schema_context(world.schema):
        RoadmapActivity.objects.filter(programme=world.programme).delete()
        deadline = TODAY + datetime.timedelta(days=10)
        mine = programmes.roadmap_activity_create(
            actor=SETUP,
            programme=world.programme,
            stage=5,
            title="Классный час с наставниками 7А",
            deadline=deadline,
            responsible_people_ids=[world.users["curator"].pk],
        )
        other = programmes.roadmap_activity_create(
            actor=SETUP, programme=world.programme, stage=5, title="Педсовет", deadline=deadline
        )
    curator = client(world, "curator")
    roadmap = curator.get("/programme/").content.decode()
    assert f"/programme/activities/{mine.pk}/done/" in roadmap
    assert f"/programme/activities/{other.pk}/done/" not in roadmap
    assert f"/programme/activities/{mine.pk}/edit/" not in roadmap  # the coordinator edits
    assert curator.post(f"/programme/activities/{mine.pk}/done/").status_code == 302
    assert curator.post(f"/programme/activities/{other.pk}/done/").status_code == 403
    with schema_context(world.schema):
        mine.refresh_from_db()
        other.refresh_from_db()
        assert mine.status == "done" and other.status != "done"


def test_coordinator_moves_a_campaigns_dates_and_removes_a_roadmap_activity(tenant_a, school):
    from schools.monitoring.models import SurveyCampaign
    from schools.programmes.models import RoadmapActivity

    coordinator = page_client(
        tenant_a.host, school.users[Role.COORDINATOR], tenant_a.schema_name, "en"
    )
    with schema_context(tenant_a.schema_name):
        campaign = SurveyCampaign.objects.get(pk=school.ids["surveycampaign"])
        opens_on = campaign.opens_on
    path = f"/campaigns/{campaign.pk}/dates/"
    before = (opens_on - datetime.timedelta(days=1)).isoformat()
    refused = coordinator.post(
        path, {"dates-opens_on": opens_on.isoformat(), "dates-closes_on": before}
    )
    assert refused.status_code == 400, refused.status_code
    later = (opens_on + datetime.timedelta(days=40)).isoformat()
    saved = coordinator.post(
        path, {"dates-opens_on": opens_on.isoformat(), "dates-closes_on": later}
    )
    assert saved.status_code == 302
    curator = page_client(tenant_a.host, school.users[Role.CURATOR], tenant_a.schema_name, "en")
    assert curator.post(path, {"dates-closes_on": later}).status_code == 403
    activity_id = school.ids["roadmapactivity"]
    assert curator.post(f"/programme/activities/{activity_id}/delete/").status_code == 403
    assert coordinator.post(f"/programme/activities/{activity_id}/delete/").status_code == 302
    with schema_context(tenant_a.schema_name):
        campaign.refresh_from_db()
        assert campaign.closes_on.isoformat() == later
        assert not RoadmapActivity.objects.filter(pk=activity_id).exists()
