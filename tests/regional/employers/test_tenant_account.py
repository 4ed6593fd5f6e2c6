"""An approved placement creates the mentor's account inside the institution's schema."""

from __future__ import annotations

import importlib.util

import pytest
from django_tenants.utils import schema_context

from accounts.actor import actor_for
from accounts.models import Invitation, Role
from config.tasks import MissingTenantSchema
from regional.employers import services
from regional.employers.models import Placement
from regional.employers.tasks import placement_tenant_account_create
from tests import builders
from tests.conftest import SETUP

pytestmark = pytest.mark.django_db


@pytest.fixture
def placement(tenant_a, employer, employer_user, mentor_of) -> Placement:
    mentor = mentor_of(employer, contact_email="orlov@agro.ru")
    mentor_request = services.mentor_request_create(
        institution=tenant_a,
        employer_mentor_id=mentor.pk,
        form="employer_pupil",
        mentees_count=2,
        level="grade-7",
        need_code="career_guidance",
        actor=SETUP,
    )
    return services.mentor_request_approve(
        mentor_request=mentor_request, actor=actor_for(employer_user)
    )


def test_account_is_created_once_in_the_institution_schema(placement, tenant_a, tenant_b):
    with schema_context(tenant_a.schema_name):
        assert services.placement_tenant_account_create(
            placement_id=placement.pk, schema_name=tenant_a.schema_name
        )
        # a retry (the task delivered twice) changes nothing
        assert not services.placement_tenant_account_create(
            placement_id=placement.pk, schema_name=tenant_a.schema_name
        )
        invitations = list(Invitation.objects.filter(email="orlov@agro.ru"))
        assert [(i.role, i.last_name, i.first_name) for i in invitations] == [
            (Role.MENTOR, "Орлов", "Игорь")
        ]
    with schema_context(tenant_b.schema_name):
        assert not Invitation.objects.filter(email="orlov@agro.ru").exists()
    assert not Invitation.objects.filter(email="orlov@agro.ru").exists()  # public
    placement.refresh_from_db()
    assert placement.tenant_account_created_at is not None


@pytest.mark.skipif(
    importlib.util.find_spec("schools.participants.api") is None,
    reason="the participants app has no public API yet",
)
def test_the_specialist_joins_the_mentor_base(placement, tenant_a):
    from schools.participants.models import Participant

    with schema_context(tenant_a.schema_name):
        services.placement_tenant_account_create(
            placement_id=placement.pk, schema_name=tenant_a.schema_name
        )
        participant = Participant.objects.get(last_name="Орлов", first_name="Игорь")
        assert participant.category == "employer_specialist"
        assert participant.mentor_profile.capacity == 2
        assert "Главный агроном" in participant.mentor_profile.experience


def test_an_existing_account_is_not_invited_again(placement, tenant_a, user_in):
    user_in(tenant_a.schema_name, Role.MENTOR, "orlov", email="orlov@agro.ru")
    with schema_context(tenant_a.schema_name):
        assert services.placement_tenant_account_create(
            placement_id=placement.pk, schema_name=tenant_a.schema_name
        )
        assert not Invitation.objects.filter(email="orlov@agro.ru").exists()


def test_the_task_refuses_another_schema_and_public(placement, tenant_b):
    with schema_context(tenant_b.schema_name), pytest.raises(RuntimeError):
        services.placement_tenant_account_create(
            placement_id=placement.pk, schema_name=tenant_b.schema_name
        )
    result = placement_tenant_account_create.apply(kwargs={"placement_id": placement.pk})
    with pytest.raises(MissingTenantSchema):
        result.get()


def test_an_ended_placement_leaves_the_mentor_base_and_every_count_at_once(placement, tenant_a):
    """The last placement of a specialist at the institution ends: they leave its mentor base
    (so matching and the KPI counts no longer see them) and the placed count, in the same
    breath; a specialist the institution recorded itself would stay (other tests)."""
    from django.utils import timezone

    from regional.employers import api
    from regional.employers.tasks import placement_tenant_capacity_sync
    from regional.kpis import metrics
    from schools.participants.models import MentorProfile, Participant

    with schema_context(tenant_a.schema_name):
        services.placement_tenant_account_create(
            placement_id=placement.pk, schema_name=tenant_a.schema_name
        )
        orlov = Participant.objects.get(last_name="Орлов", first_name="Игорь")
        builders.consent(participant=orlov)
        before = metrics.institution_metrics(on=timezone.localdate())
    assert api.partner_counts(institution_id=tenant_a.pk)["employer_mentors_placed"] == 1

    services.placement_end(placement=placement, actor=SETUP)
    assert api.partner_counts(institution_id=tenant_a.pk)["employer_mentors_placed"] == 0
    with schema_context(tenant_a.schema_name):
        assert placement_tenant_capacity_sync.apply(kwargs={"placement_id": placement.pk}).get()
        assert not MentorProfile.objects.filter(participant=orlov).exists()
        assert Participant.objects.filter(pk=orlov.pk).exists()  # the person stays
        after = metrics.institution_metrics(on=timezone.localdate())
        # idempotent
        assert not placement_tenant_capacity_sync.apply(kwargs={"placement_id": placement.pk}).get()
    assert after["mentors"] == before["mentors"] - 1
    assert after["employer_specialist_mentors"] == before["employer_specialist_mentors"] - 1
