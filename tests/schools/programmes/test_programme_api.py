from __future__ import annotations

import pytest

URL = "/api/v1/programmes/"


def test_coordinator_creates_and_edits_a_programme(tenant_a, user_in, client_for):
    client = client_for(tenant_a, user_in(tenant_a.schema_name, "coordinator"))
    response = client.post(
        URL,
        {
            "academic_year": 2026,
            "title": "Программа наставничества «Вместе к успеху»",
            "forms": ["teacher_teacher", "pupil_pupil"],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    programme = response.json()
    assert programme["forms"] == ["pupil_pupil", "teacher_teacher"]
    patched = client.patch(
        f"{URL}{programme['id']}/", {"goals": "Повысить успеваемость"}, format="json"
    )
    assert patched.status_code == 200 and patched.json()["goals"] == "Повысить успеваемость"
    listed = client.get(URL, {"academic_year": 2026}).json()
    assert listed["count"] == 1


def test_bad_programme_input(tenant_a, user_in, client_for):
    client = client_for(tenant_a, user_in(tenant_a.schema_name, "coordinator"))
    assert client.post(URL, {"academic_year": 2026, "title": "П"}).status_code == 201
    dup = client.post(URL, {"academic_year": 2026, "title": "П"})
    assert dup.status_code == 400 and "academic_year" in dup.json()["errors"]
    bad = client.post(URL, {"academic_year": 2027, "title": "П", "forms": ["nope"]}, format="json")
    assert bad.status_code == 400 and "forms" in bad.json()["errors"]


@pytest.mark.parametrize(
    ("role", "read", "write"),
    [
        ("coordinator", 200, 201),
        ("curator", 200, 403),
        ("director", 200, 403),
        ("deputy", 200, 403),
        ("mentor", 403, 403),
        ("mentee", 403, 403),
        ("parent", 403, 403),
    ],
)
def test_roles(tenant_a, user_in, client_for, role, read, write):
    client = client_for(tenant_a, user_in(tenant_a.schema_name, role))
    assert client.get(URL).status_code == read
    assert client.post(URL, {"academic_year": 2030, "title": "П"}).status_code == write


def test_anonymous_is_refused(tenant_a, client_for):
    assert client_for(tenant_a).get(URL).status_code in (401, 403)
