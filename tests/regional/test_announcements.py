"""Announcements of the regional centre: sent to all, to some municipalities or to some
institutions; each targeted institution's coordinators get a letter (sent in that
institution's schema, to its coordinators only) and see it in their pages; the others see
nothing."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django_tenants.utils import schema_context

from accounts.models import Role
from regional.announcements.tasks import announcement_mail
from tenants.models import Municipality
from tests.conftest import SETUP, make_user
from tests.web.conftest import page_client

pytestmark = pytest.mark.django_db

HOST = "nastavnik.test"


def test_an_announcement_reaches_only_the_chosen_institutions_coordinators(
    tenants: Any, django_capture_on_commit_callbacks: Any
) -> None:
    make_user(tenants.a.schema_name, Role.COORDINATOR, "ann-a", email="coord-a@alpha.ru")
    make_user(tenants.b.schema_name, Role.COORDINATOR, "ann-b", email="coord-b@beta.ru")
    make_user(tenants.a.schema_name, Role.MENTOR, "ann-mentor", email="mentor@alpha.ru")
    staff = page_client(HOST, make_user("public", Role.REGIONAL_STAFF, "ann-staff"), "public", "en")
    refused = staff.post("/announcements/", {"title": "Семинар", "body": "", "audience": "all"})
    assert refused.status_code == 400
    assert 'id="id_body-errors"' in refused.content.decode()
    none_chosen = staff.post(
        "/announcements/", {"title": "Семинар", "body": "Текст", "audience": "institutions"}
    )
    assert none_chosen.status_code == 400
    assert re.search(r'id="id_institutions-errors"', none_chosen.content.decode())
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        sent = staff.post(
            "/announcements/",
            {
                "title": "Семинар наставников 12 декабря",
                "body": "Приглашаем координаторов на семинар.",
                "audience": "institutions",
                "institutions": [str(tenants.a.pk)],
            },
        )
    assert sent.status_code == 302 and len(callbacks) == 1
    mail.outbox.clear()
    from regional.announcements.models import Announcement

    announcement = Announcement.objects.get(title__startswith="Семинар наставников")
    assert announcement.recipients == 1
    with schema_context(tenants.a.schema_name):
        announcement_mail.apply(
            kwargs={"announcement_id": announcement.pk, "institution_id": tenants.a.pk}
        )
    assert [m.to for m in mail.outbox] == [["coord-a@alpha.ru"]]
    assert "Семинар наставников" in mail.outbox[0].subject

    a = page_client(
        tenants.a.host,
        make_user(tenants.a.schema_name, Role.DIRECTOR, "ann-dir-a"),
        tenants.a.schema_name,
    )
    assert "Семинар наставников" in a.get("/announcements/").content.decode()
    b = page_client(
        tenants.b.host,
        make_user(tenants.b.schema_name, Role.DIRECTOR, "ann-dir-b"),
        tenants.b.schema_name,
    )
    assert "Семинар наставников" not in b.get("/announcements/").content.decode()
    mentor = page_client(
        tenants.a.host,
        make_user(tenants.a.schema_name, Role.MENTOR, "ann-m2"),
        tenants.a.schema_name,
    )
    assert mentor.get("/announcements/").status_code == 403


def test_an_announcement_to_a_municipality_reaches_its_institutions(tenants: Any) -> None:
    from regional.announcements import services
    from regional.announcements.selectors import announcements_for

    other = Municipality.objects.create(name="Район объявлений")
    to_other = services.announcement_send(
        title="Другим",
        body="Текст",
        audience="municipalities",
        municipality_ids=[other.pk],
        actor=SETUP,
    )
    to_ours = services.announcement_send(
        title="Нашим",
        body="Текст",
        audience="municipalities",
        municipality_ids=[tenants.municipality.pk],
        actor=SETUP,
    )
    to_all = services.announcement_send(title="Всем", body="Текст", audience="all", actor=SETUP)
    seen = set(
        announcements_for(
            institution_id=tenants.a.pk, municipality_id=tenants.municipality.pk
        ).values_list("pk", flat=True)
    )
    assert to_ours.pk in seen and to_all.pk in seen and to_other.pk not in seen
    assert to_other.recipients == 0 and to_ours.recipients == 2
