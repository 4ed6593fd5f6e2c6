"""The institutions pages of the regional centre: search, filters (municipality, kind, status,
stage) and paging, errors next to the field; a school's application on the page (honeypot,
throttle) approved by regional staff; inviting a municipal department's user whose
account, once the link is used, sees its municipality only."""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django_tenants.utils import schema_context

from accounts.models import Invitation, Role
from regional.kpis import metrics
from regional.kpis import services as kpis
from tenants import selectors, services
from tenants.models import (
    Institution,
    InstitutionImport,
    InstitutionStatus,
    MunicipalAccess,
    Municipality,
    OnboardingApplication,
    PublicAuditEntry,
)
from tests.conftest import make_user
from tests.web.conftest import page_client, xlsx_bytes

pytestmark = pytest.mark.django_db

HOST = "nastavnik.test"
PERIOD = "2026-10"


@pytest.fixture
def many(tenants: Any) -> Any:
    """60 more institutions (numbers only, no schema) in a second municipality: colleges
    every third, suspended every tenth; the first 12 completed 2 stages."""
    north = Municipality.objects.create(name="Северный район")
    made = Institution.objects.bulk_create(
        Institution(
            slug=f"north-{n:02d}",
            schema_name=f"north_{n:02d}",
            name=f"МБОУ СОШ № {n} Северного района",
            short_name=f"Северная школа № {n}",
            kind="college" if n % 3 == 0 else "school",
            municipality=north,
            status=InstitutionStatus.SUSPENDED if n % 10 == 0 else InstitutionStatus.ACTIVE,
        )
        for n in range(1, 61)
    )
    for institution in made[:12]:
        kpis.snapshot_record(
            run_id=None,
            period=PERIOD,
            institution_id=institution.pk,
            academic_year=metrics.academic_year_of(metrics.period_date(PERIOD)),
            values={"stages_done": 2, "stages_total": 6},
        )
    return SimpleNamespace(a=tenants.a, b=tenants.b, north=north)


def rows(body: str) -> list[str]:
    table = body.split('data-testid="institutions"')[1].split("</table>")[0]
    return re.findall(r'<a href="/institutions/\d+/">([^<]+)</a>', table)


def test_the_list_searches_filters_and_pages(many: Any) -> None:
    client = page_client(HOST, make_user("public", Role.REGIONAL_STAFF, "list-staff"), "public")
    first = client.get("/").content.decode()
    assert len(rows(first)) == 50 and "1 / 2" in first  # 62 institutions
    second = client.get("/?page=2").content.decode()
    assert len(rows(second)) == 12
    assert rows(client.get("/?q=Альфа").content.decode()) == [many.a.short_name]
    colleges = rows(client.get(f"/?municipality={many.north.pk}&kind=college").content.decode())
    assert len(colleges) == 20
    suspended = rows(client.get("/?status=suspended").content.decode())
    assert len(suspended) == 6 and all(name.startswith("Северная") for name in suspended)
    assert len(rows(client.get("/?stage=2").content.decode())) == 12
    assert many.a.short_name in rows(client.get("/?stage=none&q=Школа").content.decode())
    # paging keeps the filters
    page = client.get(f"/?municipality={many.north.pk}").content.decode()
    assert f"municipality={many.north.pk}&amp;page=2" in page
    refused = client.get("/?kind=university")
    assert refused.status_code == 400
    assert 'id="id_kind-errors"' in refused.content.decode()


def test_a_municipal_department_user_is_invited_and_sees_its_municipality(many: Any) -> None:
    admin = page_client(HOST, make_user("public", Role.REGIONAL_ADMIN, "mun-admin"), "public")
    refused = admin.post("/municipalities/", {"municipality": many.north.pk, "email": "no"})
    assert refused.status_code == 400
    assert 'id="id_email-errors"' in refused.content.decode()
    mail.outbox.clear()
    sent = admin.post(
        "/municipalities/",
        {
            "municipality": many.north.pk,
            "last_name": "Петрова",
            "first_name": "Ольга",
            "email": "uo@north.ru",
        },
        follow=True,
    )
    assert sent.status_code == 200 and "uo@north.ru" in sent.content.decode()
    invitation = Invitation.objects.get(email="uo@north.ru")
    assert invitation.role == Role.MUNICIPAL
    access = MunicipalAccess.objects.get(invitation=invitation)
    assert access.municipality == many.north
    # the link is used: the account is scoped to the north through its invitation
    user = make_user("public", Role.MUNICIPAL, "uo-north")
    Invitation.objects.filter(pk=invitation.pk).update(user=user)
    assert selectors.user_scope(user).municipality_ids == frozenset({many.north.pk})
    officer = page_client(HOST, user, "public")
    names = rows(officer.get("/?page=1").content.decode())
    assert len(names) == 50 and many.a.short_name not in names
    assert officer.get(f"/institutions/{many.a.pk}/").status_code == 404
    # withdrawn: the account sees nothing
    admin.post(f"/municipalities/access/{access.pk}/revoke/")
    assert rows(officer.get("/").content.decode()) == []
    with schema_context("public"):
        assert not MunicipalAccess.objects.filter(pk=access.pk).exists()


def application(tenants: Any, **overrides: str) -> dict[str, Any]:
    values = {
        "name": "МБОУ «Лицей № 3» города Светлый",
        "short_name": "Лицей № 3",
        "kind": "school",
        "municipality": str(tenants.municipality.pk),
        "inn": "",
        "desired_slug": "licey-3",
        "applicant_name": "Смирнова Елена Павловна",
        "applicant_email": "smirnova@licey3.ru",
        "applicant_phone": "",
        "website": "",
    }
    values.update(overrides)
    return values


def visitor(ip: str) -> Client:
    client = Client(HTTP_HOST=HOST, REMOTE_ADDR=ip)
    client.cookies["django_language"] = "en"
    cache.delete_many([f"onboarding-page:{ip}"])  # a rerun starts from a fresh count
    return client


def test_a_school_applies_on_the_page_and_the_regional_centre_approves(tenants: Any) -> None:
    login = visitor("10.77.0.1").get("/accounts/login/").content.decode()
    assert 'data-testid="apply-link"' in login
    client = visitor("10.77.0.2")
    page = client.get("/apply/").content.decode()
    assert 'name="website"' in page and 'tabindex="-1"' in page
    bad_email = client.post("/apply/", application(tenants, applicant_email="x"))
    assert bad_email.status_code == 400
    assert 'id="id_applicant_email-errors"' in bad_email.content.decode()
    taken = client.post("/apply/", application(tenants, desired_slug="alpha"))
    assert taken.status_code == 400
    body = taken.content.decode()
    assert re.search(r'id="id_desired_slug-errors"[^>]*>[^<]*already exists', body)
    assert not OnboardingApplication.objects.filter(desired_slug="alpha").exists()
    sent = client.post("/apply/", application(tenants))
    assert sent.status_code == 302 and sent["Location"] == "/apply/done/"
    submitted = OnboardingApplication.objects.get(desired_slug="licey-3")
    assert submitted.status == "pending" and submitted.applicant_name == "Смирнова Елена Павловна"
    staff = page_client(HOST, make_user("public", Role.REGIONAL_STAFF, "apply-staff"), "public")
    assert "Лицей № 3" in staff.get("/applications/").content.decode()
    approved = staff.post(f"/applications/{submitted.pk}/approve/")
    submitted.refresh_from_db()
    assert submitted.status == "approved" and submitted.institution is not None
    assert approved["Location"] == f"/institutions/{submitted.institution.pk}/"
    assert submitted.institution.coordinator_email == "smirnova@licey3.ru"


def test_a_robot_is_thanked_and_dropped_and_the_page_is_throttled(
    tenants: Any, settings: Any
) -> None:
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**rates, "onboarding": "5/hour"},  # production's rate
    }
    client = visitor("10.77.0.3")
    robot = client.post("/apply/", application(tenants, desired_slug="robot-1", website="x"))
    assert robot.status_code == 302
    assert not OnboardingApplication.objects.filter(desired_slug="robot-1").exists()
    for n in range(4):  # the rate is 5 an hour from one address; the robot took one
        client.post("/apply/", application(tenants, desired_slug=f"many-{n}"))
    refused = client.post("/apply/", application(tenants, desired_slug="many-last"))
    assert refused.status_code == 429 and "Too many applications" in refused.content.decode()
    assert not OnboardingApplication.objects.filter(desired_slug="many-last").exists()
    assert OnboardingApplication.objects.filter(desired_slug__startswith="many-").count() == 4
    # another address is not affected
    other = visitor("10.77.0.4").post("/apply/", application(tenants, desired_slug="other-1"))
    assert other.status_code == 302


HEADER = [
    "Полное наименование",
    "Краткое наименование",
    "Вид",
    "Муниципалитет",
    "ИНН",
    "Адрес",
    "ФИО координатора",
    "E-mail координатора",
]


def school_row(n: int, municipality: str, **overrides: str) -> list[str]:
    row = {
        "name": f"МБОУ «Средняя школа № {n}»",
        "short": f"СШ № {n}",
        "kind": "школа",
        "municipality": municipality,
        "inn": "",
        "slug": f"imp-school-{n}",
        "coordinator": f"Иванова Мария Петровна {n}",
        "email": f"coord{n}@imp.ru",
    }
    row.update(overrides)
    return list(row.values())


def upload(client: Client, rows: list[list[Any]], name: str = "list.xlsx") -> Any:
    content = xlsx_bytes([["Список организаций региона"], HEADER, *rows])
    return client.post("/institutions/import/", {"file": SimpleUploadedFile(name, content)})


def test_an_import_with_any_bad_row_creates_nothing_and_lists_every_problem(
    tenants: Any,
) -> None:
    admin = page_client(HOST, make_user("public", Role.REGIONAL_ADMIN, "imp-admin"), "public", "en")
    m = tenants.municipality.name
    refused = upload(
        admin,
        [
            school_row(1, m),
            school_row(2, "Нет такого района"),
            school_row(3, m, slug="imp-school-1"),
            school_row(4, m, email="not-an-email"),
            school_row(5, m, kind="университет"),
            school_row(6, m, slug="alpha"),
            school_row(7, m, name=""),
        ],
    )
    assert refused.status_code == 400
    problems = re.findall(
        r"<tr><td>(\d+)</td><td>([^<]+)</td><td>([^<]+)</td></tr>", refused.content.decode()
    )
    rows_with_problems = sorted({int(row) for row, _column, _message in problems})
    assert rows_with_problems == [4, 5, 6, 7, 8, 9]  # a title row and the header above
    assert ("5", "Address", "The same address as row 3.") in problems
    assert not Institution.objects.filter(slug__startswith="imp-school-").exists()
    not_xlsx = admin.post(
        "/institutions/import/", {"file": SimpleUploadedFile("list.xlsx", b"name;inn\n")}
    )
    assert not_xlsx.status_code == 400 and 'id="id_file-errors"' in not_xlsx.content.decode()


def test_an_imported_list_is_provisioned_in_the_background_with_its_progress(
    tenants: Any,
) -> None:
    admin_user = make_user("public", Role.REGIONAL_ADMIN, "imp-admin2")
    admin = page_client(HOST, admin_user, "public", "en")
    m = tenants.municipality.name.upper()  # the municipality's name in any case
    created = upload(admin, [school_row(n, m) for n in range(1, 4)], name="region.xlsx")
    assert created.status_code == 302
    batch = InstitutionImport.objects.get(file_name="region.xlsx")
    assert created["Location"] == f"/institutions/import/{batch.pk}/"
    institutions = list(Institution.objects.filter(pk__in=batch.institution_ids))
    assert {i.status for i in institutions} == {InstitutionStatus.PROVISIONING}
    running = admin.get(f"/institutions/import/{batch.pk}/").content.decode()
    assert "hx-trigger" in running and "0 %" in running
    entry = PublicAuditEntry.objects.get(model_label="tenants.institutionimport")
    assert (entry.actor, entry.action) == (admin_user, "import")
    for institution in institutions:  # what the worker does, one task per institution
        services.institution_provision(institution_id=institution.pk)
    done = admin.get(f"/institutions/import/{batch.pk}/progress/").content.decode()
    assert "100 %" in done and "hx-trigger" not in done
    assert "coordinators invited: 3" in done
    for institution in institutions:
        with schema_context(institution.schema_name):
            invitation = Invitation.objects.get()
            assert invitation.role == Role.COORDINATOR
            assert invitation.email == institution.coordinator_email


def test_the_institution_page_shows_stages_contacts_and_the_published_history(
    tenants: Any,
) -> None:
    values = {
        "headcount_learners": 100,
        "learner_mentees_10_plus": 40,
        "stages_total": 6,
        "stages_done": 2,
        "stage_1_done": 1,
        "stage_2_done": 1,
        "stage_3_due": 1,
        "stage_3_overdue_activities": 2,
    }
    for period, mentees in (("2026-09", 30), (PERIOD, 40)):
        kpis.snapshot_record(
            run_id=None,
            period=period,
            institution_id=tenants.a.pk,
            academic_year=metrics.academic_year_of(metrics.period_date(period)),
            values={**values, "learner_mentees_10_plus": mentees},
        )
    client = page_client(
        HOST, make_user("public", Role.REGIONAL_STAFF, "inst-page"), "public", "en"
    )
    body = client.get(f"/institutions/{tenants.a.pk}/").content.decode()
    stages = body.split('data-testid="institution-stages"')[1].split("</section>")[0]
    assert "2 of 6" in stages and stages.count(">completed<") == 2
    assert "behind schedule: 2 overdue activities" in stages
    history = body.split('data-testid="institution-history"')[1].split("</table>")[0]
    assert "2026-09" in history and PERIOD in history
    assert "40.0 %" in history  # the published share of the period
    assert "lifecycle-form" not in body  # staff read; the administrator changes the status


def test_the_institution_page_reads_its_history_in_fixed_queries(tenants: Any) -> None:
    """The published history of an institution reads the state of the data, k and the
    indicators once, not once per period shown (6 queries a period: 72 for a year)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = page_client(
        HOST, make_user("public", Role.REGIONAL_STAFF, "inst-history"), "public", "en"
    )

    def record(periods: list[str]) -> None:
        for n, period in enumerate(periods):
            kpis.snapshot_record(
                run_id=None,
                period=period,
                institution_id=tenants.a.pk,
                academic_year=metrics.academic_year_of(metrics.period_date(period)),
                values={"headcount_learners": 100, "learner_mentees_10_plus": 10 + n},
            )

    counts = []
    for periods in (["2026-01"], ["2026-02", "2026-03", "2026-04", "2026-05"]):
        record(periods)
        client.get(f"/institutions/{tenants.a.pk}/")  # the histories computed and cached
        with CaptureQueriesContext(connection) as queries:
            body = client.get(f"/institutions/{tenants.a.pk}/").content.decode()
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    history = body.split('data-testid="institution-history"')[1].split("</table>")[0]
    assert all(f"2026-0{month}" in history for month in range(1, 6))
    assert "10.0 %" in history  # the published share (later moves by less than k are held)


def test_the_institution_page_caches_its_own_history_rows(tenants: Any, monkeypatch) -> None:
    """Once shown, an institution's history is read from its own cached rows, not from the
    region's publications of every period; a snapshot re-recorded moves the key."""
    from regional.kpis import selectors as kpi_selectors

    def record(mentees: int) -> None:
        kpis.snapshot_record(
            run_id=None,
            period=PERIOD,
            institution_id=tenants.a.pk,
            academic_year=metrics.academic_year_of(metrics.period_date(PERIOD)),
            values={"headcount_learners": 100, "learner_mentees_10_plus": mentees},
        )

    client = page_client(
        HOST, make_user("public", Role.REGIONAL_STAFF, "inst-cached"), "public", "en"
    )
    record(40)
    calls: list[int] = []
    publications = kpi_selectors._period_publications

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return publications(*args, **kwargs)

    monkeypatch.setattr(kpi_selectors, "_period_publications", counted)
    first = client.get(f"/institutions/{tenants.a.pk}/").content.decode()
    second = client.get(f"/institutions/{tenants.a.pk}/").content.decode()
    assert len(calls) == 1 and "40.0 %" in first and "40.0 %" in second
    record(70)
    third = client.get(f"/institutions/{tenants.a.pk}/").content.decode()
    assert len(calls) == 2 and "70.0 %" in third
