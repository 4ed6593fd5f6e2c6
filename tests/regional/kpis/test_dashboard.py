"""The regional dashboard: roles, suppressed cells, totals against targets, series, XLSX, and
no person's name anywhere in the public schema after an aggregation."""

from __future__ import annotations

import io

import pytest
from django.conf import settings
from django.db import connection
from openpyxl import load_workbook

from accounts.models import Role
from regional.kpis.exports import XLSX_CONTENT_TYPE
from tests.conftest import api_client, make_user
from tests.regional.kpis.conftest import PERIOD, SURNAMES, fill_institution

ROUTES = [
    "/api/v1/kpi-indicators/",
    "/api/v1/kpi-runs/",
    "/api/v1/kpi-dashboard/periods/",
    f"/api/v1/kpi-dashboard/summary/?period={PERIOD}",
    f"/api/v1/kpi-dashboard/institutions/?period={PERIOD}",
    "/api/v1/kpi-dashboard/series/?indicator=learner_mentees_share",
    f"/api/v1/kpi-dashboard/lagging/?period={PERIOD}",
    f"/api/v1/kpi-dashboard/export/?period={PERIOD}",
    "/api/v1/practice-cases/",
]


@pytest.fixture
def aggregated(tenants, run_in_process):
    fill_institution(tenants.a.schema_name, learner_mentees=12, surname=SURNAMES[0])
    fill_institution(tenants.b.schema_name, learner_mentees=3, surname=SURNAMES[1])
    return run_in_process()


def test_regional_staff_and_admin_read_everything(
    aggregated, regional_staff, regional_admin, client_for
):
    for user in (regional_staff, regional_admin):
        client = client_for(None, user)
        for route in ROUTES:
            response = client.get(route)
            assert response.status_code == 200, (route, response.status_code)


@pytest.mark.parametrize("who", ["employer", "institution", "anonymous"])
def test_others_get_nothing(aggregated, who, tenants, client_for):
    if who == "employer":
        client = client_for(None, make_user("public", Role.EMPLOYER, "kpi-employer"))
    elif who == "institution":
        coordinator = make_user(tenants.a.schema_name, Role.COORDINATOR, "kpi-coord")
        client = api_client(settings.BASE_DOMAIN, coordinator, tenants.a.schema_name)
    else:
        client = client_for(None, None)
    for route in ROUTES:
        response = client.get(route)
        assert response.status_code in (401, 403, 404), (who, route, response.status_code)
    response = client.post("/api/v1/kpi-runs/", {"period": "2026-01"}, format="json")
    assert response.status_code in (401, 403, 404)
    # and the school's own host has no KPI routes at all
    coordinator = make_user(tenants.a.schema_name, Role.COORDINATOR, "kpi-coord-2")
    assert (
        client_for(tenants.a, coordinator).get("/api/v1/kpi-dashboard/summary/").status_code == 404
    )


def test_small_counts_are_suppressed_with_their_complement(
    aggregated, regional_staff, client_for, tenants
):
    client = client_for(None, regional_staff)
    table = client.get(f"/api/v1/kpi-dashboard/institutions/?period={PERIOD}").json()
    rows = {row["id"]: row for row in table["institutions"]}
    a = rows[tenants.a.pk]["cells"]["learner_mentees_share"]
    b = rows[tenants.b.pk]["cells"]["learner_mentees_share"]
    assert b["numerator"] == {"value": None, "suppressed": True, "as_of": None}
    assert b["value"] is None and b["suppressed"] is True and b["range"].startswith("0–")
    # A alone in the municipality with B: its 12 would give B's 3 away from the total
    assert a["numerator"] == {"value": None, "suppressed": True, "as_of": None}
    summary = client.get(f"/api/v1/kpi-dashboard/summary/?period={PERIOD}").json()
    kpi = next(i for i in summary["indicators"] if i["code"] == "learner_mentees_share")
    region = kpi["region"]
    mentees = region["numerator"]["value"]
    assert mentees is None or mentees >= 10
    assert float(kpi["target_value"]) == 70 and region["meets_target"] in (False, None)
    for indicator in summary["indicators"]:
        for cell in [indicator["region"], *indicator["municipalities"]]:
            for part in (cell["numerator"], cell.get("denominator") or {}):
                value = part.get("value")
                assert value is None or value == 0 or value >= summary["min_group_size"]


def test_series_and_runs_show_progress(aggregated, regional_staff, client_for):
    client = client_for(None, regional_staff)
    series = client.get("/api/v1/kpi-dashboard/series/?indicator=learner_mentees_share").json()
    assert [p["period"] for p in series["points"]] == [PERIOD]
    run = client.get(f"/api/v1/kpi-runs/{aggregated.pk}/").json()
    assert run["status"] == "finished" and run["progress"] == 100.0 and run["problems"] == []
    assert client.get("/api/v1/kpi-dashboard/series/?indicator=nope").status_code == 404
    assert client.get("/api/v1/kpi-dashboard/summary/?period=1999-01").status_code == 404


def test_on_demand_run(regional_staff, client_for, django_capture_on_commit_callbacks, tenants):
    client = client_for(None, regional_staff)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post("/api/v1/kpi-runs/", {"period": "2026-10-15"}, format="json")
    assert response.status_code == 202, response.json()
    assert response.json()["period"] == "2026-10-15"
    assert response.json()["institutions_total"] == len(callbacks) >= 2
    bad = client.post("/api/v1/kpi-runs/", {"period": "октябрь"}, format="json")
    assert bad.status_code == 400 and "period" in bad.json()["errors"]


def test_xlsx_report_in_russian_with_suppressed_cells(aggregated, regional_staff, client_for):
    response = client_for(None, regional_staff).get(
        f"/api/v1/kpi-dashboard/export/?period={PERIOD}"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == [
        "Показатели региона",
        "По муниципалитетам",
        "По организациям",
        "Мониторинг ЦМН",
        "Отставание по этапам",
    ]
    region = workbook["Показатели региона"]
    headers = [c.value for c in region[5]]
    assert "Наименование показателя" in headers and "Целевое значение" in headers
    institutions = workbook["По организациям"]
    values = [c.value for row in institutions.iter_rows(min_row=6) for c in row]
    assert any(isinstance(v, str) and (v == "*" or v.startswith("0–")) for v in values)


def test_no_persons_name_in_any_public_table_after_aggregation(aggregated, tenants):
    """Scan every text and JSON column of every table in the public schema."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = 'public' AND data_type IN "
            "('text', 'character varying', 'json', 'jsonb', 'character')"
        )
        columns = cursor.fetchall()
        assert any(table == "kpis_institutionsnapshot" for table, _c in columns)
        for table, column in columns:
            for name in SURNAMES:
                cursor.execute(
                    f'SELECT count(*) FROM public."{table}" WHERE "{column}"::text ILIKE %s',
                    [f"%{name}%"],
                )
                assert cursor.fetchone()[0] == 0, f"{name} found in public.{table}.{column}"


def test_a_published_period_is_cached_until_a_snapshot_is_recorded(aggregated, tenants, db):
    """Publishing a period is costly (hundreds of institutions): it is cached, and a snapshot
    recorded again (a re-run of the open period) changes the result."""
    from django.test.utils import CaptureQueriesContext

    from regional.kpis import metrics, selectors, services
    from regional.kpis.models import Indicator
    from regional.privacy.api import REGION

    indicator = Indicator.objects.get(code="learner_mentees_share")
    first = selectors.published_period(PERIOD)
    with CaptureQueriesContext(connection) as queries:
        again = selectors.published_period(PERIOD)
    assert again.indicator(indicator, REGION) == first.indicator(indicator, REGION)
    assert not any('kpis_institutionsnapshot"."values' in q["sql"] for q in queries)

    services.snapshot_record(
        run_id=None,
        period=PERIOD,
        institution_id=tenants.b.pk,
        academic_year=metrics.academic_year_of(metrics.period_date(PERIOD)),
        values={"learner_mentees_10_plus": 40, "headcount_learners": 100},
    )
    renewed = selectors.published_period(PERIOD).indicator(indicator, ("i", tenants.b.pk))
    assert renewed["numerator"]["value"] in (40, None) and renewed["denominator"]["value"] in (
        100,
        None,
    )
    assert renewed != first.indicator(indicator, ("i", tenants.b.pk))
