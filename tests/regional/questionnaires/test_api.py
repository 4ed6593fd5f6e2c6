"""The regional API of questionnaire templates: roles, the draft → publish → new draft flow,
a published version answering 400 to every change."""

from __future__ import annotations

import pytest

from accounts.models import Role
from regional.questionnaires.models import Question, QuestionnaireTemplate, TemplateVersion
from tests.conftest import api_client, make_user
from tests.regional.questionnaires.conftest import scale, yes_no

TEMPLATES = "/api/v1/questionnaire-templates/"
VERSIONS = "/api/v1/questionnaire-template-versions/"
QUESTIONS = "/api/v1/questionnaire-template-questions/"


@pytest.fixture
def admin_api(client_for, regional_admin, tenants):
    return client_for(None, regional_admin)


@pytest.fixture
def staff_api(client_for, regional_staff, tenants):
    return client_for(None, regional_staff)


def new_template(api, code="api-check"):
    response = api.post(
        TEMPLATES,
        {
            "code": code,
            "title": "Проверочная анкета",
            "purpose": "satisfaction",
            "target_roles": ["mentee"],
            "target_forms": ["employer_student"],
            "intro": "Оцените, пожалуйста",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    return response.json()


def test_list_shows_each_template_with_its_latest_published_version(staff_api):
    response = staff_api.get(TEMPLATES, {"page_size": 100})
    assert response.status_code == 200
    rows = {row["code"]: row for row in response.json()["results"]}
    intake = rows["mentee-intake"]
    assert intake["latest_published"]["number"] == 1
    assert intake["latest_published"]["status"] == "published"
    assert intake["latest_published"]["question_count"] >= 5
    assert intake["draft"] is None
    version = staff_api.get(f"{VERSIONS}{intake['latest_published']['id']}/").json()
    assert version["template_code"] == "mentee-intake"
    assert [q["order"] for q in version["questions"]] == list(
        range(1, len(version["questions"]) + 1)
    )
    assert staff_api.get(TEMPLATES, {"purpose": "growth"}).json()["count"] == 2


def test_draft_publish_and_new_version_flow(staff_api, admin_api):
    template = new_template(staff_api)
    draft_id = template["draft"]["id"]
    assert template["latest_published"] is None
    # Publishing an empty draft: 400, nothing changes.
    response = staff_api.post(f"{VERSIONS}{draft_id}/publish/")
    assert response.status_code == 400
    assert "questions" in response.json()["errors"]
    added = staff_api.post(f"{VERSIONS}{draft_id}/questions/", scale("s_comfort"), format="json")
    assert added.status_code == 201, added.json()
    staff_api.post(f"{VERSIONS}{draft_id}/questions/", yes_no("again"), format="json")
    question_id = added.json()["id"]
    response = staff_api.patch(
        f"{QUESTIONS}{question_id}/", {"text": "Насколько комфортно?", "position": 2}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["order"] == 2
    response = staff_api.post(f"{VERSIONS}{draft_id}/publish/")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "published"

    # The published version refuses every change with 400 and stays as it was.
    for method, url, body in [
        ("patch", f"{QUESTIONS}{question_id}/", {"text": "Другое"}),
        ("delete", f"{QUESTIONS}{question_id}/", None),
        ("post", f"{VERSIONS}{draft_id}/questions/", yes_no("late")),
        ("patch", f"{VERSIONS}{draft_id}/", {"intro": "Другое"}),
        ("delete", f"{VERSIONS}{draft_id}/", None),
        ("post", f"{VERSIONS}{draft_id}/publish/", None),
    ]:
        response = getattr(staff_api, method)(url, body, format="json")
        assert response.status_code == 400, (method, url, response.status_code)
        assert "version" in response.json()["errors"]
    assert Question.objects.get(pk=question_id).text == "Насколько комфортно?"
    assert TemplateVersion.objects.get(pk=draft_id).intro == "Оцените, пожалуйста"

    # Editing makes a new draft, a copy of version 1.
    response = staff_api.post(f"{TEMPLATES}{template['id']}/drafts/")
    assert response.status_code == 201, response.json()
    second = response.json()
    assert second["number"] == 2 and second["status"] == "draft"
    assert [q["code"] for q in second["questions"]] == ["again", "s_comfort"]
    assert staff_api.post(f"{TEMPLATES}{template['id']}/drafts/").status_code == 400
    detail = staff_api.get(f"{TEMPLATES}{template['id']}/").json()
    assert detail["latest_published"]["number"] == 1
    assert detail["draft"]["number"] == 2
    assert [v["number"] for v in detail["versions"]] == [2, 1]

    # Retiring is for the regional administrator.
    assert staff_api.post(f"{VERSIONS}{draft_id}/retire/").status_code == 403
    response = admin_api.post(f"{VERSIONS}{draft_id}/retire/")
    assert response.status_code == 200
    assert response.json()["status"] == "retired"


def test_template_catalogue_data_is_editable_but_not_its_code(staff_api):
    template = new_template(staff_api)
    response = staff_api.patch(
        f"{TEMPLATES}{template['id']}/",
        {"title": "Новое название", "target_forms": [], "code": "renamed"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["title"], body["target_forms"], body["code"]) == (
        "Новое название",
        [],
        "api-check",
    )
    response = staff_api.patch(
        f"{TEMPLATES}{template['id']}/", {"target_roles": ["pilot"]}, format="json"
    )
    assert response.status_code == 400


def test_bad_question_input_is_400_with_field_errors(staff_api):
    draft_id = new_template(staff_api)["draft"]["id"]
    response = staff_api.post(
        f"{VERSIONS}{draft_id}/questions/", scale("s", min_value=10, max_value=1), format="json"
    )
    assert response.status_code == 400
    assert "max_value" in response.json()["errors"]
    response = staff_api.post(
        f"{VERSIONS}{draft_id}/questions/",
        yes_no("d", condition_question="nothing", condition_value="yes"),
        format="json",
    )
    assert response.status_code == 400
    assert "condition_question" in response.json()["errors"]
    assert not Question.objects.filter(version_id=draft_id).exists()


def test_check_answers_endpoint(staff_api):
    version_id = TemplateVersion.objects.get(template__code="satisfaction-mentee", number=1).pk
    response = staff_api.post(
        f"{VERSIONS}{version_id}/check-answers/",
        {"answers": {"s_communication": 11}},
        format="json",
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert "s_communication" in errors and "s_organisation" in errors


def test_duplicate_template_code_is_refused(staff_api):
    new_template(staff_api)
    response = staff_api.post(
        TEMPLATES,
        {
            "code": "api-check",
            "title": "Снова",
            "purpose": "satisfaction",
            "target_roles": ["mentor"],
        },
        format="json",
    )
    assert response.status_code == 400
    assert "code" in response.json()["errors"]


# --- roles -------------------------------------------------------------------------------


@pytest.fixture
def routes(db):
    version = TemplateVersion.objects.get(template__code="mentee-intake", number=1)
    template = version.template
    question = version.questions.first()
    assert question is not None
    return {
        "reads": [
            TEMPLATES,
            f"{TEMPLATES}{template.pk}/",
            VERSIONS,
            f"{VERSIONS}{version.pk}/",
            f"{QUESTIONS}{question.pk}/",
        ],
        "writes": [
            (
                "post",
                TEMPLATES,
                {
                    "code": "x-roles",
                    "title": "X",
                    "purpose": "satisfaction",
                    "target_roles": ["mentor"],
                },
            ),
            ("patch", f"{TEMPLATES}{template.pk}/", {"title": "Взлом"}),
            ("post", f"{TEMPLATES}{template.pk}/drafts/", {}),
            ("post", f"{VERSIONS}{version.pk}/retire/", {}),
            ("patch", f"{QUESTIONS}{question.pk}/", {"text": "Взлом"}),
            ("delete", f"{QUESTIONS}{question.pk}/", {}),
        ],
    }


def unchanged() -> None:
    assert not QuestionnaireTemplate.objects.filter(code="x-roles").exists()
    template = QuestionnaireTemplate.objects.get(code="mentee-intake")
    assert template.title == "Анкета наставляемого"
    assert list(template.versions.values_list("number", "status")) == [(1, "published")]


@pytest.mark.parametrize("who", ["anonymous", "employer", "school_coordinator"])
def test_others_get_nothing(who, client_for, tenants, routes):
    if who == "anonymous":
        api = client_for(None)
    elif who == "employer":
        api = client_for(None, make_user("public", Role.EMPLOYER, "employer-q"))
    else:
        # A school user's credentials mean nothing on the regional host.
        user = make_user(tenants.a.schema_name, Role.COORDINATOR, "coord-q")
        api = api_client("nastavnik.test", user, tenants.a.schema_name)
    for url in routes["reads"]:
        response = api.get(url)
        assert response.status_code in (401, 403), (who, url, response.status_code)
        assert "Анкета наставляемого" not in response.content.decode()
    for method, url, body in routes["writes"]:
        response = getattr(api, method)(url, body, format="json")
        assert response.status_code in (401, 403), (who, method, url, response.status_code)
    unchanged()


def test_school_user_on_own_host_finds_no_template_routes(client_for, tenant_a):
    user = make_user(tenant_a.schema_name, Role.COORDINATOR, "coord-q2")
    api = client_for(tenant_a, user)
    assert api.get(TEMPLATES).status_code == 404


def test_regional_staff_reads_and_edits_but_does_not_retire(staff_api, routes):
    for url in routes["reads"]:
        assert staff_api.get(url).status_code == 200, url
    _method, url, body = routes["writes"][3]
    assert staff_api.post(url, body, format="json").status_code == 403
    unchanged()


def test_regional_admin_may_do_everything(admin_api, routes):
    for url in routes["reads"]:
        assert admin_api.get(url).status_code == 200, url
    assert (
        admin_api.post(routes["writes"][0][1], routes["writes"][0][2], format="json").status_code
        == 201
    )
