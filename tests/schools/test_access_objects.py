"""The pages' lookups by id (``ObjectPage`` + ``access_<thing>_by_id``): for each access
function the pages now use, someone who may not see the object gets 404 — through the page
where one is cheap to reach — and someone who may read it but not change it gets 403 on a
write. The world is the access layer's (``tests/schools/test_access_layer.py``: two classes
with their curators, two pairs, two group meetings, parents), so nothing new is provisioned."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django_tenants.utils import schema_context

from schools.matching import access as matching_access
from schools.matching import services as matching_services
from schools.pairs import access as pair_access
from schools.pairs import services as pair_services
from schools.pairs.models import Pair
from schools.participants import access as participant_access
from schools.participants.access import NotFound
from schools.participants.models import Guardianship
from schools.programmes import access as programme_access
from schools.programmes import services as programme_services
from schools.programmes.models import Programme
from tests.conftest import SETUP
from tests.schools.test_access_layer import World, build_world


@pytest.fixture
def world(tenant_a: Any) -> World:
    return build_world(tenant_a)


def _status(world: World, role: str, path: str, *, post: dict[str, Any] | None = None) -> int:
    client = world.page(role)
    response = client.post(path, post or {}) if post is not None else client.get(path)
    return response.status_code


def test_a_pairs_meeting_is_changed_by_who_may_write_it_and_hidden_from_other_pairs(
    world: World,
) -> None:
    """``pairs.access.access_meeting_by_id``: the mentor of another pair does not find the
    meeting (404); the curator of another class sees the pair but may not change its meetings
    (403, the form included); the pair's mentor and the curator of its mentee's class may."""
    with schema_context(world.schema):
        meeting = pair_services.meeting_create(
            pair=Pair.objects.get(pk=world.ids["pair"]),
            kind="organisational",
            starts_at=timezone.now() + datetime.timedelta(days=2),
            place="Кабинет 5",
            actor=SETUP,
        )
    edit = f"/meetings/{meeting.pk}/edit/"
    assert _status(world, "other_mentor", edit) == 404
    assert _status(world, "other_curator", edit) == 403
    assert _status(world, "other_curator", f"/meetings/{meeting.pk}/cancel/", post={}) == 403
    assert _status(world, "mentor", edit) == 200
    assert _status(world, "curator", f"/meetings/{meeting.pk}/held/") == 200
    assert _status(world, "other_mentor", "/meetings/999999/edit/") == 404


def test_a_group_meeting_is_seen_by_its_attendees_and_changed_by_the_coordinator(
    world: World,
) -> None:
    """``matching.access.access_group_meeting_by_id``."""
    ours, others = world.ids["meeting"], world.ids["other_meeting"]
    assert _status(world, "mentor", f"/matching/group-meetings/{ours}/") == 200
    assert _status(world, "mentor", f"/matching/group-meetings/{others}/") == 404
    assert _status(world, "other_mentee", f"/matching/group-meetings/{ours}/preferences/") == 404
    assert _status(world, "director", f"/matching/group-meetings/{ours}/") == 200
    with schema_context(world.schema):
        director = world.actor("director")
        with pytest.raises(PermissionDenied):
            matching_access.access_group_meeting_by_id(director, ours, for_write=True)
        coordinator = world.actor("coordinator")
        found = matching_access.access_group_meeting_by_id(coordinator, ours, for_write=True)
        assert found.pk == ours


def test_a_class_is_its_curators_and_the_leaderships(world: World) -> None:
    """``participants.access.access_study_group_by_id``: the curator of another class gets
    404 for the class and its consents; the director reads the class but records nothing."""
    mine = world.ids["class"]
    assert _status(world, "curator", f"/bases/classes/{mine}/") == 200
    assert _status(world, "other_curator", f"/bases/classes/{mine}/") == 404
    assert _status(world, "other_curator", f"/bases/classes/{mine}/consents/") == 404
    assert _status(world, "director", f"/bases/classes/{mine}/") == 200
    with schema_context(world.schema):
        with pytest.raises(PermissionDenied):
            participant_access.access_study_group_by_id(
                world.actor("director"), mine, for_write=True
            )
        with pytest.raises(NotFound):
            participant_access.access_study_group_by_id(world.actor("mentor"), mine)


def test_a_childs_guardians_are_linked_by_who_may_change_the_childs_record(world: World) -> None:
    """``access_participant_by_id`` on the guardians page, ``access_guardianship_by_id`` on
    unlinking: another class's curator finds neither (404); the director reads the page but
    may not link (403)."""
    young = world.ids["young"]
    page = f"/participants/{young}/guardians/"
    assert _status(world, "curator", page) == 200
    assert _status(world, "other_curator", page) == 404
    assert _status(world, "director", page) == 200
    assert _status(world, "director", page, post={"parent": world.ids["other_parent"]}) == 403
    with schema_context(world.schema):
        link = Guardianship.objects.get(child_id=young)
        with pytest.raises(PermissionDenied):
            participant_access.access_guardianship_by_id(
                world.actor("director"), link.pk, for_write=True
            )
        with pytest.raises(NotFound):
            participant_access.access_guardianship_by_id(world.actor("other_parent"), link.pk)
    assert _status(world, "other_curator", f"/guardianships/{link.pk}/delete/", post={}) == 404
    with schema_context(world.schema):
        assert Guardianship.objects.filter(pk=link.pk).exists()


def test_a_success_story_is_read_by_the_staff_and_written_by_the_coordinator_and_curators(
    world: World,
) -> None:
    """``pairs.access.access_practice_case_by_id``: the director reads the draft and gets 403
    on saving it; a mentor does not reach it."""
    with schema_context(world.schema):
        case = pair_services.practice_case_create(
            programme_id=Programme.objects.get(academic_year=2041).pk,
            title="Как мы учились вместе",
            text="Наставник и наставляемый провели десять встреч.",
            form="teacher_student",
            actor=SETUP,
        )
    page = f"/practices/{case.pk}/"
    assert _status(world, "director", page) == 200
    data = {"title": "Другое", "form": "teacher_student", "text": "Текст"}
    assert _status(world, "director", page, post=data) == 403
    with schema_context(world.schema):
        with pytest.raises(NotFound):
            pair_access.access_practice_case_by_id(world.actor("mentor"), case.pk)
        with pytest.raises(PermissionDenied):
            pair_access.access_practice_case_by_id(world.actor("director"), case.pk, for_write=True)
        case.refresh_from_db()
        assert case.title == "Как мы учились вместе"


def test_a_matching_run_is_the_staffs_to_read_and_the_coordinators_to_decide(
    world: World,
) -> None:
    """``matching.access.access_match_run_by_id`` (and the proposals' and unmatched rows'
    lookups): a mentor finds no run (404 on its page); the director reads it and may not
    decide (403)."""
    with schema_context(world.schema):
        run = matching_services.run_create(
            programme=Programme.objects.get(academic_year=2041), actor=SETUP
        )
    assert _status(world, "director", f"/matching/runs/{run.pk}/") == 200
    assert _status(world, "mentor", f"/matching/runs/{run.pk}/") == 403  # not a staff page
    with schema_context(world.schema):
        director, mentor = world.actor("director"), world.actor("mentor")
        with pytest.raises(NotFound):
            matching_access.access_match_run_by_id(mentor, run.pk)
        with pytest.raises(PermissionDenied):
            matching_access.access_match_run_by_id(director, run.pk, for_write=True)
        for row in run.unmatched.all()[:1]:
            with pytest.raises(NotFound):
                matching_access.access_unmatched_by_id(mentor, row.pk)
            with pytest.raises(PermissionDenied):
                matching_access.access_unmatched_by_id(director, row.pk, for_write=True)
        for proposal in run.proposals.all()[:1]:
            with pytest.raises(NotFound):
                matching_access.access_match_proposal_by_id(mentor, proposal.pk)
            with pytest.raises(PermissionDenied):
                matching_access.access_match_proposal_by_id(director, proposal.pk, for_write=True)


def test_a_roadmap_activity_is_marked_done_by_its_responsible_curator_only(world: World) -> None:
    """``programmes.access.access_activity_by_id``: staff read the roadmap; a curator changes
    only the activities it is responsible for; a mentor does not see them."""
    with schema_context(world.schema):
        activity = programme_services.roadmap_activity_create(
            programme=Programme.objects.get(academic_year=2041),
            stage=1,
            title="Собрание с классом",
            deadline=datetime.date(2041, 10, 1),
            responsible_people_ids=[world.users["curator"].pk],
            actor=SETUP,
        )
        curator, other = world.actor("curator"), world.actor("other_curator")
        found = programme_access.access_activity_by_id(curator, activity.pk, for_write=True)
        assert found.pk == activity.pk
        assert programme_access.access_activity_by_id(other, activity.pk).pk == activity.pk
        with pytest.raises(PermissionDenied):
            programme_access.access_activity_by_id(other, activity.pk, for_write=True)
        with pytest.raises(NotFound):
            programme_access.access_activity_by_id(world.actor("mentor"), activity.pk)
