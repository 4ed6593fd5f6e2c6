"""The best practices library: collected from institutions' published stories, read by regional
staff only."""

from __future__ import annotations

from django_tenants.utils import schema_context

from accounts.models import Role
from regional.practices import services
from regional.practices.models import PracticeCase
from regional.practices.tasks import collect_institution
from tests.conftest import make_user


def test_collecting_published_stories_is_idempotent(tenants, db, monkeypatch):
    from schools.pairs import api as pairs

    stories = [
        {
            "title": "Наставничество в агроклассе",
            "text": "Студент колледжа помог ученикам с проектом.",
            "form": "student_pupil",
            "published_at": "2026-10-01T10:00:00+03:00",
        }
    ]
    monkeypatch.setattr(pairs, "success_stories_published", lambda: stories)
    with schema_context(tenants.a.schema_name):
        assert collect_institution.apply(kwargs={"institution_id": tenants.a.pk}).get() == 1
        assert collect_institution.apply(kwargs={"institution_id": tenants.a.pk}).get() == 0
        # an id that is not this schema's institution collects nothing
        assert collect_institution.apply(kwargs={"institution_id": tenants.b.pk}).get() == 0
    case = PracticeCase.objects.get()
    assert case.institution == tenants.a and case.municipality == tenants.a.municipality


def test_library_is_read_by_regional_staff_only(tenants, db, regional_staff, client_for):
    services.practice_case_publish(
        institution_id=tenants.b.pk, title="Кейс", text="Текст без имён.", form="pupil_pupil"
    )
    response = client_for(None, regional_staff).get("/api/v1/practice-cases/?form=pupil_pupil")
    assert response.status_code == 200
    assert response.json()["results"][0]["institution_name"] == tenants.b.short_name
    employer = make_user("public", Role.EMPLOYER, "practice-employer")
    assert client_for(None, employer).get("/api/v1/practice-cases/").status_code == 403
    assert client_for(None, regional_staff).post("/api/v1/practice-cases/", {}).status_code in (
        403,
        405,
    )
