"""The region at work in a real browser: a school applies on the page (no account), a
regional administrator approves it and watches its workspace being prepared by the worker,
finds the decision in the audit log by its filters; a municipal department's user signs in and
sees the new institution of its municipality and not another municipality's."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django_tenants.utils import schema_context, schema_exists
from playwright.sync_api import expect

from accounts.models import Role
from config.db import tenant_connection
from tests.browser.conftest import make_user_in, shot, sign_in
from tests.conftest import SETUP

pytestmark = pytest.mark.browser

SLUG = "journey-licey"
NAME = "Лицей «Путь» № 7"
ADMIN, OFFICER = "browser-region-admin", "browser-region-officer"


@pytest.fixture(scope="module")
def region(live: Any, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    from accounts.models import User
    from tenants import services
    from tenants.models import (
        Institution,
        MunicipalAccess,
        Municipality,
        OnboardingApplication,
        PublicAuditEntry,
    )
    from tenants.schemas import drop_schema

    with django_db_blocker.unblock():
        tenant_connection().set_schema_to_public()
        municipality = Municipality.objects.create(name="Округ заявок")
        try:
            make_user_in("public", Role.REGIONAL_ADMIN, ADMIN)
            officer = make_user_in("public", Role.MUNICIPAL, OFFICER)
            services.municipal_access_grant(
                actor=SETUP, user=officer, municipality_id=municipality.pk
            )
            yield {"live": live, "municipality": municipality}
        finally:
            tenant_connection().set_schema_to_public()
            applications = OnboardingApplication.objects.filter(desired_slug=SLUG)
            institutions = Institution.objects.filter(slug=SLUG)
            for label, ids in (
                ("tenants.onboardingapplication", applications.values_list("pk", flat=True)),
                ("tenants.institution", institutions.values_list("pk", flat=True)),
            ):
                PublicAuditEntry.objects.filter(
                    model_label=label, object_id__in=[str(i) for i in ids]
                ).delete()
            access = MunicipalAccess.objects.filter(municipality=municipality)
            PublicAuditEntry.objects.filter(
                model_label="tenants.municipalaccess",
                object_id__in=[str(pk) for pk in access.values_list("pk", flat=True)],
            ).delete()
            access.delete()
            applications.delete()
            for institution in institutions:
                if schema_exists(institution.schema_name):
                    drop_schema(institution.schema_name)
                institution.domains.all().delete()
                institution.delete()
            municipality.delete()
            with schema_context("public"):
                User.objects.filter(username__in=[ADMIN, OFFICER]).delete()


def test_a_school_applies_is_approved_and_its_municipality_sees_it(region, browser):
    live = region["live"]
    anonymous = browser.new_context(locale="ru-RU", viewport={"width": 390, "height": 844})
    anonymous.set_default_timeout(30_000)
    admin = browser.new_context(locale="ru-RU", viewport={"width": 1280, "height": 900})
    admin.set_default_timeout(30_000)
    officer = browser.new_context(locale="ru-RU", viewport={"width": 1280, "height": 900})
    officer.set_default_timeout(30_000)
    try:
        # a school applies from its phone, starting at the regional sign-in page
        page = anonymous.new_page()
        page.goto(live.url("localhost", "/accounts/login/"))
        page.get_by_test_id("apply-link").click()
        page.get_by_label("Полное наименование организации").fill(NAME)
        page.get_by_label("Краткое наименование").fill(NAME)
        page.get_by_label("Вид").select_option("school")
        page.get_by_label("Муниципалитет").select_option(label="Округ заявок")
        page.get_by_label("Желаемый адрес").fill(SLUG)
        page.get_by_label("Ваши ФИО (вы станете координатором)").fill("Орлова Анна Павловна")
        page.get_by_label("Ваш e-mail").fill("orlova@put7.ru")
        shot(page, "region-apply-phone")
        page.get_by_role("button", name="Отправить заявку").click()
        expect(page.get_by_test_id("apply-done")).to_be_visible()

        # the regional administrator approves it; the worker prepares the workspace
        page = admin.new_page()
        sign_in(page, live.url("localhost", "/accounts/login/"), ADMIN)
        page.get_by_role("link", name="Заявки").click()
        row = page.get_by_role("row").filter(has_text=NAME)
        row.get_by_role("button", name="Одобрить").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(NAME)
        expect(page.get_by_text("Рабочее пространство готово.")).to_be_visible(timeout=90_000)
        shot(page, "region-institution-ready")

        # the decision in the audit log, found by its filters
        page.get_by_role("link", name="Журнал действий").click()
        page.get_by_label("Кто").select_option(ADMIN)
        page.get_by_label("Действие").select_option("approve")
        page.get_by_role("button", name="Показать").click()
        entries = page.get_by_test_id("audit-entries")
        expect(entries.get_by_role("row").filter(has_text=NAME)).to_have_count(1)
        shot(page, "region-audit")

        # the municipal department sees its new institution and no other municipality's
        page = officer.new_page()
        sign_in(page, live.url("localhost", "/accounts/login/"), OFFICER)
        listing = page.get_by_test_id("institutions")
        expect(listing.get_by_role("link", name=NAME)).to_be_visible()
        expect(listing.get_by_text("Школа Альфа")).to_have_count(0)
        shot(page, "region-municipal-institutions")
    finally:
        for context in (anonymous, admin, officer):
            context.close()
