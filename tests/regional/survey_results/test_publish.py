"""Anonymous regional results: two institutions adopt one template and run campaigns; each
publishes its numbers to the public schema with small groups suppressed; the region sees them
across institutions; an institution sees the others only aggregated; and no name of any person
of an institution is anywhere in the public schema."""

from __future__ import annotations

import datetime
from typing import Any
from unittest import mock

import pytest
from django.db import connection
from django_tenants.utils import get_public_schema_name, schema_context

from accounts.actor import actor_for
from config.db import tenant_connection
from regional.survey_results import anonymise, services, tasks
from regional.survey_results.models import RegionalQuestionResult
from schools.monitoring import services as monitoring
from schools.monitoring.models import SurveyInvitation
from tests import builders
from tests.conftest import SETUP, make_user
from tests.schools.monitoring.conftest import template_version_id, valid_answers

TODAY = datetime.date.today()
NAMES_A = [
    ("Златоустова", "Ефросинья", "Потаповна"),
    ("Громобоев", "Радомир", "Ильич"),
    ("Снегирёва", "Доброслава", "Мироновна"),
    ("Ветлугин", "Аникей", "Саввич"),
    ("Чернолесова", "Ульяна", "Демидовна"),
    ("Коробейников", "Фрол", "Лаврентьевич"),
]
NAMES_B = [
    ("Перепёлкина", "Агафья", "Никитична"),
    ("Сорокоумов", "Прохор", "Зиновьевич"),
    ("Ласточкина", "Василиса", "Елисеевна"),
]
OPEN_TEXT = "Мой наставник Громобоев лучший"


def _run_survey(schema: str, names: list[tuple[str, str, str]], coordinator: Any) -> int:
    """Adopt satisfaction-mentee, invite the people, every one submits; returns the campaign."""
    with schema_context(schema):
        people = [
            builders.person(
                names=" ".join(n),
                category="student",
                born=datetime.date(1990, 1, 1),
                email=builders.unique_email(),
            )
            for n in names
        ]
        questionnaire = monitoring.questionnaire_adopt(
            version_id=template_version_id("satisfaction-mentee"), actor=actor_for(coordinator)
        )
        monitoring.question_add(
            questionnaire=questionnaire,
            actor=actor_for(coordinator),
            data={
                "code": "local_note",
                "text": "Комментарий",
                "kind": "long_text",
                "required": False,
            },
        )
        campaign = monitoring.campaign_create(
            questionnaire=questionnaire,
            title="Итоговая анкета",
            target=monitoring.Target(kind="explicit", participant_ids=tuple(p.pk for p in people)),
            opens_on=TODAY,
            closes_on=TODAY + datetime.timedelta(days=5),
            actor=SETUP,
        )
        monitoring.campaign_open(campaign=campaign, actor=SETUP)
        questions = list(questionnaire.questions.all())
        for index, invitation in enumerate(SurveyInvitation.objects.filter(campaign=campaign)):
            answers = valid_answers(questions, scale="max" if index % 2 else "min")
            answers["local_note"] = OPEN_TEXT
            monitoring.response_submit(invitation=invitation, answers=answers)
        return int(campaign.pk)


@pytest.fixture
def surveyed(tenants, db):
    from regional.privacy import api as privacy

    privacy.region_settings_update(min_group_size=5, actor=SETUP)
    a, b = tenants.a, tenants.b
    coordinator_a = make_user(a.schema_name, "coordinator", "coord-survey-a")
    coordinator_b = make_user(b.schema_name, "coordinator", "coord-survey-b")
    campaign_a = _run_survey(a.schema_name, NAMES_A, coordinator_a)
    _run_survey(b.schema_name, NAMES_B, coordinator_b)
    for schema in (a.schema_name, b.schema_name):
        with schema_context(schema):
            assert tasks.publish_institution() > 0
    tenant_connection().set_schema_to_public()
    return {"a": a, "b": b, "campaign_a": campaign_a, "coordinator_a": coordinator_a}


def test_each_institution_publishes_suppressed_numbers(surveyed, regional_staff, client_for):
    a, b = surveyed["a"], surveyed["b"]
    rows_a = RegionalQuestionResult.objects.filter(institution=a)
    rows_b = RegionalQuestionResult.objects.filter(institution=b)
    assert rows_a.exists() and rows_b.exists()
    assert not rows_a.filter(question_code="local_note").exists()  # local questions stay home
    assert all(not r.suppressed and r.respondents == 6 for r in rows_a)
    assert all(r.suppressed and r.respondents is None and r.mean is None for r in rows_b)
    scale = rows_a.filter(question_kind="scale").first()
    assert scale is not None and scale.mean is not None
    # 3 answered the minimum and 3 the maximum: cells of 3 < 5, so no scale distribution
    assert scale.distribution is None

    staff = client_for(None, regional_staff)
    listed = staff.get("/api/v1/survey-results/?template_code=satisfaction-mentee")
    assert listed.status_code == 200 and listed.json()["count"] == rows_a.count() + rows_b.count()
    summary = staff.get("/api/v1/survey-results/summary/?template_code=satisfaction-mentee").json()
    first = next(s for s in summary if s["question_code"] == scale.question_code)
    assert first["institutions"] == 2 and first["institutions_published"] == 1
    assert first["institutions_suppressed"] == 1 and first["respondents"] == 6
    # re-publishing replaces, never duplicates
    with schema_context(a.schema_name):
        tasks.publish_institution()
    tenant_connection().set_schema_to_public()
    assert RegionalQuestionResult.objects.filter(institution=a).count() == rows_a.count()


def test_institution_sees_the_others_only_aggregated(surveyed, tenants, client_for):
    a = surveyed["a"]
    client = client_for(a, surveyed["coordinator_a"])
    url = f"/api/v1/survey-campaigns/{surveyed['campaign_a']}/regional/"
    data = client.get(url).json()
    assert data["min_group_size"] == 5
    # only B besides A, and B is suppressed: nothing of the others shown
    assert all(
        q["region"] is None or not q["region"]["enough_institutions"] for q in data["questions"]
    )
    # two more institutions publish: now the others appear, summed, A itself excluded
    from tenants import services as tenant_services

    rows = [
        {
            "template_code": r.template_code,
            "template_version_id": r.template_version_id,
            "academic_year": r.academic_year,
            "question_code": r.question_code,
            "question_kind": r.question_kind,
            "respondents": 20,
            "mean": 4.0,
            "distribution": None,
        }
        for r in RegionalQuestionResult.objects.filter(institution=a)
    ]
    tenant_connection().set_schema_to_public()
    for slug in ("peer-one", "peer-two"):
        peer = tenant_services.institution_create(
            actor=SETUP,
            name=slug,
            short_name=slug,
            kind="school",
            municipality_id=tenants.municipality.pk,
            slug=slug,
            coordinator_email="",
        )
        services.institution_results_replace(institution_id=peer.pk, rows=rows, k=5)
    data = client.get(url).json()
    question = data["questions"][0]
    assert question["answered"] == 6
    assert question["region"]["enough_institutions"] is True
    assert question["region"]["institutions_published"] == 2
    assert question["region"]["respondents"] == 40 and question["region"]["mean"] == 4.0


def test_the_nightly_task_fans_out_one_task_per_institution(
    tenants, db, django_capture_on_commit_callbacks
):
    sent: list[dict[str, Any]] = []
    with (
        mock.patch.object(
            tasks.publish_institution, "apply_async", side_effect=lambda **kw: sent.append(kw)
        ),
        django_capture_on_commit_callbacks(execute=True),
    ):
        count = tasks.publish_all()
    schemas = {call["headers"]["_schema_name"] for call in sent}
    assert {tenants.a.schema_name, tenants.b.schema_name} <= schemas
    assert count == len(sent)
    from config.celery import app

    entry = app.conf.beat_schedule["survey-results-publish"]
    assert entry["task"] == "survey_results.publish_all" and entry["tenant_schemas"] == ["public"]


def test_publish_on_demand_is_for_regional_staff(regional_staff, tenants, client_for):
    staff = client_for(None, regional_staff)
    with mock.patch.object(tasks.publish_all, "apply_async") as sent:
        response = staff.post("/api/v1/survey-results/publish/")
    assert response.status_code == 202
    coordinator = make_user(tenants.a.schema_name, "coordinator", "coord-publish")
    assert (
        client_for(tenants.a, coordinator).post("/api/v1/survey-results/publish/").status_code
        == 404
    )
    del sent


def _public_text_columns() -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.table_name, c.column_name
            FROM information_schema.columns c
            JOIN information_schema.tables t
              ON t.table_schema = c.table_schema AND t.table_name = c.table_name
            WHERE c.table_schema = %s AND t.table_type = 'BASE TABLE'
              AND c.data_type IN ('text', 'character varying', 'character', 'json', 'jsonb')
            """,
            [get_public_schema_name()],
        )
        return list(cursor.fetchall())


# Employers' specialists publish their own profile to the whole region (adults, by their own
# choice): their names are meant to be in the public schema and are not scanned.
ALLOWED = {
    ("employers_employermentor", "last_name"),
    ("employers_employermentor", "first_name"),
    ("employers_employermentor", "middle_name"),
}


def test_no_person_of_an_institution_is_in_the_public_schema(surveyed, regional_staff):
    from tests.schools.monitoring.conftest import PEOPLE

    tenant_connection().set_schema_to_public()
    columns = [c for c in _public_text_columns() if c not in ALLOWED]
    assert ("survey_results_regionalquestionresult", "question_code") in columns
    needles = {part for names in (*NAMES_A, *NAMES_B, *PEOPLE) for part in names[:1]}
    needles |= {"Громобоев", OPEN_TEXT, "Ефросинья", "Агафья"}
    found = []
    with connection.cursor() as cursor:
        for table, column in columns:
            for needle in sorted(needles):
                cursor.execute(
                    f'SELECT 1 FROM "{table}" WHERE "{column}"::text ILIKE %s LIMIT 1',
                    [f"%{needle}%"],
                )
                if cursor.fetchone():
                    found.append((table, column, needle))
    assert found == []


def test_suppression_rules():
    cell = anonymise.suppress_question(
        kind="scale", respondents=4, mean=3.0, distribution={"1": 4}, k=5
    )
    assert cell.suppressed and cell.respondents is None and cell.distribution is None
    single = anonymise.suppress_question(
        kind="single_choice",
        respondents=30,
        mean=None,
        distribution={"a": 20, "b": 7, "c": 3, "d": 0},
        k=5,
    )
    # c is hidden (3 < 5); alone it could be derived from the total, so b is hidden too
    assert single.distribution == {"a": 20, "b": None, "c": None, "d": 0}
    single = anonymise.suppress_question(
        kind="single_choice",
        respondents=30,
        mean=None,
        distribution={"a": 25, "c": 3, "d": 2},
        k=5,
    )
    assert single.distribution == {"a": 25, "c": None, "d": None}
    multiple = anonymise.suppress_question(
        kind="multiple_choice", respondents=12, mean=None, distribution={"a": 12, "b": 1}, k=5
    )
    assert multiple.distribution == {"a": 12, "b": None}
    scale = anonymise.suppress_question(
        kind="scale", respondents=20, mean=5.55555, distribution={"1": 10, "10": 10}, k=5
    )
    assert scale.distribution == {"1": 10, "10": 10} and scale.mean == 5.56
    with pytest.raises(ValueError):
        anonymise.suppress_question(kind="scale", respondents=20, mean=1, distribution=None, k=4)
