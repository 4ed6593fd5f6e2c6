"""Each role sees exactly what it should: route × role, with denials changing nothing."""

from __future__ import annotations

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from schools.participants import services
from schools.participants.models import Consent, Participant
from tests import builders
from tests.conftest import SETUP
from tests.schools.participants.conftest import years_ago

ROLES = ["coordinator", "curator", "director", "deputy", "mentor", "mentee", "parent"]


@pytest.fixture
def world(tenant_a, user_in):
    """Two groups (one curated by ``curator``), a child with its parent, a mentor, a mentee."""
    users = {role: user_in(tenant_a.schema_name, role) for role in ROLES}
    with schema_context(tenant_a.schema_name):
        mine = services.study_group_create(name="5А", curator_id=users["curator"].pk, actor=SETUP)
        other = services.study_group_create(name="6Б", actor=SETUP)
        child = builders.person(
            category="pupil", born=years_ago(12), study_group_id=mine.pk, consent=False
        )
        stranger = builders.person(
            category="pupil", born=years_ago(12), study_group_id=other.pk, consent=False
        )
        parent = builders.parent(child=child, user_id=users["parent"].pk)
        # Birth dates unknown (as these tests always had them): each signs for itself.
        mentor = builders.person(user_id=users["mentor"].pk, birth_date_known=False, consent=False)
        mentee = builders.person(
            category="student",
            user_id=users["mentee"].pk,
            study_group_id=other.pk,
            birth_date_known=False,
            consent=False,
        )
    ids = {
        "child": child.pk,
        "stranger": stranger.pk,
        "parent": parent.pk,
        "mentor": mentor.pk,
        "mentee": mentee.pk,
    }
    return users, ids


EXPECTED_VISIBLE = {
    "coordinator": {"child", "stranger", "parent", "mentor", "mentee"},
    "director": {"child", "stranger", "parent", "mentor", "mentee"},
    "deputy": {"child", "stranger", "parent", "mentor", "mentee"},
    "curator": {"child"},
    "mentor": {"mentor"},
    "mentee": {"mentee"},
    "parent": {"parent", "child"},
}


@pytest.mark.parametrize("role", ROLES)
def test_participant_list_and_detail_by_role(tenant_a, client_for, world, role):
    users, ids = world
    client = client_for(tenant_a, users[role])
    listed = client.get("/api/v1/participants/")
    assert listed.status_code == 200
    seen = {name for name, pk in ids.items() if pk in {p["id"] for p in listed.json()["results"]}}
    assert seen == EXPECTED_VISIBLE[role]
    for name, pk in ids.items():
        detail = client.get(f"/api/v1/participants/{pk}/")
        assert detail.status_code == (200 if name in EXPECTED_VISIBLE[role] else 404)


WRITE_EXPECTED = {
    "coordinator": 201,
    "curator": 201,
    "director": 403,
    "deputy": 403,
    "mentor": 403,
    "mentee": 403,
    "parent": 403,
}


@pytest.mark.parametrize("role", ROLES)
def test_participant_create_and_edit_by_role(tenant_a, client_for, world, role):
    users, ids = world
    client = client_for(tenant_a, users[role])
    with schema_context(tenant_a.schema_name):
        mine = users["curator"].curated_groups.get().pk
        before = Participant.objects.count()
    created = client.post(
        "/api/v1/participants/",
        {"last_name": "Новый", "first_name": "Е", "category": "pupil", "study_group": mine},
        format="json",
    )
    assert created.status_code == WRITE_EXPECTED[role]
    patched = client.patch(f"/api/v1/participants/{ids['stranger']}/", {"phone": "+7 1"})
    want = {"coordinator": 200, "curator": 404}.get(role, 403)
    assert patched.status_code == want
    with schema_context(tenant_a.schema_name):
        assert Participant.objects.count() == before + (created.status_code == 201)
        stranger = Participant.objects.get(pk=ids["stranger"])
        assert stranger.phone == ("+7 1" if role == "coordinator" else "")


def test_curator_cannot_place_people_outside_its_groups(tenant_a, client_for, world):
    users, _ids = world
    client = client_for(tenant_a, users["curator"])
    response = client.post(
        "/api/v1/participants/",
        {"last_name": "Новый", "first_name": "Е", "category": "pupil"},
        format="json",
    )
    assert response.status_code == 400 and "study_group" in response.json()["errors"]


def _consent_body(pk, **extra):
    data = {
        "participant": pk,
        "kind": "grant",
        "signed_by": "guardian",
        "guardian_name": "Родитель В",
        "guardian_relation": "mother",
        "signed_on": str(timezone.localdate()),
        "method": "electronic",
    }
    data.update(extra)
    return data


def test_parent_records_and_withdraws_consent_only_for_its_child(tenant_a, client_for, world):
    users, ids = world
    client = client_for(tenant_a, users["parent"])
    assert client.post("/api/v1/consents/", _consent_body(ids["child"])).status_code == 201
    refused = client.post("/api/v1/consents/", _consent_body(ids["stranger"]))
    assert refused.status_code == 400 and "participant" in refused.json()["errors"]
    withdrawn = client.post("/api/v1/consents/", _consent_body(ids["child"], kind="withdrawal"))
    assert withdrawn.status_code == 201
    listed = client.get("/api/v1/consents/").json()
    assert {c["participant"] for c in listed["results"]} == {ids["child"]}
    with schema_context(tenant_a.schema_name):
        assert Consent.objects.filter(participant_id=ids["stranger"]).count() == 0
        assert Participant.objects.get(pk=ids["child"]).processing_stopped_at is not None


@pytest.mark.parametrize("role", ROLES)
def test_consents_and_audit_log_by_role(tenant_a, client_for, world, role):
    users, ids = world
    client = client_for(tenant_a, users[role])
    response = client.post("/api/v1/consents/", _consent_body(ids["child"]))
    want = {"coordinator": 201, "curator": 201, "parent": 201}.get(role, 403)
    assert response.status_code == want
    assert client.get("/api/v1/consents/").status_code == 200
    # Append-only: no route changes or deletes a record.
    if response.status_code == 201:
        pk = response.json()["id"]
        assert client.patch(f"/api/v1/consents/{pk}/", {"method": "paper_scan"}).status_code == 405
        assert client.delete(f"/api/v1/consents/{pk}/").status_code == 405
    audit = client.get("/api/v1/audit-log/")
    assert audit.status_code == (200 if role == "coordinator" else 403)


@pytest.mark.parametrize("role", ROLES)
def test_bases_and_tags_by_role(tenant_a, client_for, world, role):
    users, ids = world
    client = client_for(tenant_a, users[role])
    assert client.get("/api/v1/topics/").status_code == 200
    mentor = client.post(
        "/api/v1/mentor-profiles/", {"participant": ids["mentor"], "capacity": 2}, format="json"
    )
    assert mentor.status_code == (201 if role == "coordinator" else 403)
    groups = client.get("/api/v1/study-groups/")
    staff = {"coordinator", "curator", "director", "deputy"}
    assert groups.status_code == (200 if role in staff else 403)
    if role == "curator":
        assert [g["name"] for g in groups.json()["results"]] == ["5А"]
