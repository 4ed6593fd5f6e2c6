"""Stage progress and institutions lagging on each stage: from the stage tracker
(``schools.programmes.api.stage_states``) through the snapshots to ``lagging_institutions``."""

from __future__ import annotations

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from regional.kpis import selectors
from regional.kpis.metrics import STAGE_CODES, academic_year_of, period_date
from regional.kpis.models import InstitutionSnapshot
from tests.conftest import SETUP

# A day in the middle of the last academic year (never in the future: a future period is
# refused): stage 1's deadlines (August, September) have passed, stage 6's (May, June) have not.
YEAR = academic_year_of(timezone.localdate()) - 1
DAY = f"{YEAR + 1}-01-15"


def programme_with_roadmap(schema_name: str, *, done_stages: tuple[int, ...] = ()) -> dict:
    """A programme of the year with the default roadmap; the given stages marked done. Returns
    the expected numbers per stage on ``DAY``: due flag and overdue activities."""
    from schools.programmes import services
    from schools.programmes.models import ProgrammeStage, RoadmapActivity

    on = period_date(DAY)
    with schema_context(schema_name):
        programme = services.programme_create(actor=SETUP, academic_year=YEAR, title="Программа")
        for stage in done_stages:
            ProgrammeStage.objects.create(
                programme=programme, stage=stage, marked_state="done", marked_at=timezone.now()
            )
        expected = {}
        for stage in range(1, 7):
            deadlines = list(
                RoadmapActivity.objects.filter(programme=programme, stage=stage).values_list(
                    "deadline", flat=True
                )
            )
            expected[stage] = {
                "due": bool(deadlines) and max(deadlines) < on,
                "overdue": sum(1 for d in deadlines if d < on),
            }
    return expected


@pytest.fixture
def lagging_data(tenants, run_in_process):
    a = programme_with_roadmap(tenants.a.schema_name)
    b = programme_with_roadmap(tenants.b.schema_name, done_stages=(1, 2))
    run = run_in_process(DAY)
    assert run.ok_count == run.institutions_total
    return a, b


def test_snapshots_carry_stage_flags_and_progress(tenants, lagging_data):
    expected_a, _b = lagging_data
    values = InstitutionSnapshot.objects.get(period=DAY, institution=tenants.b).values
    assert values["stages_total"] == 6
    assert values["stages_done"] == 2
    assert values["stage_1_done"] == 1 and values["stage_3_done"] == 0
    a_values = InstitutionSnapshot.objects.get(period=DAY, institution=tenants.a).values
    for stage, numbers in expected_a.items():
        assert a_values[f"stage_{stage}_due"] == int(numbers["due"])
        assert a_values[f"stage_{stage}_overdue_activities"] == numbers["overdue"]


def test_lagging_institutions_per_stage(tenants, lagging_data):
    expected_a, expected_b = lagging_data
    assert expected_a[1]["due"] and not expected_a[6]["due"], "DAY sits between stages 1 and 6"
    stages = selectors.lagging_institutions(period=DAY)
    assert [s["stage"] for s in stages] == [1, 2, 3, 4, 5, 6]
    assert [s["code"] for s in stages] == [STAGE_CODES[n] for n in range(1, 7)]
    ours = {tenants.a.pk, tenants.b.pk}
    for entry in stages:
        n = entry["stage"]
        lagging = [row for row in entry["lagging"] if row["id"] in ours]
        expected_ids = [
            institution.pk
            for institution, numbers, done in (
                (tenants.a, expected_a[n], False),
                (tenants.b, expected_b[n], n in (1, 2)),
            )
            if numbers["due"] and not done
        ]
        assert sorted(row["id"] for row in lagging) == sorted(expected_ids), n
        for row in lagging:
            assert set(row) == {
                "id",
                "name",
                "municipality_id",
                "municipality",
                "overdue_activities",
            }
            assert row["overdue_activities"] == expected_a[n]["overdue"]  # same roadmap in both
            assert row["municipality"]
    first = stages[0]
    assert first["completed"] >= 1 and first["expected"] >= 2
    assert tenants.a.pk in {row["id"] for row in first["lagging"]}
    assert tenants.b.pk not in {row["id"] for row in first["lagging"]}
    assert stages[5]["lagging"] == [] or all(row["id"] not in ours for row in stages[5]["lagging"])


def test_institutions_without_a_programme_report_no_stage_data(tenants, run_in_process):
    run_in_process(DAY)
    stages = selectors.lagging_institutions(period=DAY)
    assert len(stages) == 6
    assert all(s["institutions_reporting"] == 0 and s["lagging"] == [] for s in stages)
    assert (
        "stage_1_done"
        not in InstitutionSnapshot.objects.get(period=DAY, institution=tenants.a).values
    )


def test_a_bad_period_is_refused(db):
    with pytest.raises(ValueError):
        selectors.lagging_institutions(period="yesterday")


def test_dashboard_lagging_api_and_stage_progress(
    tenants, lagging_data, regional_staff, client_for
):
    response = client_for(None, regional_staff).get(f"/api/v1/kpi-dashboard/lagging/?period={DAY}")
    assert response.status_code == 200
    body = response.json()
    assert body["available"] is True
    assert tenants.a.pk in {row["id"] for row in body["stages"][0]["lagging"]}
    summary = client_for(None, regional_staff).get(f"/api/v1/kpi-dashboard/summary/?period={DAY}")
    progress = next(i for i in summary.json()["indicators"] if i["code"] == "stage_progress")
    # Stages done / stages tracked over the institutions that report them (2 of 12 here).
    assert progress["region"]["numerator"]["value"] == 2
    assert progress["region"]["denominator"]["value"] == 12


def test_xlsx_report_lists_the_laggards(tenants, lagging_data, regional_staff, client_for):
    import io

    from openpyxl import load_workbook

    response = client_for(None, regional_staff).get(f"/api/v1/kpi-dashboard/export/?period={DAY}")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content))["Отставание по этапам"]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=6)]
    stage_1 = [row for row in rows if str(row[0]).startswith("1.")]
    names = {row[1] for row in stage_1}
    assert (tenants.a.short_name or tenants.a.name) in names
    assert (tenants.b.short_name or tenants.b.name) not in names
    assert any(str(row[0]).startswith("6.") and row[1] == "—" for row in rows)
