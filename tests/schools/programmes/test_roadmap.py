"""The roadmap API: CRUD by the coordinator, overdue flags, curators' status updates, roles,
bad input, the attached document."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_tenants.utils import schema_context

from schools.programmes import services
from schools.programmes.models import RoadmapActivity
from schools.programmes.selectors import current_academic_year
from tests.conftest import SETUP

URL = "/api/v1/roadmap-activities/"


def new_activity(programme_, **fields):
    values = {
        "programme": programme_.pk,
        "stage": 2,
        "title": "Анкетирование желающих стать наставляемыми",
        "content": "Анкеты для обучающихся 5–11 классов",
        "deadline": programme_.starts_on.isoformat(),
        "responsible_roles": ["coordinator", "curator"],
    }
    values.update(fields)
    return values


def test_coordinator_creates_edits_and_deletes_an_activity(
    tenant_a, staff, coordinator_client, programme
):
    response = coordinator_client.post(
        URL, new_activity(programme, responsible_people=[staff["curator"].pk]), format="json"
    )
    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["stage"] == 2 and created["status"] == "planned"
    assert created["position"] == 3  # after the two default activities of stage 2
    assert created["responsible_people"] == [staff["curator"].pk]
    url = f"{URL}{created['id']}/"
    done = coordinator_client.patch(url, {"status": "done"}, format="json")
    assert done.status_code == 200, done.json()
    assert done.json()["completed_on"] == timezone.localdate().isoformat()
    reopened = coordinator_client.patch(url, {"status": "in_progress"}, format="json")
    assert reopened.json()["completed_on"] is None
    listed = coordinator_client.get(URL, {"programme": programme.pk, "stage": 2}).json()
    assert [a["position"] for a in listed["results"]] == [1, 2, 3]
    assert coordinator_client.delete(url).status_code == 204
    with schema_context(tenant_a.schema_name):
        assert not RoadmapActivity.objects.filter(pk=created["id"]).exists()


def test_overdue_activities_are_flagged_and_filterable(tenant_a, staff, coordinator_client):
    with schema_context(tenant_a.schema_name):
        last_year = services.programme_create(
            actor=SETUP, academic_year=current_academic_year() - 1, title="Прошлый год"
        )
        RoadmapActivity.objects.filter(programme=last_year, stage=1).update(
            status="done", completed_on=timezone.localdate()
        )
        RoadmapActivity.objects.filter(programme=last_year, stage=2).update(status="cancelled")
        expected = RoadmapActivity.objects.filter(programme=last_year, stage__gte=3).count()
    overdue = coordinator_client.get(URL, {"programme": last_year.pk, "overdue": "true"}).json()
    assert overdue["count"] == expected > 0
    assert all(a["is_overdue"] and a["stage"] >= 3 for a in overdue["results"])
    not_overdue = coordinator_client.get(URL, {"programme": last_year.pk, "overdue": "false"})
    assert {a["stage"] for a in not_overdue.json()["results"]} == {1, 2}


def test_future_activities_are_not_overdue(coordinator_client, tenant_a):
    with schema_context(tenant_a.schema_name):
        future = services.programme_create(
            actor=SETUP, academic_year=current_academic_year() + 1, title="Следующий год"
        )
    response = coordinator_client.get(URL, {"programme": future.pk, "overdue": "true"})
    assert response.json()["count"] == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"deadline": "2001-09-01"}, "deadline"),
        ({"stage": 7}, "stage"),
        ({"stage": 0}, "stage"),
        ({"title": ""}, "title"),
        ({"responsible_roles": ["parent"]}, "responsible_roles"),
        ({"responsible_people": ["parent"]}, "responsible_people"),
        ({"responsible_people": [987654]}, "responsible_people"),
        ({"status": "planned", "completed_on": "2026-09-01"}, "completed_on"),
        ({"programme": 987654}, "programme"),
    ],
)
def test_bad_activity_input_writes_nothing(
    tenant_a, staff, coordinator_client, programme, change, field
):
    if "responsible_people" in change:
        change = {
            "responsible_people": [
                staff[p].pk if isinstance(p, str) else p for p in change["responsible_people"]
            ]
        }
    with schema_context(tenant_a.schema_name):
        before = RoadmapActivity.objects.count()
    response = coordinator_client.post(URL, new_activity(programme, **change), format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()["errors"], response.json()
    with schema_context(tenant_a.schema_name):
        assert RoadmapActivity.objects.count() == before


def test_deadline_outside_the_year_on_update(coordinator_client, programme, tenant_a):
    with schema_context(tenant_a.schema_name):
        activity = programme.activities.first()
        deadline = activity.deadline
    response = coordinator_client.patch(
        f"{URL}{activity.pk}/",
        {"deadline": f"{programme.academic_year + 2}-01-10", "title": "Новое"},
        format="json",
    )
    assert response.status_code == 400 and "deadline" in response.json()["errors"]
    with schema_context(tenant_a.schema_name):
        activity.refresh_from_db()
        assert (activity.deadline, activity.title) == (deadline, activity.title)
        assert activity.title != "Новое"


def test_curator_updates_the_status_of_its_own_activities_only(
    tenant_a, staff, client_for, programme
):
    curator = client_for(tenant_a, staff["curator"])
    with schema_context(tenant_a.schema_name):
        own = programme.activities.get(title__startswith="Отчёты по итогам")
        other = programme.activities.get(stage=1, position=1)
    url = f"{URL}{own.pk}/"
    assert curator.get(url).status_code == 200
    response = curator.patch(url, {"status": "in_progress"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "in_progress"
    assert curator.patch(url, {"title": "Другое"}, format="json").status_code == 403
    assert curator.patch(url, {"status": "done", "deadline": "2030-01-01"}).status_code == 403
    assert curator.patch(f"{URL}{other.pk}/", {"status": "done"}).status_code == 403
    assert curator.post(URL, new_activity(programme), format="json").status_code == 403
    assert curator.delete(url).status_code == 403
    with schema_context(tenant_a.schema_name):
        own.refresh_from_db()
        other.refresh_from_db()
        assert own.title.startswith("Отчёты") and own.status == "in_progress"
        assert other.status == "planned"


@pytest.mark.parametrize(
    ("role", "read", "create", "update", "delete"),
    [
        ("coordinator", 200, 201, 200, 204),
        ("curator", 200, 403, 403, 403),  # not responsible for the activity
        ("director", 200, 403, 403, 403),
        ("deputy", 200, 403, 403, 403),
        ("mentor", 403, 403, 403, 403),
        ("mentee", 403, 403, 403, 403),
        ("parent", 403, 403, 403, 403),
    ],
)
def test_roles(tenant_a, staff, client_for, programme, role, read, create, update, delete):
    client = client_for(tenant_a, staff[role])
    with schema_context(tenant_a.schema_name):
        activity = programme.activities.get(stage=1, position=1)
        count = RoadmapActivity.objects.count()
    url = f"{URL}{activity.pk}/"
    assert client.get(URL).status_code == read
    assert client.get(url).status_code == read
    assert client.post(URL, new_activity(programme), format="json").status_code == create
    assert client.patch(url, {"status": "in_progress"}, format="json").status_code == update
    stages = client.get(f"/api/v1/programmes/{programme.pk}/stages/")
    assert stages.status_code == read
    mark = client.post(f"/api/v1/programmes/{programme.pk}/stages/1/", {"state": "in_progress"})
    assert mark.status_code == (200 if role == "coordinator" else 403)
    assert client.delete(url).status_code == delete
    with schema_context(tenant_a.schema_name):
        if role != "coordinator":
            activity.refresh_from_db()
            assert activity.status == "planned"
            assert RoadmapActivity.objects.count() == count


def test_anonymous_is_refused(tenant_a, client_for, programme):
    client = client_for(tenant_a)
    assert client.get(URL).status_code in (401, 403)
    assert client.get(f"/api/v1/programmes/{programme.pk}/stages/").status_code in (401, 403)


def test_document_upload_download_and_removal(
    tenant_a, staff, coordinator_client, client_for, programme, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path)
    with schema_context(tenant_a.schema_name):
        activity = programme.activities.get(stage=1, position=1)
    url = f"{URL}{activity.pk}/"
    scan = SimpleUploadedFile("prikaz.pdf", b"%PDF-1.4 order", content_type="application/pdf")
    response = coordinator_client.patch(
        url, {"document": scan, "status": "done"}, format="multipart"
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["document_name"] == "prikaz.pdf"
    assert body["document_url"].endswith(f"{URL}{activity.pk}/document/")
    # stored under the institution's own media folder
    assert list(tmp_path.glob(f"{tenant_a.schema_name}/roadmap/*/prikaz.pdf"))
    director = client_for(tenant_a, staff["director"])
    download = director.get(f"{URL}{activity.pk}/document/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 order"
    exe = SimpleUploadedFile("virus.exe", b"MZ", content_type="application/octet-stream")
    bad = coordinator_client.patch(url, {"document": exe}, format="multipart")
    assert bad.status_code == 400 and "document" in bad.json()["errors"]
    removed = coordinator_client.patch(url, {"document": None}, format="json")
    assert removed.status_code == 200 and removed.json()["document_url"] is None
    assert director.get(f"{URL}{activity.pk}/document/").status_code == 404


def test_service_refuses_a_stage_outside_1_to_6(in_a, programme):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        services.roadmap_activity_create(
            actor=SETUP, programme=programme, stage=9, title="Т", deadline=datetime.date(2030, 1, 1)
        )
    assert "stage" in error.value.message_dict
