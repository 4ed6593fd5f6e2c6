"""The regional KPI dashboard pages: who may open them, suppressed cells shown as such, the
filters and their errors, one XLSX per chart holding exactly the chart's table, and the
aggregation started on demand with its progress, result and failures."""

from __future__ import annotations

import html
import io
import json
import re
from typing import Any

import pytest
from django.test import Client
from django_tenants.utils import schema_context
from openpyxl import load_workbook

from accounts.models import Role
from regional.kpis import metrics, services
from regional.kpis.exports import XLSX_CONTENT_TYPE
from regional.kpis.models import AggregationItem, AggregationRun, InstitutionSnapshot
from tests.conftest import SETUP, make_user
from tests.web.conftest import page_client

PERIOD = "2026-10"
EARLIER = "2026-09"
HOST = "nastavnik.test"
EXPORTS = ("region", "municipalities", "institutions", "series")


def snapshot(institution_id: int, period: str, **values: int) -> None:
    services.snapshot_record(
        run_id=None,
        period=period,
        institution_id=institution_id,
        academic_year=metrics.academic_year_of(metrics.period_date(period)),
        values=values,
    )


@pytest.fixture
def numbers(tenants: Any, db: None) -> Any:
    """A and B in one municipality: A has 40 learner mentees of 100, B has 3 of 100, so B's
    count is suppressed and A's with it (else B's would follow from the total); the same for
    their active pairs (12 and 2)."""
    for period, a_mentees in ((EARLIER, 20), (PERIOD, 40)):
        snapshot(
            tenants.a.pk,
            period,
            headcount_learners=100,
            learner_mentees_10_plus=a_mentees,
            pairs_active=12,
        )
        snapshot(
            tenants.b.pk, period, headcount_learners=100, learner_mentees_10_plus=3, pairs_active=2
        )
    return tenants


@pytest.fixture
def staff(db: None) -> Client:
    return page_client(HOST, make_user("public", Role.REGIONAL_STAFF, "kpi-web-staff"), "public")


def english(role: str = Role.REGIONAL_STAFF, name: str = "kpi-web-en") -> Client:
    return page_client(HOST, make_user("public", role, name), "public", "en")


def chart_data(body: str, key: str) -> dict[str, Any]:
    match = re.search(
        rf'<script id="chart-data-{key}" type="application/json">(.*?)</script>', body
    )
    assert match, key
    return json.loads(match.group(1))


def cell_text(cell: str) -> str:
    return html.unescape(re.sub(r"<sup.*?</sup>|<[^>]+>", "", cell)).strip()


def section(body: str, key: str) -> str:
    start = body.index(f'id="chart-{key}"')
    return body[start : body.index("</section>", start)]


def test_without_snapshots_the_page_invites_an_aggregation(db: None) -> None:
    response = english().get("/kpis/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "No numbers yet" in body and "Aggregate now" in body
    assert 'aria-describedby="run_period-help"' in body and 'id="run_period-help"' in body
    assert "chart-region" not in body


def test_charts_and_tables_show_suppressed_cells_as_such(numbers: Any) -> None:
    client = english()
    response = client.get("/kpis/")
    assert response.status_code == 200
    body = response.content.decode()
    # the latest period is shown, with the suppression explained
    assert f"Period {PERIOD}: 2 institutions reported." in body
    assert "smaller than 10 people" in body
    # the institutions' table: both counts hidden, the shares as ranges; no raw number
    table = section(body, "institutions")
    assert "Школа Альфа" in table and "Школа Бета" in table
    assert table.count("data-suppressed") >= 2
    assert "40.0 %" not in table and "3.0 %" not in table
    assert "0–50 %" in table  # 43 is the published total: B's share is at most 43 %
    # the region total (43 of 200) is published, and only the published value is charted
    region = chart_data(body, "region")
    index = region["labels"].index(
        "Share of learners aged 10 and over involved in mentoring programmes as mentees"
    )
    assert region["datasets"][0]["data"][index] == 21.5
    assert region["datasets"][1]["target"] is True and region["datasets"][1]["data"][index] == 70
    # the municipality total equals the region's (one municipality): published too
    municipalities = chart_data(body, "municipalities")
    assert municipalities["labels"] == [numbers.municipality.name]
    assert municipalities["datasets"][0]["data"] == [21.5]
    # the series across both periods (rule 4 holds nothing here: 40 − 20 ≥ 10)
    series = chart_data(body, "series")
    assert series["labels"] == [EARLIER, PERIOD]
    assert series["datasets"][0]["data"] == [11.5, 21.5]
    # every chart has its table view (works without JS) and its download beside it
    for key in EXPORTS:
        part = section(body, key)
        assert "<table" in part and f"/kpis/export/{key}.xlsx?period={PERIOD}" in part
        if key != "institutions":
            assert "<details" in part and "Table view" in part and "<canvas" in part
    assert "/static/web/kpis.js" in body and "/static/vendor/chartjs/chart.umd.min.js" in body


def test_the_municipality_view_and_the_russian_labels(numbers: Any, staff: Client) -> None:
    response = staff.get(
        "/kpis/",
        {"period": EARLIER, "municipality": numbers.municipality.pk, "indicator": "pairs_active"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'lang="ru"' in body and "Показатели региона" in body
    # the municipality's institutions, their active pairs hidden (12 and 2 in one municipality)
    table = section(body, "institutions")
    assert table.count("data-suppressed") == 4 and ">12<" not in table and ">2<" not in table
    series = chart_data(body, "series")
    assert series["labels"] == [EARLIER, PERIOD]
    region = section(body, "region")
    assert numbers.municipality.name in region


def test_bad_filters_are_a_400_with_errors_next_to_the_fields(numbers: Any) -> None:
    response = english().get(
        "/kpis/", {"period": "1999-01", "municipality": "999999", "indicator": "nope"}
    )
    assert response.status_code == 400
    body = response.content.decode()
    for name in ("period", "municipality", "indicator"):
        assert f'id="id_{name}-errors"' in body, name
        assert re.search(rf'name="{name}"[^>]*aria-invalid="true"', body), name
    assert "chart-region" not in body
    # the downloads refuse the same way
    assert (
        english(name="kpi-web-en2").get("/kpis/export/region.xlsx", {"period": "x"}).status_code
        == 400
    )


@pytest.mark.parametrize("key", EXPORTS)
def test_each_download_holds_exactly_its_table(numbers: Any, key: str) -> None:
    client = english(name=f"kpi-web-{key}")
    query = {"period": PERIOD, "indicator": "pairs_active"}
    page = client.get("/kpis/", query).content.decode()
    part = section(page, key)
    headers = re.findall(r'<th scope="col">(.*?)</th>', part)
    rows = re.findall(r"<tr>(.*?)</tr>", part.split("<tbody>", 1)[1], re.S)
    response = client.get(f"/kpis/export/{key}.xlsx", query)
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    assert f"kpi-{key}-{PERIOD}.xlsx" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    values = [list(r) for r in sheet.iter_rows(min_row=5, values_only=True)]
    assert [str(v) for v in values[0]] == [html.unescape(h) for h in headers]
    assert len(values) - 1 == len(rows) > 0
    page_rows = [
        [cell_text(c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)] for row in rows
    ]
    # the workbook holds the page's cells (numbers as numbers)
    for page_row, sheet_row in zip(page_rows, values[1:], strict=True):
        assert len(page_row) == len(sheet_row)
        for text, value in zip(page_row, sheet_row, strict=True):
            if isinstance(value, (int, float)):
                assert float(text.removesuffix(" %")) == value, (text, value)
            else:
                assert text == str(value), (text, value)
    flat = [v for row in values[1:] for v in row]
    if key == "institutions":
        assert flat.count("hidden") == 2 and flat.count("0–50 %") == 2
        assert not {12, 2, 40, 3} & set(flat)
    assert "smaller than 10 people" in str(sheet.cell(row=3, column=1).value)


def test_the_whole_report_downloads(numbers: Any, staff: Client) -> None:
    response = staff.get("/kpis/export/report.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == [
        "Показатели региона",
        "По муниципалитетам",
        "По организациям",
        "Мониторинг ЦМН",
    ]
    monitoring = book["Мониторинг ЦМН"]
    header = [c.value for c in monitoring[5]]
    assert header[:6] == [
        "Период",
        "Уровень",
        "Муниципальное образование",
        "Образовательная организация",
        "Показатель",
        "Единица измерения",
    ]
    levels = {row[1] for row in monitoring.iter_rows(min_row=6, values_only=True)}
    assert levels == {"регион", "муниципалитет", "организация"}


def test_downloads_without_numbers_are_not_found(db: None, staff: Client) -> None:
    for key in (*EXPORTS, "report"):
        assert staff.get(f"/kpis/export/{key}.xlsx").status_code == 404


def test_a_bad_period_is_refused_next_to_the_field_and_nothing_starts(db: None) -> None:
    client = english(name="kpi-web-run-bad")
    response = client.post("/kpis/runs/", {"period": "2026-13-45"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Give the period as YYYY-MM or YYYY-MM-DD." in body
    assert re.search(r'name="period"[^>]*aria-invalid="true"', body)
    assert not AggregationRun.objects.exists()


def test_aggregate_now_shows_progress_then_the_result_and_failures(
    tenants: Any, db: None, django_capture_on_commit_callbacks: Any
) -> None:
    from regional.kpis.tasks import aggregate_institution

    user = make_user("public", Role.REGIONAL_STAFF, "kpi-web-runner")
    client = page_client(HOST, user, "public", "en")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post("/kpis/runs/", {"period": "2020-03"})
    assert response.status_code == 302
    run = AggregationRun.objects.get(period="2020-03")
    assert run.requested_by_id == user.pk and len(callbacks) == run.institutions_total >= 2
    assert response["Location"] == f"/kpis/runs/{run.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert 'role="progressbar"' in page and f"/kpis/runs/{run.pk}/progress/" in page
    fragment = client.get(f"/kpis/runs/{run.pk}/progress/").content.decode()
    assert "hx-get" in fragment and "0 of" in fragment and "<html" not in fragment
    # the dashboard shows the running aggregation's progress too
    dashboard = client.get("/kpis/").content.decode()
    assert f'hx-get="/kpis/runs/{run.pk}/progress/"' in dashboard

    # A's task runs in its schema; B fails after its retries
    with schema_context(tenants.a.schema_name):
        aggregate_institution.apply(kwargs={"run_id": run.pk, "institution_id": tenants.a.pk})
    fragment = client.get(f"/kpis/runs/{run.pk}/progress/").content.decode()
    assert "hx-get" in fragment and "1 of" in fragment
    services.aggregation_item_error(
        run_id=run.pk, institution_id=tenants.b.pk, error="OperationalError"
    )
    for item in AggregationItem.objects.filter(run=run).exclude(
        institution_id__in=[tenants.a.pk, tenants.b.pk]
    ):
        services.aggregation_item_finish(run_id=run.pk, institution_id=item.institution_id, ok=True)
    fragment = client.get(f"/kpis/runs/{run.pk}/progress/").content.decode()
    assert "retrying" in fragment and "Школа Бета" in fragment  # the retry shows
    services.aggregation_item_finish(run_id=run.pk, institution_id=tenants.b.pk, ok=False)
    fragment = client.get(f"/kpis/runs/{run.pk}/progress/").content.decode()
    assert "hx-get" not in fragment  # polling stops
    assert "finished with errors: 1 institution failed" in fragment
    assert "Школа Бета" in fragment and "OperationalError" in fragment
    assert "Школа Альфа" not in fragment
    assert InstitutionSnapshot.objects.filter(period="2020-03", institution=tenants.a).exists()
    # the dashboard links the last run and shows the recorded period
    body = client.get("/kpis/").content.decode()
    assert f"/kpis/runs/{run.pk}/" in body and "Finished with errors" in body
    assert "hx-get" not in body  # nothing running: nothing polled


def test_a_run_that_finishes_cleanly_links_to_its_indicators(db: None) -> None:
    run = AggregationRun.objects.create(period="2030-04", institutions_total=0, status="finished")
    fragment = english(name="kpi-web-clean").get(f"/kpis/runs/{run.pk}/progress/")
    body = fragment.content.decode()
    assert "100%" in body and "the numbers of every institution are recorded" in body


def test_runs_that_do_not_exist_are_not_found(db: None, staff: Client) -> None:
    for path in ("/kpis/runs/987654/", "/kpis/runs/987654/progress/"):
        assert staff.get(path).status_code == 404


ROUTES = [
    "/kpis/",
    *[f"/kpis/export/{key}.xlsx" for key in EXPORTS],
    "/kpis/export/report.xlsx",
    "/kpis/runs/{run}/",
    "/kpis/runs/{run}/progress/",
]


@pytest.mark.parametrize("language", ["ru", "en"])
def test_regional_roles_open_every_page_and_others_are_refused(numbers: Any, language: str) -> None:
    run = AggregationRun.objects.create(period=PERIOD, institutions_total=0, status="finished")
    for role in (Role.REGIONAL_ADMIN, Role.REGIONAL_STAFF, Role.EMPLOYER):
        client = page_client(HOST, make_user("public", role, f"kpi-{role}"), "public", language)
        for route in ROUTES:
            path = route.format(run=run.pk)
            response = client.get(path)
            expected = 403 if role == Role.EMPLOYER else 200
            assert response.status_code == expected, (role, path, response.status_code)
        response = client.post("/kpis/runs/", {"period": "2020-05"})
        assert response.status_code == (403 if role == Role.EMPLOYER else 302)
    assert AggregationRun.objects.filter(period="2020-05").count() == 2
    anonymous = page_client(HOST, None, "public")
    assert anonymous.get("/kpis/").status_code == 302
    assert anonymous.post("/kpis/runs/", {"period": "2020-06"}).status_code == 302
    assert not AggregationRun.objects.filter(period="2020-06").exists()


def test_institution_hosts_have_no_kpi_pages(tenants: Any, db: None) -> None:
    coordinator = make_user(tenants.a.schema_name, Role.COORDINATOR, "kpi-web-coord")
    client = page_client(tenants.a.host, coordinator, tenants.a.schema_name)
    assert client.get("/kpis/").status_code == 404
    assert client.post("/kpis/runs/", {"period": "2030-07"}).status_code == 404
    assert not AggregationRun.objects.filter(period="2030-07").exists()


def test_institutions_lagging_on_a_stage_are_listed(tenants: Any, db: None) -> None:
    stage_flags = {f"stage_{n}_{key}": 1 for n in range(1, 7) for key in ("done", "due")}
    snapshot(tenants.a.pk, PERIOD, headcount_learners=100, **stage_flags)
    behind = {**stage_flags, "stage_2_done": 0, "stage_2_overdue_activities": 3}
    snapshot(tenants.b.pk, PERIOD, headcount_learners=100, **behind)
    body = english(name="kpi-web-lagging").get("/kpis/").content.decode()
    start = body.index('id="kpi-lagging"')
    rows = re.findall(r"<tr>(.*?)</tr>", body[start : body.index("</section>", start)], re.S)
    by_stage = {cell_text(re.findall(r"<th[^>]*>(.*?)</th>", row)[0])[:2]: row for row in rows[1:]}
    assert "Школа Бета" in by_stage["2."] and "3 overdue activities" in by_stage["2."]
    assert "Школа Альфа" not in by_stage["2."]
    assert all("Школа" not in by_stage[f"{n}."] for n in (1, 3, 4, 5, 6))


def reference_series(indicator: Any, municipality_id: int | None) -> list[dict[str, Any]]:
    """The series by definition: every period published whole, the indicator's cell read."""
    from regional.kpis import selectors
    from regional.privacy.api import REGION

    cell = REGION if municipality_id is None else ("m", municipality_id)
    return [
        {
            "period": period,
            **selectors.indicator_cell(indicator, selectors.published_period(period), cell),
        }
        for period in selectors.snapshot_periods()
    ]


def test_the_one_pass_series_equals_the_dashboard_series(tenants: Any, db: None) -> None:
    """indicator_series publishes exactly what publishing every period whole does:
    small changes held, small counts suppressed with their complements, ranges alike."""
    import random

    from regional.kpis import selectors
    from tenants.models import Institution, Municipality

    rng = random.Random(20261123)
    other = Municipality.objects.create(name="Второй муниципалитет")
    extra = Institution.objects.bulk_create(
        Institution(
            slug=f"kpi-series-{n}",
            name=f"Школа {n}",
            short_name=f"Школа {n}",
            kind="school",
            municipality=other if n else tenants.municipality,
            schema_name=f"kpi_series_{n}",
            status="active",
        )
        for n in range(4)
    )
    ids = [tenants.a.pk, tenants.b.pk, *(i.pk for i in extra)]
    for month in range(1, 8):
        for n, institution_id in enumerate(ids):
            if (month + n) % 5 == 0:
                continue  # not every institution reports every period
            snapshot(
                institution_id,
                f"2025-{month:02d}",
                headcount_learners=rng.choice([8, 60, 100]),
                learner_mentees_10_plus=rng.choice([0, 2, 6, 11, 14, 40]),
                pairs_active=rng.choice([0, 3, 9, 12, 30]),
                stages_done=rng.randint(0, 6),
                stages_total=6,
            )
    checked = 0
    for code in ("learner_mentees_share", "pairs_active", "stage_progress"):
        indicator = selectors.indicator_list().get(code=code)
        for municipality_id in (None, tenants.municipality.pk, other.pk):
            fast = selectors.indicator_series(indicator=indicator, municipality_id=municipality_id)
            slow = reference_series(indicator, municipality_id)
            assert fast == slow, (code, municipality_id)
            checked += sum(1 for point in fast if point["suppressed"])
    assert checked > 5  # the data did exercise suppression


def test_staff_close_the_period_shown_and_its_numbers_stay_final(numbers: Any) -> None:
    from regional.kpis.models import Period

    client = english(name="kpi-web-closer")
    body = client.get("/kpis/", {"period": PERIOD}).content.decode()
    assert "open: a draft that each aggregation replaces" in body
    response = client.post("/kpis/periods/close/", {"period": PERIOD})
    assert response.status_code == 302 and response["Location"] == f"/kpis/?period={PERIOD}"
    assert Period.objects.get(code=PERIOD).is_closed
    body = client.get(response["Location"]).content.decode()
    assert "is closed: its numbers are final" in body and 'data-testid="period-close"' not in body
    # closed: an aggregation of it is refused next to the field, a second close said so
    refused = client.post("/kpis/runs/", {"period": PERIOD})
    assert refused.status_code == 400
    assert re.search(r'id="run_period-errors"[^>]*>[^<]*is closed', refused.content.decode())
    again = client.post("/kpis/periods/close/", {"period": PERIOD}, follow=True)
    assert "already closed" in again.content.decode()
    # the future is refused too
    future = client.post("/kpis/runs/", {"period": "2099-01"})
    assert future.status_code == 400 and "in the future" in future.content.decode()


def test_the_rating_ranks_by_published_attainment_and_shows_its_method(tenants: Any, db: None):
    """A (60 of 100 learners mentees: 60 % of the 70 % target) ranks above B (21 of 100); the
    method is on the page; a municipal user of another municipality sees no institution."""
    for institution, mentees in ((tenants.a, 60), (tenants.b, 21)):
        snapshot(
            institution.pk,
            PERIOD,
            headcount_learners=100,
            learner_mentees_10_plus=mentees,
            learner_mentors=12,
        )
    client = english(name="kpi-rating")
    body = client.get(f"/rating/?period={PERIOD}").content.decode()
    assert 'data-testid="rating-method"' in body
    table = body.split('data-testid="rating-institutions"')[1].split("</table>")[0]
    names = re.findall(r'<th scope="row" class="fw-normal">([^<]+)<', table)
    assert names == [tenants.a.short_name, tenants.b.short_name]
    assert re.search(r"<td>1</td>\s*<th[^>]*>" + re.escape(tenants.a.short_name), table)
    assert "60.0 %" in table and "21.0 %" in table
    assert client.get("/rating/?period=1999-01").status_code == 400
    from tenants import services as tenant_services
    from tenants.models import Municipality

    other = Municipality.objects.create(name="Дальний район")
    officer = make_user("public", Role.MUNICIPAL, "kpi-rating-mun")
    tenant_services.municipal_access_grant(actor=SETUP, user=officer, municipality_id=other.pk)
    seen = page_client(HOST, officer, "public", "en").get(f"/rating/?period={PERIOD}")
    table = seen.content.decode().split('data-testid="rating-institutions"')[1]
    assert tenants.a.short_name not in table.split("</table>")[0]


def test_indicators_are_named_in_the_language_of_the_page(numbers: Any) -> None:
    """The dashboard, its downloads, the rating and an institution's history name each
    indicator in English when English is chosen and in Russian otherwise; an indicator
    without an English name keeps its Russian one."""
    from regional.kpis.models import Indicator

    Indicator.objects.filter(code="pairs_active").update(name_en="")
    english_name = "Share of learners aged 10 and over involved in mentoring programmes as mentees"
    russian_name = (
        "Доля обучающихся в возрасте от 10 лет, вовлечённых в программы наставничества "
        "в роли наставляемого"
    )
    unnamed = "Действующие наставнические пары и группы"
    query = {"period": PERIOD, "indicator": "learner_mentees_share"}
    names = (("en", english_name, russian_name), ("ru", russian_name, english_name))
    for language, name, other in names:
        user = make_user("public", Role.REGIONAL_ADMIN, f"kpi-names-{language}")
        client = page_client(HOST, user, "public", language)
        dashboard = html.unescape(client.get("/kpis/", query).content.decode())
        assert name in chart_data(dashboard, "region")["labels"]
        assert unnamed in section(dashboard, "region")  # no English name: the Russian one
        series = chart_data(dashboard, "series")
        assert series["datasets"][0]["label"] == name
        for key in ("region", "municipalities", "institutions", "series"):
            assert name in section(dashboard, key), (language, key)
        assert other not in dashboard, language
        sheet = load_workbook(
            io.BytesIO(client.get("/kpis/export/region.xlsx", query).content)
        ).active
        assert sheet is not None
        assert name in [row[0] for row in sheet.iter_rows(values_only=True)]
        rating = html.unescape(client.get("/rating/", {"period": PERIOD}).content.decode())
        assert name in rating and other not in rating, language
        detail = html.unescape(client.get(f"/institutions/{numbers.a.pk}/").content.decode())
        assert name in detail and other not in detail, language


def test_a_long_institutions_table_is_paged_and_the_laggards_counted(
    tenants: Any, db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The dashboard shows the institutions table a page at a time (a region has up to 2,000
    institutions) with the XLSX holding every row, and names the first laggards of a stage
    with the others counted."""
    from regional.web import views_kpis

    monkeypatch.setattr(views_kpis, "INSTITUTIONS_PER_PAGE", 1)
    monkeypatch.setattr(views_kpis, "LAGGING_SHOWN", 1)
    behind = {"stage_1_done": 0, "stage_1_due": 1, **{f"stage_{n}_done": 1 for n in (2, 3)}}
    for institution in (tenants.a, tenants.b):
        snapshot(institution.pk, PERIOD, headcount_learners=100, **behind)
    client = english(name="kpi-web-pages")

    def table(body: str) -> str:
        start = body.index('id="chart-institutions"')
        return body[start : body.index("</section>", start)]

    first = client.get("/kpis/").content.decode()
    second = client.get(f"/kpis/?period={PERIOD}&page=2").content.decode()
    beyond = client.get(f"/kpis/?period={PERIOD}&page=9").content.decode()
    assert "Школа Альфа" in table(first) and "Школа Бета" not in table(first)
    assert "Школа Бета" in table(second) and "Школа Альфа" not in table(second)
    assert "Школа Бета" in table(beyond)  # past the last page: the last one
    assert "1–1 of 2 institutions" in table(first) and "page=2" in table(first)
    assert "2–2 of 2 institutions" in table(second) and "page=1" in table(second)
    lagging = first[first.index('id="kpi-lagging"') :]
    assert "Школа Альфа" in lagging and "and 1 more institution" in lagging
    export = client.get(f"/kpis/export/institutions.xlsx?period={PERIOD}")
    sheet = load_workbook(io.BytesIO(export.content)).active
    names = [row[0] for row in sheet.iter_rows(min_row=6, values_only=True)]
    assert names == ["Школа Альфа", "Школа Бета"]


# The table rows as kpis_chart.html wrote them before ``ChartTable.body_html``.
_ROWS_TEMPLATE = (
    "{% load i18n %}"
    '{% for row in chart.rows %}<tr>{% for cell in row %}{% if forloop.first %}<th scope="row">'
    '{{ cell.text }}</th>{% else %}<td{% if cell.suppressed %} class="kpi-suppressed" '
    'data-suppressed{% endif %}>{{ cell.text }}{% if cell.suppressed %}<sup aria-hidden="true">'
    "*</sup>{% endif %}</td>{% endif %}{% endfor %}</tr>\n"
    '        {% empty %}<tr><td colspan="{{ chart.columns|length }}">'
    '{% translate "No data for this choice." %}</td></tr>{% endfor %}'
)


@pytest.mark.parametrize("language", ["ru", "en"])
def test_the_tables_rows_are_the_markup_of_the_template_loops(language: str) -> None:
    from django.template import engines
    from django.utils import translation

    from regional.web.views_kpis import ChartTable, Shown

    template = engines["django"].from_string(_ROWS_TEMPLATE)
    rows = [
        [Shown("Школа <№1> & «Альфа»", "x"), Shown("12.5 %", 12.5), Shown("—", "—")],
        [Shown('"Бета"', "y"), Shown("0–20 %", "0–20 %", suppressed=True), Shown("7", 7)],
    ]
    with translation.override(language):
        for table in (
            ChartTable(key="k", title="t", columns=["a", "b", "c"], rows=rows),
            ChartTable(key="k", title="t", columns=["a", "b"], rows=[]),
        ):
            assert str(table.body_html()) == template.render({"chart": table})


def test_the_dashboard_and_the_rating_read_k_and_the_indicators_once(numbers: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = english(name="kpi-queries")
    for path in ("/kpis/", f"/rating/?period={PERIOD}"):
        client.get(path)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        statements = [q["sql"] for q in queries.captured_queries]
        assert sum('FROM "kpis_indicator"' in sql for sql in statements) == 1, path
        assert sum('FROM "kpis_regionsettings"' in sql for sql in statements) == 1, path
        assert sum('FROM "kpis_institutionsnapshot"' in sql for sql in statements) == 1, path


def test_the_cached_rating_moves_with_the_snapshots_and_the_targets(tenants: Any, db: None):
    from regional.kpis.models import Indicator

    snapshot(tenants.a.pk, PERIOD, headcount_learners=100, learner_mentees_10_plus=60)
    snapshot(tenants.b.pk, PERIOD, headcount_learners=100, learner_mentees_10_plus=21)
    client = english(name="kpi-rating-cache")

    def table() -> str:
        body = client.get(f"/rating/?period={PERIOD}").content.decode()
        return body.split('data-testid="rating-institutions"')[1].split("</table>")[0]

    assert "60.0 %" in table()
    snapshot(tenants.a.pk, PERIOD, headcount_learners=100, learner_mentees_10_plus=35)
    first = table()
    assert "35.0 %" in first and "60.0 %" not in first
    # a target met: the score of 35 % against 70 % is 50; against 35 % it is 100
    assert "50.0" in first
    indicator = Indicator.objects.get(code="learner_mentees_share")
    indicator.target_value = 35
    indicator.save()
    assert "100.0" in table()
