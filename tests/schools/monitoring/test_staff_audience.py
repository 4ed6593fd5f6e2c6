"""Curators and coordinators as a campaign's audience: the curator's checklist runs as the
quality monitoring of the programme (part 1 of Р-145)."""

from __future__ import annotations

import datetime
from typing import Any

from django.core import mail
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.models import Role
from schools.monitoring import mailing, services
from schools.monitoring.models import SurveyInvitation
from schools.monitoring.reach import campaign_pending
from schools.monitoring.report import monitoring_parts
from schools.programmes.models import Programme
from tests.conftest import SETUP, make_user
from tests.schools.monitoring.conftest import template_version_id, valid_answers


def test_the_curators_checklist_goes_to_curators_and_the_coordinator(tenant_a: Any) -> None:
    schema = tenant_a.schema_name
    curator = make_user(schema, Role.CURATOR, "checklist-curator", email="kurator@alpha.ru")
    coordinator = make_user(schema, Role.COORDINATOR, "checklist-coord", email="koord@alpha.ru")
    make_user(schema, Role.MENTOR, "checklist-mentor")
    today = timezone.localdate()
    with schema_context(schema):
        programme = Programme.objects.create(academic_year=2045, title="Программа", status="active")
        questionnaire = services.questionnaire_adopt(
            version_id=template_version_id("programme-quality"), actor=SETUP
        )
        campaign = services.campaign_create(
            questionnaire=questionnaire,
            title="Чек-лист куратора",
            target=services.Target(kind="staff"),
            opens_on=today,
            closes_on=today + datetime.timedelta(days=7),
            programme_id=programme.pk,
            actor=SETUP,
        )
        opened = services.campaign_open(campaign=campaign, actor=SETUP)
        invited = SurveyInvitation.objects.filter(campaign=campaign)
        assert opened.invited == invited.count() >= 2
        assert set(invited.values_list("user__role", flat=True)) == {"curator", "coordinator"}
        assert not invited.filter(participant__isnull=False).exists()
        assert mailing.invitations_send(campaign_id=campaign.pk) == invited.count()
        assert {m.to[0] for m in mail.outbox} >= {"kurator@alpha.ru", "koord@alpha.ru"}
        # The curator answers signed in, without any consent record (staff answer as staff).
        own = services.invitation_of_user(campaign=campaign, user=curator)
        assert own is not None and own.user_id == curator.pk
        answers = valid_answers(list(questionnaire.questions.all()))
        services.response_submit(invitation=own, answers=answers)
        pending = campaign_pending(campaign)
        assert coordinator.full_name in {p.name for p in pending} or coordinator.username
        assert curator.pk not in {
            i.user_id for i in invited if i.pk in {p.invitation_id for p in pending}
        }
        parts = monitoring_parts(programme_id=programme.pk, academic_year=2045)
        quality = parts["quality"]
        assert quality["respondents"] == 1 and quality["items"]
        assert any(item["kind"] == "yes_share" for item in quality["items"])
