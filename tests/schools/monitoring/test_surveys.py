"""Survey campaigns in an institution: adopt a regional template, invite the target group
(valid consent only), answer signed in and through one-time links, results, growth, export,
and every bad input answered with a clear error that changes nothing."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.core import mail
from django_tenants.utils import schema_context

from schools.monitoring import api as monitoring_api
from schools.monitoring import mailing, services
from schools.monitoring.models import (
    Questionnaire,
    SurveyCampaign,
    SurveyInvitation,
    SurveyResponse,
)
from tests import builders
from tests.builders import BIDI_ERROR, BIDI_WISH, STORED_STORY, STORED_WISH, TYPED_STORY, TYPED_WISH
from tests.schools.monitoring.conftest import template_version_id, valid_answers

TODAY = datetime.date.today()


def _adopt(client: Any, code: str) -> dict[str, Any]:
    response = client.post(
        "/api/v1/questionnaires/adopt/", {"template_version": template_version_id(code)}
    )
    assert response.status_code == 201, response.json()
    return response.json()


def _campaign(client: Any, questionnaire_id: int, **target: Any) -> dict[str, Any]:
    body = {
        "questionnaire": questionnaire_id,
        "title": "Удовлетворённость",
        "opens_on": str(TODAY - datetime.timedelta(days=1)),
        "closes_on": str(TODAY + datetime.timedelta(days=10)),
        **target,
    }
    response = client.post("/api/v1/survey-campaigns/", body)
    assert response.status_code == 201, response.json()
    return response.json()


def _open(client: Any, campaign_id: int, capture: Any) -> dict[str, Any]:
    with capture(execute=False) as callbacks:
        response = client.post(f"/api/v1/survey-campaigns/{campaign_id}/open/")
    assert response.status_code == 200, response.json()
    assert len(callbacks) == 1  # the invitations task, on commit
    return response.json()


def _questions(questionnaire_id: int) -> list[Any]:
    return list(Questionnaire.objects.get(pk=questionnaire_id).questions.all())


def _link(client: Any, invitation_id: int) -> str:
    response = client.post(f"/api/v1/survey-invitations/{invitation_id}/link/")
    assert response.status_code == 201, response.json()
    return str(response.json()["url"].split("/surveys/link/")[1].strip("/"))


def test_adopt_answer_signed_in_and_by_link_then_results(
    world, tenant_a, client_for, django_capture_on_commit_callbacks
):
    coordinator = client_for(tenant_a, world.users["coordinator"])
    offered = coordinator.get("/api/v1/questionnaires/templates/").json()
    assert any(o["template_code"] == "satisfaction-mentee" for o in offered)
    questionnaire = _adopt(coordinator, "satisfaction-mentee")
    assert questionnaire["origin"] == "adopted" and all(
        q["regional"] for q in questionnaire["questions"]
    )
    local = coordinator.post(
        f"/api/v1/questionnaires/{questionnaire['id']}/questions/",
        {
            "code": "local_wish",
            "text": "Что бы вы изменили?",
            "kind": "long_text",
            "required": False,
        },
    )
    assert local.status_code == 201, local.json()
    assert local.json()["regional"] is False

    people = [world.mentee.pk, world.mentee2.pk, world.parent.pk, world.no_consent.pk]
    campaign = _campaign(
        coordinator,
        questionnaire["id"],
        programme=world.programme.pk,
        target_kind="explicit",
        target_participant_ids=people,
    )
    opened = _open(coordinator, campaign["id"], django_capture_on_commit_callbacks)
    assert opened["invited"] == 3 and opened["without_consent"] == 1
    assert opened["campaign"]["status"] == "open"

    with schema_context(tenant_a.schema_name):
        assert not SurveyInvitation.objects.filter(participant=world.no_consent).exists()
        mail.outbox.clear()
        assert mailing.invitations_send(campaign_id=campaign["id"]) == 3
        assert mailing.invitations_send(campaign_id=campaign["id"]) == 0  # idempotent
        assert "/surveys/link/" in mail.outbox[0].body  # the answering page, not the API
        questions = _questions(questionnaire["id"])
        invitation = SurveyInvitation.objects.get(participant=world.mentee)
        link_invitation = SurveyInvitation.objects.get(participant=world.mentee2)
        parent_invitation = SurveyInvitation.objects.get(participant=world.parent)

    answers = valid_answers(questions)
    answers["local_wish"] = "Больше встреч"
    # the mentee, signed in: sees only their own invitation; draft, then submit
    mentee = client_for(tenant_a, world.users["mentee"])
    mine = mentee.get("/api/v1/survey-invitations/").json()["results"]
    assert [i["id"] for i in mine] == [invitation.pk]
    form = mentee.get(f"/api/v1/survey-invitations/{invitation.pk}/form/").json()
    assert form["accepts_answers"] and form["status"] == "none"
    first = next(q["code"] for q in form["questions"] if q["kind"] == "scale")
    draft = mentee.put(
        f"/api/v1/survey-invitations/{invitation.pk}/draft/", {"answers": {first: 7}}
    )
    assert draft.status_code == 200 and draft.json()["status"] == "draft"
    submitted = mentee.post(
        f"/api/v1/survey-invitations/{invitation.pk}/submit/", {"answers": answers}
    )
    assert submitted.status_code == 200, submitted.json()
    assert submitted.json()["status"] == "submitted"
    again = mentee.post(f"/api/v1/survey-invitations/{invitation.pk}/submit/", {"answers": answers})
    assert again.status_code == 400
    assert "response" in again.json()["errors"]
    # someone else's invitation is not found for a respondent
    assert mentee.get(f"/api/v1/survey-invitations/{link_invitation.pk}/form/").status_code == 404

    # the second mentee, by a one-time link: GET, PUT a draft, POST to submit
    token = _link(coordinator, link_invitation.pk)
    anonymous = client_for(tenant_a)
    got = anonymous.get(f"/api/v1/survey-links/{token}/")
    assert got.status_code == 200 and got.json()["invitation"] == link_invitation.pk
    put = anonymous.put(f"/api/v1/survey-links/{token}/", {"answers": {first: 3}})
    assert put.status_code == 200 and put.json()["answers"] == {first: 3}
    low = valid_answers(questions, scale="min")
    posted = anonymous.post(f"/api/v1/survey-links/{token}/", {"answers": low})
    assert posted.status_code == 200, posted.json()
    # the link is used up: a clear error, nothing changes
    for method in ("get", "put", "post"):
        reused = getattr(anonymous, method)(f"/api/v1/survey-links/{token}/", {"answers": answers})
        assert reused.status_code == 410
        assert reused.json()["detail"]  # "This link has already been used: ..."
    with schema_context(tenant_a.schema_name):
        stored = SurveyResponse.objects.get(invitation=link_invitation)
        assert stored.answers == low and stored.channel == "link"

    # results: the coordinator sees open answers, the curator does not
    results = coordinator.get(f"/api/v1/survey-campaigns/{campaign['id']}/results/").json()
    assert results["invited"] == 3 and results["submitted"] == 2
    assert results["response_rate"] == pytest.approx(66.7)
    scale = next(q for q in results["questions"] if q["code"] == first)
    assert scale["answered"] == 2 and scale["mean"] is not None
    assert sum(item["count"] for item in scale["distribution"]) == 2
    assert scale["by_pair"] and scale["by_pair"][0]["key"] == str(world.pair_id)
    assert scale["by_form"][0]["key"] == "teacher_teacher"
    open_question = next(q for q in results["questions"] if q["code"] == "local_wish")
    texts = sorted(a["text"] for a in open_question["open_answers"])
    assert texts == ["Больше встреч", "Всё понравилось"]
    # a curator reads the campaigns of its own classes only: this one surveys pairs
    curator = client_for(tenant_a, world.users["curator"])
    seen = curator.get(f"/api/v1/survey-campaigns/{campaign['id']}/results/")
    assert seen.status_code == 404
    assert "Больше встреч" not in seen.content.decode()
    assert curator.get("/api/v1/survey-responses/").status_code == 403

    export = coordinator.get(f"/api/v1/survey-campaigns/{campaign['id']}/export/")
    assert export.status_code == 200
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(export.content))
    assert workbook.sheetnames == ["Итоги", "Ответы"]
    curator_export = curator.get(f"/api/v1/survey-campaigns/{campaign['id']}/export/")
    assert curator_export.status_code == 404  # not a campaign of the curator's classes

    # the parent answers signed in (own invitation)
    parent = client_for(tenant_a, world.users["parent"])
    assert (
        parent.post(
            f"/api/v1/survey-invitations/{parent_invitation.pk}/submit/", {"answers": answers}
        ).status_code
        == 200
    )


def test_bad_input_gets_a_clear_error_and_changes_nothing(
    world, tenant_a, tenant_b, client_for, django_capture_on_commit_callbacks
):
    coordinator = client_for(tenant_a, world.users["coordinator"])
    questionnaire = _adopt(coordinator, "satisfaction-mentee")
    campaign = _campaign(
        coordinator,
        questionnaire["id"],
        target_kind="explicit",
        target_participant_ids=[world.mentee.pk, world.mentee2.pk],
    )
    _open(coordinator, campaign["id"], django_capture_on_commit_callbacks)
    with schema_context(tenant_a.schema_name):
        questions = _questions(questionnaire["id"])
        invitation = SurveyInvitation.objects.get(participant=world.mentee)
        other = SurveyInvitation.objects.get(participant=world.mentee2)
    mentee = client_for(tenant_a, world.users["mentee"])
    url = f"/api/v1/survey-invitations/{invitation.pk}"
    scale = next(q for q in questions if q.kind == "scale")

    def nothing_stored() -> None:
        with schema_context(tenant_a.schema_name):
            assert not SurveyResponse.objects.filter(invitation=invitation).exists()

    # out of scale
    bad = valid_answers(questions)
    bad[scale.code] = scale.max_value + 5
    for path in ("draft/", "submit/"):
        method = mentee.put if path == "draft/" else mentee.post
        response = method(f"{url}/{path}", {"answers": bad})
        assert response.status_code == 400
        assert scale.code in response.json()["errors"]
    nothing_stored()
    # missing required answer: a draft is fine, submitting it is not
    partial = valid_answers(questions)
    del partial[scale.code]
    assert mentee.put(f"{url}/draft/", {"answers": partial}).status_code == 200
    response = mentee.post(f"{url}/submit/", {})
    assert response.status_code == 400 and scale.code in response.json()["errors"]
    with schema_context(tenant_a.schema_name):
        assert SurveyResponse.objects.get(invitation=invitation).status == "draft"
    # an unknown question
    response = mentee.put(f"{url}/draft/", {"answers": {"no_such_question": 1}})
    assert response.status_code == 400 and "no_such_question" in response.json()["errors"]

    # a token of institution B is not found on A's host (and A's works only on A)
    token = _link(coordinator, other.pk)
    assert client_for(tenant_b).get(f"/api/v1/survey-links/{token}/").status_code == 404
    assert client_for(None).get(f"/api/v1/survey-links/{token}/").status_code == 404
    assert client_for(tenant_a).get(f"/api/v1/survey-links/{'x' * 43}/").status_code == 404

    # a closed campaign takes no answers
    closed = coordinator.post(f"/api/v1/survey-campaigns/{campaign['id']}/close/")
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    response = mentee.post(f"{url}/submit/", {"answers": valid_answers(questions)})
    assert response.status_code == 400 and "campaign" in response.json()["errors"]
    response = client_for(tenant_a).post(
        f"/api/v1/survey-links/{token}/", {"answers": valid_answers(questions)}
    )
    assert response.status_code == 400 and "campaign" in response.json()["errors"]
    with schema_context(tenant_a.schema_name):
        assert SurveyResponse.objects.get(invitation=invitation).status == "draft"
        assert not SurveyResponse.objects.filter(invitation=other).exists()
    # reopening or closing twice is refused
    assert coordinator.post(f"/api/v1/survey-campaigns/{campaign['id']}/open/").status_code == 400
    assert coordinator.post(f"/api/v1/survey-campaigns/{campaign['id']}/close/").status_code == 400


def test_campaign_rules(world, tenant_a, client_for, django_capture_on_commit_callbacks):
    coordinator = client_for(tenant_a, world.users["coordinator"])
    questionnaire = _adopt(coordinator, "satisfaction-mentor")
    base = {
        "questionnaire": questionnaire["id"],
        "opens_on": str(TODAY),
        "closes_on": str(TODAY + datetime.timedelta(days=3)),
    }
    bad = [
        ({"target_kind": "mentors"}, "programme"),
        ({"target_kind": "form_mentees", "programme": world.programme.pk}, "target_form"),
        ({"target_kind": "pair"}, "target_pair"),
        ({"target_kind": "explicit"}, "target_participant_ids"),
        (
            {"target_kind": "explicit", "target_participant_ids": [1], "closes_on": "2000-01-01"},
            "closes_on",
        ),
    ]
    for extra, field in bad:
        response = coordinator.post("/api/v1/survey-campaigns/", {**base, **extra})
        assert response.status_code == 400, extra
        assert field in response.json()["errors"], (extra, response.json())
    with schema_context(tenant_a.schema_name):
        assert not SurveyCampaign.objects.exists()
    # target groups: all mentors of the programme, mentees of a form, one pair
    for target, expected in (
        ({"target_kind": "mentors", "programme": world.programme.pk}, {world.mentor.pk}),
        (
            {
                "target_kind": "form_mentees",
                "programme": world.programme.pk,
                "target_form": "teacher_teacher",
            },
            {world.mentee.pk, world.mentee2.pk},
        ),
        (
            {"target_kind": "pair", "target_pair": world.pair_id},
            {world.mentor.pk, world.mentee.pk, world.mentee2.pk},
        ),
    ):
        created = _campaign(coordinator, questionnaire["id"], **target)
        _open(coordinator, created["id"], django_capture_on_commit_callbacks)
        with schema_context(tenant_a.schema_name):
            invited = set(
                SurveyInvitation.objects.filter(campaign_id=created["id"]).values_list(
                    "participant_id", flat=True
                )
            )
        assert invited == expected
    # nobody with consent: refused, stays a draft
    lonely = _campaign(
        coordinator,
        questionnaire["id"],
        target_kind="explicit",
        target_participant_ids=[world.no_consent.pk],
    )
    response = coordinator.post(f"/api/v1/survey-campaigns/{lonely['id']}/open/")
    assert response.status_code == 400
    with schema_context(tenant_a.schema_name):
        assert SurveyCampaign.objects.get(pk=lonely["id"]).status == "draft"
    # the regional questions of an adopted questionnaire never change; opened ones are locked
    with schema_context(tenant_a.schema_name):
        regional_question = Questionnaire.objects.get(pk=questionnaire["id"]).questions.first()
    assert regional_question is not None
    response = coordinator.patch(
        f"/api/v1/questionnaire-questions/{regional_question.pk}/", {"text": "Другое"}
    )
    assert response.status_code == 400


def test_roles(world, tenant_a, client_for):
    for role in ("mentor", "mentee", "parent"):
        client = client_for(tenant_a, world.users[role])
        assert client.get("/api/v1/survey-campaigns/").status_code == 403
        assert client.get("/api/v1/questionnaires/").status_code == 403
        assert client.post("/api/v1/questionnaires/adopt/", {}).status_code == 403
        assert client.get("/api/v1/survey-invitations/").status_code == 200
    for role in ("curator", "director", "deputy"):
        client = client_for(tenant_a, world.users[role])
        assert client.get("/api/v1/survey-campaigns/").status_code == 200
        assert client.post("/api/v1/survey-campaigns/", {}).status_code == 403
        assert client.post("/api/v1/questionnaires/adopt/", {}).status_code == 403
        assert client.get("/api/v1/survey-responses/").status_code == 403
    assert client_for(tenant_a).get("/api/v1/survey-campaigns/").status_code in (401, 403)


def test_local_questionnaire_growth_and_matching_answers(
    world, tenant_a, client_for, django_capture_on_commit_callbacks
):
    coordinator = client_for(tenant_a, world.users["coordinator"])
    items = [
        {
            "code": "motivation",
            "text": "Мотивация",
            "kind": "scale",
            "min_value": 1,
            "max_value": 10,
        },
        {
            "code": "confidence",
            "text": "Уверенность",
            "kind": "scale",
            "min_value": 1,
            "max_value": 10,
        },
    ]
    ids = {}
    for phase in ("before", "after"):
        response = coordinator.post(
            "/api/v1/questionnaires/",
            {
                "title": f"Рост ({phase})",
                "purpose": "growth",
                "growth_phase": phase,
                "questions": items,
            },
        )
        assert response.status_code == 201, response.json()
        ids[phase] = response.json()["id"]
    bad = coordinator.post(
        "/api/v1/questionnaires/",
        {
            "title": "Плохая",
            "purpose": "satisfaction",
            "questions": [
                {"code": "x", "text": "Шкала", "kind": "scale", "min_value": 5, "max_value": 1}
            ],
        },
    )
    assert bad.status_code == 400
    target = {
        "target_kind": "explicit",
        "target_participant_ids": [world.mentee.pk, world.mentee2.pk],
    }
    campaigns = {}
    for phase in ("before", "after"):
        campaigns[phase] = _campaign(coordinator, ids[phase], **target)["id"]
        _open(coordinator, campaigns[phase], django_capture_on_commit_callbacks)
    with schema_context(tenant_a.schema_name):
        for phase, values in (("before", (3, 4)), ("after", (8, 4))):
            for invitation in SurveyInvitation.objects.filter(campaign_id=campaigns[phase]):
                services.response_submit(
                    invitation=invitation,
                    answers={"motivation": values[0], "confidence": values[1]},
                )
    growth = coordinator.get(
        f"/api/v1/survey-campaigns/{campaigns['after']}/growth/?before={campaigns['before']}"
    )
    assert growth.status_code == 200, growth.json()
    data = growth.json()
    assert data["people"] == 2
    motivation = next(q for q in data["questions"] if q["code"] == "motivation")
    assert motivation["mean_change"] == 5 and motivation["improved"] == 2
    confidence = next(q for q in data["questions"] if q["code"] == "confidence")
    assert confidence["unchanged"] == 2
    assert data["per_person"][0]["changes"] == {"motivation": 5, "confidence": 0}
    wrong = coordinator.get(
        f"/api/v1/survey-campaigns/{campaigns['before']}/growth/?before={campaigns['after']}"
    )
    assert wrong.status_code == 400

    # intake answers reach matching through the api
    intake = _adopt(coordinator, "mentee-intake")
    campaign = _campaign(coordinator, intake["id"], **target)
    _open(coordinator, campaign["id"], django_capture_on_commit_callbacks)
    with schema_context(tenant_a.schema_name):
        questions = _questions(intake["id"])
        invitation = SurveyInvitation.objects.get(
            campaign_id=campaign["id"], participant=world.mentee
        )
        answers = valid_answers(questions)
        services.response_submit(invitation=invitation, answers=answers)
        found = monitoring_api.mentee_intake_answers()
        assert set(found) == {world.mentee.pk}
        assert found[world.mentee.pk]["answers"] == answers
        assert found[world.mentee.pk]["template_code"] == "mentee-intake"
        assert monitoring_api.mentor_profile_answers() == {}


def test_text_answers_through_the_api_are_cleaned_as_every_text(world, tenant_a, client_for):
    """Both API doors (signed in, one-time link) take answers through the request parsers,
    which clean every string of the body (``config.text``): NFC and no invisible characters
    stored, a bidirectional override refused (400, nothing saved, the draft untouched)."""
    from tests.conftest import SETUP

    rows = builders.free_text_questions()
    with schema_context(tenant_a.schema_name):
        questionnaire = services.questionnaire_create_local(
            title="Анкета со свободными ответами",
            purpose="intermediate_feedback",
            questions=rows,
            actor=SETUP,
        )
        campaign = services.campaign_create(
            questionnaire=questionnaire,
            title="Кампания со свободными ответами",
            target=services.Target(
                kind="explicit", participant_ids=(world.mentee.pk, world.mentee2.pk)
            ),
            opens_on=TODAY,
            closes_on=TODAY + datetime.timedelta(days=7),
            programme_id=world.programme.pk,
            actor=SETUP,
        )
        services.campaign_open(campaign=campaign, actor=SETUP)
        signed_in = SurveyInvitation.objects.get(campaign=campaign, participant=world.mentee)
        by_link = SurveyInvitation.objects.get(campaign=campaign, participant=world.mentee2)
        token = services.invitation_link_issue(invitation_id=by_link.pk)

    def stored(invitation: SurveyInvitation) -> tuple[str, dict[str, Any]]:
        with schema_context(tenant_a.schema_name):
            response = SurveyResponse.objects.get(invitation=invitation)
            return response.status, dict(response.answers)

    mentee = client_for(tenant_a, world.users["mentee"])
    anonymous = client_for(tenant_a)
    for client in (mentee, anonymous):
        client.cookies["django_language"] = "ru"  # the error as a pupil reads it
    doors = [
        (
            mentee,
            signed_in,
            ("put", f"/api/v1/survey-invitations/{signed_in.pk}/draft/"),
            ("post", f"/api/v1/survey-invitations/{signed_in.pk}/submit/"),
        ),
        (
            anonymous,
            by_link,
            ("put", f"/api/v1/survey-links/{token}/"),
            ("post", f"/api/v1/survey-links/{token}/submit/"),
        ),
    ]
    for client, invitation, (draft_method, draft_url), (submit_method, submit_url) in doors:
        draft = getattr(client, draft_method)(
            draft_url, {"answers": {"mark": 4, "wish": TYPED_WISH}}
        )
        assert draft.status_code == 200, draft.json()
        assert draft.json()["answers"] == {"mark": 4, "wish": STORED_WISH}
        assert stored(invitation) == ("draft", {"mark": 4, "wish": STORED_WISH})
        for method, url in ((draft_method, draft_url), (submit_method, submit_url)):
            refused = getattr(client, method)(
                url, {"answers": {"mark": 5, "wish": BIDI_WISH, "story": TYPED_STORY}}
            )
            assert refused.status_code == 400
            assert BIDI_ERROR in refused.json()["errors"]["answers"][0]
            assert "\u202e" not in refused.content.decode("utf-8")  # not repeated back
            assert stored(invitation) == ("draft", {"mark": 4, "wish": STORED_WISH})
        done = getattr(client, submit_method)(
            submit_url, {"answers": {"mark": 5, "wish": TYPED_WISH, "story": TYPED_STORY}}
        )
        assert done.status_code == 200, done.json()
        assert stored(invitation) == (
            "submitted",
            {"mark": 5, "wish": STORED_WISH, "story": STORED_STORY},
        )
