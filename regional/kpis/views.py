"""Regional KPI API (public schema, regional host): the indicator catalogue, aggregation runs
(progress, and a run on demand) and the anonymised dashboard with its XLSX export.

Roles: regional staff and the regional administrator. Employers, institutions' users and
anonymous callers get nothing here. Every number in a dashboard response went through
``anonymise`` (suppressed cells are ``{"value": null, "suppressed": true}``)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.actor import actor_of
from config.api.base import REGIONAL, PublicViewSet
from regional.kpis import exports, selectors, services
from regional.kpis.models import (
    AggregationItem,
    AggregationRun,
    Indicator,
    InstitutionSnapshot,
    ItemStatus,
)

# --- indicators -----------------------------------------------------------------------------


class IndicatorOutput(serializers.ModelSerializer[Indicator]):
    class Meta:
        model = Indicator
        fields = [
            "id",
            "code",
            "name",
            "name_en",
            "definition",
            "group",
            "kind",
            "numerator_key",
            "denominator_key",
            "target_value",
            "target_year",
            "higher_is_better",
            "order",
        ]


class IndicatorViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, PublicViewSet):
    """The indicator catalogue (the region edits it in the admin, over the reported metrics)."""

    read_roles = REGIONAL
    serializer_class = IndicatorOutput
    pagination_class = None

    def scoped_queryset(self) -> QuerySet[Indicator]:
        return selectors.indicator_list()


# --- aggregation runs -----------------------------------------------------------------------


class AggregationItemOutput(serializers.ModelSerializer[AggregationItem]):
    institution_name = serializers.CharField(source="institution.short_name", read_only=True)

    class Meta:
        model = AggregationItem
        fields = ["institution", "institution_name", "status", "attempts", "error", "finished_at"]


class AggregationRunOutput(serializers.ModelSerializer[AggregationRun]):
    pending_count = serializers.SerializerMethodField()
    progress = serializers.SerializerMethodField()
    problems = serializers.SerializerMethodField()

    class Meta:
        model = AggregationRun
        fields = [
            "id",
            "period",
            "status",
            "institutions_total",
            "ok_count",
            "failed_count",
            "pending_count",
            "progress",
            "problems",
            "started_at",
            "finished_at",
        ]

    def get_pending_count(self, obj: AggregationRun) -> int:
        return max(0, obj.institutions_total - obj.ok_count - obj.failed_count)

    def get_progress(self, obj: AggregationRun) -> float:
        """Per cent of institutions done or failed."""
        if not obj.institutions_total:
            return 100.0
        return round(100 * (obj.ok_count + obj.failed_count) / obj.institutions_total, 1)

    @extend_schema(responses=AggregationItemOutput(many=True))
    def get_problems(self, obj: AggregationRun) -> list[dict[str, Any]]:
        """Institutions that failed, or are being retried after an error."""
        items = (
            obj.items.select_related("institution")
            .exclude(status=ItemStatus.OK)
            .exclude(status=ItemStatus.PENDING, error="")
        )
        return list(AggregationItemOutput(items, many=True).data)


class AggregationRunInput(serializers.Serializer[Any]):
    period = serializers.CharField(
        max_length=10,
        required=False,
        help_text="YYYY-MM or YYYY-MM-DD; default: today (a period already recorded is kept).",
    )


class AggregationRunViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, PublicViewSet):
    """Aggregation runs and their progress; ``POST`` starts one on demand."""

    read_roles = REGIONAL
    write_roles = REGIONAL
    serializer_class = AggregationRunOutput

    def scoped_queryset(self) -> QuerySet[AggregationRun]:
        return selectors.aggregation_run_list()

    @extend_schema(request=AggregationRunInput, responses={202: AggregationRunOutput})
    def create(self, request: Request) -> Response:
        data = AggregationRunInput(data=request.data)
        data.is_valid(raise_exception=True)
        from django.utils import timezone

        period = data.validated_data.get("period") or timezone.localdate().isoformat()
        run = services.aggregation_run_start(period=period, actor=actor_of(request))
        return Response(AggregationRunOutput(run).data, status=status.HTTP_202_ACCEPTED)


# --- dashboard ------------------------------------------------------------------------------

PERIOD = OpenApiParameter(
    "period", str, description="A period with snapshots; default: the latest."
)
DASHBOARD = OpenApiResponse(
    OpenApiTypes.OBJECT,
    description=(
        "Anonymised numbers. A cell is {value, suppressed, range, numerator, denominator, "
        "meets_target}; a suppressed count is {value: null, suppressed: true}."
    ),
)


class PeriodsOutput(serializers.Serializer[Any]):
    periods = serializers.ListField(child=serializers.CharField())
    latest = serializers.CharField(allow_null=True)


class DashboardViewSet(PublicViewSet):
    """The regional dashboard: region and municipality totals against the targets, the table
    of institutions, time series, stage laggards, the XLSX report."""

    read_roles = REGIONAL
    pagination_class = None
    filter_backends: list[Any] = []

    def scoped_queryset(self) -> QuerySet[InstitutionSnapshot]:
        return InstitutionSnapshot.objects.all()

    def _period(self, request: Request) -> str:
        periods = selectors.snapshot_periods()
        period = request.query_params.get("period") or (periods[-1] if periods else None)
        if period is None or period not in periods:
            raise Http404
        return period

    @extend_schema(responses=PeriodsOutput)
    @action(detail=False, methods=["get"])
    def periods(self, request: Request) -> Response:
        periods = selectors.snapshot_periods()
        return Response({"periods": periods, "latest": periods[-1] if periods else None})

    @extend_schema(parameters=[PERIOD], responses={200: DASHBOARD})
    @action(detail=False, methods=["get"])
    def summary(self, request: Request) -> Response:
        return Response(selectors.dashboard_summary(self._period(request)))

    @extend_schema(parameters=[PERIOD], responses={200: DASHBOARD})
    @action(detail=False, methods=["get"])
    def institutions(self, request: Request) -> Response:
        return Response(selectors.dashboard_institutions(self._period(request)))

    @extend_schema(
        parameters=[
            OpenApiParameter("indicator", str, required=True, description="Indicator code."),
            OpenApiParameter("municipality", int, description="Municipality id; default: region."),
        ],
        responses={200: DASHBOARD},
    )
    @action(detail=False, methods=["get"])
    def series(self, request: Request) -> Response:
        indicator = (
            selectors.indicator_list()
            .filter(code=request.query_params.get("indicator", ""))
            .first()
        )
        if indicator is None:
            raise Http404
        municipality = request.query_params.get("municipality")
        municipality_id = int(municipality) if municipality and municipality.isdigit() else None
        return Response(
            {
                "indicator": indicator.code,
                "municipality": municipality_id,
                "points": selectors.indicator_series(
                    indicator=indicator, municipality_id=municipality_id
                ),
            }
        )

    @extend_schema(parameters=[PERIOD], responses={200: DASHBOARD})
    @action(detail=False, methods=["get"])
    def lagging(self, request: Request) -> Response:
        return Response(selectors.dashboard_lagging(self._period(request)))

    @extend_schema(
        parameters=[PERIOD],
        responses={
            (200, exports.XLSX_CONTENT_TYPE): OpenApiResponse(
                OpenApiTypes.BINARY, description="The regional report (XLSX, Russian headers)."
            )
        },
    )
    @action(detail=False, methods=["get"])
    def export(self, request: Request) -> HttpResponse:
        period = self._period(request)
        content = exports.regional_report(
            selectors.dashboard_summary(period),
            selectors.dashboard_institutions(period),
            selectors.lagging_institutions(period=period),
        )
        response = HttpResponse(content, content_type=exports.XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="kpi-{period}.xlsx"'
        return response
