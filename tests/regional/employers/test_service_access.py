"""Who may write an employer's offers and its members, asked of the services themselves (the
API and the pages pass the request's actor; seeding and tests a named system actor)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django_tenants.utils import schema_context

from accounts.actor import actor_for
from accounts.models import Role
from regional.employers import services
from regional.employers.access import NotFound
from tenants.models import PublicAuditEntry
from tests.conftest import SETUP, make_user
from tests.regional.employers.conftest import create_employer, create_employer_user

OFFER: dict[str, Any] = {
    "last_name": "Ёлкин",
    "first_name": "Пётр",
    "middle_name": "Семёнович",
    "position": "Инженер-технолог",
    "competences": ["Робототехника"],
    "forms": ["employer_pupil"],
    "capacity": 3,
}


def _offer(employer: Any, actor: Any, **extra: Any) -> Any:
    return services.employer_mentor_create(employer=employer, actor=actor, **OFFER, **extra)


def test_an_employer_writes_its_own_offers_and_no_other_employers(employer, employer_user):
    own = actor_for(employer_user, schema="public")
    mentor = _offer(employer, own, contact_email="elkin@own.example.org")
    services.employer_mentor_update(mentor=mentor, actor=own, capacity=4)
    mentor.refresh_from_db()
    assert mentor.capacity == 4

    other = actor_for(create_employer_user(create_employer("АО «Чужое»")), schema="public")
    with pytest.raises(NotFound):
        _offer(employer, other, contact_email="elkin@other.example.org")
    with pytest.raises(NotFound):
        services.employer_mentor_update(mentor=mentor, actor=other, capacity=1)
    mentor.refresh_from_db()
    assert mentor.capacity == 4


def test_the_regional_centre_writes_any_offer_and_others_none(employer, employer_user):
    staff = actor_for(make_user("public", Role.REGIONAL_STAFF, "emp-acl-staff"), schema="public")
    mentor = _offer(employer, staff, contact_email="elkin@staff.example.org")
    services.employer_mentor_update(mentor=mentor, actor=staff, status="paused")

    municipal = actor_for(make_user("public", Role.MUNICIPAL, "emp-acl-municipal"), schema="public")
    with pytest.raises(PermissionDenied):
        _offer(employer, municipal, contact_email="elkin@municipal.example.org")
    with pytest.raises((PermissionDenied, NotFound)):
        services.employer_mentor_update(mentor=mentor, actor=municipal, capacity=1)


def test_only_the_regional_centre_says_who_acts_for_an_employer(employer, employer_user):
    newcomer = make_user("public", Role.EMPLOYER, "emp-acl-newcomer")
    with pytest.raises(PermissionDenied):
        services.employer_member_add(
            employer=employer,
            user=newcomer,
            actor=actor_for(employer_user, schema="public"),
        )
    assert not employer.members.filter(pk=newcomer.pk).exists()

    admin = make_user("public", Role.REGIONAL_ADMIN, "emp-acl-admin")
    services.employer_member_add(
        employer=employer, user=newcomer, actor=actor_for(admin, schema="public")
    )
    assert employer.members.filter(pk=newcomer.pk).exists()
    entry = PublicAuditEntry.objects.filter(object_id=str(employer.pk)).latest("pk")
    assert entry.actor_id == admin.pk and entry.changed_fields == ["members"]


def test_an_offer_is_audited_with_its_author_and_without_the_specialists_name(
    employer, employer_user
):
    own = actor_for(employer_user, schema="public")
    mentor = _offer(employer, own, contact_email="elkin@audit.example.org")
    services.employer_mentor_update(mentor=mentor, actor=own, capacity=2, last_name="Елкин")
    entries = list(
        PublicAuditEntry.objects.filter(
            model_label="employers.employermentor", object_id=str(mentor.pk)
        ).order_by("pk")
    )
    assert [e.action for e in entries] == ["create", "update"]
    assert {e.actor_id for e in entries} == {employer_user.pk}
    assert entries[1].changed_fields == ["capacity"]
    for entry in entries:
        text = f"{entry.object_repr} {entry.values}"
        assert "Ёлкин" not in text and "Елкин" not in text and "elkin@" not in text


def test_an_institution_asks_for_a_mentor_through_its_own_coordinator_or_curator(
    tenants, mentor_of, employer
):
    mentor = mentor_of(employer)

    def ask(actor: Any) -> Any:
        return services.mentor_request_create(
            institution=tenants.a,
            employer_mentor_id=mentor.pk,
            form="employer_pupil",
            mentees_count=1,
            level="grade-8",
            need_code="career_guidance",
            actor=actor,
        )

    def member(schema: str, role: str) -> Any:
        user = make_user(schema, role, f"ask-{schema}-{role}")
        with schema_context(schema):
            return actor_for(user)

    with pytest.raises(PermissionDenied):
        ask(member(tenants.a.schema_name, Role.MENTOR))
    with pytest.raises(PermissionDenied):  # another institution's coordinator
        ask(member(tenants.b.schema_name, Role.COORDINATOR))
    curator = member(tenants.a.schema_name, Role.CURATOR)
    made = ask(curator)
    assert (made.requested_by_id, made.requested_by_role) == (curator.user_id, "curator")


def test_only_the_regional_centre_registers_and_changes_employers(employer, employer_user):
    own = actor_for(employer_user, schema="public")
    with pytest.raises(PermissionDenied):
        services.employer_create(name="ООО «Самозванец»", inn="7707083893", actor=own)
    with pytest.raises(PermissionDenied):
        services.employer_update(employer=employer, name="Другое имя", actor=own)
    employer.refresh_from_db()
    assert employer.name != "Другое имя"


def test_a_request_is_decided_by_the_mentors_employer_and_withdrawn_by_its_institution(
    tenants, mentor_of, employer, employer_user
):
    mentor = mentor_of(employer)
    request = services.mentor_request_create(
        institution=tenants.a,
        employer_mentor_id=mentor.pk,
        form="employer_pupil",
        mentees_count=1,
        level="grade-8",
        need_code="career_guidance",
        actor=SETUP,
    )
    stranger = actor_for(create_employer_user(create_employer("АО «Посторонний»")), schema="public")
    with pytest.raises((PermissionDenied, NotFound)):
        services.mentor_request_approve(mentor_request=request, actor=stranger)
    with pytest.raises((PermissionDenied, NotFound)):
        services.mentor_request_reject(mentor_request=request, actor=stranger, reason="нет")
    user_b = make_user(tenants.b.schema_name, Role.COORDINATOR, "withdraw-b")
    with schema_context(tenants.b.schema_name), pytest.raises((PermissionDenied, NotFound)):
        services.mentor_request_cancel(mentor_request=request, actor=actor_for(user_b))
    request.refresh_from_db()
    assert request.status == "pending"
    placement = services.mentor_request_approve(mentor_request=request, actor=SETUP)
    for close in (services.placement_end, services.placement_cancel):
        with pytest.raises((PermissionDenied, NotFound)):
            close(placement=placement, actor=stranger)
    placement.refresh_from_db()
    assert placement.status == "active"
