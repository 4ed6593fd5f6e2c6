"""An institution's own time zone (Russia has eleven): the coordinator sets it on its page
(validated against zoneinfo, the error next to the field), and a school in Vladivostok then
sees a meeting at its local time in the pair page, in the personalised programme (DOCX) and in
the survey export (XLSX); a time typed in a form is read as local time; no «UTC» anywhere."""

from __future__ import annotations

import datetime
import io
from typing import Any

from django.utils import timezone
from django_tenants.utils import schema_context
from docx import Document

from schools.monitoring import services as monitoring
from schools.monitoring.models import SurveyInvitation, SurveyResponse
from schools.pairs import services as pair_services
from tenants.models import Institution
from tenants.timezones import schema_zone
from tests.conftest import SETUP
from tests.schools.monitoring.conftest import template_version_id, valid_answers
from tests.web.test_meetings import build_world, client

VLADIVOSTOK = "Asia/Vladivostok"


def _set_zone(tenant: Any, name: str) -> None:
    Institution.objects.filter(pk=tenant.pk).update(time_zone=name)


def _docx_text(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_coordinator_sets_the_time_zone_with_errors_next_to_the_field(tenant_a):
    world = build_world(tenant_a)
    try:
        coordinator = client(world, "coordinator", "ru")
        page = coordinator.get("/settings/time-zone/")
        assert page.status_code == 200
        body = page.content.decode()
        assert "Часовой пояс" in body and "Владивосток (UTC+10)" in body
        refused = coordinator.post("/settings/time-zone/", {"time_zone": "Mars/Olympus"})
        assert refused.status_code == 400
        assert 'id="id_time_zone-errors"' in refused.content.decode()
        assert Institution.objects.get(pk=tenant_a.pk).time_zone == "Europe/Moscow"
        saved = coordinator.post("/settings/time-zone/", {"time_zone": VLADIVOSTOK})
        assert saved.status_code == 302
        assert Institution.objects.get(pk=tenant_a.pk).time_zone == VLADIVOSTOK
        assert str(schema_zone(tenant_a.schema_name)) == VLADIVOSTOK
        # only the coordinator sets it
        assert client(world, "mentor").post(
            "/settings/time-zone/", {"time_zone": "Europe/Moscow"}
        ).status_code in (403, 404)
        assert Institution.objects.get(pk=tenant_a.pk).time_zone == VLADIVOSTOK
    finally:
        _set_zone(tenant_a, "Europe/Moscow")


def test_a_school_in_vladivostok_sees_its_local_time_in_page_docx_and_xlsx(tenant_a):
    from openpyxl import load_workbook

    world = build_world(tenant_a)
    # 15:30 UTC is 18:30 in Moscow and 01:30 of the next day in Vladivostok.
    day = (timezone.now() + datetime.timedelta(days=3)).date()
    starts = datetime.datetime.combine(day, datetime.time(15, 30), tzinfo=datetime.UTC)
    local = starts.astimezone(datetime.timezone(datetime.timedelta(hours=10)))
    with schema_context(world.schema):
        meeting = pair_services.meeting_create(
            pair=world.pair,
            kind="organisational",
            starts_at=starts,
            place="Кабинет 12",
            actor=SETUP,
        )
        questionnaire = monitoring.questionnaire_adopt(
            version_id=template_version_id("satisfaction-mentee"), actor=SETUP
        )
        campaign = monitoring.campaign_create(
            questionnaire=questionnaire,
            title="Удовлетворённость",
            target=monitoring.Target(kind="pair", pair_id=world.pair.pk),
            opens_on=timezone.localdate(),
            closes_on=timezone.localdate() + datetime.timedelta(days=7),
            programme_id=world.programme.pk,
            actor=SETUP,
        )
        monitoring.campaign_open(campaign=campaign, actor=SETUP)
        invitation = SurveyInvitation.objects.filter(campaign=campaign).first()
        assert invitation is not None
        questions = list(campaign.questionnaire.questions.all())
        monitoring.response_submit(invitation=invitation, answers=valid_answers(questions))
        SurveyResponse.objects.filter(invitation=invitation).update(submitted_at=starts)
    _set_zone(tenant_a, VLADIVOSTOK)
    try:
        coordinator = client(world, "coordinator", "ru")
        page = coordinator.get(f"/pairs/{world.pair.pk}/").content.decode()
        assert local.strftime("%d.%m.%Y %H:%M") in page  # 01:30 of the next day
        assert starts.strftime("%d.%m.%Y %H:%M") not in page and "UTC" not in page

        document = coordinator.get(f"/pairs/{world.pair.pk}/personalised-programme/")
        assert document.status_code == 200
        text = _docx_text(document.content)
        assert local.strftime("%d.%m.%Y") in text and "UTC" not in text
        assert starts.strftime("%d.%m.%Y") not in text

        export = coordinator.get(f"/campaigns/{campaign.pk}/xlsx/")
        rows = list(load_workbook(io.BytesIO(export.content))["Ответы"].iter_rows(values_only=True))
        assert rows[1][2] == local.replace(tzinfo=None)

        # A time typed in the form is the institution's local time.
        moved = coordinator.post(
            f"/meetings/{meeting.pk}/edit/",
            {
                "meeting-kind": "organisational",
                "meeting-starts_at": f"{day.isoformat()}T09:00",
                "meeting-duration_minutes": "45",
                "meeting-place": "Кабинет 12",
                "meeting-link": "",
                "meeting-notes": "",
            },
        )
        assert moved.status_code == 302
        with schema_context(world.schema):
            meeting.refresh_from_db()
        expected = datetime.datetime.combine(day, datetime.time(23, 0), tzinfo=datetime.UTC)
        assert meeting.starts_at == expected - datetime.timedelta(days=1)
    finally:
        _set_zone(tenant_a, "Europe/Moscow")
