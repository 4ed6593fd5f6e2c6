"""Employers' mentors in a real browser: a school's coordinator finds an employer's specialist in
the catalogue and requests them (first with a wrong number of mentees, refused next to the
field), the employer sees the request on their home and approves it, the worker invites the
specialist into the school's workspace, and the school sees the placement; regional staff see
the supply and demand board with its chart.

The module provisions its own institution (``emp-school``) in a municipality of its own and
removes it, the employer and everything they made at the end."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django_tenants.utils import schema_context, schema_exists
from playwright.sync_api import expect

from accounts.models import Role
from config.db import tenant_connection
from tests.browser.conftest import make_user_in, shot, sign_in, wait_for
from tests.conftest import SETUP

pytestmark = pytest.mark.browser

SLUG = "emp-school"
HOST = f"{SLUG}.localhost"
USERS = ("browser-emp-employer", "browser-emp-staff")
EMPLOYER = "ООО «Ставропольские агросистемы»"

# Elements that stick out of the screen on the right (inside a scrolling table is fine, as long
# as the table's wrapper also holds its absolutely positioned, visually hidden labels).
OVERFLOWING = """() => [...document.querySelectorAll("body *")]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
  .filter(e => !e.closest(".table-responsive"))
  .map(e => `${e.tagName}.${e.className}`).slice(0, 8)"""


def either(russian: str, english: str) -> re.Pattern[str]:
    """A label in Russian, or its English msgid while the area's translations wait to be
    merged into the compiled catalogue."""
    return re.compile(f"^(?:{re.escape(russian)}|{re.escape(english)})")


@pytest.fixture(scope="module")
def journey(live: Any, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    from accounts.models import User
    from regional.employers import services
    from regional.employers.models import Employer, EmployerMentor, MentorRequest, Placement
    from tenants import services as tenant_services
    from tenants.models import Domain, Institution, Municipality
    from tenants.schemas import drop_schema
    from tests.web.areas.employers import valid_inn

    with django_db_blocker.unblock():
        tenant_connection().set_schema_to_public()
        municipality = Municipality.objects.create(name="Округ работодателей")
        try:
            institution = tenant_services.institution_create(
                actor=SETUP,
                name="МБОУ СОШ «Профиль»",
                short_name="СОШ «Профиль»",
                kind="school",
                municipality_id=municipality.pk,
                slug=SLUG,
                coordinator_email="",
            )
            provisioned = tenant_services.institution_provision(institution_id=institution.pk)
            assert provisioned is not None
            make_user_in(provisioned.schema_name, Role.COORDINATOR, "browser-emp-coord")
            tenant_connection().set_schema_to_public()
            employer = services.employer_create(name=EMPLOYER, inn=valid_inn(), actor=SETUP)
            services.employer_member_add(
                employer=employer,
                user=make_user_in("public", Role.EMPLOYER, USERS[0]),
                actor=SETUP,
            )
            make_user_in("public", Role.REGIONAL_STAFF, USERS[1])
            mentor = services.employer_mentor_create(
                employer=employer,
                actor=SETUP,
                last_name="Гончаров",
                first_name="Павел",
                middle_name="Андреевич",
                position="Инженер-агроном",
                bio="Точное земледелие, дроны и датчики влажности.",
                competences=["Агрономия", "Робототехника"],
                forms=["employer_pupil"],
                municipalities=[municipality.pk],
                capacity=3,
                contact_email="goncharov@agrosys.example.org",
            )
            yield {"live": live, "mentor": mentor, "schema": provisioned.schema_name}
        finally:
            tenant_connection().set_schema_to_public()
            Placement.objects.filter(institution__slug=SLUG).delete()
            MentorRequest.objects.filter(institution__slug=SLUG).delete()
            EmployerMentor.objects.filter(
                employer__name="ООО «Ставропольские агросистемы»"
            ).delete()
            Employer.objects.filter(name="ООО «Ставропольские агросистемы»").delete()
            for found in Institution.objects.filter(slug=SLUG):
                if schema_exists(found.schema_name):
                    drop_schema(found.schema_name)
            Domain.objects.filter(tenant__slug=SLUG).delete()
            Institution.objects.filter(slug=SLUG).delete()
            municipality.delete()
            with schema_context("public"):
                User.objects.filter(username__in=USERS).delete()


def test_school_requests_employer_approves_school_sees_the_placement(journey, browser):
    from regional.employers.models import Placement

    live, mentor = journey["live"], journey["mentor"]
    contexts = [
        browser.new_context(locale="ru-RU", viewport={"width": 1280, "height": 900})
        for _ in range(3)
    ]
    for context in contexts:
        context.set_default_timeout(30_000)
    school, employer, staff = (context.new_page() for context in contexts)
    try:
        # the coordinator finds the specialist in the catalogue
        sign_in(school, live.url(HOST, "/accounts/login/"), "browser-emp-coord")
        school.get_by_role("navigation").get_by_role(
            "link", name=either("Наставники от работодателей", "Employers' mentors")
        ).click()
        card = school.get_by_test_id("catalogue").get_by_role("article")
        expect(card).to_have_count(1)
        expect(card).to_contain_text("Гончаров Павел Андреевич")
        shot(school, "employer-catalogue")

        # too many mentees: refused next to the field, nothing sent
        card.get_by_role("link", name=either("Запросить", "Request")).click()
        school.get_by_label(either("Число наставляемых", "Number of mentees")).fill("5")
        # who the mentees are, without naming anybody: grade and a need from the catalogue
        school.get_by_label(either("Класс или курс", "Grade or course")).select_option("grade-7")
        school.get_by_label(either("Запрос", "Need"), exact=True).select_option("projects")
        school.get_by_role("button", name=either("Отправить запрос", "Send the request")).click()
        error = school.locator("#id_mentees_count-errors")
        expect(error).to_be_visible()
        expect(
            school.get_by_label(either("Число наставляемых", "Number of mentees"))
        ).to_have_attribute("aria-invalid", "true")
        shot(school, "employer-request-error")
        school.get_by_label(either("Число наставляемых", "Number of mentees")).fill("2")
        school.get_by_role("button", name=either("Отправить запрос", "Send the request")).click()
        requests = school.get_by_test_id("our-requests")
        expect(requests).to_contain_text("Проектная и исследовательская деятельность")
        expect(requests).to_contain_text("На рассмотрении")

        # the employer sees it on their home and approves it
        sign_in(employer, live.url("localhost", "/accounts/login/"), USERS[0])
        expect(employer.get_by_test_id("summary-pending")).to_have_text("1")
        expect(employer.get_by_test_id("summary-free")).to_have_text("3")
        shot(employer, "employer-home")
        employer.get_by_role("navigation").get_by_role(
            "link", name=either("Запросы", "Requests"), exact=True
        ).click()
        row = (
            employer.get_by_test_id("requests-table")
            .get_by_role("row")
            .filter(has_text="СОШ «Профиль»")
        )
        shot(employer, "employer-requests")
        row.get_by_role("button", name=either("Одобрить", "Approve")).click()
        expect(employer.get_by_role("status").first).to_contain_text(either("Одобрено", "Approved"))
        employer.get_by_role("navigation").get_by_role(
            "link", name=either("Закрепления", "Placements")
        ).click()
        expect(employer.get_by_test_id("placements-active")).to_have_text("1")
        shot(employer, "employer-placements")

        # the worker invites the specialist into the school's workspace
        placement = wait_for(
            lambda: Placement.objects.filter(
                employer_mentor=mentor, tenant_account_created_at__isnull=False
            ).first()
        )
        assert placement.mentees_count == 2
        with schema_context(journey["schema"]):
            from accounts.models import Invitation

            assert Invitation.objects.filter(email=mentor.contact_email).exists()

        # the school sees its placement and the specialist's address
        school.reload()
        expect(requests).to_contain_text("Одобрено")
        expect(requests).to_contain_text("goncharov@agrosys.example.org")
        shot(school, "employer-school-placement")
        # on a phone the catalogue and the requests fit the screen (tables scroll inside)
        school.set_viewport_size({"width": 390, "height": 844})
        school.reload()
        expect(requests).to_contain_text("goncharov@agrosys.example.org")
        assert school.evaluate(OVERFLOWING) == []
        assert school.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        shot(school, "employer-catalogue-phone")

        # regional staff: the board with its chart, the table beside it
        sign_in(staff, live.url("localhost", "/accounts/login/"), USERS[1])
        staff.get_by_role("navigation").get_by_role(
            "link", name=either("Спрос и предложение", "Supply and demand")
        ).click()
        expect(staff.locator("#board-chart")).to_be_visible()
        expect(staff.get_by_test_id("board-xlsx")).to_be_visible()
        shot(staff, "employer-board")
        staff.get_by_role("button", name=either("Таблица", "Table")).click()
        table = staff.get_by_test_id("board-municipalities")
        expect(table).to_be_visible()
        row = table.get_by_role("row").filter(has_text="Округ работодателей")
        # the 2 mentees placed there are fewer than the region's k: hidden, never shown
        expect(row.locator("[data-suppressed]")).to_contain_text(either("скрыто", "hidden"))
    finally:
        for context in contexts:
            context.close()
