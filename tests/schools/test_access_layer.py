"""The access layer through both doors (API and pages): each scope is tested by someone it
must keep out, so that removing any one rule makes a test here fail.

One world in institution A: two classes with their curators; a mentor and a mentee (a college
student of age, in class 9А) in a pair, another pair in class 9Б; a parent of the adult mentee
and of a minor pupil, another parent; two group meetings; the staff."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone, translation
from django_tenants.utils import schema_context

from accounts.actor import Actor, actor_for
from accounts.models import User
from schools.audit import access as audit_access
from schools.audit.models import AuditEntry
from schools.matching import services as matching_services
from schools.pairs import access as pair_access
from schools.pairs import services as pair_services
from schools.pairs.models import CalendarToken, DevelopmentPlan, PlanGoal
from schools.participants import access as participant_access
from schools.participants import api as participants
from schools.participants import services as participant_services
from schools.participants.models import (
    Consent,
    ConsentAlert,
    ConsentScan,
    Guardianship,
    Participant,
)
from schools.programmes.models import Programme
from tests import builders
from tests.conftest import SETUP, make_user
from tests.web.conftest import page_client

ROLES = (
    "coordinator",
    "director",
    "curator",
    "other_curator",
    "mentor",
    "mentee",
    "parent",
    "other_mentor",
    "other_mentee",
    "other_parent",
)


@dataclass
class World:
    users: dict[str, User]
    ids: dict[str, int]
    schema: str
    host: str

    def api(self, client_for: Any, tenant: Any, role: str) -> Any:
        return client_for(tenant, self.users[role])

    def page(self, role: str) -> Any:
        return page_client(self.host, self.users[role], self.schema, language="en")

    def actor(self, role: str) -> Actor:
        with schema_context(self.schema):
            return actor_for(self.users[role])


def _born(years: int) -> datetime.date:
    today = timezone.localdate()
    return today.replace(year=today.year - years, day=min(today.day, 28))


@pytest.fixture(autouse=True)
def _english() -> Any:
    with translation.override("en"):
        yield


@pytest.fixture
def world(tenant_a: Any) -> World:
    return build_world(tenant_a)


def build_world(tenant_a: Any) -> World:
    """The world of these tests (also ``tests/schools/test_access_objects.py``)."""
    schema = tenant_a.schema_name
    roles_of = {
        "coordinator": "coordinator",
        "director": "director",
        "curator": "curator",
        "other_curator": "curator",
        "mentor": "mentor",
        "mentee": "mentee",
        "parent": "parent",
        "other_mentor": "mentor",
        "other_mentee": "mentee",
        "other_parent": "parent",
    }
    users = {
        name: make_user(schema, role, f"access-{name}", email=f"access-{name}@alpha.ru")
        for name, role in roles_of.items()
    }
    with schema_context(schema):
        mine = participant_services.study_group_create(
            name="9А", curator_id=users["curator"].pk, actor=SETUP
        )
        theirs = participant_services.study_group_create(
            name="9Б", curator_id=users["other_curator"].pk, actor=SETUP
        )
        programme = Programme.objects.create(
            academic_year=2041, title="Программа", status="active", forms=["teacher_student"]
        )
        mentor = builders.person(
            last_name="Соколова",
            born=_born(40),
            category="teacher",
            user_id=users["mentor"].pk,
        )
        other_mentor = builders.person(
            last_name="Орлов",
            born=_born(45),
            category="teacher",
            user_id=users["other_mentor"].pk,
        )
        mentee = builders.person(
            last_name="Петров",
            born=_born(19),
            category="student",
            study_group_id=mine.pk,
            user_id=users["mentee"].pk,
        )
        other_mentee = builders.person(
            last_name="Смирнов",
            born=_born(19),
            category="student",
            study_group_id=theirs.pk,
            user_id=users["other_mentee"].pk,
        )
        young = builders.person(
            last_name="Петрова",
            born=_born(12),
            category="pupil",
            study_group_id=mine.pk,
            guardian="Петрова Анна",
        )
        parent = builders.person(
            last_name="Петрова",
            born=_born(45),
            category="parent",
            user_id=users["parent"].pk,
            consent=False,
        )
        other_parent = builders.person(
            last_name="Смирнова",
            born=_born(45),
            category="parent",
            user_id=users["other_parent"].pk,
            consent=False,
        )
        for who in (mentor, other_mentor):
            participants.mentor_profile_upsert(actor=SETUP, participant_id=who.pk, capacity=2)
        participants.guardianship_create(
            actor=SETUP, parent_id=parent.pk, child_id=young.pk, relation="mother"
        )
        # Recorded while the mentee was a minor (a new link to an adult is refused).
        Guardianship.objects.create(parent=parent, child=mentee, relation="mother")
        Guardianship.objects.create(parent=other_parent, child=other_mentee, relation="mother")
        pair = pair_services.pair_create(
            programme_id=programme.pk,
            mentor_participant_id=mentor.pk,
            mentee_participant_ids=[mentee.pk],
            form="teacher_student",
            actor=SETUP,
        )
        other_pair = pair_services.pair_create(
            programme_id=programme.pk,
            mentor_participant_id=other_mentor.pk,
            mentee_participant_ids=[other_mentee.pk],
            form="teacher_student",
            actor=SETUP,
        )
        ours = matching_services.group_meeting_create(
            programme=programme,
            held_on=timezone.localdate(),
            attendee_ids=[mentor.pk, mentee.pk],
            actor=SETUP,
        )
        others = matching_services.group_meeting_create(
            programme=programme,
            held_on=timezone.localdate(),
            attendee_ids=[other_mentor.pk, other_mentee.pk],
            actor=SETUP,
        )
        plan = DevelopmentPlan.objects.get(pair=pair)
    ids = {
        "mentor": mentor.pk,
        "other_mentor": other_mentor.pk,
        "mentee": mentee.pk,
        "other_mentee": other_mentee.pk,
        "young": young.pk,
        "parent": parent.pk,
        "other_parent": other_parent.pk,
        "class": mine.pk,
        "pair": pair.pk,
        "other_pair": other_pair.pk,
        "plan": plan.pk,
        "meeting": ours.pk,
        "other_meeting": others.pk,
    }
    return World(users=users, ids=ids, schema=schema, host=tenant_a.host)


def _ids(response: Any) -> set[int]:
    assert response.status_code == 200, response.content
    body = response.json()
    rows = body["results"] if isinstance(body, dict) else body
    return {row["id"] for row in rows}


# --- consents: who reads them and downloads the form ------------------------------------------

CONSENT_READERS = {"coordinator", "director", "curator", "mentee", "parent"}


@pytest.mark.parametrize("role", ROLES)
def test_a_consent_is_read_by_the_person_its_guardian_and_curator_not_its_mentor(
    tenant_a, client_for, world, role
):
    mentee = world.ids["mentee"]
    client = world.api(client_for, tenant_a, role)
    listed = client.get(f"/api/v1/consents/?participant={mentee}")
    assert listed.status_code == 200
    assert (listed.json()["count"] > 0) == (role in CONSENT_READERS)
    form = client.get(f"/api/v1/participants/{mentee}/consent-form/")
    assert form.status_code == (200 if role in CONSENT_READERS else 404)
    # The mentor still sees its mentee as a person: only the consent is out of its reach.
    if role == "mentor":
        assert client.get(f"/api/v1/participants/{mentee}/").status_code == 200


@pytest.mark.parametrize(
    ("role", "status"),
    [("coordinator", 200), ("curator", 200), ("other_curator", 404), ("mentor", 403)],
)
def test_the_consent_form_page_follows_the_same_rule(world, role, status):
    response = world.page(role).get(f"/documents/consent-forms/{world.ids['mentee']}/")
    assert response.status_code == status


# --- consent withdrawal by a parent: minors only, on both doors -------------------------------


def test_a_consents_scan_and_withdrawal_alert_are_read_as_the_consent_is(world):
    """The scan of a signed paper is read by whoever reads its consent; the alert of a
    withdrawal by the staff who see the whole institution and the curator of the class."""
    scans, readable, alerted = {}, {}, {}
    with schema_context(world.schema):
        for who in ("mentee", "other_mentee"):
            person = Participant.objects.get(pk=world.ids[who])
            consent = Consent.objects.filter(participant=person).first()
            assert consent is not None
            ConsentScan.objects.create(
                consent=consent,
                file="scan.pdf",
                content_type="application/pdf",
                size=1024,
                sha256="0" * 64,
            )
            ConsentAlert.objects.create(
                participant=person, kind="withdrawn", study_group_id=person.study_group_id
            )
        scanned = set(ConsentScan.objects.values_list("consent_id", flat=True))
        for role in ROLES:
            actor = world.actor(role)
            consents = participant_access.consents_visible_to(actor)
            readable[role] = set(consents.values_list("pk", flat=True)) & scanned
            scans[role] = set(
                participant_access.consent_scans_visible_to(actor).values_list(
                    "consent_id", flat=True
                )
            )
            alerted[role] = set(
                Participant.objects.filter(
                    pk__in=participant_access.consent_alerts_visible_to(actor).values(
                        "participant_id"
                    )
                ).values_list("last_name", flat=True)
            )
    assert scans == readable
    assert any(readable.values())
    expected = {
        "coordinator": {"Петров", "Смирнов"},
        "director": {"Петров", "Смирнов"},
        "curator": {"Петров"},
        "other_curator": {"Смирнов"},
    }
    assert alerted == {role: expected.get(role, set()) for role in ROLES}


@pytest.mark.parametrize(
    ("role", "children"),
    [
        ("parent", {"mentee", "young"}),
        ("other_parent", {"other_mentee"}),
        ("coordinator", set()),
        ("curator", set()),
        ("mentor", set()),
        ("mentee", set()),
    ],
)
def test_a_parents_children_are_its_own_and_nobody_else_has_any(world, role, children):
    """The parent's pages (its children's consents and pairs) open only its own children:
    another parent's child, or any child for a role that is not a parent, is not found."""
    with schema_context(world.schema):
        actor = world.actor(role)
        seen = set(participant_access.children_visible_to(actor).values_list("pk", flat=True))
        someone_elses = world.ids["other_mentee" if role == "parent" else "young"]
        with pytest.raises(participant_access.NotFound):
            participant_access.access_child_by_id(actor, someone_elses)
    assert seen == {world.ids[name] for name in children}


def _withdrawal(pk: int) -> dict[str, Any]:
    return {
        "participant": pk,
        "kind": "withdrawal",
        "signed_by": "guardian",
        "guardian_name": "Петрова Анна",
        "guardian_relation": "mother",
        "signed_on": str(timezone.localdate()),
        "method": "electronic",
    }


def _withdrawals(world: World, pk: int) -> int:
    with schema_context(world.schema):
        return Consent.objects.filter(participant_id=pk, kind="withdrawal").count()


def test_a_parent_cannot_withdraw_an_adults_consent_through_the_api(tenant_a, client_for, world):
    client = world.api(client_for, tenant_a, "parent")
    adult = world.ids["mentee"]
    refused = client.post("/api/v1/consents/", _withdrawal(adult), format="json")
    assert refused.status_code == 403
    assert "personally" in refused.json()["detail"]
    assert _withdrawals(world, adult) == 0
    with schema_context(world.schema):
        assert Participant.objects.get(pk=adult).processing_stopped_at is None
    # The same parent withdraws for its minor child.
    minor = world.ids["young"]
    assert client.post("/api/v1/consents/", _withdrawal(minor), format="json").status_code == 201
    assert _withdrawals(world, minor) == 1


def test_a_parent_cannot_withdraw_an_adults_consent_through_the_page(world):
    client = world.page("parent")
    adult = world.ids["mentee"]
    page = client.get(f"/my/consents/{adult}/withdraw/")
    assert page.status_code == 200
    response = client.post(
        f"/my/consents/{adult}/withdraw/", {"purpose": "personal_data", "confirm": "on"}
    )
    assert response.status_code == 400
    assert _withdrawals(world, adult) == 0


def test_an_empty_post_to_the_withdrawal_page_is_400_with_errors(world):
    client = world.page("parent")
    adult = client.post(f"/my/consents/{world.ids['mentee']}/withdraw/", {})
    assert adult.status_code == 400
    assert 'role="alert"' in adult.content.decode() and "personally" in adult.content.decode()
    minor = client.post(f"/my/consents/{world.ids['young']}/withdraw/", {})
    assert minor.status_code == 400
    assert 'aria-invalid="true"' in minor.content.decode()
    for pk in (world.ids["mentee"], world.ids["young"]):
        assert _withdrawals(world, pk) == 0


def test_an_empty_post_to_the_consent_record_page_is_400_with_errors(world):
    for role in ("coordinator", "curator"):
        response = world.page(role).post(f"/participants/{world.ids['mentee']}/consents/", {})
        assert response.status_code == 400
        assert 'aria-invalid="true"' in response.content.decode()


def test_a_curator_records_consents_for_its_class_only(world):
    data = {
        "kind": "grant",
        "purpose": "personal_data",
        "signed_by": "self",
        "signed_on": timezone.localdate().strftime("%Y-%m-%d"),
        "method": "paper_scan",
    }
    theirs = world.page("curator").post(
        f"/participants/{world.ids['other_mentee']}/consents/", data
    )
    assert theirs.status_code == 404


# --- guardianships --------------------------------------------------------------------------------


def test_guardianships_are_created_through_the_api_within_the_actors_reach(
    tenant_a, client_for, world
):
    with schema_context(world.schema):
        newcomer = builders.person(
            last_name="Кузнецов",
            born=_born(10),
            category="pupil",
            study_group_id=world.ids["class"],
            consent=False,
        )
        stranger = builders.person(
            last_name="Волков", born=_born(10), category="pupil", consent=False
        )
    body = {"parent": world.ids["other_parent"], "child": newcomer.pk, "relation": "father"}
    created = world.api(client_for, tenant_a, "curator").post(
        "/api/v1/guardianships/", body, format="json"
    )
    assert created.status_code == 201, created.json()
    assert created.json()["parent"] == world.ids["other_parent"]
    again = world.api(client_for, tenant_a, "coordinator").post(
        "/api/v1/guardianships/", body, format="json"
    )
    assert again.status_code == 400 and "child" in again.json()["errors"]
    outside = {"parent": world.ids["parent"], "child": stranger.pk, "relation": "mother"}
    refused = world.api(client_for, tenant_a, "curator").post(
        "/api/v1/guardianships/", outside, format="json"
    )
    assert refused.status_code == 400 and "child" in refused.json()["errors"]
    by_parent = world.api(client_for, tenant_a, "parent").post(
        "/api/v1/guardianships/", outside, format="json"
    )
    assert by_parent.status_code == 403
    by_coordinator = world.api(client_for, tenant_a, "coordinator").post(
        "/api/v1/guardianships/", outside, format="json"
    )
    assert by_coordinator.status_code == 201
    with schema_context(world.schema):
        assert Guardianship.objects.filter(child=stranger).count() == 1


def _links(world: World, *pairs: tuple[str, str]) -> set[int]:
    with schema_context(world.schema):
        return {
            Guardianship.objects.get(parent_id=world.ids[p], child_id=world.ids[c]).pk
            for p, c in pairs
        }


@pytest.mark.parametrize(
    ("role", "seen"),
    [
        ("parent", {("parent", "mentee"), ("parent", "young")}),
        ("other_parent", {("other_parent", "other_mentee")}),
        ("curator", {("parent", "mentee"), ("parent", "young")}),
        ("other_curator", {("other_parent", "other_mentee")}),
        (
            "coordinator",
            {("parent", "mentee"), ("parent", "young"), ("other_parent", "other_mentee")},
        ),
    ],
)
def test_guardianships_are_seen_within_the_actors_reach(tenant_a, client_for, world, role, seen):
    listed = world.api(client_for, tenant_a, role).get("/api/v1/guardianships/")
    assert _ids(listed) == _links(world, *seen)


@pytest.mark.parametrize("role", ["mentor", "mentee", "other_mentee"])
def test_guardianships_are_not_a_pair_members_to_read(world, role):
    """Neither the mentor nor a mentee (even one whose parent is linked) reads the links."""
    with schema_context(world.schema):
        assert Guardianship.objects.exists()
        assert not participant_access.guardianships_visible_to(world.actor(role)).exists()


def test_a_parents_login_not_yet_linked_to_a_person_sees_no_guardianship(
    tenant_a, client_for, world
):
    """A parent invited but not yet recorded as a participant is nobody's guardian here."""
    lonely = make_user(world.schema, "parent", "access-lonely-parent")
    listed = client_for(tenant_a, lonely).get("/api/v1/guardianships/")
    assert _ids(listed) == set()
    with schema_context(world.schema):
        assert Guardianship.objects.exists()
        assert not participant_access.guardianships_visible_to(actor_for(lonely)).exists()


# --- the mentor base ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "seen"),
    [
        ("coordinator", {"mentor", "other_mentor"}),
        ("mentor", {"mentor"}),
        ("other_mentor", {"other_mentor"}),
        ("mentee", set()),
        ("curator", set()),
        ("parent", set()),
    ],
)
def test_mentor_profiles_are_seen_within_the_actors_reach(tenant_a, client_for, world, role, seen):
    listed = world.api(client_for, tenant_a, role).get("/api/v1/mentor-profiles/")
    assert listed.status_code == 200
    assert {row["participant"] for row in listed.json()["results"]} == {
        world.ids[name] for name in seen
    }


@pytest.mark.parametrize(
    ("role", "seen"),
    [
        ("coordinator", {"mentee", "other_mentee"}),
        ("curator", {"mentee"}),
        ("other_curator", {"other_mentee"}),
        ("mentee", {"mentee"}),
        ("other_mentee", {"other_mentee"}),
    ],
)
def test_mentee_profiles_are_seen_within_the_actors_reach(world, role, seen):
    """A mentee's request (its profile in the mentee base) is read as the person is: a curator
    its classes' mentees, a mentee its own."""
    with schema_context(world.schema):
        for who in ("mentee", "other_mentee"):
            participants.mentee_profile_upsert(participant_id=world.ids[who], actor=SETUP)
        shown = participant_access.mentee_profiles_visible_to(world.actor(role))
        people = set(shown.values_list("participant_id", flat=True))
    assert people == {world.ids[name] for name in seen}


# --- group meetings and their preferences -------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "seen"),
    [
        ("coordinator", {"meeting", "other_meeting"}),
        ("curator", {"meeting", "other_meeting"}),
        ("mentor", {"meeting"}),
        ("mentee", {"meeting"}),
        ("other_mentee", {"other_meeting"}),
    ],
)
def test_group_meetings_are_seen_by_their_attendees_and_the_staff(
    tenant_a, client_for, world, role, seen
):
    listed = world.api(client_for, tenant_a, role).get("/api/v1/matching/group-meetings/")
    assert _ids(listed) == {world.ids[name] for name in seen}
    other = world.ids["other_meeting" if "other_meeting" not in seen else "meeting"]
    if other not in _ids(listed):
        detail = world.api(client_for, tenant_a, role).get(
            f"/api/v1/matching/group-meetings/{other}/"
        )
        assert detail.status_code == 404


def test_group_meetings_are_closed_to_parents(tenant_a, client_for, world):
    assert (
        world.api(client_for, tenant_a, "parent")
        .get("/api/v1/matching/group-meetings/")
        .status_code
        == 403
    )
    assert not pair_access_free(world, "parent")


@pytest.mark.parametrize(
    ("role", "seen_from"),
    [
        ("coordinator", {"mentor", "mentee"}),
        ("curator", {"mentor", "mentee"}),
        ("mentor", {"mentor"}),
        ("mentee", {"mentee"}),
        ("other_mentee", set()),
        ("parent", set()),
    ],
)
def test_a_persons_preferences_are_read_by_that_person_and_the_staff(world, role, seen_from):
    """After the group meeting the mentor and the mentee each name the other: each reads what
    they said themselves, not what was said about them; the staff read both."""
    from schools.matching import access as matching_access
    from schools.matching import services as matching_services
    from schools.matching.models import GroupMeeting

    with schema_context(world.schema):
        meeting = GroupMeeting.objects.get(pk=world.ids["meeting"])
        for who, whom in (("mentor", "mentee"), ("mentee", "mentor")):
            matching_services.preferences_record(
                meeting=meeting,
                from_participant_id=world.ids[who],
                items=[{"to_participant": world.ids[whom], "kind": "prefer", "rank": 1}],
                actor=SETUP,
            )
        shown = matching_access.preferences_visible_to(world.actor(role), meeting)
        authors = set(shown.values_list("from_participant_id", flat=True))
    assert authors == {world.ids[who] for who in seen_from}


# --- development plans: who reads them, who writes the goals, who writes the summary ---------

# role: (plans read, plans whose goals it writes, plans whose summary it writes); "ours" is
# the plan of the mentor's pair with the adult mentee, "theirs" the other pair's.
PLAN_REACH = {
    "coordinator": ({"ours", "theirs"}, {"ours", "theirs"}, {"ours", "theirs"}),
    "director": ({"ours", "theirs"}, set(), set()),
    "curator": ({"ours", "theirs"}, set(), set()),
    "mentor": ({"ours"}, {"ours"}, {"ours"}),
    "other_mentor": ({"theirs"}, {"theirs"}, {"theirs"}),
    "mentee": ({"ours"}, set(), {"ours"}),
    "other_mentee": ({"theirs"}, set(), {"theirs"}),
    "parent": ({"ours"}, set(), set()),
    "other_parent": ({"theirs"}, set(), set()),
}


def test_a_plan_is_read_and_written_within_the_pair(world):
    """The staff read every plan, a mentor, a mentee and a parent the plans of their own pair;
    the coordinator and the pair's mentor write the goals, the mentee only the plan's summary;
    the goals are read with their plan. (Every role in one world: it takes a while to build.)"""
    names = {world.ids["plan"]: "ours"}
    reach, goals_read = {}, {}
    with schema_context(world.schema):
        theirs = DevelopmentPlan.objects.get(pair_id=world.ids["other_pair"])
        names[theirs.pk] = "theirs"
        for plan_id in names:
            PlanGoal.objects.create(plan_id=plan_id, title="Провести открытый урок")
        for role in PLAN_REACH:
            actor = world.actor(role)
            reach[role] = tuple(
                {names[pk] for pk in plans.values_list("pk", flat=True)}
                for plans in (
                    pair_access.plans_visible_to(actor),
                    pair_access.plans_editable_by(actor),
                    pair_access.plan_summaries_editable_by(actor),
                )
            )
            goals_read[role] = {
                names[pk]
                for pk in pair_access.goals_visible_to(actor).values_list("plan_id", flat=True)
            }
    assert reach == PLAN_REACH
    assert goals_read == {role: read for role, (read, _, _) in PLAN_REACH.items()}


@pytest.mark.parametrize("role", ["mentor", "mentee"])
def test_a_login_not_yet_linked_to_a_person_reads_no_plan_and_no_goal(
    tenant_a, client_for, world, role
):
    """A mentor or a mentee invited but not yet recorded as a participant belongs to no pair:
    the plans (the mentee's goals, the mentor's notes) are not its to read."""
    lonely = make_user(world.schema, role, f"access-lonely-{role}")
    with schema_context(world.schema):
        PlanGoal.objects.create(plan_id=world.ids["plan"], title="Провести открытый урок")
        assert not pair_access.plans_visible_to(actor_for(lonely)).exists()
        assert not pair_access.goals_visible_to(actor_for(lonely)).exists()
    api = client_for(tenant_a, lonely)
    assert _ids(api.get("/api/v1/development-plans/")) == set()
    assert _ids(api.get("/api/v1/plan-goals/")) == set()
    assert api.get(f"/api/v1/development-plans/{world.ids['plan']}/").status_code == 404


def pair_access_free(world: World, role: str) -> bool:
    """Does the access function itself let ``role`` see any group meeting?"""
    from schools.matching import access as matching_access

    actor = world.actor(role)
    with schema_context(world.schema):
        return matching_access.group_meetings_visible_to(actor).exists()


# --- calendar links -------------------------------------------------------------------------------


def test_a_calendar_link_is_its_owners_only(tenant_a, client_for, world):
    mentor = world.api(client_for, tenant_a, "mentor")
    other = world.api(client_for, tenant_a, "other_mentor")
    assert mentor.post("/api/v1/calendar-links/").status_code == 201
    assert other.post("/api/v1/calendar-links/").status_code == 201
    listed = mentor.get("/api/v1/calendar-links/")
    assert listed.status_code == 200
    assert [row["participant"] for row in listed.json()] == [world.ids["mentor"]]
    assert (
        world.api(client_for, tenant_a, "coordinator").get("/api/v1/calendar-links/").json() == []
    )
    with schema_context(world.schema):
        assert CalendarToken.objects.count() == 2
        mentee_actor = actor_for(world.users["mentee"])
        assert not pair_access.calendar_tokens_visible_to(mentee_actor).exists()
        # A link is personal: no job reads one either (the feed is served by its own token).
        assert not pair_access.calendar_tokens_visible_to(SETUP).exists()


# --- the audit log --------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["curator", "director", "mentor", "mentee", "parent"])
def test_the_audit_log_is_the_coordinators(tenant_a, client_for, world, role):
    with schema_context(world.schema):
        assert AuditEntry.objects.exists()
        assert not audit_access.audit_entries_visible_to(world.actor(role)).exists()
        assert audit_access.audit_entries_visible_to(world.actor("coordinator")).exists()
    assert world.api(client_for, tenant_a, role).get("/api/v1/audit-log/").status_code == 403
    listed = world.api(client_for, tenant_a, "coordinator").get("/api/v1/audit-log/")
    assert listed.status_code == 200 and listed.json()["count"] > 0


# --- plan goals: the mentor (and the coordinator) write, the mentee reads, on the pages too ------


def test_plan_goals_on_the_pair_page_are_written_by_the_mentor_not_the_mentee(world):
    plan = world.ids["plan"]
    data = {f"plan-{plan}-title": "Открытый урок", f"plan-{plan}-progress": "0"}
    data[f"plan-{plan}-status"] = "planned"
    refused = world.page("mentee").post(f"/plans/{plan}/goals/", data)
    assert refused.status_code == 403
    assert world.page("other_mentor").post(f"/plans/{plan}/goals/", data).status_code == 404
    with schema_context(world.schema):
        assert not PlanGoal.objects.filter(plan_id=plan).exists()
    for role in ("mentor", "coordinator"):
        written = world.page(role).post(f"/plans/{plan}/goals/", data)
        assert written.status_code == 302, written.content.decode()[:2000]
    with schema_context(world.schema):
        goal = PlanGoal.objects.filter(plan_id=plan).first()
        assert goal is not None and PlanGoal.objects.filter(plan_id=plan).count() == 2
    page = world.page("mentee").get(f"/pairs/{world.ids['pair']}/").content.decode()
    assert "Открытый урок" in page and f"/goals/{goal.pk}/" not in page
    assert world.page("mentee").post(f"/goals/{goal.pk}/done/").status_code == 403


# --- the actor ------------------------------------------------------------------------------------


def test_the_actor_carries_the_scope_of_its_role(world):
    curator = world.actor("curator")
    assert curator.role == "curator" and curator.scope == frozenset({world.ids["class"]})
    mentor = world.actor("mentor")
    assert mentor.participant_id == world.ids["mentor"]
    assert mentor.scope == frozenset({world.ids["mentor"]})
    parent = world.actor("parent")
    assert parent.participant_id == world.ids["parent"]
    assert parent.scope == frozenset({world.ids["mentee"], world.ids["young"]})
    coordinator = world.actor("coordinator")
    assert coordinator.scope == frozenset() and coordinator.sees_whole_institution
    job = Actor.system("nightly-erasure", schema=world.schema)
    assert job.is_system and job.audit_user_id is None and job.sees_whole_institution
    with pytest.raises(ValueError):
        Actor.system("")


def test_a_system_job_writes_without_an_author_and_a_write_service_needs_an_actor(world):
    with schema_context(world.schema):
        before = AuditEntry.objects.count()
        participants.consent_record(
            actor=Actor.system("import"),
            participant_id=world.ids["young"],
            kind="grant",
            purpose="photo_video",
            signed_by="guardian",
            guardian_name="Петрова Анна",
            guardian_relation="mother",
            signed_on=timezone.localdate(),
            method="paper_scan",
        )
        entry = AuditEntry.objects.order_by("-pk").first()
        assert AuditEntry.objects.count() > before and entry is not None
        assert entry.actor_id is None
        with pytest.raises(TypeError):
            participants.consent_record(  # type: ignore[call-arg]
                participant_id=world.ids["young"],
                kind="grant",
                signed_by="guardian",
                signed_on=timezone.localdate(),
                method="paper_scan",
            )


def test_the_participant_access_refuses_and_hides_with_one_answer(world):
    with schema_context(world.schema):
        curator = world.actor("curator")
        with pytest.raises(participant_access.NotFound):
            participant_access.access_participant_by_id(curator, world.ids["other_mentee"])
        found = participant_access.access_participant_by_id(
            curator, world.ids["mentee"], for_write=True
        )
        assert found.pk == world.ids["mentee"]
        with pytest.raises(participant_access.NotFound):
            participant_access.access_participant_by_id(curator, 10**9)
        mentor = world.actor("mentor")
        from django.core.exceptions import PermissionDenied

        with pytest.raises(PermissionDenied):
            participant_access.access_participant_by_id(mentor, world.ids["mentee"], for_write=True)
