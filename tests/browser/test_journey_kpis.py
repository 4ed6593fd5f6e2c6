"""Regional staff see the KPIs in a real browser: they sign in on the regional host, open the
indicators, start an aggregation and watch its progress bar end (the worker computes every
institution in its own schema), then see the charts, the table view with a suppressed cell, and
download a chart's XLSX.

Two institutions of their own (``kpi-north`` with 15 learner mentees, ``kpi-south`` with 3) in
a municipality of their own, so that the small one is suppressed and the big one with it;
their schemas, snapshots and the run are removed at the end of the module."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context, schema_exists
from openpyxl import load_workbook
from playwright.sync_api import expect

from accounts.models import Role
from config.db import tenant_connection
from tests.browser.conftest import make_user_in, shot, sign_in
from tests.conftest import SETUP

pytestmark = pytest.mark.browser

# A period of its own (today, as a day) so that the clean-up touches nothing else.
PERIOD = timezone.localdate().isoformat()
SLUGS = {"kpi-north": 15, "kpi-south": 3}
NAMES = {"kpi-north": "Школа Северная", "kpi-south": "Школа Южная"}


def _fill(schema_name: str, mentees: int) -> None:
    from tests.regional.kpis.conftest import fill_institution

    fill_institution(schema_name, learner_mentees=mentees, headcount_learners=100)


@pytest.fixture(scope="module")
def region(live: Any, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    from regional.kpis.models import AggregationRun, InstitutionSnapshot, Period
    from tenants import services
    from tenants.models import Institution, Municipality
    from tenants.schemas import drop_schema

    with django_db_blocker.unblock():
        tenant_connection().set_schema_to_public()
        municipality = Municipality.objects.create(name="Округ показателей")
        institutions = []
        try:
            for slug, mentees in SLUGS.items():
                institution = services.institution_create(
                    actor=SETUP,
                    name=NAMES[slug],
                    short_name=NAMES[slug],
                    kind="school",
                    municipality_id=municipality.pk,
                    slug=slug,
                    coordinator_email="",
                )
                institutions.append(institution)
                provisioned = services.institution_provision(institution_id=institution.pk)
                assert provisioned is not None
                _fill(provisioned.schema_name, mentees)
                tenant_connection().set_schema_to_public()
            make_user_in("public", Role.REGIONAL_STAFF, "browser-kpi-staff")
            yield {"live": live, "municipality": municipality}
        finally:
            tenant_connection().set_schema_to_public()
            InstitutionSnapshot.objects.filter(period=PERIOD).delete()
            AggregationRun.objects.filter(period=PERIOD).delete()
            Period.objects.filter(code=PERIOD).delete()
            for institution in Institution.objects.filter(slug__in=SLUGS):
                InstitutionSnapshot.objects.filter(institution=institution).delete()
                if schema_exists(institution.schema_name):
                    drop_schema(institution.schema_name)
                institution.domains.all().delete()
                institution.delete()
            municipality.delete()
            with schema_context("public"):
                from accounts.models import User

                User.objects.filter(username="browser-kpi-staff").delete()


def test_regional_staff_aggregate_and_read_the_indicators(region, browser, tmp_path):
    live = region["live"]
    context = browser.new_context(
        locale="ru-RU", viewport={"width": 1280, "height": 900}, accept_downloads=True
    )
    context.set_default_timeout(30_000)
    page = context.new_page()
    try:
        sign_in(page, live.url("localhost", "/accounts/login/"), "browser-kpi-staff")
        page.get_by_role("link", name="Показатели").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Показатели региона")

        # Aggregate now: the progress bar polls until the run ends with its result
        page.locator("#run_period").fill(PERIOD)
        page.get_by_test_id("aggregate-now").click()
        expect(page.get_by_role("progressbar")).to_be_visible()
        shot(page, "regional-kpis-progress")
        result = page.get_by_test_id("run-result")
        expect(result).to_be_visible(timeout=90_000)
        expect(page.locator("#kpi-run")).to_have_attribute("data-status", "finished")
        expect(page.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "100")
        shot(page, "regional-kpis-run-finished")

        # the indicators of that period: charts drawn, tables folded into their toggles
        result.get_by_role("link").click()
        expect(page.locator("canvas[data-drawn='true']")).to_have_count(3)
        region_section = page.get_by_test_id("chart-region")
        table = region_section.locator("details[data-kpi-table]")
        expect(table).not_to_have_attribute("open", "")
        shot(page, "regional-kpis")

        # the municipality's view: its institutions, the small one's share as a range
        page.get_by_role("combobox", name="Муниципалитет", exact=True).select_option(
            label="Округ показателей"
        )
        page.get_by_test_id("show").click()
        institutions = page.get_by_test_id("chart-institutions")
        north = institutions.get_by_role("row").filter(has_text=NAMES["kpi-north"])
        south = institutions.get_by_role("row").filter(has_text=NAMES["kpi-south"])
        expect(south.locator("[data-suppressed]").first).to_contain_text("0–")
        expect(north.locator("[data-suppressed]").first).to_be_visible()
        # the table view beside a chart opens from the keyboard
        summary = page.get_by_test_id("chart-municipalities").locator("summary")
        summary.focus()
        page.keyboard.press("Enter")
        expect(page.get_by_test_id("chart-municipalities").locator("table")).to_be_visible()
        institutions.scroll_into_view_if_needed()
        shot(page, "regional-kpis-table")

        # the chart's numbers as a workbook
        with page.expect_download() as download:
            page.get_by_test_id("export-institutions").click()
        path = tmp_path / "institutions.xlsx"
        download.value.save_as(path)
        sheet = load_workbook(path).active
        assert sheet is not None
        rows = {row[0]: row for row in sheet.iter_rows(min_row=6, values_only=True)}
        assert set(rows) == set(NAMES.values())
        assert str(rows[NAMES["kpi-south"]][2]).startswith("0–")  # a range, not 3 %
        assert str(rows[NAMES["kpi-north"]][2]).startswith("0–")  # hidden with it, not 15 %

        # on a phone: the page fits the screen (wide tables scroll inside their own box)
        phone = browser.new_context(
            locale="ru-RU",
            viewport={"width": 390, "height": 844},
            is_mobile=True,
            storage_state=context.storage_state(),
        )
        try:
            small = phone.new_page()
            small.goto(live.url("localhost", "/kpis/"))
            expect(small.locator("canvas[data-drawn='true']")).to_have_count(3)
            overflow = small.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, overflow
            shot(small, "regional-kpis-phone")
        finally:
            phone.close()
    finally:
        context.close()
