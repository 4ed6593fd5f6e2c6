"""The questionnaire template editor and the regional survey results pages: forms, HTMX
fragments, the validation service's errors next to the fields (400, nothing written), the
published version read-only, role rules, charts with their tables and XLSX downloads."""

from __future__ import annotations

import io
import json
import re
from typing import Any

import pytest
from django.test import Client

from accounts.models import Role
from regional.questionnaires.models import Question, QuestionnaireTemplate, TemplateVersion
from regional.survey_results.models import RegionalQuestionResult
from tests.conftest import SETUP, make_user
from tests.web.areas.questionnaires import make_template, publish_results
from tests.web.conftest import page_client

HOST = "nastavnik.test"
HTMX: dict[str, Any] = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def staff(db: Any) -> Client:
    user = make_user("public", Role.REGIONAL_STAFF, "q-staff")
    return page_client(HOST, user, "public", "en")


@pytest.fixture
def made(db: Any) -> dict[str, Any]:
    return make_template("q-web")


def question_data(prefix: str = "new", **values: Any) -> dict[str, Any]:
    data = {
        "text": "Как часто вы встречались?",
        "code": "often",
        "kind": "single_choice",
        "required": "on",
        "options": "weekly: Каждую неделю\nmonthly: Раз в месяц",
    }
    data.update(values)
    return {f"{prefix}-{k}": v for k, v in data.items()}


def test_template_create_makes_a_draft_and_shows_service_errors(staff: Client) -> None:
    response = staff.post(
        "/templates/new/",
        {"title": "Рост", "code": "growth-x", "purpose": "growth", "target_roles": ["mentee"]},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "A growth questionnaire is for before or after." in body
    assert 'id="id_growth_phase-errors"' in body
    assert not QuestionnaireTemplate.objects.filter(code="growth-x").exists()

    response = staff.post("/templates/new/", {"title": "", "code": "x", "purpose": "satisfaction"})
    assert response.status_code == 400
    assert 'id="id_target_roles-errors"' in response.content.decode()

    response = staff.post(
        "/templates/new/",
        {
            "title": "Анкета куратора",
            "code": "curator-check",
            "purpose": "programme_quality",
            "target_roles": ["curator"],
            "target_forms": ["pupil_pupil"],
        },
    )
    assert response.status_code == 302
    version = TemplateVersion.objects.get(template__code="curator-check")
    assert version.is_draft and version.number == 1
    assert response["Location"] == f"/templates/versions/{version.pk}/"
    assert version.template.target_forms == ["pupil_pupil"]


def test_templates_list_shows_versions_and_status(staff: Client, made: dict[str, Any]) -> None:
    body = staff.get("/templates/").content.decode()
    assert "Удовлетворённость программой" in body
    assert f"/templates/versions/{made['published'].pk}/" in body
    assert f"/templates/versions/{made['draft'].pk}/" in body
    assert "Published" in body and "Draft" in body


def test_add_question_with_htmx_returns_the_editor(staff: Client, made: dict[str, Any]) -> None:
    draft = made["draft"]
    url = f"/templates/versions/{draft.pk}/questions/"
    response = staff.post(url, question_data(), **HTMX)
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="editor"')  # a fragment, no page frame
    assert "Как часто вы встречались?" in body
    question = draft.questions.get(code="often")
    assert question.order == 3
    assert question.options == [
        {"code": "weekly", "text": "Каждую неделю"},
        {"code": "monthly", "text": "Раз в месяц"},
    ]


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"kind": "scale", "options": ""}, "max_value", "A scale needs a minimum and a maximum."),
        ({"options": "weekly: Каждую неделю"}, "options", "A choice question needs from 2"),
        ({"options": "Weekly: Раз\nmonthly: Два"}, "options", "Option code &#x27;Weekly&#x27;"),
        ({"options": "без двоеточия"}, "options", "Line 1: write the option as code: text."),
        ({"code": "Bad Code"}, "code", "Use lowercase Latin letters"),
        ({"code": "liked"}, "code", "This version already has a question with this code."),
        (
            {"condition_question": "liked", "condition_value": "maybe"},
            "condition_value",
            "The value must be one of: yes, no.",
        ),
        (
            {"condition_question": "liked", "condition_value": "yes", "position": "1"},
            "condition_question",
            "The condition must refer to an earlier question",
        ),
    ],
)
def test_bad_question_is_refused_next_to_its_field(
    staff: Client, made: dict[str, Any], values: dict[str, Any], field: str, message: str
) -> None:
    draft = made["draft"]
    before = list(draft.questions.values_list("code", "order"))
    response = staff.post(
        f"/templates/versions/{draft.pk}/questions/", question_data(**values), **HTMX
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body
    assert f'id="id_new-{field}-errors"' in body
    assert list(draft.questions.values_list("code", "order")) == before


def test_bad_question_without_htmx_rerenders_the_whole_page(
    staff: Client, made: dict[str, Any]
) -> None:
    draft = made["draft"]
    response = staff.post(
        f"/templates/versions/{draft.pk}/questions/", question_data(kind="scale", options="")
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert 'lang="en"' in body and "Sign out" in body
    assert "A scale needs a minimum and a maximum." in body


def test_edit_move_and_delete_questions(staff: Client, made: dict[str, Any]) -> None:
    draft = made["draft"]
    score = made["question"]
    fragment = staff.get(f"/templates/questions/{score.pk}/", **HTMX)
    assert fragment.status_code == 200
    assert 'data-testid="edit-question"' in fragment.content.decode()
    assert "Sign out" not in fragment.content.decode()

    data = question_data(
        f"q{score.pk}",
        text="Оцените программу от 1 до 5",
        code="score",
        kind="scale",
        options="",
        min_value="1",
        max_value="5",
        condition_question="liked",
        condition_value="yes",
    )
    response = staff.post(f"/templates/questions/{score.pk}/", data, **HTMX)
    assert response.status_code == 200, response.content.decode()[:2000]
    score.refresh_from_db()
    assert (score.text, score.max_value) == ("Оцените программу от 1 до 5", 5)

    bad = dict(data, **{f"q{score.pk}-max_value": "1"})
    response = staff.post(f"/templates/questions/{score.pk}/", bad, **HTMX)
    assert response.status_code == 400
    assert "The maximum of a scale must be above its minimum." in response.content.decode()
    score.refresh_from_db()
    assert score.max_value == 5

    # "liked" cannot go below "score", which depends on it; nor be deleted.
    liked = draft.questions.get(code="liked")
    response = staff.post(f"/templates/questions/{liked.pk}/move/", {"direction": "down"}, **HTMX)
    assert response.status_code == 400
    assert "depends on this one" in response.content.decode()
    response = staff.post(f"/templates/questions/{liked.pk}/delete/", **HTMX)
    assert response.status_code == 400
    assert "are shown depending on this one" in response.content.decode()
    assert draft.questions.count() == 2

    staff.post(f"/templates/versions/{draft.pk}/questions/", question_data(), **HTMX)
    often = draft.questions.get(code="often")
    response = staff.post(f"/templates/questions/{often.pk}/move/", {"direction": "up"}, **HTMX)
    assert response.status_code == 200
    assert list(draft.questions.order_by("order").values_list("code", flat=True)) == [
        "liked",
        "often",
        "score",
    ]
    response = staff.post(f"/templates/questions/{often.pk}/delete/")
    assert response.status_code == 302
    assert list(draft.questions.order_by("order").values_list("code", "order")) == [
        ("liked", 1),
        ("score", 2),
    ]


def test_publish_checks_the_whole_version(staff: Client, db: Any) -> None:
    from regional.questionnaires import services

    template = services.template_create(
        actor=SETUP,
        code="empty-one",
        title="Пустая",
        purpose="satisfaction",
        target_roles=["mentor"],
    )
    draft = template.versions.get()
    response = staff.post(f"/templates/versions/{draft.pk}/publish/")
    assert response.status_code == 400
    assert "A questionnaire needs at least one question." in response.content.decode()
    draft.refresh_from_db()
    assert draft.is_draft

    staff.post(
        f"/templates/versions/{draft.pk}/questions/",
        question_data(code="ok", kind="yes_no", options=""),
    )
    response = staff.post(f"/templates/versions/{draft.pk}/publish/")
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == "published"


def test_published_version_is_read_only_and_offers_a_new_version(
    staff: Client, made: dict[str, Any]
) -> None:
    published, draft = made["published"], made["draft"]
    body = staff.get(f"/templates/versions/{published.pk}/").content.decode()
    assert "never changes" in body
    assert 'data-testid="add-question"' not in body
    assert f"/templates/versions/{draft.pk}/" in body  # "edit the draft" instead of a new one

    response = staff.post(
        f"/templates/versions/{published.pk}/questions/", question_data(code="late")
    )
    assert response.status_code == 400
    assert "cannot change" in response.content.decode()
    assert not Question.objects.filter(version=published, code="late").exists()
    question = published.questions.get(code="score")
    response = staff.post(f"/templates/questions/{question.pk}/delete/")
    assert response.status_code == 400
    assert published.questions.count() == 2

    # Without a draft, "new version" copies the latest version into version 3.
    staff.post(f"/templates/versions/{draft.pk}/delete/")
    assert not TemplateVersion.objects.filter(pk=draft.pk).exists()
    body = staff.get(f"/templates/versions/{published.pk}/").content.decode()
    assert 'data-testid="new-version"' in body
    response = staff.post(f"/templates/{made['template'].pk}/new-version/")
    new = TemplateVersion.objects.get(template=made["template"], status="draft")
    assert response["Location"] == f"/templates/versions/{new.pk}/"
    assert new.number == 2
    assert list(new.questions.values_list("code", flat=True)) == ["liked", "score"]


def test_template_title_and_audience_change_not_its_versions(
    staff: Client, made: dict[str, Any]
) -> None:
    template = made["template"]
    response = staff.post(f"/templates/{template.pk}/edit/", {"title": "Новое", "target_roles": []})
    assert response.status_code == 400
    assert 'id="id_target_roles-errors"' in response.content.decode()
    template.refresh_from_db()
    assert template.title == "Удовлетворённость программой"

    response = staff.post(
        f"/templates/{template.pk}/edit/",
        {"title": "Удовлетворённость", "target_roles": ["mentee", "mentor"]},
    )
    assert response.status_code == 302
    template.refresh_from_db()
    assert (template.title, template.target_roles) == ("Удовлетворённость", ["mentee", "mentor"])
    assert made["published"].questions.count() == 2


def test_only_the_regional_administrator_retires_a_published_version(
    staff: Client, made: dict[str, Any]
) -> None:
    published, draft = made["published"], made["draft"]
    assert (
        'data-testid="retire"'
        not in staff.get(f"/templates/versions/{published.pk}/").content.decode()
    )
    assert staff.post(f"/templates/versions/{published.pk}/retire/").status_code == 403
    admin = page_client(HOST, make_user("public", Role.REGIONAL_ADMIN, "q-admin"), "public", "en")
    assert (
        'data-testid="retire"' in admin.get(f"/templates/versions/{published.pk}/").content.decode()
    )
    response = admin.post(f"/templates/versions/{draft.pk}/retire/")
    assert response.status_code == 400
    assert "Only a published version can be retired." in response.content.decode()
    assert admin.post(f"/templates/versions/{published.pk}/retire/").status_code == 302
    published.refresh_from_db()
    assert published.status == "retired"
    assert (
        "This version is retired"
        in admin.get(f"/templates/versions/{published.pk}/").content.decode()
    )


def test_preview_shows_the_form_with_its_conditions(staff: Client, made: dict[str, Any]) -> None:
    body = staff.get(f"/templates/versions/{made['published'].pk}/preview/").content.decode()
    assert "Понравилась ли программа?" in body
    assert 'data-condition-question="liked" data-condition-value="yes"' in body
    assert 'name="score" id="pq-score-10"' in body
    assert "плохо" in body and "отлично" in body


def test_pages_are_for_regional_staff_only(made: dict[str, Any], tenant_a: Any) -> None:
    employer = page_client(HOST, make_user("public", Role.EMPLOYER, "q-emp"), "public", "en")
    assert employer.get("/templates/").status_code == 403
    assert employer.post(f"/templates/versions/{made['draft'].pk}/publish/").status_code == 403
    assert employer.get("/survey-results/").status_code == 403
    made["draft"].refresh_from_db()
    assert made["draft"].is_draft
    coordinator = make_user(tenant_a.schema_name, Role.COORDINATOR, "q-coord")
    school = page_client(tenant_a.host, coordinator, tenant_a.schema_name, "en")
    assert school.get("/templates/").status_code == 404


def test_missing_ids_are_404(staff: Client, made: dict[str, Any]) -> None:
    for path in (
        "/templates/versions/999999/",
        "/templates/versions/999999/preview/",
        "/templates/questions/999999/",
        "/practices/999999/",
    ):
        assert staff.get(path).status_code == 404, path
    for path in (
        "/templates/versions/999999/publish/",
        "/templates/versions/999999/questions/",
        "/templates/questions/999999/delete/",
        "/templates/999999/new-version/",
    ):
        assert staff.post(path).status_code == 404, path


# --- survey results -------------------------------------------------------------------------


def test_results_show_charts_tables_and_suppressed_cells(
    staff: Client, made: dict[str, Any], tenant_a: Any
) -> None:
    publish_results(tenant_a.pk, code="q-web", year=2026)
    response = staff.get("/survey-results/", {"template_code": "q-web", "academic_year": "2026"})
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count('data-testid="result-chart"') == 2
    assert body.count("<canvas") == 1  # every institution's cell of "score" is hidden
    assert "Понравилась ли программа?" in body
    assert 'id="q-liked-data"' in body and "chart.umd.min.js" in body
    # the suppressed question: the institution's cell is named as hidden, no numbers shown
    assert "hidden: small group" in body
    assert "7.5" not in body
    assert "survey-results/xlsx/?template_code=q-web&amp;academic_year=2026&amp;question=liked" in (
        body
    )


def test_results_xlsx_holds_the_chart_data(
    staff: Client, made: dict[str, Any], tenant_a: Any
) -> None:
    from openpyxl import load_workbook

    publish_results(tenant_a.pk, code="q-web", year=2026)
    response = staff.get(
        "/survey-results/xlsx/",
        {"template_code": "q-web", "academic_year": "2026", "question": "liked"},
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = [tuple(r) for r in sheet.iter_rows(values_only=True)]
    assert ("Yes", 9, 0) in rows and ("No", 6, 0) in rows
    assert ("Cells from fewer than 5 answers are hidden.", None, None) in rows

    response = staff.get(
        "/survey-results/xlsx/",
        {"template_code": "q-web", "academic_year": "2026", "question": "score"},
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = [tuple(r) for r in sheet.iter_rows(values_only=True)]
    # a scale whose distributions are all hidden lists the institutions' cells: hidden
    assert ("Institution", "Answers", "Mean") in rows
    assert any(r[1:] == ("hidden: small group", "hidden: small group") for r in rows)
    assert not any(7.5 in r for r in rows)
    assert (
        staff.get(
            "/survey-results/xlsx/",
            {"template_code": "q-web", "academic_year": "2026", "question": "nope"},
        ).status_code
        == 404
    )


def test_results_xlsx_writes_typed_texts_as_text(staff: Client, tenant_a: Any) -> None:
    from openpyxl import load_workbook

    from regional.questionnaires import services
    from regional.survey_results import services as results

    template = services.template_create(
        actor=SETUP, code="formula", title="=1+1", purpose="satisfaction", target_roles=["mentee"]
    )
    version = template.versions.get()
    services.question_add(
        actor=SETUP,
        version=version,
        code="pick",
        text='=HYPERLINK("http://evil")',
        kind="single_choice",
        options=[{"code": "a", "text": "=2+2"}, {"code": "b", "text": "Б"}],
    )
    services.version_publish(version=version, actor=SETUP)
    row = {
        "template_code": "formula",
        "template_version_id": version.pk,
        "academic_year": 2026,
        "question_code": "pick",
        "question_kind": "single_choice",
        "respondents": 20,
        "mean": None,
        "distribution": {"a": 10, "b": 10},
    }
    results.institution_results_replace(institution_id=tenant_a.pk, rows=[row], k=5)
    response = staff.get(
        "/survey-results/xlsx/",
        {"template_code": "formula", "academic_year": "2026", "question": "pick"},
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    cells = {c.value: c.data_type for r in sheet.iter_rows() for c in r if c.value is not None}
    assert cells["=1+1"] == cells['=HYPERLINK("http://evil")'] == cells["=2+2"] == "s"


def test_results_filter_errors_are_400(staff: Client, made: dict[str, Any], tenant_a: Any) -> None:
    publish_results(tenant_a.pk, code="q-web", year=2026)
    response = staff.get("/survey-results/", {"template_code": "nope", "academic_year": "2026"})
    assert response.status_code == 400
    assert 'id="id_template_code-errors"' in response.content.decode()


def test_hidden_answers_are_shown_hidden_never_0_and_every_large_question_is_shown(
    staff: Client, made: dict[str, Any], tenant_a: Any, tenant_b: Any
) -> None:
    """The issue's case: 14 yes/no answers (9 and 5) with k = 10 read «yes 0, no 0», and a scale
    answered 14 times was not shown at all. Both cells are hidden (each alone would follow from
    the 14), shown as hidden; the scale shows its answers and mean."""
    from regional.privacy import api as privacy
    from regional.survey_results import services

    privacy.region_settings_update(min_group_size=10, actor=SETUP)
    row = {"template_code": "q-web", "template_version_id": 1, "academic_year": 2025}
    services.institution_results_replace(
        institution_id=tenant_a.pk,
        rows=[
            {
                **row,
                "question_code": "liked",
                "question_kind": "yes_no",
                "respondents": 14,
                "mean": None,
                "distribution": {"yes": 9, "no": 5},
            },
            {
                **row,
                "question_code": "score",
                "question_kind": "scale",
                "respondents": 14,
                "mean": 7.93,
                "distribution": {"6": 3, "8": 6, "10": 5},
            },
        ],
    )
    services.institution_results_replace(
        institution_id=tenant_b.pk,
        rows=[
            {
                **row,
                "question_code": "liked",
                "question_kind": "yes_no",
                "respondents": 30,
                "mean": None,
                "distribution": {"yes": 18, "no": 12},
            }
        ],
    )
    stored = RegionalQuestionResult.objects.get(institution=tenant_a, question_code="liked")
    assert stored.distribution == {"yes": None, "no": None} and stored.min_group_size == 10
    body = staff.get("/survey-results/", {"template_code": "q-web", "academic_year": "2025"})
    page = body.content.decode()
    assert body.status_code == 200 and page.count('data-testid="result-chart"') == 2
    # 18 and 12 of B are published, but A's are hidden: the totals are not known, so no bar
    # is drawn (no empty chart) and the table says so
    assert 'id="q-liked-data"' not in page and 'id="q-liked-canvas"' not in page
    assert "Every cell of the distribution is hidden" in page
    assert "at least 18" in page and "at least 12" in page
    assert ">0<" not in page.split('id="q-liked-title"')[1].split("</section>")[0]
    # the scale of 14 answers is shown: its answers, its mean, each institution's mean charted
    score = re.search(r'id="q-score-data"[^>]*>(.*?)</script>', page, re.S)
    assert score is not None and json.loads(score.group(1))["values"] == [7.93]
    assert privacy.min_group_size() == 10


def test_peers_see_hidden_answers_as_hidden() -> None:
    from regional.survey_results.anonymise import combine_distributions

    assert combine_distributions([{"yes": None, "no": None}, {"yes": 18, "no": 12}]) == {
        "yes": None,
        "no": None,
    }
    assert combine_distributions([{"yes": 20, "no": 12}, {"yes": 18, "no": 12}]) == {
        "yes": 38,
        "no": 24,
    }
    assert combine_distributions([None, None]) is None
