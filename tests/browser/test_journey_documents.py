"""The documents journey in a real browser: the coordinator of institution A asks for the
consent forms of a whole class, watches the progress bar while the worker prepares them, and
downloads the ZIP; an order with an impossible date shows the error next to the field; the page
works on a phone. The data is committed in A and removed at the end.

Selectors avoid the texts of this area (its Russian translations are merged into the catalogue
later): they use the forms' addresses, field ids and test ids."""

from __future__ import annotations

import datetime
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from accounts.models import Role
from config.db import tenant_connection
from tests.browser.conftest import make_user_in, shot, sign_in
from tests.conftest import SETUP

pytestmark = pytest.mark.browser

GROUP = "5Д"
PUPILS = 25


@pytest.fixture(scope="module")
def journey(
    live: Any,
    browser: Any,
    django_db_blocker: Any,
    django_db_setup: Any,
    tmp_path_factory: Any,
) -> Iterator[dict[str, Any]]:
    from accounts.models import User
    from schools.documents.models import DocumentJob
    from schools.participants import selectors as participant_selectors
    from schools.participants import services as participant_services

    tenant = django_db_setup.a
    media = override_settings(MEDIA_ROOT=str(tmp_path_factory.mktemp("media")))
    media.enable()
    with django_db_blocker.unblock():
        coordinator = make_user_in(tenant.schema_name, Role.COORDINATOR, "docs-kovaleva")
        with schema_context(tenant.schema_name):
            group = participant_services.study_group_get_or_create(name=GROUP, actor=SETUP)
            ids = [
                participant_services.participant_create(
                    last_name=f"Ученик{i:02d}",
                    first_name="Пётр",
                    birth_date=datetime.date(2014, 5, 1 + i),
                    category="pupil",
                    study_group_id=group.pk,
                    actor=SETUP,
                ).pk
                for i in range(PUPILS)
            ]
        context = browser.new_context(locale="ru-RU", viewport={"width": 1280, "height": 900})
        context.set_default_timeout(30_000)
        try:
            yield {"live": live, "tenant": tenant, "context": context, "group_id": group.pk}
        finally:
            context.close()
            media.disable()
            with schema_context(tenant.schema_name):
                DocumentJob.objects.all().delete()
                participant_selectors.participant_list().filter(pk__in=ids).delete()
                participant_selectors.study_group_list().filter(pk=group.pk).delete()
                User.objects.filter(pk=coordinator.pk).delete()
            tenant_connection().set_schema_to_public()


def test_coordinator_prepares_the_consent_forms_of_a_class(journey: dict[str, Any]) -> None:
    live, tenant = journey["live"], journey["tenant"]
    page = journey["context"].new_page()
    sign_in(page, live.url(f"{tenant.slug}.localhost", "/accounts/login/"), "docs-kovaleva")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    page.goto(live.url(f"{tenant.slug}.localhost", "/documents/"))
    expect(page.get_by_test_id("missing-consents")).to_contain_text("Ученик00 Пётр")
    shot(page, "documents-page")

    page.locator("#id_consents-study_group").select_option(str(journey["group_id"]))
    page.locator('form[action="/documents/consent-forms/"] button[type="submit"]').click()
    page.wait_for_url("**/documents/jobs/*/")
    shot(page, "documents-job-progress")
    # the progress bar is polled until the worker is done; then the page offers the ZIP
    download_link = page.get_by_test_id("job-download")
    expect(download_link).to_be_visible(timeout=60_000)
    expect(page.get_by_test_id("job-status")).to_have_attribute("data-status", "done")
    shot(page, "documents-job-ready")
    with page.expect_download() as info:
        download_link.click()
    content = Path(info.value.path()).read_bytes()
    names = zipfile.ZipFile(io.BytesIO(content)).namelist()
    assert len(names) == PUPILS and names[0].startswith("001 Ученик00")


def test_an_impossible_order_date_shows_the_error_next_to_the_field(
    journey: dict[str, Any],
) -> None:
    live, tenant = journey["live"], journey["tenant"]
    page = journey["context"].new_page()
    page.goto(
        live.url(f"{tenant.slug}.localhost", "/documents/approval-order/?order-day=2026-02-31")
    )
    field = page.locator("#id_order-day")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_order-day-errors")).to_be_visible()
    shot(page, "documents-order-error")


def test_the_documents_page_on_a_phone(journey: dict[str, Any]) -> None:
    live, tenant = journey["live"], journey["tenant"]
    page = journey["context"].new_page()
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live.url(f"{tenant.slug}.localhost", "/documents/"))
    submit = page.locator('form[action="/documents/consent-forms/"] button[type="submit"]')
    expect(submit).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390 + 1, width  # nothing runs off the screen sideways
    shot(page, "documents-phone")
