"""The questionnaire pages: the coordinator adopts a template, creates and launches a campaign
(bad input re-rendered with 400 and nothing written), sees the results with each chart's data
as a table and XLSX; a mentee answers signed in (draft, conditions, errors next to the
questions, one submission only); a parent answers through the e-mailed one-time link, which
is used up after the submission and unknown on another institution's host."""

from __future__ import annotations

import datetime
import io
import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.models import Role, User
from schools.monitoring import mailing, services
from schools.monitoring.models import (
    Questionnaire,
    SurveyCampaign,
    SurveyInvitation,
    SurveyResponse,
)
from schools.pairs import api as pairs_api
from schools.programmes.models import Programme
from tests import builders
from tests.builders import BIDI_ERROR, BIDI_WISH, STORED_STORY, STORED_WISH, TYPED_STORY, TYPED_WISH
from tests.conftest import SETUP, make_user
from tests.isolation.objects_of_b import bump_sequence
from tests.schools.monitoring.conftest import template_version_id, valid_answers
from tests.web.conftest import page_client

TODAY = timezone.localdate()


@dataclass
class Place:
    users: dict[str, User]
    pair_id: int
    programme_id: int
    mentee: Any
    parent: Any


@pytest.fixture
def place(tenant_a: Any) -> Place:
    schema = tenant_a.schema_name
    users = {
        role: make_user(schema, role, f"{role}-sv", email=f"{role}-sv@alpha.ru")
        for role in ("coordinator", "curator", "mentor", "mentee", "parent")
    }
    with schema_context(schema):
        programme = Programme.objects.create(
            academic_year=TODAY.year if TODAY.month >= 9 else TODAY.year - 1,
            title="Программа",
            status="active",
            forms=["teacher_teacher"],
        )
        mentor = builders.person(
            names="Сурова Вера Олеговна",
            mentor_capacity=3,
            user_id=users["mentor"].pk,
            email=builders.unique_email(),
        )
        mentee = builders.person(
            names="Лютиков Глеб Ильич", user_id=users["mentee"].pk, email=builders.unique_email()
        )
        parent = builders.person(
            names="Гранатова Нина Петровна", category="parent", email=builders.unique_email()
        )
        pair_id = pairs_api.pair_create(
            programme_id=programme.pk,
            mentor_participant_id=mentor.pk,
            mentee_participant_ids=[mentee.pk],
            form="teacher_teacher",
            actor=SETUP,
        )
    return Place(
        users=users, pair_id=pair_id, programme_id=programme.pk, mentee=mentee, parent=parent
    )


def client(tenant: Any, user: User | None) -> Any:
    return page_client(tenant.host, user, tenant.schema_name, "en")


def _adopted(tenant: Any, code: str) -> Questionnaire:
    with schema_context(tenant.schema_name):
        return services.questionnaire_adopt(version_id=template_version_id(code), actor=SETUP)


def _opened(
    place: Place, questionnaire: Questionnaire, title: str, target: services.Target
) -> SurveyCampaign:
    """A campaign of ``questionnaire`` open this week (in the caller's schema)."""
    campaign = services.campaign_create(
        questionnaire=questionnaire,
        title=title,
        target=target,
        opens_on=TODAY,
        closes_on=TODAY + datetime.timedelta(days=7),
        programme_id=place.programme_id,
        actor=SETUP,
    )
    services.campaign_open(campaign=campaign, actor=SETUP)
    return campaign


def _open_campaign(tenant: Any, place: Place, code: str, **target: Any) -> SurveyCampaign:
    questionnaire = _adopted(tenant, code)
    with schema_context(tenant.schema_name):
        return _opened(
            place,
            questionnaire,
            f"Кампания {code}",
            services.Target(**(target or {"kind": "pair", "pair_id": place.pair_id})),
        )


def test_coordinator_adopts_creates_and_launches_a_campaign(
    tenant_a, place, django_capture_on_commit_callbacks
):
    coordinator = client(tenant_a, place.users["coordinator"])
    page = coordinator.get("/campaigns/")
    assert page.status_code == 200
    assert "New campaign" in page.content.decode()

    bad = coordinator.post("/campaigns/adopt/", {"template_version": "999999"})
    assert bad.status_code == 400
    assert 'aria-invalid="true"' in bad.content.decode()
    adopted = coordinator.post(
        "/campaigns/adopt/",
        {"template_version": template_version_id("satisfaction-mentee"), "title": "Довольны?"},
    )
    assert adopted.status_code == 302
    with schema_context(tenant_a.schema_name):
        questionnaire = Questionnaire.objects.get(title="Довольны?")
        assert questionnaire.is_adopted

    form = {
        "questionnaire": questionnaire.pk,
        "title": "Весенний опрос",
        "target_kind": "pair",
        "target_pair": place.pair_id,
        "opens_on": str(TODAY),
        "closes_on": str(TODAY - datetime.timedelta(days=1)),
    }
    refused = coordinator.post("/campaigns/new/", form)
    assert refused.status_code == 400
    body = refused.content.decode()
    assert "A campaign cannot close before it opens." in body
    assert 'id="id_closes_on-errors"' in body  # next to the field
    no_pair = coordinator.post("/campaigns/new/", {**form, "target_pair": ""})
    assert no_pair.status_code == 400
    assert "id_target_pair-errors" in no_pair.content.decode()
    with schema_context(tenant_a.schema_name):
        assert not SurveyCampaign.objects.exists()

    form["closes_on"] = str(TODAY + datetime.timedelta(days=7))
    created = coordinator.post("/campaigns/new/", form)
    assert created.status_code == 302
    with schema_context(tenant_a.schema_name):
        campaign = SurveyCampaign.objects.get(title="Весенний опрос")
    assert created["Location"] == f"/campaigns/{campaign.pk}/"
    assert campaign.status == "draft"

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        launched = coordinator.post(f"/campaigns/{campaign.pk}/open/")
    assert launched.status_code == 302
    assert len(callbacks) == 1  # the e-mails go out from a task enqueued on commit
    with schema_context(tenant_a.schema_name):
        campaign.refresh_from_db()
        assert campaign.status == "open"
        assert SurveyInvitation.objects.filter(campaign=campaign).count() == 2
    again = coordinator.post(f"/campaigns/{campaign.pk}/open/", follow=True)
    assert "Only a draft campaign can be opened." in again.content.decode()
    listing = coordinator.get("/campaigns/").content.decode()
    assert "Весенний опрос" in listing and "0%" in listing  # nobody answered yet


def test_roles_and_scope_of_the_campaign_pages(tenant_a, tenant_b, place):
    campaign = _open_campaign(tenant_a, place, "satisfaction-mentee")
    curator = client(tenant_a, place.users["curator"])
    # a curator runs campaigns of its own classes only (tests/web/test_year_start.py): this
    # one surveys the programme's pairs, so it is out of the curator's scope
    assert curator.get(f"/campaigns/{campaign.pk}/").status_code == 404
    assert curator.post(f"/campaigns/{campaign.pk}/close/").status_code == 404
    assert curator.post("/campaigns/new/", {}).status_code == 400
    deputy = client(tenant_a, make_user(tenant_a.schema_name, Role.DEPUTY, "deputy-sv"))
    assert deputy.get(f"/campaigns/{campaign.pk}/").status_code == 200
    assert deputy.post(f"/campaigns/{campaign.pk}/close/").status_code == 403
    mentee = client(tenant_a, place.users["mentee"])
    assert mentee.get("/campaigns/").status_code == 403
    assert mentee.get(f"/campaigns/{campaign.pk}/").status_code == 403
    # Another institution's campaign id is "missing" here, as any missing id.
    b_coordinator = make_user(tenant_b.schema_name, Role.COORDINATOR, "b-coord-sv")
    with schema_context(tenant_b.schema_name):
        bump_sequence("monitoring_surveycampaign")  # B's id is not one of A's
        programme = Programme.objects.create(academic_year=2040, title="Б", forms=["pupil_pupil"])
        b_mentee = builders.person(names="Беткина Анна Ивановна", email=builders.unique_email())
        b_questionnaire = services.questionnaire_adopt(
            version_id=template_version_id("satisfaction-mentee"), actor=SETUP
        )
        b_campaign = services.campaign_create(
            questionnaire=b_questionnaire,
            title="B",
            target=services.Target(kind="explicit", participant_ids=(b_mentee.pk,)),
            opens_on=TODAY,
            closes_on=TODAY,
            programme_id=programme.pk,
            actor=SETUP,
        )
    coordinator = client(tenant_a, place.users["coordinator"])
    for path in ("/", "/xlsx/", "/open/", "/close/", "/remind/"):
        method = coordinator.get if path in ("/", "/xlsx/") else coordinator.post
        assert method(f"/campaigns/{b_campaign.pk}{path}").status_code == 404, path
    assert client(tenant_b, b_coordinator).get(f"/campaigns/{b_campaign.pk}/").status_code == 200


def _form_data(answers: dict[str, Any], action: str = "submit") -> dict[str, Any]:
    data: dict[str, Any] = {"action": action}
    for code, value in answers.items():
        if isinstance(value, bool):
            data[code] = "yes" if value else "no"
        else:
            data[code] = value
    return data


def test_mentee_answers_signed_in_with_draft_conditions_and_errors(tenant_a, place):
    campaign = _open_campaign(tenant_a, place, "mentee-intake")
    mentee = client(tenant_a, place.users["mentee"])
    with schema_context(tenant_a.schema_name):
        invitation = SurveyInvitation.objects.get(campaign=campaign, participant=place.mentee)
        other = SurveyInvitation.objects.exclude(pk=invitation.pk).get(campaign=campaign)
        questions = list(campaign.questionnaire.questions.all())
    areas = next(q for q in questions if q.code == "request_areas").options[0]["code"]

    listing = mentee.get("/my-surveys/").content.decode()
    assert f"/my-surveys/{invitation.pk}/" in listing and "to answer" in listing
    # Someone else's invitation is not found.
    assert mentee.get(f"/my-surveys/{other.pk}/").status_code == 404
    assert mentee.post(f"/my-surveys/{other.pk}/", {"action": "draft"}).status_code == 404

    form = mentee.get(f"/my-surveys/{invitation.pk}/").content.decode()
    assert 'data-condition-question="wants_mentor"' in form
    assert 'data-condition-value="yes"' in form

    # A draft: some answers only, kept.
    draft = mentee.post(f"/my-surveys/{invitation.pk}/", {"action": "draft", "category": "teacher"})
    assert draft.status_code == 302
    with schema_context(tenant_a.schema_name):
        response = SurveyResponse.objects.get(invitation=invitation)
        assert response.status == "draft" and response.answers == {"category": "teacher"}
    assert "draft saved" in mentee.get("/my-surveys/").content.decode()
    again = mentee.get(f"/my-surveys/{invitation.pk}/").content.decode()
    assert re.search(r'<input[^>]*value="teacher"[^>]*checked', again)  # the draft is shown

    # Submitting with required answers missing: errors next to the questions, nothing sent.
    missing = mentee.post(
        f"/my-surveys/{invitation.pk}/", {"action": "submit", "category": "teacher"}
    )
    assert missing.status_code == 400
    body = missing.content.decode()
    assert 'id="id_wants_mentor-errors"' in body and "This question requires an answer." in body
    # Shown because wants_mentor = yes: request_areas is required then.
    shown = mentee.post(
        f"/my-surveys/{invitation.pk}/",
        {
            "action": "submit",
            "category": "teacher",
            "young_specialist": "yes",
            "wants_mentor": "yes",
        },
    )
    assert shown.status_code == 400
    assert 'id="id_request_areas-errors"' in shown.content.decode()
    # A value the field does not offer is refused by the form.
    wrong = mentee.post(f"/my-surveys/{invitation.pk}/", {"action": "draft", "category": "x"})
    assert wrong.status_code == 400
    assert 'id="id_category-errors"' in wrong.content.decode()
    with schema_context(tenant_a.schema_name):
        response.refresh_from_db()
        assert response.status == "draft" and response.answers == {"category": "teacher"}

    # wants_mentor = no hides request_areas: an answer left in it is dropped, not an error.
    submitted = mentee.post(
        f"/my-surveys/{invitation.pk}/",
        {
            "action": "submit",
            "category": "teacher",
            "young_specialist": "no",
            "wants_mentor": "no",
            "request_areas": [areas],
        },
    )
    assert submitted.status_code == 302 and submitted["Location"] == "/my-surveys/"
    with schema_context(tenant_a.schema_name):
        response.refresh_from_db()
        assert response.status == "submitted"
        assert response.answers == {
            "category": "teacher",
            "young_specialist": False,
            "wants_mentor": False,
        }
    assert "answered" in mentee.get("/my-surveys/").content.decode()
    # A second submission changes nothing.
    twice = mentee.post(
        f"/my-surveys/{invitation.pk}/",
        {"action": "submit", "category": "pupil", "wants_mentor": "yes"},
    )
    assert twice.status_code == 400
    with schema_context(tenant_a.schema_name):
        response.refresh_from_db()
        assert response.answers["category"] == "teacher"


def test_results_show_charts_with_tables_and_xlsx(tenant_a, place):
    from openpyxl import load_workbook

    campaign = _open_campaign(tenant_a, place, "satisfaction-mentee")
    with schema_context(tenant_a.schema_name):
        invitation = SurveyInvitation.objects.get(campaign=campaign, participant=place.mentee)
        questions = list(campaign.questionnaire.questions.all())
        services.response_submit(invitation=invitation, answers=valid_answers(questions))
    scale = next(q for q in questions if q.kind == "scale")
    coordinator = client(tenant_a, place.users["coordinator"])
    page = coordinator.get(f"/campaigns/{campaign.pk}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert 'data-testid="submitted">1<' in body and "50.0%" in body
    assert "chart.umd.min.js" in body and "surveys-results.js" in body
    charts = re.findall(r'<script id="(chart-\d+-data)" type="application/json">', body)
    assert charts, "a chart per counted question"
    assert f"?question={scale.code}" in body and "Table view" in body
    # Beside its own numbers, the region's (none published yet in this test).
    assert f'data-testid="region-{scale.code}"' in body
    assert "Region: no published numbers yet." in body

    download = coordinator.get(f"/campaigns/{campaign.pk}/xlsx/?question={scale.code}")
    assert download.status_code == 200
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(download.content)).active
    assert sheet is not None
    rows = [tuple(r) for r in sheet.iter_rows(values_only=True)]
    assert ("Answers", 1) in rows
    counts = {r[0]: r[1] for r in rows if len(r) > 1}
    assert counts[str(scale.max_value)] == 1 and counts[str(scale.min_value)] == 0
    assert coordinator.get(f"/campaigns/{campaign.pk}/xlsx/?question=nope").status_code == 404
    whole = coordinator.get(f"/campaigns/{campaign.pk}/xlsx/")
    assert whole.status_code == 200
    assert "Ответы" in load_workbook(io.BytesIO(whole.content)).sheetnames
    # Headers and values as people read them, times in the institution's time zone.
    answers = list(load_workbook(io.BytesIO(whole.content))["Ответы"].iter_rows(values_only=True))
    header, row = answers[0], answers[1]
    assert scale.text in header and not any(q.code in header for q in questions)
    with schema_context(tenant_a.schema_name):
        submitted = SurveyInvitation.objects.get(pk=invitation.pk).response.submitted_at
    local = timezone.localtime(submitted).replace(tzinfo=None)
    assert row[2].replace(second=0, microsecond=0) == local.replace(second=0, microsecond=0)
    frequency = next(q for q in questions if q.code == "meeting_frequency")
    chosen = row[header.index(frequency.text)]
    assert chosen in {o["text"] for o in frequency.options}
    summary = list(load_workbook(io.BytesIO(whole.content))["Итоги"].iter_rows(values_only=True))
    assert not any(q.code in (r or ()) for r in summary for q in questions)


def test_one_time_link_answers_once_and_only_on_its_host(
    tenant_a, tenant_b, place, django_capture_on_commit_callbacks
):
    campaign = _open_campaign(
        tenant_a, place, "satisfaction-mentee", kind="explicit", participant_ids=(place.parent.pk,)
    )
    with schema_context(tenant_a.schema_name):
        mail.outbox.clear()
        assert mailing.invitations_send(campaign_id=campaign.pk) == 1
        questions = list(campaign.questionnaire.questions.all())
        invitation = SurveyInvitation.objects.get(campaign=campaign)
    found = re.search(
        r"https?://[^/\s]+(/surveys/link/([A-Za-z0-9_-]+)/)", str(mail.outbox[0].body)
    )
    assert found, mail.outbox[0].body
    path = found.group(1)
    anonymous = client(tenant_a, None)
    page = anonymous.get(path)
    assert page.status_code == 200
    assert 'id="survey-form"' in page.content.decode()

    # B's host does not know A's token; a made-up token is not found either.
    assert client(tenant_b, None).get(path).status_code == 404
    assert client(tenant_b, None).post(path, {"action": "submit"}).status_code == 404
    assert anonymous.get(f"/surveys/link/{'x' * 43}/").status_code == 404

    missing = anonymous.post(path, {"action": "submit"})
    assert missing.status_code == 400
    assert "This question requires an answer." in missing.content.decode()
    done = anonymous.post(path, _form_data(valid_answers(questions)))
    assert done.status_code == 200
    assert 'data-testid="survey-done"' in done.content.decode()
    with schema_context(tenant_a.schema_name):
        response = SurveyResponse.objects.get(invitation=invitation)
        assert response.status == "submitted" and response.channel == "link"
        first = dict(response.answers)
    # The link is used up: it shows so, and cannot answer twice.
    assert anonymous.get(path).status_code == 410
    again = anonymous.post(path, _form_data(valid_answers(questions, scale="min")))
    assert again.status_code == 410
    with schema_context(tenant_a.schema_name):
        response.refresh_from_db()
        assert response.answers == first


def test_my_questionnaires_card_and_closed_campaign(tenant_a, place):
    campaign = _open_campaign(tenant_a, place, "satisfaction-mentee")
    with schema_context(tenant_a.schema_name):
        services.campaign_close(campaign=campaign, actor=SETUP)
        invitation = SurveyInvitation.objects.get(campaign=campaign, participant=place.mentee)
    mentee = client(tenant_a, place.users["mentee"])
    assert "closed" in mentee.get("/my-surveys/").content.decode()
    refused = mentee.post(f"/my-surveys/{invitation.pk}/", {"action": "draft"})
    assert refused.status_code == 400
    with schema_context(tenant_a.schema_name):
        assert not SurveyResponse.objects.filter(invitation=invitation).exists()
    home = mentee.get("/").content.decode()
    assert "/my-surveys/" in home


def _rows(*questions: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {
        "q-TOTAL_FORMS": "8",
        "q-INITIAL_FORMS": "0",
        "q-MIN_NUM_FORMS": "0",
        "q-MAX_NUM_FORMS": "8",
    }
    for index in range(8):
        data[f"q-{index}-kind"] = "scale"
        data[f"q-{index}-required"] = "on"
    for index, question in enumerate(questions):
        data.update({f"q-{index}-{key}": value for key, value in question.items()})
    return data


def test_coordinator_writes_a_local_questionnaire(tenant_a, place):
    coordinator = client(tenant_a, place.users["coordinator"])
    assert coordinator.get("/campaigns/questionnaires/new/").status_code == 200
    assert (
        client(tenant_a, place.users["curator"]).get("/campaigns/questionnaires/new/").status_code
        == 403
    )
    head = {"title": "Наша анкета", "purpose": "intermediate_feedback", "growth_phase": ""}
    empty = coordinator.post("/campaigns/questionnaires/new/", {**head, **_rows()})
    assert empty.status_code == 400
    assert "A questionnaire needs at least one question." in empty.content.decode()
    broken = coordinator.post(
        "/campaigns/questionnaires/new/",
        {**head, **_rows({"text": "Насколько полезны встречи?", "min_value": "1"})},
    )
    assert broken.status_code == 400
    assert 'id="id_q-0-max_value-errors"' in broken.content.decode()  # next to the field
    no_title = coordinator.post(
        "/campaigns/questionnaires/new/", {**head, "title": "", **_rows({"text": "Как дела?"})}
    )
    assert no_title.status_code == 400 and 'id="id_title-errors"' in no_title.content.decode()
    with schema_context(tenant_a.schema_name):
        assert not Questionnaire.objects.filter(origin="local").exists()

    made = coordinator.post(
        "/campaigns/questionnaires/new/",
        {
            **head,
            **_rows(
                {"text": "Насколько полезны встречи?", "min_value": "1", "max_value": "5"},
                {"text": "Что улучшить?", "kind": "single_choice", "options": "Время\nМесто\n"},
            ),
        },
    )
    assert made.status_code == 302
    with schema_context(tenant_a.schema_name):
        questionnaire = Questionnaire.objects.get(title="Наша анкета")
        questions = list(questionnaire.questions.order_by("order"))
    assert questionnaire.origin == "local"
    assert [(q.code, q.kind) for q in questions] == [("q1", "scale"), ("q2", "single_choice")]
    assert questions[1].options == [
        {"code": "o1", "text": "Время"},
        {"code": "o2", "text": "Место"},
    ]


def _local_campaign(tenant: Any, place: Place, questions: int) -> SurveyCampaign:
    """An open campaign of a questionnaire of ``questions`` required ten-point scales and one
    choice, to the parent (valid consent)."""
    rows: list[dict[str, Any]] = [
        {"code": f"q{n}", "text": f"Вопрос {n}", "kind": "scale", "min_value": 1, "max_value": 10}
        for n in range(1, questions + 1)
    ]
    rows.append(
        {
            "code": "often",
            "text": "Как часто?",
            "kind": "single_choice",
            "options": [{"code": "a", "text": "Часто"}, {"code": "b", "text": "Редко"}],
        }
    )
    with schema_context(tenant.schema_name):
        questionnaire = services.questionnaire_create_local(
            title=f"Анкета из {questions}",
            purpose="intermediate_feedback",
            questions=rows,
            actor=SETUP,
        )
        return _opened(
            place,
            questionnaire,
            f"Кампания из {questions}",
            services.Target(kind="explicit", participant_ids=(place.parent.pk,)),
        )


def _answered_by_link(
    tenant: Any, campaign: SurveyCampaign, participant: Any
) -> tuple[list[str], list[str]]:
    """The SQL of a GET of the participant's link and of the POST of complete answers."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with schema_context(tenant.schema_name):
        invitation = SurveyInvitation.objects.get(campaign=campaign, participant=participant)
        token = services.invitation_link_issue(invitation_id=invitation.pk)
        questions = list(campaign.questionnaire.questions.all())
    path = f"/surveys/link/{token}/"
    anonymous = client(tenant, None)
    assert anonymous.get(path).status_code == 200  # first-use caches (translations, the host)
    with CaptureQueriesContext(connection) as got:
        page = anonymous.get(path)
    assert page.status_code == 200
    with CaptureQueriesContext(connection) as posted:
        done = anonymous.post(path, _form_data(valid_answers(questions)))
    assert done.status_code == 200 and 'data-testid="survey-done"' in done.content.decode()
    with schema_context(tenant.schema_name):
        assert SurveyResponse.objects.get(invitation=invitation).status == "submitted"
    return [q["sql"] for q in got.captured_queries], [q["sql"] for q in posted.captured_queries]


def test_a_link_is_answered_in_a_fixed_number_of_queries(tenant_a, place, monkeypatch):
    """A class answers at once through its links (issue #17): the form is the invitation with
    its campaign, questionnaire, response and its person's consent in one query (the questions
    of an open campaign's questionnaire are read once per process: it never changes); the
    submission checks that consent and writes one row in one statement, locking no other.
    The counts do not grow with the questions; an adopted questionnaire's answers are checked
    against its regional version, read once per process (a published version never changes)."""
    from regional.questionnaires import services as template_services

    monkeypatch.setattr(services, "_ANSWERED_QUESTIONS", {})
    small = _answered_by_link(tenant_a, _local_campaign(tenant_a, place, 2), place.parent)
    large = _answered_by_link(tenant_a, _local_campaign(tenant_a, place, 12), place.parent)
    assert [len(sql) for sql in small] == [len(sql) for sql in large]
    get, post = large
    # the host's institution with its search path (one statement); the invitation
    assert len(get) == 2, "\n".join(get)
    # the same two (the invitation carries its person's consent); a savepoint (the
    # transaction), the insert (ON CONFLICT: no lock, no savepoint around it), the release
    assert len(post) == 5, "\n".join(post)
    assert not any("FOR UPDATE" in sql for sql in post), post
    assert any("ON CONFLICT" in sql for sql in post), post

    monkeypatch.setattr(template_services, "_FROZEN_QUESTIONS", {})
    adopted = _open_campaign(
        tenant_a,
        place,
        "satisfaction-mentee",
        kind="explicit",
        participant_ids=(place.parent.pk, place.mentee.pk),
    )
    get, post = _answered_by_link(tenant_a, adopted, place.parent)
    assert len(get) == 2, "\n".join(get)
    assert len(post) == 5 + 2, "\n".join(post)  # the version and its questions, read once
    get, post = _answered_by_link(tenant_a, adopted, place.mentee)
    assert (len(get), len(post)) == (2, 5), "\n".join(post)


def test_the_questions_of_an_open_campaign_are_read_once_per_process(tenant_a, place, monkeypatch):
    """Only a campaign taking answers (its questionnaire locked) keeps its questions: a draft
    campaign's questionnaire may still change and is read every time."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    monkeypatch.setattr(services, "_ANSWERED_QUESTIONS", {})
    campaign = _local_campaign(tenant_a, place, 3)
    with schema_context(tenant_a.schema_name):
        draft = services.campaign_create(
            questionnaire=services.questionnaire_create_local(
                title="Черновая",
                purpose="intermediate_feedback",
                questions=[
                    {
                        "code": "q1",
                        "text": "Как дела?",
                        "kind": "scale",
                        "min_value": 1,
                        "max_value": 5,
                    }
                ],
                actor=SETUP,
            ),
            title="Черновик",
            target=services.Target(kind="explicit", participant_ids=(place.parent.pk,)),
            opens_on=TODAY,
            closes_on=TODAY + datetime.timedelta(days=7),
            actor=SETUP,
        )
        for each, reads in ((campaign, [1, 0]), (draft, [1, 1])):
            counts = []
            for _time in range(2):
                fresh = SurveyCampaign.objects.select_related("questionnaire").get(pk=each.pk)
                with CaptureQueriesContext(connection) as got:
                    codes = [
                        q.code for q in services.questions_of(fresh.questionnaire, campaign=fresh)
                    ]
                    assert services.questions_of(fresh.questionnaire) is not None  # its cache
                counts.append(len(got))
                assert codes == [q.code for q in fresh.questionnaire.questions.order_by("order")]
            assert counts == reads, each.title


def test_a_second_submission_is_refused_and_writes_nothing(tenant_a, place):
    """The insert skips an invitation already answered: a submitted response is refused with
    the service's message (its answers unchanged), even when the new answers are wrong too;
    a saved draft is submitted with the answers given."""
    from schools.monitoring.models import SurveyResponse

    campaign = _local_campaign(tenant_a, place, 2)
    with schema_context(tenant_a.schema_name):
        invitation = SurveyInvitation.objects.select_related("campaign__questionnaire").get(
            campaign=campaign, participant=place.parent
        )
        answers = valid_answers(list(campaign.questionnaire.questions.all()))
        first = services.response_submit(invitation=invitation, answers=answers, channel="link")
        assert first.pk and first.status == "submitted"
        for again in ({**answers, "q1": 1 if answers["q1"] != 1 else 2}, {"q1": 99}):
            with pytest.raises(services.AlreadySubmitted) as refused:
                services.response_submit(invitation=invitation, answers=again, channel="link")
            assert "already been submitted" in str(refused.value)
        stored = SurveyResponse.objects.get(invitation=invitation)
        assert (stored.pk, stored.answers, stored.status) == (first.pk, answers, "submitted")

        other = _local_campaign(tenant_a, place, 2)
        invitation = SurveyInvitation.objects.select_related("campaign__questionnaire").get(
            campaign=other, participant=place.parent
        )
        answers = valid_answers(list(other.questionnaire.questions.all()))
        draft = services.response_save_draft(
            invitation=invitation, answers={"q1": answers["q1"]}, channel="link"
        )
        submitted = services.response_submit(invitation=invitation, answers=answers, channel="link")
        assert (submitted.pk, submitted.status, submitted.answers) == (
            draft.pk,
            "submitted",
            answers,
        )


def _columns(obj: Any) -> dict[str, Any]:
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}


def _as_read(invitation: SurveyInvitation | None) -> Any:
    """Everything a lookup of a link gives: the invitation's columns, its campaign's, its
    questionnaire's, its response's (None: none) and the consent values it carries."""
    if invitation is None:
        return None
    try:
        response = _columns(invitation.response)
    except SurveyResponse.DoesNotExist:
        response = None
    carried = ("consent_erased_at", "consent_stopped_at", "consent_birth_date", "consent_latest")
    return (
        _columns(invitation),
        _columns(invitation.campaign),
        _columns(invitation.campaign.questionnaire),
        response,
        {name: getattr(invitation, name) for name in carried},
    )


def test_a_link_is_looked_up_as_the_orm_would(tenant_a, place):
    """``invitation_by_token`` runs its statement compiled once per process: for a link not yet
    answered, one with a draft, one submitted, a printed code typed loosely, a person whose
    consent was withdrawn, a staff member's invitation (no person) and tokens of nothing, it
    gives what the ORM's own queryset gives (every column of the four rows and the consent
    values), and reading the campaign, questionnaire and response makes no query."""
    from django.db import connection
    from django.db.models import Q
    from django.test.utils import CaptureQueriesContext

    from schools.monitoring import printing
    from schools.participants import api as participants_api

    def orm(token: str) -> SurveyInvitation | None:
        """The lookup as the ORM wrote it (a token that cannot be a code: no code's match)."""
        match = Q(token_hash=services.token_hash(token))
        code = printing.short_code_normalise(token)
        if code is not None:
            match |= Q(short_code_hash=services.token_hash(code))
        return (
            SurveyInvitation.objects.select_related("campaign__questionnaire", "response")
            .annotate(**participants_api.consent_annotations(person="participant"))
            .filter(match)
            .order_by("pk")
            .first()
        )

    campaign = _local_campaign(tenant_a, place, 2)
    other = _local_campaign(tenant_a, place, 3)
    with schema_context(tenant_a.schema_name):
        questionnaire = services.questionnaire_create_local(
            title="Для сотрудников",
            purpose="intermediate_feedback",
            questions=[{"code": "q1", "text": "Как?", "kind": "yes_no"}],
            actor=SETUP,
        )
        staff = _opened(place, questionnaire, "Сотрудникам", services.Target(kind="staff"))
        tokens = {}
        for name, each in (("new", campaign), ("draft", other)):
            invitation = SurveyInvitation.objects.get(campaign=each, participant=place.parent)
            tokens[name] = services.invitation_link_issue(invitation_id=invitation.pk)
        of_staff = SurveyInvitation.objects.filter(campaign=staff).first()
        assert of_staff is not None and of_staff.participant_id is None
        tokens["staff"] = services.invitation_link_issue(invitation_id=of_staff.pk)
        code = printing.short_codes_issue(invitation_ids=[of_staff.pk])[of_staff.pk]
        tokens["code"] = code.lower().replace("-", "")
        tokens["nothing"] = "x" * 43
        tokens["a code of nothing"] = "AAAA-BBBB"

        drafted = services.invitation_by_token(tokens["draft"])
        assert drafted is not None
        services.response_save_draft(invitation=drafted, answers={"q1": 3}, channel="link")
        seen = {name: _as_read(services.invitation_by_token(t)) for name, t in tokens.items()}
        assert seen == {name: _as_read(orm(t)) for name, t in tokens.items()}
        assert seen["nothing"] is None and seen["a code of nothing"] is None
        assert seen["draft"][3]["status"] == "draft" and seen["new"][3] is None
        assert seen["code"][0]["id"] == seen["staff"][0]["id"]
        assert seen["new"][4]["consent_latest"] is not None  # the parent's grant
        assert set(seen["staff"][4].values()) == {None}

        found = services.invitation_by_token(tokens["new"])
        assert found is not None
        services.response_submit(
            invitation=found,
            answers=valid_answers(list(campaign.questionnaire.questions.all())),
            channel="link",
        )
        participants_api.consent_withdraw(
            participant_id=place.parent.pk,
            signed_by="self",
            signed_on=TODAY,
            method="paper_scan",
            actor=SETUP,
        )
        for name in ("new", "draft"):
            with CaptureQueriesContext(connection) as read:
                found = services.invitation_by_token(tokens[name])
                assert found is not None
                _as_read(found)
            assert len(read) == 1
            assert _as_read(found) == _as_read(orm(tokens[name]))
        assert _as_read(found)[4]["consent_latest"][0] == "withdrawal"
        draft_answers = valid_answers(list(other.questionnaire.questions.all()))
    # The consent read with the invitation refuses the answers as the query did.
    refused = client(tenant_a, None).post(
        f"/surveys/link/{tokens['draft']}/", _form_data(draft_answers)
    )
    assert refused.status_code == 400
    assert "without valid consent to personal-data processing" in refused.content.decode()
    with schema_context(tenant_a.schema_name):
        kept = SurveyResponse.objects.get(invitation__campaign=other)
        assert (kept.status, kept.answers) == ("draft", {"q1": 3})


def test_a_new_form_written_before_is_the_same_page(tenant_a, place, monkeypatch):
    """The questions of a new form are written once per process; the next GET takes them
    without building the form, and the page is the same (apart from the CSRF token's mask)."""
    from schools.web import views_surveys

    monkeypatch.setattr(views_surveys, "_NEW_FORMS", {})
    campaign = _local_campaign(tenant_a, place, 3)
    with schema_context(tenant_a.schema_name):
        invitation = SurveyInvitation.objects.get(campaign=campaign, participant=place.parent)
        token = services.invitation_link_issue(invitation_id=invitation.pk)
    anonymous = client(tenant_a, None)
    built_forms = []
    real = views_surveys.AnswerForm

    def counted(*args: Any, **kwargs: Any) -> Any:
        built_forms.append(bool(args))
        return real(*args, **kwargs)

    monkeypatch.setattr(views_surveys, "AnswerForm", counted)
    pages = [anonymous.get(f"/surveys/link/{token}/") for _time in range(2)]
    assert [page.status_code for page in pages] == [200, 200]
    assert built_forms == [False]  # the first GET only
    mask = re.compile(r'(csrfmiddlewaretoken" value="|X-CSRFToken": ")[^"]+')
    first, second = (mask.sub(r"\1…", page.content.decode()) for page in pages)
    assert first == second
    assert 'name="q1"' in first and "Please correct" not in first


# --- free-text answers are cleaned at the edge as every other text (config.text) -----------------


def _text_campaign(tenant: Any, place: Place) -> SurveyCampaign:
    """An open campaign of a local questionnaire with a scale and two free-text questions, to
    the mentee (who answers signed in) and the parent (who answers through a link)."""
    rows = builders.free_text_questions()
    with schema_context(tenant.schema_name):
        questionnaire = services.questionnaire_create_local(
            title="Анкета с ответами своими словами",
            purpose="intermediate_feedback",
            questions=rows,
            actor=SETUP,
        )
        return _opened(
            place,
            questionnaire,
            "Кампания со свободными ответами",
            services.Target(kind="explicit", participant_ids=(place.mentee.pk, place.parent.pk)),
        )


def _answers_of(tenant: Any, invitation: SurveyInvitation) -> tuple[str, dict[str, Any]] | None:
    with schema_context(tenant.schema_name):
        response = SurveyResponse.objects.filter(invitation=invitation).first()
        return None if response is None else (response.status, dict(response.answers))


def _text_answers_are_cleaned(tenant: Any, page: Any, path: str, invitation: Any) -> None:
    """Through the answering page at ``path``: a draft, text with a bidi override refused
    next to its question (nothing saved, the draft untouched), then clean text submitted."""
    draft = page.post(path, {"action": "draft", "mark": "4", "wish": TYPED_WISH})
    assert draft.status_code == 302
    # the draft keeps the text as every other text is kept: NFC, no invisible characters
    assert _answers_of(tenant, invitation) == ("draft", {"mark": 4, "wish": STORED_WISH})

    for action in ("draft", "submit"):
        refused = page.post(
            path, {"action": action, "mark": "5", "wish": BIDI_WISH, "story": TYPED_STORY}
        )
        assert refused.status_code == 400
        body = refused.content.decode()
        errors = re.search(r'<div[^>]*id="id_wish-errors"[^>]*>(.*?)</div>', body, re.S)
        assert errors is not None and BIDI_ERROR in errors.group(1)
        assert 'id="id_story-errors"' not in body  # only the question at fault
        assert "\u202e" not in errors.group(1)  # the error does not repeat the text
        assert _answers_of(tenant, invitation) == ("draft", {"mark": 4, "wish": STORED_WISH})

    done = page.post(
        path, {"action": "submit", "mark": "5", "wish": TYPED_WISH, "story": TYPED_STORY}
    )
    assert done.status_code in (200, 302)
    assert _answers_of(tenant, invitation) == (
        "submitted",
        {"mark": 5, "wish": STORED_WISH, "story": STORED_STORY},
    )


def test_text_answers_are_cleaned_on_the_page_signed_in(tenant_a, place):
    campaign = _text_campaign(tenant_a, place)
    with schema_context(tenant_a.schema_name):
        invitation = SurveyInvitation.objects.get(campaign=campaign, participant=place.mentee)
    mentee = page_client(tenant_a.host, place.users["mentee"], tenant_a.schema_name, "ru")
    _text_answers_are_cleaned(tenant_a, mentee, f"/my-surveys/{invitation.pk}/", invitation)


def test_text_answers_are_cleaned_on_the_page_of_a_link(tenant_a, place):
    campaign = _text_campaign(tenant_a, place)
    with schema_context(tenant_a.schema_name):
        invitation = SurveyInvitation.objects.get(campaign=campaign, participant=place.parent)
        token = services.invitation_link_issue(invitation_id=invitation.pk)
    anonymous = page_client(tenant_a.host, None, tenant_a.schema_name, "ru")
    _text_answers_are_cleaned(tenant_a, anonymous, f"/surveys/link/{token}/", invitation)
    assert anonymous.get(f"/surveys/link/{token}/").status_code == 410  # used up once submitted


def test_a_text_answer_is_refused_once_however_often_the_form_is_cleaned(tenant_a, place):
    """The answer form's fields are added after ``PageForm.__init__`` and copied from the
    question's built field: the text check is added to the form's copy, once."""
    from config.text import validate_text
    from schools.web.forms_surveys import AnswerForm

    campaign = _text_campaign(tenant_a, place)
    with schema_context(tenant_a.schema_name):
        questions = services.questions_of(campaign.questionnaire, campaign=campaign)
    form = AnswerForm({"wish": BIDI_WISH}, questions=questions)
    assert not form.is_valid() and not form.is_valid()
    assert len(form.errors["wish"]) == 1
    form.full_clean()
    assert len(form.errors["wish"]) == 1
    # the field kept on the question for the next forms is not changed by this one
    built = questions[1].__dict__["_answer_field"][1]
    assert validate_text in form.fields["wish"].validators
    assert validate_text not in built.validators
    again = AnswerForm({"wish": TYPED_WISH}, questions=questions)
    assert again.is_valid() and again.answers() == {"wish": STORED_WISH}
