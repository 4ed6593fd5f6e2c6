"""The year-end pages in institution A: a campaign that reaches pupils without e-mail through
printed slips (QR code and short link, answered without signing in), the list of who has not
answered with rates per class, and the public programme page (no login, no learner's name)."""

from __future__ import annotations

import datetime
import io
import re
from typing import Any

from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context
from docx import Document

from accounts.models import Role
from schools.monitoring import services
from schools.monitoring.models import ResponseStatus, SurveyResponse
from schools.participants import services as participant_services
from schools.participants.models import LEARNER_CATEGORIES, Participant
from schools.programmes.models import Programme
from tests import builders
from tests.conftest import SETUP, make_user
from tests.schools.monitoring.conftest import template_version_id, valid_answers
from tests.schools.pairs.test_completion_documents import docx_text
from tests.web.conftest import page_client

TODAY = timezone.localdate()
YEAR = TODAY.year if TODAY.month >= 9 else TODAY.year - 1


def test_printed_slips_reach_pupils_without_email(tenant_a: Any) -> None:
    schema = tenant_a.schema_name
    coordinator = make_user(schema, Role.COORDINATOR, "coord-slips")
    curator = make_user(schema, Role.CURATOR, "curator-slips")
    with schema_context(schema):
        Programme.objects.get_or_create(
            academic_year=YEAR, defaults={"title": "Программа", "status": "active"}
        )
        own = participant_services.study_group_get_or_create(name="6А", actor=SETUP)
        other = participant_services.study_group_get_or_create(name="6Б", actor=SETUP)
        own.curator = curator
        own.save()
        pupils = [
            builders.person(
                names="Синичкина Дарья Игоревна",
                category="pupil",
                study_group_id=own.pk,
                guardian="Родитель",
            ),
            builders.person(
                names="Журавлёв Тимофей Андреевич",
                category="pupil",
                study_group_id=own.pk,
                guardian="Родитель",
            ),
            builders.person(
                names="Воробьёва Полина Сергеевна",
                category="pupil",
                study_group_id=other.pk,
                guardian="Родитель",
            ),
        ]
        questionnaire = services.questionnaire_adopt(
            version_id=template_version_id("satisfaction-mentee"), actor=SETUP
        )
        campaign = services.campaign_create(
            questionnaire=questionnaire,
            title="Удовлетворённость 6-х классов",
            target=services.Target(kind="explicit", participant_ids=tuple(p.pk for p in pupils)),
            opens_on=TODAY,
            closes_on=TODAY + datetime.timedelta(days=10),
            actor=SETUP,
        )
        services.campaign_open(campaign=campaign, actor=SETUP)
        questions = list(questionnaire.questions.all())

    staff = page_client(tenant_a.host, coordinator, schema, "en")
    reach = staff.get(f"/campaigns/{campaign.pk}/reach/")
    assert reach.status_code == 200
    body = reach.content.decode()
    assert 'data-testid="pending-count">3<' in body and "printed slip" in body
    assert "Синичкина Дарья Игоревна" in body and "6Б" in body

    # The curator prints the slips of its own class only.
    as_curator = page_client(tenant_a.host, curator, schema, "en")
    refused = as_curator.post(f"/campaigns/{campaign.pk}/print/", {"print-study_group": other.pk})
    assert refused.status_code == 400  # not a choice for this curator
    sheet = as_curator.post(f"/campaigns/{campaign.pk}/print/", {"print-only_pending": "on"})
    assert sheet.status_code == 200
    text = docx_text(sheet.content)
    assert "Синичкина Дарья Игоревна" in text and "Журавлёв Тимофей Андреевич" in text
    assert "Воробьёва" not in text  # another curator's class
    links = re.findall(r"https?://\S+/s/([A-Z0-9]{4}-[A-Z0-9]{4})/", text)
    assert len(links) == 2
    assert len(Document(io.BytesIO(sheet.content)).inline_shapes) == 2  # a QR code per slip

    # A pupil types the short link (any case, no dash) on the school's host: no sign-in.
    pupil = Client(HTTP_HOST=tenant_a.host, HTTP_ACCEPT_LANGUAGE="en")
    code = links[0]
    typed = f"/s/{code.lower().replace('-', '')}/"
    assert pupil.get(typed).status_code == 200
    with schema_context(schema):
        invitation = services.invitation_by_token(code)
        assert invitation is not None
        services.response_submit(
            invitation=invitation, answers=valid_answers(questions), channel="link"
        )
        assert SurveyResponse.objects.filter(status=ResponseStatus.SUBMITTED).count() == 1
    assert pupil.get(f"/s/{code}/").status_code == 410  # used up
    assert pupil.get("/s/AAAA-BBBB/").status_code == 404
    other_host = Client(HTTP_HOST="beta.nastavnik.test")
    assert other_host.get(f"/s/{code}/").status_code == 404

    after = staff.get(f"/campaigns/{campaign.pk}/reach/").content.decode()
    assert 'data-testid="pending-count">2<' in after
    rates = re.search(r'data-testid="rates".*?</table>', after, re.S)
    assert rates is not None and "50.0" in rates.group(0)


def test_public_page_answers_without_login_and_names_no_learner(tenant_a: Any) -> None:
    schema = tenant_a.schema_name
    coordinator = make_user(
        schema,
        Role.COORDINATOR,
        "coord-public",
        first_name="Марина",
        last_name="Багдасарова",
        middle_name="Николаевна",
        email="laptevo@example.ru",
    )
    with schema_context(schema):
        programme, _created = Programme.objects.get_or_create(
            academic_year=YEAR,
            defaults={"title": "Вместе к успеху", "status": "active"},
        )
        programme.coordinator = coordinator
        programme.forms = ["pupil_pupil", "teacher_teacher"]
        programme.status = "active"
        programme.save()
        from schools.programmes.services import roadmap_default_create

        if not programme.activities.exists():
            roadmap_default_create(actor=SETUP, programme=programme)
        group = participant_services.study_group_get_or_create(name="8В", actor=SETUP)
        learner = builders.person(
            names="Кузякина Ангелина Романовна",
            category="pupil",
            study_group_id=group.pk,
            guardian="Родитель",
        )
        activity = programme.activities.order_by("pk")[0]
        activity.title = f"Встреча с {learner.last_name}ой Ангелиной"  # a name typed by hand
        activity.save()

    settings_page = page_client(tenant_a.host, coordinator, schema, "ru")
    saved = settings_page.post(
        "/programme/public/",
        {
            "is_published": "on",
            "intro": "Наставничество в школе: Кузякина и другие ребята помогают друг другу.",
            "show_forms": "on",
            "show_roadmap": "on",
            "show_contacts": "on",
            "show_documents": "on",
            "show_results": "on",
            "show_cases": "on",
            "contact_phone": "8(831)7179212",
            "action": "save",
        },
    )
    assert saved.status_code == 302
    preview = settings_page.post(
        "/programme/public/", {"is_published": "on", "show_forms": "on", "action": "preview"}
    )
    assert preview.status_code == 200 and "Предпросмотр" in preview.content.decode()

    anonymous = Client(HTTP_HOST=tenant_a.host, HTTP_ACCEPT_LANGUAGE="ru")
    page = anonymous.get("/public/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Багдасарова Марина Николаевна" in body and "8(831)7179212" in body
    assert "Ученик – ученик" in body and "Педагог – педагог" in body
    assert "Дорожная карта" in body
    with schema_context(schema):
        learners = list(Participant.objects.filter(category__in=LEARNER_CATEGORIES))
    assert learners
    for person in learners:
        assert person.full_name not in body
        assert person.last_name not in body, person.last_name
    embed = anonymous.get("/public/embed/")
    assert embed.status_code == 200 and "X-Frame-Options" not in embed
    assert "frame-ancestors *" in embed["Content-Security-Policy"]  # the school's site embeds it
    assert "frame-ancestors 'none'" in page["Content-Security-Policy"]
    assert "Кузякин" not in embed.content.decode()
