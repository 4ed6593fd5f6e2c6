"""The matching API: group meeting and preferences, a run with explained proposals, review,
approval into pairs; bad input gets a 400 and changes nothing; roles."""

from __future__ import annotations

import datetime

import pytest
from django.test import override_settings
from django_tenants.utils import schema_context

from schools.matching.models import MatchProposal, MatchRun, Preference, RunStatus
from schools.matching.services import run_execute
from schools.participants import api as participants_api
from schools.participants.models import Topic
from schools.programmes.models import Programme
from tests import builders
from tests.conftest import SETUP

RUNS = "/api/v1/matching/runs/"
MEETINGS = "/api/v1/matching/group-meetings/"
PROPOSALS = "/api/v1/matching/proposals/"


@pytest.fixture
def setup(tenant_a, user_in):
    with schema_context(tenant_a.schema_name):
        coordinator = user_in(tenant_a.schema_name, "coordinator")
        mentee_user = user_in(tenant_a.schema_name, "mentee")
        for code in ("math", "career", "sport"):
            Topic.objects.get_or_create(code=code, defaults={"name": code})
        programme = Programme.objects.create(
            academic_year=2026,
            title="П",
            forms=["teacher_student", "employer_student"],
            status="active",
        )
        teacher = builders.person(category="teacher")
        employer = builders.person(category="employer_specialist")
        no_consent = builders.person(category="teacher", consent=False)
        participants_api.mentor_profile_upsert(
            participant_id=teacher.pk,
            competence_codes=["math"],
            capacity=1,
            hours_per_month=8,
            actor=SETUP,
        )
        participants_api.mentor_profile_upsert(
            participant_id=employer.pk, competence_codes=["career", "math"], capacity=2, actor=SETUP
        )
        participants_api.mentor_profile_upsert(
            participant_id=no_consent.pk,
            competence_codes=["math", "career"],
            capacity=3,
            actor=SETUP,
        )
        s1 = builders.person(
            category="student", born=datetime.date(2008, 1, 1), user_id=mentee_user.pk
        )
        s2 = builders.person(category="student", born=datetime.date(2008, 1, 1))
        s3 = builders.person(category="student", born=datetime.date(2008, 1, 1))
        lonely = builders.person(category="student", born=datetime.date(2008, 1, 1))
        for s, needs in ((s1, ["math"]), (s2, ["career"]), (s3, ["math"]), (lonely, ["sport"])):
            participants_api.mentee_profile_upsert(
                participant_id=s.pk, need_codes=needs, actor=SETUP
            )
    return {
        "programme": programme,
        "coordinator": coordinator,
        "mentee_user": mentee_user,
        "teacher": teacher,
        "employer": employer,
        "no_consent": no_consent,
        "s1": s1,
        "s2": s2,
        "s3": s3,
        "lonely": lonely,
    }


def test_full_flow(tenant_a, client_for, setup):
    s = setup
    coord = client_for(tenant_a, s["coordinator"])
    meeting = coord.post(
        MEETINGS,
        {
            "programme": s["programme"].pk,
            "held_on": "2026-10-01",
            "place": "Актовый зал",
            "attendee_ids": [s["teacher"].pk, s["employer"].pk, s["s1"].pk, s["s3"].pk],
        },
        format="json",
    )
    assert meeting.status_code == 201, meeting.json()
    meeting_id = meeting.json()["id"]
    # The mentee states their own preference: the employer's specialist, first choice.
    mentee = client_for(tenant_a, s["mentee_user"])
    assert mentee.get(MEETINGS).json()["count"] == 1
    own = mentee.post(
        f"{MEETINGS}{meeting_id}/preferences/",
        {"items": [{"to_participant": s["employer"].pk, "kind": "prefer", "rank": 1}]},
        format="json",
    )
    assert own.status_code == 200, own.json()
    # ...and cannot speak for someone else.
    other = mentee.post(
        f"{MEETINGS}{meeting_id}/preferences/",
        {"from_participant": s["s3"].pk, "items": []},
        format="json",
    )
    assert other.status_code == 403
    # The coordinator records the teacher's wish to avoid s3.
    avoid = coord.post(
        f"{MEETINGS}{meeting_id}/preferences/",
        {
            "from_participant": s["teacher"].pk,
            "items": [{"to_participant": s["s3"].pk, "kind": "avoid"}],
        },
        format="json",
    )
    assert avoid.status_code == 200 and len(avoid.json()) == 2

    run = coord.post(RUNS, {"programme": s["programme"].pk}, format="json")
    assert run.status_code == 201, run.json()
    body = run.json()
    assert body["status"] == "done"
    pairs = {(p["mentor"], p["mentee"]) for p in body["proposals"]}
    # The teacher avoids s3 and has one place; s2 (career) fits only the employer, who has two:
    # the greatest total matches all three.
    assert pairs == {
        (s["teacher"].pk, s["s1"].pk),
        (s["employer"].pk, s["s2"].pk),
        (s["employer"].pk, s["s3"].pk),
    }
    assert all(p["mentor"] != s["no_consent"].pk for p in body["proposals"])
    by_mentee = {p["mentee"]: p for p in body["proposals"]}
    needs = next(c for c in by_mentee[s["s1"].pk]["breakdown"]["criteria"] if c["code"] == "needs")
    assert needs["value"] == 1.0 and needs["detail"]["covered"] == ["math"]
    unmatched = {u["mentee"]: u for u in body["unmatched"]}
    assert {m: u["reason"] for m, u in unmatched.items()} == {s["lonely"].pk: "needs_not_covered"}
    lonely = unmatched[s["lonely"].pk]
    assert lonely["detail"]["funnel"][:2] == [
        {"criterion": "form", "mentors": 3},
        {"criterion": "needs", "mentors": 0},
    ]
    assert "none covers «Спорт, ГТО, здоровый образ жизни»" in lonely["because"]
    assert lonely["fix"]

    # Review. The employer is full: s1 cannot move there until s3 is rejected.
    s1_proposal, s3_proposal = by_mentee[s["s1"].pk]["id"], by_mentee[s["s3"].pk]["id"]
    full = coord.post(
        f"{PROPOSALS}{s1_proposal}/change/", {"mentor": s["employer"].pk}, format="json"
    )
    assert full.status_code == 400 and "mentor" in full.json()["errors"]
    # The teacher asked not to be paired with s3; a mentor without consent cannot be given.
    for mentor, proposal in ((s["teacher"], s3_proposal), (s["no_consent"], s1_proposal)):
        refused = coord.post(f"{PROPOSALS}{proposal}/change/", {"mentor": mentor.pk}, format="json")
        assert refused.status_code == 400 and "mentor" in refused.json()["errors"]
    assert coord.post(f"{PROPOSALS}{s3_proposal}/reject/").json()["status"] == "rejected"
    changed = coord.post(
        f"{PROPOSALS}{s1_proposal}/change/", {"mentor": s["employer"].pk}, format="json"
    )
    assert changed.status_code == 200, changed.json()
    assert changed.json()["status"] == "changed" and changed.json()["form"] == "employer_student"
    pref = next(c for c in changed.json()["breakdown"]["criteria"] if c["code"] == "preference")
    assert pref["value"] == 0.5 and pref["detail"]["mentee"]["rank"] == 1
    undecided = coord.post(f"{RUNS}{body['id']}/approve/", {}, format="json")
    assert undecided.status_code == 400
    approved = coord.post(f"{RUNS}{body['id']}/approve/", {"accept_proposed": True}, format="json")
    assert approved.status_code == 200, approved.json()
    assert approved.json()["status"] == "approved"
    with schema_context(tenant_a.schema_name):
        from schools.pairs import api as pairs_api

        formed = pairs_api.active_pairs(programme_id=s["programme"].pk)
        assert [(p["mentor_id"], sorted(p["mentee_ids"])) for p in formed] == [
            (s["employer"].pk, sorted([s["s1"].pk, s["s2"].pk]))
        ]
        assert MatchProposal.objects.filter(run_id=body["id"], pair_id__isnull=False).count() == 2
    # A later run never proposes the rejected pair again, and skips the paired mentees.
    again = coord.post(RUNS, {"programme": s["programme"].pk}, format="json").json()
    assert (s["employer"].pk, s["s3"].pk) not in {
        (p["mentor"], p["mentee"]) for p in again["proposals"]
    }
    assert {p["mentee"] for p in again["proposals"]}.isdisjoint({s["s1"].pk, s["s2"].pk})
    # The explained run stays readable.
    assert coord.get(f"{RUNS}{body['id']}/").status_code == 200


def test_bad_input_changes_nothing(tenant_a, client_for, setup):
    s = setup
    coord = client_for(tenant_a, s["coordinator"])
    # A mentor without consent cannot be fixed.
    bad = coord.post(
        RUNS,
        {
            "programme": s["programme"].pk,
            "fixed": [{"mentor": s["no_consent"].pk, "mentee": s["s1"].pk}],
        },
        format="json",
    )
    assert bad.status_code == 400 and "fixed" in bad.json()["errors"]
    # More fixed mentees than the mentor's capacity.
    over = coord.post(
        RUNS,
        {
            "programme": s["programme"].pk,
            "fixed": [
                {"mentor": s["teacher"].pk, "mentee": s["s1"].pk},
                {"mentor": s["teacher"].pk, "mentee": s["s3"].pk},
            ],
        },
        format="json",
    )
    assert over.status_code == 400 and "fixed" in over.json()["errors"]
    # Negative weights.
    weights = coord.patch(
        f"/api/v1/matching/weights/{s['programme'].pk}/", {"needs": -1}, format="json"
    )
    assert weights.status_code == 400
    # A closed programme.
    with schema_context(tenant_a.schema_name):
        Programme.objects.filter(pk=s["programme"].pk).update(status="closed")
    closed = coord.post(RUNS, {"programme": s["programme"].pk}, format="json")
    assert closed.status_code == 400 and "programme" in closed.json()["errors"]
    with schema_context(tenant_a.schema_name):
        assert MatchRun.objects.count() == 0 and Preference.objects.count() == 0


def test_fixed_pair_kept_and_weights(tenant_a, client_for, setup):
    s = setup
    coord = client_for(tenant_a, s["coordinator"])
    url = f"/api/v1/matching/weights/{s['programme'].pk}/"
    assert coord.get(url).json()["preference"] == 40.0
    patched = coord.patch(url, {"needs": 50, "min_needs_covered": 0}, format="json")
    assert patched.status_code == 200 and patched.json()["needs"] == 50.0
    run = coord.post(
        RUNS,
        {
            "programme": s["programme"].pk,
            "algorithm": "greedy",
            "fixed": [{"mentor": s["teacher"].pk, "mentee": s["s3"].pk}],
        },
        format="json",
    ).json()
    fixed = [p for p in run["proposals"] if p["fixed"]]
    assert [(p["mentor"], p["mentee"], p["status"]) for p in fixed] == [
        (s["teacher"].pk, s["s3"].pk, "accepted")
    ]
    assert run["weights"]["needs"] == 50.0


@override_settings(MATCHING_SYNC_MAX_MENTEES=0)
def test_large_runs_are_queued_then_executed_once(tenant_a, client_for, setup):
    s = setup
    coord = client_for(tenant_a, s["coordinator"])
    run = coord.post(RUNS, {"programme": s["programme"].pk}, format="json").json()
    assert run["status"] == "queued" and run["proposals"] == []
    with schema_context(tenant_a.schema_name):
        assert run_execute(run_id=run["id"]) is True
        assert run_execute(run_id=run["id"]) is False  # idempotent
        assert MatchRun.objects.get(pk=run["id"]).status == RunStatus.DONE
    assert coord.get(f"{RUNS}{run['id']}/").json()["matched_count"] == 3


@pytest.mark.parametrize(
    ("role", "read", "write"),
    [
        ("coordinator", 200, 400),
        ("curator", 200, 403),
        ("director", 200, 403),
        ("deputy", 200, 403),
        ("mentor", 403, 403),
        ("mentee", 403, 403),
        ("parent", 403, 403),
    ],
)
def test_roles(tenant_a, user_in, client_for, role, read, write):
    client = client_for(tenant_a, user_in(tenant_a.schema_name, role))
    assert client.get(RUNS).status_code == read
    assert client.get(PROPOSALS).status_code == read
    assert client.post(RUNS, {"programme": 999999}, format="json").status_code == write


def test_approve_some_make_a_pair_by_hand_and_a_new_run_supersedes(tenant_a, client_for, setup):
    s = setup
    coord = client_for(tenant_a, s["coordinator"])
    run = coord.post(RUNS, {"programme": s["programme"].pk}, format="json").json()
    by_mentee = {p["mentee"]: p for p in run["proposals"]}
    # The lonely mentee (sport) gets the employer by hand: requests not covered is allowed
    # (shown in the explanation), a mentor without consent is not.
    refused = coord.post(
        f"{RUNS}{run['id']}/pairs/",
        {"mentee": s["lonely"].pk, "mentor": s["no_consent"].pk},
        format="json",
    )
    assert refused.status_code == 400 and "mentor" in refused.json()["errors"]
    full = coord.post(
        f"{RUNS}{run['id']}/pairs/",
        {"mentee": s["lonely"].pk, "mentor": s["employer"].pk},
        format="json",
    )
    assert full.status_code == 400  # the employer's two places are proposed already
    assert coord.post(f"{PROPOSALS}{by_mentee[s['s2'].pk]['id']}/reject/").status_code == 200
    made = coord.post(
        f"{RUNS}{run['id']}/pairs/",
        {"mentee": s["lonely"].pk, "mentor": s["employer"].pk},
        format="json",
    )
    assert made.status_code == 201, made.json()
    assert made.json()["made_by_hand"] and made.json()["status"] == "accepted"
    assert "needs_not_covered" in made.json()["breakdown"]["excluded"]
    # Approve one proposal now, leave the rest: a pair is formed, the run still waits.
    first = by_mentee[s["s1"].pk]["id"]
    some = coord.post(f"{RUNS}{run['id']}/approve-some/", {"proposals": [first]}, format="json")
    assert some.status_code == 200, some.json()
    assert some.json()["status"] == "done"
    with schema_context(tenant_a.schema_name):
        from schools.pairs import api as pairs_api

        assert [
            sorted(p["mentee_ids"]) for p in pairs_api.active_pairs(programme_id=s["programme"].pk)
        ] == [[s["s1"].pk]]
    again = coord.post(f"{RUNS}{run['id']}/approve-some/", {"proposals": [first]}, format="json")
    assert again.status_code == 400
    # A new run supersedes the old one: its other proposals can no longer be approved, the
    # pair formed stays, and the paired mentee is not proposed again.
    newer = coord.post(RUNS, {"programme": s["programme"].pk}, format="json").json()
    old = coord.get(f"{RUNS}{run['id']}/").json()
    assert (old["status"], old["superseded_by"]) == ("superseded", newer["id"])
    late = coord.post(
        f"{RUNS}{run['id']}/approve-some/", {"proposals": [made.json()["id"]]}, format="json"
    )
    assert late.status_code == 400
    assert s["s1"].pk not in {p["mentee"] for p in newer["proposals"]}
    with schema_context(tenant_a.schema_name):
        assert pairs_api.pair_count(programme_id=s["programme"].pk) == 1


def test_approving_a_group_in_two_steps_counts_each_place_once(tenant_a, client_for, setup):
    s = setup
    coord = client_for(tenant_a, s["coordinator"])
    run = coord.post(RUNS, {"programme": s["programme"].pk}, format="json").json()
    # The employer (two places) got two mentees: approved one after the other.
    group = [p["id"] for p in run["proposals"] if p["mentor"] == s["employer"].pk]
    assert len(group) == 2
    for proposal_id in group:
        done = coord.post(
            f"{RUNS}{run['id']}/approve-some/", {"proposals": [proposal_id]}, format="json"
        )
        assert done.status_code == 200, done.json()
    rest = [p["id"] for p in run["proposals"] if p["id"] not in group]
    last = coord.post(f"{RUNS}{run['id']}/approve-some/", {"proposals": rest}, format="json")
    assert last.status_code == 200 and last.json()["status"] == "approved"
