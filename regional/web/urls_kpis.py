"""Page routes of the regional layer: the KPI dashboard, its downloads and aggregation runs."""

from django.urls import URLPattern, path

from regional.web import views_kpis

urlpatterns: list[URLPattern] = [
    path("kpis/", views_kpis.kpis, name="kpis"),
    path("rating/", views_kpis.rating, name="kpis-rating"),
    # One XLSX per chart (the table beside it), and the whole report in the ministry's shape.
    *[
        path(
            f"kpis/export/{chart}.xlsx",
            views_kpis.export_chart,
            {"chart": chart},
            name=f"kpis-export-{chart}",
        )
        for chart in views_kpis.CHART_KEYS
    ],
    path("kpis/export/report.xlsx", views_kpis.export_report, name="kpis-export-report"),
    path("kpis/runs/", views_kpis.run_start, name="kpis-run-start"),
    path("kpis/periods/close/", views_kpis.period_close, name="kpis-period-close"),
    path("kpis/runs/<int:pk>/", views_kpis.RunDetail.as_view(), name="kpis-run"),
    path(
        "kpis/runs/<int:pk>/progress/", views_kpis.RunProgress.as_view(), name="kpis-run-progress"
    ),
]
