"""Pages of the staff that read many rows build no model instance per row where plain values
do, and say the same as before: the year's monitoring report (every response of every
campaign), the campaigns page's choices of a target. Behaviour and row shapes, not timing."""

from __future__ import annotations

from typing import Any
from unittest import mock

from django_tenants.utils import schema_context

from accounts.models import Role
from schools.monitoring import selectors as monitoring_selectors
from schools.monitoring.models import Questionnaire, SurveyCampaign, SurveyResponse
from tests import builders
from tests.web.conftest import School, page_client
from tests.web.test_page_queries import _campaigns_maker, _people

SHARE_SCHOOL = True


def _satisfaction() -> Questionnaire:
    return builders.satisfaction_questionnaire(title="Удовлетворённость (строки)", asks_again=True)


def _shared(results: dict[str, Any]) -> dict[str, Any]:
    """What a summary holds of ``campaign_results`` (no comparisons, no open answers)."""
    return {
        **results,
        "questions": [
            {**q, "by_form": [], "by_pair": [], "open_answers": None} for q in results["questions"]
        ],
    }


def test_the_year_summaries_read_answers_not_response_objects(
    tenant_a: Any, school: School
) -> None:
    with schema_context(tenant_a.schema_name):
        _campaigns_maker(_satisfaction, school.ids["programme"])(4)
        campaigns = list(
            SurveyCampaign.objects.filter(questionnaire=_satisfaction()).select_related(
                "questionnaire"
            )
        )
        expected = {
            c.pk: _shared(monitoring_selectors.campaign_results(c, open_answers=False))
            for c in campaigns
        }
        with mock.patch.object(
            SurveyResponse, "from_db", side_effect=AssertionError("a response object built")
        ):
            summaries = monitoring_selectors.campaigns_summaries(campaigns)
    assert summaries == expected
    assert {s["submitted"] for s in summaries.values()} == {2}
    assert {s["drafts"] for s in summaries.values()} == {1}


ANSWERS = [  # every kind of question, answered, blank, left out, odd values, twice the same
    {"scale": 8, "number": 2.5, "yes": True, "one": "b", "many": ["c", "a"], "text": "Да"},
    {"scale": 8.0, "number": 0, "yes": False, "one": "zz", "many": ["x", "a"], "text": ""},
    {"scale": 3, "number": -1, "yes": "yes", "one": "", "many": [], "text": "Да"},
    {"scale": 8, "yes": None, "many": ["y"], "other": 5},
    {"scale": "8", "number": True, "many": "a", "text": ["список"]},
    {},
]


def _every_kind() -> Questionnaire:
    from schools.monitoring.models import Question

    questionnaire, made = Questionnaire.objects.get_or_create(
        title="Все виды (строки)", purpose="satisfaction", origin="local"
    )
    options = [{"code": code, "text": code.upper()} for code in ("a", "b", "c")]
    if made:
        for order, (code, kind) in enumerate(
            (
                ("scale", "scale"),
                ("number", "number"),
                ("yes", "yes_no"),
                ("one", "single_choice"),
                ("many", "multiple_choice"),
                ("text", "short_text"),
                ("never", "scale"),
            )
        ):
            Question.objects.create(
                questionnaire=questionnaire,
                order=order,
                code=code,
                text=f"Вопрос {code}",
                kind=kind,
                min_value=1 if kind == "scale" else None,
                max_value=10 if kind == "scale" else None,
                options=options if kind.endswith("choice") else [],
            )
    return questionnaire


def test_the_year_summaries_counted_in_the_database_say_what_the_responses_say(
    tenant_a: Any, school: School
) -> None:
    """``campaigns_summaries`` counts the submitted answers in PostgreSQL: the same results as
    ``campaign_results`` reading every response, for every kind of question and answer
    (an 8 and an 8.0, a string for a number, blanks, drafts, a campaign nobody answered)."""
    from django.utils import timezone

    from schools.monitoring.models import SurveyInvitation

    with schema_context(tenant_a.schema_name):
        _campaigns_maker(_every_kind, school.ids["programme"])(3)
        campaigns = list(
            SurveyCampaign.objects.filter(questionnaire=_every_kind())
            .select_related("questionnaire")
            .order_by("pk")
        )
        people = _people(len(ANSWERS), tag="mentee")
        for shift, campaign in enumerate(campaigns[:2]):
            invitations = SurveyInvitation.objects.bulk_create(
                SurveyInvitation(campaign=campaign, participant_id=pk) for pk in people
            )
            SurveyResponse.objects.bulk_create(
                SurveyResponse(
                    campaign=campaign,
                    invitation=invitation,
                    participant_id=invitation.participant_id,
                    answers=ANSWERS[(n + shift) % len(ANSWERS)],
                    status="draft" if n == 5 - shift else "submitted",
                    submitted_at=None if n == 5 - shift else timezone.now(),
                )
                for n, invitation in enumerate(invitations)
            )
        SurveyResponse.objects.filter(campaign=campaigns[2]).delete()
        expected = {
            c.pk: _shared(monitoring_selectors.campaign_results(c, open_answers=False))
            for c in campaigns
        }
        summaries = monitoring_selectors.campaigns_summaries(campaigns)
    assert summaries == expected
    first = {q["code"]: q for q in summaries[campaigns[0].pk]["questions"]}
    assert first["many"]["distribution"][3:] == [
        {"value": "x", "label": "x", "count": 1},
        {"value": "y", "label": "y", "count": 1},
    ]
    assert first["scale"]["answered"] == 5 and first["scale"]["mean"] is not None
    assert summaries[campaigns[2].pk]["submitted"] == 0


def test_the_new_campaign_fetches_its_pairs_only_when_a_pair_is_the_target(
    tenant_a: Any, school: School
) -> None:
    """The campaigns page no longer lists every pair in the new campaign's form: the select
    fetches its options (the coordinator's fragment) once «a pair or group» is chosen; a
    refused form is shown again with them."""
    import re

    from schools.pairs import selectors as pair_selectors

    schema = tenant_a.schema_name
    coordinator = page_client(tenant_a.host, school.users[Role.COORDINATOR], schema)
    with schema_context(schema):
        pairs = pair_selectors.pair_choices(limit=1000)
    assert pairs

    page = coordinator.get("/campaigns/").content.decode()
    select = re.search(r'<select name="target_pair".*?</select>', page, re.S)
    assert select is not None
    assert select.group(0).count("<option") == 1  # «—» only
    assert 'hx-get="/campaigns/new/pair-choices/"' in select.group(0)

    fragment = coordinator.get("/campaigns/new/pair-choices/")
    assert fragment.status_code == 200
    options = fragment.content.decode()
    assert options.count("<option") == len(pairs) + 1
    assert f'<option value="{pairs[0][0]}">' in options and "<html" not in options

    refused = coordinator.post("/campaigns/new/", {"target_kind": "pair"}).content.decode()
    select = re.search(r'<select name="target_pair".*?</select>', refused, re.S)
    assert select is not None and select.group(0).count("<option") == len(pairs) + 1

    for role in (Role.CURATOR, Role.DIRECTOR):
        other = page_client(tenant_a.host, school.users[role], schema)
        assert other.get("/campaigns/new/pair-choices/").status_code == 403


def test_the_catalogue_writes_its_rows_without_a_url_tag_each(
    tenant_a: Any, school: School
) -> None:
    """Each entry's link and counts are written by the view: the template reverses no URL
    per entry (its few own links only), and the rows say what they said (Russian plurals)."""
    import django.urls

    from schools.participants.models import Topic

    client = page_client(tenant_a.host, school.users[Role.COORDINATOR], tenant_a.schema_name)

    def reversed_urls() -> tuple[int, str]:
        client.get("/bases/catalogue/")  # first-use caches
        # ``{% url %}`` imports ``reverse`` from django.urls as it renders
        with mock.patch.object(django.urls, "reverse", wraps=django.urls.reverse) as spy:
            body = client.get("/bases/catalogue/").content.decode()
        return spy.call_count, body

    before, _body = reversed_urls()
    with schema_context(tenant_a.schema_name):
        added = [
            Topic.objects.create(code=f"test-row-{n}", name=f"Строка каталога {n}")
            for n in range(5)
        ]
    after, body = reversed_urls()
    assert after == before
    for topic in added:
        assert f'<a href="/bases/catalogue/{topic.pk}/" class="fw-semibold">' in body
    assert "запрос у 0 наставляемых · компетенция 0 наставников" in body


def test_the_campaigns_page_counts_the_questions_without_reading_them(
    tenant_a: Any, school: School
) -> None:
    """The new campaign's form takes the questionnaires' ids and titles; the list of
    questionnaires counts their questions in its own query (no question is read), and the
    classes of the form are read without their curators."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with schema_context(tenant_a.schema_name):
        _satisfaction()
    client = page_client(tenant_a.host, school.users[Role.COORDINATOR], tenant_a.schema_name)
    client.get("/campaigns/")
    with CaptureQueriesContext(connection) as queries:
        body = client.get("/campaigns/").content.decode()
    reads = [q["sql"] for q in queries.captured_queries]
    assert not [q for q in reads if 'FROM "monitoring_question" ' in q]
    counted = [q for q in reads if 'FROM "monitoring_questionnaire"' in q and "COUNT(" in q]
    assert len(counted) == 1
    assert len([q for q in reads if 'FROM "monitoring_questionnaire"' in q]) == 2
    assert not [q for q in reads if 'FROM "participants_studygroup"' in q and "accounts_user" in q]
    assert "Удовлетворённость (строки)" in body
    row = body[body.index("<td>Удовлетворённость (строки)</td>") :]
    assert '<td class="text-end">2</td>' in row[: row.index("</tr>")]


def test_a_mentor_s_and_a_mentee_s_home_read_their_meetings_without_attendees(
    tenant_a: Any, school: School
) -> None:
    """Home lists the latest meetings by date, kind and status: no attendees are read (a
    prefetch of every meeting's people before) and the meetings are still shown."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for role in (Role.MENTOR, Role.MENTEE):
        client = page_client(tenant_a.host, school.users[role], tenant_a.schema_name, "en")
        client.get("/")
        with CaptureQueriesContext(connection) as queries:
            body = client.get("/").content.decode()
        reads = [q["sql"] for q in queries.captured_queries]
        assert not [q for q in reads if "pairs_meeting_attendees" in q], role
        assert "No meetings yet." not in body, role
