"""The catalogue pages: staff read the one catalogue of requests and competences; the
coordinator adds an entry, edits its wordings and what covers it, retires it. Errors next to
the field; other roles cannot change anything."""

from __future__ import annotations

from typing import Any

from django_tenants.utils import schema_context

from accounts.models import Role
from tests.web.conftest import School, page_client

# Every test takes ``school``: built once for the module, each test in a savepoint of it
# (tests/web/conftest.py).
SHARE_SCHOOL = True


def client_of(tenant: Any, school: School, role: str, language: str = "ru") -> Any:
    return page_client(tenant.host, school.users[role], tenant.schema_name, language)


def test_coordinator_adds_edits_and_retires_an_entry(tenant_a, school):
    from schools.audit.models import AuditEntry
    from schools.participants.models import Topic

    client = client_of(tenant_a, school, Role.COORDINATOR)
    page = client.get("/bases/catalogue/").content.decode()
    assert "Подготовка к олимпиадам и конкурсам" in page and "Работа с родителями" in page
    assert "Учебные предметы" in page  # a section

    response = client.post(
        "/bases/catalogue/",
        {
            "name": "Шахматная композиция",
            "group": "leisure",
            "audience": "learners",
            "synonyms": "Шахматные задачи\nЭтюды",
        },
    )
    assert response.status_code == 302
    # a wording of another entry, an empty name and a bad code: errors next to the fields
    response = client.post(
        "/bases/catalogue/",
        {"name": "", "group": "leisure", "audience": "learners", "code": "не код"},
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_name-errors"' in body and 'id="id_code-errors"' in body
    response = client.post(
        "/bases/catalogue/", {"name": "олимпиады", "group": "study", "audience": "learners"}
    )
    assert response.status_code == 400 and "Подготовка к олимпиадам" in response.content.decode()

    with schema_context(tenant_a.schema_name):
        topic = Topic.objects.get(name="Шахматная композиция")
        sport = Topic.objects.get(code="sport")
        assert topic.synonyms == ["Шахматные задачи", "Этюды"]
        assert AuditEntry.objects.filter(model_label="participants.topic", object_id=str(topic.pk))
    entry = client.get(f"/bases/catalogue/{topic.pk}/").content.decode()
    assert 'name="covered_by"' in entry and "Спорт, ГТО" in entry
    response = client.post(
        f"/bases/catalogue/{topic.pk}/",
        {
            "name": "Шахматная композиция",
            "group": "leisure",
            "audience": "everyone",
            "synonyms": "Шахматные задачи",
            "covered_by": [str(sport.pk)],
        },  # no is_active: retired
    )
    assert response.status_code == 302
    with schema_context(tenant_a.schema_name):
        topic.refresh_from_db()
        assert (topic.audience, topic.is_active) == ("everyone", False)
        assert list(topic.coverage.values_list("covered_by__code", flat=True)) == ["sport"]
    page = client.get("/bases/catalogue/").content.decode()
    assert "Шахматная композиция" in page and "не используется" in page
    form = client.get(f"/bases/mentees/{school.ids['menteeprofile']}/edit/").content.decode()
    assert f'value="{topic.code}"' not in form  # retired: no longer offered

    # a clash on edit is shown next to the field and changes nothing
    response = client.post(
        f"/bases/catalogue/{topic.pk}/",
        {
            "name": "Шахматная композиция",
            "group": "leisure",
            "audience": "everyone",
            "synonyms": "ГТО",
            "is_active": "on",
        },
    )
    assert response.status_code == 400 and 'id="id_synonyms-errors"' in response.content.decode()
    with schema_context(tenant_a.schema_name):
        topic.refresh_from_db()
        assert topic.synonyms == ["Шахматные задачи"] and not topic.is_active


def test_other_staff_read_the_catalogue_but_change_nothing(tenant_a, school):
    from schools.participants.models import Topic

    with schema_context(tenant_a.schema_name):
        olympiads = Topic.objects.get(code="olympiads")
    for role in (Role.CURATOR, Role.DIRECTOR, Role.DEPUTY):
        client = client_of(tenant_a, school, role)
        page = client.get("/bases/catalogue/").content.decode()
        assert "Подготовка к олимпиадам" in page and 'name="synonyms"' not in page
        entry = client.get(f"/bases/catalogue/{olympiads.pk}/")
        assert entry.status_code == 200 and 'name="covered_by"' not in entry.content.decode()
        assert client.post("/bases/catalogue/", {"name": "Чужое"}).status_code == 403
        response = client.post(f"/bases/catalogue/{olympiads.pk}/", {"name": "Чужое"})
        assert response.status_code == 403
    with schema_context(tenant_a.schema_name):
        assert not Topic.objects.filter(name="Чужое").exists()
        assert Topic.objects.get(pk=olympiads.pk).name == "Подготовка к олимпиадам и конкурсам"
