"""The monitoring report kept rendered under the school's data version
(``schools.web.views_yearend._monitoring_html``, ``config.dataversion.Kept``).

What the staff rely on: a second visit is the same page without counting the answers again;
a committed answer shows on the next visit; a write not committed yet is read fresh and never
kept; the curator (no names) and the director (names) each get their own report, in their own
language; another school's report is its own.

A test's writes are "committed" by ``announced()``, as in tests/config/test_listcache.py: it
runs their on-commit callbacks and announces them as a commit does (``dataversion.announce``);
until then the test's connection holds writes no other connection sees, and nothing is kept."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.models import Role
from config import dataversion
from schools.monitoring.models import (
    Question,
    Questionnaire,
    SurveyCampaign,
    SurveyInvitation,
    SurveyResponse,
)
from schools.programmes.models import Programme
from schools.programmes.selectors import current_academic_year
from tests import builders
from tests.conftest import make_user
from tests.web.conftest import page_client

Commit = Callable[..., AbstractContextManager[Any]]

PATH = "/monitoring/"
ANSWERS_TABLE = '"monitoring_surveyresponse"'


def _campaign(
    questionnaire: Questionnaire, *, title: str, programme: Programme, answers: list[dict[str, Any]]
) -> SurveyCampaign:
    """An open campaign: an invitation and a submitted response per answer, one more invited
    with a draft."""
    today = timezone.localdate()
    campaign = SurveyCampaign.objects.create(
        questionnaire=questionnaire,
        title=title,
        target_kind="explicit",
        opens_on=today,
        closes_on=today + datetime.timedelta(days=7),
        status="open",
        opened_at=timezone.now(),
        programme_id=programme.pk,
    )
    for answer in [*answers, None]:
        person = answer.pop("_person") if answer else builders.person(category="teacher")
        invitation = SurveyInvitation.objects.create(campaign=campaign, participant=person)
        SurveyResponse.objects.create(
            campaign=campaign,
            invitation=invitation,
            participant=person,
            answers=answer or {},
            status="submitted" if answer else "draft",
            submitted_at=timezone.now() if answer else None,
        )
    return campaign


def _growth(programme: Programme, *, person: Any) -> None:
    """The growth questionnaires before and after, answered by ``person`` (4, then 7)."""
    for phase, value in (("before", 4), ("after", 7)):
        questionnaire = Questionnaire.objects.create(
            title=f"Рост ({phase})", purpose="growth", growth_phase=phase, origin="local"
        )
        Question.objects.create(
            questionnaire=questionnaire,
            order=1,
            code="confidence",
            text="Уверенность в себе",
            kind="scale",
            min_value=1,
            max_value=10,
        )
        _campaign(
            questionnaire,
            title=f"Рост {phase}",
            programme=programme,
            answers=[{"_person": person, "confidence": value}],
        )


class School:
    """A programme of this year: a satisfaction campaign (2 of 3 answered: 8 and 6), the
    growth questionnaires answered by one named pupil, a director and a curator."""

    def __init__(self, institution: Any, *, title: str, commit: Commit) -> None:
        self.institution = institution
        self.commit = commit
        schema = institution.schema_name
        self.director = make_user(schema, Role.DIRECTOR, f"report-director-{schema}")
        self.curator = make_user(schema, Role.CURATOR, f"report-curator-{schema}")
        with schema_context(schema):
            programme = Programme.objects.filter(academic_year=current_academic_year()).first()
            if programme is None:
                programme = Programme.objects.create(
                    academic_year=current_academic_year(), title="Программа", status="active"
                )
            self.satisfaction = _campaign(
                builders.satisfaction_questionnaire(title="Удовлетворённость (кэш)"),
                title=title,
                programme=programme,
                answers=[
                    {"_person": builders.person(category="teacher"), "useful": 8},
                    {"_person": builders.person(category="teacher"), "useful": 6},
                ],
            )
            pupil = builders.person(
                names="Ёлкина Алёна Сергеевна", category="pupil", grade=7, class_letter="Б"
            )
            _growth(programme, person=pupil)

    def client(self, role: str, language: str = "en") -> Client:
        """Signed in (a write: committed)."""
        user = self.director if role == Role.DIRECTOR else self.curator
        with self.commit():
            return page_client(self.institution.host, user, self.institution.schema_name, language)

    def answer_the_draft(self, value: int) -> None:
        with schema_context(self.institution.schema_name):
            draft = SurveyResponse.objects.get(campaign=self.satisfaction, status="draft")
            draft.answers = {"useful": value}
            draft.status = "submitted"
            draft.submitted_at = timezone.now()
            draft.save()


@pytest.fixture
def school(tenant_a: Any, announced: Commit) -> School:
    with announced():
        return School(tenant_a, title="Анкета школы А", commit=announced)


def _visit(client: Client) -> tuple[str, bool]:
    """The page's content, and whether the request read the answers."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(PATH)
    assert response.status_code == 200, response.content[:300]
    body = response.content.decode()
    report = body[body.index('<h1 class="h3 mb-3">') : body.index("</main>")]
    return report, any(ANSWERS_TABLE in q["sql"] for q in queries)


def test_a_second_visit_is_the_same_report_without_counting_again(school: School) -> None:
    client = school.client(Role.DIRECTOR)
    first, first_read = _visit(client)
    second, second_read = _visit(client)
    assert first_read and not second_read
    assert second == first
    assert "Анкета школы А: 2 of 3 answered, mean 7.0 / 10" in first
    assert "Ёлкина Алёна Сергеевна" in first


def test_a_committed_answer_shows_on_the_next_visit(school: School, announced: Commit) -> None:
    client = school.client(Role.DIRECTOR)
    _visit(client)
    assert not _visit(client)[1]  # kept
    with announced():
        school.answer_the_draft(1)
    report, read = _visit(client)
    assert read and "Анкета школы А: 3 of 3 answered, mean 5.0 / 10" in report
    again, read_again = _visit(client)
    assert not read_again and again == report


def test_an_uncommitted_answer_is_read_fresh_and_not_kept(school: School) -> None:
    client = school.client(Role.DIRECTOR)
    _visit(client)  # kept
    school.answer_the_draft(1)  # not committed
    assert not dataversion.cacheable()
    report, read = _visit(client)
    assert read and "Анкета школы А: 3 of 3 answered, mean 5.0 / 10" in report
    again, read_again = _visit(client)
    assert read_again and again == report


def test_the_curator_and_the_director_each_get_their_own_report(school: School) -> None:
    director, curator = school.client(Role.DIRECTOR), school.client(Role.CURATOR)
    russian = school.client(Role.DIRECTOR, "ru")
    for visit in range(2):  # the second visit of each is served from the cache
        by_director, director_read = _visit(director)
        by_curator, curator_read = _visit(curator)
        in_russian, russian_read = _visit(russian)
        assert director_read == curator_read == russian_read == (visit == 0)
        assert "Ёлкина Алёна Сергеевна" in by_director
        assert "Ёлкина" not in by_curator
        assert '<th scope="col">Person</th>' in by_director
        assert '<th scope="col">Person</th>' not in by_curator
        for report in (by_director, by_curator):
            assert "Анкета школы А: 2 of 3 answered, mean 7.0 / 10" in report
            assert "1 people answered both «Рост before» and «Рост after»." in report
        assert "Анкета школы А: ответили 2 из 3, " in in_russian
        assert "7,0 / 10" in in_russian and "answered" not in in_russian


def test_another_schools_report_is_its_own(
    school: School, tenant_b: Any, announced: Commit
) -> None:
    with announced():
        other = School(tenant_b, title="Анкета школы Б", commit=announced)
    ours, theirs = school.client(Role.DIRECTOR), other.client(Role.DIRECTOR)
    for _ in range(2):
        our_report, _read = _visit(ours)
        their_report, _read = _visit(theirs)
        assert "Анкета школы А" in our_report and "Анкета школы Б" not in our_report
        assert "Анкета школы Б" in their_report and "Анкета школы А" not in their_report
