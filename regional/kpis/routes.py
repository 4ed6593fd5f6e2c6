from rest_framework.routers import BaseRouter

from regional.kpis.views import AggregationRunViewSet, DashboardViewSet, IndicatorViewSet


def register(router: BaseRouter) -> None:
    router.register("kpi-indicators", IndicatorViewSet, basename="kpi-indicator")
    router.register("kpi-runs", AggregationRunViewSet, basename="kpi-run")
    router.register("kpi-dashboard", DashboardViewSet, basename="kpi-dashboard")
