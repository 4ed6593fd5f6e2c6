"""Regional API of the anonymous survey results (public host): every institution's published
(suppressed) cells, the summary across institutions, and publishing on demand."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from config.api.base import REGIONAL, PublicViewSet
from config.tasks import enqueue_on_commit
from regional.survey_results import selectors, tasks
from regional.survey_results.models import RegionalQuestionResult


class ResultOutput(serializers.ModelSerializer[RegionalQuestionResult]):
    institution_name = serializers.CharField(source="institution.short_name")
    distribution = serializers.DictField(
        child=serializers.IntegerField(allow_null=True),
        allow_null=True,
        help_text="value → count; null where hidden; null when not published.",
    )

    class Meta:
        model = RegionalQuestionResult
        fields = [
            "id",
            "institution",
            "institution_name",
            "template_code",
            "template_version_id",
            "academic_year",
            "question_code",
            "question_kind",
            "respondents",
            "mean",
            "distribution",
            "suppressed",
            "min_group_size",
            "published_at",
        ]
        read_only_fields = fields


class SummaryOutput(serializers.Serializer[Any]):
    template_code = serializers.CharField()
    academic_year = serializers.IntegerField()
    question_code = serializers.CharField()
    question_kind = serializers.CharField()
    institutions = serializers.IntegerField()
    institutions_published = serializers.IntegerField()
    institutions_suppressed = serializers.IntegerField()
    respondents = serializers.IntegerField()
    mean = serializers.FloatField(allow_null=True)
    institution_mean_min = serializers.FloatField(allow_null=True)
    institution_mean_median = serializers.FloatField(allow_null=True)
    institution_mean_max = serializers.FloatField(allow_null=True)
    distribution = serializers.DictField(
        child=serializers.IntegerField(allow_null=True),
        allow_null=True,
        help_text="value → the sum of the published cells; null where any is hidden.",
    )


SUMMARY_PARAMETERS = [
    OpenApiParameter("template_code", str, OpenApiParameter.QUERY),
    OpenApiParameter("academic_year", int, OpenApiParameter.QUERY),
]


class RegionalSurveyResultViewSet(PublicViewSet, mixins.ListModelMixin):
    read_roles = REGIONAL
    write_roles = REGIONAL
    serializer_class = ResultOutput
    filterset_fields = ["template_code", "academic_year", "institution", "question_code"]

    def scoped_queryset(self) -> QuerySet[RegionalQuestionResult]:
        return selectors.result_list()

    @extend_schema(parameters=SUMMARY_PARAMETERS, responses=SummaryOutput(many=True))
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def summary(self, request: Request, **kwargs: Any) -> Response:
        """Across institutions: published and suppressed institutions, the weighted mean, the
        spread of institutions' means and the summed published distribution."""
        year = request.query_params.get("academic_year", "")
        rows = selectors.regional_summary(
            template_code=request.query_params.get("template_code") or None,
            academic_year=int(year) if year.isdigit() else None,
        )
        return Response(SummaryOutput(rows, many=True).data)

    @extend_schema(request=None, responses={202: None})
    @action(detail=False, methods=["post"], filter_backends=[])
    def publish(self, request: Request, **kwargs: Any) -> Response:
        """Publish every institution's results now (as the nightly task does)."""
        enqueue_on_commit(tasks.publish_all)
        return Response(status=status.HTTP_202_ACCEPTED)
